"""component_class: classes of a given shape made on the fly, with Haystack's defaults."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline import AsyncPipeline, ComponentError, PipelineRuntimeError, component
from pipeline.core.component import input_sockets, is_component, output_sockets
from pipeline.testing.factory import component_class


def sockets(instance: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {name: s.type for name, s in input_sockets(instance).items()},
        {name: s.type for name, s in output_sockets(instance).items()},
    )


def test_defaults_one_any_input_and_a_none_output() -> None:
    cls = component_class("MyFakeComponent")
    instance = cls()
    assert cls.__name__ == "MyFakeComponent" and is_component(instance)
    assert sockets(instance) == ({"value": Any}, {"value": type(None)})
    assert input_sockets(instance)["value"].is_mandatory
    assert instance.run(value=1) == {"value": None}


def test_output_types_come_from_the_output() -> None:
    instance = component_class("C", input_types={"value": int}, output={"value": 10, "names": ["a"]})()
    assert sockets(instance) == ({"value": int}, {"value": int, "names": list})
    assert instance.run(value=1) == {"value": 10, "names": ["a"]}


def test_declared_output_types_without_output_return_nones() -> None:
    instance = component_class("C", input_types={"a": int, "b": str}, output_types={"x": int, "y": str})()
    assert sockets(instance) == ({"a": int, "b": str}, {"x": int, "y": str})
    assert instance.run(a=1, b="") == {"x": None, "y": None}


def test_bases_and_extra_fields() -> None:
    class Base:
        marker = "base"

    def run(self: Any, **kwargs: Any) -> dict[str, int]:
        return {"value": kwargs["value"] + self.offset}

    cls = component_class("C", output_types={"value": int}, bases=(Base,), extra_fields={"offset": 10, "run": run})
    instance = cls()
    assert isinstance(instance, Base) and instance.marker == "base"
    assert instance.run(value=1) == {"value": 11}


def test_a_custom_init_can_declare_defaults() -> None:
    def init(self: Any) -> None:
        component.set_input_type(self, "x", int)
        component.set_input_type(self, "y", int, 1)
        component.set_output_types(self, a=int)

    instance = component_class("C", output={"a": 1}, extra_fields={"__init__": init})()
    assert input_sockets(instance)["y"].default_value == 1
    assert input_sockets(instance)["x"].is_mandatory
    assert list(output_sockets(instance)) == ["a"]


def test_inputs_need_a_run_that_takes_kwargs() -> None:
    def run(self: Any, value: int) -> dict[str, int]:
        return {"value": value}

    with pytest.raises(ComponentError, match=r"'C\.run' must accept \*\*kwargs to declare the input socket 'value'"):
        component_class("C", extra_fields={"run": run})()


def test_set_output_types_conflicts_with_declared_ones() -> None:
    @component.output_types(value=int)
    def run(self: Any, **kwargs: Any) -> dict[str, int]:
        return {"value": 1}

    cls = component_class("C", extra_fields={"run": run})
    with pytest.raises(ComponentError, match="cannot also set them at init time"):
        cls()


def test_serializes_with_default_to_dict() -> None:
    cls = component_class("MyFake")
    data = cls().to_dict()
    assert data == {"type": "pipeline.testing.factory.MyFake", "init_parameters": {}}
    assert isinstance(cls.from_dict(data), cls)


async def test_runs_in_a_pipeline_and_a_malformed_output_fails_the_run() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("source", component_class("Source", input_types={"a": int}, output={"b": 2})())
    pipe.add_component("sink", component_class("Sink", input_types={"b": int}, output={"done": True})())
    pipe.connect("source.b", "sink.b")
    assert await pipe.run_async({"source": {"a": 1}}) == {"sink": {"done": True}}

    broken = AsyncPipeline()
    broken.add_component(
        "broken", component_class("Broken", input_types={"a": int}, output_types={"b": int}, output=1)()
    )  # type: ignore[arg-type]
    with pytest.raises(PipelineRuntimeError, match="'broken'"):
        await broken.run_async({"broken": {"a": 1}})
