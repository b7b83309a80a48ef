"""Results of a run: every metric computed from predictions.jsonl, written as results.json, report.md and a
self-contained report.html (plots drawn with matplotlib's Agg canvas, embedded as base64 PNG).

The scalar metrics come from `triage.evals.registry` (computed over the samples of
`triage.evals.samples`); this module adds the tables around them (per class, confusion, calibration
bins, coverage, by language, rule checks, paths) and the gates, and renders the reports.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from triage.domain.policy import Policy
from triage.evals.metrics import (
    accuracy,
    average_precision,
    average_precision_resampled,
    classification_report,
    coverage_curve,
    macro_f1,
    resample_weights,
)
from triage.evals.predictions import PredictionRow
from triage.evals.registry import Direction, Scope, Summary, direction_of, instances, keys_in, metric_value
from triage.evals.samples import (
    FlagSample,
    LabelSample,
    RunSample,
    ShareSample,
    ValueSample,
    reason_codes,
    stages,
)
from triage.evals.suites import Suite

__all__ = ["metric_value", "summarise", "summary_rows", "write_reports"]

log = logging.getLogger(__name__)


def _scored(rows: list[PredictionRow], name: str) -> list[PredictionRow]:
    return [r for r in rows if name in r.gold and r.predicted.get(name) is not None]


def _label_tables(rows: list[PredictionRow], name: str, sample: LabelSample | None) -> dict[str, Any]:
    """Per class, confusion, calibration bins, coverage, by language and automation of one label."""
    scored = _scored(rows, name)
    gold = [r.gold[name] for r in scored]
    pred = [str(r.predicted[name]) for r in scored]
    report = classification_report(gold, pred)
    out: dict[str, Any] = {k: report[k] for k in ("n", "per_class", "confusion") if k in report}
    out["unscored"] = len(rows) - len(scored)
    if not scored or sample is None:
        return out
    if sample.calibration.get("n"):
        out["calibration"] = sample.calibration
    with_conf = [r for r in scored if r.confidence.get(name) is not None]
    if with_conf:  # the confidence the decision reports (the LLM's on the LLM path) vs the share decided
        out["coverage"] = coverage_curve([r.confidence[name] or 0.0 for r in with_conf],
                                         [str(r.predicted[name]) == r.gold[name] for r in with_conf])
    by_lang: dict[str, list[PredictionRow]] = defaultdict(list)
    for r in scored:
        by_lang[r.language or "und"].append(r)
    out["by_language"] = {
        lang: {"n": len(rs),
               "accuracy": accuracy([r.gold[name] for r in rs], [str(r.predicted[name]) for r in rs]),
               "macro_f1": macro_f1([r.gold[name] for r in rs], [str(r.predicted[name]) for r in rs])}
        for lang, rs in sorted(by_lang.items(), key=lambda kv: -len(kv[1]))
    }
    auto = [r for r in scored if not r.needs_human]
    out["automation"] = {
        "decided_without_human": len(auto) / len(scored),
        "accuracy_without_human": (sum(str(r.predicted[name]) == r.gold[name] for r in auto) / len(auto)
                                   if auto else None),
    }
    return out


def _flag_tables(sample: FlagSample) -> dict[str, Any]:
    """Counts and the precision-recall curve of a flag (its metrics come from the registry)."""
    out: dict[str, Any] = {"n": len(sample), "positives": int(sample.gold.sum())}
    if len(sample):
        out["base_rate"] = float(sample.gold.mean())
        out["pr_curve"] = _pr_points(sample)
        versus = _versus_baseline(sample)
        if versus is not None:
            out["auprc_minus_baseline"] = versus
    return out


def _versus_baseline(sample: FlagSample, *, resamples: int = 1000, seed: int = 7) -> dict[str, Any] | None:
    """The flag's AUPRC minus the baseline's, with a paired bootstrap 95% interval (the same resampled rows for
    both): whether a gap is more than a small sample's noise (a flag with 10 positives moves by 0.05 alone)."""
    if not sample.has_baseline or not 0 < int(sample.gold.sum()) < len(sample):
        return None
    full = average_precision(sample.gold, sample.score)
    reference = average_precision(sample.gold, sample.baseline)
    if full is None or reference is None:
        return None
    n = len(sample)
    weights = resample_weights(np.random.default_rng(seed).integers(0, n, (resamples, n)), n)
    deltas = (average_precision_resampled(sample.gold, sample.score, weights)
              - average_precision_resampled(sample.gold, sample.baseline, weights))
    deltas = deltas[~np.isnan(deltas)]
    low, high = (np.percentile(deltas, [2.5, 97.5]) if len(deltas) else (np.nan, np.nan))
    return {"delta": round(full - reference, 4), "ci95": [round(float(low), 4), round(float(high), 4)],
            "verdict": "above" if low > 0 else "below" if high < 0 else "within noise"}


