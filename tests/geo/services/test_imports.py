"""geo.services.imports: one skeleton for every kind of file, preview → commit."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

import geo.io.tables
from geo.auth import Principal
from geo.errors import NotFoundError, PermissionDenied, ValidationError
from geo.registry import load_units
from geo.services import imports as imp
from geo.services.history import HistoryRequest, history
from geo.store import facilities, get_values, hotspot_table, session_scope
from tests.conftest import db_fingerprint

ADMIN = Principal("quan_tri", "admin")
SON_LA_OFFICER = Principal("nhap_lieu", "data_officer", "14")
HA_NOI_OFFICER = Principal("hn_nhap", "data_officer", "01")
#: Limited to the legacy district of Mộc Châu (04024 Chiềng Khừa, 04045 Lóng Sập).
MOC_CHAU_OFFICER = Principal("mc_nhap", "data_officer", "14", "123")
VIEWER = Principal("lanh_dao", "viewer")
HEADER = "ma_xa,ky,chi_tieu,gia_tri\n"


def _csv(folder: Path, name: str, body: str) -> Path:
    p = folder / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def _stored(url: str, edition: str = "legacy") -> dict[tuple[str, str, str], float]:
    with session_scope(url) as s:
        v = get_values(s, "14", edition)
    v = v[v.converted == ""]
    return {(r.unit_code, r.period, r.indicator): r.value for r in v.itertuples()}


@pytest.fixture()
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time a table file is parsed (CSV or XLSX), its name."""
    # The spy sees reads in this process: read here, not in the memory-capped child.
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "0")
    seen: list[str] = []
    for fn in ("_read_csv", "_read_xlsx"):
        real = getattr(geo.io.tables, fn)

        def spy(path: Path, name: str, _real=real) -> object:
            seen.append(name)
            return _real(path, name)

        monkeypatch.setattr(geo.io.tables, fn, spy)
    return seen


# ------------------------------------------------------------------ the skeleton


