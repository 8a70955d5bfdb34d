"""Writers: components that put documents into a document store."""

from pipeline.components.writers.document_writer import DocumentWriter

__all__ = ["DocumentWriter"]
