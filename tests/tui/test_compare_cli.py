"""`pipedebug compare`: totals, speedup, critical paths and timelines; queries from a file; each error's exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui.cli import main

HELPERS = "tests.tui.components"
EXAMPLES = ("Hello", "Bonjour", "Hola")


def waiting_yaml(tmp_path: Path, examples: tuple[str, ...] = EXAMPLES, scale: float = 0.01) -> Path:
    """The seed's five waiters (wait_n sleeps n * scale seconds) with one example input per message."""
    lines = ["metadata:", "  example_inputs:", *(f"  - user_msg: {message}" for message in examples), "components:"]
    for n in range(1, 6):
        lines += [
            f"  wait_{n}:",
            "    type: pipeline.components.testing.waiting.WaitingComponent",
            f"    init_parameters: {{name: wait_{n}, wait_time: {n * scale}}}",
        ]
    lines += [
        "connections:",
        "- sender: wait_1.message",
        "  receiver: wait_2.user_msg",
        "- sender: wait_3.message",
        "  receiver: wait_4.user_msg",
    ]
    path = tmp_path / "waiting.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def wall_ms(out: str, mode: str) -> float:
    match = re.search(rf"^ {mode}\s+([\d.]+)\s", out, re.MULTILINE)
    assert match, out
    return float(match.group(1))


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_compare_prints_both_totals_a_speedup_paths_and_timelines(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = waiting_yaml(tmp_path)

    assert main(["compare", str(path)]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert f"3 queries from {path} metadata.example_inputs" in out
    sequential, concurrent = wall_ms(out, "sequential"), wall_ms(out, "concurrent")
    speedup = re.search(r"^ speedup\s+([\d.]+)x", out, re.MULTILINE)
    assert speedup and float(speedup.group(1)) == pytest.approx(sequential / concurrent, abs=0.01)
    for mode in ("sequential", "concurrent"):
        assert re.search(rf"Critical path, {mode} \(slowest run: query \d, [\d.]+ ms\): wait_3 [\d.]+ ms → wait_4", out)
        assert f"{mode.capitalize()} timeline" in out
        for query in (1, 2, 3):
            assert f"  {mode} query {query}: done" in out
    lanes = [line for line in out.splitlines() if re.match(r"q[123] ", line)]
    assert len(lanes) == 6 and all(line.rstrip().endswith(" ms") for line in lanes)
    for name in ("wait_1", "wait_2", "wait_3", "wait_4", "wait_5"):
        assert re.search(rf"^ {name}\s+[\d.]+\s+\d+%\s+[\d.]+\s+\d+%\s+\d+%", out, re.MULTILINE)
    assert out.count("Component wait_4 is done!") == 6  # what components print stays whole, line by line
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("queries.json", json.dumps([{"user_msg": "one"}, {"user_msg": "two"}])),
        ("queries.yaml", "- user_msg: one\n- user_msg: two\n"),
    ],
)
def test_queries_from_a_json_or_yaml_file(tmp_path: Path, capsys: pytest.CaptureFixture, name: str, text: str) -> None:
    queries = write(tmp_path, name, text)

    assert main(["compare", str(waiting_yaml(tmp_path)), "--queries", str(queries), "--concurrency", "2"]) == 0

    out = capsys.readouterr().out
    assert f"2 queries from {queries}" in out and "(concurrency 2 per run)" in out
    assert "  concurrent query 2: done" in out and "  concurrent query 3" not in out


def test_a_failing_query_exits_1_after_the_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pipeline = write(tmp_path, "fail.yaml", f"components:\n  fail:\n    type: {HELPERS}.Fail\n")
    queries = write(tmp_path, "queries.json", '[{"value": 1}, {"value": 2}]')

    assert main(["compare", str(pipeline), "--queries", str(queries), "--allow-module", HELPERS]) == 1

    out, err = capsys.readouterr()
    assert "2 failed" in out and "Critical path, concurrent" in out
    assert "sequential query 2 failed: Component 'fail'" in err and "cannot handle 2" in err
    assert err.strip().splitlines()[-1] == "error: 4 of 4 runs did not finish"


# -- bad input: exit 2, nothing runs ----------------------------------------------------------------------------


def test_a_single_example_input_is_not_enough(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = waiting_yaml(tmp_path, examples=("Hello",))
    assert main(["compare", str(path)]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert f"{path} metadata.example_inputs" in line and "at least 2 queries, found 1" in line
    assert out == ""


def test_a_single_query_in_the_file_is_not_enough(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    queries = write(tmp_path, "queries.json", '[{"user_msg": "one"}]')
    assert main(["compare", str(waiting_yaml(tmp_path)), "--queries", str(queries)]) == 2
    assert f"{queries}: comparing needs at least 2 queries" in one_error_line(capsys.readouterr().err)


def test_no_example_inputs_asks_for_a_queries_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(
        tmp_path,
        "p.yaml",
        "components:\n  w:\n    type: pipeline.components.testing.waiting.WaitingComponent\n"
        "    init_parameters: {name: w}\n",
    )
    assert main(["compare", str(path)]) == 2
    assert "has no metadata.example_inputs: pass --queries FILE" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("queries.json", '[{"user_msg": "one"},', "invalid JSON"),
        ("queries.yaml", "- user_msg: [unclosed\n", "invalid YAML"),
        ("queries.yaml", "user_msg: one\n", "expected a list of input mappings, got dict"),
        ("queries.json", '[{"user_msg": "one"}, "two"]', "query 2 is a str, not a mapping of inputs"),
        ("queries.yaml", "", "expected a list of input mappings, got NoneType"),
    ],
)
def test_a_malformed_queries_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture, name: str, text: str, message: str
) -> None:
    queries = write(tmp_path, name, text)
    assert main(["compare", str(waiting_yaml(tmp_path)), "--queries", str(queries)]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert f"{queries}: " in line and message in line
    assert out == ""


def test_a_missing_queries_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nope.json"
    assert main(["compare", str(waiting_yaml(tmp_path)), "--queries", str(missing)]) == 2
    assert f"{missing}: cannot read the queries file" in one_error_line(capsys.readouterr().err)


def test_a_query_the_pipeline_does_not_accept(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    queries = write(tmp_path, "queries.json", '[{"user_msg": "one"}, {"nosuch": "two"}]')
    assert main(["compare", str(waiting_yaml(tmp_path)), "--queries", str(queries)]) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert f"{queries}: Query 2: " in line and "Unknown input 'nosuch'" in line
    assert "query 1: done" not in out  # nothing ran


def test_bad_concurrency_and_help(capsys: pytest.CaptureFixture) -> None:
    assert main(["compare", "--concurrency", "0"]) == 2
    assert "--concurrency: must be at least 1" in capsys.readouterr().err
    assert main(["compare", "--help"]) == 0
    assert "--queries FILE" in capsys.readouterr().out


def test_compare_records_every_run(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from pipeline.runs.recording import read_run

    runs = tmp_path / "runs"
    assert main(["compare", str(waiting_yaml(tmp_path)), "--runs-dir", str(runs)]) == 0
    assert f"Recorded 6 runs to {runs}" in capsys.readouterr().out
    recorded = [read_run(path) for path in sorted(runs.iterdir())]
    assert sorted(run.header.label or "" for run in recorded) == sorted(
        f"compare {mode} q{index}" for mode in ("sequential", "concurrent") for index in (1, 2, 3)
    )
    assert all(run.status == "finished" for run in recorded)
    assert main(["compare", str(waiting_yaml(tmp_path)), "--runs-dir", str(tmp_path / "none"), "--no-record"]) == 0
    assert not (tmp_path / "none").exists()
