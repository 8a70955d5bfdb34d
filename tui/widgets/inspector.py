"""The inspector: what one component visit received and returned, and its traceback when it failed.

Each socket value gets the view that suits it: documents as a table with the highlighted one in full below,
chat messages as role-labelled text, answers as their text, query, score, documents and meta, strings in a
read-only editor, byte streams as their type, size and a preview, anything else as a tree that builds its nodes
only when expanded. A visit of a run imported from OpenTelemetry lists the calls other services made under it
(name, duration, status), and says so when the traced service did not record contents.
Haystack's own dataclasses (a bridged pipeline's values) are shown through ours, and so are
those a recording holds as data where haystack-ai is not installed, with a note. Large values never freeze
the app: the documents table fills in chunks (Textual measures every new cell when the app is idle, about
0.1 ms per row), long strings are not soft-wrapped, and tree nodes come a page at a time.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from itertools import islice
from types import UnionType
from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Collapsible, DataTable, Static, TabbedContent, TabPane, TextArea, Tree
from textual.widgets.tree import TreeNode

from pipeline.dataclasses import ByteStream, ChatMessage, Document, ExtractedAnswer, GeneratedAnswer
from pipeline.runs.haystack_values import HAYSTACK_DATACLASSES, ForeignValue, as_ours
from pipeline.runs.spans import ComponentSpan
from tui import keys
from tui.escapes import safe_line, safe_text
from tui.layout.timeline import format_duration
from tui.state.children import ChildSpanRecord

FIRST_ROWS = 100
"""Documents put in the table at once: enough to fill any screen."""
ROWS_PER_CHUNK = 100
"""Documents added per step after that, each step measured by the table before the next (~10 ms)."""
DOCUMENTS_SHOWN = 1_000
"""Documents in the table until the user asks for more (`m`, or the button): a table of 100k rows fills for a
minute and answers keys in a second; past a thousand nobody scrolls anyway."""
DOCUMENTS_MORE = 1_000
"""Documents each "more" adds."""
STRING_PART = 100_000
"""Characters of a string shown at once; a longer one is shown a part at a time (`m` next, `M` previous), since
the editor takes about 0.4 s to take in a megabyte and seconds for 50 MB, all of it on the event loop."""
DETAIL_CHARS = 20_000
"""Characters of a document's content (or a message's text) shown; the rest is counted."""
PREVIEW_CHARS = 40
META_PREVIEW_CHARS = 24
WRAP_LIMIT = 100_000
"""Strings longer than this are shown unwrapped: wrapping a megabyte of text takes the editor about a second."""
TREE_PAGE = 200
"""Children a tree node shows before a "more" entry that adds the next page."""
REPR_CHARS = 200
ANSWERS_SHOWN = 100
"""Answers rendered in full; the rest of a longer list is counted (a reader's top_k can be large)."""
BYTES_PREVIEW = 400
"""Bytes of a byte stream shown: as text when they decode, else as hex."""
FOREIGN_SCAN = 1_000
"""Items of a socket value looked through for values recorded as data, for the section's note."""

HINT = "Select a component in the graph to inspect its latest visit."
RUNNING = "running..."
STATUS_STYLES = {
    "running": "bold yellow",
    "paused": "bold magenta",
    "finished": "bold green",
    "failed": "bold red",
    "cancelled": "dim",
    "skipped": "dim italic",
}
SKIPPED = "Skipped: the run finished without taking any route into this component."
CHILDREN_SHOWN = 50
"""Child spans listed for a visit; the rest are counted (the timeline shows them all)."""
CHILD_NAME_CHARS = 40


def _all_of(value: Any, cls: type | UnionType) -> bool:
    return isinstance(value, list | tuple) and bool(value) and all(isinstance(item, cls) for item in value)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def native(value: Any) -> Any:
    """`value` with Haystack's dataclasses (live, or recorded as data) replaced by ours, itself and inside lists
    (and lists of lists), so that the views built for ours show them; the same object when nothing changed."""
    if isinstance(value, list | tuple):
        if not any(map(_may_convert, set(map(type, value)))):  # 100k documents: a set of one type, not 100k calls
            return value
        items = [native(item) for item in value]
        return items if any(new is not old for new, old in zip(items, value, strict=True)) else value
    return as_ours(value)


def _may_convert(kind: type) -> bool:
    return (
        issubclass(kind, list | tuple | ForeignValue)
        or f"{kind.__module__}.{kind.__qualname__}" in HAYSTACK_DATACLASSES
    )


def foreign_notes(value: Any) -> list[str]:
    """The notes of the values recorded as data (haystack-ai missing) in `value`, each once."""
    notes: dict[str, None] = {}
    pending, seen = [value], 0
    while pending and seen < FOREIGN_SCAN:
        item = pending.pop()
        seen += 1
        if isinstance(item, ForeignValue):
            notes[item.note] = None
        elif isinstance(item, list | tuple):
            pending.extend(item[:FOREIGN_SCAN])
        elif isinstance(item, Mapping):
            pending.extend(islice(item.values(), FOREIGN_SCAN))
    return list(notes)


def summarize(value: Any) -> str:
    """A few words on a value, for socket titles and tree labels of containers."""
    value = native(value)
    if isinstance(value, ForeignValue):
        return f"{value.type_name} (data)"
    if isinstance(value, Document):
        return "1 document"
    if isinstance(value, ChatMessage):
        return "1 message"
    if isinstance(value, GeneratedAnswer | ExtractedAnswer):
        return "1 answer"
    if isinstance(value, ByteStream):
        return f"byte stream, {_plural(len(value.data), 'byte')}"
    if _all_of(value, Document):
        return _plural(len(value), "document")
    if _all_of(value, ChatMessage):
        return _plural(len(value), "message")
    if _all_of(value, GeneratedAnswer | ExtractedAnswer):
        return _plural(len(value), "answer")
    if _all_of(value, ByteStream):
        return _plural(len(value), "byte stream")
    if isinstance(value, str):
        return f"str, {_plural(len(value), 'char')}"
    if isinstance(value, Mapping):
        return f"{type(value).__name__}, {_plural(len(value), 'key')}"
    if isinstance(value, list | tuple | set | frozenset):
        return f"{type(value).__name__}, {_plural(len(value), 'item')}"
    return type(value).__name__


def _one_line(text: str | None, limit: int) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# -- documents -----------------------------------------------------------------------------------------------


def document_row(rank: int, document: Document) -> tuple[Text, ...]:
    """The table cells of one document: rank, score, short id, content preview, meta preview."""
    score = "" if document.score is None else f"{document.score:.4f}"
    meta = ", ".join(f"{key}={value}" for key, value in document.meta.items())
    return (
        Text(str(rank), justify="right"),
        Text(score, justify="right"),
        Text(document.id[:8], style="dim"),
        Text(_one_line(document.content, PREVIEW_CHARS)),
        Text(_one_line(meta, META_PREVIEW_CHARS), style="dim"),
    )


def cut_text(text: str, limit: int = DETAIL_CHARS) -> Text:
    """`text` (secrets redacted, controls made visible) up to `limit` characters, then how many were left out."""
    if len(text) <= limit:
        return Text(safe_text(text))
    shown = Text(safe_text(text[:limit]))
    shown.append(f" … ({len(text) - limit:,} more characters)", style="dim italic")
    return shown


def document_detail(rank: int, total: int, document: Document) -> Text:
    """Everything about one document: id, score, embedding size, meta, then its content (cut at
    `DETAIL_CHARS`)."""
    embedding = "none" if document.embedding is None else _plural(len(document.embedding), "float")
    meta = json.dumps(document.meta, indent=2, ensure_ascii=False, default=str)
    return Text.assemble(
        (f"Document {rank} of {total:,}", "bold"),
        ("  id ", "dim"),
        document.id,
        ("\nscore ", "dim"),
        "none" if document.score is None else str(document.score),
        ("  embedding ", "dim"),
        embedding,
        ("\nmeta ", "dim"),
        meta,
        "\n\n",
        cut_text(document.content) if document.content is not None else Text("(no content)", style="dim italic"),
    )


class DocumentsView(Vertical):
    """A table of documents (rank, score, id, content, meta) and the highlighted one in full below it.

    The table holds the first `DOCUMENTS_SHOWN` documents; `m` (or the button under it) adds `DOCUMENTS_MORE`.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.DOCUMENTS

    DEFAULT_CSS = """
    DocumentsView {
        height: auto;
    }
    DocumentsView > DataTable {
        height: auto;
        max-height: 12;
    }
    DocumentsView > .document-detail {
        height: auto;
        max-height: 12;
        border-top: solid $foreground 20%;
    }
    DocumentsView > .more {
        width: 1fr;
    }
    """

    def __init__(self, documents: Sequence[Document]) -> None:
        super().__init__()
        self.documents = list(documents)
        self.limit = min(len(self.documents), DOCUMENTS_SHOWN)
        """Documents the table is to hold; it fills up to this a chunk at a time."""
        self._added = 0

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        more = Button(self._more_label(), compact=True, classes="more")
        more.display = self.limit < len(self.documents)
        yield more
        with VerticalScroll(classes="document-detail"):
            yield Static()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "score", "id", "content", "meta")
        self._add_rows(min(FIRST_ROWS, self.limit))
        if self.limit > FIRST_ROWS:
            self.run_worker(self._fill(), group="rows")

    def action_more(self) -> None:
        """Let the table hold `DOCUMENTS_MORE` more documents (all of them, eventually)."""
        if self.limit >= len(self.documents):
            return
        filling = self._added < self.limit
        self.limit = min(len(self.documents), self.limit + DOCUMENTS_MORE)
        more = self.query_one(".more", Button)
        more.label = self._more_label()
        more.display = self.limit < len(self.documents)
        if not filling:
            self.run_worker(self._fill(), group="rows")

    @on(Button.Pressed, ".more")
    def _more_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_more()

    def _more_label(self) -> str:
        left = len(self.documents) - self.limit
        return f"{_plural(left, 'more document')} not shown: m (or here) adds {min(left, DOCUMENTS_MORE):,}"

    def _add_rows(self, stop: int) -> None:
        start, self._added = self._added, stop
        rows = [document_row(index + 1, doc) for index, doc in enumerate(self.documents[start:stop], start)]
        self.query_one(DataTable).add_rows(rows)

    async def _fill(self) -> None:
        """Add rows up to `limit` a chunk at a time, yielding to the app so it measures and paints between."""
        while self._added < self.limit:
            self._add_rows(min(self._added + ROWS_PER_CHUNK, self.limit))
            await self.query_one(DataTable).wait_for_refresh()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        index = event.cursor_row
        detail = document_detail(index + 1, len(self.documents), self.documents[index])
        # A highlight can still be queued when the inspector has moved on and this view lost its children.
        for static in self.query(".document-detail Static").results(Static):
            static.update(detail)


# -- messages, strings, other values -------------------------------------------------------------------------

ROLE_STYLES = {"system": "bold magenta", "user": "bold cyan", "assistant": "bold green", "tool": "bold yellow"}


def message_text(message: ChatMessage) -> Text:
    """A chat message as its role (and name) on a line, then its reasoning, texts, tool calls and tool results
    in that order, then its meta if any."""
    role = message.role.value
    text = Text.assemble((role, ROLE_STYLES.get(role, "bold")))
    if message.name:
        text.append(f" ({message.name})", style="dim")
    for reasoning in message.reasonings:
        text.append("\nreasoning: " + reasoning.reasoning_text, style="italic dim")
    if message.texts or not (message.reasonings or message.tool_calls or message.tool_call_results):
        text.append("\n")
        text.append_text(cut_text("\n".join(message.texts)) if message.texts else Text("(no text)"))
    for call in message.tool_calls:
        arguments = json.dumps(call.arguments, ensure_ascii=False, default=str)
        text.append(f"\ntool call {call.tool_name}({arguments})" + (f" id={call.id}" if call.id else ""), style="bold")
    for result in message.tool_call_results:
        content = result.result if isinstance(result.result, str) else "\n".join(part.text for part in result.result)
        label = "tool error" if result.error else "tool result"
        text.append(f"\n{label} for {result.origin.tool_name}: ", style="bold")
        text.append(content)
    if message.meta:
        text.append("\nmeta " + json.dumps(message.meta, ensure_ascii=False, default=str), style="dim")
    return text


class MessagesView(Vertical):
    """Chat messages (a prompt, replies) one after the other, each labelled with its role."""

    DEFAULT_CSS = """
    MessagesView {
        height: auto;
    }
    MessagesView > Static {
        margin-bottom: 1;
    }
    """

    def __init__(self, messages: Sequence[ChatMessage]) -> None:
        super().__init__(*(Static(message_text(message)) for message in messages))


class StringView(TextArea):
    """A string (or one part of a long one, see `LongStringView`) in a read-only editor: selectable, scrollable."""

    DEFAULT_CSS = """
    StringView {
        height: auto;
        max-height: 16;
    }
    """

    def __init__(self, text: str, *, wrap: bool | None = None) -> None:
        super().__init__(safe_text(text), read_only=True, soft_wrap=len(text) <= WRAP_LIMIT if wrap is None else wrap)


class LongStringView(Vertical):
    """A string longer than `STRING_PART`, shown a part at a time: the editor never holds more than a part, so
    showing a 50 MB reply costs what showing 100 kB does. `m` shows the next part, `M` the previous one."""

    BINDINGS: ClassVar[list[BindingType]] = keys.LONG_STRING
    DEFAULT_CSS = """
    LongStringView {
        height: auto;
    }
    LongStringView > Horizontal {
        height: 1;
    }
    LongStringView .part {
        width: 1fr;
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.start = 0

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Button("◀ M", compact=True, classes="previous")
            yield Static(self._where(), classes="part")
            yield Button("m ▶", compact=True, classes="next")
        yield StringView(self.text[:STRING_PART], wrap=False)

    def action_part(self, step: int) -> None:
        """Show the part `step` parts away from this one (within the string)."""
        last = (len(self.text) - 1) // STRING_PART * STRING_PART
        start = max(0, min(last, self.start + step * STRING_PART))
        if start == self.start:
            return
        self.start = start
        self.query_one(StringView).load_text(safe_text(self.text[start : start + STRING_PART]))
        self.query_one(".part", Static).update(self._where())

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_part(-1 if event.button.has_class("previous") else 1)

    def _where(self) -> str:
        stop = min(len(self.text), self.start + STRING_PART)
        return f"characters {self.start + 1:,}-{stop:,} of {len(self.text):,}"


def byte_stream_text(stream: ByteStream) -> Text:
    """A byte stream as its mime type, size and meta, then its first bytes: as text if they decode, else hex."""
    text = Text.assemble(("byte stream", "bold"), ("  ", ""), (stream.mime_type or "no mime type", "dim"))
    text.append(f"  {_plural(len(stream.data), 'byte')}", style="dim")
    if stream.meta:
        text.append("\nmeta " + _one_line(json.dumps(stream.meta, ensure_ascii=False, default=str), 200), "dim")
    head = stream.data[:BYTES_PREVIEW]
    try:
        preview = head.decode("utf-8")
    except UnicodeDecodeError:
        preview = head.hex(" ")
    text.append("\n" + (preview or "(empty)"))
    if len(stream.data) > BYTES_PREVIEW:
        text.append(f" … ({len(stream.data) - BYTES_PREVIEW:,} more bytes)", style="dim italic")
    return text


# -- answers -------------------------------------------------------------------------------------------------


def _score(score: float | None) -> str:
    return "none" if score is None else f"{score:.4f}"


def _answer_meta(meta: Mapping[str, Any]) -> str:
    """The meta as JSON, with `all_messages` (every reply an `AnswerBuilder` saw) counted rather than dumped."""
    shown = {
        key: _plural(len(value), "message") if key == "all_messages" and isinstance(value, list) else value
        for key, value in meta.items()
    }
    return json.dumps(shown, ensure_ascii=False, default=str)


def _highlighted(context: str, span: ExtractedAnswer.Span | None) -> Text:
    """The context with the answer's span in it stressed, when the span lies inside it."""
    text = Text(context)
    if span is not None and 0 <= span.start < span.end <= len(context):
        text.stylize("bold reverse", span.start, span.end)
    return text


def answer_text(answer: GeneratedAnswer | ExtractedAnswer) -> Text:
    """An answer as its text (bold), then the query, then for an extracted answer its score, document and context
    (the answer stressed in it), then the meta if any. A generated answer's documents are tabled below it."""
    if isinstance(answer, GeneratedAnswer):
        text = Text.assemble(("generated answer", "bold green"))
        if answer.documents:
            text.append(f"  {_plural(len(answer.documents), 'document')}", style="dim")
    else:
        text = Text.assemble(("extracted answer", "bold green"), ("  score ", "dim"), _score(answer.score))
    data = answer.data
    text.append("\n")
    text.append(data if data else "(no answer)", style="bold" if data else "dim italic")
    text.append("\nquery ", style="dim")
    text.append(answer.query)
    if isinstance(answer, ExtractedAnswer):
        document = answer.document
        if document is not None:
            text.append("\ndocument ", style="dim")
            text.append(document.id[:8])
            text.append("  score ", style="dim")
            text.append(_score(document.score))
            if answer.document_offset is not None:
                text.append("  at ", style="dim")
                text.append(f"{answer.document_offset.start}-{answer.document_offset.end}")
            if document.meta:
                text.append("  " + _one_line(json.dumps(document.meta, ensure_ascii=False, default=str), 80), "dim")
        if answer.context:
            text.append("\ncontext ", style="dim")
            text.append_text(_highlighted(answer.context, answer.context_offset))
    if answer.meta:
        text.append("\nmeta " + _answer_meta(answer.meta), style="dim")
    return text


class AnswersView(Vertical):
    """Answers one after the other: each as `answer_text`, a generated one's documents as a table below it."""

    DEFAULT_CSS = """
    AnswersView {
        height: auto;
    }
    AnswersView > .answer, AnswersView > DocumentsView {
        margin-bottom: 1;
    }
    """

    def __init__(self, answers: Sequence[GeneratedAnswer | ExtractedAnswer]) -> None:
        parts: list[Widget] = []
        for answer in answers[:ANSWERS_SHOWN]:
            parts.append(Static(answer_text(answer), classes="answer"))
            if isinstance(answer, GeneratedAnswer) and answer.documents:
                parts.append(DocumentsView(answer.documents))
        if len(answers) > ANSWERS_SHOWN:
            more = f"… {len(answers) - ANSWERS_SHOWN:,} more answers not shown"
            parts.append(Static(Text(more, style="dim italic"), classes="note"))
        super().__init__(*parts)


class _More(NamedTuple):
    """The data of a tree entry that stands for the children not shown yet."""

    start: int


def _container(value: Any) -> Mapping[Any, Any] | list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any] | None:
    """What a tree shows as `value`'s children: dataclasses as their fields, values recorded as data as that data,
    others not at all."""
    if isinstance(value, ForeignValue):
        return _container(value.data) if isinstance(value.data, Mapping | list) else None
    if isinstance(value, Document | ChatMessage | GeneratedAnswer | ExtractedAnswer):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        return value
    return None


def _expandable(value: Any) -> bool:
    return bool(_container(value))


def _children(value: Any, start: int) -> tuple[list[tuple[str, Any]], int]:
    """One page of `value`'s children as (label, child) from `start`, and how many children it has."""
    container = _container(value)
    if isinstance(container, Mapping):
        page = islice(container.items(), start, start + TREE_PAGE)
        return [(key if isinstance(key, str) else repr(key), item) for key, item in page], len(container)
    if container is None:
        return [], 0
    page = islice(container, start, start + TREE_PAGE)
    return [(f"[{index}]", item) for index, item in enumerate(page, start)], len(container)


def short_repr(value: Any, limit: int = REPR_CHARS) -> str:
    """The repr of `value`, a long string or bytes by its head only (a 50 MB repr takes a quarter second)."""
    if isinstance(value, str | bytes | bytearray) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value) - limit:,} more)"
    return repr(value)


