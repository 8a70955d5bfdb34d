"""Joiners: components that combine the outputs of several branches."""

from pipeline.components.joiners.document_joiner import DocumentJoiner, JoinMode

__all__ = ["DocumentJoiner", "JoinMode"]
