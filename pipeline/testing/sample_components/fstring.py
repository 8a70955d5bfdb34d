"""FString: formats a `str.format` template with inputs declared at init."""

from typing import Any

from pipeline.core.component import component


@component
class FString:
    """Outputs `template.format(**inputs)`; each name in `variables` becomes an input socket.

    A `template` given to `run` replaces the one set at init, which is why no variable may be called `template`.
    """

    def __init__(self, template: str, variables: list[str] | None = None) -> None:
        self.template = template
        self.variables = variables or []
        if "template" in self.variables:
            raise ValueError("The variable name 'template' is reserved and cannot be used.")
        component.set_input_types(self, **dict.fromkeys(self.variables, Any))

    @component.output_types(string=str)
    def run(self, template: str | None = None, **kwargs: Any) -> dict[str, str]:
        return {"string": (template or self.template).format(**kwargs)}
