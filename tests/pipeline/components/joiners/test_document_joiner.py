"""DocumentJoiner: each join mode checked by hand, weights, top_k, determinism and inputs left untouched."""

from __future__ import annotations

import asyncio
import copy

import pytest

from pipeline import AsyncPipeline, Document, PipelineRuntimeError, component
from pipeline.components.joiners import DocumentJoiner, JoinMode


def doc(name: str, score: float | None = None) -> Document:
    return Document(id=name, content=name, score=score)


def joined(joiner: DocumentJoiner, *lists: list[Document], **kwargs: object) -> list[tuple[str, float | None]]:
    return [(d.id, d.score) for d in joiner.run(documents=list(lists), **kwargs)["documents"]]  # type: ignore[arg-type]


# -- concatenate -----------------------------------------------------------------------------------------------------


def test_concatenate_keeps_each_documents_best_copy() -> None:
    first = [doc("a", 0.2), doc("b", 0.9), doc("c")]
    second = [doc("a", 0.7), doc("c", 0.1), doc("d", 0.9)]
    assert joined(DocumentJoiner(), first, second) == [("b", 0.9), ("d", 0.9), ("a", 0.7), ("c", 0.1)]
    # Unsorted: first-appearance order; missing scores lose to any score.
    assert joined(DocumentJoiner(sort_by_score=False), first, second) == [
        ("a", 0.7),
        ("b", 0.9),
        ("c", 0.1),
        ("d", 0.9),
    ]


def test_documents_without_scores_sort_last() -> None:
    assert joined(DocumentJoiner(), [doc("x"), doc("y", -5.0)]) == [("y", -5.0), ("x", None)]


# -- merge -----------------------------------------------------------------------------------------------------------


def test_merge_sums_weighted_scores() -> None:
    first = [doc("a", 0.8), doc("b", 0.4)]
    second = [doc("a", 0.2), doc("c", 0.6)]
    # Default weights 1/2 each: a = 0.8/2 + 0.2/2 = 0.5, b = 0.4/2 = 0.2, c = 0.6/2 = 0.3.
    assert joined(DocumentJoiner("merge"), first, second) == [
        ("a", pytest.approx(0.5)),
        ("c", pytest.approx(0.3)),
        ("b", pytest.approx(0.2)),
    ]
    # Weights [3, 1] normalise to 0.75, 0.25: a = 0.6 + 0.05 = 0.65, b = 0.3, c = 0.15.
    assert joined(DocumentJoiner("merge", weights=[3, 1]), first, second) == [
        ("a", pytest.approx(0.65)),
        ("b", pytest.approx(0.3)),
        ("c", pytest.approx(0.15)),
    ]


# -- reciprocal rank fusion ------------------------------------------------------------------------------------------


def test_rrf_same_document_at_ranks_0_and_1_scores_as_in_haystack() -> None:
    first = [doc("a"), doc("b")]
    second = [doc("b"), doc("a")]
    # a: (1/2 * 2 / (61 + 0) + 1/2 * 2 / (61 + 1)) / (2 / 61) = (1 + 61/62) / 2
    result = joined(DocumentJoiner(JoinMode.RECIPROCAL_RANK_FUSION), first, second)
    assert result == [("a", 0.9919354838709679), ("b", 0.9919354838709679)]  # tie: first appearance
    by_hand = (1 / 61 + 1 / 62) / (2 / 61)
    assert by_hand == pytest.approx(0.9919354838709679)


def test_rrf_by_hand_with_weights_and_three_lists() -> None:
    lists = [[doc("a"), doc("b")], [doc("c"), doc("a")], [doc("b")]]
    w = [0.5, 0.25, 0.25]  # from weights [2, 1, 1]; L = 3 lists
    expected = {
        "a": (w[0] * 3 / 61 + w[1] * 3 / 62) / (3 / 61),
        "b": (w[0] * 3 / 62 + w[2] * 3 / 61) / (3 / 61),
        "c": (w[1] * 3 / 61) / (3 / 61),
    }
    result = dict(joined(DocumentJoiner("reciprocal_rank_fusion", weights=[2, 1, 1]), *lists))
    assert result == pytest.approx(expected)
    assert [name for name, _ in joined(DocumentJoiner("reciprocal_rank_fusion", weights=[2, 1, 1]), *lists)] == [
        "a",
        "b",
        "c",
    ]


# -- distribution-based rank fusion ----------------------------------------------------------------------------------


