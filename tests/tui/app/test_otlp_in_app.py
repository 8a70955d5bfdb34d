"""OTLP in, in the app: the runs browser live while a receiver saves runs, and replays of imported runs (the
`⇣ OTLP` marker, child bars under their component, the inspector's list of calls, contents not traced).

The receiver here is a fake that saves synthetic recordings and calls back from a thread of its own, as the real
one (`pipeline.runs.otlp_receiver.OtlpReceiver`) does from its saver thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from pipeline import AsyncPipeline
from pipeline.core.events import ChildSpan, ComponentFinished, ComponentStarted, RunEvent, RunFinished, RunStarted
from pipeline.runs.otlp_import import runs_from_otlp, save_imported_run
from pipeline.runs.otlp_receiver import OtlpReceiver, ReceiverSettings
from pipeline.runs.recording import EventList, Imported, RunRecorder
from pipeline.runs.store import RunStore
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing
from tests.pipeline.runs.test_otlp_import import DATA, build_pipeline, otel, spans_exporter, traced_run
from tests.tui.app.conftest import TOY, screen_text, wait_for
from tests.tui.app.test_diff_screen import WALL, Visit, run_events
from tests.tui.app.test_snapshots import diamond_yaml, settle
from tui.app import PipedebugApp
from tui.layout.timeline import CHILD_FULL, CHILD_LANE
from tui.screens.debugger import DebuggerScreen
from tui.screens.runs import RunsScreen
from tui.widgets.graph import GraphView
from tui.widgets.inspector import Inspector
from tui.widgets.run_panes import NOT_TRACED
from tui.widgets.timeline import TimelineView

SIZE = (120, 40)
URL = "http://127.0.0.1:4318/v1/traces"


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@dataclass(frozen=True)
class Saved:
    path: Path


def save_run(directory: Path, run_id: str, minutes: int) -> Path:
    """A run of the diamond's `source` started `minutes` after WALL, saved as the store names it."""
    definition = AsyncPipeline.load(diamond_yaml(directory.parent), allowed_modules=[TOY]).dumps()
    events = run_events(run_id, [Visit("source", 0.01, 0.03, {"value": 2})], 0.25, WALL + 60 * minutes)
    directory.mkdir(parents=True, exist_ok=True)
    path = RunStore(directory).path_for("traced", run_id, WALL + 60 * minutes)
    recorder = RunRecorder(EventList(events), path, pipeline=definition, pipeline_name="traced", inputs={})

    async def drain() -> None:
        async with recorder:
            async for _ in recorder:
                pass

    asyncio.run(drain())
    return path


class FakeReceiver:
    """Saves runs into `directory` and tells its listeners from its own thread, like the real receiver."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.url = URL
        self.listeners: list[Callable[[Saved], None]] = []

    def add_listener(self, callback: Callable[[Saved], None]) -> None:
        self.listeners.append(callback)

    def receive(self, run_id: str, minutes: int) -> Path:
        """Save a run started `minutes` after WALL, then call back from a thread; returns once called back."""
        path = save_run(self.directory, run_id, minutes)
        thread = threading.Thread(target=lambda: [listener(Saved(path)) for listener in self.listeners])
        thread.start()
        thread.join()
        return path


def browser_rows(app: PipedebugApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [table.get_row_at(index)[COLUMN_RUN_ID] for index in range(table.row_count)]


COLUMN_RUN_ID = 7
"""The file column; its name ends with the run id's first 8 characters."""


def run_ids(app: PipedebugApp) -> list[str]:
    return [name.rsplit("_", 1)[1].removesuffix(".jsonl") for name in browser_rows(app)]


def listening_line(app: PipedebugApp) -> str:
    return str(app.screen.query_one("#runs-listening", Static).render())


