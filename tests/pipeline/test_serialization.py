"""Serialization round trips: to_dict/from_dict, dumps/loads and dump/load in Haystack's YAML layout.

Every round trip must be lossless: serializing the restored pipeline gives the same dict and the same YAML text,
and running both pipelines gives the same outputs. Secrets serialize as the environment variable's name only.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

import sample_pipelines
from pipeline import AsyncPipeline, DefinitionError, Pipeline, component, default_from_dict, default_to_dict
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.pipeline import PipelineBase
from pipeline.core.serialization import import_path
from pipeline.utils.auth import EnvVarSecret, Secret

TESTS = ["tests"]
WAITING = "pipeline.components.testing.waiting.WaitingComponent"
ASYNC_WAITING = "pipeline.components.testing.waiting.AsyncWaitingComponent"
SAMPLE = Path(sample_pipelines.__file__).parent / "waiting.yaml"
KEY_VAR = "PIPEDEBUG_TEST_API_KEY"
KEY_VALUE = "sk-live-4f1c9e0b-DO-NOT-LEAK"
DEFAULT_KEY = Secret.from_env_var(KEY_VAR)

# -- components and objects used only here (loaded with allowed_modules=["tests"]) -----------------------------------


@component
class FakeLLM:
    """Needs an API key: a Secret init parameter, as Haystack's generators have."""

    def __init__(self, model: str, api_key: Secret = DEFAULT_KEY) -> None:
        self.model = model
        self.api_key = api_key

    @component.output_types(reply=str, authenticated=bool)
    def run(self, prompt: str) -> dict[str, Any]:
        return {"reply": f"{self.model} says: {prompt}", "authenticated": self.api_key.resolve_value() is not None}


@dataclass
class Backoff:
    """Nested object with `to_dict` only: restored by calling the class with its init parameters."""

    base: float = 0.5
    factor: float = 2.0

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, base=self.base, factor=self.factor)


@dataclass
class RetryPolicy:
    """Nested object with `to_dict` and `from_dict`, itself holding a nested object and a list of them."""

    attempts: int
    backoff: Backoff = field(default_factory=Backoff)
    fallbacks: list[Backoff] = field(default_factory=list)
    from_dict_calls: ClassVar[int] = 0

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, attempts=self.attempts, backoff=self.backoff, fallbacks=self.fallbacks)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetryPolicy:
        RetryPolicy.from_dict_calls += 1
        return default_from_dict(cls, data)


@component
class Retrying:
    """A component whose init takes a nested object plus plain containers."""

    def __init__(self, policy: RetryPolicy, tags: list[str] | None = None, options: dict[str, Any] | None = None):
        self.policy = policy
        self.tags = tags or []
        self.options = options or {}

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, str]:
        return {"text": f"{text} (x{self.policy.attempts}, {self.policy.backoff.factor}, {','.join(self.tags)})"}


