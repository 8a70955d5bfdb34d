"""HelloUsingFutureAnnotations: Hello, in a module with postponed annotations (sockets still get real types)."""

from __future__ import annotations

from pipeline.core.component import component


@component
class HelloUsingFutureAnnotations:
    """Outputs "Hello, <word>!"."""

    @component.output_types(output=str)
    def run(self, word: str) -> dict[str, str]:
        return {"output": f"Hello, {word}!"}
