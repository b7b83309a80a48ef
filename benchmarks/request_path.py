"""Where a ticket's time goes under load: the service, and the same service with its model work taken out.

    python benchmarks/request_path.py [--rounds 3] [--kinds short,long]

For each kind of text (short posts, support tickets) it starts the service (the app `triage serve` runs, on an
embedded store seeded with the bundled cases, in a process of its own) in three variants, in turn, `--rounds`
times, and sends 16 concurrent clients x 12 tickets:

    service                  as shipped
    no group writes          each request commits its own decision (no `DecisionWriter`)
    request path only        the pipeline's `prepare` (redaction, language, embedding, retrieval, classifier,
                             critical detector) replaced by one result computed at start-up: what is left is HTTP,
                             the API key, the ticket's insert, the decision stages after `prepare`, the decision's
                             write and the response; the ceiling of this request path on this machine, whatever
                             the model costs

and reports tickets/s and the service's CPU time per ticket (from /proc/<pid>/stat). `GET /healthz` under the same
16 clients gives the cost of the HTTP stack alone. Read with `benchmarks/run.py`'s raw batched encode rate: for 16
clients to reach 0.8x of it (issue 11), the CPU a ticket may cost beyond its embedding is
`2 cores / (0.8 x raw rate) - 2 cores / raw rate`.

The model-free variant replaces a method of the built pipeline in the child process; it is a measurement, not a
mode of the service.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CLIENTS, PER_CLIENT = 16, 12
VARIANTS = {"service": {}, "no group writes": {"GROUP_WRITES": "0"}, "request path only": {"NO_MODEL": "1"}}


def serve() -> None:
    """The child: build the service's components, apply the variant, print `port key`, serve."""
    import uvicorn

    from triage.app import create_app
    from triage.components import build_components
    from triage.config import Settings
    from triage.services.keys import Role, create_key

    settings = Settings()
    comps = build_components(settings)
    if os.environ.get("GROUP_WRITES") == "0":
        comps.decision_writer = None
    if os.environ.get("NO_MODEL") == "1":
        pipeline = comps.pipeline
        real_prepare = pipeline.prepare
        cached: list[Any] = []

        def prepare(batch: list[Any]) -> list[Any]:
            if not cached:
                cached.append(real_prepare(batch[:1])[0])
            return [dataclasses.replace(cached[0], facts=facts) for facts in batch]

        pipeline.prepare = prepare  # type: ignore[method-assign]
        if pipeline.micro_batcher is not None:
            pipeline.micro_batcher._fn = prepare  # noqa: SLF001
    with comps.sessions() as session:
        _, plain = create_key(session, role=Role.service, name="bench")
        session.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    print(port, plain, flush=True)
    uvicorn.run(create_app(settings, components=comps), host="127.0.0.1", port=port, log_level="warning",
                access_log=False)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Child:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve"], env={**os.environ, **env},
                                     stdout=subprocess.PIPE, stderr=log.open("ab"), text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 2:
            raise RuntimeError(f"the service did not start; see {log}")
        port, self.key = line
        self.url = f"http://127.0.0.1:{port}"
        self.counter = iter(range(10**9))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the service was not ready within 600 s; see {log}")

    async def _load(self, batch: list[str] | None, requests: int = 0) -> float:
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"},
                                     timeout=120, limits=limits) as client:
            async def work(w: int) -> None:
                if batch is None:
                    for _ in range(requests):
                        (await client.get("/healthz")).raise_for_status()
                    return
                for text in batch[w * PER_CLIENT:(w + 1) * PER_CLIENT]:
                    r = await client.post("/v1/tickets", json={
                        "external_id": f"rp-{next(self.counter)}", "channel": "api", "reporter": {"type": "user"},
                        "body": text})
                    r.raise_for_status()
                    if r.json()["decision"] is None:
                        raise RuntimeError("a benchmark ticket was left pending")

            start = time.perf_counter()
            await asyncio.gather(*(work(w) for w in range(CLIENTS)))
            return time.perf_counter() - start

    def measure(self, batch: list[str] | None, requests: int = 0) -> tuple[float, float]:
        """(requests/s, service CPU ms per request)"""
        n = len(batch) if batch is not None else CLIENTS * requests
        before = cpu_seconds(self.proc.pid)
        wall = asyncio.run(self._load(batch, requests))
        return n / wall, 1000 * (cpu_seconds(self.proc.pid) - before) / n

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the variants (default 3)")
    parser.add_argument("--kinds", default="short,long", help="short (HateXplain posts), long (support tickets)")
    parser.add_argument("--out", type=Path, default=None, help="write the measurements as JSON")
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    from run import load_texts  # benchmarks/run.py: the same long and short texts as `make bench`

    workdir = Path(tempfile.mkdtemp(prefix="triage-request-path-"))
    log = workdir / "service.log"
    base_env = {"TRIAGE_THROTTLE__ENABLED": "false", "TRIAGE_LOG_LEVEL": "WARNING",
                "TRIAGE_CACHE_DIR": str(workdir / "cache"), "PYTHONPATH": str(PROJECT_ROOT / "src")}
    results: list[dict[str, Any]] = []
    for kind in args.kinds.split(","):
        pool = load_texts()[kind]
        for r in range(args.rounds):
            for name, env in VARIANTS.items():
                child = Child({**base_env, **env, "TRIAGE_DATA_DIR": str(workdir / f"{kind}-{r}-{len(results)}")},
                              log)
                try:
                    child.measure([f"warm {i} {pool[i]}" for i in range(2 * CLIENTS)])
                    batch = [f"{pool[(r * 400 + i) % len(pool)]} [{kind}{r}-{i}]" for i in range(CLIENTS * PER_CLIENT)]
                    rate, cpu = child.measure(batch)
                    row = {"kind": kind, "round": r, "variant": name, "tickets_per_s": rate, "cpu_ms_per_ticket": cpu}
                    if name == "request path only" and kind == args.kinds.split(",")[0]:
                        row["healthz_per_s"], row["healthz_cpu_ms"] = child.measure(None, requests=40)
                    results.append(row)
                    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}),
                          flush=True)
                finally:
                    child.stop()
    print(f"\n{'kind':6} {'variant':18} {'tickets/s (rounds)':28} {'CPU ms/ticket (rounds)':28}")
    for kind in args.kinds.split(","):
        for name in VARIANTS:
            rows = [x for x in results if x["kind"] == kind and x["variant"] == name]
            rates = " / ".join(f"{x['tickets_per_s']:.1f}" for x in rows)
            cpus = " / ".join(f"{x['cpu_ms_per_ticket']:.1f}" for x in rows)
            print(f"{kind:6} {name:18} {rates:28} {cpus:28}")
    healthz = [x for x in results if "healthz_per_s" in x]
    if healthz:
        print("GET /healthz, 16 clients: " + " / ".join(
            f"{x['healthz_per_s']:.0f} req/s at {x['healthz_cpu_ms']:.2f} ms CPU" for x in healthz))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                        "load_average_at_start": os.getloadavg(), "results": results}, indent=1))


if __name__ == "__main__":
    main()
