"""Benchmarks: `make bench` (or `python benchmarks/run.py`). Prints ratios against baselines measured
in the same run, because these machines are noisy: absolute milliseconds mean little, ratios travel.

1. pipeline overhead   decide one ticket            vs  embedding its text alone (the model floor)
2. batching            decide_many(64) per ticket   vs  64 single decides, per ticket
3. HTTP                POST /v1/tickets p50          vs  GET /healthz p50 on the same server
4. concurrency         4 concurrent clients, tickets/s  vs  one client, tickets/s
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TQDM_DISABLE", "1")

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from triage.components import build_components  # noqa: E402
from triage.config import PROJECT_ROOT, Settings  # noqa: E402
from triage.pipeline.pipeline import TicketFacts  # noqa: E402
from triage.services.cases import FieldMap, import_cases, read_rows  # noqa: E402
from triage.services.keys import Role, create_key  # noqa: E402

console = Console()


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=64, help="tickets per measurement")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    settings = Settings(environment="test", database={"url": f"sqlite:///{tmp / 'b.db'}"},
                        qdrant={"path": tmp / "q"}, log_level="WARNING", reprocess_on_startup=False)
    comps = build_components(settings)
    rows = list(read_rows(PROJECT_ROOT / "seed" / "cases.jsonl"))
    import_cases(rows, fields=FieldMap(), store=comps.store, embedder=comps.embedder, sessions=comps.sessions,
                 source="seed")
    texts = [f"{r['subject']} {r['body']} (variant {i})" for i, r in enumerate(rows[: args.n])]
    now = datetime.now(UTC)
    facts = [TicketFacts(id=str(i), subject="", body=t, channel="api", reporter_type="user", language=None,
                         region=None, received_at=now) for i, t in enumerate(texts)]
    results: list[tuple[str, str, str, float]] = []

    # 1. overhead over the embedding floor (fresh texts each time so the embedding cache does not help)
    counter = iter(range(10**9))
    for _ in range(5):  # warm up torch's thread pool and the classifier
        asyncio.run(comps.pipeline.decide(TicketFacts(**{**facts[0].__dict__, "body": f"warm {next(counter)}"})))
    embed_only = timed(lambda: comps.embedder.embed([f"{texts[0]} #{next(counter)}"]), 30)
    one = timed(lambda: asyncio.run(comps.pipeline.decide(
        TicketFacts(**{**facts[0].__dict__, "body": f"{texts[0]} #{next(counter)}"}))), 30)
    results.append(("pipeline overhead", f"{p(one, .5):.1f} ms", f"{p(embed_only, .5):.1f} ms",
                    p(one, .5) / p(embed_only, .5)))

    # 2. batching
    def fresh(tag: str) -> list[TicketFacts]:
        return [TicketFacts(**{**f.__dict__, "body": f"{f.body} [{tag}]"}) for f in facts]

    batch_t = timed(lambda: asyncio.run(comps.pipeline.decide_many(fresh(f"b{next(counter)}"))), 3)
    single_t = timed(lambda: [asyncio.run(comps.pipeline.decide(f)) for f in fresh(f"s{next(counter)}")], 3)
    per_batch = statistics.median(batch_t) / len(facts) * 1000
    per_single = statistics.median(single_t) / len(facts) * 1000
    results.append(("batching (per ticket)", f"{per_batch:.1f} ms", f"{per_single:.1f} ms", per_batch / per_single))

    # 3 + 4. HTTP on a real uvicorn server
    import uvicorn

    from triage.app import create_app

    with comps.sessions.begin() as s:
        _, key = create_key(s, role=Role.service, name="bench")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings, components=comps), host="127.0.0.1", port=port,
                                           log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}

    def post(client: httpx.Client, i: int, tag: str) -> None:
        r = client.post("/v1/tickets", json={"external_id": f"{tag}-{i}", "channel": "api",
                                             "reporter": {"type": "user"}, "body": texts[i % len(texts)] + tag})
        r.raise_for_status()

    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        health = timed(lambda: client.get("/healthz"), 50)
        it = iter(range(10**9))
        posts = timed(lambda: post(client, next(it), "seq"), args.n)
    results.append(("HTTP POST /v1/tickets p50", f"{p(posts, .5):.1f} ms", f"{p(health, .5):.1f} ms (healthz)",
                    p(posts, .5) / p(health, .5)))
    results.append(("HTTP POST /v1/tickets p95", f"{p(posts, .95):.1f} ms", f"{p(posts, .5):.1f} ms (p50)",
                    p(posts, .95) / p(posts, .5)))

    def run_clients(n_clients: int, tag: str) -> float:
        per = args.n // n_clients
        start = time.perf_counter()

        def worker(w: int) -> None:
            with httpx.Client(base_url=url, headers=headers, timeout=60) as c:
                for i in range(per):
                    post(c, w * per + i, f"{tag}")

        with concurrent.futures.ThreadPoolExecutor(n_clients) as pool:
            list(pool.map(worker, range(n_clients)))
        return per * n_clients / (time.perf_counter() - start)

    seq_tps = run_clients(1, "c1")
    conc_tps = run_clients(4, "c4")
    results.append(("throughput, 4 clients", f"{conc_tps:.1f} t/s", f"{seq_tps:.1f} t/s (1 client)",
                    conc_tps / seq_tps))
    server.should_exit = True
    thread.join(timeout=10)
    comps.close()

    table = Table(title=f"triage benchmarks ({len(rows)} cases in memory, n={args.n})")
    for col in ("measure", "value", "baseline (same run)", "ratio"):
        table.add_column(col)
    for name, value, base, ratio in results:
        table.add_row(name, value, base, f"{ratio:.2f}x")
    console.print(table)


if __name__ == "__main__":
    main()
