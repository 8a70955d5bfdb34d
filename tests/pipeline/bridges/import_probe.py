"""Never imported by the tests themselves: only a YAML they load may import it."""

from haystack import component


@component
class Probe:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}
