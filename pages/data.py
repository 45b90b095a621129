"""Dữ liệu — upload → preview → match/validation report → confirm → stored; history with undo."""

from __future__ import annotations

from pages._state import boot

boot()

import json  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.errors import DiabanError  # noqa: E402
from geo.io.boundaries import ENCODING_CHOICES  # noqa: E402
from geo.security import UPLOAD_TYPES, check_upload_file, safe_filename  # noqa: E402
from geo.services import imports as imp  # noqa: E402
from geo.services.history import HistoryRequest, UndoRequest, history, undo  # noqa: E402
from geo.vocab import FACILITY_KINDS  # noqa: E402
from pages._auth import require_action  # noqa: E402
from pages._report_mapping import mapping_form, row_kinds  # noqa: E402
from pages._state import db_url, lang, province, t  # noqa: E402

st.title(t("Dữ liệu", "Data"))
prov = province()
me = require_action("import", prov)


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


def _prepared(slot: str, up: object, upload_kind: str, options: tuple,
              request: Callable[[Path], imp.ImportRequest]) -> imp.Prepared:
    """The upload read and validated once (:func:`geo.services.imports.preview`).

    The prepared import is kept in the session until the upload or its options
    change, so the confirmation click writes what was previewed without reading
    the file again.
    """
    key = f"_prepared_{slot}"
    sig = (up.file_id, prov, me.username, options)
    held = st.session_state.get(key)
    if held is not None and held[0] == sig:
        return held[1]
    st.session_state.pop(key, None)
    prep = imp.preview(request(_save(up, upload_kind)), me, db_url(), progress=_bar())
    st.session_state[key] = (sig, prep)
    return prep


def _already(prep: imp.Prepared) -> None:
    if prep.already_batch is not None:
        st.info(t(f"Tệp này đã được nhập (lần nhập số {prep.already_batch}); lưu lại sẽ không "
                  "thay đổi gì.", f"This file was already imported (batch {prep.already_batch}); "
                  "storing it again changes nothing."))
    elif prep.supersedes:
        ids = ", ".join(str(b) for b in prep.supersedes)
        st.warning(t(f"Tệp này đã được nhập (lần nhập số {ids}) với tùy chọn khác cho kết quả "
                     f"khác: lưu lần này sẽ hoàn tác lần {ids} và thay bằng kết quả mới.",
                     f"This file was imported before (batch {ids}) with other options giving "
                     f"another result: storing it now undoes batch {ids} and replaces it."))


def _stored(slot: str | None, r: imp.ImportResult, vi: str, en: str) -> None:
    """Say what a commit did; forget the prepared upload (the next look previews it anew)."""
    if slot:
        st.session_state.pop(f"_prepared_{slot}", None)
    if r.already_imported:
        st.info(t(f"Tệp này đã được nhập (lần nhập số {r.batch_id}); không thay đổi gì.",
                  f"This file was already imported (batch {r.batch_id}); nothing changed."))
    else:
        st.success(t(vi, en))
        if r.superseded:
            ids = ", ".join(str(b) for b in r.superseded)
            st.info(t(f"Lần nhập này thay thế lần nhập số {ids} của cùng tệp (đã hoàn tác).",
                      f"This import replaces batch {ids} of the same file (undone)."))


tabs = st.tabs([t("Số liệu xã", "Figures"), t("Ranh giới", "Boundaries"),
                t("Vụ việc", "Incidents"), t("Cơ sở", "Facilities"),
                t("Địa bàn trọng điểm", "Hotspots"), t("Lịch sử nhập", "History")])

