"""The `{% message %}` jinja2 tag of Haystack's `ChatPromptBuilder` string templates.

```
{% message role="system" %}You help {{ user_name }}.{% endmessage %}
{% message role="user" name="ada" meta={"lang": "en"} %}
Hello! {{ tool_call | templatize_part }}
{% endmessage %}
```

Each block renders to one line of JSON (a `ChatMessage.to_dict()`); the builder reads the lines back as messages.
Text in a block becomes `TextContent` (stripped); the `templatize_part` filter places a structured content part
(`ToolCall`, `ToolCallResult`, `ReasoningContent`, `TextContent`) in it, wrapped in sentinel tags that carry a
per-environment random nonce, so a variable's value cannot forge a part: tags in ordinary values are escaped.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any, ClassVar

from jinja2 import TemplateSyntaxError, nodes, pass_environment
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup

from pipeline.dataclasses.chat_message import (
    ChatMessage,
    ChatMessageContentT,
    ChatRole,
    ReasoningContent,
    TextContent,
    ToolCall,
    ToolCallResult,
    _deserialize_content_part,
    _serialize_content_part,
)

_TAG_NAME = "haystack_content_part"
_NONCE_ATTR = "_haystack_content_part_nonce"


def _sentinel_tags(nonce: str) -> tuple[str, str]:
    return f"<{_TAG_NAME}:{nonce}>", f"</{_TAG_NAME}:{nonce}>"


class _TemplatizedPart(Markup):
    """What `templatize_part` returns: the only value allowed to carry sentinel tags into the output."""


def _finalize(value: object) -> str:
    """Applied to every `{{ }}` result: escapes sentinel tags in anything but a `_TemplatizedPart`."""
    if isinstance(value, _TemplatizedPart):
        return value
    return str(value).replace(f"<{_TAG_NAME}", f"&lt;{_TAG_NAME}").replace(f"</{_TAG_NAME}", f"&lt;/{_TAG_NAME}")


def _redact_nonce(text: str, start_tag: str, end_tag: str) -> str:
    """Error messages quote the content without the nonce, which must stay secret."""
    return text.replace(start_tag, f"<{_TAG_NAME}:redacted>").replace(end_tag, f"</{_TAG_NAME}:redacted>")


class ChatMessageExtension(Extension):
    """Adds the `{% message role=... [name=...] [meta={...}] %}...{% endmessage %}` tag and `templatize_part`."""

    SUPPORTED_ROLES: ClassVar[list[str]] = [role.value for role in ChatRole]

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.tags = {"message"}  # jinja2's parser reads the tags of each bound instance
        setattr(environment, _NONCE_ATTR, secrets.token_hex(16))
        environment.finalize = _finalize
        environment.filters["templatize_part"] = templatize_part

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        parser.stream.expect("name:role")
        parser.stream.expect("assign")
        role = parser.parse_expression()
        if isinstance(role, nodes.Const) and role.value not in self.SUPPORTED_ROLES:
            raise TemplateSyntaxError(f"Role must be one of: {', '.join(self.SUPPORTED_ROLES)}", lineno)
        name: nodes.Expr = nodes.Const(None)
        if parser.stream.current.test("name:name"):
            parser.stream.skip()
            parser.stream.expect("assign")
            name = parser.parse_expression()
            if not isinstance(getattr(name, "value", None), str):
                raise TemplateSyntaxError("name must be a string", lineno)
        meta: nodes.Expr = nodes.Dict([])
        if parser.stream.current.test("name:meta"):
            parser.stream.skip()
            parser.stream.expect("assign")
            meta = parser.parse_expression()
            if not isinstance(meta, nodes.Dict):
                raise TemplateSyntaxError("meta must be a dictionary", lineno)
        body = parser.parse_statements(("name:endmessage",), drop_needle=True)
        call = self.call_method("_build_chat_message_json", [role, name, meta])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _build_chat_message_json(
        self, role: str, name: str | None, meta: dict[str, Any], caller: Callable[[], str]
    ) -> str:
        content = caller()
        start_tag, end_tag = _sentinel_tags(getattr(self.environment, _NONCE_ATTR))
        parts = _parse_content_parts(content, start_tag, end_tag)
        if not parts:
            raise ValueError(
                "Message template produced content that couldn't be parsed into any message parts. "
                f"Content: {_redact_nonce(content, start_tag, end_tag)!r}"
            )
        return json.dumps(_build_message(parts, role, meta, name).to_dict()) + "\n"


def _parse_content_parts(content: str, start_tag: str, end_tag: str) -> list[ChatMessageContentT]:
    """Stripped text between parts becomes `TextContent`; tagged JSON becomes the part it serializes."""
    if not content.strip():
        raise ValueError(
            "Message content in template is empty or contains only whitespace characters. "
            f"Content: {_redact_nonce(content, start_tag, end_tag)!r}"
        )
    parts: list[ChatMessageContentT] = []
    cursor = 0
    while cursor < len(content):
        tag_start = content.find(start_tag, cursor)
        text = content[cursor : len(content) if tag_start == -1 else tag_start].strip()
        if text:
            parts.append(TextContent(text=text))
        if tag_start == -1:
            break
        part_start = tag_start + len(start_tag)
        tag_end = content.find(end_tag, part_start)
        if tag_end == -1:
            snippet = _redact_nonce(content, start_tag, end_tag)[tag_start : tag_start + 50]
            raise ValueError(
                f"Found unclosed <haystack_content_part> tag at position {tag_start}. Content: '{snippet}...'"
            )
        parts.append(_deserialize_content_part(json.loads(content[part_start:tag_end])))
        cursor = tag_end + len(end_tag)
    return parts


def _build_message(parts: list[ChatMessageContentT], role: str, meta: dict[str, Any], name: str | None) -> ChatMessage:
    """The message the parts make for `role`, refusing parts that role cannot carry."""
    if role == "user":
        text_parts = [part for part in parts if isinstance(part, TextContent)]
        if len(text_parts) != len(parts):
            raise ValueError("User message must contain only TextContent, string, ImageContent or FileContent parts.")
        return ChatMessage.from_user(meta=meta, name=name, content_parts=text_parts)
    if role == "system":
        if not isinstance(parts[0], TextContent):
            raise ValueError("System message must contain a text part.")
        if len(parts) > 1:
            raise ValueError("System message must contain only one text part.")
        return ChatMessage.from_system(meta=meta, name=name, text=parts[0].text)
    if role == "assistant":
        texts = [part.text for part in parts if isinstance(part, TextContent)]
        tool_calls = [part for part in parts if isinstance(part, ToolCall)]
        reasonings = [part for part in parts if isinstance(part, ReasoningContent)]
        if len(texts) > 1:
            raise ValueError("Assistant message must contain one text part at most.")
        if not texts and not tool_calls:
            raise ValueError("Assistant message must contain at least one text or tool call part.")
        if len(parts) > len(texts) + len(tool_calls) + len(reasonings):
            raise ValueError("Assistant message must contain only text, tool call or reasoning parts.")
        return ChatMessage.from_assistant(
            meta=meta,
            name=name,
            text=texts[0] if texts else None,
            tool_calls=tool_calls or None,
            reasoning=reasonings[0] if reasonings else None,
        )
    if role == "tool":
        results = [part for part in parts if isinstance(part, ToolCallResult)]
        if len(results) != 1 or len(parts) > 1:
            raise ValueError("Tool message must contain only one tool call result.")
        return ChatMessage.from_tool(
            meta=meta, tool_result=results[0].result, origin=results[0].origin, error=results[0].error
        )
    raise ValueError(f"Unsupported role: {role}")


@pass_environment
def templatize_part(environment: Any, value: ChatMessageContentT) -> _TemplatizedPart:
    """`{{ part | templatize_part }}`: a content part as JSON in sentinel tags, for a `{% message %}` block."""
    start_tag, end_tag = _sentinel_tags(getattr(environment, _NONCE_ATTR))
    return _TemplatizedPart(f"{start_tag}{json.dumps(_serialize_content_part(value))}{end_tag}")
