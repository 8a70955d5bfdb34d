"""`pipedebug` with no sub-command opens the app; sub-commands stay headless."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tui import cli
from tui.app import PipedebugApp


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[PipedebugApp]:
    """The apps `main` would have run."""
    apps: list[PipedebugApp] = []
    monkeypatch.setattr(PipedebugApp, "run", lambda self, *args, **kwargs: apps.append(self))
    return apps


def in_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal on stdin and stdout; set in the test itself, as pytest resets `sys.stdout` after fixtures."""
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("sys.stdout", Terminal())


def test_bare_pipedebug_opens_the_hybrid_sample(opened: list[PipedebugApp], monkeypatch: pytest.MonkeyPatch) -> None:
    in_terminal(monkeypatch)
    assert cli.main([]) == 0
    (app,) = opened
    assert app.pipeline_path is None  # the app opens sample_pipelines/hybrid_rag
    assert app.record


def test_a_path_opens_that_pipeline_with_its_options(
    opened: list[PipedebugApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_terminal(monkeypatch)
    path = tmp_path / "mine.yaml"
    assert cli.main([str(path), "--allow-module", "my_components", "--no-record", "--concurrency", "2"]) == 0
    assert cli.main(["--allow-module", "other", str(path), "--runs-dir", str(tmp_path)]) == 0
    first, second = opened
    assert (first.pipeline_path, first.allowed_modules, first.record) == (path, ("my_components",), False)
    assert first.concurrency == 2
    assert (second.pipeline_path, second.allowed_modules, second.runs_dir) == (path, ("other",), str(tmp_path))


def test_sub_commands_stay_headless(opened: list[PipedebugApp], monkeypatch: pytest.MonkeyPatch) -> None:
    in_terminal(monkeypatch)
    assert cli.main(["runs"]) == 0
    assert not opened
    assert cli.main(["--version"]) == 0
    assert not opened


def test_without_a_terminal_it_says_so_instead_of_waiting(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "needs a terminal" in capsys.readouterr().err
