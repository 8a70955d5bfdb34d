"""The inspector in an app of its own: documents table and detail, messages, strings, trees, states, big values."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Button, Collapsible, DataTable, Static, TabbedContent, TextArea

from pipeline.dataclasses import ChatMessage, Document, ExtractedAnswer, GeneratedAnswer, ToolCall
from pipeline.runs.spans import ComponentSpan
from tui.widgets.inspector import (
    ANSWERS_SHOWN,
    DOCUMENTS_SHOWN,
    HINT,
    SKIPPED,
    STRING_PART,
    AnswersView,
    DocumentsView,
    Inspector,
    MessagesView,
    StringView,
    ValueTree,
    answer_text,
    message_text,
    summarize,
)


class InspectorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Inspector()


def documents(count: int) -> list[Document]:
    return [
        Document(
            content=f"Passage {i} on the Hanging Gardens of Babylon, one of the seven wonders.",
            meta={"title": f"Babylon {i}", "page": i},
            score=1 / (i + 1),
            embedding=[0.5] * 4 if i == 1 else None,
        )
        for i in range(count)
    ]


def record(outputs: dict[str, Any] | None, inputs: dict[str, Any] | None = None, **fields: Any) -> ComponentSpan:
    inputs = {"query": "Babylon?"} if inputs is None else inputs
    return ComponentSpan("retriever", 2, 7, 0.0, None, "sync", None, inputs=inputs, outputs=outputs, **fields)


def text_of(static: Static) -> str:
    return str(static.content)


async def until(pilot: Pilot[None], predicate: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


async def test_nothing_selected_shows_a_hint() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)):
        inspector = app.query_one(Inspector)
        assert text_of(inspector.query_one("#inspector-hint", Static)) == HINT
        assert inspector.query_one("#inspector-hint").display
        assert not inspector.query_one(TabbedContent).display


async def test_documents_table_and_detail_of_the_highlighted_document() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 40)) as pilot:
        inspector = app.query_one(Inspector)
        inspector.show("retriever", 2, record({"documents": documents(3)}), "finished")
        await pilot.pause()
        assert "retriever  visit 2  finished" in str(inspector.query_one("#inspector-title", Static).content)
        assert inspector.query_one(TabbedContent).active == "outputs"
        table = inspector.query_one("#outputs DataTable", DataTable)
        assert table.row_count == 3
        rank, score, short_id, content, meta = (str(cell) for cell in table.get_row_at(0))
        assert (rank, score, short_id) == ("1", "1.0000", documents(1)[0].id[:8])
        assert content.startswith("Passage 0 on the Hanging Gardens")
        assert meta == "title=Babylon 0, page=0"
        detail = inspector.query_one("#outputs .document-detail Static", Static)
        assert "Document 1 of 3" in text_of(detail)
        assert "embedding none" in text_of(detail)

        table.focus()
        await pilot.press("down")
        detail_text = text_of(detail)
        assert "Document 2 of 3" in detail_text
        assert documents(2)[1].id in detail_text
        assert "embedding 4 floats" in detail_text
        assert '"title": "Babylon 1"' in detail_text
        assert "Passage 1 on the Hanging Gardens of Babylon, one of the seven wonders." in detail_text


async def test_a_highlight_that_arrives_after_the_view_emptied_is_ignored() -> None:
    """The inspector replaces its views as the selection moves; a RowHighlighted still queued for an old view must
    not stop the app (it did, when a replay's selection moved on just as the table highlighted its first row)."""
    app = InspectorApp()
    async with app.run_test(size=(100, 40)) as pilot:
        inspector = app.query_one(Inspector)
        inspector.show("retriever", 2, record({"documents": documents(3)}), "finished")
        await pilot.pause()
        view = inspector.query_one(DocumentsView)
        table = view.query_one(DataTable)
        await view.remove_children()
        view.post_message(DataTable.RowHighlighted(table, 1, table.coordinate_to_cell_key((1, 0)).row_key))
        await pilot.pause()
        assert app.is_running and not view.children


async def test_inputs_tab_shows_what_the_visit_received() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        inspector.show("retriever", 2, record({"documents": []}, inputs={"query": "Babylon?", "top_k": 3}), "finished")
        await pilot.pause()
        titles = [str(c.title) for c in inspector.query("#inputs Collapsible").results(Collapsible)]
        assert titles == ["query  str, 8 chars", "top_k  int"]
        assert inspector.query_one("#inputs StringView", StringView).text == "Babylon?"
        assert text_of(inspector.query_one("#inputs .scalar", Static)) == "3"


async def test_ten_thousand_documents_fill_the_table_in_chunks_a_thousand_at_a_time() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        many = documents(10_000)
        started = time.perf_counter()
        app.query_one(Inspector).show("retriever", 2, record({"documents": many}), "finished")
        assert time.perf_counter() - started < 1, "show() must not build the table's rows itself"
        await pilot.pause()
        table = app.query_one(DocumentsView).query_one(DataTable)
        assert 0 < table.row_count <= DOCUMENTS_SHOWN, "the first chunk is there at once, the rest follows"
        await until(pilot, lambda: table.row_count == DOCUMENTS_SHOWN)
        await pilot.pause(0.1)
        assert table.row_count == DOCUMENTS_SHOWN, "the rest waits until asked for"
        assert "9,000 more documents not shown" in str(app.query_one("DocumentsView .more", Button).label)
        table.focus()
        for _ in range(9):
            await pilot.press("m")
        await until(pilot, lambda: table.row_count == 10_000)
        assert str(table.get_row_at(9_999)[0]) == "10000"
        assert not app.query_one("DocumentsView .more", Button).display


async def test_a_megabyte_string_a_part_at_a_time_in_a_read_only_editor_without_wrapping() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        big = "".join(f"{i:099d}\n" for i in range(10_000))
        app.query_one(Inspector).show("builder", 1, record({"prompt": big}), "finished")
        await pilot.pause()
        view = app.query_one("#outputs StringView", StringView)
        assert view.text == big[:STRING_PART]
        assert view.read_only and not view.soft_wrap
        part = app.query_one("#outputs LongStringView .part", Static)
        assert text_of(part) == "characters 1-100,000 of 1,000,000"
        view.focus()
        await pilot.press("m")
        assert view.text == big[STRING_PART : 2 * STRING_PART]
        assert text_of(part) == "characters 100,001-200,000 of 1,000,000"
        await pilot.press("M", "M")
        assert view.text == big[:STRING_PART]


async def test_chat_messages_are_role_labelled() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        prompt = [ChatMessage.from_system("Answer briefly."), ChatMessage.from_user("Where?", meta={"lang": "en"})]
        app.query_one(Inspector).show("builder", 1, record({"prompt": prompt}), "finished")
        await pilot.pause()
        texts = [text_of(static) for static in app.query_one(MessagesView).query(Static).results(Static)]
        assert texts == ["system\nAnswer briefly.", 'user\nWhere?\nmeta {"lang": "en"}']


async def test_other_values_are_a_tree_built_as_it_is_expanded() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 40)) as pilot:
        value = {"scores": list(range(450)), "nested": {"deep": {"deeper": 1}}, "name": "x"}
        app.query_one(Inspector).show("joiner", 1, record({"stats": value}), "finished")
        await pilot.pause()
        tree = app.query_one(ValueTree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == ["scores  list, 450 items", "nested  dict, 1 key", "name: 'x'"]
        scores, nested, _ = tree.root.children
        assert not scores.children and not nested.children, "children are built on first expansion"

        scores.expand()
        await pilot.pause()
        assert len(scores.children) == 201
        assert str(scores.children[0].label) == "[0]: 0"
        assert str(scores.children[-1].label) == "… 250 more (enter to show)"

        tree.select_node(scores.children[-1])
        await pilot.pause()
        assert len(scores.children) == 401
        assert str(scores.children[200].label) == "[200]: 200"

        nested.expand()
        await pilot.pause()
        assert [str(node.label) for node in nested.children] == ["deep  dict, 1 key"]


async def test_a_joiner_input_shows_one_table_per_sender() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 40)) as pilot:
        inputs = {"documents": [documents(2), []]}
        app.query_one(Inspector).show("joiner", 1, record({"documents": []}, inputs=inputs), "finished")
        await pilot.pause()
        lists = app.query_one("#inputs .document-lists")
        titles = [str(c.title) for c in lists.query(Collapsible).results(Collapsible)]
        assert titles == ["[0]  2 documents", "[1]  list, 0 items"]
        assert lists.query_one(DataTable).row_count == 2


