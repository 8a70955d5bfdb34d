"""Views of a run built only from its typed events, so live runs, recordings and replays look the same."""

from pipeline.runs.spans import ChildRecord, ComponentSpan, Pause, RunStatus, RunSummary, SpanStatus

__all__ = ["ChildRecord", "ComponentSpan", "Pause", "RunStatus", "RunSummary", "SpanStatus"]
