"""Repeat: sends its input to every output named at init."""

from pipeline.core.component import component


@component
class Repeat:
    """Outputs `value` on each socket named in `outputs` (a fan-out)."""

    def __init__(self, outputs: list[str]) -> None:
        self._outputs = outputs
        component.set_output_types(self, **dict.fromkeys(outputs, int))

    def run(self, value: int) -> dict[str, int]:
        return dict.fromkeys(self._outputs, value)
