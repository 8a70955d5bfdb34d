"""diff_runs on real runs: documents by id and rank, chat messages and strings as text diffs, timing, loops."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rich.console import Console

from pipeline import AsyncPipeline, ChatMessage, Document, component
from pipeline.core.events import ComponentFinished, RunEvent
from pipeline.dataclasses import ToolCall
from pipeline.runs.diff import (
    DocumentsDiff,
    MessagesDiff,
    SocketDiff,
    TextDiff,
    ValueDiff,
    VisitDiff,
    diff_runs,
    diff_value,
)
from tests.pipeline.toy_components import AddOne, CountDown, Double, Fail, LoopEntry, Router
from tui.render_diff import render_change, render_diff

TOLERANCE = 0.005


@component
class FixedRetriever:
    """Returns the configured passages with their scores, best first, whatever the query."""

    def __init__(self, passages: list[tuple[str, float]]) -> None:
        self.passages = passages

    @component.output_types(documents=list[Document])
    def run(self, query: str) -> dict[str, Any]:
        return {"documents": [Document(content=content, score=score) for content, score in self.passages]}


@component
class Answerer:
    """Replies with one line per document it received, after sleeping; `greeting` changes the first line."""

    def __init__(self, greeting: str, seconds: float) -> None:
        self.greeting = greeting
        self.seconds = seconds

    @component.output_types(replies=list[ChatMessage], prompt=str, settings=dict)
    def run(self, query: str, documents: list[Document]) -> dict[str, Any]:
        time.sleep(self.seconds)
        prompt = "\n".join([f"Question: {query}", *(f"- {doc.content}" for doc in documents)])
        reply = "\n".join([f"{self.greeting}!", *(f"{doc.content} says hi" for doc in documents)])
        return {
            "replies": [ChatMessage.from_assistant(reply)],
            "prompt": prompt,
            "settings": {"greeting": self.greeting},
        }


def rag(passages: list[tuple[str, float]], greeting: str, seconds: float) -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("retriever", FixedRetriever(passages))
    pipe.add_component("answerer", Answerer(greeting, seconds))
    pipe.connect("retriever.documents", "answerer.documents")
    return pipe


async def events_of(pipe: AsyncPipeline, data: dict[str, Any]) -> list[RunEvent]:
    async with pipe.events(data) as run:
        return [event async for event in run]


def visit(diff: Any, component: str, number: int = 1) -> VisitDiff:
    return next(v for v in diff.visits if (v.component, v.visit) == (component, number))


def socket(sockets: list[SocketDiff], name: str) -> Any:
    return next(s.change for s in sockets if s.socket == name)


A_PASSAGES = [("alpha", 0.9), ("beta", 0.8), ("gamma", 0.5)]
B_PASSAGES = [("beta", 0.85), ("alpha", 0.9), ("delta", 0.4)]


@pytest.fixture
async def two_runs() -> tuple[list[RunEvent], list[RunEvent]]:
    a = await events_of(rag(A_PASSAGES, "Hello", 0.01), {"query": "What is alpha?"})
    b = await events_of(rag(B_PASSAGES, "Hi", 0.06), {"query": "What is beta?"})
    return a, b


async def test_documents_are_compared_by_id_rank_and_score(two_runs: tuple[list[RunEvent], list[RunEvent]]) -> None:
    diff = diff_runs(*two_runs)

    documents = socket(visit(diff, "retriever").outputs, "documents")
    assert isinstance(documents, DocumentsDiff)
    assert [(d.rank, d.document.content) for d in documents.added] == [(3, "delta")]
    assert [(d.rank, d.document.content) for d in documents.removed] == [(3, "gamma")]
    alpha, beta = Document(content="alpha").id, Document(content="beta").id
    assert {(d.id, d.old_rank, d.new_rank) for d in documents.moved} == {(alpha, 1, 2), (beta, 2, 1)}
    scores = {d.id: d.score_delta for d in documents.kept}
    assert scores[alpha] == 0
    assert scores[beta] == pytest.approx(0.05)
    assert all(d.same_content for d in documents.kept)
    # The answerer received the same change on its input.
    received = socket(visit(diff, "answerer").inputs, "documents")
    assert isinstance(received, DocumentsDiff) and received == documents


async def test_messages_and_strings_get_unified_text_diffs(two_runs: tuple[list[RunEvent], list[RunEvent]]) -> None:
    diff = diff_runs(*two_runs)
    answerer = visit(diff, "answerer")

    replies = socket(answerer.outputs, "replies")
    assert isinstance(replies, MessagesDiff)
    [message] = replies.messages
    assert message.index == 0 and message.a is not None and message.b is not None
    assert message.text_diff[:2] == ["--- a/replies[0]", "+++ b/replies[0]"]
    assert "-Hello!" in message.text_diff and "+Hi!" in message.text_diff
    assert "-gamma says hi" in message.text_diff and "+delta says hi" in message.text_diff

    prompt = socket(answerer.outputs, "prompt")
    assert isinstance(prompt, TextDiff)
    assert "-Question: What is alpha?" in prompt.lines and "+Question: What is beta?" in prompt.lines
    query = socket(visit(diff, "retriever").inputs, "query")
    assert isinstance(query, TextDiff)
    assert query.lines == ["--- a/query", "+++ b/query", "@@ -1 +1 @@", "-What is alpha?", "+What is beta?"]

    settings = socket(answerer.outputs, "settings")
    assert settings == ValueDiff("{'greeting': 'Hello'}", "{'greeting': 'Hi'}")


async def test_timing_per_component_and_for_the_run(two_runs: tuple[list[RunEvent], list[RunEvent]]) -> None:
    diff = diff_runs(*two_runs)

    answerer = diff.components["answerer"]
    assert answerer.a is not None and answerer.b is not None
    assert answerer.a >= 0.01 - TOLERANCE and answerer.b >= 0.06 - TOLERANCE
    assert answerer.delta == pytest.approx(answerer.b - answerer.a)
    assert answerer.delta is not None and answerer.delta > 0.03
    assert answerer.ratio is not None and answerer.ratio > 2
    assert visit(diff, "answerer").timing == answerer  # one visit: the visit's time is the component's
    assert diff.total.a is not None and diff.total.b is not None
    assert diff.total.b > diff.total.a >= answerer.a
    assert list(diff.components) == ["retriever", "answerer"]
    assert diff.changed and diff.status_a == diff.status_b == "finished"
    assert (diff.run_a, diff.run_b) == (two_runs[0][0].run_id, two_runs[1][0].run_id)


async def test_identical_runs_differ_only_in_timing() -> None:
    pipe = rag(A_PASSAGES, "Hello", 0.0)
    a = await events_of(pipe, {"query": "What is alpha?"})
    b = await events_of(pipe, {"query": "What is alpha?"})

    diff = diff_runs(a, b)

    assert not diff.changed
    assert diff.changed_visits == [] and diff.only_in_a == diff.only_in_b == []
    assert [(v.component, v.status_a, v.status_b, v.inputs, v.outputs) for v in diff.visits] == [
        ("retriever", "finished", "finished", [], []),
        ("answerer", "finished", "finished", [], []),
    ]
    assert all(t.a is not None and t.b is not None for t in diff.components.values())


async def test_components_that_ran_in_one_run_only() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("router", Router())
    pipe.add_component("small", AddOne())
    pipe.add_component("big", Double())
    pipe.connect("router.low", "small.value")
    pipe.connect("router.high", "big.value")

    diff = diff_runs(await events_of(pipe, {"router": {"value": 5}}), await events_of(pipe, {"router": {"value": 50}}))

    assert (diff.only_in_a, diff.only_in_b) == (["small"], ["big"])
    router = visit(diff, "router")
    assert socket(router.inputs, "value") == ValueDiff("5", "50")
    assert socket(router.outputs, "low") == ValueDiff("5", None)
    assert socket(router.outputs, "high") == ValueDiff(None, "50")
    small, big = visit(diff, "small"), visit(diff, "big")
    assert (small.status_a, small.status_b, big.status_a, big.status_b) == ("finished", None, None, "finished")
    assert diff.components["small"].b is None and diff.components["small"].delta is None


async def test_loops_compare_visit_by_visit() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")

    diff = diff_runs(await events_of(pipe, {"entry": {"value": 2}}), await events_of(pipe, {"entry": {"value": 1}}))

    assert [(v.visit, v.status_a, v.status_b) for v in diff.visits if v.component == "countdown"] == [
        (1, "finished", "finished"),
        (2, "finished", "finished"),
        (3, "finished", None),
    ]
    first = visit(diff, "countdown", 1)
    assert socket(first.inputs, "value") == ValueDiff("2", "1")
    assert socket(first.outputs, "again") == ValueDiff("1", "0")
    last_of_b = visit(diff, "countdown", 2)
    assert socket(last_of_b.outputs, "again") == ValueDiff("0", None)
    assert socket(last_of_b.outputs, "done") == ValueDiff(None, "0")
    assert diff.only_in_a == diff.only_in_b == []


async def test_a_failed_visit_and_replaced_outputs_show_up() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("first", AddOne())
    pipe.add_component("second", AddOne())
    pipe.connect("first.value", "second.value")
    a = await events_of(pipe, {"value": 1})
    b: list[RunEvent] = []
    async with pipe.events({"value": 1}) as run:
        async for event in run:
            b.append(event)
            if isinstance(event, ComponentFinished) and event.component == "first":
                run.replace_outputs(event.visit_id, {"value": 10})

    replaced = diff_runs(a, b)
    assert socket(visit(replaced, "first").outputs, "value") == ValueDiff("2", "10")
    assert socket(visit(replaced, "second").inputs, "value") == ValueDiff("2", "10")

    broken = AsyncPipeline()
    broken.add_component("first", AddOne())
    broken.add_component("second", Fail())
    broken.connect("first.value", "second.value")
    failed = diff_runs(a, await events_of(broken, {"value": 1}))
    second = visit(failed, "second")
    assert (failed.status_a, failed.status_b) == ("finished", "failed")
    assert (second.status_a, second.status_b) == ("finished", "failed")
    assert socket(second.outputs, "value") == ValueDiff("3", None)
    assert failed.changed_visits == [second]


async def test_a_fork_marks_its_reused_visits() -> None:
    pipe = rag(A_PASSAGES, "Hello", 0.0)
    original = await events_of(pipe, {"query": "What is alpha?"})
    retrieved = next(e for e in original if isinstance(e, ComponentFinished) and e.component == "retriever")
    async with pipe.events({"query": "What is alpha?"}, reuse_outputs={("retriever", 1): retrieved.outputs}) as run:
        fork = [event async for event in run]

    diff = diff_runs(original, fork)

    assert not diff.changed
    retriever, answerer = visit(diff, "retriever"), visit(diff, "answerer")
    assert (retriever.reused_a, retriever.reused_b, answerer.reused_b) == (False, True, False)
    console = Console(record=True, width=140)
    console.print(render_diff(diff))
    assert "retriever (reused in b)" in console.export_text()


def test_values_compare_by_kind() -> None:
    doc = Document(content="same id", id="fixed")
    edited = diff_value([doc], [Document(content="new text", id="fixed")])
    assert isinstance(edited, DocumentsDiff) and not edited.kept[0].same_content and edited.changed
    assert diff_value([doc], [Document(content="same id", id="fixed")]) is None
    assert isinstance(diff_value([], [doc]), DocumentsDiff)
    repeated = diff_value([doc, doc], [doc])
    assert isinstance(repeated, ValueDiff) and repeated.a is not None and repeated.a.count("fixed") == 2
    assert diff_value([], []) is None
    assert diff_value("x", "x\n") == TextDiff("x", "x\n", ["--- a/value", "+++ b/value", "@@ -1 +1,2 @@", " x", "+"])
    added = diff_value([ChatMessage.from_user("hi")], [ChatMessage.from_user("hi"), ChatMessage.from_assistant("yo")])
    assert isinstance(added, MessagesDiff)
    assert [(m.index, m.a, m.text_diff[-1]) for m in added.messages] == [(1, None, "+yo")]
    assert diff_value(ChatMessage.from_user("hi"), ChatMessage.from_user("hi")) is None
    long = diff_value(list(range(1000)), list(range(1001)))
    assert isinstance(long, ValueDiff) and long.a is not None and len(long.a) < 80


async def test_the_diff_renders_with_additions_green_and_removals_red(
    two_runs: tuple[list[RunEvent], list[RunEvent]],
) -> None:
    diff = diff_runs(*two_runs)
    console = Console(record=True, width=140)
    console.print(render_diff(diff))
    text = console.export_text()

    assert "retriever #1" in text and "answerer #1" in text and "run total" in text
    assert "+ #3" in text and "- #3" in text and "rank 1 → 2" in text
    assert "+Hi!" in text and "-Hello!" in text
    documents = render_change(socket(visit(diff, "retriever").outputs, "documents"))
    styles = {documents.plain[span.start : span.end][:1]: str(span.style) for span in documents.spans}
    assert (styles["+"], styles["-"]) == ("green", "red")

    same = Console(record=True, width=140)
    same.print(render_diff(diff_runs(two_runs[0], two_runs[0])))
    assert "No differences besides timing." in same.export_text()


def test_message_diffs_show_tool_calls_and_results() -> None:
    old_call = ToolCall(tool_name="search", arguments={"q": "Rhodes"}, id="1")
    new_call = ToolCall(tool_name="search", arguments={"q": "Giza"}, id="1")
    change = diff_value(
        [ChatMessage.from_assistant("Looking.", tool_calls=[old_call]), ChatMessage.from_tool("x", old_call)],
        [
            ChatMessage.from_assistant("Looking.", tool_calls=[new_call]),
            ChatMessage.from_tool("x", old_call, error=True),
        ],
        label="replies",
    )
    assert isinstance(change, MessagesDiff)
    first, second = change.messages
    assert [line for line in first.text_diff if line[:1] in "+-" and line[:3] not in ("---", "+++")] == [
        '-tool call search({"q": "Rhodes"})',
        '+tool call search({"q": "Giza"})',
    ]
    assert "-tool result for search: x" in second.text_diff and "+tool error for search: x" in second.text_diff
