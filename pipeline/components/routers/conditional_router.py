"""`ConditionalRouter`: send data to the output of the first route whose jinja2 condition holds, as in Haystack."""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable, Mapping, Sequence
from types import UnionType
from typing import Any, NotRequired, TypedDict, Union, get_args, get_origin

from jinja2 import Environment, Template, TemplateSyntaxError

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

logger = logging.getLogger(__name__)


class NoRouteSelectedException(Exception):
    """No route's condition held."""


class RouteConditionException(Exception):
    """A route's condition or output failed to parse or render."""


class Route(TypedDict):
    condition: str
    output: str | list[str]
    output_name: str | list[str]
    output_type: type | list[type]
    output_passthrough: NotRequired[bool]


@component
class ConditionalRouter:
    """Routes data by conditions: the first route whose `condition` renders true publishes its outputs.

    Each route has a `condition` (a jinja2 expression such as `{{ documents|length > 2 }}`), an `output` (a
    template such as `{{ documents }}`), an `output_name` (the output socket) and an `output_type`; `output`,
    `output_name` and `output_type` may be lists of the same length for several outputs. With
    `output_passthrough: True`, `output` names an input whose value is passed on as is, for objects a template
    would turn into text. Every variable of the routes is a mandatory input unless listed in
    `optional_variables` (then it is None when not given). Templates render in the sandbox; rendered text is read
    back as a Python literal when it is one (see `pipeline.utils.expression_templates` for `unsafe`).
    """

    def __init__(
        self,
        routes: list[Route],
        custom_filters: dict[str, Callable[..., Any]] | None = None,
        unsafe: bool = False,
        validate_output_type: bool = False,
        optional_variables: list[str] | None = None,
    ) -> None:
        """
        :param routes: The routes, tried in order.
        :param custom_filters: Extra jinja2 filters by name, usable in conditions and outputs.
        :param unsafe: Return outputs as native objects instead of reading back their text.
        :param validate_output_type: Check each output against its `output_type` when routing (a ValueError if not).
        :param optional_variables: Variables the routes may do without; they default to None.
        :raises ValueError: if a route lacks a field, its lists differ in length or a template is invalid.
        """
        self.routes: list[Route] = routes
        self.custom_filters = custom_filters or {}
        self._unsafe = unsafe
        self._validate_output_type = validate_output_type
        self.optional_variables = optional_variables or []
        self._env = expression_environment(unsafe)
        self._env.filters.update(self.custom_filters)
        self._validate_routes(routes)
        self._compiled: dict[str, Template] = {}
        """Templates compiled once: compiling costs far more than rendering, and loops run a router often."""

        variables: dict[str, None] = {}
        output_types: dict[str, Any] = {}
        for route in routes:
            outputs = _as_list(route["output"])
            if route.get("output_passthrough", False):
                names = [*input_variables(self._env, [route["condition"]]), *outputs]
            else:
                names = input_variables(self._env, [route["condition"], *outputs])
            variables.update(dict.fromkeys(names))
            output_types.update(zip(_as_list(route["output_name"]), _as_list(route["output_type"]), strict=True))
        unused = [name for name in self.optional_variables if name not in variables]
        if unused:
            logger.warning(
                "The following optional variables are specified but not used in any route: %s. "
                "Check if there's a typo in variable names.",
                set(unused),
            )
        mandatory = [name for name in variables if name not in self.optional_variables]
        component.set_input_types(self, **dict.fromkeys(mandatory, Any))
        for name in self.optional_variables:
            component.set_input_type(self, name=name, type=Any, default=None)
        component.set_output_types(self, **output_types)

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            routes=[
                {**route, "output_type": _map_types(serialize_type, route["output_type"])} for route in self.routes
            ],
            custom_filters={name: serialize_callable(function) for name, function in self.custom_filters.items()},
            unsafe=self._unsafe,
            validate_output_type=self._validate_output_type,
            optional_variables=self.optional_variables,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConditionalRouter:
        """The inverse of `to_dict`: output types and filters are imported only from allowed modules."""
        parameters = dict(data.get("init_parameters") or {})
        routes = parameters.get("routes")
        if isinstance(routes, list):
            parameters["routes"] = [_deserialized_route(route, index) for index, route in enumerate(routes)]
        if parameters.get("custom_filters"):
            parameters["custom_filters"] = deserialize_filters(parameters["custom_filters"])
        return default_from_dict(cls, {**data, "init_parameters": parameters})

    def run(self, **kwargs: Any) -> dict[str, Any]:
        """
        :param kwargs: The variables of the routes.
        :returns: `{output_name: output}` for each output of the first route whose condition holds.
        :raises NoRouteSelectedException: if no condition holds.
        :raises RouteConditionException: if a condition or output fails to render.
        :raises ValueError: if an output does not match its type (with `validate_output_type`), or a passthrough
            route's variable was not given.
        """
        for route in self.routes:
            try:
                selected = self._template(route["condition"]).render(**kwargs)
                if not self._unsafe:
                    selected = ast.literal_eval(selected)  # not a literal: a ValueError, raised as is
                if selected:
                    return self._outputs(route, kwargs)
            except ValueError:  # a type mismatch or a missing passthrough variable: the route's own error
                raise
            except Exception as exc:
                raise RouteConditionException(f"Error evaluating condition for route '{route}': {exc}") from exc
        raise NoRouteSelectedException(f"No route fired. Routes: {self.routes}")

    def _template(self, source: str) -> Template:
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = self._env.from_string(source)
        return compiled

    def _outputs(self, route: Route, kwargs: dict[str, Any]) -> dict[str, Any]:
        result = {}
        passthrough = route.get("output_passthrough", False)
        for output, output_type, output_name in zip(
            _as_list(route["output"]), _as_list(route["output_type"]), _as_list(route["output_name"]), strict=True
        ):
            if passthrough:
                if output not in kwargs:
                    raise ValueError(
                        f"Variable '{output}' not found in inputs for passthrough route '{output_name}'. "
                        f"Ensure '{output}' is passed as an input to the router."
                    )
                value = kwargs[output]
            else:
                value = self._template(output).render(**kwargs)
                if not self._unsafe:
                    value = literal_value(value)
            if self._validate_output_type and not _matches_type(value, output_type):
                raise ValueError(f"Route '{output_name}' type doesn't match expected type")
            result[output_name] = value
        return result

    def _validate_routes(self, routes: list[Route]) -> None:
        for route in routes:
            if not isinstance(route, Mapping):
                raise ValueError(f"Route must be a dictionary, got: {route}")
            if not {"condition", "output", "output_type", "output_name"} <= set(route):
                raise ValueError(
                    f"Route must contain 'condition', 'output', 'output_type' and 'output_name' fields: {route}"
                )
            outputs = _as_list(route["output"])
            if not len(outputs) == len(_as_list(route["output_type"])) == len(_as_list(route["output_name"])):
                raise ValueError(f"Route output, output_type and output_name must have same length: {route}")
            _check_template(self._env, route["condition"], "condition")
            if not route.get("output_passthrough", False):
                for output in outputs:
                    _check_template(self._env, output, "output")