def _versus_text(versus: dict[str, Any] | None) -> str:
    if not versus:
        return "–"
    low, high = versus["ci95"]
    return f"{versus['delta']:+.3f} [{low:+.3f}, {high:+.3f}] {versus['verdict']}"


def _pr_points(sample: FlagSample) -> list[list[float]]:
    """Recall and precision at each distinct score, highest first (the plotted curve)."""
    if not sample.gold.any():
        return []
    order = np.argsort(-sample.score, kind="mergesort")
    y, s = sample.gold[order], sample.score[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last]
    return [[round(float(r), 4), round(float(p), 4)]
            for r, p in zip(tp / int(y.sum()), tp / (last + 1), strict=True)]


def _draft_tables(rows: list[PredictionRow]) -> dict[str, Any] | None:
    drafts = [r.draft for r in rows if r.draft is not None]
    if not drafts:
        return None
    issues = Counter(i for d in drafts for i in d.issues)
    out: dict[str, Any] = {
        "n": len(drafts),
        "rule_checks": {k: issues.get(k, 0) / len(drafts)
                        for k in ("unreplaced_placeholder", "personal_data_not_from_ticket", "promised_outcome")},
    }
    with_ref = sum(d.similarity is not None for d in drafts)
    if with_ref:
        out["n_with_reference"] = with_ref
    return out


def _robustness_tables(rows: list[PredictionRow]) -> dict[str, Any] | None:
    items = [r.robustness for r in rows if r.robustness is not None]
    if not items:
        return None
    changed = Counter(k for i in items for k in i.changed)
    return {"n": len(items), "flips_by_label": {k: v / len(items) for k, v in sorted(changed.items())}}


def _samples_of(rows: list[PredictionRow], *, labels: list[str], flags: list[str],
               risk_order: list[str]) -> dict[Scope, dict[str | None, Any]]:
    """The samples the registry's metrics are computed over, by scope and item."""
    label_samples = {name: LabelSample.from_rows(rows, name, risk_order=risk_order) for name in labels}
    return {
        Scope.label: {name: s for name, s in label_samples.items() if len(s)},
        Scope.flag: {name: FlagSample.from_rows(rows, name) for name in flags},
        Scope.reason: {code: ShareSample.reason(rows, code) for code in reason_codes(rows)},
        Scope.stage: {stage: ValueSample.stage(rows, stage) for stage in stages(rows)},
        Scope.run: {None: RunSample.from_rows(rows, top_level=risk_order[0])},
    }


def _place(results: dict[str, Any], key: str, value: Any, *, label: bool) -> None:
    """Set `key` (a registry key) in results, under a section that exists (a None section has no rows)."""
    *path, name = key.split(".")
    node: Any = results["labels"] if label else results
    for part in path:
        if node.get(part, {}) is None:
            return
        node = node.setdefault(part, {})
    node[name] = value


def _gates(suite: Suite, results: dict[str, Any]) -> dict[str, Any]:
    gates = {}
    for key, threshold in suite.spec.thresholds.items():
        value = metric_value(results, key)
        direction = direction_of(key)
        lower = direction is Direction.lower_is_better
        passed = value is not None and (value <= threshold if lower else value >= threshold)
        gates[key] = {"threshold": threshold, "value": value, "passed": passed, "direction": str(direction)}
    return gates


