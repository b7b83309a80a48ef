"""Inference with fitted scikit-learn parts, without scikit-learn's per-call input checks.

On the request path a ticket is featurised and scored several times (the classifier's n-grams, its label
heads, the critical detector's n-grams). scikit-learn validates its input on every call (`check_array`,
dataframe detection through narwhals, parameter validation): 0.3–1 ms per call, more than the arithmetic
for one ticket, and it was most of the local classifier's and the critical detector's time per ticket. These
functions do the same arithmetic, in the same order and dtypes, as `TfidfVectorizer.transform` and
`LogisticRegression.predict_proba` (tests/unit/test_inference.py checks that they agree) on inputs this
package built itself, so nothing needs checking. Anything unusual falls back to scikit-learn's own call.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import softmax
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

__all__ = ["lr_proba", "tfidf_transform"]

# a vectorizer's analyzer is a chain of partials built on each `transform`; built once per fitted vectorizer
_ANALYZERS: weakref.WeakKeyDictionary[TfidfVectorizer, Callable[[str], list[str]]] = weakref.WeakKeyDictionary()


def _analyzer(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    analyze = _ANALYZERS.get(vectorizer)
    if analyze is None:
        analyze = _ANALYZERS[vectorizer] = vectorizer.build_analyzer()
    return analyze


def tfidf_transform(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for a fitted vectorizer (same values, same sparsity, CSR)."""
    transformer = vectorizer._tfidf  # the fitted TfidfTransformer inside the vectorizer
    vocabulary = vectorizer.vocabulary_
    analyze = _analyzer(vectorizer)
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for text in texts:  # as CountVectorizer._count_vocab with a fixed vocabulary
        counter: dict[int, int] = {}
        for feature in analyze(text):
            j = vocabulary.get(feature)
            if j is not None:
                counter[j] = counter.get(j, 0) + 1
        indices.extend(counter)
        counts.extend(counter.values())
        indptr.append(len(indices))
    x = sparse.csr_matrix(
        (np.asarray(counts, dtype=np.intc), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(texts), len(vocabulary)), dtype=vectorizer.dtype)
    x.sort_indices()
    # as TfidfTransformer.transform
    if transformer.sublinear_tf:
        np.log(x.data, x.data)
        x.data += 1.0
    if hasattr(transformer, "idf_"):
        x.data *= transformer.idf_[x.indices]
    if transformer.norm == "l2":
        inplace_csr_row_normalize_l2(x)
    elif transformer.norm is not None:
        x = normalize(x, norm=transformer.norm, copy=False)
    return x


def lr_proba(model: LogisticRegression, x: np.ndarray | sparse.spmatrix | sparse.sparray) -> np.ndarray:
    """`model.predict_proba(x)` for a fitted (binary or multinomial) logistic regression."""
    coef = model.coef_
    scores = np.asarray(x @ coef.T) + model.intercept_
    if len(model.classes_) <= 2:  # as LinearClassifierMixin._predict_proba_lr
        p = expit(scores.reshape(-1))
        return np.stack([1 - p, p], axis=1)
    return np.asarray(softmax(scores, copy=False))
