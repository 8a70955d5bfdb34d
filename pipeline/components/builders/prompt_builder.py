"""`PromptBuilder`: renders one jinja2 template into a string prompt."""

from __future__ import annotations

from typing import Any

from pipeline.components.builders._templates import (
    RequiredVariables,
    check_required,
    declare_sockets,
    sandbox,
)
from pipeline.core.component import component
from pipeline.utils.expression_templates import input_variables


@component
class PromptBuilder:
    """Input sockets are the template's variables (or `variables`); `template` can be replaced per run.

    Whitespace renders as in Haystack (jinja2's defaults): the template's one trailing newline is not part of the
    prompt, `{% ... %}` lines leave their newline behind unless written `{%- ... -%}`.
    """

    def __init__(
        self, template: str, required_variables: RequiredVariables = None, variables: list[str] | None = None
    ) -> None:
        self.template = template
        self.required_variables = required_variables
        self.variables = variables
        self._environment = sandbox()
        found = input_variables(self._environment, [template])
        self._compiled = self._environment.from_string(template)
        self._required = declare_sockets(self, "PromptBuilder", variables or found, required_variables)

    @component.output_types(prompt=str)
    def run(self, template: str | None = None, template_variables: dict[str, Any] | None = None, **kwargs: Any) -> dict:
        values = {**kwargs, **(template_variables or {})}
        check_required("PromptBuilder", self._required, values)
        compiled = self._compiled if template is None else self._environment.from_string(template)
        return {"prompt": compiled.render(values)}
