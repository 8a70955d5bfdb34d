"""Sum: adds up every value its senders delivered."""

from pipeline.core.component import component
from pipeline.core.component.types import Variadic


@component
class Sum:
    """Outputs the sum of the values received on the variadic `values` socket."""

    @component.output_types(total=int)
    def run(self, values: Variadic[int]) -> dict[str, int]:
        return {"total": sum(values)}
