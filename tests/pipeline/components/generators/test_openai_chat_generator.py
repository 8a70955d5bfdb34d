"""`OpenAIChatGenerator` with the real `openai` client against a real local server (`tests/fakes/openai_server.py`).

Nothing is mocked: requests cross a TCP socket, so retries, timeouts, streaming and concurrency are the SDK's own.
"""

from __future__ import annotations

import asyncio
import itertools
import traceback
from typing import Any

import openai
import pytest

from pipeline import AsyncPipeline, ChatMessage, DefinitionError, StreamingChunk, component
from pipeline.components.generators.chat import OpenAIChatGenerator, OpenAIChatGeneratorError
from pipeline.core.serialization import component_from_dict, component_to_dict
from pipeline.utils.auth import Secret
from tests.fakes.openai_server import Error, FakeOpenAIServer, Hang, RecordedRequest, Reply

SECRET = "sk-test-5f0e2c-NEVER-WRITE-ME"
OPENAI_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_TIMEOUT",
    "OPENAI_MAX_RETRIES",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "OPENAI_ADMIN_KEY",
    "OPENAI_CUSTOM_HEADERS",
)


@pytest.fixture(autouse=True)
def clean_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own OpenAI settings must not leak into (or rescue) any test."""
    for name in OPENAI_ENV:
        monkeypatch.delenv(name, raising=False)


def user(text: str) -> list[ChatMessage]:
    return [ChatMessage.from_system("Be brief."), ChatMessage.from_user(text)]


def generator(server: FakeOpenAIServer, **kwargs: Any) -> OpenAIChatGenerator:
    return OpenAIChatGenerator(api_base_url=server.base_url, **kwargs)


def overlap_all(requests: list[RecordedRequest]) -> bool:
    """True if some moment lies inside every request's [arrived, finished] interval."""
    assert all(r.finished is not None for r in requests)
    return max(r.arrived for r in requests) < min(r.finished for r in requests)  # type: ignore[type-var]


# -- plain runs -------------------------------------------------------------------------------------------------------


def test_run_sends_the_messages_and_returns_the_reply_with_plain_meta(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    result = generator(openai_server, model="llama3.2").run(user("What is a pipeline?"))

    (reply,) = result["replies"]
    assert reply.text == "echo: What is a pipeline?"
    assert reply.is_from("assistant")
    assert reply.meta == {
        "model": "llama3.2",
        "index": 0,
        "finish_reason": "stop",
        "usage": {"prompt_tokens": 6, "completion_tokens": 5, "total_tokens": 11},
    }
    (request,) = openai_server.chat_requests
    assert request.body["model"] == "llama3.2"
    assert request.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is a pipeline?"},
    ]
    assert request.body["stream"] is False
    assert request.headers["authorization"] == f"Bearer {SECRET}"


async def test_run_async_returns_the_reply(openai_server: FakeOpenAIServer) -> None:
    openai_server.reply_text = "Pipelines connect components."
    result = await generator(openai_server).run_async(user("Explain"))

    (reply,) = result["replies"]
    assert reply.text == "Pipelines connect components."
    assert reply.meta["model"] == "gpt-4o-mini"
    assert reply.meta["usage"] == {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6}
    assert openai_server.chat_requests[0].headers["x-stainless-async"] != "false"


def test_no_messages_means_no_request(openai_server: FakeOpenAIServer) -> None:
    assert generator(openai_server).run([]) == {"replies": []}
    assert openai_server.requests == []


def test_generation_kwargs_reach_the_server_run_values_overriding_init_values(
    openai_server: FakeOpenAIServer,
) -> None:
    """`top_k` is no parameter of the SDK's `create`: it still reaches the server (as local servers expect)."""
    llm = generator(openai_server, generation_kwargs={"temperature": 0.2, "max_tokens": 64})
    result = llm.run(user("hi"), generation_kwargs={"temperature": 0.9, "seed": 7, "top_k": 40, "n": 2})

    body = openai_server.chat_requests[0].body
    assert {key: body[key] for key in ("temperature", "max_tokens", "seed", "top_k", "n")} == {
        "temperature": 0.9,
        "max_tokens": 64,
        "seed": 7,
        "top_k": 40,
        "n": 2,
    }
    assert [reply.meta["index"] for reply in result["replies"]] == [0, 1]
    assert llm.generation_kwargs == {"temperature": 0.2, "max_tokens": 64}