with tabs[0]:
    up = st.file_uploader(t("Tệp số liệu (CSV, XLSX; cả báo cáo 6 tháng/năm của tỉnh)",
                            "Figures file (CSV, XLSX; the province's report sheets too)"),
                          type=["csv", "xlsx"], key="up_ind")
    if up is not None:
        try:
            mkey = f"_mapping_{up.file_id}"  # a person's reading of this report sheet
            mapping = st.session_state.get(mkey)
            prep = _prepared("ind", up, "table", (json.dumps(mapping, sort_keys=True),),
                             lambda p: imp.IndicatorsRequest(p, province=prov,
                                                             display_name=up.name,
                                                             mapping=mapping))
            if prep.sheet is not None:
                new = mapping_form(prep.sheet, f"map_{up.file_id}")
                if new is not None and new != mapping:
                    st.session_state[mkey] = new
                    st.rerun()
                for n in prep.notes:
                    st.caption("• " + n.message(lang()))
            st.caption(t("Xem trước", "Preview"))
            view = prep.table.df.head(20 if prep.sheet is None else 500)
            view = view.map(lambda v: "" if v is None else str(v))
            if prep.sheet is not None:
                view.insert(0, t("Đọc là", "Read as"), row_kinds(prep.sheet)[:len(view)])
            st.dataframe(view, hide_index=True)
            if not prep.ok:
                raise prep.error()
            st.success(t(f"Tệp hợp lệ: {prep.rows} số liệu.", f"File is valid: {prep.rows} "
                         "figures."))
            _already(prep)
            if st.button(t("Xác nhận và lưu", "Confirm and store"), key="ok_ind"):
                r = imp.commit(prep, me, db_url(), progress=_bar())
                _stored("ind", r, f"Đã lưu (lần nhập số {r.batch_id}).",
                        f"Stored (batch {r.batch_id}).")
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
    enc = st.selectbox(t("Bảng mã chữ của bảng thuộc tính", "Text encoding of the attributes"),
                       ["", *ENCODING_CHOICES], key="bnd_enc",
                       format_func=lambda e: e or t("(tự nhận dạng)", "(detect)"))
    if up is not None:
        try:
            prep = _prepared("bnd", up, "boundaries", (crs, accept, enc),
                             lambda p: imp.BoundariesRequest(
                                 p, prov, crs=crs or None, accept_guess=accept,
                                 skip_unmatched=True, display_name=up.name,
                                 encoding=enc or None))
            rd = prep.read
            st.info(t(f"Hệ tọa độ {rd.source_crs} ({rd.crs_origin}); chuyển mã: "
                      f"{rd.encodings or 'không'}; sửa hình học: {len(rd.repaired)}; chồng lấn: "
                      f"{len(rd.overlaps)}; khe hở: {len(rd.gaps)}.",
                      f"CRS {rd.source_crs} ({rd.crs_origin}); text: {rd.encodings or 'as is'}; "
                      f"repaired: {len(rd.repaired)}; overlaps: {len(rd.overlaps)}; gaps: "
                      f"{len(rd.gaps)}."))
            _already(prep)
            rep = prep.report
            units, current = imp.boundary_choices(prep)
            label = {c: f"{c} {n}" for c, n in units}
            opts = [""] + list(label.values())
            view = rep[["feature", "name", "district", "code", "matched_name", "method",
                        "score"]].copy()
            # Why a feature that matched a name is not that commune (far, outside, area).
            view["position"] = rep["placement_vi" if lang() == "vi" else "placement_en"]
            view["choice"] = [label.get(current[int(f)], "") for f in rep.feature]
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
                chosen = imp.choose(prep, choices)
                if not chosen.ok:
                    raise chosen.error()
                r = imp.commit(chosen, me, db_url(), progress=_bar())
                _stored("bnd", r, f"Đã lưu {r.stored} ranh giới (lần nhập số {r.batch_id}).",
                        f"Stored {r.stored} boundaries (batch {r.batch_id}).")
        except DiabanError as e:
            _problems(e)

with tabs[2]:
    up = st.file_uploader(t("Tệp vụ việc (CSV, XLSX: vi_do/kinh_do hoặc x/y, ngay, loai)",
                            "Incidents (CSV, XLSX: lat/lon or x/y, date, type)"),
                          type=["csv", "xlsx"], key="up_inc")
    if up is not None:
        try:
            prep = _prepared("inc", up, "table", (), lambda p: imp.IncidentsRequest(
                p, prov, skip_invalid=True, display_name=up.name))
            if not prep.ok:
                raise prep.error()
            st.success(t(f"{prep.details['points']} điểm đã ghép vào xã; {len(prep.skipped)} "
                         "dòng lỗi.", f"{prep.details['points']} points joined to communes; "
                         f"{len(prep.skipped)} bad rows."))
            if prep.skipped:
                _problems(DiabanError(t("Các dòng sẽ bị bỏ qua:", "Rows to be skipped:"),
                                      problems=prep.skipped))
            _already(prep)
            counts = prep.frame.drop(columns="edition")
            st.dataframe(counts[counts.value > 0], hide_index=True)
            if st.button(t("Xác nhận và lưu", "Confirm and store"), key="ok_inc"):
                r = imp.commit(prep, me, db_url(), progress=_bar())
                _stored("inc", r, f"Đã lưu (lần nhập số {r.batch_id}).",
                        f"Stored (batch {r.batch_id}).")
        except DiabanError as e:
            _problems(e)

for i, kind in ((3, "facilities"), (4, "hotspots")):
    with tabs[i]:
        if kind == "facilities":
            st.caption(t("Loại: ", "Types: ") + ", ".join(
                f"{k} ({v.label(lang())})" for k, v in FACILITY_KINDS.items()))
            blank = pd.DataFrame(columns=["loai", "ten", "vi_do", "kinh_do", "cong_suat",
                                          "ngay_mo", "ngay_dong"])
        else:
            blank = pd.DataFrame(columns=["ma_xa", "trang_thai", "ngay", "so_quyet_dinh"])
        edited = st.data_editor(blank, num_rows="dynamic", key=f"ed_{kind}", hide_index=True)
        if st.button(t("Kiểm tra và lưu", "Validate and store"), key=f"ok_{kind}"):
            p = Path(tempfile.mkdtemp()) / f"{kind}.csv"
            edited.to_csv(p, index=False)
            try:
                cls = imp.FacilitiesRequest if kind == "facilities" else imp.HotspotsRequest
                r = imp.import_file(cls(p, prov, display_name=t("bảng đã nhập", "edited table"),
                                        action="edit"), me, db_url())
                _stored(None, r, f"Đã lưu {r.stored} dòng (lần nhập số {r.batch_id}).",
                        f"Stored {r.stored} rows (batch {r.batch_id}).")
            except DiabanError as e:
                _problems(e)

with tabs[5]:
    hist = history(HistoryRequest(), me, db_url())
    st.dataframe(hist.batches, hide_index=True)
    if hist.undoable:
        bid = st.selectbox(t("Lần nhập cần hoàn tác", "Batch to undo"), hist.undoable,
                           key="undo_id")
        if st.button(t("Hoàn tác", "Undo"), key="undo_btn"):
            try:
                undo(UndoRequest(int(bid)), me, db_url())
                st.success(t(f"Đã hoàn tác lần nhập số {bid}.", f"Undid batch {bid}."))
            except DiabanError as e:
                _problems(e)
