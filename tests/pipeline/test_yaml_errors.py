"""Bad pipeline YAML of every kind: each is a `DefinitionError` naming the file, the line and the key at fault.

Files are written to a temporary directory and read with `load(path)`, so the message must carry the real file
name. Line numbers are 1-based and counted by hand in each definition.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pipeline import AsyncPipeline, DefinitionError, Pipeline, component, default_from_dict
from pipeline.utils.auth import Secret

TESTS = ["tests"]
HERE = __name__  # "tests.pipeline.test_yaml_errors": where the classes below are imported from
WAITING = "pipeline.components.testing.waiting.WaitingComponent"

# -- classes used only here (loaded with allowed_modules=["tests"]) --------------------------------------------------


@component
class IntSink:
    @component.output_types(total=int)
    def run(self, value: int) -> dict[str, int]:
        return {"total": value}


class NotAComponent:
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@component
class Picky:
    """Refuses a negative level in `__init__`."""

    def __init__(self, level: int) -> None:
        if level < 0:
            raise ValueError(f"level must be >= 0, got {level}")
        self.level = level

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@component
class Keyed:
    def __init__(self, api_key: Secret) -> None:
        self.api_key = api_key

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


class Policy:
    """A nested object restored by calling the class with its init parameters."""

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts

    def to_dict(self) -> dict[str, Any]:
        return {"type": f"{HERE}.Policy", "init_parameters": {"attempts": self.attempts}}


@component
class Holder:
    def __init__(self, policy: Any) -> None:
        self.policy = policy

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@component
class OwnFromDict:
    """Haystack style: its own `from_dict` calling `default_from_dict`."""

    calls: ClassVar[int] = 0

    def __init__(self, size: int) -> None:
        self.size = size

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OwnFromDict:
        OwnFromDict.calls += 1
        return default_from_dict(cls, data)

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


# -- helpers ---------------------------------------------------------------------------------------------------------


def load_error(tmp_path: Path, text: str, *, name: str = "broken.yaml", **kwargs: Any) -> DefinitionError:
    """Write `text` to a file, load it, and return the DefinitionError (failing if there is none)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path, **kwargs)
    return info.value


def assert_located(error: DefinitionError, tmp_path: Path, line: int | None, *fragments: str) -> str:
    """The message names the file and line first, then contains every fragment (keys, types, sockets)."""
    path = str(tmp_path / "broken.yaml")
    message = str(error)
    assert error.source == path
    assert error.line == line, message
    assert message.startswith(f"{path}:{line}: " if line is not None else f"{path}: "), message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def component_yaml(body: str, name: str = "w", type_: str = WAITING) -> str:
    """A definition whose component `name` (line 2) has `type` on line 3 and then `body`."""
    return f"components:\n  {name}:\n    type: {type_}\n{body}"


# -- YAML syntax -----------------------------------------------------------------------------------------------------


def test_bad_indentation(tmp_path: Path) -> None:
    text = (
        "components:\n"  # 1
        "  w:\n"  # 2
        f"    type: {WAITING}\n"  # 3
        "   init_parameters: {name: w}\n"  # 4: one space short
        "connections: []\n"
    )
    assert_located(load_error(tmp_path, text), tmp_path, 4, "invalid YAML", "init_parameters", "line 2")


def test_over_indented_key(tmp_path: Path) -> None:
    text = component_yaml("      init_parameters: {name: w}\n")  # line 4: deeper than `type`
    assert_located(load_error(tmp_path, text), tmp_path, 4, "invalid YAML", "mapping values", "init_parameters")


def test_unclosed_flow_mapping(tmp_path: Path) -> None:
    text = component_yaml(
        "    init_parameters: {name: w, wait_time: 0\n"  # 4: never closed
        "connections: []\n"  # 5: where the parser notices
    )
    message = assert_located(load_error(tmp_path, text), tmp_path, 5, "invalid YAML", "connections")
    assert "flow mapping on line 4" in message


