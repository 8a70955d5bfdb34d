"""The config file and breakpoint sets, read without Textual: every mistake names the file, line and key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import (
    BreakpointSpec,
    Config,
    ConfigError,
    breakpoint_set_path,
    default_path,
    dump_breakpoint_set,
    load_config,
    parse_config,
    read_breakpoint_set,
)

GOOD = """\
theme = "nord"

[keys]
run = "f5"
resume = ["space", "f8"]
"question_mark" = "?"

[[breakpoints]]
component = "llm"
condition = "len(replies) > 0"

[[breakpoints]]
component = "joiner"
enabled = false
pipeline = "hybrid_rag"

[[breakpoints]]
component = "refine"
when = "before"
visit = 3
condition = "len(documents) < 3"
"""


def error_of(text: str, tmp_path: Path) -> ConfigError:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value


def test_a_config_sets_theme_keys_and_breakpoints(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.theme == "nord"
    assert config.keys == {"run": "f5", "resume": "space,f8", "question_mark": "?"}
    assert config.breakpoints == (
        BreakpointSpec("llm", "len(replies) > 0", True, None, line=8),
        BreakpointSpec("joiner", None, False, "hybrid_rag", line=12),
        BreakpointSpec("refine", "visit == 3 and (len(documents) < 3)", line=17, when="before"),
    )
    assert config.lines["keys.resume"] == 5
    llm, joiner, _ = config.breakpoints
    assert llm.applies_to("anything", ["llm"]) and not llm.applies_to("anything", ["joiner"])
    assert joiner.applies_to("hybrid_rag", ["joiner"]) and not joiner.applies_to("routing", ["joiner"])


def test_the_default_file_is_under_xdg_config_home_and_may_be_missing(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert default_path(environ) == tmp_path / "pipedebug" / "config.toml"
    assert default_path({"XDG_CONFIG_HOME": "relative/dir"}) == Path.home() / ".config" / "pipedebug" / "config.toml"
    assert default_path({}) == Path.home() / ".config" / "pipedebug" / "config.toml"
    assert load_config(None, environ) == Config()
    (tmp_path / "pipedebug").mkdir()
    (tmp_path / "pipedebug" / "config.toml").write_text('theme = "dracula"\n')
    assert load_config(None, environ).theme == "dracula"


def test_a_named_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: no such file"):
        load_config(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "line", "key", "reason"),
    [
        ('theme = "nord"\n[keys]\nrun = 5\n', 3, "keys.run", "must be keys in quotes"),
        ('[keys]\nrun = "ctrl k"\n', 2, "keys.run", "'ctrl k' is not a key"),
        ('[keys]\nrun = "r,,f9"\n', 2, "keys.run", "'' is not a key"),
        ("colour = 1\n", 1, "colour", "unknown setting"),
        ("theme = 3\n", 1, "theme", "must be a theme's name"),
        ('keys = "r"\n', 1, "keys", "must be a table"),
        (
            '\n[[breakpoints]]\ncomponent = "a"\n\n[[breakpoints]]\nconditon = "x"\n',
            6,
            "breakpoints[2].conditon",
            "unknown key",
        ),
        ('[[breakpoints]]\ncomponent = "a"\nenabled = "yes"\n', 3, "breakpoints[1].enabled", "true or false"),
        ('[[breakpoints]]\ncondition = "x > 1"\n', 1, "breakpoints[1].component", "missing"),
        ('[[breakpoints]]\ncomponent = "a"\nwhen = "during"\n', 3, "breakpoints[1].when", 'must be "before" or'),
        ('[[breakpoints]]\ncomponent = "a"\nvisit = 0\n', 3, "breakpoints[1].visit", "count from 1"),
        ('[[breakpoints]]\ncomponent = "a"\nvisit = true\n', 3, "breakpoints[1].visit", "a whole number"),
    ],
)
def test_mistakes_name_the_file_line_and_key(tmp_path: Path, text: str, line: int, key: str, reason: str) -> None:
    error = error_of(text, tmp_path)
    assert (error.line, error.key) == (line, key)
    assert reason in error.reason
    assert str(error).startswith(f"{tmp_path / 'config.toml'}:{line}: {key}: ")


def test_toml_syntax_errors_give_the_line(tmp_path: Path) -> None:
    error = error_of('theme = "nord"\n[keys]\nrun = "r\n', tmp_path)
    assert error.line == 3
    assert str(error).startswith(f"{tmp_path / 'config.toml'}:3: not valid TOML")


def test_unknown_binding_ids_and_themes_are_named_with_their_line(tmp_path: Path) -> None:
    config = parse_config('theme = "nord"\n\n[keys]\nrun = "f5"\nrnu = "f6"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"c\.toml:5: keys\.rnu: no key binding has this id"):
        config.check({"run"}, {"nord"})
    config = parse_config('theme = "nrod"\n', tmp_path / "c.toml")
    with pytest.raises(ConfigError, match=r"c\.toml:1: theme: unknown theme 'nrod'; themes: nord"):
        config.check({"run"}, {"nord"})


def test_breakpoint_sets_round_trip(tmp_path: Path) -> None:
    saved = [
        {"component": "llm", "condition": 'replies[0].text == "a \\"quoted\\" é"', "enabled": True},
        {"component": "joiner", "condition": None, "enabled": False, "when": "before"},
    ]
    path = breakpoint_set_path(tmp_path, "my pipe/../x")
    assert path.parent == tmp_path and path.name == "my_pipe_.._x.breakpoints.toml"
    path.write_text(dump_breakpoint_set(saved, "my pipe"))
    assert [spec.to_dict() for spec in read_breakpoint_set(path)] == saved


def test_a_breakpoint_set_holds_only_breakpoints(tmp_path: Path) -> None:
    path = tmp_path / "x.breakpoints.toml"
    path.write_text('theme = "nord"\n')
    with pytest.raises(ConfigError, match=r":1: theme: a breakpoint set holds only"):
        read_breakpoint_set(path)


def test_config_does_not_import_textual() -> None:
    code = "import sys, tui.config; assert not any(m.startswith('textual') for m in sys.modules), 'textual'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
