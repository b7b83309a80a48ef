"""`triage eval compare A B --html OUT.html`: the comparison as one self-contained page.

What an analyst reads without opening JSON: the metric table (A, B, the delta with its paired-bootstrap 95%
interval and a verdict), McNemar per label, per-class deltas, the two runs' coverage curves on one plot and
their reliability diagrams side by side (matplotlib Agg, inline base64 PNG: no file beside the page, no
script, nothing fetched), and the changed examples with their text, gold label, before and after.

Every number is computed on the examples both runs scored (paired by id), as `compare_runs` does. The
example text comes from the suite's dataset (`suite_file` in A's results.json); when it cannot be read
the page says so and still lists the ids.
"""

from __future__ import annotations

import html
import json
import logging
import os
from pathlib import Path
from typing import Any

import jinja2

from triage.evals.compare import _label_pair
from triage.evals.metrics import classification_report, coverage_curve
from triage.evals.predictions import PredictionRow, read_prediction_rows
from triage.evals.report import _figure, _png

__all__ = ["link_comparison", "render_compare_page", "write_compare_page"]

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 600  # an example's text is cut here on the page (the dataset has the rest)
COLORS = {"A": "#1f77b4", "B": "#d62728"}


def _verdict(m: dict[str, Any]) -> tuple[str, str]:
    if m["regression"]:
        return "REGRESSION", "regression"
    if m["improvement"]:
        return "better", "better"
    if m["worse"]:
        return "worse (not guarded)", "worse"
    return "same", "same"


def _texts(results_a: dict[str, Any], ids: set[str]) -> tuple[dict[str, str], str | None]:
    """The changed examples' text from the suite's dataset, or a note saying why there is none."""
    suite_file = results_a.get("suite_file")
    if not suite_file or not ids:
        return {}, None if ids else None
    try:
        from triage.evals.runner import load_examples
        from triage.evals.suites import load_suite

        suite = load_suite(Path(suite_file))
        return {ex.id: ex.text for ex in load_examples(suite, suite.dataset_path) if ex.id in ids}, None
    except Exception as exc:  # the page is still useful without the text
        log.warning("compare page: example text unavailable (%s)", exc)
        return {}, f"example text unavailable: the suite file {suite_file} could not be read ({type(exc).__name__})"


def _plot_coverage(name: str, curves: dict[str, list[dict[str, Any]]]) -> str:
    fig = _figure(5.5, 4.2)
    ax = fig.add_subplot()
    for run, curve in curves.items():
        pts = [c for c in curve if c["accuracy"] is not None]
        ax.plot([c["coverage"] for c in pts], [c["accuracy"] for c in pts], marker=".", color=COLORS[run],
                label=f"{run}")
    ax.set_xlabel("share decided without a human (coverage)")
    ax.set_ylabel("accuracy of those")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(f"{name}: coverage vs accuracy, A and B")
    return _png(fig)


def _plot_reliability(name: str, cals: dict[str, dict[str, Any]]) -> str:
    fig = _figure(9, 4.2)
    for i, (run, cal) in enumerate(cals.items()):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfect")
        bins = [b for b in cal.get("bins", []) if b.get("accuracy") is not None]
        ax.bar([(b["low"] + b["high"]) / 2 for b in bins], [b["accuracy"] for b in bins], width=0.09, alpha=0.6,
               color=COLORS[run], label="accuracy per bin")
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", color="black",
                linewidth=1)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("confidence (top probability)")
        if i == 0:
            ax.set_ylabel("accuracy")
        ece = cal.get("ece")
        ax.set_title(f"{run}: ECE {ece:.3f}" if isinstance(ece, int | float) else run)
        ax.legend(loc="upper left", fontsize=7)
    fig.suptitle(f"{name}: reliability, A | B")
    return _png(fig)


def _plot_class_deltas(name: str, rows: list[dict[str, Any]]) -> str:
    fig = _figure(max(5.0, 0.45 * len(rows) + 2), 3.6)
    ax = fig.add_subplot()
    deltas = [r["delta_f1"] for r in rows]
    ax.bar(range(len(rows)), deltas, color=["#2a7" if d >= 0 else "#c33" for d in deltas])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(rows)), [r["label"] for r in rows], rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("F1 (B) - F1 (A)")
    ax.set_title(f"{name}: per-class F1 change")
    return _png(fig)


