"""API keys (in the environment, or given to a component as a `Secret`) never reach a recording, an export, the
logs or a screenshot, even when a component leaks them into its outputs, prints, log records and errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from textual.widgets import RichLog

from pipeline import AsyncPipeline
from pipeline.runs.export import export_text
from pipeline.runs.recording import read_run
from pipeline.utils import Secret
from tests.reliability.components import LeakKey, Source
from tests.reliability.conftest import HOSTILE_MODULE, pipedebug, pipeline_yaml
from tests.tui.app.conftest import wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.widgets.graph import GraphView

API_KEY = "sk-test-9f8e7d6c5b4a39281706"
OPENAI_KEY = "sk-proj-0a1b2c3d4e5f60718293"
TOKEN = "tok-abcdefghijklmnop-1234"
SECRETS = (API_KEY, OPENAI_KEY, TOKEN)


def leaking_pipeline(directory: Path, *, fail: bool = False) -> Path:
    return pipeline_yaml(
        directory,
        {"src": "Source", "leak": "LeakKey", "leak_env": "LeakEnv"},
        [("src.value", "leak.value"), ("src.value", "leak_env.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
        leak={"fail": fail},
    )


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPEDEBUG_TEST_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


@pytest.mark.parametrize("fail", [False, True], ids=["outputs", "error"])
def test_the_cli_recording_and_every_export_of_it_hold_no_key(tmp_path: Path, runs_dir: Path, fail: bool) -> None:
    env = {"PIPEDEBUG_TEST_API_KEY": API_KEY, "OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": "http://127.0.0.1:9"}
    result = pipedebug(
        "run", str(leaking_pipeline(tmp_path, fail=fail)), "--allow-module", HOSTILE_MODULE, "--record", env=env
    )
    assert result.returncode == (1 if fail else 0), result.stderr
    assert "using key <redacted:PIPEDEBUG_TEST_API_KEY>" in result.stdout
    assert not leaked(result.stdout + result.stderr)
    (recording,) = runs_dir.glob("*.jsonl")
    text = recording.read_text()
    assert not leaked(text)
    assert "<redacted:PIPEDEBUG_TEST_API_KEY>" in text and "<redacted:OPENAI_API_KEY>" in text
    for fmt in ("chrome", "otlp", "mermaid"):
        out = tmp_path / f"export.{fmt}"
        exported = pipedebug(
            "export", "latest", "--format", fmt, "-o", str(out), "--allow-module", HOSTILE_MODULE, env=env
        )
        assert exported.returncode == 0, exported.stderr
        assert not leaked(out.read_text()), fmt


async def test_exports_of_a_live_run_hold_no_key(keys: None) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("src", Source())
    pipe.add_component("leak", LeakKey(fail=True))
    pipe.connect("src.value", "leak.value")
    async with pipe.events({"src": {"value": 1}}) as run:
        events = [event async for event in run]
    for fmt in ("chrome", "otlp", "mermaid"):
        assert not leaked(export_text(events, fmt, "leaky", pipeline=pipe)), fmt


async def test_a_token_secret_given_as_init_parameter_stays_out_of_the_recording(runs_dir: Path) -> None:
    from pipeline.runs.store import RunStore

    pipe = AsyncPipeline()
    pipe.add_component("src", Source())
    pipe.add_component("leak", LeakKey(api_key=Secret.from_token(TOKEN)))
    pipe.connect("src.value", "leak.value")
    recorder = RunStore().record(pipe.events({"src": {"value": 1}}), pipeline_name="token", pipeline=pipe)
    async with recorder:
        outputs = [event async for event in recorder]
    assert outputs
    text = recorder.path.read_text()
    assert not leaked(text)
    assert read_run(recorder.path).status == "finished"


async def test_the_debugger_screen_logs_and_screenshot_hold_no_key(tmp_path: Path, keys: None, runs_dir: Path) -> None:
    logging.getLogger(HOSTILE_MODULE).setLevel(logging.INFO)
    app = PipedebugApp(leaking_pipeline(tmp_path, fail=True), allowed_modules=[HOSTILE_MODULE])
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status in ("failed", "finished"), "the run to end")
        shots = []
        for name in ("leak", "leak_env"):
            app.debugger.query_one(GraphView).select(name)
            await pilot.pause(0.2)
            shots.append(app.export_screenshot())
        await pilot.press("l")
        await wait_for(pilot, lambda: app.debugger.query_one(RichLog).lines, "the logs")
        await pilot.pause(0.2)
        shots.append(app.export_screenshot())
        logs = "\n".join("".join(s.text for s in strip) for strip in app.debugger.query_one(RichLog).lines)
        assert "using key" in logs
        assert not leaked(logs), logs
        for shot in shots:
            assert not leaked(shot)
    (recording,) = runs_dir.glob("*.jsonl")
    assert not leaked(recording.read_text())
