"""`InMemoryDocumentStore`: Haystack's in-memory store, with BM25 and embedding retrieval vectorized in numpy.

Scores follow Haystack's formulas (BM25Okapi, BM25L, BM25Plus with their IDF variants; dot product and cosine) and
its score scaling, so results match Haystack's for the same documents. What differs is the cost: BM25 reads only
the postings of the query's terms plus a few vector operations (see `bm25_index.py`), and embedding retrieval is
one matrix-vector product over a matrix kept up to date on every write, instead of a Python loop over all
documents per query. Filters are still evaluated document by document, as in Haystack.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import Document
from pipeline.document_stores.errors import DuplicateDocumentError
from pipeline.document_stores.filters import document_matches_filter, validate_filters
from pipeline.document_stores.in_memory.bm25_index import (
    BM25_ALGORITHMS,
    BM25_DEFAULTS,
    BM25Algorithm,
    BM25Index,
    Growable,
    top_k_order,
)
from pipeline.document_stores.types import DuplicatePolicy

logger = logging.getLogger(__name__)

BM25_SCALING_FACTOR = 8
"""`scale_score` maps a BM25 score s to sigmoid(s / 8), as Haystack does."""
DOT_PRODUCT_SCALING_FACTOR = 100
"""`scale_score` maps a dot product s to sigmoid(s / 100); a cosine c becomes (c + 1) / 2."""
SIMILARITY_FUNCTIONS = ("dot_product", "cosine")
_COMPACT_MIN_DEAD = 1024
"""Deleted slots are reclaimed once there are more of them than live documents, and at least this many."""


def _expit(values: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):  # e^-x overflows to inf for very negative x, giving 0 as it should
        return 1 / (1 + np.exp(-values))


class _Storage:
    """Everything one index holds, by slot (write order). Stores created with the same `index` share it, as in
    Haystack, so a pipeline deserialized in the same process sees the documents its original wrote."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.slots: dict[str, int] = {}
        """Document id to slot, in ascending slot order (an overwritten document moves to the end, as in Haystack)."""
        self.documents: list[Document | None] = []
        self.alive = Growable(bool)
        self.has_content = Growable(bool)
        self.has_embedding = Growable(bool)
        self.bm25 = BM25Index()
        self.embeddings: Growable | None = None
        """float64 rows, created with the first embedding; zeros where a slot has none."""
        self.norms = Growable(np.float64)
        self.embedded = 0
        """Live documents with an embedding: while there are any, every new embedding must have their dimension."""

    @property
    def dimension(self) -> int | None:
        return self.embeddings.view.shape[1] if self.embedded and self.embeddings is not None else None

    def append(self, documents: list[Document], tokens: list[list[str]], vectors: np.ndarray) -> None:
        """Add documents in new slots; `vectors` holds the embeddings of those that have one, in order."""
        first = len(self.documents)
        self.slots.update((document.id, first + offset) for offset, document in enumerate(documents))
        self.documents.extend(documents)
        self.alive.extend(np.ones(len(documents), dtype=bool))
        self.has_content.extend([document.content is not None for document in documents])
        present = np.array([document.embedding is not None for document in documents], dtype=bool)
        self.has_embedding.extend(present)
        self.bm25.add(tokens)
        if len(vectors) and (self.embeddings is None or self.embeddings.view.shape[1] != vectors.shape[1]):
            self.embeddings = Growable(np.float64, vectors.shape[1])  # no live embeddings: a new dimension may start
            self.embeddings.extend(np.zeros((first, vectors.shape[1])))
        if self.embeddings is not None:
            if len(vectors) == len(documents):
                rows = vectors
            else:
                rows = np.zeros((len(documents), self.embeddings.view.shape[1]))
                rows[present] = vectors
            self.embeddings.extend(rows)
            self.norms.extend(np.sqrt(np.einsum("ij,ij->i", rows, rows)))
        else:
            self.norms.extend(np.zeros(len(documents)))
        self.embedded += int(present.sum())

    def remove(self, document_id: str) -> None:
        slot = self.slots.pop(document_id)
        self.documents[slot] = None
        self.alive.view[slot] = False
        self.bm25.remove(slot)
        self.embedded -= int(self.has_embedding.view[slot])

    def compact_if_sparse(self) -> None:
        """Renumber the live slots from 0 once most slots are dead, so dead slots stop costing memory and time."""
        dead = len(self.documents) - len(self.slots)
        if dead <= max(len(self.slots), _COMPACT_MIN_DEAD):
            return
        keep = self.alive.view.copy()
        self.bm25.compact(keep)
        self.documents = [self.documents[slot] for slot in self.slots.values()]
        self.slots = {document_id: slot for slot, document_id in enumerate(self.slots)}
        for name in ("alive", "has_content", "has_embedding", "norms", "embeddings"):
            column: Growable | None = getattr(self, name)
            if column is not None:
                kept = column.view[keep]
                column.size = 0
                column.extend(kept)


