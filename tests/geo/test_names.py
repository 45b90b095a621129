"""Tests for geo.names: prefixes, normalisation, ASCII keys and matching."""

from __future__ import annotations

import sqlite3
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import ValidationError
from geo.names import ascii_key, match_names, normalize_name, strip_prefix


# --- strip_prefix ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "kind", "rest"),
    [
        ("Xã Chiềng Khừa", "xã", "Chiềng Khừa"),
        ("XÃ CHIỀNG KHỪA", "xã", "CHIỀNG KHỪA"),
        ("Phường 1", "phường", "1"),
        ("P.1", "phường", "1"),
        ("P. Tô Hiệu", "phường", "Tô Hiệu"),
        ("Thị trấn Ít Ong", "thị trấn", "Ít Ong"),
        ("Thị Trấn Ít Ong", "thị trấn", "Ít Ong"),
        ("TT. Ít Ong", "thị trấn", "Ít Ong"),
        ("TT.Ít Ong", "thị trấn", "Ít Ong"),
        ("TT Ít Ong", "thị trấn", "Ít Ong"),
        ("Thi tran It Ong", "thị trấn", "It Ong"),
        ("X. Lóng Sập", "xã", "Lóng Sập"),
        ("Đặc khu Hoàng Sa", "đặc khu", "Hoàng Sa"),
        ("Huyện Mộc Châu", "huyện", "Mộc Châu"),
        ("Quận 5", "quận", "5"),
        ("Thị xã Mộc Châu", "thị xã", "Mộc Châu"),
        ("TX. Mộc Châu", "thị xã", "Mộc Châu"),
        ("Thành phố Sơn La", "thành phố", "Sơn La"),
        ("TP. Sơn La", "thành phố", "Sơn La"),
        ("Tp Sơn La", "thành phố", "Sơn La"),
        ("Tỉnh Sơn La", "tỉnh", "Sơn La"),
        ("Tinh Son La", "tỉnh", "Son La"),
        ("Xa Chieng Khua", "xã", "Chieng Khua"),
        ("phuong 12", "phường", "12"),
        (unicodedata.normalize("NFD", "Xã Chiềng Khừa"), "xã", "Chiềng Khừa"),
    ],
)
def test_strip_prefix(name, kind, rest):
    assert strip_prefix(name) == (kind, rest)


@pytest.mark.parametrize(
    "name",
    [
        "Chiềng Khừa",
        "Xà Phìn",  # not "Xã"
        "Xa Phin",  # Xà Phìn typed plainly: one word after "Xa" is the name itself
        "Quan Hoa",  # Quan Hóa
        "Phuong Trung",  # Phương Trung
        "Tĩnh Túc",  # not "Tỉnh"
        "Phương Trung",
        "Xã",  # nothing after the prefix
        "Ttra",
    ],
)
def test_strip_prefix_leaves_names_alone(name):
    assert strip_prefix(name) == (None, unicodedata.normalize("NFC", name))


# --- normalize_name -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Hoà Bình", "Hòa Bình"),
        ("Xã Liên Hoà", "Liên Hòa"),
        ("Thuỷ Nguyên", "Thủy Nguyên"),
        ("Khoẻ", "Khỏe"),
        ("Hòang Văn Thụ", "Hoàng Văn Thụ"),  # misplaced mark
        ("Quí", "Quý"),
        ("Sỹ", "Sĩ"),
        ("Kỳ Sơn", "Kì Sơn"),
        ("Mỹ Lộc", "Mĩ Lộc"),
        ("TT. Ít Ong", "Thị trấn Ít Ong"),
        ("Phường 1", "Phường I"),
        ("Phường 01", "Phường 1"),
        ("Phường IV", "P. 4"),
        ("Xã Tam Xuân II", "Tam Xuân 2"),
        ("  Xã   Chiềng  Khừa ", "chiềng khừa"),
        ("CHIỀNG KHỪA", "Chiềng Khừa"),
        ("Bà Rịa-Vũng Tàu", "Bà Rịa - Vũng Tàu"),
        (unicodedata.normalize("NFD", "Thuỷ"), "Thủy"),
    ],
)
def test_normalize_equal(a, b):
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Thúy", "Thúi"),  # "uy" is not "ui"
        ("Tây", "Tai"),
        ("Tay", "Tai"),  # "ay" is not "ai"
        ("Hòa", "Hóa"),
        ("Tam Xuân I", "Tam Xuân II"),
        ("Mường Vi", "Mường 6"),  # "Vi" is a syllable here
        ("Chiềng Khừa", "Chiềng Khua"),
    ],
)
def test_normalize_different(a, b):
    assert normalize_name(a) != normalize_name(b)


