"""Errors raised by document stores, as in Haystack's `haystack.document_stores.errors`."""

from __future__ import annotations


class DocumentStoreError(Exception):
    """A document store cannot do what was asked."""


class DuplicateDocumentError(DocumentStoreError):
    """A document with the same id is already stored and the duplicate policy says to fail."""


class FilterError(ValueError):
    """A malformed filter, or one that cannot compare a document's value; a `ValueError` so callers can catch
    bad input in one place."""
