"""Snapshots of the inspector showing documents and of the edit-outputs modal; refresh them with
`pytest tests/tui/widgets/test_snapshots.py --snapshot-update` and review the SVGs under __snapshots__/."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import TextArea

from pipeline.dataclasses import ChatMessage, Document, ExtractedAnswer, GeneratedAnswer
from pipeline.runs.spans import ComponentSpan
from tui.screens.edit_sockets import EditSocketsScreen, SocketEditor
from tui.widgets.inspector import Inspector

SIZE = (100, 30)
WONDERS = [
    ("Hanging Gardens of Babylon", "The Hanging Gardens of Babylon were a series of tiered gardens in Babylon."),
    ("Great Pyramid of Giza", "The Great Pyramid of Giza is the oldest and largest of the pyramids in Egypt."),
    ("Colossus of Rhodes", "The Colossus of Rhodes was a statue of the Greek sun-god Helios."),
    ("Lighthouse of Alexandria", "The Lighthouse of Alexandria was built by the Ptolemaic Kingdom."),
    ("Temple of Artemis", "The Temple of Artemis was a Greek temple dedicated to the goddess Artemis."),
]


def wonders() -> list[Document]:
    return [
        Document(content=content, meta={"title": title}, score=round(0.9 - rank * 0.1, 2))
        for rank, (title, content) in enumerate(WONDERS)
    ]


class InspectorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Inspector()

    def on_mount(self) -> None:
        record = ComponentSpan(
            "joiner", 1, 4, 0.0, None, "sync", None, inputs={"top_k": 5}, outputs={"documents": wonders()}
        )
        self.query_one(Inspector).show("joiner", 1, record, "finished")


class AnswersApp(App[None]):
    """An answer builder's visit: a generated answer citing two wonders, and a reader's extracted answer."""

    def compose(self) -> ComposeResult:
        yield Inspector()

    def on_mount(self) -> None:
        cited = wonders()[:2]
        reply = "The Hanging Gardens were tiered gardens [1]; the Great Pyramid is the oldest [2]."
        generated = GeneratedAnswer(
            reply,
            "Which wonders were gardens or pyramids?",
            cited,
            {"all_messages": [ChatMessage.from_assistant(reply)]},
        )
        rhodes = wonders()[2]
        context = rhodes.content or ""
        start = context.index("Helios")
        extracted = ExtractedAnswer(
            query="Which god did the Colossus show?",
            score=0.8731,
            data="Helios",
            document=rhodes,
            context=context,
            document_offset=ExtractedAnswer.Span(start, start + 6),
            context_offset=ExtractedAnswer.Span(start, start + 6),
        )
        record = ComponentSpan(
            "answer_builder", 1, 9, 0.0, None, "sync", None, inputs={}, outputs={"answers": [generated, extracted]}
        )
        self.query_one(Inspector).show("answer_builder", 1, record, "finished")


class EditApp(App[None]):
    def on_mount(self) -> None:
        outputs: dict[str, Any] = {"count": 1, "documents": wonders()[:1]}
        self.push_screen(EditSocketsScreen("joiner", outputs, {"count": int, "documents": list[Document]}))


def test_inspector_showing_documents(snap_compare: Any) -> None:
    async def highlight_second(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("tab", "tab", "tab", "down")  # tabs, the socket's title, then the table

    assert snap_compare(InspectorApp(), terminal_size=SIZE, run_before=highlight_second)


def test_inspector_showing_answers(snap_compare: Any) -> None:
    assert snap_compare(AnswersApp(), terminal_size=(100, 36))


def test_edit_outputs_modal_with_an_invalid_socket(snap_compare: Any) -> None:
    async def break_count(pilot: Pilot[None]) -> None:
        editors = {e.socket: e for e in pilot.app.screen.query(SocketEditor).results(SocketEditor)}
        editors["count"].query_one(TextArea).load_text('"one"')
        await pilot.pause()

    assert snap_compare(EditApp(), terminal_size=SIZE, run_before=break_count)
