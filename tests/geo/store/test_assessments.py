"""geo.store.assessments: list versions, the frozen approval, settings, routes, undo."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from geo.errors import ValidationError
from geo.store import (
    add_route,
    assessment_settings,
    current_list,
    get_engine,
    list_entries,
    list_versions,
    routes,
    save_settings,
    session_scope,
    stored_lists,
    undo_batch,
    write_list,
)
from tests.conftest import db_fingerprint

KEY = dict(province_code="14", province_edition="2025", edition="2025", year=2026)


def _draft(s, code: str = "04045", klass: str = "type_3", user: str = "a"):  # noqa: ANN001, ANN202
    return write_list(s, status="draft", rule_set="qd28_2025", user=user,
                      entries=[{"unit_code": code, "computed_class": "type_2",
                                "manual_class": klass, "reason": "xã tự đánh giá",
                                "final_class": klass, "criteria": {"criteria": []}}], **KEY)


def test_tables_and_the_one_current_index_exist(empty_url: str) -> None:
    insp = inspect(get_engine(empty_url))
    names = set(insp.get_table_names())
    assert {"assessment_lists", "assessment_entries", "assessment_settings", "drug_routes",
            "drug_route_communes"} <= names
    idx = {i["name"]: i for i in insp.get_indexes("assessment_lists")}
    assert idx["uq_assessment_lists_one_current"]["unique"]


def test_versions_supersede_and_undo_brings_the_previous_back(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        v1 = _draft(s)
        v2 = _draft(s, "04048", "type_2", user="b")
        b1, b2 = v1.batch_id, v2.batch_id
    with session_scope(empty_url) as s:
        cur = current_list(s, "14", "2025", "2025", 2026)
        assert cur.id == v2.id and cur.created_by == "b"
        e = list_entries(s, cur.id)
        assert list(e.unit_code) == ["04048"] and e.criteria[0] == {"criteria": []}
        assert len(list_versions(s, "14", "2025")) == 2
        assert len(stored_lists(s, "14", "2025")) == 1
    with session_scope(empty_url) as s:
        with pytest.raises(ValidationError) as ei:  # an older change: refused
            undo_batch(s, b1, user="c")
        assert "mới nhất" in ei.value.vi
    with session_scope(empty_url) as s:
        undo_batch(s, b2, user="c")
    with session_scope(empty_url) as s:
        assert current_list(s, "14", "2025", "2025", 2026).id == v1.id
        vs = list_versions(s, "14", "2025").set_index("id")
        assert vs.batch_status[v2.id] == "undone" and not vs.is_current[v2.id]
    with session_scope(empty_url) as s:
        undo_batch(s, b1, user="c")
    with session_scope(empty_url) as s:
        assert current_list(s, "14", "2025", "2025", 2026) is None


def test_an_approved_list_is_frozen(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        _draft(s)
        x = write_list(s, status="approved", rule_set="qd28_2025", user="a",
                       decision_no="1/QĐ-UBND", decision_date=date(2026, 12, 1),
                       entries=[{"unit_code": "04045", "final_class": "type_3",
                                 "approved_class": "type_3"}], **KEY)
        assert x.approved_by == "a" and x.approved_at is not None
    before = db_fingerprint(empty_url)
    for kw in ({"status": "draft"},
               {"status": "approved", "decision_no": "2/QĐ-UBND",
                "decision_date": date(2026, 12, 2)}):
        with pytest.raises(ValidationError) as ei, session_scope(empty_url) as s:
            write_list(s, rule_set="qd28_2025", entries=[], **kw, **KEY)
        assert "đã được phê duyệt" in ei.value.vi
    assert db_fingerprint(empty_url) == before


@pytest.mark.parametrize(("kw", "words"), [
    ({"status": "final"}, "Trạng thái"),
    ({"status": "approved"}, "số và ngày quyết định"),
    ({"status": "draft", "entries": [{"unit_code": "04045", "final_class": "undetermined"}]},
     "không hợp lệ"),
])
def test_bad_lists_are_refused(empty_url: str, kw: dict, words: str) -> None:
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei, session_scope(empty_url) as s:
        write_list(s, rule_set="qd28_2025", **{"entries": [], **kw}, **KEY)
    assert words in ei.value.vi
    assert db_fingerprint(empty_url) == before


def test_settings_versions_and_undo(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        assert assessment_settings(s, "14", "2025") is None
        a = save_settings(s, "14", "2025", target_share=0.5, target_year=2030, user="a")
        b = save_settings(s, "14", "2025", target_share=0.6, target_year=2030,
                          overrides={"readings.type_3_above_zero": False}, user="b")
        ba, bb = a.batch_id, b.batch_id
    with session_scope(empty_url) as s:
        got = assessment_settings(s, "14", "2025")
        assert got["target_share"] == 0.6 and got["overrides"] == {
            "readings.type_3_above_zero": False}
        undo_batch(s, bb, user="c")
    with session_scope(empty_url) as s:
        assert assessment_settings(s, "14", "2025")["target_share"] == 0.5
        undo_batch(s, ba, user="c")
    with session_scope(empty_url) as s:
        assert assessment_settings(s, "14", "2025") is None


def test_routes_in_force_and_undo(empty_url: str) -> None:
    with session_scope(empty_url) as s:
        r = add_route(s, "14", "2025", name="QL6", scope="inter", decision_no="1/QĐ-BCA",
                      decision_date=date(2023, 1, 1), valid_from=date(2023, 1, 1),
                      valid_to=date(2025, 6, 30),
                      communes=[("legacy", "04051"), ("legacy", "04051"), ("2025", "04048")],
                      user="a")
        bid = r.batch_id
    with session_scope(empty_url) as s:
        assert len(routes(s, "14", "2025")) == 2  # the repeated commune once
        assert len(routes(s, "14", "2025", on=date(2025, 6, 30))) == 2
        assert routes(s, "14", "2025", on=date(2025, 7, 1)).empty
        undo_batch(s, bid, user="b")
    with session_scope(empty_url) as s:
        assert routes(s, "14", "2025").empty


@pytest.mark.parametrize(("kw", "words"), [
    ({"scope": "national"}, "Phạm vi tuyến"),
    ({"communes": []}, "chưa có xã"),
    ({"decision_no": " "}, "số và ngày quyết định"),
    ({"valid_to": date(2022, 1, 1)}, "trước ngày có hiệu lực"),
])
def test_bad_routes_are_refused(empty_url: str, kw: dict, words: str) -> None:
    args = dict(name="QL6", scope="inter", decision_no="1/QĐ-BCA",
                decision_date=date(2023, 1, 1), valid_from=date(2023, 1, 1), valid_to=None,
                communes=[("2025", "04048")], user="a")
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as ei, session_scope(empty_url) as s:
        add_route(s, "14", "2025", **{**args, **kw})
    assert words in ei.value.vi
    assert db_fingerprint(empty_url) == before
