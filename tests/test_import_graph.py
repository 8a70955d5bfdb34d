"""The layers point one way: no import circles in `pipeline` or `tui`, `pipeline` never imports `tui`, widgets
and messages never import screens, and `tui.state` never imports Textual.

The graph is read from the source (every `import` statement, module level, inside functions and under
`TYPE_CHECKING` alike), so a circle hidden behind a lazy or type-only import counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("pipeline", "tui")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every module an `import` or `from ... import` names, relative imports resolved; `from a import b` counts
    as `a.b` when that is a module (the caller keeps only names that are modules)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> nx.DiGraph:
    """Modules of `pipeline` and `tui` and the imports between them (a package's `__init__` is its name)."""
    files = {_module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target in _imported(tree, module, path.name == "__init__.py"):
            while target and target not in files:  # `a.b.name` where `name` is not a module: `a.b`
                target = target.rpartition(".")[0]
            if target and target != module:
                graph.add_edge(module, target)
    return graph


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    return import_graph()


def test_the_graph_sees_the_imports_it_should(graph: nx.DiGraph) -> None:
    assert graph.has_edge("tui.app", "tui.screens.debugger")
    assert graph.has_edge("tui.state.session", "pipeline.runs.spans")
    assert graph.number_of_nodes() > 100


def test_no_import_circles(graph: nx.DiGraph) -> None:
    cycles = list(nx.simple_cycles(graph, length_bound=8))
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join([*cycle, cycle[0]]) for cycle in cycles[:20])


def test_the_engine_never_imports_the_debugger(graph: nx.DiGraph) -> None:
    wrong = [(a, b) for a, b in graph.edges if a.startswith("pipeline") and b.startswith("tui")]
    assert not wrong


def test_widgets_and_messages_import_no_screen(graph: nx.DiGraph) -> None:
    wrong = [
        (a, b)
        for a, b in graph.edges
        if (a.startswith("tui.widgets") or a == "tui.messages") and b.startswith("tui.screens")
    ]
    assert not wrong


def test_state_and_layout_import_no_textual() -> None:
    """The debugger's state is tested without Textual, and the screens only render it."""
    for package in ("tui/state", "tui/layout"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            modules = _imported(tree, _module_name(path), path.name == "__init__.py")
            assert not [m for m in modules if m == "textual" or m.startswith("textual.")], path
