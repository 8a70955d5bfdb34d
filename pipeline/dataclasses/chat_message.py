"""`ChatMessage`, its role and its content parts (text, tool calls and results, reasoning), as in Haystack 2.31.

A message holds a list of content parts rather than one string, so an assistant reply can carry tool calls next to
its text and a tool's answer can name the call it answers. `to_dict` writes Haystack's layout
(`{"role", "meta", "name", "content": [...]}`); `from_dict` also reads Haystack's older layouts and pipedebug's
own earlier one (`{"role", "text", "name", "meta"}`), so saved pipelines and old run recordings still load.
Images and files are not supported as content parts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class ChatRole(StrEnum):
    """Who sent a message."""

    USER = "user"
    SYSTEM = "system"
    ASSISTANT = "assistant"
    TOOL = "tool"

    @staticmethod
    def from_str(string: str) -> ChatRole:
        roles = [role.value for role in ChatRole]
        if string not in roles:
            raise ValueError(f"Unknown chat role '{string}'. Supported roles are: {roles}")
        return ChatRole(string)


@dataclass
class TextContent:
    """The text of a message."""

    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextContent:
        return cls(**data)


@dataclass
class ToolCall:
    """A call of a tool the model asks for, usually in an assistant message; `extra` keeps provider details."""

    tool_name: str
    arguments: dict[str, Any]
    id: str | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCall:
        return cls(**data)


ToolCallResultContentT = str | Sequence[TextContent]


@dataclass
class ToolCallResult:
    """What a tool returned (or the error it raised, with `error=True`) for the call in `origin`."""

    result: ToolCallResultContentT
    origin: ToolCall
    error: bool

    def to_dict(self) -> dict[str, Any]:
        serialized = asdict(self)
        if isinstance(self.result, list):
            if not all(isinstance(part, TextContent) for part in self.result):
                raise ValueError("ToolCallResult result must be a string or a list of TextContent")
            serialized["result"] = [_serialize_content_part(part) for part in self.result]
        return serialized

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolCallResult:
        if not all(key in data for key in ("result", "origin", "error")):
            raise ValueError(
                "Fields `result`, `origin`, `error` are required for ToolCallResult deserialization. "
                f"Received dictionary with keys {list(data.keys())}"
            )
        result = data["result"]
        if isinstance(result, list):
            result = [_deserialize_content_part(part) for part in result]
        return cls(result=result, origin=ToolCall.from_dict(data["origin"]), error=data["error"])


@dataclass
class ReasoningContent:
    """The reasoning a model shows before its answer; `extra` keeps provider details."""

    reasoning_text: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReasoningContent:
        return cls(**data)


ChatMessageContentT = TextContent | ToolCall | ToolCallResult | ReasoningContent

_SERIALIZATION_KEYS: dict[type[ChatMessageContentT], str] = {
    TextContent: "text",
    ToolCall: "tool_call",
    ToolCallResult: "tool_call_result",
    ReasoningContent: "reasoning",
}
"""A serialized part is `{key: part.to_dict()}`, except text, which is flat: `{"text": "..."}`."""


def _serialize_content_part(part: ChatMessageContentT) -> dict[str, Any]:
    key = _SERIALIZATION_KEYS.get(type(part))
    if key is None:
        raise TypeError(f"Unsupported type in ChatMessage content: `{type(part).__name__}` for `{part}`.")
    if isinstance(part, TextContent):
        return part.to_dict()
    return {key: part.to_dict()}


def _deserialize_content_part(part: dict[str, Any]) -> ChatMessageContentT:
    if "text" in part:
        return TextContent.from_dict(part)
    for cls, key in _SERIALIZATION_KEYS.items():
        if key in part:
            return cls.from_dict(part[key])
    # Haystack words this for an LLM that wrote an invalid message during an agent run; kept as it is.
    raise ValueError(
        f"Unsupported content part in the serialized ChatMessage: {part}. "
        "The `content` field of the serialized ChatMessage must be a list of dictionaries, where each dictionary "
        "contains one of these keys: 'text', 'image', 'file', 'reasoning', 'tool_call', or 'tool_call_result'. "
        "Valid formats: [{'text': 'Hello'}, {'image': {'base64_image': '...', ...}}, "
        "{'file': {'base64_data': '...', ...}}, {'reasoning': {'reasoning_text': 'I think...', 'extra': {...}}}, "
        "{'tool_call': {'tool_name': 'search', 'arguments': {}, 'id': 'call_123'}}, "
        "{'tool_call_result': {'result': 'data', 'origin': {...}, 'error': false}}]"
    )


@dataclass
class ChatMessage:
    """A message of a chat; build one with `from_user`, `from_system`, `from_assistant` or `from_tool`."""

    _role: ChatRole
    _content: Sequence[ChatMessageContentT]
    _name: str | None = None
    _meta: dict[str, Any] = field(default_factory=dict, hash=False)

    def __len__(self) -> int:
        return len(self._content)

    @property
    def role(self) -> ChatRole:
        return self._role

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def texts(self) -> list[str]:
        return [part.text for part in self._content if isinstance(part, TextContent)]

    @property
    def text(self) -> str | None:
        """The first text part, or None."""
        return next(iter(self.texts), None)

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [part for part in self._content if isinstance(part, ToolCall)]

    @property
    def tool_call(self) -> ToolCall | None:
        return next(iter(self.tool_calls), None)

    @property
    def tool_call_results(self) -> list[ToolCallResult]:
        return [part for part in self._content if isinstance(part, ToolCallResult)]

    @property
    def tool_call_result(self) -> ToolCallResult | None:
        return next(iter(self.tool_call_results), None)

    @property
    def reasonings(self) -> list[ReasoningContent]:
        return [part for part in self._content if isinstance(part, ReasoningContent)]

    @property
    def reasoning(self) -> ReasoningContent | None:
        return next(iter(self.reasonings), None)

    def is_from(self, role: ChatRole | str) -> bool:
        return self._role == (ChatRole.from_str(role) if isinstance(role, str) else role)

    @classmethod
    def from_user(
        cls,
        text: str | None = None,
        meta: dict[str, Any] | None = None,
        name: str | None = None,
        *,
        content_parts: Sequence[TextContent | str] | None = None,
    ) -> ChatMessage:
        """A user message: give `text`, or `content_parts` (strings become `TextContent`)."""
        if text is None and content_parts is None:
            raise ValueError("Either text or content_parts must be provided.")
        if text is not None and content_parts is not None:
            raise ValueError("Only one of text or content_parts can be provided.")
        content: list[ChatMessageContentT] = []
        if text is not None:
            content.append(TextContent(text=text))
        for part in content_parts or []:
            if isinstance(part, str):
                content.append(TextContent(text=part))
            elif isinstance(part, TextContent):
                content.append(part)
            else:
                raise TypeError(f"The user message must contain only text or image parts. Unsupported part: {part}")
        if not content:
            raise ValueError("The user message must contain at least one content part (text, image, file).")
        return cls(_role=ChatRole.USER, _content=content, _meta=meta or {}, _name=name)

    @classmethod
    def from_system(cls, text: str, meta: dict[str, Any] | None = None, name: str | None = None) -> ChatMessage:
        return cls(_role=ChatRole.SYSTEM, _content=[TextContent(text=text)], _meta=meta or {}, _name=name)

    @classmethod
    def from_assistant(
        cls,
        text: str | None = None,
        meta: dict[str, Any] | None = None,
        name: str | None = None,
        tool_calls: list[ToolCall] | None = None,
        *,
        reasoning: str | ReasoningContent | None = None,
    ) -> ChatMessage:
        """An assistant message: its reasoning first, then its text, then its tool calls (each optional)."""
        content: list[ChatMessageContentT] = []
        if reasoning:
            if isinstance(reasoning, str):
                content.append(ReasoningContent(reasoning_text=reasoning))
            elif isinstance(reasoning, ReasoningContent):
                content.append(reasoning)
            else:
                raise TypeError(f"reasoning must be a string or a ReasoningContent object, got {type(reasoning)}")
        if text is not None:
            content.append(TextContent(text=text))
        content.extend(tool_calls or [])
        return cls(_role=ChatRole.ASSISTANT, _content=content, _meta=meta or {}, _name=name)

    @classmethod
    def from_tool(
        cls,
        tool_result: ToolCallResultContentT,
        origin: ToolCall,
        error: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> ChatMessage:
        return cls(
            _role=ChatRole.TOOL,
            _content=[ToolCallResult(result=tool_result, origin=origin, error=error)],
            _meta=meta or {},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self._role.value,
            "meta": self._meta,
            "name": self._name,
            "content": [_serialize_content_part(part) for part in self._content],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatMessage:
        """Reads Haystack's layouts (since 2.12, 2.9 to 2.11, before 2.9) and pipedebug's earlier `text` one."""
        if "role" not in data and "_role" not in data:
            raise ValueError(
                "The `role` field is required in the message dictionary. "
                f"Expected a dictionary with 'role' field containing one of: {[role.value for role in ChatRole]}. "
                f"Common roles are 'user' (for user messages) and 'assistant' (for AI responses). "
                f"Received dictionary with keys: {list(data.keys())}"
            )
        if "content" in data:
            content = data["content"]
            if isinstance(content, list):
                parts = [_deserialize_content_part(part) for part in content]
            elif isinstance(content, str):
                parts = [TextContent(text=content)]
            else:
                raise TypeError(f"Unsupported content type in serialized ChatMessage: `{content}`")
            return cls(ChatRole(data["role"]), parts, data.get("name"), data.get("meta") or {})
        if "_content" in data:
            parts = [_deserialize_content_part(part) for part in data["_content"]]
            return cls(ChatRole(data["_role"]), parts, data.get("_name"), data.get("_meta") or {})
        if "text" in data and "role" in data:
            text = data["text"]
            return cls(
                ChatRole(data["role"]),
                [] if text is None else [TextContent(text)],
                data.get("name"),
                data.get("meta") or {},
            )
        raise ValueError(f"Missing 'content' or '_content' in serialized ChatMessage: `{data}`")

    def to_openai_dict_format(self, require_tool_call_ids: bool = True) -> dict[str, Any]:
        """The message as OpenAI's chat completions API takes it.

        :param require_tool_call_ids: refuse tool calls without an id (OpenAI needs them; some compatible servers
            do not).
        """
        if not self.texts and not self.tool_calls and not self.tool_call_results:
            raise ValueError(
                "A `ChatMessage` must contain at least one `TextContent`, `ToolCall`, "
                "`ToolCallResult`, `ImageContent`, or `FileContent`."
            )
        if self.tool_call_results and len(self._content) > 1:
            raise ValueError(
                "For OpenAI compatibility, a `ChatMessage` with a `ToolCallResult` cannot contain any other content."
            )
        message: dict[str, Any] = {"role": self._role.value}
        if self._name is not None:
            message["name"] = self._name
        if self._role is ChatRole.USER:
            if len(self._content) == 1 and isinstance(self._content[0], TextContent):
                message["content"] = self.text
            else:
                message["content"] = [{"type": "text", "text": text} for text in self.texts]
            return message
        if result := self.tool_call_result:
            if isinstance(result.result, str):
                message["content"] = result.result
            elif all(isinstance(part, TextContent) for part in result.result):
                message["content"] = [{"type": "text", "text": part.text} for part in result.result]
            else:
                raise ValueError(
                    f"Unsupported tool result: {result}. If you need to pass images in tool results, "
                    "use OpenAI Responses API instead."
                )
            if result.origin.id is not None:
                message["tool_call_id"] = result.origin.id
            elif require_tool_call_ids:
                raise ValueError("`ToolCall` must have a non-null `id` attribute to be used with OpenAI.")
            return message
        if self.texts:  # the chat completions API has no place for reasoning: it is left out
            message["content"] = self.texts[0]
        if self.tool_calls:
            calls = []
            for call in self.tool_calls:
                # ensure_ascii=False: emojis and accents reach the model as they are
                openai_call: dict[str, Any] = {
                    "type": "function",
                    "function": {"name": call.tool_name, "arguments": json.dumps(call.arguments, ensure_ascii=False)},
                }
                if call.id is not None:
                    openai_call["id"] = call.id
                elif require_tool_call_ids:
                    raise ValueError("`ToolCall` must have a non-null `id` attribute to be used with OpenAI.")
                calls.append(openai_call)
            message["tool_calls"] = calls
        return message
