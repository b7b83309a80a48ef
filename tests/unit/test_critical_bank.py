"""The exemplar bank (policy/critical.yaml): a bad file is refused with its line, like every policy file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import sparse
from sklearn.linear_model import SGDClassifier

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.errors import PolicyError
from triage.pipeline.critical import LinearHead, load_exemplar_bank

POLICY = load_policy(PROJECT_ROOT / "policy")
GOOD = """version: "test-1"
groups:
  child_grooming:
    category: child_safety
    risk: critical
    description: "adults grooming minors"
    exemplars:
      en:
        - "an adult asks a 12 year old to send photos"
      es:
        - "un adulto le pide fotos a una niña de 12 años"
  threats:
    category: violent_threat
    risk: high
    exemplars:
      en: ["he says he will stab me after school"]
contrast:
  en: ["this song is killing me"]
ordinary:
  en: ["how do I change my  display name?"]
  de: ["Auszahlung seit zwei Wochen nicht angekommen"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "critical.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_bank_loads_and_covers_the_critical_categories_in_the_seed_languages() -> None:
    bank = load_exemplar_bank(PROJECT_ROOT / "policy" / "critical.yaml", policy=POLICY)
    assert {"child_safety", "self_harm", "violent_threat", "violent_extremism", "doxxing_privacy"} <= set(
        bank.categories)
    for category in ("child_safety", "self_harm", "violent_threat", "violent_extremism", "doxxing_privacy"):
        langs = {bank.languages[i] for i, g in enumerate(bank.group_of) if bank.group_category[g] == category}
        assert {"en", "es", "pt", "fr", "de", "id", "ar", "hi", "it", "ja", "tr"} <= langs, category
    assert len(bank.contrast) > 0
    # ordinary tickets in every language of the bank: the heads' negatives where the memory holds none
    exemplar_languages = set(bank.languages)
    ordinary = yaml.safe_load((PROJECT_ROOT / "policy" / "critical.yaml").read_text(encoding="utf-8"))["ordinary"]
    assert exemplar_languages <= {lang for lang, lines in ordinary.items() if len(lines) >= 20}


def test_a_good_file_is_flattened_one_row_per_exemplar(tmp_path: Path) -> None:
    bank = load_exemplar_bank(write(tmp_path, GOOD), policy=POLICY)
    assert bank.groups == ("child_grooming", "threats") and len(bank.texts) == 3
    assert list(bank.group_of) == [0, 0, 1] and bank.languages == ("en", "es", "en")
    assert bank.group_risk == ("critical", "high") and bank.contrast == ("this song is killing me",)
    assert bank.ordinary == ("how do I change my display name?", "Auszahlung seit zwei Wochen nicht angekommen")


@pytest.mark.parametrize(("old", "new", "line", "says"), [
    ("category: violent_threat", "category: violence", 13, "unknown category 'violence'"),
    ("risk: high", "risk: medium", 14, "below the violent_threat floor"),
    ("risk: critical", "risk: catastrophic", 5, "is not one of"),
    ("    description:", "    descripton:", 6, "descripton"),
    ('      en: ["he says he will stab me after school"]', "      en: []", 16, "at least one exemplar"),
    ('killing me"]', 'killing me"]]', 18, "YAML syntax error"),
])
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, old: str, new: str, line: int, says: str) -> None:
    assert old in GOOD
    with pytest.raises(PolicyError) as exc:
        load_exemplar_bank(write(tmp_path, GOOD.replace(old, new, 1)), policy=POLICY)
    message = str(exc.value)
    assert f":line {line}:" in message, message
    assert says in message, message


def test_a_saved_head_gives_the_probabilities_of_the_classifier_it_was_taken_from() -> None:
    rng = np.random.default_rng(3)
    x = sparse.random(300, 500, density=0.05, format="csr", dtype=np.float32, random_state=4)
    y = (np.asarray(x[:, :40].sum(axis=1)).ravel() + 0.1 * rng.standard_normal(300) > 0.5).astype(int)
    model = SGDClassifier(loss="log_loss", class_weight="balanced", max_iter=20, tol=None, average=True,
                          random_state=7).fit(x, y)
    head = LinearHead.of(model)
    assert 0 < y.sum() < len(y)
    assert head.coef.shape == (500,)
    np.testing.assert_allclose(head.probability(x), model.predict_proba(x)[:, 1], rtol=1e-12, atol=1e-12)
