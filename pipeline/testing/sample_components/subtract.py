"""Subtract: the difference of two inputs."""

from pipeline.core.component import component


@component
class Subtract:
    """Outputs `first_value - second_value`."""

    @component.output_types(difference=int)
    def run(self, first_value: int, second_value: int) -> dict[str, int]:
        return {"difference": first_value - second_value}
