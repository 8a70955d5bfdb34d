"""The graph pane's layout: layers, boxes, routed edges, labels, navigation and windowed rendering, headless."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import AsyncPipeline
from tests.pipeline.toy_components import AddOne, CountDown, LoopEntry, Router, Sum
from tui.layout import Cell, GraphEdge, GraphLayout, GraphModel, GraphNode, NodeState, layout, status_line
from tui.layout.dag import BLANK, route_text

SAMPLES = Path(__file__).parents[3] / "sample_pipelines"

LINES = {
    "│": "NS",
    "─": "EW",
    "┌": "SE",
    "┐": "SW",
    "└": "NE",
    "┘": "NW",
    "├": "NSE",
    "┤": "NSW",
    "┬": "SEW",
    "┴": "NEW",
    "┼": "NSEW",
}
STEPS = {"N": (0, -1), "S": (0, 1), "E": (1, 0), "W": (-1, 0)}
OPPOSITE = {"N": "S", "S": "N", "E": "W", "W": "E"}
ARROWS = {"▼": "S", "▲": "N", "▶": "E", "◀": "W"}
"""Arrow -> the way a line travels to enter the box through it."""


def plain(rows: list[list[Cell]]) -> list[str]:
    return ["".join(cell.char for cell in row).rstrip() for row in rows]


def grid_of(lay: GraphLayout) -> list[str]:
    return ["".join(cell.char for cell in row) for row in lay.render()]


def reached_from(lay: GraphLayout, sender: str, grid: list[str] | None = None) -> set[str]:
    """Boxes whose arrows a walk along the drawn lines reaches, starting from the sender's port marks.

    Only line characters outside boxes are walked, each step leaving and entering by connected sides.
    """
    grid = grid or grid_of(lay)
    box = lay.boxes[sender]
    todo = []
    for x in range(box.x, box.x + box.w):
        for y in range(box.y, box.y + box.h):
            outward = {box.y: "N", box.y + box.h - 1: "S"}.get(y) or {box.x: "W", box.x + box.w - 1: "E"}.get(x)
            if outward is not None and outward in LINES.get(grid[y][x], ""):  # a tee on the border: a port
                todo.append((x + STEPS[outward][0], y + STEPS[outward][1], outward))
    reached: set[str] = set()
    seen: set[tuple[int, int]] = set()
    while todo:
        x, y, moving = todo.pop()
        if not (0 <= y < len(grid) and 0 <= x < len(grid[y])):
            continue
        char = grid[y][x]
        inside = lay.node_at(x, y)
        if inside is not None:
            if ARROWS.get(char) == moving:
                reached.add(inside)
            continue
        if char not in LINES or OPPOSITE[moving] not in LINES[char] or (x, y) in seen:
            continue
        seen.add((x, y))
        todo.extend((x + STEPS[d][0], y + STEPS[d][1], d) for d in LINES[char] if d != OPPOSITE[moving])
    return reached


def assert_well_formed(lay: GraphLayout) -> None:
    """Boxes inside the canvas, none overlapping, and every edge drawn from its sender to its receiver."""
    boxes = sorted(lay.boxes.values(), key=lambda b: (b.y, b.x))
    for box in boxes:
        assert 0 <= box.x <= box.x + box.w <= lay.width and 0 <= box.y <= box.y + box.h <= lay.height
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, (a, b)
    receivers: dict[str, set[str]] = {}
    for edge in lay.model.edges:
        receivers.setdefault(edge.sender, set()).add(edge.receiver)
    grid = grid_of(lay)
    for sender, expected in receivers.items():
        assert expected <= reached_from(lay, sender, grid), sender


def model(nodes: list[str], edges: list[tuple[str, str, str, str]]) -> GraphModel:
    return GraphModel(tuple(GraphNode(n, "T", "sync") for n in nodes), tuple(GraphEdge(*e) for e in edges))


def fan_out(width: int) -> GraphModel:
    workers = [f"worker_{i:03d}" for i in range(width)]
    edges = [("source", "value", w, "value") for w in workers] + [(w, "value", "sink", "values") for w in workers]
    return model(["source", *workers, "sink"], edges)


def random_graph(seed: int, size: int = 40, back_edges: int = 3) -> GraphModel:
    """A DAG with skips and shared sockets, plus a few edges pointing backwards (cycles) and a self-loop."""
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(size)]
    edges = set()
    for i in range(1, size):
        for j in rng.sample(range(i), k=min(i, rng.choice([1, 1, 2, 3]))):
            edges.add((names[j], f"out{rng.randrange(2)}", names[i], f"in{rng.randrange(2)}"))
    for _ in range(back_edges):
        i, j = sorted(rng.sample(range(size), 2))
        edges.add((names[j], "again", names[i], "in0"))
    edges.add((names[size // 2], "self", names[size // 2], "in1"))
    return model(names, sorted(edges))


@pytest.fixture(scope="module")
def waiting() -> GraphModel:
    return GraphModel.from_pipeline(AsyncPipeline.load(SAMPLES / "waiting.yaml"))


@pytest.fixture(scope="module")
def hybrid() -> GraphModel:
    return GraphModel.from_pipeline(AsyncPipeline.load(SAMPLES / "hybrid_rag" / "query.yaml"))


@pytest.fixture(scope="module")
def loop() -> GraphModel:
    pipe = AsyncPipeline()
    pipe.add_component("source", AddOne())
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.add_component("after", AddOne())
    pipe.connect("source.value", "entry.value")
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    pipe.connect("countdown.done", "after.value")
    return GraphModel.from_pipeline(pipe)


def test_the_layout_module_does_not_import_textual() -> None:
    code = "import sys, tui.layout; assert 'textual' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[3])


def test_model_copies_names_types_modes_and_connections(waiting: GraphModel, hybrid: GraphModel) -> None:
    assert [n.name for n in waiting.nodes] == ["wait_1", "wait_2", "wait_3", "wait_4", "wait_5"]
    assert {n.type_name for n in waiting.nodes} == {"WaitingComponent"}
    assert {n.mode for n in waiting.nodes} == {"sync"}
    assert GraphEdge("text_embedder", "embedding", "embedding_retriever", "query_embedding") in hybrid.edges
    modes = {n.name: n.mode for n in hybrid.nodes}
    assert modes["bm25_retriever"] == "async" and modes["llm"] == "sync"


def test_wait_graph_layers(waiting: GraphModel) -> None:
    assert layout(waiting).layers == [["wait_1", "wait_3", "wait_5"], ["wait_2", "wait_4"]]


def test_hybrid_rag_layers(hybrid: GraphModel) -> None:
    lay = layout(hybrid)
    y = {name: box.y for name, box in lay.boxes.items()}
    assert y["text_embedder"] < y["embedding_retriever"]
    assert y["joiner"] > max(y["embedding_retriever"], y["bm25_retriever"])
    assert y["joiner"] < y["prompt_builder"] < y["llm"]
    assert lay.layers[-1] == ["llm"]
    assert lay.layers[0] == ["text_embedder", "bm25_retriever"]


@pytest.mark.parametrize("direction", ["down", "right"])
def test_boxes_do_not_overlap_and_every_edge_joins_its_sender_to_its_receiver(
    direction: str, waiting: GraphModel, hybrid: GraphModel, loop: GraphModel
) -> None:
    for graph in (waiting, hybrid, loop, fan_out(30), *(random_graph(seed) for seed in range(6))):
        assert_well_formed(layout(graph, direction=direction))


def test_lines_do_not_join_unconnected_components(waiting: GraphModel) -> None:
    lay = layout(waiting)
    assert reached_from(lay, "wait_1") == {"wait_2"}
    assert reached_from(lay, "wait_3") == {"wait_4"}
    assert reached_from(lay, "wait_5") == set()


def test_the_joiners_two_incoming_edges_merge_into_one_arrow(hybrid: GraphModel) -> None:
    lay = layout(hybrid)
    grid = grid_of(lay)
    joiner = lay.boxes["joiner"]
    assert grid[joiner.y][joiner.x : joiner.x + joiner.w].count("▼") == 1
    assert reached_from(lay, "embedding_retriever") == {"joiner"}
    assert reached_from(lay, "bm25_retriever") == {"joiner"}
    above = grid[joiner.y - 2]  # the track where the two lines meet, above the label row
    assert above.count("┘") + above.count("┴") == 1 and above.count("└") == 1 and "┬" in above


def test_labels_appear_where_there_is_room_and_are_dropped_otherwise(hybrid: GraphModel) -> None:
    two = model(["a", "b"], [("a", "message", "b", "user_msg")])
    assert "│ message→user_msg" in "\n".join(grid_of(layout(two, node_width=40)))
    text = "\n".join(grid_of(layout(two)))
    assert "│ user_msg" in text and "message" not in text
    assert "user_msg" not in "\n".join(grid_of(layout(two, node_width=10)))
    text = "\n".join(grid_of(layout(hybrid)))
    assert "embedding→query_embedding" in text and "prompt→messages" in text
    assert "documents→documents" not in text  # same name on both ends: said once


def test_node_at_and_neighbour(waiting: GraphModel) -> None:
    lay = layout(waiting)
    for name, box in lay.boxes.items():
        assert lay.node_at(box.x, box.y) == name
        assert lay.node_at(box.x + box.w - 1, box.y + box.h - 1) == name
    gap = lay.boxes["wait_1"]
    assert lay.node_at(gap.x + gap.w + 1, gap.y) is None
    assert lay.node_at(-5, 2) is None and lay.node_at(lay.width + 3, 2) is None
    assert lay.neighbour("wait_1", "right") == "wait_3"
    assert lay.neighbour("wait_3", "right") == "wait_5"
    assert lay.neighbour("wait_5", "right") is None
    assert lay.neighbour("wait_1", "left") is None
    assert lay.neighbour("wait_1", "down") == "wait_2"
    assert lay.neighbour("wait_3", "down") == "wait_4"
    assert lay.neighbour("wait_5", "down") == "wait_4"
    assert lay.neighbour("wait_4", "up") == "wait_3"
    assert lay.neighbour("wait_4", "left") == "wait_2"
    assert lay.neighbour("wait_2", "down") is None


def test_a_loop_lays_out_with_its_back_edge_drawn_upwards(loop: GraphModel) -> None:
    lay = layout(loop)
    assert lay.layers == [["source"], ["entry"], ["countdown"], ["after"]]
    grid = grid_of(lay)
    entry = lay.boxes["entry"]
    assert "▲" in grid[entry.y + entry.h - 1]
    assert reached_from(lay, "countdown") == {"entry", "after"}
    assert reached_from(lay, "entry") == {"countdown"}


def test_a_self_loop_is_drawn_beside_its_box() -> None:
    # Pipelines refuse self-connections, as Haystack does; a graph read from a trace or recording may have one.
    model = GraphModel((GraphNode("again", "LoopEntry", "sync"),), (GraphEdge("again", "value", "again", "value"),))
    lay = layout(model)
    assert plain(lay.render())[1:3] == ["│ again              ◀┐", "│ ○ waiting sync     ├┘"]
    assert reached_from(lay, "again") == {"again"}
    assert reached_from(layout(model, direction="right"), "again") == {"again"}


@pytest.mark.parametrize("direction", ["down", "right"])
def test_a_viewport_renders_exactly_that_slice_of_the_full_canvas(direction: str, hybrid: GraphModel) -> None:
    lay = layout(hybrid, direction=direction)
    states = {"joiner": NodeState("running", 1, 0.5, 2), "llm": NodeState("failed", 1, 0.1, breakpoint=True)}
    full = lay.render(states, selected="joiner")
    assert len(full) == lay.height and {len(row) for row in full} == {lay.width}
    rng = random.Random(5)
    for _ in range(40):
        x, y = rng.randrange(-10, lay.width), rng.randrange(-10, lay.height)
        w, h = rng.randrange(1, 90), rng.randrange(1, 45)
        window = lay.render(states, selected="joiner", viewport=(x, y, w, h))
        expected = [
            [full[j][i] if 0 <= j < lay.height and 0 <= i < lay.width else BLANK for i in range(x, x + w)]
            for j in range(y, y + h)
        ]
        assert window == expected, (x, y, w, h)


def test_a_viewport_of_a_big_graph_draws_only_the_boxes_in_view(monkeypatch: pytest.MonkeyPatch) -> None:
    lay = layout(fan_out(498))
    drawn: list[str] = []
    original = GraphLayout._draw_box

    def counting(self: GraphLayout, rows: list[list[Cell]], name: str, *args: object) -> None:
        drawn.append(name)
        original(self, rows, name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(GraphLayout, "_draw_box", counting)
    source = lay.boxes["source"]
    rows = lay.render(viewport=(source.x - 30, 0, 80, 40))
    assert len(rows) == 40 and {len(row) for row in rows} == {80}
    assert "source" in drawn and 1 < len(drawn) <= 10


def test_styles_name_what_the_widget_colours(loop: GraphModel) -> None:
    lay = layout(loop)
    states = {
        "entry": NodeState("done", 1, 0.01),
        "countdown": NodeState("running", 1, 1.2, spinner_frame=0, breakpoint=True),
    }
    rows = lay.render(states, selected="after")
    style_at = {(x, y): cell.style for y, row in enumerate(rows) for x, cell in enumerate(row)}
    char_at = {(x, y): cell.char for y, row in enumerate(rows) for x, cell in enumerate(row)}
    countdown, after = lay.boxes["countdown"], lay.boxes["after"]
    assert style_at[countdown.x, countdown.y + 2] == "node.running"
    assert style_at[countdown.x + 2, countdown.y + 1] == "node.name"
    assert style_at[after.x, after.y] == "selected"
    assert style_at[countdown.x, countdown.y] == "node.running"
    dot = next(p for p, c in char_at.items() if c == "●")
    assert style_at[dot] == "breakpoint" and countdown.contains(*dot)
    arrows = {style_at[p] for p, c in char_at.items() if c == "▼" and countdown.contains(*p)}
    assert arrows == {"edge.active"}  # into the running component
    assert {style_at[p] for p, c in char_at.items() if c == "▼" and after.contains(*p)} == {"edge.selected"}
    outside = [p for p in char_at if not any(box.contains(*p) for box in lay.boxes.values())]
    assert {style_at[p] for p in outside if char_at[p].isalpha()} == {"label"}  # the "value" labels
    assert "edge" in set(style_at.values())


def test_status_lines() -> None:
    wide = 40
    assert status_line(NodeState("running", 2, 1.2), "async", wide) == "⠋ running 1.2 s ×2 async"
    assert status_line(NodeState("done", 1, 0.034), "sync", wide) == "✓ 34 ms ×1 sync"
    assert status_line(NodeState("failed"), "sync", wide) == "✗ failed sync"
    assert status_line(NodeState("paused", 1, 0.2), "sync", wide) == "⏸ paused 200 ms ×1 sync"
    assert status_line(NodeState("running", 1, 75, 3, (3, 5)), "sync", wide) == "⠸ running 3/5 1m15s ×1 sync"
    assert status_line(NodeState("running", 1, None, 0, (3, None)), "sync", wide) == "⠋ running 3/? ×1 sync"
    assert status_line(NodeState(), "sync", wide) == "○ waiting sync"
    assert status_line(NodeState("cancelled", 1), "async", wide) == "⊘ cancelled ×1 async"
    assert status_line(NodeState("reused", 1, 2.5), "sync", wide) == "↺ reused 2.5 s ×1 sync"
    # Narrow boxes shed the word (for running), then mode, visits, duration, progress; then elide.
    assert status_line(NodeState("running", 2, 1.2), "async", 18) == "⠋ 1.2 s ×2 async"
    assert status_line(NodeState("running", 2, 1.2), "async", 12) == "⠋ 1.2 s ×2"
    assert status_line(NodeState("failed", 3, 0.5), "sync", 12) == "✗ failed"
    assert status_line(NodeState("cancelled", 3, 0.5), "sync", 8) == "⊘ cance…"
    assert status_line(NodeState("running", 3, 0.5, 0, (3, 5)), "sync", 4) == "⠋ 3…"


def test_long_names_are_elided_within_the_width_cap() -> None:
    name = "a_component_with_a_really_long_descriptive_name"
    lay = layout(model([name, "b"], [(name, "out", "b", "in")]))
    assert lay.boxes[name].w == 32
    assert "│ a_component_with_a_really_l… │" in plain(lay.render())


def test_layout_is_deterministic_and_checks_its_arguments(hybrid: GraphModel) -> None:
    graph = random_graph(11, size=60)
    assert grid_of(layout(graph)) == grid_of(layout(graph))
    assert grid_of(layout(hybrid, direction="right")) == grid_of(layout(hybrid, direction="right"))
    with pytest.raises(ValueError, match="direction"):
        layout(hybrid, direction="up")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="node_width"):
        layout(hybrid, node_width=5)
    empty = layout(GraphModel((), ()))
    assert (empty.width, empty.height, empty.layers, empty.render()) == (0, 0, [], [])


def test_direction_right_puts_layers_side_by_side(hybrid: GraphModel) -> None:
    lay = layout(hybrid, direction="right")
    x = {name: box.x for name, box in lay.boxes.items()}
    assert x["text_embedder"] < x["embedding_retriever"] < x["joiner"] < x["prompt_builder"] < x["llm"]
    assert "▶" in "".join(grid_of(lay))


def test_a_merge_of_three_senders_and_a_split_of_one_port() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("router", Router())
    pipe.add_component("low", AddOne())
    pipe.add_component("high", AddOne())
    pipe.add_component("total", Sum())
    pipe.connect("router.low", "low.value")
    pipe.connect("router.high", "high.value")
    pipe.connect("low.value", "total.values")
    pipe.connect("high.value", "total.values")
    pipe.connect("router.low", "total.values")
    for direction in ("down", "right"):
        lay = layout(GraphModel.from_pipeline(pipe), direction=direction)  # type: ignore[arg-type]
        assert reached_from(lay, "router") == {"low", "high", "total"}
        total = lay.boxes["total"]
        near_side = grid_of(lay)[total.y] if direction == "down" else [row[total.x] for row in grid_of(lay)]
        assert "".join(near_side).count("▼" if direction == "down" else "▶") == 1


def test_golden_wait_graph_mid_run(waiting: GraphModel) -> None:
    """The seed's wait graph 1.4 s into a run, wait_2 selected, a breakpoint on wait_4."""
    states = {
        "wait_1": NodeState("done", 1, 1.003),
        "wait_2": NodeState("running", 1, 0.4, spinner_frame=3),
        "wait_3": NodeState("running", 1, 1.4, spinner_frame=3),
        "wait_4": NodeState("waiting", breakpoint=True),
        "wait_5": NodeState("running", 1, 1.4, spinner_frame=3),
    }
    assert plain(layout(waiting).render(states, selected="wait_2")) == [
        "┌────────────────────┐    ┌────────────────────┐    ┌────────────────────┐",
        "│ wait_1             │    │ wait_3             │    │ wait_5             │",
        "│ ✓ 1.0 s ×1 sync    │    │ ⠸ 1.4 s ×1 sync    │    │ ⠸ 1.4 s ×1 sync    │",
        "└──────────┬─────────┘    └──────────┬─────────┘    └────────────────────┘",
        "           │ message→user_msg        │ message→user_msg",
        "┌──────────▼─────────┐    ┌──────────▼─────────┐",
        "│ wait_2             │    │ wait_4           ● │",
        "│ ⠸ 400 ms ×1 sync   │    │ ○ waiting sync     │",
        "└────────────────────┘    └────────────────────┘",
    ]


