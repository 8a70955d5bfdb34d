"""`InMemoryEmbeddingRetriever`: vector similarity retrieval from an `InMemoryDocumentStore`, as in Haystack."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.core.component import component
from pipeline.dataclasses import Document
from pipeline.document_stores.filters import validate_filters
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import FilterPolicy, apply_filter_policy


@component
class InMemoryEmbeddingRetriever:
    """The documents of an `InMemoryDocumentStore` whose embeddings are most similar to a query embedding, by the
    store's similarity function (dot product or cosine), highest first. Documents without an embedding are
    skipped; embed documents and query with the same model."""

    def __init__(
        self,
        document_store: InMemoryDocumentStore,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        return_embedding: bool = False,
        filter_policy: FilterPolicy | str = FilterPolicy.REPLACE,
    ) -> None:
        """
        :param document_store: the store to search; it is serialized with the retriever.
        :param filters: filters applied to every query (see `filter_policy`).
        :param top_k: how many documents to return at most.
        :param scale_score: map scores to [0, 1]: (cosine + 1) / 2, or sigmoid(dot product / 100).
        :param return_embedding: keep the documents' embeddings in the results (dropped by default, they are big).
        :param filter_policy: "replace": filters given to `run` replace `filters`; "merge": they are combined.
        """
        if not isinstance(document_store, InMemoryDocumentStore):
            raise ValueError(f"document_store must be an InMemoryDocumentStore, got {type(document_store).__name__}")
        if not isinstance(top_k, int) or top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k!r}")
        if filters:
            validate_filters(filters)
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k
        self.scale_score = scale_score
        self.return_embedding = return_embedding
        self.filter_policy = FilterPolicy.from_str(filter_policy) if isinstance(filter_policy, str) else filter_policy

    def warm_up(self) -> None:
        """Let a store that fills itself (from a corpus on disk, say) do so off the event loop, before any query."""
        warm_up = getattr(self.document_store, "warm_up", None)
        if callable(warm_up):
            warm_up()

    @component.output_types(documents=list[Document])
    def run(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
    ) -> dict[str, list[Document]]:
        """Retrieve documents for `query_embedding`; the other arguments override the init values for this call
        (filters according to the filter policy)."""
        documents = self.document_store.embedding_retrieval(
            query_embedding=query_embedding,
            filters=apply_filter_policy(self.filter_policy, self.filters, filters),
            top_k=self.top_k if top_k is None else top_k,
            scale_score=self.scale_score if scale_score is None else scale_score,
            return_embedding=self.return_embedding if return_embedding is None else return_embedding,
        )
        return {"documents": documents}

    @component.output_types(documents=list[Document])
    async def run_async(
        self,
        query_embedding: list[float],
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
        return_embedding: bool | None = None,
    ) -> dict[str, list[Document]]:
        """`run` in a worker thread: a similarity search over a large store must not stall the event loop."""
        return await asyncio.to_thread(self.run, query_embedding, filters, top_k, scale_score, return_embedding)
