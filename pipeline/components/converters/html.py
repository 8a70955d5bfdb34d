"""`HTMLToDocument`: the main text of HTML pages, extracted by trafilatura as in Haystack."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pipeline.components.converters.utils import document_meta, get_bytestream_from_source, normalize_metadata
from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import ByteStream, Document
from pipeline.utils.misc import import_optional

logger = logging.getLogger(__name__)


@component
class HTMLToDocument:
    """Converts HTML files to documents holding the page's main text (menus, footers and scripts left out).

    Needs the optional `trafilatura` package (`pip install 'pipedebug[converters]'`), imported when the
    component is created so the core install does without it.
    """

    def __init__(
        self, extraction_kwargs: dict[str, Any] | None = None, store_full_path: bool = False, encoding: str = "utf-8"
    ) -> None:
        """
        :param extraction_kwargs: Keyword arguments for `trafilatura.extract` (e.g. `output_format`).
        :param store_full_path: Keep the whole path in `meta["file_path"]` rather than the file name alone.
        :param encoding: The encoding of the files, unless a ByteStream's `meta["encoding"]` says otherwise.
        :raises ImportError: if trafilatura is not installed, saying what to install.
        """
        self._trafilatura = import_optional("trafilatura", "trafilatura")
        self.extraction_kwargs = extraction_kwargs or {}
        self.store_full_path = store_full_path
        self.encoding = encoding

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self, extraction_kwargs=self.extraction_kwargs, store_full_path=self.store_full_path, encoding=self.encoding
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HTMLToDocument:
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
        extraction_kwargs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """
        :param sources: File paths or ByteStreams.
        :param meta: Metadata for every document (one dict) or for each source (a list as long as `sources`).
        :param extraction_kwargs: Keyword arguments for `trafilatura.extract`, over those given at init.
        :returns: `documents`, one per source that could be read and is not empty.
        """
        merged_kwargs = {**self.extraction_kwargs, **(extraction_kwargs or {})}
        documents = []
        for source, metadata in zip(sources, normalize_metadata(meta=meta, sources_count=len(sources)), strict=True):
            try:
                bytestream = get_bytestream_from_source(source=source)
            except Exception as exc:
                logger.warning("Could not read %s. Skipping it. Error: %s", source, exc)
                continue
            if not bytestream.data:
                logger.warning("Skipping %s because it is empty.", source)
                continue
            try:
                html = bytestream.data.decode(bytestream.meta.get("encoding", self.encoding))
                text = self._trafilatura.extract(html, **merged_kwargs)
            except Exception as exc:
                logger.warning("Failed to extract text from %s. Skipping it. Error: %s", source, exc)
                continue
            merged_metadata = document_meta(bytestream, metadata, self.store_full_path)
            documents.append(Document(content=text, meta=merged_metadata))
        return {"documents": documents}
