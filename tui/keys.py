"""Every key binding of the app, in one place: each has an id, which a config file's `[keys]` table remaps.

Screens and widgets take their `BINDINGS` from here, so the footer, the command palette, README's keys table
(`python -m tui.keys` prints it; a test keeps README in step) and the config file all speak of the same ids.
Keys that never type text (`ctrl+...`, `f5`) are priority bindings on the main screen: a focused input field,
which binds `ctrl+e`, `ctrl+k` and others itself, would otherwise swallow them. Letters stay ordinary bindings,
so they type into the inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import format_key
from textual.theme import BUILTIN_THEMES

from tui.config import Config

ZOOM = Binding.Group("Zoom", compact=True)
PAN = Binding.Group("Pan", compact=True)
ZOOM_STEP = 2.0
"""Each zoom key halves or doubles the timeline's seconds per column."""


def _key(
    id: str,
    key: str,
    action: str,
    description: str,
    tooltip: str = "",
    *,
    show: bool = True,
    priority: bool = False,
    key_display: str | None = None,
    group: Binding.Group | None = None,
) -> Binding:
    return Binding(
        key,
        action,
        description,
        show=show,
        key_display=key_display,
        priority=priority,
        tooltip=tooltip,
        id=id,
        group=group,
    )


def _replay_key(id: str, key: str, action: str, description: str, tooltip: str, *, show: bool = False) -> Binding:
    """A replay's key: a priority binding, so a focused pane that scrolls on home and end does not take it; it
    applies only to replays (the screen's `check_action`), so in a live run the inputs still get these keys."""
    return _key(id, key, action, description, f"Replay: {tooltip}", show=show, priority=True)


APP: list[BindingType] = [
    _key("quit", "ctrl+q", "quit", "Quit", "Quit pipedebug, from any screen.", priority=True),
    _key("reload", "ctrl+l", "reload", "Reload", "Load the pipeline file again.", show=False),
]
"""The app's own keys (ctrl+q replaces Textual's hidden one, so the footer lists it)."""

