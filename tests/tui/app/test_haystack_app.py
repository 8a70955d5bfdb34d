"""The debugger on haystack-ai pipelines (tests/tui/haystack): live graph, a conditional breakpoint on a Haystack
Document's attributes, stepping, editing Haystack outputs at a pause, recording, then replaying, forking, diffing
and exporting the recording; a Haystack loop; and a replay where haystack-ai cannot be imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from haystack.dataclasses import Document, GeneratedAnswer
from textual.widgets import Collapsible, DataTable, TextArea

from pipeline.core.events import ComponentFinished, ComponentStarted
from pipeline.runs import haystack_values, rebuild
from pipeline.runs.haystack_values import NOT_INSTALLED
from pipeline.runs.recording import read_run
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.screens.condition import ConditionScreen
from tui.screens.debugger import DebuggerScreen
from tui.screens.diff import DiffScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.export import ExportScreen
from tui.widgets.graph import GraphView
from tui.widgets.inspector import AnswersView, Inspector

HERE = Path(__file__).parents[1] / "haystack"
RAG, LOOP = HERE / "rag.py", HERE / "loop.py"
ALLOWED = ["tests.tui.haystack"]
SIZE = (140, 44)
QUERY = "Where were the gardens of Babylon?"


TYPES = {
    "bm25": "InMemoryBM25Retriever",
    "keywords": "KeywordRetriever",
    "joiner": "DocumentJoiner",
    "prompt": "PromptBuilder",
    "llm": "EchoGenerator",
    "answer": "AnswerBuilder",
}


def rows(inspector: Inspector) -> int:
    """Rows of the outputs' documents table, once the inspector shows one."""
    tables = inspector.query("#outputs DataTable").results(DataTable)
    return next((table.row_count for table in tables), -1)


def types(graph: GraphView) -> dict[str, str]:
    assert graph.graph is not None
    return {node.name: node.type_name for node in graph.graph.model.nodes}


async def record_rag(runs_dir: Path) -> Path:
    """A run of the Haystack RAG, recorded by the app with a breakpoint edit in it."""
    app = PipedebugApp(RAG, runs_dir=str(runs_dir))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "finished", "the run")
        await wait_for(pilot, lambda: app.debugger.record_path is not None, "the recording")
        path = app.debugger.record_path
    assert path is not None
    return path


async def test_live_run_conditional_breakpoint_on_a_document_step_and_edit_outputs(runs_dir: Path) -> None:
    app = PipedebugApp(RAG, runs_dir=str(runs_dir))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        assert types(graph) == TYPES
        assert "prompt" in screen_text(app) and "waiting async" in screen_text(app)  # bm25 and llm run_async
        graph.select("joiner")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConditionScreen), "the condition modal")
        await pilot.press(*'documents[0].meta["source"] == "bm25" and documents[0].score > 4', "enter")
        await wait_for(pilot, lambda: app.screen is app.debugger, "the modal to close")

        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the conditional breakpoint")
        assert session.pause_reason is not None and session.pause_reason.component == "joiner"
        inspector = app.debugger.query_one(Inspector)
        await wait_for(pilot, lambda: rows(inspector) == 3, "the joined documents in the inspector")
        table = inspector.query_one("#outputs DataTable", DataTable)
        assert str(table.get_row_at(0)[3]) == "The Hanging Gardens of Babylon were ter…"

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the edit modal")
        editor = app.screen.query_one(TextArea)
        documents = json.loads(editor.text)
        assert documents[0]["meta"] == {"source": "bm25"}
        editor.text = json.dumps(documents[:1])
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is app.debugger, "the modal to close")

        await pilot.press("s")
        await wait_for(pilot, lambda: session.pause_reason is not None and session.pause_reason.kind == "step", "step")
        assert session.pause_reason.component == "prompt"
        await pilot.press("f5")
        await wait_for(pilot, lambda: session.status == "finished", "the run to finish")
        assert {name: graph.states[name].status for name in graph.states} == dict.fromkeys(graph.states, "done")
        (prompt,) = session.summary.spans_of("prompt")
        received = session.visit(prompt.visit_id)
        assert received is not None and [type(d) for d in received.inputs["documents"]] == [Document]
        [answer] = session.summary.outputs["answer"]["answers"]
        assert type(answer) is GeneratedAnswer and answer.data == f"1 passages for {QUERY}"
        graph.select("answer")
        await wait_for(pilot, lambda: bool(inspector.query(AnswersView)), "the answer in the inspector")
        await wait_for(pilot, lambda: app.debugger.record_path is not None, "the recording")
        path = app.debugger.record_path
    assert path is not None
    recorded = read_run(path)
    assert "haystack.components.builders.prompt_builder.PromptBuilder" in (recorded.header.pipeline or "")
    edited = [e for e in recorded.events if type(e).__name__ == "OutputsReplaced"]
    assert [type(d) for d in edited[0].outputs["documents"]] == [Document]


