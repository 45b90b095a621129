"""What a printed map shows and how it is printed, and the one check of a figure request.

:func:`check_options` holds every limit of a printed figure (paper, orientation,
resolution, classes, suppression); the exports service
(:mod:`geo.services.exports`) checks requests with it and :func:`check_spec`
checks a :class:`MapFigureSpec` with it, so the CLI, the page and direct callers
meet the same limits and the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
from pyproj import CRS

from geo.errors import ValidationError
from geo.vocab import Vocabulary
from layers.classes import categorical, check_classing
from layers.print.page import ORIENTATIONS, PAGE_SIZES

__all__ = ["DPI_RANGE", "MapFigureSpec", "check_options", "check_spec", "check_units"]

#: Lowest and highest resolution (dots per inch) of a PNG page.
DPI_RANGE = (50, 1200)


@dataclass
class MapFigureSpec:
    """What a static map shows and how it is printed.

    Parameters
    ----------
    units : geopandas.GeoDataFrame
        Units to colour, WGS84, with columns ``code``, ``name``, ``value``
        (NaN = no data). Other columns are kept (see ``group_column``).
    title : str
        Main title (the indicator, in words).
    subtitle : str
        Second line: period, province, unit of measure.
    legend_title : str
        Title of the colour legend (what the values are).
    scheme : {"quantiles", "natural_breaks", "equal_interval"}
        Classification (:func:`layers.classes.classify`).
    k : int
        Number of classes (fewer when there are fewer distinct values).
    hotspots : geopandas.GeoDataFrame, optional
        Hotspot communes to outline and label: ``name``, ``status`` (a
        :data:`geo.vocab.HOTSPOT_STATUSES` id or free text), ``geometry``;
        optional ``code`` (to show the unit's value in the label) or ``value``.
    facilities : geopandas.GeoDataFrame, optional
        Points with ``kind``, a :data:`geo.vocab.FACILITY_KINDS` id.
    projected_crs : str, int or pyproj.CRS, optional
        The province's VN-2000 TM-3 zone, e.g. ``"EPSG:9206"`` for Sơn La. The
        map is drawn in it. By default the UTM zone of the units' centre.
    source : str
        Data source, printed as ``Nguồn: …``.
    export_date : datetime.date, optional
        Date printed as ``Ngày xuất: dd/mm/yyyy`` (today by default).
    approximate : bool
        Whether boundaries are approximate (adds a printed warning).
    lang : {"vi", "en"}
        Language of the fixed labels (not of ``title`` and data names).
    size : {"A4", "A3"}
    orientation : {"portrait", "landscape"}
    dpi : int
        Resolution of PNG output (:data:`DPI_RANGE`); the image is exactly
        paper size × dpi.
    suppress_below : int, optional
        Values below this are printed as ``< N`` and not used to classify.
    digits : int, optional
        Decimals of printed values (0 for whole numbers, 1 otherwise by default).
    province : str
        Province name, for the locator caption.
    group_column : str, optional
        Column of ``units`` whose groups (e.g. districts) get a heavier outline.
    group_label : str
        Legend label of those outlines (``Ranh giới huyện`` by default).
    label_values : bool
        Whether hotspot labels also show the unit's value.
    inset : bool
        Whether to draw the locator inset (always drawn for partial maps by
        default; a map of the whole country shows the archipelagos itself).
    extra_notes : list of str
        Lines printed above the source line.
    categories : Vocabulary, optional
        Draw categories instead of numbers: ``units["value"]`` then holds a term id
        of this vocabulary per unit (None/NaN: no data), each unit takes its term's
        colour and the legend lists the terms with their counts
        (:func:`layers.classes.categorical`; a term whose colour is the no-data
        grey is hatched like no data). ``scheme``, ``k``, ``suppress_below`` and
        ``digits`` are then unused.
    category_ids : tuple of str, optional
        The categories the legend lists, in order (every term by default).
    marks : bool or tuple of str
        Print each category's mark (``Term.mark``: I, II, III, ✓ …) on its units,
        so the map reads in black and white too: all categories (True) or only
        those named.
    stamp : str
        Boxed lines under the subtitle (a line break starts a new line), e.g. whether the list
        shown is approved (``ĐÃ PHÊ DUYỆT — Quyết định số …``) or a draft (``DỰ THẢO``).
    stamp_color : str
        Colour of the stamp's box; its text is a darker shade of it.
    """

    units: gpd.GeoDataFrame
    title: str
    subtitle: str = ""
    legend_title: str = ""
    scheme: str = "quantiles"
    k: int = 5
    hotspots: gpd.GeoDataFrame | None = None
    facilities: gpd.GeoDataFrame | None = None
    projected_crs: str | int | CRS | None = None
    source: str = ""
    export_date: date | None = None
    approximate: bool = False
    lang: str = "vi"
    size: str = "A4"
    orientation: str = "portrait"
    dpi: int = 300
    suppress_below: int | None = None
    digits: int | None = None
    province: str = ""
    group_column: str | None = None
    group_label: str = ""
    label_values: bool = True
    inset: bool = True
    extra_notes: list[str] = field(default_factory=list)
    categories: Vocabulary | None = None
    category_ids: tuple[str, ...] | None = None
    marks: bool | tuple[str, ...] = False
    stamp: str = ""
    stamp_color: str = "#222222"


def check_options(*, size: str = "A4", orientation: str = "portrait", dpi: int = 300,
                  scheme: str = "quantiles", k: int = 5,
                  suppress_below: int | None = None) -> None:
    """Refuse paper, orientation, resolution or classes a printed figure cannot have.

    Parameters
    ----------
    size : {"A4", "A3"}
        Paper size.
    orientation : {"portrait", "landscape"}
        Page orientation.
    dpi : int
        Within :data:`DPI_RANGE`.
    scheme, k, suppress_below
        As :func:`layers.classes.classify` takes them.

    Raises
    ------
    ValidationError
        Naming the value, the option and what is allowed.

    Examples
    --------
    >>> check_options(dpi=2400)
    Traceback (most recent call last):
    ...
    geo.errors.ValidationError: Độ phân giải 2400 dpi nằm ngoài khoảng cho phép 50–1200 dpi.
    """
    if size not in PAGE_SIZES:
        raise ValidationError(
            f"Khổ giấy '{size}' không hợp lệ; dùng {' hoặc '.join(PAGE_SIZES)}.",
            f"Unknown paper size '{size}'; use {' or '.join(PAGE_SIZES)}.")
    if orientation not in ORIENTATIONS:
        raise ValidationError(
            f"Hướng giấy '{orientation}' không hợp lệ; dùng portrait (dọc) hoặc landscape "
            "(ngang).",
            f"Unknown orientation '{orientation}'; use portrait or landscape.")
    lo, hi = DPI_RANGE
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not lo <= dpi <= hi:
        raise ValidationError(
            f"Độ phân giải {dpi} dpi nằm ngoài khoảng cho phép {lo}–{hi} dpi.",
            f"A resolution of {dpi} dpi is outside the allowed {lo}–{hi} dpi.")
    check_classing(scheme, k, suppress_below)


def check_units(units: object, problems: list[tuple[str, str]]) -> None:
    """Add to ``problems`` what makes ``units`` undrawable (not a frame, columns, rows)."""
    if not isinstance(units, gpd.GeoDataFrame):
        problems.append(("Đơn vị phải là GeoDataFrame.", "units must be a GeoDataFrame."))
        return
    missing = {"code", "name", "value"} - set(units.columns)
    if missing:
        problems.append((f"Bảng đơn vị thiếu cột: {', '.join(sorted(missing))}.",
                         f"Units lack columns: {', '.join(sorted(missing))}."))
    if len(units) == 0:
        problems.append(("Không có đơn vị nào để vẽ.", "There are no units to draw."))


def check_spec(spec: MapFigureSpec, units_required: bool = True) -> None:
    """Refuse a spec that cannot be drawn (options, then the data frames).

    Raises
    ------
    ValidationError
        The first problem found.
    """
    check_options(size=spec.size, orientation=spec.orientation, dpi=spec.dpi,
                  scheme=spec.scheme, k=spec.k, suppress_below=spec.suppress_below)
    problems: list[tuple[str, str]] = []
    if units_required:
        check_units(spec.units, problems)
    if spec.categories is not None and not problems and units_required:
        categorical(list(spec.units["value"]), spec.categories, spec.category_ids)
    if spec.facilities is not None and len(spec.facilities) and "kind" not in spec.facilities:
        problems.append(("Bảng cơ sở thiếu cột 'kind'.", "Facilities lack a 'kind' column."))
    if spec.hotspots is not None and len(spec.hotspots):
        missing = {"name", "status"} - set(spec.hotspots.columns)
        if missing:
            problems.append((f"Bảng địa bàn trọng điểm thiếu cột: {', '.join(sorted(missing))}.",
                             f"Hotspots lack columns: {', '.join(sorted(missing))}."))
    if problems:
        vi, en = problems[0]
        raise ValidationError(vi, en)
