"""`InMemoryBM25Retriever`: keyword retrieval from an `InMemoryDocumentStore`, as in Haystack."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.components.retrievers.in_memory.base import InMemoryRetriever
from pipeline.core.component import component
from pipeline.dataclasses import Document
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import FilterPolicy


@component
class InMemoryBM25Retriever(InMemoryRetriever):
    """The documents of an `InMemoryDocumentStore` that best match a query by BM25, highest score first.

    ```python
    store = InMemoryDocumentStore()
    store.write_documents([Document(content="Python is a programming language")])
    InMemoryBM25Retriever(store).run(query="programming")["documents"]
    ```
    """

    def __init__(
        self,
        document_store: InMemoryDocumentStore,
        filters: dict[str, Any] | None = None,
        top_k: int = 10,
        scale_score: bool = False,
        filter_policy: FilterPolicy | str = FilterPolicy.REPLACE,
    ) -> None:
        """
        :param document_store: the store to search; it is serialized with the retriever.
        :param filters: filters applied to every query (see `filter_policy`).
        :param top_k: how many documents to return at most.
        :param scale_score: map scores to (0, 1) with sigmoid(score / 8) instead of raw BM25 scores.
        :param filter_policy: "replace": filters given to `run` replace `filters`; "merge": they are combined.
        """
        super().__init__(document_store, filters, top_k, scale_score, filter_policy)

    @component.output_types(documents=list[Document])
    def run(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
    ) -> dict[str, list[Document]]:
        """Retrieve documents for `query`; `filters`, `top_k` and `scale_score` override the init values for this
        call (filters according to the filter policy)."""
        documents = self.document_store.bm25_retrieval(
            query=query,
            filters=self._filters_for(filters),
            top_k=self.top_k if top_k is None else top_k,
            scale_score=self.scale_score if scale_score is None else scale_score,
        )
        return {"documents": documents}

    @component.output_types(documents=list[Document])
    async def run_async(
        self,
        query: str,
        filters: dict[str, Any] | None = None,
        top_k: int | None = None,
        scale_score: bool | None = None,
    ) -> dict[str, list[Document]]:
        """`run` in a worker thread: scoring a large store must not stall the event loop and the components
        running on it."""
        return await asyncio.to_thread(self.run, query, filters, top_k, scale_score)
