"""`triage eval compare A B --html OUT.html`: a self-contained page, linked from both runs' reports, that a real
browser renders with every plot (Debian's chromium driven by Playwright, as tests/browser does)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from typer.testing import CliRunner

from tests.browser.test_review_page import CHROMIUM, CHROMIUM_ARGS, _need_browser
from tests.evals.test_runner import DATA, tiny_run_once
from triage.config import PROJECT_ROOT
from triage.evals.cli import eval_app
from triage.evals.runner import read_predictions

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SHOTS = ("eval-compare.png", "eval-compare-plots.png")  # the top (metric table), the category plots


@pytest.fixture(scope="module")
def two_runs(embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """A real run of the tiny suite, and a copy whose category predictions were broken on some examples and
    fixed on others (so the page has both kinds of change)."""
    tmp = tmp_path_factory.mktemp("compare")
    a = tmp / "run-a"
    shutil.copytree(tiny_run_once(embedder, tmp_path_factory)[0], a)
    b = tmp / "run-b"
    shutil.copytree(a, b)
    rows = read_predictions(b)
    changed = []
    for r in rows:
        right = r["predicted"]["category"] == r["gold"]["category"]
        if right and len(changed) < 8:
            r["predicted"]["category"] = "spam" if r["gold"]["category"] != "spam" else "no_violation"
            r["confidence"]["category"] = 0.95  # confidently wrong: the reliability diagram moves too
            changed.append(r["id"])
        elif not right:
            r["predicted"]["category"] = r["gold"]["category"]
            changed.append(r["id"])
    (b / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return a, b, changed


def _texts() -> dict[str, str]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {str(r["id"]): str(r["body"]) for r in rows}


def test_compare_writes_a_self_contained_page_linked_from_both_reports(two_runs: tuple[Path, Path, list[str]],
                                                                      tmp_path: Path) -> None:
    a, b, changed = two_runs
    page = tmp_path / "pages" / "a-vs-b.html"
    result = CliRunner().invoke(eval_app, ["compare", str(a), str(b), "--html", str(page), "--resamples", "200"])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    # self-contained: inline images only, nothing fetched, no script
    assert not re.search(r"""(src|href)=["']https?:""", html) and "<script" not in html and "<link" not in html
    # per-class deltas, coverage curves and reliability diagrams for category and risk (and the learned team)
    for label in ("category", "risk"):
        for title in ("per-class F1 change", "coverage curves", "reliability diagrams"):
            assert f'alt="{label}: {title}"' in html, (label, title)
    assert html.count('<img src="data:image/png;base64,') >= 6
    # the metric table with intervals and verdicts
    assert "category.accuracy" in html and "95% interval" in html
    assert re.search(r"category\.macro_f1</td>.*?\[-?\d", html, re.S)
    # every metric's verdict is the one the comparison computed (same seed and resamples as the CLI)
    from triage.evals.compare import compare_runs
    from triage.evals.compare_page import _verdict

    computed = compare_runs(a, b, resamples=200)["metrics"]["category.accuracy"]
    text, css = _verdict(computed)
    assert re.search(rf'category\.accuracy</td>(?:(?!</tr>).)*?<td class="{css}">{re.escape(text)}</td>', html, re.S), (
        text, css)
    # the changed examples: text from the dataset, gold, before and after
    texts = _texts()
    shown = [i for i in changed if str(escape(texts[i][:40])) in html]
    assert len(shown) == len(changed), set(changed) - set(shown)
    assert "fixed" in html and "broken" in html
    # linked from both runs' reports (relative links), once each even after a second comparison
    for run in (a, b):
        report = (run / "report.html").read_text(encoding="utf-8")
        href = os.path.relpath(page, run)
        assert f'href="{href}"' in report
        assert f"]({href})" in (run / "report.md").read_text(encoding="utf-8")
    assert CliRunner().invoke(eval_app, ["compare", str(a), str(b), "--html", str(page),
                                         "--resamples", "100"]).exit_code == 0
    assert (a / "report.html").read_text(encoding="utf-8").count(f'href="{os.path.relpath(page, a)}"') == 1
    assert (a / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


@pytest.mark.slow
def test_the_compare_page_renders_in_a_browser(two_runs: tuple[Path, Path, list[str]], tmp_path: Path) -> None:
    sync_playwright = _need_browser()
    a, b, _ = two_runs
    page_path = tmp_path / "compare.html"
    assert CliRunner().invoke(eval_app, ["compare", str(a), str(b), "--html", str(page_path),
                                         "--resamples", "200"]).exit_code == 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(page_path.as_uri())
            assert page.title().startswith("Compare:")
            # every plot decoded and laid out (a broken data URI has naturalWidth 0)
            widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.naturalWidth)")
            assert len(widths) >= 6 and all(w > 100 for w in widths), widths
            assert page.get_by_role("heading", name="Metrics").is_visible()
            # the link back to A's report resolves to the report file
            href = page.get_by_role("link", name="A", exact=True).get_attribute("href")
            assert href is not None and (page_path.parent / href).resolve() == (a / "report.html").resolve()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / SHOTS[0]))
            page.evaluate("document.getElementById('label-category').scrollIntoView()")
            page.screenshot(path=str(ARTIFACTS / SHOTS[1]))
        finally:
            browser.close()
    # docs/img/ holds copies of these, refreshed by hand (docs/evals.md says how)
    assert all((ARTIFACTS / name).stat().st_size > 10_000 for name in SHOTS)
