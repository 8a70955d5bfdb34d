"""What the main screen's keys do beyond driving runs: escape one level out, breakpoint sets, config breakpoints.

The base class of `DebuggerScreen`, kept apart so the screen stays a thin view: these actions need only its
breakpoints, its loaded pipeline, its runs folder and whether it may close (declared here, defined there).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import Screen

from pipeline.runs.store import runs_dir
from tui.config import (
    BreakpointSpec,
    Config,
    ConfigError,
    breakpoint_set_path,
    dump_breakpoint_set,
    read_breakpoint_set,
)
from tui.loading import LoadedPipeline
from tui.state.breakpoints import Breakpoints
from tui.state.conditions import ConditionSyntaxError


class DebuggerKeys(Screen[None]):
    """Escape, breakpoint sets and the config's breakpoints; `DebuggerScreen` provides what is declared here."""

    closable: bool
    runs_dir: str | None

    if TYPE_CHECKING:  # only declared: the screen defines them, as attributes or properties

        @property
        def loaded(self) -> LoadedPipeline | None: ...

        @property
        def breakpoints(self) -> Breakpoints: ...

        async def action_close(self) -> None: ...

    # -- escape: one level out ----------------------------------------------------------------------------------

    def can_go_back(self) -> bool:
        """Escape does something: the focus is away from the graph (a field, a pane), or the screen closes."""
        return self._away_from_graph() or self.closable

    def _away_from_graph(self) -> bool:
        focused = self.focused
        return focused is not None and focused.id != "graph"

    async def action_back(self) -> None:
        """From a field or a pane back to the graph; from the graph, close a replay or a fork."""
        if self._away_from_graph():
            self.query_one("#graph").focus()
            return
        if self.closable:
            await self.action_close()

    # -- breakpoint sets ----------------------------------------------------------------------------------------

    def breakpoint_set(self) -> Path | None:
        """Where the loaded pipeline's breakpoint set is saved (beside its runs)."""
        if self.loaded is None:
            return None
        return breakpoint_set_path(runs_dir(self.runs_dir), self.loaded.name)

    def action_save_breakpoints(self) -> None:
        path = self.breakpoint_set()
        if path is None:
            return
        if not len(self.breakpoints):
            self.notify("No breakpoints to save: b sets one on the selected component.", timeout=3)
            return
        assert self.loaded is not None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dump_breakpoint_set(self.breakpoints.to_dicts(), self.loaded.name), encoding="utf-8")
        except OSError as error:
            self.notify(f"{path}: {error.strerror or error}", title="Breakpoints not saved", severity="error")
            return
        count = len(self.breakpoints)
        self.notify(f"{count} breakpoint{'s' * (count > 1)} saved to {path}", title="Breakpoints", timeout=4)

    def action_load_breakpoints(self) -> None:
        path = self.breakpoint_set()
        if path is None:
            return
        if not path.is_file():
            self.notify(f"No saved set: {path} (ctrl+b saves one).", title="Breakpoints", timeout=4)
            return
        try:
            specs = read_breakpoint_set(path)
        except ConfigError as error:
            self.notify(str(error), title="Breakpoints not loaded", severity="error")
            return
        self.breakpoints.clear()
        added = self._add_breakpoints(specs, str(path))
        self.notify(f"{added} breakpoint{'s' * (added != 1)} loaded from {path}", title="Breakpoints", timeout=4)

    def add_config_breakpoints(self, config: Config) -> None:
        """Set the config's breakpoints that apply to the loaded pipeline (its name, its components)."""
        if self.loaded is None or config.path is None:
            return
        names = {node.name for node in self.loaded.model.nodes}
        specs = [spec for spec in config.breakpoints if spec.applies_to(self.loaded.name, names)]
        self._add_breakpoints(specs, str(config.path))

    def _add_breakpoints(self, specs: tuple[BreakpointSpec, ...] | list[BreakpointSpec], source: str) -> int:
        """Add `specs`, skipping (and saying) those with a condition this version does not accept."""
        added = 0
        for spec in specs:
            try:
                self.breakpoints.add(spec.component, spec.condition, enabled=spec.enabled, when=spec.when)
            except (ConditionSyntaxError, ValueError) as error:  # a bad condition, or side (`when`)
                where = f"{source}:{spec.line}" if spec.line is not None else source
                self.notify(f"{where}: {spec.component}: {error}", title="Breakpoint skipped", severity="error")
            else:
                added += 1
        return added
