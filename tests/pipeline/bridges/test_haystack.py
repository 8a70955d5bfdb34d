"""The Haystack bridge runs haystack-ai pipelines on our engine with the outputs haystack-ai's own run gives."""

from __future__ import annotations

import threading
from typing import Any

import haystack
import pytest
from haystack import AsyncPipeline as HaystackAsyncPipeline
from haystack import Document
from haystack import Pipeline as HaystackPipeline
from haystack.components.joiners import BranchJoiner, DocumentJoiner
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
from haystack.components.routers import ConditionalRouter
from haystack.dataclasses import ChatMessage
from haystack.document_stores.in_memory import InMemoryDocumentStore

from pipeline import AsyncPipeline, Pipeline
from pipeline.bridges.haystack import HaystackComponent, from_haystack, is_haystack_pipeline
from pipeline.core.errors import ComponentError, PipelineMaxComponentRuns, PipelineRuntimeError
from pipeline.core.events import (
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    ComponentWarmedUp,
    RunFailed,
    RunFinished,
    RunStarted,
)
from tests.pipeline.bridges.haystack_toys import (
    AddOne,
    AsyncDouble,
    Collect,
    Echo,
    Fail,
    Greeting,
    Listener,
    Numbers,
    Warm,
)


async def both_async(build: Any, data: dict[str, Any], **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Haystack's `run_async` and ours on two pipelines built alike (each engine gets fresh instances)."""
    theirs = await build(HaystackAsyncPipeline).run_async(data, **kwargs)
    ours = await from_haystack(build(HaystackAsyncPipeline)).run_async(data, **kwargs)
    return theirs, ours


def chain(pipeline_class: type) -> Any:
    pipe = pipeline_class()
    pipe.add_component("first", AddOne())
    pipe.add_component("double", AsyncDouble())
    pipe.add_component("last", AddOne())
    pipe.connect("first.value", "double.value")
    pipe.connect("double", "last")
    return pipe


def store() -> InMemoryDocumentStore:
    documents = InMemoryDocumentStore()
    documents.write_documents(
        [
            Document(content="The Colossus of Rhodes was a bronze statue of Helios.", meta={"wonder": "colossus"}),
            Document(content="The Lighthouse of Alexandria guided ships into the harbour.", meta={"wonder": "pharos"}),
            Document(content="The Great Pyramid of Giza is the oldest wonder.", meta={"wonder": "pyramid"}),
            Document(content="A statue of Zeus sat in the temple at Olympia.", meta={"wonder": "zeus"}),
        ]
    )
    return documents


def fused_retrieval(pipeline_class: type) -> Any:
    documents = store()
    pipe = pipeline_class()
    pipe.add_component("wide", InMemoryBM25Retriever(documents, top_k=3))
    pipe.add_component("narrow", InMemoryBM25Retriever(documents, top_k=2, scale_score=True))
    pipe.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion"))
    pipe.connect("wide", "joiner")
    pipe.connect("narrow", "joiner")
    return pipe


def counting_loop(pipeline_class: type, limit: int = 5, max_runs: int = 100) -> Any:
    pipe = pipeline_class(max_runs_per_component=max_runs)
    pipe.add_component("joiner", BranchJoiner(int))
    pipe.add_component("add", AddOne())
    routes = [
        {"condition": f"{{{{value < {limit}}}}}", "output": "{{value}}", "output_name": "again", "output_type": int},
        {"condition": f"{{{{value >= {limit}}}}}", "output": "{{value}}", "output_name": "done", "output_type": int},
    ]
    pipe.add_component("router", ConditionalRouter(routes))
    pipe.connect("joiner", "add")
    pipe.connect("add", "router")
    pipe.connect("router.again", "joiner")
    return pipe


def joined_lists(pipeline_class: type) -> Any:
    pipe = pipeline_class()
    pipe.add_component("a_small", Numbers(step=1))
    pipe.add_component("b_large", Numbers(step=10))
    pipe.add_component("collect", Collect())
    pipe.connect("a_small.values", "collect.values")
    pipe.connect("b_large.values", "collect.values")
    return pipe


def conversations(pipeline_class: type) -> Any:
    pipe = pipeline_class()
    pipe.add_component("greeting", Greeting())
    pipe.add_component("listener", Listener())
    pipe.add_component("echo", Echo())
    pipe.connect("greeting.text", "listener.messages")  # str -> [ChatMessage]
    pipe.connect("listener.reply", "echo.text")  # ChatMessage -> str
    return pipe


# -- the pipeline and its components ------------------------------------------------------------------------


def test_the_pipeline_keeps_names_connections_sockets_and_settings() -> None:
    source = chain(HaystackAsyncPipeline)
    source.metadata = {"owner": "tests"}
    source._max_runs_per_component = 7
    pipe = from_haystack(source)
    assert type(pipe) is AsyncPipeline
    assert [name for name, _ in pipe.walk()] == ["first", "double", "last"]
    assert list(pipe.connections()) == [("first", "value", "double", "value"), ("double", "value", "last", "value")]
    assert pipe.metadata == {"owner": "tests"}
    assert pipe.max_runs_per_component == 7
    assert pipe.connection_type_validation is True  # Haystack's setting, which our YAML writes back
    double = pipe.get_component("double")
    assert isinstance(double, HaystackComponent)
    assert double.haystack_instance is source.get_component("double")
    assert type(double).__name__ == "AsyncDouble"  # errors, spans and the graph name Haystack's class
    assert pipe.input_sockets_of("first")["value"].type is int
    assert list(pipe.output_sockets_of("double")) == ["value"]


def test_a_sync_haystack_pipeline_becomes_our_sync_pipeline() -> None:
    assert type(from_haystack(chain(HaystackPipeline))) is Pipeline
    assert is_haystack_pipeline(HaystackPipeline()) and is_haystack_pipeline(HaystackAsyncPipeline())
    assert not is_haystack_pipeline(AsyncPipeline()) and not is_haystack_pipeline(HaystackPipeline)


def test_variadic_and_greedy_sockets_map_onto_ours() -> None:
    pipe = from_haystack(fused_retrieval(HaystackAsyncPipeline))
    documents = pipe.input_sockets_of("joiner")["documents"]
    assert documents.is_variadic and not documents.is_greedy and documents.type == list[Document]
    looped = from_haystack(counting_loop(HaystackAsyncPipeline))
    value = looped.input_sockets_of("joiner")["value"]
    assert value.is_greedy and value.type is int
    greeting = from_haystack(conversations(HaystackAsyncPipeline)).input_sockets_of("greeting")
    assert greeting["name"].is_mandatory and greeting["punctuation"].default_value == "!"


def test_only_haystack_components_bridge() -> None:
    with pytest.raises(ComponentError, match="'odd': object is not a haystack-ai component"):
        HaystackComponent(object(), "odd")
    with pytest.raises(TypeError, match="takes a haystack-ai Pipeline"):
        from_haystack(AsyncPipeline())


# -- the same outputs as haystack-ai's run ------------------------------------------------------------------


async def test_linear_chain_matches_haystack() -> None:
    theirs, ours = await both_async(chain, {"first": {"value": 1}})
    assert ours == theirs == {"last": {"value": 5}}


def test_sync_pipeline_run_matches_haystack() -> None:
    theirs = chain(HaystackPipeline).run({"first": {"value": 2}})
    assert from_haystack(chain(HaystackPipeline)).run({"first": {"value": 2}}) == theirs == {"last": {"value": 7}}


async def test_branches_merging_into_a_document_joiner_match_haystack() -> None:
    theirs, ours = await both_async(fused_retrieval, {"query": "statue"})
    assert [d.id for d in ours["joiner"]["documents"]] == [d.id for d in theirs["joiner"]["documents"]]
    assert [d.score for d in ours["joiner"]["documents"]] == [d.score for d in theirs["joiner"]["documents"]]
    assert ours == theirs
    assert all(isinstance(d, Document) for d in ours["joiner"]["documents"])  # Haystack's Document, untouched


async def test_branch_joiner_and_conditional_router_loop_matches_haystack() -> None:
    theirs, ours = await both_async(counting_loop, {"joiner": {"value": 0}}, include_outputs_from={"add"})
    assert ours == theirs == {"router": {"done": 5}, "add": {"value": 5}}


def test_two_senders_join_a_list_socket_as_in_haystack() -> None:
    data = {"a_small": {"start": 1}, "b_large": {"start": 100}}
    theirs = joined_lists(HaystackPipeline).run(data)
    source = joined_lists(HaystackPipeline)
    pipe = from_haystack(source)
    socket = pipe.input_sockets_of("collect")["values"]
    assert socket.is_lazy_variadic and not socket.wrap_input_in_list
    assert pipe.run(data) == theirs == {"collect": {"values": [1, 2, 100, 110], "total": 213}}


def test_a_socket_haystack_already_joined_stays_joined_with_one_sender() -> None:
    source = joined_lists(HaystackPipeline)
    source.remove_component("b_large")  # Haystack leaves the socket lazy variadic
    assert source.get_component("collect").__haystack_input__._sockets_dict["values"].is_lazy_variadic
    pipe = from_haystack(source)
    assert pipe.input_sockets_of("collect")["values"].is_lazy_variadic
    assert pipe.run({"start": 3}) == source.run({"start": 3}) == {"collect": {"values": [3, 4], "total": 7}}


async def test_str_and_chat_message_convert_with_haystacks_classes() -> None:
    theirs, ours = await both_async(conversations, {"greeting": {"name": "Ada"}}, include_outputs_from={"listener"})
    assert ours == theirs
    assert ours["listener"]["kinds"] == ["haystack.dataclasses.chat_message.ChatMessage"]
    assert isinstance(ours["listener"]["reply"], ChatMessage)
    assert ours["echo"] == {"text": "heard: Hello Ada!"}


async def test_flat_and_nested_inputs_match_haystack() -> None:
    flat_theirs, flat_ours = await both_async(conversations, {"name": "Bo", "punctuation": "?"})
    nested_theirs, nested_ours = await both_async(conversations, {"greeting": {"name": "Bo", "punctuation": "?"}})
    expected = {"echo": {"text": "heard: Hello Bo?"}, "listener": {"kinds": [f"{ChatMessage.__module__}.ChatMessage"]}}
    assert flat_ours == flat_theirs == nested_ours == nested_theirs == expected


async def test_include_outputs_from_matches_haystack() -> None:
    theirs, ours = await both_async(chain, {"value": 1}, include_outputs_from={"first", "double"})
    assert ours == theirs == {"first": {"value": 2}, "double": {"value": 4}, "last": {"value": 5}}


# -- how components run ----------------------------------------------------------------------------------------


async def test_async_components_are_awaited_and_sync_ones_go_to_threads() -> None:
    source = chain(HaystackAsyncPipeline)
    pipe = from_haystack(source)
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    finished = {event.component: event for event in events if isinstance(event, ComponentFinished)}
    assert finished["double"].mode == "async" and finished["double"].thread == threading.current_thread().name
    assert finished["first"].mode == "sync" and finished["first"].thread != threading.current_thread().name
    double = source.get_component("double")
    assert (double.async_calls, double.sync_calls) == (1, 0)
    assert hasattr(pipe.get_component("double"), "run_async")
    assert not hasattr(pipe.get_component("first"), "run_async")  # so our engine sends it to a thread


async def test_warm_up_runs_once_off_the_event_loop() -> None:
    source = HaystackAsyncPipeline()
    source.add_component("warm", Warm())
    source.add_component("add", AddOne())
    source.connect("warm", "add")
    pipe = from_haystack(source)
    assert not hasattr(pipe.get_component("add"), "warm_up")  # nothing to warm: no event, no thread hop
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    second = await pipe.run_async({"value": 1})
    warm = source.get_component("warm")
    assert warm.warm_ups == 1
    assert warm.warm_up_threads != [threading.current_thread().name]
    assert [event.component for event in events if isinstance(event, ComponentWarmedUp)] == ["warm"]
    assert second == {"add": {"value": 3}}


async def test_every_event_of_the_stream_is_there_with_visits() -> None:
    pipe = from_haystack(counting_loop(HaystackAsyncPipeline, limit=3))
    async with pipe.events({"joiner": {"value": 0}}) as run:
        events = [event async for event in run]
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert events[-1].outputs == {"router": {"done": 3}}
    started = [(e.component, e.visit) for e in events if isinstance(e, ComponentStarted)]
    finished = [(e.component, e.visit) for e in events if isinstance(e, ComponentFinished)]
    expected = [(name, visit) for visit in (1, 2, 3) for name in ("joiner", "add", "router")]
    assert started == finished == expected
    add_outputs = [e.outputs for e in events if isinstance(e, ComponentFinished) and e.component == "add"]
    assert add_outputs == [{"value": 1}, {"value": 2}, {"value": 3}]


async def test_max_runs_exceeded_fails_as_in_haystack() -> None:
    with pytest.raises(haystack.core.errors.PipelineMaxComponentRuns, match="Maximum run count 2 reached"):
        await counting_loop(HaystackAsyncPipeline, limit=10, max_runs=2).run_async({"joiner": {"value": 0}})
    pipe = from_haystack(counting_loop(HaystackAsyncPipeline, limit=10, max_runs=2))
    with pytest.raises(PipelineMaxComponentRuns, match="Maximum run count 2 reached for component 'joiner'"):
        await pipe.run_async({"joiner": {"value": 0}})


async def test_a_failing_component_is_named_with_its_haystack_type() -> None:
    source = HaystackAsyncPipeline()
    source.add_component("add", AddOne())
    source.add_component("broken", Fail())
    source.connect("add", "broken")
    with pytest.raises(haystack.core.errors.PipelineRuntimeError) as theirs:
        await source.run_async({"value": 1})
    pipe = from_haystack(source)
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    failed = [event for event in events if isinstance(event, ComponentFailed)]
    assert [event.component for event in failed] == ["broken"]
    assert isinstance(events[-1], RunFailed)
    error = events[-1].error
    assert isinstance(error, PipelineRuntimeError)
    assert "Component 'broken' (tests.pipeline.bridges.haystack_toys.Fail) failed in run" in str(error)
    assert "cannot take 2" in str(error) and "cannot take 2" in str(theirs.value)
    assert error.component_name == theirs.value.component_name == "broken"