async def test_a_running_visit_shows_its_inputs_and_running() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        inspector.show("retriever", 2, record(None), "running")
        await pilot.pause()
        assert "running..." in str(inspector.query_one("#inspector-title", Static).content)
        assert text_of(inspector.query_one("#outputs .note", Static)) == "running..."
        assert inspector.query_one("#inputs StringView", StringView).text == "Babylon?"

        inspector.show("llm", None, None, "pending")
        await pilot.pause()
        assert text_of(inspector.query_one("#inputs .note", Static)) == "This component has not started."


async def test_a_failed_visit_shows_its_traceback_in_the_error_tab() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        tabs = inspector.query_one(TabbedContent)
        inspector.show("retriever", 2, record({"documents": []}), "finished")
        await pilot.pause()
        assert tabs.get_tab("error").display is False

        failed = record(
            None, error=RuntimeError("index missing"), traceback="Traceback ...\nRuntimeError: index missing"
        )
        inspector.show("retriever", 3, failed, "failed")
        await pilot.pause()
        assert tabs.active == "error"
        assert tabs.get_tab("error").display is not False
        traceback = inspector.query_one("#traceback", TextArea)
        assert traceback.read_only and traceback.text.endswith("RuntimeError: index missing")
        assert text_of(inspector.query_one("#error-summary", Static)) == "RuntimeError: index missing"
        assert "the visit failed" in text_of(inspector.query_one("#outputs .note", Static))

        inspector.show("retriever", 2, record({"documents": []}), "finished")
        await pilot.pause()
        assert tabs.active == "outputs"


