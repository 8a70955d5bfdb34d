"""DocumentWriter: writes with a duplicate policy, in a pipeline, and round-trips through YAML."""

from __future__ import annotations

import pytest

from pipeline import AsyncPipeline, Document
from pipeline.components.writers import DocumentWriter
from pipeline.document_stores import DuplicateDocumentError, DuplicatePolicy
from pipeline.document_stores.in_memory import InMemoryDocumentStore


def test_writes_and_applies_the_duplicate_policy() -> None:
    store = InMemoryDocumentStore()
    writer = DocumentWriter(store)
    assert writer.run([Document(content="a"), Document(content="b")]) == {"documents_written": 2}
    with pytest.raises(DuplicateDocumentError):
        writer.run([Document(content="a")])
    assert DocumentWriter(store, policy="skip").run([Document(content="a"), Document(content="c")]) == {
        "documents_written": 1
    }
    assert writer.run([Document(content="a")], policy=DuplicatePolicy.OVERWRITE) == {"documents_written": 1}
    assert store.count_documents() == 3


def test_refuses_other_stores() -> None:
    with pytest.raises(ValueError, match="must be an InMemoryDocumentStore, got dict"):
        DocumentWriter({})  # type: ignore[arg-type]


async def test_in_a_pipeline_and_through_yaml() -> None:
    store = InMemoryDocumentStore(index="writer-test")
    pipe = AsyncPipeline()
    pipe.add_component("writer", DocumentWriter(store, policy=DuplicatePolicy.SKIP))
    restored = AsyncPipeline.loads(pipe.dumps())
    assert "policy: skip" in pipe.dumps()
    result = await restored.run_async({"documents": [Document(content="x"), Document(content="y")]})
    assert result == {"writer": {"documents_written": 2}}
    assert store.count_documents() == 2  # same index: the restored writer wrote into the shared documents
