"""The runs folder: where recordings go, how they are named, listed, found and deleted.

The folder is `.pipedebug/runs` under the current directory, unless `PIPEDEBUG_RUNS_DIR` or an argument says
otherwise. Files are named `<UTC start time>_<pipeline name>_<run id prefix>.jsonl`, so sorting names sorts
runs by start time.

A listing reads each file's header line; what only the events can tell (status, duration, number of events)
comes from `.index.json` in the folder, one entry per file keyed by its size, modification time and inode.
A file the index does not know in that state (new, changed, or written by another program) is read once and
indexed; entries of files that are gone are dropped. So the index cannot go stale, a damaged or unwritable index
only costs reading the files, and a folder of 500 runs lists in tens of milliseconds instead of reading them all.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from pipeline.core.events import EventStream
from pipeline.runs.recording import Parent, RecordingError, RunHeader, RunRecorder, read_header, read_run
from pipeline.runs.spans import RunSummary

if TYPE_CHECKING:
    from pipeline.core.pipeline import PipelineBase

RUNS_DIR_ENV = "PIPEDEBUG_RUNS_DIR"
DEFAULT_RUNS_DIR = Path(".pipedebug") / "runs"
SUFFIX = ".jsonl"
LATEST = "latest"
INDEX_NAME = ".index.json"
INDEX_FORMAT = "pipedebug-runs-index"
INDEX_VERSION = 1
TAIL_LINES = 16
"""Last lines of a file kept while counting them, to find its last event behind a damaged or cut-off end."""
_ENDINGS = {"RunFinished": "finished", "RunFailed": "failed", "RunCancelled": "cancelled"}


class StoreError(LookupError):
    """A run reference that matches no run, or more than one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunInfo:
    """One line of a runs listing, read from a file's header and its first and last events only."""

    path: Path
    header: RunHeader | None
    """None when the file has no valid header; `problem` then says why."""
    status: str
    """finished, failed, cancelled, interrupted (no final event), or unreadable (bad header)."""
    duration: float | None
    """Pipeline time (pauses and warm-ups left out, see `RunSummary.duration`), up to the last event."""
    events: int
    """Event lines in the file (damaged ones included: a listing does not decode every line)."""
    problem: str | None = None

    @property
    def run_id(self) -> str | None:
        return None if self.header is None else self.header.run_id

    @property
    def pipeline_name(self) -> str | None:
        return None if self.header is None else self.header.pipeline_name

    @property
    def wall_time(self) -> float | None:
        return None if self.header is None else self.header.wall_time

    @property
    def parent(self) -> Parent | None:
        return None if self.header is None else self.header.parent


def runs_dir(directory: str | Path | None = None) -> Path:
    """The runs folder: `directory` if given, else `$PIPEDEBUG_RUNS_DIR`, else `./.pipedebug/runs`."""
    if directory:
        return Path(directory)
    from_env = os.environ.get(RUNS_DIR_ENV)
    return Path(from_env) if from_env else Path.cwd() / DEFAULT_RUNS_DIR


