"""Escape sequences in what a run produces are shown as text, never sent raw to the terminal."""

from __future__ import annotations

import json
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.widgets import RichLog

from tests.reliability.components import HOSTILE
from tests.reliability.conftest import CONTROL_BYTES, HOSTILE_MODULE, pipedebug, pipeline_yaml
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.escapes import visible, visible_line
from tui.screen_filter import ControlCodeFilter
from tui.widgets.graph import GraphView

SIZE = (140, 45)


def hostile_pipeline(directory: Path) -> Path:
    return pipeline_yaml(
        directory,
        {"src": "Source", "hostile": "Hostile", "boom": "HostileRaise"},
        [("src.value", "hostile.value"), ("src.value", "boom.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
    )


def raw_controls(text: str) -> list[str]:
    return [repr(code) for code in CONTROL_BYTES if code in text]


async def test_the_debugger_shows_escapes_in_outputs_logs_and_errors_as_text(tmp_path: Path) -> None:
    app = PipedebugApp(hostile_pipeline(tmp_path), allowed_modules=[HOSTILE_MODULE], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status in ("failed", "finished"), "the run to end")
        graph = app.debugger.query_one(GraphView)
        seen = []
        for name in ("hostile", "boom"):
            graph.select(name)
            await pilot.pause(0.2)
            seen.append(screen_text(app))
        await pilot.press("l")
        await wait_for(pilot, lambda: app.debugger.query_one(RichLog).lines, "the logs")
        await pilot.pause(0.2)
        seen.append(screen_text(app))
        logs = "\n".join("".join(s.text for s in strip) for strip in app.debugger.query_one(RichLog).lines)
        seen.append(logs)
        seen.append(app.export_screenshot())  # what a user saves as SVG
        whole = "\n".join(seen)
        assert not raw_controls(whole), raw_controls(whole)
        assert "\\x1b]52;c;cHduZWQ=" in whole  # shown, as text


def test_pipedebug_run_prints_escapes_as_text_in_prints_logs_outputs_tracebacks_and_the_error_line(
    tmp_path: Path,
) -> None:
    result = pipedebug("run", str(hostile_pipeline(tmp_path)), "--allow-module", HOSTILE_MODULE, "--record")
    assert result.returncode == 1, result.stderr
    assert not raw_controls(result.stdout), result.stdout
    assert not raw_controls(result.stderr), result.stderr
    assert "printed \\x1b]52;c;cHduZWQ=" in result.stdout
    assert "logged \\x1b]52;c;cHduZWQ=" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]
    assert result.stderr.splitlines()[-1].startswith("error: Component 'boom'")
    assert "RuntimeError: bad \\x1b]52;c;cHduZWQ=" in result.stderr.splitlines()[-1]

    replayed = pipedebug("replay", "latest", "--headless", "--fast")
    assert not raw_controls(replayed.stdout + replayed.stderr), replayed.stdout + replayed.stderr
    assert "\\x1b]52;c;cHduZWQ=" in replayed.stdout


def test_pipedebug_runs_lists_a_crafted_pipeline_name_as_text(tmp_path: Path, runs_dir: Path) -> None:
    header = {
        "format": "pipedebug-run",
        "version": 1,
        "run_id": "0123456789abcdef",
        "pipeline_name": f"name{HOSTILE}",
        "pipeline": None,
        "inputs": {},
        "versions": {},
        "wall_time": 0,
        "parent": None,
        "label": HOSTILE,
    }
    (runs_dir / "20260101-000000-000000_x_01234567.jsonl").write_text(json.dumps(header) + "\n")
    result = pipedebug("runs")
    assert result.returncode == 0, result.stderr
    assert not raw_controls(result.stdout + result.stderr), result.stdout
    assert "name\\x1b]52" in result.stdout


def test_visible_writes_every_control_character_as_its_escape_and_keeps_lines() -> None:
    assert visible("a\x1b[2Jb\x07c\x9bd\x00e\x7ff\u202eg\th\ni") == "a\\x1b[2Jb\\x07c\\x9bd\\x00e\\x7ff\\u202eg\th\ni"
    assert visible_line("a\nb\tc") == "a\\x0ab\\x09c"
    assert visible("Grüße, 東京 🙂") == "Grüße, 東京 🙂"


def test_the_screen_filter_removes_control_codes_and_keeps_widths() -> None:
    segments = [Segment("ok \x1b]52;c;x\x07 "), Segment("\x9b31m", Style(bold=True)), Segment("", None, [(1,)])]
    filtered = ControlCodeFilter().apply(segments, Color(0, 0, 0))
    assert [segment.text for segment in filtered] == ["ok ]52;c;x ", "31m", ""]
    assert filtered[1].style == Style(bold=True)
    assert sum(segment.cell_length for segment in filtered) == sum(segment.cell_length for segment in segments)