def test_unclosed_flow_sequence(tmp_path: Path) -> None:
    text = (
        "metadata:\n"  # 1
        "  tags: [a, b\n"  # 2: never closed
        "max_runs_per_component: 3\n"  # 3
    )
    message = assert_located(load_error(tmp_path, text), tmp_path, 3, "invalid YAML", "max_runs_per_component")
    assert "flow sequence on line 2" in message


def test_unclosed_quote(tmp_path: Path) -> None:
    text = 'metadata:\n  description: "never closed\n'
    assert_located(load_error(tmp_path, text), tmp_path, 3, "invalid YAML", "quoted scalar on line 2")


def test_mapping_value_on_one_line(tmp_path: Path) -> None:
    text = "max_runs_per_component: 1\nmetadata: a: b\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "invalid YAML", "metadata: a: b")


def test_tab_indentation(tmp_path: Path) -> None:
    text = "components:\n\tw: {}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "invalid YAML", "'\\t'")


def test_several_documents(tmp_path: Path) -> None:
    text = "metadata: {}\n---\ncomponents: {}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "invalid YAML", "single document")


def test_undefined_alias(tmp_path: Path) -> None:
    text = "metadata:\n  a: 1\n  b: *nowhere\n"
    assert_located(load_error(tmp_path, text), tmp_path, 3, "invalid YAML", "nowhere")


def test_unhashable_key(tmp_path: Path) -> None:
    text = "metadata:\n  ? [a, b]\n  : 1\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "invalid YAML", "unhashable")


def test_control_character(tmp_path: Path) -> None:
    text = "metadata:\n  a: 1\n  b: \x07\n"
    assert_located(load_error(tmp_path, text), tmp_path, 3, "invalid YAML", "#x0007")


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    text = "metadata:\n  deep: " + "[" * 5000 + "]" * 5000 + "\n"
    assert_located(load_error(tmp_path, text), tmp_path, None, "invalid YAML", "nested too deeply")


def test_recursive_alias_is_refused_without_looping(tmp_path: Path) -> None:
    text = "metadata: &loop [*loop]\n"
    assert_located(load_error(tmp_path, text), tmp_path, 1, "metadata", "must be a mapping", "a list")


