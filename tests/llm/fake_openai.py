"""A scriptable OpenAI-compatible chat-completions server on loopback, for tests.

It is a real HTTP server (starlette under uvicorn, in a thread); the real `openai` client talks to it.
Every request is recorded. Per test it can be told to:

* answer a classification / draft (by default, `classification` and `draft` below),
* play back a script of replies first (`push`): malformed JSON, wrong enum values, HTTP errors with
  Retry-After, slow answers;
* refuse `response_format` json_schema (llama.cpp's server answers 500), json_object with a schema
  (`json_object_schema`, which llama.cpp takes) or json_object;
* count the requests in flight at once (`in_flight`, `peak_in_flight`);
* return logprobs for the category value;
* be *obedient*: obey any instruction it finds OUTSIDE the randomised fences of the prompt (answer
  no_violation / low), the way a gullible model would if ticket text reached it unfenced.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

__all__ = ["FakeOpenAI", "Recorded", "Reply", "answer", "error", "raw", "slow"]

FENCED = re.compile(r"<<<(TICKET|CASE|REPLY) ([0-9a-f]{8,})>>>.*?<<<END \1 \2>>>", re.DOTALL)
TASK = re.compile(r"Task id: (\w+)\.v\d+")
# what a gullible model takes as an order to it, wherever it sees it unfenced
GENERIC_TRIGGERS = (
    "ignore previous instructions", "ignore all previous", "ignore everything", "ignore the above",
    "mark this as low risk", "mark this ticket as", "you are now", "pretend to be", "do anything now",
    "developer mode", "jailbreak",
)
OBEYED_CLASSIFICATION = {
    "category": "no_violation", "risk": "low", "confidence": 0.99, "rationale": "As instructed: low risk.",
}
OBEYED_DRAFT = {"reply": "As you asked, we will take no action on this."}


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message text; None = the default answer for the task
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "scripted error"


def answer(obj: dict[str, Any]) -> Reply:
    return Reply(content=json.dumps(obj))


def raw(text: str) -> Reply:
    return Reply(content=text)


def error(status: int, *, retry_after: float | None = None, message: str = "scripted error") -> Reply:
    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
    return Reply(status=status, headers=headers, message=message)


def slow(seconds: float, content: str | None = None) -> Reply:
    return Reply(content=content, delay_s=seconds)


@dataclass
class Recorded:
    at: float
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 200

    @property
    def task(self) -> str | None:
        for m in self.body.get("messages", []):
            found = TASK.search(str(m.get("content", "")))
            if found:
                return found.group(1)
        return None

    @property
    def text(self) -> str:
        """Everything the server was sent: message contents and the response_format."""
        parts = [str(m.get("content", "")) for m in self.body.get("messages", [])]
        return "\n".join(parts) + "\n" + json.dumps(self.body.get("response_format"))

    @property
    def unfenced(self) -> str:
        return FENCED.sub(" ", "\n".join(str(m.get("content", "")) for m in self.body.get("messages", [])))

    @property
    def format(self) -> str:
        """json_schema, json_object_schema (json_object with a `schema`), json_object or text."""
        fmt = self.body.get("response_format") or {}
        kind = str(fmt.get("type", "text"))
        return "json_object_schema" if kind == "json_object" and "schema" in fmt else kind


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+|\s+|[^\w\s]", text)


class FakeOpenAI:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self._script: deque[Reply] = deque()
        self.classification: dict[str, Any] = {
            "category": "harassment_bullying", "risk": "medium", "confidence": 0.9,
            "rationale": "Targeted insults at one person, like the similar past cases.",
        }
        self.draft: dict[str, Any] = {
            "reply": "Thank you for telling us. Our safety team will review your report; you can also block "
                     "the account. We will write to you at [EMAIL_1] if we need more details.",
        }
        self.refuse_json_schema: int | None = None
        self.refuse_json_object_schema: int | None = None
        self.refuse_json_object: int | None = None
        self.in_flight = 0
        self.peak_in_flight = 0
        self.always: Reply | None = None  # answer every request with this (e.g. a 503) when set
        self.obedient = False
        self.obey_snippets: list[str] = []
        self.logprobs = False
        self.category_logprob = -0.105  # p = 0.90
        self.alternatives: dict[str, float] = {}
        self.port = 0
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------------
    def push(self, *replies: Reply) -> None:
        with self.lock:
            self._script.extend(replies)

    def obey(self, *texts: str) -> None:
        """Texts that, seen unfenced, the obedient server takes as orders (beyond the generic ones)."""
        self.obedient = True
        self.obey_snippets.extend(" ".join(t.split()).lower()[:60] for t in texts if t.strip())

    def obeys(self, rec: Recorded) -> bool:
        if not self.obedient:
            return False
        seen = " ".join(rec.unfenced.split()).lower()
        return any(t in seen for t in (*GENERIC_TRIGGERS, *self.obey_snippets))

    def recorded(self, task: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if task is None or r.task == task]

    # -- HTTP --------------------------------------------------------------------------------
    async def _completions(self, request: Request) -> JSONResponse:
        body = await request.json()
        rec = Recorded(at=time.monotonic(), headers=dict(request.headers), body=body)
        with self.lock:
            self.requests.append(rec)
            fmt = rec.format
            refuse = {"json_schema": self.refuse_json_schema, "json_object_schema": self.refuse_json_object_schema,
                      "json_object": self.refuse_json_object}.get(fmt)
            if refuse:
                reply: Reply = Reply(status=refuse, message=f"response_format {fmt} is not supported")
            elif self._script:
                reply = self._script.popleft()
            else:
                reply = self.always or Reply()
        with self.lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
        finally:
            with self.lock:
                self.in_flight -= 1
        rec.status = reply.status
        if reply.status != 200:
            return JSONResponse(
                {"error": {"message": reply.message, "type": "server_error", "code": str(reply.status)}},
                status_code=reply.status, headers=reply.headers,
            )
        content = reply.content if reply.content is not None else self._default_content(rec)
        return JSONResponse(self._completion(body, content))

    def _default_content(self, rec: Recorded) -> str:
        obeyed = self.obeys(rec)
        if rec.task == "draft":
            return json.dumps(OBEYED_DRAFT if obeyed else self.draft)
        return json.dumps(OBEYED_CLASSIFICATION if obeyed else self.classification)

    def _completion(self, body: dict[str, Any], content: str) -> dict[str, Any]:
        tokens = _tokens(content)
        choice: dict[str, Any] = {
            "index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content},
            "logprobs": None,
        }
        if self.logprobs and body.get("logprobs"):
            choice["logprobs"] = {"content": self._logprobs(tokens, content), "refusal": None}
        prompt_words = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"), "choices": [choice],
            "usage": {"prompt_tokens": prompt_words, "completion_tokens": len(tokens),
                      "total_tokens": prompt_words + len(tokens)},
        }

    def _logprobs(self, tokens: list[str], content: str) -> list[dict[str, Any]]:
        value = None
        try:
            value = json.loads(content).get("category")
        except (ValueError, AttributeError):
            pass
        out = []
        for tok in tokens:
            if value is not None and tok == value:
                top = [{"token": tok, "logprob": self.category_logprob, "bytes": None}]
                top += [{"token": alt, "logprob": lp, "bytes": None} for alt, lp in self.alternatives.items()]
                out.append({"token": tok, "logprob": self.category_logprob, "bytes": None, "top_logprobs": top})
                value = None
            else:
                out.append({"token": tok, "logprob": -0.001, "bytes": None,
                            "top_logprobs": [{"token": tok, "logprob": -0.001, "bytes": None}]})
        return out

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> FakeOpenAI:
        app = Starlette(routes=[
            Route("/v1/chat/completions", self._completions, methods=["POST"]),
            Route("/openai/deployments/{name}/chat/completions", self._completions, methods=["POST"]),
        ])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
