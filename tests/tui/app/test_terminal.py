"""The real `pipedebug` command in a real terminal (tmux): it opens, runs on a key press, and quits cleanly.

tmux is a test requirement (`.ci/run` installs it), so a machine without it fails here rather than skipping:
this is the one test that sees what a user's terminal sees.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.app.conftest import waiting_yaml

WAITERS = ["wait_1", "wait_2", "wait_3", "wait_4", "wait_5"]
TIMEOUT = 60.0


class Tmux:
    """One detached tmux session on a private server socket, so a user's own tmux is never touched."""

    def __init__(self, tmux: str) -> None:
        self.tmux = tmux
        self.socket = f"pipedebug-test-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True, text=True, timeout=30)

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "app").stdout

    def wait_for(self, condition: str | None, what: str, *, until_exit: bool = False) -> str:
        """Poll the pane until it shows `condition` (or, `until_exit`, until the command ended)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if until_exit and self("has-session", "-t", "app").returncode != 0:
                return ""
            screen = self.screen()
            if condition is not None and condition in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the terminal shows:\n{self.screen()}")


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    found = shutil.which("tmux")
    assert found, "tmux is required for this test: apt-get install -y tmux (.ci/run installs it)"
    session = Tmux(found)
    yield session
    session("kill-server")


def test_pipedebug_opens_in_a_terminal_runs_the_waiting_sample_and_quits(
    tmux: Tmux, tmp_path: Path, runs_dir: Path
) -> None:
    command = Path(sys.executable).with_name("pipedebug")
    assert command.exists(), f"{command} is missing: pip install -e . installs the console script"
    pipeline = waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 0.2))
    shell = (
        f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES PIPEDEBUG_RUNS_DIR={shlex.quote(str(runs_dir))} "
        f"HF_HUB_OFFLINE=1 {shlex.quote(str(command))} {shlex.quote(str(pipeline))}; "
        f"echo exit=$? > {shlex.quote(str(tmp_path / 'exit'))}"
    )
    started = tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", shell)
    assert started.returncode == 0, started.stderr

    screen = tmux.wait_for("ready", "the app to open")
    assert "Graph · waiting" in screen
    assert all(name in screen for name in WAITERS)

    tmux("send-keys", "-t", "app", "r")
    screen = tmux.wait_for("finished in", "the run to finish")
    assert screen.count("✓") >= len(WAITERS)  # every box shows done
    assert "○ waiting" not in screen
    assert list(runs_dir.glob("*.jsonl")), "the run was recorded"

    tmux("send-keys", "-t", "app", "C-q")
    tmux.wait_for(None, "pipedebug to quit", until_exit=True)
    assert (tmp_path / "exit").read_text().strip() == "exit=0"