@component
class Shouter:
    """Has its own `to_dict`/`from_dict` with a layout of its own: those, not the defaults, must be used."""

    from_dict_calls: ClassVar[int] = 0

    def __init__(self, word: str) -> None:
        self.word = word

    def to_dict(self) -> dict[str, Any]:
        return {"type": import_path(Shouter), "init_parameters": {"WORD": self.word.upper()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Shouter:
        Shouter.from_dict_calls += 1
        return cls(word=data["init_parameters"]["WORD"].lower())

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, str]:
        return {"text": f"{text} {self.word.upper()}!"}


# -- helpers ---------------------------------------------------------------------------------------------------------


def assert_lossless(pipe: PipelineBase, allowed_modules: list[str] | None = None) -> tuple[PipelineBase, ...]:
    """dict and YAML round trips both reproduce the same dict and text; returns the two restored pipelines."""
    allowed = allowed_modules or []
    data = pipe.to_dict()
    from_dict = type(pipe).from_dict(data, allowed_modules=allowed)
    assert from_dict.to_dict() == data
    text = pipe.dumps()
    from_yaml = type(pipe).loads(text, allowed_modules=allowed)
    assert from_yaml.dumps() == text
    assert from_yaml.to_dict() == data
    assert yaml.safe_load(text) == data
    return from_dict, from_yaml


def waiting_pipeline(cls: type[PipelineBase] = AsyncPipeline) -> PipelineBase:
    pipe = cls(metadata={"description": "two branches"}, max_runs_per_component=5)
    pipe.add_component("first", WaitingComponent(name="first", wait_time=0))
    pipe.add_component("second", AsyncWaitingComponent(name="second", wait_time=0.01))
    pipe.add_component("alone", AsyncWaitingComponent(name="alone", wait_time=0))
    pipe.connect("first.message", "second.user_msg")
    return pipe


# -- shipped components ----------------------------------------------------------------------------------------------


def test_to_dict_uses_haystacks_layout() -> None:
    assert waiting_pipeline().to_dict() == {
        "metadata": {"description": "two branches"},
        "max_runs_per_component": 5,
        "components": {
            "first": {"type": WAITING, "init_parameters": {"name": "first", "wait_time": 0}},
            "second": {"type": ASYNC_WAITING, "init_parameters": {"name": "second", "wait_time": 0.01}},
            "alone": {"type": ASYNC_WAITING, "init_parameters": {"name": "alone", "wait_time": 0}},
        },
        "connections": [{"sender": "first.message", "receiver": "second.user_msg"}],
        "connection_type_validation": True,
    }


def test_dumps_writes_the_top_level_keys_in_haystacks_order() -> None:
    text = waiting_pipeline().dumps()
    assert list(yaml.safe_load(text)) == [
        "metadata",
        "max_runs_per_component",
        "components",
        "connections",
        "connection_type_validation",
    ]
    assert "!!" not in text  # plain YAML, no Python tags


def test_defaults_of_init_are_serialized_too() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("w", WaitingComponent(name="w"))
    assert pipe.to_dict()["components"]["w"]["init_parameters"] == {"name": "w", "wait_time": 1}


@pytest.mark.parametrize("cls", [Pipeline, AsyncPipeline])
def test_shipped_components_round_trip_and_run_the_same(cls: type[PipelineBase]) -> None:
    pipe = waiting_pipeline(cls)
    from_dict, from_yaml = assert_lossless(pipe)
    assert isinstance(from_dict, cls) and isinstance(from_yaml, cls)
    for name, instance in pipe.walk():
        restored = from_yaml.get_component(name)
        assert type(restored) is type(instance)
        assert (restored.name, restored.wait_time) == (instance.name, instance.wait_time)
    expected = {"second": {"message": "Message from second"}, "alone": {"message": "Message from alone"}}
    for candidate in (pipe, from_dict, from_yaml):
        assert candidate.run({"user_msg": "Hello"}) == expected


async def test_round_tripped_async_pipeline_runs_the_same_async() -> None:
    pipe = waiting_pipeline()
    _, restored = assert_lossless(pipe)
    assert await restored.run_async({"user_msg": "Hi"}) == await pipe.run_async({"user_msg": "Hi"})


def test_connections_round_trip_with_socket_names() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c", "d"):
        pipe.add_component(name, WaitingComponent(name=name, wait_time=0))
    pipe.connect("c", "d")  # sockets inferred: serialized with their names
    pipe.connect("a.message", "b.user_msg")
    assert {(c["sender"], c["receiver"]) for c in pipe.to_dict()["connections"]} == {
        ("c.message", "d.user_msg"),
        ("a.message", "b.user_msg"),
    }
    from_dict, from_yaml = assert_lossless(pipe)
    assert list(from_dict.connections()) == list(from_yaml.connections()) == list(pipe.connections())


def test_empty_pipeline_round_trips() -> None:
    pipe = AsyncPipeline()
    assert pipe.to_dict() == {
        "metadata": {},
        "max_runs_per_component": 100,
        "components": {},
        "connections": [],
        "connection_type_validation": True,
    }
    assert_lossless(pipe)


def test_unicode_names_and_text_round_trip() -> None:
    pipe = AsyncPipeline(metadata={"beschreibung": "Grüße — 日本語"})
    pipe.add_component("wärter", WaitingComponent(name="Wärter 🕰", wait_time=0))
    _, restored = assert_lossless(pipe)
    assert "Grüße" in pipe.dumps()  # written as text, not escapes
    assert restored.run({"user_msg": "x"}) == {"wärter": {"message": "Message from Wärter 🕰"}}


# -- sample_pipelines/waiting.yaml -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [Pipeline, AsyncPipeline])
def test_sample_waiting_yaml_loads_losslessly(cls: type[PipelineBase]) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    pipe = cls.load(SAMPLE)
    assert pipe.to_dict() == yaml.safe_load(text)  # nothing in the file is lost or added
    assert [name for name, _ in pipe.walk()] == [f"wait_{i}" for i in range(1, 6)]
    assert pipe.metadata["example_inputs"] == [{"user_msg": "Hello"}, {"user_msg": "Bonjour"}, {"user_msg": "Hola"}]
    assert pipe.max_runs_per_component == 100
    _, from_yaml = assert_lossless(pipe)
    assert cls.loads(pipe.dumps(), source=str(SAMPLE)).dumps() == pipe.dumps()

    for candidate in (pipe, from_yaml):  # the sample sleeps 1-5 s per component: run it without the waits
        for _, instance in candidate.walk():
            instance.wait_time = 0
    expected = {f"wait_{i}": {"message": f"Message from wait_{i}"} for i in (2, 4, 5)}
    assert pipe.run({"user_msg": "Hello"}) == expected
    assert from_yaml.run({"user_msg": "Hello"}) == expected


# -- secrets ---------------------------------------------------------------------------------------------------------


def test_env_var_secret_serializes_as_the_variable_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, KEY_VALUE)
    secret = Secret.from_env_var([KEY_VAR, "PIPEDEBUG_FALLBACK_KEY"], strict=False)
    pipe = AsyncPipeline()
    pipe.add_component("llm", FakeLLM(model="tiny", api_key=secret))

    data = pipe.to_dict()
    assert data["components"]["llm"]["init_parameters"]["api_key"] == {
        "type": "env_var",
        "env_vars": [KEY_VAR, "PIPEDEBUG_FALLBACK_KEY"],
        "strict": False,
    }
    text = pipe.dumps()
    assert KEY_VALUE not in text
    assert KEY_VALUE not in repr(data)
    assert yaml.safe_load(text)["components"]["llm"]["init_parameters"]["api_key"]["type"] == "env_var"

    from_dict, from_yaml = assert_lossless(pipe, TESTS)
    for restored in (from_dict, from_yaml):
        api_key = restored.get_component("llm").api_key
        assert isinstance(api_key, EnvVarSecret)
        assert api_key == secret
        assert api_key.resolve_value() == KEY_VALUE  # resolved from the environment at run time, not the file
    expected = {"llm": {"reply": "tiny says: hi", "authenticated": True}}
    assert pipe.run({"prompt": "hi"}) == from_yaml.run({"prompt": "hi"}) == expected


