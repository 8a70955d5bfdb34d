"""Pure layout functions for the debugger's panes: no Textual import, so they are tested without a terminal."""

from tui.layout.dag import (
    Box,
    Cell,
    GraphEdge,
    GraphLayout,
    GraphModel,
    GraphNode,
    NodeState,
    layout,
    status_line,
)

__all__ = [
    "Box",
    "Cell",
    "GraphEdge",
    "GraphLayout",
    "GraphModel",
    "GraphNode",
    "NodeState",
    "layout",
    "status_line",
]
