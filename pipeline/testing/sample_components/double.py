"""Double: multiplies its input by two."""

from pipeline.core.component import component


@component
class Double:
    """Outputs `value * 2`."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value * 2}
