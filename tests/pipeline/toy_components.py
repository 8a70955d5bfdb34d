"""Small components for engine tests: each makes one scheduling behaviour observable."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from pipeline import GreedyVariadic, Variadic, component


@component
class AddOne:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value + 1}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        return {"value": value + 1}


@component
class SyncAddOne:
    """Records the thread it ran on, to show sync components leave the event loop's thread."""

    def __init__(self) -> None:
        self.threads: list[str] = []

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        self.threads.append(threading.current_thread().name)
        return {"value": value + 1}


@component
class Double:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value * 2}


@component
class Sum:
    @component.output_types(total=int)
    def run(self, values: Variadic[int]) -> dict[str, int]:
        return {"total": sum(values)}


@component
class Collect:
    """A lazy variadic sink that keeps what it received, in arrival order."""

    @component.output_types(items=list)
    def run(self, items: Variadic[Any]) -> dict[str, list]:
        return {"items": list(items)}


@component
class FirstOf:
    @component.output_types(value=int)
    def run(self, value: GreedyVariadic[int]) -> dict[str, int]:
        return {"value": next(iter(value))}


@component
class Greeter:
    @component.output_types(text=str)
    def run(self, name: str, greeting: str = "Hello", punctuation: str | None = None) -> dict[str, str]:
        return {"text": f"{greeting}, {name}{punctuation or ''}"}


@component
class Sleep:
    """Async sleep, recording start and end on the monotonic clock."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spans: list[tuple[float, float]] = []

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        time.sleep(self.seconds)
        return {"value": value}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        start = time.perf_counter()
        await asyncio.sleep(self.seconds)
        self.spans.append((start, time.perf_counter()))
        return {"value": value}


@component
class BlockingSleep:
    """Sync sleep: blocks whatever thread runs it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        time.sleep(self.seconds)
        return {"value": value}


@component
class Fail:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise RuntimeError(f"boom on {value}")


@component
class AsyncFail:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise RuntimeError(f"boom on {value}")

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        await asyncio.sleep(0.01)
        raise RuntimeError(f"async boom on {value}")


@component
class CountDown:
    """Loop body: sends `value - 1` back while it is positive, then exits through `done`."""

    @component.output_types(again=int, done=int)
    def run(self, value: int) -> dict[str, int]:
        if value > 0:
            return {"again": value - 1}
        return {"done": value}


@component
class LoopEntry:
    """Merges the first value from outside with the values that come back around the loop."""

    @component.output_types(value=int)
    def run(self, value: GreedyVariadic[int]) -> dict[str, int]:
        return {"value": next(iter(value))}


@component
class NeedsTwo:
    @component.output_types(value=int)
    def run(self, left: int, right: int) -> dict[str, int]:
        return {"value": left + right}


@component
class Router:
    """Sends its value to `low` or `high`: the other branch receives nothing."""

    @component.output_types(low=int, high=int)
    def run(self, value: int) -> dict[str, int]:
        return {"low": value} if value < 10 else {"high": value}


@component
class Counter:
    """Counts its warm-ups and runs."""

    def __init__(self) -> None:
        self.warm_ups = 0
        self.runs = 0

    def warm_up(self) -> None:
        self.warm_ups += 1

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        self.runs += 1
        return {"value": value}


@component
class Mutator:
    """Mutates its input list in place: the engine must not let that leak to others."""

    @component.output_types(items=list[int])
    def run(self, items: list[int]) -> dict[str, list[int]]:
        items.append(99)
        return {"items": items}


@component
class Source:
    @component.output_types(items=list[int])
    def run(self, count: int) -> dict[str, list[int]]:
        return {"items": list(range(count))}
