"""`StringJoiner`: the strings of several senders as one list, as in Haystack."""

from __future__ import annotations

from pipeline.core.component import component
from pipeline.core.component.types import Variadic


@component
class StringJoiner:
    """Collects one string from each connected sender (say, several prompt builders) into a list."""

    @component.output_types(strings=list[str])
    def run(self, strings: Variadic[str]) -> dict[str, list[str]]:
        """`{"strings": [...]}`, in the order the engine delivers them (the order of the connections)."""
        return {"strings": list(strings)}
