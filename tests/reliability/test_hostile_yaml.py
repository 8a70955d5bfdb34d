"""Pipeline files and run files naming what they must not: YAML tags, types outside the allow-list, and values
built to blow up once loaded. Each is refused with the file and line, nothing is imported or run."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from pipeline import AsyncPipeline, DefinitionError
from pipeline.runs.codec import CodecError, Unrepresentable, decode, decode_event
from tests.reliability.conftest import pipedebug

SLOW = "tests.reliability.components.Slow"
"""A component with one untyped init parameter, `seconds`."""
TAGS = ["!!python/object/apply:os.system ['touch PWNED']", "!custom {a: 1}"]
"""In init parameters; tests/pipeline/test_yaml_errors.py tries every Python tag at the top level."""


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("tag", TAGS)
def test_yaml_tags_are_refused_naming_the_line(tag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write(
        tmp_path / "tagged.yaml",
        f"components:\n  src:\n    type: {SLOW}\n    init_parameters:\n      seconds: {tag}\nconnections: []\n",
    )
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path, allowed_modules=["tests.reliability"])
    message = str(info.value)
    assert f"{path}:5" in message, message
    assert "tag" in message or "binary" in message, message
    assert "\n" not in message
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("type_path", "expected"),
    [
        ("os.system", "not in an allowed module"),
        ("builtins.eval", "not in an allowed module"),
        ("subprocess.Popen", "not in an allowed module"),
        ("pipeline.core.serialization.importlib", "has no class"),
        ("pipeline.core.serialization.PurePath", "which is not in an allowed module"),
        ("pipeline", "must be a full import path"),
    ],
)
def test_component_types_outside_the_allow_list_are_refused(type_path: str, expected: str, tmp_path: Path) -> None:
    before = set(sys.modules)
    path = write(tmp_path / "types.yaml", f"components:\n  bad:\n    type: {type_path}\nconnections: []\n")
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path)
    assert expected in str(info.value)
    assert f"{path}:3" in str(info.value)
    assert "subprocess" not in set(sys.modules) - before


def test_a_nested_object_in_init_parameters_outside_the_allow_list_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path / "nested.yaml",
        "components:\n"
        "  src:\n"
        f"    type: {SLOW}\n"
        "    init_parameters:\n"
        "      seconds:\n"
        "        type: subprocess.Popen\n"
        "        init_parameters: {args: [touch, PWNED]}\n"
        "connections: []\n",
    )
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path, allowed_modules=["tests.reliability"])
    assert "subprocess.Popen" in str(info.value) and "not in an allowed module" in str(info.value)


def laughs(levels: int) -> list[str]:
    """Nine aliases of nine aliases of ...: `levels` lines that expand to 9 ** levels strings."""
    lines = ['&a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    return lines + [f"&a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]


@pytest.mark.parametrize("where", ["metadata", "components"])
def test_a_billion_laughs_of_aliases_is_refused_quickly(where: str, tmp_path: Path) -> None:
    """Loading followed the aliases lazily, but dumping the definition into a recording's header walked all of
    them: 9**7 took 48 s, 9**9 would never end."""
    bomb = laughs(9)
    if where == "metadata":
        text = "metadata:\n" + "".join(f"  a{i}: {line}\n" for i, line in enumerate(bomb))
        text += "components: {}\nconnections: []\n"
    else:
        text = f"components:\n  src:\n    type: {SLOW}\n    init_parameters:\n      seconds:\n"
        text += "".join(f"        - {line}\n" for line in bomb) + "connections: []\n"
    path = write(tmp_path / "laughs.yaml", text)
    started = time.perf_counter()
    with pytest.raises(DefinitionError) as info:
        AsyncPipeline.load(path, allowed_modules=["tests.reliability"])
    assert time.perf_counter() - started < 2
    assert f"{path}:1: at {where}: expands to about" in str(info.value)


def recording(runs_dir: Path, pipeline_yaml: str | None, events: list[dict[str, object]]) -> Path:
    header = {
        "format": "pipedebug-run",
        "version": 1,
        "run_id": "feedfacefeedface",
        "pipeline_name": "crafted",
        "pipeline": pipeline_yaml,
        "inputs": {},
        "versions": {},
        "wall_time": 0,
        "parent": None,
        "label": None,
    }
    path = runs_dir / "20260101-000000-000000_crafted_feedface.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in [header, *events]) + "\n")
    return path


def test_a_run_file_whose_definition_holds_a_yaml_tag_replays_without_running_it(
    runs_dir: Path, tmp_path: Path
) -> None:
    definition = f"components:\n  src:\n    type: {SLOW}\n    init_parameters:\n      x: {TAGS[0]}\nconnections: []\n"
    started = {"event": "RunStarted", "run_id": "feedfacefeedface", "time": 1.0, "wall_time": 0.0, "inputs": {}}
    path = recording(runs_dir, definition, [started])
    result = pipedebug("replay", str(path), "--headless", "--fast", cwd=tmp_path)
    assert not (tmp_path / "PWNED").exists()
    assert "Traceback" not in result.stderr
    last = (result.stderr.strip().splitlines() or [""])[-1]
    assert result.returncode != 0 or "could not" in result.stdout.lower(), (result.stdout, result.stderr)
    assert last.startswith("error:") and str(path.name) in last, last


@pytest.mark.parametrize(
    "value",
    [
        {"$type": "enum", "class": "subprocess.Popen", "name": "x", "value": 1},
        {"$type": "enum", "class": "os.system", "name": "x", "value": 1},
        {"$type": "haystack", "class": "subprocess.Popen", "data": {"args": ["touch", "PWNED"]}},
        {"$type": "repr", "type": "os.system", "repr": "<x>"},
        {"$type": "ndarray", "dtype": "O", "shape": [1], "b64": "AAAAAAAAAAA="},
        {"$type": "npscalar", "dtype": "object", "value": {"$type": "repr", "type": "os", "repr": "x"}},
        {"$type": "error", "type": "os.system", "message": "m", "traceback": "", "cause": None},
        {"$type": "Document", "__class__": "os.system"},
        {"$type": "os.system"},
        {"$type": "secret", "env_vars": ["HOME"], "strict": "yes"},
    ],
)
def test_codec_tags_naming_other_classes_create_no_objects_of_them(value: dict[str, object]) -> None:
    before = set(sys.modules)
    try:
        decoded = decode(value)
    except CodecError:
        return
    assert type(decoded).__module__.split(".")[0] in ("pipeline", "builtins", "numpy", "tests"), type(decoded)
    assert (not isinstance(decoded, type) and not callable(decoded)) or isinstance(decoded, Unrepresentable)
    assert "subprocess" not in set(sys.modules) - before


def test_an_event_line_naming_a_class_that_is_no_event_is_refused() -> None:
    for name in ("Popen", "RunRecorder", "__class__", "object"):
        with pytest.raises(CodecError, match="unknown event type"):
            decode_event({"event": name, "run_id": "x", "time": 0.0})
