"""Pipelines and components to and from plain dicts, in Haystack's layout.

Component types are imported only from allowed modules, so a definition file cannot make us import arbitrary
code. Errors are `DefinitionError`s carrying the key path at fault; the YAML layer turns that into a line.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pipeline.core.component import init_parameters, is_component
from pipeline.core.errors import DefinitionError, PipelineError
from pipeline.utils.auth import Secret

if TYPE_CHECKING:
    from pipeline.core.graph import PipelineGraph

DEFAULT_ALLOWED_MODULES = ("pipeline", "sample_pipelines")
_PIPELINE_KEYS = {"metadata", "max_runs_per_component", "components", "connections"}
_SCALARS = (str, int, float, bool, type(None))

KeyPath = tuple[str | int, ...]


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
    parameters = data.get("init_parameters") or {}
    return cls(
        **{
            key: deserialize_value(value, ("init_parameters", key), allowed_modules)
            for key, value in parameters.items()
        }
    )


def serialize_value(value: Any, key_path: KeyPath = ()) -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Secret) or callable(getattr(type(value), "to_dict", None)):
        return value.to_dict()
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
        return Secret.from_dict(value)
    if isinstance(value, Mapping) and set(value) == {"type", "init_parameters"} and isinstance(value["type"], str):
        cls = import_allowed_type(value["type"], (*key_path, "type"), allowed_modules)
        from_dict = getattr(cls, "from_dict", None)
        try:
            return from_dict(value) if callable(from_dict) else default_from_dict(cls, value, allowed_modules)
        except DefinitionError:
            raise
        except Exception as exc:
            raise DefinitionError(f"cannot create {value['type']}: {exc}", key_path) from exc
    if isinstance(value, list):
        return [deserialize_value(item, (*key_path, index), allowed_modules) for index, item in enumerate(value)]
    if isinstance(value, Mapping):
        return {key: deserialize_value(item, (*key_path, key), allowed_modules) for key, item in value.items()}
    return value


def import_allowed_type(path: str, key_path: KeyPath, allowed_modules: Iterable[str] = ()) -> type:
    """Import `module.Class` if `module` lies in an allowed package; never import anything else."""
    allowed = (*DEFAULT_ALLOWED_MODULES, *allowed_modules)
    module_name, _, class_name = path.rpartition(".")
    if not module_name or not class_name:
        raise DefinitionError(f"type '{path}' must be a full import path like 'package.module.Class'", key_path)
    if not any(module_name == prefix or module_name.startswith(prefix + ".") for prefix in allowed):
        raise DefinitionError(
            f"type '{path}' is not in an allowed module (allowed: {', '.join(allowed)}); "
            "pass allowed_modules=[...] to load components from other packages",
            key_path,
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise DefinitionError(f"cannot import module '{module_name}': {exc}", key_path) from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise DefinitionError(f"module '{module_name}' has no class '{class_name}'", key_path)
    return cls


def component_to_dict(instance: Any, name: str) -> dict[str, Any]:
    to_dict = getattr(type(instance), "to_dict", None)
    try:
        data = instance.to_dict() if callable(to_dict) else default_to_dict(instance, **init_parameters(instance))
    except DefinitionError as exc:
        raise DefinitionError(exc.reason, ("components", name, "init_parameters", *exc.key_path[1:])) from exc
    except ValueError as exc:
        raise DefinitionError(str(exc), ("components", name)) from exc
    return data


def component_from_dict(name: str, data: Any, allowed_modules: Iterable[str] = ()) -> Any:
    key_path: KeyPath = ("components", name)
    if not isinstance(data, Mapping):
        raise DefinitionError(f"component '{name}' must be a mapping with 'type' and 'init_parameters'", key_path)
    unknown = set(data) - {"type", "init_parameters"}
    if unknown:
        raise DefinitionError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", (*key_path, sorted(unknown)[0]))
    if not isinstance(data.get("type"), str):
        raise DefinitionError("missing 'type' (the component's import path)", key_path)
    parameters = data.get("init_parameters") or {}
    if not isinstance(parameters, Mapping):
        raise DefinitionError("'init_parameters' must be a mapping", (*key_path, "init_parameters"))
    cls = import_allowed_type(data["type"], (*key_path, "type"), allowed_modules)
    if not getattr(cls, "__pipeline_component__", False):
        raise DefinitionError(f"'{data['type']}' is not a component (no @component)", (*key_path, "type"))
    try:
        from_dict = getattr(cls, "from_dict", None)
        if callable(from_dict):
            instance = from_dict(data)
        else:
            instance = cls(
                **{
                    key: deserialize_value(value, (*key_path, "init_parameters", key), allowed_modules)
                    for key, value in parameters.items()
                }
            )
    except DefinitionError:
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
    }


def populate_pipeline(pipeline: PipelineGraph, data: Any, allowed_modules: Iterable[str] = ()) -> None:
    """Fill an empty pipeline from `data` (the output of `pipeline_to_dict`), validating every key."""
    if not isinstance(data, Mapping):
        raise DefinitionError(f"a pipeline definition must be a mapping, got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - _PIPELINE_KEYS)
    if unknown:
        raise DefinitionError(
            f"unknown key '{unknown[0]}'; expected {', '.join(sorted(_PIPELINE_KEYS))}", (unknown[0],)
        )
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise DefinitionError("'metadata' must be a mapping", ("metadata",))
    pipeline.metadata = dict(metadata)
    max_runs = data.get("max_runs_per_component", pipeline.max_runs_per_component)
    if not isinstance(max_runs, int) or isinstance(max_runs, bool) or max_runs < 1:
        raise DefinitionError(f"must be a positive integer, got {max_runs!r}", ("max_runs_per_component",))
    pipeline.max_runs_per_component = max_runs
    components = data.get("components") or {}
    if not isinstance(components, Mapping):
        raise DefinitionError("'components' must be a mapping of names to components", ("components",))
    for name, component_data in components.items():
        instance = component_from_dict(str(name), component_data, allowed_modules)
        try:
            pipeline.add_component(str(name), instance)
        except (PipelineError, ValueError) as exc:
            raise DefinitionError(str(exc), ("components", str(name))) from exc
    connections = data.get("connections") or []
    if not isinstance(connections, list):
        raise DefinitionError("'connections' must be a list of {sender, receiver}", ("connections",))
    for index, connection in enumerate(connections):
        key_path: KeyPath = ("connections", index)
        if not isinstance(connection, Mapping) or set(connection) != {"sender", "receiver"}:
            raise DefinitionError("each connection needs exactly 'sender' and 'receiver'", key_path)
        if not all(isinstance(connection[key], str) for key in ("sender", "receiver")):
            raise DefinitionError("'sender' and 'receiver' must be strings like 'component.socket'", key_path)
        try:
            pipeline.connect(connection["sender"], connection["receiver"])
        except PipelineError as exc:
            raise DefinitionError(str(exc), key_path) from exc
