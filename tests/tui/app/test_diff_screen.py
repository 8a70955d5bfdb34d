"""The diff screen: two recordings read in a worker, changed visits listed and jumped to, timing side by side.

The helpers here build recordings from synthetic events with fixed times and a fixed start (`WALL`), so the
pictures of the runs browser and of this screen are the same on every machine; the runs browser's tests use them.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import pytest
from rich.console import Console
from textual.app import App
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from pipeline import AsyncPipeline, ChatMessage, Document
from pipeline.components.retrievers.in_memory.bm25_retriever import InMemoryBM25Retriever
from pipeline.core.events import ComponentFinished, ComponentStarted, RunCancelled, RunEvent, RunFinished, RunStarted
from pipeline.document_stores.in_memory import InMemoryDocumentStore
from pipeline.runs.recording import EventList, Parent, RunRecorder
from pipeline.runs.store import RunStore
from tests.tui.app.conftest import screen_text, wait_for
from tui.screens.diff import DiffScreen

SIZE = (120, 40)
WALL = 1_700_000_000.0
"""2023-11-14 22:13:20 UTC: when the first synthetic run started."""
HEADER_ONLY = json.dumps(
    {"format": "pipedebug-run", "version": 1, "run_id": "r", "pipeline_name": "p", "versions": {}, "wall_time": WALL}
)


@dataclass(frozen=True)
class Visit:
    component: str
    start: float
    end: float
    """Seconds since the run started."""
    outputs: dict[str, Any]
    inputs: dict[str, Any] = field(default_factory=dict)


def run_events(
    run_id: str,
    visits: Sequence[Visit],
    end: float,
    wall_time: float = WALL,
    ending: type[RunFinished | RunCancelled] = RunFinished,
) -> list[RunEvent]:
    """A run of `visits` (each the component's first) that ends with `ending`, its clock starting at 100 s."""
    origin = 100.0
    events: list[RunEvent] = [
        RunStarted(run_id=run_id, time=origin, wall_time=wall_time, inputs={}, concurrency_limit=4)
    ]
    for visit_id, visit in enumerate(visits, start=1):
        common = {"run_id": run_id, "visit_id": visit_id, "component": visit.component, "visit": 1, "mode": "sync"}
        events.append(ComponentStarted(time=origin + visit.start, inputs=visit.inputs, **common))
        events.append(
            ComponentFinished(
                time=origin + visit.end,
                outputs=visit.outputs,
                started_at=origin + visit.start,
                finished_at=origin + visit.end,
                thread="worker-1",
                **common,
            )
        )
    events.append(ending(run_id=run_id, time=origin + end, outputs={}))
    return events

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def record(
    directory: Path,
    events: Sequence[RunEvent],
    *,
    pipeline_name: str = "rag",
    label: str | None = None,
    parent: Parent | None = None,
) -> Path:
    """Record `events` into `directory` under the store's usual name, the header dated as `RunStarted` is."""
    started = events[0]
    assert isinstance(started, RunStarted)
    directory.mkdir(parents=True, exist_ok=True)
    path = RunStore(directory).path_for(pipeline_name, started.run_id, started.wall_time)

    async with RunRecorder(EventList(events), path, pipeline_name=pipeline_name, label=label, parent=parent) as run:
        async for _ in run:
            pass
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(json.dumps({**json.loads(header), "wall_time": started.wall_time}) + "\n" + rest, "utf-8")
    return path


def docs(*passages: tuple[str, float]) -> list[Document]:
    return [Document(content=content, score=score) for content, score in passages]


async def rag_runs(directory: Path) -> tuple[Path, Path]:
    """Run a and run b of a retriever and an answerer: b's documents are reordered, one added and one removed,
    its prompt and reply differ, and its answerer is slower."""
    a = run_events(
        "aaaa1111-run",
        [
            Visit("retriever", 0.010, 0.030, {"documents": docs(("alpha", 0.9), ("beta", 0.8), ("gamma", 0.5))}),
            Visit(
                "answerer",
                0.030,
                0.130,
                {"replies": [ChatMessage.from_assistant("Hello!\nalpha says hi")], "prompt": "Question: alpha?"},
            ),
        ],
        end=0.135,
    )
    b = run_events(
        "bbbb2222-run",
        [
            Visit("retriever", 0.010, 0.025, {"documents": docs(("beta", 0.85), ("alpha", 0.9), ("delta", 0.4))}),
            Visit(
                "answerer",
                0.025,
                0.205,
                {"replies": [ChatMessage.from_assistant("Hi!\nbeta says hi")], "prompt": "Question: beta?"},
            ),
        ],
        end=0.210,
        wall_time=WALL + 60,
    )
    return await record(directory, a), await record(directory, b)


class DiffApp(App[None]):
    def __init__(self, a: Path, b: Path) -> None:
        super().__init__()
        self.a, self.b = a, b

    def on_mount(self) -> None:
        self.push_screen(DiffScreen(self.a, self.b))


async def loaded(pilot: Pilot[None]) -> DiffScreen:
    screen = pilot.app.screen
    assert isinstance(screen, DiffScreen)
    await wait_for(pilot, lambda: screen.loaded is not None or screen.error is not None, "the diff")
    await pilot.pause()
    return screen


def body_text(screen: DiffScreen) -> str:
    """Every section of the diff as plain text, scrolled into view or not."""
    console = Console(width=200, record=True, file=io.StringIO())
    for section in screen.query("#diff-body > Static").results(Static):
        console.print(section.content)
    return console.export_text()


def fruit_pipeline() -> AsyncPipeline:
    store = InMemoryDocumentStore()
    store.write_documents(
        [
            Document(content="apple pie recipe"),
            Document(content="apple juice"),
            Document(content="cherry pie recipe"),
            Document(content="banana bread"),
        ]
    )
    pipe = AsyncPipeline()
    pipe.add_component("retriever", InMemoryBM25Retriever(store, top_k=2))
    return pipe


async def record_query(store: RunStore, query: str) -> Path:
    pipe = fruit_pipeline()
    data = {"query": query}
    async with store.record(pipe.events(data), pipeline_name="fruit", pipeline=pipe, inputs=data) as run:
        async for _ in run:
            pass
    return run.path


async def test_a_diff_of_two_real_runs_shows_the_documents_that_changed_and_the_timing(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    a = await record_query(store, "apple pie")
    b = await record_query(store, "cherry pie")
    app = DiffApp(a, b)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)

        shown = screen_text(app)
        assert f"a  fruit  {a.name.split('_')[-1][:8]}  finished" in shown and b.name in shown
        changes = screen.query_one("#diff-changes", OptionList)
        assert [str(changes.get_option_at_index(0).prompt)] == ["retriever #1\nin: query; out: documents"]
        assert changes.option_count == 1 and app.focused is changes
        text = body_text(screen)
        timing = text[text.index("Timing (ms)") : text.index("run total")]
        assert "retriever" in timing
        assert "-apple pie" in text and "+cherry pie" in text  # the query, as a text diff
        apple_pie, apple_juice, cherry_pie = (
            Document(content=c).id[:12] for c in ("apple pie recipe", "apple juice", "cherry pie recipe")
        )
        assert f"+ #1 {cherry_pie} 'cherry pie recipe'" in text
        assert f"- #2 {apple_juice} 'apple juice'" in text
        assert f"~ {apple_pie} 'apple pie recipe'  rank 1 → 2" in text
        assert "No differences in outputs" not in text


async def test_n_and_shift_n_jump_between_changed_visits(tmp_path: Path) -> None:
    app = DiffApp(*await rag_runs(tmp_path))
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await loaded(pilot)
        changes = screen.query_one("#diff-changes", OptionList)
        body = screen.query_one("#diff-body", VerticalScroll)
        retriever, answerer = screen.query_one("#visit-0"), screen.query_one("#visit-1")
        assert changes.highlighted is None and body.scroll_y == 0  # the timing first

        await pilot.press("n")
        await pilot.pause()
        assert changes.highlighted == 0 and body.scroll_y == retriever.virtual_region.y > 0

        await pilot.press("n")
        await pilot.pause()
        assert changes.highlighted == 1
        # As far down as the view goes: the last section is shown, its top as high as it can get.
        assert body.scroll_y == min(answerer.virtual_region.y, body.max_scroll_y) > retriever.virtual_region.y

        await pilot.press("n")  # the last one: stays
        await pilot.press("N")
        await pilot.pause()
        assert changes.highlighted == 0 and body.scroll_y == retriever.virtual_region.y


async def test_the_screen_itself_scrolls_as_any_widget_does(tmp_path: Path) -> None:
    """Textual scrolls a screen through `Widget._scroll_to` (scroll_to, scroll_home, and scroll_to_widget up the
    ancestors): the handler that shows a picked section must not shadow it, or any such scroll raises."""
    app = DiffApp(*await rag_runs(tmp_path))
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await loaded(pilot)
        screen.scroll_home(animate=False, immediate=True)
        screen.scroll_end(animate=False)  # deferred to after the next refresh, as Textual's own calls are
        await pilot.pause()
        assert screen.scroll_y == 0  # nothing to scroll: the panes fit the screen
        await pilot.press("n")
        await pilot.pause()
        body = screen.query_one("#diff-body", VerticalScroll)
        assert body.scroll_y == screen.query_one("#visit-0").virtual_region.y > 0


async def test_runs_that_differ_only_in_timing(tmp_path: Path) -> None:
    outputs = {"documents": docs(("alpha", 0.9))}
    a = await record(tmp_path, run_events("aaaa1111-run", [Visit("retriever", 0.01, 0.02, outputs)], 0.03))
    b = await record(
        tmp_path, run_events("bbbb2222-run", [Visit("retriever", 0.01, 0.05, outputs)], 0.06, wall_time=WALL + 1)
    )
    app = DiffApp(a, b)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert "No differences in outputs." in screen_text(app)
        assert not screen.query_one("#diff-changes").display
        rows = [line.split() for line in body_text(screen).splitlines()]
        assert ["retriever", "10.0", "40.0", "+30.0", "4.00x"] in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, DiffScreen)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "{path}: cannot read the run file: No such file or directory"),
        ("{oops\n", "{path}:1: not a pipedebug run file: "),
        (HEADER_ONLY, "{path}: the recording holds no events (the run never started)"),
    ],
)
async def test_a_run_that_cannot_be_compared_is_named_with_the_reason(
    tmp_path: Path, content: str | None, message: str
) -> None:
    good, _ = await rag_runs(tmp_path)
    bad = tmp_path / "bad.jsonl"
    if content is not None:
        bad.write_text(content, encoding="utf-8")
    app = DiffApp(good, bad)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.loaded is None and screen.error is not None
        assert screen.error.startswith(message.format(path=bad))
        heading = screen.query_one("#diff-heading", Static)
        assert heading.has_class("-error") and str(heading.content) == screen.error
        assert "bad.jsonl" in screen_text(app)


def test_snapshot_of_a_diff(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = DiffApp(*asyncio.run(rag_runs(tmp_path)))

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
