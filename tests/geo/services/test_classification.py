"""The annual QĐ 28/2025 assessment on the demo: classes, the list, approval, transformation.

Runs on SQLite and, with ``DIABAN_TEST_PG_URL``, on PostgreSQL (the demo fixtures).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from geo.assessment import CLASS_RANK, change_of, list_change_of
from geo.auth import Principal
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.services import classification as svc
from geo.services import history
from tests.accounts import audit_entries
from tests.conftest import db_fingerprint

PLANNER = Principal("kehoach", "planner")
ADMIN = Principal("quantri", "admin")
VIEWER = Principal("lanhdao", "viewer")
OFFICER = Principal("nhaplieu", "data_officer", "14")
CLASSES = {"type_1", "type_2", "type_3", "drug_free", "none", "undetermined"}
ARTICLE = re.compile(r"^[456](\.[1-6])?(\.[abcdđ])?$")


@pytest.fixture(scope="module")
def y2026(demo_url: str) -> svc.AssessmentView:
    return svc.assessment(svc.AssessmentRequest("Sơn La", 2026), PLANNER, demo_url)


# ------------------------------------------------------------------ classes and criteria


def test_2026_lists_communes_of_every_class_with_their_criteria(y2026) -> None:
    recs = y2026.records("vi")
    assert len(recs) == 75 and y2026.edition == "2025" and y2026.status == "draft"
    assert {r["class"] for r in recs} == CLASSES
    for r in recs:
        assert r["code"] and r["name"] and r["class"] in CLASSES
        assert r["criteria"], r["code"]
        for c in r["criteria"]:
            assert c["result"] in ("met", "not_met", "missing")
            assert c["id"] and "threshold" in c and "value" in c
            assert c["article"] is None or ARTICLE.match(c["article"]), c["article"]
    # the undetermined commune says what is missing, and nothing missing is "not met"
    und = [r for r in recs if r["class"] == "undetermined"]
    assert und and und[0]["missing_data"] == ["users_outside_treatment",
                                              "resident_drug_law_violators",
                                              "drug_fugitives_hiding"]
    six = {c["article"]: c["result"] for c in und[0]["criteria"] if c["class"] == "drug_free"}
    assert six["6.1"] == "missing" and six["6.2"] == "missing" and six["6.3"] == "met"


def test_a_type_i_commune_meets_at_least_three_criteria_of_type_i(y2026) -> None:
    for code in y2026.table.index[y2026.table.computed_class == "type_1"]:
        met = [c for c in y2026.criteria(code) if c["class"] == "type_1" and c["result"] == "met"]
        assert len(met) >= 3, code


def test_van_ho_is_type_i_only_because_it_lies_on_quoc_lo_6(y2026) -> None:
    r = {c["article"]: c for c in y2026.criteria("04048")}
    assert y2026.table.computed_class["04048"] == "type_1"
    assert r["4.1.đ"]["result"] == "met" and r["4.1.b"]["result"] == "not_met"
    assert r["4.1.d"]["result"] == "not_met"
    assert y2026.route_source == "routes"
    assert any("Quốc lộ 6" in vi for vi, _ in y2026.notes)


def test_the_2026_draft_keeps_the_computed_class_beside_the_manual_one(y2026) -> None:
    t = y2026.table
    manual = t[t.manual_class.notna()]
    assert len(manual) == 1
    r = manual.iloc[0]
    assert r.computed_class == "type_2" and r.manual_class == "type_3"
    assert r.final_class == "type_3" and "minh họa" in r.reason
    rec = y2026.record(manual.index[0], "en")
    assert rec["class"] == "type_3" and rec["computed_class"] == "type_2"


def test_2025_straddles_the_reform_figures_converted_and_built_from_halves(demo_url) -> None:
    v = svc.assessment(svc.AssessmentRequest("14", 2025), PLANNER, demo_url)
    assert v.edition == "2025" and len(v.table) == 75
    assert v.year.dates_label() == "15/12/2024 – 14/12/2025"
    notes = " ".join(vi for vi, _ in v.notes)
    assert "2025-H1" in notes and "bảng chuyển đổi" in notes and "không lấy trung bình" in notes
    assert "ghép từ các kỳ nhỏ hơn" in notes


def test_the_approved_2025_list_is_read_as_stored(demo_url) -> None:
    v = svc.list_classes(svc.YearRequest("14", 2025), VIEWER, demo_url)
    assert v.approved and v.info["decision_no"].startswith("DEMO-") and v.info["is_demo"]
    assert v.info["decision_date"] == date(2025, 12, 17)
    assert v.assessment is None  # read as stored: nothing recomputed
    assert (v.table.final_class == v.table.approved_class).all()
    crit = v.criteria(v.table.index[0], "en")
    assert crit and {"id", "article", "value", "threshold", "result"} <= set(crit[0])
    assert v.table.manual_class.notna().sum() == 1  # the reason is frozen with it
    assert "minh họa" in v.table.reason.dropna().iloc[0]


def test_analysis_needs_the_analyze_right_but_lists_only_view(demo_url) -> None:
    with pytest.raises(PermissionDenied):
        svc.assessment(svc.AssessmentRequest("14", 2026), VIEWER, demo_url)
    assert svc.transformation(svc.YearRequest("14", 2026), VIEWER, demo_url).summary


def test_a_year_must_be_a_year() -> None:
    with pytest.raises(ValidationError) as ei:
        svc.AssessmentRequest("14", "2026-H1").check()
    assert "năm đánh giá" in ei.value.vi


# ------------------------------------------------------------------ comparison, transformation


def test_2025_approved_and_2026_draft_differ_added_removed_down_up(demo_url) -> None:
    c = svc.compare(svc.YearRequest("Sơn La", 2026), VIEWER, demo_url)
    assert (c.year, c.base_year, c.status, c.base_status) == ("2026", "2025", "draft",
                                                              "approved")
    g = c.groups("vi")
    for k in ("added", "removed", "down", "up"):
        assert g[k], k
    assert "Xã Lóng Sập" in g["down"] and "Xã Tô Múa" in g["up"]
    d = c.communes.set_index("code")
    for _, r in d.iterrows():
        assert r.change == change_of(r.before, r.after if r.after != "undetermined" else None)
    out = c.to_dict("vi")
    assert out["summary"]["added"] == len(g["added"]) and out["communes"][0]["change_label"]


def test_class_change_rules() -> None:
    assert list_change_of("drug_free", "type_3") == "added"
    assert list_change_of("type_3", "none") == "removed"
    assert list_change_of("type_2", "type_1") == "up"
    assert change_of("type_3", "drug_free") == "drug_free"
    assert change_of("drug_free", "none") == "up"
    assert change_of("undetermined", "type_1") == "unknown"


def test_across_the_reform_a_2025_communes_2024_class_is_its_most_serious_predecessor(
        demo_url) -> None:
    from geo.registry import load_crosswalk

    c = svc.compare(svc.YearRequest("14", 2025), VIEWER, demo_url)
    assert c.across_reform and c.predecessor_rule and "nặng nhất" in c.predecessor_rule[0]
    y24 = svc.list_classes(svc.YearRequest("14", 2024), VIEWER, demo_url)
    assert y24.approved and y24.edition == "legacy" and len(y24.table) == 200
    cw = load_crosswalk()
    for r in c.communes.itertuples():
        olds = cw.loc[cw.new_code == r.code, "old_code"]
        classes = [y24.table.final_class[o] for o in olds]
        assert r.before == max(classes, key=CLASS_RANK.__getitem__), r.code
        assert sorted(x["code"] for x in r.before_from) == sorted(olds)
    # Lóng Sập (2025) = Chiềng Khừa + Lóng Sập (legacy)
    ls = c.communes.set_index("code").loc["04045"]
    assert {x["name"] for x in ls.before_from} == {"Xã Chiềng Khừa", "Xã Lóng Sập"}


def test_transformation_summary_target_and_province_class(demo_url) -> None:
    tv = svc.transformation(svc.YearRequest("14", 2026), VIEWER, demo_url)
    s = tv.summary
    assert s["transformed"] >= 3 and s["became_drug_free"] >= 1 and s["relapsed"] >= 1
    c = tv.comparison.communes
    assert s["transformed"] == int(c.transformed.sum())
    assert int(tv.matrix.to_numpy().sum()) == 75
    assert int(tv.matrix.loc["type_1", "type_2"]) >= 1  # Lóng Sập, Xuân Nha
    d = tv.drug_free
    assert d["total"] == 75 and d["n"] == int((c.after == "drug_free").sum())
    assert d["target_share"] == 0.5 and d["target_year"] == 2030 and d["met"] is False
    assert d["needed"] == 38 - d["n"]
    assert tv.province_class in ("key_area", "not_key_area", "undetermined")
    assert tv.to_dict("en")["counts"]["drug_free"]["after"] == d["n"]


# ------------------------------------------------------------------ set a class, approve, undo


def test_approval_refusals_leave_the_database_unchanged(demo_copy_url) -> None:
    url = demo_copy_url
    before = db_fingerprint(url)
    refusals = [
        (svc.ApproveRequest("14", 2026, "", "1/12/2026"), PLANNER, "số quyết định"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", None), PLANNER, "ngày quyết định"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", "31/02/2026"), PLANNER, "không hợp lệ"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", date.today() + timedelta(days=2)),
         PLANNER, "tương lai"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", "1/12/2025"), PLANNER, "trước kỳ"),
        (svc.ApproveRequest("14", 2025, "99/QĐ-UBND", "20/12/2025"), PLANNER,
         "đã được phê duyệt theo Quyết định số DEMO-2987"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", "1/12/2026"), PLANNER,
         "chưa đủ số liệu"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", "1/12/2026"), VIEWER, "không có quyền"),
        (svc.ApproveRequest("14", 2026, "12/QĐ-UBND", "1/12/2026"), OFFICER, "không có quyền"),
    ]
    for req, who, words in refusals:
        with pytest.raises((ValidationError, PermissionDenied)) as ei:
            svc.approve(req, who, url)
        assert words in ei.value.vi, (req, ei.value.vi)
        assert ei.value.en
    assert db_fingerprint(url) == before


def test_set_class_approve_freeze_and_undo(demo_copy_url) -> None:
    url = demo_copy_url
    v = svc.assessment(svc.AssessmentRequest("14", 2026), PLANNER, url)
    und = v.table.index[v.table.final_class == "undetermined"][0]
    before = db_fingerprint(url)
    for req, words in [
        (svc.SetClassRequest("14", 2026, und, "type_3", ""), "lý do"),
        (svc.SetClassRequest("14", 2026, und, "type_9", "Xã tự đánh giá"), "không hợp lệ"),
        (svc.SetClassRequest("14", 2026, "99999", "type_3", "Xã tự đánh giá"), "không có"),
        (svc.SetClassRequest("14", 2026, "04048", "type_1", "Xã tự đánh giá"), "không cần"),
    ]:
        with pytest.raises((ValidationError, NotFoundError)) as ei:
            svc.set_class(req, PLANNER, url)
        assert words in ei.value.vi
    with pytest.raises(PermissionDenied):
        svc.set_class(svc.SetClassRequest("14", 2026, und, "type_3", "Xã tự đánh giá"), VIEWER,
                      url)
    assert db_fingerprint(url) == before

    res = svc.set_class(svc.SetClassRequest("14", 2026, und, "type_3",
                                            "Báo cáo tự đánh giá của xã: không ai ngoài điều trị"),
                        PLANNER, url)
    assert res.status == "draft" and res.batch and "hoàn tác" in res.message("vi")
    ok = svc.approve(svc.ApproveRequest("14", 2026, "3012/QĐ-UBND", "1/12/2026"), PLANNER, url)
    assert ok.status == "approved" and ok.detail["communes"] == 75
    v = svc.list_classes(svc.YearRequest("14", 2026), VIEWER, url)
    assert v.approved and v.info["decision_no"] == "3012/QĐ-UBND"
    assert v.info["approved_by"] == "kehoach"
    assert v.table.final_class[und] == "type_3" and v.table.computed_class[und] == "undetermined"
    assert v.table.manual_class.notna().sum() == 2  # the demo's and ours, both frozen
    log = audit_entries(url, action="approve")
    assert log.iloc[0].username == "kehoach" and "3012/QĐ-UBND" in log.iloc[0].detail

    # frozen: no class can change, no second approval
    frozen = db_fingerprint(url)
    with pytest.raises(ValidationError) as ei:
        svc.set_class(svc.SetClassRequest("14", 2026, "04048", "type_2", "Thử sửa sau phê duyệt"),
                      PLANNER, url)
    assert "đã được phê duyệt" in ei.value.vi
    with pytest.raises(ValidationError):
        svc.approve(svc.ApproveRequest("14", 2026, "3013/QĐ-UBND", "2/12/2026"), ADMIN, url)
    # a data officer may undo imports but not an approval; a planner not through history
    with pytest.raises(PermissionDenied):
        history.undo(history.UndoRequest(ok.batch), OFFICER, url)
    with pytest.raises(PermissionDenied):
        history.undo(history.UndoRequest(ok.batch), PLANNER, url)
    assert db_fingerprint(url) == frozen

    back = svc.undo_change(svc.YearRequest("14", 2026), PLANNER, url)
    assert back.status == "draft" and "trở lại dự thảo" in back.message("vi")
    v = svc.assessment(svc.AssessmentRequest("14", 2026), PLANNER, url)
    assert not v.approved and v.table.manual_class[und] == "type_3"
    assert audit_entries(url, action="undo").iloc[0].username == "kehoach"
    # the class set by hand is the next change to undo; then the demo's draft
    svc.undo_change(svc.YearRequest("14", 2026), PLANNER, url)
    v = svc.assessment(svc.AssessmentRequest("14", 2026), PLANNER, url)
    assert v.table.final_class[und] == "undetermined" and v.table.manual_class.notna().sum() == 1


def test_only_the_latest_change_of_a_list_can_be_undone(demo_copy_url) -> None:
    url = demo_copy_url
    a = svc.set_class(svc.SetClassRequest("14", 2026, "04048", "type_2", "Thử lần một"),
                      PLANNER, url)
    svc.set_class(svc.SetClassRequest("14", 2026, "04045", "type_1", "Thử lần hai"), PLANNER,
                  url)
    before = db_fingerprint(url)
    with pytest.raises(ValidationError) as ei:
        history.undo(history.UndoRequest(a.batch), ADMIN, url)
    assert "mới nhất" in ei.value.vi
    assert db_fingerprint(url) == before


def test_undoing_an_approval_from_the_history_as_administrator(demo_copy_url) -> None:
    url = demo_copy_url
    v = svc.list_classes(svc.YearRequest("14", 2025), VIEWER, url)
    res = history.undo(history.UndoRequest(v.info["batch_id"]), ADMIN, url)
    assert res.kind == "qd28_approval"
    v = svc.list_classes(svc.YearRequest("14", 2025), VIEWER, url)
    assert v.status == "draft" and v.table.manual_class.notna().sum() == 1


# ------------------------------------------------------------------ timeline, settings


def test_commune_timeline_joins_the_plan_and_the_lists(demo_url) -> None:
    tl = svc.commune_timeline(svc.TimelineRequest("14", "04045"), VIEWER, demo_url)
    ev = tl.events
    des = ev[ev.kind == "designation"]
    assert {"Xã Chiềng Khừa", "Xã Lóng Sập"} <= set(des.unit_name)
    assert set(des.relation) == {"predecessor"}
    cls = ev[ev.kind == "class"]
    assert list(cls.year.astype(int)) == [2024, 2024, 2025, 2026]
    assert list(cls.list_status) == ["approved", "approved", "approved", "draft"]
    assert set(cls[cls.year == 2024].unit_name) == {"Xã Chiềng Khừa", "Xã Lóng Sập"}
    assert list(ev.date) == sorted(ev.date)
    recs = tl.records("en")
    assert recs[-1]["list_status_label"] == "Draft — not approved"
    # from the legacy side: its successor's classes after the reform
    old = svc.commune_timeline(svc.TimelineRequest("14", "04024"), VIEWER, demo_url).events
    assert set(old[(old.kind == "class") & (old.year >= 2025)].relation) == {"successor"}


def test_settings_validate_every_field_and_keep_versions(demo_copy_url) -> None:
    url = demo_copy_url
    before = db_fingerprint(url)
    for req, words in [(svc.SettingsRequest("14", cutoff="31/13"), "Ngày chốt"),
                       (svc.SettingsRequest("14", target_share="150%"), "Tỷ lệ mục tiêu"),
                       (svc.SettingsRequest("14", target_year=1999), "Năm mục tiêu"),
                       (svc.SettingsRequest("14", overrides=(("type_9.x", 1),)), "type_9")]:
        with pytest.raises(ValidationError) as ei:
            svc.set_settings(req, PLANNER, url)
        assert words in ei.value.message("vi"), ei.value.message("vi")
    with pytest.raises(PermissionDenied):
        svc.set_settings(svc.SettingsRequest("14", target_share=0.6), OFFICER, url)
    assert db_fingerprint(url) == before
    s = svc.set_settings(svc.SettingsRequest("14", target_share="60%"), PLANNER, url)
    assert s.target_share == 0.6 and s.target_year == 2030  # kept
    tv = svc.transformation(svc.YearRequest("14", 2026), VIEWER, url)
    assert tv.drug_free["target_share"] == 0.6


def test_years_list_the_lists_and_their_status(demo_url) -> None:
    y = svc.years(svc.ProvinceOnlyRequest("Sơn La"), VIEWER, demo_url).years.set_index("year")
    assert y.status[2024] == "approved" and y.status[2025] == "approved"
    assert y.status[2026] == "draft" and pd.isna(y.status[2023])
