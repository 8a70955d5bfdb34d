"""Load: huge outputs (a 50 MB string, 100k documents) printed by `pipedebug run` shortened, with a way to see all."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console
from rich.pretty import Pretty

from pipeline.dataclasses import Document
from pipeline.runs.codec import decode
from pipeline.runs.diff import diff_value
from tui.cli import main
from tui.render import SHOWN_CHARS, SHOWN_ITEMS, SHOWN_LINES, Shortened, outputs_view, shortened
from tui.render_diff import render_change

BIG = 50_000_000
DOCUMENTS = 100_000

PIPELINE = """
from pipeline import AsyncPipeline, component
from pipeline.dataclasses import Document


@component
class Big:
    @component.output_types(text=str, documents=list[Document])
    def run(self, chars: int, documents: int) -> dict:
        return {
            "text": "lorem ipsum " * (chars // 12),
            "documents": [Document(content=f"passage {i}", meta={"i": i}) for i in range(documents)],
        }


def build_pipeline():
    pipe = AsyncPipeline()
    pipe.add_component("big", Big())
    return pipe
"""


def big_pipeline(tmp_path: Path) -> Path:
    path = tmp_path / "big.py"
    path.write_text(PIPELINE, encoding="utf-8")
    return path


def test_a_50_mb_string_prints_its_head_and_how_much_is_left(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = big_pipeline(tmp_path)
    assert main(["run", str(path), "--input", f"chars={BIG}", "--input", "documents=0"]) == 0
    out = capsys.readouterr().out
    assert len(out) < 20_000
    assert "lorem ipsum lorem" in out
    left = BIG // 12 * 12 - SHOWN_CHARS
    assert f"+{left:,} chars" in out
    assert f"Outputs shortened: {left:,} characters not shown" in out
    assert "--full" in out and "--outputs-file" in out


def test_100k_documents_print_the_first_and_count_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = big_pipeline(tmp_path)
    assert main(["run", str(path), "--input", "chars=12", "--input", f"documents={DOCUMENTS}"]) == 0
    out = capsys.readouterr().out
    assert len(out) < 20_000
    assert "passage 0" in out and f"passage {SHOWN_ITEMS - 1}'" in out and f"passage {SHOWN_ITEMS}'" not in out
    assert f"… {DOCUMENTS - SHOWN_ITEMS:,} more items" in out


def test_outputs_file_holds_everything(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path, target = big_pipeline(tmp_path), tmp_path / "outputs.json"
    argv = ["run", str(path), "--input", "chars=120000", "--input", "documents=5000", "--outputs-file", str(target)]
    assert main(argv) == 0
    assert f"Outputs written to {target}" in capsys.readouterr().out.replace("\n", "")
    outputs = decode(json.loads(target.read_text(encoding="utf-8")))
    assert len(outputs["big"]["text"]) == 120_000
    assert [document.content for document in outputs["big"]["documents"]] == [f"passage {i}" for i in range(5000)]
    assert all(isinstance(document, Document) for document in outputs["big"]["documents"])


def test_full_prints_everything(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = big_pipeline(tmp_path)
    assert main(["run", str(path), "--input", "chars=6000", "--input", "documents=30", "--full"]) == 0
    out = capsys.readouterr().out
    assert "Outputs shortened" not in out and "more items" not in out
    assert "passage 29" in out
    assert out.count("lorem") == 500


def test_an_unwritable_outputs_file_is_one_line_and_the_run_still_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path, target = big_pipeline(tmp_path), tmp_path / "missing" / "outputs.json"
    argv = ["run", str(path), "--input", "chars=12", "--input", "documents=1", "--outputs-file", str(target)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "cannot write the outputs: No such file or directory" in captured.out
    assert "Traceback" not in captured.out + captured.err
    assert "Total wall time" in captured.out


@dataclass
class Reply:
    text: str
    tags: list[str]


def test_shortened_cuts_inside_dataclasses_dicts_and_bytes() -> None:
    left_out = Shortened()
    value = {
        "reply": Reply("x" * (SHOWN_CHARS + 10), ["t"] * (SHOWN_ITEMS + 5)),
        "blob": b"\x00" * (SHOWN_CHARS + 1),
        "table": {str(key): key for key in range(SHOWN_ITEMS + 3)},
    }
    view = shortened(value, left_out)
    assert (left_out.chars, left_out.items) == (11, 8)
    console = Console(width=100, file=io.StringIO())
    console.print(outputs_view(value)[0])
    text = console.file.getvalue()
    assert "Reply(" in text and "+10 chars" in text and "+1 bytes" in text
    assert "… 5 more items" in text and "… 3 more keys" in text
    assert view["table"]["0"] == 0


def test_small_outputs_are_printed_as_they_are() -> None:
    outputs = {"a": {"text": "short", "documents": [Document(content="x")]}}
    renderable, note = outputs_view(outputs)
    assert note is None
    assert isinstance(renderable, Pretty) and renderable._object is outputs


def test_a_diff_of_two_50_mb_replies_and_of_100k_documents_prints_a_bounded_part() -> None:
    console = Console(width=120, file=io.StringIO())
    text = "x" * BIG
    console.print(render_change(diff_value(text, "y" + text[1:])))
    out = console.file.getvalue()
    assert len(out) < 20_000
    assert f"(+{BIG - SHOWN_CHARS + 1:,} chars)" in out  # "-x…" and "+y…": the sign counts as a character
    old = [Document(content=f"passage {i}", score=1 / (i + 1)) for i in range(DOCUMENTS)]
    new = [Document(content=f"passage {i}", score=1 / (i + 2)) for i in range(DOCUMENTS)]
    console = Console(width=120, file=io.StringIO())
    console.print(render_change(diff_value(old, new)))
    out = console.file.getvalue()
    assert out.count("\n~ ") == SHOWN_LINES - 1
    assert f"… {DOCUMENTS - SHOWN_LINES:,} more lines not shown" in out