def summarise(suite: Suite, rows: list[PredictionRow], *, policy: Policy, run: dict[str, Any]) -> dict[str, Any]:
    """results.json: the run's identity, every registry metric, the tables around them, and the gates."""
    samples = _samples_of(rows, labels=list(suite.labels), flags=list(suite.flags), risk_order=policy.risk_order)
    results: dict[str, Any] = {
        **run,
        "n_examples": len(rows),
        "risk_order": policy.risk_order,
        "labels": {name: _label_tables(rows, name, samples[Scope.label].get(name)) for name in suite.labels},
        "flags": {name: _flag_tables(samples[Scope.flag][name]) for name in suite.flags},
        "automation": {},
        "pipeline": {"n": len(rows), "reason_rates": {}},
        "drafts": _draft_tables(rows),
        "robustness": _robustness_tables(rows),
        "latency_ms": {},
        "cost": {"paths": dict(Counter(str(r.path) for r in rows))},
    }
    for metric, key, sample in instances(samples):
        _place(results, key, metric.compute(sample), label=metric.scope is Scope.label)
    results["automation"]["needs_human_rate"] = results["pipeline"]["needs_human_rate"]  # the key before pipeline
    results["gates"] = _gates(suite, results)
    return results


# -- text reports -------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _note(results: dict[str, Any], key: str) -> str:
    """The sample size next to a metric whose rows are a subset (flags: rows with the key; robustness)."""
    parts = key.split(".")
    if parts[0] == "flags" and parts[-1] == "auprc":
        rep = results["flags"][parts[1]]
        return f" (n={rep['n']}, pos={rep['positives']})"
    if key == "robustness.flip_rate":
        return f" (n={results['robustness']['n']})"
    return ""


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric, value) pairs for the headline table (terminal, Markdown, HTML): the registry's metrics."""
    rows: list[tuple[str, str]] = [("examples", str(results["n_examples"]))]
    for metric, key in keys_in(results):
        value = metric_value(results, key)
        if metric.summary is Summary.never or (metric.summary is Summary.nonzero and not value):
            continue
        if value is None and metric.scope is not Scope.flag:  # not measured in this run (e.g. no distribution)
            continue
        rows.append((key, _fmt(value) + _note(results, key)))
    total = results["latency_ms"].get("total_ms", {})
    rows.append(("latency_ms p50 / p95", f"{_fmt(total.get('p50'))} / {_fmt(total.get('p95'))}"))
    rows.append(("wall_time_s", _fmt(results.get("wall_time_s"))))
    for key, gate in results["gates"].items():
        sign = "<=" if direction_of(key) is Direction.lower_is_better else ">="
        rows.append((f"gate {key} ({sign} {gate['threshold']})",
                     ("PASS " if gate["passed"] else "FAIL ") + _fmt(gate["value"])))
    return rows


# -- plots --------------------------------------------------------------------------------------
def _png(fig: Any) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(w: float = 6.0, h: float = 4.0) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h))


def _plot_confusion(name: str, conf: dict[str, Any]) -> str:
    labels, matrix = conf["labels"], conf["matrix"]
    size = max(4.0, 0.45 * len(labels) + 2)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot()
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"{name}: confusion matrix")
    if len(labels) <= 12:
        peak = max(max(row) for row in matrix) or 1
        for i, row in enumerate(matrix):
            for j, v in enumerate(row):
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7,
                        color="white" if v > peak / 2 else "black")
    return _png(fig)


def _plot_reliability(name: str, cal: dict[str, Any]) -> str:
    fig = _figure(4.5, 4.5)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
    bins = cal["bins"]
    ax.bar([(b["low"] + b["high"]) / 2 for b in bins], [b["accuracy"] for b in bins], width=0.09, alpha=0.7,
           label="accuracy per bin")
    ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", color="C1")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"{name}: reliability (ECE {cal['ece']:.3f})")
    ax.legend(loc="upper left", fontsize=8)
    return _png(fig)


def _plot_coverage(name: str, curve: list[dict[str, Any]]) -> str:
    fig = _figure(5, 4)
    ax = fig.add_subplot()
    pts = [c for c in curve if c["accuracy"] is not None]
    ax.plot([c["coverage"] for c in pts], [c["accuracy"] for c in pts], marker=".")
    for c in pts[::4]:
        ax.annotate(f"{c['threshold']:.2f}", (c["coverage"], c["accuracy"]), fontsize=7)
    ax.set_xlabel("share decided without a human (coverage)")
    ax.set_ylabel("accuracy of those")
    ax.set_xlim(0, 1.02)
    ax.set_title(f"{name}: coverage vs accuracy (labels: threshold)")
    return _png(fig)