def test_alias_bomb_is_cheap(tmp_path: Path) -> None:
    """Billion laughs: aliases fan out 10^8 paths; line recording must not walk them."""
    lines = ["metadata:", "  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 8)]
    text = "\n".join([*lines, "max_runs_per_component: 0", ""])
    start = time.perf_counter()
    error = load_error(tmp_path, text)
    assert time.perf_counter() - start < 5
    assert_located(error, tmp_path, len(lines) + 1, "max_runs_per_component", "positive integer")


# -- Python tags: refused by safe_load, never executed ---------------------------------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/apply:subprocess.call [['touch', '{marker}']]",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
        "!python/object/apply:os.system ['touch {marker}']",
    ],
)
def test_python_tags_are_refused_and_not_executed(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "executed"
    text = (
        "metadata:\n"  # 1
        "  description: demo\n"  # 2
        f"  payload: {tag.format(marker=marker)}\n"  # 3
    )
    message = assert_located(load_error(tmp_path, text), tmp_path, 3, "invalid YAML", "payload", "python/")
    assert "constructor for the tag" in message
    assert not marker.exists()


def test_python_tag_on_the_whole_document(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = f"# a comment\n!!python/object/apply:os.system ['touch {marker}']\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "invalid YAML", "python/object/apply:os.system")
    assert not marker.exists()


def test_python_tag_in_init_parameters(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = component_yaml(
        "    init_parameters:\n"  # 4
        f"      name: !!python/object/apply:os.system ['touch {marker}']\n"  # 5
    )
    assert_located(load_error(tmp_path, text), tmp_path, 5, "invalid YAML", "name:")
    assert not marker.exists()


# -- the top level ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("- components\n- connections\n", 1, "got a list"),
        ("# comment\n\njust a string\n", 3, "got str 'just a string'"),
        ("42\n", 1, "got int 42"),
    ],
)
def test_top_level_not_a_mapping(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    assert_located(load_error(tmp_path, text), tmp_path, line, "must be a mapping", fragment)


@pytest.mark.parametrize(("text", "line"), [("", 1), ("\n\n", 1), ("# only a comment\n", 1), ("---\n", 2), ("~\n", 1)])
def test_empty_file(tmp_path: Path, text: str, line: int) -> None:
    assert_located(load_error(tmp_path, text), tmp_path, line, "the definition is empty")


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = (
        "metadata: {}\n"  # 1
        "component:\n"  # 2: a typo for components
        "  w: {}\n"
    )
    error = load_error(tmp_path, text)
    assert error.key_path == ("component",)
    assert_located(error, tmp_path, 2, "unknown key 'component'", "components, connection_type_validation, connections")


def test_duplicate_top_level_key(tmp_path: Path) -> None:
    text = (
        "components: {}\n"  # 1
        "metadata: {}\n"  # 2
        "components: {}\n"  # 3
    )
    assert_located(load_error(tmp_path, text), tmp_path, 3, "duplicate key 'components'")


def test_duplicate_component_name(tmp_path: Path) -> None:
    text = (
        "components:\n"  # 1
        f"  w:\n    type: {WAITING}\n    init_parameters: {{name: a}}\n"  # 2-4
        f"  w:\n    type: {WAITING}\n    init_parameters: {{name: b}}\n"  # 5-7
    )
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w")
    assert_located(error, tmp_path, 5, "duplicate key 'w'")


def test_duplicate_init_parameter(tmp_path: Path) -> None:
    text = component_yaml(
        "    init_parameters:\n"  # 4
        "      name: a\n"  # 5
        "      wait_time: 0\n"  # 6
        "      name: b\n"  # 7
    )
    assert_located(load_error(tmp_path, text), tmp_path, 7, "duplicate key 'name'", "components.w.init_parameters")


def test_duplicate_key_in_a_flow_mapping(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters: {name: a, name: b}\n")
    assert_located(load_error(tmp_path, text), tmp_path, 4, "duplicate key 'name'")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("0", "got 0"), ("-3", "got -3"), ("ten", "got 'ten'"), ("2.5", "got 2.5"), ("true", "got True"), ("", "None")],
)
def test_max_runs_per_component_not_a_positive_int(tmp_path: Path, value: str, fragment: str) -> None:
    text = (
        "metadata: {}\n"  # 1
        f"max_runs_per_component: {value}\n"  # 2
        "components: {}\n"
    )
    error = load_error(tmp_path, text)
    assert error.key_path == ("max_runs_per_component",)
    assert_located(error, tmp_path, 2, "max_runs_per_component", "positive integer", fragment)


@pytest.mark.parametrize(
    ("value", "fragment"), [("[a, b]", "got a list"), ("hello", "got str 'hello'"), ("0", "got int 0"), ("[]", "list")]
)
def test_metadata_not_a_mapping(tmp_path: Path, value: str, fragment: str) -> None:
    text = f"max_runs_per_component: 2\nmetadata: {value}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "at metadata:", "must be a mapping", fragment)


@pytest.mark.parametrize("value", ["[w]", "[]", "w", "3"])
def test_components_not_a_mapping(tmp_path: Path, value: str) -> None:
    text = f"metadata: {{}}\ncomponents: {value}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 2, "at components:", "must be a mapping of names")


# -- components ------------------------------------------------------------------------------------------------------


def test_component_without_type(tmp_path: Path) -> None:
    text = (
        "components:\n"  # 1
        "  ok:\n"  # 2
        f"    type: {WAITING}\n"  # 3
        "    init_parameters: {name: ok}\n"  # 4
        "  broken:\n"  # 5
        "    init_parameters: {name: b}\n"  # 6
    )
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "broken")
    assert_located(error, tmp_path, 5, "components.broken", "no 'type'")


