"""Components for CLI tests, loaded from YAML with `--allow-module tests.tui.components`."""

from __future__ import annotations

import asyncio

from pipeline import component


@component
class Doubler:
    """Records the type it received, so tests can see how `--input` values were coerced."""

    @component.output_types(value=int, received_type=str)
    def run(self, x: int) -> dict[str, object]:
        return {"value": x * 2, "received_type": type(x).__name__}


@component
class Echo:
    """A `str` socket: text must arrive as typed, never JSON-parsed."""

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, str]:
        return {"text": text}


@component
class Collect:
    """An untyped socket: JSON values arrive parsed, other text arrives as text."""

    @component.output_types(value=object)
    def run(self, value) -> dict[str, object]:  # deliberately untyped
        return {"value": value}


@component
class Fail:
    """Raises after printing, so tests see the traceback and what ran before."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        print(f"Fail got {value}")
        raise RuntimeError(f"cannot handle {value}")


@component
class Sleep:
    """An async sleeper that the run cancels when another component fails."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        await asyncio.sleep(5)
        return {"value": value}


@component
class IntText:
    """An `int` socket named like Echo's `str` one, so one flat `--input text=...` feeds two types."""

    @component.output_types(number=int)
    def run(self, text: int) -> dict[str, int]:
        return {"number": text}


@component
class BadWarmUp:
    """Fails in `warm_up`, before any visit: the run fails without a ComponentFailed event."""

    def warm_up(self) -> None:
        raise ValueError("no model file")

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}
