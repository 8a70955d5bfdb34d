"""Sample components: sockets and outputs as Haystack's, serialization of Accumulate, and use in pipelines."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pipeline import AsyncPipeline, DefinitionError, Pipeline
from pipeline.core.component import input_sockets, output_sockets
from pipeline.testing.sample_components import (
    Accumulate,
    AddFixedValue,
    Concatenate,
    Double,
    FString,
    Greet,
    Hello,
    HelloUsingFutureAnnotations,
    Parity,
    Remainder,
    Repeat,
    StringJoiner,
    StringListJoiner,
    Subtract,
    Sum,
    TextSplitter,
    Threshold,
)


def keep_larger(first: int, second: int) -> int:
    return max(first, second)


def socket_types(instance: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = {name: socket.type for name, socket in input_sockets(instance).items()}
    outputs = {name: socket.type for name, socket in output_sockets(instance).items()}
    return inputs, outputs


@pytest.mark.parametrize(
    ("instance", "inputs", "outputs"),
    [
        (Accumulate(), {"value": int}, {"value": int}),
        (AddFixedValue(), {"value": int, "add": int | None}, {"result": int}),
        (Concatenate(), {"first": list[str] | str, "second": list[str] | str}, {"value": list[str]}),
        (Double(), {"value": int}, {"value": int}),
        (FString("{a}", variables=["a"]), {"template": str | None, "a": Any}, {"string": str}),
        (Greet(), {"value": int, "message": str | None, "log_level": str | None}, {"value": int}),
        (Hello(), {"word": str}, {"output": str}),
        (HelloUsingFutureAnnotations(), {"word": str}, {"output": str}),
        (Parity(), {"value": int}, {"even": int, "odd": int}),
        (Remainder(divisor=2), {"value": int}, {"remainder_is_0": int, "remainder_is_1": int}),
        (Repeat(outputs=["a", "b"]), {"value": int}, {"a": int, "b": int}),
        (StringJoiner(), {"input_str": str}, {"output": str}),
        # Haystack declares `str` although the list is what comes out; kept so connections type-check the same.
        (StringListJoiner(), {"inputs": list[str]}, {"output": str}),
        (Subtract(), {"first_value": int, "second_value": int}, {"difference": int}),
        (Sum(), {"values": int}, {"total": int}),
        (TextSplitter(), {"sentence": str}, {"output": list[str]}),
        (Threshold(), {"value": int, "threshold": int | None}, {"above": int, "below": int}),
    ],
    ids=lambda value: type(value).__name__ if not isinstance(value, dict) else "",
)
def test_sockets_match_haystack(instance: Any, inputs: dict[str, Any], outputs: dict[str, Any]) -> None:
    assert socket_types(instance) == (inputs, outputs)


def test_variadic_sockets() -> None:
    for instance, name in ((Sum(), "values"), (StringJoiner(), "input_str"), (StringListJoiner(), "inputs")):
        socket = input_sockets(instance)[name]
        assert socket.is_lazy_variadic and socket.is_mandatory


def test_optional_inputs_default_to_none() -> None:
    assert input_sockets(AddFixedValue())["add"].default_value is None
    assert input_sockets(Threshold())["threshold"].default_value is None
    assert input_sockets(Greet())["message"].default_value is None
    assert input_sockets(AddFixedValue())["value"].is_mandatory


def test_arithmetic_components() -> None:
    assert AddFixedValue().run(value=1) == {"result": 2}
    assert AddFixedValue(add=5).run(value=1) == {"result": 6}
    assert AddFixedValue(add=5).run(value=1, add=-3) == {"result": -2}
    assert AddFixedValue(add=5).run(value=1, add=0) == {"result": 1}
    assert Double().run(value=-4) == {"value": -8}
    assert Subtract().run(first_value=3, second_value=10) == {"difference": -7}
    assert Sum().run(values=[1, 2, 3]) == {"total": 6}
    assert Sum().run(values=[]) == {"total": 0}


def test_accumulate_keeps_state_across_runs() -> None:
    accumulate = Accumulate()
    assert [accumulate.run(value=v)["value"] for v in (1, 2, 3)] == [1, 3, 6]
    assert accumulate.state == 6
    product = Accumulate(function=lambda state, value: state * 10 + value)
    assert [product.run(value=v)["value"] for v in (1, 2)] == [1, 12]


def test_routers_send_on_one_output_only() -> None:
    assert Parity().run(value=3) == {"odd": 3}
    assert Parity().run(value=4) == {"even": 4}
    assert Parity().run(value=0) == {"even": 0}
    assert Threshold().run(value=9) == {"below": 9}
    assert Threshold().run(value=10) == {"above": 10}
    assert Threshold(threshold=3).run(value=5, threshold=6) == {"below": 5}
    assert Remainder().run(value=7) == {"remainder_is_1": 7}
    assert Remainder(divisor=4).run(value=-1) == {"remainder_is_3": -1}
    assert Repeat(outputs=["x", "y"]).run(value=2) == {"x": 2, "y": 2}


def test_remainder_refuses_zero() -> None:
    with pytest.raises(ValueError, match="Can't divide by zero"):
        Remainder(divisor=0)


def test_text_components() -> None:
    assert Hello().run(word="world") == {"output": "Hello, world!"}
    assert HelloUsingFutureAnnotations().run(word="you") == {"output": "Hello, you!"}
    assert TextSplitter().run(sentence="  a b\tc\n") == {"output": ["a", "b", "c"]}
    assert StringJoiner().run(input_str=["a", "b"]) == {"output": "a b"}
    assert StringListJoiner().run(inputs=[["a"], [], ["b", "c"]]) == {"output": ["a", "b", "c"]}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("a", "b", ["a", "b"]),
        (["a"], ["b", "c"], ["a", "b", "c"]),
        (["a"], "b", ["a", "b"]),
        ("a", ["b"], ["a", "b"]),
        (1, "b", None),
    ],
)
def test_concatenate(first: Any, second: Any, expected: list[str] | None) -> None:
    assert Concatenate().run(first=first, second=second) == {"value": expected}


def test_fstring() -> None:
    fstring = FString(template="{greeting}, {name}!", variables=["greeting", "name"])
    assert fstring.run(greeting="Hi", name="Ann") == {"string": "Hi, Ann!"}
    assert fstring.run(template="{name}?", name="Bo") == {"string": "Bo?"}
    with pytest.raises(ValueError, match="The variable name 'template' is reserved and cannot be used."):
        FString(template="{template}", variables=["template"])


def test_greet_logs_and_passes_the_value_on(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="pipeline.testing.sample_components.greet"):
        assert Greet(message="value is {value}").run(value=5) == {"value": 5}
        assert Greet().run(value=6, message="now {value}", log_level="WARNING") == {"value": 6}
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("INFO", "value is 5"), ("WARNING", "now 6")]


def test_greet_refuses_unknown_log_levels() -> None:
    with pytest.raises(ValueError, match="This log level does not exist: NOPE"):
        Greet(log_level="NOPE")
    with pytest.raises(ValueError, match="This log level does not exist: LOUD"):
        Greet().run(value=1, log_level="LOUD")


def test_accumulate_serializes_its_function_by_import_path() -> None:
    data = Accumulate().to_dict()
    assert data == {
        "type": "pipeline.testing.sample_components.accumulate.Accumulate",
        "init_parameters": {"function": "pipeline.testing.sample_components.accumulate._default_function"},
    }
    restored = Accumulate.from_dict(data)
    assert restored.run(value=2) == {"value": 2} and restored.run(value=3) == {"value": 5}
    assert Accumulate(function=max).to_dict()["init_parameters"] == {"function": "max"}


def test_accumulate_loads_only_functions_from_allowed_modules() -> None:
    data = {"type": "pipeline.testing.sample_components.accumulate.Accumulate", "init_parameters": {}}
    for path in ("os.system", "eval", "builtins.eval"):
        with pytest.raises(DefinitionError, match=rf"'{path}' is not in an allowed module"):
            Accumulate.from_dict({**data, "init_parameters": {"function": path}})
    with pytest.raises(DefinitionError, match=r"Could not find attribute 'nope'"):
        Accumulate.from_dict({**data, "init_parameters": {"function": "pipeline.testing.sample_components.nope"}})
    with pytest.raises(DefinitionError, match="can't be deserialized as 'Accumulate'"):
        Accumulate.from_dict({**data, "type": "somewhere.Else"})
    with pytest.raises(DefinitionError, match="missing 'type'"):
        Accumulate.from_dict({"init_parameters": {}})
    assert Accumulate.from_dict(data).run(value=4) == {"value": 4}


def test_accumulate_loads_functions_from_modules_the_load_allows() -> None:
    pipe = Pipeline()
    pipe.add_component("acc", Accumulate(function=keep_larger))
    text = pipe.dumps()
    assert f"function: {__name__}.keep_larger" in text
    with pytest.raises(DefinitionError, match=rf"'{__name__}.keep_larger' is not in an allowed module"):
        Pipeline.loads(text)
    loaded = Pipeline.loads(text, allowed_modules=["tests"])
    assert loaded.run({"acc": {"value": 3}}) == {"acc": {"value": 3}}
    assert loaded.run({"acc": {"value": -1}}) == {"acc": {"value": 3}}


def test_accumulate_round_trips_through_a_pipeline_yaml() -> None:
    pipe = Pipeline()
    pipe.add_component("acc", Accumulate())
    loaded = Pipeline.loads(pipe.dumps())
    assert loaded.run({"acc": {"value": 3}}) == {"acc": {"value": 3}}


async def test_components_route_and_join_in_a_pipeline() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("parity", Parity())
    pipe.add_component("double", Double())
    pipe.add_component("add", AddFixedValue(add=100))
    pipe.add_component("sum", Sum())
    pipe.connect("parity.even", "double.value")
    pipe.connect("parity.odd", "add.value")
    pipe.connect("double.value", "sum.values")
    pipe.connect("add.result", "sum.values")
    assert await pipe.run_async({"parity": {"value": 4}}) == {"sum": {"total": 8}}
    assert await pipe.run_async({"parity": {"value": 3}}) == {"sum": {"total": 103}}
