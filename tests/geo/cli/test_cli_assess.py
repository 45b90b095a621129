"""``diaban analyze classify --year`` and ``diaban assess …`` on the demo, as users run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geo.errors import PermissionDenied, ValidationError
from tests.accounts import add_user
from tests.conftest import copy_database, db_fingerprint, run_cli

CLASSES = {"type_1", "type_2", "type_3", "drug_free", "none", "undetermined"}
ARTICLE = re.compile(r"^[456](\.[1-6])?(\.[abcdđ])?$")


def diaban(db: str, *args: str, **env: str) -> tuple[int, str, str]:
    return run_cli([*args, "--db", db], {"DIABAN_LANG": None, **env})


def test_classify_year_json_lists_every_class_with_criteria(demo_url: str) -> None:
    code, out, err = diaban(demo_url, "analyze", "classify", "-p", "Sơn La", "--year", "2026",
                            "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list) and len(rows) == 75
    assert {r["class"] for r in rows} == CLASSES
    for r in rows:
        assert r["code"] and r["name"]
        for c in r["criteria"]:
            assert {"id", "article", "value", "threshold", "result"} <= set(c)
            assert c["result"] in ("met", "not_met", "missing")
            assert c["article"] is None or ARTICLE.match(c["article"])
    assert "NaN" not in out


def test_classify_without_a_year_takes_the_latest_and_the_old_period_form_works(
        demo_url: str) -> None:
    code, out, _ = diaban(demo_url, "analyze", "classify", "-p", "14")
    assert code == 0
    assert "Năm 2026 (15/12/2025 – 14/12/2026): Dự thảo — chưa phê duyệt" in out
    assert "Chưa đủ số liệu" in out and "Loại I" in out
    code, out, _ = diaban(demo_url, "analyze", "classify", "-p", "14", "--period", "2024-H2",
                          "--json")
    assert code == 0
    old = json.loads(out)
    assert len(old) == 200 and {"code", "name", "klass"} <= set(old[0])
    code, out, _ = diaban(demo_url, "analyze", "classify", "-p", "14", "--period", "2025",
                          "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "approved"


def test_classify_writes_a_spreadsheet(demo_url: str, tmp_path: Path) -> None:
    out_file = tmp_path / "qd28.xlsx"
    code, out, err = diaban(demo_url, "analyze", "classify", "-p", "14", "--year", "2025",
                            "--out", str(out_file))
    assert code == 0, err
    assert "Đã ghi 75 xã" in out and "Đã phê duyệt" in out
    df = pd.read_excel(out_file)
    assert len(df) == 75 and {"Mã xã", "Loại", "Lý do điều chỉnh", "4.1.a", "6.3"} <= set(df)
    assert set(df["Trạng thái"]) == {"Đã phê duyệt"}
    code, _, err = diaban(demo_url, "analyze", "classify", "-p", "14", "--year", "2025",
                          "--out", str(tmp_path / "x.pdf"))
    assert code == ValidationError.exit_code and ".csv" in err


def test_compare_and_summary(demo_url: str) -> None:
    code, out, _ = diaban(demo_url, "assess", "compare", "-p", "Sơn La", "--year", "2026",
                          "--json")
    assert code == 0
    d = json.loads(out)
    assert all(d["groups"][k] for k in ("added", "removed", "down", "up"))
    code, out, _ = diaban(demo_url, "assess", "compare", "-p", "Sơn La", "--year", "2026")
    assert "Đưa vào danh sách" in out and "Đưa ra khỏi danh sách" in out
    assert "Chuyển loại giảm" in out and "Chuyển loại tăng" in out
    code, out, _ = diaban(demo_url, "--lang", "en", "assess", "summary", "-p", "14", "--year",
                          "2025")
    assert code == 0
    assert "2024 (old communes)" in out and "most serious class among the old communes" in out
    assert "Drug-free communes: 8/75" in out and "target 50% by 2030" in out


def test_timeline_and_years(demo_url: str) -> None:
    code, out, _ = diaban(demo_url, "assess", "timeline", "-p", "14", "--commune", "04045",
                          "--json")
    ev = json.loads(out)["events"]
    assert code == 0 and ev[0]["kind"] == "designation" and ev[-1]["year"] == 2026
    code, out, _ = diaban(demo_url, "assess", "years", "-p", "14")
    assert code == 0 and "DEMO-2987/QĐ-UBND" in out


def test_approve_refusals_and_the_whole_round(demo_copy_url: str) -> None:
    url = demo_copy_url
    before = db_fingerprint(url)
    code, _, err = diaban(url, "assess", "approve", "-p", "14", "--year", "2026", "--date",
                          "1/12/2026")
    assert code == ValidationError.exit_code and "số quyết định" in err
    code, _, err = diaban(url, "assess", "approve", "-p", "14", "--year", "2025", "--decision",
                          "5/QĐ-UBND", "--date", "20/12/2025")
    assert code == ValidationError.exit_code and "đã được phê duyệt" in err
    code, _, err = diaban(url, "--lang", "en", "assess", "approve", "-p", "14", "--year", "2026",
                          "--decision", "5/QĐ-UBND", "--date", "1/12/2026")
    assert code == ValidationError.exit_code and "lack the figures" in err
    assert "Traceback" not in err
    assert db_fingerprint(url) == before
    code, out, err = diaban(url, "assess", "set-class", "-p", "14", "--year", "2026",
                            "--commune", "03688", "--class", "type_3", "--reason",
                            "Xã báo cáo: không có người ngoài điều trị")
    assert code == 0, err
    code, out, err = diaban(url, "assess", "approve", "-p", "14", "--year", "2026",
                            "--decision", "5/QĐ-UBND", "--date", "1/12/2026", "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "approved"
    code, out, _ = diaban(url, "assess", "undo", "-p", "14", "--year", "2026")
    assert code == 0 and "trở lại dự thảo" in out


def test_roles(demo_url: str, tmp_path: Path) -> None:
    url = copy_database(demo_url, tmp_path)
    add_user(url, "quan_tri", "suoi-nam-pan-7", "admin", actor="test")
    add_user(url, "lanh_dao", "suoi-nam-pan-7", "viewer", actor="test")
    add_user(url, "nhap_lieu", "suoi-nam-pan-7", "data_officer", "14", actor="test")
    from geo.backup import table_digests

    def lists() -> dict:  # logging in records itself; the lists and batches must not change
        return {k: v for k, v in table_digests(url).items()
                if k in ("assessment_lists", "assessment_entries", "import_batches")}

    before = lists()
    for user in ("lanh_dao", "nhap_lieu"):
        code, _, err = diaban(url, "assess", "approve", "-p", "14", "--year", "2026",
                              "--decision", "5/QĐ-UBND", "--date", "1/12/2026",
                              DIABAN_USER=user, DIABAN_PASSWORD="suoi-nam-pan-7")
        assert code == PermissionDenied.exit_code and "không có quyền" in err, err
    # leadership reads the summary, not the criteria (that is analysis)
    code, out, _ = diaban(url, "assess", "summary", "-p", "14", "--year", "2026",
                          DIABAN_USER="lanh_dao", DIABAN_PASSWORD="suoi-nam-pan-7")
    assert code == 0 and "Chuyển hóa" in out
    code, _, _ = diaban(url, "analyze", "classify", "-p", "14", "--year", "2026",
                        DIABAN_USER="lanh_dao", DIABAN_PASSWORD="suoi-nam-pan-7")
    assert code == PermissionDenied.exit_code
    assert lists() == before


@pytest.mark.parametrize("args", [
    ["assess", "set-class", "-p", "14", "--year", "2026", "--commune", "04048"],
    ["assess", "settings", "-p", "14", "--target", "abc"],
    ["assess", "add-route", "-p", "14", "--name", "X", "--scope", "intra", "--decision", "1",
     "--date", "1/1/2024", "--communes", "00004"],
])
def test_bad_input_is_a_clear_message(demo_copy_url: str, args: list[str]) -> None:
    before = db_fingerprint(demo_copy_url)
    code, _, err = diaban(demo_copy_url, *args)
    assert code == ValidationError.exit_code and "Traceback" not in err and err.strip()
    assert db_fingerprint(demo_copy_url) == before
