import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.errors import PolicyError
from triage.pipeline.lexicon import _SUBSTRING_LANGUAGES, _trie_alternation, load_lexicon

POLICY = load_policy(PROJECT_ROOT / "policy")
LEXICON = load_lexicon(PROJECT_ROOT / "policy" / "lexicon.yaml", categories=POLICY.categories)


def test_the_same_cue_features_in_several_languages() -> None:
    assert LEXICON is not None and LEXICON.dimension == len(POLICY.categories)
    texts = ["I forgot my password and can't log in",
             "Olvidé mi contraseña y no puedo iniciar sesión",
             "Ich habe mein Passwort vergessen und kann mich nicht anmelden",
             "Saya lupa kata sandi dan tidak bisa masuk"]
    feats = LEXICON.features(texts)
    col = LEXICON.categories.index("account_access")
    for i, text in enumerate(texts):
        assert int(np.argmax(feats[i])) == col, (text, LEXICON.hits(text))
    assert np.allclose(np.linalg.norm(feats, axis=1), 1.0)
    assert not LEXICON.features(["zzz qqq"]).any()


def test_unknown_categories_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.yaml"
    path.write_text('version: "x"\ncategories:\n  not_a_category:\n    en: [foo]\n')
    with pytest.raises(PolicyError, match="not_a_category"):
        load_lexicon(path, categories=POLICY.categories)
    assert load_lexicon(tmp_path / "missing.yaml", categories=POLICY.categories) is None


def _flat(terms: list[str]) -> re.Pattern[str]:
    """The lexicon's pattern before the prefix tree: every term, longest first."""
    escaped = sorted({re.escape(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(escaped) + ")", re.IGNORECASE)


def test_the_prefix_tree_matches_what_the_flat_alternation_matches() -> None:
    terms = ["kill", "kill you", "killer", "kil", "c++", "a.b", "dox", "doxx", "doxxing", "kız", "kiz",
             "çocuk", "home address", "home", "addr"]
    tree = re.compile(r"(?<!\w)(?:" + _trie_alternation([re.escape(t) for t in terms]) + ")", re.IGNORECASE)
    texts = ["i will kill you, killer", "KILL YOU now", "skill killed kil", "c++ and a.b but not axb",
             "doxxing doxx dox doxxx", "kızlar kiz KIZ", "çocuk Çocuklar", "my home address and home addr",
             "", "nothing here"]
    for text in texts:
        assert tree.findall(text.lower()) == _flat(terms).findall(text.lower()), text
    assert tree.findall("i will kill you, killer") == ["kill you", "killer"]


def test_the_shipped_lexicon_matches_as_the_flat_alternation_did() -> None:
    assert LEXICON is not None
    spec = yaml.safe_load((PROJECT_ROOT / "policy" / "lexicon.yaml").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (PROJECT_ROOT / "seed" / "cases.jsonl").read_text().splitlines()]
    texts = [f"{r.get('subject', '')} {r.get('body', r.get('text', ''))}".lower() for r in rows]
    for category, pattern in zip(LEXICON.categories, LEXICON._patterns, strict=True):
        prefixed = [t.strip().lower() for lang, ts in spec["categories"][category].items()
                    if lang not in _SUBSTRING_LANGUAGES for t in ts if t.strip()]
        flat = _flat(prefixed)
        plain = [t.strip().lower() for lang, ts in spec["categories"][category].items()
                 if lang in _SUBSTRING_LANGUAGES for t in ts if t.strip()]
        if plain:
            escaped = sorted({re.escape(t) for t in plain}, key=len, reverse=True)
            flat = re.compile(flat.pattern + "|(?:" + "|".join(escaped) + ")", re.IGNORECASE)
        assert [len(pattern.findall(t)) for t in texts] == [len(flat.findall(t)) for t in texts], category
