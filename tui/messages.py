"""Messages between the debugger's widgets, screens and workers.

Widgets say what the user picked and never reach into the session themselves; the debugger screen routes these
to the session and the other panes. Workers report what they loaded the same way: `post_message` is safe to call
from a thread worker. Messages name no screen (nor import one): screens import messages, never the reverse.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widget import Widget

from pipeline.runs.recording import RecordedRun
from tui.loading import LoadedPipeline, LoadFailure


class ComponentSelected(Message):
    """The user selected a component (graph, breakpoints list): the inspector shows its latest visit."""

    def __init__(self, name: str, control: Widget | None = None) -> None:
        super().__init__()
        self.name = name
        self._control = control

    @property
    def control(self) -> Widget | None:
        """The widget the selection was made in, so `@on(ComponentSelected, "#graph")` can tell them apart."""
        return self._control


class VisitSelected(Message):
    """The user picked one visit of a component (an earlier round of a loop, a bar in the timeline)."""

    def __init__(self, visit_id: int, component: str | None = None, control: Widget | None = None) -> None:
        super().__init__()
        self.visit_id = visit_id
        self.component = component
        """The visit's component, when the sender knows it: the graph then selects it too."""
        self._control = control

    @property
    def control(self) -> Widget | None:
        return self._control


class TimeSelected(Message):
    """The user picked a moment of the run (a click on the timeline's time axis): a replay seeks there."""

    def __init__(self, seconds: float, control: Widget | None = None) -> None:
        super().__init__()
        self.seconds = seconds
        """Relative to the run's start, as `RunSummary` times are."""
        self._control = control

    @property
    def control(self) -> Widget | None:
        return self._control


class OpenRun(Message):
    """Open a recorded run in the debugger, as a replay (from the runs browser)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path


class PipelineLoaded(Message):
    def __init__(self, loaded: LoadedPipeline) -> None:
        super().__init__()
        self.loaded = loaded


class RecordingLoaded(Message):
    """A run file was read and its pipeline rebuilt: replay it in the app's base screen (`pipedebug replay RUN`),
    or in a new screen on top (a run opened from the browser)."""

    def __init__(self, recorded: RecordedRun, loaded: LoadedPipeline, *, in_base: bool) -> None:
        super().__init__()
        self.recorded = recorded
        self.loaded = loaded
        self.in_base = in_base


class LoadFailed(Message):
    def __init__(self, failure: LoadFailure) -> None:
        super().__init__()
        self.failure = failure


class WarmUpFinished(Message):
    """The components' `warm_up()` ran (models loaded, corpus indexed), or one of them raised `error`."""

    def __init__(self, seconds: float, error: BaseException | None) -> None:
        super().__init__()
        self.seconds = seconds
        self.error = error
