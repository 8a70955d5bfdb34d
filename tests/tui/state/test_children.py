"""Child spans folded onto the visit records without Textual: relative times, per visit in order of start,
statuses."""

from __future__ import annotations

from pipeline.core.events import ChildSpan, ComponentFinished, ComponentStarted, RunEvent, RunFinished, RunStarted
from pipeline.runs.recording import EventList
from pipeline.runs.spans import RunSummary
from tui.state import DebugSession
from tui.state.children import ChildSpans

ORIGIN = 100.0


def call(visit_id: int, name: str, start: float, end: float, status: str = "ok", message: str = "") -> ChildSpan:
    return ChildSpan(
        run_id="r",
        time=ORIGIN + end,
        visit_id=visit_id,
        component="llm",
        name=name,
        started_at=ORIGIN + start,
        finished_at=ORIGIN + end,
        attributes={"http.method": "POST"},
        status=status,  # type: ignore[arg-type]
        status_message=message,
        service="openai",
    )


def events() -> list[RunEvent]:
    return [
        RunStarted(run_id="r", time=ORIGIN, wall_time=0.0, inputs={}, concurrency_limit=4),
        ComponentStarted(run_id="r", time=ORIGIN + 0.1, visit_id=1, component="llm", visit=1, inputs={}, mode="async"),
        call(1, "second", 0.3, 0.4),
        call(1, "first", 0.15, 0.25, "error", "429 Too Many Requests"),
        ComponentFinished(
            run_id="r",
            time=ORIGIN + 0.5,
            visit_id=1,
            component="llm",
            visit=1,
            outputs={},
            started_at=ORIGIN + 0.1,
            finished_at=ORIGIN + 0.5,
            mode="async",
            thread="MainThread",
        ),
        RunFinished(run_id="r", time=ORIGIN + 0.6, outputs={}),
    ]


def test_child_spans_are_relative_to_the_run_and_listed_per_visit_by_start() -> None:
    summary = RunSummary.from_events(events())
    children = ChildSpans(summary)
    assert [span.name for span in children.spans] == ["second", "first"]  # as they arrived
    visit = summary.span(1)
    assert visit is not None and [span.name for span in visit.children] == ["first", "second"]
    first, second = children.of_visit(1)
    assert (first.name, second.name) == ("first", "second")
    assert abs(first.started_at - 0.15) < 1e-9 and abs(first.duration - 0.1) < 1e-9
    assert first.failed and first.status_message == "429 Too Many Requests" and first.service == "openai"
    assert not second.failed and second.attributes == {"http.method": "POST"}
    assert children.of_visit(2) == []


def test_a_child_span_before_its_visit_started_joins_the_visit_when_it_does() -> None:
    started, visit_start, *rest = events()
    summary = RunSummary.from_events([started, call(1, "early", 0.05, 0.08), visit_start, *rest])
    assert [span.name for span in summary.children_of(1)] == ["early", "first", "second"]
    assert [span.name for span in summary.children] == ["early", "second", "first"]


async def test_the_session_folds_child_spans_as_they_come_and_from_a_replays_history() -> None:
    session = DebugSession(EventList(events()), live=False)
    await session.run()
    assert session.status == "finished"
    assert [span.name for span in session.children.of_visit(1)] == ["first", "second"]
    sought = DebugSession(EventList(events()[4:]), live=False, history=events()[:4])
    await sought.run()
    assert [span.name for span in sought.children.of_visit(1)] == ["first", "second"]