async def test_a_watched_visit_that_fails_brings_its_error_to_the_front() -> None:
    """The visit shown while it ran fails: its Error tab comes to the front (it failed behind the Outputs tab)."""
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        tabs = inspector.query_one(TabbedContent)
        inspector.show("retriever", 2, record(None), "running")
        await pilot.pause()
        assert tabs.active == "outputs"
        failed = record(None, error=ValueError("cannot take 1"), traceback="Traceback ...\nValueError: cannot take 1")
        inspector.show("retriever", 2, failed, "failed")
        await pilot.pause()
        assert tabs.active == "error"
        tabs.active = "inputs"  # the user looks elsewhere: later redraws of the same failure leave the tab alone
        inspector.show("retriever", 2, failed, "failed")
        await pilot.pause()
        assert tabs.active == "inputs"


async def test_the_error_line_of_a_long_traceback_stays_in_view() -> None:
    """A deep traceback (long paths wrap) pushes its last line out of the pane: the exception's line is shown above
    it as well, on screen whatever the traceback's length."""
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        frames = "".join(
            f'  File "/a/very/long/checkout/path/module_{i}.py", line {i}, in f{i}\n    f{i + 1}()\n' for i in range(40)
        )
        failed = record(
            None, error=ValueError("cannot take 1"), traceback=f"Traceback ...\n{frames}ValueError: cannot take 1"
        )
        inspector.show("retriever", 3, failed, "failed")
        await pilot.pause()
        summary = inspector.query_one("#error-summary", Static)
        assert text_of(summary) == "ValueError: cannot take 1"
        assert summary.region.height == 1 and inspector.region.contains_region(summary.region)


async def test_showing_the_same_visit_again_keeps_the_widgets() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        same = record({"documents": documents(3)})
        inspector.show("retriever", 2, same, "finished")
        await pilot.pause()
        table = inspector.query_one(DataTable)
        table.move_cursor(row=2)
        for _ in range(3):  # the screen calls on every poll
            inspector.show("retriever", 2, same, "finished")
            await asyncio.sleep(0)
        await pilot.pause()
        assert inspector.query_one(DataTable) is table
        assert table.cursor_row == 2

        same.outputs = {"documents": documents(1)}  # the session replaced them (an edit at a breakpoint)
        same.original_outputs = {"documents": documents(3)}
        inspector.show("retriever", 2, same, "paused")
        await pilot.pause()
        assert inspector.query_one(DataTable).row_count == 1
        assert "outputs edited at a breakpoint" in str(inspector.query_one("#inspector-title", Static).content)


def test_messages_show_reasoning_tool_calls_and_results() -> None:
    call = ToolCall(tool_name="search", arguments={"q": "Rhodes"}, id="c1")
    assert message_text(ChatMessage.from_assistant("On it.", tool_calls=[call], reasoning="Need facts.")).plain == (
        'assistant\nreasoning: Need facts.\nOn it.\ntool call search({"q": "Rhodes"}) id=c1'
    )
    assert message_text(ChatMessage.from_tool("Rhodes is an island.", origin=call)).plain == (
        "tool\ntool result for search: Rhodes is an island."
    )
    assert (
        message_text(ChatMessage.from_tool("boom", origin=call, error=True)).plain
        == "tool\ntool error for search: boom"
    )
    assert message_text(ChatMessage.from_assistant()).plain == "assistant\n(no text)"


