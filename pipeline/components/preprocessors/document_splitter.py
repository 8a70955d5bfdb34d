"""`DocumentSplitter`: cuts documents into overlapping chunks of words, sentences, lines, ... as in Haystack."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from copy import deepcopy
from typing import Any, Literal

from pipeline.components.preprocessors.sentence_tokenizer import (
    Language,
    SentenceSplitter,
    check_sentence_dependencies,
)
from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import Document
from pipeline.utils import deserialize_callable, serialize_callable

logger = logging.getLogger(__name__)

SplitBy = Literal["function", "page", "passage", "period", "word", "line", "sentence"]
_SPLIT_BY_VALUES = ("function", "page", "passage", "period", "word", "line", "sentence")
_SEPARATORS = {"page": "\f", "passage": "\n\n", "period": ".", "word": " ", "line": "\n"}
"""What each character-based unit ends with; `function` and `sentence` units are found otherwise."""

Splits = tuple[list[str], list[int], list[int]]
"""Texts of the splits, the page each starts on, and the character offset where each starts."""


@component
class DocumentSplitter:
    """Splits each document into chunks of `split_length` units, consecutive chunks sharing `split_overlap` units.

    Units keep their separators, so the chunks of a document concatenate (overlaps aside) to its text. Each chunk's
    meta is the source document's plus `source_id`, `page_number` (counting form feeds), `split_id`,
    `split_idx_start` (its offset in the source text) and, when overlapping, `_split_overlap`: the neighbouring
    chunks' ids and the character ranges shared with them. A chunk with fewer than `split_threshold` units joins
    the one before. `split_by="sentence"` and `respect_sentence_boundary=True` (whole sentences of at most
    `split_length` words) use NLTK's Punkt tokenizer, loaded by `warm_up`.
    """

    def __init__(
        self,
        split_by: SplitBy = "word",
        split_length: int = 200,
        split_overlap: int = 0,
        split_threshold: int = 0,
        splitting_function: Callable[[str], list[str]] | None = None,
        respect_sentence_boundary: bool = False,
        language: Language = "en",
        use_split_rules: bool = True,
        extend_abbreviations: bool = True,
        *,
        skip_empty_documents: bool = True,
    ) -> None:
        if split_by not in _SPLIT_BY_VALUES:
            raise ValueError(f"split_by must be one of {', '.join(_SPLIT_BY_VALUES)}.")
        if split_by == "function" and splitting_function is None:
            raise ValueError("When 'split_by' is set to 'function', a valid 'splitting_function' must be provided.")
        if split_length <= 0:
            raise ValueError("split_length must be greater than 0.")
        if split_overlap < 0:
            raise ValueError("split_overlap must be greater than or equal to 0.")
        if split_overlap >= split_length:
            raise ValueError("split_overlap must be less than split_length.")
        if respect_sentence_boundary and split_by != "word":
            logger.warning(
                "The 'respect_sentence_boundary' option is only supported for `split_by='word'`. "
                "The option `respect_sentence_boundary` will be set to `False`."
            )
            respect_sentence_boundary = False

        self.split_by = split_by
        self.split_length = split_length
        self.split_overlap = split_overlap
        self.split_threshold = split_threshold
        self.splitting_function = splitting_function
        self.respect_sentence_boundary = respect_sentence_boundary
        self.language = language
        self.use_split_rules = use_split_rules
        self.extend_abbreviations = extend_abbreviations
        self.skip_empty_documents = skip_empty_documents
        self._use_sentence_splitter = split_by == "sentence" or respect_sentence_boundary
        self.sentence_splitter: SentenceSplitter | None = None
        if self._use_sentence_splitter:
            check_sentence_dependencies()

    def warm_up(self) -> None:
        """Load the sentence tokenizer, if this splitter needs one (a second call does nothing)."""
        if self._use_sentence_splitter and self.sentence_splitter is None:
            self.sentence_splitter = SentenceSplitter(
                language=self.language,
                use_split_rules=self.use_split_rules,
                extend_abbreviations=self.extend_abbreviations,
                keep_white_spaces=True,
            )

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """The chunks of every document, in order; empty documents are skipped if `skip_empty_documents`."""
        if self._use_sentence_splitter and self.sentence_splitter is None:
            self.warm_up()
        if not isinstance(documents, list) or (documents and not isinstance(documents[0], Document)):
            raise TypeError("DocumentSplitter expects a List of Documents as input.")

        split_docs: list[Document] = []
        for doc in documents:
            if doc.content is None:
                raise ValueError(
                    f"DocumentSplitter only works with text documents but content for document ID {doc.id} is None."
                )
            if doc.content == "" and self.skip_empty_documents:
                logger.warning("Document ID %s has an empty content. Skipping this document.", doc.id)
                continue
            split_docs += self._split_document(doc, doc.content)
        return {"documents": split_docs}

    def _split_document(self, doc: Document, text: str) -> list[Document]:
        meta = deepcopy(doc.meta)
        meta["source_id"] = doc.id
        if self.sentence_splitter is not None:
            sentences = [sentence["sentence"] for sentence in self.sentence_splitter.split_sentences(text)]
            if self.respect_sentence_boundary:
                splits = _group_sentences_by_words(sentences, self.split_length, self.split_overlap)
            else:
                splits = self._concatenate_units(sentences)
            return self._create_docs_from_splits(splits, meta)
        if self.split_by == "function" and self.splitting_function is not None:
            return [Document(content=chunk, meta=deepcopy(meta)) for chunk in self.splitting_function(text)]
        separator = _SEPARATORS[self.split_by]
        units = text.split(separator)
        units = [unit + separator for unit in units[:-1]] + units[-1:]
        return self._create_docs_from_splits(self._concatenate_units(units), meta)

    def _concatenate_units(self, units: list[str]) -> Splits:
        """Windows of `split_length` units every `split_length - split_overlap` units, tracking pages and offsets."""
        texts: list[str] = []
        pages: list[int] = []
        starts: list[int] = []
        start = 0
        page = 1
        step = self.split_length - self.split_overlap
        for window in _windows(units, self.split_length, step):
            text = "".join(window)
            if len(window) < self.split_threshold and texts:
                texts[-1] += text  # too short to stand alone
            elif not self.skip_empty_documents or text:
                texts.append(text)
                pages.append(page)
                starts.append(start)
            advanced = window[:step]  # the units the next window no longer holds
            start += len("".join(advanced))
            page += len(advanced) if self.split_by == "page" else sum(unit.count("\f") for unit in advanced)
        return texts, pages, starts

    def _create_docs_from_splits(self, splits: Splits, meta: dict[str, Any]) -> list[Document]:
        texts, pages, starts = splits
        documents: list[Document] = []
        for i, (text, page, start) in enumerate(zip(texts, pages, starts, strict=True)):
            split_meta = deepcopy(meta)
            split_meta["page_number"] = page
            split_meta["split_id"] = i
            split_meta["split_idx_start"] = start
            doc = Document(content=text, meta=split_meta)
            documents.append(doc)
            if self.split_overlap <= 0:
                continue
            doc.meta["_split_overlap"] = []
            if i > 0:
                _link_overlap(doc, start, documents[i - 1], starts[i - 1])
        return documents

    def to_dict(self) -> dict[str, Any]:
        """Haystack's layout; a `splitting_function` is saved as its import path."""
        data = default_to_dict(
            self,
            split_by=self.split_by,
            split_length=self.split_length,
            split_overlap=self.split_overlap,
            split_threshold=self.split_threshold,
            respect_sentence_boundary=self.respect_sentence_boundary,
            language=self.language,
            use_split_rules=self.use_split_rules,
            extend_abbreviations=self.extend_abbreviations,
            skip_empty_documents=self.skip_empty_documents,
        )
        if self.splitting_function:
            data["init_parameters"]["splitting_function"] = serialize_callable(self.splitting_function)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentSplitter:
        """The inverse of `to_dict`; `data` is not modified."""
        init_parameters = dict(data.get("init_parameters") or {})
        if init_parameters.get("splitting_function"):
            init_parameters["splitting_function"] = deserialize_callable(init_parameters["splitting_function"])
        return default_from_dict(cls, {**data, "init_parameters": init_parameters})


