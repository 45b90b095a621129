"""Reporting periods: half-years, years and quarters.

Provincial reports follow a 6-month and annual cycle (e.g. Sơn La KH 75: the
6-month report is due 10/6, the annual one 10/12). Periods are written as
``2023-H1`` (6 tháng đầu năm 2023), ``2023-H2``, ``2023`` (cả năm) and
``2023-Q1``.

Examples
--------
>>> p = parse_period("2023-H1")
>>> p.start, p.end
(datetime.date(2023, 1, 1), datetime.date(2023, 6, 30))
>>> p.label("vi")
'6 tháng đầu năm 2023'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from geo.errors import ValidationError

__all__ = ["EDITION_IDS", "REFORM_DATE", "Period", "edition_on", "parse_period",
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
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period.

    Attributes
    ----------
    year : int
    kind : {"H", "Y", "Q"}
        Half-year, year or quarter.
    index : int
        1–2 for halves, 1–4 for quarters, 0 for a year.
    """

    year: int
    kind: str
    index: int

    @property
    def id(self) -> str:
        """Canonical id: ``2023-H1``, ``2023``, ``2023-Q4``."""
        if self.kind == "Y":
            return str(self.year)
        return f"{self.year}-{self.kind}{self.index}"

    @property
    def start(self) -> date:
        """First day of the period."""
        if self.kind == "Y":
            return date(self.year, 1, 1)
        months = 6 if self.kind == "H" else 3
        return date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the period."""
        if self.kind == "Y":
            return date(self.year, 12, 31)
        months = 6 if self.kind == "H" else 3
        last_month = self.index * months
        if last_month == 12:
            return date(self.year, 12, 31)
        return date(self.year, last_month + 1, 1).fromordinal(
            date(self.year, last_month + 1, 1).toordinal() - 1
        )

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

    @property
    def edition(self) -> str:
        """Units edition the period's figures belong to: the units that exist on its last day.

        This is the one rule for which communes a period is recorded on. A period
        that ends before 1 July 2025 is recorded on the legacy communes; one that
        ends on or after it (2025-H2, the year 2025, 2025-Q3) on the 2025 communes,
        whose figures for the weeks before the reform come from their predecessors.

        Examples
        --------
        >>> [parse_period(p).edition for p in ("2025-Q2", "2025-H1", "2025-Q3", "2025")]
        ['legacy', 'legacy', '2025', '2025']
        """
        return edition_on(self.end)

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies within this period."""
        return self.start <= other.start and other.end <= self.end

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable description."""
        return {
            "id": self.id,
            "kind": {"H": "half", "Y": "year", "Q": "quarter"}[self.kind],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
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


def parse_period(text: str | int | Period) -> Period:
    """Parse ``2023-H1``, ``2023``, ``2023-Q2`` or Vietnamese ``6 tháng đầu năm 2023``.

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
        return text
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
    return p


def period_range(first: str, last: str) -> list[Period]:
    """All periods of the same kind from ``first`` to ``last`` inclusive.

    Examples
    --------
    >>> [p.id for p in period_range("2024-H2", "2025-H2")]
    ['2024-H2', '2025-H1', '2025-H2']
    """
    a, b = parse_period(first), parse_period(last)
    if a.kind != b.kind:
        raise ValidationError(
            f"Kỳ '{a}' và '{b}' không cùng loại.", f"Periods '{a}' and '{b}' differ in kind."
        )
    n = {"H": 2, "Q": 4, "Y": 1}[a.kind]
    out: list[Period] = []
    y, i = a.year, a.index
    while (y, i) <= (b.year, b.index):
        out.append(Period(y, a.kind, i))
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
