"""Benchmarks: `make bench` (or `python benchmarks/run.py [--quick]`). One table of ratios, every baseline
measured in the same run (machines here are shared and noisy: milliseconds drift, ratios travel).

    service single p50      POST /v1/tickets, one client, p50        /  the raw model encoding one text, p50
                                                                         (torch; the ONNX Runtime figure beside it)
    service 16 clients      tickets/s with 16 concurrent clients      /  the best raw batched encode, texts/s
                            (micro-batching on and off)                  (best over torch's batch size and threads
                                                                         and ONNX Runtime's batch size)
                            The service is `triage serve` in its own process; the load comes from this one
                            (asyncio httpx), so the two share no GIL.
    retrieval p50           edge store at 10k / 100k (/ 1M) cases,    /  the 10 ms target
                            unfiltered and filtered on language
    restart                 reopen the store and answer a search      /  the 10 s target
    import                  `import_cases` rate, cases/s              /  the raw batched encode rate, texts/s

"Long" texts are support tickets (subject + body, 50-300 words), "short" ones HateXplain posts. The raw
model is the same SentenceTransformer object (and ONNX Runtime session) the service uses, called directly (no cache,
no lock).
Retrieval uses synthetic vectors drawn around real embeddings (each a real ticket's vector plus noise),
with language and category payloads. Writes benchmarks/results.json (or --out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402

from triage.adapters.edge_store import EdgeCaseStore  # noqa: E402
from triage.components import build_components  # noqa: E402
from triage.config import PROJECT_ROOT, Settings  # noqa: E402
from triage.domain.cases import Case, case_id_for  # noqa: E402
from triage.services.cases import FieldMap, import_cases, read_rows  # noqa: E402
from triage.services.keys import Role, create_key  # noqa: E402

console = Console()
DATASETS = PROJECT_ROOT / "evals" / "datasets"
RETRIEVAL_TARGET_MS = 10.0
RESTART_TARGET_S = 10.0
LANGUAGES = ["en", "de", "fr", "es", "pt", "it", "id", "tr", "ar", "ja"]


def p50(values: list[float]) -> float:
    return float(np.percentile(np.asarray(values), 50))


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def label_size(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def load_texts() -> dict[str, list[str]]:
    long = [f"{r['subject']}\n\n{r['body']}".strip()
            for r in read_rows(DATASETS / "support_tickets" / "test.jsonl") if r.get("language") == "en"]
    short = [str(r["text"]) for r in read_rows(DATASETS / "hatexplain" / "test.jsonl")]
    return {"long": long, "short": short}


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import torch

    return {"cpu": cpu, "cores": os.cpu_count(), "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(), "load_average_at_start": os.getloadavg()}


# -- raw model ------------------------------------------------------------------------------------------
# "Raw" is the model called directly: torch through `SentenceTransformer.encode` (the baseline), and the
# same weights in ONNX Runtime (`OnnxEncoder.encode`, the service's default backend) where it loaded; no cache,
# no lock, no pipeline. A configuration is (engine, batch size, torch threads); ONNX Runtime keeps the threads its
# session was made with (torch's default, a thread per core).
Config = tuple[str, int, int]


def settle() -> None:
    """Let the previous measurement's threads go idle: torch's OpenMP threads busy-wait after a pass, and a paired
    measurement that starts at once competes with them (measured: a raw torch encode of a short post took 57 ms right
    after an ONNX Runtime encode and a request, 16-20 ms alone)."""
    time.sleep(0.05)


def encode_with(model: Any, onnx: Any, engine: str, texts: list[str], *, batch_size: int) -> None:
    if engine == "onnx":
        onnx.encode(texts, batch_size=batch_size)
    else:
        model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)


def describe(config: Config) -> str:
    engine, bs, threads = config
    return f"onnx, batch {bs}" if engine == "onnx" else f"torch, batch {bs}, {threads} thread(s)"


def raw_rate_at(model: Any, onnx: Any, texts: list[str], config: Config) -> float:
    import torch

    engine, batch_size, threads = config
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        start = time.perf_counter()
        encode_with(model, onnx, engine, texts, batch_size=batch_size)
        return len(texts) / (time.perf_counter() - start)
    finally:
        torch.set_num_threads(before)


def raw_best_rate(model: Any, onnx: Any, texts: list[str], *, batch_sizes: list[int], threads: list[int]
                  ) -> tuple[float, Config]:
    """The best raw batched rate over torch (batch size x threads) and ONNX Runtime (batch size)."""
    configs: list[Config] = [("torch", bs, n) for n in threads for bs in batch_sizes]
    if onnx is not None:
        configs += [("onnx", bs, max(threads)) for bs in (1, 4, 8)]
    best, where = 0.0, configs[0]
    for config in configs:
        rate = raw_rate_at(model, onnx, texts, config)
        if rate > best:
            best, where = rate, config
    return best, where


# -- the service over HTTP -------------------------------------------------------------------------------
class Service:
    """`triage serve` in a process of its own, as it runs in production, on the bench's database and store.

    The load comes from this (the bench) process through an asyncio HTTP client: the service shares no
    interpreter and no GIL with the load generator. (An earlier version served in a thread of this process
    with 16 client threads beside it, and measured the GIL contention between them as much as the service.)
    """

    def __init__(self, env: dict[str, str], *, key: str, micro_batch: bool, log: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.key = key
        self.counter = iter(range(10**9))
        self.run_id = uuid.uuid4().hex[:8]
        self._log = log.open("ab")
        triage = Path(sys.executable).parent / "triage"
        self.proc = subprocess.Popen(
            [str(triage), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env, "TRIAGE_EMBEDDING__MICRO_BATCH": "true" if micro_batch else "false"},
            stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"triage serve exited with {self.proc.returncode}; see {log}")
            try:
                if httpx.get(self.url + "/readyz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"triage serve was not ready within 600 s; see {log}")
            time.sleep(0.25)

    def _body(self, text: str) -> dict[str, Any]:
        # unique across the services started on this database (each starts its counter at 0)
        return {"external_id": f"bench-{self.run_id}-{next(self.counter)}", "channel": "api",
                "reporter": {"type": "user"}, "body": text}

    @staticmethod
    def _check(r: httpx.Response) -> None:
        r.raise_for_status()
        if r.json()["decision"] is None:
            raise RuntimeError("a benchmark ticket was left pending")

    def post(self, client: httpx.Client, text: str) -> float:
        start = time.perf_counter()
        self._check(client.post("/v1/tickets", json=self._body(text)))
        return time.perf_counter() - start

    def single_p50(self, texts: list[str], model: Any, onnx: Any) -> tuple[float, float, float | None]:
        """p50 of POST /v1/tickets and of the raw model encoding the same text (torch, and ONNX Runtime when it
        loaded), measured in turn (paired), so all see the same machine load."""
        engines = ["torch", *(["onnx"] if onnx is not None else [])]
        raw: dict[str, list[float]] = {engine: [] for engine in engines}
        service: list[float] = []
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"}, timeout=120) as c:
            for t in texts[:3]:
                self.post(c, f"warm {next(self.counter)} {t}")
            for t in texts:
                for engine in engines:
                    settle()
                    start = time.perf_counter()
                    encode_with(model, onnx, engine, [f"{t} ({engine})"], batch_size=1)
                    raw[engine].append(time.perf_counter() - start)
                settle()
                service.append(self.post(c, t))
        return p50(service), p50(raw["torch"]), p50(raw["onnx"]) if onnx is not None else None

    def throughput(self, texts: list[str], *, clients: int) -> float:
        """Tickets/s with `clients` concurrent connections, each posting its share one after another."""
        per = len(texts) // clients

        async def run() -> float:
            limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
            async with httpx.AsyncClient(base_url=self.url, headers={"Authorization": f"Bearer {self.key}"},
                                         timeout=120, limits=limits) as c:
                async def work(w: int) -> None:
                    for t in texts[w * per:(w + 1) * per]:
                        self._check(await c.post("/v1/tickets", json=self._body(t)))

                start = time.perf_counter()
                await asyncio.gather(*(work(w) for w in range(clients)))
                return per * clients / (time.perf_counter() - start)

        return asyncio.run(run())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def variants(texts: list[str], n: int, tag: str) -> list[str]:
    """n texts from `texts`, each made unique (so no cache helps) by a short tag."""
    return [f"{texts[i % len(texts)]} [{tag}{i}]" for i in range(n)]


# -- retrieval at scale --------------------------------------------------------------------------------
def synthetic(real: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.06) -> np.ndarray:
    """Unit vectors drawn around real embeddings: a random real vector plus isotropic noise (cosine ~0.75)."""
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(n, start + 100_000) - start
        x = real[rng.integers(0, len(real), m)] + noise * rng.standard_normal((m, real.shape[1])).astype(np.float32)
        out[start:start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def synthetic_cases(n: int, rng: np.random.Generator) -> list[Case]:
    lang = rng.integers(0, len(LANGUAGES), n)
    cat = rng.integers(0, 19, n)
    return [Case(id=case_id_for(f"bench-{i}"), key=f"bench-{i}", text=f"synthetic case {i}",
                 language=LANGUAGES[lang[i]], category=f"c{cat[i]}", risk=("low", "medium", "high")[i % 3],
                 queue="general", source="bench") for i in range(n)]


def retrieval(real: np.ndarray, size: int, workdir: Path, *, queries: int, progress: Progress) -> dict[str, Any]:
    rng = np.random.default_rng(size)
    vectors = synthetic(real, size, rng)
    cases = synthetic_cases(size, rng)
    langs = np.array([c.language for c in cases])
    qv = synthetic(real, queries, np.random.default_rng(size + 1), noise=0.04)
    q_lang = [LANGUAGES[i] for i in np.random.default_rng(size + 2).integers(0, len(LANGUAGES), queries)]
    path = workdir / f"edge-{size}"
    store = EdgeCaseStore(path, dimension=real.shape[1], background=False)
    task = progress.add_task(f"retrieval {label_size(size)}: insert", total=size)
    start = time.perf_counter()
    for i in range(0, size, 5_000):
        store.upsert(cases[i:i + 5_000], vectors[i:i + 5_000])
        progress.advance(task, min(5_000, size - i))
    insert_s = time.perf_counter() - start
    progress.update(task, description=f"retrieval {label_size(size)}: indexing (HNSW)")
    start = time.perf_counter()
    store.optimize(wait=True)
    optimise_s = time.perf_counter() - start
    progress.update(task, description=f"retrieval {label_size(size)}: queries")

    def run(filtered: bool) -> tuple[float, float]:
        times, recalls = [], []
        for i, q in enumerate(qv):
            flt = {"language": q_lang[i]} if filtered else None
            t0 = time.perf_counter()
            hits = store.search(q, limit=10, filters=flt)
            times.append(time.perf_counter() - t0)
            if i < 50:  # recall@10 against exact search
                sims = vectors @ q
                if filtered:
                    sims = np.where(langs == q_lang[i], sims, -2.0)
                exact = {cases[j].id for j in np.argpartition(-sims, 10)[:10]}
                recalls.append(len(exact & {h.case.id for h in hits}) / 10)
        return p50(times) * 1000, float(np.mean(recalls))

    run(False)  # warm the page cache and the HNSW links
    plain_ms, plain_recall = run(False)
    filtered_ms, filtered_recall = run(True)
    store.close()
    start = time.perf_counter()
    again = EdgeCaseStore(path, dimension=real.shape[1], background=False)
    again.search(qv[0], limit=10, filters={"language": "en"})
    restart_s = time.perf_counter() - start
    again.close()
    shutil.rmtree(path, ignore_errors=True)
    progress.remove_task(task)
    return {"cases": size, "insert_s": round(insert_s, 2), "optimise_s": round(optimise_s, 2),
            "p50_ms": round(plain_ms, 3), "recall_at_10": round(plain_recall, 3),
            "filtered_p50_ms": round(filtered_ms, 3), "filtered_recall_at_10": round(filtered_recall, 3),
            "restart_s": round(restart_s, 3)}


# -- import ----------------------------------------------------------------------------------------------
def import_rate(settings: Settings, rows: list[dict[str, Any]], embedder: Any, *, rounds: int = 3
                ) -> tuple[float, float, str, list[float]]:
    """Cases/s of `import_cases` into SQLite + the edge store, and the best raw encode rate of the same texts
    (torch at batch 32, ONNX Runtime at batch 1/4/8 when it loaded), measured in `rounds` pairs: each round the
    raw rate, then an import into a fresh database and store. The ratio is taken within each round and the
    round with the median ratio is reported (with every round's ratio): one unpaired pass moved 0.65-1.00x
    between runs, as much from the raw baseline's own swings (50-73 t/s) as from the import."""
    import torch

    from triage.components import open_store
    from triage.db.session import create_db_engine, make_session_factory, upgrade_database

    texts = [f"{r['subject']}\n\n{r['body']}".strip() for r in rows]
    measured: list[tuple[float, float, str]] = []
    for n in range(rounds):
        raw, where = raw_best_rate(embedder._model, embedder._onnx, texts, batch_sizes=[32],
                                   threads=[torch.get_num_threads()])
        base = Path(settings.data_dir) / f"import-{n}"
        round_settings = settings.model_copy(update={
            "database": settings.database.model_copy(update={"url": f"sqlite:///{base / 'import.db'}"}),
            "qdrant": settings.qdrant.model_copy(update={"path": base / "q"})})
        engine = create_db_engine(round_settings.database.url)
        upgrade_database(engine)
        store = open_store(round_settings, dimension=embedder.dimension)  # what `triage cases import` writes to
        try:
            embedder._cache.clear()
            start = time.perf_counter()
            report = import_cases(rows, fields=FieldMap.parse(["category=type"]), store=store, embedder=embedder,
                                  sessions=make_session_factory(engine), source="bench-import")
            rate = report.imported / (time.perf_counter() - start)
        finally:
            store.close()
            engine.dispose()
        measured.append((rate, raw, describe(where)))
    ratios = [rate / raw for rate, raw, _ in measured]
    median_rate, median_raw, median_at = measured[int(np.argsort(ratios)[len(ratios) // 2])]
    return median_rate, median_raw, median_at, ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests, 10k cases only (a few minutes)")
    parser.add_argument("--sizes", default=None, help="store sizes, e.g. 10k,100k,1m (default 10k,100k; --quick 10k)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    sizes = [parse_size(s) for s in (args.sizes or ("10k" if args.quick else "10k,100k")).split(",")]
    n_single, per_client, clients, rounds = (16, 4, 16, 2) if args.quick else (40, 12, 16, 3)
    n_import = 300 if args.quick else 1200

    started = time.perf_counter()
    info = machine()
    tmp = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    # data_dir keeps the critical detector's embedded exemplar bank between runs (var/cache); the database
    # and the store are fresh in a temporary directory
    settings = Settings(environment="test", data_dir=PROJECT_ROOT / "var",
                        database={"url": f"sqlite:///{tmp / 'b.db'}"}, qdrant={"path": tmp / "q"},
                        log_level="WARNING", reprocess_on_startup=False)
    texts = load_texts()
    rows: list[tuple[str, str, str, str, float | None, str]] = []  # measure, value, baseline, ratio, target
    results: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": info,
                               "git": git_describe(), "quick": args.quick, "service": {}, "retrieval": [],
                               "import": {}}

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("loading the seed memory", total=None)
        comps = build_components(settings)  # loads the seed cases: the memory the service decides with
        comps.pipeline.classifier.ensure_fitted()  # fitted and saved here, loaded by `triage serve`
        with comps.sessions.begin() as s:
            _, key = create_key(s, role=Role.service, name="bench")
        embedder = comps.embedder
        model = embedder._model  # type: ignore[attr-defined]
        onnx = embedder._onnx  # type: ignore[attr-defined]  # None when the service's backend is torch
        comps.close()  # the embedded store is opened by one process at a time: now the service's
        env = {"TRIAGE_ENVIRONMENT": "test", "TRIAGE_DATA_DIR": str(settings.data_dir),
               "TRIAGE_DATABASE__URL": settings.database.url, "TRIAGE_QDRANT__PATH": str(settings.qdrant.path),
               "TRIAGE_LOG_LEVEL": "WARNING", "TRIAGE_REPROCESS_ON_STARTUP": "false",
               "TRIAGE_SEED__ON_EMPTY": "false", "TRIAGE_THROTTLE__ENABLED": "false"}
        for kind in ("long", "short"):
            base = texts[kind]
            progress.update(task, description=f"raw model, {kind} texts")
            single_texts = base[:n_single]
            model.encode(single_texts[:3], normalize_embeddings=True, show_progress_bar=False)  # warm
            burst = base[:per_client * clients]
            raw_best, best_config = raw_best_rate(model, onnx, burst, batch_sizes=[8, 16, 32, 64], threads=[1, 2])
            raw_where = describe(best_config)
            out: dict[str, Any] = {"raw_best_texts_per_s": round(raw_best, 2), "raw_best_at": raw_where}
            for mode in ("on", "off"):
                progress.update(task, description=f"starting triage serve (micro-batching {mode})")
                service = Service(env, key=key, micro_batch=mode == "on", log=tmp / "serve.log")
                try:
                    progress.update(task, description=f"service, {kind} texts, micro-batching {mode}: 1 client")
                    single, raw_single, raw_onnx = service.single_p50(
                        variants(single_texts, n_single, f"s{mode}"), model, onnx)
                    progress.update(task, description=f"service, {kind} texts, micro-batching {mode}: "
                                                      f"{clients} clients")
                    # rounds of (raw best configuration, then the service) so both see the same load; best of each
                    tput = 0.0
                    for r in range(rounds):
                        raw_best = max(raw_best, raw_rate_at(model, onnx, burst, best_config))
                        tput = max(tput, service.throughput(variants(burst, per_client * clients, f"c{mode}{r}"),
                                                            clients=clients))
                finally:
                    service.stop()
                out[f"micro_batch_{mode}"] = {"raw_single_p50_ms": round(raw_single * 1000, 2),
                                              "raw_onnx_single_p50_ms": round(raw_onnx * 1000, 2) if raw_onnx else None,
                                              "single_p50_ms": round(single * 1000, 2),
                                              "single_ratio": round(single / raw_single, 3),
                                              "tickets_per_s": round(tput, 2),
                                              "throughput_ratio": round(tput / raw_best, 3),
                                              "raw_best_texts_per_s": round(raw_best, 2)}
                rows.append((f"service single p50, {kind}, micro-batch {mode}", f"{single * 1000:.1f} ms",
                             f"{raw_single * 1000:.1f} ms raw single encode (torch)"
                             + (f"; {single / raw_onnx:.2f}x the {raw_onnx * 1000:.1f} ms of onnx" if raw_onnx else ""),
                             f"{single / raw_single:.2f}x", 1.3, "<="))
                rows.append((f"service {clients} clients, {kind}, micro-batch {mode}", f"{tput:.1f} t/s",
                             f"{raw_best:.1f} t/s raw best ({raw_where})", f"{tput / raw_best:.2f}x", 0.8, ">="))
            results["service"][kind] = out
        real = embedder.embed(texts["long"][:600] + texts["short"][:600])

        for size in sizes:
            r = retrieval(real, size, tmp, queries=100 if args.quick else 300, progress=progress)
            results["retrieval"].append(r)
            name = label_size(size)
            rows.append((f"retrieval p50, {name} cases", f"{r['p50_ms']:.2f} ms (recall {r['recall_at_10']:.2f})",
                         f"{RETRIEVAL_TARGET_MS:.0f} ms target", f"{r['p50_ms'] / RETRIEVAL_TARGET_MS:.3f}x",
                         1.0, "<="))
            rows.append((f"retrieval p50, {name} cases, language filter",
                         f"{r['filtered_p50_ms']:.2f} ms (recall {r['filtered_recall_at_10']:.2f})",
                         f"{RETRIEVAL_TARGET_MS:.0f} ms target", f"{r['filtered_p50_ms'] / RETRIEVAL_TARGET_MS:.3f}x",
                         1.0, "<="))
            rows.append((f"restart, {name} cases", f"{r['restart_s']:.2f} s", f"{RESTART_TARGET_S:.0f} s target",
                         f"{r['restart_s'] / RESTART_TARGET_S:.3f}x", 1.0, "<="))

        progress.update(task, description="import")
        memory = [r for r in read_rows(DATASETS / "support_tickets" / "memory.jsonl")][:n_import]
        rate, raw, raw_at, ratios = import_rate(settings.model_copy(update={"data_dir": tmp}), memory, embedder,
                                                rounds=1 if args.quick else 3)
        results["import"] = {"cases": len(memory), "cases_per_s": round(rate, 2), "raw_texts_per_s": round(raw, 2),
                             "raw_at": raw_at, "ratio": round(rate / raw, 3),
                             "round_ratios": [round(r, 3) for r in ratios]}
        rows.append((f"import (support tickets), median of {len(ratios)} paired rounds "
                     f"({', '.join(f'{r:.2f}x' for r in ratios)})", f"{rate:.1f} cases/s",
                     f"{raw:.1f} t/s raw best ({raw_at})", f"{rate / raw:.2f}x", 0.8, ">="))

    shutil.rmtree(tmp, ignore_errors=True)
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["rows"] = [{"measure": m, "value": v, "baseline": b, "ratio": r, "target": f"{op} {t:g}x"}
                       for m, v, b, r, t, op in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")

    table = Table(title=f"triage benchmarks, {results['date']}, {info['cores']} cores ({info['cpu']}), "
                        f"load {info['load_average_at_start'][0]:.1f} at start")
    for col in ("measure", "value", "baseline (same run)", "ratio", "target"):
        table.add_column(col)
    for m, v, b, r, t, op in rows:
        ratio = float(r.rstrip("x"))
        ok = ratio <= t if op == "<=" else ratio >= t
        table.add_row(m, v, b, f"[{'green' if ok else 'red'}]{r}[/]", f"{op} {t:g}x")
    console.print(table)
    console.print(f"wrote {args.out} ({results['wall_s']} s)")


def git_describe() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


if __name__ == "__main__":
    main()
