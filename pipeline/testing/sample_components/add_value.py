"""AddFixedValue: adds a number set at init (or given per run) to its input."""

from pipeline.core.component import component


@component
class AddFixedValue:
    """Outputs `value + add`; the `add` input, when given, overrides the one set at init."""

    def __init__(self, add: int = 1) -> None:
        self.add = add

    @component.output_types(result=int)
    def run(self, value: int, add: int | None = None) -> dict[str, int]:
        return {"result": value + (self.add if add is None else add)}