class RunStore:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = runs_dir(directory)

    def path_for(self, pipeline_name: str, run_id: str, wall_time: float | None = None) -> Path:
        """A new file name that sorts by start time (UTC, to the microsecond), then names pipeline and run."""
        started = time.time() if wall_time is None else wall_time
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(started)) + f"-{int(started % 1 * 1e6):06d}"
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", pipeline_name).strip("-.")[:40] or "pipeline"
        short_id = re.sub(r"[^A-Za-z0-9]+", "", run_id)[:8] or "run"  # a traced run's id came over the network
        return self.directory / f"{stamp}_{slug}_{short_id}{SUFFIX}"

    def record(
        self,
        stream: EventStream,
        *,
        pipeline_name: str,
        pipeline: PipelineBase | str | None = None,
        inputs: Any = None,
        label: str | None = None,
        parent: Parent | None = None,
    ) -> RunRecorder:
        """Wrap `stream` in a recorder writing to a new file of this folder (created if needed)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(pipeline_name, stream.run_id)
        return RunRecorder(
            stream, path, pipeline=pipeline, inputs=inputs, pipeline_name=pipeline_name, label=label, parent=parent
        )

    def files(self) -> list[Path]:
        """Every run file, oldest first."""
        if not self.directory.is_dir():
            return []
        return sorted(path for path in self.directory.iterdir() if path.suffix == SUFFIX and path.is_file())

    @property
    def index_path(self) -> Path:
        return self.directory / INDEX_NAME

    def runs(self) -> list[RunInfo]:
        """Every run, oldest first: each file's header, and its status, duration and event count from the index
        when the file is as indexed (else read from its events and indexed)."""
        index = self._read_index()
        entries: dict[str, list[Any]] = {}
        runs = []
        for path in self.files():
            try:
                stat = path.stat()
                header = read_header(path)
            except (OSError, RecordingError) as exc:  # deleted meanwhile, unreadable, or not a run file
                runs.append(_unreadable(path, exc))
                continue
            key = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            entry = index.get(path.name)
            if not _valid_entry(entry) or entry[:3] != key:
                try:
                    entry = [*key, *_scan_events(path)]
                except OSError as exc:  # deleted or made unreadable since its header was read
                    runs.append(_unreadable(path, exc))
                    continue
            entries[path.name] = entry
            runs.append(RunInfo(path=path, header=header, status=entry[3], duration=entry[4], events=entry[5]))
        if entries != index:
            self._write_index(entries)
        return runs

    def resolve(self, reference: str) -> Path:
        """The run file `reference` names: `latest`, a path, a file name in this folder, or a run id prefix."""
        if reference == LATEST:
            files = self.files()
            if not files:
                raise StoreError(f"no recorded runs in {self.directory}")
            return files[-1]
        for candidate in (Path(reference), self.directory / reference):
            if candidate.is_file():
                return candidate
        matches = [path for path, header in self._headers() if header.run_id.startswith(reference)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(path.name for path in matches[:5])
            raise StoreError(
                f"'{reference}' matches {len(matches)} runs in {self.directory} ({names}); give more of the id"
            )
        raise StoreError(
            f"no run file or run id '{reference}' in {self.directory} "
            "(give a run file, a run id or its prefix, or 'latest')"
        )

    def delete(self, reference: str) -> Path:
        """Delete a run file of this folder (a symlink there: the link, never its target); a path that leads
        elsewhere, or to a file that is no run file, is refused."""
        path = self.resolve(reference)
        if path.suffix != SUFFIX or Path(os.path.abspath(path)).parent.resolve() != self.directory.resolve():
            raise StoreError(f"{path}: not in the runs folder {self.directory}; only its run files are deleted")
        path.unlink()
        return path

    def _read_index(self) -> dict[str, Any]:
        """The index's entries; none if it is missing or damaged (then the files are read, and it is rewritten)."""
        try:
            data = json.loads(self.index_path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT or data.get("version") != INDEX_VERSION:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def _write_index(self, entries: dict[str, list[Any]]) -> None:
        """Replace the index at once (a reader sees the old one or the new one); a folder that cannot be written
        keeps the old index or none, and listings read the files instead."""
        data = {"format": INDEX_FORMAT, "version": INDEX_VERSION, "files": entries}
        temporary = self.directory / f"{INDEX_NAME}.{os.getpid()}.tmp"
        try:
            temporary.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.index_path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def _headers(self) -> list[tuple[Path, RunHeader]]:
        headers = []
        for path in self.files():
            try:
                headers.append((path, read_header(path)))
            except RecordingError:
                continue
        return headers


def run_info(path: Path) -> RunInfo:
    """Status, duration and event count from the header and the first and last event lines, without decoding
    the events in between (nor holding the file in memory), so reading a long run stays fast."""
    try:
        header = read_header(path)
        status, duration, events = _scan_events(path)
    except (OSError, RecordingError) as exc:
        return _unreadable(path, exc)
    return RunInfo(path=path, header=header, status=status, duration=duration, events=events)


def _unreadable(path: Path, exc: OSError | RecordingError) -> RunInfo:
    if isinstance(exc, OSError):
        exc = RecordingError(f"{path}: cannot read the run file: {exc.strerror or exc}")
    return RunInfo(path=path, header=None, status="unreadable", duration=None, events=0, problem=str(exc))


def _scan_events(path: Path) -> tuple[str, float | None, int]:
    """Status, duration and the number of event lines, from one pass over the file a line at a time: only the
    first event and the last few lines are decoded, unless the run paused or warmed up (then its pipeline time
    needs the whole run: `_pipeline_time`). Raises OSError."""
    first: dict[str, Any] | None = None
    tail: deque[bytes] = deque(maxlen=TAIL_LINES)
    count = 0
    time_apart = False
    with path.open("rb") as file:
        file.readline()  # the header
        for line in file:
            if not line.strip():
                continue
            count += 1
            if count == 1:
                first = _event_line(line)
            elif not time_apart:
                time_apart = any(name in line[:_EVENT_HEAD] for name in _TIME_APART)
            tail.append(line)
    last = next((event for line in reversed(tail) if (event := _event_line(line)) is not None), None)
    status = _ENDINGS.get(last["event"], "interrupted") if last is not None else "interrupted"
    duration = None
    if first is not None and last is not None and first["event"] == "RunStarted":
        duration = last["time"] - first["time"]
        if time_apart:
            duration = _pipeline_time(path, duration)
    return status, duration, count


_TIME_APART = (b'"RunPaused"', b'"ComponentWarmedUp"')
"""Events that mean a run's wall time holds more than its pipeline time."""
_EVENT_HEAD = 40
"""Bytes at the start of an event line that hold its class name (`{"event":"RunPaused",...`)."""


def _pipeline_time(path: Path, wall: float) -> float:
    """The pipeline time of the run in `path` whose events span `wall` seconds; `wall` if it cannot be read."""
    try:
        summary = RunSummary.from_events(read_run(path).events)
    except (RecordingError, ValueError):
        return wall
    return summary.pipeline_time(wall)


def _valid_entry(entry: Any) -> TypeGuard[list[Any]]:
    """An index entry as `runs` writes it: size, mtime, inode, status, duration, events (a hand-edited or damaged
    one is read again from the file)."""
    return (
        isinstance(entry, list)
        and len(entry) == 6
        and all(type(value) is int for value in (*entry[:3], entry[5]))
        and entry[3] in (*_ENDINGS.values(), "interrupted")
        and (entry[4] is None or type(entry[4]) in (int, float))
    )


def _event_line(line: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("event"), str) and type(data.get("time")) in (int, float):
        return data
    return None
