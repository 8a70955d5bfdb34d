"""`PipedebugApp`: the full-screen debugger. Paints at once, then loads the pipeline and warms it up in threads.

It opens a pipeline, or a recorded run to replay (`pipedebug replay RUN`). Runs opened from the runs browser
open as replays in a debugger screen of their own, on top of the one they were opened from.

`pipedebug listen` opens it on the runs browser instead (`PipedebugApp(receiver=...)`): an OTLP receiver running
in threads of its own saves each run traced elsewhere, and the browser adds it as it arrives; Enter replays it.

Opening the hybrid sample imports torch and transformers (about a second), then loads a model and embeds a
corpus (several seconds the first time). Both run in thread workers while the debugger screen is already up
with a progress bar; the pipeline can be inspected, given breakpoints and even run meanwhile (a run waits for
warm-ups still in progress, the engine warms each component up once).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar, Protocol
from urllib.parse import urlsplit

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.filter import LineFilter
from textual.screen import Screen

from pipeline import AsyncPipeline
from tui import keys
from tui.config import Config
from tui.keys import current_keys
from tui.loading import LoadError, default_pipeline, open_pipeline, open_recording
from tui.messages import LoadFailed, OpenRun, PipelineLoaded, RecordingLoaded, WarmUpFinished
from tui.screen_filter import CONTROL_CODES
from tui.screens.debugger import DebuggerScreen
from tui.screens.load_error import LoadErrorScreen
from tui.screens.runs import RunsScreen
from tui.start import RunStart


class ReceivedRun(Protocol):
    """What the app needs of a run a receiver saved (`pipeline.runs.otlp_receiver.SavedRun`)."""

    @property
    def path(self) -> Path: ...


class RunReceiver(Protocol):
    """What the app needs of a receiver (`pipeline.runs.otlp_receiver.OtlpReceiver`), already started."""

    @property
    def url(self) -> str: ...

    def add_listener(self, callback: Callable[[ReceivedRun], None]) -> None: ...


class ActionCommands(Provider):
    """A palette entry for every binding with a description on the screen the palette was opened from.

    Reading the bindings rather than keeping a second list keeps palette and footer in step: an action gets its
    key, footer label and palette entry in one place. Actions that do not apply right now stay listed, marked
    as such, and say so when chosen.
    """

    def _entries(self) -> Iterator[tuple[str, str, Binding]]:
        seen: set[str] = set()
        app_bindings = [
            replace(binding, action=f"app.{binding.action}")
            for binding in PipedebugApp.BINDINGS
            if isinstance(binding, Binding)
        ]
        for binding in [*self.screen.BINDINGS, *app_bindings]:
            if not isinstance(binding, Binding) or not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            keymap = self.app.config.keys if isinstance(self.app, PipedebugApp) else {}
            bound = current_keys(binding, keymap).split(",")
            keys = ", ".join(self.app.get_key_display(Binding(key, binding.action)) for key in bound)
            help_text = f"{binding.tooltip or binding.description} ({keys})"
            if not _available(self.screen, binding.action):
                help_text += " · not available now"
            yield binding.description, help_text, binding

    async def discover(self) -> Hits:
        for title, help_text, binding in self._entries():
            yield DiscoveryHit(title, partial(self._invoke, binding), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, binding in self._entries():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._invoke, binding), text=title, help=help_text)

    async def _invoke(self, binding: Binding) -> None:
        if not _available(self.screen, binding.action):
            self.app.notify(f"{binding.description}: not available now.", severity="warning")
            return
        await self.app.run_action(binding.action, default_namespace=self.screen)


def _available(screen: Screen[object], action: str) -> bool:
    """What the screen's `check_action` says of one of its actions; actions of the app (`app.x`) always apply."""
    name = action.split("(", 1)[0]
    return "." in name or bool(screen.check_action(name, ()))


