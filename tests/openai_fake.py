"""A real HTTP server on 127.0.0.1 that speaks just enough of the OpenAI protocol.

Each request's behaviour follows a schedule keyed by a marker word in the
prompt: ``RATE2`` answers 429 twice, then a summary; ``SLOW1`` is never answered
the first time (the client's timeout has to fire; the stalled handler waits for
the server to close); ``FAIL`` always answers 500; ``BROKEN`` always answers 200
with malformed JSON. Other prompts get a summary at once; with ``hold=N`` they
are held until N requests are in flight together (once), so a test of the
client's concurrency limit sees the limit reached whatever the machine's speed.
The server counts requests per marker and the most requests in flight, and sets
events a test can wait for: ``stalled`` (the first SLOW1 request arrived) and
``full`` (``hold`` requests were in flight). Every wait of the server is bounded
by :data:`tests.guards.EVENT_S`, so a broken client fails a test, never hangs it.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.guards import EVENT_S

MARKERS = ("RATE2", "SLOW1", "FAIL", "BROKEN")


class FakeOpenAI:
    """Start with ``with FakeOpenAI() as server:``; ``server.base_url`` ends in ``/v1``."""

    def __init__(self, hold: int = 0, logprobs: dict | None = None,
                 reply: str | None = None) -> None:
        self.hold = hold
        self.stalled = threading.Event()
        self.full = threading.Event()
        self._closing = threading.Event()
        self.logprobs = logprobs
        self.reply = reply
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()  # a stalled handler answers now, to a client long gone
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout): the point of the stall

            def do_GET(self) -> None:
                self._send(200, json.dumps({"object": "list", "data": [
                    {"id": "fake", "object": "model", "created": 0, "owned_by": "test"}]}).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length))
                with fake._lock:
                    fake.bodies.append(request)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                    if fake.hold and fake.in_flight >= fake.hold:
                        fake.full.set()
                try:
                    fake.answer(self, request)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        return Handler

    def answer(self, handler: Any, request: dict[str, Any]) -> None:
        text = json.dumps(request.get("messages") or request.get("prompt"))
        marker = next((m for m in MARKERS if m in text), "plain")
        with self._lock:
            self.requests[marker] += 1
            attempt = self.requests[marker]
        if marker == "RATE2" and attempt <= 2:
            return handler._send(429, b'{"error": {"message": "slow down"}}',
                                 {"retry-after-ms": "50"})
        if marker == "FAIL":
            return handler._send(500, b'{"error": {"message": "boom"}}', {"retry-after-ms": "50"})
        if marker == "BROKEN":
            return handler._send(200, b'{"id": "x", "choices": [{"message": ')
        if marker == "SLOW1" and attempt == 1:
            self.stalled.set()
            self._closing.wait(EVENT_S)
        elif self.hold:
            self.full.wait(EVENT_S)
        handler._send(200, json.dumps(self.completion(request, text)).encode())

    def completion(self, request: dict[str, Any], text: str) -> dict[str, Any]:
        words = re.findall(r"[A-Z][a-z]+", text)
        content = self.reply if self.reply is not None else "Summary: " + " ".join(words[:6])
        usage = {"prompt_tokens": len(text.split()), "completion_tokens": len(content.split()),
                 "total_tokens": len(text.split()) + len(content.split())}
        chat = "messages" in request
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop"}
        if chat:
            choice["message"] = {"role": "assistant", "content": content}
            if request.get("logprobs") and self.logprobs:
                top = [{"token": k, "logprob": v, "bytes": None} for k, v in self.logprobs.items()]
                choice["logprobs"] = {"content": [
                    {"token": top[0]["token"], "logprob": top[0]["logprob"], "bytes": None,
                     "top_logprobs": top}]}
        else:
            choice["text"] = content
            choice["logprobs"] = None
        return {"id": "cmpl-1", "object": "chat.completion" if chat else "text_completion",
                "created": 0, "model": request.get("model", "fake"), "choices": [choice],
                "usage": usage}
