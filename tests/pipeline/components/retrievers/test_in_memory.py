"""InMemoryBM25Retriever and InMemoryEmbeddingRetriever: defaults and overrides, filter policies, errors, running in
an AsyncPipeline without blocking the event loop, and serialization with the store nested."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import pytest

from pipeline import AsyncPipeline, DefinitionError, Document, PipelineRuntimeError
from pipeline.components.joiners import DocumentJoiner
from pipeline.components.retrievers import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
from pipeline.document_stores import FilterError, FilterPolicy
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import apply_filter_policy

NEWS = {"field": "meta.genre", "operator": "==", "value": "news"}
RECENT = {"field": "meta.year", "operator": ">=", "value": 2022}


@pytest.fixture
def store() -> InMemoryDocumentStore:
    store = InMemoryDocumentStore(embedding_similarity_function="cosine")
    store.write_documents(
        [
            Document(
                content="Paris is the capital of France", meta={"genre": "news", "year": 2021}, embedding=[1.0, 0.0]
            ),
            Document(
                content="Berlin is the capital of Germany", meta={"genre": "news", "year": 2023}, embedding=[0.0, 1.0]
            ),
            Document(
                content="France beat Germany at football", meta={"genre": "sport", "year": 2022}, embedding=[0.7, 0.7]
            ),
        ]
    )
    return store


def contents(result: dict[str, list[Document]]) -> list[str | None]:
    return [document.content for document in result["documents"]]


# -- BM25 retriever --------------------------------------------------------------------------------------------------


def test_bm25_retriever_defaults_and_overrides(store: InMemoryDocumentStore) -> None:
    retriever = InMemoryBM25Retriever(store, top_k=2)
    result = retriever.run(query="france capital")
    # Paris has both terms; the football document (5 tokens) beats Berlin (6 tokens) on one term by being shorter.
    assert contents(result) == ["Paris is the capital of France", "France beat Germany at football"]
    assert result["documents"] == store.bm25_retrieval("france capital", top_k=2)
    assert len(retriever.run(query="france", top_k=1)["documents"]) == 1
    raw = result["documents"][0].score
    scaled = retriever.run(query="france capital", scale_score=True)["documents"][0].score
    assert scaled == pytest.approx(1 / (1 + math.exp(-raw / 8)))  # type: ignore[operator]
    assert InMemoryBM25Retriever(store, scale_score=True).run(query="france capital")["documents"][0].score == scaled


def test_bm25_retriever_filter_policies(store: InMemoryDocumentStore) -> None:
    replace = InMemoryBM25Retriever(store, filters=NEWS)
    assert contents(replace.run(query="france")) == [
        "Paris is the capital of France",
        "Berlin is the capital of Germany",
    ]
    assert contents(replace.run(query="france", filters=RECENT)) == [
        "France beat Germany at football",
        "Berlin is the capital of Germany",
    ]
    merge = InMemoryBM25Retriever(store, filters=NEWS, filter_policy="merge")
    assert merge.filter_policy is FilterPolicy.MERGE
    assert contents(merge.run(query="france", filters=RECENT)) == ["Berlin is the capital of Germany"]


def test_apply_filter_policy_combinations_do_not_mutate_inputs() -> None:
    older = {"field": "meta.year", "operator": "<", "value": 2023}
    logical = {"operator": "AND", "conditions": [NEWS, older]}
    assert apply_filter_policy(FilterPolicy.REPLACE, NEWS, RECENT) == RECENT
    assert apply_filter_policy(FilterPolicy.MERGE, NEWS, None) == NEWS
    assert apply_filter_policy(FilterPolicy.MERGE, NEWS, RECENT) == {"operator": "AND", "conditions": [NEWS, RECENT]}
    assert apply_filter_policy(FilterPolicy.MERGE, older, RECENT) == RECENT  # same field: runtime wins
    assert apply_filter_policy(FilterPolicy.MERGE, logical, RECENT) == {"operator": "AND", "conditions": [NEWS, RECENT]}
    assert apply_filter_policy(FilterPolicy.MERGE, RECENT, logical) == {"operator": "AND", "conditions": [NEWS, older]}
    assert apply_filter_policy(FilterPolicy.MERGE, logical, {"operator": "AND", "conditions": [RECENT]}) == {
        "operator": "AND",
        "conditions": [NEWS, older, RECENT],
    }
    either = {"operator": "OR", "conditions": [RECENT]}
    assert apply_filter_policy(FilterPolicy.MERGE, logical, either) == either  # operators differ: runtime alone
    assert logical == {"operator": "AND", "conditions": [NEWS, older]}
    with pytest.raises(ValueError, match="Unknown filter policy 'keep'"):
        FilterPolicy.from_str("keep")


@pytest.mark.parametrize("retriever_class", [InMemoryBM25Retriever, InMemoryEmbeddingRetriever])
def test_retrievers_refuse_bad_init_arguments(retriever_class: type, store: InMemoryDocumentStore) -> None:
    with pytest.raises(ValueError, match="document_store must be an InMemoryDocumentStore, got dict"):
        retriever_class({"type": "InMemoryDocumentStore"})
    with pytest.raises(ValueError, match="top_k must be greater than 0, got 0"):
        retriever_class(store, top_k=0)
    with pytest.raises(ValueError, match="Unknown filter policy"):
        retriever_class(store, filter_policy="sometimes")
    with pytest.raises(FilterError, match=r"filters has no 'value' key"):
        retriever_class(store, filters={"field": "meta.genre", "operator": "=="})


def test_bm25_retriever_bad_query(store: InMemoryDocumentStore) -> None:
    with pytest.raises(ValueError, match="query must be a non-empty string"):
        InMemoryBM25Retriever(store).run(query="")


# -- embedding retriever ---------------------------------------------------------------------------------------------


def test_embedding_retriever_defaults_and_overrides(store: InMemoryDocumentStore) -> None:
    retriever = InMemoryEmbeddingRetriever(store, top_k=2)
    result = retriever.run(query_embedding=[1.0, 0.2])
    assert contents(result) == ["Paris is the capital of France", "France beat Germany at football"]
    # cosine: (1, 0.2) . (1, 0) / |(1, 0.2)| = 1 / sqrt(1.04)
    assert result["documents"][0].score == pytest.approx(1 / math.sqrt(1.04))
    assert result["documents"][0].embedding is None
    assert retriever.run(query_embedding=[1.0, 0.2], return_embedding=True)["documents"][0].embedding == [1.0, 0.0]
    assert retriever.run(query_embedding=[1.0, 0.2], scale_score=True)["documents"][0].score == pytest.approx(
        (1 / math.sqrt(1.04) + 1) / 2
    )
    assert contents(retriever.run(query_embedding=[1.0, 0.2], filters=RECENT, top_k=1)) == [
        "France beat Germany at football"
    ]
    assert InMemoryEmbeddingRetriever(store, return_embedding=True).run(query_embedding=[0.0, 1.0])["documents"][
        0
    ].embedding == [0.0, 1.0]


def test_embedding_retriever_wrong_dimension(store: InMemoryDocumentStore) -> None:
    with pytest.raises(
        ValueError, match="query embedding has dimension 3 but the documents' embeddings have dimension 2"
    ):
        InMemoryEmbeddingRetriever(store).run(query_embedding=[1.0, 0.0, 0.0])


# -- in a pipeline ---------------------------------------------------------------------------------------------------


def hybrid_pipeline(store: InMemoryDocumentStore) -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("bm25", InMemoryBM25Retriever(store, filters=NEWS, top_k=3, filter_policy="merge"))
    pipe.add_component("embedding", InMemoryEmbeddingRetriever(store, top_k=3, scale_score=True))
    pipe.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", weights=[2, 1], top_k=2))
    pipe.connect("bm25", "joiner")
    pipe.connect("embedding", "joiner")
    return pipe


HYBRID_INPUTS = {"bm25": {"query": "capital of France"}, "embedding": {"query_embedding": [0.0, 1.0]}}


async def test_hybrid_retrieval_in_an_async_pipeline(store: InMemoryDocumentStore) -> None:
    outputs = await hybrid_pipeline(store).run_async(HYBRID_INPUTS)
    # bm25 (news only): Paris rank 0, Berlin rank 1. embedding: Berlin rank 0, football rank 1, Paris rank 2.
    # RRF with weights 2/3, 1/3 over L = 2 lists, k = 61, normalised by L / k:
    berlin = (2 / 3 * 2 / 62 + 1 / 3 * 2 / 61) / (2 / 61)
    paris = (2 / 3 * 2 / 61 + 1 / 3 * 2 / 63) / (2 / 61)
    documents = outputs["joiner"]["documents"]
    assert paris > berlin
    assert [d.content for d in documents] == ["Paris is the capital of France", "Berlin is the capital of Germany"]
    assert [d.score for d in documents] == pytest.approx([paris, berlin])


async def test_bad_inputs_fail_the_run_with_the_store_error(store: InMemoryDocumentStore) -> None:
    pipe = hybrid_pipeline(store)
    with pytest.raises(PipelineRuntimeError, match="bm25") as info:
        await pipe.run_async({**HYBRID_INPUTS, "bm25": {"query": " "}})
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(PipelineRuntimeError, match="embedding") as info:
        await pipe.run_async({**HYBRID_INPUTS, "embedding": {"query_embedding": [1.0, 2.0, 3.0]}})
    assert "dimension 3" in str(info.value.__cause__)


@pytest.fixture(scope="module")
def large_store() -> InMemoryDocumentStore:
    store = InMemoryDocumentStore()
    store.write_documents(
        [Document(content=f"word{i % 100} text{i % 13} common", meta={"n": i, "g": i % 5}) for i in range(40_000)]
    )
    return store


SLOW_FILTER = {  # evaluated on each of the 40,000 documents: about 0.1 s of Python per query
    "operator": "OR",
    "conditions": [NEWS, {"operator": "NOT", "conditions": [{"field": "meta.n", "operator": "<", "value": 0}]}],
}


async def ticks_during(work: Any) -> tuple[int, float, Any]:
    """How often a 1 ms ticker on the event loop ran while `work` was awaited, how long `work` took, its result."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    ticks, start = 0, time.perf_counter()
    result = await work
    elapsed = time.perf_counter() - start
    task.cancel()
    return ticks, elapsed, result


