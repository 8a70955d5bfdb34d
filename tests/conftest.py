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


LLM_ENDPOINT_VARIABLES = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PIPEDEBUG_OPENAI_MODEL")


@pytest.fixture(autouse=True)
def llm_endpoint_stays_as_it_was() -> Iterator[None]:
    """A test that leaves an LLM endpoint set sends later tests' samples to the network: fail it at once."""
    before = {name: os.environ.get(name) for name in LLM_ENDPOINT_VARIABLES}
    yield
    after = {name: os.environ.get(name) for name in LLM_ENDPOINT_VARIABLES}
    assert after == before, f"the test changed the LLM endpoint variables: {before} -> {after}"
