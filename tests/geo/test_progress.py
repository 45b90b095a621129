import pandas as pd
import pytest

from geo.progress import evaluate_targets, hotspot_progress
from geo.store import get_values, hotspot_table, plan_targets, plans, session_scope


def _targets(**over):
    base = dict(key="k", label_vi="v", label_en="e", kind="ratio_min", indicator="num",
                denominator="den", target=0.8, year=2025, source="s")
    base.update(over)
    return pd.DataFrame([base])


def _vals(series):
    rows = []
    for period, (num, den) in series.items():
        rows += [dict(unit_code="a", period=period, indicator="num", value=num),
                 dict(unit_code="a", period=period, indicator="den", value=den)]
    return pd.DataFrame(rows)


def test_met_target_is_on_track():
    st = evaluate_targets(_targets(), _vals({"2021-H1": (50, 100), "2024-H2": (85, 100)}))[0]
    assert st.status == "on_track" and st.latest == pytest.approx(0.85)


def test_trend_reaching_target_by_plan_end_is_on_track():
    st = evaluate_targets(_targets(), _vals({"2021-H1": (50, 100), "2024-H2": (75, 100)}))[0]
    assert st.status == "on_track" and st.projected >= 0.8


def test_slow_trend_is_at_risk_and_decline_off_track():
    slow = evaluate_targets(_targets(target=0.9),
                            _vals({"2021-H1": (50, 100), "2024-H2": (80, 100)}))[0]
    assert slow.status == "at_risk"
    down = evaluate_targets(_targets(), _vals({"2021-H1": (70, 100), "2024-H2": (60, 100)}))[0]
    assert down.status == "off_track"


def test_missing_indicator_is_no_data_not_zero():
    st = evaluate_targets(_targets(indicator="absent"), _vals({"2021-H1": (1, 2)}))[0]
    assert st.status == "no_data" and st.latest is None


def test_demo_plan_targets_evaluate(demo_url):
    with session_scope(demo_url) as s:
        p = plans(s, "Sơn La")
        assert p.number.tolist() == ["KH 75/KH-SLĐTBXH"]
        tg = plan_targets(s, int(p.id[0]))
        vals = get_values(s, "14", "legacy")
        hs = hotspot_table(s, "14")
    res = {r.key: r for r in evaluate_targets(tg, vals, hs)}
    assert res["hotspots_transformed"].latest == 2.0  # Chiềng Khừa, Lóng Sập
    assert res["hotspots_transformed"].status == "at_risk" or res[
        "hotspots_transformed"].status == "off_track"
    assert res["counselled_ratio"].status in {"on_track", "at_risk", "off_track"}
    hp = hotspot_progress(hs[hs.edition == "legacy"], vals, ["registered_addicts"],
                          "2021-H1", "2025-H1")
    assert len(hp) == 4 and hp.registered_addicts_baseline.gt(0).all()
