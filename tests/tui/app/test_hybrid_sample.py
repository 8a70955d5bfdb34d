"""The default sample, as bare `pipedebug` opens it: the seed's hybrid RAG, offline, with its real model."""

from __future__ import annotations

import json

from textual.widgets import DataTable, TextArea

from tests.tui.app.conftest import screen_text, wait_for
from tui.app import PipedebugApp
from tui.screens.edit_sockets import EditSocketsScreen
from tui.widgets.graph import GraphView
from tui.widgets.inspector import Inspector

LOADING = 180.0
"""Seconds to import torch, load the model and embed the corpus on a slow machine with an empty cache."""


async def test_hybrid_sample_break_on_joiner_inspect_edit_step_continue() -> None:
    app = PipedebugApp(record=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.debugger.loaded is not None, "the pipeline", LOADING)
        if app.warm_up_seconds is None:  # the model and the corpus load behind a progress bar
            assert app.debugger.query_one("#progress").display
        graph = app.debugger.query_one(GraphView)
        graph.select("joiner")
        await pilot.pause()
        await pilot.press("b")
        await wait_for(pilot, lambda: app.warm_up_seconds is not None, "the warm-up", LOADING)
        assert not app.debugger.query_one("#progress").display

        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the breakpoint on joiner", 60)
        assert session.pause_reason is not None and session.pause_reason.component == "joiner"
        inspector = app.debugger.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.query(DataTable), "the documents table")
        table = inspector.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count > 0, "rows in the documents table")
        joined = session.visit(session.editable_visit)
        assert joined is not None and table.row_count == len(joined.outputs["documents"]) > 2
        assert "paused at joiner (breakpoint)" in screen_text(app)

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the edit modal")
        editor = app.screen.query_one(TextArea)
        editor.text = json.dumps(json.loads(editor.text)[:2])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditSocketsScreen), "the modal to close")
        assert len(joined.outputs["documents"]) == 2

        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: session.pause_reason is not None and session.pause_reason.component == "prompt_builder",
            "a step to prompt_builder",
            60,
        )
        (built,) = session.summary.spans_of("prompt_builder")
        received = session.visit(built.visit_id)
        assert received is not None and len(received.inputs["documents"]) == 2
        await wait_for(pilot, lambda: graph.selected == "prompt_builder", "the selection to follow")

        await pilot.press("space")
        await wait_for(pilot, lambda: session.status == "finished", "the answer", 60)
        replies = session.summary.outputs["llm"]["replies"]
        assert replies and replies[0].text
