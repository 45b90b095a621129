"""Targeting analyses on the demo: hot spots, emerging, ranking, assessment, access, CLI."""

import json

import pytest
from click.testing import CliRunner

from geo import analysis as A
from geo.cli.main import cli
from geo.store import session_scope


@pytest.fixture(scope="module")
def demo(demo_url):
    return demo_url


def test_hotspots_find_the_designated_cluster(demo):
    with session_scope(demo) as s:
        res = A.hotspots(s, "14", "registered_addicts", "2021-H1")
    hot = set(res.gdf.code[res.gdf.category.str.startswith("hot")])
    assert {"04024", "04045"} <= hot  # Chiềng Khừa, Lóng Sập (Mộc Châu)
    assert res.gdf.moran_label.isin(["HH", "LL", "HL", "LH", "ns"]).all()
    assert res.missing == []


def test_emerging_tells_the_plan_story(demo):
    with session_scope(demo) as s:
        em, used = A.emerging(s, "14", "registered_addicts")
    assert len(used) == 10
    cat = em.set_index("code").category
    assert cat["04024"] == "diminishing_hot"  # transformed
    assert cat["04058"] in {"persistent_hot", "intensifying_hot"}  # Tân Xuân relapsed
    assert (cat.isin(["new_hot", "consecutive_hot"])).sum() >= 5  # the Sông Mã cluster


def test_rank_explains_and_flags(demo):
    with session_scope(demo) as s:
        r = A.rank(s, "14", "2025-H1", weights=A.RankWeights(), permutations=999)
    t = r.table
    assert t["rank"].tolist() == list(range(1, 201))
    assert t.score.is_monotonic_decreasing
    top = t.iloc[0]
    assert "/10.000" in top.explanation and "xu hướng" in top.explanation
    added = t[t.flag == "add"]
    assert len(added) > 0 and added.designation.isna().all()
    assert abs(sum(r.weights.values()) - 1) < 1e-9
    # Changing the weights changes the order.
    with session_scope(demo) as s:
        r2 = A.rank(s, "14", "2025-H1", weights=A.RankWeights(rate=0, trend=0, hotspot=0,
                                                              classification=0, distance=1,
                                                              designation=0))
    assert r2.table.distance_km.is_monotonic_decreasing


def test_assessment_states_each_condition(demo):
    with session_scope(demo) as s:
        a = A.assess(s, "14", "2021-H1", "2025-H1")
    assert set(a.code) == {"04024", "04045", "04051", "04058"}
    assert a.reasons.str.contains("yêu cầu giảm ≥ 20%").all()
    assert a.meets.dtype == bool


def test_access_distances(demo):
    with session_scope(demo) as s:
        acc = A.access(s, "14").set_index("code")
    # A commune holding a Methadone point is close to one.
    assert acc.loc["04168", "methadone_km"] < 5  # Thị trấn Sông Mã
    assert (acc.treatment_facility_km > 0).all()


def test_cli_rank_and_hotspots(demo, tmp_path):
    r = CliRunner().invoke(cli, ["--db", demo, "analyze", "hotspots", "-p", "Sơn La",
                                 "--period", "2021-H1", "--permutations", "999",
                                 "--out", str(tmp_path / "h.geojson")])
    assert r.exit_code == 0, r.output
    gj = json.loads((tmp_path / "h.geojson").read_text())
    props = gj["features"][0]["properties"]
    assert {"code", "name", "z", "p_sim", "fdr_significant", "category"} <= set(props)
    r = CliRunner().invoke(cli, ["--db", demo, "analyze", "rank", "-p", "14", "--out",
                                 str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    import pandas as pd

    x = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    assert set(x) == {"xep_hang", "trong_so"} and len(x["xep_hang"]) == 200
    r = CliRunner().invoke(cli, ["--db", demo, "analyze", "rank", "-p", "14", "--weights",
                                 "speed=2"])
    assert r.exit_code != 0


def test_classification_transitions(demo):
    with session_scope(demo) as s:
        r = A.classification_transitions(s, "14", "legacy")
    assert list(r["labels"].columns)[0] == "2021-H1" and r["labels"].shape[0] == 200
    # Every commune contributes one transition per pair of consecutive periods.
    assert r["counts"].to_numpy().sum() == 200 * (r["labels"].shape[1] - 1)
    # "unknown": the class was undetermined (QĐ 28 figures missing) in the first or last period.
    assert set(r["changes"].change) <= {"better", "worse", "same", "unknown"}