# -- streaming --------------------------------------------------------------------------------------------------------


def test_streaming_with_a_sync_callback(openai_server: FakeOpenAIServer) -> None:
    openai_server.reply_text = "one two three four"
    chunks: list[StreamingChunk] = []
    result = generator(openai_server, streaming_callback=chunks.append).run(user("count"))

    (reply,) = result["replies"]
    assert [chunk.content for chunk in chunks if chunk.content] == ["one ", "two ", "three ", "four"]
    assert "".join(chunk.content for chunk in chunks) == reply.text == "one two three four"
    assert reply.meta["finish_reason"] == "stop"
    assert reply.meta["model"] == "gpt-4o-mini"
    assert reply.meta["usage"] == {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}
    assert chunks[-1].meta["usage"] == reply.meta["usage"]  # usage arrives last, in a chunk of its own
    body = openai_server.chat_requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


async def test_streaming_with_an_async_callback_given_to_run_async(openai_server: FakeOpenAIServer) -> None:
    openai_server.reply_text = "alpha beta gamma"
    received: list[str] = []

    async def on_chunk(chunk: StreamingChunk) -> None:
        await asyncio.sleep(0)
        received.append(chunk.content)

    result = await generator(openai_server).run_async(user("letters"), streaming_callback=on_chunk)

    assert [content for content in received if content] == ["alpha ", "beta ", "gamma"]
    assert "".join(received) == result["replies"][0].text == "alpha beta gamma"
    assert result["replies"][0].meta["usage"]["completion_tokens"] == 3


async def test_run_async_also_takes_a_sync_callback(openai_server: FakeOpenAIServer) -> None:
    chunks: list[StreamingChunk] = []
    result = await generator(openai_server, streaming_callback=chunks.append).run_async(user("sync in async"))
    assert "".join(chunk.content for chunk in chunks) == result["replies"][0].text == "echo: sync in async"


def test_run_refuses_an_async_callback(openai_server: FakeOpenAIServer) -> None:
    async def on_chunk(chunk: StreamingChunk) -> None: ...

    with pytest.raises(ValueError, match="run_async"):
        generator(openai_server, streaming_callback=on_chunk).run(user("hi"))
    assert openai_server.requests == []


def test_streaming_several_replies_is_refused(openai_server: FakeOpenAIServer) -> None:
    with pytest.raises(ValueError, match="n=1"):
        generator(openai_server, generation_kwargs={"n": 3}).run(user("hi"), streaming_callback=print)


# -- where to connect, and with which key -----------------------------------------------------------------------------


