"""The seed notebook's hybrid RAG in haystack-ai: pipedebug's run of it must equal haystack-ai's own.

Every component's outputs recorded by pipedebug (read back from the run file) are compared with those of
haystack-ai's `AsyncPipeline.run_async(include_outputs_from=every component)` on the same inputs: document ids,
scores, contents and embeddings, the prompt's messages, the reply with its meta. Both with `OpenAIChatGenerator`
talking to a local OpenAI-compatible server and with the offline answerer; for the sample built in Python and for
Haystack's YAML of it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("haystack", reason="the haystack extra is not installed")

from haystack import AsyncPipeline as HaystackAsyncPipeline
from haystack.components.generators.chat import OpenAIChatGenerator
from haystack.document_stores.in_memory import InMemoryDocumentStore

from pipeline.bridges.haystack import from_haystack, is_haystack_definition, load_haystack_yaml
from pipeline.core.errors import DefinitionError
from pipeline.core.events import ComponentFinished, RunFinished
from pipeline.core.pipeline import PipelineBase
from pipeline.runs.recording import RunRecorder, read_run
from sample_pipelines import haystack_rag_parts
from sample_pipelines.haystack_rag import EXAMPLE_INPUTS, TEMPLATE, build_pipeline
from sample_pipelines.haystack_rag_parts import INDEX, ExtractiveAnswerer, fill_store, model_path
from sample_pipelines.hybrid_rag import EXAMPLE_QUESTIONS
from tests.fakes.openai_server import FakeOpenAIServer

REPO = Path(__file__).resolve().parents[2]
COMPONENTS = ["text_embedder", "embedding_retriever", "bm25_retriever", "joiner", "prompt_builder", "llm"]
WONDER_OF_QUESTION = {
    EXAMPLE_QUESTIONS[0]: "Hanging_Gardens_of_Babylon",
    EXAMPLE_QUESTIONS[1]: "Great_Pyramid_of_Giza",
    EXAMPLE_QUESTIONS[2]: "Colossus_of_Rhodes",
}
API_KEY = "sk-haystack-rag-test-key"


@pytest.fixture(autouse=True)
def no_llm_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint unless a test sets one. Set, then deleted: monkeypatch then remembers each variable's state and
    restores it, undoing the default key the sample writes (a bare delenv of an unset variable records nothing)."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PIPEDEBUG_OPENAI_MODEL"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


@pytest.fixture
def llm_endpoint(openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("PIPEDEBUG_OPENAI_MODEL", "gpt-4o-mini-test")
    return openai_server


def comparable(value: Any) -> Any:
    """A value as plain data, Haystack dataclasses through their own `to_dict`, so `==` compares every field."""
    if hasattr(value, "to_dict") and not isinstance(value, type):
        return {"class": type(value).__name__, "data": comparable(value.to_dict())}
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [comparable(item) for item in value]
    return value


async def haystack_outputs(pipe: HaystackAsyncPipeline, inputs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """haystack-ai's own run, reporting every output of every component."""
    return await pipe.run_async(inputs, include_outputs_from=set(COMPONENTS))


async def recorded_outputs(pipe: PipelineBase, inputs: dict[str, Any], path: Path) -> dict[str, dict[str, Any]]:
    """Run on pipedebug's engine through a `RunRecorder`, then read each component's outputs back from the file."""
    async with RunRecorder(pipe.events(inputs), path, pipeline=pipe, inputs=inputs) as run:
        async for _ in run:
            pass
    recorded = read_run(path)
    assert recorded.status == "finished" and not recorded.problems, (recorded.status, recorded.problems)
    assert isinstance(recorded.events[-1], RunFinished)
    finished = [event for event in recorded.events if isinstance(event, ComponentFinished)]
    assert sorted(event.component for event in finished) == sorted(COMPONENTS)  # each ran exactly once
    return {event.component: event.outputs for event in finished}


def assert_same_outputs(ours: dict[str, dict[str, Any]], theirs: dict[str, dict[str, Any]]) -> None:
    """The readable checks first (ids and scores, prompt text, reply), then every field of every output."""
    assert set(ours) == set(theirs) == set(COMPONENTS)
    for name in ("embedding_retriever", "bm25_retriever", "joiner"):
        assert [(d.id, d.score) for d in ours[name]["documents"]] == [
            (d.id, d.score) for d in theirs[name]["documents"]
        ], name
    assert [(m.role, m.text) for m in ours["prompt_builder"]["prompt"]] == [
        (m.role, m.text) for m in theirs["prompt_builder"]["prompt"]
    ]
    assert [(m.text, m.meta) for m in ours["llm"]["replies"]] == [(m.text, m.meta) for m in theirs["llm"]["replies"]]
    for name in COMPONENTS:
        assert comparable(ours[name]) == comparable(theirs[name]), name


def assert_retrieves_the_asked_wonder(outputs: dict[str, dict[str, Any]], question: str) -> None:
    """Guards against comparing two equally empty runs: the answer must come from the right passages."""
    fused = [document.meta["url"].rsplit("/", 1)[1] for document in outputs["joiner"]["documents"][:3]]
    assert fused == [WONDER_OF_QUESTION[question]] * 3, (question, fused)
    assert question in outputs["prompt_builder"]["prompt"][0].text


