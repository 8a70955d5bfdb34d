"""Threshold: routes a number to `below` or `above` a threshold."""

from pipeline.core.component import component


@component
class Threshold:
    """Outputs `value` on `below` if it is under the threshold, else on `above` (so equal goes above).

    A `threshold` given to `run` replaces the one set at init.
    """

    def __init__(self, threshold: int = 10) -> None:
        self.threshold = threshold

    @component.output_types(above=int, below=int)
    def run(self, value: int, threshold: int | None = None) -> dict[str, int]:
        limit = self.threshold if threshold is None else threshold
        return {"below": value} if value < limit else {"above": value}
