"""geo.services.analysis: the ranking uses the weights as given and says what it ranked."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.services import analysis as svc
from tests.conftest import run_cli

ADMIN = Principal("quan_tri", "admin")
README_WEIGHTS = (("rate", 0.4), ("trend", 0.2), ("hotspot", 0.2), ("distance", 0.2))


@pytest.fixture(scope="module")
def ranking(demo_url: str) -> object:
    req = svc.RankRequest("Sơn La", "registered_addicts", "2025-H1", "legacy",
                          permutations=99, weights=README_WEIGHTS)
    return svc.rank(req, ADMIN, demo_url)


def test_weights_are_used_exactly_as_given(ranking: object) -> None:
    # The README's four weights: the two criteria not named weigh 0, nothing is rescaled.
    assert ranking.weights == {"rate": 0.4, "trend": 0.2, "hotspot": 0.2,
                               "classification": 0.0, "distance": 0.2, "designation": 0.0}
    assert ranking.weights_given == ranking.weights
    t = ranking.table
    assert (t.pts_classification == 0).all() and (t.pts_designation == 0).all()
    points = t[[f"pts_{k}" for k in ranking.weights]].sum(axis=1)
    assert (points - t.score).abs().max() < 1e-9
    # The rate criterion is worth up to 40 points, as given.
    assert t.pts_rate.max() == pytest.approx(40)
    # A designated commune gets no points for being designated.
    tan_xuan = t.set_index("code").loc["04058"]
    assert "Đang chuyển hóa" not in tan_xuan.explanation
    assert not ranking.notes or "không phải 1" not in " ".join(ranking.notes)


def test_the_ranking_states_what_it_ranked(ranking: object) -> None:
    d = json.loads(json.dumps(ranking.to_dict(), allow_nan=False))
    assert (d["period"], d["indicator"], d["edition"]) == ("2025-H1", "registered_addicts",
                                                          "legacy")
    assert d["province"] == {"code": "14", "name": "Tỉnh Sơn La"}
    assert d["weights_given"]["designation"] == 0 and len(d["communes"]) == 200
    # Emerging hot spots rest on the periods up to the one ranked, never on later ones.
    assert ranking.periods[-1] == "2025-H1"
    about = ranking.about("vi")
    assert "6 tháng đầu năm 2025" in about and "Người nghiện có hồ sơ quản lý" in about
    assert "Tỷ lệ 40%" in about and "Phân loại" not in about


def test_the_workbook_is_for_people(ranking: object) -> None:
    sheets = pd.read_excel(io.BytesIO(svc.ranking_workbook(ranking, "vi")), sheet_name=None,
                           dtype=str)
    rows = sheets["xep_hang"]
    assert list(rows.columns[:5]) == ["Hạng", "Mã xã", "Tên xã", "Huyện (trước 01/7/2025)",
                                      "Điểm (0–100)"]
    assert not any("_" in c for c in rows.columns)
    assert rows["Mã xã"].str.len().eq(5).all()  # codes kept as text ("04024")
    assert "Điểm nóng liên tiếp" in set(rows["Điểm nóng theo thời gian"])
    meta = sheets["trong_so"].set_index("Mục")
    assert meta.loc["Kỳ xếp hạng", "Giá trị"] == "6 tháng đầu năm 2025"
    assert meta.loc["Chỉ tiêu", "Giá trị"] == "Người nghiện có hồ sơ quản lý"
    assert meta.loc["Đơn vị hành chính", "Giá trị"] == "Trước 01/7/2025"
    assert float(meta.loc["Trọng số: Phân loại QĐ 28/2025", "Giá trị"]) == 0
    en = pd.read_excel(io.BytesIO(svc.ranking_workbook(ranking, "en")), sheet_name=None)
    assert "Commune" in en["xep_hang"].columns and "Period ranked" in set(en["trong_so"].Item)


@pytest.mark.parametrize(("weights", "says"), [
    ((("rate", 0), ("trend", 0)), "Mọi trọng số đều bằng 0"),
    ((("rate", 0.5), ("rate", 0.5)), "hai lần"),
    ((("speed", 1),), "Tiêu chí 'speed' không có"),
    ((("rate", -1),), "không âm"),
])
def test_bad_weights_are_said_before_any_work(weights: tuple, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        svc.RankRequest("14", weights=weights).check()


def test_weights_that_do_not_sum_to_one_are_said(demo_url: str) -> None:
    req = svc.RankRequest("14", "registered_addicts", "2025-H1", permutations=99,
                          weights=(("rate", 2), ("distance", 2)))
    res = svc.rank(req, ADMIN, demo_url, lang="en")
    assert res.weights == {"rate": 0.5, "trend": 0.0, "hotspot": 0.0, "classification": 0.0,
                           "distance": 0.5, "designation": 0.0}
    assert any("sum to 4.00, not 1" in n for n in res.notes)
    assert res.table.score.max() <= 100


def test_cli_json_and_text_name_the_period(demo_url: str, tmp_path) -> None:
    args = ["--db", demo_url, "analyze", "rank", "-p", "Sơn La", "--period", "2025-H1",
            "--permutations", "99", "--weights", "rate=0.4,trend=0.2,hotspot=0.2,distance=0.2"]
    code, out, err = run_cli([*args, "--json"])
    assert code == 0, err
    d = json.loads(out)
    assert d["period"] == "2025-H1" and d["weights"]["classification"] == 0
    code, out, err = run_cli(args)
    assert code == 0 and "Xếp hạng: Tỉnh Sơn La · Người nghiện có hồ sơ quản lý · 6 tháng đầu " \
                          "năm 2025 · xã trước 01/7/2025" in err
    code, out, err = run_cli([*args[:-1], "rate=0,trend=0"])
    assert code != 0 and "Mọi trọng số đều bằng 0" in err and "Traceback" not in err
    code, out, err = run_cli([*args[:-1], "rate"])
    assert code != 0 and "thiếu dấu '='" in err
    # Any Excel a user gets from the CLI has headers in the language asked for.
    out_x = tmp_path / "diem_nong.xlsx"
    code, out, err = run_cli(["--db", demo_url, "analyze", "hotspots", "-p", "14", "--period",
                              "2025-H1", "--permutations", "99", "--out", str(out_x)])
    assert code == 0, err
    cols = pd.read_excel(out_x).columns
    assert "Tên xã" in cols and "Cụm Moran cục bộ" in cols and "moran_label" not in cols


def test_assess_says_transformed_for_communes_recorded_as_transformed(demo_url: str) -> None:
    a = svc.assess(svc.AssessRequest("14", "2021-H1", "2025-H1"), ADMIN, demo_url).set_index(
        "code")
    # Chiềng Khừa (15/12/2023) and Lóng Sập (20/12/2024) are recorded as transformed.
    for code, day in (("04024", "15/12/2023"), ("04045", "20/12/2024")):
        assert a.loc[code, "status"] == "transformed"
        assert a.loc[code, "verdict"].startswith(f"Đã được công nhận hoàn thành chuyển hóa "
                                                 f"({day})")
        assert "Chưa đủ điều kiện" not in a.loc[code, "verdict"]
    assert a.loc["04051", "verdict"] in ("Chưa đủ điều kiện",
                                         "Đủ điều kiện đề nghị công nhận hoàn thành chuyển hóa")
    assert a.loc["04051", "status_label"] == "Đang chuyển hóa"
