"""The breakpoints panel: follows `Breakpoints.version`, toggles, removes, and edits conditions in the modal."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from pipeline.core.events import ComponentFinished
from tui.screens.condition import ConditionScreen, condition_editor
from tui.state.breakpoints import Breakpoints
from tui.widgets.breakpoints import BreakpointsPanel


class PanelApp(App[None]):
    def __init__(self, breakpoints: Breakpoints) -> None:
        super().__init__()
        self.breakpoints = breakpoints
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield BreakpointsPanel(self.breakpoints, {"retriever": ["documents"], "llm": ["replies"]}.get)

    def on_breakpoints_panel_selected(self, message: BreakpointsPanel.Selected) -> None:
        self.selected.append(message.component)

    def on_breakpoints_panel_edit_condition(self, message: BreakpointsPanel.EditCondition) -> None:
        """As the debugger screen does: the panel asks, the screen opens the modal."""
        self.push_screen(*condition_editor(self.breakpoints, message.component, message.socket_names, add=False))


def finished(component: str, **outputs: object) -> ComponentFinished:
    return ComponentFinished(
        run_id="r",
        time=0,
        visit_id=1,
        component=component,
        visit=1,
        outputs=outputs,
        started_at=0,
        finished_at=0,
        mode="sync",
        thread="t",
    )


def rows(panel: BreakpointsPanel) -> list[list[str]]:
    table = panel.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_the_panel_follows_changes_made_elsewhere() -> None:
    breakpoints = Breakpoints()
    app = PanelApp(breakpoints)
    async with app.run_test(size=(100, 20)) as pilot:
        panel = app.query_one(BreakpointsPanel)
        assert panel.query_one("#breakpoints-empty").display
        assert not panel.query_one(DataTable).display

        breakpoints.add("retriever", "documents[5] > 0")
        breakpoints.add("llm")
        await pilot.pause(0.25)  # the panel polls the version
        assert rows(panel) == [
            ["●", "retriever", "documents[5] > 0", "0", ""],
            ["●", "llm", "always", "0", ""],
        ]
        assert not panel.query_one("#breakpoints-empty").display

        breakpoints.check(finished("retriever", documents=[1, 2]))  # the condition fails: a hit with an error
        breakpoints.check(finished("llm", replies=[]))
        panel.refresh_from()
        retriever, llm = rows(panel)
        assert retriever[3] == "1" and retriever[4].startswith("IndexError")
        assert llm[3] == "1"


async def test_keys_toggle_remove_and_select() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retriever")
    breakpoints.add("llm")
    app = PanelApp(breakpoints)
    async with app.run_test(size=(100, 20)) as pilot:
        panel = app.query_one(BreakpointsPanel)
        panel.query_one(DataTable).focus()
        await pilot.press("down", "space")
        assert breakpoints.get("llm").enabled is False
        assert rows(panel)[1][0] == "○"
        await pilot.press("space")
        assert breakpoints.get("llm").enabled is True

        await pilot.press("enter")
        assert app.selected == ["llm"]

        await pilot.press("up", "x")
        assert [b.component for b in breakpoints] == ["llm"]
        assert rows(panel) == [["●", "llm", "always", "0", ""]]
        await pilot.press("delete")
        assert len(breakpoints) == 0
        assert panel.query_one("#breakpoints-empty").display


async def test_c_edits_the_condition_in_the_modal_checked_against_the_sockets() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retriever")
    app = PanelApp(breakpoints)
    async with app.run_test(size=(100, 20)) as pilot:
        panel = app.query_one(BreakpointsPanel)
        panel.query_one(DataTable).focus()
        await pilot.press("c")
        assert isinstance(app.screen, ConditionScreen)
        assert app.screen.socket_names == ["documents"]
        app.screen.query_one(Input).value = "len(replies) > 0"
        await pilot.press("enter")
        assert isinstance(app.screen, ConditionScreen), "replies is not a socket of the retriever"

        app.screen.query_one(Input).value = "len(documents) < 3"
        await pilot.press("enter")
        assert breakpoints.get("retriever").condition_text == "len(documents) < 3"
        panel.refresh_from()  # the panel polls the breakpoints; a loaded machine may not have polled yet
        assert rows(panel)[0][2] == "len(documents) < 3"

        await pilot.press("c", "escape")
        assert breakpoints.get("retriever").condition_text == "len(documents) < 3"
        await pilot.press("c")
        app.screen.query_one(Input).value = ""
        await pilot.press("enter")
        assert breakpoints.get("retriever").condition is None
