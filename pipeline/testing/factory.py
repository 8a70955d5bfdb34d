"""Component classes made on the fly, for tests that need a component of a given shape and nothing more."""

from __future__ import annotations

from typing import Any

from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict


def component_class(
    name: str,
    input_types: dict[str, Any] | None = None,
    output_types: dict[str, Any] | None = None,
    output: dict[str, Any] | None = None,
    bases: tuple[type, ...] | None = None,
    extra_fields: dict[str, Any] | None = None,
) -> type:
    """A new component class called `name`, as Haystack's `component_class` makes it.

    - `input_types`: its input sockets (default: one `value` of type `Any`);
    - `output_types`: its output sockets; when left out they are the types of the values in `output`, or a
      single `value` of type `NoneType` if `output` is left out too;
    - `output`: what `run` returns, whatever it is given (default: every output socket set to `None`);
    - `bases`: base classes; `extra_fields`: attributes and methods that override the generated ones (a custom
      `run` or `__init__`, for instance).

    The class serializes with `default_to_dict` / `default_from_dict` and takes no init parameters.
    """
    inputs: dict[str, Any] = {"value": Any} if input_types is None else input_types
    if output_types is not None:
        outputs = output_types
    elif output is not None:
        outputs = {key: type(value) for key, value in output.items()}
    else:
        outputs = {"value": type(None)}

    def __init__(self: Any) -> None:
        component.set_input_types(self, **inputs)
        component.set_output_types(self, **outputs)

    def run(self: Any, **kwargs: Any) -> Any:
        # The same object on every call, as Haystack's factory does: a test may return something deliberately
        # malformed (not a dict) to check how the pipeline reacts.
        if output is not None:
            return output
        return dict.fromkeys(outputs)

    def to_dict(self: Any) -> dict[str, Any]:
        return default_to_dict(self)

    def from_dict(cls: type, data: dict[str, Any]) -> Any:
        return default_from_dict(cls, data)

    fields: dict[str, Any] = {
        "__init__": __init__,
        "run": run,
        "to_dict": to_dict,
        "from_dict": classmethod(from_dict),
        **(extra_fields or {}),
    }
    return component(type(name, bases or (object,), fields))