def test_normalize_values():
    assert normalize_name("Xã  Hoà Bình") == "hòa bình"
    assert normalize_name("Thị trấn Mộc Châu") == "mộc châu"
    assert normalize_name("Xã Mường Vi") == "mường vi"
    assert normalize_name("Phường VII") == "7"
    assert normalize_name("Thuỷ") == unicodedata.normalize("NFC", "thủy")
    assert normalize_name(None) == ""
    assert normalize_name(float("nan")) == ""
    assert normalize_name(pd.NA) == ""


def test_normalize_is_idempotent():
    for n in ["Xã Hoà Bình", "TT. Ít Ong", "Phường IV", "Krông Pắc", "Ea H'leo", "Quỳnh Nhai"]:
        once = normalize_name(n)
        assert normalize_name(once) == once


def test_normalize_keeps_non_vietnamese_words():
    assert normalize_name("Krông Pắc") == "krông pắc"
    assert normalize_name("Đắk R'Lấp") == "đắk r'lấp"


# --- ascii_key ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Xã Chiềng Khừa", "chiengkhua"),
        ("Chieng Khua", "chiengkhua"),
        ("Thị trấn Ít Ong", "itong"),
        ("TT. It Ong", "itong"),
        ("Đồng Nai", "dongnai"),
        ("Phường 01", "1"),
        ("Sỹ", "si"),
        ("Đắk R'Lấp", "dakrlap"),
    ],
)
def test_ascii_key(name, key):
    assert ascii_key(name) == key


# --- match_names ----------------------------------------------------------------------
@pytest.fixture()
def units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["04024", "04045", "04051", "04058", "04015", "04129", "03980", "04001",
                     "04002", "09001", "09002"],
            "name": ["Xã Chiềng Khừa", "Xã Lóng Sập", "Xã Lóng Luông", "Xã Tân Xuân",
                     "Xã Chiềng Chung", "Xã Chiềng Chung", "Phường Mộc Lỵ", "Xã Hoà Bình",
                     "Thị trấn Ít Ong", "Xã Tân An", "Phường Tân An"],
            "district": ["Mộc Châu", "Mộc Châu", "Vân Hồ", "Vân Hồ", "Mộc Châu", "Mai Sơn",
                         "Mộc Châu", "Mường La", "Mường La", "Mai Sơn", "Mai Sơn"],
        }
    )


def _one(result: pd.DataFrame, i: int = 0) -> dict:
    return result.iloc[i].to_dict()


def test_match_methods(units):
    res = match_names(
        ["Xã Chiềng Khừa", "Chiềng Khừa", "Chieng Khua", "Xã Hòa Bình", "TT. Ít Ong",
         "Thi tran It Ong", "Chiềng Khuaa", "Hà Nội", None, ""],
        units,
    )
    assert list(res.columns) == ["query", "code", "matched_name", "method", "score",
                                 "alternatives", "group", "in_group"]
    assert res["code"].tolist() == ["04024", "04024", "04024", "04001", "04002", "04002",
                                    "04024", None, None, None]
    assert res["method"].tolist() == ["exact", "normalized", "ascii", "normalized",
                                      "normalized", "ascii", "fuzzy", "none", "none", "none"]
    assert res["score"].iloc[0] == 100
    assert 85 <= res["score"].iloc[6] < 100
    assert res["alternatives"].iloc[0] == []
    code, name, score = res["alternatives"].iloc[6][0]
    assert (code, name) == ("04024", "Xã Chiềng Khừa") and score == res["score"].iloc[6]
    assert len(res["alternatives"].iloc[7]) <= 3
    assert res["query"].tolist()[:3] == ["Xã Chiềng Khừa", "Chiềng Khừa", "Chieng Khua"]


