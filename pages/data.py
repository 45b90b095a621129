"""Dữ liệu — templates; upload → preview → what will change → confirm → stored; the facility
and hotspot editors; the import history, whose undo names what it takes back and asks first."""

from __future__ import annotations

from pages._state import boot

boot()

import json  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from geo.errors import DiabanError  # noqa: E402
from geo.io.boundaries import ENCODING_CHOICES  # noqa: E402
from geo.periods import parse_period, period_of, period_range  # noqa: E402
from geo.security import UPLOAD_TYPES, check_upload_file, safe_filename  # noqa: E402
from geo.services import imports as imp  # noqa: E402
from geo.services.history import (  # noqa: E402
    HistoryRequest,
    UndoRequest,
    history,
    undo,
    undo_preview,
)
from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES  # noqa: E402
from pages._auth import can, require_action  # noqa: E402
from pages._common import cached_units, indicator_label, province_ref  # noqa: E402
from pages._report_mapping import mapping_form, row_kinds  # noqa: E402
from pages._state import bound, db_url, lang, province, t  # noqa: E402
from pages._widgets import number_text, show_table, upload_format  # noqa: E402

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


def _problems(e: DiabanError, columns: dict[str, str] | None = None) -> None:
    """The error and every problem with its file, row and column, the problem in full.

    ``columns`` names the columns of a table typed on the page in the user's language
    (problems name the column keys the table was saved with, and count its header as
    row 1: the table's own row numbers are one less).
    """
    st.error(e.problem.message(lang()))
    if not e.problems:
        return

    def column(c: str | None) -> str:
        if not c or columns is None:
            return c or ""
        return columns.get(str(c).split(" (")[0], c)

    def row(r: int | None) -> int | None:
        return r - 1 if (columns is not None and r) else r

    show_table(pd.DataFrame([{
        t("Tệp", "File"): p.file or "", t("Dòng", "Row"): row(p.row),
        t("Cột", "Column"): column(p.column),
        t("Vấn đề", "Problem"): p.vi if lang() == "vi" else p.en} for p in e.problems]),
        wrap=[t("Vấn đề", "Problem")])


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


def _template_periods() -> list[str]:
    """Half-years and years a template can be made for, 2021 to the current year."""
    last = period_of(date.today(), "Y")
    halves = [p.id for p in period_range("2021-H1", f"{last.year}-H2")]
    return halves + [str(y) for y in range(2021, last.year + 1)]


@st.cache_data(show_spinner=False, max_entries=32)
def _template_bytes(code: str, period: str, language: str) -> tuple[bytes, int, str]:
    """The XLSX template of a province and period (the imports service writes it)."""
    with tempfile.TemporaryDirectory() as d:
        res = imp.write_template(imp.TemplateRequest(province_ref(code), period,
                                                     Path(d) / "mau.xlsx", lang=language))
        return res.file.read_bytes(), res.communes, res.edition


