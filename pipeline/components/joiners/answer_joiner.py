"""`AnswerJoiner`: answers from several generators or readers as one list, as in Haystack."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from enum import Enum
from typing import Any

from pipeline.core.component import component
from pipeline.core.component.types import Variadic
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses.answer import ExtractedAnswer, GeneratedAnswer

AnswerType = GeneratedAnswer | ExtractedAnswer


class JoinMode(Enum):
    """How `AnswerJoiner` combines its lists; only concatenation so far, as in Haystack."""

    CONCATENATE = "concatenate"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def from_str(string: str) -> JoinMode:
        modes = {mode.value: mode for mode in JoinMode}
        if string not in modes:
            raise ValueError(f"Unknown join mode '{string}'. Supported modes in AnswerJoiner are: {list(modes)}")
        return modes[string]


def _concatenate(answer_lists: list[list[AnswerType]]) -> list[AnswerType]:
    return list(itertools.chain.from_iterable(answer_lists))


def _score(answer: AnswerType) -> float:
    """Generated answers have no score: they sort as if they scored minus infinity."""
    score = getattr(answer, "score", None)
    return -math.inf if score is None else score


@component
class AnswerJoiner:
    """Joins lists of answers into one: concatenated, then optionally sorted by score and cut to `top_k`."""

    def __init__(
        self, join_mode: str | JoinMode = JoinMode.CONCATENATE, top_k: int | None = None, sort_by_score: bool = False
    ) -> None:
        """
        :param join_mode: `concatenate` (the only mode): every list's answers, lists in the order they arrive.
        :param top_k: how many answers to return at most (all by default).
        :param sort_by_score: sort by descending score (stable; answers without a score last).
        """
        self.join_mode = JoinMode.from_str(join_mode) if isinstance(join_mode, str) else join_mode
        self.join_mode_function: Callable[[list[list[AnswerType]]], list[AnswerType]] = {
            JoinMode.CONCATENATE: _concatenate
        }[self.join_mode]
        self.top_k = top_k
        self.sort_by_score = sort_by_score

    @component.output_types(answers=list[AnswerType])
    def run(self, answers: Variadic[list[AnswerType]], top_k: int | None = None) -> dict[str, Any]:
        """Join the lists; `top_k` overrides the init value for this call (as in Haystack, 0 means "no limit")."""
        joined = self.join_mode_function(list(answers))
        if self.sort_by_score:
            joined = sorted(joined, key=_score, reverse=True)
        if limit := top_k or self.top_k:
            joined = joined[:limit]
        return {"answers": joined}

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, join_mode=str(self.join_mode), top_k=self.top_k, sort_by_score=self.sort_by_score)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerJoiner:
        return default_from_dict(cls, data)
