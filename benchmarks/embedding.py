"""Embedding throughput of the packaged all-MiniLM-L6-v2 on this machine, and what the disk cache saves.

Run from the repository root: `python -m benchmarks.embedding [--quick]`. Reports documents per second for
the seven wonders corpus (cold: model loaded, nothing cached; warm: model loaded; cached: vectors on disk),
and query-embedding latency.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from rich.console import Console
from rich.table import Table

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pipeline.components.embedders import (
    SentenceTransformersDocumentEmbedder,
    SentenceTransformersTextEmbedder,
)
from sample_pipelines.hybrid_rag.store import load_documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    options = parser.parse_args()
    documents = load_documents("seven_wonders.jsonl")
    words = sum(len((d.content or "").split()) for d in documents)
    table = Table(title=f"Embedding: all-MiniLM-L6-v2 on CPU, {len(documents)} passages ({words} words)")
    for column in ("case", "seconds", "docs/s", "note"):
        table.add_column(column, justify="right" if column in ("seconds", "docs/s") else "left")

    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        SentenceTransformersDocumentEmbedder(cache_dir=cache).run(documents)
        cold = time.perf_counter() - started
        table.add_row("cold", f"{cold:.2f}", f"{len(documents) / cold:.0f}", "includes loading the model")
        for batch_size in (16, 32, 64):
            with tempfile.TemporaryDirectory() as fresh:
                embedder = SentenceTransformersDocumentEmbedder(cache_dir=fresh, batch_size=batch_size)
                started = time.perf_counter()
                embedder.run(documents)
                warm = time.perf_counter() - started
            table.add_row(f"warm, batch {batch_size}", f"{warm:.2f}", f"{len(documents) / warm:.0f}", "model loaded")
        started = time.perf_counter()
        SentenceTransformersDocumentEmbedder(cache_dir=cache).run(documents)
        cached = time.perf_counter() - started
        table.add_row(
            "cached", f"{cached:.3f}", f"{len(documents) / cached:.0f}", "a second start reads the disk cache"
        )

    text_embedder = SentenceTransformersTextEmbedder()
    text_embedder.warm_up()
    latencies = []
    for _ in range(10 if options.quick else 50):
        started = time.perf_counter()
        text_embedder.run("What does Rhodes Statue look like?")
        latencies.append(time.perf_counter() - started)
    table.add_row("one query", f"{statistics.median(latencies) * 1000:.1f} ms", "", "median")
    Console().print(table)


if __name__ == "__main__":
    main()