def test_default_secret_parameter_serializes_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_VAR, KEY_VALUE)
    pipe = AsyncPipeline()
    pipe.add_component("llm", FakeLLM(model="tiny"))
    assert pipe.to_dict()["components"]["llm"]["init_parameters"]["api_key"] == {
        "type": "env_var",
        "env_vars": [KEY_VAR],
        "strict": True,
    }
    assert KEY_VALUE not in pipe.dumps()
    assert_lossless(pipe, TESTS)


def test_secret_value_is_never_written_by_dump(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEY_VAR, KEY_VALUE)
    pipe = AsyncPipeline()
    pipe.add_component("llm", FakeLLM(model="tiny"))
    path = tmp_path / "llm.yaml"
    pipe.dump(path)
    text = path.read_text(encoding="utf-8")
    assert KEY_VALUE not in text and KEY_VAR in text
    restored = AsyncPipeline.load(path, allowed_modules=TESTS)
    assert restored.run({"prompt": "p"})["llm"]["authenticated"] is True


def test_restored_strict_secret_fails_at_use_when_the_variable_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_VAR, raising=False)
    pipe = AsyncPipeline()
    pipe.add_component("llm", FakeLLM(model="tiny"))
    restored = AsyncPipeline.loads(pipe.dumps(), allowed_modules=TESTS)  # loading needs no value
    with pytest.raises(ValueError, match=KEY_VAR):
        restored.get_component("llm").api_key.resolve_value()


