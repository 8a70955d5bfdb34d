"""Compare two runs, usually of the same pipeline, visit by visit: what each component received and produced.

A "what changed?" question after editing a prompt, a retriever's settings or a model is answered by diffing the
two runs' events, not by eyeballing logs. Visits are matched by `(component, visit)`, so loops compare their
nth turns. Values get the comparison that reads best for their kind: documents by id and rank, chat messages
one by one with text diffs, strings as unified diffs, anything else by equality. The result is plain data so the
CLI and the debugger can render it however they lay it out (see `tui/render_diff.py`).
"""

from __future__ import annotations

import difflib
import json
import reprlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from pipeline.core.events import RunEvent
from pipeline.dataclasses import ChatMessage, Document
from pipeline.runs.spans import ComponentSpan, RunStatus, RunSummary, SpanStatus

_short = reprlib.Repr()
_short.maxstring, _short.maxother, _short.maxlist, _short.maxdict, _short.maxlevel = 80, 80, 6, 6, 3


def short_repr(value: Any) -> str:
    """A repr that fits in a table cell, however large the value."""
    return _short.repr(value)


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds in run a and run b; `None` where the run has no such time (the component never ran there)."""

    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def ratio(self) -> float | None:
        """b / a: above 1 means slower in b."""
        return None if self.a is None or self.b is None or self.a == 0 else self.b / self.a


@dataclass(frozen=True, slots=True)
class RankedDocument:
    rank: int
    """1-based position in its list."""
    document: Document


@dataclass(frozen=True, slots=True)
class KeptDocument:
    """A document id present in both lists, with where it stood and how it scored in each."""

    id: str
    old_rank: int
    new_rank: int
    old: Document
    new: Document

    @property
    def old_score(self) -> float | None:
        return self.old.score

    @property
    def new_score(self) -> float | None:
        return self.new.score

    @property
    def same_content(self) -> bool:
        """False when the id stayed but content, meta or embedding differ (ids can be set by hand)."""
        return (self.old.content, self.old.meta) == (self.new.content, self.new.meta) and _equal(
            self.old.embedding, self.new.embedding
        )

    @property
    def moved(self) -> bool:
        return self.old_rank != self.new_rank

    @property
    def score_delta(self) -> float | None:
        return None if self.old_score is None or self.new_score is None else self.new_score - self.old_score

    @property
    def changed(self) -> bool:
        return self.moved or self.old_score != self.new_score or not self.same_content


@dataclass(frozen=True, slots=True)
class DocumentsDiff:
    """Two document lists compared by id; a repeated id counts at its first rank."""

    added: list[RankedDocument]
    removed: list[RankedDocument]
    kept: list[KeptDocument]
    """Every id in both lists, in b's order, changed or not: the score deltas per kept document."""

    @property
    def moved(self) -> list[KeptDocument]:
        return [doc for doc in self.kept if doc.moved]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed) or any(doc.changed for doc in self.kept)


@dataclass(frozen=True, slots=True)
class MessageDiff:
    """The nth message of each list (`None` where a list is shorter), and a unified diff of what they say
    (texts, tool calls, tool results)."""

    index: int
    a: ChatMessage | None
    b: ChatMessage | None
    text_diff: list[str]


@dataclass(frozen=True, slots=True)
class MessagesDiff:
    messages: list[MessageDiff]
    """Only the positions whose messages differ (role, text, name or meta)."""

    @property
    def changed(self) -> bool:
        return bool(self.messages)


@dataclass(frozen=True, slots=True)
class TextDiff:
    a: str
    b: str
    lines: list[str]
    """Unified diff lines (`---`/`+++` headers, `@@` hunks, then ` `/`-`/`+` lines)."""


@dataclass(frozen=True, slots=True)
class ValueDiff:
    """Values with no finer comparison, or a socket missing on one side (`None`)."""

    a: str | None
    b: str | None
    """Short reprs; `None` when that run has no value on this socket."""


Change: TypeAlias = DocumentsDiff | MessagesDiff | TextDiff | ValueDiff


@dataclass(frozen=True, slots=True)
class SocketDiff:
    socket: str
    change: Change


