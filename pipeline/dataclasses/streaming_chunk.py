"""`StreamingChunk`: one piece of a streamed reply, handed to a generator's `streaming_callback`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias


@dataclass
class StreamingChunk:
    content: str
    meta: dict[str, Any] = field(default_factory=dict)


SyncStreamingCallbackT: TypeAlias = Callable[[StreamingChunk], None]
AsyncStreamingCallbackT: TypeAlias = Callable[[StreamingChunk], Awaitable[None]]
StreamingCallbackT: TypeAlias = SyncStreamingCallbackT | AsyncStreamingCallbackT
