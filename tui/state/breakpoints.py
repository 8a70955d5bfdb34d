"""Breakpoints on components' completions, optionally conditional on the outputs, saved per pipeline as dicts.

A breakpoint belongs to a component, not to a visit: it is checked on every `ComponentFinished` of that
component, which is the one moment the engine lets a consumer look at (and replace) outputs before anything
downstream starts. One breakpoint per component is enough, since a condition can combine cases with `or`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.core.events import ComponentFinished
from tui.state.conditions import Condition, ConditionEvaluationError, ConditionSyntaxError


@dataclass(frozen=True, slots=True)
class BreakpointHit:
    """Why a breakpoint stopped the run on one visit: its condition held, or evaluating it failed."""

    component: str
    visit_id: int
    visit: int
    condition: str | None
    value: Any = None
    """What the condition evaluated to (`None` for an unconditional breakpoint)."""
    error: str | None = None
    """The condition error, when evaluating the condition failed on this visit."""


@dataclass(slots=True)
class Breakpoint:
    component: str
    condition: Condition | None = None
    enabled: bool = True
    hits: int = 0
    """How many times this breakpoint stopped the run since the hit counts were last reset."""
    last_error: str | None = None
    """The latest condition error; cleared when the condition evaluates again without one, or changes."""

    @property
    def condition_text(self) -> str | None:
        return None if self.condition is None else self.condition.text

    def check(self, event: ComponentFinished) -> BreakpointHit | None:
        """Whether this breakpoint stops the run at `event`; counts the hit when it does."""
        if not self.enabled or event.component != self.component:
            return None
        value, error = None, None
        if self.condition is not None:
            try:
                value, holds = self.condition.evaluate(event.outputs, event.visit)
            except ConditionEvaluationError as exc:
                error = str(exc)
            else:
                if not holds:
                    self.last_error = None
                    return None
            self.last_error = error
        self.hits += 1
        return BreakpointHit(event.component, event.visit_id, event.visit, self.condition_text, value, error)

    def to_dict(self) -> dict[str, Any]:
        """What is saved: hit counts and errors belong to a session, not to the pipeline."""
        return {"component": self.component, "condition": self.condition_text, "enabled": self.enabled}


class Breakpoints:
    """The breakpoints of one pipeline, in the order they were set; `version` grows on every change."""

    def __init__(self) -> None:
        self._by_component: dict[str, Breakpoint] = {}
        self.version = 0

    def __iter__(self) -> Iterator[Breakpoint]:
        return iter(list(self._by_component.values()))

    def __len__(self) -> int:
        return len(self._by_component)

    def __contains__(self, component: object) -> bool:
        return component in self._by_component

    def get(self, component: str) -> Breakpoint | None:
        return self._by_component.get(component)

    def add(self, component: str, condition: str | None = None, *, enabled: bool = True) -> Breakpoint:
        """Set a breakpoint on `component`, replacing any it had; raises `ConditionSyntaxError` for a bad
        condition, leaving the breakpoints as they were."""
        compiled = _compile(condition)
        breakpoint_ = self._by_component[component] = Breakpoint(component, compiled, enabled)
        self._changed()
        return breakpoint_

    def toggle(self, component: str) -> Breakpoint | None:
        """Remove the breakpoint on `component` if there is one, else add an unconditional one; return it if added."""
        if component in self._by_component:
            self.remove(component)
            return None
        return self.add(component)

    def remove(self, component: str) -> None:
        if self._by_component.pop(component, None) is not None:
            self._changed()

    def clear(self) -> None:
        self._by_component.clear()
        self._changed()

    def set_condition(self, component: str, condition: str | None) -> Breakpoint:
        """Set (or, with `None` or blank text, clear) the condition; a bad condition raises and changes nothing."""
        breakpoint_ = self._require(component)
        breakpoint_.condition = _compile(condition)
        breakpoint_.last_error = None
        self._changed()
        return breakpoint_

    def set_enabled(self, component: str, enabled: bool) -> Breakpoint:
        breakpoint_ = self._require(component)
        breakpoint_.enabled = enabled
        self._changed()
        return breakpoint_

    def check(self, event: ComponentFinished) -> BreakpointHit | None:
        """The hit, if the breakpoint on the finished component stops the run here."""
        breakpoint_ = self._by_component.get(event.component)
        if breakpoint_ is None:
            return None
        had_error = breakpoint_.last_error
        hit = breakpoint_.check(event)
        if hit is not None or breakpoint_.last_error != had_error:
            self._changed()
        return hit

    def reset_hits(self) -> None:
        for breakpoint_ in self._by_component.values():
            breakpoint_.hits, breakpoint_.last_error = 0, None
        self._changed()

    def to_dicts(self) -> list[dict[str, Any]]:
        return [breakpoint_.to_dict() for breakpoint_ in self._by_component.values()]

    @classmethod
    def from_dicts(cls, data: list[dict[str, Any]]) -> Breakpoints:
        """Rebuild saved breakpoints; a malformed entry raises `ValueError` naming it."""
        breakpoints = cls()
        for index, entry in enumerate(data):
            component = entry.get("component") if isinstance(entry, dict) else None
            condition = entry.get("condition") if isinstance(entry, dict) else None
            enabled = entry.get("enabled", True) if isinstance(entry, dict) else None
            if not isinstance(component, str) or not component:
                raise ValueError(f"Breakpoint {index}: 'component' must be a component name, got {component!r}.")
            if condition is not None and not isinstance(condition, str):
                raise ValueError(f"Breakpoint on '{component}': 'condition' must be text or null.")
            if not isinstance(enabled, bool):
                raise ValueError(f"Breakpoint on '{component}': 'enabled' must be true or false.")
            try:
                breakpoints.add(component, condition, enabled=enabled)
            except ConditionSyntaxError as error:  # a condition this version no longer accepts
                raise ValueError(f"Breakpoint on '{component}': {error}") from error
        return breakpoints

    def _require(self, component: str) -> Breakpoint:
        breakpoint_ = self._by_component.get(component)
        if breakpoint_ is None:
            raise KeyError(f"No breakpoint on '{component}'.")
        return breakpoint_

    def _changed(self) -> None:
        self.version += 1


def _compile(condition: str | None) -> Condition | None:
    return None if condition is None or not condition.strip() else Condition.compile(condition)
