"""What reading the whole memory holds: `all_cases` with and without the text, and the columns a fit keeps
(`MemoryColumns`), on 100k support-ticket-like cases.

    PYTHONPATH=src python benchmarks/memory_read.py [--cases 100000]

Builds an edge store in a temporary directory (cases with a ~1 KB body and a ~450 B final reply, random vectors),
then reads it in child processes (so each resident set is its own): the full payloads, the payload-lite read
(`with_text=False`), and the columns of ids, id hashes, categories and signature that the classifier's fits read
the memory into, page by page (`MemoryColumns.read`), twice each.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BODY = "My account was taken over last night and the attacker changed my email and phone number. " * 11
REPLY = "Thanks for reporting this. We have secured the account and reset the sign-in methods. " * 5


def build(path: Path, n: int) -> None:
    from triage.adapters.edge_store import EdgeCaseStore
    from triage.domain.cases import Case, case_id_for

    rng = np.random.default_rng(1)
    store = EdgeCaseStore(path, dimension=384, background=False)
    for start in range(0, n, 5000):
        m = min(n, start + 5000) - start
        cases = [Case(id=case_id_for(f"c{start + i}"), key=f"c{start + i}", text=f"{start + i} {BODY}",
                      category="account_access", risk="medium", language="en", final_reply=REPLY, queue="accounts")
                 for i in range(m)]
        x = rng.standard_normal((m, 384)).astype(np.float32)
        store.upsert(cases, x / np.linalg.norm(x, axis=1, keepdims=True))
    store.close()


def resident_mb() -> float:
    """The resident set now (not the peak: opening the store may have peaked higher than the read holds)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


LABELS = {"full": "full payloads", "lite": "without text ", "columns": "as columns   "}


def read(path: Path, kind: str) -> None:
    from triage.adapters.edge_store import EdgeCaseStore
    from triage.pipeline.memory_columns import MemoryColumns

    store = EdgeCaseStore(path, dimension=384, background=False)
    store.count()
    before = resident_mb()
    t0 = time.perf_counter()
    held_read: object
    if kind == "columns":
        held_read = MemoryColumns.read(store)
        n = len(held_read)
    else:
        held_read, _ = store.all_cases(with_vectors=False, with_text=kind == "full")
        n = len(held_read)
    seconds = time.perf_counter() - t0
    held = resident_mb() - before
    print(f"{LABELS[kind]}: {n} cases in {seconds:.1f} s, +{held:.0f} MB resident while the read is held", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--read", choices=list(LABELS), help=argparse.SUPPRESS)  # a child process's phase
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.path, args.read)
        return
    with tempfile.TemporaryDirectory(prefix="triage-memory-read-") as tmp:
        path = Path(tmp) / "store"
        build(path, args.cases)
        for _ in range(2):
            for kind in LABELS:
                subprocess.run([sys.executable, __file__, "--read", kind, "--path", str(path)], check=True)


if __name__ == "__main__":
    main()
