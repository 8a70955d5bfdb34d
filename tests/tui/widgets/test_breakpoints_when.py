"""The breakpoints pane chooses before or after: `w` switches the highlighted breakpoint and the row says `before`."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tui.state.breakpoints import Breakpoints
from tui.widgets.breakpoints import BreakpointsPanel


class PanelApp(App[None]):
    def __init__(self, breakpoints: Breakpoints) -> None:
        super().__init__()
        self.breakpoints = breakpoints

    def compose(self) -> ComposeResult:
        yield BreakpointsPanel(self.breakpoints, {"retriever": ["documents"]}.get)


def rows(panel: BreakpointsPanel) -> list[list[str]]:
    table = panel.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_w_switches_between_before_and_after_and_the_row_shows_it() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retriever", "visit == 3")
    app = PanelApp(breakpoints)
    async with app.run_test(size=(100, 20)) as pilot:
        panel = app.query_one(BreakpointsPanel)
        panel.query_one(DataTable).focus()
        assert rows(panel)[0][2] == "visit == 3"
        await pilot.press("w")
        assert breakpoints.get("retriever").when == "before"  # type: ignore[union-attr]
        assert rows(panel)[0][2] == "before visit == 3"
        await pilot.press("w")
        assert breakpoints.get("retriever").when == "after"  # type: ignore[union-attr]
        assert rows(panel)[0][2] == "visit == 3"
