"""Reading and exporting the audit log (geo.audit, ``diaban audit``)."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from geo.audit import AUDIT_COLUMNS, detail_dict, write_audit_csv
from geo.auth import Principal
from geo.services.history import UndoRequest, undo
from geo.services.imports import IndicatorsRequest, import_file
from tests.accounts import audit_actions, audit_entries
from tests.conftest import db_fingerprint, run_cli

FORMULA = "=HYPERLINK(\"http://x\",\"bam\")"


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture()
def history(demo_copy_url: str, tmp_path: Path) -> dict:
    """Two imports by a data officer, the first undone by another user."""
    officer = Principal("cb_nhaplieu", "admin")
    a = import_file(IndicatorsRequest(_csv(tmp_path, "bao_cao_moc_chau.csv",
                                           "ma_xa,ky,chi_tieu,gia_tri\n04024,2025-H1,relapse,3\n")),
                    officer, demo_copy_url)
    b = import_file(IndicatorsRequest(_csv(tmp_path, "bao_cao_van_ho.csv",
                                           "ma_xa,ky,chi_tieu,gia_tri\n04058,2025-H1,relapse,4\n")),
                    officer, demo_copy_url)
    undo(UndoRequest(a.batch_id), Principal("truong_phong", "admin"), demo_copy_url)
    return {"url": demo_copy_url, "a": a.batch_id, "b": b.batch_id}


def test_entries_show_who_when_what_batch(history: dict) -> None:
    url = history["url"]
    df = audit_entries(url)
    assert list(df.columns) == AUDIT_COLUMNS
    assert df.id.is_monotonic_decreasing  # newest first
    assert str(df["at"].dtype).startswith("datetime64") and df["at"].dt.tz is not None
    newest = df.iloc[0]
    assert (newest.username, newest.action, newest.entity, newest.batch_id) == (
        "truong_phong", "undo", "indicators", history["a"])
    imp = df[(df.action == "import") & (df.batch_id == history["b"])]
    assert imp.username.tolist() == ["cb_nhaplieu"]
    assert detail_dict(imp.detail.iloc[0])["file"] == "bao_cao_van_ho.csv"
    assert {"import", "undo"} <= set(audit_actions(url))
    # The demo's own history is there too, older than ours.
    assert len(df) > 3 and df.id.iloc[-1] < newest.id


def test_filters(history: dict) -> None:
    url = history["url"]
    mine = audit_entries(url, username="cb_nhaplieu")
    assert set(mine.action) == {"import"} and set(mine.batch_id) == {history["a"], history["b"]}
    assert audit_entries(url, action="undo").username.tolist() == ["truong_phong"]
    assert audit_entries(url, entity="indicators", action="undo").batch_id.tolist() == [
        history["a"]]
    by_batch = audit_entries(url, batch_id=history["a"])
    assert sorted(by_batch.action) == ["import", "undo"]
    assert audit_entries(url, batch_id=history["b"]).action.tolist() == ["import"]
    assert audit_entries(url, username="khong_co_ai").empty
    # Text: case-insensitive, in the details or the entity id.
    found = audit_entries(url, text="VAN_HO")
    assert found.batch_id.tolist() == [history["b"]]
    assert audit_entries(url, text="bao_cao_").batch_id.tolist() == [history["b"], history["a"]]
    assert audit_entries(url, limit=2).id.tolist() == audit_entries(url).id.head(2).tolist()
    assert len(audit_entries(url, limit=None)) == len(audit_entries(url, limit=100_000))


def test_date_filters(history: dict) -> None:
    url = history["url"]
    undo = audit_entries(url, action="undo").iloc[0]
    at = undo["at"].to_pydatetime()
    around = audit_entries(url, since=at - timedelta(seconds=1), until=at + timedelta(seconds=1))
    assert undo.id in set(around.id)
    assert undo.id not in set(audit_entries(url, since=at + timedelta(seconds=1)).id)
    assert undo.id not in set(audit_entries(url, until=at - timedelta(seconds=1)).id)
    day = at.date()
    # A date as 'until' includes its whole day; as 'since' it starts at midnight (UTC).
    assert undo.id in set(audit_entries(url, since=day, until=day).id)
    assert undo.id not in set(audit_entries(url, until=day - timedelta(days=1)).id)
    assert audit_entries(url, since=day + timedelta(days=1)).empty


@pytest.mark.parametrize("hostile", ["x' OR '1'='1", "'; DROP TABLE audit_log; --",
                                     "%", "b_o_cao", "\\", "bao_cao%"])
def test_text_filter_is_plain_text(history: dict, hostile: str) -> None:
    url = history["url"]
    before = db_fingerprint(url)
    assert audit_entries(url, text=hostile).empty, hostile
    assert audit_entries(url, username=hostile).empty
    assert db_fingerprint(url) == before
    assert len(audit_entries(url, action="import", username="cb_nhaplieu")) == 2


def test_csv_defuses_formulas_and_has_a_bom(tmp_path: Path, empty_url: str) -> None:
    from geo.services.base import transaction
    from geo.store import audit

    # Text a user typed, recorded in the log: a formula a spreadsheet would run. (Failed
    # logins no longer record the typed name since issue 17; any logged text may be.)
    for name in (FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0"):
        with transaction(empty_url) as s:
            audit(s, name, "login_failed", "user", name, reason="unknown")
    df = audit_entries(empty_url, action="login_failed")
    out = write_audit_csv(df, tmp_path / "nhat_ky.csv")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["username"] for r in rows] == ["'@SUM(1+1)*cmd|' /C calc'!A0", "'" + FORMULA]
    assert rows[1]["entity_id"] == "'" + FORMULA
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    assert json.loads(rows[0]["detail"]) == {"reason": "unknown"}


def test_csv_defuses_plain_string_columns(tmp_path: Path) -> None:
    # A frame built by hand has pandas' string dtype, not object.
    df = pd.DataFrame({"username": ["=1+1", "+A1", "-2+3", "@x", "\tcmd", "Nguyễn Văn A"],
                       "n": [1, 2, 3, 4, 5, 6]})
    out = write_audit_csv(df, tmp_path / "a.csv")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["username"] for r in rows] == ["'=1+1", "'+A1", "'-2+3", "'@x", "'\tcmd",
                                            "Nguyễn Văn A"]
    assert [r["n"] for r in rows] == ["1", "2", "3", "4", "5", "6"]


# ------------------------------------------------------------------ CLI




def test_cli_audit_for_admin_and_not_for_a_viewer(history: dict, tmp_path: Path) -> None:
    from tests.accounts import add_user

    url = history["url"]
    add_user(url, "quantri", "quan-tri-sl-2025", "admin")
    add_user(url, "lanhdao", "lanh-dao-2025", "viewer")
    out = tmp_path / "nhat_ky.csv"
    admin = {"DIABAN_USER": "quantri", "DIABAN_PASSWORD": "quan-tri-sl-2025"}
    code, stdout, stderr = run_cli(["--db", url, "audit", "--user", "cb_nhaplieu",
                                    "--out", str(out)], admin)
    assert code == 0, stderr
    assert "Đã ghi 2 dòng nhật ký" in stdout
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["action"] for r in rows] == ["import", "import"]
    assert {r["username"] for r in rows} == {"cb_nhaplieu"}

    code, stdout, _ = run_cli(["--db", url, "audit", "--batch", str(history["a"]), "--json"],
                              admin)
    assert code == 0
    assert sorted(r["action"] for r in json.loads(stdout)) == ["import", "undo"]

    viewer = {"DIABAN_USER": "lanhdao", "DIABAN_PASSWORD": "lanh-dao-2025"}
    out2 = tmp_path / "khong.csv"
    code, stdout, stderr = run_cli(["--db", url, "audit", "--out", str(out2)], viewer)
    assert code == 6
    assert "không có quyền xem nhật ký" in stderr
    assert "Traceback" not in stdout + stderr
    assert not out2.exists()
    # Nobody logged in at all.
    code, _, stderr = run_cli(["--db", url, "audit"])
    assert code == 7 and "--user" in stderr and "Traceback" not in stderr
