"""Haystack's dataclasses as run values: recorded through their `to_dict`, read back with or without haystack-ai.

A bridged Haystack pipeline hands Haystack's own `Document`, `ChatMessage`, `GeneratedAnswer`, ... from component
to component. Only the fixed list of `haystack.dataclasses` types below is recognised (by the type's path, so
nothing here imports haystack to recognise one): a recording never makes us import a class it names. Where
haystack-ai is not installed, a recorded value comes back as a `ForeignValue` (its type path and its `to_dict`
data), which the debugger shows through our equivalent class (`as_ours`) with a note, so a replay still works.
"""

from __future__ import annotations

import dataclasses
import importlib
from functools import cache
from types import ModuleType
from typing import Any

from pipeline.dataclasses import (
    ByteStream,
    ChatMessage,
    Document,
    ExtractedAnswer,
    GeneratedAnswer,
    StreamingChunk,
    TextContent,
)

HAYSTACK_DATACLASSES: dict[str, str] = {
    f"haystack.dataclasses.{module}.{name}": name
    for module, names in {
        "document": ("Document",),
        "byte_stream": ("ByteStream",),
        "answer": ("GeneratedAnswer", "ExtractedAnswer"),
        "chat_message": ("ChatMessage", "TextContent", "ToolCall", "ToolCallResult", "ReasoningContent"),
        "image_content": ("ImageContent",),
        "file_content": ("FileContent",),
        "sparse_embedding": ("SparseEmbedding",),
        "streaming_chunk": ("StreamingChunk", "ToolCallDelta", "ComponentInfo"),
    }.items()
    for name in names
}
"""The Haystack types stored through `to_dict`/`from_dict`, by their type path (as Haystack 2.31 lays them out),
each with its name in `haystack.dataclasses`, the only module a recording may make us import."""
NOT_INSTALLED = "haystack-ai not installed: shown as data"


@dataclasses.dataclass(frozen=True, slots=True)
class ForeignValue:
    """A recorded Haystack value that could not be rebuilt as itself: its type path and its `to_dict` data.

    It records back as it was read, so a replay or a fork of a replay keeps it; `as_ours` shows it.
    """

    type_path: str
    data: Any
    note: str = NOT_INSTALLED

    @property
    def type_name(self) -> str:
        return self.type_path.rpartition(".")[2]

    def __repr__(self) -> str:
        """As our equivalent class's repr where there is one (a headless replay prints it), with the note."""
        shown = as_ours(self)
        if shown is self:
            return f"<{self.type_name} ({self.note}): {self.data!r}>"
        return f"{shown!r} <{self.note}>"


def haystack_type_path(value: Any) -> str | None:
    """The type path of `value` if it is exactly one of the known Haystack dataclasses (no subclass), else None."""
    cls = type(value)
    path = f"{cls.__module__}.{cls.__qualname__}"
    return path if path in HAYSTACK_DATACLASSES else None


def is_haystack_value(value: Any) -> bool:
    return haystack_type_path(value) is not None


def haystack_to_dict(value: Any) -> dict[str, Any]:
    """`value.to_dict()`, a `Document`'s meta kept apart (Haystack flattens it by default; `from_dict` reads both)."""
    if type(value).__name__ == "Document":
        return value.to_dict(flatten=False)
    return value.to_dict()


@cache
def _haystack_dataclasses() -> ModuleType | None:
    try:
        return importlib.import_module("haystack.dataclasses")
    except ImportError:
        return None


def haystack_class(type_path: str) -> type[Any] | None:
    """The class a known Haystack type path names, or None where haystack-ai is not importable (or the path is
    not one of `HAYSTACK_DATACLASSES`: a recording never makes us import anything else)."""
    name = HAYSTACK_DATACLASSES.get(type_path)
    module = _haystack_dataclasses() if name is not None else None
    cls = getattr(module, name, None) if module is not None and name is not None else None
    return cls if isinstance(cls, type) else None


def from_haystack_dict(type_path: str, data: Any) -> Any:
    """The Haystack object `data` (its `to_dict`) describes, or a `ForeignValue` where that cannot be built."""
    cls = haystack_class(type_path)
    if cls is None:
        known = type_path in HAYSTACK_DATACLASSES
        return ForeignValue(type_path, data, NOT_INSTALLED if known else "not a known Haystack type: shown as data")
    try:
        return cls.from_dict(data)
    except Exception as exc:  # a layout from another Haystack version: still shown, never a lost event
        return ForeignValue(type_path, data, f"{type(exc).__name__} rebuilding it: shown as data")


