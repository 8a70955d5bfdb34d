"""The inspector on a bridged pipeline's values: Haystack's own dataclasses render as ours do, and values a
recording holds as data (haystack-ai missing) render the same, with a note."""

from __future__ import annotations

from typing import Any

from haystack.dataclasses import ByteStream, ChatMessage, Document, ExtractedAnswer, GeneratedAnswer, SparseEmbedding
from textual.widgets import Collapsible, DataTable, Static

from pipeline.runs.codec import Encoder
from pipeline.runs.haystack_values import NOT_INSTALLED, ForeignValue, haystack_to_dict
from tests.tui.widgets.test_inspector import InspectorApp, record, text_of
from tui.widgets.inspector import AnswersView, DocumentsView, Inspector, MessagesView, ValueTree, summarize


def haystack_documents(count: int) -> list[Document]:
    return [
        Document(content=f"Passage {i} on Babylon.", meta={"page": i}, score=1 / (i + 1), embedding=[0.5] * 8)
        for i in range(count)
    ]


def as_data(value: Any) -> ForeignValue:
    """What a recording holds where haystack-ai is not installed."""
    cls = type(value)
    return ForeignValue(f"{cls.__module__}.{cls.__qualname__}", haystack_to_dict(value))


def titles(inspector: Inspector) -> list[str]:
    return [str(c.title) for c in inspector.query("#outputs Collapsible").results(Collapsible)]


async def test_haystack_documents_messages_and_answers_render_as_ours() -> None:
    app = InspectorApp()
    async with app.run_test(size=(110, 50)) as pilot:
        inspector = app.query_one(Inspector)
        docs = haystack_documents(3)
        outputs = {
            "documents": docs,
            "replies": [ChatMessage.from_assistant("Tiered gardens.", meta={"model": "m"})],
            "answers": [GeneratedAnswer("Tiered gardens.", "Babylon?", docs[:2], {})],
        }
        inspector.show("retriever", 1, record(outputs), "finished")
        await pilot.pause()
        assert titles(inspector) == ["documents  3 documents", "replies  1 message", "answers  1 answer"]
        table = inspector.query_one("#outputs DocumentsView DataTable", DataTable)
        row = tuple(str(cell) for cell in table.get_row_at(1))
        assert row == ("2", "0.5000", docs[1].id[:8], "Passage 1 on Babylon.", "page=1")
        detail = text_of(inspector.query_one("#outputs .document-detail Static", Static))
        assert docs[0].id in detail and "embedding 8 floats" in detail
        message = inspector.query_one("#outputs MessagesView Static", Static)
        assert text_of(message) == 'assistant\nTiered gardens.\nmeta {"model": "m"}'
        answers = inspector.query_one(AnswersView)
        assert text_of(answers.query_one(".answer", Static)).startswith("generated answer  2 documents\nTiered")
        assert answers.query_one(DataTable).row_count == 2


async def test_values_recorded_as_data_render_the_same_with_a_note() -> None:
    app = InspectorApp()
    async with app.run_test(size=(110, 50)) as pilot:
        inspector = app.query_one(Inspector)
        docs = haystack_documents(2)
        extracted = ExtractedAnswer("Babylon?", 0.25, "gardens", docs[0], "the gardens", ExtractedAnswer.Span(0, 7))
        outputs = {
            "documents": [as_data(doc) for doc in docs],
            "answer": as_data(extracted),
            "sparse": as_data(SparseEmbedding(indices=[3], values=[0.5])),
            "plain": "text",
        }
        inspector.show("retriever", 1, record(outputs), "finished")
        await pilot.pause()
        assert titles(inspector) == [
            f"documents  2 documents  {NOT_INSTALLED}",
            f"answer  1 answer  {NOT_INSTALLED}",
            f"sparse  SparseEmbedding (data)  {NOT_INSTALLED}",
            "plain  str, 4 chars",
        ]
        table = inspector.query_one("#outputs DocumentsView DataTable", DataTable)
        assert [str(table.get_row_at(i)[2]) for i in range(2)] == [docs[0].id[:8], docs[1].id[:8]]
        answer = text_of(inspector.query_one("#outputs AnswersView .answer", Static))
        assert answer.startswith("extracted answer  score 0.2500\ngardens\nquery Babylon?\ndocument " + docs[0].id[:8])
        tree = inspector.query_one("#outputs ValueTree", ValueTree)
        assert [str(node.label) for node in tree.root.children] == ["indices  list, 1 item", "values  list, 1 item"]


async def test_a_byte_stream_shows_its_type_size_and_a_preview() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        streams = {
            "text": ByteStream(b"hello world", meta={"url": "u"}, mime_type="text/plain"),
            "binary": [ByteStream(b"\xff\x00\x10")],
        }
        inspector.show("fetcher", 1, record(streams), "finished")
        await pilot.pause()
        assert titles(inspector) == ["text  byte stream, 11 bytes", "binary  1 byte stream"]
        shown = [text_of(static) for static in inspector.query("#outputs .byte-streams Static").results(Static)]
        assert shown == [
            'byte stream  text/plain  11 bytes\nmeta {"url": "u"}\nhello world',
            "byte stream  no mime type  3 bytes\nff 00 10",
        ]
        assert not inspector.query(DocumentsView) and not inspector.query(MessagesView)


def test_recorded_values_summarize_like_live_ones() -> None:
    docs = haystack_documents(2)
    encoded_then_shown = summarize([as_data(doc) for doc in docs])
    assert encoded_then_shown == summarize(docs) == "2 documents"
    assert Encoder(secrets={}).encode(as_data(docs[0])) == Encoder(secrets={}).encode(docs[0])
