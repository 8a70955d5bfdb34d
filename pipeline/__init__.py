"""pipedebug's async pipeline engine. Code written for Haystack ports by renaming `haystack` to `pipeline`."""

from pipeline.core.component import component
from pipeline.core.component.types import GreedyVariadic, Variadic
from pipeline.core.errors import (
    ComponentError,
    DefinitionError,
    PipelineComponentsBlockedError,
    PipelineConnectError,
    PipelineError,
    PipelineMaxComponentRuns,
    PipelineRuntimeError,
    PipelineValidationError,
)
from pipeline.core.pipeline import AsyncPipeline, Pipeline
from pipeline.core.progress import current_visit, report_progress
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.dataclasses import Answer, ChatMessage, Document, ExtractedAnswer, GeneratedAnswer, StreamingChunk

__all__ = [
    "Answer",
    "AsyncPipeline",
    "ChatMessage",
    "ComponentError",
    "DefinitionError",
    "Document",
    "ExtractedAnswer",
    "GeneratedAnswer",
    "GreedyVariadic",
    "Pipeline",
    "PipelineComponentsBlockedError",
    "PipelineConnectError",
    "PipelineError",
    "PipelineMaxComponentRuns",
    "PipelineRuntimeError",
    "PipelineValidationError",
    "StreamingChunk",
    "Variadic",
    "component",
    "current_visit",
    "default_from_dict",
    "default_to_dict",
    "report_progress",
]
