"""TextSplitter: splits a sentence into words."""

from pipeline.core.component import component


@component
class TextSplitter:
    """Outputs the words of `sentence`, split on whitespace."""

    @component.output_types(output=list[str])
    def run(self, sentence: str) -> dict[str, list[str]]:
        return {"output": sentence.split()}
