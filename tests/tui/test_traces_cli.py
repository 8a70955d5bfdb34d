"""`pipedebug traces FILE`: OTLP files of runs that happened elsewhere, imported into the runs folder."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans

from pipeline.runs.export import to_otlp_json
from pipeline.runs.recording import read_run
from pipeline.runs.store import RunStore
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing, tracer
from tests.pipeline.runs.test_otlp_import import DATA, SERVICE, build_pipeline, events_of, failing, otel, spans_exporter
from tests.tui.test_cli import one_error_line, timing_rows
from tui.cli import main


def traced_file(path: Path) -> None:
    """A failing run and a finished one, traced with content through OpenTelemetry, in one protobuf file."""
    spans_exporter.clear()
    enable_tracing(OpenTelemetryTracer(otel))
    tracer.is_content_tracing_enabled = True
    try:
        asyncio.run(events_of(failing(), {"value": 1}))
        asyncio.run(events_of(build_pipeline(), DATA))
    finally:
        disable_tracing()
        tracer.is_content_tracing_enabled = False
    path.write_bytes(encode_spans(spans_exporter.get_finished_spans()).SerializeToString())


def test_headless_imports_every_run_of_a_protobuf_file_and_prints_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "traces.pb"
    traced_file(trace)
    runs = tmp_path / "runs"

    assert main(["traces", str(trace), "--headless", "--runs-dir", str(runs)]) == 0

    out = capsys.readouterr().out
    imported = re.findall(r"^Imported run (\w{8}) of trace (\w{32}) to (.+\.jsonl)$", out, flags=re.MULTILINE)
    assert len(imported) == 2
    assert sorted(Path(path) for _, _, path in imported) == RunStore(runs).files()
    assert out.count("Replaying ") == 2
    assert "The recorded run failed: " in out and "The recorded run finished." in out
    assert set(timing_rows(out[out.rindex("Replaying ") :])) == {"fetch", "search", "rank", "entry", "countdown"}
    headers = [read_run(path).header for _, _, path in imported]
    assert all(header.imported is not None and header.imported.content_traced for header in headers)
    assert {header.pipeline_name for header in headers} == {"demo", SERVICE}


def test_our_own_json_export_imports_as_the_run_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = asyncio.run(events_of(build_pipeline(), DATA))
    trace = tmp_path / "run.otlp.json"
    trace.write_text(json.dumps(to_otlp_json(events)))

    assert main(["traces", str(trace), "--headless", "--runs-dir", str(tmp_path / "runs")]) == 0

    out = capsys.readouterr().out
    assert f"Imported run {events[0].run_id[:8]} of trace " in out
    assert timing_rows(out)["rank"][:4] == ["1", "done", "async", "MainThread"]
    [path] = RunStore(tmp_path / "runs").files()
    assert read_run(path).run_id == events[0].run_id


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"resourceSpans": [', "not JSON"),
        (b"\x0a\xff\xff", "not an OTLP protobuf trace request"),
        (b'{"resourceSpans": []}', "no pipeline run in these traces"),
    ],
)
def test_bad_files_are_one_error_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    trace = tmp_path / "trace.otlp"
    trace.write_bytes(content)

    assert main(["traces", str(trace), "--headless", "--runs-dir", str(tmp_path / "runs")]) == 2

    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"error: {trace}: ") and reason in line
    assert not (tmp_path / "runs").exists()


def test_the_app_needs_a_terminal_and_nothing_is_saved_without_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "run.json"
    trace.write_text(json.dumps(to_otlp_json(asyncio.run(events_of(build_pipeline(), DATA)))))

    assert main(["traces", str(trace), "--runs-dir", str(tmp_path / "runs")]) == 2

    assert "needs a terminal; add --headless" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "runs").exists()


def test_an_imported_run_replays_but_a_fork_says_it_came_from_traces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trace = tmp_path / "traces.pb"
    traced_file(trace)
    runs = tmp_path / "runs"
    assert main(["traces", str(trace), "--headless", "--runs-dir", str(runs)]) == 0
    capsys.readouterr()
    latest = str(RunStore(runs).resolve("latest"))

    assert main(["fork", latest, "1", "--runs-dir", str(runs)]) != 0
    error = one_error_line(capsys.readouterr().err)
    assert "imported from traces of a pipeline that ran elsewhere" in error
    assert "haystack-ai" not in error
