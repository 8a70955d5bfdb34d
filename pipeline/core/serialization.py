"""Pipelines and components to and from plain dicts, in Haystack's layout.

Component types are imported only from allowed modules, so a definition file cannot make us import arbitrary
code. Errors are `DefinitionError`s carrying the key path at fault; the YAML layer turns that into a line.
"""

from __future__ import annotations

import datetime
import enum
import importlib
import inspect
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pipeline.core.component import init_parameters, is_component
from pipeline.core.errors import DefinitionError, PipelineError
from pipeline.utils.auth import Secret

if TYPE_CHECKING:
    from pipeline.core.graph import PipelineGraph

DEFAULT_ALLOWED_MODULES = ("pipeline", "sample_pipelines")
_PIPELINE_KEYS = {"metadata", "max_runs_per_component", "connection_type_validation", "components", "connections"}
_SCALARS = (str, int, float, bool, type(None), bytes, datetime.date)
"""Values `yaml.safe_dump` writes and `yaml.safe_load` reads back as they were (dates included)."""

MAX_DEFINITION_VALUES = 200_000
"""Values (scalars, lists and mappings) a definition may hold once YAML aliases are expanded."""

KeyPath = tuple[str | int, ...]

_LOADING_ALLOWED: ContextVar[tuple[str, ...]] = ContextVar("pipeline_allowed_modules", default=())
"""Modules the load in progress allows, so a class's own `from_dict` calling `default_from_dict` inherits them."""


def import_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def default_to_dict(obj: Any, **init_parameters: Any) -> dict[str, Any]:
    """`{"type": ..., "init_parameters": ...}` for `obj`, with secrets and nested objects serialized."""
    return {
        "type": import_path(type(obj)),
        "init_parameters": {
            key: serialize_value(value, (type(obj).__name__, key)) for key, value in init_parameters.items()
        },
    }


def default_from_dict(cls: type, data: Mapping[str, Any], allowed_modules: Iterable[str] = ()) -> Any:
    """Instantiate `cls` from `default_to_dict` output; nested secrets and objects are restored first."""
    return _construct(cls, data.get("init_parameters"), ("init_parameters",), allowed_modules)


def _construct(cls: type, parameters: Any, key_path: KeyPath, allowed_modules: Iterable[str]) -> Any:
    """`cls(**parameters)` after checking the names against its signature; `key_path` locates `parameters`."""
    parameters = _mapping_or_empty(parameters, "'init_parameters' must be a mapping", key_path)
    _check_init_parameters(cls, parameters, key_path)
    return cls(
        **{key: deserialize_value(value, (*key_path, key), allowed_modules) for key, value in parameters.items()}
    )


def _check_init_parameters(cls: type, parameters: Mapping[Any, Any], key_path: KeyPath) -> None:
    """Refuse a parameter `cls.__init__` does not take, or a required one that is missing, naming the key."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # builtins and the like: let the call itself complain
        return
    named = {
        name: param
        for name, param in signature.parameters.items()
        if param.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    for key in parameters:
        if not isinstance(key, str) or (key not in named and not takes_kwargs):
            raise DefinitionError(
                f"{cls.__name__} has no init parameter '{key}' (it takes: {', '.join(named) or 'none'})",
                (*key_path, str(key)),
            )
    missing = [name for name, param in named.items() if param.default is param.empty and name not in parameters]
    if missing:
        raise DefinitionError(f"{cls.__name__} needs the init parameter(s) {', '.join(missing)}", key_path)


def _mapping_or_empty(value: Any, reason: str, key_path: KeyPath) -> Mapping[Any, Any]:
    """`value` if it is a mapping, `{}` if it is absent (None); anything else is an error."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DefinitionError(f"{reason}, got {_kind(value)}", key_path)
    return value


def _kind(value: Any) -> str:
    """How an error names a value of the wrong kind: `a list`, `a mapping`, `int 3`."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


def _within(exc: DefinitionError, key_path: KeyPath) -> DefinitionError:
    """`exc`, raised by a class's own `from_dict` with a path relative to its data, re-rooted at `key_path`."""
    return DefinitionError(exc.reason, (*key_path, *exc.key_path))