def _template_download() -> None:
    """Pick a period, download the XLSX template listing the province's communes."""
    periods = _template_periods()
    today = period_of(date.today(), "H").id
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    period = c1.selectbox(t("Tải mẫu nhập liệu cho kỳ", "Download the data-entry template "
                            "for the period"), periods, index=periods.index(today)
                          if today in periods else len(periods) - 1,
                          format_func=bound(lambda p, lg: f"{parse_period(p).label(lg)} "
                                            f"({parse_period(p).dates_label(lg)})"),
                          key=f"tpl_period_{lang()}")
    body, n, edition = _template_bytes(prov, period, lang())
    c2.download_button(t("Tải mẫu Excel", "Download the Excel template"), body,
                       f"mau_nhap_lieu_{prov}_{period}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key="tpl_dl", icon=":material/download:")
    st.caption(t(f"Mẫu liệt kê {n} xã, phường {'sau' if edition == '2025' else 'trước'} "
                 "01/7/2025 (mã và tên đã điền sẵn), mỗi chỉ tiêu một cột; điền số rồi tải "
                 "tệp lên dưới đây.",
                 f"The template lists {n} communes {'after' if edition == '2025' else 'before'}"
                 " 1 Jul 2025 (codes and names filled in), one column per indicator; fill in "
                 "the figures, then upload the file below."))


def _change_report(prep: imp.Prepared) -> None:
    """What a previewed figures file will change: old → new per commune and indicator,
    figures beyond the plausible range first and flagged (computed by the service)."""
    ch = prep.changes
    if ch is None or ch.empty:
        return
    n_new, n_chg = int((ch.status == "new").sum()), int((ch.status == "changed").sum())
    n_same, n_flag = int((ch.status == "same").sum()), int(ch.flag.sum())
    st.markdown("##### " + t("Những gì sẽ thay đổi", "What will change"))
    st.write(t(f"{len(ch)} số liệu: {n_chg} thay số đã lưu, {n_new} mới, {n_same} giữ nguyên.",
               f"{len(ch)} figures: {n_chg} replace stored ones, {n_new} new, {n_same} "
               "unchanged."))
    if n_flag:
        st.warning(t(f"⚠ {n_flag} số liệu vượt ngoài khoảng hợp lý (gấp hơn 2 lần hoặc còn dưới "
                     "một nửa so với số đã lưu hoặc kỳ trước): hãy kiểm tra trước khi lưu.",
                     f"⚠ {n_flag} figures are beyond the plausible range (more than twice or "
                     "under half the stored or previous figure): check them before storing."))
    digits = 1 if (ch.new % 1).any() or (ch.old % 1).any() else 0
    notes = []
    for r in ch.itertuples():
        if r.status == "same":
            note = t("giữ nguyên", "unchanged")
        elif r.status == "changed":
            note = t("thay số đã lưu", "replaces the stored figure")
        elif r.ref_value == r.ref_value:
            note = t(f"mới; kỳ trước {number_text([r.ref_value], digits)[0]} "
                     f"({parse_period(r.ref_period).label('vi')})",
                     f"new; previous period {number_text([r.ref_value], digits)[0]} "
                     f"({parse_period(r.ref_period).label('en')})")
        else:
            note = t("mới", "new")
        if r.flag:
            note = "⚠ " + getattr(r, f"reason_{lang()}") + " — " + note
        notes.append(note)
    view = pd.DataFrame({
        t("Xã", "Commune"): [f"{n} ({c})" if n else c for n, c in zip(ch["name"],
                                                                      ch.unit_code)],
        t("Kỳ", "Period"): [parse_period(p).label(lang()) for p in ch.period],
        t("Chỉ tiêu", "Indicator"): [indicator_label(i) for i in ch.indicator],
        t("Đã lưu → mới", "Stored → new"): [
            f"{o or '—'} → {n}" for o, n in zip(number_text(ch.old, digits),
                                                number_text(ch.new, digits))],
        t("Ghi chú", "Note"): notes,
    })
    show_table(view, max_rows=10, key="changes_tbl",
               wrap=[t("Ghi chú", "Note")])


tabs = st.tabs([t("Số liệu xã", "Figures"), t("Ranh giới", "Boundaries"),
                t("Vụ việc", "Incidents"), t("Cơ sở", "Facilities"),
                t("Địa bàn trọng điểm", "Hotspots"), t("Lịch sử nhập", "History")])

with tabs[0]:
    _template_download()
    up = st.file_uploader(t("Tệp số liệu (CSV, XLSX; cả báo cáo 6 tháng/năm của tỉnh)",
                            "Figures file (CSV, XLSX; the province's report sheets too)"),
                          type=["csv", "xlsx"], key="up_ind")
    upload_format("indicators", ["csv", "xlsx"])
    if up is not None:
        try:
            mkey = f"_mapping_{up.file_id}"  # a person's reading of this report sheet
            mapping = st.session_state.get(mkey)
            prep = _prepared("ind", up, "table", (json.dumps(mapping, sort_keys=True),),
                             lambda p: imp.IndicatorsRequest(p, province=prov,
                                                             display_name=up.name,
                                                             mapping=mapping, lang=lang()))
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
            st.dataframe(view, hide_index=True, placeholder="")
            if not prep.ok:
                raise prep.error()
            st.success(t(f"Tệp hợp lệ: {prep.rows} số liệu.", f"File is valid: {prep.rows} "
                         "figures."))
            _already(prep)
            _change_report(prep)
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
    upload_format("boundaries", ["zip", "gpkg", "geojson", "json", "kml"])
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
                                 encoding=enc or None, lang=lang()))
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
    up = st.file_uploader(t("Tệp vụ việc (CSV, XLSX)", "Incidents file (CSV, XLSX)"),
                          type=["csv", "xlsx"], key="up_inc")
    upload_format("incidents", ["csv", "xlsx"])
    if up is not None:
        try:
            prep = _prepared("inc", up, "table", (), lambda p: imp.IncidentsRequest(
                p, prov, skip_invalid=True, display_name=up.name, lang=lang()))
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