async def test_replay_fork_diff_and_export_a_haystack_run(runs_dir: Path) -> None:
    parent = await record_rag(runs_dir)
    app = PipedebugApp(replay=parent, speed=None, allowed_modules=ALLOWED, runs_dir=str(runs_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.debugger
        await wait_for(pilot, lambda: screen.session is not None and screen.status == "finished", "the replay")
        assert "REPLAY" in screen_text(app) and types(screen.query_one(GraphView)) == TYPES
        screen.query_one(GraphView).select("joiner")
        await wait_for(pilot, lambda: rows(screen.query_one(Inspector)) == 3, "the recorded documents")

        screen.query_one(GraphView).select("prompt")
        await wait_for(pilot, lambda: screen.check_action("fork", ()) is True, "a visit to fork from")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the inputs editor")
        editors = {e.socket: e for e in app.screen.query("SocketEditor").results()}  # type: ignore[attr-defined]
        editors["query"].query_one(TextArea).text = json.dumps("Which wonder is the oldest?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen) and app.screen is not screen, "fork")
        fork = app.screen
        assert isinstance(fork, DebuggerScreen)
        await wait_for(pilot, lambda: fork.status == "finished", "the fork to finish", timeout=20)
        assert fork.session is not None
        finished = {e.component: e for e in fork.session.events if isinstance(e, ComponentFinished)}
        assert finished["joiner"].reused and not finished["prompt"].reused
        assert finished["answer"].outputs["answers"][0].data == "3 passages for Which wonder is the oldest?"

        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff with the parent")
        diff_screen = app.screen
        assert isinstance(diff_screen, DiffScreen)
        await wait_for(pilot, lambda: diff_screen.loaded is not None, "the diff")
        assert "prompt" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is fork, "back to the fork")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is fork, "the dialog to close")
    assert fork.record_path is not None
    trace = json.loads((runs_dir / f"{fork.record_path.stem}.trace.json").read_text())
    assert {"bm25", "joiner", "prompt", "llm", "answer"} <= {event.get("name") for event in trace["traceEvents"]}


async def test_a_haystack_loop_with_a_conditional_breakpoint_on_its_visit() -> None:
    app = PipedebugApp(LOOP, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        graph.select("router")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConditionScreen), "the condition modal")
        await pilot.press(*'visit == 2 and "again" in outputs', "enter")
        await wait_for(pilot, lambda: app.screen is app.debugger, "the modal to close")
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the conditional breakpoint")
        assert session.pause_reason is not None and session.pause_reason.hit.visit == 2
        await pilot.press("f5")
        await wait_for(pilot, lambda: session.status == "finished", "the loop to end")
        await wait_for(pilot, lambda: graph.states["router"].visits == 3, "three visits of the router")
        assert graph.states["router"].produced == {"done"}
        assert session.summary.outputs == {"router": {"done": "draft more more more"}}


async def test_a_replay_without_haystack_is_drawn_from_placeholders_with_a_note(
    runs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = await record_rag(runs_dir)
    monkeypatch.setattr(rebuild, "haystack_installed", lambda: False)
    monkeypatch.setattr(haystack_values, "_haystack_dataclasses", lambda: None)
    app = PipedebugApp(replay=parent, speed=None, runs_dir=str(runs_dir))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.debugger
        await wait_for(pilot, lambda: screen.session is not None and screen.status == "finished", "the replay")
        graph = screen.query_one(GraphView)
        assert graph.border_subtitle.startswith("Replay only, drawn from the recorded definition: haystack-ai is not")
        assert types(graph) == TYPES
        graph.select("joiner")
        await wait_for(pilot, lambda: rows(screen.query_one(Inspector)) == 3, "the recorded documents, as data")
        titles = [str(c.title) for c in screen.query_one(Inspector).query("#outputs Collapsible").results(Collapsible)]
        assert titles == [f"documents  3 documents  {NOT_INSTALLED}"]
        graph.select("prompt")
        await wait_for(pilot, lambda: screen.check_action("fork", ()) is True, "a visit to fork from")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the inputs editor")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "back on the replay")
        await pilot.pause(0.1)
        started = [e for e in screen.session.events if isinstance(e, ComponentStarted)] if screen.session else []
        assert len(started) == 6  # nothing ran: the fork was refused
        notes = [n.message for n in app._notifications]
        assert any("cannot run here: haystack-ai is not installed" in message for message in notes)
