"""Retrievers for the in-memory document store."""

from pipeline.components.retrievers.in_memory.bm25_retriever import InMemoryBM25Retriever
from pipeline.components.retrievers.in_memory.embedding_retriever import InMemoryEmbeddingRetriever

__all__ = ["InMemoryBM25Retriever", "InMemoryEmbeddingRetriever"]
