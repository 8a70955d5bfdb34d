"""`BranchJoiner`: one value out of several possible senders, as in Haystack; the way to close a loop."""

from __future__ import annotations

from typing import Any

from pipeline.core.component import component
from pipeline.core.component.types import GreedyVariadic
from pipeline.core.serialization import default_from_dict, default_to_dict
from pipeline.utils import deserialize_type, serialize_type


@component
class BranchJoiner:
    """Forwards the one value it receives, from whichever branch sent it.

    Its input `value` is greedy variadic: the joiner runs as soon as one sender delivered, so it can take a
    pipeline's first input and, later, the value a loop sends back (or the branch a router chose). Receiving
    two values at once is an error: branches meant to be exclusive were not.
    """

    def __init__(self, type_: type) -> None:
        """
        :param type_: the type of the value, in and out (`int`, `list[ChatMessage]`, ...).
        """
        self.type_ = type_
        # A socket type made at run time from `type_`: mypy only knows types written in the code.
        component.set_input_types(self, value=GreedyVariadic[type_])  # type: ignore[valid-type]
        component.set_output_types(self, value=type_)

    def to_dict(self) -> dict[str, Any]:
        return default_to_dict(self, type_=serialize_type(self.type_))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BranchJoiner:
        parameters = {**data["init_parameters"], "type_": deserialize_type(data["init_parameters"]["type_"])}
        return default_from_dict(cls, {**data, "init_parameters": parameters})

    def run(self, **kwargs: Any) -> dict[str, Any]:
        """`{"value": the value received}`."""
        if (count := len(kwargs["value"])) != 1:
            raise ValueError(f"BranchJoiner expects only one input, but {count} were received.")
        return {"value": kwargs["value"][0]}

    async def run_async(self, **kwargs: Any) -> dict[str, Any]:
        """The same, on the event loop: handing a value on is not worth a worker thread (a loop visits it often)."""
        return self.run(**kwargs)