def test_ascii_match_with_conflicting_marks_scores_lower(units):
    res = match_names(["Chieng Khua", "Chiềng Khùa"], units)
    assert res["method"].tolist() == ["ascii", "ascii"]
    assert res["score"].iloc[0] == 100
    assert res["score"].iloc[1] < 100


def test_same_name_twice_is_ambiguous_never_a_silent_pick(units):
    res = match_names(["Xã Chiềng Chung", "Chieng Chung"], units)
    for i in range(2):
        row = _one(res, i)
        assert row["method"] == "ambiguous"
        assert row["code"] is None
        assert {a[0] for a in row["alternatives"]} == {"04015", "04129"}


def test_group_resolves_the_ambiguity(units):
    res = match_names(["Xã Chiềng Chung", "Chieng Chung"], units, group_col="district",
                      query_groups=["Huyện Mai Sơn", "Moc Chau"])
    assert res["code"].tolist() == ["04129", "04015"]
    assert res["method"].tolist() == ["exact", "ascii"]
    assert res["in_group"].tolist() == [True, True]
    assert res["group"].tolist() == ["Huyện Mai Sơn", "Moc Chau"]


def test_prefix_decides_between_commune_and_ward(units):
    res = match_names(["Xã Tân An", "Phường Tân An", "Tân An", "xa Tan An"], units)
    assert res["code"].tolist() == ["09001", "09002", None, "09001"]
    assert res["method"].tolist() == ["exact", "exact", "ambiguous", "ascii"]


def test_unit_in_another_group_is_found_and_flagged(units):
    # 2009 data put Lóng Luông in Mộc Châu; the registry has it in Vân Hồ.
    res = match_names(["Xã Lóng Luông"], units, group_col="district",
                      query_groups=["Huyện Mộc Châu"])
    row = _one(res)
    assert (row["code"], row["method"], row["in_group"]) == ("04051", "exact", False)


def test_out_of_group_unit_claimed_by_another_query_is_ambiguous(units):
    # A group the table does not have: the whole table is searched.
    res = match_names(["Xã Chiềng Chung"], units.iloc[[5]], group_col="district",
                      query_groups=["Thuận Châu"])
    assert (_one(res)["code"], _one(res)["in_group"]) == ("04129", False)
    res = match_names(["Xã Chiềng Chung", "Xã Chiềng Chung"], units,
                      group_col="district", query_groups=["Mai Sơn", "Mường La"])
    assert res["code"].tolist() == ["04129", None]
    assert res["method"].tolist() == ["exact", "ambiguous"]


def test_fuzzy_in_group_competing_with_exact_elsewhere_is_ambiguous():
    cands = pd.DataFrame({"code": ["1", "2"], "name": ["Xã Chiềng Khừa", "Xã Chiềng Khừ"],
                          "district": ["A", "B"]})
    res = match_names(["Chiềng Khừ"], cands, group_col="district", query_groups=["A"])
    row = _one(res)
    assert row["method"] == "ambiguous"
    assert {a[0] for a in row["alternatives"]} == {"1", "2"}


def test_fuzzy_close_runner_up_is_ambiguous():
    cands = pd.DataFrame({"code": ["1", "2"], "name": ["Mường Bú", "Mường Bo"]})
    res = match_names(["Muong Bu Bo"], cands, fuzzy_threshold=70)
    assert _one(res)["method"] == "ambiguous"
    res = match_names(["Muong Buu"], cands, fuzzy_threshold=70)
    assert (_one(res)["method"], _one(res)["code"]) == ("fuzzy", "1")


def test_below_threshold_is_none_with_alternatives(units):
    res = match_names(["Xã Lóng Lạnh"], units, fuzzy_threshold=95)
    row = _one(res)
    assert row["method"] == "none" and row["code"] is None
    assert 0 < len(row["alternatives"]) <= 3
    assert row["alternatives"][0][1] == "Xã Lóng Luông"
    assert row["score"] == row["alternatives"][0][2]


