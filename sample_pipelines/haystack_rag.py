"""The seed notebook's hybrid RAG written with haystack-ai itself, for `pipedebug` to open unchanged.

Same imports, component names, connections and prompt template as the notebook; the differences keep it
offline: the corpus is `data/seven_wonders.jsonl` (embeddings cached on disk), the embedding model is the
packaged all-MiniLM-L6-v2, and `llm` is `OpenAIChatGenerator` only when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is
set (model from `PIPEDEBUG_OPENAI_MODEL`), otherwise an extractive answerer whose replies say they are offline.

    pipedebug sample_pipelines/haystack_rag.py        (headless: pipedebug run sample_pipelines/haystack_rag.py)

Needs the `haystack` extra: `pip install -e '.[haystack]'`.
"""

from __future__ import annotations

import os

from haystack import AsyncPipeline
from haystack.components.builders import ChatPromptBuilder
from haystack.components.generators.chat import OpenAIChatGenerator
from haystack.components.joiners import DocumentJoiner
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
from haystack.dataclasses import ChatMessage
from haystack.document_stores.in_memory import InMemoryDocumentStore
from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersTextEmbedder

from sample_pipelines.haystack_rag_parts import INDEX, ExtractiveAnswerer, fill_store, model_path

# The same questions, inputs and endpoint rule as our own hybrid sample.
from sample_pipelines.hybrid_rag import EXAMPLE_INPUTS, llm_endpoint_configured

TEMPLATE = """
Given the following information, answer the question.
Context:
{% for document in documents %}
{{ document.content }}
{% endfor %}
Question: {{question}}
Answer:
"""


def build_pipeline() -> AsyncPipeline:
    """The notebook's query pipeline over a store holding the corpus (written on the first call in a process)."""
    model = model_path()
    document_store = InMemoryDocumentStore(index=INDEX)
    fill_store(document_store, model)

    text_embedder = SentenceTransformersTextEmbedder(model=model, local_files_only=True, progress_bar=False)
    embedding_retriever = InMemoryEmbeddingRetriever(document_store)
    bm25_retriever = InMemoryBM25Retriever(document_store)
    joiner = DocumentJoiner(join_mode="reciprocal_rank_fusion")
    prompt_builder = ChatPromptBuilder(template=[ChatMessage.from_user(TEMPLATE)])
    if llm_endpoint_configured():
        # The openai client reads OPENAI_BASE_URL; a local server (Ollama, vLLM) takes any key, but one is needed.
        os.environ.setdefault("OPENAI_API_KEY", "local")
        generator = OpenAIChatGenerator(model=os.environ.get("PIPEDEBUG_OPENAI_MODEL", "gpt-4o-mini"))
    else:
        generator = ExtractiveAnswerer()

    async_rag_pipeline = AsyncPipeline(
        metadata={
            "description": "The seed notebook's hybrid RAG in haystack-ai: BM25 + embeddings, RRF, then an answer.",
            "example_inputs": EXAMPLE_INPUTS,
            # For pipedebug's loader of this pipeline's YAML: the embedders' integration package, allowed openly.
            "allowed_modules": ["haystack_integrations"],
        }
    )
    async_rag_pipeline.add_component("text_embedder", text_embedder)
    async_rag_pipeline.add_component("embedding_retriever", embedding_retriever)
    async_rag_pipeline.add_component("bm25_retriever", bm25_retriever)
    async_rag_pipeline.add_component("joiner", joiner)
    async_rag_pipeline.add_component("prompt_builder", prompt_builder)
    async_rag_pipeline.add_component("llm", generator)

    async_rag_pipeline.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
    async_rag_pipeline.connect("bm25_retriever.documents", "joiner.documents")
    async_rag_pipeline.connect("embedding_retriever.documents", "joiner.documents")
    async_rag_pipeline.connect("joiner.documents", "prompt_builder.documents")
    async_rag_pipeline.connect("prompt_builder.prompt", "llm.messages")
    return async_rag_pipeline
