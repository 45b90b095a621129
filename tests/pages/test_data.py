"""The Data page (AppTest): upload → preview → confirm writes what was previewed; history."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import geo.io.tables
from geo.auth import Principal
from geo.services import imports as imp
from geo.store import get_values, session_scope
from tests.conftest import db_fingerprint

PAGE = Path(__file__).resolve().parents[2] / "pages" / "data.py"
ADMIN = {"username": "quan_tri", "role": "admin", "province_code": None,
         "district_code": None, "local": False}


def _page(url: str, monkeypatch: pytest.MonkeyPatch, user: dict = ADMIN) -> AppTest:
    monkeypatch.setenv("DIABAN_DATABASE_URL", url)
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.session_state["user"] = user
    at.session_state["province"] = "14"
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(elements: object) -> list[str]:
    return [e.value for e in elements]


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time a CSV file is parsed, its name."""
    # The spy sees reads in this process: read here, not in the memory-capped child.
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "0")
    seen: list[str] = []
    real = geo.io.tables._read_csv

    def spy(path: Path, name: str) -> object:
        seen.append(name)
        return real(path, name)

    monkeypatch.setattr(geo.io.tables, "_read_csv", spy)
    return seen


def test_a_confirmed_upload_is_read_once_and_stored(empty_url: str, reads: list[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(empty_url, monkeypatch)
    body = b"ma_xa;ky;chi_tieu;gia_tri\n04024;2023-H1;registered_addicts;1.234\n" \
           b"04045;2023-H1;population;3.456\n"
    at.file_uploader(key="up_ind").set_value(("bao_cao.csv", body, "text/csv"))
    at.run()
    assert _texts(at.success) == ["Tệp hợp lệ: 2 số liệu."]
    assert at.dataframe[0].value.shape == (2, 4)  # the preview of the table as read
    at.button(key="ok_ind").click()
    at.run()
    assert not at.exception and not at.error
    stored = [s for s in _texts(at.success) if s.startswith("Đã lưu")]
    assert len(stored) == 1 and "lần nhập số" in stored[0]
    assert reads == ["bao_cao.csv"]  # upload run and confirmation run: one parse
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy").set_index("indicator").value
    assert v["registered_addicts"] == 1234 and v["population"] == 3456


def test_a_bad_upload_lists_every_problem_and_stores_nothing(
        empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(empty_url, monkeypatch)
    before = db_fingerprint(empty_url)
    body = b"ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,-5\n" \
           b"04024,2023-H1,relapse,abc\n"
    at.file_uploader(key="up_ind").set_value(("sai.csv", body, "text/csv"))
    at.run()
    (err,) = _texts(at.error)
    assert "sai.csv" in err and "2 lỗi" in err and "chưa lưu gì" in err
    (problems,) = [d.value for d in at.dataframe if "Vấn đề" in d.value]
    assert problems["Dòng"].tolist() == [2, 3]
    assert "giá trị âm" in problems["Vấn đề"].iloc[0]
    assert not [b for b in at.button if b.key == "ok_ind"]  # nothing to confirm
    assert db_fingerprint(empty_url) == before


def test_boundaries_confirmed_with_the_unmatched_feature_skipped(
        tmp_path: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import geopandas as gpd
    from shapely.geometry import box

    import geo.io.boundaries
    from geo.registry import load_units

    # The spy sees reads in this process: read here, not in the memory-capped child.
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "0")
    opened: list[str] = []
    real = geo.io.boundaries._read_any
    monkeypatch.setattr(geo.io.boundaries, "_read_any",
                        lambda path, name, layer: opened.append(name) or real(path, name, layer))
    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    g = gpd.GeoDataFrame({"ten_xa": [*u.name[:2], "Xã Không Có Thật"]},
                         geometry=[box(x - .01, y - .01, x + .01, y + .01)
                                   for x, y in zip(u.lon, u.lat)], crs=4326)
    p = tmp_path / "xa.geojson"
    g.to_file(p, driver="GeoJSON")
    at = _page(empty_url, monkeypatch)
    at.file_uploader(key="up_bnd").set_value(("xa.geojson", p.read_bytes(),
                                              "application/geo+json"))
    at.run()
    assert not at.error, _texts(at.error)
    at.button(key="ok_bnd").click()
    at.run()
    assert not at.error, _texts(at.error)
    assert any(s.startswith("Đã lưu 2 ranh giới") for s in _texts(at.success))
    assert opened == ["xa.geojson"]
    from geo.store import current_boundaries

    with session_scope(empty_url) as s:
        assert sorted(current_boundaries(s, "14", "legacy").code) == sorted(u.code[:2])


def test_history_tab_undoes_a_batch_and_shows_only_the_users_area(
        tmp_path: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = Principal("quan_tri", "admin")
    f = tmp_path / "sl.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,relapse,3\n", encoding="utf-8")
    son_la = imp.import_file(imp.IndicatorsRequest(f), admin, empty_url).batch_id
    f = tmp_path / "hn.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n00004,2023-H1,relapse,1\n", encoding="utf-8")
    ha_noi = imp.import_file(imp.IndicatorsRequest(f), admin, empty_url).batch_id

    officer = {"username": "nhap_lieu", "role": "data_officer", "province_code": "14",
               "district_code": None, "local": False}
    at = _page(empty_url, monkeypatch, officer)
    hist = at.dataframe[-1].value
    assert hist["Số"].tolist() == [son_la]  # not Hà Nội's batch
    (option,) = at.selectbox(key="undo_id_vi").options
    assert option.startswith(f"Lần nhập số {son_la}: Số liệu xã — sl.csv (quan_tri, ")
    at.button(key="undo_btn").click()
    at.run()
    # The undo is asked first, naming what it takes back; nothing changed yet.
    (ask,) = _texts(at.warning)
    assert f"Hoàn tác lần nhập số {son_la}: Số liệu xã, tệp «sl.csv», do quan_tri" in ask
    with session_scope(empty_url) as s:
        assert not get_values(s, "14", "legacy").empty
    at.button(key="undo_ok").click()
    at.run()
    assert f"Đã hoàn tác lần nhập số {son_la}." in _texts(at.success)
    with session_scope(empty_url) as s:
        assert get_values(s, "14", "legacy").empty
    # The list is read again at once: the batch is undone, nothing is left to undo.
    assert at.dataframe[-1].value.set_index("Số")["Tình trạng"].to_dict() == {
        son_la: "Đã hoàn tác"}
    assert not [b for b in at.button if b.key == "undo_btn"]

    at = _page(empty_url, monkeypatch)
    assert at.dataframe[-1].value.set_index("Số")["Tình trạng"].to_dict() == {
        ha_noi: "Đang dùng", son_la: "Đã hoàn tác"}


def test_the_preview_shows_old_to_new_and_flags_van_ho(demo_copy_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(demo_copy_url, monkeypatch)
    before = db_fingerprint(demo_copy_url)
    body = b"ma_xa,ky,chi_tieu,gia_tri\n04048,2025-H2,registered_addicts,999\n" \
           b"04045,2026-H1,registered_addicts,63\n"
    at.file_uploader(key="up_ind").set_value(("van_ho.csv", body, "text/csv"))
    at.run()
    assert not at.exception and not at.error
    assert "2 số liệu: 1 thay số đã lưu, 1 mới, 0 giữ nguyên." in [m.value for m in at.markdown]
    (flag,) = [w for w in _texts(at.warning) if "vượt ngoài khoảng hợp lý" in w]
    assert flag.startswith("1 số liệu vượt ngoài khoảng hợp lý")
    (report,) = [d.value for d in at.dataframe if "Đã lưu → mới" in d.value]
    rows = report.set_index("Xã")
    assert rows.loc["Xã Vân Hồ (04048)", "Đã lưu → mới"] == "221 → 999"
    assert rows.loc["Xã Vân Hồ (04048)", "Ghi chú"].startswith(
        "⚠ gấp 4,5 lần 221 (6 tháng cuối năm 2025)")
    assert rows.loc["Xã Lóng Sập (04045)", "Đã lưu → mới"] == "— → 63"
    assert rows.loc["Xã Lóng Sập (04045)", "Ghi chú"] == "mới; kỳ trước 61 (6 tháng cuối năm 2025)"
    assert db_fingerprint(demo_copy_url) == before  # shown, not stored


def test_an_empty_editor_says_so_and_stores_nothing(empty_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(empty_url, monkeypatch)
    before = db_fingerprint(empty_url)
    at.button(key="ok_facilities").click()
    at.run()
    assert any("Bảng chưa có dòng nào" in w for w in _texts(at.warning))
    assert not at.error and db_fingerprint(empty_url) == before
