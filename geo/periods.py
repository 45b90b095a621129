"""Reporting periods: assessment years, half-years and quarters, with a cut-off day.

Provincial reports follow a 6-month and annual cycle (e.g. Sơn La KH 75: the
6-month report is due 10/6, the annual one 10/12). Periods are written as
``2023-H1`` (6 tháng đầu năm 2023), ``2023-H2``, ``2023`` (cả năm) and
``2023-Q1``.

Which days a period covers depends on the **cut-off day** (ngày chốt số liệu).
QĐ 28/2025/QĐ-TTg, Điều 7.1, fixes the assessment period: "Kỳ đánh giá và báo cáo
tính từ ngày 15 tháng 12 năm trước đến ngày 14 tháng 12 năm sau", so by default
(:data:`QD28_CUTOFF`) the year ``2026`` is 15/12/2025 – 14/12/2026 and its halves
and quarters follow the same cut-off (``2026-H1`` = 15/12/2025 – 14/6/2026). A
province that counts otherwise passes its own :class:`Cutoff`; :data:`CALENDAR`
(1 January) gives calendar years. A year is named after the calendar year its
last day falls in.

Examples
--------
>>> p = parse_period("2026-H1")
>>> p.start, p.end
(datetime.date(2025, 12, 15), datetime.date(2026, 6, 14))
>>> p.span(CALENDAR)
(datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
>>> p.label("vi")
'6 tháng đầu năm 2026'
>>> period_of(date(2025, 12, 20)).id
'2026'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
import pandas as pd

from geo.errors import ValidationError

__all__ = ["CALENDAR", "DEFAULT_CUTOFF", "EDITION_IDS", "QD28_CUTOFF", "REFORM_DATE", "Cutoff",
           "Period", "edition_on", "parse_cutoff", "parse_period", "period_ids", "period_of",
           "period_range", "plan_periods"]

#: Day the 2025 administrative reform took effect: districts abolished, communes merged.
REFORM_DATE = date(2025, 7, 1)
#: Units editions: before the reform (with districts) and after it.
EDITION_IDS = ("legacy", "2025")

_RE = re.compile(r"^\s*(\d{4})(?:\s*-\s*(H[12]|Q[1-4]))?\s*$", re.IGNORECASE)
# Vietnamese spellings data officers write in headers.
_RE_VI_HALF = re.compile(
    r"^\s*6\s*tháng\s*(đầu|cuối)\s*năm\s*(\d{4})\s*$", re.IGNORECASE
)
_RE_VI_YEAR = re.compile(r"^\s*(?:cả\s*)?năm\s*(\d{4})\s*$", re.IGNORECASE)
_RE_VI_QUARTER = re.compile(r"^\s*quý\s*(I{1,3}|IV|[1-4])\s*(?:/|năm)?\s*(\d{4})\s*$", re.I)
_RE_CUTOFF = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*$")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_MONTHS = {"H": 6, "Q": 3, "Y": 12}
_PARTS = {"H": 2, "Q": 4, "Y": 1}

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Cutoff:
    """The first day of a reporting year (ngày bắt đầu kỳ báo cáo năm).

    A year ``N`` runs from the cut-off day to the day before the next one and is
    named after the calendar year its last day falls in: with the QĐ 28 cut-off
    (15 December) the year 2026 is 15/12/2025 – 14/12/2026; with the calendar
    cut-off (1 January) it is 1/1/2026 – 31/12/2026.

    Parameters
    ----------
    month : int
        1–12.
    day : int
        1–28, so that every half-year and quarter starts on the same day of a month.

    Raises
    ------
    ValidationError
        When the day does not exist in every month or the month is not 1–12.

    Examples
    --------
    >>> Cutoff(12, 15).label("vi")
    'ngày 15/12'
    """

    month: int
    day: int

    def __post_init__(self) -> None:
        m, d = self.month, self.day
        ok_type = all(isinstance(x, int) and not isinstance(x, bool) for x in (m, d))
        if not ok_type or not 1 <= m <= 12 or not 1 <= d <= 28:
            raise ValidationError(
                f"Ngày chốt số liệu '{d}/{m}' không hợp lệ: ngày phải từ 1 đến 28 (để mọi "
                "kỳ 6 tháng, quý đều bắt đầu cùng một ngày trong tháng), tháng từ 1 đến 12.",
                f"Invalid cut-off day '{d}/{m}': the day must be 1–28 (so that every half-year "
                "and quarter starts on the same day of a month) and the month 1–12.")

    def label(self, lang: str = "vi") -> str:
        """``ngày 15/12`` / ``15 Dec``."""
        if lang == "en":
            return date(2001, self.month, self.day).strftime("%-d %b")
        return f"ngày {self.day}/{self.month}"

    def year_start(self, year: int) -> date:
        """First day of the reporting year ``year``."""
        if (self.month, self.day) == (1, 1):
            return date(year, 1, 1)
        return date(year - 1, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.day:02d}/{self.month:02d}"


#: Calendar years (1 January): the dates diaban used before QĐ 28/2025.
CALENDAR = Cutoff(1, 1)
#: QĐ 28/2025/QĐ-TTg, Điều 7.1: the assessment year runs from 15 December of the
#: previous year to 14 December.
QD28_CUTOFF = Cutoff(12, 15)
#: Cut-off used when none is given (a province setting may choose another).
DEFAULT_CUTOFF = QD28_CUTOFF


def parse_cutoff(text: str | Cutoff | None) -> Cutoff:
    """A :class:`Cutoff` from ``"15/12"`` (day/month), a Cutoff, or ``None`` (the default).

    Raises
    ------
    ValidationError
        When the text is not a day/month or the day is not 1–28.

    Examples
    --------
    >>> parse_cutoff("1/1") == CALENDAR
    True
    """
    if text is None:
        return DEFAULT_CUTOFF
    if isinstance(text, Cutoff):
        return text
    m = _RE_CUTOFF.match(str(text))
    if not m:
        raise ValidationError(
            f"'{text}' không phải ngày chốt số liệu (viết ngày/tháng, ví dụ 15/12).",
            f"'{text}' is not a cut-off day (write day/month, e.g. 15/12).")
    return Cutoff(int(m.group(2)), int(m.group(1)))


def _add_months(d: date, months: int) -> date:
    k = d.month - 1 + months
    return date(d.year + k // 12, k % 12 + 1, d.day)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period.

    Attributes
    ----------
    year : int
        The calendar year the period's year ends in (the assessment year).
    kind : {"H", "Y", "Q"}
        Half-year, year or quarter.
    index : int
        1–2 for halves, 1–4 for quarters, 0 for a year.
    cutoff : Cutoff
        First day of the reporting year (default :data:`QD28_CUTOFF`). Not part of
        the period's identity: ``2026-H1`` is the same period whatever its dates.
    """

    year: int
    kind: str
    index: int
    cutoff: Cutoff = field(default=DEFAULT_CUTOFF, compare=False, repr=False)

    @property
    def id(self) -> str:
        """Canonical id: ``2023-H1``, ``2023``, ``2023-Q4``."""
        if self.kind == "Y":
            return str(self.year)
        return f"{self.year}-{self.kind}{self.index}"

    def span(self, cutoff: Cutoff | str | None = None) -> tuple[date, date]:
        """First and last day of the period under a cut-off (default: the period's own).

        Examples
        --------
        >>> parse_period("2026").span()
        (datetime.date(2025, 12, 15), datetime.date(2026, 12, 14))
        >>> parse_period("2024-Q2").span(CALENDAR)
        (datetime.date(2024, 4, 1), datetime.date(2024, 6, 30))
        """
        c = self.cutoff if cutoff is None else parse_cutoff(cutoff)
        months = _MONTHS[self.kind]
        first = _add_months(c.year_start(self.year), (max(self.index, 1) - 1) * months)
        return first, _add_months(first, months) - timedelta(days=1)

    @property
    def start(self) -> date:
        """First day of the period (under its cut-off)."""
        return self.span()[0]

    @property
    def end(self) -> date:
        """Last day of the period (under its cut-off)."""
        return self.span()[1]

    def with_cutoff(self, cutoff: Cutoff | str | None) -> Period:
        """The same period under another cut-off."""
        return replace(self, cutoff=parse_cutoff(cutoff))

    def parts(self, kind: str = "H") -> list[Period]:
        """The half-years (``"H"``) or quarters (``"Q"``) a period is made of, in order.

        Examples
        --------
        >>> [p.id for p in parse_period("2026").parts("H")]
        ['2026-H1', '2026-H2']
        >>> [p.id for p in parse_period("2026-H2").parts("Q")]
        ['2026-Q3', '2026-Q4']
        """
        if kind not in ("H", "Q") or _MONTHS[kind] >= _MONTHS[self.kind]:
            raise ValidationError(
                f"Kỳ {self.id} không chia được thành các kỳ loại '{kind}'.",
                f"Period {self.id} cannot be split into '{kind}' periods.")
        n = _MONTHS[self.kind] // _MONTHS[kind]
        first = (max(self.index, 1) - 1) * n + 1
        return [Period(self.year, kind, i, self.cutoff) for i in range(first, first + n)]

    def label(self, lang: str = "vi") -> str:
        """Human label: ``6 tháng đầu năm 2023`` / ``First half of 2023``."""
        if lang == "en":
            if self.kind == "Y":
                return f"Year {self.year}"
            if self.kind == "H":
                return f"{'First' if self.index == 1 else 'Second'} half of {self.year}"
            return f"Q{self.index} {self.year}"
        if self.kind == "Y":
            return f"Năm {self.year}"
        if self.kind == "H":
            return f"6 tháng {'đầu' if self.index == 1 else 'cuối'} năm {self.year}"
        return f"Quý {['I', 'II', 'III', 'IV'][self.index - 1]}/{self.year}"

    def dates_label(self, lang: str = "vi") -> str:
        """The days covered: ``15/12/2025 – 14/6/2026`` (the same in both languages).

        Examples
        --------
        >>> parse_period("2026").dates_label()
        '15/12/2025 – 14/12/2026'
        """
        a, b = self.span()
        return f"{a.day}/{a.month}/{a.year} – {b.day}/{b.month}/{b.year}"

    @property
    def edition(self) -> str:
        """Units edition the period's figures belong to: the units that exist on its last day.

        This is the one rule for which communes a period is recorded on, whatever
        the cut-off. A period that ends before 1 July 2025 is recorded on the
        legacy communes; one that ends on or after it (2025-H2, the year 2025,
        2025-Q3) on the 2025 communes, whose figures for the weeks before the
        reform come from their predecessors.

        Examples
        --------
        >>> [parse_period(p).edition for p in ("2025-Q2", "2025-H1", "2025-Q3", "2025")]
        ['legacy', 'legacy', '2025', '2025']
        >>> parse_period("2025", cutoff="1/7").edition  # 1/7/2024 – 30/6/2025
        'legacy'
        """
        return edition_on(self.end)

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies within this period (both under this period's cut-off)."""
        a, b = self.span()
        c, d = other.span(self.cutoff)
        return a <= c and d <= b

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable description."""
        return {
            "id": self.id,
            "kind": {"H": "half", "Y": "year", "Q": "quarter"}[self.kind],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "cutoff": str(self.cutoff),
            "label_vi": self.label("vi"),
            "label_en": self.label("en"),
        }

    def __str__(self) -> str:
        return self.id


def edition_on(day: date) -> str:
    """Units edition in force on a day (``"legacy"`` before 1 July 2025, else ``"2025"``).

    Examples
    --------
    >>> edition_on(date(2025, 6, 30)), edition_on(date(2025, 7, 1))
    ('legacy', '2025')
    """
    return "2025" if day >= REFORM_DATE else "legacy"


def parse_period(text: str | int | Period, cutoff: Cutoff | str | None = None) -> Period:
    """Parse ``2023-H1``, ``2023``, ``2023-Q2`` or Vietnamese ``6 tháng đầu năm 2023``.

    Parameters
    ----------
    text : str, int or Period
        The period as written.
    cutoff : Cutoff or str, optional
        Cut-off day of the period's dates (default :data:`DEFAULT_CUTOFF`; a Period
        passed in keeps its own unless one is given).

    Raises
    ------
    ValidationError
        When the text is not a period or the year is out of range.

    Examples
    --------
    >>> parse_period("6 tháng cuối năm 2024").id
    '2024-H2'
    >>> parse_period("Quý II/2022").id
    '2022-Q2'
    """
    if isinstance(text, Period):
        return text if cutoff is None else text.with_cutoff(cutoff)
    c = parse_cutoff(cutoff)
    s = str(text).strip()
    m = _RE.match(s)
    if m:
        year = int(m.group(1))
        part = (m.group(2) or "").upper()
        p = Period(year, part[0], int(part[1])) if part else Period(year, "Y", 0)
    elif m := _RE_VI_HALF.match(s):
        p = Period(int(m.group(2)), "H", 1 if m.group(1).lower() == "đầu" else 2)
    elif m := _RE_VI_YEAR.match(s):
        p = Period(int(m.group(1)), "Y", 0)
    elif m := _RE_VI_QUARTER.match(s):
        q = m.group(1).upper()
        p = Period(int(m.group(2)), "Q", _ROMAN.get(q) or int(q))
    else:
        raise ValidationError(
            f"'{s}' không phải kỳ báo cáo hợp lệ (ví dụ: 2023-H1, 2023, 2023-Q2, "
            "6 tháng đầu năm 2023).",
            f"'{s}' is not a valid reporting period (e.g. 2023-H1, 2023, 2023-Q2).",
        )
    if not MIN_YEAR <= p.year <= MAX_YEAR:
        raise ValidationError(
            f"Năm {p.year} của kỳ '{s}' nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}.",
            f"Year {p.year} of period '{s}' is outside {MIN_YEAR}–{MAX_YEAR}.",
        )
    return replace(p, cutoff=c)


def period_range(first: str | Period, last: str | Period,
                 cutoff: Cutoff | str | None = None) -> list[Period]:
    """All periods of the same kind from ``first`` to ``last`` inclusive.

    Examples
    --------
    >>> [p.id for p in period_range("2024-H2", "2025-H2")]
    ['2024-H2', '2025-H1', '2025-H2']
    """
    a, b = parse_period(first, cutoff), parse_period(last, cutoff)
    if a.kind != b.kind:
        raise ValidationError(
            f"Kỳ '{a}' và '{b}' không cùng loại.", f"Periods '{a}' and '{b}' differ in kind."
        )
    n = {"H": 2, "Q": 4, "Y": 1}[a.kind]
    out: list[Period] = []
    y, i = a.year, a.index
    while (y, i) <= (b.year, b.index):
        out.append(Period(y, a.kind, i, a.cutoff))
        if a.kind == "Y":
            y += 1
        else:
            i += 1
            if i > n:
                y, i = y + 1, 1
    return out


def plan_periods(start_year: int = 2021, end_year: int = 2025) -> list[Period]:
    """Half-year periods of a plan (2021–2025 gives 2021-H1 … 2025-H2, ten periods)."""
    return period_range(f"{start_year}-H1", f"{end_year}-H2")


def _index_in_year(day: date, c: Cutoff, months: int) -> tuple[int, int]:
    """``(year, index)`` of the period of ``months`` months containing ``day``."""
    year = day.year
    if (c.month, c.day) != (1, 1) and (day.month, day.day) >= (c.month, c.day):
        year += 1
    ys = c.year_start(year)
    elapsed = (day.year - ys.year) * 12 + day.month - ys.month - (day.day < ys.day)
    return year, elapsed // months + 1


def period_of(day: date, kind: str = "Y", cutoff: Cutoff | str | None = None) -> Period:
    """The period of a kind that contains a day, under a cut-off.

    Parameters
    ----------
    day : datetime.date
        The day.
    kind : {"Y", "H", "Q"}
        Year, half-year or quarter.
    cutoff : Cutoff or str, optional
        Default :data:`DEFAULT_CUTOFF` (QĐ 28: 15 December).

    Examples
    --------
    >>> [period_of(date(2025, m, d), "H").id for m, d in ((12, 14), (12, 15), (6, 15))]
    ['2025-H2', '2026-H1', '2025-H2']
    >>> period_of(date(2025, 12, 20), "Q", CALENDAR).id
    '2025-Q4'
    """
    if kind not in _MONTHS:
        raise ValidationError(f"Loại kỳ '{kind}' không hợp lệ (Y, H hoặc Q).",
                              f"Invalid period kind '{kind}' (Y, H or Q).")
    c = parse_cutoff(cutoff)
    year, index = _index_in_year(day, c, _MONTHS[kind])
    return Period(year, kind, 0 if kind == "Y" else index, c)


def period_ids(dates: Iterable | pd.Series, kind: str = "H",
               cutoff: Cutoff | str | None = None) -> np.ndarray:
    """Period id of each date (``2026-H1``, ``2026-Q1`` or ``2026``) under a cut-off.

    The vectorised form of :func:`period_of`, for dated records such as incidents.
    A missing or unreadable date gives ``None``.

    Examples
    --------
    >>> period_ids(["2025-12-14", "2025-12-15", None], "H").tolist()
    ['2025-H2', '2026-H1', None]
    >>> period_ids(["2025-12-15"], "Y", CALENDAR).tolist()
    ['2025']
    """
    if kind not in _MONTHS:
        raise ValidationError(f"Loại kỳ '{kind}' không hợp lệ (Y, H hoặc Q).",
                              f"Invalid period kind '{kind}' (Y, H or Q).")
    c = parse_cutoff(cutoff)
    d = pd.to_datetime(pd.Series(list(dates) if not isinstance(dates, pd.Series) else dates),
                       errors="coerce")
    ok = d.notna().to_numpy()
    y = d.dt.year.to_numpy(dtype=float)
    m = d.dt.month.to_numpy(dtype=float)
    dd = d.dt.day.to_numpy(dtype=float)
    year = y.copy()
    if (c.month, c.day) != (1, 1):
        year += (m > c.month) | ((m == c.month) & (dd >= c.day))
        sy, sm = year - 1, c.month
    else:
        sy, sm = year, 1
    elapsed = (y - sy) * 12 + m - sm - (dd < c.day)
    index = elapsed // _MONTHS[kind] + 1
    out = np.empty(len(d), dtype=object)
    for i in np.flatnonzero(ok):
        out[i] = str(int(year[i])) if kind == "Y" else f"{int(year[i])}-{kind}{int(index[i])}"
    return out
