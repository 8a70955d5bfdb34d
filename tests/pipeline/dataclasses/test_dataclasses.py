"""Document, ChatMessage and StreamingChunk, and the Haystack import paths that make a port a rename."""

from __future__ import annotations

import importlib

import pytest

from pipeline import ChatMessage, Document, StreamingChunk
from pipeline.dataclasses import ChatRole


def test_document_id_derives_from_what_haystack_hashes() -> None:
    doc = Document(content="Rhodes", meta={"url": "u", "_split_id": 0})
    # As in Haystack, meta is hashed as written: key order changes the id.
    assert doc.id != Document(content="Rhodes", meta={"_split_id": 0, "url": "u"}).id
    assert doc.id != Document(content="Rhodes", meta={"url": "v", "_split_id": 0}).id
    assert doc.id != Document(content="Rhodos", meta={"url": "u", "_split_id": 0}).id
    assert Document(content="Rhodes", meta=doc.meta, score=2.0).id == doc.id
    assert Document(content="Rhodes", meta=doc.meta, embedding=[0.1]).id != doc.id
    assert Document(id="mine", content="Rhodes").id == "mine"
    assert len(doc.id) == 64


def test_document_round_trips_and_refuses_unknown_fields() -> None:
    doc = Document(content="x", meta={"a": 1}, score=0.5, embedding=[1.0, 2.0])
    assert Document.from_dict(doc.to_dict()) == doc
    with pytest.raises(ValueError, match="Unknown Document field"):
        Document.from_dict({"content": "x", "dataframe": None})
    assert "vector of size 2" in repr(doc) and "score=0.5" in repr(doc)


def test_chat_messages() -> None:
    user = ChatMessage.from_user("Where?", meta={"k": 1}, name="ada")
    assert user.role is ChatRole.USER and user.text == "Where?" and user.meta == {"k": 1} and user.name == "ada"
    assert ChatMessage.from_system("Be brief.").is_from("system")
    reply = ChatMessage.from_assistant("There.", meta={"model": "m"})
    assert reply.is_from(ChatRole.ASSISTANT) and reply.meta["model"] == "m"
    assert ChatMessage.from_dict(user.to_dict()) == user
    assert user.to_openai_dict_format() == {"role": "user", "content": "Where?", "name": "ada"}
    with pytest.raises(ValueError, match="'robot' is not a valid ChatRole"):
        ChatMessage.from_dict({"role": "robot", "content": [{"text": "beep"}]})


def test_streaming_chunk() -> None:
    assert StreamingChunk("Hel", {"index": 0}).content == "Hel"


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "pipeline",
            ["component", "Pipeline", "AsyncPipeline", "Document", "ChatMessage", "StreamingChunk", "GeneratedAnswer"],
        ),
        ("pipeline.dataclasses", ["Document", "ChatMessage", "StreamingChunk", "TextContent", "GeneratedAnswer"]),
        ("pipeline.document_stores.in_memory", ["InMemoryDocumentStore"]),
        ("pipeline.components.retrievers.in_memory", ["InMemoryBM25Retriever", "InMemoryEmbeddingRetriever"]),
        ("pipeline.components.joiners", ["DocumentJoiner", "BranchJoiner", "StringJoiner", "AnswerJoiner"]),
        ("pipeline.components.builders", ["ChatPromptBuilder", "PromptBuilder", "AnswerBuilder"]),
        ("pipeline.components.embedders", ["SentenceTransformersTextEmbedder", "SentenceTransformersDocumentEmbedder"]),
        ("pipeline.components.generators.chat", ["OpenAIChatGenerator", "ExtractiveChatGenerator"]),
        ("pipeline.components.writers", ["DocumentWriter"]),
        ("pipeline.utils", ["Secret"]),
    ],
)
def test_haystack_import_paths(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    assert all(hasattr(imported, name) for name in names)
