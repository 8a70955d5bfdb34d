"""The values that flow between RAG components: documents, chat messages, answers, streamed chunks."""

from pipeline.dataclasses.answer import Answer, ExtractedAnswer, GeneratedAnswer
from pipeline.dataclasses.byte_stream import ByteStream
from pipeline.dataclasses.chat_message import (
    ChatMessage,
    ChatRole,
    ReasoningContent,
    TextContent,
    ToolCall,
    ToolCallResult,
)
from pipeline.dataclasses.document import Document
from pipeline.dataclasses.streaming_chunk import (
    AsyncStreamingCallbackT,
    StreamingCallbackT,
    StreamingChunk,
    SyncStreamingCallbackT,
)

__all__ = [
    "Answer",
    "AsyncStreamingCallbackT",
    "ByteStream",
    "ChatMessage",
    "ChatRole",
    "Document",
    "ExtractedAnswer",
    "GeneratedAnswer",
    "ReasoningContent",
    "StreamingCallbackT",
    "StreamingChunk",
    "SyncStreamingCallbackT",
    "TextContent",
    "ToolCall",
    "ToolCallResult",
]
