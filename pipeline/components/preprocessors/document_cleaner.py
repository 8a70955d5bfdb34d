"""`DocumentCleaner`: normalizes and strips noise from document texts before splitting, as in Haystack."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import replace
from typing import Literal
from unicodedata import normalize

from pipeline.core.component import component
from pipeline.dataclasses import Document

logger = logging.getLogger(__name__)

NormalizationForm = Literal["NFC", "NFKC", "NFD", "NFKD"]
_NORMALIZATION_FORMS = ("NFC", "NFKC", "NFD", "NFKD")
PAGE_BREAK = "\f"


@component
class DocumentCleaner:
    """Cleans document texts, page by page (pages are separated by form feeds, "\\f").

    The steps run in this order, each only if enabled: unicode normalization, ASCII folding, extra whitespace,
    empty lines, substrings, `remove_regex`, `replace_regexes`, repeated headers and footers, strip. A document
    without content is passed through unchanged. Cleaned documents get a new id unless `keep_id`.
    """

    def __init__(
        self,
        remove_empty_lines: bool = True,
        remove_extra_whitespaces: bool = True,
        remove_repeated_substrings: bool = False,
        keep_id: bool = False,
        remove_substrings: list[str] | None = None,
        remove_regex: str | None = None,
        unicode_normalization: NormalizationForm | None = None,
        ascii_only: bool = False,
        strip_whitespaces: bool = False,
        replace_regexes: dict[str, str] | None = None,
    ) -> None:
        if unicode_normalization and unicode_normalization not in _NORMALIZATION_FORMS:
            raise ValueError("unicode_normalization must be one of 'NFC', 'NFKC', 'NFD', 'NFKD'.")
        self.remove_empty_lines = remove_empty_lines
        self.remove_extra_whitespaces = remove_extra_whitespaces
        self.remove_repeated_substrings = remove_repeated_substrings
        self.remove_substrings = remove_substrings
        self.remove_regex = remove_regex
        self.keep_id = keep_id
        self.unicode_normalization = unicode_normalization
        self.ascii_only = ascii_only
        self.strip_whitespaces = strip_whitespaces
        self.replace_regexes = replace_regexes

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        """Cleaned copies of `documents`, in order; the inputs are not modified."""
        if not isinstance(documents, list) or (documents and not isinstance(documents[0], Document)):
            raise TypeError("DocumentCleaner expects a List of Documents as input.")
        cleaned: list[Document] = []
        for doc in documents:
            if doc.content is None:
                logger.warning(
                    "DocumentCleaner only cleans text documents but document.content for document ID %s is None.",
                    doc.id,
                )
                cleaned.append(doc)
                continue
            # replace() copies every other field (score, embedding, ...); an empty id is derived anew.
            new_id = doc.id if self.keep_id else ""
            cleaned.append(replace(doc, id=new_id, content=self._clean(doc.content), meta=deepcopy(doc.meta)))
        return {"documents": cleaned}

    def _clean(self, text: str) -> str:
        if self.unicode_normalization:
            text = normalize(self.unicode_normalization, text)
        if self.ascii_only:
            # NFKD splits accented letters into letter + combining mark; the marks (and all else non-ASCII) drop.
            text = normalize("NFKD", text).encode("ascii", "ignore").decode("utf-8")
        if self.remove_extra_whitespaces:
            text = _per_page(text, lambda page: re.sub(r"\s\s+", " ", page).strip())
        if self.remove_empty_lines:
            text = _per_page(text, lambda page: "\n".join(line for line in page.split("\n") if line.strip()))
        if self.remove_substrings:
            for substring in self.remove_substrings:
                text = text.replace(substring, "")
        if self.remove_regex:
            regex = self.remove_regex
            text = _per_page(text, lambda page: re.sub(regex, "", page).strip())
        if self.replace_regexes:
            text = _per_page(text, self._replace_regexes)
        if self.remove_repeated_substrings:
            text = _remove_header_and_footer(text, n_chars=300, n_first_pages_to_ignore=1, n_last_pages_to_ignore=1)
        if self.strip_whitespaces:
            text = text.strip()
        return text

    def _replace_regexes(self, page: str) -> str:
        for pattern, replacement in (self.replace_regexes or {}).items():
            page = re.sub(pattern, replacement, page)
        return page


def _per_page(text: str, clean_page: Callable[[str], str]) -> str:
    """Apply `clean_page` to each page, so page breaks (and so page numbers downstream) survive cleaning."""
    return PAGE_BREAK.join(clean_page(page) for page in text.split(PAGE_BREAK))


def _remove_header_and_footer(
    text: str, n_chars: int, n_first_pages_to_ignore: int, n_last_pages_to_ignore: int
) -> str:
    """Remove the longest text that starts (header) and ends (footer) every page, as exact repeated word n-grams.

    The header is looked for in each page's first `n_chars` characters and the footer in its last; the first and
    last pages (a title page, an index) are left out of the search but cleaned too.
    """
    pages = text.split(PAGE_BREAK)
    inner = slice(n_first_pages_to_ignore, -n_last_pages_to_ignore)
    header = _longest_common_ngram([page[:n_chars] for page in pages[inner]])
    if header:
        pages = [page.replace(header, "") for page in pages]
    footer = _longest_common_ngram([page[-n_chars:] for page in pages[inner]])
    if footer:
        pages = [page.replace(footer, "") for page in pages]
    logger.debug("Removed header '%s' and footer '%s' in document", header, footer)
    return PAGE_BREAK.join(pages)


def _ngrams(sequence: str, n: int) -> list[str]:
    """Runs of `n` space-separated words; newlines and tabs count as word starts but are kept as they were."""
    words = sequence.replace("\n", " \n").replace("\t", " \t").split(" ")
    return [" ".join(words[i : i + n]).replace(" \n", "\n").replace(" \t", "\t") for i in range(len(words) - n + 1)]


def _longest_common_ngram(sequences: list[str], min_ngram: int = 3, max_ngram: int = 30) -> str:
    """The longest n-gram (`min_ngram` <= n < `max_ngram` words) in all non-empty sequences; "" if only blanks.

    Of several equally long ones the alphabetically first is taken, so a run cleans the same way every time
    (Haystack takes whichever its set yields first, which varies with the interpreter's string hash seed).
    """
    sequences = [sequence for sequence in sequences if sequence]
    if not sequences:
        return ""
    common: set[str] | None = None
    for sequence in sequences:
        grams = {gram for n in range(min_ngram, max_ngram) for gram in _ngrams(sequence, n)}
        common = grams if common is None else common & grams
    longest = max(sorted(common or ()), key=len, default="")
    return longest if longest.strip() else ""
