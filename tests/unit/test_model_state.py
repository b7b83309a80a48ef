"""Saved model versions and the thresholds chosen out of fold (no embedder, no store)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from triage.domain.cases import Case
from triage.pipeline.classify import _one_vs_rest, _precision_threshold
from triage.pipeline.memory_columns import MemoryColumns, id_hashes
from triage.pipeline.model_state import STATE_SUFFIX, ModelRepository, memory_signature


def case(i: int, category: str = "spam") -> Case:
    return Case(id=f"c{i}", key=f"k{i}", text=f"text {i}", category=category, risk="low")


def test_the_memory_signature_ignores_order_and_sees_a_relabel() -> None:
    cases = [case(i) for i in range(5)]
    assert memory_signature(cases) == memory_signature(list(reversed(cases)))
    relabelled = [*cases[:4], case(4, "scam_fraud")]
    assert memory_signature(relabelled) != memory_signature(cases)
    assert memory_signature(relabelled).cases == 5


def test_a_signature_extended_by_new_cases_is_the_signature_of_the_whole_memory() -> None:
    cases = [case(i) for i in range(6)]
    assert memory_signature(cases[:4]).plus(cases[4:]) == memory_signature(cases)
    assert memory_signature([]).plus(cases) == memory_signature(cases)
    assert memory_signature(cases[:4]).plus([case(4, "scam_fraud"), case(5)]) != memory_signature(cases)


def test_a_signature_less_some_cases_is_the_signature_of_the_rest() -> None:
    cases = [case(i) for i in range(6)]
    assert memory_signature(cases).minus(cases[4:]) == memory_signature(cases[:4])
    assert memory_signature(cases).minus(cases) == memory_signature([])
    assert memory_signature(cases).minus([case(5, "scam_fraud")]) != memory_signature(cases[:5])


def test_the_memory_s_columns_read_page_by_page_are_those_of_its_cases_in_one_list() -> None:
    # each case's category a string object of its own, as a store's pages give them
    cases = [case(i, (["spam", "scam_fraud", "hate_speech"][i % 3] + " ")[:-1]) for i in range(10)]
    assert len({id(c.category) for c in cases}) == 10
    cases[4] = cases[4].model_copy(update={"also": ["spam"], "extra": {"toxicity": "1"}})
    read: list[int] = []
    columns = MemoryColumns.of([cases[:3], cases[3:7], [], cases[7:]], read.append)
    assert read == [3, 7, 7, 10]  # cases read so far, after each page (a progress bar's steps)
    assert len(columns) == 10 and columns.ids == [c.id for c in cases]
    assert columns.hashes.tolist() == id_hashes(cases).tolist()
    assert columns.categories == [c.category for c in cases]
    assert columns.signature == memory_signature(cases)  # every label signed, `also` and learned ones included
    # one string object per category, however many cases carry it: the column does not grow by a string a case
    assert len({id(c) for c in columns.categories}) == 3
    empty = MemoryColumns.of([])
    assert (len(empty), empty.hashes.dtype, empty.signature) == (0, np.int64, memory_signature([]))


def test_a_saved_version_loads_only_with_the_same_code_settings_and_bytes(tmp_path: Path) -> None:
    repo = ModelRepository(tmp_path / "models")
    signature = memory_signature([case(1)])
    header = repo.save({"state": 1}, classifier="c.v1", settings_key="k", memory=signature, trained_on=1, seconds=0.1)
    assert repo.current() == header.version and not repo.pinned
    loaded = repo.load(classifier="c.v1", settings_key="k")
    assert loaded is not None and loaded[1] == {"state": 1} and loaded[0].memory == signature
    assert repo.load(classifier="c.v2", settings_key="k") is None
    assert repo.load(classifier="c.v1", settings_key="other") is None
    meta = tmp_path / "models" / f"{header.version}.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps(data | {"format": 99}))
    assert repo.load(classifier="c.v1", settings_key="k") is None
    meta.write_text(json.dumps(data))
    blob = tmp_path / "models" / f"{header.version}{STATE_SUFFIX}"
    blob.write_bytes(blob.read_bytes()[:-3] + b"xyz")
    assert repo.load(classifier="c.v1", settings_key="k") is None


def test_versions_are_kept_for_roll_back_and_use_pins(tmp_path: Path) -> None:
    repo = ModelRepository(tmp_path)
    sig = memory_signature([])
    versions = [repo.save(i, classifier="c", settings_key="k", memory=sig, trained_on=0, seconds=0).version
                for i in range(7)]
    kept = [h.version for h in repo.versions()]
    assert kept == versions[-5:] and repo.current() == versions[-1]
    repo.use(versions[-3])
    assert repo.current() == versions[-3] and repo.pinned
    loaded = repo.load(classifier="c", settings_key="k")
    assert loaded is not None and loaded[1] == 4
    with pytest.raises(FileNotFoundError):
        repo.use("no-such-version")
    repo.save(8, classifier="c", settings_key="k", memory=sig, trained_on=0, seconds=0)
    assert not repo.pinned and versions[-3] in [h.version for h in repo.versions()]


def test_the_precision_threshold_is_the_lowest_that_reaches_the_target() -> None:
    scores = np.linspace(1.0, 0.01, 100)
    correct = np.arange(100) < 60  # the 60 highest are right, the rest wrong
    threshold, share = _precision_threshold(scores, correct, 0.9)  # type: ignore[misc]
    # precision of the top m is min(m, 60) / m >= 0.9 up to m = 66
    assert share == pytest.approx(0.66) and threshold == pytest.approx(scores[65])
    assert _precision_threshold(scores, np.zeros(100, dtype=bool), 0.9) == (float("inf"), 0.0)
    assert _precision_threshold(scores[:5], correct[:5], 0.9) is None


def test_one_vs_rest_gives_thresholds_for_separable_categories() -> None:
    rng = np.random.default_rng(0)
    y = np.array(["a"] * 60 + ["b"] * 60)
    p_a = np.where(y == "a", rng.uniform(0.7, 0.95, 120), rng.uniform(0.05, 0.3, 120))
    oof = np.stack([p_a, 1 - p_a], axis=1)
    platt, also, auto, coverage = _one_vs_rest(oof, y, ["a", "b"], 0.9)
    assert set(platt) == {"a", "b"} and platt["a"][1] > 0  # calibrated, increasing in the probability
    assert 0.5 <= also["a"] <= 1.0
    assert auto["a"] == pytest.approx(p_a[y == "a"].min()) and coverage["a"] == pytest.approx(0.5)  # all automated