def _label_section(name: str, rows_a: list[PredictionRow], rows_b: list[PredictionRow],
                   risk_order: list[str] | None) -> dict[str, Any] | None:
    pairs = [(a, b) for a, b in zip(rows_a, rows_b, strict=True)
             if name in a.gold and a.predicted.get(name) is not None and b.predicted.get(name) is not None]
    if not pairs:
        return None
    pa, pb = [a for a, _ in pairs], [b for _, b in pairs]
    gold = [a.gold[name] for a in pa]
    rep_a = classification_report(gold, [str(a.predicted[name]) for a in pa])["per_class"]
    rep_b = classification_report(gold, [str(b.predicted[name]) for b in pb])["per_class"]
    classes = []
    for label in sorted(set(rep_a) | set(rep_b)):
        ma, mb = rep_a.get(label, {}), rep_b.get(label, {})
        fa, fb = float(ma.get("f1", 0.0)), float(mb.get("f1", 0.0))
        classes.append({"label": label, "support": int(ma.get("support", mb.get("support", 0))),
                        "precision_a": ma.get("precision", 0.0), "precision_b": mb.get("precision", 0.0),
                        "recall_a": ma.get("recall", 0.0), "recall_b": mb.get("recall", 0.0),
                        "f1_a": fa, "f1_b": fb, "delta_f1": fb - fa})
    section: dict[str, Any] = {"name": name, "n": len(pairs), "classes": classes, "plots": []}
    section["plots"].append({"title": f"{name}: per-class F1 change", "png": _plot_class_deltas(name, classes)})
    curves = {}
    for run, rows in (("A", pa), ("B", pb)):
        confident = [(float(c), str(r.predicted[name]) == r.gold[name]) for r in rows
                     if (c := r.confidence.get(name)) is not None]
        if confident:
            curves[run] = coverage_curve([c for c, _ in confident], [ok for _, ok in confident])
    if curves:
        section["plots"].append({"title": f"{name}: coverage curves", "png": _plot_coverage(name, curves)})
    sample_a, sample_b = _label_pair(pa, pb, name, risk_order)
    cals = {run: s.calibration for run, s in (("A", sample_a), ("B", sample_b)) if s.calibration.get("n")}
    if cals:
        section["plots"].append({"title": f"{name}: reliability diagrams", "png": _plot_reliability(name, cals)})
    return section


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Compare: {{ a_name }} → {{ b_name }}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}td,th{border:1px solid #ccc;padding:.25em .6em}
th{background:#f3f3f3;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.regression{color:#fff;background:#b00;font-weight:bold}.better{color:#060;font-weight:bold}.worse{color:#a60}
.same{color:#666}.pos{color:#070}.neg{color:#b00}figure{display:inline-block;margin:.5em;vertical-align:top}
figcaption{font-size:.85em;color:#555}code{background:#f5f5f5;padding:0 .2em}.note{color:#a60}
td.text{max-width:520px;white-space:pre-wrap;font-size:.9em}.fixed{color:#070}.broken{color:#b00}
</style></head><body>
<h1>Compare: <code>{{ a_name }}</code> (A) → <code>{{ b_name }}</code> (B)</h1>
<p>{{ r.n_common }} paired examples{% if r.only_in_a or r.only_in_b %} ({{ r.only_in_a }} only in A,
{{ r.only_in_b }} only in B, not compared){% endif %} · reports: <a href="{{ a_report }}">A</a>,
<a href="{{ b_report }}">B</a></p>
{% for note in r.notes %}<p class="note">note: {{ note }}</p>{% endfor %}
<p><strong>{% if r.regressions %}<span class="regression">&nbsp;significant regressions: {{ r.regressions|join(", ")
}}&nbsp;</span>{% else %}no significant regression{% endif %}</strong></p>
<table><tr><th>versions</th><th>A</th><th>B</th></tr>
{% for k in version_keys %}<tr><td>{{ k }}</td><td><code>{{ va.get(k) }}</code></td>
<td><code>{{ vb.get(k) }}</code></td></tr>
{% endfor %}</table>
<h2>Metrics</h2>
<p>Δ = B − A; the interval is a paired bootstrap 95% interval of Δ. A guarded metric regresses when its whole
interval is on the worse side of 0; unguarded ones (rates, latency, cost) are shown when it excludes 0.</p>
<table><tr><th>metric</th><th>A</th><th>B</th><th>Δ (B−A)</th><th>95% interval</th><th>verdict</th><th>guarded</th></tr>
{% for m in metrics %}<tr><td>{{ m.key }}</td><td class="num">{{ m.a }}</td><td class="num">{{ m.b }}</td>
<td class="num">{{ m.delta }}</td><td class="num">[{{ m.lo }}, {{ m.hi }}]</td>
<td class="{{ m.css }}">{{ m.verdict }}</td><td>{{ "yes" if m.guarded else "" }}</td></tr>
{% endfor %}</table>
{% if mcnemar %}<h3>McNemar (paired correctness)</h3>
<table><tr><th>label</th><th>A right, B wrong</th><th>A wrong, B right</th><th>p</th></tr>
{% for name, mc in mcnemar.items() %}<tr><td>{{ name }}</td><td class="num">{{ mc.a_right_b_wrong }}</td>
<td class="num">{{ mc.a_wrong_b_right }}</td><td class="num">{{ "%.4g"|format(mc.p_value) }}</td></tr>{% endfor %}
</table>{% endif %}
{% for s in sections %}
<h2 id="label-{{ s.name }}">{{ s.name }} <small>({{ s.n }} examples)</small></h2>
{% for p in s.plots %}<figure><img src="data:image/png;base64,{{ p.png }}" alt="{{ p.title }}">
<figcaption>{{ p.title }}</figcaption></figure>{% endfor %}
<h3>Per class</h3>
<table><tr><th>class</th><th>support</th><th>precision A → B</th><th>recall A → B</th><th>F1 A → B</th>
<th>Δ F1</th></tr>
{% for c in s.classes %}<tr><td>{{ c.label }}</td><td class="num">{{ c.support }}</td>
<td class="num">{{ "%.3f"|format(c.precision_a) }} → {{ "%.3f"|format(c.precision_b) }}</td>
<td class="num">{{ "%.3f"|format(c.recall_a) }} → {{ "%.3f"|format(c.recall_b) }}</td>
<td class="num">{{ "%.3f"|format(c.f1_a) }} → {{ "%.3f"|format(c.f1_b) }}</td>
<td class="num {{ 'pos' if c.delta_f1 > 0 else ('neg' if c.delta_f1 < 0 else '') }}">
{{- "%+.3f"|format(c.delta_f1) }}</td>
</tr>{% endfor %}</table>
{% set changed = r.changed.get(s.name, []) %}
<h3>Changed examples ({{ changed|length }}
{%- if changed|length > max_changed %}, first {{ max_changed }}{% endif %})</h3>
{% if text_note %}<p class="note">{{ text_note }}</p>{% endif %}
{% if changed %}<table><tr><th>id</th><th>text</th><th>gold</th><th>A (before)</th><th>B (after)</th>
<th>change</th></tr>
{% for c in changed[:max_changed] %}<tr><td><code>{{ c.id }}</code></td>
<td class="text">{{ texts.get(c.id, "")|truncate(max_text) }}</td>
<td>{{ c.gold }}</td><td>{{ c.a }}</td><td>{{ c.b }}</td><td class="{{ c.change }}">{{ c.change }}</td></tr>
{% endfor %}</table>{% else %}<p>none</p>{% endif %}
{% endfor %}
</body></html>
"""


def _fmt(v: Any) -> str:
    return "–" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)


def render_compare_page(result: dict[str, Any], *, page: Path, max_changed: int = 200) -> str:
    """The page for a `compare_runs` result; links to both runs' reports are relative to `page`."""
    run_a, run_b = Path(result["run_a"]), Path(result["run_b"])
    res_a = json.loads((run_a / "results.json").read_text(encoding="utf-8"))
    res_b = json.loads((run_b / "results.json").read_text(encoding="utf-8"))
    rows_a = {r.id: r for r in read_prediction_rows(run_a)}
    rows_b = {r.id: r for r in read_prediction_rows(run_b)}
    common = [i for i in rows_a if i in rows_b]
    order = res_a.get("risk_order") or res_b.get("risk_order")
    sections = []
    for name in result["changed"]:
        section = _label_section(name, [rows_a[i] for i in common], [rows_b[i] for i in common], order)
        if section is not None:
            sections.append(section)
    changed_ids = {c["id"] for changed in result["changed"].values() for c in changed[:max_changed]}
    texts, text_note = _texts(res_a, changed_ids)
    metrics = []
    for key, m in result["metrics"].items():
        verdict, css = _verdict(m)
        lo, hi = m["ci95"]
        metrics.append({"key": key, "a": _fmt(m["a"]), "b": _fmt(m["b"]), "delta": _fmt(m["delta"]),
                        "lo": _fmt(lo), "hi": _fmt(hi), "verdict": verdict, "css": css, "guarded": m["guarded"]})
    metrics.sort(key=lambda m: (not m["guarded"], m["css"] not in ("regression", "better", "worse")))
    va, vb = result["versions"]["a"] or {}, result["versions"]["b"] or {}
    here = page.resolve().parent
    template = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(_HTML)
    return template.render(
        r=result, a_name=run_a.name or str(run_a), b_name=run_b.name or str(run_b), metrics=metrics,
        mcnemar=result["mcnemar"], sections=sections, texts=texts, text_note=text_note, max_changed=max_changed,
        max_text=MAX_TEXT_CHARS, version_keys=sorted(set(va) | set(vb)), va=va, vb=vb,
        a_report=html.escape(os.path.relpath((run_a / "report.html").resolve(), here)),
        b_report=html.escape(os.path.relpath((run_b / "report.html").resolve(), here)),
    )


def write_compare_page(result: dict[str, Any], page: Path) -> None:
    """Write the page and link it from both runs' reports."""
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(render_compare_page(result, page=page), encoding="utf-8")
    run_a, run_b = Path(result["run_a"]), Path(result["run_b"])
    link_comparison(run_a, page, other=run_b, role="A (baseline)")
    if run_b.resolve() != run_a.resolve():
        link_comparison(run_b, page, other=run_a, role="B (candidate)")


COMPARISONS = "comparisons.json"
_START, _END = "<!-- comparisons -->", "<!-- /comparisons -->"


def link_comparison(run_dir: Path, page: Path, *, other: Path, role: str) -> None:
    """Record the page in the run's comparisons.json and list every recorded page in its report.html and report.md
    (a marked block, replaced on each call: idempotent)."""
    path = run_dir / COMPARISONS
    entries: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    href = os.path.relpath(page.resolve(), run_dir.resolve())
    entries = [e for e in entries if e["href"] != href]
    entries.append({"href": href, "other": str(other), "role": role})
    path.write_text(json.dumps(entries, indent=2), encoding="utf-8")
    items = "".join(f'<li><a href="{html.escape(e["href"])}">{html.escape(e["href"])}</a>: this run as '
                    f'{html.escape(e["role"])}, against <code>{html.escape(e["other"])}</code></li>' for e in entries)
    _replace_block(run_dir / "report.html", f"{_START}<h2>Comparisons</h2><ul>{items}</ul>{_END}", before="</body>")
    lines = "\n".join(f"- [{e['href']}]({e['href']}): this run as {e['role']}, against `{e['other']}`"
                      for e in entries)
    _replace_block(run_dir / "report.md", f"{_START}\n## Comparisons\n\n{lines}\n{_END}\n", before=None)


def _replace_block(path: Path, block: str, *, before: str | None) -> None:
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    if _START in text and _END in text:
        head, rest = text.split(_START, 1)
        tail = rest.split(_END, 1)[1].lstrip("\n") if before is None else rest.split(_END, 1)[1]
        text = head + block + tail
    elif before is not None and before in text:
        text = text.replace(before, block + "\n" + before, 1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")
