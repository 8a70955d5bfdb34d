"""Turning tag values into what tracing backends accept: primitives, or JSON text."""

from __future__ import annotations

import json
import logging
from typing import Any

logger = logging.getLogger(__name__)

PRIMITIVE_TYPES = (bool, str, int, float)


def coerce_tag_value(value: Any) -> bool | str | int | float:
    """A primitive as it is, `None` as "", anything else as JSON (objects through their `to_dict`), else `str`."""
    if isinstance(value, PRIMITIVE_TYPES):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(_serializable(value))
    except Exception as error:  # whatever a component put in a tag, tracing must not fail on it
        logger.debug("Failed to coerce a tag value to JSON: %s", error)
        return str(value)


def _serializable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_serializable(item) for item in value]
    if isinstance(value, dict):
        return {key: _serializable(item) for key, item in value.items()}
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return _serializable(to_dict())
    return value