@dataclass(slots=True)
class VisitDiff:
    """One `(component, visit)` in either run: how each ended, how long it took, and what differed."""

    component: str
    visit: int
    status_a: SpanStatus | None
    status_b: SpanStatus | None
    """`None` when that run has no such visit."""
    timing: Timing
    reused_a: bool
    reused_b: bool
    """The visit handed on recorded outputs instead of running (a fork): its time measures nothing."""
    inputs: list[SocketDiff]
    outputs: list[SocketDiff]
    """Only sockets whose values differ; the outputs are those delivered downstream (after `OutputsReplaced`)."""

    @property
    def changed(self) -> bool:
        return self.status_a != self.status_b or bool(self.inputs or self.outputs)


@dataclass(slots=True)
class RunDiff:
    run_a: str | None
    run_b: str | None
    status_a: RunStatus
    status_b: RunStatus
    total: Timing
    """Run durations in pipeline time: from `RunStarted` to the final event, less warm-ups and pauses (see
    `RunSummary.duration`)."""
    paused: Timing
    """Seconds each run stood paused with nothing in flight (not in `total`)."""
    warm_up: Timing
    """Seconds each run spent on warm-ups before its first visit (not in `total`)."""
    only_in_a: list[str]
    only_in_b: list[str]
    """Components that ran in one run only."""
    components: dict[str, Timing]
    """Time spent in each component, summed over its visits, in the order the components first started."""
    visits: list[VisitDiff]
    """Every visit of either run, changed or not, in a's start order, then b's extra visits in b's order."""

    @property
    def changed(self) -> bool:
        """Whether anything but timing differs: timing always does, so it is left out."""
        return (
            self.status_a != self.status_b
            or bool(self.only_in_a or self.only_in_b)
            or any(visit.changed for visit in self.visits)
        )

    @property
    def changed_visits(self) -> list[VisitDiff]:
        return [visit for visit in self.visits if visit.changed]


@dataclass(slots=True)
class _Run:
    """One run's visit records, keyed by `(component, visit)`."""

    summary: RunSummary
    spans: dict[tuple[str, int], ComponentSpan]


def _fold(events: Sequence[RunEvent]) -> _Run:
    summary = RunSummary.from_events(events)
    return _Run(summary, {(span.component, span.visit): span for span in summary.spans})


def diff_runs(a: Sequence[RunEvent], b: Sequence[RunEvent]) -> RunDiff:
    """Compare run b against run a (b is "new"): components, visits, their inputs and outputs, and timing."""
    run_a, run_b = _fold(a), _fold(b)
    keys = list(run_a.spans) + [key for key in run_b.spans if key not in run_a.spans]
    names_a = {component for component, _ in run_a.spans}
    names_b = {component for component, _ in run_b.spans}
    order = list(dict.fromkeys(component for component, _ in keys))
    return RunDiff(
        run_a=run_a.summary.run_id,
        run_b=run_b.summary.run_id,
        status_a=run_a.summary.status,
        status_b=run_b.summary.status,
        total=Timing(run_a.summary.duration, run_b.summary.duration),
        paused=Timing(run_a.summary.paused_time(), run_b.summary.paused_time()),
        warm_up=Timing(run_a.summary.warm_up_time, run_b.summary.warm_up_time),
        only_in_a=[name for name in order if name not in names_b],
        only_in_b=[name for name in order if name not in names_a],
        components={name: Timing(_busy(run_a, name), _busy(run_b, name)) for name in order},
        visits=[_diff_visit(run_a, run_b, key) for key in keys],
    )


def _diff_visit(run_a: _Run, run_b: _Run, key: tuple[str, int]) -> VisitDiff:
    span_a, span_b = run_a.spans.get(key), run_b.spans.get(key)
    return VisitDiff(
        component=key[0],
        visit=key[1],
        status_a=None if span_a is None else span_a.status,
        status_b=None if span_b is None else span_b.status,
        timing=Timing(None if span_a is None else span_a.duration, None if span_b is None else span_b.duration),
        reused_a=span_a is not None and span_a.reused,
        reused_b=span_b is not None and span_b.reused,
        inputs=diff_values(_values(span_a, "inputs"), _values(span_b, "inputs")),
        outputs=diff_values(_values(span_a, "outputs"), _values(span_b, "outputs")),
    )


def _values(span: ComponentSpan | None, which: str) -> dict[str, Any]:
    """A visit's inputs or (delivered) outputs; none when the run lacks the visit or it produced nothing."""
    values = None if span is None else span.inputs if which == "inputs" else span.outputs
    return values or {}


def _busy(run: _Run, component: str) -> float | None:
    spans = run.summary.spans_of(component)
    return sum(span.duration or 0.0 for span in spans) if spans else None


