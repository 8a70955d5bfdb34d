"""Custom haystack-ai components for the bridged pipelines the debugger is tested on (an importable module, so a
recording's Haystack YAML names them by a path `--allow-module tests.tui.haystack` allows)."""

from __future__ import annotations

from haystack import Document, component


@component
class KeywordRetriever:
    """Documents whose content holds a word of the query: a second source for the joiner."""

    def __init__(self, contents: list[str]) -> None:
        self.contents = contents

    @component.output_types(documents=list[Document])
    def run(self, query: str) -> dict[str, list[Document]]:
        words = {word.strip("?.,").lower() for word in query.split() if len(word) > 3}
        found = [text for text in self.contents if words & {w.strip(".,").lower() for w in text.split()}]
        return {"documents": [Document(content=text, meta={"source": "keywords"}, score=1.0) for text in found]}


@component
class EchoGenerator:
    """An offline "LLM": replies with the prompt's last line and how many lines of context it was given."""

    @component.output_types(replies=list[str], meta=list[dict])
    def run(self, prompt: str) -> dict[str, list]:
        lines = prompt.strip().splitlines()
        return {"replies": [f"{len(lines) - 1} passages for {lines[-1]}"], "meta": [{"model": "echo"}]}

    @component.output_types(replies=list[str], meta=list[dict])
    async def run_async(self, prompt: str) -> dict[str, list]:
        return self.run(prompt)


@component
class Grow:
    """Makes a draft longer by a word each visit: the body of the loop."""

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, str]:
        return {"text": f"{text} more"}
