"""Input and output sockets: the typed ports through which components exchange values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

T = TypeVar("T")


class _Empty:
    """Marks a socket without a default value (a mandatory input)."""

    def __repr__(self) -> str:
        return "<empty>"


EMPTY: Any = _Empty()

_VARIADIC = "pipeline.variadic"
_GREEDY_VARIADIC = "pipeline.greedy_variadic"

Variadic = Annotated[Iterable[T], _VARIADIC]
"""A socket that collects one value from each of several senders into a list, then runs."""

GreedyVariadic = Annotated[Iterable[T], _GREEDY_VARIADIC]
"""A variadic socket whose component runs as soon as the first value arrives."""


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, UnionType)


def _variadic_marker(annotation: Any) -> str | None:
    if get_origin(annotation) is not Annotated:
        return None
    for marker in annotation.__metadata__:
        if marker in (_VARIADIC, _GREEDY_VARIADIC):
            return marker
    return None


@dataclass(slots=True)
class InputSocket:
    """One parameter of a component's `run` method.

    For variadic sockets `type` is the element type: each sender delivers one `type` value and the component
    receives them as a list.
    """

    name: str
    type: Any
    default_value: Any = EMPTY
    is_variadic: bool = field(init=False)
    is_greedy: bool = field(init=False)
    wrap_input_in_list: bool = field(init=False, default=True)
    """False for a list socket made variadic by a second sender: the senders' lists are concatenated."""

    def __post_init__(self) -> None:
        marker = _variadic_marker(self.type)
        self.is_variadic = marker is not None
        self.is_greedy = marker == _GREEDY_VARIADIC
        if marker is not None:
            (iterable,) = get_args(self.type)[:1]
            self.type = get_args(iterable)[0]

    @property
    def is_mandatory(self) -> bool:
        return self.default_value is EMPTY

    @property
    def is_lazy_variadic(self) -> bool:
        return self.is_variadic and not self.is_greedy

    @property
    def accepts_several_senders(self) -> bool:
        """Variadic, or typed `list[...]` (optionally `| None`, or a union of lists), as Haystack allows."""
        if self.is_variadic:
            return True
        members = [m for m in get_args(self.type) if m is not type(None)] if _is_union(self.type) else [self.type]
        return bool(members) and all(get_origin(m) is list or m is list for m in members)

    def join_senders(self) -> None:
        """Make a list socket lazy variadic, as Haystack does when a second sender connects to it."""
        if not self.is_variadic:
            self.is_variadic = True
            self.wrap_input_in_list = False


@dataclass(slots=True, frozen=True)
class OutputSocket:
    """One declared output of a component."""

    name: str
    type: Any
