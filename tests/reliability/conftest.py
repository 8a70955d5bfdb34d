"""Helpers for the reliability suite: hostile pipelines as YAML, the `pipedebug` command as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reliability import components

ROOT = Path(__file__).parents[2]
HOSTILE_MODULE = "tests.reliability.components"
CONTROL_BYTES = ("\x1b", "\x07", "\x9b")
"""What must never reach a terminal raw from a run's strings: ESC, BEL and the C1 CSI."""


def pipeline_yaml(
    directory: Path, components_: dict[str, str], connections: list[tuple[str, str]], **extra: Any
) -> Path:
    """A YAML pipeline of `name -> class name in tests.reliability.components`, connected as given."""
    definition: dict[str, Any] = {
        "metadata": extra.pop("metadata", {}),
        "components": {
            name: {"type": f"{HOSTILE_MODULE}.{kind}", "init_parameters": extra.get(name, {})}
            for name, kind in components_.items()
        },
        "connections": [{"sender": sender, "receiver": receiver} for sender, receiver in connections],
    }
    path = directory / "pipeline.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def pipedebug(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path = ROOT, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    """Run the real command (`python -m tui.cli`) with the reliability components importable."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=command_env(env),
        cwd=cwd,
        **kwargs,
    )


def command_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "HF_HUB_OFFLINE": "1"}
    return {**env, **(extra or {})}


@pytest.fixture
def release_hung() -> Iterator[None]:
    """Let any HangSync still blocking a thread return once the test is over."""
    components.RELEASE.clear()
    yield
    components.RELEASE.set()
