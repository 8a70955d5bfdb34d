"""`OpenAIChatGenerator`: chat completions from OpenAI or any OpenAI-compatible server, as in Haystack.

Set `api_base_url` (or `OPENAI_BASE_URL`) to use a local server such as Ollama, vLLM or llama.cpp; those need no
key. Clients are created on first use, so the component builds offline and serializes: the API key is written
as the name of its environment variable, never its value.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, TypeVar

import openai
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from pipeline.core.component import component
from pipeline.dataclasses import ChatMessage, StreamingCallbackT, StreamingChunk
from pipeline.utils.auth import EnvVarSecret, Secret

LOCAL_SERVER_API_KEY = "no-key-required"
"""Sent when a base URL is set but no key is: the SDK insists on a key, local servers ignore it."""

DEFAULT_API_KEY = Secret.from_env_var("OPENAI_API_KEY", strict=False)
"""Immutable, so one instance can be every generator's default."""

_Number = TypeVar("_Number", int, float)


class OpenAIChatGeneratorError(RuntimeError):
    """A chat completion request failed. The message names the model, the server and the HTTP status (or the
    timeout), so a pipeline failure says which call went wrong without a debugger.

    The SDK's exception is kept as `api_error` rather than chained: its message quotes the server verbatim, and
    a server may echo the API key, which a printed traceback would then show.
    """

    def __init__(
        self, message: str, *, model: str, base_url: str, status_code: int | None, api_error: openai.APIError
    ) -> None:
        super().__init__(message)
        self.model = model
        self.base_url = base_url
        self.status_code = status_code
        self.api_error = api_error


