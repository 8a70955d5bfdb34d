"""Breakpoints before a component runs or after it completes, optionally conditional, saved per pipeline as dicts.

A breakpoint belongs to a component, not to a visit. One that breaks `after` is checked on every
`ComponentFinished` of that component, the one moment the engine lets a consumer look at (and replace) outputs
before anything downstream starts; its condition reads the outputs. One that breaks `before` is checked on every
`ComponentStarted`: the engine does not execute a visit until the consumer asks for the event after its start
(see docs/engine.md), so pausing there holds the component back; its condition reads the inputs. Either
condition may name `visit` (the visit number), so `visit == 3` stops on a loop's third lap. One breakpoint per
component is enough, since a condition can combine cases with `or`.

`start_paused` is a one-shot breakpoint before whichever component starts first (`pipedebug --paused`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.core.events import ComponentFinished, ComponentStarted
from tui.state.conditions import Condition, ConditionEvaluationError

When = Literal["after", "before"]
WHEN: tuple[When, ...] = ("after", "before")


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
    when: When = "after"
    """`before`: the run is paused right after the visit's `ComponentStarted`, the component not yet run."""


@dataclass(slots=True)
class Breakpoint:
    component: str
    condition: Condition | None = None
    enabled: bool = True
    when: When = "after"
    """Break `after` the component completes (outputs) or `before` it runs (inputs)."""
    hits: int = 0
    """How many times this breakpoint stopped the run since the hit counts were last reset."""
    last_error: str | None = None
    """The latest condition error; cleared when the condition evaluates again without one, or changes."""

    @property
    def condition_text(self) -> str | None:
        return None if self.condition is None else self.condition.text

    def check(self, event: ComponentFinished | ComponentStarted) -> BreakpointHit | None:
        """Whether this breakpoint stops the run at `event` (a completion for `after`, a start for `before`);
        counts the hit when it does."""
        if not self.enabled or event.component != self.component:
            return None
        if self.when != ("before" if isinstance(event, ComponentStarted) else "after"):
            return None
        value, error = None, None
        if self.condition is not None:
            values = event.inputs if isinstance(event, ComponentStarted) else event.outputs
            try:
                value, holds = self.condition.evaluate(values, event.visit)
            except ConditionEvaluationError as exc:
                error = str(exc)
            else:
                if not holds:
                    self.last_error = None
                    return None
            self.last_error = error
        self.hits += 1
        return BreakpointHit(event.component, event.visit_id, event.visit, self.condition_text, value, error, self.when)

    def to_dict(self) -> dict[str, Any]:
        """What is saved: hit counts and errors belong to a session, not to the pipeline."""
        saved = {"component": self.component, "condition": self.condition_text, "enabled": self.enabled}
        if self.when != "after":  # sets saved before breakpoints had a side stay the same
            saved["when"] = self.when
        return saved


class Breakpoints:
    """The breakpoints of one pipeline, in the order they were set; `version` grows on every change."""

    def __init__(self) -> None:
        self._by_component: dict[str, Breakpoint] = {}
        self.version = 0
        self.start_paused = False
        """Pause before the first component that starts, once (then this turns itself off)."""

    def __iter__(self) -> Iterator[Breakpoint]:
        return iter(list(self._by_component.values()))

    def __len__(self) -> int:
        return len(self._by_component)

    def __contains__(self, component: object) -> bool:
        return component in self._by_component

    def get(self, component: str) -> Breakpoint | None:
        return self._by_component.get(component)

    def add(
        self, component: str, condition: str | None = None, *, enabled: bool = True, when: When = "after"
    ) -> Breakpoint:
        """Set a breakpoint on `component`, replacing any it had; raises `ConditionSyntaxError` for a bad
        condition, leaving the breakpoints as they were."""
        if when not in WHEN:
            raise ValueError(f"A breakpoint breaks 'before' or 'after' its component, not {when!r}.")
        compiled = _compile(condition)
        breakpoint_ = self._by_component[component] = Breakpoint(component, compiled, enabled, when)
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

    def set_when(self, component: str, when: When) -> Breakpoint:
        """Break before the component runs or after it completes; its condition then reads inputs or outputs."""
        if when not in WHEN:
            raise ValueError(f"A breakpoint breaks 'before' or 'after' its component, not {when!r}.")
        breakpoint_ = self._require(component)
        breakpoint_.when = when
        breakpoint_.last_error = None
        self._changed()
        return breakpoint_

    def toggle_when(self, component: str) -> Breakpoint:
        """Switch the breakpoint on `component` between before and after."""
        breakpoint_ = self._require(component)
        return self.set_when(component, "before" if breakpoint_.when == "after" else "after")

    def check(self, event: ComponentFinished | ComponentStarted) -> BreakpointHit | None:
        """The hit, if a breakpoint stops the run here: after the finished component, or before the started one
        (or before the first component to start, with `start_paused`)."""
        if self.start_paused and isinstance(event, ComponentStarted):
            self.start_paused = False
            self._changed()
            return BreakpointHit(event.component, event.visit_id, event.visit, None, when="before")
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

    def _require(self, component: str) -> Breakpoint:
        breakpoint_ = self._by_component.get(component)
        if breakpoint_ is None:
            raise KeyError(f"No breakpoint on '{component}'.")
        return breakpoint_

    def _changed(self) -> None:
        self.version += 1


def _compile(condition: str | None) -> Condition | None:
    return None if condition is None or not condition.strip() else Condition.compile(condition)
