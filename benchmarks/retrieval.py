"""Retrieval benchmarks: the in-memory store's BM25 and embedding queries at 1k, 10k and 100k documents.

Synthetic corpus: a vocabulary of 20,000 made-up words drawn with Zipf's law (word of rank r has probability
proportional to 1/r, as in natural text), about 150 words per document, a random 384-dimensional embedding per
document and a `meta.group` of 0..9. Queries are 3 to 6 distinct words drawn from the same distribution, and random
384-dimensional vectors. For each size the table reports:

- indexing: one `write_documents` call with all documents (tokenizing, BM25 postings, embedding matrix), and the
  same without embeddings (BM25 only, comparable to rank-bm25's index);
- BM25 query time (median, top_k=10) for BM25L (the default) and BM25Okapi, and for BM25L with a filter on
  `meta.group`, which is evaluated document by document as in Haystack;
- embedding query time (median, top_k=10), dot product and cosine;
- rank-bm25: its index time and its `BM25Okapi.get_scores` + top 10 query time on the same tokens. Okapi is the one
  algorithm where rank-bm25's formula equals Haystack's (its BM25L multiplies by the term frequency and gives
  absent terms nothing, its BM25Plus uses another IDF), and the table checks that both give the same scores.

Run from the repository root:

    python -m benchmarks.retrieval [--quick]

`--quick` times fewer queries (the sizes are the same, so it still takes a minute or so, mostly building the
100k-document corpus and rank-bm25's index).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from rich.console import Console
from rich.table import Table

from pipeline.dataclasses import Document
from pipeline.document_stores.in_memory import InMemoryDocumentStore

try:
    from rank_bm25 import BM25Okapi
except ImportError as exc:  # a benchmark-only dependency
    raise SystemExit("This benchmark compares with rank-bm25: pip install rank-bm25") from exc

SIZES = (1_000, 10_000, 100_000)
VOCABULARY_SIZE = 20_000
WORDS_PER_DOCUMENT = 150
DIMENSION = 384
TOP_K = 10


@dataclass(frozen=True)
class Settings:
    queries: int
    rank_bm25_queries: int


FULL = Settings(queries=50, rank_bm25_queries=10)
QUICK = Settings(queries=10, rank_bm25_queries=3)


@dataclass(frozen=True)
class Row:
    documents: int
    index_s: float
    bm25_index_s: float
    bm25l_ms: float
    okapi_ms: float
    filtered_ms: float
    dot_ms: float
    cosine_ms: float
    rank_bm25_index_s: float
    rank_bm25_ms: float
    okapi_max_difference: float


def make_vocabulary(rng: np.random.Generator) -> list[str]:
    letters = np.array(list(string.ascii_lowercase))
    words: set[str] = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice(letters, size=int(rng.integers(3, 11)))))
    return sorted(words)


def zipf_probabilities() -> np.ndarray:
    weights = 1 / np.arange(1, VOCABULARY_SIZE + 1)
    return weights / weights.sum()


def make_documents(count: int, vocabulary: list[str], rng: np.random.Generator) -> list[Document]:
    lengths = np.clip(rng.normal(WORDS_PER_DOCUMENT, 30, count).astype(int), 20, None)
    words = rng.choice(len(vocabulary), size=int(lengths.sum()), p=zipf_probabilities())
    embeddings = rng.standard_normal((count, DIMENSION))
    documents = []
    start = 0
    for index, length in enumerate(lengths):
        content = " ".join(vocabulary[word] for word in words[start : start + length])
        start += length
        meta = {"group": index % 10}
        documents.append(Document(content=content, meta=meta, embedding=embeddings[index].tolist()))
    return documents


def make_queries(count: int, vocabulary: list[str], rng: np.random.Generator) -> list[str]:
    probabilities = zipf_probabilities()
    return [
        " ".join(
            vocabulary[word]
            for word in rng.choice(VOCABULARY_SIZE, int(rng.integers(3, 7)), replace=False, p=probabilities)
        )
        for _ in range(count)
    ]


def timed(action: Callable[[], object]) -> float:
    """Seconds taken by one call, with the garbage collector off, as in `timeit`."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        gc.enable()


def median_ms(actions: list[Callable[[], object]]) -> float:
    actions[0]()  # warm-up
    return statistics.median(timed(action) for action in actions) * 1000


def top_k_rank_bm25(index: BM25Okapi, tokens: list[str]) -> list[tuple[int, float]]:
    scores = index.get_scores(tokens)
    best = np.argpartition(-scores, TOP_K)[:TOP_K]
    return sorted(((int(i), float(scores[i])) for i in best), key=lambda pair: -pair[1])