def _plot_per_class(name: str, per_class: dict[str, dict[str, float]]) -> str:
    import numpy as np

    labels = list(per_class)
    x = np.arange(len(labels))
    fig = _figure(max(5.0, 0.5 * len(labels) + 2), 4)
    ax = fig.add_subplot()
    for i, metric in enumerate(("precision", "recall", "f1")):
        ax.bar(x + (i - 1) * 0.27, [per_class[c][metric] for c in labels], width=0.27, label=metric)
    ax.set_xticks(x, labels, rotation=60, ha="right", fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_title(f"{name}: per-class precision / recall / F1")
    ax.legend(fontsize=8)
    return _png(fig)


def _plot_pr(flags: dict[str, dict[str, Any]]) -> str:
    fig = _figure(5, 4.5)
    ax = fig.add_subplot()
    for name, rep in flags.items():
        if rep.get("pr_curve"):
            pts = rep["pr_curve"]
            ax.step([0.0] + [p[0] for p in pts], [pts[0][1]] + [p[1] for p in pts], where="post",
                    label=f"{name} (AUPRC {rep['auprc']:.2f}, n={rep['n']})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title("flags: precision-recall")
    ax.legend(fontsize=7)
    return _png(fig)


def build_plots(results: dict[str, Any]) -> list[dict[str, str]]:
    plots: list[dict[str, str]] = []
    for name, rep in results["labels"].items():
        if not rep.get("n"):
            continue
        plots.append({"title": f"{name}: confusion matrix", "png": _plot_confusion(name, rep["confusion"])})
        plots.append({"title": f"{name}: per-class", "png": _plot_per_class(name, rep["per_class"])})
        if rep.get("calibration", {}).get("n"):
            plots.append({"title": f"{name}: reliability", "png": _plot_reliability(name, rep["calibration"])})
        if rep.get("coverage"):
            plots.append({"title": f"{name}: coverage", "png": _plot_coverage(name, rep["coverage"])})
    if any(rep.get("pr_curve") for rep in results["flags"].values()):
        plots.append({"title": "flags: precision-recall", "png": _plot_pr(results["flags"])})
    return plots


def _markdown(results: dict[str, Any]) -> str:
    lines = [f"# Eval report: {results['suite']}", "",
             f"- created: {results['created_at']} · mode: {results['mode']} · memory: {results['memory_kind']}",
             "- versions: " + ", ".join(f"{k} `{v}`" for k, v in results["versions"].items() if v),
             "- hashes: " + ", ".join(f"{k} `{v[:12]}`" for k, v in results["hashes"].items()), "",
             "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in summary_rows(results)]
    for name, rep in results["labels"].items():
        if not rep.get("n"):
            continue
        lines += ["", f"## {name}", "", "| class | precision | recall | F1 | support |", "|---|---|---|---|---|"]
        lines += [f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
                  for c, m in rep["per_class"].items()]
        lines += ["", "| language | n | accuracy | macro-F1 |", "|---|---|---|---|"]
        lines += [f"| {lang} | {m['n']} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} |"
                  for lang, m in rep["by_language"].items()]
    if results["flags"]:
        lines += ["", "## Flags (scored only on rows that carry the key)", "",
                  "| flag | n | positives | AUPRC | baseline AUPRC | AUPRC − baseline [95% CI] | AUROC "
                  "| baseline AUROC | precision@op | recall@op |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        lines += [f"| {n} | {r['n']} | {r['positives']} | {_fmt(r['auprc'])} | {_fmt(r.get('baseline_auprc'))} | "
                  f"{_versus_text(r.get('auprc_minus_baseline'))} | "
                  f"{_fmt(r['auroc'])} | {_fmt(r.get('baseline_auroc'))} | {_fmt(r['precision'])} | "
                  f"{_fmt(r['recall'])} |" for n, r in results["flags"].items()]
        lines += ["", "The baseline columns: a logistic regression per flag on the frozen embedding of the memory "
                  "rows that carry the key (a reference to beat, not this pipeline). The interval is a paired "
                  "bootstrap over the flag's rows (1,000 resamples): a gap whose interval holds 0 is within "
                  "the sample's noise."]
    lines += ["", "## Latency per stage (ms)", "", "| stage | p50 | p95 |", "|---|---|---|"]
    lines += [f"| {k} | {_fmt(v['p50'])} | {_fmt(v['p95'])} |" for k, v in results["latency_ms"].items()]
    c = results["cost"]
    lines += ["", "## Cost", "", f"- paths: {c['paths']}",
              f"- LLM calls live {c['llm_calls_live']} "
              f"(tokens {c['prompt_tokens_live']}+{c['completion_tokens_live']}, "
              f"${c['cost_usd_live']}), cached {c['llm_calls_cached']} (tokens {c['prompt_tokens_cached']}+"
              f"{c['completion_tokens_cached']})", "",
              "Plots are in report.html."]
    return "\n".join(lines) + "\n"


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval report: {{ r.suite }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}figure{display:inline-block;margin:.5em;vertical-align:top}
figcaption{font-size:.85em;color:#555}code{background:#f5f5f5;padding:0 .2em}.fail{color:#b00}.pass{color:#070}
</style></head><body>
<h1>Eval report: {{ r.suite }}</h1>
<p>created {{ r.created_at }} · mode <code>{{ r.mode }}</code> · memory {{ r.memory_kind }} ·
{% for k, v in r.versions.items() if v %}{{ k }} <code>{{ v }}</code> {% endfor %}</p>
<p>hashes: {% for k, v in r.hashes.items() %}{{ k }} <code>{{ v[:12] }}</code> {% endfor %}</p>
<h2>Summary</h2>
<table><tr><th>metric</th><th>value</th></tr>
{% for k, v in summary %}<tr><td>{{ k }}</td>
<td class="{{ 'fail' if 'FAIL' in v else ('pass' if 'PASS' in v else '') }}">{{ v }}</td></tr>
{% endfor %}</table>
{% for name, rep in r.labels.items() if rep.n %}
<h2>{{ name }}</h2>
<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
{% for c, m in rep.per_class.items() %}<tr><td>{{ c }}</td><td>{{ '%.3f'|format(m.precision) }}</td>
<td>{{ '%.3f'|format(m.recall) }}</td><td>{{ '%.3f'|format(m.f1) }}</td><td>{{ m.support }}</td></tr>{% endfor %}
</table>
<table><tr><th>language</th><th>n</th><th>accuracy</th><th>macro-F1</th></tr>
{% for lang, m in rep.by_language.items() %}<tr><td>{{ lang }}</td><td>{{ m.n }}</td>
<td>{{ '%.3f'|format(m.accuracy) }}</td><td>{{ '%.3f'|format(m.macro_f1) }}</td></tr>{% endfor %}
</table>
{% endfor %}
{% if r.flags %}<h2>Flags (scored only on rows that carry the key)</h2>
<table><tr><th>flag</th><th>n</th><th>positives</th><th>AUPRC</th><th>baseline AUPRC</th>
<th>AUPRC − baseline [95% CI]</th><th>AUROC</th><th>baseline AUROC</th></tr>
{% for name, f in r.flags.items() %}<tr><td>{{ name }}</td><td>{{ f.n }}</td><td>{{ f.positives }}</td>
<td>{{ fmt(f.get('auprc')) }}</td><td>{{ fmt(f.get('baseline_auprc')) }}</td>
<td>{{ versus(f.get('auprc_minus_baseline')) }}</td>
<td>{{ fmt(f.get('auroc')) }}</td><td>{{ fmt(f.get('baseline_auroc')) }}</td></tr>{% endfor %}
</table>
<p>Baseline: a logistic regression per flag on the frozen embedding of the memory rows that carry the key.
The interval is a paired bootstrap over the flag's rows: a gap whose interval holds 0 is within the noise.</p>
{% endif %}
<h2>Plots</h2>
{% for p in plots %}<figure><img src="data:image/png;base64,{{ p.png }}" alt="{{ p.title }}">
<figcaption>{{ p.title }}</figcaption></figure>
{% endfor %}
</body></html>
"""


def write_reports(out_dir: Path, results: dict[str, Any], rows: list[PredictionRow]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "report.md").write_text(_markdown(results), encoding="utf-8")
    template = jinja2.Environment(autoescape=True).from_string(_HTML)
    html = template.render(r=results, summary=summary_rows(results), plots=build_plots(results), fmt=_fmt,
                           versus=_versus_text)
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    log.info("wrote the reports to %s (%s predictions)", out_dir, len(rows))
