"""The runs browser: every recording in the runs folder, newest first; open, delete or diff them.

Listing reads each file's header and its first and last events (`run_info`) in a thread worker, so a folder of
many long runs never stalls the UI. A damaged file is a row saying "unreadable" and why, never an error.

Listening (`pipedebug listen`), the browser is the app's first screen and grows as runs arrive: the receiver's
thread calls `queue_arrival`, which reads the new file there and queues it, and the app posts `Arrived` (a
thread-safe post that never waits on the UI) when the queue was empty; `take_arrivals` then adds what queued up
in one go, newest first, keeping the cursor on the run it was on. Enter opens a run on top; the browser keeps
listening.
"""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Label, Static
from textual.worker import Worker, WorkerState

from pipeline.runs.store import RunInfo, RunStore, run_info
from tui import keys
from tui.commands.runs import LISTING_STYLES
from tui.messages import OpenRun
from tui.screens.diff import DiffScreen

MARK = "●"
COLUMNS = ("mark", "started", "pipeline", "status", "duration", "events", "notes", "file")
COLUMN_WIDTHS = {"mark": 1, "notes": 40}
"""Fixed widths; the notes are cut short with an ellipsis, the line under the table shows them whole."""
_LIST_WORKER = "list-runs"


def started_text(run: RunInfo) -> str:
    """The local date and time the run started, to the second, as a sortable string."""
    return "" if run.wall_time is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.wall_time))


def notes_text(run: RunInfo) -> Text:
    """Where an imported run came from (`⇣ OTLP` and its service), the run's label and the run it was forked
    from; for an unreadable file, its problem (the file is
    named in its own column, so a leading path is dropped)."""
    if run.header is None:
        return Text(problem_without_path(run), style=LISTING_STYLES["unreadable"])
    notes = [run.header.label] if run.header.label else []
    imported = run.header.imported
    if imported is not None:
        notes.insert(0, " ".join(filter(None, (f"⇣ {imported.source.upper()}", imported.service))))
    if run.parent is not None:
        fork = f"fork of {run.parent.run_id[:8]}"
        visit = run.parent.describe_visit()
        notes.append(fork if visit is None else f"{fork} @ {visit}")
    return Text(" · ".join(notes))


def cut(text: Text, width: int) -> Text:
    """`text` on one line of at most `width` cells, ending with an ellipsis when cut."""
    short = text.copy()
    short.truncate(width, overflow="ellipsis")
    return short


def problem_without_path(run: RunInfo) -> str:
    """`run.problem` without its leading `path:` (and `path:1:` turned into `line 1:`)."""
    problem = run.problem or ""
    match = re.match(rf"{re.escape(str(run.path))}(?::(\d+))?: ", problem)
    if match is None:
        return problem
    return (f"line {match[1]}: " if match[1] else "") + problem[match.end() :]


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismisses with True only when the user confirms. Cancel has the focus, so an Enter
    pressed by habit does not delete anything."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }
    ConfirmScreen > #confirm-dialog {
        width: auto;
        max-width: 90%;
        height: auto;
        border: thick $error;
        background: $surface;
        padding: 1 2;
    }
    ConfirmScreen #confirm-question {
        margin-bottom: 1;
    }
    ConfirmScreen #confirm-buttons {
        width: auto;
        height: auto;
    }
    ConfirmScreen #confirm-buttons Button {
        margin-right: 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.CONFIRM

    def __init__(self, question: Text | str, confirm: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(self.question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.confirm, variant="error", id="confirm-yes")
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _confirmed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)


