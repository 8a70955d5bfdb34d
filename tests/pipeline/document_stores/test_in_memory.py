"""InMemoryDocumentStore: Haystack's scores checked by hand, duplicate policies, filters, persistence and errors.

The BM25 tests use one small corpus (with the default tokenizer, which lowercases and splits on non-word characters):

    d1 "Cat dog cat"   tokens cat, dog, cat   length 3
    d2 "dog bird"      tokens dog, bird       length 2
    d3 "fish"          tokens fish            length 1

so N = 3 documents, average length 2, and document frequencies cat 1, dog 2, bird 1, fish 1.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import Document
from pipeline.document_stores import DuplicateDocumentError, DuplicatePolicy, FilterError
from pipeline.document_stores.in_memory import InMemoryDocumentStore

K1, B = 1.5, 0.75
N, AVERAGE_LENGTH = 3, 2.0


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def corpus(**store_args: object) -> tuple[InMemoryDocumentStore, list[Document]]:
    store = InMemoryDocumentStore(**store_args)  # type: ignore[arg-type]
    documents = [Document(content="Cat dog cat"), Document(content="dog bird"), Document(content="fish")]
    assert store.write_documents(documents) == 3
    return store, documents


def norm(length: int) -> float:
    """The length normalisation 1 - b + b * dl / avgdl shared by the three algorithms."""
    return 1 - B + B * length / AVERAGE_LENGTH


def scores_by_content(results: list[Document]) -> dict[str | None, float | None]:
    return {document.content: document.score for document in results}


# -- BM25 ------------------------------------------------------------------------------------------------------------


def test_bm25l_scores_by_hand() -> None:
    store, _ = corpus()  # BM25L is the default: k1 1.5, b 0.75, delta 0.5
    delta = 0.5
    idf_cat = math.log((N + 1) / (1 + 0.5))  # ln(4 / 1.5), df(cat) = 1
    idf_dog = math.log((N + 1) / (2 + 0.5))  # ln(4 / 2.5), df(dog) = 2

    def tf_part(tf: int, length: int) -> float:
        ctd = tf / norm(length)
        return (1 + K1) * (ctd + delta) / (K1 + ctd + delta)

    absent = (1 + K1) * delta / (K1 + delta)  # = 0.625: BM25L credits documents lacking the term
    assert tf_part(0, 3) == absent

    results = store.bm25_retrieval("cat")
    assert [d.content for d in results] == ["Cat dog cat", "dog bird", "fish"]  # d2, d3 tie: write order
    assert results[0].score == pytest.approx(idf_cat * tf_part(2, 3))  # ctd = 2 / 1.375
    assert results[0].score == pytest.approx(1.38735716709)
    assert results[1].score == results[2].score == pytest.approx(idf_cat * absent)

    results = scores_by_content(store.bm25_retrieval("cat DOG"))
    assert results["Cat dog cat"] == pytest.approx(idf_cat * tf_part(2, 3) + idf_dog * tf_part(1, 3))
    assert results["dog bird"] == pytest.approx(idf_cat * absent + idf_dog * tf_part(1, 2))  # ctd = 1 / 1
    assert results["fish"] == pytest.approx(idf_cat * absent + idf_dog * absent)


def test_bm25_counts_each_distinct_query_token_once_and_ignores_unknown_ones() -> None:
    store, _ = corpus()
    once = scores_by_content(store.bm25_retrieval("cat"))
    assert scores_by_content(store.bm25_retrieval("cat cat CAT unknownword")) == once


def test_bm25okapi_scores_by_hand_with_epsilon_idf_and_zero_scores_kept() -> None:
    store, _ = corpus(bm25_algorithm="BM25Okapi")  # k1 1.5, b 0.75, epsilon 0.25
    raw_idf = {
        term: math.log((N - df + 0.5) / (df + 0.5)) for term, df in {"cat": 1, "dog": 2, "bird": 1, "fish": 1}.items()
    }
    assert raw_idf["dog"] < 0  # in more than half the documents: replaced by epsilon * the mean idf
    epsilon_idf = 0.25 * sum(raw_idf.values()) / 4

    def tf_part(tf: int, length: int) -> float:
        return tf * (1 + K1) / (tf + K1 * norm(length))

    results = store.bm25_retrieval("dog")
    # Okapi scores may be negative or 0 and are kept (unscaled): fish, without the term, scores exactly 0.
    assert [(d.content, d.score) for d in results] == [
        ("dog bird", pytest.approx(epsilon_idf * tf_part(1, 2))),  # 2.5 / 2.5 = 1
        ("Cat dog cat", pytest.approx(epsilon_idf * tf_part(1, 3))),  # 2.5 / 3.0625
        ("fish", 0.0),
    ]
    results = store.bm25_retrieval("cat")
    assert results[0].score == pytest.approx(math.log(2.5 / 1.5) * tf_part(2, 3))  # 5 / 4.0625
    assert [d.score for d in results[1:]] == [0.0, 0.0]


def test_bm25plus_scores_by_hand() -> None:
    store, _ = corpus(bm25_algorithm="BM25Plus")  # k1 1.5, b 0.75, delta 1
    idf_cat = math.log(1 + (N - 1 + 0.5) / (1 + 0.5))

    def tf_part(tf: int, length: int) -> float:
        return tf * (1 + K1) / (tf + K1 * norm(length)) + 1.0

    results = scores_by_content(store.bm25_retrieval("cat"))
    assert results["Cat dog cat"] == pytest.approx(idf_cat * tf_part(2, 3))  # 5 / 4.0625 + 1
    assert results["dog bird"] == results["fish"] == pytest.approx(idf_cat * 1.0)  # absent: delta alone


def test_bm25_parameters_override_the_defaults() -> None:
    store, _ = corpus(bm25_parameters={"k1": 1.2, "b": 0.5, "delta": 0.25})
    idf_cat = math.log(4 / 1.5)
    ctd = 2 / (1 - 0.5 + 0.5 * 3 / 2)
    assert store.bm25_retrieval("cat")[0].score == pytest.approx(idf_cat * 2.2 * (ctd + 0.25) / (1.2 + ctd + 0.25))


def test_bm25_scale_score_is_sigmoid_of_score_over_8() -> None:
    store, _ = corpus()
    raw = store.bm25_retrieval("cat")
    scaled = store.bm25_retrieval("cat", scale_score=True)
    assert [d.score for d in scaled] == pytest.approx([sigmoid(d.score / 8) for d in raw])  # type: ignore[operator]


def test_bm25_top_k_and_zero_scores() -> None:
    store, _ = corpus()
    assert [d.content for d in store.bm25_retrieval("cat", top_k=1)] == ["Cat dog cat"]
    # No known token: every BM25L score is 0, and Haystack drops scores <= 0.
    assert store.bm25_retrieval("zebra") == []
    assert len(store.bm25_retrieval("zebra", scale_score=True)) == 3  # sigmoid(0) = 0.5 is kept


def test_default_tokenizer_matches_haystack_and_can_be_replaced() -> None:
    store = InMemoryDocumentStore()
    store.write_documents([Document(content="A b"), Document(content="ab")])
    assert store.bm25_retrieval("a")[0].content == "A b"  # default (?u)\b\w+\b: one-character words are tokens
    store = InMemoryDocumentStore(bm25_tokenization_regex=r"(?u)\b\w\w+\b")  # Haystack's older default
    store.write_documents([Document(content="A b"), Document(content="ab")])
    assert store.bm25_retrieval("a") == []


def test_bm25_skips_documents_without_content_but_counts_them_as_haystack_does() -> None:
    store, _ = corpus()
    store.write_documents([Document(embedding=[1.0, 0.0])])  # no content: N = 4, avgdl = 6 / 4
    results = store.bm25_retrieval("cat")
    assert all(d.content is not None for d in results)
    ctd = 2 / (1 - B + B * 3 / 1.5)
    assert results[0].score == pytest.approx(math.log(5 / 1.5) * 2.5 * (ctd + 0.5) / (K1 + ctd + 0.5))


def test_bm25_results_carry_embeddings_and_are_copies() -> None:
    store = InMemoryDocumentStore()
    original = Document(content="hello world", meta={"tags": ["a"]}, embedding=[0.5, 0.5])
    store.write_documents([original])
    original.content = "changed after writing"
    (found,) = store.bm25_retrieval("hello")
    assert found.content == "hello world" and found.embedding == [0.5, 0.5] and found.score is not None
    found.meta["tags"].append("b")
    found.embedding.append(1.0)  # type: ignore[union-attr]
    (again,) = store.bm25_retrieval("hello")
    assert again.meta == {"tags": ["a"]} and again.embedding == [0.5, 0.5]


def haystack_reference(
    store: InMemoryDocumentStore, query: str, top_k: int, algorithm: str, **parameters: float
) -> list[tuple[str, float]]:
    """Haystack's BM25 written out per document, over the store's documents (in its order)."""
    k1, b = parameters.get("k1", 1.5), parameters.get("b", 0.75)
    delta = parameters.get("delta", 0.5 if algorithm == "BM25L" else 1.0)
    documents = store.filter_documents()
    tokens = [store.tokenizer((d.content or "").lower()) for d in documents]
    n, average = len(documents), sum(map(len, tokens)) / len(documents)
    df = Counter(token for document_tokens in tokens for token in set(document_tokens))
    raw_okapi = {t: math.log((n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
    epsilon_idf = parameters.get("epsilon", 0.25) * sum(raw_okapi.values()) / len(raw_okapi)
    scored = []
    for document, document_tokens in zip(documents, tokens, strict=True):
        if document.content is None:
            continue
        tf, length, score = Counter(document_tokens), len(document_tokens), 0.0
        for term in dict.fromkeys(store.tokenizer(query.lower())):
            f, d = tf.get(term, 0), df.get(term, 0)
            if algorithm == "BM25L":
                ctd = f / (1 - b + b * length / average)
                score += math.log((n + 1) / (d + 0.5)) * int(d != 0) * (1 + k1) * (ctd + delta) / (k1 + ctd + delta)
            elif algorithm == "BM25Plus":
                part = f * (1 + k1) / (f + k1 * (1 - b + b * length / average)) + delta
                score += math.log(1 + (n - d + 0.5) / (d + 0.5)) * int(d != 0) * part
            else:
                idf = (raw_okapi[term] if raw_okapi[term] >= 0 else epsilon_idf) if d else 0.0
                score += idf * f * (1 + k1) / (f + k1 * (1 - b + b * length / average))
        scored.append((document.id, score))
    ranked = sorted(scored, key=lambda pair: pair[1], reverse=True)[:top_k]
    return [(i, s) for i, s in ranked if algorithm == "BM25Okapi" or s > 0]


@pytest.mark.parametrize("algorithm", ["BM25L", "BM25Okapi", "BM25Plus"])
def test_bm25_equals_haystack_reference_through_writes_overwrites_and_deletes(algorithm: str) -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(60)]
    store = InMemoryDocumentStore(bm25_algorithm=algorithm)  # type: ignore[arg-type]

    def text() -> str:
        return " ".join(rng.choices(words, weights=[1 / (i + 1) for i in range(60)], k=rng.randint(1, 30)))

    written: list[Document] = []
    for step in range(12):  # many small segments, merged as they accumulate
        batch = [Document(content=text(), meta={"step": step, "i": i}) for i in range(rng.randint(1, 25))]
        store.write_documents(batch)
        written.extend(batch)
        if step % 3 == 2:
            doomed = rng.sample(written, 5)
            store.delete_documents([d.id for d in doomed])
            written = [d for d in written if d not in doomed]
        if step % 4 == 3:  # overwrite with new content under the same id
            changed = [Document(id=d.id, content=text()) for d in rng.sample(written, 3)]
            store.write_documents(changed, policy=DuplicatePolicy.OVERWRITE)
        for query in ("w0 w3", "w1", "w59 w7 w7 w2", "w30 w0 w11"):
            expected = haystack_reference(store, query, 15, algorithm)
            got = [(d.id, d.score) for d in store.bm25_retrieval(query, top_k=15)]
            assert [i for i, _ in got] == [i for i, _ in expected], (step, query)
            assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-12, abs=1e-12)


def test_compaction_after_mass_deletion_keeps_scores_and_order() -> None:
    store = InMemoryDocumentStore()
    documents = [Document(content=f"common word{i % 50} other{i % 7}", meta={"i": i}) for i in range(3000)]
    store.write_documents(documents)
    store.delete_documents([d.id for d in documents[:2600]])  # more dead than live: slots are renumbered
    store.write_documents([Document(content="common fresh")])
    fresh = InMemoryDocumentStore()
    fresh.write_documents([*documents[2600:], Document(content="common fresh")])
    assert store.count_documents() == fresh.count_documents() == 401
    for query in ("common", "word3 other2", "fresh"):
        got = [(d.id, d.score) for d in store.bm25_retrieval(query, top_k=30)]
        assert got == [(d.id, d.score) for d in fresh.bm25_retrieval(query, top_k=30)]
    assert [d.id for d in store.filter_documents()] == [d.id for d in fresh.filter_documents()]


# -- embeddings ------------------------------------------------------------------------------------------------------


def embedded_store(similarity: str = "dot_product") -> InMemoryDocumentStore:
    store = InMemoryDocumentStore(embedding_similarity_function=similarity)  # type: ignore[arg-type]
    store.write_documents(
        [
            Document(content="east", embedding=[1.0, 0.0]),
            Document(content="north-east", embedding=[0.6, 0.8]),
            Document(content="long", embedding=[3.0, 4.0]),
            Document(content="no embedding"),
        ]
    )
    return store


def test_dot_product_scores_by_hand_and_scaled() -> None:
    store = embedded_store()
    results = store.embedding_retrieval([1.0, 2.0])
    # 1*1 + 2*0 = 1; 1*0.6 + 2*0.8 = 2.2; 1*3 + 2*4 = 11. The document without an embedding is skipped.
    assert [(d.content, d.score) for d in results] == [
        ("long", pytest.approx(11.0)),
        ("north-east", pytest.approx(2.2)),
        ("east", pytest.approx(1.0)),
    ]
    assert all(d.embedding is None for d in results)
    scaled = store.embedding_retrieval([1.0, 2.0], scale_score=True)
    assert [d.score for d in scaled] == pytest.approx([sigmoid(11 / 100), sigmoid(2.2 / 100), sigmoid(1 / 100)])


def test_cosine_scores_by_hand_and_scaled() -> None:
    store = embedded_store("cosine")
    results = store.embedding_retrieval([1.0, 2.0], top_k=2)
    # |q| = sqrt(5): east 1 / sqrt(5); north-east and long point the same way: 2.2 / sqrt(5) and 11 / (5 sqrt(5)).
    assert [d.score for d in results] == pytest.approx([2.2 / math.sqrt(5)] * 2)
    assert {d.content for d in results} == {"north-east", "long"}
    east = store.embedding_retrieval([1.0, 2.0], top_k=3)[2]
    assert east.score == pytest.approx(1 / math.sqrt(5))
    scaled = store.embedding_retrieval([1.0, 2.0], scale_score=True, top_k=3)
    assert [d.score for d in scaled] == pytest.approx([(2.2 / math.sqrt(5) + 1) / 2] * 2 + [(1 / math.sqrt(5) + 1) / 2])


def test_embedding_ties_keep_write_order_and_return_embedding() -> None:
    store = InMemoryDocumentStore()
    store.write_documents([Document(content=str(i), embedding=[1.0, 1.0]) for i in range(20)])
    results = store.embedding_retrieval([0.5, 0.5], top_k=5, return_embedding=True)
    assert [d.content for d in results] == ["0", "1", "2", "3", "4"]
    assert results[0].embedding == [1.0, 1.0]


def test_embedding_retrieval_errors_and_warnings(caplog: pytest.LogCaptureFixture) -> None:
    store = embedded_store()
    with pytest.raises(ValueError, match="dimension 3 but the documents' embeddings have dimension 2"):
        store.embedding_retrieval([1.0, 2.0, 3.0])
    for bad in ([], [[1.0, 2.0]], ["a", "b"], [float("nan"), 1.0]):
        with pytest.raises(ValueError, match="query_embedding"):
            store.embedding_retrieval(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top_k"):
        store.embedding_retrieval([1.0, 2.0], top_k=0)
    zero = embedded_store("cosine").embedding_retrieval([0.0, 0.0])  # no direction: every cosine is 0, as in Haystack
    assert [(d.content, d.score) for d in zero] == [("east", 0.0), ("north-east", 0.0), ("long", 0.0)]
    empty = InMemoryDocumentStore()
    empty.write_documents([Document(content="text only")])
    with caplog.at_level(logging.WARNING):
        assert empty.embedding_retrieval([1.0, 2.0]) == []
    assert "No documents with embeddings" in caplog.text


def test_embedding_dimensions_are_checked_on_write() -> None:
    store = embedded_store()
    with pytest.raises(ValueError, match="dimension 3 but the 3 stored embedding"):
        store.write_documents([Document(content="3d", embedding=[1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match=r"differ in dimension: 1 \(e.g. .*\), 2"):
        InMemoryDocumentStore().write_documents(
            [Document(content="1", embedding=[1.0]), Document(content="2", embedding=[1.0, 2.0])]
        )
    with pytest.raises(ValueError, match="the embedding of document"):
        InMemoryDocumentStore().write_documents([Document(embedding=["x"])])  # type: ignore[list-item]
    assert store.count_documents() == 4  # nothing was written
    # Re-embedding every document with another model is an overwrite, not a mismatch.
    again = [Document(id=d.id, content=d.content, embedding=[1.0, 0.0, 0.0]) for d in store.filter_documents()]
    store.write_documents(again, policy=DuplicatePolicy.OVERWRITE)
    assert store.embedding_retrieval([0.0, 0.0, 2.0])[0].score == 0.0


def test_embedding_matrix_follows_deletes_and_overwrites() -> None:
    store = embedded_store()
    long = next(d for d in store.filter_documents() if d.content == "long")
    store.delete_documents([long.id])
    assert [d.content for d in store.embedding_retrieval([1.0, 2.0])] == ["north-east", "east"]
    store.write_documents([Document(id=long.id, content="long", embedding=[-1.0, 0.0])])
    assert [d.content for d in store.embedding_retrieval([1.0, 2.0])] == ["north-east", "east", "long"]


# -- writes, duplicate policies, deletes -----------------------------------------------------------------------------


def test_duplicate_policies() -> None:
    store = InMemoryDocumentStore()
    first = Document(id="a", content="first")
    assert store.write_documents([first, Document(id="b", content="bee")]) == 2
    for policy in (DuplicatePolicy.NONE, DuplicatePolicy.FAIL):  # NONE behaves as FAIL, as in Haystack
        with pytest.raises(DuplicateDocumentError, match="'a'"):
            store.write_documents([Document(id="c", content="new"), Document(id="a", content="again")], policy=policy)
        assert store.count_documents() == 2  # the whole call failed: 'c' was not written either
    assert store.write_documents([Document(id="a", content="skipped"), Document(id="c")], DuplicatePolicy.SKIP) == 1
    assert store.filter_documents({"field": "id", "operator": "==", "value": "a"})[0].content == "first"
    assert store.write_documents([Document(id="a", content="replaced")], DuplicatePolicy.OVERWRITE) == 1
    assert [(d.id, d.content) for d in store.filter_documents()] == [("b", "bee"), ("c", None), ("a", "replaced")]
    # The old content is gone from the index; "bee" only gets BM25L's base score for lacking both terms.
    assert [d.content for d in store.bm25_retrieval("first replaced")] == ["replaced", "bee"]


def test_repeated_ids_within_one_call() -> None:
    store = InMemoryDocumentStore()
    with pytest.raises(DuplicateDocumentError, match="more than once"):
        store.write_documents([Document(id="x", content="1"), Document(id="x", content="2")])
    assert store.count_documents() == 0
    twice = [Document(id="x", content="one"), Document(id="y", content="why"), Document(id="x", content="two")]
    assert store.write_documents(twice, DuplicatePolicy.SKIP) == 2
    assert [d.content for d in store.filter_documents()] == ["one", "why"]
    assert InMemoryDocumentStore().write_documents(twice, DuplicatePolicy.OVERWRITE) == 3  # as Haystack counts
    overwritten = InMemoryDocumentStore()
    overwritten.write_documents(twice, DuplicatePolicy.OVERWRITE)
    assert [d.content for d in overwritten.filter_documents()] == ["why", "two"]


def test_write_documents_refuses_what_is_not_a_list_of_documents() -> None:
    store = InMemoryDocumentStore()
    for bad in ("text", Document(content="x"), 3, [Document(content="x"), {"content": "y"}]):
        with pytest.raises(ValueError, match="Document"):
            store.write_documents(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="DuplicatePolicy"):
        store.write_documents([], policy="skip")  # type: ignore[arg-type]


def test_delete_documents_ignores_unknown_ids_and_updates_statistics() -> None:
    store, documents = corpus()
    store.delete_documents([documents[0].id, "not-there"])
    fresh = InMemoryDocumentStore()
    fresh.write_documents(documents[1:])
    assert store.count_documents() == 2
    assert scores_by_content(store.bm25_retrieval("dog")) == scores_by_content(fresh.bm25_retrieval("dog"))


def test_concurrent_writes_and_queries_from_threads() -> None:
    store = InMemoryDocumentStore()
    errors: list[BaseException] = []

    def write(batch: int) -> None:
        store.write_documents([Document(content=f"doc {batch} item{i} shared", embedding=[1.0, i]) for i in range(50)])

    def query(_: int) -> None:
        try:
            store.bm25_retrieval("shared item3")
            store.embedding_retrieval([1.0, 0.5])
        except BaseException as exc:
            errors.append(exc)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: write(i) if i % 2 else query(i), range(60)))
    assert not errors and store.count_documents() == 30 * 50
    assert len(store.bm25_retrieval("shared", top_k=2000)) == 30 * 50


# -- filters ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def library() -> InMemoryDocumentStore:
    store = InMemoryDocumentStore()
    store.write_documents(
        [
            Document(
                id="1",
                content="alpha",
                meta={"genre": "news", "year": 2020, "date": "2021-03-01", "author": {"name": "ann"}},
            ),
            Document(
                id="2", content="beta", meta={"genre": "sport", "year": 2022, "date": "2023-01-15T10:00:00+00:00"}
            ),
            Document(id="3", content="gamma", meta={"genre": "news", "year": 2023, "tags": ["x"]}),
            Document(id="4", content=None, meta={"year": None}),
        ]
    )
    return store


def ids(store: InMemoryDocumentStore, filters: dict) -> list[str]:
    return [d.id for d in store.filter_documents(filters)]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("==", 2020, ["1"]),
        ("!=", 2020, ["2", "3", "4"]),  # a None value is not equal to 2020
        (">", 2020, ["2", "3"]),  # None never compares
        (">=", 2022, ["2", "3"]),
        ("<", 2022, ["1"]),
        ("<=", 2022, ["1", "2"]),
        ("in", [2020, 2023], ["1", "3"]),
        ("not in", [2020, 2023], ["2", "4"]),
        ("==", None, ["4"]),
    ],
)
def test_each_comparison_operator(
    library: InMemoryDocumentStore, operator: str, value: object, expected: list[str]
) -> None:
    assert ids(library, {"field": "meta.year", "operator": operator, "value": value}) == expected


def test_fields_nested_meta_legacy_names_dates_and_document_attributes(library: InMemoryDocumentStore) -> None:
    assert ids(library, {"field": "meta.author.name", "operator": "==", "value": "ann"}) == ["1"]
    assert ids(library, {"field": "meta.missing.deeper", "operator": "==", "value": None}) == ["1", "2", "3", "4"]
    assert ids(library, {"field": "genre", "operator": "==", "value": "news"}) == ["1", "3"]  # bare name: meta
    assert ids(library, {"field": "content", "operator": "!=", "value": None}) == ["1", "2", "3"]
    assert ids(library, {"field": "id", "operator": "in", "value": ["2", "4"]}) == ["2", "4"]
    # ISO dates order as dates; a naive one takes the other's time zone.
    assert ids(library, {"field": "meta.date", "operator": ">", "value": "2022-06-01"}) == ["2"]
    assert ids(library, {"field": "meta.date", "operator": "<=", "value": "2021-03-01T00:00:00"}) == ["1"]
    assert ids(library, {"field": "meta.date", "operator": ">=", "value": "2021-03-01T00:00:00"}) == ["1", "2"]


def test_logical_operators_nest(library: InMemoryDocumentStore) -> None:
    news = {"field": "meta.genre", "operator": "==", "value": "news"}
    recent = {"field": "meta.year", "operator": ">=", "value": 2022}
    assert ids(library, {"operator": "AND", "conditions": [news, recent]}) == ["3"]
    assert ids(library, {"operator": "OR", "conditions": [news, recent]}) == ["1", "2", "3"]
    assert ids(library, {"operator": "NOT", "conditions": [news, recent]}) == ["1", "2", "4"]  # not (news and recent)
    nested = {
        "operator": "AND",
        "conditions": [{"operator": "NOT", "conditions": [news]}, {"operator": "OR", "conditions": [recent]}],
    }
    assert ids(library, nested) == ["2"]


def test_filters_apply_to_retrieval(library: InMemoryDocumentStore) -> None:
    news = {"field": "meta.genre", "operator": "==", "value": "news"}
    assert [d.id for d in library.bm25_retrieval("alpha gamma beta", filters=news)] == ["1", "3"]
    sport_only = {"field": "meta.genre", "operator": "==", "value": "sport"}
    assert library.bm25_retrieval("alpha", filters={"operator": "AND", "conditions": [news, sport_only]}) == []


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"field": "meta.year", "value": 1}, r"filters has no 'operator' key"),
        ({"field": "meta.year", "operator": "=~", "value": 1}, r"filters\['operator'\] is '=~', not a comparison"),
        ({"field": "meta.year", "operator": "==", "value": 1, "valeu": 2}, r"filters has unknown key 'valeu'"),
        (
            {"field": "meta.year", "operator": "in", "value": 2020},
            r"filters\['value'\] must be a list for operator 'in'",
        ),
        ({"field": "meta.year", "operator": ">", "value": [1]}, r"cannot be a list"),
        ({"field": "metadata.year", "operator": "==", "value": 1}, r"unknown field 'metadata.year'"),
        ({"genre": "news"}, r"filters has unknown key 'genre'"),  # Haystack 1.x syntax
        ({"operator": "AND"}, r"filters has no 'conditions' key"),
        ({"operator": "XOR", "conditions": []}, r"filters\['operator'\] is 'XOR', not a logical operator"),
        ({"operator": "AND", "conditions": {"field": "x"}}, r"filters\['conditions'\] must be a list"),
        (
            {
                "operator": "OR",
                "conditions": [{"field": "meta.a", "operator": "==", "value": 1}, {"field": "meta.b", "value": 2}],
            },
            r"filters\['conditions'\]\[1\] has no 'operator' key",
        ),
        ("meta.year == 1", r"filters must be a mapping"),
    ],
)
def test_malformed_filters_name_the_bad_key(library: InMemoryDocumentStore, filters: dict, message: str) -> None:
    with pytest.raises(FilterError, match=message):
        library.filter_documents(filters)
    with pytest.raises(ValueError, match=message):  # FilterError is a ValueError
        library.bm25_retrieval("alpha", filters=filters)


def test_ordering_strings_that_are_not_dates_is_an_error(library: InMemoryDocumentStore) -> None:
    with pytest.raises(FilterError, match="only as ISO 8601 dates"):
        library.filter_documents({"field": "meta.genre", "operator": ">", "value": "news"})


# -- persistence, serialization, construction ------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    store = embedded_store("cosine")
    before_bm25 = [(d.id, d.score) for d in store.bm25_retrieval("east long")]
    before_embedding = [(d.id, d.score) for d in store.embedding_retrieval([1.0, 2.0])]
    path = tmp_path / "store.json"
    store.save_to_disk(path)
    saved = json.loads(path.read_text())
    assert saved["init_parameters"]["embedding_similarity_function"] == "cosine"
    assert [d["embedding"] for d in saved["documents"]] == [[1.0, 0.0], [0.6, 0.8], [3.0, 4.0], None]
    # The saved index name would share the live store's documents in this process: empty it first.
    store.delete_documents([d.id for d in store.filter_documents()])
    loaded = InMemoryDocumentStore.load_from_disk(path)
    assert loaded.count_documents() == 4 and loaded.embedding_similarity_function == "cosine"
    assert [(d.id, d.score) for d in loaded.bm25_retrieval("east long")] == before_bm25
    assert [(d.id, d.score) for d in loaded.embedding_retrieval([1.0, 2.0])] == before_embedding


def test_load_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="missing.json"):
        InMemoryDocumentStore.load_from_disk(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a saved InMemoryDocumentStore"):
        InMemoryDocumentStore.load_from_disk(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"type": "x", "init_parameters": {}}')
    with pytest.raises(ValueError, match="no 'documents' list"):
        InMemoryDocumentStore.load_from_disk(tmp_path / "other.json")


def test_to_dict_holds_init_parameters_and_from_dict_shares_the_index() -> None:
    store = InMemoryDocumentStore(bm25_algorithm="BM25Plus", bm25_parameters={"k1": 1.2}, index="library")
    store.write_documents([Document(content="shared by index")], policy=DuplicatePolicy.SKIP)
    data = store.to_dict()
    assert data == {
        "type": "pipeline.document_stores.in_memory.document_store.InMemoryDocumentStore",
        "init_parameters": {
            "bm25_tokenization_regex": r"(?u)\b\w+\b",
            "bm25_algorithm": "BM25Plus",
            "bm25_parameters": {"k1": 1.2},
            "embedding_similarity_function": "dot_product",
            "index": "library",
        },
    }
    restored = InMemoryDocumentStore.from_dict(data)
    assert restored.to_dict() == data
    assert restored.count_documents() == store.count_documents() == 1  # same index, same documents, as in Haystack
    assert InMemoryDocumentStore().count_documents() == 0  # a new random index


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"bm25_algorithm": "BM25"}, "BM25 algorithm 'BM25' is not supported"),
        ({"bm25_parameters": {"k": 1.0}}, "Unknown BM25 parameter"),
        ({"embedding_similarity_function": "euclidean"}, "not supported"),
        ({"bm25_tokenization_regex": "("}, "bm25_tokenization_regex"),
    ],
)
def test_constructor_errors(arguments: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        InMemoryDocumentStore(**arguments)


def test_bm25_bad_inputs_and_empty_store(caplog: pytest.LogCaptureFixture) -> None:
    store = InMemoryDocumentStore()
    for query in ("", "   ", None):
        with pytest.raises(ValueError, match="query must be a non-empty string"):
            store.bm25_retrieval(query)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top_k must be a positive integer"):
        store.bm25_retrieval("x", top_k=-1)
    with caplog.at_level(logging.WARNING):
        assert store.bm25_retrieval("anything") == []
    assert "No documents with content for BM25 retrieval" in caplog.text
