"""`ByteStream`: binary data with metadata and a MIME type, what converters read and routers sort."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.utils.misc import _guess_mime_type

_REPR_BYTES = 100
"""A repr shows this many bytes of the data: a whole PDF would drown a log line or the debugger's inspector."""


@dataclass(repr=False)
class ByteStream:
    """Bytes plus `meta` (file path, encoding, ...) and an optional `mime_type`, as in Haystack."""

    data: bytes
    meta: dict[str, Any] = field(default_factory=dict, hash=False)
    mime_type: str | None = None

    def to_file(self, destination_path: Path) -> None:
        """Write the data to `destination_path`; meta and MIME type are not written."""
        Path(destination_path).write_bytes(self.data)

    @classmethod
    def from_file_path(
        cls,
        filepath: Path,
        mime_type: str | None = None,
        meta: dict[str, Any] | None = None,
        guess_mime_type: bool = False,
    ) -> ByteStream:
        """The contents of `filepath`; with `guess_mime_type`, a missing MIME type comes from the extension."""
        if not mime_type and guess_mime_type:
            mime_type = _guess_mime_type(Path(filepath))
        return cls(data=Path(filepath).read_bytes(), mime_type=mime_type, meta=meta or {})

    @classmethod
    def from_string(
        cls, text: str, encoding: str = "utf-8", mime_type: str | None = None, meta: dict[str, Any] | None = None
    ) -> ByteStream:
        """`text` encoded with `encoding`."""
        return cls(data=text.encode(encoding), mime_type=mime_type, meta=meta or {})

    def to_string(self, encoding: str = "utf-8") -> str:
        """The data decoded with `encoding` (meta is not included); raises `UnicodeDecodeError` if it cannot be."""
        return self.data.decode(encoding)

    def __repr__(self) -> str:
        data = self.data[:_REPR_BYTES] + b"..." if len(self.data) > _REPR_BYTES else self.data
        return f"{type(self).__name__}(data={data!r}, meta={self.meta!r}, mime_type={self.mime_type!r})"

    def to_dict(self) -> dict[str, Any]:
        """`data` as a list of ints (JSON and YAML have no bytes), `meta` and `mime_type`."""
        return {"data": list(self.data), "meta": self.meta, "mime_type": self.mime_type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ByteStream:
        """The inverse of `to_dict`."""
        return cls(data=bytes(data["data"]), meta=data.get("meta", {}), mime_type=data.get("mime_type"))