def _tree_label(key: str, value: Any) -> Text:
    key = safe_line(key)
    if _expandable(value):
        return Text.assemble((key, "bold"), "  ", (summarize(value), "dim"))
    shown = safe_line(short_repr(value))
    if len(shown) > REPR_CHARS:
        shown = shown[: REPR_CHARS - 1] + f"… ({summarize(value)})"
    return Text.assemble((key, "bold"), ": ", shown)


class ValueTree(Tree[Any]):
    """Dicts, lists and dataclasses as a tree whose nodes are built when first expanded, a page at a time."""

    DEFAULT_CSS = """
    ValueTree {
        height: auto;
        max-height: 20;
    }
    """

    def __init__(self, value: Any) -> None:
        super().__init__(Text(summarize(value)), data=value)
        self.show_root = False
        self.guide_depth = 3
        self._add_page(self.root, 0)
        self.root.expand()

    def _add_page(self, node: TreeNode[Any], start: int) -> None:
        children, total = _children(node.data, start)
        for key, child in children:
            node.add(_tree_label(key, child), data=child, allow_expand=_expandable(child))
        shown = start + len(children)
        if shown < total:
            label = Text(f"… {total - shown:,} more (enter to show)", style="dim italic")
            node.add_leaf(label, data=_More(shown))

    @on(Tree.NodeExpanded)
    def _expanded(self, event: Tree.NodeExpanded[Any]) -> None:
        event.stop()
        if not event.node.children:
            self._add_page(event.node, 0)

    @on(Tree.NodeSelected)
    def _selected(self, event: Tree.NodeSelected[Any]) -> None:
        event.stop()
        more, parent = event.node.data, event.node.parent
        if isinstance(more, _More) and parent is not None:
            event.node.remove()
            self._add_page(parent, more.start)


