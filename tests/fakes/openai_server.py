"""An OpenAI-compatible HTTP server on 127.0.0.1, so tests drive the real `openai` client over a real socket.

It serves `POST /v1/chat/completions` (JSON, or Server-Sent Events with `stream: true`) and `GET /v1/models`,
one thread per connection, so a slow answer never holds up another request. Per test, set `latency`,
`reply_text` or a `script` of answers (`Reply`, `Error`, `Hang`), consumed one per chat request. Every request
is recorded with its arrival and finish times on `time.perf_counter`, so tests can assert what was sent and
whether requests overlapped.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class Reply:
    """A successful answer; `text=None` uses the server's `reply_text`, else echoes the last user message."""

    text: str | None = None
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Error:
    """An OpenAI-style error body with this HTTP status; `retry_after` (seconds) adds the retry headers."""

    status: int
    message: str = "scripted error"
    retry_after: float | None = None


@dataclass(frozen=True)
class Hang:
    """Say nothing for `seconds` (meant to outlast the client's timeout), then answer like `Reply()`."""

    seconds: float


Answer = Reply | Error | Hang


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    """Header names in lower case."""
    body: Any
    arrived: float
    finished: float | None = None
    """Taken just before the answer's last bytes are written, so a client holding its answer always finds it
    set; None while the answer is pending (or never sent: the server stopped first)."""


class FakeOpenAIServer:
    """Start with `with FakeOpenAIServer() as server:`; point clients at `server.base_url`."""

    def __init__(self) -> None:
        self.latency = 0.0
        """Seconds every chat request waits before its answer starts."""
        self.reply_text: str | None = None
        """The text of every `Reply()`; None echoes the last user message: `echo: <its first 50 characters>`."""
        self.stopping = threading.Event()
        """Set on stop, so hanging answers end at once instead of outliving the test."""
        self._script: list[Answer] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *answers: Answer) -> None:
        """Queue answers for the next chat requests, in order; once used up, requests get `Reply()`."""
        with self._lock:
            self._script.extend(answers)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == CHAT_PATH]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.close_connections()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeOpenAIServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def next_answer(self) -> Answer:
        with self._lock:
            return self._script.pop(0) if self._script else Reply()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], fake: FakeOpenAIServer) -> None:
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client dropping its connection is normal (timeouts, closed clients); anything else is a bug here."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down kept-alive connections, so their threads stop waiting for another request."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streaming, like real servers
    server: _HTTPServer
    _current: RecordedRequest
    """The request being answered; its `finished` is stamped by whichever method writes the last bytes."""

    def setup(self) -> None:
        super().setup()
        self.server.opened(self.connection)

    def finish(self) -> None:
        self.server.closed(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet; the recorded requests say what happened."""

    def do_GET(self) -> None:
        record = self._record(body=None)
        if record.path == MODELS_PATH:
            model = {"id": "gpt-4o-mini", "object": "model", "created": 0, "owned_by": "pipedebug"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._send_error(Error(404, f"no route GET {record.path}"))

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = raw.decode(errors="replace")
        record = self._record(body)
        if record.path != CHAT_PATH:
            self._send_error(Error(404, f"no route POST {record.path}"))
        elif not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            self._send_error(Error(400, "the body must be a JSON object with 'model' and 'messages'"))
        else:
            try:
                self._answer_chat(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout): nothing to finish
                self.close_connection = True

    def _record(self, body: Any) -> RecordedRequest:
        record = RecordedRequest(
            method=self.command,
            path=urlsplit(self.path).path.rstrip("/"),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            arrived=time.perf_counter(),
        )
        self.server.fake.record(record)
        self._current = record
        return record

    def _answer_chat(self, body: dict[str, Any]) -> None:
        fake = self.server.fake
        answer = fake.next_answer()
        if fake.stopping.wait(fake.latency + (answer.seconds if isinstance(answer, Hang) else 0)):
            self.close_connection = True
            return
        if isinstance(answer, Error):
            self._send_error(answer)
            return
        text = answer.text if isinstance(answer, Reply) else None
        if text is None:
            text = fake.reply_text if fake.reply_text is not None else _echo(body["messages"])
        finish_reason = answer.finish_reason if isinstance(answer, Reply) else "stop"
        usage = _usage(body["messages"], text)
        model = str(body.get("model"))
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self._send_stream(model, text, finish_reason, usage if include_usage else None)
            return
        choices = [
            {"index": index, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}
            for index in range(body.get("n") or 1)
        ]
        self._send_json(200, {**_envelope("chat.completion", model), "choices": choices, "usage": usage})

    def _send_stream(self, model: str, text: str, finish_reason: str, usage: dict[str, int] | None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        envelope = {**_envelope("chat.completion.chunk", model), **({"usage": None} if usage else {})}
        deltas = [{"role": "assistant", "content": ""}] + [{"content": piece} for piece in _pieces(text)]
        for delta in deltas:
            self._send_event({**envelope, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        self._send_event({**envelope, "choices": [{"index": 0, "delta": {}, "finish_reason": finish_reason}]})
        if usage:
            self._send_event({**envelope, "choices": [], "usage": usage})
        self._current.finished = time.perf_counter()
        self._send_chunk(b"data: [DONE]\n\n")
        self._send_chunk(b"")

    def _send_event(self, data: dict[str, Any]) -> None:
        self._send_chunk(f"data: {json.dumps(data)}\n\n".encode())

    def _send_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")

    def _send_error(self, error: Error) -> None:
        error_type, code = _ERROR_TYPES.get(error.status, ("server_error", None))
        headers = {}
        if error.retry_after is not None:
            headers = {
                "Retry-After": str(math.ceil(error.retry_after)),
                "retry-after-ms": str(round(error.retry_after * 1000)),
            }
        payload = {"error": {"message": error.message, "type": error_type, "param": None, "code": code}}
        self._send_json(error.status, payload, headers)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self._current.finished = time.perf_counter()
        self.wfile.write(data)


def _envelope(kind: str, model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": kind, "created": int(time.time()), "model": model}


def _text(content: Any) -> str:
    """A message's text: its content string, or the text parts of a content list."""
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def _echo(messages: list[Any]) -> str:
    users = [_text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    return f"echo: {users[-1][:50] if users else ''}"


def _pieces(text: str) -> list[str]:
    """Word-sized pieces (each keeps its trailing space), so the streamed deltas join back to `text`."""
    return re.findall(r"\s*\S+\s*", text) or [text]


def _usage(messages: list[Any], text: str) -> dict[str, int]:
    prompt = sum(len(_text(m.get("content")).split()) for m in messages if isinstance(m, dict))
    completion = len(text.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
