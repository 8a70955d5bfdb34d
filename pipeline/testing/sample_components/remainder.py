"""Remainder: routes a number by its remainder modulo a divisor."""

from pipeline.core.component import component


@component
class Remainder:
    """Outputs `value` unchanged on `remainder_is_<value % divisor>`; one output socket per possible remainder."""

    def __init__(self, divisor: int = 3) -> None:
        if divisor == 0:
            raise ValueError("Can't divide by zero")
        self.divisor = divisor
        component.set_output_types(self, **{f"remainder_is_{r}": int for r in range(divisor)})

    def run(self, value: int) -> dict[str, int]:
        return {f"remainder_is_{value % self.divisor}": value}
