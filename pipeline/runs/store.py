"""The runs folder: where recordings go, how they are named, listed, found and deleted.

The folder is `.pipedebug/runs` under the current directory, unless `PIPEDEBUG_RUNS_DIR` or an argument says
otherwise. Files are named `<UTC start time>_<pipeline name>_<run id prefix>.jsonl`, so sorting names sorts
runs by start time and a listing needs no index file that could go stale.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.core.events import EventStream
from pipeline.runs.recording import (
    Parent,
    RecordingError,
    RunHeader,
    RunRecorder,
    parse_header,
    read_header,
)

if TYPE_CHECKING:
    from pipeline.core.pipeline import PipelineBase

RUNS_DIR_ENV = "PIPEDEBUG_RUNS_DIR"
DEFAULT_RUNS_DIR = Path(".pipedebug") / "runs"
SUFFIX = ".jsonl"
LATEST = "latest"
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
        return self.directory / f"{stamp}_{slug}_{run_id[:8]}{SUFFIX}"

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

    def runs(self) -> list[RunInfo]:
        return [run_info(path) for path in self.files()]

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
        path = self.resolve(reference)
        path.unlink()
        return path

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
    the events in between, so listing a folder of long runs stays fast."""
    try:
        content = path.read_bytes()
        header_line, _, rest = content.partition(b"\n")
        header = parse_header(path, header_line if content else None)
    except (OSError, RecordingError) as exc:
        return RunInfo(path=path, header=None, status="unreadable", duration=None, events=0, problem=str(exc))
    lines = [line for line in rest.split(b"\n") if line.strip()]
    first = _event_line(lines[0]) if lines else None
    last = next((event for line in reversed(lines) if (event := _event_line(line)) is not None), None)
    status = _ENDINGS.get(last["event"], "interrupted") if last is not None else "interrupted"
    duration = None
    if first is not None and last is not None and first["event"] == "RunStarted":
        duration = last["time"] - first["time"]
    return RunInfo(path=path, header=header, status=status, duration=duration, events=len(lines))


def _event_line(line: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("event"), str) and type(data.get("time")) in (int, float):
        return data
    return None
