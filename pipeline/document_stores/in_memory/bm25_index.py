"""The in-memory store's BM25 index: term statistics and postings in numpy arrays, with Haystack's scoring.

Documents occupy slots, numbered in the order they were written. Each write adds a segment: its documents' term
ids and frequencies in document order, and the same entries sorted by term (postings, CSR layout). A query reads
only its own terms' postings, then adds one vector per term over all slots (BM25L and BM25Plus give every document
a score, even without the term), so it costs O(postings + terms x documents) in numpy, with no Python loop over
documents. Segments are merged as they accumulate (as in Lucene), which keeps their number logarithmic and makes a
write cost time in proportion to its own size. Deleting a document only updates the statistics; the store masks
the dead slot out of results and compacts the slots once most are dead.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, Literal

import numpy as np

BM25Algorithm = Literal["BM25Okapi", "BM25L", "BM25Plus"]
BM25_ALGORITHMS: tuple[str, ...] = ("BM25Okapi", "BM25L", "BM25Plus")
BM25_DEFAULTS: dict[str, dict[str, float]] = {
    "BM25Okapi": {"k1": 1.5, "b": 0.75, "epsilon": 0.25},
    "BM25L": {"k1": 1.5, "b": 0.75, "delta": 0.5},
    "BM25Plus": {"k1": 1.5, "b": 0.75, "delta": 1.0},
}


class Growable:
    """A numpy array (1-D, or rows of `width`) that doubles its capacity, so appending costs time in proportion
    to what is appended."""

    def __init__(self, dtype: Any, width: int | None = None) -> None:
        self._data = np.zeros((0,) if width is None else (0, width), dtype=dtype)
        self.size = 0

    def extend(self, values: Any) -> None:
        values = np.asarray(values, dtype=self._data.dtype)
        end = self.size + len(values)
        if end > len(self._data):
            grown = np.zeros((max(end, 2 * len(self._data)), *self._data.shape[1:]), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    @property
    def view(self) -> np.ndarray:
        """The filled part; writes to it change the array."""
        return self._data[: self.size]


@dataclass(frozen=True, eq=False)
class _Segment:
    first_slot: int
    doc_offsets: np.ndarray
    """int64, one more than the segment's documents: document i's entries are doc_terms[offsets[i]:offsets[i+1]]."""
    doc_terms: np.ndarray
    doc_tfs: np.ndarray
    indptr: np.ndarray
    """int64, one more than the vocabulary size when built: term t's postings are [indptr[t], indptr[t + 1])."""
    post_slots: np.ndarray
    """int32 slots, ascending within a term."""
    post_tfs: np.ndarray

    @classmethod
    def build(
        cls, first_slot: int, doc_offsets: np.ndarray, doc_terms: np.ndarray, doc_tfs: np.ndarray, vocab_size: int
    ) -> _Segment:
        order = np.argsort(doc_terms, kind="stable")  # stable: slots stay ascending within each term
        slots = np.repeat(
            np.arange(first_slot, first_slot + len(doc_offsets) - 1, dtype=np.int32), np.diff(doc_offsets)
        )
        indptr = np.zeros(vocab_size + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc_terms, minlength=vocab_size), out=indptr[1:])
        return cls(first_slot, doc_offsets, doc_terms, doc_tfs, indptr, slots[order], doc_tfs[order])

    @property
    def slot_count(self) -> int:
        return len(self.doc_offsets) - 1

    def merged_with(self, later: _Segment, vocab_size: int) -> _Segment:
        offsets = np.concatenate([self.doc_offsets, later.doc_offsets[1:] + len(self.doc_terms)])
        terms = np.concatenate([self.doc_terms, later.doc_terms])
        return _Segment.build(
            self.first_slot, offsets, terms, np.concatenate([self.doc_tfs, later.doc_tfs]), vocab_size
        )

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        if term + 1 >= len(self.indptr):
            return self.post_slots[:0], self.post_tfs[:0]
        start, end = self.indptr[term], self.indptr[term + 1]
        return self.post_slots[start:end], self.post_tfs[start:end]

    def terms_of(self, slot: int) -> np.ndarray:
        local = slot - self.first_slot
        return self.doc_terms[self.doc_offsets[local] : self.doc_offsets[local + 1]]


