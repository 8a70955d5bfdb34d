"""The sample's document store: an `InMemoryDocumentStore` that fills itself with the seven wonders corpus.

Filling happens in `warm_up` (the retrievers forward theirs), which the engine runs off the event loop before
the first component, so a pipeline loaded from YAML is ready to query wherever it runs. Stores sharing an index
share its documents, so the corpus is indexed once per process, by the indexing pipeline in `indexing.yaml`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pipeline.components.writers import DocumentWriter
from pipeline.core.pipeline import AsyncPipeline
from pipeline.core.serialization import default_to_dict
from pipeline.dataclasses import Document
from pipeline.document_stores.in_memory import InMemoryDocumentStore

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
INDEXING_YAML = Path(__file__).resolve().parent / "indexing.yaml"

_filling: dict[str, threading.Lock] = {}
_filling_guard = threading.Lock()


def load_documents(data_file: str | Path) -> list[Document]:
    """The corpus as Documents, read with `datasets` as the seed notebook reads its hub data set."""
    # datasets inspects `transformers` whenever it is in sys.modules; the embedder may be importing it in another
    # warm-up thread right now, and importing it here first waits for that to finish instead of seeing it half-made.
    import transformers  # noqa: F401
    from datasets import load_dataset

    path = Path(data_file)
    dataset = load_dataset("json", data_files=str(path if path.is_absolute() else DATA_DIR / path), split="train")
    return [Document(content=row["content"], meta=row["meta"]) for row in dataset]


class SevenWondersDocumentStore(InMemoryDocumentStore):
    def __init__(self, data_file: str = "seven_wonders.jsonl", index: str = "seven_wonders", **store: Any) -> None:
        """`data_file` is a JSON Lines corpus (relative paths are under sample_pipelines/data); `store` takes
        InMemoryDocumentStore's other parameters."""
        super().__init__(index=index, **store)
        self.data_file = data_file

    def to_dict(self) -> dict[str, Any]:
        parameters = super().to_dict()["init_parameters"]
        return default_to_dict(self, data_file=self.data_file, **parameters)

    def warm_up(self) -> None:
        """Index the corpus once per process (later calls, and other stores on this index, find it there)."""
        with _filling_guard:
            lock = _filling.setdefault(self.index, threading.Lock())
        with lock:
            if self.count_documents():
                return
            indexing = AsyncPipeline.load(INDEXING_YAML)
            writer = indexing.get_component("writer")
            assert isinstance(writer, DocumentWriter)
            if writer.document_store.index != self.index:
                raise ValueError(
                    f"{INDEXING_YAML} writes to index '{writer.document_store.index}', but this store reads "
                    f"'{self.index}': make them the same."
                )
            indexing.run({"documents": load_documents(self.data_file)})
