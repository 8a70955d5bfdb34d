"""Retrievers: components that find documents for a query (`from pipeline.components.retrievers import ...`)."""

from pipeline.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever

__all__ = ["InMemoryBM25Retriever", "InMemoryEmbeddingRetriever"]
