"""Haystack's dataclasses in recordings: stored through `to_dict`, read back with `from_dict`, or as data (a
`ForeignValue` shown through our classes) where haystack-ai cannot be imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from haystack.dataclasses import (
    ByteStream,
    ChatMessage,
    Document,
    ExtractedAnswer,
    GeneratedAnswer,
    SparseEmbedding,
    StreamingChunk,
    ToolCall,
)

import pipeline.dataclasses as ours
from pipeline.runs import haystack_values
from pipeline.runs.codec import Encoder, Unrepresentable, decode
from pipeline.runs.haystack_values import NOT_INSTALLED, ForeignValue, as_ours

ROOT = Path(__file__).resolve().parents[3]


def roundtrip(value: Any) -> Any:
    return decode(json.loads(json.dumps(Encoder(secrets={}).encode(value))))


def rich_document() -> Document:
    return Document(
        content="Paris is the capital of France.",
        meta={"source": "wiki", "page": 3},
        score=0.8125,
        embedding=[0.25, -0.5] * 12,
        sparse_embedding=SparseEmbedding(indices=[1, 7], values=[0.5, 0.25]),
        blob=ByteStream(b"\x00\x01raw", mime_type="application/octet-stream"),
    )


def test_a_haystack_document_is_stored_with_its_type_path_and_its_to_dict() -> None:
    document = rich_document()
    encoded = Encoder(secrets={}).encode(document)
    assert encoded["$type"] == "haystack"
    assert encoded["class"] == "haystack.dataclasses.document.Document"
    assert encoded["data"]["meta"] == {"source": "wiki", "page": 3}  # kept apart, not flattened
    assert encoded["data"]["embedding"]["$type"] == "floats"  # the embedding packed like any other
    back = roundtrip(document)
    assert type(back) is Document
    assert back == document
    assert back.id == document.id


@pytest.mark.parametrize(
    "value",
    [
        ChatMessage.from_assistant("hi", tool_calls=[ToolCall("search", {"q": "x"}, id="c1")], meta={"n": 1}),
        ChatMessage.from_user("what?"),
        GeneratedAnswer(data="Paris", query="capital?", documents=[rich_document()], meta={"model": "m"}),
        ExtractedAnswer(
            query="q",
            score=0.5,
            data="Paris",
            document=rich_document(),
            context="in Paris",
            document_offset=ExtractedAnswer.Span(0, 5),
        ),
        ByteStream(b"\xff\x00data", meta={"k": "v"}, mime_type="image/png"),
        StreamingChunk(content="tok", meta={"i": 1}, index=2, start=True),
        SparseEmbedding(indices=[0, 3], values=[0.5, 0.125]),
        ToolCall(tool_name="t", arguments={"a": [1, 2]}, id="x"),
    ],
    ids=lambda value: type(value).__name__,
)
def test_haystack_dataclasses_round_trip_as_themselves(value: Any) -> None:
    back = roundtrip(value)
    assert type(back) is type(value)
    assert back == value


def test_haystack_values_nest_in_lists_and_dicts_and_secrets_are_scrubbed() -> None:
    secret = "sk-abcdefghijklmnop"
    value = {"documents": [Document(content=f"key {secret}")], "reply": [ChatMessage.from_assistant(secret)]}
    encoded = Encoder(secrets={secret: "OPENAI_API_KEY"}).encode(value)
    assert secret not in json.dumps(encoded)
    back = decode(json.loads(json.dumps(encoded)))
    assert back["documents"][0].content == "key <redacted:OPENAI_API_KEY>"
    assert back["reply"][0].text == "<redacted:OPENAI_API_KEY>"


def test_a_subclass_of_a_haystack_dataclass_is_not_taken_for_it() -> None:
    class MyDocument(Document):
        pass

    assert type(roundtrip(MyDocument(content="x"))) is Unrepresentable


def test_a_type_path_not_on_the_list_is_never_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    imported: list[str] = []
    monkeypatch.setattr(haystack_values.importlib, "import_module", lambda name: imported.append(name))
    value = decode({"$type": "haystack", "class": "os.system", "data": {"command": "true"}})
    assert value == ForeignValue("os.system", {"command": "true"}, "not a known Haystack type: shown as data")
    assert imported == []


def test_a_layout_that_from_dict_refuses_is_kept_as_data() -> None:
    value = decode({"$type": "haystack", "class": "haystack.dataclasses.chat_message.ChatMessage", "data": {}})
    assert isinstance(value, ForeignValue)
    assert value.note.startswith("ValueError rebuilding it")


def test_without_haystack_a_recording_decodes_to_foreign_values_that_record_back_unchanged() -> None:
    """In a fresh interpreter where `import haystack` fails: ForeignValues, re-encoded to the same JSON."""
    encoded = Encoder(secrets={}).encode(
        {"documents": [rich_document()], "answer": GeneratedAnswer("Paris", "q", [rich_document()], {})}
    )
    script = textwrap.dedent(
        """
        import json, sys
        sys.modules["haystack"] = None  # import haystack raises ImportError
        from pipeline.runs.codec import Encoder, decode
        from pipeline.runs.haystack_values import ForeignValue, as_ours
        from pipeline.dataclasses import Document, GeneratedAnswer
        data = json.load(sys.stdin)
        value = decode(data)
        document, answer = value["documents"][0], value["answer"]
        assert isinstance(document, ForeignValue) and isinstance(answer, ForeignValue), value
        mine = as_ours(document)
        assert type(mine) is Document and mine.meta == {"source": "wiki", "page": 3}, mine
        assert type(as_ours(answer)) is GeneratedAnswer
        print(json.dumps({"note": document.note, "again": Encoder(secrets={}).encode(value), "id": mine.id}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(encoded), capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["note"] == NOT_INSTALLED == "haystack-ai not installed: shown as data"
    assert out["again"] == json.loads(json.dumps(encoded))
    assert out["id"] == rich_document().id


def test_as_ours_views_haystack_values_through_our_classes() -> None:
    document = rich_document()
    mine = as_ours(document)
    assert type(mine) is ours.Document
    assert (mine.id, mine.content, mine.meta, mine.score) == (document.id, document.content, document.meta, 0.8125)
    assert mine.blob == ours.ByteStream(b"\x00\x01raw", mime_type="application/octet-stream")
    message = as_ours(ChatMessage.from_assistant("hi", tool_calls=[ToolCall("t", {"a": 1})]))
    assert type(message) is ours.ChatMessage
    assert (message.text, message.tool_call.tool_name) == ("hi", "t")  # type: ignore[union-attr]
    answer = as_ours(GeneratedAnswer("Paris", "q", [document], {"all_messages": [ChatMessage.from_assistant("x")]}))
    assert type(answer) is ours.GeneratedAnswer
    assert answer.documents[0].id == document.id
    assert answer.meta["all_messages"][0].text == "x"
    extracted = as_ours(ExtractedAnswer("q", 0.5, "P", document, "ctx", ExtractedAnswer.Span(0, 1)))
    assert type(extracted) is ours.ExtractedAnswer
    assert extracted.document_offset == ours.ExtractedAnswer.Span(0, 1)
    flattened = as_ours(ForeignValue("haystack.dataclasses.document.Document", {"id": "d1", "content": "c", "k": 1}))
    assert (flattened.id, flattened.meta) == ("d1", {"k": 1})
    recorded = ForeignValue("haystack.dataclasses.document.Document", {"id": "d1", "content": "c"})
    assert repr(recorded) == "Document(id=d1…, content='c') <haystack-ai not installed: shown as data>"
    assert repr(ForeignValue("x.Y", [1])).startswith("<Y (haystack-ai not installed: shown as data): [1]>")
    sparse = SparseEmbedding(indices=[1], values=[0.5])
    assert as_ours(sparse) is sparse  # no equivalent of ours: the value itself
    assert as_ours("text") == "text"


def test_an_image_part_of_a_message_is_named_in_the_view() -> None:
    from haystack.dataclasses import ImageContent

    message = ChatMessage.from_user(content_parts=["look", ImageContent(base64_image="aGk=", mime_type="image/png")])
    view = as_ours(message)
    assert view.texts == ["look", "[image: image/png]"]