def test_token_secret_refuses_to_serialize(tmp_path: Path) -> None:
    token = "sk-token-0123456789-SECRET"
    pipe = AsyncPipeline()
    pipe.add_component("llm", FakeLLM(model="tiny", api_key=Secret.from_token(token)))
    for serialize in (pipe.to_dict, pipe.dumps):
        with pytest.raises(DefinitionError) as info:
            serialize()
        message = str(info.value)
        assert info.value.key_path == ("components", "llm", "init_parameters", "api_key")
        assert "components.llm.init_parameters.api_key" in message
        assert "token" in message and "from_env_var" in message
        assert token not in message
    path = tmp_path / "never.yaml"
    with pytest.raises(DefinitionError):
        pipe.dump(path)
    assert not path.exists()
    assert token not in repr(pipe.get_component("llm").api_key)


def test_token_secret_left_in_a_custom_to_dict_is_still_refused() -> None:
    @component
    class Careless:
        def __init__(self, api_key: Secret) -> None:
            self.api_key = api_key

        def to_dict(self) -> dict[str, Any]:
            return {"type": "tests.Careless", "init_parameters": {"api_key": self.api_key}}

        @component.output_types(x=int)
        def run(self, x: int) -> dict[str, int]:
            return {"x": x}

    pipe = AsyncPipeline()
    pipe.add_component("c", Careless(api_key=Secret.from_token("tok-123")))
    with pytest.raises(DefinitionError, match="token secret cannot be serialized") as info:
        pipe.dumps()
    assert "tok-123" not in str(info.value)
    assert info.value.key_path == ("components", "c", "init_parameters", "api_key")

    pipe = AsyncPipeline()
    pipe.add_component("c", Careless(api_key=Secret.from_env_var(KEY_VAR)))
    assert pipe.to_dict()["components"]["c"]["init_parameters"]["api_key"]["env_vars"] == [KEY_VAR]


def test_secret_env_vars_may_be_a_single_name() -> None:
    data = waiting_llm_dict({"type": "env_var", "env_vars": KEY_VAR})
    restored = AsyncPipeline.from_dict(data, allowed_modules=TESTS)
    assert restored.get_component("llm").api_key == Secret.from_env_var(KEY_VAR)


def waiting_llm_dict(api_key: Any) -> dict[str, Any]:
    return {
        "components": {
            "llm": {"type": import_path(FakeLLM), "init_parameters": {"model": "m", "api_key": api_key}},
        }
    }


# -- nested objects and custom to_dict/from_dict ---------------------------------------------------------------------


def test_nested_objects_round_trip() -> None:
    policy = RetryPolicy(attempts=3, backoff=Backoff(base=0.25, factor=3.0), fallbacks=[Backoff(), Backoff(1, 1)])
    pipe = AsyncPipeline()
    pipe.add_component("retry", Retrying(policy=policy, tags=["a", "b"], options={"depth": {"max": 2}, "on": True}))
    params = pipe.to_dict()["components"]["retry"]["init_parameters"]
    assert params["policy"] == {
        "type": import_path(RetryPolicy),
        "init_parameters": {
            "attempts": 3,
            "backoff": {"type": import_path(Backoff), "init_parameters": {"base": 0.25, "factor": 3.0}},
            "fallbacks": [
                {"type": import_path(Backoff), "init_parameters": {"base": 0.5, "factor": 2.0}},
                {"type": import_path(Backoff), "init_parameters": {"base": 1, "factor": 1}},
            ],
        },
    }
    calls = RetryPolicy.from_dict_calls
    from_dict, from_yaml = assert_lossless(pipe, TESTS)
    assert RetryPolicy.from_dict_calls >= calls + 2  # the class's own from_dict restored it each time
    for restored in (from_dict, from_yaml):
        instance = restored.get_component("retry")
        assert instance.policy == policy
        assert isinstance(instance.policy.backoff, Backoff)
        assert instance.tags == ["a", "b"] and instance.options == {"depth": {"max": 2}, "on": True}
    assert pipe.run({"text": "t"}) == from_yaml.run({"text": "t"}) == {"retry": {"text": "t (x3, 3.0, a,b)"}}


