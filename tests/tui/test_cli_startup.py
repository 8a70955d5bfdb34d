"""What `pipedebug` imports to start: only the module of the command that runs, and no model library or Textual
for a headless command on a pipeline without embeddings (see benchmarks/startup.py for the times)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import COMMANDS, OPEN_HELP, build_parser, main

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "datasets", "transformers", "textual")
PROBE = """
import contextlib, io, json, sys
from tui.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(*args: str) -> set[str]:
    """The modules a fresh process has imported once `pipedebug ARGS` returned (which must succeed)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return set(report["modules"])


def imported(modules: set[str], package: str) -> bool:
    return any(name == package or name.startswith(package + ".") for name in modules)


def command_parsers(parser: argparse.ArgumentParser) -> tuple[argparse._SubParsersAction, dict[str, str | None]]:
    (subparsers,) = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return subparsers, {action.dest: action.help for action in subparsers._choices_actions}


def test_a_headless_run_without_embeddings_imports_no_model_library_no_textual_and_no_other_command() -> None:
    modules = modules_after("run", str(REPO / "sample_pipelines" / "routing.yaml"))
    assert "tui.commands.run" in modules and "pipeline.core.pipeline" in modules  # it did run the pipeline
    assert [name for name in HEAVY if imported(modules, name)] == []
    others = [f"tui.commands.{name}" for name in COMMANDS if name != "run"]
    assert [name for name in others if name in modules] == []
    assert not imported(modules, "google.protobuf")  # the OTLP receiver's, imported by `listen` and `traces`


def test_the_app_opening_a_pipeline_without_embeddings_imports_no_model_library() -> None:
    """What the debugger imports and runs to load the routing sample (its warm-ups included), in a fresh process."""
    code = (
        "import json, sys\n"
        "import tui.app\n"
        "from tui.loading import open_pipeline\n"
        "loaded = open_pipeline(sys.argv[1])\n"
        "loaded.pipe.warm_up()\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(REPO / "sample_pipelines" / "routing.yaml")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 0, result.stderr
    modules = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert imported(modules, "textual")  # the app's own
    assert [name for name in HEAVY if name != "textual" and imported(modules, name)] == []


def test_help_imports_no_command_module_nor_the_engine() -> None:
    modules = modules_after("--help")
    assert [name for name in modules if name.startswith("tui.commands.")] == []
    assert not imported(modules, "pipeline") and not imported(modules, "textual")
    assert "importlib.metadata" not in modules  # read only for --version


def test_version_is_the_installed_one(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib import metadata

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"pipedebug {metadata.version('pipedebug')}\n"


@pytest.mark.parametrize("command", ["open", *COMMANDS])
def test_each_command_is_listed_with_the_help_line_its_module_registers(command: str) -> None:
    """`pipedebug --help` lists every command from cli's table; the command's own parser (built only when it
    runs) must say the same, and be the real one, with its options."""
    listed = command_parsers(build_parser())[1]
    assert list(listed) == ["open", *COMMANDS]
    subparsers, registered = command_parsers(build_parser(command))
    assert registered[command] == listed[command] == (OPEN_HELP if command == "open" else COMMANDS[command][1])
    own = subparsers.choices[command]
    assert len(own._actions) > 1  # more than --help: the module's register() built it
