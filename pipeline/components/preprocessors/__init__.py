"""Preprocessors: components that clean and split documents before indexing, as in Haystack."""

from pipeline.components.preprocessors.document_cleaner import DocumentCleaner
from pipeline.components.preprocessors.document_splitter import DocumentSplitter

__all__ = ["DocumentCleaner", "DocumentSplitter"]