# --- the sample itself, on haystack-ai alone ---------------------------------------------------------------------


def test_the_sample_is_the_notebooks_graph() -> None:
    pipe = build_pipeline()
    assert isinstance(pipe, HaystackAsyncPipeline)
    assert list(pipe.graph.nodes) == COMPONENTS
    assert sorted((sender, receiver, data["conn_type"]) for sender, receiver, data in pipe.graph.edges(data=True)) == [
        ("bm25_retriever", "joiner", "list[Document]"),
        ("embedding_retriever", "joiner", "list[Document]"),
        ("joiner", "prompt_builder", "list[Document]"),
        ("prompt_builder", "llm", "list[ChatMessage]"),
        ("text_embedder", "embedding_retriever", "list[float]"),
    ]
    assert [
        (sender, data["from_socket"].name, receiver, data["to_socket"].name)
        for sender, receiver, data in pipe.graph.edges(data=True)
    ] == [
        ("text_embedder", "embedding", "embedding_retriever", "query_embedding"),
        ("embedding_retriever", "documents", "joiner", "documents"),
        ("bm25_retriever", "documents", "joiner", "documents"),
        ("joiner", "documents", "prompt_builder", "documents"),
        ("prompt_builder", "prompt", "llm", "messages"),
    ]
    assert pipe.get_component("joiner").join_mode.value == "reciprocal_rank_fusion"
    assert pipe.get_component("prompt_builder").template[0].text == TEMPLATE
    assert pipe.get_component("text_embedder").model == model_path()
    assert isinstance(pipe.get_component("llm"), ExtractiveAnswerer)
    assert pipe.metadata["example_inputs"] == EXAMPLE_INPUTS
    assert EXAMPLE_INPUTS[0] == {
        "text_embedder": {"text": "Where is Gardens of Babylon?"},
        "bm25_retriever": {"query": "Where is Gardens of Babylon?"},
        "prompt_builder": {"question": "Where is Gardens of Babylon?"},
    }


def test_the_store_holds_the_corpus_with_embeddings_and_content_ids() -> None:
    build_pipeline()
    store = InMemoryDocumentStore(index=INDEX)  # same index: Haystack shares the documents
    documents = store.filter_documents()
    corpus = haystack_rag_parts.load_documents()
    assert len(documents) == len(corpus) >= 120
    assert sorted(document.id for document in documents) == sorted(document.id for document in corpus)
    assert all(len(document.embedding or []) == 384 for document in documents)


def test_a_second_store_reads_the_embeddings_from_the_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    build_pipeline()  # embeds (or finds) the corpus once for this session's cache directory
    filled = {document.id: document.embedding for document in InMemoryDocumentStore(index=INDEX).filter_documents()}

    class NoEmbedding:
        def __init__(self, **_: Any) -> None:
            raise AssertionError("the corpus was embedded again instead of read from the cache")

    monkeypatch.setattr(haystack_rag_parts, "SentenceTransformersDocumentEmbedder", NoEmbedding)
    fresh = InMemoryDocumentStore(index=f"haystack-rag-test-{uuid.uuid4()}")
    assert fill_store(fresh, model_path()) == len(filled)
    assert {document.id: document.embedding for document in fresh.filter_documents()} == filled


async def test_haystack_answers_the_notebooks_questions_offline() -> None:
    pipe = build_pipeline()
    for question, inputs in zip(EXAMPLE_QUESTIONS, EXAMPLE_INPUTS, strict=True):
        outputs = await haystack_outputs(pipe, inputs)
        assert_retrieves_the_asked_wonder(outputs, question)
        (reply,) = outputs["llm"]["replies"]
        assert reply.meta["offline"] is True and reply.meta["mode"] == "extractive"
        assert reply.meta["question"] == question
        assert reply.text == " ".join(source["sentence"] for source in reply.meta["sources"])
        prompt_text = outputs["prompt_builder"]["prompt"][0].text
        assert all(source["sentence"] in prompt_text for source in reply.meta["sources"])


async def test_an_endpoint_selects_openai_and_haystack_calls_the_local_server(llm_endpoint: FakeOpenAIServer) -> None:
    llm_endpoint.reply_text = "The gardens were in Babylon."
    pipe = build_pipeline()
    generator = pipe.get_component("llm")
    assert isinstance(generator, OpenAIChatGenerator) and generator.model == "gpt-4o-mini-test"
    outputs = await haystack_outputs(pipe, EXAMPLE_INPUTS[0])
    assert outputs["llm"]["replies"][0].text == "The gardens were in Babylon."
    (request,) = llm_endpoint.chat_requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.body["model"] == "gpt-4o-mini-test"
    assert request.body["messages"][0]["content"] == outputs["prompt_builder"]["prompt"][0].text