def test_preview_then_commit_reads_the_file_once_and_writes_the_previewed_frame(
        tmp_path: Path, empty_url: str, reads: list[str]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ma_xa", "ky", "chi_tieu", "gia_tri"])
    ws.append(["04024", "2023-H1", "registered_addicts", "1.234"])
    ws.append(["04045", "2023-H1", "population", 3456])
    ws.append(["04058", "2025-H2", "relapse", 2])  # a legacy code in a 2025 period: refused
    p = tmp_path / "so_lieu.xlsx"
    wb.save(p)
    prep = imp.preview(imp.IndicatorsRequest(p, province="Sơn La"), ADMIN, empty_url)
    assert not prep.ok and [pr.row for pr in prep.problems] == [4]
    with pytest.raises(ValidationError, match="chưa lưu gì"):
        imp.commit(prep, ADMIN, empty_url)

    ws.delete_rows(4)
    wb.save(p)
    reads.clear()
    prep = imp.preview(imp.IndicatorsRequest(p, province="Sơn La"), ADMIN, empty_url)
    assert prep.ok and prep.rows == 2 and prep.editions == {"legacy": 2}
    assert prep.already_batch is None
    p.unlink()  # the upload's temporary copy is gone: commit needs only the prepared frame
    res = imp.commit(prep, ADMIN, empty_url)
    assert reads == ["so_lieu.xlsx"]  # parsed once for the preview and the confirmation
    assert res.batch_id and res.stored == 2 and not res.already_imported
    written = {(r.unit_code, r.period, r.indicator): r.value for r in prep.frame.itertuples()}
    assert _stored(empty_url) == written == {("04024", "2023-H1", "registered_addicts"): 1234,
                                             ("04045", "2023-H1", "population"): 3456}


def test_a_failure_while_writing_stores_nothing(tmp_path: Path, empty_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    p = _csv(tmp_path, "hai_ky.csv", "04024,2023-H1,registered_addicts,5\n"
             "03646,2025-H2,relapse,1\n")  # a legacy and a 2025 commune
    prep = imp.preview(imp.IndicatorsRequest(p), ADMIN, empty_url)
    assert prep.editions == {"legacy": 1, "2025": 1}
    before = db_fingerprint(empty_url)
    real = imp.write_values
    calls: list[str] = []

    def second_fails(s: object, values: object, batch: object, edition: str) -> int:
        calls.append(edition)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(s, values, batch, edition)

    monkeypatch.setattr(imp, "write_values", second_fails)
    with pytest.raises(OSError):
        imp.commit(prep, ADMIN, empty_url)
    assert len(calls) == 2  # the first edition was written, then rolled back with the batch
    assert db_fingerprint(empty_url) == before
    monkeypatch.setattr(imp, "write_values", real)
    assert imp.commit(prep, ADMIN, empty_url).stored == 2


def _facilities_csv(folder: Path) -> Path:
    p = folder / "co_so.csv"
    p.write_text("loai,ten,vi_do,kinh_do,cong_suat,ngay_mo\n"
                 "methadone,Điểm Methadone Mộc Châu,20.85,104.63,120,2019-05-01\n"
                 "club,CLB sau cai Vân Hồ,20.80,104.75,,\n", encoding="utf-8")
    return p


def _hotspots_csv(folder: Path) -> Path:
    p = folder / "trong_diem.csv"
    p.write_text("ma_xa,trang_thai,ngay,so_quyet_dinh\n"
                 "04024,designated,2021-03-01,75/KH-UBND\n"
                 "04024,Đang chuyển hóa,2022-06-01,\n"
                 "04058,designated,2021-03-01,75/KH-UBND\n", encoding="utf-8")
    return p


@pytest.mark.parametrize("kind", ["indicators", "facilities", "hotspots"])
def test_same_file_twice_changes_nothing_for_every_kind(tmp_path: Path, empty_url: str,
                                                         kind: str) -> None:
    req = {"indicators": lambda: imp.IndicatorsRequest(
               _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,5\n")),
           "facilities": lambda: imp.FacilitiesRequest(_facilities_csv(tmp_path), "Sơn La"),
           "hotspots": lambda: imp.HotspotsRequest(_hotspots_csv(tmp_path), "Sơn La")}[kind]()
    first = imp.import_file(req, ADMIN, empty_url)
    assert first.kind == kind and first.stored == {"indicators": 1, "facilities": 2,
                                                   "hotspots": 2}[kind]
    before = db_fingerprint(empty_url)
    dry = imp.import_file(req, ADMIN, empty_url, dry_run=True)
    assert dry.already_imported and dry.batch_id == first.batch_id and dry.stored == 0
    again = imp.import_file(req, ADMIN, empty_url)
    assert again.already_imported and again.batch_id == first.batch_id and again.rows == 0
    assert db_fingerprint(empty_url) == before
    # One result shape, strict JSON.
    d = json.loads(json.dumps(again.to_dict(), allow_nan=False))
    assert {"kind", "file", "batch", "rows", "stored", "editions", "already_imported",
            "dry_run", "skipped_rows", "notes"} <= set(d)


@pytest.mark.parametrize("kind", ["facilities", "hotspots"])
def test_one_bad_row_stores_nothing_of_the_registers(tmp_path: Path, empty_url: str,
                                                     kind: str) -> None:
    p = _facilities_csv(tmp_path) if kind == "facilities" else _hotspots_csv(tmp_path)
    bad = "hang_xom,Sai loai,20.8,104.6,,\n" if kind == "facilities" else \
        "99999,designated,2021-03-01,\n"
    p.write_text(p.read_text(encoding="utf-8") + bad, encoding="utf-8")
    cls = imp.FacilitiesRequest if kind == "facilities" else imp.HotspotsRequest
    imp.import_file(imp.IndicatorsRequest(_csv(tmp_path, "x.csv",
                                               "04024,2023-H1,registered_addicts,5\n")),
                    ADMIN, empty_url)
    before = db_fingerprint(empty_url)
    prep = imp.preview(cls(p, "Sơn La"), ADMIN, empty_url)
    assert [pr.row for pr in prep.problems] == [5 if kind == "hotspots" else 4]
    with pytest.raises(ValidationError) as e:
        imp.import_file(cls(p, "Sơn La"), ADMIN, empty_url)
    assert "chưa lưu gì" in e.value.vi and e.value.problems[0].file == p.name
    assert db_fingerprint(empty_url) == before


def test_registers_are_stored_as_validated_with_their_province(tmp_path: Path,
                                                               empty_url: str) -> None:
    f = imp.import_file(imp.FacilitiesRequest(_facilities_csv(tmp_path), "Sơn La"), ADMIN,
                        empty_url)
    h = imp.import_file(imp.HotspotsRequest(_hotspots_csv(tmp_path), "Sơn La"), ADMIN,
                        empty_url)
    assert h.stored == 2 and h.editions == {"legacy": 2}
    with session_scope(empty_url) as s:
        fac = facilities(s, "Sơn La").set_index("name")
        hot = hotspot_table(s, "Sơn La")
    assert fac.loc["Điểm Methadone Mộc Châu", "capacity"] == 120
    assert fac.loc["CLB sau cai Vân Hồ", "kind"] == "club"
    assert hot[hot.unit_code == "04024"].status.tolist() == ["designated", "in_transformation"]
    # The batches carry the province: a Sơn La officer's history shows them.
    ids = history(HistoryRequest(), SON_LA_OFFICER, empty_url).batches.id.tolist()
    assert {f.batch_id, h.batch_id} <= set(ids)


def test_commit_finds_a_file_imported_since_the_preview(tmp_path: Path, empty_url: str) -> None:
    p = _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,5\n")
    prep = imp.preview(imp.IndicatorsRequest(p), ADMIN, empty_url)
    meanwhile = imp.import_file(imp.IndicatorsRequest(p), SON_LA_OFFICER, empty_url)
    before = db_fingerprint(empty_url)
    res = imp.commit(prep, ADMIN, empty_url)
    assert res.already_imported and res.batch_id == meanwhile.batch_id
    assert db_fingerprint(empty_url) == before


def test_commit_checks_again_the_stored_figures_it_must_agree_with(tmp_path: Path,
                                                                   empty_url: str) -> None:
    prep = imp.preview(imp.IndicatorsRequest(
        _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,40\n")), ADMIN, empty_url)
    assert prep.ok
    imp.import_file(imp.IndicatorsRequest(
        _csv(tmp_path, "b.csv", "04024,2023-H1,counselled,50\n")), ADMIN, empty_url)
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as e:
        imp.commit(prep, ADMIN, empty_url)
    (p,) = e.value.problems
    assert p.row == 2 and "mâu thuẫn" in p.vi and "40" in p.vi
    assert db_fingerprint(empty_url) == before


def test_a_prepared_import_with_problems_cannot_be_committed(tmp_path: Path,
                                                             empty_url: str) -> None:
    prep = imp.preview(imp.IndicatorsRequest(
        _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,abc\n")), ADMIN, empty_url)
    assert not prep.ok and "không phải là số" in prep.problems[0].vi
    assert json.loads(json.dumps(prep.to_dict(), allow_nan=False))["problems"][0]["row"] == 2
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError):
        imp.commit(prep, ADMIN, empty_url)
    assert db_fingerprint(empty_url) == before


# ------------------------------------------------------------------ who may import what


def test_rows_outside_a_limited_users_area_are_problems_of_their_row(tmp_path: Path,
                                                                     empty_url: str) -> None:
    p = _csv(tmp_path, "lan.csv", "04024,2023-H1,registered_addicts,4\n"
             "00004,2023-H1,registered_addicts,3\n04058,2023-H1,registered_addicts,2\n")
    prep = imp.preview(imp.IndicatorsRequest(p), SON_LA_OFFICER, empty_url)
    assert [(pr.row, "ngoài địa bàn" in pr.vi) for pr in prep.problems] == [(3, True)]
    prep = imp.preview(imp.IndicatorsRequest(p), MOC_CHAU_OFFICER, empty_url)
    assert [pr.row for pr in prep.problems] == [3, 4]  # Hà Nội, and Vân Hồ district
    before = db_fingerprint(empty_url)
    with pytest.raises(ValidationError) as e:
        imp.import_file(imp.IndicatorsRequest(p), SON_LA_OFFICER, empty_url)
    assert "00004" in e.value.problems[0].vi
    assert db_fingerprint(empty_url) == before
    # A preview by an administrator cannot be committed by a limited officer.
    ok = imp.preview(imp.IndicatorsRequest(p), ADMIN, empty_url)
    with pytest.raises(ValidationError):
        imp.commit(ok, SON_LA_OFFICER, empty_url)
    assert db_fingerprint(empty_url) == before


@pytest.mark.parametrize(("who", "req"), [
    (VIEWER, lambda f: imp.IndicatorsRequest(f)),
    (HA_NOI_OFFICER, lambda f: imp.IndicatorsRequest(f, province="Sơn La")),
    (HA_NOI_OFFICER, lambda f: imp.FacilitiesRequest(f, "Sơn La")),
    (MOC_CHAU_OFFICER, lambda f: imp.IncidentsRequest(f, "Sơn La")),
    (MOC_CHAU_OFFICER, lambda f: imp.HotspotsRequest(f, "Sơn La")),
    (Principal("ke_hoach", "planner"), lambda f: imp.FacilitiesRequest(f, "Sơn La",
                                                                        action="edit")),
])
def test_refused_before_the_file_is_read(tmp_path: Path, empty_url: str, reads: list[str],
                                         who: Principal, req: object) -> None:
    f = _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,4\n")
    before = db_fingerprint(empty_url)
    with pytest.raises(PermissionDenied):
        imp.preview(req(f), who, empty_url)
    with pytest.raises(PermissionDenied):
        imp.import_file(req(f), who, empty_url)
    assert reads == []
    assert db_fingerprint(empty_url) == before


def test_commit_authorises_again(tmp_path: Path, empty_url: str) -> None:
    prep = imp.preview(imp.IndicatorsRequest(
        _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,4\n")), ADMIN, empty_url)
    before = db_fingerprint(empty_url)
    with pytest.raises(PermissionDenied):
        imp.commit(prep, VIEWER, empty_url)
    assert db_fingerprint(empty_url) == before


# ------------------------------------------------------------------ requests


@pytest.mark.parametrize(("make", "error", "text"), [
    (lambda d: imp.IndicatorsRequest(d / "khong_co.csv"), ValidationError, "khong_co.csv"),
    (lambda d: imp.IndicatorsRequest(d / "a.csv", period="2023-H9"), ValidationError, "2023-H9"),
    (lambda d: imp.IndicatorsRequest(d / "a.csv", province="Atlantis"), NotFoundError,
     "Atlantis"),
    (lambda d: imp.FacilitiesRequest(d / "a.csv"), ValidationError, "tỉnh"),
    (lambda d: imp.BoundariesRequest(d / "a.csv", "14", crs="EPSG:99999999"), ValidationError,
     "EPSG:99999999"),
    (lambda d: imp.BoundariesRequest(d / "a.csv", "14", edition="2030"), ValidationError,
     "2030"),
    (lambda d: imp.IncidentsRequest(d / "a.csv", "14", period_kind="M"), ValidationError, "'M'"),
    (lambda d: imp.PopulationRequest(d / "a.csv", "14", year=1800), ValidationError, "1800"),
    (lambda d: imp.TemplateRequest("14", "2025-H3", d / "mau.xlsx"), ValidationError, "2025-H3"),
    (lambda d: imp.TemplateRequest("14", "2025-H2", d / "mau.xlsx", indicators=("khong_co",)),
     NotFoundError, "khong_co"),
])
def test_requests_are_checked_up_front(tmp_path: Path, make: object, error: type,
                                       text: str) -> None:
    _csv(tmp_path, "a.csv", "04024,2023-H1,registered_addicts,4\n")
    with pytest.raises(error) as e:
        make(tmp_path).check()
    assert text in e.value.message("vi")


def test_request_check_resolves_names_once() -> None:
    req = imp.PopulationRequest(__file__, "son la", year="2019").check()
    assert req.province.code == "14" and req.year == 2019 and req.edition == "legacy"
    assert req.check() == req  # safe to call twice
    assert imp.PopulationRequest(__file__, "14", year=2026).check().edition == "2025"


# ------------------------------------------------------------------ boundaries, incidents


def _boundary_file(folder: Path) -> tuple[Path, list[str]]:
    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(4)
    names = list(u.name)
    names[3] = "Xã Không Có Thật"
    g = gpd.GeoDataFrame({"ten_xa": names},
                         geometry=[box(x - .01, y - .01, x + .01, y + .01)
                                   for x, y in zip(u.lon, u.lat)], crs=4326)
    p = folder / "ranh_gioi.geojson"
    g.to_file(p, driver="GeoJSON")
    return p, list(u.code)


def test_boundaries_preview_choose_commit_without_reading_again(
        tmp_path: Path, empty_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import geo.io.boundaries

    # The spy sees reads in this process: read here, not in the memory-capped child.
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "0")
    opened: list[str] = []
    real = geo.io.boundaries._read_any
    monkeypatch.setattr(geo.io.boundaries, "_read_any",
                        lambda path, name, layer: opened.append(name) or real(path, name, layer))
    p, codes = _boundary_file(tmp_path)
    with pytest.raises(ValidationError) as e:  # one feature matches nothing
        imp.import_file(imp.BoundariesRequest(p, "Sơn La", edition="legacy"), ADMIN, empty_url)
    assert [pr.row for pr in e.value.problems] == [4]
    opened.clear()
    prep = imp.preview(imp.BoundariesRequest(p, "Sơn La", edition="legacy",
                                             skip_unmatched=True), ADMIN, empty_url)
    assert prep.ok and prep.rows == 3 and prep.report.status.tolist()[3] == "skipped"
    options, current = imp.boundary_choices(prep)
    assert current == {1: codes[0], 2: codes[1], 3: codes[2], 4: None}
    assert len(options) == 200 and codes[3] in dict(options)  # Sơn La's legacy communes
    chosen = imp.choose(prep, {4: codes[3]})
    assert chosen.ok and chosen.rows == 4
    bad = imp.choose(prep, {4: codes[0]})  # a commune another feature already has
    assert not bad.ok and codes[0] in bad.problems[0].vi
    res = imp.commit(chosen, ADMIN, empty_url)
    assert opened == ["ranh_gioi.geojson"]
    assert res.stored == 4 and res.edition == "legacy"
    assert res.report.set_index("feature").loc[4, "method"] == "chosen"
    with session_scope(empty_url) as s:
        from geo.store import current_boundaries

        assert sorted(current_boundaries(s, "14", "legacy").code) == sorted(codes)
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["read"]["crs_origin"] == "file" and len(d["features"]) == 4


def test_incidents_count_against_stored_boundaries(tmp_path: Path, demo_copy_url: str) -> None:
    with session_scope(demo_copy_url) as s:
        from geo.store import current_boundaries

        b = current_boundaries(s, "14", "legacy").head(2)
    pts = b.geometry.representative_point()
    p = tmp_path / "vu_viec.csv"
    p.write_text("vi_do,kinh_do,ngay\n" + "".join(
        f"{pt.y:.6f},{pt.x:.6f},{d}\n" for pt in pts for d in ("2023-02-01", "2023-09-01"))
        + "10.77,106.70,2023-02-01\n", encoding="utf-8")
    prep = imp.preview(imp.IncidentsRequest(p, "14", skip_invalid=True), ADMIN, demo_copy_url)
    assert prep.details["points"] == 4 and [pr.row for pr in prep.skipped] == [6]
    res = imp.commit(prep, ADMIN, demo_copy_url)
    got = res.values.set_index(["unit_code", "period"]).value
    assert got[(b.code.iloc[0], "2023-H1")] == 1 and got[(b.code.iloc[1], "2023-H2")] == 1
    assert res.stored == len(prep.frame) and (got == 0).sum() > 100  # zero-filled communes
    assert res.to_dict()["skipped_rows"][0]["row"] == 6


# ------------------------------------------------------------------ templates


def test_template_lists_the_communes_of_the_periods_edition(tmp_path: Path) -> None:
    import openpyxl

    res = imp.write_template(imp.TemplateRequest("Sơn La", "2023-H1", tmp_path / "mau.xlsx",
                                                 indicators=("relapse", "population")))
    assert res.edition == "legacy" and res.communes == 200
    assert res.indicators == ["population", "relapse"]  # in the catalog's order
    ws = openpyxl.load_workbook(res.file).active
    assert ws["A2"].value.startswith("Kỳ báo cáo: 2023-H1")
    assert [c.value for c in ws[5]][:3] == ["ma_xa", "xa", "huyen"] and ws.max_row == 205
    with pytest.raises(PermissionDenied):
        imp.write_template(imp.TemplateRequest("Sơn La", "2023-H1", tmp_path / "x.xlsx"),
                           HA_NOI_OFFICER)


def test_preview_shows_what_will_change_and_flags_implausible_figures(
        tmp_path: Path, demo_url: str) -> None:
    # Vân Hồ (2025 commune 04048) has 221 registered addicts stored for 2025-H2.
    with session_scope(demo_url) as s:
        stored = get_values(s, "14", "2025", ["registered_addicts", "population"],
                            ["2025-H2"]).set_index(["unit_code", "indicator"]).value
    assert stored["04048", "registered_addicts"] == 221
    pop = int(stored["04048", "population"])
    f = _csv(tmp_path, "van_ho.csv", f"04048,2025-H2,registered_addicts,999\n"
                                     f"04048,2025-H2,population,{pop}\n"
                                     "04045,2026-H1,registered_addicts,65\n"
                                     "04045,2026-H1,relapse,40\n")
    before = db_fingerprint(demo_url)
    messages: list[str] = []
    prep = imp.preview(imp.IndicatorsRequest(f, lang="en"), ADMIN, demo_url,
                       progress=lambda _f, m: messages.append(m))
    assert db_fingerprint(demo_url) == before
    ch = prep.changes.set_index(["unit_code", "period", "indicator"])
    van_ho = ch.loc["04048", "2025-H2", "registered_addicts"]
    assert (van_ho["name"], van_ho.old, van_ho.new, van_ho.status) == ("Xã Vân Hồ", 221, 999,
                                                                       "changed")
    assert van_ho.flag and van_ho.reason_vi == "gấp 4,5 lần 221 (6 tháng cuối năm 2025)"
    assert ch.loc["04048", "2025-H2", "population"].status == "same"
    assert not ch.loc["04048", "2025-H2", "population"].flag
    # A new period is compared with the commune's latest earlier half-year.
    lang_sap = ch.loc["04045", "2026-H1", "registered_addicts"]
    assert lang_sap.status == "new" and lang_sap.ref_period == "2025-H2"
    assert prep.changes.flag.iloc[0]  # flagged rows first
    assert prep.to_dict()["changes"]["flagged"] == int(prep.changes.flag.sum()) >= 1
    # Progress in the language of the request.
    assert "Reading the file" in messages and "Comparing with stored data" in messages
    assert not [m for m in messages if m in ("Đọc tệp", "Đã kiểm tra")]