def benchmark_size(count: int, settings: Settings, vocabulary: list[str], status: Callable[[str], None]) -> Row:
    rng = np.random.default_rng(count)
    status(f"generating {count:,} documents")
    documents = make_documents(count, vocabulary, rng)
    queries = make_queries(settings.queries, vocabulary, rng)
    vectors = rng.standard_normal((settings.queries, DIMENSION)).tolist()

    status(f"indexing {count:,} documents")
    store = InMemoryDocumentStore()
    index_s = timed(lambda: store.write_documents(documents))
    bm25_only, without_embeddings = InMemoryDocumentStore(), [replace(d, embedding=None) for d in documents]
    bm25_index_s = timed(lambda: bm25_only.write_documents(without_embeddings))
    bm25_only.delete_documents([d.id for d in documents])
    okapi = InMemoryDocumentStore(bm25_algorithm="BM25Okapi", index=store.index)  # same documents, other scoring
    cosine = InMemoryDocumentStore(embedding_similarity_function="cosine", index=store.index)
    group = {"field": "meta.group", "operator": "==", "value": 3}

    status(f"querying {count:,} documents")
    bm25l_ms = median_ms([lambda q=q: store.bm25_retrieval(q, top_k=TOP_K) for q in queries])
    okapi_ms = median_ms([lambda q=q: okapi.bm25_retrieval(q, top_k=TOP_K) for q in queries])
    filtered_ms = median_ms([lambda q=q: store.bm25_retrieval(q, filters=group, top_k=TOP_K) for q in queries])
    dot_ms = median_ms([lambda v=v: store.embedding_retrieval(v, top_k=TOP_K) for v in vectors])
    cosine_ms = median_ms([lambda v=v: cosine.embedding_retrieval(v, top_k=TOP_K) for v in vectors])

    status(f"building rank-bm25's index of {count:,} documents")
    tokenize = store.tokenizer
    rank_index: list[BM25Okapi] = []
    rank_bm25_index_s = timed(lambda: rank_index.append(BM25Okapi([tokenize(d.content.lower()) for d in documents])))
    status(f"querying rank-bm25 with {count:,} documents")
    query_tokens = [list(dict.fromkeys(tokenize(q.lower()))) for q in queries[: settings.rank_bm25_queries]]
    rank_bm25_ms = median_ms([lambda t=t: top_k_rank_bm25(rank_index[0], t) for t in query_tokens])

    difference = 0.0
    for query, tokens in zip(queries, query_tokens, strict=False):
        ours = [d.score for d in okapi.bm25_retrieval(query, top_k=TOP_K)]
        theirs = [score for _, score in top_k_rank_bm25(rank_index[0], tokens)]
        difference = max(difference, *(abs(a - b) for a, b in zip(ours, theirs, strict=True)))

    store.delete_documents([d.id for d in documents])  # stores with one index share it: free the memory now
    return Row(
        count,
        index_s,
        bm25_index_s,
        bm25l_ms,
        okapi_ms,
        filtered_ms,
        dot_ms,
        cosine_ms,
        rank_bm25_index_s,
        rank_bm25_ms,
        difference,
    )


def render(rows: list[Row], mode: str, console: Console) -> None:
    table = Table(title=f"In-memory retrieval, top_k={TOP_K} ({mode} run; query times are medians)")
    for header in (
        "documents",
        "indexing",
        "indexing, BM25 only",
        "BM25L query",
        "BM25Okapi query",
        "BM25L + filter",
        "dot product query",
        "cosine query",
        "rank-bm25 index",
        "rank-bm25 Okapi query",
        "rank-bm25 / ours (Okapi)",
        "max |score diff|",
    ):
        table.add_column(header, justify="right")
    for row in rows:
        table.add_row(
            f"{row.documents:,}",
            f"{row.index_s:.2f} s",
            f"{row.bm25_index_s:.2f} s",
            f"{row.bm25l_ms:.2f} ms",
            f"{row.okapi_ms:.2f} ms",
            f"{row.filtered_ms:.1f} ms",
            f"{row.dot_ms:.2f} ms",
            f"{row.cosine_ms:.2f} ms",
            f"{row.rank_bm25_index_s:.2f} s",
            f"{row.rank_bm25_ms:.1f} ms",
            f"{row.rank_bm25_ms / row.okapi_ms:.0f}x",
            f"{row.okapi_max_difference:.1e}",
        )
    console.print(table)
    console.print(
        "indexing: one write_documents of all documents with their 384-dim embeddings; BM25 only: the same "
        "documents without embeddings, comparable to rank-bm25's index (both include tokenizing). "
        "BM25L + filter evaluates the filter on every document, as Haystack does."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="time fewer queries")
    args = parser.parse_args(argv)
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # redirected to a file: do not wrap the table at 80 columns
    settings = QUICK if args.quick else FULL
    vocabulary = make_vocabulary(np.random.default_rng(0))
    rows = []
    with console.status("") as status:
        for count in SIZES:
            rows.append(benchmark_size(count, settings, vocabulary, lambda text: status.update(f"{text}...")))
    render(rows, "quick" if args.quick else "full", console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