def _windows(units: Sequence[str], size: int, step: int) -> Iterator[list[str]]:
    """`units[k*step : k*step + size]` for each k whose window holds a unit the previous one did not."""
    for begin in range(0, len(units), step):
        if begin > 0 and begin - step + size >= len(units):
            return
        yield list(units[begin : begin + size])


def _link_overlap(doc: Document, start: int, previous: Document, previous_start: int) -> None:
    """Record in both chunks' `_split_overlap` the text `doc` shares with the end of `previous`, if it does."""
    assert doc.content is not None and previous.content is not None  # both are chunks of a text
    overlap = (start - previous_start, len(previous.content))
    if overlap[0] >= overlap[1]:
        return
    if doc.content.startswith(previous.content[overlap[0] : overlap[1]]):
        doc.meta["_split_overlap"].append({"doc_id": previous.id, "range": overlap})
        previous.meta["_split_overlap"].append({"doc_id": doc.id, "range": (0, overlap[1] - overlap[0])})


def _group_sentences_by_words(sentences: list[str], split_length: int, split_overlap: int) -> Splits:
    """Whole sentences per chunk, at most `split_length` words unless one sentence is longer on its own.

    The next chunk starts with the last sentences of this one holding just over `split_overlap` words (never
    the chunk's first sentence, so chunks do not repeat).
    """
    chunks: list[list[str]] = []
    pages: list[int] = []
    starts: list[int] = []
    chunk: list[str] = []
    chunk_words = 0
    page = 1
    start = 0
    for i, sentence in enumerate(sentences):
        chunk.append(sentence)
        chunk_words += len(sentence.split())
        is_last = i == len(sentences) - 1
        next_words = 0 if is_last else len(sentences[i + 1].split())
        if chunk_words + next_words <= split_length and not is_last:
            continue
        chunks.append(chunk)
        pages.append(page)
        starts.append(start)
        keep = _sentences_to_keep(chunk, split_length, split_overlap)
        done, chunk = (chunk[:-keep], chunk[-keep:]) if keep > 0 else (chunk, [])
        page += sum(sentence.count("\f") for sentence in done)
        start += len("".join(done))
        chunk_words = sum(len(sentence.split()) for sentence in chunk)
    texts = [text for text in ("".join(chunk) for chunk in chunks) if text]
    return texts, pages, starts


def _sentences_to_keep(sentences: list[str], split_length: int, split_overlap: int) -> int:
    """How many trailing sentences (not the first) of a chunk the next chunk repeats to overlap `split_overlap`."""
    if split_overlap == 0:
        return 0
    keep = 0
    words = 0
    for sentence in reversed(sentences[1:]):
        words += len(sentence.split())
        if words > split_length:
            break
        keep += 1
        if words > split_overlap:
            break
    return keep
