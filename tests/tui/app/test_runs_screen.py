"""The runs browser: a folder of recordings (and a damaged file) listed newest first; open, delete, mark and diff.

Recordings are synthetic, with fixed start times, and the time zone is UTC, so the listing and its picture are
the same everywhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Static

from pipeline.core.events import RunCancelled
from pipeline.runs.recording import Parent
from pipeline.runs.store import RunInfo, RunStore
from tests.tui.app.conftest import screen_text, wait_for
from tests.tui.app.test_diff_screen import WALL, Visit, docs, record, run_events
from tui.screens.diff import DiffScreen
from tui.screens.runs import MARK, ConfirmScreen, RunsScreen

SIZE = (120, 40)
UNSET = object()
DAMAGED = "20231115-000000-000000_broken_deadbeef.jsonl"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC while a test runs, so start times read the same on every machine."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def make_runs(directory: Path) -> dict[str, Path]:
    """A finished run, a cancelled one, a labelled fork of the first (newest), and a file that is not a run."""
    first = run_events("1a2b3c4d-first", [Visit("retriever", 0.01, 0.03, {"documents": docs(("alpha", 0.9))})], 0.25)
    cancelled = run_events(
        "5e6f7a8b-cancelled",
        [Visit("retriever", 0.01, 0.02, {"documents": []})],
        0.5,
        wall_time=WALL + 600,
        ending=RunCancelled,
    )
    fork = run_events(
        "9c0d1e2f-fork",
        [Visit("retriever", 0.01, 0.03, {"documents": docs(("beta", 0.7))})],
        1.25,
        wall_time=WALL + 3600,
    )
    runs = {
        "first": await record(directory, first),
        "cancelled": await record(directory, cancelled, pipeline_name="waiting"),
        "fork": await record(directory, fork, label="shorter prompt", parent=Parent("1a2b3c4d-first", 3, "echo", 2)),
    }
    runs["damaged"] = directory / DAMAGED
    runs["damaged"].write_text("{oops\n", encoding="utf-8")
    return runs


class RunsApp(App[None]):
    def __init__(self, runs_dir: str) -> None:
        super().__init__()
        self.runs_dir = runs_dir
        self.result: object = UNSET

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(self.runs_dir), self.done)

    def done(self, path: Path | None) -> None:
        self.result = path


async def listed(pilot: Pilot[None]) -> RunsScreen:
    screen = pilot.app.screen
    assert isinstance(screen, RunsScreen)
    await wait_for(pilot, lambda: not screen.query_one(DataTable).loading, "the listing")
    await pilot.pause()
    return screen


def rows(screen: RunsScreen) -> list[list[str]]:
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


async def test_runs_are_listed_newest_first_with_their_status_and_a_damaged_file_as_unreadable(
    tmp_path: Path,
) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)

        assert [row[1:6] for row in rows(screen)] == [
            ["", "?", "unreadable", "", ""],
            ["2023-11-14 23:13:20", "rag", "finished", "1.25 s", "4"],
            ["2023-11-14 22:23:20", "waiting", "cancelled", "0.50 s", "4"],
            ["2023-11-14 22:13:20", "rag", "finished", "0.25 s", "4"],
        ]
        assert [row[7] for row in rows(screen)] == [
            runs[name].name for name in ("damaged", "fork", "cancelled", "first")
        ]
        assert rows(screen)[0][6].startswith("line 1: not a pipedebug run file: ")
        assert rows(screen)[1][6].startswith("shorter prompt · fork of 1a2b3c4d @ echo visit #2"[:39])
        # The damaged file is highlighted: its path and whole problem are spelled out under the table.
        detail = str(screen.query_one("#runs-detail", Static).content)
        assert detail.startswith(f"{runs['damaged']}\nline 1: not a pipedebug run file: Expecting property name")
        await pilot.press("down")
        detail = str(screen.query_one("#runs-detail", Static).content)
        assert detail == f"{runs['fork']}\nshorter prompt · fork of 1a2b3c4d @ echo visit #2"


async def test_enter_dismisses_with_the_highlighted_run_but_not_with_an_unreadable_one(tmp_path: Path) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await pilot.press("enter")  # the damaged file
        await pilot.pause()
        assert isinstance(app.screen, RunsScreen) and app.result is UNSET
        [notification] = app._notifications
        assert notification.message.startswith(f"{runs['damaged']}: cannot open it: line 1: not a pipedebug run")

        await pilot.press("down", "down", "enter")

        assert app.result == runs["cancelled"]
        assert not isinstance(app.screen, RunsScreen)


async def test_escape_dismisses_with_nothing(tmp_path: Path) -> None:
    await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await listed(pilot)
        await pilot.press("escape")
        assert app.result is None and not isinstance(app.screen, RunsScreen)


async def test_delete_asks_first_and_removes_the_file_and_its_row(tmp_path: Path) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await pilot.press("down", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.focused is app.screen.query_one("#confirm-no", Button)  # Enter by habit deletes nothing
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and runs["fork"].exists() and len(rows(screen)) == 4

        await pilot.press("delete")
        await pilot.pause()
        await pilot.click("#confirm-yes")
        await pilot.pause()

        assert app.screen is screen and not runs["fork"].exists()
        assert [row[7] for row in rows(screen)] == [runs[name].name for name in ("damaged", "cancelled", "first")]
        assert screen.highlighted is not None and screen.highlighted.path == runs["cancelled"]


async def test_space_marks_two_runs_and_shift_d_diffs_them(tmp_path: Path) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await pilot.press("space")  # the damaged file cannot be marked
        await pilot.press("down", "down", "down", "space", "up", "space")
        await pilot.pause()
        assert [row[0] for row in rows(screen)] == ["", "", MARK, MARK]
        assert screen.marked == [str(runs["first"]), str(runs["cancelled"])]
        assert "marked for diff: a: " in str(screen.query_one("#runs-detail", Static).content)

        await pilot.press("D")
        await pilot.pause()

        diff = app.screen
        assert isinstance(diff, DiffScreen) and (diff.a, diff.b) == (runs["first"], runs["cancelled"])
        await wait_for(pilot, lambda: diff.loaded is not None, "the diff")
        await pilot.press("escape")
        assert app.screen is screen


async def test_one_mark_diffs_against_the_highlighted_run(tmp_path: Path) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await pilot.press("down", "down", "down", "space", "space")  # marked and unmarked
        assert [row[0] for row in rows(screen)] == ["", "", "", ""]
        await pilot.press("D")  # nothing marked: nothing to diff
        assert app.screen is screen

        await pilot.press("space", "up", "up", "D")
        await pilot.pause()

        diff = app.screen
        assert isinstance(diff, DiffScreen) and (diff.a, diff.b) == (runs["first"], runs["fork"])


async def test_an_empty_folder_says_where_runs_are_saved_and_how_to_record_one(tmp_path: Path) -> None:
    app = RunsApp(str(tmp_path / "no-runs-yet"))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        text = screen_text(app)
        assert "No recorded runs yet." in text and str(tmp_path / "no-runs-yet") in text
        assert "pipedebug run PIPELINE --record" in text
        assert not screen.query_one(DataTable).display
        await pilot.press("enter", "space", "D", "d")  # nothing to act on: nothing happens
        assert app.screen is screen and app.result is UNSET


async def test_a_folder_that_cannot_be_listed_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(store: RunStore) -> list[RunInfo]:
        raise PermissionError(13, "Permission denied", str(store.directory))

    monkeypatch.setattr(RunStore, "runs", denied)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        assert f"{tmp_path}: cannot list the runs: Permission denied" in screen_text(app)
        assert not screen.query_one(DataTable).display


async def test_u_reads_the_folder_again_and_keeps_the_highlighted_run_and_the_marks(tmp_path: Path) -> None:
    runs = await make_runs(tmp_path)
    app = RunsApp(str(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = await listed(pilot)
        await pilot.press("down", "down", "space", "down", "space", "up", "up")  # marks cancelled and first
        newest = run_events("77777777-newest", [Visit("retriever", 0.0, 0.1, {})], 0.1, wall_time=WALL + 7200)
        added = await record(tmp_path, newest)
        runs["cancelled"].unlink()

        await pilot.press("u")
        await listed(pilot)

        names = [added.name, *(runs[name].name for name in ("damaged", "fork", "first"))]
        assert [row[7] for row in rows(screen)] == names
        assert [row[0] for row in rows(screen)] == ["", "", "", MARK]
        assert screen.highlighted is not None and screen.highlighted.path == runs["fork"]
        assert screen.marked == [str(runs["first"])]  # the other marked run is gone


def test_snapshot_of_the_runs_browser(
    snap_compare: Callable[..., bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a relative runs folder: the same text in the picture everywhere
    asyncio.run(make_runs(Path("runs")))

    async def run_before(pilot: Pilot[None]) -> None:
        await listed(pilot)
        await pilot.press("down", "down", "space", "up")
        await pilot.pause()

    assert snap_compare(RunsApp("runs"), terminal_size=SIZE, run_before=run_before)
