"""The export modal: each format written in a worker, byte for byte what `pipedebug export` writes; errors stay
in the modal, naming the file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton, Static

from pipeline import AsyncPipeline
from pipeline.core.events import RunEvent
from pipeline.runs.recording import RecordedRun, read_run
from pipeline.runs.store import RunStore
from tests.tui.app.conftest import wait_for, waiting_yaml
from tui.cli import main
from tui.screens.export import ExportScreen

SIZE = (120, 40)
UNSET = object()


class ExportApp(App[None]):
    def __init__(self, events: Sequence[RunEvent], directory: Path, pipeline: str | None = None) -> None:
        super().__init__()
        self.events, self.directory, self.pipeline = events, directory, pipeline
        self.result: object = UNSET

    def on_mount(self) -> None:
        screen = ExportScreen(self.events, name="waiting run", directory=self.directory, pipeline=self.pipeline)
        self.push_screen(screen, self.done)

    def done(self, path: Path | None) -> None:
        self.result = path


@pytest.fixture
async def recorded(tmp_path: Path) -> RecordedRun:
    """A recorded run of the waiting sample, its definition in the header."""
    pipe = AsyncPipeline.load(waiting_yaml(tmp_path, {f"wait_{n}": 0.001 for n in range(1, 6)}))
    data = {"user_msg": "Hello"}
    async with RunStore(tmp_path / "runs").record(pipe.events(data), pipeline_name="waiting", pipeline=pipe) as run:
        async for _ in run:
            pass
    return read_run(run.path)


def path_input(app: App[None]) -> Input:
    return app.screen.query_one("#export-path", Input)


def status(app: App[None]) -> str:
    return str(app.screen.query_one("#export-status", Static).content)


async def export(pilot: Pilot[None], *, click: bool = False) -> None:
    """Export (ctrl+s, or a click on the button) and wait for the modal to close or to show why it did not.

    A button ignores clicks for 0.2 s after the last one, so tests that export again use the key.
    """
    app = pilot.app
    screen = app.screen
    await (pilot.click("#export-ok") if click else pilot.press("ctrl+s"))
    await pilot.pause()  # the press handled: writing, or an error already shown
    await wait_for(pilot, lambda: app.screen is not screen or not screen.writing, "the export")


@pytest.mark.parametrize(("fmt", "suffix"), [("chrome", ".trace.json"), ("otlp", ".otlp.json"), ("mermaid", ".mmd")])
async def test_each_format_writes_what_the_command_line_writes(
    recorded: RecordedRun, tmp_path: Path, fmt: str, suffix: str
) -> None:
    app = ExportApp(recorded.events, tmp_path, recorded.header.pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click(f"#format-{fmt}")
        target = tmp_path / f"waiting run{suffix}"
        assert path_input(app).value == str(target)  # the name follows the format

        await export(pilot, click=True)

        assert app.result == target and not isinstance(app.screen, ExportScreen)
    text = target.read_text(encoding="utf-8")
    if fmt == "mermaid":
        assert text.startswith("flowchart") and "wait_4" in text and " ms" in text
    else:
        data = json.loads(text)
        assert ("traceEvents" if fmt == "chrome" else "resourceSpans") in data
    # The CLI names a run's trace process "<pipeline> <run id prefix>"; so did this export.
    if fmt == "chrome":
        text = text.replace("waiting run", f"waiting {recorded.run_id[:8]}")
    assert main(["export", str(recorded.path), "--format", fmt, "-o", str(tmp_path / "cli")]) == 0
    assert text == (tmp_path / "cli").read_text(encoding="utf-8")


async def test_a_path_that_cannot_be_written_shows_why_and_keeps_the_modal(
    recorded: RecordedRun, tmp_path: Path
) -> None:
    app = ExportApp(recorded.events, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        missing = tmp_path / "no-such-folder" / "trace.json"
        path_input(app).value = str(missing)

        await export(pilot)

        assert isinstance(app.screen, ExportScreen) and app.result is UNSET
        assert status(app) == f"{missing}: cannot write the export: No such file or directory"
        assert app.screen.query_one("#export-status").has_class("-error")

        path_input(app).value = str(tmp_path)  # a folder
        await export(pilot)
        assert status(app) == f"{tmp_path}: cannot write the export: Is a directory"

        path_input(app).value = str(tmp_path / "fine.json")
        path_input(app).focus()
        await pilot.press("enter")  # Enter in the path exports too
        await wait_for(pilot, lambda: app.result is not UNSET, "the export")
        assert app.result == tmp_path / "fine.json" and (tmp_path / "fine.json").is_file()


async def test_an_edited_path_is_kept_when_the_format_changes(recorded: RecordedRun, tmp_path: Path) -> None:
    app = ExportApp(recorded.events, tmp_path, recorded.header.pipeline)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click("#format-otlp")
        assert path_input(app).value == str(tmp_path / "waiting run.otlp.json")
        path_input(app).value = "mine.json"
        await pilot.click("#format-mermaid")
        assert path_input(app).value == "mine.json"


async def test_mermaid_needs_the_pipeline_definition(recorded: RecordedRun, tmp_path: Path) -> None:
    app = ExportApp(recorded.events, tmp_path, pipeline=None)
    async with app.run_test(size=SIZE) as pilot:
        mermaid = app.screen.query_one("#format-mermaid", RadioButton)
        assert mermaid.disabled and "no pipeline definition" in str(mermaid.label)
        await pilot.click("#format-mermaid")
        assert not mermaid.value and path_input(app).value.endswith(".trace.json")


async def test_nothing_to_export_and_escape(tmp_path: Path) -> None:
    app = ExportApp([], tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await export(pilot)
        assert status(app) == "Nothing to export: the run has no events yet."
        assert not list(tmp_path.iterdir())
        await pilot.press("escape")
        assert app.result is None and not isinstance(app.screen, ExportScreen)
