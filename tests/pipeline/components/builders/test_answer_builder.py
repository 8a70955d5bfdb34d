"""AnswerBuilder: answers from replies (strings or chat messages), patterns, cited documents, as Haystack 2.31."""

from __future__ import annotations

import logging

import pytest

from pipeline import Pipeline
from pipeline.components.builders import AnswerBuilder
from pipeline.dataclasses import ChatMessage, Document, GeneratedAnswer

DOCS = [Document(content=f"d{i}", meta={"n": i}) for i in range(1, 6)]


def cited(answer: GeneratedAnswer) -> list[tuple[str | None, dict]]:
    return [(document.content, document.meta) for document in answer.documents]


def test_whole_reply_is_the_answer_and_every_document_is_attached() -> None:
    (answer,) = AnswerBuilder().run(query="q", replies=["a [1]"], documents=DOCS)["answers"]
    assert (answer.data, answer.query, answer.meta) == ("a [1]", "q", {"all_messages": ["a [1]"]})
    assert cited(answer) == [(f"d{i}", {"n": i, "source_index": i}) for i in range(1, 6)]
    assert DOCS[0].meta == {"n": 1}  # copies are marked, not the inputs


def test_reference_pattern_keeps_cited_documents_and_warns_on_out_of_range(caplog: pytest.LogCaptureFixture) -> None:
    builder = AnswerBuilder(reference_pattern=r"\[(\d+)\]")
    with caplog.at_level(logging.WARNING):
        (answer,) = builder.run(query="q", replies=["a [4] and [2] [9]"], documents=DOCS)["answers"]
    assert cited(answer) == [
        ("d2", {"n": 2, "source_index": 2, "referenced": True}),
        ("d4", {"n": 4, "source_index": 4, "referenced": True}),
    ]
    assert "Document index '9' referenced in Generator output is out of range." in caplog.text


def test_all_documents_marked_when_not_only_referenced() -> None:
    builder = AnswerBuilder(reference_pattern=r"\[(\d+)\]", return_only_referenced_documents=False)
    (answer,) = builder.run(query="q", replies=["a [2]"], documents=DOCS[:3])["answers"]
    assert [document.meta["referenced"] for document in answer.documents] == [False, True, False]


def test_reference_ranges_expand_when_asked() -> None:
    builder = AnswerBuilder(reference_pattern=r"\[(\d+)\]", expand_reference_ranges=True)
    (answer,) = builder.run(query="q", replies=["a [2-3] [5,1] [4-999999999]"], documents=DOCS)["answers"]
    assert [document.content for document in answer.documents] == ["d1", "d2", "d3", "d4", "d5"]
    (plain,) = AnswerBuilder(reference_pattern=r"\[(\d+)\]").run(query="q", replies=["a [2-3]"], documents=DOCS)[
        "answers"
    ]
    assert plain.documents == []
    (per_run,) = AnswerBuilder(reference_pattern=r"\[(\d+)\]").run(
        query="q", replies=["a [2-3]"], documents=DOCS, expand_reference_ranges=True
    )["answers"]
    assert [document.content for document in per_run.documents] == ["d2", "d3"]


def test_patterns_extract_the_answer() -> None:
    reply = ChatMessage.from_assistant("x Answer: yes", meta={"m": 1})
    (answer,) = AnswerBuilder(pattern="Answer: (.*)").run(query="q", replies=[reply], meta=[{"k": 2}])["answers"]
    assert answer.data == "yes" and answer.meta == {"m": 1, "k": 2, "all_messages": [reply]}
    assert AnswerBuilder(pattern="Answer").run(query="q", replies=["x Answer: y"])["answers"][0].data == "Answer"
    assert AnswerBuilder(pattern="nomatch").run(query="q", replies=["a"])["answers"][0].data == ""
    assert AnswerBuilder().run(query="q", replies=["a"], pattern="(a)")["answers"][0].data == "a"
    assert AnswerBuilder().run(query="q", replies=[ChatMessage.from_assistant()])["answers"][0].data == ""


def test_last_message_only() -> None:
    builder = AnswerBuilder(pattern="[^\\n]+$", last_message_only=True)
    (answer,) = builder.run(query="q", replies=["first", "a\nlast"], meta=[{"i": 0}, {"i": 1}])["answers"]
    assert answer.data == "last" and answer.meta == {"i": 1, "all_messages": ["first", "a\nlast"]}
    assert len(AnswerBuilder().run(query="q", replies=["a", "b"])["answers"]) == 2


def test_errors() -> None:
    with pytest.raises(ValueError) as error:
        AnswerBuilder(pattern="(a)(b)")
    assert str(error.value) == (
        "Pattern '(a)(b)' contains multiple capture groups. Please specify a pattern with at most one capture group."
    )
    with pytest.raises(ValueError, match=r"Pattern '\(a\)\(b\)' contains multiple capture groups"):
        AnswerBuilder().run(query="q", replies=["a"], pattern="(a)(b)")
    with pytest.raises(ValueError) as error:
        AnswerBuilder().run(query="q", replies=["a", "b"], meta=[{}])
    assert str(error.value) == "Number of replies (2), and metadata (1) must match."


def test_in_a_pipeline_and_serialized() -> None:
    pipe = Pipeline()
    pipe.add_component("answer_builder", AnswerBuilder(pattern="Answer: (.*)", last_message_only=True))
    restored = Pipeline.loads(pipe.dumps())
    result = restored.run({"answer_builder": {"query": "q", "replies": ["Answer: 42"]}})
    assert result["answer_builder"]["answers"] == [GeneratedAnswer("42", "q", [], {"all_messages": ["Answer: 42"]})]
    init = pipe.to_dict()["components"]["answer_builder"]["init_parameters"]
    assert init == {  # every init parameter, as Haystack writes them
        "pattern": "Answer: (.*)",
        "reference_pattern": None,
        "last_message_only": True,
        "return_only_referenced_documents": True,
        "expand_reference_ranges": False,
    }
