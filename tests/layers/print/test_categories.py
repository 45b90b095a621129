"""Printed maps of categories (QĐ 28 classes, class changes), the stamp, and long table pages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from geo.errors import ValidationError
from geo.vocab import CLASS_CHANGES, NO_DATA_COLOR, QD28_CLASSES
from layers.classes import categorical
from layers.print import render_map, render_table_page
from tests.layers.print.test_figure import _spec, _units

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"),
                                   reason="poppler-utils not installed")
CLASSES = ["type_1", "type_2", "type_3", "drug_free", "none", "undetermined", "type_3",
           "type_3", "drug_free", None, "type_2", "type_3"]


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


def _class_spec(values: list | None = None, **kw: object):
    args = dict(hotspots=None, facilities=None, categories=QD28_CLASSES, marks=True,
                legend_title="Loại địa bàn (QĐ 28/2025)")
    return _spec(_units(CLASSES if values is None else values), **{**args, **kw})


# ------------------------------------------------------------------ classes of categories


def test_categories_become_classes_in_the_order_asked():
    c, codes = categorical(["up", "down", None, "same", "down"], CLASS_CHANGES,
                           ["down", "same"])
    assert c.ids == ["down", "same", "up"]  # present but not asked: appended
    assert c.counts == [2, 1, 1] and c.no_data == 1
    assert c.colors == [CLASS_CHANGES.color(k) for k in c.ids]
    assert list(c.colors_of(codes)) == [CLASS_CHANGES.color("up"), CLASS_CHANGES.color("down"),
                                        NO_DATA_COLOR, CLASS_CHANGES.color("same"),
                                        CLASS_CHANGES.color("down")]


def test_a_value_outside_the_vocabulary_is_refused():
    with pytest.raises(ValidationError) as e:
        categorical(["type_1", "type_9"], QD28_CLASSES)
    assert "type_9" in e.value.message("vi") and "type_1" in e.value.message("vi")


# ------------------------------------------------------------------ the map


@needs_poppler
def test_the_legend_lists_each_class_with_its_count_and_the_stamp(tmp_path):
    out = render_map(_class_spec(stamp="DỰ THẢO — chưa được Ủy ban nhân dân tỉnh phê duyệt",
                                 stamp_color="#fdae61"), tmp_path / "c.pdf")
    text = _text(out)
    for k in QD28_CLASSES.ids:
        n = sum(v == k for v in CLASSES)
        assert f"{QD28_CLASSES.label(k)} ({n})" in text, k
    assert "Không có số liệu (1)" in text  # the unit without a class
    assert "DỰ THẢO — chưa được Ủy ban nhân dân tỉnh phê duyệt" in text
    # the page's furniture is the choropleth's own
    assert "Tỷ lệ 1:" in text and "Vị trí tỉnh Sơn La" in text and "Nguồn:" in text


@needs_poppler
def test_no_data_row_only_when_a_unit_has_no_class(tmp_path):
    full = [v or "none" for v in CLASSES]
    text = _text(render_map(_class_spec(full), tmp_path / "c.pdf"))
    assert "Không có số liệu" not in text
    assert "Không thuộc loại nào (2)" in text


def test_each_unit_takes_its_class_colour(tmp_path):
    values = ["type_1"] * 6 + ["drug_free"] * 6
    out = render_map(_class_spec(values, marks=False, dpi=60, inset=False), tmp_path / "c.png")
    im = np.asarray(Image.open(out).convert("RGB")).reshape(-1, 3)
    colours = {tuple(int(QD28_CLASSES.color(k)[i:i + 2], 16) for i in (1, 3, 5)): k
               for k in QD28_CLASSES.ids}
    seen = {colours[tuple(p)] for p in np.unique(im, axis=0) if tuple(p) in colours}
    # both classes drawn (map and legend), type II/III are in the legend only
    counts = {k: int((im == np.array(c)).all(axis=1).sum()) for c, k in colours.items()}
    assert {"type_1", "drug_free"} <= seen
    assert counts["type_1"] > 20 * counts["type_2"] and counts["drug_free"] > 20 * counts["type_3"]


def test_a_bad_category_writes_nothing(tmp_path):
    with pytest.raises(ValidationError):
        render_map(_class_spec(["type_1"] * 11 + ["hot"]), tmp_path / "c.pdf")
    assert not (tmp_path / "c.pdf").exists()


@needs_poppler
def test_marks_are_printed_on_the_units_and_legend(tmp_path):
    values = ["drug_free"] * 12
    marked = _text(render_map(_class_spec(values), tmp_path / "m.pdf"))
    plain = _text(render_map(_class_spec(values, marks=False), tmp_path / "p.pdf"))
    mark = QD28_CLASSES["drug_free"].mark
    assert marked.count(mark) == 13 and plain.count(mark) == 0  # 12 units and the legend


# ------------------------------------------------------------------ table pages


@needs_poppler
def test_a_long_table_runs_on_with_its_header_and_every_row_once(tmp_path):
    rows = [[str(i), f"Xã Chiềng {i:03d}", "4.1.a: 0,65%; 4.1.b: 2 địa điểm; 4.1.c: 0,16%; "
             "4.1.đ: 3 tiêu chí / Nằm trên tuyến trọng điểm phức tạp về ma túy"]
            for i in range(1, 121)]
    out = render_table_page(tmp_path / "t.pdf", "Danh sách", "Dự thảo",
                            [("I. Trọng điểm loại I (120 xã)", ["STT", "Xã, phường",
                                                               "Tiêu chí đạt"], rows)],
                            notes=["Ghi chú cuối"], first_page=3)
    n = len(PdfReader(str(out)).pages)
    assert n >= 3
    pages = [subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(p), "-l", str(p),
                             str(out), "-"], capture_output=True, text=True).stdout
             for p in range(1, n + 1)]
    for i, page in enumerate(pages):
        assert "Tiêu chí đạt" in page  # the header on every page
        assert f"trang {3 + i}" in page
        if i:
            assert "(tiếp)" in page
    everything = " ".join(pages)
    assert all(everything.count(f"Xã Chiềng {i:03d}") == 1 for i in range(1, 121))
    assert "Ghi chú cuối" in pages[-1]
