"""Concatenate: joins two strings or lists of strings into one list."""

from pipeline.core.component import component


@component
class Concatenate:
    """Outputs `first` then `second` as one list; each may be a string (one item) or a list of strings."""

    @component.output_types(value=list[str])
    def run(self, first: list[str] | str, second: list[str] | str) -> dict[str, list[str] | None]:
        parts = [first, second]
        if not all(isinstance(part, str | list) for part in parts):
            return {"value": None}
        return {"value": [item for part in parts for item in ([part] if isinstance(part, str) else part)]}