class RunsScreen(Screen[Path | None]):
    """The saved runs of `runs_dir` (default: `$PIPEDEBUG_RUNS_DIR`, else `./.pipedebug/runs`), newest first.

    Dismisses with the path of the run chosen with Enter (the caller opens it as a replay), or `None` when
    closed with Escape: push it with a callback, or `await push_screen_wait`. Listening (`listening` names the
    address), it is the app's base screen instead: Enter posts `OpenRun`, and it cannot be closed.
    Space marks up to two runs; D diffs the first marked run (a) against the second one or, with one mark, the
    highlighted run (b).
    """

    DEFAULT_CSS = """
    RunsScreen #runs-title {
        height: 1;
        padding: 0 1;
        text-style: bold;
    }
    RunsScreen #runs-listening {
        height: 1;
        padding: 0 1;
        background: $primary-muted;
    }
    RunsScreen #runs-table {
        height: 1fr;
    }
    RunsScreen #runs-empty {
        padding: 1 2;
    }
    RunsScreen #runs-detail {
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $panel;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.RUNS

    class Arrived(Message):
        """Runs queued up in `browser` (posted to the app from the receiver's thread): `take_arrivals` adds them."""

        def __init__(self, browser: RunsScreen) -> None:
            super().__init__()
            self.browser = browser

    def __init__(self, runs_dir: str | Path | None = None, *, listening: str | None = None) -> None:
        """`listening`: the address a receiver listens on (`127.0.0.1:4318`); its runs come in by `run_arrived`."""
        super().__init__()
        self.store = RunStore(runs_dir)
        self.listening = listening
        self.runs: dict[str, RunInfo] = {}
        """The listed runs by row key (the path as a string), newest first."""
        self.marked: list[str] = []
        """Row keys of the marked runs, in the order they were marked."""
        self.received = 0
        """Runs that arrived while listening, the file of each counted once."""
        self._arrived: dict[str, RunInfo] = {}
        """Every run that arrived, by row key: a listing of the folder read before they were saved keeps them."""
        self._queue: list[RunInfo] = []
        self._queue_lock = threading.Lock()

    def compose(self) -> ComposeResult:
        yield Label(Text.assemble("Runs in ", (str(self.store.directory), "cyan")), id="runs-title")
        if self.listening is not None:
            yield Static(self._listening_text(), id="runs-listening")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="runs-empty")
        yield Static(id="runs-detail")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for column in COLUMNS:
            table.add_column("" if column == "mark" else column, key=column, width=COLUMN_WIDTHS.get(column))
        self.query_one("#runs-empty").display = False
        self.action_reload()

    def action_reload(self) -> None:
        """List the folder again in a thread; the table is refilled when it is read."""
        self.query_one(DataTable).loading = True
        self.run_worker(self.store.runs, name=_LIST_WORKER, thread=True, exclusive=True, exit_on_error=False)

    @on(Worker.StateChanged)
    def _listed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != _LIST_WORKER or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        table = self.query_one(DataTable)
        table.loading = False
        error = event.worker.error
        if error is not None:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            self._show_empty(Text(f"{self.store.directory}: cannot list the runs: {reason}", "red"))
            return
        listed = {str(run.path): run for run in event.worker.result or []}
        self._fill(_newest_first({**listed, **self._arrived}))

    # -- runs arriving while listening ------------------------------------------------------------------------

    def queue_arrival(self, path: Path) -> bool:
        """A run was saved to `path` (called from the receiver's thread): read it here, off the UI's loop, and
        queue it. True when the queue was empty: then post `Arrived`, once for whatever queues up until the UI
        takes it, so a burst of runs costs one refresh of the table."""
        info = run_info(path)
        with self._queue_lock:
            first = not self._queue
            self._queue.append(info)
        return first

    def take_arrivals(self) -> None:
        """Add (or update) the runs that queued up, newest first; the cursor stays on the run it was on."""
        with self._queue_lock:
            arrived, self._queue = self._queue, []
        new = {str(run.path): run for run in arrived}
        self.received += sum(key not in self._arrived for key in new)
        self._arrived.update(new)
        self.query_one("#runs-listening", Static).update(self._listening_text())
        if self.query_one(DataTable).loading:
            return  # the listing under way is merged with every arrival when it is read
        if not self.runs:
            self._fill(_newest_first(new))
            return
        table = self.query_one(DataTable)
        highlighted = self.highlighted
        for key, run in new.items():
            if key in self.runs:
                for column, cell in zip(COLUMNS, self._cells(run), strict=True):
                    table.update_cell(key, column, cell)
            else:
                table.add_row(*self._cells(run), key=key)
        self.runs = {str(run.path): run for run in _newest_first({**self.runs, **new})}
        table.sort("file", reverse=True)
        if highlighted is not None:
            table.move_cursor(row=table.get_row_index(str(highlighted.path)))
        self._show_detail()

    def _listening_text(self) -> Text:
        count = f"{self.received} run{'s' * (self.received != 1)} received"
        return Text.assemble(("⇣ ", "bold"), "listening on ", (self.listening or "", "bold"), f" · {count}")

    def _fill(self, runs: list[RunInfo]) -> None:
        """Show `runs`, keeping the highlighted run and the marks that are still there."""
        table = self.query_one(DataTable)
        highlighted = self.highlighted
        self.runs = {str(run.path): run for run in runs}
        self.marked = [key for key in self.marked if key in self.runs]
        table.clear()
        for key, run in self.runs.items():
            table.add_row(*self._cells(run), key=key)
        if not runs and self.listening is not None:
            self._show_empty(
                Text.assemble(
                    ("No runs received yet.\n\n", "bold"),
                    "Send OTLP/HTTP traces to ",
                    (f"http://{self.listening}/v1/traces", "cyan"),
                    " (e.g. OTEL_EXPORTER_OTLP_ENDPOINT=",
                    (f"http://{self.listening}", "bold"),
                    "): each pipeline run appears here as it ends, saved in ",
                    (str(self.store.directory), "cyan"),
                    ".",
                )
            )
            return
        if not runs:
            self._show_empty(
                Text.assemble(
                    ("No recorded runs yet.\n\n", "bold"),
                    "Runs are saved in ",
                    (str(self.store.directory), "cyan"),
                    ": every run started in the debugger is recorded there, and so is ",
                    ("pipedebug run PIPELINE --record", "bold"),
                    " from the command line.",
                )
            )
            return
        self._show_empty(None)
        table.focus()
        if highlighted is not None and str(highlighted.path) in self.runs:
            table.move_cursor(row=table.get_row_index(str(highlighted.path)))
        self._show_detail()

    def _mark(self, key: str) -> Text:
        return Text(MARK, style="bold yellow") if key in self.marked else Text("")

    def _cells(self, run: RunInfo) -> list[str | Text]:
        return [
            self._mark(str(run.path)),
            started_text(run),
            run.pipeline_name or "?",
            Text(run.status, style=LISTING_STYLES.get(run.status, "")),
            "" if run.duration is None else f"{run.duration:.2f} s",
            str(run.events) if run.header is not None else "",
            cut(notes_text(run), COLUMN_WIDTHS["notes"]),
            run.path.name,
        ]

    def _show_empty(self, message: Text | None) -> None:
        """`message` instead of the table (the folder is empty or cannot be listed), or the table again."""
        empty = self.query_one("#runs-empty", Static)
        empty.update(message or "")
        empty.display = message is not None
        self.query_one(DataTable).display = message is None
        self.query_one("#runs-detail").display = message is None

    @property
    def highlighted(self) -> RunInfo | None:
        """The run under the table's cursor."""
        table = self.query_one(DataTable)
        if not self.runs or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.runs.get(row_key.value or "")

    @on(DataTable.RowHighlighted)
    def _show_detail(self) -> None:
        """The highlighted run's full path, and the whole problem of an unreadable one."""
        run = self.highlighted
        detail = Text()
        if run is not None:
            detail.append(str(run.path), style="cyan")
            notes = notes_text(run)
            if notes:
                detail.append("\n").append_text(notes)
        if self.marked:
            names = ", ".join(f"{'ab'[index]}: {Path(key).name}" for index, key in enumerate(self.marked))
            detail.append(f"\nmarked for diff: {names}", style="dim")
        self.query_one("#runs-detail", Static).update(detail)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        """Dismiss with the highlighted run, if it can be replayed; otherwise say why it cannot."""
        run = self.highlighted
        if run is None:
            return
        if run.header is None:
            self.notify(f"{run.path}: cannot open it: {problem_without_path(run)}", severity="error")
        elif run.events == 0:
            self.notify(f"{run.path}: the recording holds no events (the run never started)", severity="error")
        elif self.listening is not None:
            self.post_message(OpenRun(run.path))
        else:
            self.dismiss(run.path)

    def action_mark(self) -> None:
        """Mark the highlighted run for a diff, or unmark it; a third mark replaces the oldest."""
        run = self.highlighted
        if run is None:
            return
        if run.header is None:
            self.notify(f"{run.path.name} is unreadable and cannot be diffed.", severity="warning")
            return
        key = str(run.path)
        if key in self.marked:
            self.marked.remove(key)
        else:
            self.marked = [*self.marked, key][-2:]
        table = self.query_one(DataTable)
        for row_key in self.runs:
            table.update_cell(row_key, "mark", self._mark(row_key))
        self._show_detail()

    def action_diff(self) -> None:
        """Push a `DiffScreen` of the two marked runs, or of the marked run (a) and the highlighted one (b)."""
        run = self.highlighted
        if len(self.marked) == 2:
            a, b = self.marked
        elif len(self.marked) == 1 and run is not None and str(run.path) != self.marked[0]:
            if run.header is None:
                self.notify(f"{run.path.name} is unreadable and cannot be diffed.", severity="warning")
                return
            a, b = self.marked[0], str(run.path)
        else:
            self.notify("Mark a run with space, then highlight another one (or mark it too) and press D.")
            return
        self.app.push_screen(DiffScreen(Path(a), Path(b)))

    def action_delete(self) -> None:
        """Ask, then delete the highlighted run's file and its row."""
        run = self.highlighted
        if run is None:
            return
        question = Text.assemble("Delete the run file ", (run.path.name, "bold"), "?\nThis cannot be undone.")

        def delete(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(run)

        self.app.push_screen(ConfirmScreen(question), delete)

    def _delete(self, run: RunInfo) -> None:
        try:
            run.path.unlink()
        except FileNotFoundError:
            pass  # already gone: the row goes too
        except OSError as exc:
            self.notify(f"{run.path}: cannot delete the run file: {exc.strerror or exc}", severity="error")
            return
        key = str(run.path)
        self.runs.pop(key, None)
        if key in self.marked:
            self.marked.remove(key)
        table = self.query_one(DataTable)
        table.remove_row(key)
        if not self.runs:
            self._fill([])
        else:
            self._show_detail()
        self.notify(f"Deleted {run.path.name}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Listening, the browser is the app's base screen: nothing to close back to (ctrl+q quits)."""
        return not (action == "close" and self.listening is not None)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_first(self) -> None:
        """Home: the newest run (the table's own home key goes to the first column, which rows do not have)."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=0)

    def action_last(self) -> None:
        """End: the oldest run."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=table.row_count - 1)


def _newest_first(runs: dict[str, RunInfo]) -> list[RunInfo]:
    """Newest first, as the table sorts them: file names start with the run's start time."""
    return sorted(runs.values(), key=lambda run: run.path.name, reverse=True)