DEBUGGER: list[BindingType] = [
    _key("run", "r,f9", "run", "Run", "Run the pipeline with the inputs in the Inputs pane."),
    _key("restart", "r,f9", "restart", "Replay again", "Replay the recorded run again from its start."),
    _key("resume", "space,f5", "resume", "Continue", "Continue the paused run until a breakpoint or the end."),
    _key("step", "s", "step", "Step", "Release the next component completion, then pause again."),
    _key("pause", "p", "pause", "Pause", "Pause the run: nothing new starts, running components finish."),
    _key("stop", "x", "stop", "Stop", "Cancel the run; what ran so far stays inspectable."),
    _key("breakpoint", "b", "toggle_breakpoint", "Breakpoint", "Break when the selected component finishes."),
    _key(
        "condition",
        "c",
        "condition",
        "Condition",
        "Break on the selected component only when a condition holds.",
        show=False,
    ),
    _key("edit_outputs", "e", "edit_outputs", "Edit", "Edit what the paused component hands on."),
    _replay_key(
        "step_back", "comma", "seek_completion(-1)", "Previous", "go back to the previous completion.", show=True
    ),
    _replay_key("step_forward", "full_stop", "seek_completion(1)", "Next", "jump to the next completion.", show=True),
    _replay_key("slower", "less_than_sign", "speed(0.5)", "Slower", "half the speed."),
    _replay_key("faster", "greater_than_sign", "speed(2)", "Faster", "twice the speed."),
    _replay_key("to_start", "home", "seek(0)", "To start", "go back to the start, paused."),
    _replay_key("to_end", "end", "seek(-1)", "To end", "jump to the end of the run."),
    _replay_key("go_to", "ctrl+g", "go_to", "Go to", "go to an event number or a time, paused there."),
    _key("fork", "f", "fork", "Fork", "Edit the inspected visit's inputs and run live again from there."),
    _key("previous_visit", "[", "visit(-1)", "Previous visit", "Inspect the component's previous visit.", show=False),
    _key("next_visit", "]", "visit(1)", "Next visit", "Inspect the component's next visit (loops).", show=False),
    _key("save_run", "ctrl+s", "save_run", "Save", "Write the run's events to the runs folder.", priority=True),
    _key("open_runs", "ctrl+o", "open_runs", "Runs", "Browse saved runs: replay, delete, diff two.", priority=True),
    _key(
        "compare",
        "ctrl+k",
        "compare",
        "Compare",
        "Time the examples: sequential, then concurrent.",
        show=False,
        priority=True,
    ),
    _key(
        "export",
        "ctrl+e",
        "export",
        "Export",
        "Export the run: Chrome trace, OTLP JSON, Mermaid.",
        show=False,
        priority=True,
    ),
    _key(
        "save_breakpoints",
        "ctrl+b",
        "save_breakpoints",
        "Save breakpoints",
        "Save the breakpoints as this pipeline's set, in the runs folder.",
        show=False,
        priority=True,
    ),
    _key(
        "load_breakpoints",
        "B",
        "load_breakpoints",
        "Load breakpoints",
        "Replace the breakpoints with this pipeline's saved set.",
        show=False,
        key_display="B",
    ),
    _key("diff_parent", "D", "diff_parent", "Diff parent", "Compare this fork with the run it was forked from."),
    _key(
        "first_error",
        "E",
        "first_error",
        "First error",
        "Select the run's first failed component and show its traceback.",
        show=False,
        key_display="E",
    ),
    _key(
        "copy_error",
        "y",
        "copy_error",
        "Copy error",
        "Copy the inspected visit's error and traceback (else the run's first) to the clipboard.",
        show=False,
    ),
    _key(
        "back",
        "escape",
        "back",
        "Back",
        "One level out: from a field to the graph, from a replay or fork to where it was opened.",
    ),
    _key("graph", "g", "focus('#graph')", "Graph", "Focus the graph."),
    _key(
        "inputs",
        "i",
        "focus_inputs",
        "Inputs",
        "Focus the first input field (in a replay, beside the recorded inputs).",
    ),
    _key("timeline", "t", "show_tab('timeline')", "Timeline", "Show and focus the timeline."),
    _key("logs", "l", "show_tab('logs')", "Logs", "Show and focus the logs."),
    _key("recording", "R", "toggle_recording", "Recording", "Record runs as they happen, or not.", show=False),
    _key("maximize", "z", "maximize", "Maximize", "Maximize the focused pane (escape restores).", show=False),
    _key("narrower", "{", "resize_columns(-4)", "Narrower graph", "Give the graph less width.", show=False),
    _key("wider", "}", "resize_columns(4)", "Wider graph", "Give the graph more width.", show=False),
    _key("shorter", "(", "resize_bottom(-2)", "Smaller timeline", "Give timeline and logs fewer rows.", show=False),
    _key("taller", ")", "resize_bottom(2)", "Taller timeline", "Give timeline and logs more rows.", show=False),
]
"""The main screen's keys: run control, breakpoints, replay, panes, other screens."""

TIMELINE: list[BindingType] = [
    _key(
        "timeline.zoom_in",
        "plus,equals_sign",
        f"zoom({1 / ZOOM_STEP})",
        "Zoom in",
        "Halve the time per column (or the mouse wheel).",
        key_display="+",
        group=ZOOM,
    ),
    _key(
        "timeline.zoom_out",
        "minus",
        f"zoom({ZOOM_STEP})",
        "Zoom out",
        "Double the time per column (or the mouse wheel).",
        key_display="-",
        group=ZOOM,
    ),
    _key("timeline.fit", "0", "fit", "Fit", "Fit the whole run in the width, and follow it as it grows."),
    _key(
        "timeline.pan_left", "left", "pan(-1)", "Pan left", "Show earlier times (or drag).", key_display="←", group=PAN
    ),
    _key(
        "timeline.pan_right", "right", "pan(1)", "Pan right", "Show later times (or drag).", key_display="→", group=PAN
    ),
    _key("timeline.lanes_up", "up", "scroll_up", "Lanes up", "Scroll the lanes up.", show=False),
    _key("timeline.lanes_down", "down", "scroll_down", "Lanes down", "Scroll the lanes down.", show=False),
    _key("timeline.page_up", "pageup", "page_up", "Page up", "Scroll the lanes a page up.", show=False),
    _key("timeline.page_down", "pagedown", "page_down", "Page down", "Scroll the lanes a page down.", show=False),
    _key(
        "timeline.previous_bar",
        "shift+left",
        "step(-1)",
        "Previous bar",
        "Select the lane's previous visit.",
        show=False,
    ),
    _key("timeline.next_bar", "shift+right", "step(1)", "Next bar", "Select the lane's next visit.", show=False),
    _key(
        "timeline.bar_above",
        "shift+up",
        "change_lane(-1)",
        "Bar above",
        "Select a visit in the lane above.",
        show=False,
    ),
    _key(
        "timeline.bar_below",
        "shift+down",
        "change_lane(1)",
        "Bar below",
        "Select a visit in the lane below.",
        show=False,
    ),
]
"""The timeline's keys; they avoid the main screen's (which owns home, end, letters and brackets)."""

