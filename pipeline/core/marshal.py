"""YAML in and out, with errors that name the file and line.

Parsing is `yaml.safe_load` (no Python tags, no arbitrary objects). A second, node-level pass with the same safe
loader records the line of every key, so an error found later in the definition points at its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from pipeline.core.errors import DefinitionError

KeyPath = tuple[str | int, ...]


def dumps_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def loads_yaml(text: str, source: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML safely; return the data and the 1-based line of each key path."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(f"invalid YAML: {problem}", (), source, mark.line + 1 if mark else None) from exc
    lines: dict[KeyPath, int] = {}
    if root is not None:
        _record_lines(root, (), lines, source)
    return data, lines


def _record_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], source: str) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise DefinitionError(f"duplicate key '{key}'", (*path, key), source, key_node.start_mark.line + 1)
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _record_lines(value_node, (*path, key), lines, source)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, source)


def line_of(lines: dict[KeyPath, int], key_path: KeyPath) -> int | None:
    """The line of the deepest recorded prefix of `key_path`."""
    for end in range(len(key_path), -1, -1):
        line = lines.get(tuple(key_path[:end]))
        if line is not None:
            return line
    return None
