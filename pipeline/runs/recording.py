"""Run files: a run's events written as JSON Lines while it happens, and read back as the same event classes.

Line 1 is a header: `{"format": "pipedebug-run", "version": 1, "run_id", "pipeline_name", "pipeline" (the
definition as YAML, or null if it cannot be serialized), "inputs", "versions", "wall_time", "parent", "label"}`.
Every further line is one event, `{"event": "ComponentFinished", "run_id": ..., "time": ..., ...}`, its values
encoded by `pipeline.runs.codec`. Each line is flushed as soon as its event is yielded, so a crash or a Ctrl-C
leaves a readable file; a file whose last event is not `RunFinished`/`RunFailed`/`RunCancelled` is a run that
did not end, and reads as "interrupted".
"""

from __future__ import annotations

import contextlib
import json
import logging
import platform
import re
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, Self, overload

from pipeline.core.events import (
    TERMINAL_EVENTS,
    EventStream,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from pipeline.runs.codec import EVENT_CLASSES, Encoder, decode, decode_event
from pipeline.runs.secrets import known_secrets, remember

if TYPE_CHECKING:
    from pipeline.core.pipeline import PipelineBase

logger = logging.getLogger(__name__)

FORMAT = "pipedebug-run"
VERSION = 1
RecordingStatus = Literal["finished", "failed", "cancelled", "interrupted"]
_STATUS_OF_END: dict[type, RecordingStatus] = {RunFinished: "finished", RunFailed: "failed", RunCancelled: "cancelled"}
_VERSIONED_PACKAGES = ("pipedebug", "numpy", "torch", "openai")


class RecordingError(Exception):
    """A run file that cannot be used at all: missing, unreadable, or without a valid header."""


@dataclass(frozen=True, slots=True)
class Parent:
    """The run (and, optionally, the visit in it) that a run was derived from, e.g. a re-run from a breakpoint."""

    run_id: str
    visit_id: int | None = None
    component: str | None = None
    """The forked visit's component and its own 1-based number (`visit`), so listings name the visit as the
    debugger does (`llm visit #2`); `None` in runs recorded before they were kept."""
    visit: int | None = None

    def describe_visit(self) -> str | None:
        """`llm visit #2`, or `visit 7` (the run-wide id) when the component is not known."""
        if self.component is not None and self.visit is not None:
            return f"{self.component} visit #{self.visit}"
        return None if self.visit_id is None else f"visit {self.visit_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    """Where a run that pipedebug did not execute came from: a trace of a pipeline that ran elsewhere.

    Its definition is drawn from the trace (always with placeholders); `content_traced` is False when the
    service traced no inputs and outputs, so the recorded values only say they were not traced.
    """

    source: str
    """The format it was converted from: "otlp"."""
    trace_id: str
    service: str
    content_traced: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class RunHeader:
    run_id: str
    pipeline_name: str
    pipeline: str | None
    """The pipeline definition as YAML (`pipeline.dumps()`), or None if it could not be serialized."""
    inputs: Any
    """The data the run was started with, as the caller gave it (`RunStarted.inputs` has them resolved)."""
    versions: dict[str, str]
    wall_time: float
    """When the recording started, as `time.time()`."""
    parent: Parent | None = None
    label: str | None = None
    version: int = VERSION
    imported: Imported | None = None
    """Set for a run converted from traces (`pipeline.runs.otlp_import`); the header key is absent otherwise."""


@dataclass(frozen=True, slots=True)
class Problem:
    """A line of a run file that was skipped, and why."""

    line: int
    reason: str


@dataclass(slots=True, kw_only=True)
class RecordedRun:
    path: Path
    header: RunHeader
    events: Sequence[RunEvent]
    """Every event, decoded (`read_run`), or an `EventFile` that decodes them as they are read (`open_run`)."""
    status: RecordingStatus
    problems: list[Problem] = field(default_factory=list)
    """Every skipped line, first one first; empty for an intact file."""

    @property
    def run_id(self) -> str:
        return self.header.run_id

    @property
    def duration(self) -> float | None:
        """Seconds from the first event to the last: the whole run, or as far as an interrupted one got."""
        if not self.events:
            return None
        return self.events[-1].time - self.events[0].time

    def check_started(self) -> None:
        """Raise `RecordingError` unless the events start with `RunStarted`, which replays, diffs and timings
        count from; the message names the file, and the first damaged line when that is what lost it."""
        if not self.events:
            raise RecordingError(f"{self.path}: the recording holds no events (the run never started)")
        if not isinstance(self.events[0], RunStarted):
            first = self.problems[0] if self.problems else None
            where = f"{self.path}:{first.line}: {first.reason}" if first else f"{self.path}: no RunStarted"
            raise RecordingError(f"{where}; the run's first event is missing, so the run cannot be used")


@cache
def package_versions() -> dict[str, str]:
    """Versions of Python and the packages that shape a run, read from metadata so nothing gets imported."""
    versions = {"python": platform.python_version()}
    for name in _VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


class RunRecorder:
    """Wraps an event stream (a live `PipelineRun`, a replay) and writes each event to a run file as it passes.

    It pulls an event only when its own consumer pulls, so back-pressure is untouched: a consumer paused at a
    breakpoint pauses the run exactly as without the recorder. `cancel()`, `aclose()` and `async with` go to the
    wrapped stream; `stream` gives access to the rest of its API (`replace_outputs`, `seek`, ...).
    """

    def __init__(
        self,
        stream: EventStream,
        path: str | Path,
        *,
        pipeline: PipelineBase | str | None = None,
        inputs: Any = None,
        pipeline_name: str | None = None,
        label: str | None = None,
        parent: Parent | None = None,
        secrets: dict[str, str] | None = None,
        wall_time: float | None = None,
        imported: Imported | None = None,
    ) -> None:
        """Write the header now, so an unwritable path fails before the run starts.

        `pipeline` is the pipeline (or its YAML); `secrets` maps values to redact to their names, by default
        the values of secret-looking environment variables and of the pipeline's `Secret`s (see
        `pipeline.runs.secrets`). `wall_time`
        (default: now) and `imported` are for runs converted from elsewhere, which started in the past.
        """
        self.stream = stream
        self.run_id = stream.run_id
        self.path = Path(path)
        remember(pipeline)
        self._encoder = Encoder(known_secrets() if secrets is None else secrets)
        self.failure: str | None = None
        """Why the recording stopped before the run's end (a full disk), or None."""
        if pipeline_name is None:
            metadata_name = getattr(pipeline, "metadata", {}).get("name")
            pipeline_name = metadata_name if isinstance(metadata_name, str) else "pipeline"
        header = {
            "format": FORMAT,
            "version": VERSION,
            "run_id": self.run_id,
            "pipeline_name": pipeline_name,
            "pipeline": _definition(pipeline),
            "inputs": inputs,
            "versions": package_versions(),
            "wall_time": time.time() if wall_time is None else wall_time,
            "parent": None if parent is None else _parent_fields(parent),
            "label": label,
        }
        if imported is not None:
            header["imported"] = {
                "source": imported.source,
                "trace_id": imported.trace_id,
                "service": imported.service,
                "content_traced": imported.content_traced,
            }
        # Line buffering flushes each line as written; backslashreplace writes a lone surrogate as its JSON escape.
        self._file = self.path.open("w", encoding="utf-8", errors="backslashreplace", buffering=1)
        self._write(self._encoder.encode(header))

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> RunEvent:
        try:
            event = await self.stream.__anext__()
        except BaseException:  # the end, an error or a cancellation: what was written stays readable
            self._close()
            raise
        self.write(event)
        return event

    def write(self, event: RunEvent) -> None:
        """Write one event (what iterating does for each event it pulls); the final event closes the file.

        For events that exist already (a run converted from traces), written without an event loop.
        """
        if not self._file.closed:
            try:
                self._write(self._encoder.encode_event(event))
            except OSError as error:
                self._stop_recording(error)
                return
            if isinstance(event, TERMINAL_EVENTS):
                self._file.close()

    def _stop_recording(self, error: OSError) -> None:
        """A full disk (or a folder gone) ends the recording, never the run: the lines already written stay
        readable (a partly written last one reads as truncated), and `failure` says what happened."""
        self.failure = f"{self.path}: recording stopped: {error.strerror or error}"
        logger.warning("%s; the run goes on, the events written so far stay readable", self.failure)
        with contextlib.suppress(OSError):  # closing flushes what the failed write left in the buffer
            self._file.close()

    def close(self) -> None:
        """Close the file without closing the stream: what was written stays readable."""
        self._close()

    def _close(self) -> None:
        try:
            self._file.close()
        except OSError as error:  # the last line's flush found the disk full
            self._stop_recording(error)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self.stream.cancel()

    async def aclose(self) -> None:
        """Close the wrapped stream and the file; a run closed before its end reads as interrupted."""
        try:
            await self.stream.aclose()
        finally:
            self._close()

    def _write(self, line: dict[str, Any]) -> None:
        self._file.write(json.dumps(line, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")


def _definition(pipeline: PipelineBase | str | None) -> str | None:
    if pipeline is None or isinstance(pipeline, str):
        return pipeline
    try:
        return pipeline.dumps()
    except Exception:  # a component that cannot be serialized (or a token secret) leaves the definition out
        return None


def read_run(path: str | Path) -> RecordedRun:
    """Load a run file, every event decoded. Damaged event lines are skipped and listed in `problems`; only a
    missing or unreadable file, or a bad header, raises `RecordingError` (naming the file, and line 1 for the
    header). The file is read a line at a time, so loading holds the events, never the file besides them.

    For a long recording that is only played or sought through, `open_run` decodes events only when asked."""
    path = Path(path)
    events: list[RunEvent] = []
    problems: list[Problem] = []
    with _open(path) as file:
        header = parse_header(path, _header_line(file))
        for number, raw in enumerate(file, start=2):
            if not raw.strip():
                if raw.endswith(b"\n"):  # not the end of the file
                    problems.append(Problem(number, "empty line"))
                continue
            try:
                event = decode_event(json.loads(raw))
            except Exception as exc:  # whatever a damaged line holds, it is skipped and reported, never raised
                problems.append(Problem(number, _line_problem(raw, exc)))
                continue
            if events and isinstance(events[-1], TERMINAL_EVENTS):
                problems.append(Problem(number, f"{type(event).__name__} after the run's final event"))
                continue
            events.append(event)
    if events and not isinstance(events[0], RunStarted):
        problems.append(Problem(2, f"the run's first event is {type(events[0]).__name__}, not RunStarted"))
    status = _STATUS_OF_END.get(type(events[-1]), "interrupted") if events else "interrupted"
    problems.sort(key=lambda problem: problem.line)
    return RecordedRun(path=path, header=header, events=events, status=status, problems=problems)


def open_run(path: str | Path, *, check: bool = False) -> RecordedRun:
    """Open a run file without decoding its events: one pass finds where each event line starts, its event class
    and its time; `events` is an `EventFile` that decodes an event when it is asked for. Memory stays in
    proportion to the number of events (about 30 bytes each), never to what they carry, and opening costs a
    fraction of `read_run`. Lines that are not events (damaged, cut off, after the final event) are skipped and
    listed in `problems` as `read_run` does; a line that looks like an event but does not decode raises
    `RecordingError` (file and line) when it is read. `check`: decode every line once while opening (nothing is
    kept), so every damaged line is skipped and listed exactly as `read_run` would: opening costs what `read_run`
    does, in bounded memory, and reading never meets a damaged line. Raises `RecordingError` as `read_run` does."""
    path = Path(path)
    offsets, numbers, times = array("q"), array("l"), array("d")
    kinds = bytearray()
    problems: list[Problem] = []
    ended = False
    with _open(path) as file:
        header_line = _header_line(file)
        header = parse_header(path, header_line)
        offset = file.tell()
        for number, raw in enumerate(file, start=2):
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                if raw.endswith(b"\n"):
                    problems.append(Problem(number, "empty line"))
                continue
            # A cut-off last line is decoded, and every line when checking.
            head = _EVENT_HEAD.match(raw) if raw.endswith(b"\n") and not check else None
            kind = _KIND_OF.get(head[1]) if head is not None else None
            if head is not None and kind is not None:
                moment = float(head[2])
            else:
                try:
                    event = decode_event(json.loads(raw))
                except Exception as exc:  # reported and skipped, never raised
                    problems.append(Problem(number, _line_problem(raw, exc)))
                    continue
                kind, moment = _KIND_OF[type(event).__name__.encode()], event.time
            if ended:
                problems.append(Problem(number, f"{_KINDS[kind].__name__} after the run's final event"))
                continue
            ended = _KINDS[kind] in TERMINAL_EVENTS
            offsets.append(start)
            numbers.append(number)
            times.append(moment)
            kinds.append(kind)
    events = EventFile(path, offsets, numbers, times, bytes(kinds))
    if events and events.kind(0) is not RunStarted:
        problems.append(Problem(2, f"the run's first event is {events.kind(0).__name__}, not RunStarted"))
    status = _STATUS_OF_END.get(events.kind(-1), "interrupted") if events else "interrupted"
    problems.sort(key=lambda problem: problem.line)
    return RecordedRun(path=path, header=header, events=events, status=status, problems=problems)


_KINDS: list[type] = list(EVENT_CLASSES.values())
_KIND_OF: dict[bytes, int] = {name.encode(): index for index, name in enumerate(EVENT_CLASSES)}
_EVENT_HEAD = re.compile(rb'\{"event":"(\w+)","run_id":"(?:[^"\\]|\\.)*","time":(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)[,}]')
"""The start of an event line as `RunRecorder` writes it: its class and time, read without decoding the rest."""
CACHED_EVENTS = 256
"""Decoded events an `EventFile` keeps (the most recently read), for the few a viewer reads again and again."""
READ_AHEAD = 32
"""Events decoded (and cached) with the one asked for: the next ones a replay will ask for."""


class EventFile(Sequence[RunEvent]):
    """A run file's events, decoded when read: `open_run`'s `RecordedRun.events`.

    Indexing decodes one line (seek and read; the latest `CACHED_EVENTS` are kept), a slice decodes its lines in
    one sequential read, iterating streams the file; `kind(i)` and `time(i)` answer from the index without
    decoding. A line that does not decode raises `RecordingError` naming the file and line.
    """

    def __init__(self, path: Path, offsets: array, numbers: array, times: array, kinds: bytes) -> None:
        self.path = path
        self._offsets, self._numbers, self._times, self._kinds = offsets, numbers, times, kinds
        self._cache: OrderedDict[int, RunEvent] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._offsets)

    @overload
    def __getitem__(self, index: int) -> RunEvent: ...

    @overload
    def __getitem__(self, index: slice) -> list[RunEvent]: ...

    def __getitem__(self, index: int | slice) -> RunEvent | list[RunEvent]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[position] for position in range(start, stop, step)]
            return list(self._read(start, stop))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(f"event {index} is outside 0..{len(self) - 1}")
        with self._lock:
            event = self._cache.get(position)
            if event is not None:
                self._cache.move_to_end(position)
                return event
        stop = min(len(self), position + READ_AHEAD)  # a replay reads on: one read serves the next ones too
        decoded = list(self._read(position, stop))
        with self._lock:
            for offset, event in enumerate(decoded):
                self._cache[position + offset] = event
            while len(self._cache) > CACHED_EVENTS:
                self._cache.popitem(last=False)
        return decoded[0]

    def __iter__(self) -> Iterator[RunEvent]:
        return self._read(0, len(self))

    def kind(self, index: int) -> type:
        """The class of event `index`, without decoding it."""
        return _KINDS[self._kinds[index]]

    def time(self, index: int) -> float:
        """The `time` of event `index`, without decoding it."""
        return self._times[index]

    def times(self) -> array:
        return self._times

    def _read(self, start: int, stop: int) -> Iterator[RunEvent]:
        """Decode events `start` to `stop` in one pass over the file, skipping the lines that are not events."""
        if start >= stop:
            return
        try:
            with self.path.open("rb") as file:
                offset = file.seek(self._offsets[start])
                position = start
                while position < stop:
                    # the line's offset is counted, as `open_run` does, not asked: `tell()` costs a syscall a line
                    at, raw = offset, file.readline()
                    offset += len(raw)
                    if not raw or at > self._offsets[position]:
                        where = f"{self.path}:{self._numbers[position]}"
                        raise RecordingError(f"{where}: the file changed since it was opened; open it again")
                    if at < self._offsets[position]:
                        continue  # a line `open_run` skipped
                    try:
                        event = decode_event(json.loads(raw))
                    except Exception as exc:  # the line changed since, or looked like an event and is not one
                        where = f"{self.path}:{self._numbers[position]}"
                        raise RecordingError(f"{where}: {_line_problem(raw, exc)}") from None
                    yield event
                    position += 1
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot read the run file: {exc.strerror or exc}") from exc


