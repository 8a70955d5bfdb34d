"""What both in-memory retrievers share: their store, default filters, top_k, scaling and filter policy."""

from __future__ import annotations

from typing import Any

from pipeline.document_stores.filters import validate_filters
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.document_stores.types import FilterPolicy, apply_filter_policy


class InMemoryRetriever:
    """Validates and keeps the settings at init (so a bad pipeline file fails on load, not on the first query)."""

    def __init__(
        self,
        document_store: InMemoryDocumentStore,
        filters: dict[str, Any] | None,
        top_k: int,
        scale_score: bool,
        filter_policy: FilterPolicy | str,
    ) -> None:
        if not isinstance(document_store, InMemoryDocumentStore):
            raise ValueError(f"document_store must be an InMemoryDocumentStore, got {type(document_store).__name__}")
        if not isinstance(top_k, int) or top_k <= 0:
            raise ValueError(f"top_k must be greater than 0, got {top_k!r}")
        if filters:
            validate_filters(filters)
        self.document_store = document_store
        self.filters = filters
        self.top_k = top_k
        self.scale_score = scale_score
        self.filter_policy = FilterPolicy.from_str(filter_policy) if isinstance(filter_policy, str) else filter_policy

    def warm_up(self) -> None:
        """Let a store that fills itself (from a corpus on disk, say) do so off the event loop, before any query."""
        warm_up = getattr(self.document_store, "warm_up", None)
        if callable(warm_up):
            warm_up()

    def _filters_for(self, filters: dict[str, Any] | None) -> dict[str, Any] | None:
        """The filters of one call, combined with the init filters according to the filter policy."""
        return apply_filter_policy(self.filter_policy, self.filters, filters)