class BM25Index:
    """Document frequencies, lengths and postings of every slot written, dead or alive."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._document_frequencies = Growable(np.int64)
        self._lengths = Growable(np.int64)
        self._segments: list[_Segment] = []
        self._total_length = 0
        self._live = 0

    def add(self, token_lists: Sequence[Sequence[str]]) -> None:
        """Index documents in the next slots, one token list each (empty for a document without content)."""
        if not token_lists:
            return
        counters = [Counter(tokens) for tokens in token_lists]
        vocabulary = self.vocabulary
        for token in dict.fromkeys(chain.from_iterable(counters)):  # new tokens get ids in order of appearance
            if token not in vocabulary:
                vocabulary[token] = len(vocabulary)
        entries = sum(map(len, counters))
        terms = np.fromiter(map(vocabulary.__getitem__, chain.from_iterable(counters)), np.int32, entries)
        tfs = np.fromiter(chain.from_iterable(counter.values() for counter in counters), np.int32, entries)
        offsets = np.zeros(len(counters) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, counters), np.int64, len(counters)), out=offsets[1:])
        lengths = np.fromiter(map(len, token_lists), np.int64, len(token_lists))

        grow = len(vocabulary) - self._document_frequencies.size
        self._document_frequencies.extend(np.zeros(grow, dtype=np.int64))
        self._document_frequencies.view[:] += np.bincount(terms, minlength=len(vocabulary))
        self._segments.append(_Segment.build(self._lengths.size, offsets, terms, tfs, len(vocabulary)))
        self._lengths.extend(lengths)
        self._total_length += int(lengths.sum())
        self._live += len(token_lists)
        while len(self._segments) > 1 and self._segments[-2].slot_count <= 2 * self._segments[-1].slot_count:
            later = self._segments.pop()
            self._segments[-1] = self._segments[-1].merged_with(later, len(vocabulary))

    def remove(self, slot: int) -> None:
        """Take a slot's document out of the statistics; its postings stay, and the caller masks the slot."""
        segment = self._segments[bisect_right([s.first_slot for s in self._segments], slot) - 1]
        self._document_frequencies.view[segment.terms_of(slot)] -= 1
        self._total_length -= int(self._lengths.view[slot])
        self._live -= 1

    def compact(self, keep: np.ndarray) -> None:
        """Renumber the slots where `keep` is true to 0, 1, ... in order, dropping the others' entries."""
        counts = np.concatenate([np.diff(segment.doc_offsets) for segment in self._segments])
        entries = np.repeat(keep, counts)
        offsets = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(counts[keep], out=offsets[1:])
        terms = np.concatenate([segment.doc_terms for segment in self._segments])[entries]
        tfs = np.concatenate([segment.doc_tfs for segment in self._segments])[entries]
        self._segments = [_Segment.build(0, offsets, terms, tfs, len(self.vocabulary))]
        lengths = self._lengths.view[keep]
        self._lengths.size = 0
        self._lengths.extend(lengths)

    def score(self, query_tokens: Sequence[str], algorithm: str, parameters: Mapping[str, float]) -> np.ndarray:
        """Haystack's BM25 score of every slot for `query_tokens`, each distinct token counted once.

        A document's score is the sum, over the distinct query tokens in order, of idf * tf-part, where the tf-part
        of a token the document lacks is BM25L's and BM25Plus's base value (0 for Okapi). The arithmetic follows
        Haystack's expression by expression, so the floats come out the same. Only the tokens' postings are read;
        the rest is a few vector operations over all slots.
        """
        params = {**BM25_DEFAULTS[algorithm], **parameters}
        k = params["k1"]
        if algorithm == "BM25L":
            absent = (1.0 + k) * params["delta"] / (k + params["delta"])
        else:
            absent = params.get("delta", 0.0)  # BM25Plus adds delta even where the term is missing; Okapi adds 0
        scores = np.zeros(self._lengths.size)
        weights = self._idf(list(dict.fromkeys(query_tokens)), algorithm, params.get("epsilon", 0.0))
        if not weights:
            return scores
        average_length = self._total_length / self._live
        lengths = self._lengths.view
        for term, idf in weights:
            slots, tfs = self._postings(term)
            contribution = np.full(len(scores), idf * absent)
            contribution[slots] = idf * _tf_part(
                algorithm, tfs.astype(np.float64), lengths[slots], average_length, params
            )
            scores += contribution
        return scores

    def _idf(self, tokens: list[str], algorithm: str, epsilon: float) -> list[tuple[int, float]]:
        """(term id, idf) for the tokens that occur in a live document; the others contribute 0 in Haystack."""
        n = self._live
        frequencies = self._document_frequencies.view
        weights: list[tuple[int, float]] = []
        for token in tokens:
            term = self.vocabulary.get(token)
            if term is None:
                continue
            df = int(frequencies[term])
            if df == 0:
                continue
            if algorithm == "BM25L":
                idf = math.log((n + 1.0) / (df + 0.5))
            elif algorithm == "BM25Plus":
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            else:
                idf = math.log((n - df + 0.5) / (df + 0.5))
                if idf < 0:  # Okapi: a term in more than half the documents weighs epsilon * the mean idf instead
                    idf = epsilon * self._mean_okapi_idf()
            if idf != 0.0:
                weights.append((term, idf))
        return weights

    def _mean_okapi_idf(self) -> float:
        frequencies = self._document_frequencies.view
        present = frequencies[frequencies > 0].astype(np.float64)
        return float(np.log((self._live - present + 0.5) / (present + 0.5)).sum() / len(present))

    def _postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        parts = [segment.postings(term) for segment in self._segments]
        return np.concatenate([slots for slots, _ in parts]), np.concatenate([tfs for _, tfs in parts])


def _tf_part(
    algorithm: str, tf: np.ndarray, length: np.ndarray, average_length: float, params: Mapping[str, float]
) -> np.ndarray:
    k, b = params["k1"], params["b"]
    if algorithm == "BM25L":
        ctd = tf / (1 - b + b * length / average_length)
        return (1.0 + k) * (ctd + params["delta"]) / (k + ctd + params["delta"])
    if algorithm == "BM25Plus":
        damping = k * (1 - b + b * length / average_length)
        return tf * (1.0 + k) / (tf + damping) + params["delta"]
    return tf * (1.0 + k) / (tf + k * (1 - b + b * length / average_length))


def top_k_order(scores: np.ndarray, top_k: int) -> np.ndarray:
    """Positions of the `top_k` highest scores, highest first, equal scores in position order: what a stable sort
    gives, in O(n) plus O(top_k log top_k)."""
    picked = np.arange(len(scores))
    if len(scores) > top_k:
        kth = np.partition(scores, len(scores) - top_k)[len(scores) - top_k]
        above = np.flatnonzero(scores > kth)
        ties = np.flatnonzero(scores == kth)[: top_k - len(above)]
        picked = np.concatenate([above, ties])
    return picked[np.lexsort((picked, -scores[picked]))]