def test_answer_text_of_generated_and_extracted_answers() -> None:
    cited = documents(2)
    reply = ChatMessage.from_assistant("Tiered gardens [1].")
    generated = GeneratedAnswer("Tiered gardens [1].", "Babylon?", cited, {"all_messages": [reply], "model": "m"})
    assert str(answer_text(generated)) == (
        "generated answer  2 documents\nTiered gardens [1].\nquery Babylon?\n"
        'meta {"all_messages": "1 message", "model": "m"}'
    )
    context = "were a series of tiered gardens in Babylon"
    start = context.index("tiered")
    extracted = ExtractedAnswer(
        query="Babylon?",
        score=0.5,
        data="tiered gardens",
        document=cited[0],
        context=context,
        document_offset=ExtractedAnswer.Span(40, 54),
        context_offset=ExtractedAnswer.Span(start, start + 14),
    )
    text = answer_text(extracted)
    assert str(text) == (
        "extracted answer  score 0.5000\ntiered gardens\nquery Babylon?\n"
        f'document {cited[0].id[:8]}  score 1.0000  at 40-54  {{"title": "Babylon 0", "page": 0}}\n'
        f"context {context}"
    )
    stressed = [span for span in text.spans if str(span.style) == "bold reverse"]
    assert [str(text)[span.start : span.end] for span in stressed] == ["tiered gardens"]
    # no answer found: a reader's "no answer" with its score, no document, no context
    assert (
        str(answer_text(ExtractedAnswer(query="q", score=0.1)))
        == "extracted answer  score 0.1000\n(no answer)\nquery q"
    )
    # an offset outside the context stresses nothing rather than failing
    odd = ExtractedAnswer(query="q", score=0.1, data="x", context="short", context_offset=ExtractedAnswer.Span(3, 99))
    assert not [span for span in answer_text(odd).spans if str(span.style) == "bold reverse"]
    assert summarize(generated) == "1 answer" and summarize([generated, extracted]) == "2 answers"


async def test_answers_show_their_text_and_a_generated_answers_documents_as_a_table() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 40)) as pilot:
        inspector = app.query_one(Inspector)
        cited = documents(3)
        generated = GeneratedAnswer("Tiered gardens.", "Babylon?", cited, {})
        extracted = ExtractedAnswer(query="Babylon?", score=0.25, data="gardens", document=cited[1])
        inspector.show("answers", 1, record({"answers": [generated, extracted], "one": generated}), "finished")
        await pilot.pause()
        views = list(inspector.query("#outputs AnswersView").results(AnswersView))
        assert len(views) == 2  # a list of answers and a single one both get the answers view
        titles = [str(c.title) for c in inspector.query("#outputs Collapsible").results(Collapsible)]
        assert titles[:2] == ["answers  2 answers", "one  1 answer"]
        texts = [text_of(static) for static in views[0].query(".answer").results(Static)]
        assert texts[0].startswith("generated answer  3 documents\nTiered gardens.")
        assert texts[1].startswith("extracted answer  score 0.2500\ngardens")
        table = views[0].query_one(DataTable)
        assert table.row_count == 3
        assert str(table.get_row_at(1)[2]) == cited[1].id[:8]  # the referenced documents' ids and scores
        assert str(table.get_row_at(1)[1]) == "0.5000"


async def test_a_long_list_of_answers_is_cut_with_a_count() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        answers = [ExtractedAnswer(query="q", score=i / 1000, data=f"a{i}") for i in range(ANSWERS_SHOWN + 5)]
        app.query_one(Inspector).show("reader", 1, record({"answers": answers}), "finished")
        await pilot.pause()
        view = app.query_one(AnswersView)
        assert len(view.query(".answer")) == ANSWERS_SHOWN
        assert text_of(view.query_one(".note", Static)) == "… 5 more answers not shown"


async def test_a_skipped_component_says_why_it_has_no_inputs_or_outputs() -> None:
    app = InspectorApp()
    async with app.run_test(size=(100, 30)) as pilot:
        inspector = app.query_one(Inspector)
        inspector.show("fallback", None, None, "skipped")
        await pilot.pause()
        assert str(inspector.query_one("#inspector-title", Static).content) == "fallback  skipped"
        notes = [text_of(note) for note in inspector.query(".sockets .note").results(Static)]
        assert notes == [SKIPPED, SKIPPED]
