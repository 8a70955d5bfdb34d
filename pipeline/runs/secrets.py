"""Which secret values must never be written or shown, and their removal from text.

Two sources: environment variables whose names look secret (`codec.secrets_from_env`), and the `Secret`s a
pipeline's components hold (a token given in code, or an environment variable of any name). A component that
leaks one into its outputs, a print, a log record or an exception message leaks a value we know: recordings,
exports and the debugger's screen replace it with `<redacted:NAME>`.

Pipelines seen by `remember` (the debugger's loader, every recorder) stay known for the life of the process, so
a token keeps being redacted in later exports and screens of that run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from pipeline.runs.codec import Encoder, secrets_from_env
from pipeline.utils.auth import EnvVarSecret, Secret, TokenSecret

_KNOWN: dict[str, str] = {}
_LOCK = threading.Lock()
_SCAN_DEPTH = 3
"""Levels of lists and dicts searched in a component's attributes for `Secret`s."""
_REREAD_SECONDS = 0.25
"""How long `scrub` reuses what it read of the environment (reading it costs 50 µs; `scrub` runs for every line
the debugger shows); `remember` takes effect at once."""
_scrubber: tuple[float, Encoder] | None = None


def secrets_of(pipeline: Any) -> dict[str, str]:
    """The values of the `Secret`s `pipeline`'s components hold (attributes, and the lists or dicts in them),
    each mapped to the name it is redacted as: the variable's name, or `component.attribute` for a token."""
    found: dict[str, str] = {}
    walk = getattr(pipeline, "walk", None)
    if not callable(walk):
        return found
    for name, instance in walk():
        for attribute, secret in _secrets_in(getattr(instance, "__dict__", {}), 0):
            try:
                value = secret.resolve_value()
            except Exception:  # a strict env-var secret whose variable is unset: nothing to redact
                continue
            if not value:
                continue
            if isinstance(secret, EnvVarSecret):
                label = next((var for var in secret.env_vars if var), f"{name}.{attribute}")
            else:
                label = f"{name}.{attribute}"
            found[value] = label
    return found


def _secrets_in(values: Mapping[Any, Any], depth: int) -> Iterator[tuple[str, Secret]]:
    for key, value in values.items():
        if isinstance(value, TokenSecret | EnvVarSecret):
            yield str(key), value
        elif depth < _SCAN_DEPTH and isinstance(value, Mapping):
            yield from _secrets_in(value, depth + 1)
        elif depth < _SCAN_DEPTH and isinstance(value, list | tuple):
            yield from _secrets_in(dict(enumerate(value)), depth + 1)


def remember(pipeline: Any) -> None:
    """Keep redacting the secrets of `pipeline` in everything this process writes or shows."""
    global _scrubber
    found = secrets_of(pipeline)
    if found:
        with _LOCK:
            _KNOWN.update(found)
            _scrubber = None


def known_secrets(pipeline: Any = None) -> dict[str, str]:
    """Every secret value to redact now: the environment's, the remembered pipelines', and `pipeline`'s."""
    with _LOCK:
        known = {**secrets_from_env(), **_KNOWN}
    if pipeline is not None:
        known.update(secrets_of(pipeline))
    return known


def scrub(text: str, pipeline: Any = None) -> str:
    """`text` with every known secret value (and `pipeline`'s) replaced by `<redacted:NAME>`."""
    global _scrubber
    if pipeline is not None:
        return Encoder(known_secrets(pipeline)).scrub(text)
    cached = _scrubber
    if cached is None or time.monotonic() - cached[0] > _REREAD_SECONDS:
        cached = _scrubber = (time.monotonic(), Encoder(known_secrets()))
    return cached[1].scrub(text)
