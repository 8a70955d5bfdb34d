"""Types to and from strings, in Haystack's notation (`list[pipeline.dataclasses.document.Document]`).

Components such as `ConditionalRouter` and `OutputAdapter` keep a type among their init parameters; this is how
it reaches a YAML file and comes back. Reading a type back imports its module, so only the modules the YAML
loader allows (plus a few standard-library modules that only define types) are ever imported; names written by
Haystack (`haystack.…`) are read as the same names in `pipeline`.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import typing
from collections.abc import Callable, Iterable
from threading import Lock
from types import GenericAlias, ModuleType, NoneType, UnionType
from typing import Any, Union, get_args

from pipeline.core import serialization as loader  # the module, not its names: it imports pipeline.utils too
from pipeline.core.errors import DeserializationError

STANDARD_TYPE_MODULES = ("typing", "collections.abc", "types", "pathlib", "datetime")
"""Standard-library modules a serialized type may name: importing them runs no code a definition can choose."""

_import_lock = Lock()


def serialize_type(target: Any) -> str:
    """`target` (a type or typing construct) as a string: its module and name, builtins without a module."""
    if target is NoneType:
        return "None"
    args = get_args(target)
    if isinstance(target, UnionType):
        return " | ".join(serialize_type(arg) for arg in args)
    name = getattr(target, "__name__", str(target)).removeprefix("typing.").split("[")[0]
    module = inspect.getmodule(target)
    module_name = module.__name__ if module is not None and module.__name__ != "builtins" else ""
    qualified = f"{module_name}.{name}" if module_name else name
    if not args:
        return qualified
    # typing generics get `Union[...]` for an `X | Y` argument: typing's cache treats `List[str | int]` and
    # `List[Union[str, int]]` as one key, so the string must not depend on which spelling came first.
    typing_generic = not isinstance(target, GenericAlias)
    rendered = ", ".join(
        serialize_type(Union[get_args(arg)] if typing_generic and isinstance(arg, UnionType) else arg)  # noqa: UP007
        for arg in args
        if not (name == "Optional" and arg is NoneType)  # `Optional[X]` already says "or None"
    )
    return f"{qualified}[{rendered}]"


def deserialize_type(type_str: str, allowed_modules: Iterable[str] = ()) -> Any:
    """The type `type_str` names, generics and `X | Y` unions included.

    Modules are imported only if the YAML loader allows them (`pipeline`, `sample_pipelines`, the modules the
    load in progress allows, `allowed_modules`) or they are in `STANDARD_TYPE_MODULES`; builtins and `typing`
    names need no module.

    :raises DeserializationError: naming the string, if it is malformed or names a type that cannot be loaded.
    """
    members = _split_top_level(type_str, "|")
    if len(members) > 1:
        union = deserialize_type(members[0], allowed_modules)
        for member in members[1:]:
            union = union | deserialize_type(member, allowed_modules)
        return union
    if "[" in type_str and type_str.endswith("]"):
        origin_str, _, args_str = type_str[:-1].partition("[")
        origin = deserialize_type(origin_str, allowed_modules)
        args = [deserialize_type(arg, allowed_modules) for arg in _split_top_level(args_str, ",")]
        if not args:
            raise DeserializationError(f"Could not deserialize type: {type_str}")
        try:
            return origin[tuple(args) if len(args) > 1 else args[0]]
        except (TypeError, AttributeError) as exc:
            raise DeserializationError(f"Could not apply arguments {args} to type {origin}") from exc
    if "." in type_str:
        module_name, _, type_name = type_str.rpartition(".")
        module = import_allowed_module(module_name, type_str, allowed_modules, STANDARD_TYPE_MODULES)
        if hasattr(module, type_name):
            return getattr(module, type_name)
        raise DeserializationError(f"Could not locate the type: {type_name} in the module: {module.__name__}")
    if type_str == "None":
        return None
    if type_str == "NoneType":
        return NoneType
    for namespace in (builtins, typing):
        if hasattr(namespace, type_str):
            return getattr(namespace, type_str)
    raise DeserializationError(f"Could not deserialize type: {type_str}")


def deserialize_at(deserialize: Callable[[str], Any], value: Any, key_path: tuple[str | int, ...]) -> Any:
    """`deserialize(value)` for a value found at `key_path` of a component's dict (`("init_parameters", ...)`).

    Errors carry the key path, so loading a YAML file names the line of the faulty string.
    """
    if not isinstance(value, str):
        raise DeserializationError(f"expected an import path string, got {type(value).__name__} {value!r}", key_path)
    try:
        return deserialize(value)
    except DeserializationError as exc:
        raise DeserializationError(exc.reason, key_path) from exc


def import_allowed_module(
    module_name: str, requested: str, allowed_modules: Iterable[str] = (), also_allowed: Iterable[str] = ()
) -> ModuleType:
    """Import `module_name` (a `haystack.` name is read as `pipeline.`) if the YAML loader allows it.

    `requested` is the string being deserialized, named in the error so the user can find it in the file.

    :raises DeserializationError: if the module is not allowed or cannot be imported.
    """
    module_name = allowed_name(module_name, requested, allowed_modules, also_allowed)
    try:
        return thread_safe_import(module_name)
    except ImportError as exc:
        raise DeserializationError(f"Could not import the module: {module_name}") from exc


def allowed_name(
    dotted_name: str, requested: str, allowed_modules: Iterable[str] = (), also_allowed: Iterable[str] = ()
) -> str:
    """`dotted_name` with `haystack.` read as `pipeline.`, if it lies in a package the YAML loader allows.

    :raises DeserializationError: naming `requested` and the allowed packages, if it does not.
    """
    if dotted_name == "haystack" or dotted_name.startswith("haystack."):
        dotted_name = "pipeline" + dotted_name.removeprefix("haystack")
    allowed = allowed_import_prefixes(allowed_modules)
    if not loader._in_allowed(dotted_name, (*allowed, *also_allowed)):
        raise DeserializationError(
            f"'{requested}' is not in an allowed module (allowed: {', '.join(allowed)}); "
            "pass allowed_modules=[...] to load it from other packages"
        )
    return dotted_name


def thread_safe_import(module_name: str) -> ModuleType:
    """Import under a lock: two threads importing one module at once can see it half initialized."""
    with _import_lock:
        return importlib.import_module(module_name)


def allowed_import_prefixes(allowed_modules: Iterable[str] = ()) -> tuple[str, ...]:
    """The packages the YAML loader imports from: its defaults, the load in progress's, and `allowed_modules`."""
    return tuple(
        dict.fromkeys(
            (*loader.DEFAULT_ALLOWED_MODULES, *loader._LOADING_ALLOWED.get(), *loader._modules(allowed_modules))
        )
    )


def _split_top_level(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside brackets: `dict[str, int] | None` at `|` gives two parts."""
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        depth += (char == "[") - (char == "]")
        if char == separator and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts
