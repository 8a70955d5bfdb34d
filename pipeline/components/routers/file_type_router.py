"""`FileTypeRouter`: sort files and byte streams by MIME type, as in Haystack."""

from __future__ import annotations

import logging
import mimetypes
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.components.converters.utils import get_bytestream_from_source, normalize_metadata
from pipeline.core.component import component
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import ByteStream
from pipeline.utils.misc import _guess_mime_type

logger = logging.getLogger(__name__)


@component
class FileTypeRouter:
    """Routes each source to the output named after the first of `mime_types` that its MIME type matches.

    A file's MIME type comes from its extension, a ByteStream's from its `mime_type`. Each entry of
    `mime_types` matches by equality first (so `image/svg+xml` matches itself, `+` and all) and then as a
    regular expression (`audio/.*`). Sources that match none go to `unclassified`, files that are missing or
    unreadable to `failed`.
    """

    def __init__(
        self, mime_types: list[str], additional_mimetypes: dict[str, str] | None = None, raise_on_failure: bool = False
    ) -> None:
        """
        :param mime_types: MIME types or regular expressions, one output each.
        :param additional_mimetypes: MIME type -> extension pairs to teach Python's `mimetypes` (process-wide).
        :param raise_on_failure: Raise for a missing or unreadable file instead of routing it to `failed`.
        :raises ValueError: if `mime_types` is empty or holds an invalid regular expression.
        """
        if not mime_types:
            raise ValueError("The list of mime types cannot be empty.")
        for mime_type, extension in (additional_mimetypes or {}).items():
            mimetypes.add_type(mime_type, extension)
        self.mime_type_patterns = []
        for mime_type in mime_types:
            try:
                self.mime_type_patterns.append(re.compile(mime_type))
            except re.error as exc:
                raise ValueError(f"Invalid MIME type or regex pattern '{mime_type}'.") from exc
        # Paths and strings too, not only ByteStreams: converters take all three, so the outputs connect to them.
        source_list = list[str | Path | ByteStream]
        component.set_output_types(
            self, unclassified=source_list, failed=source_list, **dict.fromkeys(mime_types, source_list)
        )
        self.mime_types = mime_types
        self._additional_mimetypes = additional_mimetypes
        self._raise_on_failure = raise_on_failure

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(
            self,
            mime_types=self.mime_types,
            additional_mimetypes=self._additional_mimetypes,
            raise_on_failure=self._raise_on_failure,
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileTypeRouter:
        return default_from_dict(cls, data)

    def run(
        self, sources: list[str | Path | ByteStream], meta: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> dict[str, list[ByteStream | Path]]:
        """
        :param sources: File paths or ByteStreams.
        :param meta: Metadata to add (one dict for all, or one per source); sources given meta are read into
            ByteStreams that carry it.
        :returns: The sources by output name, only the outputs that received any.
        :raises TypeError: for a source that is not a path, string or ByteStream.
        :raises FileNotFoundError: for a missing file, with `raise_on_failure`.
        """
        routed: defaultdict[str, list[ByteStream | Path]] = defaultdict(list)
        for source, meta_dict in zip(sources, normalize_metadata(meta=meta, sources_count=len(sources)), strict=True):
            if isinstance(source, str):
                source = Path(source)
            if isinstance(source, Path):
                if not source.exists():
                    if self._raise_on_failure:
                        raise FileNotFoundError(f"File not found: {source}")
                    logger.warning("File not found: %s. Skipping it.", source)
                    routed["failed"].append(source)
                    continue
                mime_type = _guess_mime_type(source)
            elif isinstance(source, ByteStream):
                mime_type = source.mime_type
            else:
                raise TypeError(f"Unsupported data source type: {type(source).__name__}")
            if meta_dict:
                try:
                    source = get_bytestream_from_source(source)
                except Exception as exc:
                    if self._raise_on_failure:
                        raise
                    logger.warning("Could not read %s. Skipping it. Error: %s", source, exc)
                    routed["failed"].append(source)
                    continue
                source.meta.update(meta_dict)
            routed[self._bucket(mime_type)].append(source)
        return dict(routed)

    def _bucket(self, mime_type: str | None) -> str:
        """The first of `mime_types` that `mime_type` equals or fully matches, else `unclassified`."""
        if mime_type:
            for name, pattern in zip(self.mime_types, self.mime_type_patterns, strict=True):
                if mime_type == name or pattern.fullmatch(mime_type):
                    return name
        return "unclassified"
