"""One check of a figure's options: the limits every caller meets."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import ValidationError
from layers.print import DPI_RANGE, check_options, render_map
from tests.layers.print.test_figure import _spec


@pytest.mark.parametrize("dpi", [DPI_RANGE[0], 300, DPI_RANGE[1]])
def test_dpi_within_the_range_is_accepted(dpi: int) -> None:
    check_options(dpi=dpi)


@pytest.mark.parametrize(("kw", "vi"), [
    (dict(dpi=DPI_RANGE[1] + 1), "Độ phân giải 1201 dpi nằm ngoài khoảng cho phép 50–1200 dpi."),
    (dict(dpi=DPI_RANGE[0] - 1), "Độ phân giải 49 dpi nằm ngoài khoảng cho phép 50–1200 dpi."),
    (dict(dpi=300.5), "Độ phân giải 300.5 dpi"),
    (dict(size="Letter"), "Khổ giấy 'Letter' không hợp lệ; dùng A4 hoặc A3."),
    (dict(orientation="square"), "Hướng giấy 'square' không hợp lệ"),
    (dict(scheme="jenks"), "Cách phân lớp 'jenks' không hợp lệ"),
    (dict(k=12), "Số lớp phải từ 1 đến 7"),
    (dict(suppress_below=-1), "Ngưỡng ẩn số nhỏ"),
])
def test_bad_options_are_refused_with_what_is_allowed(kw: dict, vi: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_options(**kw)
    assert vi in err.value.message("vi")
    assert err.value.message("en") != err.value.message("vi")


def test_render_map_meets_the_same_limits(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        render_map(_spec(dpi=DPI_RANGE[1] + 1), tmp_path / "m.png")
    assert "1201 dpi" in err.value.message("vi")
    assert not (tmp_path / "m.png").exists()
