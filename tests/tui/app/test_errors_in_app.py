"""Errors in the app: from anywhere, `E` goes to the run's first error with its traceback in front (wrapped,
focusable and selectable), and `y` copies the error and traceback to the clipboard."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TabbedContent, TextArea

from tests.tui.app.conftest import TOY, failing_yaml, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.widgets.graph import GraphView
from tui.widgets.inspector import Inspector

SIZE = (100, 32)


async def failed_run(pilot: object, app: PipedebugApp) -> None:
    await wait_loaded(pilot)  # type: ignore[arg-type]
    await pilot.press("r")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: app.debugger.status == "failed", "the run to fail")  # type: ignore[arg-type]


async def test_e_jumps_to_the_first_error_and_shows_its_whole_traceback(tmp_path: Path) -> None:
    app = PipedebugApp(failing_yaml(tmp_path), allowed_modules=[TOY], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await failed_run(pilot, app)
        graph = app.debugger.query_one(GraphView)
        await wait_for(pilot, lambda: graph.selected == "fail", "the failed component selected")
        graph.select("add")
        graph.focus()
        await wait_for(pilot, lambda: "add" in str(app.debugger.query_one("#inspector-title").render()), "add")

        await pilot.press("E")
        await wait_for(pilot, lambda: graph.selected == "fail", "the first error selected again")
        inspector = app.debugger.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.query_one(TabbedContent).active == "error", "the Error tab")
        traceback = inspector.query_one("#traceback", TextArea)
        await wait_for(pilot, lambda: app.focused is traceback, "the traceback focused, to select from")
        assert "RuntimeError: boom on 2" in traceback.text
        assert traceback.soft_wrap  # long lines wrap at the pane's edge instead of being cut
        widest = max(len(line) for line in traceback.text.splitlines())
        assert widest > traceback.content_size.width  # the file paths are wider than the pane here...
        assert traceback.wrapped_document.height > len(traceback.text.splitlines())  # ...and wrap onto more rows


async def test_y_copies_the_error_and_traceback(tmp_path: Path) -> None:
    app = PipedebugApp(failing_yaml(tmp_path), allowed_modules=[TOY], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await failed_run(pilot, app)
        graph = app.debugger.query_one(GraphView)
        graph.select("add")  # not the failed one: y copies the run's first error
        graph.focus()
        await pilot.pause()
        await pilot.press("y")
        await wait_for(pilot, lambda: bool(app.clipboard), "the clipboard")
        assert app.clipboard.startswith("fail (visit 1) failed:\nTraceback (most recent call last):")
        assert app.clipboard.rstrip().endswith("RuntimeError: boom on 2")
