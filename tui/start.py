"""Opening the debugger on a run that starts at once, stopped: `pipedebug --paused` and `--break-before NAME`.

`--paused` stops before the first component that starts; `--break-before NAME` (repeatable) sets a breakpoint
before `NAME` runs, and `NAME#N` one before its N-th visit (a loop's N-th lap: the condition `visit == N`).
Either starts a run with the inputs in the form as soon as the pipeline is loaded. Without them, nothing
starts until `r`, as before.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.screens.debugger import DebuggerScreen

_NTH_VISIT = re.compile(r"(?P<name>.+)#(?P<visit>[1-9][0-9]*)")


def add_start_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--paused",
        action="store_true",
        help="start a run at once, paused before its first component runs (its inputs shown)",
    )
    parser.add_argument(
        "--break-before",
        action="append",
        default=[],
        metavar="COMPONENT",
        help="break before COMPONENT runs (COMPONENT#N: before its N-th visit) and start a run at once; repeatable",
    )


@dataclass(frozen=True, slots=True)
class RunStart:
    """What the command line asked the debugger to start with."""

    paused: bool = False
    break_before: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, options: argparse.Namespace) -> RunStart | None:
        """`None` when neither flag was given: the app opens as it always did."""
        paused = bool(getattr(options, "paused", False))
        before = tuple(getattr(options, "break_before", None) or ())
        return cls(paused, before) if paused or before else None

    def breakpoints(self, components: Collection[str]) -> list[tuple[str, str | None]]:
        """`(component, condition)` per `--break-before`; raises `ValueError` naming what is not a component."""
        wanted = []
        for text in self.break_before:
            name, condition = text, None
            nth = _NTH_VISIT.fullmatch(text)
            if text not in components and nth is not None:
                name, condition = nth["name"], f"visit == {nth['visit']}"
            if name not in components:
                known = ", ".join(sorted(components))
                raise ValueError(f"--break-before {text}: the pipeline has no component '{name}' (it has: {known}).")
            wanted.append((name, condition))
        return wanted

    def apply(self, screen: DebuggerScreen) -> None:
        """Set the breakpoints on the loaded pipeline's screen and start its run (after the form is drawn); an
        unknown component is reported and nothing starts."""
        assert screen.loaded is not None
        components = {name for name, _ in screen.loaded.pipe.walk()}
        try:
            wanted = self.breakpoints(components)
        except ValueError as error:
            screen.notify(str(error), title="Run not started", severity="error", timeout=10)
            return
        for name, condition in wanted:
            screen.breakpoints.add(name, condition, when="before")
        screen.breakpoints.start_paused = self.paused
        screen.call_after_refresh(screen.action_run)
