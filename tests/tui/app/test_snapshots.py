"""Screenshots of the debugger's main states, compared with the accepted SVGs in `__snapshots__`.

The app runs with `clock=None` (no durations, a still spinner) and records nothing, and each screenshot waits
for a state that no longer changes by itself, so the pictures are the same on every machine and every run.
Update them after a deliberate change with `pytest tests/tui/app/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from tests.tui.app.conftest import TOY, failing_yaml, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.widgets.graph import GraphView

SIZE = (120, 40)


def diamond_yaml(directory: Path) -> Path:
    """`source` feeds a slow branch and a quick one, summed by `total`; no component prints."""
    definition = {
        "metadata": {"example_inputs": [{"value": 1}]},
        "components": {
            "source": {"type": f"{TOY}.AddOne"},
            "slow": {"type": f"{TOY}.BlockingSleep", "init_parameters": {"seconds": 0.1}},
            "double": {"type": f"{TOY}.Double"},
            "total": {"type": f"{TOY}.Sum"},
        },
        "connections": [
            {"sender": "source.value", "receiver": "slow.value"},
            {"sender": "source.value", "receiver": "double.value"},
            {"sender": "slow.value", "receiver": "total.values"},
            {"sender": "double.value", "receiver": "total.values"},
        ],
    }
    path = directory / "diamond.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def app_for(path: Path) -> PipedebugApp:
    return PipedebugApp(path, allowed_modules=[TOY], record=False, clock=None)


async def settle(pilot: Pilot) -> None:
    """No toasts, and the latest state drawn."""
    pilot.app.clear_notifications()
    await pilot.pause(0.2)


def test_loaded_and_idle(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await settle(pilot)

    assert snap_compare(app_for(diamond_yaml(tmp_path)), terminal_size=SIZE, run_before=run_before)


def test_paused_at_a_breakpoint_with_a_queued_completion(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = app_for(diamond_yaml(tmp_path))

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        app.debugger.breakpoints.add("double")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.session and app.debugger.session.queued == ["slow"], "the queue")
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).queued == {"slow"}, "the queue drawn")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_failed_run(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = app_for(failing_yaml(tmp_path))

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "failed", "the failure")
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).selected == "fail", "the failed component")
        # The traceback holds absolute paths, which differ between checkouts: show the visit's inputs instead.
        app.debugger.query_one("#inspector").query_one(TabbedContent).active = "inputs"
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
