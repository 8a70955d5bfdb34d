"""Log capture against a real pipeline (sync components in worker threads, async ones on the loop), and the
log pane that shows what it captured."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import warnings

from textual.app import App, ComposeResult
from textual.widgets import RichLog

from pipeline import AsyncPipeline, component
from tui.state.logs import LogCapture, LogLine
from tui.widgets.logs import LogView, component_style, log_text

logger = logging.getLogger("tests.noisy")


@component
class SyncNoisy:
    """Prints, logs, warns and writes to stderr from the engine's worker thread."""

    @component.output_types(value=int, thread=str)
    def run(self, value: int) -> dict[str, object]:
        print(f"sync prints {value}")
        logger.info("sync logs %s", value)
        warnings.warn(f"sync warns {value}", UserWarning, stacklevel=1)
        print("sync complains", file=sys.stderr)
        return {"value": value + 1, "thread": threading.current_thread().name}


@component
class AsyncNoisy:
    """The same on the event loop, with an await in between, so other tasks may run meanwhile."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise AssertionError("the async pipeline awaits run_async")

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        print(f"async prints {value}")
        await asyncio.sleep(0.01)
        logger.warning("async logs %s", value)
        warnings.warn(f"async warns {value}", RuntimeWarning, stacklevel=1)
        return {"value": value + 1}


@component
class Chatty:
    """Prints several lines slowly, so two of them on parallel branches interleave."""

    def __init__(self, name: str) -> None:
        self.name = name

    @component.output_types(done=bool)
    def run(self, value: int) -> dict[str, bool]:
        for index in range(5):
            print(f"{self.name} line {index}")
            time.sleep(0.002)
        return {"done": True}


def noisy_pipeline() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("sync_noisy", SyncNoisy())
    pipe.add_component("async_noisy", AsyncNoisy())
    pipe.add_component("left", Chatty("left"))
    pipe.add_component("right", Chatty("right"))
    pipe.connect("sync_noisy.value", "async_noisy.value")
    pipe.connect("async_noisy.value", "left.value")
    pipe.connect("async_noisy.value", "right.value")
    return pipe


async def test_prints_warnings_and_logs_are_attributed_to_their_visits() -> None:
    lines: list[LogLine] = []
    with LogCapture(lines.append):
        print("before the run")
        result = await noisy_pipeline().run_async({"sync_noisy": {"value": 1}})
    assert result["sync_noisy"]["thread"] != threading.current_thread().name, "sync ran in a worker thread"

    assert lines[0] == LogLine(None, None, "stdout", "before the run")
    by_component = {name: [line for line in lines if line.component == name] for name in ("sync_noisy", "async_noisy")}
    sync, async_ = by_component["sync_noisy"], by_component["async_noisy"]
    assert [(line.visit_id, line.level) for line in sync] == [(1, "stdout"), (1, "info"), (1, "warning"), (1, "stderr")]
    assert [line.text for line in sync[:2]] == ["sync prints 1", "tests.noisy: sync logs 1"]
    assert sync[2].text.startswith("UserWarning: sync warns 1 (test_logs.py:")
    assert sync[3].text == "sync complains"
    assert [(line.visit_id, line.level) for line in async_] == [(2, "stdout"), (2, "warning"), (2, "warning")]
    assert [line.text for line in async_[:2]] == ["async prints 2", "tests.noisy: async logs 2"]
    assert async_[2].text.startswith("RuntimeWarning: async warns 2 (test_logs.py:")

    for branch in ("left", "right"):
        assert [line.text for line in lines if line.component == branch] == [f"{branch} line {i}" for i in range(5)]


async def test_stopping_restores_every_hook() -> None:
    root = logging.getLogger()
    saved = sys.stdout, sys.stderr, warnings.showwarning, list(root.handlers), root.level
    lines: list[LogLine] = []
    capture = LogCapture(lines.append, level=logging.DEBUG)
    capture.start()
    assert capture.active and sys.stdout is not saved[0] and root.level == logging.DEBUG
    sys.stdout.write("no newline yet")
    capture.stop()
    assert (sys.stdout, sys.stderr, warnings.showwarning, list(root.handlers), root.level) == saved
    assert not capture.active
    assert lines == [LogLine(None, None, "stdout", "no newline yet")], "a partial line is delivered on stop"


def rendered(view: LogView) -> list[str]:
    return [strip.text.rstrip() for strip in view.query_one(RichLog).lines]


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView()


async def test_log_view_prefixes_lines_with_the_component_and_tags_levels() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one(LogView)
        view.write("retriever", "found 3 documents", "stdout")
        view.write("retriever", "index is stale", "warning")
        view.write(None, "loading", "info")
        await pilot.pause()
        assert rendered(view) == [
            "retriever found 3 documents",
            "retriever warning: index is stale",
            "(outside) loading",
        ]
        assert component_style("retriever") == component_style("retriever") != component_style("joiner")
        text = log_text("retriever", "boom", "error")
        assert text.plain == "retriever error: boom" and text.spans[0].style == component_style("retriever")


async def test_log_view_shows_a_real_runs_output_submitted_from_any_thread() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 40)) as pilot:
        view = app.query_one(LogView)
        with LogCapture(view.submit):
            await noisy_pipeline().run_async({"sync_noisy": {"value": 1}})
        await pilot.pause(0.2)
        lines = rendered(view)
        assert "sync_noisy sync prints 1" in lines
        assert "sync_noisy stderr: sync complains" in lines
        assert "async_noisy warning: tests.noisy: async logs 2" in lines
        assert "left left line 4" in lines