@component
class OpenAIChatGenerator:
    """Completes chats with OpenAI's chat completions API; `generation_kwargs` go to the API as they are.

    `timeout` and `max_retries` default to the `OPENAI_TIMEOUT` and `OPENAI_MAX_RETRIES` environment variables,
    then to the `openai` SDK's own defaults. A `streaming_callback` (given here or to `run`) receives each
    `StreamingChunk` as it arrives; the reply is still returned whole.
    """

    def __init__(
        self,
        api_key: Secret = DEFAULT_API_KEY,
        model: str = "gpt-4o-mini",
        streaming_callback: StreamingCallbackT | None = None,
        api_base_url: str | None = None,
        organization: str | None = None,
        generation_kwargs: dict[str, Any] | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        self.api_key = api_key
        self.model = model
        self.streaming_callback = streaming_callback
        self.api_base_url = api_base_url
        self.organization = organization
        self.generation_kwargs = dict(generation_kwargs or {})
        self.timeout = timeout
        self.max_retries = max_retries
        self._base_url = api_base_url or os.environ.get("OPENAI_BASE_URL") or None
        self._timeout = _from_env(timeout, "OPENAI_TIMEOUT", float)
        self._max_retries = _from_env(max_retries, "OPENAI_MAX_RETRIES", int)
        self._resolve_api_key()  # fail now, not at the first run, when there is neither a key nor a server
        self._lock = threading.Lock()
        self._client: openai.OpenAI | None = None
        self._async_clients: dict[asyncio.AbstractEventLoop, tuple[openai.AsyncOpenAI, AsyncIterator[None]]] = {}

    @component.output_types(replies=list[ChatMessage])
    def run(
        self,
        messages: list[ChatMessage],
        streaming_callback: StreamingCallbackT | None = None,
        generation_kwargs: dict[str, Any] | None = None,
    ) -> dict[str, list[ChatMessage]]:
        """Send `messages` and return the replies; `generation_kwargs` override those given at init."""
        if not messages:
            return {"replies": []}
        callback = streaming_callback or self.streaming_callback
        if inspect.iscoroutinefunction(callback):
            raise ValueError("An async streaming_callback needs run_async; run calls the callback synchronously.")
        client = self._sync_client()
        request = self._request(messages, callback is not None, generation_kwargs, client.chat.completions.create)
        try:
            response = client.chat.completions.create(**request)
            if callback is None:
                return {"replies": _replies(response)}
            chunks = []
            with response:
                for chunk in response:
                    chunks.append(_streaming_chunk(chunk))
                    callback(chunks[-1])
        except openai.APIError as exc:
            raise _failure(exc, request["model"], client) from None
        return {"replies": [_streamed_reply(chunks)]}

    @component.output_types(replies=list[ChatMessage])
    async def run_async(
        self,
        messages: list[ChatMessage],
        streaming_callback: StreamingCallbackT | None = None,
        generation_kwargs: dict[str, Any] | None = None,
    ) -> dict[str, list[ChatMessage]]:
        """Like `run`, on the event loop; the streaming callback may be sync or async."""
        if not messages:
            return {"replies": []}
        callback = streaming_callback or self.streaming_callback
        client = await self._async_client()
        request = self._request(messages, callback is not None, generation_kwargs, client.chat.completions.create)
        try:
            response = await client.chat.completions.create(**request)
            if callback is None:
                return {"replies": _replies(response)}
            chunks = []
            async with response:
                async for chunk in response:
                    chunks.append(_streaming_chunk(chunk))
                    result = callback(chunks[-1])
                    if inspect.isawaitable(result):
                        await result
        except openai.APIError as exc:
            raise _failure(exc, request["model"], client) from None
        return {"replies": [_streamed_reply(chunks)]}

    def _resolve_api_key(self) -> str:
        key = self.api_key.resolve_value()
        if key:
            return key
        if self._base_url:
            return LOCAL_SERVER_API_KEY
        names = " or ".join(self.api_key.env_vars) if isinstance(self.api_key, EnvVarSecret) else "OPENAI_API_KEY"
        raise ValueError(
            f"OpenAIChatGenerator has no API key: set {names}, or pass api_key=Secret.from_env_var(...). "
            "To use a local OpenAI-compatible server (Ollama, vLLM, llama.cpp) instead, which needs no key, set "
            "OPENAI_BASE_URL or pass api_base_url, e.g. http://localhost:11434/v1."
        )

    def _client_options(self) -> dict[str, Any]:
        """The SDK's defaults apply to whatever is left out (it refuses `max_retries=None`)."""
        options: dict[str, Any] = {
            "api_key": self._resolve_api_key(),
            "base_url": self._base_url,
            "organization": self.organization,
        }
        if self._timeout is not None:
            options["timeout"] = self._timeout
        if self._max_retries is not None:
            options["max_retries"] = self._max_retries
        return options

    def _sync_client(self) -> openai.OpenAI:
        with self._lock:
            if self._client is None:
                self._client = openai.OpenAI(**self._client_options())
            return self._client

    async def _async_client(self) -> openai.AsyncOpenAI:
        """One client per event loop: an async client's connections belong to the loop that opened them, and
        `AsyncPipeline.run` starts a new loop per call. The client is closed when its loop shuts down."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if loop in self._async_clients:
                return self._async_clients[loop][0]
            client = openai.AsyncOpenAI(**self._client_options())
            closer = self._close_at_loop_shutdown(loop, client)
            self._async_clients[loop] = (client, closer)  # the loop itself holds `closer` only weakly
        await anext(closer)
        return client

    async def _close_at_loop_shutdown(
        self, loop: asyncio.AbstractEventLoop, client: openai.AsyncOpenAI
    ) -> AsyncIterator[None]:
        """An async generator paused here is finalized by `loop.shutdown_asyncgens()` (which `asyncio.run`
        calls) while the loop still runs: the one moment the client's connections can be closed cleanly."""
        try:
            yield
        finally:
            with self._lock:
                del self._async_clients[loop]
            await client.close()

    def _request(
        self,
        messages: list[ChatMessage],
        streaming: bool,
        generation_kwargs: dict[str, Any] | None,
        create: Callable[..., Any],
    ) -> dict[str, Any]:
        """The keyword arguments of `chat.completions.create`. Parameters this SDK version does not name (say a
        vLLM or Ollama option) go in `extra_body`, so they reach the server instead of failing the call."""
        kwargs = {**self.generation_kwargs, **(generation_kwargs or {})}
        if streaming:
            if (kwargs.get("n") or 1) > 1:
                raise ValueError("Cannot stream several replies at once: set n=1 or drop the streaming_callback.")
            kwargs = {"stream_options": {"include_usage": True}, **kwargs}
        kwargs["stream"] = streaming
        known = inspect.signature(create).parameters
        extra_body = {name: kwargs.pop(name) for name in list(kwargs) if name not in known}
        if extra_body:
            kwargs["extra_body"] = {**extra_body, **(kwargs.get("extra_body") or {})}
        return {
            "model": self.model,
            "messages": [message.to_openai_dict_format() for message in messages],
            **kwargs,
        }


def _from_env(value: _Number | None, name: str, parse: Callable[[str], _Number]) -> _Number | None:
    if value is not None:
        return value
    raw = os.environ.get(name)
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise ValueError(f"The environment variable {name}={raw!r} is not a valid {parse.__name__}.") from None


def _usage(usage: CompletionUsage | None) -> dict[str, Any] | None:
    """Plain dicts and ints, so replies serialize and compare like any other value."""
    return usage.model_dump(exclude_none=True) if usage is not None else None


def _replies(completion: ChatCompletion) -> list[ChatMessage]:
    return [
        ChatMessage.from_assistant(
            choice.message.content,
            meta={
                "model": completion.model,
                "index": choice.index,
                "finish_reason": choice.finish_reason,
                "usage": _usage(completion.usage),
            },
        )
        for choice in completion.choices
    ]


def _streaming_chunk(chunk: ChatCompletionChunk) -> StreamingChunk:
    """The last chunk of a stream has no choices when usage was requested: it carries only the usage."""
    choice = chunk.choices[0] if chunk.choices else None
    return StreamingChunk(
        content=(choice.delta.content or "") if choice else "",
        meta={
            "model": chunk.model,
            "index": choice.index if choice else None,
            "finish_reason": choice.finish_reason if choice else None,
            "usage": _usage(chunk.usage),
            "received_at": datetime.now(UTC).isoformat(),
        },
    )


def _streamed_reply(chunks: list[StreamingChunk]) -> ChatMessage:
    def last(key: str) -> Any:
        return next((chunk.meta[key] for chunk in reversed(chunks) if chunk.meta[key] is not None), None)

    return ChatMessage.from_assistant(
        "".join(chunk.content for chunk in chunks) or None,
        meta={
            "model": last("model"),
            "index": 0,
            "finish_reason": last("finish_reason"),
            "usage": last("usage"),
            "completion_start_time": chunks[0].meta["received_at"] if chunks else None,
        },
    )


def _failure(exc: openai.APIError, model: str, client: openai.OpenAI | openai.AsyncOpenAI) -> OpenAIChatGeneratorError:
    """Say which call failed and how; the server's own words come last, with the key scrubbed if it echoes it."""
    base_url = str(client.base_url).rstrip("/")
    status = getattr(exc, "status_code", None)
    if isinstance(exc, openai.APITimeoutError):
        timeout = getattr(client.timeout, "read", client.timeout)
        outcome, detail = f"timed out after {timeout} s (no HTTP status)", "the server did not answer in time"
    elif isinstance(exc, openai.APIConnectionError):
        outcome, detail = "could not reach the server (no HTTP status)", str(exc.__cause__ or exc)
    else:
        outcome = f"failed with HTTP {status} {_phrase(status)}" if status else "failed"
        body = exc.body
        detail = body["message"] if isinstance(body, dict) and isinstance(body.get("message"), str) else exc.message
    message = (
        f"OpenAI chat completion {outcome} for model '{model}' at {base_url} "
        f"(max_retries={client.max_retries}): {detail}"
    )
    if client.api_key and client.api_key != LOCAL_SERVER_API_KEY:
        message = message.replace(client.api_key, "<redacted>")
    return OpenAIChatGeneratorError(message, model=model, base_url=base_url, status_code=status, api_error=exc)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