def _document_lists(value: Any) -> bool:
    """A variadic socket of documents (a joiner's input): one list per sender, some possibly empty."""
    return (
        _all_of(value, list)
        and all(not item or _all_of(item, Document) for item in value)
        and any(item for item in value)
    )


def value_view(value: Any) -> Widget:
    """The widget that shows one socket value."""
    value = native(value)
    if isinstance(value, Document | ChatMessage | GeneratedAnswer | ExtractedAnswer | ByteStream):
        value = [value]
    if _all_of(value, Document):
        return DocumentsView(value)
    if _all_of(value, ChatMessage):
        return MessagesView(value)
    if _all_of(value, GeneratedAnswer | ExtractedAnswer):
        return AnswersView(value)
    if _all_of(value, ByteStream):
        return Vertical(*(Static(byte_stream_text(stream)) for stream in value), classes="byte-streams")
    if _document_lists(value):
        return Vertical(
            *(
                Collapsible(
                    DocumentsView(documents) if documents else Static("(none)"),
                    # Textual annotates `title` as str, but takes Content (a str would be read as markup).
                    title=Content(f"[{index}]  {summarize(documents)}"),  # type: ignore[arg-type]
                    collapsed=False,
                )
                for index, documents in enumerate(value)
            ),
            classes="document-lists",
        )
    if isinstance(value, str):
        return StringView(value) if len(value) <= STRING_PART else LongStringView(value)
    if _expandable(value):
        return ValueTree(value)
    return Static(cut_text(short_repr(value, DETAIL_CHARS)), classes="scalar")


