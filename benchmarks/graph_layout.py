"""Graph pane benchmarks: how long `tui.layout.layout()` takes, and how long one screenful takes to render.

Graphs, each laid out downwards (the default) and rightwards:

- fan-out 1 -> 498 -> 1: 500 components, one layer 498 boxes wide (a canvas about 13,000 cells across);
- chain of 200: 200 layers (about 1,000 rows);
- random 500: 500 components, each fed by one to three earlier ones, with 10 edges pointing back (cycles):
  a stress case with long edges, merges, crossings and jogs, without a target.

For each: the layout time (best and median of N), and the time to render an 80x40 viewport (best and median
over viewports spread across the canvas, every component given a state: a third running, with spinners and
durations, so status lines are computed). Targets: layout under 1 s and render under 20 ms.

Run from the repository root:

    python -m benchmarks.graph_layout [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from itertools import pairwise

from rich.console import Console
from rich.table import Table

from tui.layout import GraphEdge, GraphLayout, GraphModel, GraphNode, NodeState, layout

LAYOUT_TARGET_S = 1.0
RENDER_TARGET_MS = 20.0
VIEWPORT = (80, 40)
FULL = {"layouts": 7, "renders": 100}
QUICK = {"layouts": 2, "renders": 40}


def graph(names: list[str], edges: list[tuple[str, str, str, str]]) -> GraphModel:
    nodes = tuple(GraphNode(name, "Component", "async" if i % 2 else "sync") for i, name in enumerate(names))
    return GraphModel(nodes, tuple(GraphEdge(*edge) for edge in edges))


def fan_out(width: int) -> GraphModel:
    workers = [f"worker_{i:03d}" for i in range(width)]
    edges = [("source", "value", w, "value") for w in workers] + [(w, "value", "sink", "values") for w in workers]
    return graph(["source", *workers, "sink"], edges)


def chain(length: int) -> GraphModel:
    names = [f"step_{i:03d}" for i in range(length)]
    return graph(names, [(a, "value", b, "value") for a, b in pairwise(names)])


def random_dag(size: int, back_edges: int, seed: int = 7) -> GraphModel:
    rng = random.Random(seed)
    names = [f"component_{i:03d}" for i in range(size)]
    edges = set()
    for i in range(1, size):
        # mostly recent senders, sometimes far ones: long edges through many layers
        for j in {max(0, i - rng.choice([1, 1, 2, 3, 5, 40])) for _ in range(rng.choice([1, 1, 2, 3]))}:
            edges.add((names[j], f"out{rng.randrange(2)}", names[i], f"in{rng.randrange(3)}"))
    for _ in range(back_edges):
        i, j = sorted(rng.sample(range(size), 2))
        edges.add((names[j], "again", names[i], "in0"))
    return graph(names, sorted(edges))


def states_for(model: GraphModel) -> dict[str, NodeState]:
    statuses = ("running", "done", "waiting")
    return {
        node.name: NodeState(statuses[i % 3], visits=1 + i % 2, duration=0.001 * i, spinner_frame=i)
        for i, node in enumerate(model.nodes)
    }


def best_and_median(run: Callable[[], object], times: int) -> tuple[float, float]:
    samples = []
    for _ in range(times):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            run()
            samples.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(samples), statistics.median(samples)


def viewports(lay: GraphLayout, count: int) -> list[tuple[int, int, int, int]]:
    """Windows spread evenly over the canvas, from its top-left corner to its bottom-right one."""
    w, h = VIEWPORT
    return [
        (max(0, lay.width - w) * i // max(1, count - 1), max(0, lay.height - h) * i // max(1, count - 1), w, h)
        for i in range(count)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # redirected to a file: do not wrap the table at 80 columns
    table = Table(title=f"graph layout and render ({'quick' if args.quick else 'full'})", title_justify="left")
    for column in ("graph", "direction", "canvas", "layout best", "layout median", "render best", "render median"):
        table.add_column(column, justify="left" if column in ("graph", "direction") else "right")
    table.add_column("target")
    missed = False
    cases = [
        ("fan-out 1->498->1", fan_out(498), True),
        ("chain 200", chain(200), True),
        ("random 500", random_dag(500, back_edges=10), False),
    ]
    for name, model, has_target in cases:
        for direction in ("down", "right"):
            layout_best, layout_median = best_and_median(
                lambda m=model, d=direction: layout(m, direction=d), settings["layouts"]
            )
            lay = layout(model, direction=direction)
            states, selected = states_for(model), model.nodes[0].name
            windows = iter(viewports(lay, settings["renders"]))
            render_best, render_median = best_and_median(
                lambda lay=lay, s=states, n=selected, w=windows: lay.render(s, n, next(w)), settings["renders"]
            )
            verdict = "none"
            if has_target:
                ok = layout_best < LAYOUT_TARGET_S and render_median * 1000 < RENDER_TARGET_MS
                missed |= not ok
                verdict = "[green]met[/green]" if ok else "[red]missed[/red]"
            table.add_row(
                name,
                direction,
                f"{lay.width}x{lay.height}",
                f"{layout_best * 1000:.0f} ms",
                f"{layout_median * 1000:.0f} ms",
                f"{render_best * 1000:.2f} ms",
                f"{render_median * 1000:.2f} ms",
                verdict,
            )
    console.print(table)
    console.print(
        f"Targets: layout < {LAYOUT_TARGET_S:.0f} s (best), render of an {VIEWPORT[0]}x{VIEWPORT[1]} viewport "
        f"< {RENDER_TARGET_MS:.0f} ms (median)."
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
