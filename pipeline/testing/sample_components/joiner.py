"""StringJoiner and StringListJoiner: variadic components that merge what several senders deliver."""

from pipeline.core.component import component
from pipeline.core.component.types import Variadic


@component
class StringJoiner:
    """Outputs the strings it received, joined by spaces in the order they arrived."""

    @component.output_types(output=str)
    def run(self, input_str: Variadic[str]) -> dict[str, str]:
        return {"output": " ".join(input_str)}


@component
class StringListJoiner:
    """Outputs the lists of strings it received, flattened into one list in the order they arrived."""

    @component.output_types(output=str)
    def run(self, inputs: Variadic[list[str]]) -> dict[str, list[str]]:
        return {"output": [item for strings in inputs for item in strings]}
