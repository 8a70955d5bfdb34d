"""`Document`: a piece of text (or binary blob) with metadata, a retrieval score and an embedding, as in Haystack."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any

from pipeline.dataclasses.byte_stream import ByteStream


@dataclass
class Document:
    """The id is derived from content, meta and blob as Haystack derives it, so a passage keeps its id."""

    id: str = ""
    content: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    embedding: list[float] | None = None
    blob: ByteStream | None = None

    def __post_init__(self) -> None:
        if self.content and not isinstance(self.content, str):  # as Haystack: a converter's number is an error
            raise ValueError("The `content` field must be a string or None.")
        if not self.id:
            self.id = self._create_id()

    def _create_id(self) -> str:
        """Haystack's formula, so a document has the same id here as in Haystack (and the suites that pin ids)."""
        text = self.content or None
        dataframe = None  # a field Haystack dropped but still hashes, to keep its ids stable
        blob = self.blob.data if self.blob is not None else None
        mime_type = self.blob.mime_type if self.blob is not None else None
        sparse_embedding = ""  # no sparse embeddings here
        data = f"{text}{dataframe}{blob!r}{mime_type}{self.meta or {}}{self.embedding}{sparse_embedding}"
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def __repr__(self) -> str:
        parts = [f"id={self.id[:12]}…"]
        if self.content is not None:
            preview = self.content if len(self.content) <= 60 else self.content[:57] + "..."
            parts.append(f"content={preview!r}")
        if self.meta:
            parts.append(f"meta={self.meta}")
        if self.score is not None:
            parts.append(f"score={self.score}")
        if self.embedding is not None:
            parts.append(f"embedding: vector of size {len(self.embedding)}")
        if self.blob is not None:
            parts.append(f"blob: {len(self.blob.data)} bytes")
        return f"Document({', '.join(parts)})"

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["blob"] = None if self.blob is None else self.blob.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown Document field(s): {', '.join(sorted(unknown))}.")
        blob = data.get("blob")
        return cls(**{**data, "blob": ByteStream.from_dict(blob) if blob else None})
