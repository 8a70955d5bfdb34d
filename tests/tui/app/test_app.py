"""The debugger app driven like a user would, with Pilot: load, run, break, step, edit, fail, stop, reload."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from textual.widgets import RichLog, TextArea

from pipeline.runs.recording import read_run
from tests.tui.app.conftest import TOY, failing_yaml, screen_text, wait_for, wait_loaded, waiting_yaml
from tui.app import PipedebugApp
from tui.screens.condition import ConditionScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.load_error import LoadErrorScreen
from tui.widgets.graph import GraphView
from tui.widgets.inspector import Inspector

WAITERS = ["wait_1", "wait_2", "wait_3", "wait_4", "wait_5"]
SIZE = (120, 40)


def statuses(app: PipedebugApp) -> dict[str, str]:
    return {name: state.status for name, state in app.debugger.query_one(GraphView).states.items()}


def log_lines(app: PipedebugApp) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in app.debugger.query_one(RichLog).lines]


async def test_runs_the_waiting_sample_to_the_end_and_records_it(small_waits: Path, runs_dir: Path) -> None:
    app = PipedebugApp(small_waits)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert "ready" in screen_text(app)

        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
        await wait_for(pilot, lambda: set(statuses(app).values()) == {"done"}, "every component to show done")
        await wait_for(pilot, lambda: "Logs (10 new)" in screen_text(app), "the tab counting the prints")
        await pilot.press("l")  # the timeline's tab is in front; the logs fill in once shown
        await wait_for(pilot, lambda: len(log_lines(app)) >= 10, "the prints of the five components")
        await wait_for(pilot, lambda: "Logs (" not in screen_text(app), "the count gone once seen")

        text = screen_text(app)
        assert "✓ finished in" in text
        assert all(f"Component {name} is done!" in "\n".join(log_lines(app)) for name in WAITERS)
        assert all(line.startswith("wait_") for line in log_lines(app))  # attributed to their component
        (recorded,) = runs_dir.glob("*.jsonl")
        assert app.debugger.record_path == recorded
        assert "saved to" in text
        assert read_run(recorded).status == "finished"


async def test_breakpoint_pauses_queues_in_flight_completions_then_steps_and_continues(tmp_path: Path) -> None:
    waits = {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 0.15, "wait_4": 0.02, "wait_5": 0.15}
    app = PipedebugApp(waiting_yaml(tmp_path, waits), record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        assert graph.selected == "wait_1"
        await pilot.press("b")
        assert "wait_1" in app.debugger.breakpoints

        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the breakpoint")
        assert session.pause_reason is not None and session.pause_reason.component == "wait_1"
        await wait_for(pilot, lambda: sorted(session.queued) == ["wait_3", "wait_5"], "the queued completions")
        await pilot.pause(0.1)
        assert not session.summary.spans_of("wait_2")  # paused: nothing new started
        assert statuses(app)["wait_1"] == "paused"
        assert graph.queued == {"wait_3", "wait_5"}
        text = screen_text(app)
        assert "paused at wait_1 (breakpoint)" in text
        assert "queued: wait_3, wait_5" in text
        assert "paused" in str(app.debugger.query_one("#inspector-title").render())

        await pilot.press("s")
        await wait_for(pilot, lambda: session.pause_reason is not None and session.pause_reason.kind == "step", "step")
        stepped_to = session.pause_reason.component
        assert stepped_to in ("wait_3", "wait_5")
        await wait_for(pilot, lambda: graph.selected == stepped_to, "the selection to follow the pause")

        await pilot.press("space")
        await wait_for(pilot, lambda: session.status == "finished", "the run to finish")
        assert len(session.summary.spans) == 5


async def test_edit_outputs_at_a_breakpoint_changes_what_downstream_receives(tmp_path: Path) -> None:
    app = PipedebugApp(waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 0.01)), record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        app.debugger.breakpoints.add("wait_1")
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the breakpoint")
        visit_id = session.editable_visit
        assert visit_id is not None

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the edit modal")
        app.screen.query_one(TextArea).text = '"edited at the breakpoint"'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, EditSocketsScreen), "the modal to close")

        record = session.visit(visit_id)
        assert record is not None and record.outputs == {"message": "edited at the breakpoint"}
        assert record.original_outputs == {"message": "Message from wait_1"}
        await pilot.press("f5")
        await wait_for(pilot, lambda: session.status == "finished", "the run to finish")
        (wait_2,) = session.summary.spans_of("wait_2")
        received = session.visit(wait_2.visit_id)
        assert received is not None and received.inputs == {"user_msg": "edited at the breakpoint"}


async def test_a_failing_component_turns_red_shows_its_traceback_and_the_run_can_be_saved(
    tmp_path: Path, runs_dir: Path
) -> None:
    app = PipedebugApp(failing_yaml(tmp_path), allowed_modules=[TOY], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "failed", "the run to fail")
        expected = {"add": "done", "fail": "failed", "slow": "done"}  # the run so far stays
        await wait_for(pilot, lambda: statuses(app) == expected, "the failed node, and what ran beside it")
        assert app.debugger.query_one(GraphView).selected == "fail"
        traceback = app.debugger.query_one("#traceback", TextArea).text
        assert "RuntimeError: boom on 2" in traceback
        assert "✗ failed" in screen_text(app)

        app.debugger.query_one(GraphView).select("add")
        await pilot.pause()
        assert "add" in str(app.debugger.query_one("#inspector-title").render())

        assert not list(runs_dir.glob("*.jsonl"))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: list(runs_dir.glob("*.jsonl")), "the saved run")
        (saved,) = runs_dir.glob("*.jsonl")
        assert read_run(saved).status == "failed"
        await wait_for(pilot, lambda: "saved to" in screen_text(app), "the path in the status bar")


async def test_stop_cancels_the_run_and_leaves_no_task_or_thread_behind(tmp_path: Path) -> None:
    app = PipedebugApp(waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 1.5)), record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: len(session.summary.running) == 3, "three components running")
        # Pilot's key presses wait for the app to go idle (up to a second): the waits are long enough for that.

        await pilot.press("x")
        await wait_for(pilot, lambda: session.status == "cancelled", "the run to stop")
        await app.debugger.controller.aclose()  # waits for the run's task to end
        assert not session.summary.spans_of("wait_2") and not session.summary.spans_of("wait_4")
        await wait_for(pilot, lambda: "⊘ stopped" in screen_text(app), "the status bar to say so")
        assert not [task for task in asyncio.all_tasks() if "pipeline" in _code_file(task)]
        await wait_for(pilot, lambda: not _engine_threads(), "the engine's worker threads to exit")

        await pilot.press("r")  # a stopped run leaves the app ready for the next one
        await wait_for(pilot, lambda: app.debugger.session is not session, "a new run")
        await app.debugger.controller.aclose()
        await wait_for(pilot, lambda: not _engine_threads(), "the second run's threads to exit")


async def test_loop_lag_stays_under_100_ms_while_sync_components_run(tmp_path: Path) -> None:
    """30 blocking components (10 chains of 3) run in threads; the event loop keeps answering meanwhile."""
    source = tmp_path / "blocking.py"
    source.write_text(
        "from pipeline import AsyncPipeline\n"
        f"from {TOY} import BlockingSleep\n\n\n"
        "def build_pipeline():\n"
        "    pipe = AsyncPipeline()\n"
        "    for chain in range(10):\n"
        "        for step in range(3):\n"
        "            pipe.add_component(f'c{chain}_{step}', BlockingSleep(0.05))\n"
        "            if step:\n"
        "                pipe.connect(f'c{chain}_{step - 1}.value', f'c{chain}_{step}.value')\n"
        "    pipe.metadata['example_inputs'] = [{'value': 1}]\n"
        "    return pipe\n"
    )
    app = PipedebugApp(source, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.pause(0.3)  # the first paint is done: measure the run, not the start-up
        lags: list[float] = []
        done = asyncio.Event()

        async def probe() -> None:
            loop = asyncio.get_running_loop()
            while not done.is_set():
                before = loop.time()
                await asyncio.sleep(0.01)
                lags.append(loop.time() - before - 0.01)

        prober = asyncio.create_task(probe())
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
        done.set()
        await prober
        assert len(app.debugger.session.summary.spans) == 30
        assert len(lags) > 20
        assert max(lags) < 0.1, f"the event loop stalled for {max(lags) * 1000:.0f} ms"


async def test_graph_selection_by_keys_and_mouse_and_scrolling_a_wide_graph(tmp_path: Path) -> None:
    source = tmp_path / "fan_out.py"
    source.write_text(
        "from pipeline import AsyncPipeline\n"
        f"from {TOY} import AddOne, Sum\n\n\n"
        "def build_pipeline():\n"
        "    pipe = AsyncPipeline()\n"
        "    pipe.add_component('source', AddOne())\n"
        "    pipe.add_component('sink', Sum())\n"
        "    for index in range(120):\n"
        "        pipe.add_component(f'branch_{index:03d}', AddOne())\n"
        "        pipe.connect('source.value', f'branch_{index:03d}.value')\n"
        "        pipe.connect(f'branch_{index:03d}.value', 'sink.values')\n"
        "    return pipe\n"
    )
    app = PipedebugApp(source, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        assert graph.graph is not None and len(graph.graph.boxes) == 122
        assert graph.selected == "source"

        await pilot.press("down")
        below = graph.selected
        assert below is not None and below.startswith("branch_")
        for _ in range(30):
            await pilot.press("right")
        await pilot.pause()
        assert graph.selected != below and graph.scroll_offset.x > 0  # scrolled to keep the selection in view
        assert graph.selected in screen_text(app)

        target = graph.graph.boxes["sink"]
        graph.scroll_to(x=max(0, target.x - 2), y=0, animate=False)
        await pilot.pause()
        x, y = target.x - int(graph.scroll_x) + 2, target.y - int(graph.scroll_y) + 1
        await pilot.click(GraphView, offset=(x + 1, y + 1))  # +1: the pane's border
        assert graph.selected == "sink"
        assert "sink" in str(app.debugger.query_one(Inspector).query_one("#inspector-title").render())


async def test_a_bad_pipeline_shows_file_line_and_reason_and_reloads_once_fixed(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f"components:\n  fail:\n    type: {TOY}.Fail\n")
    app = PipedebugApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoadErrorScreen), "the error screen")
        await pilot.pause()
        text = screen_text(app)
        assert f"{path}:3" in text.replace("\n", "")
        assert "not in an allowed module" in text

        waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 0.01), name="broken.yaml")
        await pilot.press("r")
        await wait_loaded(pilot)
        assert app.screen is app.debugger
        assert set(statuses(app)) == set(WAITERS)


async def test_a_python_file_that_raises_shows_its_line(tmp_path: Path) -> None:
    path = tmp_path / "raises.py"
    path.write_text("def build_pipeline():\n    raise ValueError('no pipeline today')\n")
    app = PipedebugApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoadErrorScreen), "the error screen")
        await pilot.pause()
        text = screen_text(app).replace("\n", "")
        assert f"{path}:2" in text
        assert "ValueError: no pipeline today" in text


async def test_command_palette_runs_the_screen_actions(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"breakpoint")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "wait_1" in app.debugger.breakpoints, "the breakpoint from the palette")

        first = app.debugger
        await pilot.press("ctrl+p", *"reload")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.debugger is not first and app.debugger.loaded is not None, "a reload")
        assert app.screen is app.debugger
        assert "wait_1" in app.debugger.breakpoints  # breakpoints survive a reload


def _code_file(task: asyncio.Task[object]) -> str:
    code = getattr(task.get_coro(), "cr_code", None)
    return code.co_filename if code is not None else ""


def _engine_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith("pipedebug-worker")]


async def test_conditional_breakpoint_in_a_loop_and_stepping_through_its_visits(tmp_path: Path) -> None:
    source = tmp_path / "loop.py"
    source.write_text(
        "from pipeline import AsyncPipeline\n"
        f"from {TOY} import CountDown, LoopEntry\n\n\n"
        "def build_pipeline():\n"
        "    pipe = AsyncPipeline()\n"
        "    pipe.add_component('entry', LoopEntry())\n"
        "    pipe.add_component('countdown', CountDown())\n"
        "    pipe.connect('entry.value', 'countdown.value')\n"
        "    pipe.connect('countdown.again', 'entry.value')\n"
        "    pipe.metadata['example_inputs'] = [{'entry': {'value': 3}}]\n"
        "    return pipe\n"
    )
    app = PipedebugApp(source, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        graph.select("countdown")
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConditionScreen), "the condition modal")
        await pilot.press(*"visit == 3", "enter")
        await wait_for(pilot, lambda: app.screen is app.debugger, "the modal to close")
        breakpoint_ = app.debugger.breakpoints.get("countdown")
        assert breakpoint_ is not None and breakpoint_.condition_text == "visit == 3"

        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the conditional breakpoint")
        assert session.pause_reason is not None and session.pause_reason.hit.visit == 3
        title = app.debugger.query_one("#inspector-title")
        await wait_for(pilot, lambda: "visit 3" in str(title.render()), "the inspector on visit 3")
        assert "paused" in str(title.render())
        await pilot.press("[")
        await wait_for(pilot, lambda: "visit 2" in str(title.render()), "the previous visit")
        assert app.debugger.query_one(Inspector).border_subtitle.startswith("visit 2 of 3")
        await pilot.press("]")
        await wait_for(pilot, lambda: "visit 3" in str(title.render()), "back to the latest visit")

        await pilot.press("f5")
        await wait_for(pilot, lambda: session.status == "finished", "the loop to end")
        await wait_for(pilot, lambda: graph.states["countdown"].visits == 4, "four visits on the graph")
        assert session.summary.outputs == {"countdown": {"done": 0}}


async def test_panes_resize_by_dragging_a_splitter_and_by_keys(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        left = app.debugger.query_one("#left")
        before = left.outer_size.width
        splitter = app.debugger.query_one("#column-splitter")
        target = (splitter.region.x - 20, 10)
        await pilot.mouse_down(splitter)
        await pilot.hover(app.debugger, offset=target)
        await pilot.mouse_up(app.debugger, offset=target)
        await pilot.pause()
        assert left.outer_size.width == before - 20

        await pilot.press("}", "}")
        await pilot.pause()
        assert left.outer_size.width == before - 12
        bottom = app.debugger.query_one("#bottom")
        rows = bottom.outer_size.height
        await pilot.press(")")
        await pilot.pause()
        assert bottom.outer_size.height == rows + 2
