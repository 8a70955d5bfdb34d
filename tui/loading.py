"""Opening a pipeline for the debugger: the file, its graph and its layout, built in one blocking call.

Everything slow about opening a pipeline happens here (importing component modules, which for the hybrid sample
means torch and transformers; laying out a graph of hundreds of components), so the app calls `open_pipeline`
from a thread worker and the first paint never waits for it. Warming the components up (loading models,
indexing a corpus) is a second, longer step the app runs afterwards with `AsyncPipeline.warm_up`.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline import DefinitionError
from pipeline.core.pipeline import PipelineBase
from pipeline.runs.rebuild import has_placeholders, placeholder_reason, rebuild_pipeline
from pipeline.runs.recording import RecordedRun, RecordingError, open_run
from pipeline.runs.secrets import remember
from tui.layout import GraphLayout, GraphModel, layout
from tui.options import load_pipeline

DEFAULT_SAMPLE = "hybrid_rag"
"""The sample package in `sample_pipelines` that bare `pipedebug` opens: the seed's hybrid RAG, offline."""


@dataclass(frozen=True, slots=True)
class LoadedPipeline:
    pipe: PipelineBase
    path: Path
    model: GraphModel
    layout: GraphLayout
    label: str | None = None
    """The name a recording gave the pipeline, for one rebuilt from a recording."""
    note: str | None = None
    """What the screen should say about how the pipeline was rebuilt (placeholders: it replays, cannot run)."""

    @property
    def name(self) -> str:
        """What the title bar and the recordings call it: the file's stem, or the package's folder name."""
        if self.label is not None:
            return self.label
        return self.path.name if self.path.is_dir() else self.path.stem


@dataclass(frozen=True, slots=True)
class LoadFailure:
    """Why a pipeline did not open, in the terms the error screen shows: where, and what went wrong."""

    path: str
    line: int | None
    reason: str
    details: str | None = None
    """The traceback, when the cause lies in Python code rather than in the definition itself."""

    @property
    def location(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


class LoadError(Exception):
    def __init__(self, failure: LoadFailure) -> None:
        super().__init__(f"{failure.location}: {failure.reason}")
        self.failure = failure


def default_pipeline() -> Path:
    """The bundled hybrid RAG package as a real folder, wherever `sample_pipelines` is installed."""
    return Path(str(resources.files("sample_pipelines").joinpath(DEFAULT_SAMPLE)))


def open_pipeline(path: str | Path | None, allowed_modules: Sequence[str] = ()) -> LoadedPipeline:
    """Load PIPELINE (YAML, `.py` file or package; the hybrid sample by default) and lay out its graph.

    Blocking: call it from a thread. Every failure, including an exception raised by the user's own Python
    code, becomes a `LoadError` naming the file and, when known, the line.
    """
    target = Path(path) if path is not None else default_pipeline()
    if not target.exists():
        raise LoadError(LoadFailure(str(target), None, "no such file or folder"))
    try:
        pipe, resolved = load_pipeline(str(target), allowed_modules)
        remember(pipe)  # its tokens are redacted on screen and in exports, recorded or not
        pipe.prepare()  # here in the loading thread, not on the event loop when the first run starts
        model = GraphModel.from_pipeline(pipe)
        return LoadedPipeline(pipe, resolved, model, layout(model))
    except DefinitionError as error:
        cause = error.__cause__
        python = target.is_dir() or target.suffix == ".py"
        details = "".join(traceback.format_exception(cause)) if python and cause is not None else None
        hint = " (pipedebug: add --allow-module MODULE)" if "allowed_modules" in error.reason else ""
        where = error.source or str(target)
        raise LoadError(LoadFailure(where, error.line, _with_key(error) + hint, details)) from error
    except Exception as error:  # an unreadable file, a broken graph: shown, never a crash
        details = "".join(traceback.format_exception(error))
        raise LoadError(LoadFailure(str(target), None, f"{type(error).__name__}: {error}", details)) from error


def open_recording(path: Path, allowed_modules: Sequence[str] = ()) -> tuple[RecordedRun, LoadedPipeline]:
    """Read a run file and rebuild its pipeline from the definition it holds, for a replay (which runs nothing,
    but draws the graph) and forks from it (which run the rest). A Haystack pipeline's definition is rebuilt
    through the bridge, or, where haystack-ai is missing, drawn from placeholders (the replay works, with a
    note; forks are refused). Blocking: call it from a thread."""
    try:
        recorded = open_run(path, check=True)  # every line checked as read_run would, none kept: a replay decodes
        recorded.check_started()
    except RecordingError as error:
        raise LoadError(LoadFailure(str(path), None, str(error))) from error
    definition = recorded.header.pipeline
    if definition is None:
        raise LoadError(LoadFailure(str(path), 1, "the recording holds no pipeline definition to draw the graph"))
    try:
        pipe = rebuild_pipeline(
            definition, source=str(path), allowed_modules=allowed_modules, placeholders=True, events=recorded.events
        )
        model = GraphModel.from_pipeline(pipe)
    except DefinitionError as error:
        hint = " (pipedebug: add --allow-module MODULE)" if "allowed_modules" in error.reason else ""
        reason = f"the recorded pipeline definition: {_with_key(error)}{hint}"
        raise LoadError(LoadFailure(str(path), 1, reason)) from error
    except Exception as error:  # a component class that no longer builds: shown, never a crash
        details = "".join(traceback.format_exception(error))
        raise LoadError(LoadFailure(str(path), 1, f"{type(error).__name__}: {error}", details)) from error
    imported = recorded.header.imported is not None
    note = (
        f"Replay only, drawn from the recorded definition: {placeholder_reason(imported)}"
        if has_placeholders(pipe)
        else None
    )
    loaded = LoadedPipeline(pipe, path, model, layout(model), label=recorded.header.pipeline_name, note=note)
    return recorded, loaded


def _with_key(error: DefinitionError) -> str:
    key = ".".join(str(part) for part in error.key_path)
    return f"at {key}: {error.reason}" if key else error.reason
