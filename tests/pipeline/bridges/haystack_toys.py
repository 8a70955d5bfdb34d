"""Small haystack-ai components for the bridge's tests, importable by path so YAML files can name them."""

from __future__ import annotations

import threading

from haystack import component
from haystack.dataclasses import ChatMessage


@component
class AddOne:
    """Sync only: adds 1."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value + 1}


@component
class AsyncDouble:
    """Doubles on the event loop; counts which of its methods ran."""

    def __init__(self) -> None:
        self.async_calls = 0
        self.sync_calls = 0

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        self.sync_calls += 1
        return {"value": value * 2}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        self.async_calls += 1
        return {"value": value * 2}


@component
class Numbers:
    """Two numbers from one: a list for a list socket that several senders feed."""

    def __init__(self, step: int = 1) -> None:
        self.step = step

    @component.output_types(values=list[int])
    def run(self, start: int) -> dict[str, list[int]]:
        return {"values": [start, start + self.step]}


@component
class Collect:
    """Receives a list (joined from several senders) and reports it with its sum."""

    @component.output_types(values=list[int], total=int)
    def run(self, values: list[int]) -> dict[str, object]:
        return {"values": values, "total": sum(values)}


@component
class Greeting:
    """Text out, to be turned into a ChatMessage on the way."""

    @component.output_types(text=str)
    def run(self, name: str, punctuation: str = "!") -> dict[str, str]:
        return {"text": f"Hello {name}{punctuation}"}


@component
class Listener:
    """Takes chat messages, says what it got: their class (Haystack's) and text."""

    @component.output_types(reply=ChatMessage, kinds=list[str])
    def run(self, messages: list[ChatMessage]) -> dict[str, object]:
        text = " / ".join(message.text or "" for message in messages)
        return {
            "reply": ChatMessage.from_assistant(f"heard: {text}"),
            "kinds": [f"{type(m).__module__}.{type(m).__name__}" for m in messages],
        }


@component
class Echo:
    """Takes text: a ChatMessage sent here arrives as its text."""

    @component.output_types(text=str)
    def run(self, text: str) -> dict[str, str]:
        return {"text": text}


@component
class Warm:
    """Counts its warm-ups and notes the thread each ran in."""

    def __init__(self) -> None:
        self.warm_ups = 0
        self.warm_up_threads: list[str] = []

    def warm_up(self) -> None:
        self.warm_ups += 1
        self.warm_up_threads.append(threading.current_thread().name)

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value + self.warm_ups}


@component
class Fail:
    """Always fails."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise ValueError(f"cannot take {value}")