def test_distribution_based_rank_fusion_by_hand() -> None:
    first = [doc("a", 3.0), doc("b", 1.0)]  # mean 2, population std 1: range [-1, 5], spread 6
    second = [doc("b", 0.5), doc("c", 0.5)]  # all equal: uninformative, every score becomes 0
    third = [doc("c", 10.0), doc("d", 20.0), doc("e", 30.0)]  # mean 20, std sqrt(200/3)
    std = (200 / 3) ** 0.5
    low = 20 - 3 * std
    expected = {
        "a": (3.0 + 1) / 6,
        "b": (1.0 + 1) / 6,  # its best copy: 1/3 beats 0 from the second list
        "c": (10.0 - low) / (6 * std),
        "d": (20.0 - low) / (6 * std),
        "e": (30.0 - low) / (6 * std),
    }
    result = joined(DocumentJoiner("distribution_based_rank_fusion"), first, second, third)
    assert dict(result) == pytest.approx(expected)
    assert [name for name, _ in result] == ["e", "a", "d", "b", "c"]  # 0.70, 0.67, 0.5 (the mean), 0.33, 0.30


# -- options and errors ----------------------------------------------------------------------------------------------


def test_top_k_from_init_and_run() -> None:
    documents = [doc(name, score) for name, score in zip("abcd", (0.4, 0.3, 0.2, 0.1), strict=True)]
    assert [name for name, _ in joined(DocumentJoiner(top_k=2), documents)] == ["a", "b"]
    assert [name for name, _ in joined(DocumentJoiner(top_k=2), documents, top_k=3)] == ["a", "b", "c"]
    with pytest.raises(ValueError, match="top_k must be a positive integer or None"):
        DocumentJoiner(top_k=0)


def test_weights_must_match_the_number_of_lists() -> None:
    joiner = DocumentJoiner("merge", weights=[1, 1, 1])
    with pytest.raises(ValueError, match="3 weights but received 2 lists of documents"):
        joiner.run(documents=[[doc("a", 1.0)], [doc("b", 1.0)]])
    for bad in ([], [1, -1], [0, 0], ["1"]):
        with pytest.raises(ValueError, match="weights"):
            DocumentJoiner("merge", weights=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Unknown join mode 'sum'"):
        DocumentJoiner("sum")


@pytest.mark.parametrize("mode", [mode.value for mode in JoinMode])
def test_inputs_are_not_modified_and_empty_inputs_are_fine(mode: str) -> None:
    first = [doc("a", 0.9), doc("b", 0.1)]
    second = [doc("b", 0.5), doc("c", 0.3)]
    snapshot = copy.deepcopy([first, second])
    DocumentJoiner(mode).run(documents=[first, second])
    assert [first, second] == snapshot
    assert DocumentJoiner(mode).run(documents=[])["documents"] == []
    assert DocumentJoiner(mode).run(documents=[[], []])["documents"] == []


def test_serialization_records_the_mode_as_its_value() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("joiner", DocumentJoiner(JoinMode.MERGE, weights=[1, 3]))
    data = pipe.to_dict()
    assert data["components"]["joiner"]["init_parameters"] == {
        "join_mode": "merge",
        "weights": [1, 3],
        "top_k": None,
        "sort_by_score": True,
    }
    restored = AsyncPipeline.from_dict(data).get_component("joiner")
    assert restored.join_mode is JoinMode.MERGE and restored.weights == [0.25, 0.75]


# -- determinism in a pipeline ---------------------------------------------------------------------------------------


@component
class DelayedDocuments:
    """Sends fixed documents after a delay, so branches can finish in either order."""

    def __init__(self, names: list[str], delay: float) -> None:
        self.names = names
        self.delay = delay

    @component.output_types(documents=list[Document])
    def run(self, start: bool) -> dict[str, list[Document]]:
        return {"documents": [doc(name, 1.0) for name in self.names]}

    @component.output_types(documents=list[Document])
    async def run_async(self, start: bool) -> dict[str, list[Document]]:
        await asyncio.sleep(self.delay)
        return {"documents": [doc(name, 1.0) for name in self.names]}


async def test_output_does_not_depend_on_which_branch_finishes_first() -> None:
    results = []
    for left_delay, right_delay in ((0.05, 0.0), (0.0, 0.05)):
        pipe = AsyncPipeline()
        pipe.add_component("left", DelayedDocuments(["a", "b", "c"], left_delay))
        pipe.add_component("right", DelayedDocuments(["c", "d", "a"], right_delay))
        pipe.add_component("joiner", DocumentJoiner("reciprocal_rank_fusion"))
        pipe.connect("left", "joiner")
        pipe.connect("right", "joiner")
        outputs = await pipe.run_async({"left": {"start": True}, "right": {"start": True}})
        results.append([(d.id, d.score) for d in outputs["joiner"]["documents"]])
    assert results[0] == results[1]
    # a: ranks 0 and 2, c: ranks 2 and 0 -> equal scores, a first (first appearance); b and d tie too.
    assert [name for name, _ in results[0]] == ["a", "c", "b", "d"]


async def test_weight_mismatch_fails_the_pipeline_run_clearly() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("left", DelayedDocuments(["a"], 0.0))
    pipe.add_component("joiner", DocumentJoiner("merge", weights=[1, 2]))
    pipe.connect("left", "joiner")
    with pytest.raises(PipelineRuntimeError, match="joiner") as info:
        await pipe.run_async({"left": {"start": True}})
    assert "2 weights but received 1 lists" in str(info.value.__cause__)
