"""Choropleth classes: the one binning, labelling and colouring of values, screen and print.

The interactive map (:func:`layers.maps.classify_values`) and the printed figure
(:func:`layers.print.classify_figure`) both call :func:`classify`, so the same
values get the same breaks, the same legend labels and the same colours on
screen and on paper. Breaks come from :func:`mapclassify.classify`; colours from
:func:`geo.vocab.palette`; numbers are written with :func:`geo.i18n.fmt_number`.

Class labels never share a boundary:

- **whole numbers** (counts): each class names its first and last possible value,
  ``1 – 7``, ``8 – 12``, ``13 – 40`` (a class holding one value shows it alone: ``7``);
- **other values** (rates): the first class is closed, ``0,8 – 2,5``; every next
  class starts just above the previous upper bound, ``> 2,5 – 5,1``, which is what
  the class holds (mapclassify's classes include their upper bound). Enough decimals
  (up to 3) are printed to keep the printed bounds apart.

Values below ``suppress_below`` (small counts about people) take no part in the
breaks: they form a class of their own shown as ``< N``, coloured with the
lightest colour of the ramp, so neither the breaks nor the labels reveal them.
A value computed from a small count (a rate whose count is below the threshold)
is hidden the same way: the caller passes which values are hidden (``hidden``),
since the rate itself does not tell.

Examples
--------
>>> c = classify([1, 2, 10, 20, 30, 40, float("nan")], "equal_interval", 3, suppress_below=5)
>>> c.labels, c.counts, c.suppressed, c.no_data
(['10 – 20', '21 – 30', '31 – 40'], [2, 1, 1], 2, 1)
>>> classify([0.5, 1.25, 2.5, 3.75, 5.0], "equal_interval", 2, lang="en").labels
['0.5 – 2.8', '> 2.8 – 5.0']

Rates hidden because their counts are small (the first two), whatever their value:

>>> c = classify([80.0, 1.5, 2.5, 3.5, 4.5], "equal_interval", 2, lang="en",
...              suppress_below=5, hidden=[True, True, False, False, False])
>>> c.labels, c.counts, c.suppressed
(['2.5 – 3.5', '> 3.5 – 4.5'], [2, 1], 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np

from geo.errors import ValidationError
from geo.i18n import fmt_number, tr
from geo.vocab import NO_DATA_COLOR, PALETTE, SCHEMES, Vocabulary, palette

__all__ = [
    "K_RANGE",
    "SCHEMES",
    "Classes",
    "categorical",
    "check_classing",
    "classify",
    "format_value",
    "no_data_label",
]

#: Smallest and largest number of classes (one colour each, and one more for ``< N``).
K_RANGE = (1, len(PALETTE))

#: diaban's scheme ids → :func:`mapclassify.classify` scheme names.
_MAPCLASSIFY = {"quantiles": "quantiles", "natural_breaks": "fisher_jenks",
                "equal_interval": "equal_interval"}

#: Fisher-Jenks is quadratic: more values than this are classed on evenly spaced
#: order statistics (deterministic, unlike mapclassify's random sample).
_JENKS_SAMPLE = 1000


@dataclass
class Classes:
    """Breaks, labels and colours of a choropleth's classes.

    Attributes
    ----------
    bins : list of float
        Upper bound of each class (a class holds values above the previous bound
        up to and including its own).
    colors, labels : list of str
        Fill colour and legend label of each class.
    counts : list of int
        Number of values in each class.
    no_data : int
        Number of values without data (NaN).
    scheme : str
        A :data:`geo.vocab.SCHEMES` id (or any name for hand-made classes).
    suppress_below : int or None
        Threshold of the ``< N`` class (``None``: no suppression).
    suppressed : int
        Number of values in the ``< N`` class.
    suppressed_color : str
        Colour of the ``< N`` class.
    integral : bool
        Whether the classed values are whole numbers (labels name whole bounds).
    digits : int
        Decimals of printed values.
    ids : list of str, optional
        The category of each class, for a map of categories (:func:`categorical`).
    """

    bins: list[float]
    colors: list[str]
    labels: list[str]
    counts: list[int]
    no_data: int
    scheme: str
    suppress_below: int | None = None
    suppressed: int = 0
    suppressed_color: str = ""
    integral: bool = False
    digits: int = 0
    ids: list[str] | None = None

    def hidden_of(self, values: Sequence[float] | np.ndarray,
                  hidden: Sequence[bool] | np.ndarray | None = None) -> np.ndarray:
        """Which values fall in the ``< N`` class.

        Parameters
        ----------
        values : array-like of float
            The values drawn.
        hidden : array-like of bool, optional
            Values hidden because the count they come from is small (a rate); by
            default, the values below :attr:`suppress_below` themselves.

        Returns
        -------
        numpy.ndarray of bool
            ``False`` everywhere when there is no suppression, and for NaN.
        """
        v = np.asarray(values, dtype=float)
        fin = np.isfinite(v)
        if self.suppress_below is None:
            return np.zeros(v.shape, dtype=bool)
        if hidden is not None:
            return fin & np.asarray(hidden, dtype=bool)
        return fin & (v < self.suppress_below)

    def colors_of(self, values: Sequence[float] | np.ndarray,
                  hidden: Sequence[bool] | np.ndarray | None = None) -> np.ndarray:
        """Fill colour of each value (:data:`~geo.vocab.NO_DATA_COLOR` for NaN).

        Values above the last bound take the last class's colour (a value
        classed with other breaks, e.g. another period). Hidden values (see
        :meth:`hidden_of`) take the ``< N`` class's colour.
        """
        v = np.asarray(values, dtype=float)
        out = np.full(v.shape, NO_DATA_COLOR, dtype=object)
        fin = np.isfinite(v)
        if self.suppress_below is not None:
            sup = self.hidden_of(v, hidden)
            out[sup] = self.suppressed_color
            fin &= ~sup
        if self.bins and fin.any():
            idx = np.searchsorted(np.asarray(self.bins), v[fin], side="left")
            out[fin] = np.asarray(self.colors, dtype=object)[np.minimum(idx, len(self.bins) - 1)]
        return out

    def color_of(self, value: float | None, hidden: bool = False) -> str:
        """Fill colour of one value (grey for no data)."""
        return str(self.colors_of([np.nan if value is None else value],
                                  [hidden] if hidden else None)[0])

    def recount(self, values: Sequence[float] | np.ndarray,
                hidden: Sequence[bool] | np.ndarray | None = None) -> Classes:
        """The same classes with the counts of other values (e.g. one of two compared periods)."""
        v = np.asarray(values, dtype=float)
        fin = np.isfinite(v)
        sup = self.hidden_of(v, hidden)
        vis = v[fin & ~sup]
        counts = [0] * len(self.bins)
        if self.bins:
            idx = np.searchsorted(np.asarray(self.bins), vis, side="left")
            counts = [int(c) for c in np.bincount(np.minimum(idx, len(self.bins) - 1),
                                                  minlength=len(self.bins))]
        return Classes(self.bins, self.colors, self.labels, counts, int((~fin).sum()),
                       self.scheme, self.suppress_below, int(sup.sum()), self.suppressed_color,
                       self.integral, self.digits, self.ids)


def check_classing(scheme: str, k: int, suppress_below: int | None = None) -> None:
    """Refuse a scheme, number of classes or suppression threshold diaban cannot draw.

    Raises
    ------
    ValidationError
        Naming the bad value and what is allowed.
    """
    if scheme not in SCHEMES:
        raise ValidationError(
            f"Cách phân lớp '{scheme}' không hợp lệ; dùng: {', '.join(SCHEMES.ids)}.",
            f"Unknown scheme '{scheme}'; use: {', '.join(SCHEMES.ids)}.")
    lo, hi = K_RANGE
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not lo <= k <= hi:
        raise ValidationError(f"Số lớp phải từ {lo} đến {hi} (nhận được: {k}).",
                              f"The number of classes must be {lo} to {hi} (got {k}).")
    if suppress_below is not None:
        if isinstance(suppress_below, bool) or not isinstance(
                suppress_below, (int, np.integer)) or suppress_below < 1:
            raise ValidationError(
                f"Ngưỡng ẩn số nhỏ phải là số nguyên ≥ 1 (nhận được: {suppress_below}).",
                f"The suppression threshold must be a whole number ≥ 1 (got {suppress_below}).")
        if k > hi - 1:
            raise ValidationError(
                f"Khi ẩn số nhỏ, lớp '< {suppress_below}' dùng một màu: số lớp tối đa là "
                f"{hi - 1}.",
                f"With suppression the '< {suppress_below}' class takes one colour: at most "
                f"{hi - 1} classes.")


def classify(values: Sequence[float] | np.ndarray, scheme: str = "quantiles", k: int = 5, *,
             lang: str = "vi", digits: int | None = None,
             suppress_below: int | None = None,
             hidden: Sequence[bool] | np.ndarray | None = None) -> Classes:
    """Class values for a choropleth, on screen or in print.

    NaN goes to a no-data class; values below ``suppress_below`` to their own
    ``< N`` class, outside the breaks. Fewer than ``k`` classes are made when
    there are fewer distinct values.

    Parameters
    ----------
    values : array-like of float
        Values of the units (NaN = no data).
    scheme : {"quantiles", "natural_breaks", "equal_interval"}
        Classification method (:data:`geo.vocab.SCHEMES`); natural breaks are
        Fisher-Jenks.
    k : int
        Wanted number of classes (:data:`K_RANGE`; one fewer with suppression).
    lang : {"vi", "en"}
        Language of number formatting.
    digits : int, optional
        Decimals of the labels. By default 0 for whole numbers, otherwise the
        fewest from 1 to 3 that keep the printed bounds distinct and non-zero;
        when given, more are used only if the printed bounds would coincide.
    suppress_below : int, optional
        Values below it form the ``< N`` class.
    hidden : array-like of bool, optional
        With ``suppress_below``: the values that form the ``< N`` class instead
        (rates whose counts are below the threshold), whatever their size.

    Returns
    -------
    Classes

    Raises
    ------
    ValidationError
        Unknown scheme, ``k`` or ``suppress_below`` out of range.
    """
    check_classing(scheme, k, suppress_below)
    v = np.asarray(values, dtype=float)
    fin = np.isfinite(v)
    if suppress_below is None:
        sup = np.zeros_like(fin)
    elif hidden is not None:
        sup = fin & np.asarray(hidden, dtype=bool)
        if sup.shape != v.shape:
            raise ValueError("hidden must have one flag per value")
    else:
        sup = fin & (v < suppress_below)
    vis = np.sort(v[fin & ~sup])
    integral = bool(vis.size) and bool(np.all(np.abs(vis - np.round(vis)) < 1e-9))
    bins = _breaks(vis, scheme, k, integral)
    lows = [float(vis[0])] + [b + 1.0 for b in bins[:-1]] if integral and bins else (
        [float(vis[0])] + bins[:-1] if bins else [])
    digits = _digits(vis, bins, integral, digits, lang)
    labels = [_label(i, lo, hi, integral, lang, digits) for i, (lo, hi) in
              enumerate(zip(lows, bins))]
    counts = []
    for i, hi in enumerate(bins):
        low_ok = vis >= vis[0] if i == 0 else vis > bins[i - 1]
        counts.append(int((low_ok & (vis <= hi)).sum()))
    n = len(bins)
    if suppress_below is not None:
        ramp = palette(n + 1)
        colors, sup_color = ramp[1:], ramp[0]
    else:
        colors, sup_color = palette(n), ""
    return Classes(bins, colors, labels, counts, int((~fin).sum()), scheme, suppress_below,
                   int(sup.sum()), sup_color, integral, digits)


def _breaks(vis: np.ndarray, scheme: str, k: int, integral: bool) -> list[float]:
    """Upper bounds of the classes of sorted finite values (the last is the maximum)."""
    k = min(k, len(np.unique(vis)))
    if k == 0:
        return []
    if k == 1:
        return [float(vis[-1])]
    sample = vis
    if scheme == "natural_breaks" and vis.size > _JENKS_SAMPLE:
        sample = vis[np.linspace(0, vis.size - 1, _JENKS_SAMPLE).astype(int)]
    bins = [float(b) for b in mapclassify.classify(sample, _MAPCLASSIFY[scheme], k=k).bins]
    if integral:  # whole values: a bound of 7.5 holds the same values as 7
        bins = [float(math.floor(b + 1e-9)) for b in bins]
    bins[-1] = float(vis[-1])
    return sorted(set(bins))


def _digits(vis: np.ndarray, bins: list[float], integral: bool, digits: int | None,
            lang: str) -> int:
    """Decimals that print every class bound distinctly (see :func:`classify`)."""
    auto = digits is None
    start = (0 if integral or not vis.size else 1) if auto else int(digits)
    if integral or not bins:
        return start
    edges = [float(vis[0]), *bins]
    for d in range(start, max(start, 3) + 1):
        txt = [fmt_number(e, lang, d) for e in edges]
        zero = fmt_number(0.0, lang, d)
        if len(set(txt)) == len(txt) and (
                not auto or all(t != zero for t, e in zip(txt, edges) if e)):
            return d
    return max(start, 3)


def _label(i: int, lo: float, hi: float, integral: bool, lang: str, digits: int) -> str:
    hi_txt = fmt_number(hi, lang, digits)
    if i > 0 and not integral:
        return f"> {fmt_number(lo, lang, digits)} – {hi_txt}"
    lo_txt = fmt_number(lo, lang, digits)
    return lo_txt if lo_txt == hi_txt else f"{lo_txt} – {hi_txt}"


def format_value(value: float | None, suppress_below: int | None = None, lang: str = "vi",
                 digits: int = 0, hidden: bool | None = None) -> str:
    """A value as printed on a map, hidden as ``< N`` below the threshold.

    ``hidden`` says whether the value is hidden (a rate whose count is small);
    by default a value is hidden when it is itself below the threshold.

    Examples
    --------
    >>> format_value(3, 5), format_value(1234, 5, "vi"), format_value(float("nan"))
    ('< 5', '1.234', '—')
    >>> format_value(81.5, 5, "en", 1, hidden=True), format_value(2.5, 5, "en", 1, hidden=False)
    ('< 5', '2.5')
    """
    if value is None or not np.isfinite(value):
        return "—"
    if suppress_below is not None and (value < suppress_below if hidden is None else hidden):
        return f"< {suppress_below}"
    return fmt_number(float(value), lang, digits)


def no_data_label(lang: str = "vi") -> str:
    """Legend label of the no-data class."""
    return tr("Không có số liệu", "No data", lang)


def categorical(values: Sequence[object], vocab: Vocabulary, ids: Sequence[str] | None = None,
                lang: str = "vi") -> tuple[Classes, np.ndarray]:
    """Classes of a map of categories (QĐ 28 classes, class changes …): one per term.

    Each category becomes a class whose colour and label are its term's in
    ``vocab``; the codes returned place every value in its class through
    :meth:`Classes.colors_of`, so a categorical map is drawn by the same code as a
    choropleth.

    Parameters
    ----------
    values : sequence
        A term id of ``vocab`` per unit, or None/NaN for no data.
    vocab : Vocabulary
        The categories' labels and colours.
    ids : sequence of str, optional
        The categories listed, in order (every term by default); a category present
        in ``values`` but not listed is appended.
    lang : {"vi", "en"}
        Language of the labels.

    Returns
    -------
    classes : Classes
        ``scheme == "categories"``; ``counts`` per listed category (zeros kept).
    codes : numpy.ndarray of float
        The class index of each value (NaN for no data).

    Raises
    ------
    ValidationError
        A value that is not a term of ``vocab``.

    Examples
    --------
    >>> from geo.vocab import QD28_CLASSES
    >>> c, codes = categorical(["type_1", None, "drug_free", "type_1"], QD28_CLASSES,
    ...                        ["type_1", "drug_free"])
    >>> c.labels, c.counts, c.no_data, codes.tolist()
    (['Trọng điểm loại I', 'Không ma túy'], [2, 1], 1, [0.0, nan, 1.0, 0.0])
    """
    vals = [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]
    bad = sorted({v for v in [*vals, *(ids or ())] if v is not None and v not in vocab})
    if bad:
        vi_name, en_name = vocab.name
        raise ValidationError(
            f"Giá trị {', '.join(bad)} không phải một {vi_name} (dùng: {vocab.choices('vi')}).",
            f"{', '.join(bad)} is not a {en_name} (use: {vocab.choices('en')}).")
    order = list(dict.fromkeys(ids if ids is not None else vocab.ids))
    order += [k for k in vocab.ids if k not in order and k in set(vals)]
    index = {k: float(i) for i, k in enumerate(order)}
    codes = np.array([np.nan if v is None else index[v] for v in vals], dtype=float)
    classes = Classes(bins=[float(i) for i in range(len(order))],
                      colors=[vocab.color(k, NO_DATA_COLOR) for k in order],
                      labels=[vocab.label(k, lang) for k in order],
                      counts=[vals.count(k) for k in order],
                      no_data=int(np.isnan(codes).sum()), scheme="categories", ids=order)
    return classes, codes
