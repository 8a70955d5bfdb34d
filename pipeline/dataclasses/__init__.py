"""The values that flow between RAG components: documents, chat messages, streamed chunks."""

from pipeline.dataclasses.byte_stream import ByteStream
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
    "ByteStream",
    "ChatMessage",
    "ChatRole",
    "Document",
    "StreamingCallbackT",
    "StreamingChunk",
    "SyncStreamingCallbackT",
]
