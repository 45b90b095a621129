"""Class transitions between periods: giddy's counts, labelled, missing labels left out."""

import numpy as np
import pandas as pd
import pytest
from giddy.markov import Markov

from geo.errors import ValidationError
from geo.stats import transition_matrix

ORDER = ["hot99", "hot95", "none", "cold95"]


def test_counts_equal_giddy_markov_on_integer_classes():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(60, 6))
    labels = pd.DataFrame(np.array(ORDER, dtype=object)[codes],
                          columns=[f"{y}-H{h}" for y in (2021, 2022, 2023) for h in (1, 2)])
    r = transition_matrix(labels, ORDER)
    ref = Markov(codes, classes=np.arange(4), summary=False)
    assert (r.counts.to_numpy() == ref.transitions).all()
    assert np.allclose(r.probabilities.to_numpy(), ref.p)
    assert list(r.counts.index) == ORDER and list(r.counts.columns) == ORDER
    assert r.n_transitions == 60 * 5
    assert np.allclose(r.probabilities.sum(axis=1), 1.0)


def test_moves_from_or_to_a_missing_label_are_not_counted():
    labels = pd.DataFrame({"a": ["hot95", "none", None], "b": [None, "none", "none"],
                           "c": ["none", "hot95", "none"]})
    r = transition_matrix(labels, ["hot95", "none"])
    assert r.counts.loc["none"].tolist() == [1, 2]  # to hot95: row 1 b→c; to none: two
    assert r.counts.loc["hot95"].tolist() == [0, 0]  # its only move goes to a missing label
    assert r.n_transitions == 3
    assert r.probabilities.loc["hot95"].isna().all()  # no information, not 0


def test_default_order_is_the_sorted_labels():
    labels = pd.DataFrame({"t1": ["b", "a"], "t2": ["a", "a"]})
    r = transition_matrix(labels)
    assert list(r.counts.index) == ["a", "b"]
    assert r.counts.loc["b", "a"] == 1


def test_unknown_label_is_refused():
    with pytest.raises(ValidationError):
        transition_matrix(pd.DataFrame({"t1": ["hot95"], "t2": ["warm"]}), ORDER)


def test_no_gufunc_package_is_imported_by_the_analyses():
    # quantecon (pulled in by giddy) caches guvectorize kernels; numba#10128 makes
    # such caches abort later processes ("LLVM ERROR: Symbol not found ... _probvec").
    import subprocess
    import sys

    code = ("import sys, geo.analysis, geo.stats; "
            "sys.exit(int('quantecon' in sys.modules or 'giddy' in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_numba_cache_folder_is_per_numba_and_python_version(monkeypatch):
    import importlib
    import os
    import sys

    import geo

    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    importlib.reload(geo)
    folder = os.environ["NUMBA_CACHE_DIR"]
    assert folder.endswith(f"py{sys.version_info[0]}.{sys.version_info[1]}")
    assert "numba-" in os.path.basename(folder)