def sockets_view(values: Mapping[str, Any]) -> list[Widget]:
    """One collapsible section per socket, titled with its name and a summary of its value."""
    if not values:
        return [Static("(none)", classes="note")]
    return [
        # A styled Content title, which Textual takes though it annotates `title` as str.
        Collapsible(value_view(value), title=_socket_title(socket, value), collapsed=False)  # type: ignore[arg-type]
        for socket, value in values.items()
    ]


def _socket_title(socket: str, value: Any) -> Content:
    """The socket's name, a summary of its value, and why part of it is shown as data, if it is."""
    title = Content.assemble((socket, "bold"), "  ", (summarize(value), "dim"))
    for note in foreign_notes(value):
        title = title + Content.assemble("  ", (note, "italic yellow"))
    return title


# -- the inspector -------------------------------------------------------------------------------------------


class Inspector(Vertical):
    """One component visit: Inputs and Outputs tabs, and an Error tab with the traceback when it failed.

    The screen calls `show()` whenever the selection or the session changes; calls that change nothing are
    cheap, so it may call on every poll.
    """

    DEFAULT_CSS = """
    Inspector {
        height: 1fr;
    }
    Inspector > #inspector-title {
        height: 1;
        padding: 0 1;
    }
    Inspector > #inspector-children {
        height: auto;
        max-height: 6;
        padding: 0 1;
        overflow-y: auto;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Inspector > #inspector-hint {
        padding: 1 2;
        color: $text-muted;
    }
    Inspector > TabbedContent {
        height: 1fr;
    }
    Inspector TabPane {
        padding: 0;
    }
    Inspector .sockets {
        height: 1fr;
    }
    Inspector .note {
        padding: 1 2;
        color: $text-muted;
    }
    Inspector #traceback {
        height: 1fr;
    }
    Inspector #error-summary {
        padding: 0 1;
        color: $text-error;
        text-style: bold;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._visit: tuple[str | None, int | None] | None = None
        self._title: Text | None = None
        self._sources: dict[str, Mapping[str, Any] | str] = {}
        self._traceback: str | None = None
        self._children: tuple[ChildSpanRecord, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="inspector-title")
        yield Static(id="inspector-children")
        yield Static(HINT, id="inspector-hint")
        with TabbedContent(initial="outputs"):
            with TabPane("Inputs", id="inputs"):
                yield VerticalScroll(classes="sockets")
            with TabPane("Outputs", id="outputs"):
                yield VerticalScroll(classes="sockets")
            with TabPane("Error", id="error"):
                yield Static(id="error-summary", markup=False)
                yield TextArea(id="traceback", read_only=True, soft_wrap=True)

    def on_mount(self) -> None:
        self.query_one(TabbedContent).hide_tab("error")
        self.query_one("#inspector-children").display = False
        self.show(None, None, None, "")

    def show(
        self,
        component: str | None,
        visit: int | None,
        record: ComponentSpan | None,
        status: str,
        *,
        children: Sequence[ChildSpanRecord] = (),
        no_content: str | None = None,
    ) -> None:
        """Show `component`'s visit number `visit` (`None`: not started) with its `record` (`None` until it
        starts) and `status` (running, finished, failed, ...); a `None` component shows a hint instead.
        `children`: the spans other services opened under the visit, listed above its sockets. `no_content`:
        why the run holds no socket values (content tracing was off where it was traced), shown instead of the
        inputs and outputs it recorded (none, or markers saying they were not traced).

        A pane is rebuilt only when what it shows changed, so a table keeps its cursor while the run goes on.
        """
        self._show_children(tuple(children) if component is not None else ())
        title = _title(component, visit, record, status)
        if title != self._title:
            self._title = title
            self.query_one("#inspector-title", Static).update(title)
        tabs = self.query_one(TabbedContent)
        self.query_one("#inspector-hint").display = component is None
        tabs.display = component is not None
        moved = (component, visit) != self._visit
        self._visit = (component, visit)
        if component is None:
            return
        inputs, outputs = _inputs_source(record, status), _outputs_source(record, status)
        if no_content is not None:
            inputs = no_content if isinstance(inputs, Mapping) else inputs
            outputs = no_content if isinstance(outputs, Mapping) else outputs
        self._fill("inputs", inputs, rebuild=moved)
        self._fill("outputs", outputs, rebuild=moved)
        self._show_error(tabs, None if record is None else _traceback(record), switch=moved)
        if moved and _paused_before(record, status):
            tabs.active = "inputs"

    @property
    def error_text(self) -> str | None:
        """The shown visit's error and traceback as the Error tab shows them (secrets redacted), if it failed."""
        return None if self._traceback is None else self.query_one("#traceback", TextArea).text

    def show_error(self) -> None:
        """Bring the Error tab to the front and focus the traceback (selectable, wrapped), if the visit failed."""
        if self._traceback is not None:
            self.query_one(TabbedContent).active = "error"
            self.query_one("#traceback", TextArea).focus()

    def _show_children(self, children: tuple[ChildSpanRecord, ...]) -> None:
        if children == self._children:
            return
        self._children = children
        view = self.query_one("#inspector-children", Static)
        view.display = bool(children)
        view.update(children_text(children))

    def _fill(self, pane: str, source: Mapping[str, Any] | str, *, rebuild: bool) -> None:
        """Show `source` (socket values, or a note) in `pane` unless it already shows that very object."""
        old = self._sources.get(pane)
        if not rebuild and (old is source or (isinstance(source, str) and source == old)):
            return
        self._sources[pane] = source
        body = self.query_one(f"#{pane} .sockets", VerticalScroll)
        body.remove_children()
        body.mount_all([Static(source, classes="note")] if isinstance(source, str) else sockets_view(source))

    def _show_error(self, tabs: TabbedContent, traceback: str | None, *, switch: bool) -> None:
        """Show the Error tab only for a failed visit, and switch to it when the selection moved there or the
        shown visit has just failed (watched while it ran, it would otherwise fail behind the Outputs tab)."""
        if traceback != self._traceback:
            self._traceback = traceback
            shown = safe_text(traceback or "")
            self.query_one("#traceback", TextArea).text = shown
            self.query_one("#error-summary", Static).update(_error_line(shown))
            if traceback is None:
                if tabs.active == "error":
                    tabs.active = "outputs"
                tabs.hide_tab("error")
            else:
                tabs.show_tab("error")
                switch = True
        if switch and traceback is not None:
            tabs.active = "error"