async def test_the_runs_browser_adds_runs_as_they_arrive_newest_first_keeping_the_cursor(tmp_path: Path) -> None:
    runs_dir = tmp_path / "runs"
    receiver = FakeReceiver(runs_dir)
    await asyncio.to_thread(save_run, runs_dir, "00000000-before", -10)
    app = PipedebugApp(receiver=receiver, runs_dir=str(runs_dir), allowed_modules=[TOY], clock=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen) and run_ids(app) == ["00000000"], "listing")
        assert listening_line(app) == "⇣ listening on 127.0.0.1:4318 · 0 runs received"
        assert app.sub_title == "listening on 127.0.0.1:4318"
        assert not app.screen.check_action("close", ())  # the base screen: nothing to close back to

        await asyncio.to_thread(receiver.receive, "11111111-first", 1)
        await wait_for(pilot, lambda: run_ids(app) == ["11111111", "00000000"], "the first run")
        assert listening_line(app) == "⇣ listening on 127.0.0.1:4318 · 1 run received"

        table = app.screen.query_one(DataTable)
        table.move_cursor(row=1)  # the user is on the older run
        for index, minutes in enumerate((3, 2), start=2):  # a newer run, then one between the two
            await asyncio.to_thread(
                receiver.receive, f"{index}{index}{index}{index}{index}{index}{index}{index}-x", minutes
            )
        await wait_for(pilot, lambda: len(run_ids(app)) == 4, "two more runs")
        assert run_ids(app) == ["22222222", "33333333", "11111111", "00000000"]
        assert table.cursor_row == 3 and "00000000" in str(app.screen.highlighted.path)
        assert listening_line(app).endswith("· 3 runs received")
        assert "⇣ listening on 127.0.0.1:4318 · 3 runs received" in screen_text(app)

        table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen), "the replay on top")
        replay = app.screen
        assert isinstance(replay, DebuggerScreen)
        await wait_for(pilot, lambda: replay.status == "finished", "the replay to end")
        await asyncio.to_thread(receiver.receive, "44444444-while-replaying", 4)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "back to the browser")
        await wait_for(pilot, lambda: run_ids(app)[0] == "44444444", "the run that came meanwhile")
        assert listening_line(app).endswith("· 4 runs received")


async def test_listening_before_any_run_says_where_to_send_traces(tmp_path: Path) -> None:
    app = PipedebugApp(receiver=FakeReceiver(tmp_path / "runs"), runs_dir=str(tmp_path / "runs"), clock=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "No runs received yet" in screen_text(app), "the empty browser")
        assert "Send OTLP/HTTP traces to http://127.0.0.1:4318/v1/traces" in screen_text(app)
        assert not app.check_action("reload", ())


# -- a replay of an imported run ------------------------------------------------------------------------------


def imported_recording(directory: Path) -> Path:
    """The diamond as if imported from a trace without contents: `slow` (visit 2) made two calls, one failed."""
    definition = AsyncPipeline.load(diamond_yaml(directory), allowed_modules=[TOY]).dumps()
    run_id = "0e1f2a3b"
    events: list[RunEvent] = [RunStarted(run_id=run_id, time=10.0, wall_time=1.8e9, inputs={}, concurrency_limit=4)]
    visits = [("source", 0.0, 0.005), ("slow", 0.005, 0.105), ("double", 0.005, 0.015), ("total", 0.105, 0.11)]
    for visit_id, (name, start, end) in enumerate(visits, start=1):
        common = {"run_id": run_id, "visit_id": visit_id, "component": name, "visit": 1, "mode": "sync"}
        events.append(ComponentStarted(time=10 + start, inputs={}, **common))
        events.append(
            ComponentFinished(
                time=10 + end, outputs={}, started_at=10 + start, finished_at=10 + end, thread="", **common
            )
        )
    calls = [("POST /v1/chat/completions", 0.01, 0.06, "ok", ""), ("GET /search", 0.04, 0.1, "error", "503 busy")]
    for name, start, end, status, message in calls:
        events.append(
            ChildSpan(
                run_id=run_id,
                time=10 + end,
                visit_id=2,
                component="slow",
                name=name,
                started_at=10 + start,
                finished_at=10 + end,
                attributes={},
                status=status,  # type: ignore[arg-type]
                status_message=message,
                service="llm-gateway",
            )
        )
    events.sort(key=lambda event: event.time)
    events.append(RunFinished(run_id=run_id, time=10.11, outputs={}))
    path = directory / "imported-run.jsonl"
    imported = Imported(source="otlp", trace_id="5b8aa5a2d2c872e8321cf37308d69df2", service="rag", content_traced=False)
    recorder = RunRecorder(
        EventList(events), path, pipeline=definition, pipeline_name="diamond", inputs={}, imported=imported
    )

    async def drain() -> None:
        async with recorder:
            async for _ in recorder:
                pass

    asyncio.run(drain())
    return path


def imported_app(recording: Path) -> PipedebugApp:
    return PipedebugApp(replay=recording, speed=None, allowed_modules=[TOY], clock=None)


