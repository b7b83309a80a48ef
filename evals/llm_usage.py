"""Print the LLM figures of eval runs: paths, structured-output modes, re-asks, latency, tokens.

    python evals/llm_usage.py runs/seed-llm runs/seed-cascade runs/seed-local

Reads each run's results.json (accuracy, macro-F1 of the first scored label) and predictions.jsonl
(typed rows, `triage.evals.predictions.PredictionRow`).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from triage.evals.predictions import PredictionRow


def _headline(run: Path) -> str:
    labels = json.loads((run / "results.json").read_text()).get("labels", {})
    parts = []
    for label in ("category", "risk"):
        if label in labels:
            parts.append(f"{label} acc {labels[label]['accuracy']:.3f} / macro-F1 {labels[label]['macro_f1']:.3f}")
    return "; ".join(parts)


def main(paths: list[str]) -> None:
    print("| run | n | headline | path llm / degraded / local | structured output | re-asks | "
          "LLM latency p50 / p95 (s) | tokens per LLM ticket (prompt + completion) |")
    print("|---|---|---|---|---|---|---|---|")
    for name in paths:
        run = Path(name)
        rows = [PredictionRow.model_validate_json(line) for line in
                (run / "predictions.jsonl").read_text().splitlines() if line.strip()]
        n = len(rows)
        paths_ = Counter(str(r.path) for r in rows)
        asked = [r for r in rows if r.path == "llm" or r.usage.calls or r.usage.prompt_tokens]
        modes = Counter(r.usage.structured_output for r in rows if r.usage.structured_output)
        reasked = sum(1 for r in asked if r.usage.reasks)
        latency = np.array([r.latency_ms.get("llm_ms", 0.0) for r in rows if "llm_ms" in r.latency_ms]) / 1000
        llm_rows = [r for r in rows if r.path == "llm"]
        tokens = np.array([r.usage.prompt_tokens + r.usage.completion_tokens for r in llm_rows])
        prompt = np.array([r.usage.prompt_tokens for r in llm_rows])
        lat = f"{np.percentile(latency, 50):.1f} / {np.percentile(latency, 95):.1f}" if latency.size else "-"
        tok = f"{tokens.mean():.0f} ({prompt.mean():.0f} + {tokens.mean() - prompt.mean():.0f})" if tokens.size else "-"
        mode_text = ", ".join(f"{m} {c}" for m, c in modes.most_common()) or "-"
        print(f"| {run.name} | {n} | {_headline(run)} | {paths_.get('llm', 0)} / {paths_.get('degraded', 0)} / "
              f"{paths_.get('local', 0)} | {mode_text} | {reasked} of {len(asked)} | {lat} | {tok} |")


if __name__ == "__main__":
    main(sys.argv[1:])