def serialize_value(value: Any, key_path: KeyPath = ()) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Secret):
        try:
            return value.to_dict()
        except ValueError as exc:
            raise DefinitionError(str(exc), key_path) from exc
    if callable(getattr(type(value), "to_dict", None)):
        return serialize_value(value.to_dict(), key_path)
    if isinstance(value, list | tuple):
        return [serialize_value(item, (*key_path, index)) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(key): serialize_value(item, (*key_path, str(key))) for key, item in value.items()}
    raise DefinitionError(
        f"cannot serialize a {type(value).__name__}; give its class to_dict()/from_dict(), "
        "or the component a to_dict() of its own",
        key_path,
    )


def deserialize_value(value: Any, key_path: KeyPath, allowed_modules: Iterable[str] = ()) -> Any:
    if Secret.is_serialized(value):
        try:
            return Secret.from_dict(value)
        except ValueError as exc:
            raise DefinitionError(str(exc), key_path) from exc
    if isinstance(value, Mapping) and set(value) == {"type", "init_parameters"} and isinstance(value["type"], str):
        cls = import_allowed_type(value["type"], (*key_path, "type"), allowed_modules)
        from_dict = getattr(cls, "from_dict", None)
        try:
            if callable(from_dict):
                return from_dict(value)
            return _construct(cls, value["init_parameters"], (*key_path, "init_parameters"), allowed_modules)
        except DefinitionError as exc:
            if callable(from_dict):
                raise _within(exc, key_path) from exc
            raise
        except Exception as exc:
            raise DefinitionError(f"cannot create {value['type']}: {exc}", key_path) from exc
    if isinstance(value, list):
        return [deserialize_value(item, (*key_path, index), allowed_modules) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return {key: deserialize_value(item, (*key_path, key), allowed_modules) for key, item in value.items()}
    return value


def import_allowed_type(path: str, key_path: KeyPath, allowed_modules: Iterable[str] = ()) -> type:
    """Import `module.Class` if `module` lies in an allowed package; never import anything else.

    The class must also be defined in an allowed package, so a name an allowed module merely imports (say
    `pathlib.Path`) is refused too.
    """
    allowed = tuple(dict.fromkeys((*DEFAULT_ALLOWED_MODULES, *_LOADING_ALLOWED.get(), *_modules(allowed_modules))))
    module_name, _, class_name = path.rpartition(".")
    if not module_name or not class_name:
        raise DefinitionError(f"type '{path}' must be a full import path like 'package.module.Class'", key_path)
    if not _in_allowed(module_name, allowed):
        raise DefinitionError(
            f"type '{path}' is not in an allowed module (allowed: {', '.join(allowed)}); "
            "pass allowed_modules=[...] to load components from other packages",
            key_path,
        )
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # importing runs the module's code: any error in it is the definition's problem
        raise DefinitionError(f"cannot import module '{module_name}': {type(exc).__name__}: {exc}", key_path) from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise DefinitionError(f"module '{module_name}' has no class '{class_name}'", key_path)
    if not _in_allowed(cls.__module__, allowed):
        raise DefinitionError(
            f"type '{path}' is {import_path(cls)}, which is not in an allowed module (allowed: {', '.join(allowed)})",
            key_path,
        )
    return cls


def _in_allowed(module_name: str, allowed: Iterable[str]) -> bool:
    return any(module_name == prefix or module_name.startswith(prefix + ".") for prefix in allowed)


def _modules(allowed_modules: Iterable[str]) -> tuple[str, ...]:
    """`allowed_modules` as a tuple; one module given as a bare string is that module, not its characters."""
    return (allowed_modules,) if isinstance(allowed_modules, str) else tuple(allowed_modules)


@contextmanager
def _allowing(allowed_modules: Iterable[str]) -> Iterator[None]:
    """Allow `allowed_modules` for every import made while the block runs, including in classes' `from_dict`."""
    token = _LOADING_ALLOWED.set((*_LOADING_ALLOWED.get(), *_modules(allowed_modules)))
    try:
        yield
    finally:
        _LOADING_ALLOWED.reset(token)


def component_to_dict(instance: Any, name: str) -> dict[str, Any]:
    """The component's own `to_dict()` if it has one, else `default_to_dict` of its recorded init arguments.

    Either way the result is passed through `serialize_value`, so a secret or object a custom `to_dict` left in
    place is serialized (or refused) rather than reaching the YAML writer.
    """
    key_path: KeyPath = ("components", name)
    to_dict = getattr(type(instance), "to_dict", None)
    try:
        data = instance.to_dict() if callable(to_dict) else default_to_dict(instance, **init_parameters(instance))
    except DefinitionError as exc:
        raise DefinitionError(exc.reason, (*key_path, "init_parameters", *exc.key_path[1:])) from exc
    except ValueError as exc:
        raise DefinitionError(str(exc), key_path) from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("type"), str):
        raise DefinitionError(
            f"{type(instance).__name__}.to_dict() must return a mapping with 'type' and 'init_parameters'", key_path
        )
    return serialize_value(data, key_path)


