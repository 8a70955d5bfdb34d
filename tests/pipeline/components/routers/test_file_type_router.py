"""FileTypeRouter: equality then regex matching, failed and unclassified sources, meta, serialization."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from pipeline import Pipeline
from pipeline.components.converters import TextFileToDocument
from pipeline.components.routers import FileTypeRouter
from pipeline.core.component import output_sockets
from pipeline.dataclasses import ByteStream


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "a.txt").write_text("plain", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# md", encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>x</p>", encoding="utf-8")
    return tmp_path


def test_sources_go_to_the_first_matching_mime_type(files: Path, caplog: pytest.LogCaptureFixture) -> None:
    svg = ByteStream(b"<svg/>", mime_type="image/svg+xml")
    untyped = ByteStream(b"?")
    router = FileTypeRouter(mime_types=["text/plain", r"text/.*", "image/svg+xml"])
    with caplog.at_level(logging.WARNING):
        result = router.run(
            sources=[str(files / "a.txt"), files / "notes.md", files / "gone.txt", svg, untyped, files / "page.html"]
        )
    assert result == {
        "text/plain": [files / "a.txt"],  # a string path comes out as a Path
        "text/.*": [files / "notes.md", files / "page.html"],
        "failed": [files / "gone.txt"],
        "image/svg+xml": [svg],  # `+` matches itself by equality, not as a regex quantifier
        "unclassified": [untyped],
    }
    assert f"File not found: {files / 'gone.txt'}. Skipping it." in caplog.text


def test_meta_turns_sources_into_bytestreams_that_carry_it(files: Path) -> None:
    stream = ByteStream(b"x", mime_type="text/plain", meta={"own": 1})
    result = FileTypeRouter(mime_types=["text/plain"]).run(sources=[files / "a.txt", stream], meta={"batch": 7})
    from_file, from_stream = result["text/plain"]
    assert isinstance(from_file, ByteStream)
    assert (from_file.data, from_file.meta) == (b"plain", {"file_path": str(files / "a.txt"), "batch": 7})
    assert from_stream.meta == {"own": 1, "batch": 7}
    with pytest.raises(ValueError, match="^The length of the metadata list must match the number of sources.$"):
        FileTypeRouter(mime_types=["text/plain"]).run(sources=[files / "a.txt"], meta=[{}, {}])


def test_errors(files: Path) -> None:
    with pytest.raises(ValueError, match=r"^The list of mime types cannot be empty\.$"):
        FileTypeRouter(mime_types=[])
    with pytest.raises(ValueError, match=r"^Invalid MIME type or regex pattern 'text/\(\('\.$"):
        FileTypeRouter(mime_types=["text/(("])
    with pytest.raises(FileNotFoundError, match=r"^File not found: nope\.txt$"):
        FileTypeRouter(mime_types=["text/plain"], raise_on_failure=True).run(sources=["nope.txt"])
    with pytest.raises(TypeError, match=r"^Unsupported data source type: int$"):
        FileTypeRouter(mime_types=["text/plain"]).run(sources=[5])  # type: ignore[list-item]


def test_additional_mimetypes_teach_new_extensions(files: Path) -> None:
    (files / "data.pipedebugtest").write_text("x", encoding="utf-8")
    router = FileTypeRouter(
        mime_types=["application/x-pipedebug-test"],
        additional_mimetypes={"application/x-pipedebug-test": ".pipedebugtest"},
    )
    assert router.run(sources=[files / "data.pipedebugtest"]) == {
        "application/x-pipedebug-test": [files / "data.pipedebugtest"]
    }


def test_outputs_connect_to_converters_and_survive_yaml(files: Path) -> None:
    router = FileTypeRouter(mime_types=["text/plain", "text/markdown"])
    assert set(output_sockets(router)) == {"unclassified", "failed", "text/plain", "text/markdown"}
    pipe = Pipeline()
    pipe.add_component("router", router)
    pipe.add_component("converter", TextFileToDocument())
    pipe.connect("router.text/plain", "converter.sources")
    loaded = Pipeline.loads(pipe.dumps())
    assert loaded.dumps() == pipe.dumps()
    assert loaded.get_component("router").to_dict() == {
        "type": "pipeline.components.routers.file_type_router.FileTypeRouter",
        "init_parameters": {
            "mime_types": ["text/plain", "text/markdown"],
            "additional_mimetypes": None,
            "raise_on_failure": False,
        },
    }
    result = loaded.run({"router": {"sources": [files / "a.txt", files / "notes.md"]}})
    assert [doc.content for doc in result["converter"]["documents"]] == ["plain"]
    assert result["router"] == {"text/markdown": [files / "notes.md"]}
