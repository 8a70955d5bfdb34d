"""Secrets: API keys and tokens that components need but that must never be written to a file.

An environment-variable secret serializes as the variable's name; a token secret refuses to serialize.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any


class Secret(ABC):
    @staticmethod
    def from_token(token: str) -> Secret:
        return TokenSecret(token)

    @staticmethod
    def from_env_var(env_vars: str | list[str], *, strict: bool = True) -> Secret:
        names = (env_vars,) if isinstance(env_vars, str) else tuple(env_vars)
        if not names:
            raise ValueError("Secret.from_env_var needs at least one environment variable name.")
        return EnvVarSecret(names, strict)

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Secret:
        """The inverse of `EnvVarSecret.to_dict`; `env_vars` may be one name or a list of names."""
        if data.get("type") != "env_var" or not data.get("env_vars"):
            raise ValueError(f"Not a serialized secret: {sorted(data)}; expected type 'env_var' and 'env_vars'.")
        env_vars = data["env_vars"]
        names = [env_vars] if isinstance(env_vars, str) else env_vars
        if not isinstance(names, list | tuple) or not all(isinstance(name, str) and name for name in names):
            raise ValueError(f"A secret's 'env_vars' must be a variable name or a list of names, got {env_vars!r}.")
        strict = data.get("strict", True)
        if not isinstance(strict, bool):
            raise ValueError(f"A secret's 'strict' must be true or false, got {strict!r}.")
        return Secret.from_env_var(list(names), strict=strict)

    @staticmethod
    def is_serialized(data: Any) -> bool:
        return isinstance(data, dict) and data.get("type") == "env_var" and set(data) <= {"type", "env_vars", "strict"}

    @abstractmethod
    def resolve_value(self) -> str | None:
        """The secret's value, or None when a non-strict secret finds none."""

    @abstractmethod
    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class TokenSecret(Secret):
    token: str

    def __repr__(self) -> str:
        return "TokenSecret(<redacted>)"

    def resolve_value(self) -> str:
        return self.token

    def to_dict(self) -> dict[str, Any]:
        raise ValueError(
            "A token secret cannot be serialized: it would write the key to disk. Use Secret.from_env_var(...) instead."
        )


@dataclass(frozen=True)
class EnvVarSecret(Secret):
    env_vars: tuple[str, ...]
    strict: bool = True

    def resolve_value(self) -> str | None:
        for name in self.env_vars:
            value = os.environ.get(name)
            if value:
                return value
        if self.strict:
            raise ValueError(f"None of the environment variables {', '.join(self.env_vars)} is set.")
        return None

    def to_dict(self) -> dict[str, Any]:
        return {"type": "env_var", "env_vars": list(self.env_vars), "strict": self.strict}
