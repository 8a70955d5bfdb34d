"""Hello: greets a word."""

from pipeline.core.component import component


@component
class Hello:
    """Outputs "Hello, <word>!"."""

    @component.output_types(output=str)
    def run(self, word: str) -> dict[str, str]:
        return {"output": f"Hello, {word}!"}
