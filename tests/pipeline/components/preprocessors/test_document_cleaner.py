# ruff: noqa: E501 (the expected values are Haystack's outputs, pasted as generated)
"""DocumentCleaner against Haystack 2.31.

The expected texts in CLEAN_CASES were generated once by running Haystack 2.31's DocumentCleaner (the side venv)
on the same documents, and pasted here as literals.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pipeline import Pipeline
from pipeline.components.preprocessors import DocumentCleaner
from pipeline.core.component import input_sockets, output_sockets
from pipeline.dataclasses import Document

TEXT = (
    "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"
    '"Is it?" she asked. 1. First item.\nThen (aside) more.\f'
    "Page two starts. It has  two\tsentences!\n\n\nAnd a third?\f\fLast page, e.g. the end."
)
HEADERS_AND_FOOTERS = "\f".join(
    f"ACME Corp Report 2024 header\nBody {i} words {i * 7}.\nCopyright 2024 ACME footer" for i in range(4)
)
UNICODE = "Ünïcödé café ﬁ Ⅻ naïve — “quotes”  \n  \n x  "

CLEAN_CASES = [
    (
        {},
        [
            'Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has two\tsentences! And a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes” x",
        ],
    ),
    (
        {"remove_empty_lines": False, "remove_extra_whitespaces": False},
        [
            'Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes”  \n  \n x  ",
        ],
    ),
    (
        {"remove_repeated_substrings": True},
        [
            'Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) more.\x0c\x0c\x0cLast page, e.g. the end.',
            " 0 words 0.\x0c 1 words 7.\x0c 2 words 14.\x0c 3 words 21.",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes” x",
        ],
    ),
    (
        {"remove_substrings": ["ACME", "o"]},
        [
            'Dr. Smith went t Washingtn. He arrived at 5 p.m. n Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) mre.\x0cPage tw starts. It has tw\tsentences! And a third?\x0c\x0cLast page, e.g. the end.',
            " Crp Reprt 2024 header\nBdy 0 wrds 0.\nCpyright 2024  fter\x0c Crp Reprt 2024 header\nBdy 1 wrds 7.\nCpyright 2024  fter\x0c Crp Reprt 2024 header\nBdy 2 wrds 14.\nCpyright 2024  fter\x0c Crp Reprt 2024 header\nBdy 3 wrds 21.\nCpyright 2024  fter",
            "Ünïcödé café ﬁ Ⅻ naïve — “qutes” x",
        ],
    ),
    (
        {"remove_regex": "\\d+"},
        [
            'Dr. Smith went to Washington. He arrived at  p.m. on Jan. rd. "Is it?" she asked. . First item.\nThen (aside) more.\x0cPage two starts. It has two\tsentences! And a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report  header\nBody  words .\nCopyright  ACME footer\x0cACME Corp Report  header\nBody  words .\nCopyright  ACME footer\x0cACME Corp Report  header\nBody  words .\nCopyright  ACME footer\x0cACME Corp Report  header\nBody  words .\nCopyright  ACME footer",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes” x",
        ],
    ),
    (
        {"unicode_normalization": "NFKC"},
        [
            'Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has two\tsentences! And a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Ünïcödé café fi XII naïve — “quotes” x",
        ],
    ),
    (
        {"ascii_only": True},
        [
            'Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has two\tsentences! And a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Unicode cafe fi XII naive quotes x",
        ],
    ),
    (
        {"strip_whitespaces": True, "remove_extra_whitespaces": False},
        [
            'Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\nAnd a third?\x0c\x0cLast page, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes”  \n x",
        ],
    ),
    (
        {"replace_regexes": {"\\n\\n+": "\n", "[Pp]age": "PAGE"}, "remove_empty_lines": False},
        [
            'Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3rd. "Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPAGE two starts. It has two\tsentences! And a third?\x0c\x0cLast PAGE, e.g. the end.',
            "ACME Corp Report 2024 header\nBody 0 words 0.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 1 words 7.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 2 words 14.\nCopyright 2024 ACME footer\x0cACME Corp Report 2024 header\nBody 3 words 21.\nCopyright 2024 ACME footer",
            "Ünïcödé café ﬁ Ⅻ naïve — “quotes” x",
        ],
    ),
]


@pytest.mark.parametrize(("init_parameters", "expected"), CLEAN_CASES, ids=[repr(case[0]) for case in CLEAN_CASES])
def test_cleans_as_haystack_does(init_parameters: dict[str, Any], expected: list[str]) -> None:
    documents = [Document(content=text) for text in [TEXT, HEADERS_AND_FOOTERS, UNICODE]]
    cleaned = DocumentCleaner(**init_parameters).run(documents)["documents"]
    assert [doc.content for doc in cleaned] == expected


def test_copies_meta_score_and_embedding_and_makes_a_new_id() -> None:
    source = Document(content="a  b", meta={"tags": ["x"]}, score=0.5, embedding=[1.0, 2.0])
    (cleaned,) = DocumentCleaner().run([source])["documents"]
    assert (cleaned.content, cleaned.meta, cleaned.score, cleaned.embedding) == (
        "a b",
        {"tags": ["x"]},
        0.5,
        [1.0, 2.0],
    )
    assert cleaned.id == Document(content="a b", meta={"tags": ["x"]}, score=0.5, embedding=[1.0, 2.0]).id
    assert cleaned.id != source.id
    cleaned.meta["tags"].append("y")
    assert source.meta == {"tags": ["x"]}  # a deep copy
    (kept,) = DocumentCleaner(keep_id=True).run([source])["documents"]
    assert kept.id == source.id


def test_document_without_content_passes_through(caplog: pytest.LogCaptureFixture) -> None:
    source = Document(content=None, meta={"k": 1})
    with caplog.at_level(logging.WARNING):
        assert DocumentCleaner().run([source])["documents"] == [source]
    assert (
        f"DocumentCleaner only cleans text documents but document.content for document ID {source.id} is None."
        in caplog.text
    )


def test_invalid_unicode_normalization() -> None:
    with pytest.raises(ValueError, match=r"^unicode_normalization must be one of 'NFC', 'NFKC', 'NFD', 'NFKD'\.$"):
        DocumentCleaner(unicode_normalization="NFX")  # type: ignore[arg-type]


def test_run_rejects_what_is_not_a_list_of_documents() -> None:
    with pytest.raises(TypeError, match=r"^DocumentCleaner expects a List of Documents as input\.$"):
        DocumentCleaner().run(documents="text")  # type: ignore[arg-type]


def test_equally_long_headers_are_chosen_the_same_way_every_time() -> None:
    # "aa bb cc" and "xx yy zz" both start every inner page: the alphabetically first one goes.
    pages = ["title", "aa bb cc 1 xx yy zz", "xx yy zz 2 aa bb cc", "end"]
    (cleaned,) = DocumentCleaner(remove_repeated_substrings=True, remove_extra_whitespaces=False).run(
        [Document(content="\f".join(pages))]
    )["documents"]
    assert cleaned.content == "\f".join(["title", " 1 ", " 2 ", "end"])


def test_sockets_and_pipeline_round_trip() -> None:
    cleaner = DocumentCleaner(remove_substrings=["x"], unicode_normalization="NFC", replace_regexes={"a+": "a"})
    assert list(input_sockets(cleaner)) == ["documents"]
    assert list(output_sockets(cleaner)) == ["documents"]
    pipe = Pipeline()
    pipe.add_component("cleaner", cleaner)
    assert pipe.to_dict()["components"]["cleaner"] == {
        "type": "pipeline.components.preprocessors.document_cleaner.DocumentCleaner",
        "init_parameters": {
            "remove_empty_lines": True,
            "remove_extra_whitespaces": True,
            "remove_repeated_substrings": False,
            "keep_id": False,
            "remove_substrings": ["x"],
            "remove_regex": None,
            "unicode_normalization": "NFC",
            "ascii_only": False,
            "strip_whitespaces": False,
            "replace_regexes": {"a+": "a"},
        },
    }
    restored = Pipeline.loads(pipe.dumps())
    result = restored.run({"cleaner": {"documents": [Document(content="xaaa  b")]}})
    assert result["cleaner"]["documents"][0].content == "a b"
