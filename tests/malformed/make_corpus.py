"""Generate malformed inputs for the import paths (written at test time into a folder).

Each case is ``(name, kind, path, expect)``: ``kind`` says which import reads it
(``indicators``, ``boundaries``, ``incidents``, ``facilities``, ``hotspots``,
``population``) and ``expect`` is a fragment the Vietnamese message must contain.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

Case = tuple[str, str, Path, str]


def _son_la_squares(crs: int = 4326) -> gpd.GeoDataFrame:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    geoms = [shapely.box(x - .01, y - .01, x + .01, y + .01) for x, y in zip(u.lon, u.lat)]
    return gpd.GeoDataFrame({"ma_xa": u.code.to_numpy(), "ten_xa": u.name.to_numpy()},
                            geometry=geoms, crs=4326).to_crs(crs)


def _shp(folder: Path, stem: str, crs: int = 9206) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / f"{stem}.shp"
    pyogrio.write_dataframe(_son_la_squares(crs), p)
    return p


def make_corpus(d: Path) -> list[Case]:
    """Write every malformed input under ``d`` and return the cases."""
    d.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def text(name: str, kind: str, content: str | bytes, expect: str) -> None:
        p = d / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        cases.append((name, kind, p, expect))

    long_head = "ma_xa;ky;chi_tieu;gia_tri\n"
    # --- commune figures (CSV/XLSX)
    text("rong.csv", "indicators", b"", "rỗng")
    text("chi_tieu_dau.csv", "indicators", long_head, "không có số liệu")
    text("bom_cham_phay_am.csv", "indicators",
         "\ufeff" + long_head + "03646;2023-H1;registered_addicts;-5\n", "âm")
    text("nghin_cham_qua_lon.csv", "indicators",
         long_head + "03646;2023-H1;registered_addicts;1.234.567.890.123\n", "quá lớn")
    text("trung_xa.csv", "indicators", long_head + "03646;2023-H1;registered_addicts;3\n"
         "03646;2023-H1;registered_addicts;4\n", "trùng lặp")
    text("chi_tieu_la.csv", "indicators", long_head + "03646;2023-H1;so_con_meo;3\n",
         "không có trong danh mục")
    text("dieu_tri_vuot.csv", "indicators", long_head + "03646;2023-H1;registered_addicts;3\n"
         "03646;2023-H1;voluntary_treatment;9\n", "mâu thuẫn")
    text("ky_sai.csv", "indicators", long_head + "03646;2023-H7;registered_addicts;3\n", "dòng 2")
    text("ky_tuong_lai.csv", "indicators", long_head + "03646;2099-H1;registered_addicts;3\n",
         "tương lai")
    text("khong_phai_so.csv", "indicators", long_head + "03646;2023-H1;registered_addicts;ba\n",
         "không phải là số")
    text("xa_khong_co.csv", "indicators", long_head + "99999;2023-H1;registered_addicts;3\n",
         "99999")
    text("ngay_dang_chu.csv", "indicators", long_head + "03646;ngày 5 tháng 3;"
         "registered_addicts;3\n", "dòng 2")
    text("vni_sai_ma.csv", "indicators", b"xa,ky,chi_tieu,gia_tri\n"
         + "Xaõ Khoâng Coù,2023-H1,registered_addicts,3\n".encode("cp1252"), "không tìm thấy xã")
    text("thieu_cot.csv", "indicators", "foo;bar\n1;2\n", "cột")
    text("shp_doi_ten.csv", "indicators", b"\x00\x00\x27\x0a" + b"\x00" * 200, "")
    text("xls_cu.xls", "indicators", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls")
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Mã", "Số liệu", None])
    ws.merge_cells("B1:C1")
    ws.append(["ma_xa", "ky", "chi_tieu"])
    ws.append(["03646", "2023-H1", "registered_addicts"])
    wb.save(d / "gop_o_tieu_de.xlsx")
    cases.append(("gop_o_tieu_de.xlsx", "indicators", d / "gop_o_tieu_de.xlsx", "cột"))
    wb = Workbook()
    ws = wb.active
    ws.append(["ma_xa", "ky", "chi_tieu", "gia_tri"])
    ws.append(["03646", "2023-H1", "registered_addicts", "=A1*2"])
    wb.save(d / "cong_thuc.xlsx")
    cases.append(("cong_thuc.xlsx", "indicators", d / "cong_thuc.xlsx", "cong_thuc.xlsx"))
    # --- boundaries
    shp = _shp(d / "cut", "cat_cut")
    shp.write_bytes(shp.read_bytes()[:60])
    cases.append(("cat_cut.shp", "boundaries", shp, "cắt cụt"))
    shp = _shp(d / "noshx", "thieu_shx")
    shp.with_suffix(".shx").unlink()
    cases.append(("thieu_shx.shp", "boundaries", shp, ".shx"))
    shp = _shp(d / "nodbf", "thieu_dbf")
    shp.with_suffix(".dbf").unlink()
    cases.append(("thieu_dbf.shp", "boundaries", shp, ".dbf"))
    shp = _shp(d / "noprj", "thieu_prj")
    shp.with_suffix(".prj").unlink()
    cases.append(("thieu_prj.shp", "boundaries", shp, "--accept-guess"))
    text("rong.shp", "boundaries", b"", "cắt cụt")
    text("khong_phai_json.geojson", "boundaries", "{type: FeatureCollection,,,", "JSON")
    text("rong.geojson", "boundaries", b"", "rỗng")
    text("kml_rong.kml", "boundaries", '<?xml version="1.0"?><kml xmlns="http://www.opengis'
         '.net/kml/2.2"><Document><name>x</name></Document></kml>', "không có đối tượng")
    text("khong_phai_gpkg.gpkg", "boundaries", "hello", "GeoPackage")
    text("doan_van.txt", "boundaries", "hello", "không phải tệp ranh giới")
    text("zip_hong.zip", "boundaries", b"PK\x03\x04garbage", "zip")
    z = d / "zip_slip.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../../tmp/evil.shp", b"x")
    cases.append(("zip_slip.zip", "boundaries", z, "nguy hiểm"))
    z = d / "zip_rong.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("doc_toi.txt", "x")
    cases.append(("zip_rong.zip", "boundaries", z, "không chứa lớp ranh giới"))
    pts = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(104, 21.3)], crs=4326)
    pts.to_file(d / "diem.geojson")
    cases.append(("diem.geojson", "boundaries", d / "diem.geojson", "không chứa vùng"))
    far = _son_la_squares()
    far["geometry"] = far.geometry.translate(2.5, -10)
    far.to_file(d / "tinh_khac.geojson")
    cases.append(("tinh_khac.geojson", "boundaries", d / "tinh_khac.geojson", "nằm ngoài"))
    noname = _son_la_squares()[["geometry"]].assign(foo=1)
    noname.to_file(d / "khong_ten.geojson")
    cases.append(("khong_ten.geojson", "boundaries", d / "khong_ten.geojson", "tên xã"))
    # --- incidents
    text("vu_viec_ngoai_tinh.csv", "incidents", "lat,lon,ngay,loai\n10.77,106.70,2023-01-02,a\n"
         "10.78,106.71,2023-02-02,a\n", "nằm ngoài")
    text("vu_viec_khong_toa_do.csv", "incidents", "lat,lon,ngay,loai\n,,2023-01-02,a\n",
         "thiếu tọa độ")
    text("vu_viec_thieu_cot.csv", "incidents", "ten,loai\nx,a\n", "Thiếu cột")
    # --- facilities / hotspots
    text("co_so_loai_sai.csv", "facilities", "loai,ten,lat,lon\nbenh vien,X,21.3,103.9\n",
         "không hợp lệ")
    text("co_so_ngoai_tinh.csv", "facilities", "loai,ten,lat,lon\nmethadone,X,10.7,106.7\n",
         "nằm ngoài")
    text("co_so_ngay_nguoc.csv", "facilities", "loai,ten,lat,lon,ngay_mo,ngay_dong\n"
         "methadone,X,21.3,103.9,2022-05-01,2021-01-01\n", "ngày đóng trước")
    text("trong_diem_ngay_nguoc.csv", "hotspots", "ma_xa,trang_thai,ngay\n"
         "04024,designated,2022-01-01\n04024,transformed,2021-01-01\n", "sớm hơn")
    text("trong_diem_xa_la.csv", "hotspots", "ma_xa,trang_thai,ngay\n00001,designated,"
         "2022-01-01\n", "không thuộc tỉnh")
    # --- population raster
    text("dan_so_hong.tif", "population", b"II*\x00garbage", "GeoTIFF")
    return cases
