"""`ChatPromptBuilder`: chat messages from jinja2 templates, as in Haystack.

The template is either a list of messages, whose user and system texts are templates (assistant and tool messages
pass through unchanged), or one string of `{% message role=... %}` blocks (see
`pipeline.utils.jinja2_chat_extension`), which can also produce assistant and tool messages.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from pipeline.components.builders._templates import (
    RequiredVariables,
    check_required,
    declare_sockets,
    sandbox,
)
from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import ChatMessage, ChatRole, TextContent
from pipeline.utils.expression_templates import input_variables
from pipeline.utils.jinja2_chat_extension import ChatMessageExtension

NO_TEXT_ERROR_MESSAGE = "ChatMessages from {role} role must contain text. Received ChatMessage with no text: {message}"
FILTER_NOT_ALLOWED_ERROR_MESSAGE = (
    "The templatize_part filter cannot be used with a template containing a list of"
    "ChatMessage objects. Use a string template or remove the templatize_part filter "
    "from the template."
)


def _template_text(message: ChatMessage) -> str:
    """The text of a user or system message, which is a template; refused when it has none or uses parts."""
    if message.text is None:
        raise ValueError(NO_TEXT_ERROR_MESSAGE.format(role=message.role.value, message=message))
    if "templatize_part" in message.text:
        raise ValueError(FILTER_NOT_ALLOWED_ERROR_MESSAGE)
    return message.text


def _is_template(message: ChatMessage) -> bool:
    return message.is_from(ChatRole.USER) or message.is_from(ChatRole.SYSTEM)


@component
class ChatPromptBuilder:
    """Input sockets are the templates' variables (or `variables`); the output is the rendered messages."""

    def __init__(
        self,
        template: list[ChatMessage] | str | None = None,
        required_variables: RequiredVariables = None,
        variables: list[str] | None = None,
    ) -> None:
        """
        :param template: a list of messages or a string of `{% message %}` blocks; can also be given to `run`.
        :param required_variables: variables `run` must receive (`"*"`: all); the others default to "".
        :param variables: the input sockets, instead of the variables found in the template.
        """
        self.template = template
        self.required_variables = required_variables
        self.variables = variables
        self._environment = sandbox(extensions=[ChatMessageExtension])
        sources: list[str] = []
        if isinstance(template, list):
            sources = [_template_text(message) for message in template if _is_template(message)]
        elif isinstance(template, str):
            sources = [template]
        found = input_variables(self._environment, sources) if template else []
        self._required = declare_sockets(self, "ChatPromptBuilder", variables or found, required_variables)

    @component.output_types(prompt=list[ChatMessage])
    def run(
        self,
        template: list[ChatMessage] | str | None = None,
        template_variables: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, list[ChatMessage]]:
        """Render `template` (or the init one) with the variables; `template_variables` win over the sockets."""
        values = {**kwargs, **(template_variables or {})}
        if template is None:
            template = self.template
        if not template:
            raise ValueError(
                "The ChatPromptBuilder requires a non-empty list of ChatMessage instances. "
                "Please provide a valid list of ChatMessage instances to render the prompt."
            )
        if isinstance(template, str):
            check_required("ChatPromptBuilder", self._required, values)
            return {"prompt": self._render_string(template, values)}
        if not all(isinstance(message, ChatMessage) for message in template):
            raise ValueError(
                "The ChatPromptBuilder expects a list containing only ChatMessage instances. "
                "The provided list contains other types. Please ensure that all elements in the list "
                "are ChatMessage instances."
            )
        rendered = []
        for message in template:
            if _is_template(message):
                check_required("ChatPromptBuilder", self._required, values)
                text = self._environment.from_string(_template_text(message)).render(values)
                message = replace(message, _content=[TextContent(text=text)])  # a copy: the template stays as it is
            rendered.append(message)
        return {"prompt": rendered}

    def _render_string(self, template: str, values: dict[str, Any]) -> list[ChatMessage]:
        """Each `{% message %}` block renders to a line of JSON; text outside the blocks must be blank."""
        rendered = self._environment.from_string(template).render(values)
        return [
            ChatMessage.from_dict(json.loads(line)) for line in map(str.strip, rendered.strip().split("\n")) if line
        ]

    def to_dict(self) -> dict[str, Any]:
        template = (
            [message.to_dict() for message in self.template] if isinstance(self.template, list) else self.template
        )
        return default_to_dict(
            self, template=template, variables=self.variables, required_variables=self.required_variables
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatPromptBuilder:
        parameters = dict(data.get("init_parameters") or {})
        if isinstance(template := parameters.get("template"), list):
            parameters["template"] = [ChatMessage.from_dict(message) for message in template]
        return default_from_dict(cls, {**data, "init_parameters": parameters})
