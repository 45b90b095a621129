"""Dữ liệu — upload → preview → match/validation report → confirm → stored; history with undo."""

from __future__ import annotations

from pages._state import boot

boot()

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.auth import may_undo, units_outside_area  # noqa: E402
from geo.errors import DiabanError  # noqa: E402
from geo.security import UPLOAD_TYPES, check_upload_file, safe_filename  # noqa: E402
from geo.store import FACILITY_KINDS  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._state import db_url, lang, province, t  # noqa: E402

st.title(t("Dữ liệu", "Data"))
prov = province()
me = require_action("import", prov)
user = me.username


def _save(up: object, kind: str) -> Path:
    """Keep an upload in a temporary file after checking its size, type and content.

    Raises
    ------
    ValidationError
        Too large, a type not accepted for ``kind``, or content that is not what
        the name says (see :mod:`geo.security`).
    """
    d = Path(tempfile.mkdtemp(prefix="diaban_up_"))
    p = d / safe_filename(up.name)
    p.write_bytes(up.getvalue())
    check_upload_file(p, UPLOAD_TYPES[kind], name=up.name)
    return p


def _outside(ed: str, codes: list[str]) -> list[str]:
    return units_outside_area(me, ed, codes)


def _problems(e: DiabanError) -> None:
    st.error(e.problem.message(lang()))
    if e.problems:
        st.dataframe(pd.DataFrame([{t("Tệp", "File"): p.file, t("Dòng", "Row"): p.row,
                                    t("Cột", "Column"): p.column,
                                    t("Vấn đề", "Problem"): p.vi if lang() == "vi" else p.en}
                                   for p in e.problems]), hide_index=True)


def _bar() -> object:
    bar = st.progress(0.0, text=t("Đang xử lý…", "Working…"))
    return lambda f, m: bar.progress(min(max(f, 0.0), 1.0), text=m)


tabs = st.tabs([t("Số liệu xã", "Figures"), t("Ranh giới", "Boundaries"),
                t("Vụ việc", "Incidents"), t("Cơ sở", "Facilities"),
                t("Địa bàn trọng điểm", "Hotspots"), t("Lịch sử nhập", "History")])

with tabs[0]:
    up = st.file_uploader(t("Tệp số liệu (CSV, XLSX)", "Figures file (CSV, XLSX)"),
                          type=["csv", "xlsx"], key="up_ind")
    if up is not None:
        from geo.ingest import import_indicators
        from geo.io.tables import read_table

        try:
            p = _save(up, "table")
            st.caption(t("Xem trước", "Preview"))
            st.dataframe(read_table(p, up.name).df.head(20), hide_index=True)
            res = import_indicators(p, db_url(), user=user, province=prov, dry_run=True,
                                    display_name=up.name, outside_area=_outside)
            st.success(t(f"Tệp hợp lệ: {res.rows} số liệu.", f"File is valid: {res.rows} "
                         "figures."))
            if st.button(t("Xác nhận và lưu", "Confirm and store"), key="ok_ind"):
                r = import_indicators(p, db_url(), user=user, province=prov,
                                      display_name=up.name, progress=_bar(),
                                      outside_area=_outside)
                st.success(t(f"Đã lưu (lần nhập số {r.batch_id}).",
                             f"Stored (batch {r.batch_id})."))
        except DiabanError as e:
            _problems(e)

with tabs[1]:
    up = st.file_uploader(t("Tệp ranh giới (.zip Shapefile, .gpkg, .geojson, .kml)",
                            "Boundary file (.zip shapefile, .gpkg, .geojson, .kml)"),
                          type=["zip", "gpkg", "geojson", "json", "kml"], key="up_bnd")
    crs = st.text_input(t("Hệ tọa độ nếu tệp không ghi (vd. EPSG:9206)",
                          "CRS if the file has none (e.g. EPSG:9206)"), key="bnd_crs")
    accept = st.checkbox(t("Chấp nhận hệ tọa độ diaban đoán", "Accept the guessed CRS"),
                         key="bnd_acc")
    if up is not None:
        from geo.ingest_boundaries import MATCHED, import_boundaries, province_units

        try:
            require_action("import", prov, whole_province=True)
            p = _save(up, "boundaries")
            res = import_boundaries(p, prov, db_url(), crs=crs or None, accept_guess=accept,
                                    skip_unmatched=True, dry_run=True, display_name=up.name,
                                    progress=_bar())
            rd = res.read
            st.info(t(f"Hệ tọa độ {rd.source_crs} ({rd.crs_origin}); chuyển mã: "
                      f"{rd.encodings or 'không'}; sửa hình học: {len(rd.repaired)}; chồng lấn: "
                      f"{len(rd.overlaps)}; khe hở: {len(rd.gaps)}.",
                      f"CRS {rd.source_crs} ({rd.crs_origin}); text: {rd.encodings or 'as is'}; "
                      f"repaired: {len(rd.repaired)}; overlaps: {len(rd.overlaps)}; gaps: "
                      f"{len(rd.gaps)}."))
            rep = res.report
            units = province_units(prov, res.edition)
            opts = [""] + [f"{c} {n}" for c, n in zip(units.code, units.name)]
            view = rep[["feature", "name", "district", "code", "matched_name", "method",
                        "score"]].copy()
            view["choice"] = [
                f"{c} {n}" if m in MATCHED else "" for c, n, m in zip(
                    rep.code, rep.matched_name, rep.method)]
            st.caption(t("Mỗi đối tượng và cách khớp. Với dòng chưa khớp: chọn xã, hoặc để "
                         "trống để bỏ qua.", "Every feature and how it matched. For unmatched "
                         "rows pick a commune, or leave empty to skip."))
            edited = st.data_editor(
                view, hide_index=True, key="bnd_edit", disabled=[c for c in view.columns
                                                                 if c != "choice"],
                column_config={"choice": st.column_config.SelectboxColumn(
                    t("Chọn xã", "Commune"), options=opts)})
            if st.button(t("Xác nhận và lưu", "Confirm and store"), key="ok_bnd"):
                choices = {int(f): (c.split(" ")[0] if c else None)
                           for f, c in zip(edited.feature, edited.choice)}
                r = import_boundaries(p, prov, db_url(), crs=crs or None, accept_guess=accept,
                                      edition=res.edition, choices=choices,
                                      display_name=up.name, user=user, progress=_bar())
                st.success(t(f"Đã lưu {r.stored} ranh giới (lần nhập số {r.batch_id}).",
                             f"Stored {r.stored} boundaries (batch {r.batch_id})."))
        except DiabanError as e:
            _problems(e)