_STORAGES: dict[str, _Storage] = {}
_STORAGES_LOCK = threading.Lock()


def _storage_for(index: str) -> _Storage:
    with _STORAGES_LOCK:
        if index not in _STORAGES:
            _STORAGES[index] = _Storage()
        return _STORAGES[index]


def _check_top_k(top_k: Any) -> None:
    if not isinstance(top_k, int) or isinstance(top_k, bool) or top_k < 1:
        raise ValueError(f"top_k must be a positive integer, got {top_k!r}")


class InMemoryDocumentStore:
    """Documents in memory, searchable by BM25 and by embedding similarity, with Haystack's API and scores.

    Lookups by id, writes and deletes are O(1) per document; a BM25 query reads only the postings of its terms;
    an embedding query is one numpy matrix-vector product. All methods are thread-safe, so retrievers can query
    from worker threads while others write.
    """

    def __init__(
        self,
        bm25_tokenization_regex: str = r"(?u)\b\w+\b",
        bm25_algorithm: BM25Algorithm = "BM25L",
        bm25_parameters: dict[str, float] | None = None,
        embedding_similarity_function: Literal["dot_product", "cosine"] = "dot_product",
        index: str | None = None,
    ) -> None:
        """
        :param bm25_tokenization_regex: what a token is; text is lowercased first. The default, Haystack's current
            one, makes every run of word characters a token, single characters included (Haystack's older default
            dropped one-character words).
        :param bm25_algorithm: "BM25L" (default), "BM25Okapi" or "BM25Plus".
        :param bm25_parameters: overrides of k1, b, and delta (BM25L, BM25Plus) or epsilon (BM25Okapi).
        :param embedding_similarity_function: "dot_product" (default) or "cosine".
        :param index: stores with the same index share their documents (kept for the life of the process, as in
            Haystack); by default a new random one.
        """
        if bm25_algorithm not in BM25_ALGORITHMS:
            raise ValueError(f"BM25 algorithm {bm25_algorithm!r} is not supported; use one of {BM25_ALGORITHMS}")
        known = {key for defaults in BM25_DEFAULTS.values() for key in defaults}
        unknown = sorted(set(bm25_parameters or {}) - known)
        if unknown:
            raise ValueError(f"Unknown BM25 parameter(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        if embedding_similarity_function not in SIMILARITY_FUNCTIONS:
            raise ValueError(
                f"Embedding similarity function {embedding_similarity_function!r} is not supported; use one of "
                f"{SIMILARITY_FUNCTIONS}"
            )
        try:
            self.tokenizer = re.compile(bm25_tokenization_regex).findall
        except re.error as exc:
            raise ValueError(f"bm25_tokenization_regex {bm25_tokenization_regex!r} is invalid: {exc}") from exc
        self.bm25_tokenization_regex = bm25_tokenization_regex
        self.bm25_algorithm = bm25_algorithm
        self.bm25_parameters = dict(bm25_parameters or {})
        self.embedding_similarity_function = embedding_similarity_function
        self.index = index if index is not None else str(uuid.uuid4())
        self._storage = _storage_for(self.index)

    def to_dict(self) -> dict[str, Any]:
        """Init parameters only, as Haystack: the documents are not part of a pipeline definition."""
        return default_to_dict(
            self,
            bm25_tokenization_regex=self.bm25_tokenization_regex,
            bm25_algorithm=self.bm25_algorithm,
            bm25_parameters=self.bm25_parameters,
            embedding_similarity_function=self.embedding_similarity_function,
            index=self.index,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InMemoryDocumentStore:
        return default_from_dict(cls, data)

    def save_to_disk(self, path: str | Path) -> None:
        """Write the init parameters and every document (embeddings included) to a JSON file."""
        data = self.to_dict()
        data["documents"] = [document.to_dict() for document in self.filter_documents()]
        with open(path, "w", encoding="utf-8") as file:
            json.dump(data, file)

    @classmethod
    def load_from_disk(cls, path: str | Path) -> InMemoryDocumentStore:
        """A store made from a `save_to_disk` file: its documents overwrite any with the same id in its index."""
        if not Path(path).exists():
            raise FileNotFoundError(f"No InMemoryDocumentStore file at {path}")
        with open(path, encoding="utf-8") as file:
            try:
                data = json.load(file)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path} is not a saved InMemoryDocumentStore: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
            raise ValueError(f"{path} is not a saved InMemoryDocumentStore: it has no 'documents' list")
        documents = [Document.from_dict(document) for document in data.pop("documents")]
        store = cls.from_dict(data)
        store.write_documents(documents, policy=DuplicatePolicy.OVERWRITE)
        return store

    def count_documents(self) -> int:
        return len(self._storage.slots)

    def filter_documents(self, filters: dict[str, Any] | None = None) -> list[Document]:
        """The documents matching `filters` (all of them without), in write order, as copies."""
        if filters:
            validate_filters(filters)
        storage = self._storage
        with storage.lock:
            documents = [
                document for slot in storage.slots.values() if (document := storage.documents[slot]) is not None
            ]
        if filters:
            documents = [document for document in documents if document_matches_filter(filters, document)]
        return [replace(document, meta=dict(document.meta)) for document in documents]

    def write_documents(self, documents: list[Document], policy: DuplicatePolicy = DuplicatePolicy.NONE) -> int:
        """Store documents; returns how many were written. An existing id fails the whole call (FAIL, and NONE,
        as in Haystack) before anything is written, is skipped (SKIP) or replaced (OVERWRITE)."""
        documents = self._checked_documents(documents)
        if not isinstance(policy, DuplicatePolicy):
            raise ValueError(f"policy must be a DuplicatePolicy, got {policy!r}")
        if policy is DuplicatePolicy.NONE:
            policy = DuplicatePolicy.FAIL
        # Copies, so that changing a written document's fields later cannot desynchronize the index.
        batch = [replace(document, meta=dict(document.meta)) for document in self._without_repeats(documents, policy)]
        tokens = [self._tokenize(document.content) if document.content is not None else [] for document in batch]
        embedded = np.array([document.embedding is not None for document in batch], dtype=bool)
        vectors = self._document_vectors([document for document in batch if document.embedding is not None])
        storage = self._storage
        with storage.lock:
            existing = [index for index, document in enumerate(batch) if document.id in storage.slots]
            if existing and policy is DuplicatePolicy.FAIL:
                ids = ", ".join(repr(batch[index].id) for index in existing[:3])
                more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
                raise DuplicateDocumentError(
                    f"ID {ids}{more} already exist(s); nothing was written. Use DuplicatePolicy.SKIP or OVERWRITE."
                )
            if existing and policy is DuplicatePolicy.SKIP:
                logger.warning("Skipped %d document(s) whose ID already exists.", len(existing))
                keep = np.ones(len(batch), dtype=bool)
                keep[existing] = False
                vectors = vectors[keep[embedded]]
                batch = [document for document, kept in zip(batch, keep, strict=True) if kept]
                tokens = [document_tokens for document_tokens, kept in zip(tokens, keep, strict=True) if kept]
            replaced = [batch[index].id for index in existing] if policy is DuplicatePolicy.OVERWRITE else []
            self._check_dimension(vectors, replaced)
            for document_id in replaced:
                storage.remove(document_id)
            storage.compact_if_sparse()
            storage.append(batch, tokens, vectors)
        return len(documents) if policy is DuplicatePolicy.OVERWRITE else len(batch)

    def delete_documents(self, document_ids: list[str]) -> None:
        """Delete the documents with these ids; ids not stored are ignored."""
        storage = self._storage
        with storage.lock:
            for document_id in document_ids:
                if document_id in storage.slots:
                    storage.remove(document_id)
            storage.compact_if_sparse()

    def bm25_retrieval(
        self, query: str, filters: dict[str, Any] | None = None, top_k: int = 10, scale_score: bool = False
    ) -> list[Document]:
        """The `top_k` documents with content that score highest for `query`, highest first.

        As in Haystack: documents without any query term still get BM25L's and BM25Plus's base score, so they fill
        the result after the matching ones; documents scoring 0 or less are dropped (unless the algorithm is
        BM25Okapi and scores are not scaled, as Okapi scores can be meaningfully negative); ties keep write order.
        """
        if not isinstance(query, str) or not query.strip():
            raise ValueError(f"query must be a non-empty string, got {query!r}")
        _check_top_k(top_k)
        if filters:
            validate_filters(filters)
        query_tokens = self._tokenize(query)
        storage = self._storage
        with storage.lock:
            candidates = storage.alive.view & storage.has_content.view
            if filters:
                candidates &= self._filter_mask(filters)
            if not candidates.any():
                logger.warning(
                    "No documents with content%s for BM25 retrieval.", " match the filters" if filters else ""
                )
                return []
            slots = np.flatnonzero(candidates)  # ascending, so ties in top_k_order keep write order
            scores = storage.bm25.score(query_tokens, self.bm25_algorithm, self.bm25_parameters)[slots]
            order = top_k_order(scores, top_k)
            found = [storage.documents[slot] for slot in slots[order]]
        scores = scores[order]
        if scale_score:
            scores = _expit(scores / BM25_SCALING_FACTOR)
        negatives_are_valid = self.bm25_algorithm == "BM25Okapi" and not scale_score
        return [
            _result(document, float(score), with_embedding=True)
            for document, score in zip(found, scores, strict=True)
            if negatives_are_valid or score > 0.0
        ]

    def embedding_retrieval(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
    ) -> list[Document]:
        """The `top_k` documents whose embeddings are most similar to `query_embedding`, highest first; documents
        without an embedding are skipped. Ties keep write order."""
        query = _vector(query_embedding, "query_embedding")
        _check_top_k(top_k)
        if filters:
            validate_filters(filters)
        cosine = self.embedding_similarity_function == "cosine"
        if cosine:
            query_norm = np.linalg.norm(query)
            query = query / query_norm if query_norm else query  # a zero vector scores 0, as in Haystack
        storage = self._storage
        with storage.lock:
            searchable = storage.alive.view.copy()
            if filters:
                searchable &= self._filter_mask(filters)
            candidates = searchable & storage.has_embedding.view
            if not candidates.any():
                logger.warning(
                    "No documents with embeddings%s; returning none. Embed documents with a document embedder.",
                    " match the filters" if filters else "",
                )
                return []
            skipped = int(searchable.sum() - candidates.sum())
            if skipped:
                logger.info("Skipping %d document(s) without an embedding.", skipped)
            if query.shape[0] != storage.dimension:
                raise ValueError(
                    f"The query embedding has dimension {query.shape[0]} but the documents' embeddings have "
                    f"dimension {storage.dimension}; embed the query with the model that embedded the documents."
                )
            similarities = storage.embeddings.view @ query  # type: ignore[union-attr]  # candidates imply a matrix
            if cosine:
                norms = storage.norms.view
                similarities = np.divide(similarities, norms, out=np.zeros_like(similarities), where=norms > 0)
            slots = np.flatnonzero(candidates)
            scores = similarities[slots]
            order = top_k_order(scores, top_k)
            found = [storage.documents[slot] for slot in slots[order]]
        scores = scores[order]
        if scale_score:
            scores = (scores + 1) / 2 if cosine else _expit(scores / DOT_PRODUCT_SCALING_FACTOR)
        return [
            _result(document, float(score), with_embedding=return_embedding)
            for document, score in zip(found, scores, strict=True)
        ]

    def _tokenize(self, text: str) -> list[str]:
        return self.tokenizer(text.lower())

    def _filter_mask(self, filters: dict[str, Any]) -> np.ndarray:
        """Slots whose live document matches `filters`; the caller holds the lock."""
        storage = self._storage
        mask = np.zeros(len(storage.documents), dtype=bool)
        for slot in storage.slots.values():
            document = storage.documents[slot]
            mask[slot] = document is not None and document_matches_filter(filters, document)
        return mask

    def _check_dimension(self, vectors: np.ndarray, replaced: list[str]) -> None:
        """Refuse embeddings whose dimension differs from the stored ones that will remain; the caller holds the
        lock."""
        storage = self._storage
        if not len(vectors) or storage.dimension in (None, vectors.shape[1]):
            return
        remaining = storage.embedded - sum(int(storage.has_embedding.view[storage.slots[i]]) for i in replaced)
        if remaining:
            raise ValueError(
                f"The documents' embeddings have dimension {vectors.shape[1]} but the {remaining} stored embedding(s) "
                f"have dimension {storage.dimension}; nothing was written."
            )

    @staticmethod
    def _checked_documents(documents: Any) -> list[Document]:
        if isinstance(documents, str | bytes | Document) or not isinstance(documents, Iterable):
            raise ValueError(f"write_documents takes a list of Documents, got {type(documents).__name__}")
        documents = list(documents)
        for index, document in enumerate(documents):
            if not isinstance(document, Document):
                raise ValueError(f"documents[{index}] is a {type(document).__name__}, not a Document")
        return documents

    @staticmethod
    def _without_repeats(documents: list[Document], policy: DuplicatePolicy) -> list[Document]:
        """One document per id, as writing them one by one would leave: the first with SKIP, the last with
        OVERWRITE (in the position of its last occurrence); FAIL refuses repeats."""
        if policy is DuplicatePolicy.OVERWRITE:
            last = {document.id: index for index, document in enumerate(documents)}
            return [document for index, document in enumerate(documents) if last[document.id] == index]
        seen: set[str] = set()
        kept: list[Document] = []
        for document in documents:
            if document.id in seen:
                if policy is DuplicatePolicy.FAIL:
                    raise DuplicateDocumentError(
                        f"ID {document.id!r} appears more than once in the documents; nothing was written."
                    )
                continue
            seen.add(document.id)
            kept.append(document)
        return kept

    @staticmethod
    def _document_vectors(documents: list[Document]) -> np.ndarray:
        """The documents' embeddings as a float64 matrix; a clear ValueError if they are not numbers or differ
        in dimension."""
        by_dimension = {
            len(embedding): document.id for document in documents if (embedding := document.embedding) is not None
        }
        if len(by_dimension) > 1:
            described = ", ".join(f"{size} (e.g. {doc_id!r})" for size, doc_id in sorted(by_dimension.items()))
            raise ValueError(f"The documents' embeddings differ in dimension: {described}; nothing was written.")
        if not documents:
            return np.zeros((0, 0))
        try:
            vectors = np.array([document.embedding for document in documents], dtype=np.float64)
        except (TypeError, ValueError):
            vectors = None
        if vectors is None or vectors.ndim != 2 or vectors.shape[1] == 0 or not np.isfinite(vectors).all():
            # One at a time, to name the document at fault (their dimensions agree, checked above).
            return np.stack(
                [_vector(document.embedding, f"the embedding of document {document.id!r}") for document in documents]
            )
        return vectors


def _vector(values: Any, what: str) -> np.ndarray:
    """`values` as a non-empty 1-D float64 array of finite numbers, or a ValueError naming `what`."""
    try:
        vector = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be a list of numbers: {exc}") from exc
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(f"{what} must be a non-empty list of numbers, got shape {vector.shape}")
    if not np.isfinite(vector).all():
        raise ValueError(f"{what} contains NaN or infinite values")
    return vector


def _result(document: Document, score: float, with_embedding: bool) -> Document:
    """A retrieved document: a copy with its score, so callers cannot change what the store holds."""
    embedding = list(document.embedding) if with_embedding and document.embedding is not None else None
    return replace(document, meta=copy.deepcopy(document.meta), score=score, embedding=embedding)
