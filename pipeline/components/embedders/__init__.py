"""Embedders backed by sentence-transformers, loading models offline (the packaged all-MiniLM-L6-v2 by default)."""

from pipeline.components.embedders.sentence_transformers_document_embedder import (
    SentenceTransformersDocumentEmbedder,
)
from pipeline.components.embedders.sentence_transformers_text_embedder import SentenceTransformersTextEmbedder

__all__ = ["SentenceTransformersDocumentEmbedder", "SentenceTransformersTextEmbedder"]
