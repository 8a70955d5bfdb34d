"""The debugger's state without any UI: conditions, breakpoints, and the session that drives a run's events."""

from tui.state.breakpoints import Breakpoint, BreakpointHit, Breakpoints
from tui.state.conditions import Condition, ConditionError, ConditionEvaluationError, ConditionSyntaxError
from tui.state.session import DebugSession, PauseReason, SessionError, SessionStatus

__all__ = [
    "Breakpoint",
    "BreakpointHit",
    "Breakpoints",
    "Condition",
    "ConditionError",
    "ConditionEvaluationError",
    "ConditionSyntaxError",
    "DebugSession",
    "PauseReason",
    "SessionError",
    "SessionStatus",
]