@pytest.mark.parametrize(
    ("value", "fragment"), [("12", "int 12"), ("[a, b]", "a list"), ("null", "None"), ("", "None")]
)
def test_component_type_not_a_string(tmp_path: Path, value: str, fragment: str) -> None:
    text = f"components:\n  w:\n    init_parameters: {{name: w}}\n    type: {value}\n"  # type on line 4
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w", "type")
    assert_located(error, tmp_path, 4, "components.w.type", "import path string", fragment)


@pytest.mark.parametrize("value", ["pipeline.components.testing.waiting.WaitingComponent", "[]", "7"])
def test_component_not_a_mapping(tmp_path: Path, value: str) -> None:
    text = f"components:\n  ok:\n    type: {WAITING}\n    init_parameters: {{name: ok}}\n  w: {value}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 5, "components.w", "must be a mapping with 'type'")


def test_unknown_component_key(tmp_path: Path) -> None:
    text = component_yaml("    init_params: {name: w}\n")  # line 4: a typo
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w", "init_params")
    assert_located(error, tmp_path, 4, "components.w.init_params", "unknown key(s) init_params")


def test_unknown_component_keys_of_mixed_types(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters: {name: w}\n    1: one\n    extra: two\n")  # lines 5, 6
    assert_located(load_error(tmp_path, text), tmp_path, 5, "components.w.1", "unknown key(s) 1, extra")


def test_component_name_with_a_dot(tmp_path: Path) -> None:
    text = f"components:\n  ok:\n    type: {WAITING}\n    init_parameters: {{name: ok}}\n  a.b:\n    type: {WAITING}\n"
    text += "    init_parameters: {name: ab}\n"
    assert_located(load_error(tmp_path, text), tmp_path, 5, "components.a.b", "contains '.'")


# -- component types: only from allowed modules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "type_",
    [
        "os.system",
        "subprocess.Popen",
        "builtins.eval",
        "colorsys.ColorSys",
        "pipelines.Evil",  # a prefix of an allowed name is not that name
        "pipeline_extra.Component",
        "sample_pipelines_x.mod.Component",
        ".pipeline.X",
        "tests.pipeline.test_yaml_errors.IntSink",  # allowed only when the caller says so
    ],
)
def test_type_outside_allowed_modules_is_refused(tmp_path: Path, type_: str) -> None:
    marker = tmp_path / "executed"
    text = component_yaml(f"    init_parameters: {{command: 'touch {marker}'}}\n", type_=type_)
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w", "type")
    assert_located(error, tmp_path, 3, "components.w.type", f"'{type_}'", "not in an allowed module", "allowed_modules")
    assert not marker.exists()


@pytest.mark.parametrize("module", ["colorsys", "tabnanny"])
def test_refused_module_is_not_imported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    monkeypatch.delitem(sys.modules, module, raising=False)
    text = component_yaml("    init_parameters: {}\n", type_=f"{module}.Anything")
    assert_located(load_error(tmp_path, text), tmp_path, 3, "not in an allowed module")
    assert module not in sys.modules
    # also when it hides among allowed entries
    text = f"components:\n  a:\n    type: {module}.X\n  b:\n    type: tests.pipeline.test_yaml_errors.IntSink\n"
    assert_located(load_error(tmp_path, text, allowed_modules=TESTS), tmp_path, 3, "not in an allowed module")
    assert module not in sys.modules