with tabs[2]:
    up = st.file_uploader(t("Tệp vụ việc (CSV, XLSX: vi_do/kinh_do hoặc x/y, ngay, loai)",
                            "Incidents (CSV, XLSX: lat/lon or x/y, date, type)"),
                          type=["csv", "xlsx"], key="up_inc")
    if up is not None:
        from geo.io.incidents import import_incidents

        try:
            require_action("import", prov, whole_province=True)
            p = _save(up, "table")
            res = import_incidents(p, prov, db_url(), skip_invalid=True, dry_run=True,
                                   display_name=up.name, progress=_bar())
            st.success(t(f"{res.points} điểm đã ghép vào xã; {len(res.skipped)} dòng lỗi.",
                         f"{res.points} points joined to communes; {len(res.skipped)} bad rows."))
            if res.skipped:
                _problems(DiabanError(t("Các dòng sẽ bị bỏ qua:", "Rows to be skipped:"),
                                      problems=res.skipped))
            st.dataframe(res.counts[res.counts.value > 0], hide_index=True)
            if st.button(t("Xác nhận và lưu", "Confirm and store"), key="ok_inc"):
                r = import_incidents(p, prov, db_url(), skip_invalid=True, user=user,
                                     display_name=up.name)
                st.success(t(f"Đã lưu (lần nhập số {r.batch_id}).", f"Stored (batch "
                             f"{r.batch_id})."))
        except DiabanError as e:
            _problems(e)

for i, kind in ((3, "facilities"), (4, "hotspots")):
    with tabs[i]:
        from geo.io import registers

        if kind == "facilities":
            st.caption(t("Loại: ", "Types: ") + ", ".join(
                f"{k} ({v[0] if lang() == 'vi' else v[1]})" for k, v in FACILITY_KINDS.items()))
            blank = pd.DataFrame(columns=["loai", "ten", "vi_do", "kinh_do", "cong_suat",
                                          "ngay_mo", "ngay_dong"])
        else:
            blank = pd.DataFrame(columns=["ma_xa", "trang_thai", "ngay", "so_quyet_dinh"])
        edited = st.data_editor(blank, num_rows="dynamic", key=f"ed_{kind}", hide_index=True)
        if st.button(t("Kiểm tra và lưu", "Validate and store"), key=f"ok_{kind}"):
            require_action("edit", prov, whole_province=True)
            p = Path(tempfile.mkdtemp()) / f"{kind}.csv"
            edited.to_csv(p, index=False)
            try:
                fn = registers.import_facilities if kind == "facilities" \
                    else registers.import_hotspots
                r = fn(p, prov, db_url(), user=user,
                       display_name=t("bảng đã nhập", "edited table"))
                st.success(t(f"Đã lưu {r['stored']} dòng (lần nhập số {r['batch']}).",
                             f"Stored {r['stored']} rows (batch {r['batch']})."))
            except DiabanError as e:
                _problems(e)

with tabs[5]:
    from geo.db import session_scope
    from geo.store import list_batches, undo_batch

    with session_scope(db_url()) as s:
        hist = list_batches(s, me.province_code)
    st.dataframe(hist, hide_index=True)
    active = hist[hist.status == "active"].id.tolist() if len(hist) else []
    if active:
        bid = st.selectbox(t("Lần nhập cần hoàn tác", "Batch to undo"), active, key="undo_id")
        if st.button(t("Hoàn tác", "Undo"), key="undo_btn"):
            try:
                row = hist.set_index("id").loc[int(bid)]
                may_undo(me, row.get("province_code"), row.get("user"))
                with session_scope(db_url()) as s:
                    undo_batch(s, int(bid), user=user)
                st.success(t(f"Đã hoàn tác lần nhập số {bid}.", f"Undid batch {bid}."))
            except DiabanError as e:
                _problems(e)
