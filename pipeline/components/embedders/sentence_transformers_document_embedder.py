"""`SentenceTransformersDocumentEmbedder`: embeds documents (content plus chosen meta fields), with a disk cache."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from pipeline.components.embedders.backend import DEFAULT_MODEL, cached_encode, default_cache_dir, load_model
from pipeline.core.component import component
from pipeline.core.progress import report_progress
from pipeline.dataclasses import Document


@component
class SentenceTransformersDocumentEmbedder:
    """Vectors are cached on disk by model and text, so restarting the debugger does not re-embed a corpus.

    Progress is reported per batch (`report_progress`), which the debugger shows as a bar on the node.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str | None = None,
        prefix: str = "",
        suffix: str = "",
        batch_size: int = 32,
        progress_bar: bool = True,
        normalize_embeddings: bool = False,
        meta_fields_to_embed: list[str] | None = None,
        embedding_separator: str = "\n",
        cache_dir: str | None = None,
        use_cache: bool = True,
    ) -> None:
        self.model = model
        self.device = device
        self.prefix = prefix
        self.suffix = suffix
        self.batch_size = batch_size
        self.progress_bar = progress_bar
        self.normalize_embeddings = normalize_embeddings
        self.meta_fields_to_embed = list(meta_fields_to_embed or [])
        self.embedding_separator = embedding_separator
        self.cache_dir = cache_dir
        self.use_cache = use_cache

    def warm_up(self) -> None:
        """Load the model off the event loop (shared with every embedder of the same model in this process)."""
        load_model(self.model, self.device)

    def _text_of(self, document: Document) -> str:
        fields = [str(document.meta[key]) for key in self.meta_fields_to_embed if document.meta.get(key) is not None]
        return self.prefix + self.embedding_separator.join([*fields, document.content or ""]) + self.suffix

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, Any]:
        if not isinstance(documents, list) or any(not isinstance(d, Document) for d in documents):
            raise TypeError(
                "SentenceTransformersDocumentEmbedder expects a list of Documents; to embed a string use "
                "SentenceTransformersTextEmbedder."
            )
        cache_dir = (Path(self.cache_dir) if self.cache_dir else default_cache_dir()) if self.use_cache else None
        vectors = cached_encode(
            self.model,
            self.device,
            [self._text_of(document) for document in documents],
            self.batch_size,
            self.normalize_embeddings,
            cache_dir,
            (lambda done, total: report_progress(done, total, "embedding batches")) if self.progress_bar else None,
        )
        embedded = [
            dataclasses.replace(document, embedding=[float(x) for x in vector])
            for document, vector in zip(documents, vectors, strict=True)
        ]
        return {"documents": embedded}
