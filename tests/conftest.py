"""Shared fixtures: real components everywhere.

* `embedder`: the packaged all-MiniLM-L6-v2, loaded once per session.
* `db_url`: a fresh SQLite file, or (parametrised `postgres`) a fresh PostgreSQL database created on
  127.0.0.1:5432 and dropped afterwards.
* `make_components` / `live_server`: the real app served by uvicorn on a loopback port, spoken to over
  HTTP with httpx.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # One compute thread per test worker (and for the servers it starts): with two workers on two cores, torch's
    # and BLAS's default of a thread per core in each worker oversubscribes the cores (the run took 30 % more
    # CPU time). Set before torch, numpy or a subprocess reads them.
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

from triage.components import Components, build_components  # noqa: E402
from triage.config import PROJECT_ROOT, Settings  # noqa: E402

PG_ADMIN_URL = os.environ.get("TRIAGE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEED_FILE = PROJECT_ROOT / "seed" / "cases.jsonl"
CASES_PER_CATEGORY = 4  # a small, balanced case memory keeps fitting the local classifier quick
# the critical detector's exemplar bank embedded once for every test and xdist worker (TRIAGE_CACHE_DIR):
# entries are keyed by the bank's bytes and the model, and written atomically, so sharing is safe; each
# test still gets a fresh data directory and database
SHARED_CACHE = PROJECT_ROOT / ".pytest_cache" / "triage-vectors"
# a hang guard for test clients, not a latency assertion: a worker's first ticket over a new memory waits for
# the classifier and detector fits, which take minutes when xdist workers share two busy cores
HTTP_TIMEOUT_S = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The modules with a `slow` test first, so that under pytest-xdist the long tests start early and the run
    ends on short tests that fill both workers (longest-first scheduling) instead of one worker finishing a
    30-s test alone. Modules stay whole (their module-scoped fixtures are set up once) and keep their order."""
    slow_modules = {item.module.__name__ for item in items
                    if item.get_closest_marker("slow") is not None and isinstance(item, pytest.Function)}
    items.sort(key=lambda item: getattr(item.module, "__name__", "") not in slow_modules
               if isinstance(item, pytest.Function) else True)


