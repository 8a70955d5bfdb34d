"""What every file converter does first: read its sources as `ByteStream`s and pair them with metadata."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline.dataclasses import ByteStream


def get_bytestream_from_source(source: str | Path | ByteStream, guess_mime_type: bool = False) -> ByteStream:
    """`source` itself if it is a `ByteStream`, else the file it names with its path in `meta["file_path"]`.

    :raises ValueError: for any other kind of source.
    """
    if isinstance(source, ByteStream):
        return source
    if isinstance(source, str | Path):
        stream = ByteStream.from_file_path(Path(source), guess_mime_type=guess_mime_type)
        stream.meta["file_path"] = str(source)
        return stream
    raise ValueError(f"Unsupported source type {type(source)}")


def normalize_metadata(meta: dict[str, Any] | list[dict[str, Any]] | None, sources_count: int) -> list[dict[str, Any]]:
    """One metadata dict per source: none gives empty dicts, one dict is shared, a list must match the sources.

    :raises ValueError: if a list's length differs from `sources_count`, or `meta` is of another kind.
    """
    if meta is None:
        return [{}] * sources_count
    if isinstance(meta, dict):
        return [meta] * sources_count
    if isinstance(meta, list):
        if sources_count != len(meta):
            raise ValueError("The length of the metadata list must match the number of sources.")
        return meta
    raise ValueError("meta must be either None, a dictionary or a list of dictionaries.")


def document_meta(bytestream: ByteStream, metadata: dict[str, Any], store_full_path: bool) -> dict[str, Any]:
    """The stream's meta, then the caller's; `file_path` cut to the file's name unless the full path is wanted."""
    merged = {**bytestream.meta, **metadata}
    if not store_full_path and (file_path := bytestream.meta.get("file_path")):
        merged["file_path"] = os.path.basename(file_path)
    return merged
