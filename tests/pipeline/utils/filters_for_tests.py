"""Module-level jinja2 filters the serialization tests save by import path and load back."""

from __future__ import annotations

import os

reexported_from_stdlib = os.path.basename


def shout(text: str) -> str:
    return text.upper() + "!"


class Filters:
    @staticmethod
    def first(items: list[str]) -> str:
        return items[0]

    @classmethod
    def last(cls, items: list[str]) -> str:
        return items[-1]

    def bound(self, text: str) -> str:
        return text


LIMIT = 3
