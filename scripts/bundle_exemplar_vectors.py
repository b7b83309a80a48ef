"""Write the critical detector's exemplar-bank vectors under the default embedding model to policy/vectors/,
and the seed cases' vectors to seed/vectors/.

The service then loads them instead of embedding the bank (about 4,000 texts: ~45 s on two cores) and the seed
(~350 support tickets: ~5 s) on its first start. Run it after editing policy/critical.yaml or seed/cases.jsonl
(the file names carry the bank's or the seed file's digest, so vectors of an older file are never used: the
service embeds the texts itself, as before, and tests/unit/test_bundled_vectors.py fails until this is run
again):

    .venv/bin/python scripts/bundle_exemplar_vectors.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


#: rows per bundled file: 3,000 x 384 float32 = 4.6 MB
PART_ROWS = 3_000


def main() -> None:
    import numpy as np

    from triage.adapters.embedder import SentenceTransformerEmbedder
    from triage.components import BUNDLED_VECTORS_DIR
    from triage.domain.policy import load_policy
    from triage.pipeline.critical import ExemplarIndex, load_exemplar_bank

    policy_dir = ROOT / "policy"
    bank = load_exemplar_bank(policy_dir / "critical.yaml", policy=load_policy(policy_dir))
    embedder = SentenceTransformerEmbedder()
    out = policy_dir / BUNDLED_VECTORS_DIR
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as cache:  # embed afresh, never from a cache or older bundle
        index = ExemplarIndex(bank, embedder=embedder, cache_dir=Path(cache))
    keep = set()
    for what, vectors in (("exemplars", index.vectors), ("contrast", index.contrast_vectors),
                          ("ordinary", index.ordinary_vectors)):
        if not len(vectors):
            continue
        name = ExemplarIndex.vector_file(bank, embedder.name, what)
        # in parts of at most PART_ROWS rows: no file in git over ~4.5 MB
        for k, start in enumerate(range(0, len(vectors), PART_ROWS)):
            part = name.removesuffix(".npy") + f".part{k}.npy"
            np.save(out / part, vectors[start:start + PART_ROWS].astype(np.float32))
            keep.add(part)
        sys.stdout.write(f"{out / name}: {vectors.shape[0]} vectors\n")
    _remove_others(out, "critical-*.npy", keep)
    _bundle_seed(embedder)


def _remove_others(directory: Path, pattern: str, keep: set[str]) -> None:
    """Vector files of older banks or seed files: never read again."""
    for stale in directory.glob(pattern):
        if stale.name not in keep:
            stale.unlink()
            sys.stdout.write(f"removed {stale}\n")


def _bundle_seed(embedder: object) -> None:
    """The seed cases' vectors, in seed/vectors/ (a first start loads the seed without embedding it)."""
    import numpy as np

    from triage.components import seed_texts, seed_vector_file

    seed_file = ROOT / "seed" / "cases.jsonl"
    path = seed_vector_file(seed_file, embedder.name)  # type: ignore[attr-defined]
    path.parent.mkdir(exist_ok=True)
    vectors = embedder.embed(seed_texts(seed_file))  # type: ignore[attr-defined]
    np.save(path, np.asarray(vectors, dtype=np.float32))
    sys.stdout.write(f"{path}: {vectors.shape[0]} vectors\n")
    _remove_others(path.parent, "cases-*.npy", {path.name})


if __name__ == "__main__":
    main()
