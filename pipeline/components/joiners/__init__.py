"""Joiners: components that combine the outputs of several branches."""

from pipeline.components.joiners.answer_joiner import AnswerJoiner
from pipeline.components.joiners.branch import BranchJoiner
from pipeline.components.joiners.document_joiner import DocumentJoiner, JoinMode
from pipeline.components.joiners.string_joiner import StringJoiner

__all__ = ["AnswerJoiner", "BranchJoiner", "DocumentJoiner", "JoinMode", "StringJoiner"]