async def test_run_async_keeps_the_event_loop_free_during_a_slow_retrieval(large_store: InMemoryDocumentStore) -> None:
    retriever = InMemoryBM25Retriever(large_store, filters=SLOW_FILTER)

    async def blocking() -> dict[str, list[Document]]:  # what a run_async calling the store directly would do
        return retriever.run(query="word7 common")

    blocked_ticks, blocked_time, _ = await ticks_during(blocking())
    assert blocked_ticks == 0 and blocked_time > 0.02  # the measurement can see a blocked loop

    pipe = AsyncPipeline()
    pipe.add_component("bm25", retriever)
    ticks, elapsed, outputs = await ticks_during(pipe.run_async({"bm25": {"query": "word7 common"}}))
    assert len(outputs["bm25"]["documents"]) == 10
    assert ticks >= 3, f"the loop ticked {ticks} times in {elapsed:.3f} s of retrieval"


# -- serialization ---------------------------------------------------------------------------------------------------


def test_pipeline_round_trip_with_both_retrievers_and_a_joiner(store: InMemoryDocumentStore) -> None:
    pipe = hybrid_pipeline(store)
    data = pipe.to_dict()
    bm25 = data["components"]["bm25"]
    assert bm25["type"] == "pipeline.components.retrievers.in_memory.bm25_retriever.InMemoryBM25Retriever"
    assert bm25["init_parameters"] == {
        "document_store": store.to_dict(),
        "filters": NEWS,
        "top_k": 3,
        "scale_score": False,
        "filter_policy": "merge",
    }
    assert data["components"]["embedding"]["init_parameters"]["document_store"] == store.to_dict()
    assert data["components"]["joiner"]["init_parameters"] == {
        "join_mode": "reciprocal_rank_fusion",
        "weights": [2, 1],
        "top_k": 2,
        "sort_by_score": True,
    }
    restored = AsyncPipeline.from_dict(data)
    assert restored.to_dict() == data
    assert AsyncPipeline.loads(pipe.dumps()).to_dict() == data
    retriever = restored.get_component("bm25")
    assert retriever.filter_policy is FilterPolicy.MERGE and retriever.document_store.index == store.index


async def test_restored_pipeline_finds_the_same_documents(store: InMemoryDocumentStore) -> None:
    expected = await hybrid_pipeline(store).run_async(HYBRID_INPUTS)
    restored = AsyncPipeline.loads(hybrid_pipeline(store).dumps())  # same index: same documents, as in Haystack
    assert await restored.run_async(HYBRID_INPUTS) == expected


def test_definition_errors_point_at_the_document_store() -> None:
    data = {
        "components": {
            "bm25": {"type": "pipeline.components.retrievers.InMemoryBM25Retriever", "init_parameters": {"top_k": 3}}
        }
    }
    with pytest.raises(DefinitionError, match="needs the init parameter"):
        AsyncPipeline.from_dict(data)
    data["components"]["bm25"]["init_parameters"]["document_store"] = {"index": "x"}
    with pytest.raises(DefinitionError, match="InMemoryDocumentStore"):
        AsyncPipeline.from_dict(data)
