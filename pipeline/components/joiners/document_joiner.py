"""`DocumentJoiner`: one ranked list from several (say, keyword and embedding retrieval), as in Haystack."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import replace
from enum import Enum

from pipeline.core.component import component
from pipeline.core.component.types import Variadic
from pipeline.dataclasses import Document

logger = logging.getLogger(__name__)

RRF_K = 61
"""Reciprocal rank fusion's constant: the paper's 60, plus 1 because ranks here start at 0."""


class JoinMode(Enum):
    CONCATENATE = "concatenate"
    MERGE = "merge"
    RECIPROCAL_RANK_FUSION = "reciprocal_rank_fusion"
    DISTRIBUTION_BASED_RANK_FUSION = "distribution_based_rank_fusion"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def from_str(value: str) -> JoinMode:
        for mode in JoinMode:
            if mode.value == value:
                return mode
        raise ValueError(f"Unknown join mode {value!r}; DocumentJoiner supports {', '.join(m.value for m in JoinMode)}")


def _score(document: Document) -> float:
    return -math.inf if document.score is None else document.score


@component
class DocumentJoiner:
    """Joins lists of documents into one, each document once (by id).

    - `concatenate`: keeps each document's highest-scored copy.
    - `merge`: the score is the weighted sum of a document's scores in the lists (a missing score counts 0).
    - `reciprocal_rank_fusion`: the score is sum(w * L / (61 + rank)) over the lists holding the document (L lists,
      ranks from 0), divided by L / 61, its maximum; so with the default weights 1/L a document ranked first
      everywhere scores 1.
    - `distribution_based_rank_fusion`: each list's scores are rescaled to [0, 1] over mean +- 3 standard
      deviations, then concatenated.

    The output is deterministic: documents keep the order in which they first appear (lists in input order, which
    the engine makes the connection order), and sorting by score is stable, so ties keep that order too. Input
    documents are never modified: rescored ones are copies.
    """

    def __init__(
        self,
        join_mode: str | JoinMode = JoinMode.CONCATENATE,
        weights: list[float] | None = None,
        top_k: int | None = None,
        sort_by_score: bool = True,
    ) -> None:
        """
        :param join_mode: see the class docstring.
        :param weights: one per input list, for `merge` and `reciprocal_rank_fusion` (ignored by the other modes);
            normalized to sum to 1. By default every list weighs the same.
        :param top_k: how many documents to return at most (all by default).
        :param sort_by_score: sort by descending score (documents without a score last).
        """
        self.join_mode = JoinMode.from_str(join_mode) if isinstance(join_mode, str) else join_mode
        if weights is not None:
            if not weights or any(not isinstance(w, int | float) or w < 0 or not math.isfinite(w) for w in weights):
                raise ValueError(f"weights must be a non-empty list of non-negative numbers, got {weights!r}")
            if sum(weights) == 0:
                raise ValueError("weights must not all be 0")
        _check_top_k(top_k)
        self.weights = [float(w) / sum(weights) for w in weights] if weights is not None else None
        self.top_k = top_k
        self.sort_by_score = sort_by_score
        self._join: Callable[[list[list[Document]]], list[Document]] = {
            JoinMode.CONCATENATE: _concatenate,
            JoinMode.MERGE: self._merge,
            JoinMode.RECIPROCAL_RANK_FUSION: self._reciprocal_rank_fusion,
            JoinMode.DISTRIBUTION_BASED_RANK_FUSION: _distribution_based_rank_fusion,
        }[self.join_mode]

    @component.output_types(documents=list[Document])
    def run(self, documents: Variadic[list[Document]], top_k: int | None = None) -> dict[str, list[Document]]:
        """Join the lists; `top_k` overrides the init value for this call."""
        _check_top_k(top_k)
        joined = self._join([list(document_list) for document_list in documents])
        if self.sort_by_score:
            joined.sort(key=_score, reverse=True)  # stable: equal scores keep first-appearance order
        limit = self.top_k if top_k is None else top_k
        return {"documents": joined if limit is None else joined[:limit]}

    def _weights(self, count: int) -> list[float]:
        if self.weights is None:
            return [1 / count] * count
        if len(self.weights) != count:
            raise ValueError(
                f"DocumentJoiner has {len(self.weights)} weights but received {count} lists of documents; give one "
                "weight per list, in the order the lists arrive (the order of the connections)."
            )
        return self.weights

    def _merge(self, lists: list[list[Document]]) -> list[Document]:
        if not lists:
            return []
        totals: dict[str, float] = {}
        kept: dict[str, Document] = {}
        for document_list, weight in zip(lists, self._weights(len(lists)), strict=True):
            for document in document_list:
                totals[document.id] = totals.get(document.id, 0.0) + (document.score or 0.0) * weight
                kept[document.id] = document
        return [replace(document, score=totals[document_id]) for document_id, document in kept.items()]

    def _reciprocal_rank_fusion(self, lists: list[list[Document]]) -> list[Document]:
        if not lists:
            return []
        count = len(lists)
        totals: dict[str, float] = {}
        kept: dict[str, Document] = {}
        for document_list, weight in zip(lists, self._weights(count), strict=True):
            for rank, document in enumerate(document_list):
                totals[document.id] = totals.get(document.id, 0.0) + (weight * count) / (RRF_K + rank)
                kept[document.id] = document
        return [
            replace(document, score=totals[document_id] / (count / RRF_K)) for document_id, document in kept.items()
        ]


def _check_top_k(top_k: int | None) -> None:
    if top_k is not None and (not isinstance(top_k, int) or top_k <= 0):
        raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}")


def _concatenate(lists: list[list[Document]]) -> list[Document]:
    """Each id once, in first-appearance order, as its highest-scored copy (the first of equals)."""
    best: dict[str, Document] = {}
    for document_list in lists:
        for document in document_list:
            if document.id not in best or _score(document) > _score(best[document.id]):
                best[document.id] = document
    return list(best.values())


def _distribution_based_rank_fusion(lists: list[list[Document]]) -> list[Document]:
    """Rescale each list's scores by its own distribution (mean +- 3 population standard deviations map to 0 and 1;
    all equal scores carry no information and become 0), then concatenate. A missing score counts 0."""
    rescaled: list[list[Document]] = []
    for document_list in lists:
        scores = [document.score or 0.0 for document in document_list]
        if not scores:
            continue
        mean = sum(scores) / len(scores)
        deviation = (sum((score - mean) ** 2 for score in scores) / len(scores)) ** 0.5
        low, high = mean - 3 * deviation, mean + 3 * deviation
        spread = high - low
        rescaled.append(
            [
                replace(document, score=(score - low) / spread if spread != 0.0 else 0.0)
                for document, score in zip(document_list, scores, strict=True)
            ]
        )
    return _concatenate(rescaled)
