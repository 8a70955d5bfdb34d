"""Haystack's metadata filter syntax: checking a filter once, then matching documents against it.

A comparison is `{"field": "meta.genre", "operator": "==", "value": "news"}`, a logical filter is
`{"operator": "AND" | "OR" | "NOT", "conditions": [...]}` (NOT is true when not all conditions hold). Fields are
Document attributes (`content`, `id`, `score`, `embedding`) or `meta.` paths, nested with dots; a missing field
reads as None. A bare name that is not a Document attribute reads from meta, for filters converted from Haystack 1.
The ordering operators are false when either side is None, and compare strings only as ISO 8601 dates.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import datetime
from typing import Any

from pipeline.dataclasses import Document
from pipeline.document_stores.errors import FilterError

_DOCUMENT_FIELDS = frozenset(f.name for f in fields(Document))
_LOGICAL_OPERATORS = ("AND", "OR", "NOT")
_ORDERING_OPERATORS = (">", ">=", "<", "<=")
_MEMBERSHIP_OPERATORS = ("in", "not in")
_COMPARISON_OPERATORS = ("==", "!=", *_ORDERING_OPERATORS, *_MEMBERSHIP_OPERATORS)
_SYNTAX_HINT = (
    'a comparison is {"field": ..., "operator": ..., "value": ...}, a logical filter is '
    '{"operator": "AND" | "OR" | "NOT", "conditions": [...]}'
)


def validate_filters(filters: Any, path: str = "filters") -> None:
    """Raise a `FilterError` naming the first malformed key, so a bad filter fails before any document is read."""
    if not isinstance(filters, Mapping):
        raise FilterError(f"{path} must be a mapping ({_SYNTAX_HINT}), got {type(filters).__name__} {filters!r}")
    if "field" in filters:
        _validate_comparison(filters, path)
    else:
        _validate_logical(filters, path)


def _validate_comparison(filters: Mapping[str, Any], path: str) -> None:
    _refuse_unknown_keys(filters, ("field", "operator", "value"), path)
    for key in ("operator", "value"):
        if key not in filters:
            raise FilterError(f"{path} has no '{key}' key; {_SYNTAX_HINT}")
    field, operator, value = filters["field"], filters["operator"], filters["value"]
    if not isinstance(field, str) or not field:
        raise FilterError(f"{path}['field'] must be a non-empty string, got {field!r}")
    head, dot, _ = field.partition(".")
    if dot and head not in _DOCUMENT_FIELDS:
        raise FilterError(
            f"{path}['field'] names an unknown field {field!r}: a dotted field starts with one of "
            f"{', '.join(sorted(_DOCUMENT_FIELDS))} (for metadata, 'meta.<key>')"
        )
    if operator not in _COMPARISON_OPERATORS:
        raise FilterError(
            f"{path}['operator'] is {operator!r}, not a comparison operator; expected one of "
            f"{', '.join(_COMPARISON_OPERATORS)}"
        )
    if operator in _MEMBERSHIP_OPERATORS and not isinstance(value, list):
        raise FilterError(f"{path}['value'] must be a list for operator {operator!r}, got {type(value).__name__}")
    if operator in _ORDERING_OPERATORS and isinstance(value, list):
        raise FilterError(f"{path}['value'] cannot be a list for operator {operator!r}")


def _validate_logical(filters: Mapping[str, Any], path: str) -> None:
    _refuse_unknown_keys(filters, ("operator", "conditions"), path)
    for key in ("operator", "conditions"):
        if key not in filters:
            raise FilterError(f"{path} has no '{key}' key (and no 'field', so it is a logical filter); {_SYNTAX_HINT}")
    operator, conditions = filters["operator"], filters["conditions"]
    if operator not in _LOGICAL_OPERATORS:
        raise FilterError(
            f"{path}['operator'] is {operator!r}, not a logical operator; expected one of "
            f"{', '.join(_LOGICAL_OPERATORS)} (or add a 'field' to make it a comparison)"
        )
    if not isinstance(conditions, list):
        raise FilterError(f"{path}['conditions'] must be a list of filters, got {type(conditions).__name__}")
    for index, condition in enumerate(conditions):
        validate_filters(condition, f"{path}['conditions'][{index}]")


def _refuse_unknown_keys(filters: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
    unknown = [key for key in filters if key not in known]
    if unknown:
        raise FilterError(f"{path} has unknown key {unknown[0]!r}; expected {', '.join(known)}")


def document_matches_filter(filters: Mapping[str, Any], document: Document) -> bool:
    """Whether `document` satisfies `filters`, which `validate_filters` has accepted."""
    if "field" in filters:
        return _compare(filters, document)
    results = (document_matches_filter(condition, document) for condition in filters["conditions"])
    if filters["operator"] == "AND":
        return all(results)
    if filters["operator"] == "OR":
        return any(results)
    return not all(results)


def _compare(condition: Mapping[str, Any], document: Document) -> bool:
    field = condition["field"]
    return _OPERATORS[condition["operator"]](_field_value(document, field), condition["value"], field)


def _field_value(document: Document, field: str) -> Any:
    head, *path = field.split(".")
    if not path and head not in _DOCUMENT_FIELDS:
        return document.meta.get(head)
    value = getattr(document, head)
    for part in path:
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any, str], bool]:
    """An ordering operator: false when either side is None; strings on either side are compared as dates."""

    def ordered(document_value: Any, value: Any, field: str) -> bool:
        if document_value is None or value is None:
            return False
        if isinstance(document_value, str) or isinstance(value, str):
            document_value, value = _as_dates(document_value, value, field)
        try:
            return compare(document_value, value)
        except TypeError as exc:
            raise FilterError(
                f"Cannot order the value {document_value!r} of {field!r} against {value!r}: {exc}"
            ) from exc

    return ordered


def _as_dates(document_value: Any, value: Any, field: str) -> tuple[datetime, datetime]:
    """Both sides as datetimes (a naive one takes the other's time zone), or a FilterError: strings are ordered
    only as ISO 8601 dates."""
    try:
        left, right = _parse_date(document_value), _parse_date(value)
    except (TypeError, ValueError) as exc:
        raise FilterError(
            f"Cannot order {document_value!r} (field {field!r}) against {value!r} with >, >=, <, <=: strings are "
            "compared only as ISO 8601 dates"
        ) from exc
    if left.tzinfo is None and right.tzinfo is not None:
        left = left.replace(tzinfo=right.tzinfo)
    elif right.tzinfo is None and left.tzinfo is not None:
        right = right.replace(tzinfo=left.tzinfo)
    return left, right


def _parse_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"not a date: {value!r}")
    return datetime.fromisoformat(value)


def _in(document_value: Any, value: list[Any], field: str) -> bool:
    return any(item == document_value for item in value)


_OPERATORS: dict[str, Callable[[Any, Any, str], bool]] = {
    "==": lambda document_value, value, _: document_value == value,
    "!=": lambda document_value, value, _: document_value != value,
    ">": _ordering(operator.gt),
    ">=": _ordering(operator.ge),
    "<": _ordering(operator.lt),
    "<=": _ordering(operator.le),
    "in": _in,
    "not in": lambda document_value, value, field: not _in(document_value, value, field),
}