def event_kinds(events: Sequence[RunEvent]) -> list[type]:
    """The class of each event: from an `EventFile`'s index (nothing decoded), else from the events."""
    if isinstance(events, EventFile):
        return [events.kind(index) for index in range(len(events))]
    return [type(event) for event in events]


def event_times(events: Sequence[RunEvent]) -> Sequence[float]:
    """The `time` of each event: from an `EventFile`'s index (nothing decoded), else from the events."""
    return events.times() if isinstance(events, EventFile) else [event.time for event in events]


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read the run file: {exc.strerror or exc}") from exc


def _header_line(file: BinaryIO) -> bytes | None:
    """The first line without its newline; None for an empty file."""
    try:
        first = file.readline()
    except OSError as exc:
        raise RecordingError(f"{file.name}: cannot read the run file: {exc.strerror or exc}") from exc
    return first.rstrip(b"\n") if first else None


def _line_problem(raw: bytes, exc: BaseException) -> str:
    return "truncated: the file ends in the middle of this line" if not raw.endswith(b"\n") else _reason(exc)


def read_header(path: str | Path) -> RunHeader:
    """Only the header of a run file (reads its first line): enough to list or find runs."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            first = file.readline()
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read the run file: {exc.strerror or exc}") from exc
    return parse_header(path, first.rstrip(b"\n") if first else None)


def parse_header(path: Path, raw: bytes | None) -> RunHeader:
    """The header from the first line of `path` (None: the file is empty), or a `RecordingError` saying why not."""

    def bad(reason: str) -> RecordingError:
        return RecordingError(f"{path}:1: not a pipedebug run file: {reason}")

    if raw is None or not raw.strip():
        raise bad("the file is empty" if raw is None else "the first line is empty")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise bad(_reason(exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f'line 1 is not a header with "format": "{FORMAT}"')
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise bad(f"bad format version {version!r}")
    if version > VERSION:
        raise RecordingError(f"{path}:1: written by a newer pipedebug (format version {version}, this reads {VERSION})")
    try:
        parent = data.get("parent")
        imported = data.get("imported")
        header = RunHeader(
            run_id=_typed(data, "run_id", str),
            pipeline_name=_typed(data, "pipeline_name", str),
            pipeline=_typed(data, "pipeline", str, optional=True),
            inputs=decode(data.get("inputs")),
            versions=_typed(data, "versions", dict),
            wall_time=float(_typed(data, "wall_time", (int, float))),
            parent=None
            if parent is None
            else Parent(
                _typed(parent, "run_id", str),
                _typed(parent, "visit_id", int, optional=True),
                _typed(parent, "component", str, optional=True),
                _typed(parent, "visit", int, optional=True),
            ),
            label=_typed(data, "label", str, optional=True),
            version=version,
            imported=None if imported is None else _imported(imported),
        )
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise bad(_reason(exc)) from None
    return header


def _imported(data: dict[str, Any]) -> Imported:
    content_traced = data.get("content_traced")
    if type(content_traced) is not bool:
        raise ValueError(f"'content_traced' cannot be {content_traced!r}")
    return Imported(
        source=_typed(data, "source", str),
        trace_id=_typed(data, "trace_id", str),
        service=_typed(data, "service", str),
        content_traced=content_traced,
    )


def _parent_fields(parent: Parent) -> dict[str, Any]:
    """The header's `parent`: the component and visit number only when known, so older readers see what they did."""
    fields: dict[str, Any] = {"run_id": parent.run_id, "visit_id": parent.visit_id}
    if parent.component is not None:
        fields.update(component=parent.component, visit=parent.visit)
    return fields


def _typed(data: dict[str, Any], key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
    value = data.get(key)
    if (value is None and optional) or (isinstance(value, kind) and not isinstance(value, bool)):
        return value
    raise ValueError(f"'{key}' cannot be {value!r}")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:197] + "..."


class EventList:
    """Events already read, as a stream a `RunRecorder` can write out: "save run" for a run not recorded live,
    and runs imported from traces."""

    def __init__(self, events: Sequence[RunEvent]) -> None:
        self.run_id = events[0].run_id
        self._events = iter(list(events))

    def __aiter__(self) -> EventList:
        return self

    async def __anext__(self) -> RunEvent:
        try:
            return next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> EventList:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self._events = iter(())

    async def aclose(self) -> None:
        self.cancel()
