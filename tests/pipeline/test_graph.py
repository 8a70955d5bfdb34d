"""Building the graph: add_component, connect (with inferred sockets and type checks), descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline import AsyncPipeline, ComponentError, Pipeline, PipelineConnectError, component
from tests.pipeline.toy_components import AddOne, Collect, Greeter, Sum


@component
class Texts:
    @component.output_types(texts=list[str], count=int)
    def run(self, query: str) -> dict[str, Any]:
        return {"texts": [query], "count": 1}


@component
class TakesTexts:
    @component.output_types(out=str)
    def run(self, texts: list[str], limit: int | None = None) -> dict[str, str]:
        return {"out": ""}


def test_connect_infers_sockets_when_unambiguous() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.connect("a", "b")
    assert list(pipe.connections()) == [("a", "value", "b", "value")]


def test_connect_infers_by_type_among_several_sockets() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("texts", Texts())
    pipe.add_component("take", TakesTexts())
    # texts -> texts and count -> limit (int into int | None) both fit; the pair with matching names wins.
    pipe.connect("texts", "take")
    assert list(pipe.connections()) == [("texts", "texts", "take", "texts")]


def test_ambiguous_connection_lists_the_options() -> None:
    @component
    class TwoInts:
        @component.output_types(x=int, y=int)
        def run(self) -> dict[str, int]:
            return {"x": 1, "y": 2}

    pipe = AsyncPipeline()
    pipe.add_component("two", TwoInts())
    pipe.add_component("add", AddOne())
    with pytest.raises(PipelineConnectError, match=r"ambiguous.*two\.x -> add\.value.*two\.y -> add\.value"):
        pipe.connect("two", "add")


def test_type_mismatch_names_both_sockets_and_types() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("greeter", Greeter())
    pipe.add_component("add", AddOne())
    with pytest.raises(PipelineConnectError) as info:
        pipe.connect("greeter.text", "add.value")
    message = str(info.value)
    assert "greeter.text" in message and "add.value" in message
    assert "text: str" in message and "value: int" in message


def test_unknown_component_and_socket() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    with pytest.raises(PipelineConnectError, match="no component named 'nope'"):
        pipe.connect("a", "nope")
    pipe.add_component("b", AddOne())
    with pytest.raises(PipelineConnectError, match=r"'b' has no input socket 'missing'\. Available: value: int"):
        pipe.connect("a.value", "b.missing")


def test_non_variadic_socket_takes_one_sender_only() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, AddOne())
    pipe.connect("a", "c")
    with pytest.raises(PipelineConnectError, match="cannot accept multiple inputs to 'value'. It is already connected"):
        pipe.connect("b.value", "c.value")


def test_variadic_socket_takes_many_senders_and_stays_an_input() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.add_component("sum", Sum())
    pipe.connect("a", "sum")
    pipe.connect("b", "sum")
    assert pipe.senders("sum", "values") == ["a.value", "b.value"]
    assert "values" in pipe.inputs()["sum"]


def test_add_component_errors() -> None:
    pipe = Pipeline()
    pipe.add_component("a", AddOne())
    with pytest.raises(ValueError, match="already exists"):
        pipe.add_component("a", AddOne())
    with pytest.raises(ValueError, match="contains '.'"):
        pipe.add_component("a.b", AddOne())
    with pytest.raises(ComponentError, match="not a component"):
        pipe.add_component("x", object())
    with pytest.raises(ComponentError, match="not the class itself"):
        pipe.add_component("y", AddOne)
    instance = AddOne()
    pipe.add_component("z", instance)
    with pytest.raises(ComponentError, match="already in the pipeline as 'z'"):
        pipe.add_component("w", instance)


def test_inputs_and_outputs_describe_open_sockets() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("greeter", Greeter())
    pipe.add_component("collect", Collect())
    pipe.connect("greeter.text", "collect.items")
    inputs = pipe.inputs()
    assert inputs["greeter"]["name"] == {"type": str, "is_mandatory": True, "is_variadic": False, "default_value": None}
    assert inputs["greeter"]["greeting"]["default_value"] == "Hello"
    assert pipe.outputs() == {"collect": {"items": {"type": list}}}
    assert "greeter" in pipe.outputs(include_components_with_connected_outputs=True)


def test_walk_and_get_component() -> None:
    pipe = AsyncPipeline()
    first, second = AddOne(), AddOne()
    pipe.add_component("first", first)
    pipe.add_component("second", second)
    assert list(pipe.walk()) == [("first", first), ("second", second)]
    assert pipe.get_component("second") is second
    with pytest.raises(ValueError, match="No component named 'third'"):
        pipe.get_component("third")


def test_mermaid_and_show_work_offline(capsys: pytest.CaptureFixture[str]) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.connect("a", "b")
    mermaid = pipe.to_mermaid()
    assert mermaid.startswith("flowchart TD")
    assert '-->|"value → value<br/>int"|' in mermaid
    assert "pipeline_input" in mermaid and "pipeline_output" in mermaid
    pipe.show()
    shown = capsys.readouterr().out
    assert "layer 0" in shown and "value → b.value" in shown and "layer 1" in shown


def test_layers_collapse_loops() -> None:
    from tests.pipeline.toy_components import CountDown, LoopEntry

    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.add_component("after", AddOne())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    pipe.connect("countdown.done", "after.value")
    assert pipe.layers() == [["entry", "countdown"], ["after"]]


def test_connections_keep_the_order_they_were_made() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c", "d"):
        pipe.add_component(name, AddOne())
    pipe.add_component("sum", Sum())
    pipe.connect("c", "d")
    pipe.connect("a", "b")
    pipe.connect("d", "sum")
    pipe.connect("b", "sum")
    assert [(s, r) for s, _, r, _ in pipe.connections()] == [("c", "d"), ("a", "b"), ("d", "sum"), ("b", "sum")]
    assert pipe.senders("sum", "values") == ["d.value", "b.value"]
    restored = AsyncPipeline.from_dict(pipe.to_dict(), allowed_modules=["tests"])
    assert list(restored.connections()) == list(pipe.connections())