class PipedebugApp(App[None]):
    """The debugger on one pipeline (a YAML file, a `.py` file or a package; the hybrid RAG sample by default)."""

    TITLE = "pipedebug"
    CSS_PATH = "app.tcss"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {*App.COMMANDS, ActionCommands}
    BINDINGS: ClassVar[list[BindingType]] = keys.APP

    def __init__(
        self,
        pipeline: str | Path | None = None,
        *,
        replay: Path | None = None,
        speed: float | None = 1.0,
        allowed_modules: Sequence[str] = (),
        record: bool = True,
        runs_dir: str | None = None,
        concurrency: int = 4,
        start: RunStart | None = None,
        clock: Callable[[], float] | None = time.perf_counter,
        receiver: RunReceiver | None = None,
        config: Config | None = None,
    ) -> None:
        """`replay`: a run file to replay instead of a pipeline to run, at `speed` (`None`: no pauses).
        `receiver`: open on the runs browser (of `runs_dir`: where the receiver saves), adding each run the
        receiver saves as it arrives; no pipeline is loaded. Its callbacks come from its own threads.
        `record`: write every run to the runs folder as it happens (`runs_dir`, else the default folder).
        `concurrency`: how many components a run may run at once.
        `clock`: what running components are timed by; `None` shows no times, for reproducible screenshots.
        `config`: remapped keys, theme and breakpoints (`tui.config`; checked with `keys.check_config`)."""
        super().__init__()
        self.pipeline_path = Path(pipeline) if pipeline is not None else None
        self.replay_path = replay
        self.speed = speed
        self.allowed_modules = tuple(allowed_modules)
        self.record = record
        self.runs_dir = runs_dir
        self.concurrency = concurrency
        self.start = start
        """`--paused` / `--break-before`: start a run as soon as the pipeline is loaded, stopped where they say."""
        self.clock = clock
        self.warm_up_seconds: float | None = None
        """How long the components' `warm_up()` took once it finished; `None` until then."""
        self.receiver = receiver
        self.config = config or Config()
        self.debugger = self._new_debugger(self.replay_path)
        """The base screen; listening, it is never shown, and only lends its breakpoints to the replays."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then one that keeps control codes in a run's strings off the terminal."""
        return [*super().get_line_filters(), CONTROL_CODES]

    def _new_debugger(self, replay: Path | None = None, *, closable: bool = False) -> DebuggerScreen:
        if replay is not None:
            source = replay.name
        else:
            source = self.pipeline_path.name if self.pipeline_path is not None else default_pipeline().name
        return DebuggerScreen(
            source,
            record=self.record,
            runs_dir=self.runs_dir,
            concurrency=self.concurrency,
            clock=self.clock,
            closable=closable,
        )

    def on_mount(self) -> None:
        keys.apply_config(self, self.config)
        if self.receiver is not None:
            self._listen(self.receiver)
            return
        self.push_screen(self.debugger)
        # Start loading once the first frame is out: the import thread would compete with it for the GIL.
        self.call_after_refresh(self.load)

    def _listen(self, receiver: RunReceiver) -> None:
        """The runs browser as the base screen, fed by the receiver's thread (it never waits on the UI)."""
        address = urlsplit(receiver.url).netloc
        self.sub_title = f"listening on {address}"
        browser = RunsScreen(self.runs_dir, listening=address)
        self.push_screen(browser)

        def arrived(run: ReceivedRun) -> None:  # in the receiver's thread
            if browser.queue_arrival(run.path):
                self.post_message(RunsScreen.Arrived(browser))  # thread-safe, and never waits on the UI

        receiver.add_listener(arrived)

    @on(RunsScreen.Arrived)
    def _runs_arrived(self, message: RunsScreen.Arrived) -> None:
        message.browser.take_arrivals()

    def receiver_problem(self, message: str) -> None:
        """Show a receiver's problem (a rejected request, a dropped trace) as a notification; from any thread."""
        self.notify(message, title="OTLP receiver", severity="warning")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Listening, there is no pipeline file to reload."""
        return not (action == "reload" and self.receiver is not None)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Open the pipeline off the UI thread: importing its components is the slow part."""
        if self.replay_path is not None:
            self._load_recording(self.replay_path, in_base=True)
            return
        try:
            loaded = open_pipeline(self.pipeline_path, self.allowed_modules)
        except LoadError as error:
            self.post_message(LoadFailed(error.failure))
        else:
            self.post_message(PipelineLoaded(loaded))

    @on(PipelineLoaded)
    def _loaded(self, message: PipelineLoaded) -> None:
        self.sub_title = message.loaded.name
        self.debugger.set_pipeline(message.loaded)
        self.debugger.add_config_breakpoints(self.config)
        self.debugger.set_progress(f"Warming up {message.loaded.name} (models, indexes)")
        if self.start is not None:
            self.start.apply(self.debugger)
        self.warm_up(message.loaded.pipe)

    def _load_recording(self, path: Path, *, in_base: bool) -> None:
        """Read a run file and rebuild its pipeline (blocking: from a thread worker) for the base screen, or for
        a new screen on top."""
        try:
            recorded, loaded = open_recording(path, self.allowed_modules)
        except LoadError as error:
            if not in_base:  # opened from the runs browser: the debugger underneath stays usable
                failure = error.failure
                self.call_from_thread(self.notify, failure.reason, title=failure.location, severity="error")
            else:
                self.post_message(LoadFailed(error.failure))
            return
        self.post_message(RecordingLoaded(recorded, loaded, in_base=in_base))

    @on(OpenRun)
    def open_run(self, message: OpenRun) -> None:
        """Replay a saved run in a debugger screen of its own, on top of the current one."""
        self.notify(f"Opening {message.path.name}…", timeout=2)
        self.run_worker(
            partial(self._load_recording, message.path, in_base=False),
            thread=True,
            group="open-run",
            exit_on_error=False,
        )

    @on(RecordingLoaded)
    def _recording_loaded(self, message: RecordingLoaded) -> None:
        if message.in_base:
            screen = self.debugger
            self.sub_title = f"replay · {message.loaded.name}"
        else:
            screen = self._new_debugger(message.recorded.path, closable=True)
            screen.breakpoints = self.debugger.breakpoints
            self.push_screen(screen)

        def start() -> None:
            screen.set_progress(None)
            screen.set_pipeline(message.loaded)
            if message.in_base:  # `pipedebug replay`: the config's breakpoints, as for a pipeline opened to run
                screen.add_config_breakpoints(self.config)
            screen.set_replay(message.recorded, self.speed)

        screen.call_after_refresh(start)

    @on(LoadFailed)
    def _load_failed(self, message: LoadFailed) -> None:
        self.debugger.set_progress(None)
        self.push_screen(LoadErrorScreen(message.failure))

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def warm_up(self, pipe: AsyncPipeline) -> None:
        """Warm the components up now, so the first run does not wait for models and indexes."""
        started, failure = time.perf_counter(), None
        try:
            pipe.warm_up()
        except Exception as error:  # a run would report it too, in context; say it now
            failure = error
        self.post_message(WarmUpFinished(time.perf_counter() - started, failure))

    @on(WarmUpFinished)
    def _warmed_up(self, message: WarmUpFinished) -> None:
        # Everything loaded so far (modules, torch, models, indexes: millions of objects) lives as long as the
        # app. Freezing it keeps the collector from walking it again in every full collection, each of which
        # would otherwise stall the event loop for 100-200 ms in the middle of a run.
        gc.freeze()
        self.warm_up_seconds = message.seconds
        self.debugger.set_progress(None)
        if message.error is not None:
            self.notify(f"{type(message.error).__name__}: {message.error}", title="Warm-up failed", severity="error")

    async def action_reload(self) -> None:
        """Start over on the same file: a new debugger screen (breakpoints are kept), loaded afresh; the old
        screen's run stops in the background (closing never waits on a run)."""
        self.debugger.controller.close()
        breakpoints = self.debugger.breakpoints
        self.debugger = self._new_debugger(self.replay_path)
        self.debugger.breakpoints = breakpoints
        while len(self.screen_stack) > 1:  # the old debugger, and the error screen if it failed to load
            await self.pop_screen()
        await self.push_screen(self.debugger)
        self.load()
