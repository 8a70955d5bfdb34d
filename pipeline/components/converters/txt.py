"""`TextFileToDocument`: one `Document` per text file, as in Haystack."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline.components.converters.utils import document_meta, get_bytestream_from_source, normalize_metadata
from pipeline.core.component import component
from pipeline.dataclasses import ByteStream, Document

logger = logging.getLogger(__name__)


@component
class TextFileToDocument:
    """Decodes text files (or `ByteStream`s) into documents; a source's `meta["encoding"]` overrides `encoding`.

    Sources that cannot be read or decoded are skipped with a warning, so one bad file does not stop a batch.
    """

    def __init__(self, encoding: str = "utf-8", store_full_path: bool = False) -> None:
        """
        :param encoding: The encoding of the files, unless a ByteStream's `meta["encoding"]` says otherwise.
        :param store_full_path: Keep the whole path in `meta["file_path"]` rather than the file name alone.
        """
        self.encoding = encoding
        self.store_full_path = store_full_path

    @component.output_types(documents=list[Document])
    def run(
        self, sources: list[str | Path | ByteStream], meta: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> dict[str, list[Document]]:
        """
        :param sources: File paths or ByteStreams.
        :param meta: Metadata for every document (one dict) or for each source (a list as long as `sources`).
        :returns: `documents`, one per source that could be read and decoded.
        """
        documents = []
        for source, metadata in zip(sources, normalize_metadata(meta, sources_count=len(sources)), strict=True):
            try:
                bytestream = get_bytestream_from_source(source)
            except Exception as exc:
                logger.warning("Could not read %s. Skipping it. Error: %s", source, exc)
                continue
            try:
                text = bytestream.data.decode(bytestream.meta.get("encoding", self.encoding))
            except Exception as exc:
                logger.warning("Could not convert file %s. Skipping it. Error message: %s", source, exc)
                continue
            merged_metadata = document_meta(bytestream, metadata, self.store_full_path)
            documents.append(Document(content=text, meta=merged_metadata))
        return {"documents": documents}
