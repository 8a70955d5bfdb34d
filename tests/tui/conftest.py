"""Make rich's terminal detection and width the same on every machine the CLI tests run on."""

from __future__ import annotations

import pytest

RICH_ENVIRONMENT = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "LINES")


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Captured output is not a terminal and is 100 columns wide, unless a test says otherwise."""
    for name in RICH_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
