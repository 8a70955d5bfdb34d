"""Policies shared by document stores and retrievers, with Haystack's names and values."""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from pipeline.document_stores.errors import DuplicateDocumentError

__all__ = ["DuplicateDocumentError", "DuplicatePolicy", "FilterPolicy", "apply_filter_policy"]

logger = logging.getLogger(__name__)


class DuplicatePolicy(Enum):
    """What `write_documents` does with a document whose id is already stored. `NONE` lets the store choose:
    the in-memory store fails, as Haystack's does."""

    NONE = "none"
    SKIP = "skip"
    OVERWRITE = "overwrite"
    FAIL = "fail"


class FilterPolicy(Enum):
    """How a retriever combines the filters given at init with those given to `run`."""

    REPLACE = "replace"
    MERGE = "merge"

    def __str__(self) -> str:
        return self.value

    @staticmethod
    def from_str(value: str) -> FilterPolicy:
        for policy in FilterPolicy:
            if isinstance(value, str) and policy.value == value.lower():
                return policy
        raise ValueError(
            f"Unknown filter policy {value!r}; expected one of {', '.join(p.value for p in FilterPolicy)}."
        )


def _is_comparison(filters: dict[str, Any]) -> bool:
    return "field" in filters


def apply_filter_policy(
    policy: FilterPolicy, init_filters: dict[str, Any] | None, runtime_filters: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The filters a retrieval uses, combined as Haystack's `apply_filter_policy` does (with "AND"), without
    mutating either argument.

    REPLACE, or either side missing: the runtime filters if given, else the init filters. MERGE: two comparisons
    on different fields are ANDed (on the same field the runtime one wins); a comparison joins a logical filter
    whose operator is AND (a runtime comparison replaces an init one on its field, an init comparison is dropped
    if the runtime filter already has its field); two logical filters with the same operator pool their
    conditions. Anything else keeps the runtime filters alone, with a warning.
    """
    if policy is not FilterPolicy.MERGE or not init_filters or not runtime_filters:
        return runtime_filters or init_filters
    init_is_comparison, runtime_is_comparison = _is_comparison(init_filters), _is_comparison(runtime_filters)
    if init_is_comparison and runtime_is_comparison:
        if init_filters["field"] == runtime_filters["field"]:
            return runtime_filters
        return {"operator": "AND", "conditions": [init_filters, runtime_filters]}
    if init_is_comparison or runtime_is_comparison:
        comparison, logical = (init_filters, runtime_filters) if init_is_comparison else (runtime_filters, init_filters)
        if logical.get("operator") != "AND":
            logger.warning(
                "Filter policy 'merge' joins a comparison only with an AND filter; using the runtime filters alone."
            )
            return runtime_filters
        conditions = list(logical["conditions"])
        field = comparison["field"]
        if runtime_is_comparison:  # the runtime comparison replaces an init one on the same field
            conditions = [c for c in conditions if c.get("field") != field] + [comparison]
        elif all(c.get("field") != field for c in conditions):
            conditions.append(comparison)
        return {"operator": "AND", "conditions": conditions}
    if init_filters.get("operator") == runtime_filters.get("operator"):
        return {
            "operator": runtime_filters["operator"],
            "conditions": [*init_filters["conditions"], *runtime_filters["conditions"]],
        }
    logger.warning(
        "Filter policy 'merge' joins logical filters only when their operators match (%s vs %s); using the "
        "runtime filters alone.",
        init_filters.get("operator"),
        runtime_filters.get("operator"),
    )
    return runtime_filters
