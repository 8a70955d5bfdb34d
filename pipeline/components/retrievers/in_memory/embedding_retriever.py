"""`InMemoryEmbeddingRetriever`: vector similarity retrieval from an `InMemoryDocumentStore`, as in Haystack."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.components.retrievers.in_memory.base import InMemoryRetriever
from pipeline.core.component import component
from pipeline.dataclasses import Document
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import FilterPolicy


@component
class InMemoryEmbeddingRetriever(InMemoryRetriever):
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
        super().__init__(document_store, filters, top_k, scale_score, filter_policy)
        self.return_embedding = return_embedding

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
            filters=self._filters_for(filters),
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