@pytest.fixture(autouse=True)
def _no_real_llm(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real remote endpoint by accident: drop any LLM settings from the environment."""
    for name in list(os.environ):
        if name.startswith("TRIAGE_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/refuse")
    monkeypatch.setenv("OPENAI_API_KEY", "test-no-real-calls")


@pytest.fixture(scope="session")
def embedder() -> Any:
    from triage.adapters.embedder import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session", autouse=True)
def _exemplar_bank_embedded_once(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> None:
    """Embed the critical detector's exemplar bank into SHARED_CACHE before any test builds a pipeline.

    Under pytest-xdist the workers start together: the lock lets the first embed the bank (minutes on two
    cores) while the others wait and then read it from the cache instead of embedding it again."""
    from filelock import FileLock

    from triage.components import build_exemplar_index
    from triage.domain.policy import load_policy

    SHARED_CACHE.mkdir(parents=True, exist_ok=True)
    settings = settings_for(tmp_path_factory.mktemp("bank"))
    with FileLock(str(SHARED_CACHE / "bank.lock")):
        build_exemplar_index(settings, policy=load_policy(settings.policy_dir), embedder=embedder)


def _code_digest() -> str:
    """The triage source and policy files: fitted models shared between runs are keyed by them."""
    import hashlib

    h = hashlib.sha256()
    for root in (PROJECT_ROOT / "src" / "triage", PROJECT_ROOT / "policy"):
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".npy"):
                h.update(str(path.relative_to(PROJECT_ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session", autouse=True)
def _fits_shared_between_workers() -> Iterator[None]:
    """The local classifier's and the critical detector's fits, shared by the xdist workers through files.

    In one process the fit caches (`FITS`, keyed by everything a fit reads) already fit each memory once;
    the two workers fitted the same memories (the seed, its slice, the eval suites') both, 24 s of a run.
    Each fit is now also written to SHARED_CACHE/fits/<code digest>/<key>.pkl under a lock, and a worker
    that needs it loads it instead. The directory is keyed by the source and policy files, so a fit of
    other code is never used; test-only (the service saves its model with ModelRepository)."""
    import pickle

    from filelock import FileLock

    from triage.pipeline import classify, critical

    directory = SHARED_CACHE / "fits" / _code_digest()
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.parent.iterdir():  # fits of earlier code: never read again
        if stale != directory:
            shutil.rmtree(stale, ignore_errors=True)
    originals = [(cache, cache.get_or_fit) for cache in (classify.FITS, critical.FITS)]
    for cache, original in originals:

        def get_or_fit(key: str, fit: Callable[[], Any], _original: Any = original) -> Any:
            path = directory / f"{key}.pkl"

            def fit_or_load() -> Any:
                with FileLock(str(path) + ".lock"):
                    if path.is_file():
                        return pickle.loads(path.read_bytes())  # noqa: S301  # written by this test session
                    value = fit()
                    tmp = path.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                    os.replace(tmp, path)
                    return value

            return _original(key, fit_or_load)

        cache.get_or_fit = get_or_fit  # type: ignore[method-assign]
    yield
    for cache, original in originals:
        cache.get_or_fit = original  # type: ignore[method-assign]


def _pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (.ci/run should have started it)")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    from sqlalchemy import create_engine, text

    name = f"triage_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'triage.db'}"
    return str(request.getfixturevalue("pg_url"))


def settings_for(tmp_path: Path, db_url: str | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "data_dir": tmp_path,
        "database": {"url": db_url or f"sqlite:///{tmp_path / 'triage.db'}"},
        "qdrant": {"path": tmp_path / "qdrant"},
        "cache_dir": SHARED_CACHE,
        "log_json": False,
        # each test says what memory it wants; tests of the seed-on-empty default turn it back on
        "seed": {"on_empty": False},
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def make_components(embedder: Any) -> Iterator[Callable[..., Components]]:
    built: list[Components] = []

    def make(settings: Settings) -> Components:
        comps = build_components(settings, embedder=embedder)
        built.append(comps)
        return comps

    yield make
    for c in built:
        try:
            c.close()
        except Exception:  # already closed by the test
            pass


def import_seed(comps: Components, path: Path = SEED_FILE) -> int:
    from triage.components import prime_seed_vectors
    from triage.services.cases import FieldMap, import_cases, read_rows

    prime_seed_vectors(path, comps.embedder)  # as a first start does: the seed's shipped vectors, no encode

    report = import_cases(read_rows(path), fields=FieldMap(), store=comps.store, embedder=comps.embedder,
                          sessions=comps.sessions, source="seed")
    return report.imported


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Path:
    """A database and Qdrant directory holding a balanced slice of the seed cases, built once per session
    and copied for each test (importing and embedding again per test would dominate the run time)."""
    from triage.components import prime_seed_vectors
    from triage.services.cases import FieldMap, import_cases

    root = tmp_path_factory.mktemp("seeded")
    rows: list[dict[str, Any]] = []
    taken: dict[str, int] = {}
    for line in SEED_FILE.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if taken.get(row["category"], 0) < CASES_PER_CATEGORY:
            taken[row["category"]] = taken.get(row["category"], 0) + 1
            rows.append(row)
    comps = build_components(settings_for(root), embedder=embedder)
    try:
        prime_seed_vectors(SEED_FILE, embedder)
        import_cases(rows, fields=FieldMap(), store=comps.store, embedder=comps.embedder, sessions=comps.sessions,
                     source="seed")
    finally:
        comps.close()
    return root


def labelled_store(x: Any, labels: Any, prefix: str = "r") -> Any:
    """An edge store holding one case per row of `x` (unit-normalised as its vector), of category `labels[i]` (a, b
    or c) and the matching risk (low, medium, high): a memory whose category and risk heads learn the same labels."""
    import numpy as np  # here, not at the top: the thread settings above must come before numpy is imported

    from triage.adapters.edge_store import EdgeCaseStore
    from triage.domain.cases import Case, case_id_for

    dense = x.toarray()
    vectors = (dense / np.linalg.norm(dense, axis=1, keepdims=True)).astype(np.float32)
    to_risk = {"a": "low", "b": "medium", "c": "high"}
    cases = [Case(id=case_id_for(f"{prefix}{i}"), key=f"{prefix}{i}", text=f"post {i}", category=str(v),
                  risk=to_risk[str(v)]) for i, v in enumerate(labels)]
    store = EdgeCaseStore.temporary(dimension=vectors.shape[1], collection="t")
    store.upsert(cases, vectors)
    return store


def create_key(comps: Components, role: str = "service", name: str = "test") -> str:
    from triage.services.keys import Role
    from triage.services.keys import create_key as _create

    with comps.sessions.begin() as session:
        _, plain = _create(session, role=Role(role), name=name)
    return plain


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The real app under uvicorn in a thread, on a loopback port."""

    def __init__(self, settings: Settings, components: Components, **app_options: Any) -> None:
        import uvicorn

        from triage.app import create_app

        self.app = create_app(settings, components=components, **app_options)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def client(self, key: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=HTTP_TIMEOUT_S)


@pytest.fixture
def live_server() -> Iterator[Callable[..., LiveServer]]:
    """Start the real app on a loopback port; keyword options go to `create_app` (e.g. span_exporter)."""
    servers: list[LiveServer] = []

    def start(settings: Settings, components: Components, **app_options: Any) -> LiveServer:
        srv = LiveServer(settings, components, **app_options).__enter__()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.__exit__()


def ticket(external_id: str, body: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": external_id,
        "channel": "in_app_report",
        "reporter": {"type": "user"},
        "subject": "",
        "body": body,
    }
    data.update(extra)
    return data
