"""Logs as events: what components print, warn and log becomes `ComponentLogged` events of their run."""

from __future__ import annotations

import asyncio
import logging
import sys
import warnings
from pathlib import Path

import pytest

from pipeline import AsyncPipeline, component
from pipeline.core.events import ComponentFailed, ComponentFinished, ComponentLogged, RunEvent
from pipeline.runs.codec import Encoder, decode_event


@component
class Chatty:
    """Prints, warns and logs from a worker thread (sync)."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict:
        print(f"sync got {value}")
        print("to stderr", file=sys.stderr)
        warnings.warn("careful", UserWarning, stacklevel=1)  # WARN_LINE
        logging.getLogger("tests.chatty").info("info record %d", value)
        return {"value": value + 1}


WARN_LINE = next(n for n, line in enumerate(Path(__file__).read_text().splitlines(), 1) if line.endswith("# WARN_LINE"))


@component
class AsyncChatty:
    """Prints and logs on the event loop (async)."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict:
        raise NotImplementedError

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict:
        print(f"async got {value}")
        await asyncio.sleep(0)
        logging.getLogger("tests.async").warning("secret is %s", "sk-verysecretvalue1234")
        return {"value": value * 10}


@component
class LogsThenFails:
    @component.output_types(value=int)
    def run(self, value: int) -> dict:
        print("about to fail")
        raise RuntimeError("boom")


def chatty_pipeline() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("chatty", Chatty())
    pipe.add_component("async_chatty", AsyncChatty())
    pipe.connect("chatty", "async_chatty")
    return pipe


async def collect(pipe: AsyncPipeline, data: dict, **options: object) -> list[RunEvent]:
    async with pipe.events(data, **options) as run:  # type: ignore[arg-type]
        return [event async for event in run]


async def test_prints_warnings_and_records_become_events_of_their_visit(capsys: object) -> None:
    events = await collect(chatty_pipeline(), {"value": 1}, capture_logs=True)
    logged = [e for e in events if isinstance(e, ComponentLogged)]
    assert [(e.component, e.level, e.logger, e.text) for e in logged] == [
        ("chatty", "stdout", "", "sync got 1"),
        ("chatty", "stderr", "", "to stderr"),
        ("chatty", "warning", "", f"UserWarning: careful (test_logs.py:{WARN_LINE})"),
        ("chatty", "info", "tests.chatty", "info record 1"),
        ("async_chatty", "stdout", "", "async got 2"),
        ("async_chatty", "warning", "tests.async", "secret is sk-verysecretvalue1234"),
    ]
    # each line comes after its visit started and before it finished, with the visit's id
    for line in logged:
        started = next(i for i, e in enumerate(events) if getattr(e, "visit_id", None) == line.visit_id)
        finished = next(
            i for i, e in enumerate(events) if isinstance(e, ComponentFinished) and e.visit_id == line.visit_id
        )
        assert started < events.index(line) < finished
    assert capsys.readouterr().out == ""  # type: ignore[attr-defined]


async def test_without_the_option_nothing_is_captured(capsys: object) -> None:
    with pytest.warns(UserWarning, match="careful"):
        events = await collect(chatty_pipeline(), {"value": 1})
    assert not [e for e in events if isinstance(e, ComponentLogged)]
    assert "sync got 1" in capsys.readouterr().out  # type: ignore[attr-defined]


async def test_lines_outside_any_visit_pass_through_and_hooks_are_restored(capsys: object) -> None:
    stdout, root_level = sys.stdout, logging.getLogger().level
    pipe = chatty_pipeline()
    async with pipe.events({"value": 1}, capture_logs=True) as run:
        async for event in run:
            if isinstance(event, ComponentFinished):
                print(f"consumer saw {event.component}")
    assert capsys.readouterr().out.splitlines() == ["consumer saw chatty", "consumer saw async_chatty"]  # type: ignore[attr-defined]
    assert sys.stdout is stdout
    assert logging.getLogger().level == root_level


async def test_concurrent_runs_each_get_their_own_lines() -> None:
    first, second = await asyncio.gather(
        collect(chatty_pipeline(), {"value": 1}, capture_logs=True),
        collect(chatty_pipeline(), {"value": 5}, capture_logs=True),
    )
    assert [e.text for e in first if isinstance(e, ComponentLogged) and e.level == "stdout"] == [
        "sync got 1",
        "async got 2",
    ]
    assert [e.text for e in second if isinstance(e, ComponentLogged) and e.level == "stdout"] == [
        "sync got 5",
        "async got 6",
    ]


async def test_a_failing_visit_keeps_what_it_printed() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("bad", LogsThenFails())
    events = await collect(pipe, {"value": 1}, capture_logs=True)
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("ComponentLogged") < kinds.index("ComponentFailed")
    assert [e.text for e in events if isinstance(e, ComponentLogged)] == ["about to fail"]
    assert any(isinstance(e, ComponentFailed) for e in events)


async def test_recorded_log_lines_have_secrets_scrubbed() -> None:
    events = await collect(chatty_pipeline(), {"value": 1}, capture_logs=True)
    line = next(e for e in events if isinstance(e, ComponentLogged) and e.logger == "tests.async")
    encoder = Encoder({"sk-verysecretvalue1234": "OPENAI_API_KEY"})
    decoded = decode_event(encoder.encode_event(line))
    assert isinstance(decoded, ComponentLogged)
    assert decoded.text == "secret is <redacted:OPENAI_API_KEY>"
    assert (decoded.component, decoded.visit_id, decoded.level) == (line.component, line.visit_id, line.level)