BREAKPOINTS: list[BindingType] = [
    _key("breakpoints.toggle", "space", "toggle_enabled", "Enable/disable", "Enable or disable the breakpoint."),
    _key("breakpoints.condition", "c", "edit_condition", "Condition", "Edit the breakpoint's condition."),
    _key("breakpoints.remove", "delete,x", "remove", "Remove", "Remove the breakpoint."),
    _key(
        "breakpoints.when",
        "w",
        "toggle_when",
        "Before/after",
        "Break before the component runs (the condition reads its inputs) or after it completes (its outputs).",
    ),
]
"""The breakpoints list's keys (when it has the focus)."""

LOGS: list[BindingType] = [
    _key("logs.search", "slash", "search", "Search logs", "Search the log lines (escape leaves the field)."),
    _key("logs.leave_search", "escape", "leave_search", "Leave search", "Back from the search field.", show=False),
    _key(
        "logs.only_selected",
        "o",
        "only_selected",
        "Only selected",
        "Show only the lines of the component selected in the graph, or every component's again.",
    ),
]
"""The Logs pane's keys (when it has the focus)."""

RUNS: list[BindingType] = [
    _key("runs.open", "enter", "open", "Open", "Open the highlighted run as a replay.", priority=True),
    _key("runs.mark", "space", "mark", "Mark", "Mark or unmark the highlighted run for a diff (two at most)."),
    _key(
        "runs.diff",
        "D",
        "diff",
        "Diff",
        "Compare the first marked run with the second, or with the highlighted run.",
        key_display="D",
    ),
    _key("runs.delete", "d,delete", "delete", "Delete", "Delete the highlighted run's file (asks first)."),
    _key("runs.reload", "u", "reload", "Re-read", "Read the runs folder again."),
    _key("runs.first", "home", "first", "First", "Highlight the newest run.", show=False, priority=True),
    _key("runs.last", "end", "last", "Last", "Highlight the oldest run.", show=False, priority=True),
    _key("runs.close", "escape", "close", "Close", "Back without opening a run."),
]
"""The runs browser's keys."""

CONFIRM: list[BindingType] = [_key("confirm.cancel", "escape", "cancel", "Cancel", "Keep the file.")]
SEEK: list[BindingType] = [_key("seek.cancel", "escape", "cancel", "Cancel", "Close without moving.")]
CONDITION: list[BindingType] = [_key("condition.cancel", "escape", "cancel", "Cancel", "Keep the condition.")]
EDIT_SOCKETS: list[BindingType] = [
    _key("edit.save", "ctrl+s", "save", "Save", "Use the edited values.", priority=True),
    _key("edit.cancel", "escape", "cancel", "Cancel", "Close without changing anything."),
]
GRAPH: list[BindingType] = [
    _key("graph.up", "up", "move('up')", "Select above", "Select the component above.", show=False),
    _key("graph.down", "down", "move('down')", "Select below", "Select the component below.", show=False),
    _key("graph.left", "left", "move('left')", "Select left", "Select the component to the left.", show=False),
    _key("graph.right", "right", "move('right')", "Select right", "Select the component to the right.", show=False),
]
"""The graph's keys (when it has the focus)."""
DOCUMENTS: list[BindingType] = [
    _key("documents.more", "m", "more", "More documents", "Add the next documents to the inspector's table."),
]
LONG_STRING: list[BindingType] = [
    _key("string.next", "m", "part(1)", "Next part", "Show the next part of a long string."),
    _key("string.previous", "M", "part(-1)", "Previous part", "Show the previous part of a long string."),
]
COMPARE: list[BindingType] = [
    _key("compare.close", "escape", "close", "Close", "Back to the debugger; a comparison still running stops."),
    _key("compare.again", "r", "run_again", "Run again", "Run every query sequentially, then concurrently, again."),
]
DIFF: list[BindingType] = [
    _key("diff.next", "n", "jump(1)", "Next change", "Scroll to the next changed component."),
    _key("diff.previous", "N", "jump(-1)", "Previous change", "Scroll to the previous one.", key_display="N"),
    _key("diff.close", "escape", "close", "Close", "Back to where the diff was opened from."),
]
EXPORT: list[BindingType] = [
    _key("export.write", "ctrl+s", "export", "Export", "Write the file.", priority=True),
    _key("export.cancel", "escape", "cancel", "Cancel", "Close without exporting."),
]
LOAD_ERROR: list[BindingType] = [
    _key("load_error.reload", "r", "app.reload", "Reload", "Load the pipeline again (after fixing the file)."),
    _key("load_error.quit", "q", "app.quit", "Quit", "Quit pipedebug."),
]

