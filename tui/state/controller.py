"""Run control without a UI: start a live run, pause, step, stop, replay, fork and save, and say what applies now.

The debugger screen owns one `RunController` and only binds keys and renders what it says. Each run is a
`DebugSession` driven by an asyncio task this controller owns (a new run or a seek replaces it); nothing here
ever waits on the caller: `stop()` and `close()` ask the run to end and return, the task winds the run down in
the background (its stream closed, so no component task or thread outlives it), and `status()` says
"stopping…" meanwhile. `aclose()` is the one that waits, for callers that may (a test, the app's exit).

No Textual import: this is tested with real pipelines and recordings, no app.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from pipeline.core.errors import PipelineValidationError
from pipeline.core.events import ComponentStarted, EventStream, RunEvent, RunStarted
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.compare import concurrency_profile
from pipeline.runs.fork import ForkError, fork_run
from pipeline.runs.recording import EventList, Parent, RecordedRun
from pipeline.runs.spans import ComponentSpan
from pipeline.runs.store import RunStore
from tui.layout.timeline import TimelineModel
from tui.loading import LoadedPipeline
from tui.state.breakpoints import Breakpoints
from tui.state.flow import NO_ROUTING, Routing, routing
from tui.state.logs import LogCapture, LogLine, LogSink, log_marks
from tui.state.replay import ReplayControl
from tui.state.session import ENDED, DebugSession, SessionError
from tui.state.streams import LiveRecording

Severity = Literal["information", "warning", "error"]
Activity = Literal["loading", "ready", "running", "pausing", "paused", "stopping", "finished", "failed", "stopped"]


class Notify(Protocol):
    """How the controller tells the user something (a Textual screen's `notify` fits)."""

    def __call__(
        self, message: str, *, title: str = "", severity: Severity = "information", timeout: float | None = None
    ) -> None: ...


def _ignore(message: str, **_: Any) -> None:
    """The default `notify`: a controller without a UI has nobody to tell."""


@dataclass(frozen=True, slots=True)
class ReplayState:
    """Where a replay is: for the status bar (`event 12/40`) and the timeline's playhead."""

    speed: str
    position: int
    events: int
    imported: str | None
    """The source of a run imported from traces (`otlp`), else `None`."""


@dataclass(frozen=True, slots=True)
class RunStatus:
    """What the status bar says, as data: the widget that draws it decides how it looks."""

    name: str
    activity: Activity
    replay: ReplayState | None = None
    fork_of: str | None = None
    """For a fork: the parent run's id (short) and the visit it started from, `a1b2c3d4 @ wait_2 visit #1`."""
    paused_at: str | None = None
    pause_kind: str | None = None
    condition_error: str | None = None
    error: str | None = None
    duration: float | None = None
    """The run's pipeline time once it ended (pauses and warm-ups left out: docs/engine.md)."""
    left_out: float | None = None
    """Seconds of pauses and warm-ups the ended run's `duration` leaves out (`None`: none)."""
    running: tuple[str, ...] = ()
    queued: tuple[str, ...] = ()
    ready: tuple[str, ...] = ()
    """Components with their inputs that wait for a concurrency slot or their turn (not running yet)."""
    breakpoints: int = 0
    path: Path | None = None
    from_recording: bool = False
    """`path` is what a replay plays (`from`), not where this run was saved."""
    recording: bool = True


@dataclass(frozen=True, slots=True)
class SocketsEdit:
    """A visit whose sockets the user may edit now: its record, the sockets' declared types, a note to show."""

    visit_id: int
    record: ComponentSpan
    types: dict[str, Any]
    note: str = ""


class RunController:
    """One screen's runs: the live run or replay shown, how it was recorded, and what the user may do now."""

    def __init__(
        self,
        source: str,
        *,
        breakpoints: Breakpoints | None = None,
        record: bool = True,
        runs_dir: str | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] | None = time.perf_counter,
        notify: Notify = _ignore,
        log_sink: LogSink | None = None,
    ) -> None:
        """`source` names the pipeline until it is loaded; `record`: write each live run as it happens;
        `clock` times running components (`None`: no times, for reproducible screenshots); `log_sink` gets what
        components print and log while a run is driven."""
        self.source = source
        self.breakpoints = breakpoints if breakpoints is not None else Breakpoints()
        self.recording = record
        self.runs_dir = runs_dir
        self.concurrency = concurrency
        self.clock = clock
        self.notify = notify
        self.log_sink = log_sink
        self.loaded: LoadedPipeline | None = None
        self.session: DebugSession | None = None
        self.replay: ReplayControl | None = None
        """Set for a replay of a recorded run (`open_replay`); `None` for live runs."""
        self.record_path: Path | None = None
        """Where the current run is (being) recorded: live, or by `save_run` afterwards; a replay's file."""
        self.forked_from: Parent | None = None
        """For a fork: the recorded run and visit it started from."""
        self.parent_path: Path | None = None
        """For a fork: the parent run's file."""
        self.run_error: str | None = None
        """A failure of the debugger's own pump, shown as the run's error."""
        self.on_session: Callable[[DebugSession], None] | None = None
        """Told of each new session before it is driven, so a view resets what it showed of the last one."""
        self._task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        """Every task still going: the run shown, runs being wound down, saves."""
        self._prepared: tuple[PipelineRun, dict[str, Any]] | None = None
        self._version = 0
        self._routing: tuple[DebugSession, int, Routing] | None = None
        self._timeline: tuple[DebugSession, int, TimelineModel] | None = None
        self._concurrency: tuple[DebugSession, int, str] | None = None
        """An ended run's concurrency title: its profile reads every span (10 ms for 10k), once per change."""
        self._log_marks: tuple[DebugSession, int, list[tuple[str, float, str]]] | None = None
        """The session's log marks so far and how many of its events they cover: each rebuild reads new events only."""

    # -- what the screen reads ---------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows when something the session's own version does not cover changed (a save, the speed)."""
        return self._version

    @property
    def state(self) -> str:
        """The session's status (`idle` with none)."""
        return self.session.status if self.session is not None else "idle"

    @property
    def active(self) -> bool:
        """A run is in progress (about to start, running or paused): no second run may start."""
        return self.session is not None and self.session.status not in ENDED

    @property
    def position(self) -> int:
        """How many of the run's events the panes show (of a replay: where it is, from the moment it sought)."""
        session = self.session
        return max(len(session.events), len(session.history)) if session is not None else 0

    @property
    def tasks(self) -> frozenset[asyncio.Task[None]]:
        """The tasks this controller started that have not ended yet."""
        return frozenset(task for task in self._tasks if not task.done())

    def allowed(self, action: str, *, visit_id: int | None = None) -> bool | None:
        """Whether `action` makes sense now: `True`, `False` (hidden), or `None` (greyed out: it will again
        soon). `visit_id`: the visit the user inspects, which a fork would start from."""
        state, replaying, loaded = self.state, self.replay is not None, self.loaded is not None
        session = self.session
        match action:
            case "run":
                return False if self.active or replaying else loaded or None
            case "restart" | "seek_completion" | "speed" | "seek" | "go_to":
                return replaying
            case "fork":
                return (replaying and visit_id is not None) or (None if replaying else False)
            case "diff_parent":
                forked = self.forked_from is not None and self.parent_path is not None
                return forked and ((state in ENDED and self.record_path is not None) or None)
            case "compare":
                return loaded and not replaying and (not self.active or None)
            case "toggle_breakpoint" | "condition" | "focus_inputs":
                return loaded or None
            case "resume" | "step":
                return True if state == "paused" else None if self.active else False
            case "pause":  # hidden while paused: Continue and Step take its place, and the footer has no room
                if state == "running" and not self._winding_down():
                    return True
                return None if self.active and state != "paused" else False
            case "stop":
                return self.active and not (session is not None and session.stopping)
            case "edit_outputs":
                return session is not None and session.editable_visit is not None
            case "save_run":
                return not replaying and session is not None and bool(session.events)
            case "export":
                return session is not None and bool(session.events)
        return True

    def _winding_down(self) -> bool:
        return self.session is not None and (self.session.pausing or self.session.stopping)

    def status(self) -> RunStatus:
        """The status bar's content, true at this moment: a pause or a stop asked for and not yet taken effect
        says `pausing`/`stopping`, a replay between two events says `running`."""
        name = self.loaded.name if self.loaded is not None else self.source
        replay = None
        if self.replay is not None:
            imported = self.replay.recorded.header.imported
            replay = ReplayState(
                self.replay.describe_speed(), self.position, len(self.replay), imported.source if imported else None
            )
        fork_of = None
        if self.forked_from is not None:
            visit = self.forked_from.describe_visit()
            fork_of = self.forked_from.run_id[:8] + (f" @ {visit}" if visit else "")
        common: dict[str, Any] = {
            "name": name,
            "replay": replay,
            "fork_of": fork_of,
            "breakpoints": len(self.breakpoints),
            "path": self.record_path,
            "from_recording": self.replay is not None,
            "recording": self.recording,
        }
        session = self.session
        if self.loaded is None:
            return RunStatus(activity="loading", **common)
        if session is None:
            return RunStatus(activity="ready", **common)
        status = session.status
        activity: Activity
        paused_at: str | None = None
        kind: str | None = None
        condition_error: str | None = None
        error: str | None = None
        if session.stopping:
            activity = "stopping"
        elif status == "paused" and session.pause_reason is not None:
            activity, reason = "paused", session.pause_reason
            paused_at, kind = reason.component, reason.kind
            visit = getattr(reason.event, "visit", None)
            if paused_at is not None and visit is not None and len(self.visit_ids(paused_at)) > 1:
                paused_at = f"{paused_at} visit #{visit}"  # a loop's visits: numbered as every pane numbers them
            if isinstance(reason.event, ComponentStarted):  # the engine holds the visit back: it has not run
                kind = f"{kind}, before it runs"
            if reason.hit is not None and reason.hit.error is not None:
                condition_error = reason.hit.error
        elif session.pausing:
            activity = "pausing"
        elif status in ("idle", "running", "paused"):
            activity = "running"
        elif status == "cancelled":
            activity = "stopped"
        else:
            activity = status  # type: ignore[assignment]  # finished, failed
        if status == "failed":
            error = self.run_error or (str(session.error).splitlines()[0] if session.error is not None else None)
        duration = session.summary.duration if self.clock is not None else None
        wall = session.summary.wall_duration
        left_out = wall - duration if duration is not None and wall is not None and wall - duration >= 0.005 else None
        return RunStatus(
            activity=activity,
            paused_at=paused_at,
            pause_kind=kind,
            condition_error=condition_error,
            error=error or None,
            duration=duration,
            left_out=left_out,
            running=tuple(session.running) if status != "finished" else (),
            queued=tuple(session.queued),
            ready=tuple(session.summary.ready) if status != "finished" else (),
            **common,
        )

    def now(self) -> float | None:
        """The run's clock: the machine's for a live run, the recording's for a replay (standing still while
        the replay is paused); `None` without a clock."""
        if self.clock is None:
            return None
        replay = self.replay
        if replay is None or replay.stream is None:
            return self.clock()
        if self.state == "paused" and self.position:
            return replay.events[self.position - 1].time
        return replay.stream.clock()

    def playhead(self) -> float | None:
        """Where a replay is, in seconds since the run started (the timeline's axis), while it plays or is paused;
        `None` for a live run, once the replay ended, and without a clock (screenshots)."""
        now = self.now()
        if self.replay is None or now is None or self.state in ENDED:
            return None
        return now - self.replay.events[0].time

    def socket_names(self, component: str) -> list[str] | None:
        """A component's output sockets, which its breakpoint conditions may name; `None` until loaded."""
        if self.loaded is None:
            return None
        return list(self.loaded.pipe.outputs(include_components_with_connected_outputs=True).get(component, {}))

    def condition_names(self, component: str) -> list[str] | None:
        """The names a condition of the component's breakpoint may use besides `visit`: its output sockets, or its
        input sockets for a breakpoint before it runs; `None` until loaded."""
        existing = self.breakpoints.get(component)
        if existing is None or existing.when == "after":
            return self.socket_names(component)
        if self.loaded is None:
            return None
        return list(self.loaded.pipe.inputs(include_components_with_connected_inputs=True).get(component, {}))

    def visit_ids(self, component: str | None) -> list[int]:
        """The component's visits so far, in order (a loop visits a component many times)."""
        if component is None or self.session is None:
            return []
        return [span.visit_id for span in self.session.summary.spans_of(component)]

    def visit_state(self, visit_id: int) -> str:
        """A visit's state as the inspector titles it: its span's status, or `paused` for the visit paused on."""
        session = self.session
        if session is None:
            return ""
        reason = session.pause_reason if session.status == "paused" else None
        if reason is not None and reason.visit_id == visit_id:
            return "paused"
        span = session.summary.span(visit_id)
        return span.status if span is not None else ""

    def focus_target(self, seen: object) -> tuple[object, str | None]:
        """The component that matters after a new pause (the one paused on) or a failure (the one that failed),
        once per pause: `seen` is what the last call returned first; returns what to pass next time and the
        component to select, if any. Pauses are told apart by their reason, as a step may pause again between
        two calls."""
        session = self.session
        if session is None:
            return seen, None
        status, reason = session.status, session.pause_reason
        focus: str | None = None
        if status == "paused" and reason is not None and reason is not seen:
            focus = reason.component
        elif status == "failed" and seen != "failed":
            failed = [span.component for span in session.summary.spans if span.status == "failed"]
            focus = failed[0] if failed else None
        return (reason if status == "paused" else status), focus

    def routing(self) -> Routing:
        """Untaken connections and skipped components, recomputed only when the session changed."""
        session = self.session
        if session is None or self.loaded is None:
            return NO_ROUTING
        seen = self._routing
        if seen is None or seen[0] is not session or seen[1] != session.version:
            found = routing(self.loaded.model, session.flow, finished=session.status == "finished")
            seen = self._routing = (session, session.version, found)
        return seen[2]

    def timeline(self, lanes: Sequence[str]) -> TimelineModel | None:
        """The timeline's model of the run shown, rebuilt only when the session changed (with the critical path
        once the run ended); a replay's axis spans the whole recording, so playing never rescales it."""
        session = self.session
        if session is None:
            return None
        seen = self._timeline
        if seen is None or seen[0] is not session or seen[1] != session.version:
            connections = list(self.loaded.pipe.connections()) if self.loaded and session.status in ENDED else None
            model = TimelineModel.from_summary(
                session.summary,
                connections=connections,
                until=self.replay.duration if self.replay is not None else 0.0,
                lanes=lanes,
                children=session.children.spans,
            ).with_logs(self._marks(session))
            seen = self._timeline = (session, session.version, model)
        return seen[2]

    def _marks(self, session: DebugSession) -> list[tuple[str, float, str]]:
        """Where the timeline marks logged lines, extended by the events since the last call (a session's events
        only grow): a redraw of a long run no longer re-reads every event."""
        seen = self._log_marks
        read, marks = (seen[1], seen[2]) if seen is not None and seen[0] is session else (0, [])
        if session.summary.origin is not None:  # before RunStarted no time can be placed: read these events later
            marks.extend(log_marks(session.events[read:], session.summary))
            self._log_marks = (session, len(session.events), marks)
        return marks

    def concurrency_title(self) -> str:
        """How many visits run now, or, once the run ended, the most that ran at once and how many on average."""
        session = self.session
        if session is None:
            return ""
        if session.status not in ENDED:
            running = len(session.summary.running)
            return f"{running} running" if running else ""
        seen = self._concurrency
        if seen is None or seen[0] is not session or seen[1] != session.version:
            profile = concurrency_profile(session.summary.spans)
            title = f"at most {profile.peak} at once · {profile.mean:.2f} on average" if profile.peak else ""
            seen = self._concurrency = (session, session.version, title)
        return seen[2]

    # -- live runs ------------------------------------------------------------------------------------------

    def set_pipeline(self, loaded: LoadedPipeline) -> None:
        self.loaded = loaded
        self._changed()

    def start_run(self, data: dict[str, Any]) -> bool:
        """Run the loaded pipeline with `data`, recorded as it happens unless recording is off; says why not."""
        if self.loaded is None or self.replay is not None:
            return False
        if self.active:
            self.notify("A run is in progress: stop it (x) or let it finish first.", severity="warning")
            return False
        try:
            run = self.loaded.pipe.events(data, concurrency_limit=self.concurrency, capture_logs=True)
        except PipelineValidationError as error:
            self.notify(str(error), title="Cannot run", severity="error")
            return False
        self.forked_from = self.parent_path = None  # nobody's fork, even on a fork's screen
        self._begin(run, data)
        return True

    def start(self) -> None:
        """Drive the run `fork` prepared (once the screen showing it is up, so it sees every line logged)."""
        if self._prepared is not None:
            (run, inputs), self._prepared = self._prepared, None
            self._begin(run, inputs)

    def _begin(self, run: PipelineRun, data: dict[str, Any]) -> None:
        assert self.loaded is not None
        stream: EventStream = run
        self.record_path = None
        if self.recording:
            try:
                recorder = RunStore(self.runs_dir).record(
                    run, pipeline_name=self.loaded.name, pipeline=self.loaded.pipe, inputs=data, parent=self.forked_from
                )
            except OSError as error:
                self.notify(f"Not recording: {error}", title="Runs folder", severity="warning")
            else:
                stream = LiveRecording(run, recorder)
                self.record_path = recorder.path
        self._drive(DebugSession(stream, self.breakpoints, live=True))

    def pause(self) -> None:
        if self.session is not None:
            self.session.pause()

    def resume(self) -> None:
        if self.session is not None:
            self.session.resume()

    def step(self) -> None:
        if self.session is not None:
            self.session.step()

    def stop(self) -> None:
        """Ask the run to stop and return at once: the session drains its last events in the background."""
        if self.session is not None:
            self.session.stop()

    def close(self) -> None:
        """The screen goes away: stop whatever this controller drives, never waiting (the tasks end on their
        own once their streams are closed)."""
        self.stop()

    async def aclose(self) -> None:
        """Stop, and wait until every task of this controller ended: nothing left running."""
        self.stop()
        while tasks := self.tasks:
            await asyncio.wait(tasks)

    def _drive(self, session: DebugSession) -> None:
        """Make `session` the one shown and drive it; the run shown before is stopped, in the background."""
        self.session, self.run_error = session, None
        if self._task is not None:
            self._task.cancel()  # its session ends `cancelled`, its stream closed, in the background
        if self.on_session is not None:
            self.on_session(session)
        self._task = self._spawn(self._pump(session))
        self._changed()

    async def _pump(self, session: DebugSession) -> None:
        """Pump the session's events; what components print or log goes to the log sink meanwhile."""
        with LogCapture(self._log):
            try:
                await session.run()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a bug in the debugger's pump: shown as the run's failure
                self.run_error = f"{type(error).__name__}: {error}"
                self.notify(self.run_error, title="Debugger error", severity="error")
        recorder = getattr(session.stream, "recorder", None)
        if recorder is not None and recorder.failure is not None:  # a full disk: the run went on, unrecorded
            self.notify(f"{recorder.failure} (the run went on)", title="Runs folder", severity="warning", timeout=10)

    def _log(self, line: LogLine) -> None:
        if self.log_sink is not None:
            self.log_sink(line)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- replays ------------------------------------------------------------------------------------------------

    def open_replay(self, recorded: RecordedRun, speed: float | None = 1.0) -> None:
        """Replay `recorded`, starting at once: nothing is executed and nothing is recorded again."""
        self.replay = ReplayControl(recorded, speed)
        self.record_path = recorded.path
        self.seek(0, paused=False)

    @property
    def recorded_inputs(self) -> dict[str, Any]:
        """What the replayed run was given."""
        assert self.replay is not None
        started = self.replay.events[0]
        assert isinstance(started, RunStarted)
        return dict(started.inputs)

    def seek(self, position: int, *, paused: bool = True) -> None:
        """Show the replay as it was after `position` events (negative: from the end, -1 being the end), and
        play on from there unless `paused`."""
        if self.replay is None:
            return
        if position < 0:
            position = len(self.replay) + 1 + position
        self._drive(self.replay.session_at(position, self.breakpoints, paused=paused))

    def restart(self) -> None:
        self.seek(0, paused=False)

    def seek_completion(self, direction: int) -> None:
        """Back (-1) or forward (+1) to the moment right after a component completion, paused there."""
        if self.replay is not None:
            at = self.position
            self.seek(self.replay.previous_completion(at) if direction < 0 else self.replay.next_completion(at))

    def seek_time(self, seconds: float) -> bool:
        """Go to `seconds` after the run's start, paused; says why not in a live run."""
        if self.replay is None:
            self.notify("Seeking in time works in replays: open a saved run (ctrl+o).", timeout=3)
            return False
        self.seek(self.replay.position_at(seconds))
        return True

    def change_speed(self, factor: float) -> None:
        if self.replay is None:
            return
        if factor > 1:
            self.replay.faster()
        else:
            self.replay.slower()
        self.notify(f"Replay speed: {self.replay.describe_speed()}", timeout=1.5)
        self._changed()

    # -- forks ----------------------------------------------------------------------------------------------------

    def fork_target(self, visit_id: int | None) -> SocketsEdit | None:
        """The replayed visit a fork would start from, with its inputs' types; says why not when there is none."""
        session, replay = self.session, self.replay
        record = session.visit(visit_id) if session is not None and visit_id is not None else None
        if replay is None or visit_id is None or record is None or record.inputs is None or self.loaded is None:
            self.notify("Select a visit that started in the replay (graph, timeline or [ ]) to fork from it.")
            return None
        sockets = self.loaded.pipe.inputs(include_components_with_connected_inputs=True).get(record.component, {})
        types = {socket: info["type"] for socket, info in sockets.items()}
        note = f"save runs it again from {record.component} visit #{record.visit}, live"
        return SocketsEdit(visit_id, record, types, note)

    def fork(self, visit_id: int, inputs: dict[str, Any]) -> RunController | None:
        """A controller for a live run of the replayed pipeline from `visit_id` on, with `inputs` replacing that
        visit's recorded inputs (only those that changed), recorded with its parent link; `start()` drives it.
        Says why not and returns `None` when the fork cannot run."""
        replay, loaded = self.replay, self.loaded
        if replay is None or loaded is None:
            return None
        record = self.session.visit(visit_id) if self.session is not None else None
        original = record.inputs or {} if record is not None else {}
        changed = {socket: value for socket, value in inputs.items() if value is not original.get(socket)}
        try:
            run, parent = fork_run(
                replay.recorded,
                visit_id,
                inputs=changed,
                pipeline=loaded.pipe,
                concurrency_limit=self.concurrency,
                capture_logs=True,
            )
        except (ForkError, PipelineValidationError) as error:
            self.notify(str(error), title="Cannot fork", severity="error")
            return None
        fork = RunController(
            self.source,
            breakpoints=self.breakpoints,
            record=self.recording,
            runs_dir=self.runs_dir,
            concurrency=self.concurrency,
            clock=self.clock,
        )
        fork.loaded = loaded
        fork.forked_from, fork.parent_path = parent, replay.recorded.path
        fork._prepared = (run, self.recorded_inputs)
        return fork

    # -- edits, saving, recording -----------------------------------------------------------------------------------

    def edit_target(self) -> SocketsEdit | None:
        """The visit paused on, whose outputs may be edited now; says why not when there is none."""
        session = self.session
        visit_id = session.editable_visit if session is not None else None
        record = session.visit(visit_id) if session is not None and visit_id is not None else None
        if visit_id is None or record is None or self.loaded is None:
            self.notify("Outputs can be edited while the run is paused on a component's completion.")
            return None
        sockets = self.loaded.pipe.outputs(include_components_with_connected_outputs=True).get(record.component, {})
        return SocketsEdit(visit_id, record, {socket: info["type"] for socket, info in sockets.items()})

    def edit_outputs(self, visit_id: int, outputs: dict[str, Any]) -> bool:
        """Replace what the paused visit hands on; says whether it did, and why not."""
        session = self.session
        record = session.visit(visit_id) if session is not None else None
        if session is None or record is None:
            return False
        try:
            session.edit_outputs(visit_id, outputs)
        except SessionError as error:
            self.notify(str(error), title="Outputs not replaced", severity="error")
            return False
        self.notify(f"Outputs of {record.component} visit #{record.visit} replaced.", timeout=2)
        return True

    def toggle_recording(self) -> None:
        self.recording = not self.recording
        self.notify("Runs are recorded as they happen." if self.recording else "Runs are not recorded.", timeout=2)
        self._changed()

    def save_run(self) -> None:
        """Write the run to the runs folder in a thread (encoding a large run takes a while); a run recorded as it
        happened is saved already."""
        session = self.session
        if session is None or not session.events or self.loaded is None:
            self.notify("Nothing to save yet: run the pipeline first.")
            return
        if self.record_path is not None:
            self.notify(f"Saved (recorded as it ran): {self.record_path}", title="Run saved", timeout=6)
            return
        self._spawn(self._save(list(session.events), self.loaded))

    async def _save(self, events: list[RunEvent], loaded: LoadedPipeline) -> None:
        try:
            path = await asyncio.to_thread(_write_run, events, loaded, self.runs_dir)
        except OSError as error:
            self.notify(f"Cannot save the run: {error}", severity="error")
            return
        self.record_path = path
        self.notify(f"Saved: {path}", title="Run saved", timeout=6)
        self._changed()

    def export_name(self) -> str:
        """The file name an export of the run starts from: its recording's, else the pipeline and the run id."""
        assert self.session is not None and self.session.events
        if self.record_path is not None:
            return self.record_path.stem
        return f"{self.source}-{self.session.events[0].run_id[:8]}"

    def _changed(self) -> None:
        self._version += 1


def _write_run(events: list[RunEvent], loaded: LoadedPipeline, runs_dir: str | None) -> Path:
    """Write events already read to a new run file (blocking: from a thread)."""
    recorder = RunStore(runs_dir).record(EventList(events), pipeline_name=loaded.name, pipeline=loaded.pipe)

    async def drain() -> None:
        async with recorder:
            async for _ in recorder:
                pass

    asyncio.run(drain())
    return recorder.path
