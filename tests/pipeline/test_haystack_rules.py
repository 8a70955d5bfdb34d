"""Engine rules that Haystack 2.31 pipelines rely on, one test each (the conformance suite covers them in context)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline import (
    AsyncPipeline,
    Pipeline,
    PipelineComponentsBlockedError,
    PipelineConnectError,
    PipelineRuntimeError,
    Variadic,
    component,
)
from pipeline.core.events import ComponentFinished, ComponentStarted
from pipeline.dataclasses import ChatMessage, Document


@component
class Docs:
    def __init__(self, *contents: str) -> None:
        self.contents = contents

    @component.output_types(documents=list[Document])
    def run(self) -> dict[str, Any]:
        return {"documents": [Document(content=text) for text in self.contents]}


@component
class TakeDocs:
    @component.output_types(contents=list[str])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        return {"contents": [doc.content for doc in documents]}


@component
class Text:
    @component.output_types(text=str, texts=list[str])
    def run(self, text: str) -> dict[str, Any]:
        return {"text": text, "texts": [text, text]}


@component
class Message:
    @component.output_types(message=ChatMessage, messages=list[ChatMessage])
    def run(self, message: ChatMessage) -> dict[str, Any]:
        return {"message": message, "messages": [message]}


@component
class WithVariadicDefault:
    @component.output_types(values=list[str])
    def run(self, values: Variadic[str] = "fallback") -> dict[str, Any]:  # type: ignore[assignment]
        return {"values": list(values)}


@component
class Nothing:
    @component.output_types(unused=int)
    def run(self, value: int) -> dict[str, Any]:
        return {}


@component
class NeedsBoth:
    @component.output_types(total=int)
    def run(self, left: int, right: int) -> dict[str, Any]:
        return {"total": left + right}


@component
class MaybeRight:
    @component.output_types(right=int)
    def run(self, value: int) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize("pipeline_class", [Pipeline, AsyncPipeline])
def test_a_list_socket_fed_by_two_senders_joins_their_lists(pipeline_class: type) -> None:
    pipe = pipeline_class()
    pipe.add_component("first", Docs("a", "b"))
    pipe.add_component("second", Docs("c"))
    pipe.add_component("take", TakeDocs())
    pipe.connect("first.documents", "take.documents")
    pipe.connect("second.documents", "take.documents")
    assert pipe.graph.nodes["take"]["input_sockets"]["documents"].is_lazy_variadic
    assert sorted(pipe.run({})["take"]["contents"]) == ["a", "b", "c"]


def test_a_connected_list_socket_also_takes_the_callers_list() -> None:
    pipe = Pipeline()
    pipe.add_component("first", Docs("a"))
    pipe.add_component("take", TakeDocs())
    pipe.connect("first.documents", "take.documents")
    result = pipe.run({"take": {"documents": [Document(content="mine")]}})
    assert result["take"]["contents"] == ["mine", "a"]


def test_a_second_sender_on_a_non_list_socket_is_refused_as_in_haystack() -> None:
    pipe = Pipeline()
    pipe.add_component("a", Text())
    pipe.add_component("b", Text())
    pipe.add_component("c", Text())
    pipe.connect("a.text", "c.text")
    with pytest.raises(PipelineConnectError) as info:
        pipe.connect("b.text", "c.text")
    assert str(info.value) == (
        "Component 'c' cannot accept multiple inputs to 'text'. It is already connected to component 'a', and it "
        "can only accept inputs from multiple senders if its type is list, Optional[list], or union of list types."
    )


def test_a_variadic_default_is_wrapped_in_a_list() -> None:
    pipe = Pipeline()
    pipe.add_component("joined", WithVariadicDefault())
    assert pipe.run({}) == {"joined": {"values": ["fallback"]}}


@pytest.mark.parametrize(
    ("sender", "receiver", "given", "expected"),
    [
        ("text.text", "message.message", "hi", ChatMessage.from_user("hi")),
        ("text.texts", "message.message", "hi", None),  # two items cannot unwrap: a clear runtime error
        ("message.message", "text.text", ChatMessage.from_user("hi"), "hi"),
        ("message.messages", "text.text", ChatMessage.from_user("hi"), "hi"),
    ],
)
def test_str_and_chat_message_convert_on_connections(sender: str, receiver: str, given: Any, expected: Any) -> None:
    pipe = Pipeline()
    first, second = sender.split(".")[0], receiver.split(".")[0]
    pipe.add_component(first, Text() if first == "text" else Message())
    pipe.add_component(second, Text() if second == "text" else Message())
    pipe.connect(sender, receiver)
    data = {first: {"text" if first == "text" else "message": given}}
    if expected is None:
        with pytest.raises(PipelineRuntimeError, match="Failed to perform conversion between components") as info:
            pipe.run(data)
        assert "Cannot unwrap a list of 2 items to a single value" in str(info.value)
        return
    result = pipe.run(data, include_outputs_from={second})
    socket = "text" if second == "text" else "message"
    assert result[second][socket] == expected


def test_exact_matches_win_over_conversions() -> None:
    pipe = Pipeline()
    pipe.add_component("text", Text())
    pipe.add_component("other", Text())
    pipe.connect("text", "other.text")  # text.text (exact) rather than text.texts (unwrap)
    assert list(pipe.connections()) == [("text", "text", "other", "text")]


def test_nothing_can_start_raises_haystacks_blocked_error_naming_the_sockets() -> None:
    pipe = Pipeline()
    pipe.add_component("a", NeedsBoth())
    pipe.add_component("b", NeedsBoth())
    pipe.connect("a.total", "b.left")
    pipe.connect("b.total", "a.left")
    with pytest.raises(PipelineComponentsBlockedError) as info:
        pipe.run({"a": {"right": 1}, "b": {"right": 1}})
    assert type(info.value).__name__ == "PipelineComponentsBlockedError"
    assert "'a' waits for left (from b.total)" in str(info.value)


def test_components_blocked_on_inputs_that_never_come_warn_and_the_run_returns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("maybe", MaybeRight())
    pipe.add_component("sum", NeedsBoth())
    pipe.connect("maybe.right", "sum.right")
    assert pipe.run({"maybe": {"value": 1}, "sum": {"left": 1}}) == {}
    assert "'sum' waits for right (from maybe.right)" in caplog.text


def test_include_outputs_from_keeps_empty_outputs() -> None:
    pipe = Pipeline()
    pipe.add_component("nothing", Nothing())
    assert pipe.run({"value": 1}) == {}
    assert pipe.run({"value": 1}, include_outputs_from={"nothing"}) == {"nothing": {}}


async def test_visit_numbers_count_visits_as_haystack_does() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("text", Text())
    async with pipe.events({"text": "x"}) as run:
        events = [event async for event in run]
    started = [e for e in events if isinstance(e, ComponentStarted)]
    finished = [e for e in events if isinstance(e, ComponentFinished)]
    assert [e.visit for e in started] == [e.visit for e in finished] == [1]
