"""`DocumentWriter`: the end of an indexing pipeline, writing documents into a store."""

from __future__ import annotations

import asyncio

from pipeline.core.component import component
from pipeline.dataclasses import Document
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import DuplicatePolicy


@component
class DocumentWriter:
    """Writes its input documents with the given duplicate policy and reports how many were written."""

    def __init__(self, document_store: InMemoryDocumentStore, policy: DuplicatePolicy | str = DuplicatePolicy.NONE):
        if not isinstance(document_store, InMemoryDocumentStore):
            raise ValueError(f"document_store must be an InMemoryDocumentStore, got {type(document_store).__name__}")
        self.document_store = document_store
        self.policy = policy if isinstance(policy, DuplicatePolicy) else DuplicatePolicy(policy)

    @component.output_types(documents_written=int)
    def run(self, documents: list[Document], policy: DuplicatePolicy | None = None) -> dict[str, int]:
        return {"documents_written": self.document_store.write_documents(documents, policy or self.policy)}

    @component.output_types(documents_written=int)
    async def run_async(self, documents: list[Document], policy: DuplicatePolicy | None = None) -> dict[str, int]:
        """Writing updates the BM25 index and the embedding matrix: CPU work, done in a worker thread."""
        return await asyncio.to_thread(self.run, documents, policy)