def test_nested_object_without_to_dict_cannot_be_serialized() -> None:
    class Opaque:
        pass

    pipe = AsyncPipeline()
    pipe.add_component("retry", Retrying(policy=RetryPolicy(1), options={"thing": Opaque()}))
    with pytest.raises(DefinitionError, match="cannot serialize a Opaque") as info:
        pipe.dumps()
    assert info.value.key_path == ("components", "retry", "init_parameters", "options", "thing")


def test_component_with_its_own_to_dict_and_from_dict_is_honoured() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("shout", Shouter(word="hey"))
    assert pipe.to_dict()["components"]["shout"] == {"type": import_path(Shouter), "init_parameters": {"WORD": "HEY"}}
    calls = Shouter.from_dict_calls
    from_dict, from_yaml = assert_lossless(pipe, TESTS)
    assert Shouter.from_dict_calls == calls + 2
    assert from_dict.get_component("shout").word == from_yaml.get_component("shout").word == "hey"
    assert from_yaml.run({"text": "oh"}) == pipe.run({"text": "oh"}) == {"shout": {"text": "oh HEY!"}}


def test_test_components_need_their_module_allowed() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("shout", Shouter(word="hey"))
    with pytest.raises(DefinitionError, match="not in an allowed module"):
        AsyncPipeline.loads(pipe.dumps())
    for allowed in (["tests"], ["tests.pipeline"], ("tests.pipeline.test_serialization",), "tests"):
        assert AsyncPipeline.loads(pipe.dumps(), allowed_modules=allowed).get_component("shout").word == "hey"


# -- metadata and max_runs_per_component -----------------------------------------------------------------------------


def test_metadata_and_max_runs_round_trip() -> None:
    metadata = {
        "description": "demo",
        "tags": ["x", "y"],
        "nested": {"level": 2, "flags": [True, False, None], "ratio": 0.5},
        "created": datetime.date(2024, 5, 1),
        "updated": datetime.datetime(2024, 5, 2, 10, 30),
    }
    pipe = AsyncPipeline(metadata=metadata, max_runs_per_component=7)
    pipe.add_component("w", WaitingComponent(name="w", wait_time=0))
    from_dict, from_yaml = assert_lossless(pipe)
    for restored in (from_dict, from_yaml):
        assert restored.metadata == metadata
        assert restored.max_runs_per_component == 7


def test_missing_optional_sections_take_defaults() -> None:
    restored = AsyncPipeline.loads(f"components:\n  w:\n    type: {WAITING}\n    init_parameters: {{name: w}}\n")
    assert restored.metadata == {} and restored.max_runs_per_component == 100
    assert list(restored.connections()) == []
    assert AsyncPipeline.loads("metadata:\ncomponents:\nconnections:\n").to_dict() == AsyncPipeline().to_dict()


# -- dump / load -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_type", [str, Path])
def test_dump_and_load_with_a_path(tmp_path: Path, as_type: type) -> None:
    pipe = waiting_pipeline()
    path = as_type(tmp_path / "pipe.yaml")
    pipe.dump(path)
    assert Path(path).read_text(encoding="utf-8") == pipe.dumps()
    restored = AsyncPipeline.load(path)
    assert restored.dumps() == pipe.dumps()
    assert restored.run({"user_msg": "x"}) == pipe.run({"user_msg": "x"})


def test_dump_and_load_with_a_file_object(tmp_path: Path) -> None:
    pipe = waiting_pipeline()
    path = tmp_path / "pipe.yaml"
    with path.open("w", encoding="utf-8") as fp:
        pipe.dump(fp)
    with path.open(encoding="utf-8") as fp:
        restored = Pipeline.load(fp)
    assert isinstance(restored, Pipeline)
    assert restored.dumps() == pipe.dumps()


def test_dump_and_load_with_a_string_buffer() -> None:
    pipe = waiting_pipeline()
    buffer = io.StringIO()
    pipe.dump(buffer)
    assert buffer.getvalue() == pipe.dumps()
    buffer.seek(0)
    assert AsyncPipeline.load(buffer).to_dict() == pipe.to_dict()