def test_bare_string_allowed_module_is_one_module_not_its_letters(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters: {}\n", type_="t.Anything")
    error = load_error(tmp_path, text, allowed_modules="tests")
    assert_located(error, tmp_path, 3, "not in an allowed module", "allowed: pipeline, sample_pipelines, tests)")


def test_class_imported_into_an_allowed_module_is_refused(tmp_path: Path) -> None:
    """`pipeline.core.pipeline` imports `pathlib.Path`; that does not make `Path` an allowed type."""
    text = component_yaml("    init_parameters: {}\n", type_="pipeline.core.pipeline.Path")
    assert_located(load_error(tmp_path, text), tmp_path, 3, "components.w.type", "pathlib.Path", "not in an allowed")


@pytest.mark.parametrize(
    ("type_", "fragment"),
    [
        ("pipeline.components.nowhere.Thing", "cannot import module 'pipeline.components.nowhere'"),
        ("sample_pipelines.nowhere.Thing", "cannot import module 'sample_pipelines.nowhere'"),
        ("pipeline.components.testing.waiting.NoSuchComponent", "has no class 'NoSuchComponent'"),
        ("pipeline.core.serialization.importlib", "has no class 'importlib'"),  # a module, not a class
        ("pipeline.core.serialization.DEFAULT_ALLOWED_MODULES", "has no class"),
        ("pipeline..Thing", "cannot import module"),
        ("WaitingComponent", "full import path"),
    ],
)
def test_type_in_an_allowed_package_that_does_not_exist(tmp_path: Path, type_: str, fragment: str) -> None:
    text = component_yaml("    init_parameters: {name: w}\n", type_=type_)
    assert_located(load_error(tmp_path, text), tmp_path, 3, "components.w.type", fragment)


@pytest.mark.parametrize(
    "type_", ["pipeline.core.errors.DefinitionError", "pipeline.core.graph.PipelineGraph", f"{HERE}.NotAComponent"]
)
def test_class_that_is_not_a_component(tmp_path: Path, type_: str) -> None:
    text = component_yaml("    init_parameters: {}\n", type_=type_)
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert_located(error, tmp_path, 3, "components.w.type", "is not a component")


# -- init_parameters -------------------------------------------------------------------------------------------------


def test_unknown_init_parameter(tmp_path: Path) -> None:
    text = component_yaml(
        "    init_parameters:\n"  # 4
        "      name: w\n"  # 5
        "      wait_tme: 2\n"  # 6: a typo
    )
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w", "init_parameters", "wait_tme")
    assert_located(error, tmp_path, 6, "components.w.init_parameters.wait_tme", "WaitingComponent", "name, wait_time")


def test_missing_init_parameter(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters:\n      wait_time: 2\n")
    assert_located(load_error(tmp_path, text), tmp_path, 4, "components.w.init_parameters", "needs", "name")


def test_missing_init_parameters_entirely(tmp_path: Path) -> None:
    assert_located(load_error(tmp_path, component_yaml("")), tmp_path, 2, "components.w", "needs", "name")


def test_init_that_raises(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters:\n      level: -1\n", name="picky", type_=f"{HERE}.Picky")
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert isinstance(error.__cause__, ValueError)
    assert_located(error, tmp_path, 4, "components.picky.init_parameters", "'picky'", "level must be >= 0")


@pytest.mark.parametrize(("value", "fragment"), [("[name, w]", "a list"), ("w", "str 'w'"), ("5", "int 5")])
def test_init_parameters_not_a_mapping(tmp_path: Path, value: str, fragment: str) -> None:
    text = component_yaml(f"    init_parameters: {value}\n")
    error = load_error(tmp_path, text)
    assert error.key_path == ("components", "w", "init_parameters")
    assert_located(error, tmp_path, 4, "components.w.init_parameters", "must be a mapping", fragment)


def test_own_from_dict_errors_point_at_the_parameter(tmp_path: Path) -> None:
    text = component_yaml("    init_parameters:\n      size: 1\n      colour: red\n", type_=f"{HERE}.OwnFromDict")
    calls = OwnFromDict.calls
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert OwnFromDict.calls == calls + 1
    assert_located(error, tmp_path, 6, "components.w.init_parameters.colour", "no init parameter 'colour'")


def test_nested_object_type_is_checked_too(tmp_path: Path) -> None:
    text = component_yaml(
        "    init_parameters:\n"  # 4
        "      policy:\n"  # 5
        "        type: subprocess.Popen\n"  # 6
        "        init_parameters: {args: [touch, x]}\n",
        type_=f"{HERE}.Holder",
    )
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("components", "w", "init_parameters", "policy", "type")
    assert_located(error, tmp_path, 6, "components.w.init_parameters.policy.type", "not in an allowed module")


def test_nested_object_bad_parameter_points_at_its_line(tmp_path: Path) -> None:
    text = component_yaml(
        "    init_parameters:\n"  # 4
        "      policy:\n"  # 5
        f"        type: {HERE}.Policy\n"  # 6
        "        init_parameters:\n"  # 7
        "          attempts: 3\n"  # 8
        "          retries: 4\n",  # 9
        type_=f"{HERE}.Holder",
    )
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert_located(error, tmp_path, 9, "components.w.init_parameters.policy.init_parameters.retries", "Policy")


@pytest.mark.parametrize(
    ("secret", "fragment"),
    [
        ("{type: env_var, env_vars: []}", "Not a serialized secret"),
        ("{type: env_var, env_vars: [1, 2]}", "must be a variable name"),
        ("{type: env_var, env_vars: [KEY], strict: 'no'}", "'strict' must be true or false"),
    ],
)
def test_malformed_secret(tmp_path: Path, secret: str, fragment: str) -> None:
    text = component_yaml(f"    init_parameters:\n      api_key: {secret}\n", type_=f"{HERE}.Keyed")
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("components", "w", "init_parameters", "api_key")
    assert_located(error, tmp_path, 5, "components.w.init_parameters.api_key", fragment)


# -- connections -----------------------------------------------------------------------------------------------------

TWO = (
    "components:\n"  # 1
    f"  a:\n    type: {WAITING}\n    init_parameters: {{name: a}}\n"  # 2-4
    f"  b:\n    type: {WAITING}\n    init_parameters: {{name: b}}\n"  # 5-7
    f"  sink:\n    type: {HERE}.IntSink\n"  # 8-9
    "connections:\n"  # 10
    "- sender: a.message\n"  # 11
    "  receiver: b.user_msg\n"  # 12
)


def test_the_two_component_fixture_itself_loads(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(TWO, encoding="utf-8")
    assert list(AsyncPipeline.load(path, allowed_modules=TESTS).connections()) == [("a", "message", "b", "user_msg")]


@pytest.mark.parametrize(("value", "fragment"), [("{a: b}", "a mapping"), ("a.message", "str"), ("1", "int 1")])
def test_connections_not_a_list(tmp_path: Path, value: str, fragment: str) -> None:
    text = TWO.split("connections:")[0] + f"connections: {value}\n"  # line 10
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("connections",)
    assert_located(error, tmp_path, 10, "at connections:", "must be a list", fragment)


def test_connection_not_a_mapping(tmp_path: Path) -> None:
    text = TWO + "- a.message -> b.user_msg\n"  # line 13
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("connections", 1)
    assert_located(error, tmp_path, 13, "connections.1", "must be a mapping with 'sender' and 'receiver'")


def test_connection_missing_receiver(tmp_path: Path) -> None:
    text = TWO + "- sender: a.message\n"  # line 13
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("connections", 1)
    assert_located(error, tmp_path, 13, "connections.1", "no 'receiver'")


def test_connection_missing_sender(tmp_path: Path) -> None:
    text = TWO + "- receiver: b.user_msg\n"  # line 13
    assert_located(load_error(tmp_path, text, allowed_modules=TESTS), tmp_path, 13, "connections.1", "no 'sender'")


def test_connection_with_unknown_key(tmp_path: Path) -> None:
    text = TWO + "- sender: a.message\n  reciever: b.user_msg\n"  # lines 13-14
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("connections", 1, "reciever")
    assert_located(error, tmp_path, 14, "connections.1.reciever", "unknown key(s) reciever")


def test_connection_end_not_a_string(tmp_path: Path) -> None:
    text = TWO + "- sender: a.message\n  receiver: [b, user_msg]\n"  # lines 13-14
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert_located(error, tmp_path, 14, "connections.1.receiver", "must be a string", "a list")


@pytest.mark.parametrize(
    ("connection", "line", "key", "fragments"),
    [
        ("- sender: nobody.message\n  receiver: b.user_msg\n", 13, "sender", ("no component named 'nobody'",)),
        ("- sender: a.message\n  receiver: nobody.user_msg\n", 14, "receiver", ("no component named 'nobody'",)),
        ("- sender: a.nothing\n  receiver: b.user_msg\n", 13, "sender", ("no output socket 'nothing'", "message: str")),
        (
            "- sender: a.message\n  receiver: b.nothing\n",
            14,
            "receiver",
            ("no input socket 'nothing'", "user_msg: str"),
        ),
    ],
)
def test_connection_to_unknown_component_or_socket(
    tmp_path: Path, connection: str, line: int, key: str, fragments: tuple[str, ...]
) -> None:
    error = load_error(tmp_path, TWO + connection, allowed_modules=TESTS)
    assert error.key_path == ("connections", 1, key)
    assert_located(error, tmp_path, line, f"connections.1.{key}", *fragments)


def test_connection_with_incompatible_types(tmp_path: Path) -> None:
    text = TWO + "- sender: a.message\n  receiver: sink.value\n"  # lines 13-14
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert error.key_path == ("connections", 1)
    assert_located(error, tmp_path, 13, "connections.1", "a.message", "sink.value", "message: str", "value: int")


def test_connection_of_a_component_to_itself(tmp_path: Path) -> None:
    text = TWO + "- sender: a.message\n  receiver: b.user_msg\n- sender: b.message\n  receiver: b.user_msg\n"
    error = load_error(tmp_path, text, allowed_modules=TESTS)
    assert_located(error, tmp_path, 15, "connections.2", "Connecting a Component to itself is not supported.")


# -- files and streams -----------------------------------------------------------------------------------------------


def test_file_that_does_not_exist(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path)
    assert info.value.source == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "No such file" in str(info.value)
    with pytest.raises(DefinitionError, match="missing.yaml"):
        Pipeline.load(str(path))


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(tmp_path)
    assert info.value.source == str(tmp_path)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_bytes(b"metadata: \xff\xfe\n")
    with pytest.raises(
        DefinitionError, match=r"broken.yaml: the file is not UTF-8 text: invalid start byte at byte 10"
    ):
        AsyncPipeline.load(path)


def test_errors_name_the_file_object(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("metadata: {}\nmax_runs_per_component: -1\n", encoding="utf-8")
    with path.open(encoding="utf-8") as fp, pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(fp)
    assert_located(info.value, tmp_path, 2, "max_runs_per_component")


def test_errors_from_a_stream_and_a_string(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(io.StringIO("metadata: []\n"))
    assert str(info.value).startswith("<stream>:1: at metadata:")
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.loads("components: {}\nfoo: 1\n")
    assert str(info.value).startswith("<string>:2: at foo:")
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.loads("components: {}\nfoo: 1\n", source="mine.yaml")
    assert str(info.value).startswith("mine.yaml:2: at foo:")


def test_from_dict_errors_carry_the_key_path() -> None:
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.from_dict({"components": {"w": {"type": "os.system", "init_parameters": {}}}})
    assert info.value.key_path == ("components", "w", "type")
    assert info.value.source is None and info.value.line is None
    assert str(info.value).startswith("at components.w.type: ")


def test_allowed_module_that_fails_to_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "broken_components"
    package.mkdir()
    (package / "__init__.py").write_text("this is not python(\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    error = load_error(
        tmp_path, component_yaml("", type_="broken_components.Thing"), allowed_modules=["broken_components"]
    )
    assert_located(error, tmp_path, 3, "cannot import module 'broken_components': SyntaxError")
