"""Keys and focus as a user meets them: app keys from inside an input, escape one level out, the footer, a
remapped key from a config file, breakpoint sets; and the layout at 80x24, 60x20 and below the minimum."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent
from textual.widgets._footer import FooterKey

from tests.tui.app.conftest import TOY, screen_text, wait_for, wait_loaded
from tests.tui.app.test_runs_screen import RunsApp, make_runs
from tests.tui.app.test_snapshots import app_for, diamond_recording, diamond_yaml, settle
from tui.app import ActionCommands, PipedebugApp
from tui.config import load_config
from tui.screens.compare import CompareScreen
from tui.screens.runs import RunsScreen
from tui.widgets.fit import ScreenFit, area_of
from tui.widgets.graph import GraphView

SIZE = (120, 40)


def footer_keys(app: PipedebugApp) -> dict[str, str]:
    """What the footer shows now: description -> key as displayed."""
    return {key.description: key.key_display for key in app.screen.query(FooterKey)}


async def test_ctrl_keys_reach_the_app_while_an_input_has_focus(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("i")
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+k")  # the input's own ctrl+k deletes to the end of the line
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), "the comparison screen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.debugger, "back to the debugger")
        assert isinstance(app.focused, Input)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs browser")


async def test_escape_leaves_an_input_for_the_graph_and_letters_still_type(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert "Back" not in footer_keys(app)  # on the graph of the base screen, escape has nowhere to go
        await pilot.press("i")
        field = app.focused
        assert isinstance(field, Input)
        before = field.value
        await pilot.press("end", "x", "r")  # letters are text here, not stop and run
        assert field.value == before + "xr" and app.debugger.session is None
        assert footer_keys(app)["Back"] == "esc"
        await pilot.press("escape")
        assert app.focused is app.debugger.query_one(GraphView)
        await pilot.press("t", "escape")
        assert app.focused is app.debugger.query_one(GraphView)


async def test_escape_restores_a_maximized_pane_then_leaves_it(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        timeline = app.debugger.query_one("#timeline")
        await pilot.press("t", "z")
        assert app.debugger.maximized is app.debugger.query_one("#bottom")  # the timeline's tabs
        await pilot.press("escape")
        assert app.debugger.maximized is None and app.focused is timeline
        await pilot.press("escape")
        assert app.focused is app.debugger.query_one(GraphView)


async def test_the_footer_lists_quit_and_the_focus_keys_and_ctrl_q_quits_from_an_input(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        shown = footer_keys(app)
        assert {name: shown.get(name) for name in ("Quit", "Graph", "Inputs", "Timeline", "Logs")} == {
            "Quit": "^q",
            "Graph": "g",
            "Inputs": "i",
            "Timeline": "t",
            "Logs": "l",
        }
        await pilot.press("i", "ctrl+q")
        await pilot.pause()
        assert app.return_code == 0 and not app.is_running


async def test_a_key_remapped_in_the_config_works_and_the_footer_shows_it(small_waits: Path, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nlogs = "f3"\ntimeline = "f2"\n')
    app = PipedebugApp(small_waits, record=False, config=load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        tabs = app.debugger.query_one("#bottom", TabbedContent)
        assert (footer_keys(app)["Logs"], footer_keys(app)["Timeline"]) == ("f3", "f2")
        await pilot.press("l")  # no longer bound
        assert tabs.active == "timeline-tab"
        await pilot.press("f3")
        assert tabs.active == "logs-tab"
        await pilot.press("f2")
        assert tabs.active == "timeline-tab"
        palette = {title: help_text for title, help_text, _ in ActionCommands(app.screen)._entries()}
        assert palette["Logs"].endswith("(f3)") and palette["Timeline"].endswith("(f2)")


async def test_the_config_sets_the_theme_and_breakpoints_on_components_the_pipeline_has(
    small_waits: Path, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'theme = "nord"\n\n[[breakpoints]]\ncomponent = "wait_2"\ncondition = "len(message) > 0"\n\n'
        '[[breakpoints]]\ncomponent = "elsewhere"\n\n[[breakpoints]]\ncomponent = "wait_3"\npipeline = "other"\n\n'
        '[[breakpoints]]\ncomponent = "wait_4"\nwhen = "before"\nvisit = 1\n'
    )
    app = PipedebugApp(small_waits, record=False, config=load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert app.theme == "nord"
        assert app.debugger.breakpoints.to_dicts() == [
            {"component": "wait_2", "condition": "len(message) > 0", "enabled": True},
            {"component": "wait_4", "condition": "visit == 1", "enabled": True, "when": "before"},
        ]


async def test_breakpoint_sets_are_saved_and_loaded_with_the_pipeline(small_waits: Path, runs_dir: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        for name in ("wait_1", "wait_4"):
            graph.select(name)
            await pilot.press("b")
        app.debugger.breakpoints.set_when("wait_4", "before")
        await pilot.press("ctrl+b")
        saved = runs_dir / "waiting.breakpoints.toml"
        await wait_for(pilot, saved.is_file, "the saved set")
        app.debugger.breakpoints.clear()
        app.debugger.breakpoints.add("wait_5")
        await pilot.press("B")
        assert app.debugger.breakpoints.to_dicts() == [
            {"component": "wait_1", "condition": None, "enabled": True},
            {"component": "wait_4", "condition": None, "enabled": True, "when": "before"},
        ]


async def test_home_and_end_move_to_the_newest_and_the_oldest_run(tmp_path: Path) -> None:
    await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 4, "the listing")
        await pilot.press("end")
        assert table.cursor_row == 3
        await pilot.press("home")
        assert table.cursor_row == 0


@pytest.mark.parametrize(
    "command", [[], ["replay", "RUN"], ["listen", "--port", "0"]], ids=["open", "replay", "listen"]
)
def test_a_bad_config_is_an_error_before_the_app_starts(
    command: list[str], tmp_path: Path, runs_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    if "RUN" in command:
        command = ["replay", str(diamond_recording(tmp_path))]
    path = tmp_path / "config.toml"
    path.write_text('[keys]\nrun = "f5"\ncompre = "f6"\n')
    assert main([*command, "--config", str(path)] if command else ["--config", str(path), TOY]) == 2
    assert f"error: {path}:3: keys.compre: no key binding has this id" in capsys.readouterr().err


# -- small terminals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_the_main_screen_at(snap_compare: Callable[..., bool], tmp_path: Path, size: tuple[int, int]) -> None:
    """80x24 is compact (graph, inputs and inspector, timeline and logs as tabs); 120x40 has every pane."""

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await settle(pilot)

    assert snap_compare(app_for(diamond_yaml(tmp_path)), terminal_size=size, run_before=run_before)


def test_a_replay_at_80x24_shows_its_timeline_as_a_tab(
    snap_compare: Callable[..., bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = PipedebugApp(replay=diamond_recording(tmp_path), speed=None, allowed_modules=[TOY], clock=None)

    async def run_before(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        app.debugger.query_one(GraphView).select("slow")
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def regions(app: PipedebugApp) -> dict[str, Region]:
    """The screen regions of the screen's visible top-level parts."""
    return {
        str(widget.id or type(widget).__name__): widget.region
        for widget in app.debugger.children
        if widget.display and widget.region.area
    }


