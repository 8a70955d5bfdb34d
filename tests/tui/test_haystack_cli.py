"""The headless commands on haystack-ai pipelines: `pipedebug run FILE.py` / `FILE.yaml` bridged, recorded with
Haystack's YAML and dataclasses, then replayed, forked and exported; and without haystack-ai, a one-line error
for a Haystack pipeline while its recordings still replay and export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from haystack.dataclasses import Document, GeneratedAnswer

from pipeline import AsyncPipeline, Pipeline
from pipeline.bridges.haystack import HaystackComponent, from_haystack
from pipeline.core.events import ComponentFinished, ComponentStarted
from pipeline.runs.compare import compare_execution
from pipeline.runs.recording import read_run
from pipeline.runs.store import RunStore
from tests.tui.haystack import loop, rag
from tui.cli import main
from tui.options import load_pipeline

HERE = Path(__file__).parent / "haystack"
RAG, LOOP = HERE / "rag.py", HERE / "loop.py"
ROOT = Path(__file__).resolve().parents[2]
ALLOW = ["--allow-module", "tests.tui.haystack"]
REPLY = "3 passages for Where were the gardens of Babylon?"


def latest(runs_dir: Path) -> Path:
    return RunStore(runs_dir).resolve("latest")


def finished(path: Path) -> dict[str, ComponentFinished]:
    return {e.component: e for e in read_run(path).events if isinstance(e, ComponentFinished)}


def test_loading_a_python_file_bridges_its_haystack_pipeline() -> None:
    pipe, path = load_pipeline(str(RAG))
    assert path == RAG and type(pipe) is AsyncPipeline
    joiner = pipe.get_component("joiner")
    assert isinstance(joiner, HaystackComponent) and type(joiner).__name__ == "DocumentJoiner"
    assert pipe.metadata == {"example_inputs": [{"query": "Where were the gardens of Babylon?"}]}
    sync, _ = load_pipeline(str(LOOP))
    assert type(sync) is Pipeline  # a Haystack 2.x sync Pipeline runs as ours


def test_run_a_haystack_python_file_and_record_it(capsys: pytest.CaptureFixture[str], runs_dir: Path) -> None:
    assert main(["run", str(RAG), "--record"]) == 0
    out = capsys.readouterr().out
    assert "from metadata.example_inputs" in out and REPLY in out
    recorded = read_run(latest(runs_dir))
    assert recorded.problems == [] and recorded.status == "finished"
    assert "type: haystack.components.joiners.document_joiner.DocumentJoiner" in (recorded.header.pipeline or "")
    outputs = finished(recorded.path)
    documents = outputs["joiner"].outputs["documents"]
    assert all(type(document) is Document for document in documents)  # read back as Haystack's own
    assert (
        documents
        == rag.build_pipeline().run({"query": "Where were the gardens of Babylon?"}, {"joiner"})["joiner"]["documents"]
    )
    [answer] = outputs["answer"].outputs["answers"]
    assert type(answer) is GeneratedAnswer and answer.data == REPLY


def test_run_the_loop_of_a_sync_haystack_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(LOOP)]) == 0
    out = capsys.readouterr().out
    assert "'draft more more more'" in out
    assert loop.build_pipeline().run({"joiner": {"value": "draft"}}) == {"router": {"done": "draft more more more"}}


def test_a_haystack_yaml_loads_under_the_allow_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], runs_dir: Path
) -> None:
    definition = tmp_path / "rag.yaml"
    definition.write_text(rag.build_pipeline().dumps())
    assert main(["run", str(definition)]) != 0
    error = capsys.readouterr().err
    assert "tests.tui.haystack.components.KeywordRetriever" in error and "--allow-module" in error
    assert main(["run", str(definition), "--record", *ALLOW, "-i", "query=Which wonder is the oldest?"]) == 0
    assert "3 passages for Which wonder is the oldest?" in capsys.readouterr().out


def test_replay_fork_diff_and_export_a_bridged_run(capsys: pytest.CaptureFixture[str], runs_dir: Path) -> None:
    assert main(["run", str(RAG), "--record"]) == 0
    parent = latest(runs_dir)
    assert main(["replay", str(parent), "--headless", "--fast"]) == 0
    assert REPLY in capsys.readouterr().out
    visit = next(
        e.visit_id for e in read_run(parent).events if isinstance(e, ComponentStarted) and e.component == "prompt"
    )
    assert main(["fork", str(parent), str(visit), "-i", "query=Which wonder is the oldest?", *ALLOW]) == 0
    capsys.readouterr()
    fork = latest(runs_dir)
    assert fork != parent and read_run(fork).header.parent is not None
    forked = finished(fork)
    assert forked["joiner"].reused and not forked["prompt"].reused
    assert forked["answer"].outputs["answers"][0].data.endswith("for Which wonder is the oldest?")
    assert main(["diff", str(parent), str(fork)]) == 1  # the runs differ
    diff = capsys.readouterr().out
    assert "-Where were the gardens of Babylon?" in diff and "+Which wonder is the oldest?" in diff
    assert main(["export", str(parent), "--format", "mermaid", *ALLOW]) == 0
    mermaid = capsys.readouterr().out
    assert '["joiner<br/><i>DocumentJoiner</i><br/>' in mermaid and "documents → documents" in mermaid


def run_without_haystack(code: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter where `import haystack` fails, as on a core install."""
    script = "import sys\nsys.modules['haystack'] = None\n" + textwrap.dedent(code)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120
    )