def _as_list(value: Any) -> list[Any]:
    """A route field that may hold one item or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


def _map_types(function: Callable[[Any], Any], output_type: Any) -> Any:
    """`function` applied to a route's `output_type`, one type or each of a list."""
    return [function(item) for item in output_type] if isinstance(output_type, list) else function(output_type)


def _deserialized_route(route: Any, index: int) -> Any:
    """A route from a definition with its output type(s) loaded; other faults are left for `__init__` to name."""
    if not isinstance(route, Mapping) or "output_type" not in route:
        return route
    key_path = ("init_parameters", "routes", index, "output_type")
    if isinstance(route["output_type"], list):
        types = [deserialize_at(deserialize_type, item, (*key_path, i)) for i, item in enumerate(route["output_type"])]
        return {**route, "output_type": types}
    return {**route, "output_type": deserialize_at(deserialize_type, route["output_type"], key_path)}


def _check_template(environment: Environment, template: Any, field: str) -> None:
    """Raise Haystack's ValueError if a route's `condition` or `output` is not a valid jinja2 template string."""
    if not isinstance(template, str):
        sentence_end = "." if field == "condition" else ". "  # Haystack's condition message lacks the space
        raise ValueError(
            f"Invalid template for {field}: {template!r} (type: {type(template).__name__}){sentence_end}"
            f"{field.capitalize()} must be a string representing a valid Jinja2 template. "
            f"For example, use {str(template)!r} instead of {template!r}."
        )
    try:
        environment.parse(template)
    except TemplateSyntaxError as exc:
        raise ValueError(f"Invalid template for {field}: {template}") from exc


def _matches_type(value: Any, expected_type: Any) -> bool:
    """Whether `value` fits `expected_type`: plain classes, sequences, mappings and unions, items included."""
    if expected_type is Any:
        return True
    origin, args = get_origin(expected_type), get_args(expected_type)
    if origin is None:
        return isinstance(value, expected_type)
    if isinstance(origin, type) and issubclass(origin, Sequence):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return False
        return not value or all(_matches_type(item, args[0]) for item in value)
    if isinstance(origin, type) and issubclass(origin, Mapping):
        if not isinstance(value, Mapping):
            return False
        if not value:
            return True
        key_type, value_type = args
        return all(_matches_type(k, key_type) and _matches_type(v, value_type) for k, v in value.items())
    if origin is Union or origin is UnionType:
        return any(_matches_type(value, arg) for arg in args)
    return False
