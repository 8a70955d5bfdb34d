"""Accumulate: keeps a running total of the values it receives (an example of state across visits)."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from pipeline.core.component import component
from pipeline.core.errors import DefinitionError
from pipeline.core.serialization import default_to_dict
from pipeline.utils.callable_serialization import deserialize_callable


def _default_function(first: int, second: int) -> int:
    return first + second


@component
class Accumulate:
    """Folds each value into `state` with `function` (a sum by default) and outputs the new state.

    The function is an init parameter that is not plain data: it serializes as its import path, and loading
    imports it back only from a module the loader allows, so a definition file cannot make us call arbitrary code.
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
        return cls(function=None if path is None else deserialize_callable(path))

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        self.state = self.function(self.state, value)
        return {"value": self.state}