def test_without_haystack_a_haystack_pipeline_is_refused_in_one_line(tmp_path: Path) -> None:
    definition = tmp_path / "rag.yaml"
    definition.write_text(rag.build_pipeline().dumps())
    result = run_without_haystack(
        f"""
        from tui.cli import main
        print(main(["run", {str(RAG)!r}]), main(["run", {str(definition)!r}, "--allow-module", "tests"]))
        """
    )
    assert result.stdout.split() == ["2", "2"], result.stderr
    python_error, yaml_error = result.stderr.strip().splitlines()
    line = RAG.read_text().splitlines().index("from haystack import AsyncPipeline, Document") + 1
    assert python_error == (
        f"error: {RAG}:{line}: it imports haystack, and haystack-ai is not installed: pip install 'pipedebug[haystack]'"
    )
    assert yaml_error.startswith(f"error: {definition}:1: this is a haystack-ai pipeline, and haystack-ai is not")
    assert yaml_error.endswith("install it with pip install 'pipedebug[haystack]'")


def test_without_haystack_a_bridged_recording_replays_exports_and_refuses_to_fork(runs_dir: Path) -> None:
    assert main(["run", str(RAG), "--record"]) == 0
    path = latest(runs_dir)
    result = run_without_haystack(
        f"""
        import json
        from tui.cli import main
        from pipeline.runs.recording import read_run
        from pipeline.runs.haystack_values import ForeignValue
        recorded = read_run({str(path)!r})
        documents = [e for e in recorded.events if getattr(e, "component", "") == "joiner"][-1].outputs["documents"]
        print(json.dumps([type(d).__name__ for d in documents]))
        codes = [
            main(["replay", {str(path)!r}, "--headless", "--fast"]),
            main(["export", {str(path)!r}, "--format", "mermaid"]),
            main(["fork", {str(path)!r}, "3", "--allow-module", "tests"]),
        ]
        print(json.dumps(codes))
        """
    )
    lines = result.stdout.strip().splitlines()
    assert json.loads(lines[0]) == ["ForeignValue"] * 3, result.stderr
    assert json.loads(lines[-1]) == [0, 0, 2], result.stderr
    assert REPLY in " ".join(result.stdout.split())  # the outputs, read as data
    assert '["joiner<br/><i>DocumentJoiner</i><br/>' in result.stdout  # the graph drawn from placeholders
    assert result.stderr.strip() == (
        f"error: {path}: the run was recorded from a haystack-ai pipeline, and haystack-ai is not installed: "
        "pip install 'pipedebug[haystack]'"
    )


async def test_compare_runs_a_bridged_pipeline_sequentially_then_concurrently() -> None:
    pipe = from_haystack(rag.build_pipeline())
    queries = [{"query": "Where were the gardens of Babylon?"}, {"query": "Who built the lighthouse?"}]
    comparison = await compare_execution(pipe, queries)
    for mode in comparison.modes:
        assert [run.status for run in mode.runs] == ["finished", "finished"]
        assert {span.component for span in mode.spans} == set(pipe.graph.nodes)
    sequential_first, concurrent_first = (mode.runs[0].summary.outputs for mode in comparison.modes)
    assert sequential_first == concurrent_first  # the same answers whichever way the queries ran
    [answer] = sequential_first["answer"]["answers"]
    assert type(answer) is GeneratedAnswer and answer.data == REPLY
