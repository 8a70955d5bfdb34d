"""Components and their sockets, laid out as Haystack's `haystack.core.component` so imports port by renaming."""

from pipeline.core.component.component import (
    component,
    init_parameters,
    input_sockets,
    is_component,
    output_sockets,
    supports_async,
)
from pipeline.core.component.types import GreedyVariadic, InputSocket, OutputSocket, Variadic

__all__ = [
    "GreedyVariadic",
    "InputSocket",
    "OutputSocket",
    "Variadic",
    "component",
    "init_parameters",
    "input_sockets",
    "is_component",
    "output_sockets",
    "supports_async",
]
