"""`CSVToDocument`: a CSV file as one `Document`, or one `Document` per row, as in Haystack."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any, Literal

from pipeline.components.converters.utils import document_meta, get_bytestream_from_source, normalize_metadata
from pipeline.core.component import component
from pipeline.dataclasses import ByteStream, Document

logger = logging.getLogger(__name__)

_ROW_MODE_SIZE_WARN_BYTES = 5 * 1024 * 1024
"""Row mode holds every row's document at once: past this size, warn that memory may run short."""


@component
class CSVToDocument:
    """Converts CSV files to documents.

    In "file" mode (the default) a document's content is the file's raw text. In "row" mode each row becomes a
    document whose content is the `content_column` given to `run()`; the row's other cells go to its meta (as
    `csv_<column>` where the name is already taken) with `row_number`.
    """

    def __init__(
        self,
        encoding: str = "utf-8",
        store_full_path: bool = False,
        *,
        conversion_mode: Literal["file", "row"] = "file",
        delimiter: str = ",",
        quotechar: str = '"',
    ) -> None:
        """
        :param encoding: The encoding of the files, unless a ByteStream's `meta["encoding"]` says otherwise.
        :param store_full_path: Keep the whole path in `meta["file_path"]` rather than the file name alone.
        :param conversion_mode: "file" for one document per file, "row" for one per row.
        :param delimiter: The field delimiter, in row mode.
        :param quotechar: The quote character, in row mode.
        :raises ValueError: if `delimiter` or `quotechar` is not a single character.
        """
        self.encoding = encoding
        self.store_full_path = store_full_path
        self.conversion_mode = conversion_mode
        self.delimiter = delimiter
        self.quotechar = quotechar
        if len(self.delimiter) != 1:
            raise ValueError("CSVToDocument: delimiter must be a single character.")
        if len(self.quotechar) != 1:
            raise ValueError("CSVToDocument: quotechar must be a single character.")

    @component.output_types(documents=list[Document])
    def run(
        self,
        sources: list[str | Path | ByteStream],
        *,
        content_column: str | None = None,
        meta: dict[str, Any] | list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """
        :param sources: File paths or ByteStreams.
        :param content_column: The column that becomes each row's content; required in row mode.
        :param meta: Metadata for every document (one dict) or for each source (a list as long as `sources`).
        :returns: `documents`.
        :raises ValueError: in row mode, if `content_column` is missing or not in a file's header.
        :raises RuntimeError: in row mode, if a row cannot be turned into a document.
        """
        documents: list[Document] = []
        for source, metadata in zip(sources, normalize_metadata(meta, sources_count=len(sources)), strict=True):
            try:
                bytestream = get_bytestream_from_source(source)
            except Exception as exc:
                logger.warning("Could not read %s. Skipping it. Error: %s", source, exc)
                continue
            try:
                data = bytestream.data.decode(encoding=bytestream.meta.get("encoding", self.encoding))
            except Exception as exc:
                logger.warning("Could not convert file %s. Skipping it. Error message: %s", source, exc)
                continue
            merged_metadata = document_meta(bytestream, metadata, self.store_full_path)
            if self.conversion_mode == "file":
                documents.append(Document(content=data, meta=merged_metadata))
            else:
                documents.extend(self._row_documents(source, bytestream.data, data, merged_metadata, content_column))
        return {"documents": documents}

    def _row_documents(
        self, source: Any, raw: bytes, data: str, base_meta: dict[str, Any], content_column: str | None
    ) -> list[Document]:
        if not content_column:
            raise ValueError("CSVToDocument(row): 'content_column' is required in run() when conversion_mode='row'.")
        if len(raw) > _ROW_MODE_SIZE_WARN_BYTES:
            logger.warning(
                "CSVToDocument(row): parsing a large CSV (~%.1f MB). Consider chunking/streaming if you hit memory "
                "issues.",
                len(raw) / (1024 * 1024),
            )
        reader = csv.DictReader(io.StringIO(data), delimiter=self.delimiter, quotechar=self.quotechar)
        header = reader.fieldnames or []
        if content_column not in header:
            raise ValueError(
                f"CSVToDocument(row): content_column='{content_column}' not found in header "
                f"for {source}. Available columns: {header}"
            )
        documents = []
        for index, row in enumerate(reader):
            try:
                documents.append(self._row_document(row, base_meta, index, content_column))
            except Exception as exc:
                raise RuntimeError(f"CSVToDocument(row): failed to process row {index} for {source}: {exc}") from exc
        return documents

    @staticmethod
    def _row_document(row: dict[str, Any], base_meta: dict[str, Any], row_index: int, content_column: str) -> Document:
        """The row's `content_column` as content; its other cells join the meta without overwriting a key."""
        row_meta = dict(base_meta)
        for key, value in row.items():
            if key == content_column:
                continue
            name = key
            if name in row_meta:
                name = base = f"csv_{key}"
                suffix = 1
                while name in row_meta:
                    name = f"{base}_{suffix}"
                    suffix += 1
            row_meta[name] = _cell(value)
        row_meta["row_number"] = row_index
        return Document(content=_cell(row.get(content_column)), meta=row_meta)


def _cell(value: Any) -> str:
    """A cell as text; a short row's missing cells (None) are empty."""
    return "" if value is None else str(value)
