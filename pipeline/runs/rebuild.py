"""Rebuilding a recorded run's pipeline from the definition its recording holds: for replays, forks and exports.

A run of a bridged Haystack pipeline recorded Haystack's YAML (component types `haystack.*`), which only the bridge
(`pipeline.bridges.haystack`) rebuilds, and only where haystack-ai is installed. Where it is not, a replay still
draws its graph: with `placeholders=True` the pipeline is built from the recorded components and connections out
of `Placeholder` components, which have the sockets the definition and the recorded events name, keep the
recorded type and init parameters, and refuse to run (so a fork says why instead of running half a pipeline).
A run imported from traces (`pipeline.runs.otlp_import`) has a definition drawn from the trace, marked with a
top-level `imported_from` key: it is always drawn from placeholders, which take their sockets from the
definition's `sockets`, and never built from real classes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from pipeline.bridges.haystack import is_haystack_definition, load_haystack_yaml
from pipeline.core.component import component
from pipeline.core.component.types import Variadic
from pipeline.core.errors import DefinitionError
from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent
from pipeline.core.pipeline import AsyncPipeline, PipelineBase

INSTALL_HINT = "haystack-ai is not installed: pip install 'pipedebug[haystack]'"
IMPORTED_KEY = "imported_from"
"""Top-level key of a definition drawn from traces; its value names the format ("otlp")."""
IMPORTED_HINT = "the run was imported from traces of a pipeline that ran elsewhere, so its components cannot run here"


def placeholder_reason(imported: bool) -> str:
    """Why a recorded pipeline was drawn from placeholders: it came from traces, or haystack-ai is missing."""
    return IMPORTED_HINT if imported else INSTALL_HINT


def is_imported_definition(data: Any) -> bool:
    return isinstance(data, Mapping) and IMPORTED_KEY in data and isinstance(data.get("components"), Mapping)


def haystack_installed() -> bool:
    try:
        return importlib.util.find_spec("haystack") is not None
    except (ImportError, ValueError):
        return False


def rebuild_pipeline(
    definition: str,
    *,
    source: str,
    allowed_modules: Iterable[str] = (),
    placeholders: bool = False,
    events: Iterable[RunEvent] = (),
) -> PipelineBase:
    """The pipeline a recording's `definition` (YAML) describes: ours, or a Haystack one through the bridge.

    Where haystack-ai is missing, a Haystack definition raises `DefinitionError` saying so, unless
    `placeholders`: then it is drawn from `Placeholder` components whose sockets also come from the recorded
    `events`.
    """
    try:
        data = yaml.safe_load(definition)
    except yaml.YAMLError:
        data = None  # AsyncPipeline.loads reports where the YAML breaks
    if is_imported_definition(data):
        if placeholders:
            return placeholder_pipeline(data, events)
        raise DefinitionError(IMPORTED_HINT, (), source)
    if not is_haystack_definition(data):
        return AsyncPipeline.loads(definition, source=source, allowed_modules=allowed_modules)
    if not haystack_installed():
        if placeholders:
            return placeholder_pipeline(data, events)
        raise DefinitionError(f"the run was recorded from a haystack-ai pipeline, and {INSTALL_HINT}", (), source)
    return load_haystack_yaml(definition, source=source, allowed_modules=allowed_modules)


@component
class Placeholder:
    """Stands in for a recorded component whose class cannot be built here: its sockets, type and init
    parameters as recorded, no behaviour."""

    def __init__(self, type_path: str, init_parameters: Mapping[str, Any], inputs: Mapping[str, bool]) -> None:
        """`inputs` maps each input socket to whether several senders feed it (then it is variadic)."""
        self.type_path = type_path
        self.recorded_init_parameters = dict(init_parameters)
        for name, variadic in inputs.items():
            component.set_input_type(self, name, Variadic[Any] if variadic else Any, None)

    def run(self, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError(f"{self.type_path} cannot run here: {INSTALL_HINT}")

    def to_dict(self) -> dict[str, Any]:
        """As recorded, so the definition written again is the one that was read."""
        return {"type": self.type_path, "init_parameters": self.recorded_init_parameters}


class AsyncPlaceholder(Placeholder):
    """A placeholder for a component that ran on the event loop, so the graph marks it as async."""

    async def run_async(self, **kwargs: Any) -> dict[str, Any]:
        return self.run(**kwargs)


def placeholder_pipeline(data: Mapping[str, Any], events: Iterable[RunEvent] = ()) -> AsyncPipeline:
    """The graph of a parsed definition out of placeholders: input sockets from the connections and from the
    inputs each recorded visit received, output sockets from the connections and the outputs visits produced,
    and, for a definition drawn from traces, the socket names each component's `sockets` lists."""
    components: Mapping[str, Any] = data["components"]
    connections = [
        (str(item["sender"]), str(item["receiver"]))
        for item in data.get("connections") or []
        if isinstance(item, Mapping) and "sender" in item and "receiver" in item
    ]
    senders: dict[str, dict[str, int]] = {name: {} for name in components}
    outputs: dict[str, dict[str, None]] = {name: {} for name in components}
    modes: dict[str, str] = {}
    for name, spec in components.items():
        sockets = spec.get("sockets") if isinstance(spec, Mapping) else None
        if isinstance(sockets, Mapping):
            for socket in sockets.get("inputs") or ():
                senders[name].setdefault(str(socket), 0)
            outputs[name].update(dict.fromkeys(str(socket) for socket in sockets.get("outputs") or ()))
    for sender, receiver in connections:
        name, _, socket = sender.partition(".")
        outputs.setdefault(name, {})[socket] = None
        name, _, socket = receiver.partition(".")
        inputs = senders.setdefault(name, {})
        inputs[socket] = inputs.get(socket, 0) + 1
    for event in events:
        if isinstance(event, ComponentStarted) and event.component in senders:
            modes.setdefault(event.component, event.mode)
            for socket in event.inputs:
                senders[event.component].setdefault(socket, 0)
        elif isinstance(event, ComponentFinished) and event.component in outputs:
            outputs[event.component].update(dict.fromkeys(event.outputs))
    pipe = AsyncPipeline(
        metadata=dict(data.get("metadata") or {}),
        max_runs_per_component=int(data.get("max_runs_per_component", 100)),
        connection_type_validation=False,
    )
    for name, spec in components.items():
        spec = spec if isinstance(spec, Mapping) else {}
        type_path = str(spec.get("type", "unknown"))
        base = AsyncPlaceholder if modes.get(name) == "async" else Placeholder
        cls = type(type_path.rpartition(".")[2] or "Placeholder", (base,), {"__module__": __name__})
        instance = cls(type_path, spec.get("init_parameters") or {}, {s: n > 1 for s, n in senders[name].items()})
        component.set_output_types(instance, **dict.fromkeys(outputs[name], Any))
        pipe.add_component(name, instance)
    for sender, receiver in connections:
        pipe.connect(sender, receiver)
    return pipe


def has_placeholders(pipe: PipelineBase) -> bool:
    return any(isinstance(instance, Placeholder) for _, instance in pipe.walk())
