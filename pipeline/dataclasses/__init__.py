"""The values that flow between RAG components: documents, chat messages, streamed chunks."""

from pipeline.dataclasses.chat_message import ChatMessage, ChatRole
from pipeline.dataclasses.document import Document
from pipeline.dataclasses.streaming_chunk import (
    AsyncStreamingCallbackT,
    StreamingCallbackT,
    StreamingChunk,
    SyncStreamingCallbackT,
)

__all__ = [
    "AsyncStreamingCallbackT",
    "ChatMessage",
    "ChatRole",
    "Document",
    "StreamingCallbackT",
    "StreamingChunk",
    "SyncStreamingCallbackT",
]