def _commune_choices() -> dict[str, str]:
    """Commune code → label for the hotspot editor, as the hotspot import reads a code: a
    code of the communes before 1 July 2025 is one of them, other codes are 2025 ones."""
    legacy = cached_units(prov, "legacy")
    new = cached_units(prov, "2025")
    out = {c: f"{n} — {d} ({t('trước 01/7/2025', 'before 1 Jul 2025')})" if isinstance(d, str)
           else f"{n} ({t('trước 01/7/2025', 'before 1 Jul 2025')})"
           for c, n, d in zip(legacy.code, legacy.name, legacy.district_name)}
    out |= {c: f"{n} ({t('sau 01/7/2025', 'after 1 Jul 2025')})"
            for c, n in zip(new.code, new.name) if c not in out}
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def _editor(kind: str) -> None:
    """A table typed on the page: Vietnamese (or English) headers, lists for every code,
    dates as dates; saved through the same checks as a file.

    No column is marked required: Streamlit keeps a new row whose required cell is empty
    out of the table it returns, so the row would vanish without a word; the checks
    name every missing cell instead.
    """
    if kind == "facilities":
        st.caption(t("Mỗi dòng một cơ sở. Chọn loại trong danh sách; vĩ độ, kinh độ theo độ "
                     "thập phân (vd. 21,3269 và 103,9144); cơ sở phải nằm trong tỉnh.",
                     "One facility per row. Pick the kind from the list; latitude and "
                     "longitude in decimal degrees (e.g. 21.3269 and 103.9144); the facility "
                     "must lie in the province."))
        cols = {
            "loai": st.column_config.SelectboxColumn(
                t("Loại cơ sở", "Kind"), options=list(FACILITY_KINDS),
                format_func=bound(FACILITY_KINDS.label), width=160),
            "ten": st.column_config.TextColumn(t("Tên cơ sở", "Name"),
                                               width=160),
            "vi_do": st.column_config.TextColumn(t("Vĩ độ", "Latitude"),
                                                 width=80),
            "kinh_do": st.column_config.TextColumn(t("Kinh độ", "Longitude"),
                                                   width=85),
            "cong_suat": st.column_config.NumberColumn(
                t("Công suất", "Capacity"), min_value=0, step=1, format="%d", width=90,
                help=t("Số người", "People")),
            "don_vi": st.column_config.TextColumn(t("Đơn vị quản lý", "Operator"),
                                                  width=110),
            "ngay_mo": st.column_config.DateColumn(t("Ngày mở", "Opened"),
                                                   format="DD/MM/YYYY", width=90),
            "ngay_dong": st.column_config.DateColumn(t("Ngày đóng", "Closed"),
                                                     format="DD/MM/YYYY", width=90),
        }
        dtypes = {"cong_suat": "float64", "ngay_mo": "datetime64[ns]",
                  "ngay_dong": "datetime64[ns]"}
    else:
        st.caption(t("Mỗi dòng một mốc trạng thái của một xã (xác định, đang chuyển hóa, đã "
                     "chuyển hóa…), theo thứ tự ngày. Chọn xã và trạng thái trong danh sách.",
                     "One row per status event of a commune (designated, in transformation, "
                     "transformed…), in date order. Pick the commune and status from the "
                     "lists."))
        communes = _commune_choices()
        cols = {
            "ma_xa": st.column_config.SelectboxColumn(
                t("Xã", "Commune"), options=list(communes),
                format_func=communes.get, width="large"),
            "trang_thai": st.column_config.SelectboxColumn(
                t("Trạng thái", "Status"), options=list(HOTSPOT_STATUSES),
                format_func=bound(HOTSPOT_STATUSES.label), width="medium"),
            "ngay": st.column_config.DateColumn(t("Ngày", "Date"), format="DD/MM/YYYY"),
            "so_quyet_dinh": st.column_config.TextColumn(t("Số quyết định", "Decision no.")),
            "ghi_chu": st.column_config.TextColumn(t("Ghi chú", "Note"), width="large"),
        }
        dtypes = {"ngay": "datetime64[ns]"}
    blank = pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in cols})
    version = st.session_state.get(f"_ed_version_{kind}", 0)
    edited = st.data_editor(blank, num_rows="dynamic", hide_index=True, width="stretch",
                            column_config=cols, placeholder="",
                            key=f"ed_{kind}_{version}_{lang()}")
    if flash := st.session_state.pop(f"_ed_flash_{kind}", None):
        st.success(flash)
    if st.button(t("Kiểm tra và lưu", "Validate and store"), key=f"ok_{kind}"):
        rows = edited.dropna(how="all")
        if rows.empty:
            st.warning(t("Bảng chưa có dòng nào: thêm dòng (bấm vào dòng trống cuối bảng), "
                         "điền rồi bấm lưu.", "The table has no rows yet: add a row (click the "
                         "empty row at the end), fill it in, then store."))
            return
        p = Path(tempfile.mkdtemp()) / f"{kind}.csv"
        rows.to_csv(p, index=False)
        labels = {c: cfg["label"] for c, cfg in cols.items()}
        try:
            cls = imp.FacilitiesRequest if kind == "facilities" else imp.HotspotsRequest
            r = imp.import_file(cls(p, prov, display_name=t("bảng đã nhập", "edited table"),
                                    action="edit", lang=lang()), me, db_url())
        except DiabanError as e:
            _problems(e, labels)
        else:
            st.session_state[f"_ed_flash_{kind}"] = t(
                f"Đã lưu {r.stored} dòng (lần nhập số {r.batch_id}).",
                f"Stored {r.stored} rows (batch {r.batch_id}).")
            st.session_state[f"_ed_version_{kind}"] = version + 1  # an empty table again
            st.rerun()


