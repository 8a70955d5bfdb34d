"""haystack-ai pipelines on our engine, unchanged, so the debugger can open them (the `haystack` extra).

Each Haystack component instance is wrapped, not re-implemented: a `HaystackComponent` reads its sockets from
Haystack's own socket metadata and calls its `run`/`run_async`/`warm_up`, so values stay Haystack's objects.
Connections, their conversions (Haystack's `_convert_value`, so a `str` becomes Haystack's `ChatMessage`),
`max_runs_per_component` and metadata are copied from the Haystack pipeline; type checks were Haystack's job when
the user connected. Importing this module never imports haystack: `is_haystack_pipeline` and
`is_haystack_definition` work without it, and the rest imports it when asked to build something.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.core import serialization as loader
from pipeline.core.component import component
from pipeline.core.component.types import EMPTY, GreedyVariadic, Variadic
from pipeline.core.errors import ComponentError, DefinitionError, PipelineConnectError, PipelineError
from pipeline.core.marshal import line_of, loads_yaml
from pipeline.core.pipeline import AsyncPipeline, Pipeline, PipelineBase
from pipeline.utils.type_serialization import STANDARD_TYPE_MODULES

__all__ = [
    "HAYSTACK_ALLOWED_MODULES",
    "METADATA_ALLOWED_MODULES_KEY",
    "HaystackComponent",
    "from_haystack",
    "is_haystack_definition",
    "is_haystack_pipeline",
    "load_haystack_yaml",
]

HAYSTACK_ALLOWED_MODULES = (*loader.DEFAULT_ALLOWED_MODULES, "haystack")
"""What a Haystack YAML may import without being told: our loader's defaults, plus haystack-ai itself."""
METADATA_ALLOWED_MODULES_KEY = "allowed_modules"
"""`metadata: {allowed_modules: [my_components, haystack_integrations]}` in a Haystack YAML allows those packages."""

_HAYSTACK_PACKAGES = ("haystack", "haystack_integrations")
_TYPE_KEYS = frozenset({"type", "output_type", "type_", "list_type_"})
"""Keys whose string values Haystack's deserializers import as classes or types (`list[haystack.Document]`)."""
_CALLABLE_KEYS = frozenset(
    {
        "streaming_callback",
        "azure_ad_token_provider",
        "tool_parsing_function",
        "splitting_function",
        "function",
        "handler",
    }
)
"""Keys whose string values Haystack's deserializers import as functions (`custom_filters` maps names to them)."""
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_PACKAGE_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")

KeyPath = tuple[str | int, ...]


def is_haystack_pipeline(obj: Any) -> bool:
    """Whether `obj` is a haystack-ai pipeline (2.x `Pipeline`/`AsyncPipeline`, 3.x `Pipeline`).

    Decided by its classes' names, so asking never imports haystack.
    """
    return not isinstance(obj, type) and any(
        cls.__name__ == "PipelineBase" and cls.__module__ == "haystack.core.pipeline.base" for cls in type(obj).__mro__
    )


def is_haystack_definition(data: Any) -> bool:
    """Whether a parsed pipeline definition is Haystack's: some component's type lies in `haystack` or
    `haystack_integrations` (our definitions name `pipeline.…` types)."""
    components = data.get("components") if isinstance(data, Mapping) else None
    if not isinstance(components, Mapping):
        return False
    return any(
        isinstance(spec, Mapping)
        and isinstance(spec.get("type"), str)
        and loader._in_allowed(spec["type"], _HAYSTACK_PACKAGES)
        for spec in components.values()
    )


# -- the component adapter ------------------------------------------------------------------------------------


