"""`SentenceTransformersTextEmbedder`: embeds a query string with a local sentence-transformers model."""

from __future__ import annotations

from typing import Any

from pipeline.components.embedders.backend import DEFAULT_MODEL, encode, load_model
from pipeline.core.component import component


@component
class SentenceTransformersTextEmbedder:
    """The model loads in `warm_up` (off the event loop, once per process), never at import."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str | None = None,
        prefix: str = "",
        suffix: str = "",
        batch_size: int = 32,
        progress_bar: bool = True,
        normalize_embeddings: bool = False,
    ) -> None:
        self.model = model
        self.device = device
        self.prefix = prefix
        self.suffix = suffix
        self.batch_size = batch_size
        self.progress_bar = progress_bar
        self.normalize_embeddings = normalize_embeddings
        self._model: Any = None

    def warm_up(self) -> None:
        if self._model is None:
            self._model = load_model(self.model, self.device)

    @component.output_types(embedding=list[float])
    def run(self, text: str) -> dict[str, list[float]]:
        if not isinstance(text, str):
            raise TypeError(
                "SentenceTransformersTextEmbedder expects a string; to embed Documents use "
                "SentenceTransformersDocumentEmbedder."
            )
        self.warm_up()
        vectors = encode(self._model, [self.prefix + text + self.suffix], self.batch_size, self.normalize_embeddings)
        return {"embedding": [float(x) for x in vectors[0]]}
