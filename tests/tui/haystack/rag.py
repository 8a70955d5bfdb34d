"""A small hybrid retrieval pipeline written with haystack-ai: BM25 and a custom retriever joined by a
DocumentJoiner, a PromptBuilder, a custom generator and Haystack's AnswerBuilder. Offline and instant."""

from __future__ import annotations

from haystack import AsyncPipeline, Document
from haystack.components.builders import AnswerBuilder, PromptBuilder
from haystack.components.joiners import DocumentJoiner
from haystack.components.retrievers.in_memory import InMemoryBM25Retriever
from haystack.document_stores.in_memory import InMemoryDocumentStore

from tests.tui.haystack.components import EchoGenerator, KeywordRetriever

CONTENTS = [
    "The Hanging Gardens of Babylon were terraced.",
    "The Colossus of Rhodes stood by the harbour.",
    "The Great Pyramid of Giza is the oldest wonder.",
]
TEMPLATE = "{% for document in documents %}{{ document.content }}\n{% endfor %}{{ query }}"


def build_pipeline() -> AsyncPipeline:
    store = InMemoryDocumentStore(index="pipedebug-test-rag")
    store.write_documents([Document(content=text, meta={"source": "bm25"}) for text in CONTENTS], policy="overwrite")
    pipe = AsyncPipeline(metadata={"example_inputs": [{"query": "Where were the gardens of Babylon?"}]})
    pipe.add_component("bm25", InMemoryBM25Retriever(store, top_k=2))
    pipe.add_component("keywords", KeywordRetriever(CONTENTS))
    pipe.add_component("joiner", DocumentJoiner())
    pipe.add_component("prompt", PromptBuilder(TEMPLATE, required_variables=["query", "documents"]))
    pipe.add_component("llm", EchoGenerator())
    pipe.add_component("answer", AnswerBuilder())
    pipe.connect("bm25.documents", "joiner.documents")
    pipe.connect("keywords.documents", "joiner.documents")
    pipe.connect("joiner.documents", "prompt.documents")
    pipe.connect("prompt.prompt", "llm.prompt")
    pipe.connect("llm.replies", "answer.replies")
    pipe.connect("joiner.documents", "answer.documents")
    return pipe
