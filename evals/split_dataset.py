"""Split a JSONL file into a memory part and a test part, deterministically (seeded, stratified).

    python evals/split_dataset.py IN.jsonl --test-fraction 0.4 --stratify label --seed 7 \
        --memory OUT_memory.jsonl --test OUT_test.jsonl

Rows keep their order inside each part; the same input, fraction, field and seed give the same split.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path


def split_rows(rows: list[dict], *, test_fraction: float, stratify: str | None, seed: int) -> tuple[list, list]:
    strata: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        strata[str(row.get(stratify)) if stratify else ""].append(i)
    rng = random.Random(seed)
    test: set[int] = set()
    for key in sorted(strata):
        idx = strata[key][:]
        rng.shuffle(idx)
        test.update(idx[: round(len(idx) * test_fraction)])
    memory = [r for i, r in enumerate(rows) if i not in test]
    return memory, [r for i, r in enumerate(rows) if i in test]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("--memory", type=Path, required=True)
    parser.add_argument("--test", type=Path, required=True)
    parser.add_argument("--test-fraction", type=float, default=0.3)
    parser.add_argument("--stratify", default=None, help="field whose values keep their proportions")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with args.input.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    memory, test = split_rows(rows, test_fraction=args.test_fraction, stratify=args.stratify, seed=args.seed)
    for path, part in ((args.memory, memory), (args.test, test)):
        with path.open("w", encoding="utf-8") as fh:
            for row in part:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{args.input}: {len(memory)} memory rows -> {args.memory}, {len(test)} test rows -> {args.test}")  # noqa: T201


if __name__ == "__main__":
    main()
