"""Socket values as JSON and back, for editing them as text: the edit dialog and the inputs form share it.

Documents and chat messages are shown as their `to_dict()` and rebuilt with `from_dict()` wherever the socket
type names them (`list[Document]`, `ChatMessage | None`, `dict[str, list[Document]]`, ...), so what is saved has
the types the receivers expect; Haystack's dataclasses likewise go through their own `to_dict`/`from_dict`, and
values a recording holds as data (haystack-ai missing) are edited as that data. No Textual import.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pipeline.core.type_utils import type_name, value_matches_type
from pipeline.dataclasses import ChatMessage, Document
from pipeline.runs.haystack_values import HAYSTACK_DATACLASSES, ForeignValue, haystack_to_dict, is_haystack_value

_FROM_DICT = (Document, ChatMessage)
"""Classes that socket values are rebuilt into from their dicts."""


def to_json(value: Any) -> Any:
    """`value` as plain JSON data: documents and messages as their dicts, arrays as lists, others as their repr."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, _FROM_DICT):
        return to_json(value.to_dict())
    if is_haystack_value(value):
        return to_json(haystack_to_dict(value))
    if isinstance(value, ForeignValue):
        return to_json(value.data)
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item) for item in value]
    if callable(getattr(value, "tolist", None)):  # numpy arrays and scalars
        return to_json(value.tolist())
    return repr(value)


def from_json(value: Any, type_: Any) -> Any:
    """Rebuild documents and messages in JSON data wherever `type_` expects them; everything else is kept.

    Raises `ValueError` (or `TypeError`) when a dict does not fit the class the type names.
    """
    while get_origin(type_) is Annotated:
        type_ = get_args(type_)[0]
    if get_origin(type_) in (Union, types.UnionType):
        for member in get_args(type_):
            try:
                rebuilt = from_json(value, member)
            except (ValueError, TypeError):
                continue
            if value_matches_type(rebuilt, member):
                return rebuilt
        return value
    if _rebuilt_from_dict(type_) and isinstance(value, dict):
        return type_.from_dict(value)
    origin, args = get_origin(type_), get_args(type_)
    if origin in (list, tuple, set, frozenset) and args and isinstance(value, list):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return tuple(from_json(item, arg) for item, arg in zip(value, args, strict=False))
        return origin(from_json(item, args[0]) for item in value)
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return {key: from_json(item, args[1]) for key, item in value.items()}
    return value


def _rebuilt_from_dict(type_: Any) -> bool:
    """Ours (documents, messages) and Haystack's known dataclasses are rebuilt from their dicts."""
    if not isinstance(type_, type):
        return False
    return type_ in _FROM_DICT or f"{type_.__module__}.{type_.__qualname__}" in HAYSTACK_DATACLASSES


def mismatch(value: Any, type_: Any) -> str:
    """Why `value` does not match `type_`, pointing at the first bad item of a list."""
    args = get_args(type_)
    if get_origin(type_) is list and args and isinstance(value, list):
        for index, item in enumerate(value):
            if not value_matches_type(item, args[0]):
                return f"item {index}: expected {type_name(args[0])}, got {type(item).__name__}"
    return f"expected {type_name(type_)}, got {type(value).__name__}"


def dumps(value: Any) -> str:
    """The editor text for a socket value."""
    return json.dumps(to_json(value), indent=2, ensure_ascii=False)
