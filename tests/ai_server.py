"""A small OpenAI-compatible server on 127.0.0.1 for the AI insights tests: it answers
POST /v1/chat/completions as the chosen `mode` says and keeps every request it got, so a
test checks what the real openai client sent (model, JSON schema, no personal data)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

GOOD_ANSWER = {"insights": [
    {"type": "observation", "title": "Groceries are steady", "body": "Spending repeats monthly."},
    {"type": "risk", "title": "Rent week is tight", "body": "The balance dips after rent."},
    {"type": "cash_risk", "title": "Runway drives the score", "body": "About 40 days of expenses."},
    {"type": "pattern", "title": "Salary on the 5th", "body": "Income arrives once a month."},
]}


class FakeOpenAI:
    def __init__(self) -> None:
        self.mode = "ok"
        self.answer: dict | str = GOOD_ANSWER
        self.delay = 0.0
        self.requests: list[dict] = []  # {"path", "headers", "body" (text), "json"}
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def bodies(self) -> list[dict]:
        return [request["json"] for request in self.requests]


def _completion(model: str, content: str | None, refusal: str | None = None) -> dict:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": content, "refusal": refusal}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _handler(fake: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _send(self, status: int, body: dict | str) -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-should-retry", "false")  # one request per test call
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            text = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            body = json.loads(text)
            fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                  "body": text, "json": body})
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": "not found"}})
            mode, model = fake.mode, body.get("model", "")
            if mode == "timeout":
                time.sleep(fake.delay)
                return self._send(200, _completion(model, json.dumps(GOOD_ANSWER)))
            if mode == "401":
                return self._send(401, {"error": {"message": "Incorrect API key provided",
                                                  "type": "invalid_request_error",
                                                  "code": "invalid_api_key"}})
            if mode == "429":
                return self._send(429, {"error": {"message": "Rate limit reached",
                                                  "type": "requests", "code": "rate_limit"}})
            if mode == "500":
                return self._send(500, {"error": {"message": "boom", "type": "server_error"}})
            if mode == "refusal":
                return self._send(200, _completion(model, None, "I can't help with that."))
            if mode == "not_json":
                return self._send(200, _completion(model, "Here are insights: {broken"))
            answer = fake.answer if isinstance(fake.answer, str) else json.dumps(fake.answer)
            return self._send(200, _completion(model, answer))

    return Handler


@pytest.fixture(name="ai_server")
def ai_server_fixture():
    fake = FakeOpenAI()
    fake.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.server.daemon_threads = True
    thread = threading.Thread(target=fake.server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    thread.join(5)
