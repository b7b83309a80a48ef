"""Results of a run: every metric computed from predictions.jsonl, written as results.json, report.md and a
self-contained report.html (plots drawn with matplotlib's Agg canvas, embedded as base64 PNG)."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import jinja2

from triage.domain.policy import Policy
from triage.evals.metrics import (
    binary_report,
    calibration,
    classification_report,
    coverage_curve,
    macro_f1,
    percentile,
    risk_recall,
)
from triage.evals.suites import Suite

__all__ = ["LOWER_IS_BETTER", "metric_value", "summarise", "write_reports"]

log = logging.getLogger(__name__)

LOWER_IS_BETTER = ("ece", "brier", "under_triage_rate", "flip_rate", "_ms", "cost")


def _label_rows(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in rows if name in r["gold"] and r["predicted"].get(name) is not None]


def _label_metrics(rows: list[dict[str, Any]], name: str, policy: Policy) -> dict[str, Any]:
    scored = _label_rows(rows, name)
    gold = [r["gold"][name] for r in scored]
    pred = [str(r["predicted"][name]) for r in scored]
    out: dict[str, Any] = classification_report(gold, pred)
    out["unscored"] = len(rows) - len(scored)
    if not scored:
        return out
    if name == "risk":
        out.update(risk_recall(gold, pred, policy.risk_order))
    with_probs = [r for r in scored if r["probabilities"].get(name)]
    if with_probs:
        cal = calibration([r["probabilities"][name] for r in with_probs], [r["gold"][name] for r in with_probs])
        out["calibration"] = cal
        out["ece"], out["brier"] = cal.get("ece"), cal.get("brier")
    with_conf = [r for r in scored if r["confidence"].get(name) is not None]
    if with_conf:  # calibration of the confidence the decision reports (the LLM's on the LLM path)
        out["decision_ece"] = calibration([{str(r["predicted"][name]): r["confidence"][name]} for r in with_conf],
                                          [r["gold"][name] for r in with_conf]).get("ece")
        out["coverage"] = coverage_curve([r["confidence"][name] for r in with_conf],
                                         [str(r["predicted"][name]) == r["gold"][name] for r in with_conf])
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in scored:
        by_lang[r.get("language") or "und"].append(r)
    out["by_language"] = {
        lang: {"n": len(rs),
               "accuracy": sum(str(r["predicted"][name]) == r["gold"][name] for r in rs) / len(rs),
               "macro_f1": macro_f1([r["gold"][name] for r in rs], [str(r["predicted"][name]) for r in rs])}
        for lang, rs in sorted(by_lang.items(), key=lambda kv: -len(kv[1]))
    }
    auto = [r for r in scored if not r["needs_human"]]
    out["automation"] = {
        "decided_without_human": len(auto) / len(scored),
        "accuracy_without_human": (sum(str(r["predicted"][name]) == r["gold"][name] for r in auto) / len(auto)
                                   if auto else None),
    }
    return out


def _draft_metrics(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    drafts = [r["draft"] for r in rows if r.get("draft")]
    if not drafts:
        return None
    issues = Counter(i for d in drafts for i in d["issues"])
    out: dict[str, Any] = {
        "n": len(drafts),
        "language_match_rate": sum(d["language_match"] for d in drafts) / len(drafts),
        "rule_checks": {k: issues.get(k, 0) / len(drafts)
                        for k in ("unreplaced_placeholder", "personal_data_not_from_ticket", "promised_outcome")},
        "any_rule_issue_rate": sum(bool(d["issues"]) for d in drafts) / len(drafts),
    }
    with_ref = [d for d in drafts if "similarity" in d]
    if with_ref:
        out["n_with_reference"] = len(with_ref)
        out["semantic_similarity"] = sum(d["similarity"] for d in with_ref) / len(with_ref)
        out["rouge_l"] = sum(d["rouge_l"] for d in with_ref) / len(with_ref)
    return out


def _robustness(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    items = [r["robustness"] for r in rows if r.get("robustness")]
    if not items:
        return None
    changed = Counter(k for i in items for k in i["changed"])
    return {"n": len(items), "flip_rate": sum(i["flipped"] for i in items) / len(items),
            "flips_by_label": {k: v / len(items) for k, v in sorted(changed.items())},
            "injection_flagged_rate": sum(i["injection_flagged"] for i in items) / len(items)}


def _latency(rows: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    stages: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        for k, v in (r.get("latency_ms") or {}).items():
            stages[k].append(v)
        if r.get("latency_ms"):
            stages["total_ms"].append(sum(r["latency_ms"].values()))
    return {k: {"p50": percentile(v, 50), "p95": percentile(v, 95)} for k, v in stages.items()}


def _cost(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"paths": dict(Counter(r["path"] for r in rows))}
    for kind in ("live", "cached"):
        calls = [r["usage"] for r in rows
                 if r["path"] == "llm" and bool(r["usage"].get("cached")) == (kind == "cached")]
        out[f"llm_calls_{kind}"] = len(calls)
        out[f"prompt_tokens_{kind}"] = sum(int(u.get("prompt_tokens", 0) or 0) for u in calls)
        out[f"completion_tokens_{kind}"] = sum(int(u.get("completion_tokens", 0) or 0) for u in calls)
        out[f"cost_usd_{kind}"] = round(sum(float(u.get("cost_usd", 0) or 0) for u in calls), 6)
    return out


def metric_value(results: dict[str, Any], key: str) -> Any:
    """`category.macro_f1`, `risk.recall_critical`, `flags.S3.auprc`, `drafts.rouge_l`, `robustness.flip_rate`."""
    parts = key.split(".")
    node: Any = results["labels"] if parts[0] in results.get("labels", {}) else results
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def lower_is_better(key: str) -> bool:
    return any(m in key.rsplit(".", 1)[-1] for m in LOWER_IS_BETTER)


def _gates(suite: Suite, results: dict[str, Any]) -> dict[str, Any]:
    gates = {}
    for key, threshold in suite.spec.thresholds.items():
        value = metric_value(results, key)
        if value is None:
            passed = False
        else:
            passed = value <= threshold if lower_is_better(key) else value >= threshold
        gates[key] = {"threshold": threshold, "value": value, "passed": passed}
    return gates


def summarise(suite: Suite, rows: list[dict[str, Any]], *, policy: Policy, run: dict[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = {
        **run,
        "n_examples": len(rows),
        "labels": {name: _label_metrics(rows, name, policy) for name in suite.labels},
        "flags": {
            name: binary_report([r["flags"][name]["gold"] for r in rows], [r["flags"][name]["score"] for r in rows],
                                [r["flags"][name]["predicted"] for r in rows])
            for name in suite.flags
        },
        "automation": {"needs_human_rate": sum(r["needs_human"] for r in rows) / len(rows) if rows else None},
        "drafts": _draft_metrics(rows),
        "robustness": _robustness(rows),
        "latency_ms": _latency(rows),
        "cost": _cost(rows),
    }
    results["gates"] = _gates(suite, results)
    return results


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


# -- text reports -------------------------------------------------------------------------------
def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def summary_rows(results: dict[str, Any]) -> list[tuple[str, str]]:
    """(metric, value) pairs for the headline table (terminal, Markdown, HTML)."""
    rows: list[tuple[str, str]] = [("examples", str(results["n_examples"]))]
    for name, rep in results["labels"].items():
        if not rep.get("n"):
            continue
        rows.append((f"{name}.accuracy", _fmt(rep["accuracy"])))
        rows.append((f"{name}.macro_f1", _fmt(rep["macro_f1"])))
        for key in ("recall_critical", "recall_high", "under_triage_rate", "ece", "decision_ece", "brier"):
            if key in rep:
                rows.append((f"{name}.{key}", _fmt(rep[key])))
    for name, rep in results["flags"].items():
        rows.append((f"flags.{name}.auprc", f"{_fmt(rep['auprc'])} (n={rep['n']}, pos={rep['positives']})"))
        rows.append((f"flags.{name}.auroc", _fmt(rep["auroc"])))
    if results.get("drafts"):
        d = results["drafts"]
        for key in ("semantic_similarity", "rouge_l", "language_match_rate", "any_rule_issue_rate"):
            if key in d:
                rows.append((f"drafts.{key}", _fmt(d[key])))
    if results.get("robustness"):
        rows.append(("robustness.flip_rate", f"{_fmt(results['robustness']['flip_rate'])} "
                                             f"(n={results['robustness']['n']})"))
    rows.append(("needs_human_rate", _fmt(results["automation"]["needs_human_rate"])))
    total = results["latency_ms"].get("total_ms", {})
    rows.append(("latency_ms p50 / p95", f"{_fmt(total.get('p50'))} / {_fmt(total.get('p95'))}"))
    rows.append(("wall_time_s", _fmt(results.get("wall_time_s"))))
    for key, gate in results["gates"].items():
        rows.append((f"gate {key} ({'<=' if lower_is_better(key) else '>='} {gate['threshold']})",
                     ("PASS " if gate["passed"] else "FAIL ") + _fmt(gate["value"])))
    return rows


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
                  "| flag | n | positives | AUPRC | AUROC | precision@op | recall@op |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {n} | {r['n']} | {r['positives']} | {_fmt(r['auprc'])} | {_fmt(r['auroc'])} | "
                  f"{_fmt(r['precision'])} | {_fmt(r['recall'])} |" for n, r in results["flags"].items()]
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
<h2>Plots</h2>
{% for p in plots %}<figure><img src="data:image/png;base64,{{ p.png }}" alt="{{ p.title }}">
<figcaption>{{ p.title }}</figcaption></figure>
{% endfor %}
</body></html>
"""


def write_reports(out_dir: Path, results: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "report.md").write_text(_markdown(results), encoding="utf-8")
    template = jinja2.Environment(autoescape=True).from_string(_HTML)
    html = template.render(r=results, summary=summary_rows(results), plots=build_plots(results))
    (out_dir / "report.html").write_text(html, encoding="utf-8")
    log.info("wrote the reports to %s (%s predictions)", out_dir, len(rows))
