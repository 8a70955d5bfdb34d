"""Accumulate: keeps a running total of the values it receives (an example of state across visits)."""

from __future__ import annotations

import builtins
import importlib
from collections.abc import Callable
from typing import Any

from pipeline.core.component import component
from pipeline.core.errors import DefinitionError
from pipeline.core.serialization import DEFAULT_ALLOWED_MODULES, default_to_dict


def _default_function(first: int, second: int) -> int:
    return first + second


@component
class Accumulate:
    """Folds each value into `state` with `function` (a sum by default) and outputs the new state.

    The function is an init parameter that is not plain data: it serializes as its import path, and loading
    imports it back only from an allowed module, so a definition file cannot make us call arbitrary code.
    """

    def __init__(self, function: Callable[[int, int], int] | None = None) -> None:
        self.state = 0
        self.function: Callable[[int, int], int] = _default_function if function is None else function

    def to_dict(self) -> dict[str, Any]:
        module = self.function.__module__
        name = self.function.__name__
        return default_to_dict(self, function=name if module == builtins.__name__ else f"{module}.{name}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Accumulate:
        expected = f"{cls.__module__}.{cls.__name__}"
        if "type" not in data:
            raise DefinitionError("missing 'type' in component serialization data")
        if data["type"] != expected:
            raise DefinitionError(f"class '{data['type']}' can't be deserialized as '{cls.__name__}'", ("type",))
        path = (data.get("init_parameters") or {}).get("function")
        return cls(function=None if path is None else _import_function(path))

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        self.state = self.function(self.state, value)
        return {"value": self.state}


def _import_function(path: str) -> Callable[[int, int], int]:
    key_path = ("init_parameters", "function")
    module_name, _, name = path.rpartition(".")
    if not any(module_name == allowed or module_name.startswith(allowed + ".") for allowed in DEFAULT_ALLOWED_MODULES):
        raise DefinitionError(
            f"function '{path}' is not in an allowed module (allowed: {', '.join(DEFAULT_ALLOWED_MODULES)})", key_path
        )
    function = getattr(importlib.import_module(module_name), name, None)
    if not callable(function):
        raise DefinitionError(f"module '{module_name}' has no function '{name}'", key_path)
    return function
