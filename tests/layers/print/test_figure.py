"""Static map figures: page size, fonts and text, suppression, legend, inset, layout."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image
from shapely.geometry import box

from geo.errors import ValidationError
from layers.basemap import vietnam_islands, vietnam_layers, vietnam_outline
from layers.print import (
    MapFigureSpec,
    classify_figure,
    format_value,
    inset_geometries,
    render_map,
    render_small_multiples,
)
from layers.print.labels import Label as _Label
from layers.print.labels import place_labels as _place_labels

NAMES = ["Chiềng Khừa", "Lóng Sập", "Lóng Luông", "Tân Xuân", "Mường Sại", "Chiềng Ơn",
         "Nậm Giôn", "Huổi Một", "Phiêng Khoài", "Xuân Nha", "Quỳnh Nhai", "Đứa Mòn"]
TITLE = "Số người nghiện ma túy có hồ sơ quản lý"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext") or not shutil.which("pdffonts"),
                                   reason="poppler-utils not installed")


def _units(values: list[float] | None = None) -> gpd.GeoDataFrame:
    """A 4 × 3 grid of 6 km communes near Mộc Châu (WGS84)."""
    cells = [box(104.5 + 0.06 * c, 20.8 + 0.055 * r, 104.56 + 0.06 * c, 20.855 + 0.055 * r)
             for r in range(3) for c in range(4)]
    if values is None:
        values = [12, 3, 25, 40, np.nan, 7, 18, 1, 33, 9, 21, np.nan]
    return gpd.GeoDataFrame({"code": [f"{i:05d}" for i in range(12)], "name": NAMES,
                             "value": values}, geometry=cells, crs="EPSG:4326")


def _spec(units: gpd.GeoDataFrame | None = None, **kw: object) -> MapFigureSpec:
    units = _units() if units is None else units
    args = dict(units=units, title=TITLE, subtitle="6 tháng đầu năm 2024 · tỉnh Sơn La",
                legend_title="Số người (người)", projected_crs="EPSG:9206",
                source="Công an tỉnh Sơn La (dữ liệu thử)", export_date=date(2026, 11, 23),
                approximate=True, province="tỉnh Sơn La", dpi=72)
    if "hotspots" not in kw:
        hot = units[units.name.isin(["Chiềng Khừa", "Lóng Sập"])][["code", "name", "geometry"]]
        args["hotspots"] = hot.assign(status=["transformed", "in_transformation"])
    if "facilities" not in kw:
        args["facilities"] = gpd.GeoDataFrame(
            {"kind": ["treatment_facility", "methadone", "counselling", "club"]},
            geometry=list(units.geometry.representative_point().iloc[[5, 6, 9, 10]]),
            crs="EPSG:4326")
    args.update(kw)
    return MapFigureSpec(**args)


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


# ------------------------------------------------------------------ page


@pytest.mark.parametrize(("size", "orientation", "dpi", "px"), [
    ("A4", "portrait", 300, (2480, 3508)),
    ("A4", "landscape", 150, (1754, 1240)),
    ("A3", "portrait", 72, (842, 1191)),
    ("A3", "landscape", 96, (1587, 1123)),
])
def test_png_is_paper_size_times_dpi(tmp_path: Path, size: str, orientation: str, dpi: int,
                                     px: tuple[int, int]) -> None:
    out = render_map(_spec(size=size, orientation=orientation, dpi=dpi), tmp_path / "m.png")
    with Image.open(out) as im:
        assert im.size == px
        w_mm, h_mm = (210, 297) if size == "A4" else (297, 420)
        if orientation == "landscape":
            w_mm, h_mm = h_mm, w_mm
        assert im.size == (round(w_mm / 25.4 * dpi), round(h_mm / 25.4 * dpi))


@needs_poppler
def test_pdf_embeds_fonts_and_keeps_vietnamese_text(tmp_path: Path) -> None:
    out = render_map(_spec(), tmp_path / "m.pdf")
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts, "the PDF has no fonts: text was drawn as paths"
    for line in fonts:
        assert "DejaVuSans" in line
        emb = line.split()[-5]
        assert emb == "yes", line
    text = _pdftotext(out)
    for s in [TITLE, "Chiềng Khừa", "Lóng Sập", "Đã chuyển hóa", "Đang chuyển hóa",
              "Nguồn: Công an tỉnh Sơn La (dữ liệu thử)", "Ngày xuất: 23/11/2026",
              "Ranh giới xã mang tính minh họa, gần đúng — không dùng cho mục đích pháp lý",
              "QĐ. Hoàng Sa", "QĐ. Trường Sa", "Cơ sở điều trị Methadone"]:
        assert s in text, s
    # vector, not a picture of the page
    assert b"/Subtype /Image" not in out.read_bytes()


@needs_poppler
def test_english_fixed_labels(tmp_path: Path) -> None:
    text = _pdftotext(render_map(_spec(lang="en"), tmp_path / "m.pdf"))
    for s in ["Source:", "Exported: 23/11/2026", "No data", "Transformed", "Scale 1:",
              "Hoang Sa", "Truong Sa", "Commune boundaries are approximate"]:
        assert s in text, s
    assert "Chiềng Khừa" in text  # data names stay as written


def test_svg_keeps_text_as_text(tmp_path: Path) -> None:
    out = render_map(_spec(), tmp_path / "m.svg")
    root = ET.parse(out).getroot()
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    joined = "\n".join(texts)
    assert TITLE in joined
    assert "Chiềng Khừa" in joined and "Lóng Sập" in joined
    assert not list(root.iter("{http://www.w3.org/2000/svg}image"))


def test_format_from_argument_and_bad_suffix(tmp_path: Path) -> None:
    out = render_map(_spec(), tmp_path / "m.bin", fmt="svg")
    assert out.read_bytes().lstrip().startswith(b"<?xml")
    with pytest.raises(ValidationError):
        render_map(_spec(), tmp_path / "m.jpg")


@pytest.mark.parametrize("bad", [dict(scheme="jenks"), dict(size="Letter"),
                                 dict(orientation="square"), dict(k=0),
                                 dict(suppress_below=0)])
def test_bad_spec_is_a_validation_error(tmp_path: Path, bad: dict) -> None:
    with pytest.raises(ValidationError):
        render_map(_spec(**bad), tmp_path / "m.png")


def test_units_without_value_column_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        render_map(_spec(_units().drop(columns="value")), tmp_path / "m.png")
    assert "value" in err.value.en


# ----------------------------------------------------------- suppression


def test_classes_ignore_suppressed_values() -> None:
    v = np.array([1, 2, 4, 10, 20, 30, 40, 50, np.nan])
    c = classify_figure(v, "equal_interval", 4, suppress_below=5)
    assert c.suppressed == 3 and c.no_data == 1
    assert c.labels[0].startswith("10")
    assert c.bins == classify_figure(v[3:], "equal_interval", 4).bins
    colors = c.colors_of(v)
    assert len(set(colors[:3])) == 1 and colors[0] == c.suppressed_color
    assert colors[0] not in c.colors


def test_suppressed_values_do_not_change_the_figure(tmp_path: Path) -> None:
    """Nothing on the page depends on a value below the threshold."""
    a = _units([12, 3, 25, 40, np.nan, 7, 18, 1, 33, 9, 21, np.nan])
    b = _units([12, 4, 25, 40, np.nan, 7, 18, 0, 33, 9, 21, np.nan])
    out_a = render_map(_spec(a, suppress_below=5), tmp_path / "a.svg")
    out_b = render_map(_spec(b, suppress_below=5), tmp_path / "b.svg")
    assert out_a.read_bytes() == out_b.read_bytes()


@needs_poppler
def test_suppressed_value_is_printed_as_threshold(tmp_path: Path) -> None:
    # Lóng Sập (a hotspot) has 3: its label must say "< 5", never 3
    text = _pdftotext(render_map(_spec(suppress_below=5), tmp_path / "m.pdf"))
    assert "Đang chuyển hóa · < 5" in text
    assert "Đang chuyển hóa · 3" not in text
    assert "< 5 (2)" in " ".join(text.split())
    # without suppression the value shows
    text = _pdftotext(render_map(_spec(), tmp_path / "n.pdf"))
    assert "Đang chuyển hóa · 3" in text


def test_format_value() -> None:
    assert format_value(4, 5) == "< 5"
    assert format_value(5, 5) == "5"
    assert format_value(1234.5, None, "vi", 1) == "1.234,5"
    assert format_value(np.nan, 5) == "—"


# ------------------------------------------------------------------ legend


@needs_poppler
def test_no_data_class_is_in_the_legend(tmp_path: Path) -> None:
    text = " ".join(_pdftotext(render_map(_spec(), tmp_path / "m.pdf")).split())
    assert "Không có số liệu (2)" in text
    text = " ".join(_pdftotext(render_map(_spec(lang="en"), tmp_path / "e.pdf")).split())
    assert "No data (2)" in text


def test_whole_number_classes_do_not_overlap() -> None:
    c = classify_figure(np.arange(1, 101, dtype=float), "quantiles", 4)
    assert c.labels == ["1 – 25", "26 – 50", "51 – 75", "76 – 100"]
    assert c.counts == [25, 25, 25, 25]


def test_rates_get_enough_decimals_to_tell_classes_apart() -> None:
    c = classify_figure(np.linspace(0.013, 0.9, 12), "natural_breaks", 5)
    assert c.labels[0].startswith("0,01 – ")
    assert len(set(c.labels)) == len(c.labels)
    assert classify_figure(np.linspace(0.013, 0.9, 12), "quantiles", 3, digits=1
                           ).labels[0].startswith("0,0 – ")


def test_natural_breaks_on_many_values_is_deterministic() -> None:
    v = np.random.default_rng(0).gamma(2, 10, 5000).round()
    a = classify_figure(v, "natural_breaks", 5)
    b = classify_figure(v, "natural_breaks", 5)
    assert a.bins == b.bins and sum(a.counts) == 5000 and a.bins[-1] == v.max()


# ------------------------------------------------------------------- inset


def test_inset_shows_both_archipelagos_as_vietnamese() -> None:
    g = inset_geometries(_spec())
    frame = g[g.role == "frame"].geometry.iloc[0]
    arch = g[g.role == "archipelago"]
    assert sorted(arch.key) == ["hoang_sa", "truong_sa"]
    assert (arch.territory == "VNM").all()
    assert all(frame.contains(a) for a in arch.geometry)
    labels = g[g.role == "archipelago_label"]
    assert set(labels.label_vi) == {"QĐ. Hoàng Sa (Việt Nam)", "QĐ. Trường Sa (Việt Nam)"}
    assert set(labels.label_en) == {"Hoang Sa Archipelago (Viet Nam)",
                                    "Truong Sa Archipelago (Viet Nam)"}
    prov = g[g.role == "province"].geometry.iloc[0]
    main = g[g.role == "mainland"].geometry.iloc[0]
    assert prov.intersects(main) and frame.contains(prov)
    # no other territory is drawn on the archipelagos
    others = g[g.role == "neighbour"]
    assert not any(o.intersects(a) for o in others.geometry for a in arch.geometry)


def test_natural_earth_vietnam_lacks_archipelagos_so_they_are_drawn() -> None:
    vn = vietnam_outline()
    assert vn.iso_a3.tolist() == ["VNM"]
    isl = vietnam_islands()
    assert not vn.geometry.iloc[0].intersects(shapely.union_all(isl.geometry.values))
    layers = vietnam_layers("EPSG:3405")
    assert {"hoang_sa", "truong_sa"} <= set(layers[layers.role == "archipelago"].key)
    pts = isl.set_index("key").geometry
    assert pts["hoang_sa"].y == pytest.approx(16.5) and pts["truong_sa"].x == pytest.approx(111.92)


@needs_poppler
def test_whole_country_map_shows_archipelagos(tmp_path: Path) -> None:
    vn = vietnam_outline()
    units = gpd.GeoDataFrame({"code": ["VN"], "name": ["Việt Nam"], "value": [1.0]},
                             geometry=list(vn.geometry), crs=vn.crs)
    spec = _spec(units, hotspots=None, facilities=None, projected_crs="EPSG:3405")
    out = render_map(spec, tmp_path / "vn.pdf")
    text = " ".join(_pdftotext(out).split())
    assert "QĐ. Hoàng Sa (Việt Nam)" in text and "QĐ. Trường Sa (Việt Nam)" in text


# ------------------------------------------------------------------ labels


@pytest.mark.parametrize("seed", range(5))
def test_labels_never_overlap_and_stay_in_frame(seed: int) -> None:
    rng = np.random.default_rng(seed)
    anchors = [(float(x), float(y)) for x, y in rng.uniform(35, 65, size=(16, 2))]
    labels = [_Label(a, [("Chiềng Khừa", 7.5, "bold")], "#000", w=18, h=7) for a in anchors]
    areas = [shapely.Point(a).buffer(0.8) for a in anchors]
    obstacle = box(0, 0, 20, 20)
    _place_labels(labels, 1.0, (0, 0, 100, 100), [obstacle], areas)
    rects = [box(lb.pos[0] - lb.w / 2, lb.pos[1] - lb.h / 2, lb.pos[0] + lb.w / 2,
                 lb.pos[1] + lb.h / 2) for lb in labels]
    for i, r in enumerate(rects):
        assert box(0, 0, 100, 100).contains(r)
        assert not r.intersects(obstacle)
        assert not any(r.intersects(o) for o in rects[i + 1:])
        if labels[i].leader is not None:
            assert labels[i].leader.coords[0] == pytest.approx(anchors[i])


# ---------------------------------------------------------- small multiples


@needs_poppler
def test_small_multiples_share_one_legend(tmp_path: Path) -> None:
    periods = {p: _units([v * (1 + i) for v in [12, 3, 25, 40, np.nan, 7, 18, 1, 33, 9, 21, 5]])
               for i, p in enumerate(["2024-H1", "2024-H2", "2025-H1"])}
    out = render_small_multiples(periods, _spec(suppress_below=5), tmp_path / "sm.pdf")
    text = " ".join(_pdftotext(out).split())
    for s in ["6 tháng đầu năm 2024", "6 tháng cuối năm 2024", "6 tháng đầu năm 2025"]:
        assert s in text
    assert text.count("Số người (người)") == 1
    assert "Không có số liệu (3)" in text
    png = render_small_multiples(periods, _spec(dpi=50), tmp_path / "sm.png")
    with Image.open(png) as im:
        assert im.size == (round(210 / 25.4 * 50), round(297 / 25.4 * 50))


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def son_la(shared_data: Path) -> gpd.GeoDataFrame:
    g = gpd.read_file(shared_data / "son_la_communes_2009.gpkg", layer="communes")
    rng = np.random.default_rng(7)
    values = rng.poisson(12, len(g)).astype(float)
    values[::17] = np.nan
    return gpd.GeoDataFrame(
        {"code": g.census_id.astype(str),
         "name": g.commune.str.replace(r"^(Xã|Phường|Thị trấn) ", "", regex=True),
         "district": g.district, "value": values}, geometry=g.geometry, crs=g.crs)


@needs_poppler
def test_son_la_map_with_204_communes(tmp_path: Path, son_la: gpd.GeoDataFrame) -> None:
    assert len(son_la) == 204
    hot = son_la[son_la.name.isin(["Chiềng Khừa", "Lóng Sập", "Lóng Luông", "Tân Xuân"])]
    hot = hot.assign(status=["transformed", "in_transformation", "in_transformation",
                             "designated"])
    spec = _spec(son_la, hotspots=hot, facilities=None, group_column="district",
                 suppress_below=5)
    text = _pdftotext(render_map(spec, tmp_path / "sl.pdf"))
    for s in ["Chiềng Khừa", "Lóng Sập", "Lóng Luông", "Tân Xuân", "Ranh giới huyện",
              "VN-2000 / TM-3 104-00 (EPSG:9206)"]:
        assert s in text, s
    out = render_map(replace(spec, dpi=100, orientation="landscape"), tmp_path / "sl.png")
    with Image.open(out) as im:
        assert im.size == (1169, 827)