def component_from_dict(name: str, data: Any, allowed_modules: Iterable[str] = ()) -> Any:
    key_path: KeyPath = ("components", name)
    if not isinstance(data, Mapping):
        raise DefinitionError(f"component '{name}' must be a mapping with 'type' and 'init_parameters'", key_path)
    unknown = sorted(str(key) for key in data if key not in ("type", "init_parameters"))
    if unknown:
        raise DefinitionError(
            f"unknown key(s) {', '.join(unknown)}; a component has 'type' and 'init_parameters'",
            (*key_path, unknown[0]),
        )
    if "type" not in data:
        raise DefinitionError(f"component '{name}' has no 'type' (the component's import path)", key_path)
    if not isinstance(data["type"], str):
        raise DefinitionError(
            f"'type' must be an import path string like 'package.module.Class', got {_kind(data['type'])}",
            (*key_path, "type"),
        )
    parameters = _mapping_or_empty(
        data.get("init_parameters"), "'init_parameters' must be a mapping", (*key_path, "init_parameters")
    )
    cls = import_allowed_type(data["type"], (*key_path, "type"), allowed_modules)
    if not getattr(cls, "__pipeline_component__", False):
        raise DefinitionError(f"'{data['type']}' is not a component (no @component)", (*key_path, "type"))
    from_dict = getattr(cls, "from_dict", None)
    try:
        with _allowing(allowed_modules):
            if callable(from_dict):
                instance = from_dict(data)
            else:
                instance = _construct(cls, parameters, (*key_path, "init_parameters"), allowed_modules)
    except DefinitionError as exc:
        if callable(from_dict):
            raise _within(exc, key_path) from exc
        raise
    except Exception as exc:
        raise DefinitionError(
            f"cannot create component '{name}' ({data['type']}): {type(exc).__name__}: {exc}",
            (*key_path, "init_parameters"),
        ) from exc
    if not is_component(instance):
        raise DefinitionError(f"'{data['type']}' did not produce a component", (*key_path, "type"))
    return instance


def pipeline_to_dict(pipeline: PipelineGraph) -> dict[str, Any]:
    return {
        "metadata": serialize_value(pipeline.metadata, ("metadata",)),
        "max_runs_per_component": pipeline.max_runs_per_component,
        "components": {name: component_to_dict(instance, name) for name, instance in pipeline.walk()},
        "connections": [
            {"sender": f"{sender}.{sender_socket}", "receiver": f"{receiver}.{receiver_socket}"}
            for sender, sender_socket, receiver, receiver_socket in pipeline.connections()
        ],
        "connection_type_validation": pipeline.connection_type_validation,
    }


