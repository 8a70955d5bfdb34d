"""Every binding has a unique id and comes from `tui.keys`; README's keys table is the bindings' own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding

from tui import keys
from tui.app import PipedebugApp
from tui.config import ConfigError, parse_config
from tui.screens.compare import CompareScreen
from tui.screens.condition import ConditionScreen
from tui.screens.debugger import DebuggerScreen
from tui.screens.diff import DiffScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.export import ExportScreen
from tui.screens.load_error import LoadErrorScreen
from tui.screens.runs import ConfirmScreen, RunsScreen
from tui.screens.seek import SeekScreen
from tui.widgets.breakpoints import BreakpointsPanel
from tui.widgets.graph import GraphView
from tui.widgets.inspector import DocumentsView, LongStringView
from tui.widgets.timeline import TimelineView

ROOT = Path(__file__).parents[2]
TABLE = re.compile(r"<!-- keys table:.*?-->\n(.*?)\n<!-- end of keys table -->", re.DOTALL)


def test_every_binding_has_a_unique_id() -> None:
    ids = [binding.id for _, binding in keys.all_bindings()]
    assert None not in ids
    assert len(ids) == len(set(ids)), sorted(name for name in ids if ids.count(name) > 1)


def test_screens_and_widgets_take_their_bindings_from_tui_keys() -> None:
    assert PipedebugApp.BINDINGS is keys.APP
    assert DebuggerScreen.BINDINGS is keys.DEBUGGER
    assert TimelineView.BINDINGS is keys.TIMELINE
    assert BreakpointsPanel.BINDINGS is keys.BREAKPOINTS
    assert RunsScreen.BINDINGS is keys.RUNS
    assert ConfirmScreen.BINDINGS is keys.CONFIRM
    assert SeekScreen.BINDINGS is keys.SEEK
    assert ConditionScreen.BINDINGS is keys.CONDITION
    assert EditSocketsScreen.BINDINGS is keys.EDIT_SOCKETS
    assert LoadErrorScreen.BINDINGS is keys.LOAD_ERROR
    assert GraphView.BINDINGS is keys.GRAPH
    assert DocumentsView.BINDINGS is keys.DOCUMENTS
    assert LongStringView.BINDINGS is keys.LONG_STRING
    assert CompareScreen.BINDINGS is keys.COMPARE
    assert DiffScreen.BINDINGS is keys.DIFF
    assert ExportScreen.BINDINGS is keys.EXPORT


def test_readme_keys_table_is_the_bindings() -> None:
    """Ids, keys and descriptions: README says what the footer and the palette say."""
    match = TABLE.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert match is not None, "README.md has no keys table between its markers"
    assert match[1] == keys.keys_table(), "README's keys table is stale: paste `python -m tui.keys` into it"
    rows = [line.split(" | ") for line in match[1].splitlines()[2:]]
    listed = {row[1].strip("`"): (row[2], row[3].removesuffix(" |")) for row in rows}
    for _, binding in keys.all_bindings():
        assert isinstance(binding, Binding) and binding.id is not None
        assert listed[binding.id] == (keys.key_label(binding.key), binding.tooltip or binding.description)


def test_key_labels_and_remapped_keys() -> None:
    assert keys.key_label("comma,full_stop") == "`,` `.`"
    assert keys.key_label("ctrl+k") == "`ctrl+k`"
    run = next(binding for _, binding in keys.all_bindings() if binding.id == "run")
    assert keys.current_keys(run, {"run": "f5"}) == "f5"
    assert keys.current_keys(run, {}) == "r,f9"


def test_docs_point_at_the_keys_table() -> None:
    assert "README.md#keys-and-settings" in (ROOT / "docs" / "tui.md").read_text(encoding="utf-8")


def test_descriptions_are_unique_where_keys_apply_together() -> None:
    """The footer and the palette name actions by description: two alike would read as one."""
    for where, table in keys.TABLES.items():
        names = [binding.description for binding in table if isinstance(binding, Binding)]
        assert len(names) == len(set(names)), (where, sorted(name for name in names if names.count(name) > 1))
    main = [binding.description for binding in [*keys.DEBUGGER, *keys.APP] if isinstance(binding, Binding)]
    assert len(main) == len(set(main))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[keys]\nrun = "f5"\n', "c.toml:2: keys.run: f5 is also resume's key (main screen)"),
        ('[keys]\ngraph = "ctrl+q"\n', "c.toml:2: keys.graph: ctrl+q is also quit's key (main screen)"),
        ('[keys]\n"timeline.fit" = "+"\n', "c.toml:2: keys.timeline.fit: plus is also timeline.zoom_in's key"),
        ('[keys]\nrun = "f5"\nresume = "space,f8"\n', None),  # resume moved away from f5
        ('[keys]\ntimeline = "l"\nlogs = "t"\n', None),  # swapped
        ('[keys]\nrun = "r"\n', None),  # r is run's and restart's by default: one applies at a time
    ],
)
def test_a_remapped_key_that_another_action_answers_to_is_an_error(text: str, error: str | None) -> None:
    config = parse_config(text, Path("c.toml"))
    if error is None:
        keys.check_config(config)
        return
    with pytest.raises(ConfigError) as caught:
        keys.check_config(config)
    assert str(caught.value).startswith(error)
