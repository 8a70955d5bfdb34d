"""`ChatMessage` and `ChatRole`: the messages chat generators take and return, as in Haystack."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ChatRole(StrEnum):
    USER = "user"
    SYSTEM = "system"
    ASSISTANT = "assistant"
    TOOL = "tool"

    @staticmethod
    def from_str(value: str) -> ChatRole:
        try:
            return ChatRole(value)
        except ValueError:
            roles = ", ".join(role.value for role in ChatRole)
            raise ValueError(f"Unknown chat role '{value}'; expected one of {roles}.") from None


@dataclass
class ChatMessage:
    _role: ChatRole
    _text: str | None = None
    _name: str | None = None
    _meta: dict[str, Any] = field(default_factory=dict)

    @property
    def role(self) -> ChatRole:
        return self._role

    @property
    def text(self) -> str | None:
        return self._text

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def meta(self) -> dict[str, Any]:
        return self._meta

    def is_from(self, role: ChatRole | str) -> bool:
        return self._role == (ChatRole.from_str(role) if isinstance(role, str) else role)

    @classmethod
    def from_user(cls, text: str, meta: dict[str, Any] | None = None, name: str | None = None) -> ChatMessage:
        return cls(ChatRole.USER, text, name, dict(meta or {}))

    @classmethod
    def from_system(cls, text: str, meta: dict[str, Any] | None = None, name: str | None = None) -> ChatMessage:
        return cls(ChatRole.SYSTEM, text, name, dict(meta or {}))

    @classmethod
    def from_assistant(
        cls, text: str | None = None, meta: dict[str, Any] | None = None, name: str | None = None
    ) -> ChatMessage:
        return cls(ChatRole.ASSISTANT, text, name, dict(meta or {}))

    def to_openai_dict_format(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": self._role.value, "content": self._text or ""}
        if self._name:
            message["name"] = self._name
        return message

    def to_dict(self) -> dict[str, Any]:
        return {"role": self._role.value, "text": self._text, "name": self._name, "meta": self._meta}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChatMessage:
        unknown = set(data) - {"role", "text", "name", "meta"}
        if unknown or "role" not in data:
            raise ValueError(f"A ChatMessage dict needs 'role' and may have text, name, meta; got {sorted(data)}.")
        return cls(ChatRole.from_str(data["role"]), data.get("text"), data.get("name"), dict(data.get("meta") or {}))
