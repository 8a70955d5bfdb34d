"""Views of a run built only from its typed events, so live runs, recordings and replays look the same."""

from pipeline.runs.spans import ComponentSpan, RunStatus, RunSummary, SpanStatus

__all__ = ["ComponentSpan", "RunStatus", "RunSummary", "SpanStatus"]
