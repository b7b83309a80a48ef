from pathlib import Path

import numpy as np
import pytest

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.errors import PolicyError
from triage.pipeline.lexicon import load_lexicon

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
