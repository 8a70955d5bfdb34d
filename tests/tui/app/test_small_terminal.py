"""The real `pipedebug` in tmux at a terminal's sizes: too small, then 80x24 with its panes as tabs; app keys
from inside an input field; a key remapped by `--config`; ctrl+q from anywhere."""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tui.app.conftest import waiting_yaml
from tests.tui.app.test_terminal import WAITERS, Tmux


@pytest.fixture
def terminal() -> Iterator[Tmux]:
    found = shutil.which("tmux")
    assert found, "tmux is required for this test: apt-get install -y tmux (.ci/run installs it)"
    session = Tmux(found)
    yield session
    session("kill-server")


def test_pipedebug_too_small_then_at_80x24_with_a_config(terminal: Tmux, tmp_path: Path, runs_dir: Path) -> None:
    tmux = terminal
    command = Path(sys.executable).with_name("pipedebug")
    pipeline = waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 0.05))
    config = tmp_path / "config.toml"
    config.write_text('[keys]\ncompare = "ctrl+t"\n')
    shell = (
        f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES XDG_CONFIG_HOME={shlex.quote(str(tmp_path))} "
        f"PIPEDEBUG_RUNS_DIR={shlex.quote(str(runs_dir))} HF_HUB_OFFLINE=1 {shlex.quote(str(command))} "
        f"--config {shlex.quote(str(config))} {shlex.quote(str(pipeline))}; "
        f"echo exit=$? > {shlex.quote(str(tmp_path / 'exit'))}"
    )
    started = tmux("new-session", "-d", "-s", "app", "-x", "50", "-y", "14", shell)
    assert started.returncode == 0, started.stderr

    tmux.wait_for("Terminal too small: 50x14, need at least 60x16", "the too-small message")
    tmux("resize-window", "-t", "app", "-x", "80", "-y", "24")
    screen = tmux.wait_for("ready", "the app at 80x24")
    assert "g Graph · Breakpoints" in screen and "i Inputs · Inspector" in screen  # the panes' tabs
    assert "too small" not in screen and all(name in screen for name in WAITERS)

    tmux("send-keys", "-t", "app", "i")
    tmux.wait_for("user_msg", "the inputs shown")
    tmux("send-keys", "-t", "app", "C-t")  # remapped from ctrl+k, pressed in a field
    tmux.wait_for("Sequential", "the comparison screen")
    tmux("send-keys", "-t", "app", "C-q")
    tmux.wait_for(None, "pipedebug to quit", until_exit=True)
    assert (tmp_path / "exit").read_text().strip() == "exit=0"
