"""The user's settings: `~/.config/pipedebug/config.toml` (under `$XDG_CONFIG_HOME` when set), or `--config PATH`.

    theme = "nord"                     # a Textual theme

    [keys]                             # binding id = keys (README lists the ids); comma-separated for several
    run = "f5"
    resume = "space,f8"

    [[breakpoints]]                    # set when a pipeline opens, on the components it has
    component = "llm"
    condition = "len(replies) > 0"     # optional, as typed in the condition dialog
    when = "before"                    # optional: before the component runs (its inputs), default "after"
    visit = 3                          # optional: only its third visit (a loop's third lap)
    enabled = true                     # optional
    pipeline = "hybrid_rag"            # optional: only for this pipeline (its file's stem or folder's name)

A breakpoint set saved with a pipeline (`<runs folder>/<pipeline>.breakpoints.toml`) is the same
`[[breakpoints]]` array. Read with `tomllib`, without Textual, so it is tested on its own; every mistake is a
`ConfigError` naming the file, the line and the key.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

CONFIG_ENV = "XDG_CONFIG_HOME"
CONFIG_HELP = (
    "keys, theme and breakpoints (default: $XDG_CONFIG_HOME/pipedebug/config.toml, "
    "else ~/.config/pipedebug/config.toml, if there is one)"
)
"""The `--config` option's help, the same for every command that opens the app."""
BREAKPOINT_KEYS = {"component": str, "condition": str, "when": str, "visit": int, "enabled": bool, "pipeline": str}
"""What a `[[breakpoints]]` entry may say, and the TOML type of each."""
TOP_LEVEL = {"theme", "keys", "breakpoints"}
_KEY = re.compile(r"^[A-Za-z0-9_+\-]+$|^[^\sA-Za-z0-9,]$")
"""One key as bindings name it (`ctrl+k`, `f5`, `full_stop`), or a single punctuation character (`?`)."""


class ConfigError(ValueError):
    """A config or breakpoint set file that cannot be used: `path:line: key: reason`."""

    def __init__(self, path: Path, line: int | None, key: str | None, reason: str) -> None:
        self.path, self.line, self.key, self.reason = path, line, key, reason
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {key}: {reason}" if key else f"{where}: {reason}")


@dataclass(frozen=True, slots=True)
class BreakpointSpec:
    """A breakpoint to set when a pipeline opens: `Breakpoints.add(component, condition, enabled=...)`."""

    component: str
    condition: str | None = None
    """With a config's `visit = N`, `visit == N` is part of it: conditions may name the visit number."""
    enabled: bool = True
    pipeline: str | None = None
    """Only for the pipeline of this name; `None`: any pipeline with the component."""
    line: int | None = None
    when: Literal["after", "before"] = "after"
    """`before`: break before the component runs (the condition reads its inputs); `after`: on its completion."""

    def applies_to(self, pipeline: str, components: Collection[str]) -> bool:
        return self.component in components and self.pipeline in (None, pipeline)

    def to_dict(self) -> dict[str, Any]:
        """As `Breakpoints.to_dicts` writes it."""
        saved: dict[str, Any] = {"component": self.component, "condition": self.condition, "enabled": self.enabled}
        if self.when != "after":
            saved["when"] = self.when
        return saved