def test_plain_prefix_word_read_both_ways():
    cands = pd.DataFrame({"code": ["1", "2"], "name": ["Xã Phương Liên Sơn", "Xã Xà Phìn"]})
    res = match_names(["Phuong Lien Son", "Xa Phin", "Xa Xa Phin"], cands)
    assert res["code"].tolist() == ["1", "2", "2"]


def test_every_query_gets_a_row(units):
    queries = ["Chieng Khua", None, float("nan"), "???", "Chieng Khua"]
    res = match_names(queries, units)
    assert len(res) == len(queries)
    assert res["method"].tolist()[1:4] == ["none", "none", "none"]


def test_progress_is_reported(units):
    seen = []
    match_names(["Chieng Khuaa"], units, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_bad_arguments(units):
    with pytest.raises(ValidationError):
        match_names(["x"], units, name_col="ten")
    with pytest.raises(ValidationError):
        match_names(["x"], units, group_col="district")
    with pytest.raises(ValidationError):
        match_names(["x", "y"], units, group_col="district", query_groups=["a"])
    with pytest.raises(ValidationError):
        match_names(["x"], units, fuzzy_threshold=120)


def test_many_queries_against_many_candidates():
    # Shape only (speed is in bench/): 2,000 × 2,000 with numbered names.
    cands = pd.DataFrame({"code": [f"{i:05d}" for i in range(2000)],
                          "name": [f"Xã Chiềng {i}" for i in range(2000)]})
    queries = [f"Chieng {i}" for i in range(2000)]
    res = match_names(queries, cands)
    assert (res["code"] == cands["code"]).all()
    assert set(res["method"]) == {"ascii"}


# --- real data ------------------------------------------------------------------------
def _legacy_son_la() -> pd.DataFrame:
    import vietnamadminunits

    db = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(db) as con:
        return pd.read_sql(
            "SELECT province, district, ward, wardCode FROM admin_units_legacy "
            "WHERE province = 'Tỉnh Sơn La'", con)


def test_son_la_2009_communes_match_the_legacy_registry(shared_data):
    with sqlite3.connect(shared_data / "son_la_communes_2009.gpkg") as con:
        communes = pd.read_sql("SELECT district, commune FROM communes", con)
    legacy = _legacy_son_la()
    assert len(communes) == 204 and len(legacy) == 200

    res = match_names(communes["commune"].tolist(), legacy, name_col="ward",
                      code_col="wardCode", group_col="district",
                      query_groups=communes["district"].tolist())
    counts = res["method"].value_counts().to_dict()
    print("\nSơn La 2009 → legacy registry, by method:", counts)

    assert len(res) == len(communes)
    matched = res["code"].notna()
    assert matched.mean() >= 0.85, counts
    assert counts.get("exact", 0) >= 150
    # Matches by name never give one registry unit to two 2009 communes.
    exactish = res[res["method"].isin(["exact", "normalized", "ascii"])]
    assert not exactish["code"].duplicated().any()

    by_name = dict(zip(res["query"], res["code"]))
    # The plan's four hotspot communes (GUIDE §1).
    assert by_name["Xã Chiềng Khừa"] == "04024"
    assert by_name["Xã Lóng Sập"] == "04045"
    assert by_name["Xã Lóng Luông"] == "04051"
    assert by_name["Xã Tân Xuân"] == "04058"
    # Same name in two districts: the group decides.
    rows = res[res["query"] == "Xã Chiềng Chung"]
    assert rows["code"].tolist() == ["04129"]  # the 2009 one is in Mai Sơn
    # Tone placement: 2009 "Liên Hoà", registry "Liên Hòa".
    row = res[res["query"] == "Xã Liên Hoà"].iloc[0]
    assert (row["method"], row["matched_name"]) == ("normalized", "Xã Liên Hòa")

    # Without districts the duplicate name cannot be decided.
    res_all = match_names(communes["commune"].tolist(), legacy, name_col="ward",
                          code_col="wardCode")
    row = res_all[res_all["query"] == "Xã Chiềng Chung"].iloc[0]
    assert row["method"] == "ambiguous" and row["code"] is None
