"""The seed notebook's hybrid RAG over the seven wonders, offline by default.

`build_pipeline()` loads `query.yaml`; with `OPENAI_API_KEY` or `OPENAI_BASE_URL` set, its `llm` is an
`OpenAIChatGenerator` (model from `PIPEDEBUG_OPENAI_MODEL`, default gpt-4o-mini), otherwise the offline
extractive answerer. `pipedebug run sample_pipelines/hybrid_rag` runs it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from pipeline import AsyncPipeline

QUERY_YAML = Path(__file__).resolve().parent / "query.yaml"
EXAMPLE_QUESTIONS = [
    "Where is Gardens of Babylon?",
    "Why did people build Great Pyramid of Giza?",
    "What does Rhodes Statue look like?",
]


def example_inputs(question: str) -> dict[str, dict[str, Any]]:
    """The seed's inputs for one question: the same text to both retrieval branches and the prompt."""
    return {
        "text_embedder": {"text": question},
        "bm25_retriever": {"query": question},
        "prompt_builder": {"question": question},
    }


EXAMPLE_INPUTS = [example_inputs(question) for question in EXAMPLE_QUESTIONS]


def llm_endpoint_configured() -> bool:
    return bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))


def build_pipeline() -> AsyncPipeline:
    """The query pipeline, with a real LLM when an endpoint is configured and the offline answerer otherwise."""
    definition = yaml.safe_load(QUERY_YAML.read_text(encoding="utf-8"))
    if llm_endpoint_configured():
        definition["components"]["llm"] = {
            "type": "pipeline.components.generators.chat.openai.OpenAIChatGenerator",
            "init_parameters": {"model": os.environ.get("PIPEDEBUG_OPENAI_MODEL", "gpt-4o-mini")},
        }
    return AsyncPipeline.from_dict(definition)
