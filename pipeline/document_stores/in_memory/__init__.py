"""The in-memory document store (`from pipeline.document_stores.in_memory import InMemoryDocumentStore`)."""

from pipeline.document_stores.in_memory.document_store import InMemoryDocumentStore

__all__ = ["InMemoryDocumentStore"]
