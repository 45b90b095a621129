"""Gi* and local Moran: equal to esda run directly, FDR, ties, missing data, real polygons."""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from esda import G_Local, Moran_Local
from shapely import box

from geo.errors import ValidationError
from geo.stats import contiguity_weights, fdr_mask, local_gistar, local_moran
from geo.stats.local import LEVELS

from ._grids import block, grid, noise

N = 10


@pytest.fixture(scope="module")
def w10():
    return contiguity_weights(grid(N)).w


def planted(seed=1):
    y = noise(N * N, seed)
    y[block(N, 2, 2)] += 20  # centre c033
    return y


def _esda(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def test_gistar_equals_esda_run_directly(w10):
    y = planted()
    ours = local_gistar(y, w10, permutations=999, seed=7)
    ref = _esda(G_Local, y, w10, transform="B", permutations=999, star=True, seed=7, n_jobs=1)
    assert list(ours.index) == list(w10.id_order)
    assert np.allclose(ours.z, ref.Zs)
    assert np.allclose(ours.p_sim, ref.p_sim)  # no ties: same as esda's p-value
    assert np.allclose(ours.p_norm, ref.p_norm)
    assert set(ours.category) <= {"hot99", "hot95", "hot90", "cold99", "cold95", "cold90",
                                  "none"}
    hot = set(ours.index[ours.category.str.startswith("hot")])
    assert "c033" in hot
    assert hot <= {f"c{k:03d}" for k in block(N, 1, 1, 5)}  # the block and its ring


def test_gistar_z_is_the_ord_getis_statistic(w10):
    # Ord & Getis (1995) Gi* with binary weights and self-weight 1, by hand.
    y = planted(3)
    n = len(y)
    ybar, s = y.mean(), np.sqrt((y**2).mean() - y.mean() ** 2)
    ids = list(w10.id_order)
    expected = []
    for k, code in enumerate(ids):
        nb = [ids.index(j) for j in w10.neighbors[code]] + [k]
        wsum = len(nb)
        expected.append((y[nb].sum() - ybar * wsum)
                        / (s * np.sqrt((n * wsum - wsum**2) / (n - 1))))
    ours = local_gistar(y, w10, permutations=99, seed=1)
    assert np.allclose(ours.z, expected)
    # esda's default row-standardisation gives another z: why transform="B" is used
    row_std = _esda(G_Local, y, w10, transform="R", permutations=0, star=True)
    assert not np.allclose(row_std.Zs, expected)


def test_local_moran_equals_esda_run_directly(w10):
    y = planted()
    ours = local_moran(y, w10, permutations=999, seed=3)
    ref = _esda(Moran_Local, y, w10, transformation="r", permutations=999, seed=3, n_jobs=1)
    assert np.allclose(ours.Is, ref.Is)
    assert np.allclose(ours.z, ref.z_sim)
    assert np.allclose(ours.p_sim, ref.p_sim)
    assert list(ours.quadrant) == [["", "HH", "LH", "LL", "HL"][q] for q in ref.q]
    assert ours.loc["c033", "label"] == "HH"
    assert set(ours.label) <= {"HH", "LH", "LL", "HL", "ns"}


def test_local_moran_leaves_the_weights_binary():
    w = contiguity_weights(grid(N)).w  # esda's Moran_Local would switch it to "R"
    local_moran(planted(), w, permutations=9)
    assert w.transform.upper() == "O"


def test_fdr_mask_is_benjamini_hochberg():
    p = np.array([0.001, 0.02, 0.03, 0.04, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9])
    assert (p <= 0.05).sum() == 4
    assert fdr_mask(p, 0.05).tolist() == [True] + [False] * 9
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert fdr_mask(p, 0.05).sum() == 2  # 0.008 ≤ 2·0.05/10, 0.039 > 3·0.05/10


def test_fdr_removes_chance_hot_spots_but_keeps_a_real_cluster():
    n = 20
    w = contiguity_weights(grid(n)).w
    y = noise(n * n, seed=4)  # no spatial pattern anywhere...
    y[block(n, 14, 14, 4)] += 25  # ...except one block
    raw = local_gistar(y, w, permutations=999, seed=5, fdr_correct=False)
    fdr = local_gistar(y, w, permutations=999, seed=5)
    block_ids = {f"c{k:03d}" for k in block(n, 13, 13, 6)}
    chance_raw = set(raw.index[raw.category != "none"]) - block_ids
    chance_fdr = set(fdr.index[fdr.category != "none"]) - block_ids
    assert len(chance_raw) >= 10  # ~10% of 364 units at the 90% level
    assert len(chance_fdr) < len(chance_raw) / 3
    assert fdr.loc["c315", "category"].startswith("hot")  # inside the block
    assert fdr.fdr_significant.sum() < raw.fdr_significant.sum()


def test_category_follows_the_documented_rule(w10):
    res = local_gistar(planted(2), w10, permutations=999, seed=11)
    for level, tag in LEVELS:
        passes = fdr_mask(res.p_sim.to_numpy(), level) & (res.p_sim.to_numpy() <= level)
        reached = res.category.str.endswith(tag)
        assert not (reached & ~passes).any()
    strongest = {"99": 0.01, "95": 0.05, "90": 0.10}
    for cat, z, p in zip(res.category, res.z, res.p_sim):
        if cat != "none":
            assert (z > 0) == cat.startswith("hot")
            assert p <= strongest[cat[-2:]]


def test_tied_zero_neighbourhoods_are_not_cold_spots():
    # Zero-heavy random counts, no spatial pattern. esda counts ties as "larger" and
    # then folds, so zeros among zeros get its smallest p-value.
    n = 20
    w = contiguity_weights(grid(n)).w
    y = np.random.default_rng(3).poisson(0.3, n * n).astype(float)
    ref = _esda(G_Local, y, w, transform="B", permutations=999, star=True, seed=1, n_jobs=1)
    assert (fdr_mask(ref.p_sim, 0.05) & (ref.Zs < 0)).sum() > 20
    ours = local_gistar(y, w, permutations=999, seed=1)
    assert not ours.category.str.startswith("cold").any()
    assert (ours.p_sim[(ref.Zs < 0)] > 0.05).mean() > 0.9


def test_missing_values_are_refused_with_the_units_named(w10):
    y = planted()
    y[[5, 7]] = np.nan
    with pytest.raises(ValidationError) as e:
        local_gistar(y, w10, permutations=9)
    assert "c005" in e.value.en and "c007" in e.value.en
    with pytest.raises(ValidationError):
        local_moran(y, w10, permutations=9)


def test_negative_values_are_refused_by_gistar(w10):
    with pytest.raises(ValidationError):
        local_gistar(planted() - 100, w10, permutations=9)


def test_series_are_aligned_on_unit_codes(w10):
    y = pd.Series(planted(), index=list(w10.id_order))
    shuffled = y.sample(frac=1, random_state=0)
    a = local_gistar(y, w10, permutations=99, seed=1)
    b = local_gistar(shuffled, w10, permutations=99, seed=1)
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(ValueError):
        local_gistar(y.iloc[1:], w10, permutations=9)


def test_values_without_variation_have_no_hot_spots(w10):
    res = local_gistar(np.zeros(N * N), w10, permutations=99)
    assert (res.category == "none").all() and (res.z == 0).all()
    m = local_moran(np.full(N * N, 3.0), w10, permutations=99)
    assert (m.label == "ns").all()


def test_an_island_gets_a_statistic():
    g = grid(4)
    g.loc[len(g)] = ["island", box(10, 10, 11, 11)]
    r = contiguity_weights(g)
    res = local_gistar(noise(17), r.w, permutations=99)
    assert np.isfinite(res.loc["island", "z"])


def test_planted_cluster_on_real_son_la_polygons(shared_data):
    gdf = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    gdf["code"] = gdf.census_id.astype(str)
    w = contiguity_weights(gdf).w
    target = gdf.code[gdf.commune.str.contains("Chiềng Khừa")].iloc[0]
    # Chiềng Khừa, its neighbours and theirs: FDR over 204 communes with 999
    # permutations cannot confirm a cluster of fewer than ~5 communes.
    ring1 = set(w.neighbors[target])
    cluster = {target} | ring1 | {n for c in ring1 for n in w.neighbors[c]}
    rng = np.random.default_rng(5)
    y = rng.poisson(10, len(gdf)).astype(float)
    y[gdf.code.isin(cluster).to_numpy()] += 60
    res = local_gistar(pd.Series(y, index=gdf.code), w, permutations=999, seed=2)
    hot = set(res.index[res.category.str.startswith("hot")])
    assert target in hot
    assert len(hot & cluster) >= len(cluster) // 2
    assert hot <= cluster | {n for c in cluster for n in w.neighbors[c]}
    far = set(gdf.code[gdf.district.str.contains("Sốp Cộp")])
    assert not (far & hot)
    moran = local_moran(pd.Series(y, index=gdf.code), w, permutations=999, seed=2)
    assert moran.loc[target, "label"] == "HH"