def populate_pipeline(pipeline: PipelineGraph, data: Any, allowed_modules: Iterable[str] = ()) -> None:
    """Fill an empty pipeline from `data` (the output of `pipeline_to_dict`), validating every key."""
    if data is None:
        raise DefinitionError("the definition is empty; expected a mapping with 'components' and 'connections'")
    if not isinstance(data, Mapping):
        raise DefinitionError(f"a pipeline definition must be a mapping, got {_kind(data)}")
    unknown = sorted(set(map(str, data)) - _PIPELINE_KEYS)
    if unknown:
        raise DefinitionError(
            f"unknown key '{unknown[0]}'; expected {', '.join(sorted(_PIPELINE_KEYS))}", (unknown[0],)
        )
    pipeline.metadata = dict(_mapping_or_empty(data.get("metadata"), "'metadata' must be a mapping", ("metadata",)))
    max_runs = data.get("max_runs_per_component", pipeline.max_runs_per_component)
    if not isinstance(max_runs, int) or isinstance(max_runs, bool) or max_runs < 1:
        raise DefinitionError(f"must be a positive integer, got {max_runs!r}", ("max_runs_per_component",))
    pipeline.max_runs_per_component = max_runs
    validation = data.get("connection_type_validation", True)
    if not isinstance(validation, bool):
        raise DefinitionError(f"must be true or false, got {validation!r}", ("connection_type_validation",))
    pipeline.connection_type_validation = validation
    _check_expansion(data)
    components = _mapping_or_empty(
        data.get("components"), "'components' must be a mapping of names to components", ("components",)
    )
    for name, component_data in components.items():
        instance = component_from_dict(str(name), component_data, allowed_modules)
        try:
            pipeline.add_component(str(name), instance)
        except (PipelineError, ValueError) as exc:
            raise DefinitionError(str(exc), ("components", str(name))) from exc
    connections = data.get("connections")
    if connections is None:
        connections = []
    if not isinstance(connections, list):
        raise DefinitionError(
            f"'connections' must be a list of {{sender, receiver}}, got {_kind(connections)}", ("connections",)
        )
    for index, connection in enumerate(connections):
        _connect(pipeline, connection, ("connections", index))


class _Recursive(Exception):
    """A node reached again while its own size is being counted."""


def _check_expansion(data: Mapping[Any, Any]) -> None:
    """Refuse a definition that expands to more than `MAX_DEFINITION_VALUES` values once its YAML aliases are
    followed (a "billion laughs": nine aliases of nine aliases of ...), naming the top-level key that holds it.

    Sizes are memoized per shared node, so the check costs the distinct nodes, not the expansion.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(value: Any) -> int:
        if not isinstance(value, Mapping | list):
            return 1
        known = sizes.get(id(value))
        if known is not None:
            return known
        if id(value) in open_nodes:
            raise _Recursive
        open_nodes.add(id(value))
        children = [part for pair in value.items() for part in pair] if isinstance(value, Mapping) else value
        total = 1 + sum(size(child) for child in children)
        sizes[id(value)] = total
        return total

    for key, value in data.items():
        try:
            expanded = size(value)
        except _Recursive:
            raise DefinitionError("contains itself (a recursive YAML alias)", (str(key),)) from None
        except RecursionError:
            raise DefinitionError("the definition is nested too deeply", (str(key),)) from None
        if expanded > MAX_DEFINITION_VALUES:
            raise DefinitionError(
                f"expands to about {expanded:,} values once its aliases are followed; a definition holds at most "
                f"{MAX_DEFINITION_VALUES:,}",
                (str(key),),
            )


def _connect(pipeline: PipelineGraph, connection: Any, key_path: KeyPath) -> None:
    """Make one connection; an error points at the `sender` or `receiver` key at fault where it can."""
    if not isinstance(connection, Mapping):
        raise DefinitionError(
            f"a connection must be a mapping with 'sender' and 'receiver', got {_kind(connection)}", key_path
        )
    unknown = sorted(str(key) for key in connection if key not in ("sender", "receiver"))
    if unknown:
        raise DefinitionError(
            f"unknown key(s) {', '.join(unknown)}; a connection has 'sender' and 'receiver'", (*key_path, unknown[0])
        )
    for end in ("sender", "receiver"):
        if end not in connection:
            raise DefinitionError(f"the connection has no '{end}'", key_path)
        if not isinstance(connection[end], str):
            raise DefinitionError(
                f"'{end}' must be a string like 'component.socket', got {_kind(connection[end])}", (*key_path, end)
            )
    try:
        pipeline.connect(connection["sender"], connection["receiver"])
    except PipelineError as exc:
        raise DefinitionError(str(exc), (*key_path, *_faulty_end(pipeline, connection))) from exc


def _faulty_end(pipeline: PipelineGraph, connection: Mapping[str, str]) -> tuple[str, ...]:
    """`("sender",)` or `("receiver",)` if that address names a missing component or socket, else `()`."""
    for end, sockets_of in (("sender", pipeline.output_sockets_of), ("receiver", pipeline.input_sockets_of)):
        name, _, socket = connection[end].partition(".")
        if name not in pipeline.graph or (socket and socket not in sockets_of(name)):
            return (end,)
    return ()
