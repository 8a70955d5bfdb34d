"""Rebuilding a recording's pipeline: ours as before, a Haystack one through the bridge, or drawn from
placeholders (sockets from the definition and the recorded events) where haystack-ai is missing."""

from __future__ import annotations

import pytest
import yaml

from pipeline import DefinitionError
from pipeline.bridges.haystack import HaystackComponent
from pipeline.core.events import ComponentFinished, ComponentStarted
from pipeline.runs import rebuild
from pipeline.runs.rebuild import (
    AsyncPlaceholder,
    Placeholder,
    has_placeholders,
    placeholder_pipeline,
    rebuild_pipeline,
)
from tests.tui.haystack import rag
from tui.layout import GraphModel


def test_a_haystack_definition_is_rebuilt_through_the_bridge() -> None:
    pipe = rebuild_pipeline(rag.build_pipeline().dumps(), source="run.jsonl", allowed_modules=["tests.tui.haystack"])
    assert isinstance(pipe.get_component("joiner"), HaystackComponent) and not has_placeholders(pipe)


def test_without_haystack_it_is_refused_or_drawn_from_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rebuild, "haystack_installed", lambda: False)
    definition = rag.build_pipeline().dumps()
    with pytest.raises(DefinitionError) as error:
        rebuild_pipeline(definition, source="run.jsonl")
    assert str(error.value) == (
        "run.jsonl: the run was recorded from a haystack-ai pipeline, and haystack-ai is not installed: "
        "pip install 'pipedebug[haystack]'"
    )
    started = {"run_id": "r", "time": 1.0, "visit_id": 1, "component": "bm25", "visit": 1}
    events = [
        ComponentStarted(**started, inputs={"query": "q", "top_k": 2}, mode="async"),
        ComponentFinished(
            **{**started, "component": "answer"},
            outputs={"answers": []},
            started_at=1.0,
            finished_at=2.0,
            mode="sync",
            thread="t",
        ),
    ]
    pipe = rebuild_pipeline(definition, source="run.jsonl", placeholders=True, events=events)
    assert has_placeholders(pipe)
    model = GraphModel.from_pipeline(pipe)
    nodes = {node.name: node for node in model.nodes}
    assert nodes["joiner"].type_name == "DocumentJoiner" and nodes["bm25"].mode == "async"
    assert nodes["answer"].outputs == ("answers",)  # known from the recorded outputs alone
    assert {(e.sender, e.receiver) for e in model.edges} == {
        ("bm25", "joiner"),
        ("keywords", "joiner"),
        ("joiner", "prompt"),
        ("prompt", "llm"),
        ("llm", "answer"),
        ("joiner", "answer"),
    }
    assert set(pipe.inputs(include_components_with_connected_inputs=True)["bm25"]) == {"query", "top_k"}
    assert pipe.metadata == {"example_inputs": [{"query": "Where were the gardens of Babylon?"}]}
    # written back as it was read: Haystack's types and init parameters
    again = yaml.safe_load(pipe.dumps())["components"]
    assert again == yaml.safe_load(definition)["components"]


def test_a_placeholder_refuses_to_run() -> None:
    pipe = placeholder_pipeline({"components": {"a": {"type": "haystack.x.Thing"}}, "connections": []})
    placeholder = pipe.get_component("a")
    assert isinstance(placeholder, Placeholder) and not isinstance(placeholder, AsyncPlaceholder)
    with pytest.raises(RuntimeError, match=r"^haystack.x.Thing cannot run here: haystack-ai is not installed"):
        placeholder.run()


def test_our_definitions_load_as_before() -> None:
    with pytest.raises(DefinitionError, match="not in an allowed module"):
        rebuild_pipeline("components:\n  a:\n    type: os.System\n", source="run.jsonl", placeholders=True)