async def test_at_60x20_every_area_is_a_tab_and_nothing_overlaps(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_loaded(pilot)
        screen = app.debugger
        assert screen.has_class("-compact")
        fit = screen.query_one(ScreenFit)
        seen = {}
        areas = (("t", "timeline", "#bottom"), ("i", "inspector", "#right"), ("escape", "graph", "#left"))
        for key, area, pane in areas:
            await pilot.press(key)
            await pilot.pause()
            assert fit.area.name == area and screen.has_class(f"-area-{area}")
            shown = regions(app)
            parts = list(shown.values())
            assert all(a.intersection(b).area == 0 for i, a in enumerate(parts) for b in parts[i + 1 :]), shown
            assert all(Region(0, 0, 60, 20).contains_region(region) for region in parts)
            panes = [name for name in ("#left", "#right", "#bottom") if screen.query_one(name).region.area]
            assert panes == [pane]
            assert screen.query_one(pane).region.height >= 12  # the area has the screen, less four lines
            seen[area] = screen_text(app).splitlines()[0]
        assert "i Insp." in seen["graph"]  # names abbreviate to fit 60 columns
        await pilot.click(ScreenFit, offset=(seen["graph"].index("Insp."), 0))
        await pilot.pause()
        assert fit.area.name == "inspector" and area_of(app.focused) == fit.area  # the focus went along


async def test_below_the_minimum_the_screen_says_so_and_recovers_when_resized(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=(50, 14)) as pilot:
        await wait_loaded(pilot)
        text = screen_text(app)
        assert "Terminal too small: 50x14, need at least 60x16" in text
        assert "wait_1" not in text and "Graph" not in text
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "too small" not in text and "wait_1" in text
        assert not app.debugger.has_class("-too-small") and app.debugger.has_class("-compact")
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.2)
        assert not app.debugger.has_class("-compact")
        assert all(app.debugger.query_one(name).region.area for name in ("#left", "#right", "#bottom"))


@pytest.fixture
def diamond_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return diamond_recording(tmp_path)


async def test_in_a_compact_replay_i_shows_the_recorded_inputs_and_the_inspector(diamond_run: Path) -> None:
    """A replay has no input fields to focus: `i` still brings its area (recorded inputs, inspector) to the front."""
    app = PipedebugApp(replay=diamond_run, speed=None, allowed_modules=[TOY], clock=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        await pilot.press("i")
        await pilot.pause()
        assert app.debugger.query_one(ScreenFit).area.name == "inspector"
        assert area_of(app.focused) is not None and area_of(app.focused).name == "inspector"
        assert "Inputs (recorded)" in screen_text(app)


async def test_a_replay_stops_at_the_configs_breakpoints(diamond_run: Path, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[breakpoints]]\ncomponent = "slow"\n')
    app = PipedebugApp(replay=diamond_run, speed=None, allowed_modules=[TOY], clock=None, config=load_config(path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the replay to stop at the breakpoint")
        session = app.debugger.session
        assert session is not None and session.pause_reason is not None
        assert session.pause_reason.component == "slow"


@pytest.mark.parametrize("before", [False, True], ids=["after", "before"])
async def test_a_paused_runs_footer_fits_120_columns_with_its_focus_keys_and_quit(
    small_waits: Path, before: bool
) -> None:
    """Paused (with `e` on offer after a completion), the footer still ends with the focus keys and ctrl+q at 120
    columns: `p` is hidden while paused, and the labels are short (it cut off `l Logs` and `^q Quit`)."""
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        app.debugger.breakpoints.add("wait_2", when="before" if before else "after")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the breakpoint")
        await pilot.pause(0.3)
        footer = screen_text(app).splitlines()[-1]
        assert "p Pause" not in footer and "space Continue" in footer
        assert ("e Edit" in footer) is not before  # outputs can be edited only after a completion
        assert "l Logs" in footer and "^q Quit" in footer, footer
