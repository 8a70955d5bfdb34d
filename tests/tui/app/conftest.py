"""Pipelines and helpers for driving the debugger app with Pilot: small waits, so every test runs in seconds."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from textual.pilot import Pilot

from tui.app import PipedebugApp

TOY = "tests.pipeline.toy_components"


def waiting_yaml(directory: Path, waits: dict[str, float], name: str = "waiting.yaml") -> Path:
    """The waiting sample (`wait_1 -> wait_2`, `wait_3 -> wait_4`, `wait_5`) with the given waits in seconds."""
    sample = yaml.safe_load((Path(__file__).parents[3] / "sample_pipelines" / "waiting.yaml").read_text())
    for component, seconds in waits.items():
        sample["components"][component]["init_parameters"]["wait_time"] = seconds
    path = directory / name
    path.write_text(yaml.safe_dump(sample, sort_keys=False))
    return path


def failing_yaml(directory: Path) -> Path:
    """`add -> fail` next to a slower `slow` branch: the failure ends the run while `slow` is in flight."""
    definition = {
        "metadata": {"example_inputs": [{"value": 1}]},
        "components": {
            "add": {"type": f"{TOY}.AddOne"},
            "fail": {"type": f"{TOY}.Fail"},
            "slow": {"type": f"{TOY}.BlockingSleep", "init_parameters": {"seconds": 0.05}},
        },
        "connections": [{"sender": "add.value", "receiver": "fail.value"}],
    }
    path = directory / "failing.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


async def wait_for(pilot: Pilot, condition: Callable[[], object], what: str, timeout: float = 15.0) -> None:
    """Let the app run until `condition()` holds; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.02)


async def wait_loaded(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, PipedebugApp)
    await wait_for(pilot, lambda: app.debugger.loaded is not None and app.warm_up_seconds is not None, "loading")
    await pilot.pause()


def screen_text(app: PipedebugApp) -> str:
    """The whole screen as plain text, as a terminal would show it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.fixture
def small_waits(tmp_path: Path) -> Path:
    return waiting_yaml(tmp_path, {"wait_1": 0.02, "wait_2": 0.04, "wait_3": 0.06, "wait_4": 0.08, "wait_5": 0.1})
