"""`ChatPromptBuilder`: renders a list of chat messages whose texts are jinja2 templates."""

from __future__ import annotations

from typing import Any

from pipeline.components.builders._templates import (
    RequiredVariables,
    check_required,
    declare_sockets,
    sandbox,
    template_variables,
)
from pipeline.core.component import component
from pipeline.dataclasses import ChatMessage


def _as_messages(template: list[ChatMessage] | list[dict[str, Any]] | str) -> list[ChatMessage]:
    """Messages as given, or read back from their dict form (as a pipeline file holds them)."""
    if isinstance(template, str):
        return [ChatMessage.from_user(template)]
    return [m if isinstance(m, ChatMessage) else ChatMessage.from_dict(m) for m in template]


@component
class ChatPromptBuilder:
    """Input sockets are the templates' variables (or `variables`); the output is the rendered messages."""

    def __init__(
        self,
        template: list[ChatMessage] | list[dict[str, Any]] | str | None = None,
        required_variables: RequiredVariables = None,
        variables: list[str] | None = None,
    ) -> None:
        self.template = template
        self.required_variables = required_variables
        self.variables = variables
        self._environment = sandbox()
        self._messages = _as_messages(template) if template is not None else None
        found = (
            template_variables(self._environment, [m.text or "" for m in self._messages], "ChatPromptBuilder")
            if self._messages
            else []
        )
        self._required = declare_sockets(self, "ChatPromptBuilder", variables or found, required_variables)

    @component.output_types(prompt=list[ChatMessage])
    def run(
        self,
        template: list[ChatMessage] | str | None = None,
        template_variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict:
        messages = _as_messages(template) if template is not None else self._messages
        if messages is None:
            raise ValueError("ChatPromptBuilder has no template: give one at init or as the `template` input.")
        values = {**kwargs, **(template_variables or {})}
        check_required("ChatPromptBuilder", self._required, values)
        rendered = [
            ChatMessage(
                m.role, self._environment.from_string(m.text).render(values) if m.text else m.text, m.name, dict(m.meta)
            )
            for m in messages
        ]
        return {"prompt": rendered}