def test_a_base_url_alone_is_enough(openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A local server needs no key; the sample gives Haystack's generator a placeholder for this process."""
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    generator = build_pipeline().get_component("llm")
    assert isinstance(generator, OpenAIChatGenerator)
    assert os.environ["OPENAI_API_KEY"] == "local"


# --- pipedebug's run of it equals haystack-ai's ------------------------------------------------------------------


async def test_pipedebug_records_what_haystack_computes_with_openai(
    llm_endpoint: FakeOpenAIServer, tmp_path: Path
) -> None:
    """Same Haystack component instances, run by haystack-ai and then by pipedebug, for each notebook question."""
    pipe = build_pipeline()
    bridged = from_haystack(pipe)
    for index, (question, inputs) in enumerate(zip(EXAMPLE_QUESTIONS, EXAMPLE_INPUTS, strict=True)):
        theirs = await haystack_outputs(pipe, inputs)
        ours = await recorded_outputs(bridged, inputs, tmp_path / f"run{index}.jsonl")
        assert_retrieves_the_asked_wonder(theirs, question)
        assert_same_outputs(ours, theirs)
        assert ours["llm"]["replies"][0].meta["usage"]["prompt_tokens"] > 500  # the whole prompt reached the server
    requests = llm_endpoint.chat_requests
    assert len(requests) == 6
    assert [r.body for r in requests[0::2]] == [r.body for r in requests[1::2]]  # byte for byte the same calls


async def test_pipedebug_records_what_haystack_computes_offline(tmp_path: Path) -> None:
    pipe = build_pipeline()
    theirs = await haystack_outputs(pipe, EXAMPLE_INPUTS[2])
    ours = await recorded_outputs(from_haystack(pipe), EXAMPLE_INPUTS[2], tmp_path / "run.jsonl")
    assert_retrieves_the_asked_wonder(ours, EXAMPLE_QUESTIONS[2])
    assert_same_outputs(ours, theirs)
    assert ours["llm"]["replies"][0].meta["offline"] is True


async def test_the_recording_holds_haystacks_yaml_of_the_sample(tmp_path: Path) -> None:
    pipe = build_pipeline()
    path = tmp_path / "run.jsonl"
    await recorded_outputs(from_haystack(pipe), EXAMPLE_INPUTS[0], path)
    definition = read_run(path).header.pipeline
    assert definition is not None
    assert yaml.safe_load(definition) == yaml.safe_load(pipe.dumps())
    assert is_haystack_definition(yaml.safe_load(definition))


@pytest.mark.parametrize("endpoint", [False, True], ids=["offline", "openai"])
async def test_a_haystack_yaml_of_the_sample_runs_the_same_on_both(
    endpoint: bool, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Haystack's `dumps()` of the sample, loaded by haystack-ai and by pipedebug's loader, then run on both."""
    if endpoint:
        request.getfixturevalue("llm_endpoint")
    path = tmp_path / "haystack_rag.yaml"
    path.write_text(build_pipeline().dumps(), encoding="utf-8")  # the store's index is filled in this process
    theirs_pipe = HaystackAsyncPipeline.loads(path.read_text(encoding="utf-8"))
    ours_pipe = load_haystack_yaml(path, source=str(path))
    assert sorted(name for name, _ in ours_pipe.walk()) == sorted(COMPONENTS)
    theirs = await haystack_outputs(theirs_pipe, EXAMPLE_INPUTS[1])
    ours = await recorded_outputs(ours_pipe, EXAMPLE_INPUTS[1], tmp_path / "run.jsonl")
    assert_retrieves_the_asked_wonder(ours, EXAMPLE_QUESTIONS[1])
    assert_same_outputs(ours, theirs)
    assert isinstance(
        ours_pipe.get_component("llm").haystack_instance, OpenAIChatGenerator if endpoint else ExtractiveAnswerer
    )


def test_the_yaml_allows_the_embedders_integration_openly(tmp_path: Path) -> None:
    """`haystack_integrations` is not allowed by default: the sample's metadata lists it, and without it the
    loader refuses, naming the component's type key."""
    definition = yaml.safe_load(build_pipeline().dumps())
    assert definition["metadata"]["allowed_modules"] == ["haystack_integrations"]
    del definition["metadata"]["allowed_modules"]
    path = tmp_path / "no_allow.yaml"
    path.write_text(yaml.safe_dump(definition), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"components\.text_embedder\.type: 'haystack_integrations\.") as error:
        load_haystack_yaml(path, source=str(path))
    assert "is not in an allowed module" in str(error.value)
    allowed = load_haystack_yaml(path, source=str(path), allowed_modules=["haystack_integrations"])
    assert sorted(name for name, _ in allowed.walk()) == sorted(COMPONENTS)


def test_pipedebug_run_prints_the_offline_reply(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env |= {"HF_HUB_OFFLINE": "1", "HAYSTACK_TELEMETRY_ENABLED": "False", "COLUMNS": "100000", "TTY_INTERACTIVE": "0"}
    pipedebug = Path(sys.executable).with_name("pipedebug")
    result = subprocess.run(
        [str(pipedebug), "run", str(REPO / "sample_pipelines" / "haystack_rag.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "from metadata.example_inputs" in result.stdout
    expected = build_pipeline().run(EXAMPLE_INPUTS[0])["llm"]["replies"][0]
    assert expected.meta["offline"] is True
    assert expected.text in result.stdout
