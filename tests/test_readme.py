"""The README's tour must stay true: its first example runs and prints what the comment says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_first_example_prints_what_it_promises(capsys: pytest.CaptureFixture[str]) -> None:
    block = python_blocks()[0]
    promised = re.search(r"print\(pipe\.run\(.*\)\)\s+# (.*)", block)
    assert promised is not None
    exec(compile(block, str(README), "exec"), {"__name__": "readme_example"})
    assert capsys.readouterr().out.strip() == promised.group(1).strip()


def test_first_lines_give_the_install_and_test_commands() -> None:
    head = README.read_text(encoding="utf-8").splitlines()[:10]
    commands = [line.strip() for line in head if line.startswith("    ")]
    assert commands[0].endswith("pip install -e . && pipedebug")
    assert commands[1].endswith("pip install -e '.[dev]' && pytest")