@component
class HaystackComponent:
    """One Haystack component instance (`haystack_instance`), run unchanged by our engine.

    `HaystackComponent(instance, name)` returns an instance of a subclass named as the Haystack class (so errors,
    spans and the graph name Haystack's type), with `run_async` only if the Haystack component supports async:
    our engine awaits that on the event loop and sends sync components to worker threads. `warm_up` exists only
    if the Haystack component has one. Sockets are read once, here; a call only delegates.
    """

    def __new__(cls, instance: Any, name: str | None = None) -> HaystackComponent:
        is_async = bool(getattr(instance, "__haystack_supports_async__", False))
        haystack_class: type = type(instance)
        return object.__new__(_adapter_class(haystack_class, is_async))

    def __init__(self, instance: Any, name: str | None = None) -> None:
        self.name = name or type(instance).__name__
        inputs = _haystack_sockets(instance, "__haystack_input__", self.name)
        outputs = _haystack_sockets(instance, "__haystack_output__", self.name)
        self.haystack_instance = instance
        self.joined_sockets: tuple[str, ...] = tuple(
            socket.name for socket in inputs.values() if socket.is_lazy_variadic and not socket.wrap_input_in_list
        )
        """List sockets Haystack made lazy variadic for a second sender: their senders' lists are concatenated."""
        for socket in inputs.values():
            default = EMPTY if socket.is_mandatory else socket.default_value
            component.set_input_type(self, socket.name, _annotation(socket, self.name), default)
        component.set_output_types(self, **{socket.name: socket.type for socket in outputs.values()})
        warm_up = getattr(instance, "warm_up", None)
        if callable(warm_up):
            self.warm_up = warm_up

    def run(self, **kwargs: Any) -> Any:
        return self.haystack_instance.run(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Haystack's serialization of the component, so a bridged pipeline's YAML is Haystack's."""
        from haystack.core.serialization import component_to_dict

        return component_to_dict(self.haystack_instance, self.name)

    def __repr__(self) -> str:
        haystack_class = type(self.haystack_instance)
        return f"<HaystackComponent '{self.name}': {haystack_class.__module__}.{haystack_class.__qualname__}>"


@component
class _AsyncHaystackComponent(HaystackComponent):
    """The adapter of a Haystack component that has `run_async`."""

    async def run_async(self, **kwargs: Any) -> Any:
        return await self.haystack_instance.run_async(**kwargs)


@functools.cache
def _adapter_class(haystack_class: type, is_async: bool) -> type[HaystackComponent]:
    """The adapter subclass for one Haystack class, carrying its name and module."""
    base = _AsyncHaystackComponent if is_async else HaystackComponent
    namespace = {
        "__module__": haystack_class.__module__,
        "__qualname__": haystack_class.__qualname__,
        "__doc__": f"{haystack_class.__qualname__} (haystack-ai) run by pipedebug's engine.",
    }
    return type(haystack_class.__name__, (base,), namespace)


def _haystack_sockets(instance: Any, attribute: str, name: str) -> dict[str, Any]:
    sockets = getattr(getattr(instance, attribute, None), "_sockets_dict", None)
    if not isinstance(sockets, dict):
        raise ComponentError(
            f"'{name}': {type(instance).__name__} is not a haystack-ai component (it has no {attribute} sockets); "
            "only instances of @haystack.component classes can be bridged."
        )
    return sockets


def _annotation(socket: Any, name: str) -> Any:
    """Our annotation for a Haystack input socket: variadic and greedy ones become our Variadic/GreedyVariadic."""
    try:
        if socket.is_greedy:
            return GreedyVariadic[socket.type]
        if socket.is_lazy_variadic and socket.wrap_input_in_list:
            return Variadic[socket.type]
    except TypeError as exc:
        raise ComponentError(
            f"'{name}': cannot bridge the variadic input socket '{socket.name}' of type {socket.type!r}: {exc}"
        ) from exc
    return socket.type


# -- pipelines ------------------------------------------------------------------------------------------------


def from_haystack(haystack_pipeline: Any) -> PipelineBase:
    """Our pipeline running the same Haystack component instances, with the same names and connections.

    A Haystack `AsyncPipeline` (or 3.x `Pipeline`, which has `run_async`) becomes our `AsyncPipeline`, a 2.x
    `Pipeline` our `Pipeline`. Connections are made in Haystack's edge order with Haystack's socket names, each
    keeping the conversion Haystack chose for it.
    """
    if not is_haystack_pipeline(haystack_pipeline):
        raise TypeError(
            f"from_haystack() takes a haystack-ai Pipeline or AsyncPipeline, got {type(haystack_pipeline).__name__}."
        )
    from haystack.core.type_utils import _convert_value

    source = haystack_pipeline
    pipeline_class = AsyncPipeline if callable(getattr(type(source), "run_async", None)) else Pipeline
    # Haystack checked the types when the user connected; ours would compare its classes with ours.
    pipe = pipeline_class(
        metadata=dict(source.metadata),
        max_runs_per_component=source._max_runs_per_component,
        connection_type_validation=False,
    )
    for name, instance in source.graph.nodes(data="instance"):
        adapter = HaystackComponent(instance, name)
        pipe.add_component(name, adapter)
        for socket_name in adapter.joined_sockets:
            pipe.input_sockets_of(name)[socket_name].join_senders()
    for sender, receiver, edge in source.graph.edges(data=True):
        sender_address = f"{sender}.{edge['from_socket'].name}"
        receiver_address = f"{receiver}.{edge['to_socket'].name}"
        strategy = edge.get("conversion_strategy")
        convert = functools.partial(_convert_value, conversion_strategy=strategy) if strategy is not None else None
        try:
            pipe.connect(sender_address, receiver_address, convert=convert)
        except PipelineConnectError as exc:
            raise PipelineConnectError(
                f"Cannot bridge Haystack's connection '{sender_address}' -> '{receiver_address}': {exc}"
            ) from exc
    # Written back by to_dict(), so our YAML of the pipeline is Haystack's.
    pipe.connection_type_validation = source._connection_type_validation
    return pipe


def load_haystack_yaml(path_or_text: str | Path, *, source: str, allowed_modules: Iterable[str] = ()) -> PipelineBase:
    """Our `AsyncPipeline` for a YAML written by Haystack's `dumps()`.

    `path_or_text` is a file if it is a `Path` or a one-line string, else the YAML itself. Every import path in
    it (component and nested `type`s, type strings, callables) must lie in `HAYSTACK_ALLOWED_MODULES`, in
    `allowed_modules` (pipedebug's `--allow-module`) or in the packages its metadata lists under
    `allowed_modules`; that is checked before anything is imported. Then Haystack builds the pipeline
    (`AsyncPipeline.from_dict`, as its `loads` does) and `from_haystack` bridges it.

    :raises DefinitionError: naming `source`, the line and the key at fault.
    """
    text = _read_definition(path_or_text, source)
    data, lines = loads_yaml(text, source)
    try:
        if not isinstance(data, Mapping):
            raise DefinitionError(f"a pipeline definition must be a mapping, got {type(data).__name__}")
        allowed = tuple(
            dict.fromkeys((*HAYSTACK_ALLOWED_MODULES, *_metadata_allowed(data), *loader._modules(allowed_modules)))
        )
        _check_imports(data, (), allowed)
        haystack_pipeline = _build_with_haystack(data)
        try:
            return from_haystack(haystack_pipeline)
        except (PipelineError, ValueError) as exc:
            raise DefinitionError(str(exc), _blame(exc, data)) from exc
    except DefinitionError as exc:
        raise exc.located(source, line_of(lines, exc.key_path)) from exc.__cause__


def _read_definition(path_or_text: str | Path, source: str) -> str:
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return path_or_text
    try:
        return Path(path_or_text).read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(f"cannot read the file: {exc.strerror or exc}", (), source) from exc
    except UnicodeDecodeError as exc:
        raise DefinitionError(f"the file is not UTF-8 text: {exc.reason} at byte {exc.start}", (), source) from exc


def _metadata_allowed(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The packages the definition's own metadata allows, checked to be a list of package names."""
    metadata = data.get("metadata")
    listed = metadata.get(METADATA_ALLOWED_MODULES_KEY) if isinstance(metadata, Mapping) else None
    if listed is None:
        return ()
    key_path = ("metadata", METADATA_ALLOWED_MODULES_KEY)
    if not isinstance(listed, list) or not all(isinstance(m, str) and _PACKAGE_NAME.fullmatch(m) for m in listed):
        raise DefinitionError(f"must be a list of package names like 'my_components', got {listed!r}", key_path)
    return tuple(listed)


def _check_imports(value: Any, key_path: KeyPath, allowed: tuple[str, ...]) -> None:
    """Refuse any import path in the definition that lies outside `allowed`, naming its key."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check_imports(item, (*key_path, index), allowed)
        return
    if not isinstance(value, Mapping):
        return
    for key, item in value.items():
        path = (*key_path, key)
        if key in _TYPE_KEYS:
            for type_string in [item] if isinstance(item, str) else item if isinstance(item, list) else []:
                if isinstance(type_string, str):
                    for name in _DOTTED_NAME.findall(type_string):
                        _check_allowed(name, type_string, path, (*allowed, *STANDARD_TYPE_MODULES), allowed)
        elif key in _CALLABLE_KEYS and isinstance(item, str):
            _check_allowed(item, item, path, allowed, allowed)
        elif key == "custom_filters" and isinstance(item, Mapping):
            for filter_name, handle in item.items():
                if isinstance(handle, str):
                    _check_allowed(handle, handle, (*path, filter_name), allowed, allowed)
        _check_imports(item, path, allowed)


def _check_allowed(
    name: str, requested: str, key_path: KeyPath, accepted: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    if not loader._in_allowed(name, accepted):
        raise DefinitionError(
            f"'{requested}' is not in an allowed module (allowed: {', '.join(allowed)}); list its package under "
            f"metadata: {{{METADATA_ALLOWED_MODULES_KEY}: [...]}} or pass allowed_modules=[...] to load it",
            key_path,
        )


def _build_with_haystack(data: Mapping[str, Any]) -> Any:
    try:
        import haystack
    except ImportError as exc:
        raise DefinitionError(
            f"this is a haystack-ai pipeline, and haystack-ai is not installed ({exc}); "
            "install it with pip install 'pipedebug[haystack]'"
        ) from exc
    pipeline_class = getattr(haystack, "AsyncPipeline", haystack.Pipeline)  # 3.x merged both into Pipeline
    try:
        return pipeline_class.from_dict(copy.deepcopy(dict(data)))  # Haystack's from_dict may edit what it reads
    except Exception as exc:
        cause = exc.__cause__ if type(exc).__name__ == "DeserializationError" and exc.__cause__ else exc
        raise DefinitionError(f"Haystack cannot build it: {type(cause).__name__}: {cause}", _blame(exc, data)) from exc


def _blame(error: Exception, data: Mapping[str, Any]) -> KeyPath:
    """Where an error Haystack raised while building points to: the connection or component it names, if any."""
    message = str(error)
    connections = data.get("connections")
    for index, connection in enumerate(connections if isinstance(connections, list) else []):
        if isinstance(connection, Mapping):
            for end in ("sender", "receiver"):
                if isinstance(connection.get(end), str) and connection[end] in message:
                    return ("connections", index, end)
    components = data.get("components")
    for name in components if isinstance(components, Mapping) else ():
        if f"'{name}'" in message:
            return ("components", name)
    return ()