async def test_a_replay_of_an_imported_run_shows_its_calls_and_says_contents_were_not_traced(tmp_path: Path) -> None:
    app = imported_app(await asyncio.to_thread(imported_recording, tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        app.debugger.query_one(GraphView).select("slow")
        await settle(pilot)
        status = str(app.debugger.query_one("#status", Static).render())
        assert "⏮ REPLAY" in status and "⇣ OTLP" in status
        assert status.index("⇣ OTLP") > status.index("⏮ REPLAY")

        timeline = app.debugger.query_one(TimelineView)
        lanes = timeline.model.lanes
        slow = lanes.index("slow")
        assert lanes[slow + 1 : slow + 3] == [CHILD_LANE, CHILD_LANE]
        assert [(bar.name, bar.failed) for bar in timeline.model.children] == [
            ("POST /v1/chat/completions", False),
            ("GET /search", True),
        ]
        text = screen_text(app)
        assert CHILD_FULL * 3 in text
        assert (
            timeline._describe_child(timeline.model.children[1]) == "GET /search · 60.0 ms · error · in slow visit #1"
        )

        inspector = app.debugger.query_one(Inspector)
        calls = str(inspector.query_one("#inspector-children", Static).render())
        assert calls.splitlines() == [
            "↳   50.0 ms ok    POST /v1/chat/completions (llm-gateway)",
            "↳   60.0 ms error GET /search (llm-gateway) · 503 busy",
        ]
        notes = [str(note.render()) for note in inspector.query(".note").results(Static)]
        assert notes == [NOT_TRACED, NOT_TRACED]  # inputs and outputs

        app.debugger.query_one(GraphView).select("double")  # no calls: no list
        await settle(pilot)
        assert not inspector.query_one("#inspector-children").display


def test_snapshot_of_an_imported_replay_with_child_bars(
    snap_compare: Callable[..., bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the status bar shows the run file relative to here
    app = imported_app(imported_recording(tmp_path))

    async def run_before(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        app.debugger.query_one(GraphView).select("slow")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_run_traced_without_content_and_imported_opens_with_its_call_and_the_note(tmp_path: Path) -> None:
    """End to end with the real import: a pipeline traced through OpenTelemetry (no content), converted and
    saved by `pipeline.runs.otlp_import`, replayed: drawn from placeholders, `search`'s HTTP call under it."""
    spans_exporter.clear()
    enable_tracing(OpenTelemetryTracer(otel))
    try:
        _, request = await traced_run(build_pipeline(), DATA, content=False)
    finally:
        disable_tracing()
    [run] = runs_from_otlp(request)
    path = save_imported_run(run, tmp_path)
    app = PipedebugApp(replay=path, speed=None, clock=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        app.debugger.query_one(GraphView).select("search")
        await settle(pilot)
        assert "⇣ OTLP" in str(app.debugger.query_one("#status", Static).render())
        model = app.debugger.query_one(TimelineView).model
        assert [(bar.name, bar.component) for bar in model.children] == [("GET /search", "search")]
        assert model.lanes[model.lanes.index("search") + 1] == CHILD_LANE
        inspector = app.debugger.query_one(Inspector)
        assert "GET /search" in str(inspector.query_one("#inspector-children", Static).render())
        notes = [str(note.render()) for note in inspector.query(".note").results(Static)]
        assert notes == [NOT_TRACED, NOT_TRACED]


async def test_the_real_receiver_feeds_the_browser_and_its_run_replays(tmp_path: Path) -> None:
    """`pipedebug listen`'s pieces together: an OTLP/HTTP POST to the receiver ends up as a row, newest first."""
    spans_exporter.clear()
    enable_tracing(OpenTelemetryTracer(otel))
    try:
        _, request = await traced_run(build_pipeline(), DATA, content=False)
    finally:
        disable_tracing()
    receiver = OtlpReceiver(ReceiverSettings(port=0, quiet_period=0.05), tmp_path).start()
    try:
        app = PipedebugApp(receiver=receiver, runs_dir=str(tmp_path), clock=None)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: "No runs received yet" in screen_text(app), "the empty browser")
            address = f"127.0.0.1:{receiver.port}"
            assert listening_line(app) == f"⇣ listening on {address} · 0 runs received"
            post = urllib.request.Request(
                receiver.url, request.SerializeToString(), {"Content-Type": "application/x-protobuf"}
            )
            with await asyncio.to_thread(urllib.request.urlopen, post, timeout=5) as response:
                assert response.status == 200
            await wait_for(pilot, lambda: listening_line(app).endswith("· 1 run received"), "the run")
            table = app.screen.query_one(DataTable)
            assert table.row_count == 1 and "⇣ OTLP" in str(table.get_row_at(0)[6])
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen), "the replay")
            replay = app.screen
            assert isinstance(replay, DebuggerScreen)
            await wait_for(pilot, lambda: replay.status == "finished", "the replay to end")
            timeline = replay.query_one(TimelineView)
            # The panes catch up with the ended session on their next tick: wait for that redraw, then compare.
            await wait_for(pilot, lambda: bool(timeline.model.children), "the timeline's redraw of the ended replay")
            assert [bar.name for bar in timeline.model.children] == ["GET /search"]
    finally:
        receiver.stop()
