"""Parity: routes a number to `even` or `odd`."""

from pipeline.core.component import component


@component
class Parity:
    """Outputs `value` unchanged on `even` or on `odd`; the other output gets nothing."""

    @component.output_types(even=int, odd=int)
    def run(self, value: int) -> dict[str, int]:
        return {"odd": value} if value % 2 else {"even": value}
