"""GeneratedAnswer and ExtractedAnswer: Haystack's dict layout, documents and messages serialized inside."""

from __future__ import annotations

from pipeline.dataclasses import Answer, ChatMessage, Document, ExtractedAnswer, GeneratedAnswer


def test_generated_answer_round_trip_with_its_messages() -> None:
    document = Document(content="Rhodes", meta={"page": 1}, score=0.5)
    replies = [ChatMessage.from_assistant("Rhodes [1]", meta={"model": "m"})]
    answer = GeneratedAnswer("Rhodes", "Where?", [document], meta={"all_messages": replies, "k": 1})
    data = answer.to_dict()
    assert data == {
        "type": "pipeline.dataclasses.answer.GeneratedAnswer",
        "init_parameters": {
            "data": "Rhodes",
            "query": "Where?",
            "documents": [document.to_dict()],
            "meta": {"all_messages": [replies[0].to_dict()], "k": 1},
        },
    }
    assert answer.meta["all_messages"] == replies  # to_dict leaves the answer as it was
    assert GeneratedAnswer.from_dict(data) == answer
    strings = GeneratedAnswer("a", "q", [], meta={"all_messages": ["a"]})
    assert GeneratedAnswer.from_dict(strings.to_dict()) == strings


def test_extracted_answer_round_trip_with_spans() -> None:
    answer = ExtractedAnswer(
        query="Where?",
        score=0.75,
        data="Rhodes",
        document=Document(content="On Rhodes."),
        context="On Rhodes.",
        document_offset=ExtractedAnswer.Span(3, 9),
        context_offset=ExtractedAnswer.Span(3, 9),
        meta={"reader": "x"},
    )
    data = answer.to_dict()
    assert data["type"] == "pipeline.dataclasses.answer.ExtractedAnswer"
    assert list(data["init_parameters"]) == [
        "data",
        "query",
        "document",
        "context",
        "score",
        "document_offset",
        "context_offset",
        "meta",
    ]
    assert data["init_parameters"]["document_offset"] == {"start": 3, "end": 9}
    assert ExtractedAnswer.from_dict(data) == answer
    no_answer = ExtractedAnswer(query="q", score=0.1)
    assert no_answer.to_dict()["init_parameters"]["document"] is None
    assert ExtractedAnswer.from_dict(no_answer.to_dict()) == no_answer


def test_answers_satisfy_the_answer_protocol() -> None:
    assert isinstance(GeneratedAnswer("a", "q", []), Answer)
    assert isinstance(ExtractedAnswer(query="q", score=0.0), Answer)
    assert not isinstance(Document(content="x"), Answer)
