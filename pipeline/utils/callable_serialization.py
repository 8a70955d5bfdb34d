"""Functions to and from their import paths (`my_package.filters.shout`), in Haystack's notation.

Custom jinja2 filters of `ConditionalRouter` and `OutputAdapter` are saved this way. Reading one back imports
code and later calls it, so only callables defined in modules the YAML loader allows are loaded: never a builtin
such as `eval`, nor a standard-library function re-exported by an allowed module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any

from pipeline.core import serialization as loader  # the module, not its names: it imports pipeline.utils too
from pipeline.core.errors import DeserializationError, SerializationError
from pipeline.utils.type_serialization import (
    allowed_import_prefixes,
    allowed_name,
    thread_safe_import,
)


def serialize_callable(callable_handle: Callable[..., Any]) -> str:
    """The import path of a module-level function, class, or class/static method.

    :raises SerializationError: for instance methods, lambdas and nested functions, which no path can reach.
    """
    try:
        spec = inspect.getfullargspec(callable_handle)
        is_instance_method = bool(spec.args and spec.args[0] == "self")
    except TypeError:  # some builtins have no inspectable signature, and no `self` either
        is_instance_method = False
    if is_instance_method:
        raise SerializationError("Serialization of instance methods is not supported.")
    qualname = getattr(callable_handle, "__qualname__", "")
    if "<lambda>" in qualname:
        raise SerializationError("Serialization of lambdas is not supported.")
    if "<locals>" in qualname:
        raise SerializationError("Serialization of nested functions is not supported.")
    name = qualname or callable_handle.__name__
    module = inspect.getmodule(callable_handle)
    return f"{module.__name__}.{name}" if module is not None else name


def deserialize_callable(callable_handle: str, allowed_modules: Iterable[str] = ()) -> Callable[..., Any]:
    """The callable at `callable_handle`, an import path as `serialize_callable` writes it.

    The longest importable module prefix is imported and the rest looked up as attributes (`Class.method`).
    The path must lie in a package the YAML loader allows, and so must the module the callable is defined in.

    :raises DeserializationError: naming the path, if it is not allowed, not found or not callable.
    """
    allowed = allowed_import_prefixes(allowed_modules)
    parts = allowed_name(callable_handle, callable_handle, allowed_modules).split(".")
    for index in range(len(parts), 0, -1):
        module_name = ".".join(parts[:index])
        if not loader._in_allowed(module_name, allowed):  # above the allowed package: importing it is not allowed
            break
        try:
            value: Any = thread_safe_import(module_name)
        except ImportError:
            continue
        for part in parts[index:]:
            try:
                value = getattr(value, part)
            except AttributeError as exc:
                raise DeserializationError(
                    f"Could not find attribute '{part}' in {getattr(value, '__name__', value)}"
                ) from exc
        if not callable(value):
            raise DeserializationError(f"The final attribute is not callable: {value}")
        defined_in = getattr(value, "__module__", None) or ""
        if not loader._in_allowed(defined_in, allowed):
            raise DeserializationError(
                f"'{callable_handle}' is defined in '{defined_in}', which is not an allowed module "
                f"(allowed: {', '.join(allowed)})"
            )
        return value
    raise DeserializationError(f"Could not import '{callable_handle}' as a module or callable.")
