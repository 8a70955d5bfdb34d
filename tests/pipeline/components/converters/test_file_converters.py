"""TextFileToDocument, CSVToDocument, HTMLToDocument, JSONConverter and the converters' utils, as in Haystack."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import Pipeline
from pipeline.components.converters import CSVToDocument, HTMLToDocument, JSONConverter, TextFileToDocument
from pipeline.components.converters.utils import get_bytestream_from_source, normalize_metadata
from pipeline.dataclasses import ByteStream, Document

PAGE = """<html><head><title>Rhodes</title></head><body>
<nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>The Colossus of Rhodes</h1>
<p>The Colossus of Rhodes was a statue of the Greek sun-god Helios, erected in the city of Rhodes by Chares of
Lindos in 280 BC. It was one of the Seven Wonders of the Ancient World.</p>
<p>It was constructed to celebrate the successful defence of Rhodes city against an attack by Demetrius
Poliorcetes, who had besieged it for a year with a large army and navy.</p>
</article><footer>Copyright 2024</footer></body></html>"""

LAUREATES = {
    "laureates": [
        {"firstname": "Enrico", "surname": "Fermi", "motivation": "for neutrons"},
        {"firstname": "Rita", "motivation": {"nested": 1}},
        "not an object",
    ]
}


def contents(result: dict[str, list[Document]]) -> list[tuple[str | None, dict[str, object]]]:
    return [(doc.content, doc.meta) for doc in result["documents"]]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("hello text\n", encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes("café\n".encode("latin-1"))
    (tmp_path / "t.csv").write_text("name,text,file_path\nA,first row,x\nB,second row,y\nC\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "l.json").write_text(json.dumps(LAUREATES), encoding="utf-8")
    return tmp_path


# -- utils ----------------------------------------------------------------------------------------------------------


def test_get_bytestream_from_source(files: Path) -> None:
    stream = get_bytestream_from_source(files / "a.txt", guess_mime_type=True)
    assert (stream.data, stream.meta, stream.mime_type) == (
        b"hello text\n",
        {"file_path": str(files / "a.txt")},
        "text/plain",
    )
    given = ByteStream(b"x")
    assert get_bytestream_from_source(given) is given
    with pytest.raises(ValueError, match=r"^Unsupported source type <class 'int'>$"):
        get_bytestream_from_source(5)  # type: ignore[arg-type]


def test_normalize_metadata() -> None:
    assert normalize_metadata(None, 2) == [{}, {}]
    assert normalize_metadata({"a": 1}, 2) == [{"a": 1}, {"a": 1}]
    assert normalize_metadata([{"a": 1}, {"b": 2}], 2) == [{"a": 1}, {"b": 2}]
    with pytest.raises(ValueError, match=r"^The length of the metadata list must match the number of sources\.$"):
        normalize_metadata([{}], 2)
    with pytest.raises(ValueError, match=r"^meta must be either None, a dictionary or a list of dictionaries\.$"):
        normalize_metadata("x", 1)  # type: ignore[arg-type]


# -- TextFileToDocument ---------------------------------------------------------------------------------------------


def test_text_files_become_documents_and_bad_sources_are_skipped(files: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        result = TextFileToDocument().run(
            sources=[
                files / "a.txt",
                str(files / "a.txt"),
                files / "missing.txt",
                ByteStream(b"bs", meta={"k": 1}),
                files / "latin.txt",
            ],
            meta={"m": 1},
        )
    assert contents(result) == [
        ("hello text\n", {"file_path": "a.txt", "m": 1}),
        ("hello text\n", {"file_path": "a.txt", "m": 1}),
        ("bs", {"k": 1, "m": 1}),
    ]
    assert f"Could not read {files / 'missing.txt'}. Skipping it." in caplog.text
    assert f"Could not convert file {files / 'latin.txt'}. Skipping it. Error message: 'utf-8' codec" in caplog.text


def test_text_encoding_full_path_and_per_source_meta(files: Path) -> None:
    result = TextFileToDocument(encoding="latin-1", store_full_path=True).run(
        sources=[files / "latin.txt"], meta=[{"i": 0}]
    )
    assert contents(result) == [("café\n", {"file_path": str(files / "latin.txt"), "i": 0})]
    stream = ByteStream("é".encode("latin-1"), meta={"encoding": "latin-1"})  # the stream's encoding wins
    assert contents(TextFileToDocument().run(sources=[stream])) == [("é", {"encoding": "latin-1"})]


# -- CSVToDocument --------------------------------------------------------------------------------------------------


def test_csv_file_mode_keeps_the_raw_text(files: Path) -> None:
    assert contents(CSVToDocument().run(sources=[files / "t.csv"])) == [
        ("name,text,file_path\nA,first row,x\nB,second row,y\nC\n", {"file_path": "t.csv"})
    ]


def test_csv_row_mode_one_document_per_row_without_overwriting_meta(files: Path) -> None:
    result = CSVToDocument(conversion_mode="row").run(
        sources=[files / "t.csv"], content_column="text", meta={"name": "m"}
    )
    assert contents(result) == [
        ("first row", {"file_path": "t.csv", "name": "m", "csv_name": "A", "csv_file_path": "x", "row_number": 0}),
        ("second row", {"file_path": "t.csv", "name": "m", "csv_name": "B", "csv_file_path": "y", "row_number": 1}),
        ("", {"file_path": "t.csv", "name": "m", "csv_name": "C", "csv_file_path": "", "row_number": 2}),
    ]
    semicolons = ByteStream(b"a;b\n1;2\n")
    assert contents(
        CSVToDocument(conversion_mode="row", delimiter=";").run(sources=[semicolons], content_column="b")
    ) == [("2", {"a": "1", "row_number": 0})]


def test_csv_errors(files: Path) -> None:
    with pytest.raises(ValueError, match=r"^CSVToDocument: delimiter must be a single character\.$"):
        CSVToDocument(delimiter=";;")
    with pytest.raises(ValueError, match=r"^CSVToDocument: quotechar must be a single character\.$"):
        CSVToDocument(quotechar="")
    row_mode = CSVToDocument(conversion_mode="row")
    with pytest.raises(ValueError) as caught:
        row_mode.run(sources=[files / "t.csv"])
    assert str(caught.value) == "CSVToDocument(row): 'content_column' is required in run() when conversion_mode='row'."
    with pytest.raises(ValueError) as caught:
        row_mode.run(sources=[files / "t.csv"], content_column="zz")
    assert str(caught.value) == (
        f"CSVToDocument(row): content_column='zz' not found in header for {files / 't.csv'}. "
        "Available columns: ['name', 'text', 'file_path']"
    )


# -- HTMLToDocument -------------------------------------------------------------------------------------------------


def test_html_main_text_is_extracted_with_trafilatura(files: Path) -> None:
    [(text, meta)] = contents(HTMLToDocument().run(sources=[files / "page.html"]))
    assert text.startswith("The Colossus of Rhodes\nThe Colossus of Rhodes was a statue of the Greek sun-god Helios")
    assert "Home" not in text and "Copyright" not in text  # navigation and footer left out
    assert meta == {"file_path": "page.html"}
    [(markdown, _)] = contents(
        HTMLToDocument(extraction_kwargs={"output_format": "markdown"}).run(sources=[files / "page.html"])
    )
    assert markdown.startswith("# The Colossus of Rhodes\n\n")


def test_html_empty_sources_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert HTMLToDocument().run(sources=[ByteStream(b"")]) == {"documents": []}
    assert "because it is empty" in caplog.text


def test_optional_dependencies_are_imported_only_by_the_components_that_need_them() -> None:
    code = (
        "import sys, pipeline.components.converters as c, pipeline.components.routers;"
        "c.JSONConverter(content_key='a');"
        "print('trafilatura' in sys.modules, 'jq' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize(
    ("module", "create"),
    [("trafilatura", lambda: HTMLToDocument()), ("jq", lambda: JSONConverter(jq_schema=".a"))],
)
def test_a_missing_optional_dependency_says_what_to_install(
    module: str, create: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # `import module` now raises ImportError
    with pytest.raises(ImportError) as caught:
        create()  # type: ignore[operator]
    assert str(caught.value).startswith(
        f"pipedebug failed to import the optional dependency '{module}'. Run 'pip install {module}' "
        "(or pip install 'pipedebug[converters]')."
    )


# -- JSONConverter --------------------------------------------------------------------------------------------------


def test_json_with_jq_content_key_and_meta_fields(files: Path, caplog: pytest.LogCaptureFixture) -> None:
    converter = JSONConverter(
        jq_schema=".laureates[]", content_key="motivation", extra_meta_fields={"firstname", "surname"}
    )
    with caplog.at_level(logging.WARNING):
        result = converter.run(sources=[files / "l.json"])
    assert contents(result) == [("for neutrons", {"file_path": "l.json", "firstname": "Enrico", "surname": "Fermi"})]
    assert "Expected a scalar value but got {'firstname': 'Rita'" in caplog.text
    assert "Expected a dictionary but got not an object. Skipping it." in caplog.text
    every_field = JSONConverter(jq_schema=".laureates[0]", content_key="motivation", extra_meta_fields="*")
    assert contents(every_field.run(sources=[files / "l.json"], meta={"x": 1})) == [
        ("for neutrons", {"file_path": "l.json", "x": 1, "firstname": "Enrico", "surname": "Fermi"})
    ]


def test_json_scalars_and_content_key_without_jq(files: Path) -> None:
    assert contents(JSONConverter(jq_schema=".laureates[:2][].firstname").run(sources=[files / "l.json"])) == [
        ("Enrico", {"file_path": "l.json"}),
        ("Rita", {"file_path": "l.json"}),
    ]
    sources = [ByteStream(b'{"a": "A", "b": 2}'), ByteStream(b"[1]"), ByteStream(b'{"b": 1}')]
    assert contents(JSONConverter(content_key="a").run(sources=sources)) == [("A", {})]


def test_json_errors() -> None:
    with pytest.raises(ValueError, match=r"^No `jq_schema` nor `content_key` specified\. Set either or both"):
        JSONConverter()
    with pytest.raises(ValueError, match="jq: error: syntax error"):
        JSONConverter(jq_schema=".[[[[")
    with pytest.raises(json.JSONDecodeError):
        JSONConverter(content_key="a").run(sources=[ByteStream(b"{not json")])
    with pytest.raises(ValueError, match=r"^The `content` field must be a string or None\.$"):
        JSONConverter(content_key="n").run(sources=[ByteStream(b'{"n": 5}')])
    assert JSONConverter(jq_schema=".a.b").run(sources=[ByteStream(b"[1]")]) == {"documents": []}


# -- serialization ---------------------------------------------------------------------------------------------------


def test_converters_round_trip_through_yaml() -> None:
    pipe = Pipeline()
    pipe.add_component("text", TextFileToDocument(encoding="latin-1", store_full_path=True))
    pipe.add_component("csv", CSVToDocument(conversion_mode="row", delimiter=";"))
    pipe.add_component("html", HTMLToDocument(extraction_kwargs={"output_format": "markdown"}))
    pipe.add_component("json", JSONConverter(jq_schema=".items[]", content_key="t", extra_meta_fields={"b", "a"}))
    text = pipe.dumps()
    assert "extra_meta_fields:\n      - a\n      - b\n" in text  # a set is written as a sorted list
    loaded = Pipeline.loads(text)
    assert loaded.dumps() == text
    assert loaded.get_component("csv").delimiter == ";"
    source = ByteStream(b'{"items": [{"t": "x", "a": 1}]}')
    assert contents(loaded.get_component("json").run(sources=[source])) == [("x", {"a": 1, "b": None})]
    assert loaded.get_component("html").to_dict()["init_parameters"] == {
        "extraction_kwargs": {"output_format": "markdown"},
        "store_full_path": False,
        "encoding": "utf-8",
    }