def children_text(children: Sequence[ChildSpanRecord]) -> Text:
    """One line per child span: duration, status, then its name and service (a failed one with its message);
    the pane cuts long lines rather than wrapping them."""
    text = Text()
    for index, child in enumerate(children[:CHILDREN_SHOWN]):
        if index:
            text.append("\n")
        text.append("↳ ", style="dim")
        text.append(f"{format_duration(child.duration):>9} ", style="dim")
        if child.failed:
            text.append("error ", style=STATUS_STYLES["failed"])
        else:
            text.append(f"{child.status:<5} ", style="green" if child.status == "ok" else "dim")
        text.append(_one_line(child.name, CHILD_NAME_CHARS))
        if child.service:
            text.append(f" ({child.service})", style="dim")
        if child.failed and child.status_message:
            text.append(f" · {_one_line(child.status_message, CHILD_NAME_CHARS)}", style="red")
    if len(children) > CHILDREN_SHOWN:
        text.append(f"\n… {len(children) - CHILDREN_SHOWN:,} more (see the timeline)", style="dim")
    return text


def _traceback(record: ComponentSpan) -> str | None:
    if record.traceback is not None:
        return record.traceback
    return None if record.error is None else repr(record.error)


def _error_line(traceback: str) -> str:
    """The exception's own line (a traceback's last), above the traceback: a long one keeps it out of view."""
    lines = [line for line in traceback.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _paused_before(record: ComponentSpan | None, status: str) -> bool:
    """Paused on a visit that has started but not run: a breakpoint before it (a pause after it has outputs)."""
    return status == "paused" and record is not None and record.outputs is None and _traceback(record) is None


def _title(component: str | None, visit: int | None, record: ComponentSpan | None, status: str) -> Text:
    if component is None:
        return Text("Inspector", style="bold")
    title = Text.assemble((component, "bold"))
    if visit is not None:
        title.append(f"  visit {visit}", style="dim")
    if _paused_before(record, status):
        title.append("  ")
        title.append(f"⏸ paused before {component}", style=STATUS_STYLES["paused"])
    elif status:
        title.append("  ")
        title.append(RUNNING if status == "running" else status, style=STATUS_STYLES.get(status, ""))
    if record is not None and record.original_outputs is not None:
        title.append("  outputs edited at a breakpoint", style="italic yellow")
    return title


def _inputs_source(record: ComponentSpan | None, status: str) -> Mapping[str, Any] | str:
    if status == "skipped":
        return SKIPPED
    if record is None or record.inputs is None:
        return RUNNING if status == "running" else "This component has not started."
    return record.inputs


def _outputs_source(record: ComponentSpan | None, status: str) -> Mapping[str, Any] | str:
    if record is not None and record.outputs is not None:
        return record.outputs
    if _paused_before(record, status):
        return "Paused before this visit runs: its inputs are in Inputs. Continue or step to run it."
    if status == "running":
        return RUNNING
    if record is not None and _traceback(record) is not None:
        return "No outputs: the visit failed (see Error)."
    if status == "cancelled":
        return "No outputs: the visit was cancelled before it finished."
    if status == "skipped":
        return SKIPPED
    return "No outputs yet."
