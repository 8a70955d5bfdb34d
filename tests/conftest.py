"""Fixtures shared by every test package."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# No test may reach a model hub: set before anything imports huggingface_hub, which reads it once.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# haystack-ai (the `haystack` extra, in dev) must not send telemetry from tests.
os.environ["HAYSTACK_TELEMETRY_ENABLED"] = "False"
# Embedding caches start empty in every test session, so tests see what a fresh machine sees.
os.environ["PIPEDEBUG_CACHE_DIR"] = tempfile.mkdtemp(prefix="pipedebug-test-cache-")

import pytest

from tests.fakes.openai_server import FakeOpenAIServer


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A real OpenAI-compatible server on 127.0.0.1 (ephemeral port) for this test alone."""
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture(autouse=True)
def runs_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Recordings made by a test go to a folder of its own, never into the working tree."""
    directory = tmp_path_factory.mktemp("runs")
    monkeypatch.setenv("PIPEDEBUG_RUNS_DIR", str(directory))
    yield directory
