"""What reading the whole memory holds: `all_cases` with and without the text, on 100k support-ticket-like cases.

    PYTHONPATH=src python benchmarks/memory_read.py [--cases 100000]

Builds an edge store in a temporary directory (cases with a ~1 KB body and a ~450 B final reply, random vectors),
then reads it in child processes (so each resident set is its own): the full payloads, then the payload-lite read the
classifier's fits use (`with_text=False`), twice each.
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


def read(path: Path, with_text: bool) -> None:
    from triage.adapters.edge_store import EdgeCaseStore

    store = EdgeCaseStore(path, dimension=384, background=False)
    store.count()
    before = resident_mb()
    t0 = time.perf_counter()
    cases, _ = store.all_cases(with_vectors=False, with_text=with_text)
    seconds = time.perf_counter() - t0
    held = resident_mb() - before
    print(f"{'full payloads' if with_text else 'without text '}: {len(cases)} cases in {seconds:.1f} s, "
          f"+{held:.0f} MB resident while the cases are held", flush=True)
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--read", choices=["full", "lite"], help=argparse.SUPPRESS)  # a child process's phase
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read(args.path, args.read == "full")
        return
    with tempfile.TemporaryDirectory(prefix="triage-memory-read-") as tmp:
        path = Path(tmp) / "store"
        build(path, args.cases)
        for _ in range(2):
            for kind in ("full", "lite"):
                subprocess.run([sys.executable, __file__, "--read", kind, "--path", str(path)], check=True)


if __name__ == "__main__":
    main()
