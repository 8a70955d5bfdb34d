"""Breakpoints: set, toggle, conditions, enabling, hit counts, and saving them as plain dicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline import Document
from pipeline.core.events import ComponentFinished
from tui.config import dump_breakpoint_set, read_breakpoint_set
from tui.state.breakpoints import BreakpointHit, Breakpoints
from tui.state.conditions import ConditionSyntaxError


def finished(component: str, outputs: dict[str, Any], visit: int = 1, visit_id: int = 1) -> ComponentFinished:
    return ComponentFinished(
        run_id="run",
        time=1.0,
        visit_id=visit_id,
        component=component,
        visit=visit,
        outputs=outputs,
        started_at=0.5,
        finished_at=1.0,
        mode="sync",
        thread="t",
    )


def test_toggle_adds_then_removes() -> None:
    breakpoints = Breakpoints()
    added = breakpoints.toggle("retriever")
    assert added is not None and added.component == "retriever" and added.enabled and added.condition is None
    assert "retriever" in breakpoints and len(breakpoints) == 1
    assert breakpoints.toggle("retriever") is None
    assert "retriever" not in breakpoints and list(breakpoints) == []


def test_an_unconditional_breakpoint_hits_every_completion_of_its_component_only() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("a")
    assert breakpoints.check(finished("a", {"value": 1})) == BreakpointHit("a", 1, 1, None)
    assert breakpoints.check(finished("b", {"value": 1})) is None
    assert breakpoints.check(finished("a", {"value": 2}, visit=2, visit_id=3)) == BreakpointHit("a", 3, 2, None)
    breakpoint_ = breakpoints.get("a")
    assert breakpoint_ is not None and breakpoint_.hits == 2


def test_a_conditional_breakpoint_hits_only_when_the_condition_holds() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retriever", "len(documents) < 2")
    assert breakpoints.check(finished("retriever", {"documents": [1, 2, 3]})) is None
    hit = breakpoints.check(finished("retriever", {"documents": [1]}, visit=2, visit_id=4))
    assert hit == BreakpointHit("retriever", 4, 2, "len(documents) < 2", value=True)
    assert breakpoints.get("retriever").hits == 1  # type: ignore[union-attr]


def test_the_visit_number_is_a_name_in_conditions() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("loop", "visit >= 3")
    hits = [breakpoints.check(finished("loop", {}, visit=n, visit_id=n)) for n in (1, 2, 3, 4)]
    assert [hit is not None for hit in hits] == [False, False, True, True]


def test_a_condition_error_is_a_hit_that_carries_the_error() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retriever", "documents[0].score < 0.5")
    hit = breakpoints.check(finished("retriever", {"documents": []}))
    assert hit is not None and hit.value is None
    assert hit.error == "IndexError: list index out of range, at `documents[0]` (column 1)"
    breakpoint_ = breakpoints.get("retriever")
    assert breakpoint_ is not None and breakpoint_.hits == 1 and breakpoint_.last_error == hit.error
    assert breakpoints.check(finished("retriever", {"documents": [Document(score=0.9)]})) is None
    assert breakpoint_.last_error is None  # cleared by an evaluation that worked
    breakpoints.check(finished("retriever", {"documents": []}))
    breakpoints.set_condition("retriever", "len(documents) > 5")
    assert breakpoint_.last_error is None  # cleared by a new condition
    assert breakpoint_.hits == 2


def test_disabled_breakpoints_do_not_hit() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("a", enabled=False)
    assert breakpoints.check(finished("a", {})) is None
    breakpoints.set_enabled("a", True)
    assert breakpoints.check(finished("a", {})) is not None
    breakpoints.set_enabled("a", False)
    assert breakpoints.check(finished("a", {})) is None
    assert breakpoints.get("a").hits == 1  # type: ignore[union-attr]


def test_set_and_clear_a_condition() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("a")
    assert breakpoints.set_condition("a", "value > 1").condition_text == "value > 1"
    assert breakpoints.check(finished("a", {"value": 0})) is None
    assert breakpoints.set_condition("a", "  ").condition is None
    assert breakpoints.set_condition("a", None).condition is None
    assert breakpoints.check(finished("a", {"value": 0})) is not None


def test_a_bad_condition_is_refused_and_changes_nothing() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("a", "value > 1")
    version = breakpoints.version
    with pytest.raises(ConditionSyntaxError, match=r"'\.clear\(\)' is not an allowed method.*\(column 7\)"):
        breakpoints.set_condition("a", "value.clear()")
    with pytest.raises(ConditionSyntaxError):
        breakpoints.add("a", "import os")
    assert breakpoints.get("a").condition_text == "value > 1"  # type: ignore[union-attr]
    assert breakpoints.version == version


def test_changing_a_missing_breakpoint_says_so() -> None:
    with pytest.raises(KeyError, match="No breakpoint on 'ghost'"):
        Breakpoints().set_enabled("ghost", False)


def test_remove_clear_and_reset_hits() -> None:
    breakpoints = Breakpoints()
    for name in ("a", "b", "c"):
        breakpoints.add(name)
    breakpoints.check(finished("a", {}))
    breakpoints.remove("b")
    breakpoints.remove("b")  # removing twice is harmless
    assert [b.component for b in breakpoints] == ["a", "c"]
    breakpoints.reset_hits()
    assert breakpoints.get("a").hits == 0  # type: ignore[union-attr]
    breakpoints.clear()
    assert len(breakpoints) == 0


def test_every_change_and_every_hit_bumps_the_version() -> None:
    breakpoints = Breakpoints()
    versions = [breakpoints.version]
    breakpoints.add("a")
    versions.append(breakpoints.version)
    breakpoints.check(finished("a", {}))
    versions.append(breakpoints.version)
    breakpoints.set_enabled("a", False)
    versions.append(breakpoints.version)
    assert versions == sorted(set(versions))
    breakpoints.check(finished("a", {}))  # disabled: nothing changed
    assert breakpoints.version == versions[-1]


def test_round_trip_through_a_saved_breakpoint_set(tmp_path: Path) -> None:
    """What `ctrl+b` saves (`to_dicts`, written as TOML) reads back as the same breakpoints, without hit counts."""
    breakpoints = Breakpoints()
    breakpoints.add("retriever", 'documents and documents[0].meta.get("url", "").endswith("Rhodes")')
    breakpoints.add("llm", enabled=False)
    breakpoints.check(finished("llm", {}))
    saved = json.loads(json.dumps(breakpoints.to_dicts()))
    assert saved == [
        {
            "component": "retriever",
            "condition": 'documents and documents[0].meta.get("url", "").endswith("Rhodes")',
            "enabled": True,
        },
        {"component": "llm", "condition": None, "enabled": False},
    ]
    path = tmp_path / "rag.breakpoints.toml"
    path.write_text(dump_breakpoint_set(saved, "rag"), encoding="utf-8")
    restored = Breakpoints()
    for spec in read_breakpoint_set(path):
        restored.add(spec.component, spec.condition, enabled=spec.enabled, when=spec.when)
    assert restored.to_dicts() == saved
    assert all(b.hits == 0 for b in restored)  # hit counts belong to a session, not to the saved pipeline
    assert restored.check(finished("retriever", {"documents": []})) is None