def test_golden_hybrid_rag(hybrid: GraphModel) -> None:
    assert plain(layout(hybrid).render()) == [
        "┌───────────────────────┐    ┌───────────────────────┐",
        "│ text_embedder         │    │ bm25_retriever        │",
        "│ ○ waiting sync        │    │ ○ waiting async       │",
        "└───────────┬───────────┘    └───────────┬───────────┘",
        "            │ embedding→query_embedding  │",
        "┌───────────▼───────────┐                │",
        "│ embedding_retriever   │                │",
        "│ ○ waiting async       │                │",
        "└───────────┬───────────┘                │",
        "            └──────────────┬─────────────┘",
        "                           │ documents",
        "               ┌───────────▼───────────┐",
        "               │ joiner                │",
        "               │ ○ waiting sync        │",
        "               └───────────┬───────────┘",
        "                           │ documents",
        "               ┌───────────▼───────────┐",
        "               │ prompt_builder        │",
        "               │ ○ waiting sync        │",
        "               └───────────┬───────────┘",
        "                           │ prompt→messages",
        "               ┌───────────▼───────────┐",
        "               │ llm                   │",
        "               │ ○ waiting sync        │",
        "               └───────────────────────┘",
    ]


def test_a_router_names_the_route_it_took_and_skipped_components_say_so() -> None:
    wide = 40
    routed = NodeState("done", 2, 0.003, produced=frozenset({"done"}))
    assert route_text(routed, ("again", "done")) == "→done"
    assert status_line(routed, "sync", wide, route_text(routed, ("again", "done"))) == "✓ →done 3 ms ×2 sync"
    # a component that produced all it declares took no route; one that produced nothing says so
    assert route_text(NodeState("done", 1, produced=frozenset({"value"})), ("value",)) == ""
    assert route_text(NodeState("paused", 1, produced=frozenset()), ("low", "high")) == "→nothing"
    assert route_text(NodeState("done", 1, produced=frozenset({"b", "a"})), ("a", "b", "c")) == "→a+b"
    # a running visit's route is not known yet, whatever the previous visit chose
    assert route_text(NodeState("running", 2, produced=frozenset({"done"})), ("again", "done")) == ""
    # narrow: mode, visits and duration go before the route
    assert status_line(routed, "sync", 12, "→done") == "✓ →done 3 ms"
    assert status_line(routed, "sync", 9, "→done") == "✓ →done"
    # a long route is elided rather than dropped, and goes only when not even `→x…` fits
    paused = NodeState("paused", 1, 0.003, produced=frozenset({"too_short"}))
    assert status_line(paused, "sync", 18, "→too_short") == "⏸ paused →too_sho…"
    assert status_line(paused, "sync", 12, "→too_short") == "⏸ paused →t…"
    assert status_line(paused, "sync", 11, "→too_short") == "⏸ paused"
    assert status_line(NodeState("skipped"), "sync", wide) == "↷ skipped sync"
    assert status_line(NodeState("skipped"), "sync", 9) == "↷ skipped"


