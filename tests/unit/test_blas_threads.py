"""TRIAGE_BLAS_THREADS: the pipeline caps numpy's and scipy's OpenBLAS threads (components.limit_blas_threads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from tests.conftest import settings_for
from triage.components import limit_blas_threads
from triage.config import Settings


def _blas_threads() -> list[int]:
    return [int(lib["num_threads"]) for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_the_limit_is_set_and_zero_leaves_the_libraries_alone() -> None:
    with threadpool_limits(limits=3, user_api="blas"):  # the worker's own limit comes back afterwards
        assert _blas_threads() and set(_blas_threads()) == {3}
        limit_blas_threads(1)
        assert set(_blas_threads()) == {1}
        limit_blas_threads(0)
        assert set(_blas_threads()) == {1}
        limit_blas_threads(2)
        assert set(_blas_threads()) == {2}


def test_the_setting_defaults_to_one_thread_and_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().blas_threads == 1
    monkeypatch.setenv("TRIAGE_BLAS_THREADS", "0")
    assert Settings().blas_threads == 0


def test_building_the_service_applies_the_setting(tmp_path: Path, make_components: Any) -> None:
    with threadpool_limits(limits=3, user_api="blas"):
        make_components(settings_for(tmp_path, blas_threads=2))
        assert set(_blas_threads()) == {2}
