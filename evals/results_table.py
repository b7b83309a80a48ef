"""Print the Markdown results table of docs/evals.md from finished run directories.

    python evals/results_table.py runs/hatexplain-local runs/openai_moderation-local ...
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def headline(results: dict) -> str:
    bits = []
    for name, rep in results["labels"].items():
        if rep.get("n"):
            bits.append(f"{name} acc {rep['accuracy']:.3f} / macro-F1 {rep['macro_f1']:.3f}"
                        + (f" / ECE {rep['ece']:.3f}" if rep.get("ece") is not None else ""))
            if name == "risk":
                bits.append(f"risk recall critical {rep['recall_critical']:.3f} / high {rep['recall_high']:.3f}")
                if rep.get("unreviewed_under_triage_rate") is not None:  # runs from before the metric lack it
                    bits.append(f"misses no person sees {rep['unreviewed_under_triage_rate']:.3f}")
    for name, rep in results["flags"].items():
        if rep.get("auprc") is not None:
            bits.append(f"{name} AUPRC {rep['auprc']:.3f} (n={rep['n']}, pos={rep['positives']})")
    d = results.get("drafts") or {}
    if d.get("semantic_similarity") is not None:  # None where the suite has no reference replies
        bits.append(f"drafts sim {d['semantic_similarity']:.3f} / ROUGE-L {d['rouge_l']:.3f} / "
                    f"lang {d['language_match_rate']:.3f}")
    if results.get("robustness"):
        bits.append(f"flip rate {results['robustness']['flip_rate']:.3f} (n={results['robustness']['n']})")
    return "<br>".join(bits)


def main() -> None:
    print("| suite | examples | memory | headline metrics | gates | wall time |")  # noqa: T201
    print("|---|---|---|---|---|---|")  # noqa: T201
    for arg in sys.argv[1:]:
        r = json.loads((Path(arg) / "results.json").read_text(encoding="utf-8"))
        memory = {"split": f"{len(r['memory'])}-fold CV", "file": "file", "none": "none"}[r["memory_kind"]]
        cases = "/".join(str(m["imported"]) for m in r["memory"])
        gates = ", ".join(f"{k} {'pass' if g['passed'] else 'FAIL'}" for k, g in r["gates"].items())
        print(f"| `{r['suite']}` | {r['n_examples']} | {memory} ({cases} cases) | {headline(r)} | {gates} | "  # noqa: T201
              f"{r['wall_time_s']:.0f} s |")


if __name__ == "__main__":
    main()
