"""`JSONConverter`: documents from JSON files, optionally filtered with a jq program, as in Haystack."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

from pipeline.components.converters.utils import document_meta, get_bytestream_from_source, normalize_metadata
from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import ByteStream, Document
from pipeline.utils.misc import import_optional

logger = logging.getLogger(__name__)


@component
class JSONConverter:
    """Turns JSON files into documents.

    With `jq_schema`, each value the jq filter yields is a candidate document, otherwise the whole file is one.
    With `content_key`, a candidate must be an object and its `content_key` (a scalar) is the content; without
    it, a candidate must be a scalar. `extra_meta_fields` copies fields of the object into the meta (`"*"`: all
    but the content). Candidates that do not fit are skipped with a warning. `jq_schema` needs the optional
    `jq` package (`pip install 'pipedebug[converters]'`), imported only when a schema is given.
    """

    def __init__(
        self,
        jq_schema: str | None = None,
        content_key: str | None = None,
        extra_meta_fields: set[str] | Literal["*"] | None = None,
        store_full_path: bool = False,
    ) -> None:
        """
        :param jq_schema: A jq filter selecting the values to convert.
        :param content_key: The key of each selected object that holds the document's content.
        :param extra_meta_fields: Keys of the selected objects to copy into the meta (missing ones are None), or
            `"*"` for every key but `content_key`.
        :param store_full_path: Keep the whole path in `meta["file_path"]` rather than the file name alone.
        :raises ValueError: if neither `jq_schema` nor `content_key` is set.
        :raises ImportError: if `jq_schema` is set and jq is not installed, saying what to install.
        """
        self._compiled_filter = None
        if jq_schema:
            self._compiled_filter = import_optional("jq", "jq").compile(jq_schema)
        self._jq_schema = jq_schema
        self._content_key = content_key
        self._meta_fields = extra_meta_fields
        self._store_full_path = store_full_path
        if self._compiled_filter is None and self._content_key is None:
            raise ValueError("No `jq_schema` nor `content_key` specified. Set either or both to extract data.")

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            jq_schema=self._jq_schema,
            content_key=self._content_key,
            # A set becomes a sorted list: YAML's safe writer has no sets, and `__init__` takes any collection.
            extra_meta_fields=sorted(self._meta_fields) if isinstance(self._meta_fields, set) else self._meta_fields,
            store_full_path=self._store_full_path,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JSONConverter:
        return default_from_dict(cls, data)

    @component.output_types(documents=list[Document])
    def run(
        self, sources: list[str | Path | ByteStream], meta: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        """
        :param sources: File paths or ByteStreams (UTF-8).
        :param meta: Metadata for every document (one dict) or for each source (a list as long as `sources`).
        :returns: `documents`.
        """
        documents = []
        for source, metadata in zip(sources, normalize_metadata(meta=meta, sources_count=len(sources)), strict=True):
            try:
                bytestream = get_bytestream_from_source(source)
            except Exception as exc:
                logger.warning("Could not read %s. Skipping it. Error: %s", source, exc)
                continue
            for text, extra_meta in self._get_content_and_meta(bytestream):
                merged_metadata = document_meta(bytestream, {**metadata, **extra_meta}, self._store_full_path)
                documents.append(Document(content=text, meta=merged_metadata))
        return {"documents": documents}

    def _get_content_and_meta(self, source: ByteStream) -> list[tuple[str, dict[str, Any]]]:
        """(content, extra meta) for each candidate of `source` that fits the settings."""
        try:
            file_content = source.data.decode("utf-8")
        except UnicodeError as exc:
            logger.warning("Failed to extract text from %s. Skipping it. Error: %s", source.meta.get("file_path"), exc)
            return []
        if self._compiled_filter is not None:
            try:
                objects = list(self._compiled_filter.input_text(file_content))
            except Exception as exc:
                logger.warning(
                    "Failed to extract text from %s. Skipping it. Error: %s", source.meta.get("file_path"), exc
                )
                return []
        else:
            objects = [json.loads(file_content)]
        if self._content_key is None:
            result: list[tuple[str, dict[str, Any]]] = []
            for obj in objects:
                if isinstance(obj, dict | list):
                    logger.warning("Expected a scalar value but got %s. Skipping it.", obj)
                    continue
                result.append((str(obj), {}))
            return result
        return [pair for obj in objects if (pair := self._object_content(obj, self._content_key)) is not None]

    def _object_content(self, obj: Any, content_key: str) -> tuple[str, dict[str, Any]] | None:
        """`obj[content_key]` and the meta fields asked for, or None (with a warning) if `obj` does not fit."""
        if not isinstance(obj, dict):
            logger.warning("Expected a dictionary but got %s. Skipping it.", obj)
            return None
        if content_key not in obj:
            logger.warning("'%s' not found in %s. Skipping it.", content_key, obj)
            return None
        text = obj[content_key]
        if isinstance(text, dict | list):
            logger.warning("Expected a scalar value but got %s. Skipping it.", obj)
            return None
        if self._meta_fields == "*":
            return text, {key: value for key, value in obj.items() if key != content_key}
        return text, {name: obj.get(name) for name in self._meta_fields or set()}
