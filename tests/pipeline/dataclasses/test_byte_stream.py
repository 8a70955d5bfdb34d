"""ByteStream as in Haystack, and the blob it gives Document (serialized, and in the id only when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.dataclasses import ByteStream, Document


def test_from_string_to_string_and_dict_round_trip() -> None:
    stream = ByteStream.from_string("héllo", mime_type="text/plain", meta={"lang": "fr"})
    assert stream.data == "héllo".encode()
    assert stream.to_string() == "héllo"
    assert stream.to_dict() == {
        "data": [104, 195, 169, 108, 108, 111],
        "meta": {"lang": "fr"},
        "mime_type": "text/plain",
    }
    assert ByteStream.from_dict(stream.to_dict()) == stream
    assert ByteStream.from_dict({"data": [104, 105]}) == ByteStream(b"hi", meta={}, mime_type=None)


def test_to_string_with_the_wrong_encoding_raises() -> None:
    with pytest.raises(UnicodeDecodeError):
        ByteStream.from_string("é", encoding="latin-1").to_string()


def test_files_in_and_out(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Title\n", encoding="utf-8")
    stream = ByteStream.from_file_path(tmp_path / "notes.md", meta={"k": 1})
    assert (stream.data, stream.meta, stream.mime_type) == (b"# Title\n", {"k": 1}, None)
    # Markdown is missing from Python's mimetypes table; guessing uses ours, as Haystack's does.
    assert ByteStream.from_file_path(tmp_path / "notes.md", guess_mime_type=True).mime_type == "text/markdown"
    assert ByteStream.from_file_path(tmp_path / "notes.md", "text/x-custom", guess_mime_type=True).mime_type == (
        "text/x-custom"
    )
    stream.to_file(tmp_path / "copy.bin")
    assert (tmp_path / "copy.bin").read_bytes() == b"# Title\n"


def test_repr_truncates_long_data_to_100_bytes() -> None:
    assert repr(ByteStream(b"x" * 150, meta={"a": 1})) == (
        f"ByteStream(data={b'x' * 100 + b'...'!r}, meta={{'a': 1}}, mime_type=None)"
    )
    assert repr(ByteStream(b"ab")) == "ByteStream(data=b'ab', meta={}, mime_type=None)"


def test_document_blob_round_trips_through_dict() -> None:
    document = Document(content="caption", blob=ByteStream(b"\x89PNG", mime_type="image/png", meta={"w": 2}))
    data = document.to_dict()
    assert data["blob"] == {"data": [137, 80, 78, 71], "meta": {"w": 2}, "mime_type": "image/png"}
    assert Document.from_dict(data) == document
    assert Document(content="x").to_dict()["blob"] is None
    assert Document.from_dict({"content": "x", "blob": None}).blob is None
    assert "blob: 4 bytes" in repr(document)


def test_ids_are_haystacks_with_and_without_a_blob() -> None:
    # The ids haystack-ai 2.31 gives the same documents.
    assert Document(content="x").id == "14d49feb96cdd7b905e8ca6b2dfda2700ff3986546ea591b1fe136077fec0336"
    assert (
        Document(content="x", blob=ByteStream(b"a", mime_type="text/plain"), meta={"k": [1, "v"]}).id
        == "c70d94724c5f65adff3df53758977348769a19760a990676ad5d191ae7393e60"
    )
    with_blob = Document(content="x", blob=ByteStream(b"a"))
    assert with_blob.id != Document(content="x").id
    assert with_blob.id != Document(content="x", blob=ByteStream(b"b")).id
    assert with_blob.id != Document(content="x", blob=ByteStream(b"a", mime_type="text/plain")).id
    assert with_blob.id == Document(content="x", blob=ByteStream(b"a", meta={"ignored": True})).id


def test_content_must_be_text_as_in_haystack() -> None:
    with pytest.raises(ValueError, match=r"^The `content` field must be a string or None\.$"):
        Document(content=5)  # type: ignore[arg-type]
    assert Document(content="").content == ""