TABLES: dict[str, list[BindingType]] = {
    "everywhere": APP,
    "main screen": DEBUGGER,
    "timeline": TIMELINE,
    "graph": GRAPH,
    "breakpoints list": BREAKPOINTS,
    "logs": LOGS,
    "inspector: documents": DOCUMENTS,
    "inspector: long text": LONG_STRING,
    "runs browser": RUNS,
    "delete a run": CONFIRM,
    "go to (replay)": SEEK,
    "condition": CONDITION,
    "edit values": EDIT_SOCKETS,
    "compare": COMPARE,
    "diff": DIFF,
    "export": EXPORT,
    "load error": LOAD_ERROR,
}
"""Where each table of keys applies, as README's keys table names it."""


def all_bindings() -> Iterable[tuple[str, Binding]]:
    """Every binding with where it applies."""
    for where, table in TABLES.items():
        for binding in table:
            assert isinstance(binding, Binding)
            yield where, binding


def binding_ids() -> set[str]:
    """The ids a config file's `[keys]` table may remap."""
    return {binding.id for _, binding in all_bindings() if binding.id is not None}


def key_label(keys: str) -> str:
    """`comma,full_stop` -> `,` `.`: how README and the palette write a binding's keys."""
    labels = []
    for key in keys.split(","):
        *modifiers, name = key.strip().split("+")
        labels.append("+".join([*modifiers, format_key(name)]))
    return " ".join(f"`{label}`" for label in labels)


def current_keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    """The keys `binding` answers to under `keymap` (a config's remapping), comma-separated as in bindings."""
    return keymap.get(binding.id, binding.key) if binding.id is not None else binding.key


def keys_table() -> str:
    """README's keys table: where, id, default keys, what it does; every binding, hidden ones too."""
    lines = ["| where | id | keys | what |", "|---|---|---|---|"]
    for where, binding in all_bindings():
        what = binding.tooltip or binding.description
        lines.append(f"| {where} | `{binding.id}` | {key_label(binding.key)} | {what.replace('|', '/')} |")
    return "\n".join(lines)


def check_config(config: Config) -> None:
    """Raise `ConfigError` for a binding id or a theme the app does not have, or for a remapped key that another
    action where it applies already answers to (Textual would silently drop one), naming the line."""
    config.check(binding_ids(), BUILTIN_THEMES)
    for where, table in TABLES.items():
        scope = [binding for binding in [*table, *([] if table is APP else APP)] if isinstance(binding, Binding)]
        _check_clashes(config, where, scope)


def _key_set(keys: str) -> set[str]:
    """`"?,ctrl+k"` as Textual names the keys (`question_mark`, `ctrl+k`)."""
    return {binding.key for binding in Binding.make_bindings([Binding(keys, "")])}


def _check_clashes(config: Config, where: str, scope: list[Binding]) -> None:
    """A remapped binding's keys against every other binding in `scope` (as remapped): pairs that share keys by
    default (`r` runs, or replays again, whichever applies) are not clashes."""
    for binding in scope:
        if binding.id not in config.keys:
            continue
        mine = _key_set(config.keys[binding.id])
        for other in scope:
            if other is binding or other.id is None:
                continue
            theirs = _key_set(current_keys(other, config.keys))
            shared = mine & theirs - (_key_set(binding.key) & _key_set(other.key))
            if shared:
                key = ", ".join(sorted(shared))
                config.error(
                    f"keys.{binding.id}",
                    f"{key} is also {other.id}'s key ({where}); remap {other.id} too, or pick another key",
                )


def apply_config(app: App[Any], config: Config) -> None:
    """Remap the keys (Textual's keymap: footer and bindings follow it) and set the theme."""
    if config.keys:
        app.set_keymap(config.keys)
    if config.theme is not None:
        app.theme = config.theme


if __name__ == "__main__":
    print(keys_table())
