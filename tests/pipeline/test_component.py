"""The @component decorator: sockets from signatures, and clear errors at decoration time."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline import ComponentError, GreedyVariadic, Variadic, component
from pipeline.core.component import init_parameters, input_sockets, output_sockets, supports_async


def test_sockets_come_from_run_signature_and_output_types() -> None:
    @component
    class Example:
        @component.output_types(text=str, count=int)
        def run(self, query: str, top_k: int = 10, docs: Variadic[str] = ()) -> dict[str, Any]:
            return {}

    sockets = input_sockets(Example())
    assert sockets["query"].is_mandatory and sockets["query"].type is str
    assert not sockets["top_k"].is_mandatory and sockets["top_k"].default_value == 10
    assert sockets["docs"].is_variadic and not sockets["docs"].is_greedy and sockets["docs"].type is str
    assert set(output_sockets(Example())) == {"text", "count"}
    assert not supports_async(Example())


def test_greedy_variadic_socket() -> None:
    @component
    class Example:
        @component.output_types(value=int)
        def run(self, value: GreedyVariadic[int]) -> dict[str, int]:
            return {}

    socket = input_sockets(Example())["value"]
    assert socket.is_variadic and socket.is_greedy and socket.type is int


def test_run_async_must_match_run_parameters() -> None:
    with pytest.raises(ComponentError, match=r"identical parameters: run\(value: int\) vs run_async\(value: str\)"):

        @component
        class Mismatch:
            @component.output_types(value=int)
            def run(self, value: int) -> dict[str, int]:
                return {}

            @component.output_types(value=int)
            async def run_async(self, value: str) -> dict[str, int]:
                return {}


def test_run_async_must_match_run_outputs() -> None:
    with pytest.raises(ComponentError, match="identical outputs"):

        @component
        class Mismatch:
            @component.output_types(value=int)
            def run(self, value: int) -> dict[str, int]:
                return {}

            @component.output_types(other=int)
            async def run_async(self, value: int) -> dict[str, int]:
                return {}


def test_run_async_must_be_a_coroutine_and_run_must_not() -> None:
    with pytest.raises(ComponentError, match="coroutine"):

        @component
        class NotAsync:
            def run(self) -> dict:
                return {}

            def run_async(self) -> dict:
                return {}

    with pytest.raises(ComponentError, match="regular method"):

        @component
        class AsyncRun:
            async def run(self) -> dict:
                return {}


def test_class_without_run_is_refused() -> None:
    with pytest.raises(ComponentError, match="no 'run' method"):

        @component
        class NoRun:
            pass


def test_init_parameters_are_recorded_with_defaults() -> None:
    @component
    class Configured:
        def __init__(self, name: str, wait: float = 1.5, **extra: Any) -> None:
            self.name = name

        @component.output_types(x=int)
        def run(self) -> dict[str, int]:
            return {"x": 1}

    assert init_parameters(Configured("a", flavour="mint")) == {"name": "a", "wait": 1.5, "flavour": "mint"}


def test_subclass_records_its_own_init_parameters() -> None:
    @component
    class Base:
        def __init__(self, size: int = 1) -> None:
            self.size = size

        @component.output_types(x=int)
        def run(self) -> dict[str, int]:
            return {"x": self.size}

    @component
    class Child(Base):
        def __init__(self, label: str) -> None:
            super().__init__(size=len(label))

    assert init_parameters(Child("abc")) == {"label": "abc"}


def test_dynamic_sockets_set_at_init() -> None:
    @component
    class Template:
        def __init__(self, variables: list[str]) -> None:
            for variable in variables:
                component.set_input_type(self, variable, Any, "")
            component.set_output_types(self, prompt=str)

        def run(self, **kwargs: Any) -> dict[str, str]:
            return {"prompt": " ".join(f"{k}={v}" for k, v in sorted(kwargs.items()))}

    instance = Template(["question", "documents"])
    assert set(input_sockets(instance)) == {"question", "documents"}
    assert not input_sockets(instance)["question"].is_mandatory
    assert set(output_sockets(instance)) == {"prompt"}


def test_dynamic_inputs_need_kwargs() -> None:
    @component
    class Fixed:
        def __init__(self) -> None:
            component.set_input_type(self, "extra", int)

        @component.output_types(x=int)
        def run(self, value: int) -> dict[str, int]:
            return {"x": value}

    with pytest.raises(ComponentError, match=r"must accept \*\*kwargs"):
        Fixed()
