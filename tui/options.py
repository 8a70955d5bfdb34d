"""Arguments shared by every sub-command that loads a pipeline and feeds it inputs.

Kept apart from `cli.py` so that `run`, `replay`, `compare` and the full-screen debugger parse a pipeline file
and `--input` values the same way.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline import AsyncPipeline, PipelineValidationError
from pipeline.core.types import types_are_compatible

DEFAULT_PIPELINE = "waiting.yaml"
"""The sample in the `sample_pipelines` package that runs when no pipeline file is named."""


def add_pipeline_arguments(parser: argparse.ArgumentParser) -> None:
    """PIPELINE, --input and --allow-module, as every pipeline-loading sub-command takes them."""
    parser.add_argument(
        "pipeline",
        nargs="?",
        metavar="PIPELINE",
        help=f"a pipeline YAML file (default: the bundled sample_pipelines/{DEFAULT_PIPELINE})",
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
    parser.add_argument(
        "--allow-module",
        dest="allowed_modules",
        action="append",
        default=[],
        metavar="MODULE",
        help="also import component types from MODULE (and its submodules); repeatable. "
        "pipeline and sample_pipelines are always allowed",
    )


@contextmanager
def pipeline_path(path: str | None) -> Iterator[Path]:
    """The named file, or the bundled sample as a real file wherever the package is installed."""
    if path is not None:
        yield Path(path)
        return
    with resources.as_file(resources.files("sample_pipelines").joinpath(DEFAULT_PIPELINE)) as sample:
        yield sample


def load_pipeline(path: str | None, allowed_modules: Sequence[str] = ()) -> tuple[AsyncPipeline, Path]:
    """Load PIPELINE (or the default sample); a bad file raises `DefinitionError` naming file and line."""
    with pipeline_path(path) as resolved:
        return AsyncPipeline.load(resolved, allowed_modules=allowed_modules), resolved


def parse_inputs(pipe: AsyncPipeline, specs: Sequence[str]) -> dict[str, Any]:
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


def example_inputs(pipe: AsyncPipeline) -> dict[str, Any] | None:
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