def test_untaken_edges_are_dimmed_and_a_paused_router_lights_only_its_route(loop: GraphModel) -> None:
    lay = layout(loop)
    index = {(e.sender, e.sender_socket): i for i, e in enumerate(loop.edges)}
    done = index["countdown", "done"]
    after = lay.boxes["after"]

    def arrow_style(states: dict[str, NodeState], selected: str | None, untaken: frozenset[int]) -> str:
        rows = lay.render(states, selected, untaken=untaken)
        (style,) = {
            rows[y][x].style
            for y in range(after.y, after.y + after.h)
            for x in range(after.x, after.x + after.w)
            if rows[y][x].char == "▼"
        }
        return style

    paused_again = {"countdown": NodeState("paused", 1, produced=frozenset({"again"}))}
    assert arrow_style(paused_again, None, frozenset()) == "edge"  # not delivered by this visit
    paused_done = {"countdown": NodeState("paused", 2, produced=frozenset({"done"}))}
    assert arrow_style(paused_done, None, frozenset()) == "edge.active"
    # dimmed whatever else holds: selected, or out of the paused component
    assert arrow_style({}, "after", frozenset({done})) == "edge.untaken"
    assert arrow_style(paused_done, None, frozenset({done})) == "edge.untaken"
    assert arrow_style({}, "after", frozenset()) == "edge.selected"


def test_a_skipped_box_greys_its_name_too(loop: GraphModel) -> None:
    lay = layout(loop)
    rows = lay.render({"after": NodeState("skipped")})
    box = lay.boxes["after"]
    assert {rows[box.y + 1][x].style for x in range(box.x + 2, box.x + 7)} == {"node.skipped"}
    assert "".join(cell.char for cell in rows[box.y + 2][box.x : box.x + box.w]).split("│")[1].strip() == (
        "↷ skipped async"
    )