def diff_values(a: dict[str, Any], b: dict[str, Any]) -> list[SocketDiff]:
    """The sockets of either side whose values differ, in a's socket order then b's."""
    diffs = []
    for socket in dict.fromkeys([*a, *b]):
        if socket not in a or socket not in b:
            change: Change | None = ValueDiff(
                short_repr(a[socket]) if socket in a else None, short_repr(b[socket]) if socket in b else None
            )
        else:
            change = diff_value(a[socket], b[socket], label=socket)
        if change is not None:
            diffs.append(SocketDiff(socket, change))
    return diffs


def diff_value(a: Any, b: Any, *, label: str = "value") -> Change | None:
    """How two values of one socket differ, or `None` when they do not; `label` names the diff's files.

    Document lists that match id for id but repeat some ids a different number of times fall through to
    equality, the only comparison that still tells them apart.
    """
    if _all_of(Document, a, b) and (documents := diff_documents(a, b)).changed:
        return documents
    if _all_of(ChatMessage, a, b) and (messages := diff_messages(a, b, label=label)).changed:
        return messages
    if isinstance(a, str) and isinstance(b, str):
        return None if a == b else TextDiff(a, b, unified_diff(a, b, label=label))
    return None if _equal(a, b) else ValueDiff(short_repr(a), short_repr(b))


def _all_of(kind: type, a: Any, b: Any) -> bool:
    """Both values are lists of `kind`, and at least one is non-empty (so `[]` vs `[]` falls to equality)."""
    return (
        isinstance(a, list)
        and isinstance(b, list)
        and bool(a or b)
        and all(isinstance(item, kind) for item in (*a, *b))
    )


def _equal(a: Any, b: Any) -> bool:
    """Equality that survives values whose `==` is elementwise or raises (arrays, tensors): repr decides then."""
    try:
        return bool(a == b)
    except Exception:
        return repr(a) == repr(b)


def diff_documents(a: list[Document], b: list[Document]) -> DocumentsDiff:
    first_a = _first_ranks(a)
    first_b = _first_ranks(b)
    return DocumentsDiff(
        added=[RankedDocument(rank, doc) for doc_id, (rank, doc) in first_b.items() if doc_id not in first_a],
        removed=[RankedDocument(rank, doc) for doc_id, (rank, doc) in first_a.items() if doc_id not in first_b],
        kept=[
            KeptDocument(id=doc_id, old_rank=first_a[doc_id][0], new_rank=rank, old=first_a[doc_id][1], new=doc)
            for doc_id, (rank, doc) in first_b.items()
            if doc_id in first_a
        ],
    )


def _first_ranks(documents: list[Document]) -> dict[str, tuple[int, Document]]:
    ranks: dict[str, tuple[int, Document]] = {}
    for rank, doc in enumerate(documents, start=1):
        ranks.setdefault(doc.id, (rank, doc))
    return ranks


def diff_messages(a: list[ChatMessage], b: list[ChatMessage], *, label: str = "messages") -> MessagesDiff:
    diffs = []
    for index in range(max(len(a), len(b))):
        old = a[index] if index < len(a) else None
        new = b[index] if index < len(b) else None
        if old is not None and new is not None and _equal(old, new):
            continue
        text_diff = unified_diff(_message_lines(old), _message_lines(new), label=f"{label}[{index}]")
        diffs.append(MessageDiff(index, old, new, text_diff))
    return MessagesDiff(diffs)


def _message_lines(message: ChatMessage | None) -> str:
    """What a message says, as text to diff: its texts, then a line per tool call and per tool result."""
    if message is None:
        return ""
    lines = list(message.texts)
    lines += [f"tool call {call.tool_name}({json.dumps(call.arguments, default=str)})" for call in message.tool_calls]
    for result in message.tool_call_results:
        content = result.result if isinstance(result.result, str) else "\n".join(part.text for part in result.result)
        lines.append(f"tool {'error' if result.error else 'result'} for {result.origin.tool_name}: {content}")
    return "\n".join(lines)


def unified_diff(a: str, b: str, *, label: str) -> list[str]:
    """Line-based unified diff of two texts, with `a/label` and `b/label` as the file names.

    Lines are split on "\n" alone, so a text that only gained a trailing newline still shows a changed line.
    """
    return list(difflib.unified_diff(_lines(a), _lines(b), fromfile=f"a/{label}", tofile=f"b/{label}", lineterm=""))


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []
