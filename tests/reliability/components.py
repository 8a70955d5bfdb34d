"""Components that misbehave on purpose: they hang, raise, print escape sequences or leak secrets.

Loaded from YAML with `allowed_modules=["tests.reliability.components"]` (`--allow-module` on the CLI).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time

from pipeline import component
from pipeline.utils import Secret

HOSTILE = "\x1b]52;c;cHduZWQ=\x07\x1b[2J\x1b[31mred\x1b[0m\x9b31m"
"""An OSC 52 clipboard write, a clear-screen, an SGR colour and a C1 CSI: what a terminal must never receive raw."""

logger = logging.getLogger("tests.reliability.components")

RELEASE = threading.Event()
"""Set by a test to let a hung sync component return, so its thread ends before the next test."""


@component
class Source:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@component
class Raise:
    """Raises an error whose message names the value."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise ValueError(f"cannot take {value}")


@component
class HangSync:
    """Blocks its worker thread until `RELEASE` is set (or `seconds` pass): Python cannot kill that thread."""

    def __init__(self, seconds: float = 30.0) -> None:
        self.seconds = seconds

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        RELEASE.wait(self.seconds)
        return {"value": value}


@component
class HangAsync:
    """Awaits forever (cancellable)."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        await asyncio.sleep(3600)
        return {"value": value}


@component
class Slow:
    """Sleeps `seconds` in its thread, then passes the value on: time for a test to interrupt a run."""

    def __init__(self, seconds: float = 0.2) -> None:
        self.seconds = seconds

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        time.sleep(self.seconds)
        return {"value": value}


@component
class Hostile:
    """Puts escape sequences everywhere a string can go: its output, a print, a log record."""

    @component.output_types(text=str, nested=dict)
    def run(self, value: int) -> dict[str, object]:
        print(f"printed {HOSTILE}")
        logger.warning("logged %s", HOSTILE)
        return {"text": f"out {HOSTILE}", "nested": {f"key{HOSTILE}": [HOSTILE]}}


@component
class HostileRaise:
    """Raises an error whose message holds escape sequences."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise RuntimeError(f"bad {HOSTILE}")


@component
class LeakKey:
    """Reads an API key from the environment and leaks it into its output, a print, a log and an error."""

    def __init__(self, api_key: Secret | None = None, fail: bool = False) -> None:
        self.api_key = api_key or Secret.from_env_var("PIPEDEBUG_TEST_API_KEY")
        self.fail = fail

    @component.output_types(text=str)
    def run(self, value: int) -> dict[str, str]:
        key = self.api_key.resolve_value() or ""
        print(f"using key {key}")
        logger.warning("calling with Authorization: Bearer %s", key)
        if self.fail:
            raise RuntimeError(f"401 for key {key}")
        return {"text": f"the key is {key}"}


@component
class LeakEnv:
    """Leaks OPENAI_API_KEY from the environment, without any Secret."""

    @component.output_types(text=str)
    def run(self, value: int) -> dict[str, str]:
        return {"text": f"key={os.environ.get('OPENAI_API_KEY', '')}"}


@component
class Big:
    """Returns a string of `size` characters: one event line larger than a nearly full disk can take."""

    def __init__(self, size: int = 1_000_000) -> None:
        self.size = size

    @component.output_types(text=str)
    def run(self, value: int) -> dict[str, str]:
        return {"text": "x" * self.size}