with tabs[3]:
    _editor("facilities")
with tabs[4]:
    _editor("hotspots")

_ASK = "_undo_ask"
_FLASH = "_undo_flash"

with tabs[5]:
    if flash := st.session_state.pop(_FLASH, None):
        st.success(flash)  # said after the rerun that re-reads the list below
    hist = history(HistoryRequest(data_only=True), me, db_url())  # QĐ 28 changes: their page
    names = {"id": t("Số", "No."), "kind": t("Loại dữ liệu", "Kind of data"),
             "file": t("Tệp", "File"), "user": t("Người nhập", "Imported by"),
             "created_at": t("Thời gian (UTC)", "Time (UTC)"), "rows": t("Số dòng", "Rows"),
             "status": t("Tình trạng", "Status"),
             "undone_at": t("Hoàn tác lúc (UTC)", "Undone at (UTC)")}
    show_table(hist.labelled(lang()).rename(columns=names), right=[names["rows"]],
               max_rows=10)
    if hist.base:
        st.info(t(f"Lần nhập số {', '.join(map(str, hist.base))} là dữ liệu minh họa nạp ban "
                  "đầu: không hoàn tác ở đây (cả tỉnh minh họa sẽ trống). Muốn dựng lại dữ liệu "
                  "minh họa, quản trị chạy lệnh diaban demo --reset (lệnh nói rõ những gì bị "
                  "thay và hỏi trước).",
                  f"Batch {', '.join(map(str, hist.base))} is the demo's base load: it is not "
                  "undone here (the whole demo province would be empty). To rebuild the demo, "
                  "an administrator runs diaban demo --reset (it says what it replaces and "
                  "asks first)."))
    ask = st.session_state.get(_ASK)
    if ask is not None and ask not in hist.undoable:
        st.session_state.pop(_ASK, None)  # undone meanwhile (another tab, the CLI)
        ask = None
    if not hist.undoable:
        st.caption(t("Không có lần nhập nào bạn có thể hoàn tác.",
                     "There is no import you can undo."))
    elif ask is None:
        bid = st.selectbox(t("Lần nhập cần hoàn tác", "Batch to undo"), hist.undoable,
                           format_func=bound(hist.choice_label), key=f"undo_id_{lang()}")
        if st.button(t("Hoàn tác lần nhập này…", "Undo this batch…"), key="undo_btn",
                     disabled=not can("undo", prov)):
            st.session_state[_ASK] = int(bid)
            st.rerun()
    else:
        try:
            pv = undo_preview(UndoRequest(ask), me, db_url())
        except DiabanError as e:
            st.session_state.pop(_ASK, None)
            _problems(e)
        else:
            with st.container(border=True):
                st.warning(pv.message(lang()))
                c1, c2, _ = st.columns([1, 1, 2])
                if c1.button(t("Xác nhận hoàn tác", "Confirm the undo"), type="primary",
                             key="undo_ok"):
                    st.session_state.pop(_ASK, None)
                    try:
                        undo(UndoRequest(ask), me, db_url())
                    except DiabanError as e:
                        _problems(e)
                    else:
                        st.session_state[_FLASH] = t(f"Đã hoàn tác lần nhập số {ask}.",
                                                     f"Undid batch {ask}.")
                        st.rerun()
                if c2.button(t("Không hoàn tác", "Keep it"), key="undo_cancel"):
                    st.session_state.pop(_ASK, None)
                    st.rerun()
