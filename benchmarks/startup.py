"""How long `pipedebug` takes to start: the CLI's import, `--help`, and a headless run without embeddings.

Run from the repository root: `python -m benchmarks.startup [--quick] [--baseline DIR] [--json FILE]`. Each
case is a fresh Python process (`python -m tui.cli ...`, what the console script runs), timed from spawn to exit,
best and median of N. `run routing` runs `sample_pipelines/routing.yaml`, a pipeline of templates and routers
with no model, so its time is almost all start-up. `--baseline DIR` times the same cases in another checkout
(e.g. `git worktree add /tmp/before <commit>`), each start of it right before the same start here, so that a busy
machine slows both alike, and adds the ratio. A last table lists, for each case, which heavy modules the process
imported (torch, sentence_transformers, datasets, textual, and the OTLP receiver's protobuf): a headless command
should import none of them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES: dict[str, list[str]] = {
    "import tui.cli": [],
    "pipedebug --help": ["--help"],
    "pipedebug run --help": ["run", "--help"],
    "pipedebug runs (empty folder)": ["runs", "--runs-dir", "{tmp}"],
    "pipedebug run routing": ["run", str(ROOT / "sample_pipelines" / "routing.yaml")],
}
HEAVY = ("torch", "sentence_transformers", "datasets", "textual", "google.protobuf")
PROBE = """
import sys
args = sys.argv[1:]
if args:
    from tui.cli import main
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
else:
    import tui.cli
    code = 0
print("\\n" + " ".join(name for name in {heavy!r} if name in sys.modules), file=sys.stderr)
sys.exit(code)
"""


def run_once(args: list[str], tmp: Path, root: Path = ROOT) -> float:
    """Seconds from spawning `python -m tui.cli ARGS` (or `python -c 'import tui.cli'`) in `root` to its exit."""
    argv = [arg.format(tmp=tmp) for arg in args]
    command = [sys.executable, "-m", "tui.cli", *argv] if argv else [sys.executable, "-c", "import tui.cli"]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=root, capture_output=True, env=_env(root), check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {result.returncode}: {result.stderr.decode()[-2000:]}")
    return elapsed


def heavy_modules(args: list[str], tmp: Path, root: Path = ROOT) -> list[str]:
    """The heavy modules a process running the case in `root` has imported by the time it exits."""
    argv = [arg.format(tmp=tmp) for arg in args]
    code = PROBE.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=root, capture_output=True, text=True, env=_env(root), check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"probe of {argv} exited with {result.returncode}: {result.stderr[-2000:]}")
    return result.stderr.strip().splitlines()[-1].split() if result.stderr.strip() else []


def _env(root: Path = ROOT) -> dict[str, str]:
    """Offline, with `root`'s packages first (an editable install would otherwise import this checkout's)."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(root)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 starts per case instead of 15")
    parser.add_argument("--baseline", metavar="DIR", help="another checkout to time alongside, e.g. an older commit")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    options = parser.parse_args()
    repeats = 5 if options.quick else 15
    baseline = Path(options.baseline).resolve() if options.baseline else None
    tmp = ROOT / ".pipedebug" / "startup-bench-empty"
    tmp.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict[str, float]] = {}
    heavy: dict[str, list[list[str]]] = {}
    header = f"{'case':32} {'best ms':>8} {'median ms':>10}"
    if baseline:
        header += f" {'baseline best':>14} {'median':>7} {'best ratio':>11}"
    print(header)
    for name, args in CASES.items():
        roots = [ROOT] if baseline is None else [baseline, ROOT]
        times: dict[Path, list[float]] = {root: [] for root in roots}
        for root in roots:
            run_once(args, tmp, root)  # the first start writes the bytecode caches and fills the file cache
        for _ in range(repeats):
            for root in roots:
                times[root].append(run_once(args, tmp, root))
        best, median = min(times[ROOT]), statistics.median(times[ROOT])
        results[name] = {"best": best, "median": median}
        heavy[name] = [heavy_modules(args, tmp, root) for root in reversed(roots)]
        line = f"{name:32} {best * 1000:8.0f} {median * 1000:10.0f}"
        if baseline is not None:
            before, before_median = min(times[baseline]), statistics.median(times[baseline])
            results[name] |= {"baseline_best": before, "baseline_median": before_median}
            line += f" {before * 1000:14.0f} {before_median * 1000:7.0f} {best / before:11.2f}"
        print(line)
    print()
    print(f"{'case':32} heavy modules imported ({', '.join(HEAVY)}){'; in the baseline' if baseline else ''}")
    for name, per_root in heavy.items():
        print(f"{name:32} {'; '.join(' '.join(modules) or 'none' for modules in per_root)}")
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
