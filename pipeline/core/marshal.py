"""YAML in and out, with errors that name the file and line.

Parsing is `yaml.safe_load` (no Python tags, no arbitrary objects). A second, node-level pass with the same safe
loader records the line of every key, so an error found later in the definition points at its line.
"""

from __future__ import annotations

from typing import Any

import yaml

from pipeline.core.errors import DefinitionError

KeyPath = tuple[str | int, ...]


# The base is chosen at import time (libyaml's dumper where installed), which mypy cannot follow.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The safe dumper (libyaml's when installed: ten times faster), writing multi-line strings (prompt
    templates) as readable `|` blocks."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and not any(line != line.rstrip() for line in value.splitlines()):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def dumps_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def loads_yaml(text: str, source: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse YAML safely; return the data and the 1-based line of each key path."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise DefinitionError(
            f"invalid YAML: {_describe_yaml_error(exc, text)}", (), source, _error_line(exc, text)
        ) from exc
    except RecursionError:
        raise DefinitionError("invalid YAML: the document is nested too deeply", (), source) from None
    lines: dict[KeyPath, int] = {}
    if root is None:
        lines[()] = 1  # an empty document: point at its start
    else:
        _record_lines(root, (), lines, source, set())
    return data, lines


def _error_line(exc: yaml.YAMLError, text: str) -> int | None:
    """The 1-based line of a parse error: its problem mark, or for reader errors its character position."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1
    position = getattr(exc, "position", None)
    if isinstance(position, int):
        return text.count("\n", 0, position) + 1
    return None


def _describe_yaml_error(exc: yaml.YAMLError, text: str) -> str:
    """The problem, where a construct opened (for unclosed brackets), and the offending line's text."""
    if isinstance(exc, yaml.reader.ReaderError):
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        return f"unacceptable character {character}: {exc.reason}"
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        problem += f" ({context} on line {context_mark.line + 1})"
    line = _error_line(exc, text)
    source_lines = text.splitlines()
    if line is not None and 0 < line <= len(source_lines) and source_lines[line - 1].strip():
        problem += f": {source_lines[line - 1].strip()!r}"
    return problem


def _record_lines(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], source: str, seen: set[int]) -> None:
    """Record the line of `node` and of every key below it; an aliased node is walked once, at its anchor."""
    lines[path] = node.start_mark.line + 1
    if id(node) in seen:  # an alias: its lines are those of the anchor, and recursive anchors must not loop
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = key_node.value
            if key in keys:
                raise DefinitionError(f"duplicate key '{key}'", (*path, key), source, key_node.start_mark.line + 1)
            keys.add(key)
            _record_lines(value_node, (*path, key), lines, source, seen)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _record_lines(item, (*path, index), lines, source, seen)


def line_of(lines: dict[KeyPath, int], key_path: KeyPath) -> int | None:
    """The line of the deepest recorded prefix of `key_path`."""
    for end in range(len(key_path), -1, -1):
        line = lines.get(tuple(key_path[:end]))
        if line is not None:
            return line
    return None
