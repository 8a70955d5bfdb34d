"""Arguments shared by every sub-command that loads a pipeline and feeds it inputs.

Kept apart from `cli.py` so that `run`, `replay`, `compare` and the full-screen debugger parse a pipeline file
and `--input` values the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline import AsyncPipeline, DefinitionError, PipelineValidationError
from pipeline.bridges.haystack import from_haystack, is_haystack_definition, is_haystack_pipeline, load_haystack_yaml
from pipeline.core.errors import PipelineError
from pipeline.core.pipeline import PipelineBase
from pipeline.core.type_utils import types_are_compatible
from pipeline.runs.rebuild import INSTALL_HINT
from pipeline.runs.recording import RecordedRun, RecordingError, read_run
from pipeline.runs.store import RunStore, StoreError
from tui.commands import CommandError

DEFAULT_PIPELINE = "waiting.yaml"
"""The sample in the `sample_pipelines` package that runs when no pipeline file is named."""


def add_pipeline_arguments(parser: argparse.ArgumentParser) -> None:
    """PIPELINE, --input and --allow-module, as every pipeline-loading sub-command takes them."""
    parser.add_argument(
        "pipeline",
        nargs="?",
        metavar="PIPELINE",
        help="a pipeline YAML file (ours, or one Haystack's dumps() wrote), or a Python file or package defining "
        "build_pipeline() (returning our pipeline or a haystack-ai one) "
        f"(default: the bundled sample_pipelines/{DEFAULT_PIPELINE})",
    )
    parser.add_argument(
        "--input",
        "-i",
        dest="inputs",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a pipeline input: 'socket=value' feeds every component with that open socket, "
        "'component.socket=value' one component. Non-str sockets parse VALUE as JSON (falling back to the text). "
        "Repeatable; without any, the first of the pipeline's metadata.example_inputs is used",
    )
    add_allow_module_argument(parser)


def add_allow_module_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-module",
        dest="allowed_modules",
        action="append",
        default=[],
        metavar="MODULE",
        help="also import component types from MODULE (and its submodules); repeatable. "
        "pipeline and sample_pipelines are always allowed",
    )


def add_runs_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--runs-dir", metavar="DIR", help="the runs folder (default: $PIPEDEBUG_RUNS_DIR, else ./.pipedebug/runs)"
    )


def add_concurrency_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=4,
        metavar="N",
        help="how many components a run may run at once (default: 4)",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


@contextmanager
def pipeline_path(path: str | None) -> Iterator[Path]:
    """The named file, or the bundled sample as a real file wherever the package is installed."""
    if path is not None:
        yield Path(path)
        return
    with resources.as_file(resources.files("sample_pipelines").joinpath(DEFAULT_PIPELINE)) as sample:
        yield sample


def load_pipeline(path: str | None, allowed_modules: Sequence[str] = ()) -> tuple[PipelineBase, Path]:
    """Load PIPELINE (or the default sample): a YAML file, or Python (a `.py` file or a package directory) that
    defines `build_pipeline()` or a module-level `pipeline`. A bad file raises `DefinitionError` naming file
    and line; Python is the user's own code, which they asked to run, so it is imported as it is.

    A haystack-ai pipeline (built in Python, or a YAML whose component types are Haystack's) is bridged onto our
    engine (`pipeline.bridges.haystack`), its YAML under the same allow-list rules as ours."""
    with pipeline_path(path) as resolved:
        if resolved.is_dir() or resolved.suffix == ".py":
            return load_python_pipeline(resolved), resolved
        if _is_haystack_yaml(resolved):
            return load_haystack_yaml(resolved, source=str(resolved), allowed_modules=allowed_modules), resolved
        return AsyncPipeline.load(resolved, allowed_modules=allowed_modules), resolved


def _is_haystack_yaml(path: Path) -> bool:
    """Whether the file parses as a definition naming Haystack's types; any other file goes to our loader, which
    reports what is wrong with it (file, line)."""
    try:
        return is_haystack_definition(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False


def load_python_pipeline(path: Path) -> PipelineBase:
    file = path / "__init__.py" if path.is_dir() else path
    if not file.is_file():
        raise DefinitionError(f"no Python file here (expected {file.name})", (), str(path))
    module_name = f"_pipedebug_user_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(module_name, file, submodule_search_locations=None)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        factory = getattr(module, "build_pipeline", None)
        pipe = factory() if callable(factory) else getattr(module, "pipeline", None)
    except Exception as exc:
        line = next(
            (
                frame.lineno
                for frame in reversed(traceback.extract_tb(exc.__traceback__))
                if frame.filename == str(file)
            ),
            None,
        )
        if isinstance(exc, ModuleNotFoundError) and (exc.name or "").partition(".")[0] == "haystack":
            raise DefinitionError(f"it imports haystack, and {INSTALL_HINT}", (), str(file), line) from exc
        raise DefinitionError(f"{type(exc).__name__}: {exc}", (), str(file), line) from exc
    if is_haystack_pipeline(pipe):
        try:
            return from_haystack(pipe)
        except (PipelineError, ValueError, TypeError) as exc:  # a component or socket it cannot carry: named
            raise DefinitionError(f"cannot bridge its Haystack pipeline: {exc}", (), str(file)) from exc
    if not isinstance(pipe, PipelineBase):
        raise DefinitionError(
            "defines neither build_pipeline() returning a pipeline (ours or haystack-ai's) nor a module-level "
            "`pipeline`",
            (),
            str(file),
        )
    return pipe


def parse_inputs(pipe: PipelineBase, specs: Sequence[str]) -> dict[str, Any]:
    """Turn `--input` strings into run data, coercing each value by the type of the socket it feeds.

    Names the pipeline does not know are passed through untouched, so the engine's own validation reports them
    (with the list of components and open sockets). A flat name whose receivers disagree on the coerced value
    (a `str` socket and an `int` socket of the same name) is split into per-component inputs.
    """
    open_sockets = pipe.inputs()
    data: dict[str, Any] = {}
    seen: set[str] = set()
    for spec in specs:
        name, sep, raw = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            raise PipelineValidationError(f"--input expects NAME=VALUE or COMPONENT.SOCKET=VALUE, got {spec!r}.")
        if name in seen:
            raise PipelineValidationError(f"--input '{name}' is given more than once.")
        seen.add(name)
        component, dot, socket = name.partition(".")
        if dot:
            declared = open_sockets.get(component, {}).get(socket)
            value = coerce(raw, declared["type"]) if declared else raw
            data.setdefault(component, {})[socket] = value
            continue
        receivers = {comp: sockets[name]["type"] for comp, sockets in open_sockets.items() if name in sockets}
        values = {comp: coerce(raw, socket_type) for comp, socket_type in receivers.items()}
        distinct = {json.dumps(v, sort_keys=True, default=repr) + type(v).__name__ for v in values.values()}
        if len(distinct) <= 1:
            data[name] = next(iter(values.values()), raw)
        else:
            for comp, value in values.items():
                data.setdefault(comp, {})[name] = value
    return data


def example_inputs(pipe: PipelineBase) -> dict[str, Any] | None:
    """The first entry of the pipeline's `metadata.example_inputs`, the inputs its author suggests."""
    examples = pipe.metadata.get("example_inputs")
    if examples is None:
        return None
    if not isinstance(examples, list) or not examples or not isinstance(examples[0], Mapping):
        raise PipelineValidationError("metadata.example_inputs must be a non-empty list of input mappings.")
    return dict(examples[0])


def coerce(raw: str, socket_type: Any) -> Any:
    """Text stays text for sockets that take `str`; anything else is parsed as JSON if it parses."""
    if _accepts_str(socket_type):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _accepts_str(socket_type: Any) -> bool:
    """A socket declared `str` (or a union with it) takes the text as typed; `Any` gets parsed JSON."""
    return socket_type is not Any and types_are_compatible(str, socket_type)


def load_recording(reference: str, runs_dir: str | None) -> RecordedRun:
    """The recorded run `reference` names, checked to be replayable; errors name the file and the reason."""
    try:
        recorded = read_run(RunStore(runs_dir).resolve(reference))
        recorded.check_started()
    except (StoreError, RecordingError) as exc:
        raise CommandError(str(exc)) from exc
    return recorded