def test_base_url_from_the_environment_needs_no_key(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    result = OpenAIChatGenerator(model="qwen2.5").run(user("local"))

    assert result["replies"][0].text == "echo: local"
    (request,) = openai_server.chat_requests
    assert request.body["model"] == "qwen2.5"
    assert request.headers["authorization"].startswith("Bearer ")  # a placeholder: local servers ignore it


def test_no_key_and_no_base_url_is_a_clear_error_at_init() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY") as caught:
        OpenAIChatGenerator()
    assert "OPENAI_BASE_URL" in str(caught.value)


def test_init_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients are created on first use: building (and saving) a pipeline works offline."""
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    llm = OpenAIChatGenerator(api_base_url="http://127.0.0.1:9/v1")  # port 9: nothing listens
    assert component_to_dict(llm, "llm")["init_parameters"]["api_base_url"] == "http://127.0.0.1:9/v1"


def test_timeout_and_max_retries_come_from_the_environment(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_TIMEOUT", "0.2")
    monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
    openai_server.script(Hang(5))

    with pytest.raises(OpenAIChatGeneratorError, match=r"timed out after 0\.2 s") as caught:
        generator(openai_server).run(user("slow"))
    assert "max_retries=0" in str(caught.value)
    assert len(openai_server.chat_requests) == 1


def test_a_malformed_environment_value_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="OPENAI_TIMEOUT='soon'"):
        OpenAIChatGenerator(api_base_url="http://127.0.0.1:9/v1")


# -- failures ---------------------------------------------------------------------------------------------------------


def test_429_is_retried_after_the_servers_retry_after_then_succeeds(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Error(429, "Rate limit reached", retry_after=0.05), Error(429, retry_after=0.05))
    result = generator(openai_server, max_retries=2).run(user("persist"))

    assert result["replies"][0].text == "echo: persist"
    requests = openai_server.chat_requests
    assert [r.headers["x-stainless-retry-count"] for r in requests] == ["0", "1", "2"]
    for earlier, later in itertools.pairwise(requests):
        assert later.arrived - earlier.finished >= 0.05  # type: ignore[operator]


def test_429_after_all_retries_names_model_server_and_status(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(*[Error(429, "Rate limit reached", retry_after=0.01)] * 3)
    with pytest.raises(OpenAIChatGeneratorError) as caught:
        generator(openai_server, model="gpt-4o", max_retries=2).run(user("again"))

    message = str(caught.value)
    for expected in ("HTTP 429", "'gpt-4o'", openai_server.base_url, "max_retries=2", "Rate limit reached"):
        assert expected in message
    assert caught.value.status_code == 429
    assert isinstance(caught.value.api_error, openai.RateLimitError)
    assert len(openai_server.chat_requests) == 3


async def test_500_is_a_clear_error(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(Error(500, "The server had an error"))
    with pytest.raises(OpenAIChatGeneratorError) as caught:
        await generator(openai_server, max_retries=0).run_async(user("boom"))

    message = str(caught.value)
    assert "HTTP 500 Internal Server Error" in message
    assert "'gpt-4o-mini'" in message
    assert openai_server.base_url in message
    assert caught.value.status_code == 500


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_hanging_server_is_a_timeout_error(openai_server: FakeOpenAIServer, mode: str) -> None:
    openai_server.script(Hang(10))
    llm = generator(openai_server, timeout=0.2, max_retries=0)
    with pytest.raises(OpenAIChatGeneratorError) as caught:
        llm.run(user("wait")) if mode == "sync" else asyncio.run(llm.run_async(user("wait")))

    assert "timed out after 0.2 s" in str(caught.value)
    assert openai_server.base_url in str(caught.value)
    assert caught.value.status_code is None
    assert isinstance(caught.value.api_error, openai.APITimeoutError)


def test_errors_never_show_the_key_even_when_the_server_echoes_it(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.script(Error(401, f"Incorrect API key provided: {SECRET}."))
    with pytest.raises(OpenAIChatGeneratorError) as caught:
        generator(openai_server).run(user("hi"))

    assert "HTTP 401 Unauthorized" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
    assert SECRET not in "".join(traceback.format_exception(caught.value))  # what a failed pipeline run prints


def test_a_server_that_is_not_there_is_a_connection_error() -> None:
    llm = OpenAIChatGenerator(api_base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(OpenAIChatGeneratorError, match=r"could not reach the server .* http://127\.0\.0\.1:9/v1"):
        llm.run(user("anyone?"))


# -- serialization ----------------------------------------------------------------------------------------------------


def test_serialization_round_trip_writes_the_key_name_never_its_value(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    llm = generator(openai_server, model="gpt-4o", generation_kwargs={"temperature": 0.0}, timeout=5.0)
    llm.run(user("warm the client up"))  # a live client must not leak into the dict either

    data = component_to_dict(llm, "llm")
    assert data == {
        "type": "pipeline.components.generators.chat.openai.OpenAIChatGenerator",
        "init_parameters": {
            "api_key": {"type": "env_var", "env_vars": ["OPENAI_API_KEY"], "strict": False},
            "model": "gpt-4o",
            "streaming_callback": None,
            "api_base_url": openai_server.base_url,
            "organization": None,
            "generation_kwargs": {"temperature": 0.0},
            "timeout": 5.0,
            "max_retries": None,
        },
    }
    restored = component_from_dict("llm", data)
    assert component_to_dict(restored, "llm") == data
    assert restored.run(user("restored"))["replies"][0].text == "echo: restored"

    pipe = AsyncPipeline()
    pipe.add_component("llm", llm)
    text = pipe.dumps()
    assert SECRET not in text
    assert "OPENAI_API_KEY" in text
    assert component_to_dict(AsyncPipeline.loads(text).get_component("llm"), "llm") == data


def test_a_token_secret_refuses_to_serialize(openai_server: FakeOpenAIServer) -> None:
    llm = generator(openai_server, api_key=Secret.from_token(SECRET))
    assert llm.run(user("hi"))["replies"][0].text == "echo: hi"
    assert openai_server.chat_requests[0].headers["authorization"] == f"Bearer {SECRET}"

    with pytest.raises(DefinitionError, match="token secret cannot be serialized") as caught:
        component_to_dict(llm, "llm")
    assert SECRET not in str(caught.value)


# -- concurrency and pipelines ----------------------------------------------------------------------------------------


async def test_concurrent_run_async_calls_overlap_on_the_server(openai_server: FakeOpenAIServer) -> None:
    openai_server.latency = 0.3
    llm = generator(openai_server)
    results = await asyncio.gather(*(llm.run_async(user(f"question {i}")) for i in range(3)))

    assert [r["replies"][0].text for r in results] == ["echo: question 0", "echo: question 1", "echo: question 2"]
    requests = openai_server.chat_requests
    assert len(requests) == 3
    assert overlap_all(requests)  # all three were in flight at once: the total is about one latency, not three


@component
class Ask:
    """Turns a question into the messages a chat generator takes."""

    @component.output_types(messages=list[ChatMessage])
    def run(self, question: str) -> dict[str, list[ChatMessage]]:
        return {"messages": user(question)}


async def test_in_an_async_pipeline_two_generators_run_concurrently(openai_server: FakeOpenAIServer) -> None:
    openai_server.latency = 0.3
    openai_server.script(Reply("from the first"), Reply("from the second"))
    pipe = AsyncPipeline()
    pipe.add_component("ask", Ask())
    pipe.add_component("first", generator(openai_server))
    pipe.add_component("second", generator(openai_server, model="other-model"))
    pipe.connect("ask.messages", "first.messages")
    pipe.connect("ask.messages", "second.messages")

    outputs = await pipe.run_async({"ask": {"question": "Why?"}})

    assert {outputs["first"]["replies"][0].text, outputs["second"]["replies"][0].text} == {
        "from the first",
        "from the second",
    }
    assert outputs["second"]["replies"][0].meta["model"] == "other-model"
    assert overlap_all(openai_server.chat_requests)


def test_blocking_pipeline_runs_each_get_a_working_client(openai_server: FakeOpenAIServer) -> None:
    """`AsyncPipeline.run` starts a fresh event loop per call; a client kept from the last loop would fail."""
    pipe = AsyncPipeline()
    pipe.add_component("ask", Ask())
    pipe.add_component("llm", generator(openai_server))
    pipe.connect("ask.messages", "llm.messages")

    for question in ("first run", "second run", "third run"):
        outputs = pipe.run({"ask": {"question": question}})
        assert outputs["llm"]["replies"][0].text == f"echo: {question}"


def test_the_server_lists_models(openai_server: FakeOpenAIServer) -> None:
    client = openai.OpenAI(api_key="unused", base_url=openai_server.base_url)
    assert [model.id for model in client.models.list()] == ["gpt-4o-mini"]
    client.close()
