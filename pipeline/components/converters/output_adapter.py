"""`OutputAdapter`: reshape a component's output with a jinja2 template, as in Haystack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from jinja2 import StrictUndefined, TemplateSyntaxError, Undefined

from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.utils.callable_serialization import serialize_callable
from pipeline.utils.expression_templates import (
    deserialize_filters,
    expression_environment,
    input_variables,
    literal_value,
)
from pipeline.utils.type_serialization import deserialize_at, deserialize_type, serialize_type


class OutputAdaptationException(Exception):
    """The template failed to render with the inputs given."""


@component
class OutputAdapter:
    """Renders `template` with the inputs and returns the result as `output`, e.g. `{{ documents[0].content }}`.

    Every variable of the template is a mandatory input. The rendered text is read back as a Python literal
    when it is one (`"[1, 2]"` gives a list); with `unsafe=True` the template's value is returned as the object
    itself (still rendered in the sandbox: see `pipeline.utils.expression_templates`).
    """

    def __init__(
        self,
        template: str,
        output_type: TypeAlias,
        custom_filters: dict[str, Callable[..., Any]] | None = None,
        unsafe: bool = False,
    ) -> None:
        """
        :param template: The jinja2 template; its variables are the component's inputs.
        :param output_type: The type of `output`, checked when the adapter is connected.
        :param custom_filters: Extra jinja2 filters by name.
        :param unsafe: Return the template's value as a native object instead of reading back its text.
        :raises ValueError: if the template is not valid jinja2.
        """
        self.custom_filters = {**(custom_filters or {})}
        self._unsafe = unsafe
        # Rendering text, a missing variable is an error (as in Haystack); natively, `run` reports an Undefined.
        self._env = expression_environment(unsafe, undefined=Undefined if unsafe else StrictUndefined)
        try:
            self._env.parse(template)
        except TemplateSyntaxError as exc:
            raise ValueError(f"Invalid Jinja template '{template}': {exc}") from exc
        self.template = template
        self._env.filters.update(self.custom_filters)
        self._compiled = self._env.from_string(template)  # once: compiling costs far more than rendering
        component.set_input_types(self, **dict.fromkeys(input_variables(self._env, [template]), Any))
        component.set_output_types(self, output=output_type)
        self.output_type = output_type

    def run(self, **kwargs: Any) -> dict[str, Any]:
        """
        :param kwargs: A value for each variable of the template.
        :returns: `output`, the rendered template.
        :raises ValueError: if no input is given.
        :raises OutputAdaptationException: if the template fails to render with these inputs.
        """
        if not kwargs:
            raise ValueError("No input data provided for output adaptation")
        try:
            output = self._compiled.render(**kwargs)
            if isinstance(output, Undefined):
                raise OutputAdaptationException(f"Undefined variable in the template {self.template}; kwargs: {kwargs}")
            return {"output": output if self._unsafe else literal_value(output)}
        except Exception as exc:
            raise OutputAdaptationException(f"Error adapting {self.template} with {kwargs}: {exc}") from exc

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            template=self.template,
            output_type=serialize_type(self.output_type),
            custom_filters={name: serialize_callable(function) for name, function in self.custom_filters.items()},
            unsafe=self._unsafe,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputAdapter:
        """The inverse of `to_dict`: the type and filters are imported only from allowed modules."""
        parameters = dict(data.get("init_parameters") or {})
        if "output_type" in parameters:
            parameters["output_type"] = deserialize_at(
                deserialize_type, parameters["output_type"], ("init_parameters", "output_type")
            )
        if parameters.get("custom_filters"):
            parameters["custom_filters"] = deserialize_filters(parameters["custom_filters"])
        return default_from_dict(cls, {**data, "init_parameters": parameters})
