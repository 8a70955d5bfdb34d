"""Load: the inspector shows a 50 MB string and 100k documents a part at a time, answering keys meanwhile."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Static

from pipeline.dataclasses import ChatMessage, Document
from tui.widgets.inspector import (
    DETAIL_CHARS,
    DOCUMENTS_MORE,
    DOCUMENTS_SHOWN,
    REPR_CHARS,
    STRING_PART,
    DocumentsView,
    LongStringView,
    StringView,
    ValueTree,
    document_detail,
    message_text,
    value_view,
)

BIG = 50_000_000
MANY = 100_000


class ValueApp(App[None]):
    """One socket value's view, and a key whose action counts presses (is the app still answering?)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("k", "ping")]

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value
        self.pings = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield value_view(self.value)

    def action_ping(self) -> None:
        self.pings += 1


async def until(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


async def test_a_50_mb_string_puts_one_part_in_the_editor_and_pages_through_the_rest() -> None:
    text = "".join(chr(ord("a") + i % 26) * 1000 for i in range(BIG // 1000))
    app = ValueApp(text)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LongStringView)
        editor = view.query_one(StringView)
        assert editor.text == text[:STRING_PART]
        part = view.query_one(".part", Static)
        assert str(part.content) == f"characters 1-{STRING_PART:,} of {BIG:,}"
        editor.focus()
        await pilot.press("m", "m")
        assert editor.text == text[2 * STRING_PART : 3 * STRING_PART]
        await pilot.click(".previous")
        assert editor.text == text[STRING_PART : 2 * STRING_PART]
        view.action_part(BIG)  # past the end: the last part
        assert editor.text == text[-STRING_PART:]
        assert str(part.content) == f"characters {BIG - STRING_PART + 1:,}-{BIG:,} of {BIG:,}"
        await pilot.press("k")
        assert app.pings == 1


async def test_100k_documents_fill_a_thousand_rows_then_more_on_request_while_keys_are_answered() -> None:
    documents = [Document(content=f"passage {i}", meta={"i": i}) for i in range(MANY)]
    app = ValueApp(documents)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("k")
        assert app.pings == 1, "a key is answered while the table fills"
        table = app.query_one(DocumentsView).query_one(DataTable)
        await until(pilot, lambda: table.row_count == DOCUMENTS_SHOWN)
        more = app.query_one(DocumentsView).query_one(".more", Button)
        assert str(more.label).startswith(f"{MANY - DOCUMENTS_SHOWN:,} more documents not shown")
        await pilot.click(".more")
        await until(pilot, lambda: table.row_count == DOCUMENTS_SHOWN + DOCUMENTS_MORE)
        assert str(table.get_row_at(DOCUMENTS_SHOWN + DOCUMENTS_MORE - 1)[0]) == f"{DOCUMENTS_SHOWN + DOCUMENTS_MORE}"
        assert str(more.label).startswith(f"{MANY - DOCUMENTS_SHOWN - DOCUMENTS_MORE:,} more documents")


def test_a_documents_and_a_messages_huge_text_is_cut_with_a_count() -> None:
    detail = document_detail(1, 1, Document(content="x" * BIG))
    assert len(detail.plain) < DETAIL_CHARS + 1_000
    assert f"({BIG - DETAIL_CHARS:,} more characters)" in detail.plain
    message = message_text(ChatMessage.from_assistant("y" * BIG))
    assert len(message.plain) < DETAIL_CHARS + 1_000


async def test_a_huge_value_in_a_tree_is_labelled_by_its_head() -> None:
    app = ValueApp({"blob": b"\x00" * BIG, "text": "z" * BIG, "n": 1})
    async with app.run_test(size=(100, 30)):
        labels = [str(node.label) for node in app.query_one(ValueTree).root.children]
        assert all(len(label) < REPR_CHARS + 100 for label in labels)
        assert f"(str, {BIG:,} chars)" in labels[1]


async def test_huge_bytes_alone_are_shown_by_their_head() -> None:
    app = ValueApp(b"\x01" * BIG)
    async with app.run_test(size=(100, 30)):
        shown = str(app.query_one(".scalar", Static).content)
        assert len(shown) < 2 * DETAIL_CHARS