@dataclass(frozen=True, slots=True)
class Config:
    """What a config file says; empty (Textual's defaults) when there is none."""

    path: Path | None = None
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, as Textual's `App.set_keymap` takes it."""
    breakpoints: tuple[BreakpointSpec, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)
    """Where each setting is (`theme`, `keys.run`), for errors found later (an unknown theme or binding id)."""

    def check(self, binding_ids: Collection[str], themes: Collection[str]) -> None:
        """Raise `ConfigError` for a binding id or a theme the app does not have (the app knows them, this
        module does not import it)."""
        for name in self.keys:
            if name not in binding_ids:
                self.error(f"keys.{name}", "no key binding has this id (README's keys table lists them)")
        if self.theme is not None and self.theme not in themes:
            self.error("theme", f"unknown theme {self.theme!r}; themes: {', '.join(sorted(themes))}")

    def error(self, key: str, reason: str) -> None:
        raise ConfigError(self.path or Path("config"), self.lines.get(key), key, reason)


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/pipedebug/config.toml`, else `~/.config/pipedebug/config.toml`."""
    environ = os.environ if environ is None else environ
    base = environ.get(CONFIG_ENV) or ""
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"  # XDG: relative is invalid
    return root / "pipedebug" / "config.toml"


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read `path`, or the default file if there is one (no file there: an empty config). A file named
    explicitly must exist."""
    if path is None:
        found = default_path(environ)
        if not found.is_file():
            return Config()
        return parse_config(_read(found), found)
    return parse_config(_read(Path(path)), Path(path))


def parse_config(text: str, path: Path) -> Config:
    """Check and convert a config file's text; raise `ConfigError` at the first mistake."""
    data = _parse_toml(text, path)
    lines = _Lines(text)
    for name in data:
        if name not in TOP_LEVEL:
            raise ConfigError(path, lines.find(None, name), name, f"unknown setting; expected {_listed(TOP_LEVEL)}")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(path, lines.find(None, "theme"), "theme", "must be a theme's name, in quotes")
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise ConfigError(path, lines.find(None, "keys"), "keys", 'must be a table: [keys] then id = "key" lines')
    keymap: dict[str, str] = {}
    where = {"theme": lines.find(None, "theme")} if theme is not None else {}
    for name, value in keys.items():
        line = lines.find("keys", name)
        where[f"keys.{name}"] = line
        keymap[name] = _keys(value, path, line, f"keys.{name}")
    breakpoints = _breakpoints(data.get("breakpoints", []), path, lines)
    known = {key: line for key, line in where.items() if line is not None}
    return Config(path, theme, keymap, breakpoints, known)


def read_breakpoint_set(path: Path) -> tuple[BreakpointSpec, ...]:
    """A saved breakpoint set: a file holding only a `[[breakpoints]]` array."""
    text = _read(path)
    data = _parse_toml(text, path)
    lines = _Lines(text)
    for name in data:
        if name != "breakpoints":
            raise ConfigError(path, lines.find(None, name), name, "a breakpoint set holds only [[breakpoints]]")
    return _breakpoints(data.get("breakpoints", []), path, lines)


def dump_breakpoint_set(breakpoints: Collection[Mapping[str, Any]], pipeline: str) -> str:
    """A breakpoint set (`Breakpoints.to_dicts()`) as TOML that `read_breakpoint_set` reads back."""
    parts = [f"# Breakpoints of {pipeline}, saved by pipedebug; B in the debugger loads them.\n"]
    for entry in breakpoints:
        parts.append("\n[[breakpoints]]\n")
        for name in ("component", "condition", "when", "enabled"):
            value = entry.get(name)
            if value is not None:
                parts.append(f"{name} = {_toml_value(value)}\n")
    return "".join(parts)


def breakpoint_set_path(runs_dir: Path, pipeline: str) -> Path:
    """Where a pipeline's breakpoint set is saved: beside its runs."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", pipeline).strip("._") or "pipeline"
    return runs_dir / f"{safe}.breakpoints.toml"


# -- helpers ---------------------------------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, None, "no such file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, None, f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ConfigError(path, None, None, f"cannot read it: {error.strerror or error}") from None


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = re.search(r"\(at line (\d+), column \d+\)$", message)
        line = int(match[1]) if match else None
        reason = message[: match.start()].strip() if match else message
        raise ConfigError(path, line, None, f"not valid TOML: {reason}") from None


def _keys(value: object, path: Path, line: int | None, key: str) -> str:
    """A binding's keys: `"ctrl+k"` or `"space,f8"` (a list of strings is accepted too)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = ",".join(value)
    if not isinstance(value, str):
        raise ConfigError(path, line, key, 'must be keys in quotes, e.g. "ctrl+k" or "space,f8"')
    keys = [item.strip() for item in value.split(",")]
    for item in keys:
        if not item or not _KEY.match(item):
            raise ConfigError(path, line, key, f'{item!r} is not a key (write e.g. "ctrl+k", "f5", "question_mark")')
    return ",".join(keys)


def _breakpoints(value: object, path: Path, lines: _Lines) -> tuple[BreakpointSpec, ...]:
    if not isinstance(value, list):
        raise ConfigError(path, lines.find(None, "breakpoints"), "breakpoints", "must be [[breakpoints]] tables")
    specs = []
    for index, entry in enumerate(value):
        line = lines.array_table("breakpoints", index) or lines.find(None, "breakpoints")
        where = f"breakpoints[{index + 1}]"
        if not isinstance(entry, dict):
            raise ConfigError(path, line, where, "must be a table with a component")
        for name, item in entry.items():
            expected = BREAKPOINT_KEYS.get(name)
            at = lines.find_after(line, name)
            if expected is None:
                raise ConfigError(path, at, f"{where}.{name}", f"unknown key; expected {_listed(BREAKPOINT_KEYS)}")
            if not isinstance(item, expected) or (expected is int and isinstance(item, bool)):
                kind = {bool: "true or false", int: "a whole number"}.get(expected, "text in quotes")
                raise ConfigError(path, at, f"{where}.{name}", f"must be {kind}")
        component = entry.get("component")
        if not component:
            raise ConfigError(path, line, f"{where}.component", "missing: the component to break on")
        condition = entry.get("condition")
        if condition is not None and not condition.strip():
            condition = None
        when = entry.get("when", "after")
        if when != "before" and when != "after":
            at = lines.find_after(line, "when")
            raise ConfigError(path, at, f"{where}.when", f'must be "before" or "after", not {when!r}')
        visit = entry.get("visit")
        if visit is not None:
            if visit < 1:
                raise ConfigError(path, lines.find_after(line, "visit"), f"{where}.visit", "visits count from 1")
            condition = f"visit == {visit}" if condition is None else f"visit == {visit} and ({condition})"
        pipeline = entry.get("pipeline")
        specs.append(BreakpointSpec(component, condition, entry.get("enabled", True), pipeline, line, when))
    return tuple(specs)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML basic string


def _listed(names: Collection[str]) -> str:
    return ", ".join(sorted(names))


class _Lines:
    """Finds the line a key is written on, for errors about values `tomllib` parsed without positions."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def _table(self, line: str) -> str | None:
        match = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
        return match[1].strip().strip("\"'") if match else None

    def _assigns(self, line: str, key: str) -> bool:
        return re.match(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*[=.]", line) is not None

    def find(self, table: str | None, key: str) -> int | None:
        """The line assigning `key` in `table` (`None`: top level), or a `[key]` header; 1-based."""
        current: str | None = None
        for number, line in enumerate(self.lines, start=1):
            header = self._table(line)
            if header is not None:
                current = header
                if table is None and header == key:
                    return number
                continue
            if current == table and self._assigns(line, key):
                return number
        return None

    def array_table(self, name: str, index: int) -> int | None:
        """The line of the `index`-th `[[name]]` header."""
        count = -1
        for number, line in enumerate(self.lines, start=1):
            if re.match(rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]", line):
                count += 1
                if count == index:
                    return number
        return None

    def find_after(self, start: int | None, key: str) -> int | None:
        """The line assigning `key` in the table that begins at line `start`."""
        if start is None:
            return None
        for number in range(start + 1, len(self.lines) + 1):
            line = self.lines[number - 1]
            if self._table(line) is not None:
                break
            if self._assigns(line, key):
                return number
        return start
