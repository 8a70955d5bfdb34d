"""Document stores, as in Haystack's `haystack.document_stores`: the in-memory store, policies and errors."""

from pipeline.document_stores.errors import DocumentStoreError, DuplicateDocumentError, FilterError
from pipeline.document_stores.types import DuplicatePolicy, FilterPolicy

__all__ = ["DocumentStoreError", "DuplicateDocumentError", "DuplicatePolicy", "FilterError", "FilterPolicy"]
