"""The request path's scikit-learn shortcuts give what scikit-learn gives (triage.pipeline.inference)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from triage.pipeline.inference import lr_proba, tfidf_transform

TEXTS = [
    "Someone posted my home address and phone number under my video",
    "Mi hijo de 12 años recibe mensajes de un adulto desconocido",
    "ÇA SUFFIT: ce compte usurpe mon identité depuis trois semaines",
    "i will find you tomorrow at school and you will regret it",
    "the giveaway link asked for my card number, is it a scam?",
    "  ", "", "日本語のテキストも来ることがあります",
    "Please restore my account, it was banned by mistake #appeal",
    "ok",
]
UNSEEN = ["an address was posted", "أريد استرجاع حسابي", "zzz qqq", "", "Mi hijo recibe mensajes"]


@pytest.mark.parametrize("options", [
    {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 1, "dtype": np.float32},
    {"analyzer": "char_wb", "ngram_range": (3, 5), "sublinear_tf": True, "min_df": 2, "dtype": np.float32},
    {"analyzer": "word", "ngram_range": (1, 2), "sublinear_tf": False, "norm": "l1"},
    {"analyzer": "char", "ngram_range": (1, 3), "use_idf": False, "norm": None},
])
def test_tfidf_transform_equals_scikit_learn(options: dict[str, object]) -> None:
    vectorizer = TfidfVectorizer(**options).fit(TEXTS)  # type: ignore[arg-type]
    for texts in (TEXTS, UNSEEN, UNSEEN[:1]):
        ours = tfidf_transform(vectorizer, texts)
        theirs = sparse.csr_matrix(vectorizer.transform(texts))
        assert ours.shape == theirs.shape
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours.indptr, theirs.indptr)
        np.testing.assert_array_equal(ours.indices, theirs.indices)
        np.testing.assert_array_equal(ours.data, theirs.data)


@pytest.mark.parametrize("classes", [2, 5])
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_lr_proba_equals_predict_proba(classes: int, kind: str) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, 30)).astype(np.float32)
    x[x < 0.3] = 0  # sparse-ish, as the n-gram blocks are
    y = rng.integers(0, classes, size=120)
    model = LogisticRegression(C=8.0, max_iter=300).fit(x, y)
    rows = x[:17] if kind == "dense" else sparse.csr_matrix(x[:17])
    ours = lr_proba(model, rows)
    theirs = model.predict_proba(rows)
    assert ours.shape == theirs.shape == (17, classes)
    np.testing.assert_array_equal(ours, theirs)


def test_the_critical_detectors_fit_reuses_its_vocabularys_matrix_which_is_what_tfidf_transform_gives() -> None:
    # the detector's fit takes its texts' n-gram block from the vocabulary's own pass (fit_transform) instead of a
    # second transform; the heads are fitted on it, so it must be the very matrix a ticket is scored with
    from triage.pipeline.critical import CriticalDetector

    vectorizer, matrix = CriticalDetector._vocabulary(TEXTS + UNSEEN)
    again = tfidf_transform(vectorizer, [t.lower() for t in TEXTS + UNSEEN])
    assert matrix.has_sorted_indices and matrix.dtype == again.dtype == np.float32
    np.testing.assert_array_equal(matrix.indptr, again.indptr)
    np.testing.assert_array_equal(matrix.indices, again.indices)
    np.testing.assert_array_equal(matrix.data, again.data)
