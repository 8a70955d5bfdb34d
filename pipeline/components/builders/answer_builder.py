"""`AnswerBuilder`: a generator's replies as `GeneratedAnswer`s, with the documents they cite, as in Haystack."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from pipeline.core.component import component
from pipeline.dataclasses import ChatMessage, Document, GeneratedAnswer

logger = logging.getLogger(__name__)

DEFAULT_REFERENCE_PATTERN = r"\[(\d+)\]"
EXPANDED_REFERENCE_PATTERN = r"\[(\d+(?:[,-]\d+)*)\]"
"""What the default pattern becomes with `expand_reference_ranges`: also `[1,3]` and `[2-4]`."""


@component
class AnswerBuilder:
    """One `GeneratedAnswer` per reply (or for the last reply only): its text, or what `pattern` extracts from it.

    Documents given to `run` are attached as copies whose meta gains `source_index` (1-based position in the input
    list). With a `reference_pattern` (say `\\[(\\d+)\\]`), references like `[2]` in the reply are parsed: each copy
    also gains `referenced` (True or False), and by default only the referenced documents are kept.
    """

    def __init__(
        self,
        pattern: str | None = None,
        reference_pattern: str | None = None,
        last_message_only: bool = False,
        *,
        return_only_referenced_documents: bool = True,
        expand_reference_ranges: bool = False,
    ) -> None:
        """
        :param pattern: a regex for the answer in a reply, with at most one capture group (the answer if present,
            else the whole match); a reply it does not match gives an empty answer. By default the whole reply.
        :param reference_pattern: a regex whose capture group is a 1-based document index, for cited documents.
        :param last_message_only: answer only the last reply (its meta still lists all replies).
        :param return_only_referenced_documents: with `reference_pattern`, keep only the cited documents.
        :param expand_reference_ranges: read `[6-10]` as documents 6 to 10 (and `[1,3]` as 1 and 3 with the default
            reference pattern).
        """
        if pattern:
            _check_groups(pattern)
        self.pattern = pattern
        self.reference_pattern = reference_pattern
        self.last_message_only = last_message_only
        self.return_only_referenced_documents = return_only_referenced_documents
        self.expand_reference_ranges = expand_reference_ranges

    @component.output_types(answers=list[GeneratedAnswer])
    def run(
        self,
        query: str,
        replies: list[str] | list[ChatMessage],
        meta: list[dict[str, Any]] | None = None,
        documents: list[Document] | None = None,
        pattern: str | None = None,
        reference_pattern: str | None = None,
        expand_reference_ranges: bool | None = None,
    ) -> dict[str, Any]:
        """Build the answers; `pattern`, `reference_pattern` and `expand_reference_ranges` override the init values.

        :param meta: one dict per reply, merged over a chat reply's own meta.
        """
        if not meta:
            meta = [{}] * len(replies)
        elif len(replies) != len(meta):
            raise ValueError(f"Number of replies ({len(replies)}), and metadata ({len(meta)}) must match.")
        if pattern:
            _check_groups(pattern)
        pattern = pattern or self.pattern
        expand = self.expand_reference_ranges if expand_reference_ranges is None else expand_reference_ranges
        reference_pattern = reference_pattern or self.reference_pattern
        if reference_pattern == DEFAULT_REFERENCE_PATTERN and expand:
            reference_pattern = EXPANDED_REFERENCE_PATTERN

        pairs = list(zip(replies, meta, strict=True))
        answers = []
        for reply, given_meta in pairs[-1:] if self.last_message_only else pairs:
            text = (reply.text or "") if isinstance(reply, ChatMessage) else str(reply)
            answer_meta = {**(reply.meta if isinstance(reply, ChatMessage) else {}), **given_meta}
            answer_meta["all_messages"] = replies
            cited = self._documents(text, documents or [], reference_pattern, expand)
            answers.append(GeneratedAnswer(data=_answer(text, pattern), query=query, documents=cited, meta=answer_meta))
        return {"answers": answers}

    def _documents(
        self, reply: str, documents: list[Document], reference_pattern: str | None, expand: bool
    ) -> list[Document]:
        """Copies of the documents to attach, in index order, their meta marked with their index and citation."""
        if not documents:
            return []
        referenced = _references(reply, reference_pattern, expand, len(documents)) if reference_pattern else set()
        indexes = referenced if reference_pattern and self.return_only_referenced_documents else range(len(documents))
        attached = []
        for index in sorted(indexes):
            if index >= len(documents) or index < 0:
                logger.warning("Document index '%s' referenced in Generator output is out of range. ", index + 1)
                continue
            document_meta: dict[str, Any] = {**documents[index].meta, "source_index": index + 1}
            if reference_pattern:
                document_meta["referenced"] = index in referenced
            attached.append(replace(documents[index], meta=document_meta))
        return attached


def _check_groups(pattern: str) -> None:
    if re.compile(pattern).groups > 1:
        raise ValueError(
            f"Pattern '{pattern}' contains multiple capture groups. "
            f"Please specify a pattern with at most one capture group."
        )


def _answer(reply: str, pattern: str | None) -> str:
    if pattern is None:
        return reply
    match = re.search(pattern, reply)
    if match is None:
        return ""
    return match.group(1) if match.lastindex else match.group(0)


def _references(reply: str, pattern: str, expand: bool, document_count: int) -> set[int]:
    """0-based indexes of the cited documents. A range's end is capped at the document count, so a reply citing
    `[1-999999999]` cannot make a huge set."""
    indexes: set[int] = set()
    for match in re.findall(pattern, reply):
        if not expand:
            indexes.add(int(match) - 1)
            continue
        for part in (part.strip() for part in match.split(",")):
            if not part:
                continue
            start, dash, end = part.partition("-")
            if not dash:
                indexes.add(int(start) - 1)
            elif int(start) <= int(end):
                indexes.update(range(int(start) - 1, min(int(end), document_count)))
    return indexes
