"""Connection type rules and the runtime check used for hand-edited outputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, Optional, Union

import pytest

from pipeline.core.type_utils import type_name, types_are_compatible, value_matches_type


class Animal:
    pass


class Dog(Animal):
    pass


@pytest.mark.parametrize(
    ("sender", "receiver"),
    [
        (int, int),
        (int, Any),
        (Any, str),
        (Dog, Animal),
        (int, Optional[int]),  # noqa: UP045 - the spelling under test
        (int, int | None),
        (str, Union[int, str]),  # noqa: UP007
        (list[int], list[int]),
        (list[Dog], list[Animal]),
        (list[int], list),
        (list[int], Sequence[int]),
        (list[int], Iterable[int]),
        (dict[str, int], dict[str, Any]),
        (Literal["a", "b"], str),
        (Literal["a"], Literal["a", "b"]),
        (int | str, int | str | None),
        (tuple[int, ...], tuple[int, ...]),
    ],
)
def test_compatible(sender: Any, receiver: Any) -> None:
    assert types_are_compatible(sender, receiver)


@pytest.mark.parametrize(
    ("sender", "receiver"),
    [
        (str, int),
        (Animal, Dog),
        (int | None, int),
        (list[str], list[int]),
        (list, list[int]),
        (dict[str, int], dict[int, int]),
        (Literal["a", "c"], Literal["a", "b"]),
        (str, Literal["a"]),
        (int | str, int),
    ],
)
def test_incompatible(sender: Any, receiver: Any) -> None:
    assert not types_are_compatible(sender, receiver)


@pytest.mark.parametrize(
    ("type_", "name"),
    [
        (int, "int"),
        (list[Dog], "list[Dog]"),
        (int | None, "int | None"),
        (Any, "Any"),
        (dict[str, Any], "dict[str, Any]"),
    ],
)
def test_type_names(type_: Any, name: str) -> None:
    assert type_name(type_) == name


@pytest.mark.parametrize(
    ("value", "type_", "ok"),
    [
        (1, int, True),
        (True, float, False),
        (1, float, True),
        ("x", int, False),
        (None, int | None, True),
        ([1, 2], list[int], True),
        ([1, "2"], list[int], False),
        ({"a": [Dog()]}, dict[str, list[Animal]], True),
        ({"a": [1]}, dict[str, list[Animal]], False),
        ((1, "a"), tuple[int, str], True),
        ((1, 2, 3), tuple[int, ...], True),
        ("b", Literal["a", "b"], True),
        ("c", Literal["a", "b"], False),
        (object(), Any, True),
    ],
)
def test_value_matches_type(value: Any, type_: Any, ok: bool) -> None:
    assert value_matches_type(value, type_) is ok
