"""Breakpoint conditions written by an attacker: imports, dunders, huge powers, huge strings and lists, endless
loops. Each is refused with a clear message naming the column, in bounded time and memory.

Each hostile evaluation runs in a child process limited to 1 GB of address space and a timeout, so a regression
fails its test instead of taking the test run (or the machine) down with it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import ROOT
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.screens.condition import ConditionScreen
from tui.state.conditions import Condition, ConditionSyntaxError
from tui.widgets.graph import GraphView

MEMORY_LIMIT = 2**30


def evaluate_in_child(text: str) -> dict[str, object]:
    """Compile and evaluate `text` on 100k documents in a child process with 1 GB of memory and 20 s."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    result = subprocess.run(
        [sys.executable, "-m", "tests.reliability.conditions_child", text],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=ROOT,
        preexec_fn=limit,
    )
    assert result.returncode == 0, f"the child died ({result.returncode}): {result.stderr[-2000:]}"
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "'__import__' is not an allowed function"),
        ("import os", "import statements are not allowed"),
        ("documents[0].__class__.__mro__", "attribute '__mro__' is not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "names starting with '_' are private"),
        ("documents[0].to_dict()", "'.to_dict()' is not an allowed method"),
        ("getattr(documents[0], 'id')", "'getattr' is not an allowed function"),
        ("[d for d in documents]", "list comprehensions are not allowed"),
        ("(lambda: 1)()", "only named functions and methods can be called"),
        ("any(lambda: 1 for d in documents)", "lambda expressions are not allowed"),
        ("(x := 1)", "assignment expressions (:=) are not allowed"),
        ("eval('1')", "'eval' is not an allowed function"),
    ],
)
def test_code_execution_is_refused_when_the_condition_is_typed(text: str, message: str) -> None:
    with pytest.raises(ConditionSyntaxError) as info:
        Condition.compile(text)
    assert message in str(info.value)
    assert "column" in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10 ** 10 ** 10", "conditions allow at most 10,000"),
        ("2 ** 10 ** 9 > 0", "conditions allow at most 10,000"),
        ("'a' * 10 ** 10", "conditions build at most 1,000,000"),
        ("[0] * 10 ** 10", "conditions build at most 1,000,000"),
        ("str(['a' * 10 ** 6] * 10 ** 6)", "conditions allow at most 1,000,000"),
        ("len(f\"{['a' * 10 ** 6] * 10 ** 6}\")", "conditions allow at most 1,000,000"),
        ("sorted(['a' * 10 ** 6] * 40_000)", "conditions allow at most 1,000,000"),
        ("max([['a' * 1000] * 1000] * 1000)", "conditions allow at most 1,000,000"),
        ("any(any(True for b in documents) and False for a in documents)", "took more than 50,000 steps"),
        ("sum(1 for a in documents for b in documents)", "took more than 50,000 steps"),
        ("all(all(c for c in d.content) for d in documents)", "took more than 50,000 steps"),
    ],
)
def test_huge_values_and_endless_loops_are_refused_in_bounded_time_and_memory(text: str, message: str) -> None:
    outcome = evaluate_in_child(text)
    assert outcome["error"] is not None and message in outcome["error"], outcome
    assert "column" in outcome["error"]
    assert outcome["seconds"] < 1.0, outcome


def test_a_heavy_but_legal_condition_still_evaluates() -> None:
    outcome = evaluate_in_child("len(str(documents)) > 0 and [0] * 10 ** 6 == [0] * 10 ** 6")
    assert outcome["error"] is None and outcome["holds"] is True, outcome


async def test_a_hostile_condition_typed_in_the_app_is_refused_and_a_runtime_bomb_becomes_a_condition_error(
    tmp_path: Path,
) -> None:
    from tests.reliability.conftest import HOSTILE_MODULE, pipeline_yaml

    path = pipeline_yaml(
        tmp_path,
        {"src": "Source", "after": "Source"},
        [("src.value", "after.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
    )
    app = PipedebugApp(path, allowed_modules=[HOSTILE_MODULE], record=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_loaded(pilot)
        app.debugger.query_one(GraphView).select("src")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConditionScreen), "the condition dialog")
        await pilot.press(*"__import__('os')", "enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ConditionScreen)  # refused: the dialog stays, saying why
        assert "'__import__' is not an allowed function" in screen_text(app)
        await pilot.press("ctrl+a", "ctrl+k", *"len(sorted([str(value) * 10 ** 5] * 10 ** 4)) == 0", "enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConditionScreen), "the condition accepted")
        started = time.perf_counter()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status in ("finished", "paused", "failed"), "the run to end")
        assert time.perf_counter() - started < 5
        breakpoint_ = app.debugger.breakpoints.get("src")
        assert breakpoint_ is not None and breakpoint_.last_error is not None
        assert "conditions allow at most 1,000,000" in breakpoint_.last_error