# -- viewing through our own classes --------------------------------------------------------------------------


def as_ours(value: Any) -> Any:
    """A Haystack `Document`, `ChatMessage`, `GeneratedAnswer`, `ExtractedAnswer`, `ByteStream` or
    `StreamingChunk` (live, or a `ForeignValue` of one) as our equivalent, for the views built for ours; any other
    value, or one whose data does not fit, is returned as it is."""
    if isinstance(value, ForeignValue):
        path, data = value.type_path, value.data
    else:
        found = haystack_type_path(value)
        if found is None:
            return value
        path, data = found, haystack_to_dict(value)
    convert = _CONVERTERS.get(HAYSTACK_DATACLASSES.get(path, ""))
    if convert is None or not isinstance(data, dict):
        return value
    try:
        return convert(data)
    except (KeyError, TypeError, ValueError):
        return value


_DOCUMENT_FIELDS = ("id", "content", "blob", "meta", "score", "embedding", "sparse_embedding")


def _document(data: dict[str, Any]) -> Document:
    """Flattened (meta keys at the top) or not; the sparse embedding has no place in ours and is left out."""
    meta = dict(data.get("meta") or {})
    meta.update({key: item for key, item in data.items() if key not in _DOCUMENT_FIELDS})
    blob = data.get("blob")
    return Document(
        id=data.get("id") or "",
        content=data.get("content"),
        meta=meta,
        score=data.get("score"),
        embedding=data.get("embedding"),
        blob=_byte_stream(blob) if blob else None,
    )


def _byte_stream(data: dict[str, Any]) -> ByteStream:
    raw = data["data"]
    return ByteStream(data=bytes(raw), meta=dict(data.get("meta") or {}), mime_type=data.get("mime_type"))


def _message(data: dict[str, Any]) -> ChatMessage:
    """Images and files, which ours does not carry, become a line of text saying what they were."""
    content = data.get("content")
    if isinstance(content, list):
        content = [_part(part) for part in content]
    return ChatMessage.from_dict({**data, "content": content})


def _part(part: Any) -> Any:
    for key in ("image", "file"):
        if isinstance(part, dict) and isinstance(part.get(key), dict):
            inner = part[key]
            what = inner.get("mime_type") or key
            name = f" {inner['filename']}" if inner.get("filename") else ""
            return TextContent(f"[{key}{name}: {what}]").to_dict()
    return part


def _generated(data: dict[str, Any]) -> GeneratedAnswer:
    parameters = data["init_parameters"]
    meta = dict(parameters.get("meta") or {})
    messages = meta.get("all_messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        meta["all_messages"] = [_message(message) for message in messages]
    return GeneratedAnswer(
        data=parameters.get("data") or "",
        query=parameters.get("query") or "",
        documents=[_document(document) for document in parameters.get("documents") or []],
        meta=meta,
    )


def _span(data: Any) -> ExtractedAnswer.Span | None:
    return None if data is None else ExtractedAnswer.Span(start=data["start"], end=data["end"])


def _extracted(data: dict[str, Any]) -> ExtractedAnswer:
    parameters = data["init_parameters"]
    document = parameters.get("document")
    return ExtractedAnswer(
        query=parameters.get("query") or "",
        score=parameters["score"],
        data=parameters.get("data"),
        document=_document(document) if document else None,
        context=parameters.get("context"),
        document_offset=_span(parameters.get("document_offset")),
        context_offset=_span(parameters.get("context_offset")),
        meta=dict(parameters.get("meta") or {}),
    )


def _chunk(data: dict[str, Any]) -> StreamingChunk:
    return StreamingChunk(content=data.get("content") or "", meta=dict(data.get("meta") or {}))


_CONVERTERS = {
    "Document": _document,
    "ByteStream": _byte_stream,
    "ChatMessage": _message,
    "GeneratedAnswer": _generated,
    "ExtractedAnswer": _extracted,
    "StreamingChunk": _chunk,
}
