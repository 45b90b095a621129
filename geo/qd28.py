"""QĐ 28/2025/QĐ-TTg classification of communes and provinces, from rules kept as data.

The rules live in ``data/classification_qd28_2025.json``, written from the
Decision's text (Điều 4: communes of type I, II, III; Điều 5: the province; Điều 6:
drug-free communes). Each class lists criteria; a criterion has an id, the
article it comes from (``"4.1.a"``), the Decision's words (``quote_vi``), an
``enabled`` flag, an ``origin`` (``decision`` or ``province_added``) and a small
declarative condition over indicator ids of ``data/indicators.json``. Nothing is
evaluated from strings. The condition format:

value
    a number; an indicator id; ids joined by ``+`` (their sum); ``{"ratio": [value,
    value]}``; for province criteria ``{"share_of_communes": [class, ...]}``.
condition
    ``{"op": ">=", "left": value, "right": number}`` (also ``>``, ``<=``, ``<``,
    ``==``) — "từ … trở lên" is ``>=``, "dưới …" is ``<``;
    ``{"op": "in_range", "left": value, "min": number, "max": number}`` meaning
    ``min <= left < max`` ("từ … đến dưới …"); ``{"op": "any" | "all", "args":
    [...]}`` ("hoặc" / "và"); ``{"op": "criteria_count", "of": [ids], "band": class,
    "min": n}``: at least ``n`` of those criteria met in that class's band (or a
    more serious one) — criterion đ. A comparison may carry ``"above_zero_if":
    reading`` (the value must also be above zero while that reading is on).

Where the text is open, the file states a **reading** (``readings``: Vietnamese and
English text, the articles concerned, a value) and the engine follows it; a
province flips it through its overrides. The readings of QĐ 28/2025:
``precedence`` (I, then II, then III), ``bands_cumulative`` (a criterion met in a
more serious band counts for a lighter type), ``type_3_above_zero`` ("dưới 0,1%"
counts only above zero), ``route_counts_higher_bands`` (criterion đ's "loại II trở
lên"), ``drug_free_over_type_3`` (a commune meeting Điều 6 is drug-free even if it
meets a type III criterion) and ``residents_fallback_population``.

Missing data is never "not met": a figure that is absent or NaN, or a ratio over a
missing or zero denominator, makes a criterion *missing* (``any``/``all`` use
three-valued logic), a class is ruled out only when it could not hold whatever
the missing figures are, and a commune whose class depends on missing figures is
``undetermined`` ("chưa đủ số liệu") with the list of what is missing.

Rule sets are dated (``valid_from``/``valid_until``): :func:`load_rules` with
``year=`` picks the one in force on the assessment year's last day, so older,
count-based rule sets (before 24/8/2025) can be added as
``data/classification_*.json`` files of the same format.

A province overrides rules with flat keys, as a dict or a JSON file::

    {"type_1.addicts_ratio.right": 0.006,
     "type_2.plants.args.0.min": 400,
     "type_2.min_criteria": 3,
     "drug_free.no_plants_found.enabled": true,
     "readings.type_3_above_zero": false,
     "_source": "keys starting with _ are notes"}

Examples
--------
>>> df = pd.DataFrame({"residents": [10_000], "registered_addicts": [40],
...                    "illegal_users": [20], "drug_harbouring_places": [2],
...                    "drug_offenders_arrested": [10]},
...                   index=pd.Index(["04024"], name="unit_code"))
>>> classify(df, load_rules()).klass.tolist()
['type_1']
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import DATA_DIR
from geo.errors import NotFoundError, Problem, ValidationError
from geo.i18n import fmt_number, tr
from geo.vocab import QD28_CLASSES, QD28_PROVINCE_CLASSES

__all__ = [
    "CLASS_IDS",
    "COMMUNE_CLASSES",
    "FORMAT",
    "RESULTS",
    "RULES_FILE",
    "Assessment",
    "ClassRule",
    "CommuneResult",
    "Criterion",
    "CriterionResult",
    "ProvinceResult",
    "Reading",
    "RuleSet",
    "RuleSetInfo",
    "assess",
    "classify",
    "classify_province",
    "load_rules",
    "rule_sets",
]

#: The embedded QĐ 28/2025 rules.
RULES_FILE = DATA_DIR / "classification_qd28_2025.json"
#: Rule files are ``classification_*.json`` in this format.
FORMAT = "diaban.classification/2"
#: Classes a commune can take besides ``none`` and ``undetermined``.
COMMUNE_CLASSES: tuple[str, ...] = ("type_1", "type_2", "type_3", "drug_free")
CLASS_IDS = COMMUNE_CLASSES
#: Result of a criterion for a unit.
RESULTS: tuple[str, ...] = ("met", "not_met", "missing")

_CMP = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
        "==": np.equal}
_SYMBOL = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}
_LOGIC = ("any", "all")
_COUNT = "criteria_count"
#: Readings the engine knows, with the type of their value and the literal default
#: used when a rule set does not declare one.
_READINGS: dict[str, tuple[type, Any]] = {
    "precedence": (list, None),
    "bands_cumulative": (bool, False),
    "type_3_above_zero": (bool, False),
    "route_counts_higher_bands": (bool, True),
    "drug_free_over_type_3": (bool, False),
    "residents_fallback_population": (bool, False),
}


def _short(klass: str, lang: str) -> str:
    return QD28_CLASSES.short(klass, lang)


def _lc(text: str) -> str:
    """Lower-case the first letter only (``Loại II`` → ``loại II``)."""
    return text[:1].lower() + text[1:]


# ----------------------------------------------------------------- rule objects


@dataclass(frozen=True)
class Criterion:
    """One criterion of a class.

    Attributes
    ----------
    klass, id : str
        Class id (``type_1`` … ``drug_free``, or ``province``) and criterion id;
        ``qid`` is ``"klass.id"``. The same id in type_1, type_2 and type_3 is the
        same quantity in another band.
    article : str or None
        Article, clause and point of the Decision (``"4.1.a"``); None for a rule a
        province added.
    name_vi, name_en : str
        Short statement of the criterion.
    quote_vi : str
        The Decision's words.
    enabled : bool
        Whether it is counted.
    expr : dict or None
        The condition.
    origin : {"decision", "province_added"}
    note_vi, note_en : str
        Remarks (empty when there is nothing to say).
    """

    klass: str
    id: str
    article: str | None
    name_vi: str
    name_en: str
    quote_vi: str
    enabled: bool
    expr: dict | None
    origin: str = "decision"
    note_vi: str = ""
    note_en: str = ""

    @property
    def qid(self) -> str:
        """Qualified id, ``"type_1.addicts_ratio"``."""
        return f"{self.klass}.{self.id}"

    def name(self, lang: str = "vi") -> str:
        """Name in the language."""
        return tr(self.name_vi, self.name_en, lang)

    def indicators(self) -> list[str]:
        """Indicator ids the criterion reads, in order of appearance."""
        out: list[str] = []
        if self.expr is not None:
            _collect_ids(self.expr, out)
        return list(dict.fromkeys(out))

    @property
    def counts_criteria(self) -> bool:
        """True for a criterion that counts other criteria (criterion đ)."""
        return self.expr is not None and _has_op(self.expr, _COUNT)


@dataclass(frozen=True)
class ClassRule:
    """One class (or the province's rule): its criteria and how many must hold."""

    id: str
    article: str
    name_vi: str
    name_en: str
    quote_vi: str
    min_criteria: int | str
    criteria: tuple[Criterion, ...]

    @property
    def enabled(self) -> tuple[Criterion, ...]:
        """The criteria that are counted."""
        return tuple(c for c in self.criteria if c.enabled)

    @property
    def needed(self) -> int:
        """How many enabled criteria must hold."""
        return len(self.enabled) if self.min_criteria == "all" else int(self.min_criteria)

    @property
    def reachable(self) -> bool:
        """False when too few criteria are on for the class ever to hold."""
        return bool(self.enabled) and self.needed <= len(self.enabled)

    def name(self, lang: str = "vi") -> str:
        """Name in the language."""
        return tr(self.name_vi, self.name_en, lang)

    def short(self, lang: str = "vi") -> str:
        """Short label (``Loại I``) for tallies."""
        if self.id == "province":
            return tr("Cấp tỉnh", "Province", lang)
        return _short(self.id, lang)


@dataclass(frozen=True)
class Reading:
    """How the engine reads a point the Decision's text leaves open.

    Attributes
    ----------
    id : str
        ``precedence``, ``bands_cumulative``, ``type_3_above_zero``,
        ``route_counts_higher_bands``, ``drug_free_over_type_3`` or
        ``residents_fallback_population``.
    value : bool or list
        The reading in force (after a province's overrides).
    default : bool or list
        The rules file's value.
    articles : str
        Articles concerned.
    title_vi, title_en, vi, en, off_vi, off_en, switch_vi, switch_en : str
        Short title; what the reading does and why; what switching it off does;
        how a province switches it.
    """

    id: str
    value: Any
    default: Any
    articles: str = ""
    title_vi: str = ""
    title_en: str = ""
    vi: str = ""
    en: str = ""
    off_vi: str = ""
    off_en: str = ""
    switch_vi: str = ""
    switch_en: str = ""

    @property
    def changed(self) -> bool:
        """True when a province's override changed it."""
        return self.value != self.default

    def title(self, lang: str = "vi") -> str:
        """Short title in the language."""
        t = tr(self.title_vi, self.title_en, lang) or self.id
        if self.value is False:
            return tr(f"không áp dụng: {t}", f"not applied: {t}", lang)
        if isinstance(self.value, list):
            return tr("thứ tự xét ", "types tried ", lang) + " → ".join(
                _short(k, lang) for k in self.value)
        return t

    def text(self, lang: str = "vi") -> str:
        """What the engine does now, in the language (the off text when switched off)."""
        if self.value is False:
            return tr(self.off_vi, self.off_en, lang) or self.title(lang)
        if isinstance(self.value, list) and self.changed:
            return self.title(lang) + tr(" (tỉnh đã đổi thứ tự).", " (order set by the province).",
                                         lang)
        return tr(self.vi, self.en, lang)

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable description."""
        return {"id": self.id, "value": self.value, "default": self.default,
                "changed": self.changed, "articles": self.articles,
                "title": self.title(lang), "text": self.text(lang),
                "switch": tr(self.switch_vi, self.switch_en, lang)}


@dataclass(frozen=True)
class RuleSetInfo:
    """A rules file found on disk: its id and the dates it applies between."""

    id: str
    path: Path
    valid_from: date
    valid_until: date | None
    name_vi: str
    name_en: str

    def in_force(self, day: date) -> bool:
        """Whether the rules apply on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class RuleSet:
    """Loaded (and possibly overridden) classification rules.

    Attributes
    ----------
    raw : dict
        The rules document after overrides.
    classes : tuple of ClassRule
        The commune classes, in the file's order.
    province : ClassRule or None
        The province's rule (Điều 5), when the rule set has one.
    readings : dict
        ``{id: Reading}``.
    path : Path
        File the rules came from.
    overrides : dict
        The overrides applied (notes starting with ``_`` dropped).
    notes : tuple of (str, str)
        ``(vi, en)`` remarks, e.g. rules applied to a year before they took effect.
    """

    raw: dict
    classes: tuple[ClassRule, ...]
    province: ClassRule | None
    readings: dict[str, Reading]
    path: Path
    overrides: dict = field(default_factory=dict)
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        """Rule set id (``qd28_2025``)."""
        return str(self.raw.get("id", self.path.stem))

    @property
    def valid_from(self) -> date:
        """First day the rules apply."""
        return date.fromisoformat(self.raw["valid_from"])

    @property
    def valid_until(self) -> date | None:
        """Last day the rules apply (None: still in force)."""
        v = self.raw.get("valid_until")
        return date.fromisoformat(v) if v else None

    def name(self, lang: str = "vi") -> str:
        """Name of the rule set."""
        return tr(self.raw.get("name_vi", self.id), self.raw.get("name_en", self.id), lang)

    def citation(self, lang: str = "vi") -> str:
        """Full reference of the legal text."""
        c = self.raw.get("citation", {})
        return tr(c.get("vi", self.name("vi")), c.get("en", self.name("en")), lang)

    def reading(self, rid: str) -> Any:
        """Value of a reading (the literal default when the rule set does not declare it)."""
        if rid in self.readings:
            return self.readings[rid].value
        if rid == "precedence":
            return list(self.severity)
        return _READINGS[rid][1]

    @property
    def severity(self) -> tuple[str, ...]:
        """Key-area classes from the most to the least serious (bands order)."""
        return tuple(self.raw.get("severity") or [k for k in COMMUNE_CLASSES[:3]
                                                  if k in self.raw["classes"]])

    @property
    def order(self) -> tuple[str, ...]:
        """Classes in the order they are tried (readings ``precedence`` and
        ``drug_free_over_type_3``).
        """
        ids = {k.id for k in self.classes}
        keys = [k for k in self.reading("precedence") if k in ids]
        if "drug_free" in ids:
            if self.reading("drug_free_over_type_3") and "type_3" in keys:
                keys.insert(keys.index("type_3"), "drug_free")
            else:
                keys.append("drug_free")
        return tuple(keys)

    def get(self, klass: str) -> ClassRule:
        """Return one class (or ``"province"``) by id."""
        if klass == "province" and self.province is not None:
            return self.province
        for c in self.classes:
            if c.id == klass:
                return c
        raise NotFoundError(f"Không có lớp '{klass}'.", f"No class '{klass}'.")

    def criteria(self) -> list[Criterion]:
        """Every commune criterion of every class, in the file's order."""
        return [c for k in self.classes for c in k.criteria]

    def in_force(self, day: date) -> bool:
        """Whether the rules apply on ``day``."""
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def disabled_criteria(self, lang: str = "vi") -> list[str]:
        """Labels of the Decision's criteria that are switched off, for the UI.

        Rules a province may add (``origin: province_added``) are off by default
        and not listed while off.
        """
        out = []
        for k in (*self.classes, *([self.province] if self.province else [])):
            for c in k.criteria:
                if not c.enabled and c.origin == "decision":
                    note = tr(c.note_vi, c.note_en, lang)
                    out.append(f"{k.short(lang)} — {c.article or ''} {c.name(lang)}"
                               + (f" ({note})" if note else ""))
        return out

    def unreachable_classes(self, lang: str = "vi") -> list[str]:
        """Messages for the classes that cannot be assigned with the criteria now on."""
        out = []
        for k in self.classes:
            if not k.enabled:
                out.append(tr(f"{k.short('vi')}: chưa bật tiêu chí nào — chưa thể xác định "
                              "loại này.",
                              f"{k.short('en')}: no criterion is on — this class cannot be "
                              "assigned.", lang))
            elif not k.reachable:
                out.append(tr(
                    f"{k.short('vi')}: cần {k.needed} tiêu chí nhưng mới bật "
                    f"{len(k.enabled)} — chưa thể xác định loại này.",
                    f"{k.short('en')}: needs {k.needed} criteria but only "
                    f"{len(k.enabled)} are on — this class cannot be assigned.", lang))
        return out

    def readings_text(self, lang: str = "vi") -> list[str]:
        """One sentence per reading in force, to show next to the classes."""
        return [f"{r.title(lang)}: {r.text(lang)}" for r in self.readings.values()]

    def thresholds(self) -> dict[str, Any]:
        """Every key an override may set, with its current value."""
        out: dict[str, Any] = {}
        for k in (*self.classes, *([self.province] if self.province else [])):
            out[f"{k.id}.min_criteria"] = k.min_criteria
            for c in k.criteria:
                out[f"{c.qid}.enabled"] = c.enabled
                if c.expr is not None:
                    for path, value in _threshold_leaves(c.expr, ""):
                        out[f"{c.qid}.{path}"] = value
        for rid, r in self.readings.items():
            out[f"readings.{rid}"] = r.value
        return out

    def with_readings(self, **values: Any) -> RuleSet:
        """The same rules with some readings set (e.g. ``type_3_above_zero=False``)."""
        rd = dict(self.readings)
        for rid, v in values.items():
            rd[rid] = replace(rd[rid], value=v) if rid in rd else Reading(rid, v, v)
        return replace(self, readings=rd)

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable summary: id, validity, citation, readings, overrides, notes."""
        return {"id": self.id, "name": self.name(lang), "citation": self.citation(lang),
                "valid_from": self.valid_from.isoformat(),
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "file": self.path.name, "order": list(self.order),
                "readings": [r.to_dict(lang) for r in self.readings.values()],
                "overrides": dict(self.overrides),
                "notes": [tr(vi, en, lang) for vi, en in self.notes]}


# ----------------------------------------------------------------- loading


def rule_sets(directory: str | Path | None = None) -> list[RuleSetInfo]:
    """The rules files (``classification_*.json``) of a folder, oldest first.

    Parameters
    ----------
    directory : str or Path, optional
        Default the embedded ``data/`` folder.

    Raises
    ------
    ValidationError
        A file is not a rules file of the expected format.

    Examples
    --------
    >>> [r.id for r in rule_sets()]
    ['qd28_2025']
    """
    d = Path(directory) if directory is not None else DATA_DIR
    out = []
    for p in sorted(d.glob("classification_*.json")):
        raw = _read_json(p)
        probs = _check_header(raw, p.name)
        if probs:
            raise ValidationError("Tệp quy tắc phân loại không hợp lệ.",
                                  "The classification rules file is invalid.",
                                  problems=probs, file=p.name)
        out.append(RuleSetInfo(str(raw.get("id", p.stem)), p,
                               date.fromisoformat(raw["valid_from"]),
                               date.fromisoformat(raw["valid_until"])
                               if raw.get("valid_until") else None,
                               raw.get("name_vi", p.stem), raw.get("name_en", p.stem)))
    return sorted(out, key=lambda r: r.valid_from)


def _select(year: Any, cutoff: Any, directory: str | Path | None
            ) -> tuple[Path, tuple[tuple[str, str], ...]]:
    """The rules file in force on the last day of ``year``, and a note when none is."""
    from geo.periods import parse_period

    per = parse_period(year, cutoff)
    day = per.end
    sets = rule_sets(directory)
    if not sets:
        raise NotFoundError("Không có tệp quy tắc phân loại nào.",
                            "No classification rules file.")
    now = [r for r in sets if r.in_force(day)]
    if now:
        return now[-1].path, ()
    later = [r for r in sets if r.valid_from > day]
    chosen = later[0] if later else sets[-1]
    when = f"{day.day}/{day.month}/{day.year}"
    start = f"{chosen.valid_from.day}/{chosen.valid_from.month}/{chosen.valid_from.year}"
    note = (f"Kỳ {per.id} (kết thúc {when}) chưa có bộ tiêu chí có hiệu lực trong dữ liệu; "
            f"áp dụng {chosen.name_vi} (hiệu lực từ {start}) để so sánh, không phải tiêu chí "
            "đang áp dụng khi đó.",
            f"No rule set in the data was in force for {per.id} (ending {when}); "
            f"{chosen.name_en} (in force from {chosen.valid_from.isoformat()}) is applied for "
            "comparison, not the rules of the time.")
    return chosen.path, (note,)


def load_rules(path: str | Path | None = None,
               overrides: Mapping[str, Any] | str | Path | None = None, *,
               year: int | str | Any | None = None, cutoff: Any = None,
               directory: str | Path | None = None, source: str | None = None) -> RuleSet:
    """Load the classification rules and apply a province's overrides.

    Parameters
    ----------
    path : str or Path, optional
        Rules file. Default: the rule set in force for ``year`` (among
        ``directory``'s ``classification_*.json``), or the QĐ 28/2025 rules
        (:data:`RULES_FILE`) when no year is given.
    overrides : dict, str or Path, optional
        Flat ``{"class.criterion.field": value}`` (or a JSON file holding one):
        ``enabled`` (bool); a threshold of the condition — ``right``, ``min`` or
        ``max``, reached through ``args.<i>`` inside ``any``/``all`` (e.g.
        ``type_1.plants.args.1.right``); ``class.min_criteria`` (a positive int
        or ``"all"``); ``province.…`` likewise; ``readings.<id>`` (true/false, or
        the order of the key classes for ``readings.precedence``). Keys starting
        with ``_`` are notes and ignored. :meth:`RuleSet.thresholds` lists every
        key.
    year : int, str or Period, optional
        Assessment year (or any period): the rule set in force on its last day is
        used. When none was in force, the next one is applied with a note.
    cutoff : Cutoff or str, optional
        Cut-off day of the assessment year (default QĐ 28's 15 December).
    directory : str or Path, optional
        Where to look for rule sets (default ``data/``).
    source : str, optional
        Name of where dict overrides come from, for messages (a file's name is
        used by itself).

    Returns
    -------
    RuleSet

    Raises
    ------
    NotFoundError
        When a file does not exist.
    ValidationError
        When the rules file is malformed, or an override names an unknown class,
        criterion, field or reading, gives a value of the wrong type or kind (a
        ratio above 1, a count that is not whole, a flag other than 0/1),
        switches on a criterion whose threshold is unknown (``null``), or leaves a
        band whose lower end is not below its upper end. Every problem is listed,
        naming the file and the key; nothing is applied.

    Examples
    --------
    >>> r = load_rules(overrides={"type_1.addicts_ratio.right": 0.006})
    >>> r.thresholds()["type_1.addicts_ratio.right"]
    0.006
    >>> load_rules(year=2026).id
    'qd28_2025'
    """
    notes: tuple[tuple[str, str], ...] = ()
    if path is not None:
        src = Path(path)
    elif year is not None:
        src, notes = _select(year, cutoff, directory)
    else:
        src = RULES_FILE
    raw = _read_json(src)
    _check_document(raw, src.name)
    raw = copy.deepcopy(raw)
    applied: dict[str, Any] = {}
    ov_name = source
    if overrides is not None:
        if isinstance(overrides, (str, Path)):
            ov_name = Path(overrides).name
            overrides = _read_json(Path(overrides))
        if not isinstance(overrides, Mapping):
            raise ValidationError(
                "Tệp ghi đè phải là một đối tượng JSON {\"lop.tieu_chi.truong\": giá trị}.",
                "Overrides must be a JSON object {\"class.criterion.field\": value}.",
                file=ov_name)
        applied = _apply_overrides(raw, dict(overrides), ov_name)
    _check_enabled(raw, ov_name or src.name, bool(applied))
    classes, province = _build(raw)
    return RuleSet(raw=raw, classes=classes, province=province, readings=_readings(raw),
                   path=src, overrides=applied, notes=notes)


def _read_json(p: Path) -> Any:
    if not p.exists():
        raise NotFoundError(f"Không tìm thấy tệp {p}.", f"File not found: {p}.", file=p.name)
    try:
        return json.loads(p.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValidationError(f"Tệp không phải JSON hợp lệ: {e}.",
                              f"Not valid JSON: {e}.", file=p.name) from None


@functools.lru_cache(maxsize=1)
def _catalog() -> dict[str, Any]:
    from geo.indicators import load_catalog

    return {i.id: i for i in load_catalog()}


def _check_header(raw: Any, fname: str) -> list[Problem]:
    probs: list[Problem] = []
    if not isinstance(raw, dict):
        return [Problem("Tệp quy tắc phải là một đối tượng JSON.",
                        "A rules file must be a JSON object.", file=fname)]
    if raw.get("format") != FORMAT:
        probs.append(Problem(
            f"'format' phải là \"{FORMAT}\" (tệp có \"{raw.get('format')}\").",
            f"'format' must be \"{FORMAT}\" (the file has \"{raw.get('format')}\").",
            file=fname))
    dates = []
    for k in ("valid_from", "valid_until"):
        v = raw.get(k)
        if v is None and k == "valid_until":
            continue
        try:
            dates.append(date.fromisoformat(str(v)))
        except ValueError:
            probs.append(Problem(f"'{k}' phải là ngày dạng YYYY-MM-DD (có '{v}').",
                                 f"'{k}' must be a YYYY-MM-DD date (got '{v}').", file=fname))
    if len(dates) == 2 and dates[1] < dates[0]:
        probs.append(Problem("'valid_until' trước 'valid_from'.",
                             "'valid_until' is before 'valid_from'.", file=fname))
    return probs


def _check_document(raw: Any, fname: str) -> None:
    """Validate the structure of a rules document; raise with every problem."""
    probs = _check_header(raw, fname)

    def bad(vi: str, en: str) -> None:
        probs.append(Problem(vi, en, file=fname))

    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict):
        raise ValidationError("Tệp quy tắc thiếu mục 'classes'.",
                              "The rules file has no 'classes'.", problems=probs, file=fname)
    cat = _catalog()
    classes = raw["classes"]
    for cid in classes:
        if cid not in COMMUNE_CLASSES:
            bad(f"Lớp '{cid}' không hợp lệ (chỉ gồm {', '.join(COMMUNE_CLASSES)}).",
                f"Invalid class '{cid}' (allowed: {', '.join(COMMUNE_CLASSES)}).")
    sev = raw.get("severity", [k for k in COMMUNE_CLASSES[:3] if k in classes])
    if not isinstance(sev, list) or not set(sev) <= (set(classes) & set(COMMUNE_CLASSES[:3])):
        bad("'severity' phải liệt kê các loại trọng điểm có trong 'classes' (type_1, type_2, "
            "type_3), nặng nhất trước.",
            "'severity' must list the key-area classes of 'classes' (type_1, type_2, type_3), "
            "most serious first.")
        sev = []
    readings = raw.get("readings", {})
    if not isinstance(readings, dict):
        bad("'readings' phải là một đối tượng.", "'readings' must be an object.")
        readings = {}
    for rid, r in readings.items():
        if rid not in _READINGS or not isinstance(r, dict) or "value" not in r:
            bad(f"Cách hiểu '{rid}' không hợp lệ (có: {', '.join(_READINGS)}; mỗi mục cần "
                "'value').",
                f"Invalid reading '{rid}' (known: {', '.join(_READINGS)}; each needs 'value').")
            continue
        err = _check_reading(rid, r["value"], sev)
        if err:
            bad(f"readings.{rid}: {err[0]}", f"readings.{rid}: {err[1]}")
    for key, d in (raw.get("denominators") or {}).items():
        for ind in (key, d.get("fallback")):
            if ind is not None and ind not in cat:
                bad(f"denominators: chỉ tiêu '{ind}' không có trong danh mục.",
                    f"denominators: indicator '{ind}' is not in the catalog.")
    sections = [(cid, cls) for cid, cls in classes.items()]
    if raw.get("province") is not None:
        sections.append(("province", raw["province"]))
    for cid, cls in sections:
        if not isinstance(cls, dict) or not isinstance(cls.get("criteria"), list):
            bad(f"Lớp '{cid}' thiếu danh sách 'criteria'.", f"Class '{cid}' has no 'criteria'.")
            continue
        m = cls.get("min_criteria")
        n = len(cls["criteria"])
        if not (m == "all" or (_is_int(m) and 1 <= m <= n)):
            bad(f"{cid}.min_criteria phải là số nguyên từ 1 đến {n} hoặc \"all\".",
                f"{cid}.min_criteria must be an integer 1..{n} or \"all\".")
        seen: set[str] = set()
        for crit in cls["criteria"]:
            if not isinstance(crit, dict) or not isinstance(crit.get("id"), str) \
                    or "." in crit["id"]:
                bad(f"{cid}: mỗi tiêu chí cần một 'id' (không có dấu chấm).",
                    f"{cid}: every criterion needs an 'id' (without dots).")
                continue
            qid = f"{cid}.{crit['id']}"
            if crit["id"] in seen:
                bad(f"{qid}: trùng id.", f"{qid}: duplicate id.")
            seen.add(crit["id"])
            if not isinstance(crit.get("enabled"), bool):
                bad(f"{qid}.enabled phải là true/false.", f"{qid}.enabled must be true/false.")
            if crit.get("origin", "decision") not in ("decision", "province_added"):
                bad(f"{qid}.origin phải là \"decision\" hoặc \"province_added\".",
                    f"{qid}.origin must be \"decision\" or \"province_added\".")
            for k in ("name_vi", "name_en"):
                if not isinstance(crit.get(k), str):
                    bad(f"{qid} thiếu '{k}'.", f"{qid} has no '{k}'.")
            if crit.get("expr") is not None:
                for vi, en in _check_cond(crit["expr"], cat, qid, cid, classes, sev,
                                          readings):
                    bad(vi, en)
    if probs:
        raise ValidationError("Tệp quy tắc phân loại không hợp lệ.",
                              "The classification rules file is invalid.",
                              problems=probs, file=fname)


def _check_reading(rid: str, value: Any, severity: Sequence[str]) -> tuple[str, str] | None:
    kind = _READINGS[rid][0]
    if kind is bool and not isinstance(value, bool):
        return ("phải là true hoặc false.", "must be true or false.")
    if kind is list and (not isinstance(value, list) or sorted(map(str, value))
                         != sorted(severity)):
        return (f"phải là một thứ tự của {json.dumps(list(severity))}.",
                f"must be an order of {json.dumps(list(severity))}.")
    return None


def _check_cond(c: Any, cat: Mapping[str, Any], where: str, cid: str, classes: Mapping,
                sev: Sequence[str], readings: Mapping) -> list[tuple[str, str]]:
    if not isinstance(c, dict):
        return [(f"{where}: điều kiện phải là một đối tượng.",
                 f"{where}: a condition must be an object.")]
    op = c.get("op")
    if op in _LOGIC:
        args = c.get("args")
        if not isinstance(args, list) or not args:
            return [(f"{where}: '{op}' cần danh sách 'args'.", f"{where}: '{op}' needs 'args'.")]
        return [p for i, a in enumerate(args)
                for p in _check_cond(a, cat, f"{where}.args.{i}", cid, classes, sev, readings)]
    if op == _COUNT:
        out = []
        band, of = c.get("band"), c.get("of")
        if cid == "province" or band not in sev:
            out.append((f"{where}: 'band' phải là một loại trọng điểm ({', '.join(sev)}).",
                        f"{where}: 'band' must be a key-area class ({', '.join(sev)})."))
        elif not isinstance(of, list) or not of:
            out.append((f"{where}: 'of' phải là danh sách id tiêu chí.",
                        f"{where}: 'of' must be a list of criterion ids."))
        else:
            upto = sev[:list(sev).index(band) + 1]
            for q in of:
                owners = [k for k in upto
                          for x in classes[k].get("criteria", []) if x.get("id") == q]
                counting = [k for k in upto for x in classes[k].get("criteria", [])
                            if x.get("id") == q and _has_op(x.get("expr") or {}, _COUNT)]
                if not owners or counting:
                    out.append((f"{where}: 'of' có '{q}' không phải tiêu chí a–d của "
                                f"{', '.join(upto)}.",
                                f"{where}: 'of' names '{q}', not a plain criterion of "
                                f"{', '.join(upto)}."))
        m = c.get("min")
        if not (_is_int(m) and 1 <= m <= len(of or [])):
            out.append((f"{where}.min phải là số nguyên từ 1 đến số tiêu chí trong 'of'.",
                        f"{where}.min must be an integer from 1 to the number in 'of'."))
        return out
    if op in _CMP:
        keys = ("right",)
    elif op == "in_range":
        keys = ("min", "max")
    else:
        return [(f"{where}: phép so sánh '{op}' không được hỗ trợ.",
                 f"{where}: unsupported op '{op}'.")]
    out = _check_value(c.get("left"), cat, f"{where}.left", cid)
    for k in keys:
        v = c.get(k, "absent")
        if v is not None and not _is_number(v):
            out.append((f"{where}.{k} phải là số hoặc null.",
                        f"{where}.{k} must be a number or null."))
    rz = c.get("above_zero_if")
    if rz is not None and rz not in readings:
        out.append((f"{where}.above_zero_if: cách hiểu '{rz}' không có trong 'readings'.",
                    f"{where}.above_zero_if: reading '{rz}' is not in 'readings'."))
    return out


def _check_value(v: Any, cat: Mapping[str, Any], where: str, cid: str) -> list[tuple[str, str]]:
    if _is_number(v):
        return []
    if isinstance(v, str):
        unknown = [p for p in v.split("+") if p.strip() not in cat]
        return [(f"{where}: chỉ tiêu '{u}' không có trong danh mục.",
                 f"{where}: indicator '{u}' is not in the catalog.") for u in unknown]
    if isinstance(v, dict) and set(v) == {"ratio"} and isinstance(v["ratio"], list) \
            and len(v["ratio"]) == 2:
        return [p for i, x in enumerate(v["ratio"])
                for p in _check_value(x, cat, f"{where}.{i}", cid)]
    if isinstance(v, dict) and set(v) == {"share_of_communes"} and cid == "province" \
            and isinstance(v["share_of_communes"], list) \
            and set(v["share_of_communes"]) <= set(COMMUNE_CLASSES):
        return []
    return [(f"{where}: giá trị phải là số, mã chỉ tiêu hoặc {{\"ratio\": [a, b]}}.",
             f"{where}: a value must be a number, an indicator id or {{\"ratio\": [a, b]}}.")]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _has_op(expr: Any, op: str) -> bool:
    if not isinstance(expr, dict):
        return False
    if expr.get("op") == op:
        return True
    return any(_has_op(a, op) for a in expr.get("args", []) or [])


def _threshold_leaves(expr: dict, prefix: str) -> list[tuple[str, Any]]:
    """``(path, value)`` of every threshold of a condition, paths relative to it."""
    if expr.get("op") in _LOGIC:
        return [leaf for i, a in enumerate(expr["args"])
                for leaf in _threshold_leaves(a, f"{prefix}args.{i}.")]
    if expr.get("op") == _COUNT:
        return [(f"{prefix}min", expr.get("min"))]
    keys = ("min", "max") if expr.get("op") == "in_range" else ("right",)
    return [(f"{prefix}{k}", expr.get(k)) for k in keys]


def _leaf_kind(leaf: dict, cat: Mapping[str, Any]) -> str:
    """What a threshold of this comparison measures: ratio, integer, number, flag, count."""
    if leaf.get("op") == _COUNT:
        return "count"
    left = leaf.get("left")
    if isinstance(left, dict):
        return "ratio"
    if isinstance(left, str):
        types = {getattr(cat.get(p.strip()), "value_type", "number") for p in left.split("+")}
        if "flag" in types:
            return "flag"
        return "integer" if types == {"integer"} else "number"
    return "number"


def _section(raw: dict, name: str) -> dict | None:
    if name == "province":
        return raw.get("province")
    return raw["classes"].get(name)


def _apply_overrides(raw: dict, overrides: dict, fname: str | None) -> dict:
    probs: list[Problem] = []
    applied: dict[str, Any] = {}
    cat = _catalog()

    def bad(key: str, vi: str, en: str) -> None:
        probs.append(Problem(f"Khóa '{key}': {vi}", f"Key '{key}': {en}", file=fname))

    classes, province = _build(raw)
    known = RuleSet(raw, classes, province, _readings(raw), RULES_FILE).thresholds()
    sections = [*raw["classes"], *(["province"] if raw.get("province") else []), "readings"]

    def hint(key: str) -> tuple[str, str]:
        near = difflib.get_close_matches(key, list(known), n=1)
        return ((f" Có phải '{near[0]}'?", f" Did you mean '{near[0]}'?") if near else ("", ""))

    for key, value in overrides.items():
        if not isinstance(key, str):
            bad(str(key), "khóa phải là chuỗi.", "keys must be strings.")
            continue
        if key.startswith("_"):
            continue
        parts = key.split(".")
        if parts[0] == "readings":
            rid = ".".join(parts[1:])
            if rid not in raw.get("readings", {}):
                h = hint(key)
                bad(key, f"không có cách hiểu '{rid}' (có: "
                    f"{', '.join(raw.get('readings', {}))}).{h[0]}",
                    f"no reading '{rid}' (readings: {', '.join(raw.get('readings', {}))})."
                    f"{h[1]}")
                continue
            sev = raw.get("severity") or [k for k in COMMUNE_CLASSES[:3] if k in raw["classes"]]
            err = _check_reading(rid, value, sev)
            if err:
                bad(key, *err)
                continue
            r = raw["readings"][rid]
            r.setdefault("default", r["value"])
            r["value"] = value
            applied[key] = value
            continue
        cls = _section(raw, parts[0])
        if cls is None:
            bad(key, f"không có lớp '{parts[0]}' (có: {', '.join(sections)}).",
                f"no class '{parts[0]}' (classes: {', '.join(sections)}).")
            continue
        if parts[1:] == ["min_criteria"]:
            n = len(cls["criteria"])
            if value == "all" or (_is_int(value) and 1 <= value <= n):
                cls["min_criteria"] = value
                applied[key] = value
            else:
                bad(key, f"phải là số nguyên từ 1 đến {n} hoặc \"all\".",
                    f"must be an integer 1..{n} or \"all\".")
            continue
        crit = next((c for c in cls["criteria"] if len(parts) > 1 and c["id"] == parts[1]),
                    None)
        if crit is None:
            h = hint(key)
            ids = ", ".join(c["id"] for c in cls["criteria"])
            name = parts[1] if len(parts) > 1 else ""
            bad(key, f"không có tiêu chí '{name}' trong {parts[0]} (có: {ids}).{h[0]}",
                f"no criterion '{name}' in {parts[0]} (criteria: {ids}).{h[1]}")
            continue
        if parts[2:] == ["enabled"]:
            if isinstance(value, bool):
                crit["enabled"] = value
                applied[key] = value
            else:
                bad(key, "phải là true hoặc false.", "must be true or false.")
            continue
        if key not in known or key.endswith(".enabled"):
            h = hint(key)
            bad(key, "không phải ngưỡng ghi đè được." + h[0],
                "is not an overridable threshold." + h[1])
            continue
        node = crit["expr"]
        for p in parts[2:-1]:
            node = node[int(p)] if p.isdigit() else node[p]
        kind = _leaf_kind(node, cat)
        err = _check_threshold(value, kind, node)
        if err:
            bad(key, *err)
            continue
        node[parts[-1]] = value
        applied[key] = value
    if probs:
        raise ValidationError("Có ghi đè quy tắc không hợp lệ; chưa áp dụng ghi đè nào.",
                              "Invalid rule overrides; none were applied.",
                              problems=probs, file=fname)
    return applied


def _check_threshold(value: Any, kind: str, node: dict) -> tuple[str, str] | None:
    """Why ``value`` cannot be a threshold of this kind (None when it can)."""
    if value is None:
        return None  # unknown; refused later if the criterion is on
    if not _is_number(value):
        return ("phải là một số (hoặc null: chưa biết).",
                "must be a number (or null: unknown).")
    if value < 0:
        return ("phải là số không âm.", "must not be negative.")
    if kind == "ratio" and value > 1:
        return ("là tỷ lệ nên phải từ 0 đến 1 (0,5% viết là 0.005).",
                "is a ratio, so it must be between 0 and 1 (0.5% is 0.005).")
    if kind == "flag" and value not in (0, 1):
        return ("là chỉ tiêu có/không nên chỉ nhận 1 (có) hoặc 0 (không).",
                "is a yes/no figure, so it must be 1 (yes) or 0 (no).")
    if kind in ("integer", "count") and float(value) != int(value):
        return ("là số đếm (người, điểm, cây, tiêu chí) nên phải là số nguyên.",
                "is a count (people, places, plants, criteria), so it must be a whole number.")
    if kind == "count" and not 1 <= value <= len(node.get("of", [])):
        n = len(node.get("of", []))
        return (f"là số tiêu chí nên phải từ 1 đến {n}.",
                f"is a number of criteria, so it must be 1 to {n}.")
    return None


def _check_enabled(raw: dict, fname: str, overridden: bool) -> None:
    """An enabled criterion needs every threshold set and non-empty bands."""
    probs: list[Problem] = []
    sections = [(cid, cls) for cid, cls in raw["classes"].items()]
    if raw.get("province"):
        sections.append(("province", raw["province"]))
    for cid, cls in sections:
        for crit in cls["criteria"]:
            qid = f"{cid}.{crit['id']}"
            if crit.get("expr") is None:
                if crit["enabled"]:
                    probs.append(Problem(
                        f"Khóa '{qid}.enabled': tiêu chí chưa có điều kiện nên không bật được.",
                        f"Key '{qid}.enabled': the criterion has no condition and cannot be on.",
                        file=fname))
                continue
            for path, v in _threshold_leaves(crit["expr"], ""):
                if crit["enabled"] and v is None:
                    probs.append(Problem(
                        f"Khóa '{qid}.{path}': chưa có ngưỡng (null) nên chưa bật được "
                        f"{qid} — hãy ghi đè '{qid}.{path}' bằng một số, hoặc tắt tiêu chí.",
                        f"Key '{qid}.{path}': the threshold is unknown (null), so {qid} cannot "
                        f"be on — override '{qid}.{path}' with a number, or switch it off.",
                        file=fname))
            for path, node in _ranges(crit["expr"], ""):
                lo, hi = node.get("min"), node.get("max")
                if lo is not None and hi is not None and lo >= hi:
                    probs.append(Problem(
                        f"Khóa '{qid}.{path}min' / '{qid}.{path}max': cận dưới "
                        f"{fmt_number(lo, 'vi', 4).rstrip('0').rstrip(',')} không nhỏ hơn cận "
                        f"trên {fmt_number(hi, 'vi', 4).rstrip('0').rstrip(',')} — khoảng rỗng.",
                        f"Key '{qid}.{path}min' / '{qid}.{path}max': the lower end {lo} is not "
                        f"below the upper end {hi} — an empty band.", file=fname))
    if probs:
        if overridden:
            raise ValidationError("Có ghi đè quy tắc không hợp lệ; chưa áp dụng ghi đè nào.",
                                  "Invalid rule overrides; none were applied.",
                                  problems=probs, file=fname)
        raise ValidationError("Quy tắc phân loại không dùng được.",
                              "The classification rules cannot be used.",
                              problems=probs, file=fname)


def _ranges(expr: dict, prefix: str) -> list[tuple[str, dict]]:
    if expr.get("op") in _LOGIC:
        return [n for i, a in enumerate(expr["args"])
                for n in _ranges(a, f"{prefix}args.{i}.")]
    return [(prefix, expr)] if expr.get("op") == "in_range" else []


def _build_class(cid: str, cls: dict) -> ClassRule:
    crits = tuple(Criterion(
        klass=cid, id=c["id"], article=c.get("article"), name_vi=c["name_vi"],
        name_en=c["name_en"], quote_vi=c.get("quote_vi", ""), enabled=c["enabled"],
        expr=c.get("expr"), origin=c.get("origin", "decision"),
        note_vi=c.get("note_vi", ""), note_en=c.get("note_en", "")) for c in cls["criteria"])
    return ClassRule(cid, cls.get("article", ""), cls.get("name_vi", cid),
                     cls.get("name_en", cid), cls.get("quote_vi", ""), cls["min_criteria"],
                     crits)


def _build(raw: dict) -> tuple[tuple[ClassRule, ...], ClassRule | None]:
    classes = tuple(_build_class(cid, cls) for cid, cls in raw["classes"].items())
    prov = raw.get("province")
    return classes, (_build_class("province", prov) if prov else None)


def _readings(raw: dict) -> dict[str, Reading]:
    out = {}
    for rid, r in (raw.get("readings") or {}).items():
        out[rid] = Reading(rid, r["value"], r.get("default", r["value"]),
                           r.get("articles", ""), r.get("title_vi", ""), r.get("title_en", ""),
                           r.get("vi", ""), r.get("en", ""), r.get("off_vi", ""),
                           r.get("off_en", ""), r.get("switch_vi", ""), r.get("switch_en", ""))
    return out


def _collect_ids(node: Any, out: list[str]) -> None:
    if isinstance(node, str):
        out.extend(p.strip() for p in node.split("+"))
    elif isinstance(node, dict):
        if "ratio" in node:
            for x in node["ratio"]:
                _collect_ids(x, out)
        elif node.get("op") in _LOGIC:
            for a in node["args"]:
                _collect_ids(a, out)
        elif node.get("op") != _COUNT:
            _collect_ids(node.get("left"), out)


# ----------------------------------------------------------------- evaluation


def _fallbacks(rules: RuleSet) -> dict[str, str]:
    out = {}
    for key, d in (rules.raw.get("denominators") or {}).items():
        fb, rid = d.get("fallback"), d.get("reading")
        if fb and (rid is None or rules.reading(rid)):
            out[key] = fb
    return out


class _Frame:
    """Numeric columns of the input, read once; absent columns are all-NaN.

    A column with a fallback (``residents`` → ``population``) reads the fallback
    where its own figure is missing.
    """

    def __init__(self, values: pd.DataFrame, fallbacks: Mapping[str, str]) -> None:
        self.values = values
        self.n = len(values)
        self.fallbacks = dict(fallbacks)
        self._raw: dict[str, np.ndarray] = {}
        self._col: dict[str, np.ndarray] = {}

    def raw(self, name: str) -> np.ndarray:
        if name not in self._raw:
            if name in self.values.columns:
                s = self.values[name]
                if isinstance(s, pd.DataFrame):  # duplicated column names
                    raise ValidationError(f"Cột '{name}' bị trùng.",
                                          f"Column '{name}' is duplicated.", column=name)
                self._raw[name] = pd.to_numeric(s, errors="coerce").to_numpy(float)
            else:
                self._raw[name] = np.full(self.n, np.nan)
        return self._raw[name]

    def col(self, name: str) -> np.ndarray:
        if name not in self._col:
            x = self.raw(name)
            fb = self.fallbacks.get(name)
            if fb is not None:
                x = np.where(np.isnan(x), self.raw(fb), x)
            self._col[name] = x
        return self._col[name]

    def fell_back(self, name: str) -> np.ndarray:
        """Rows where ``name`` was read from its fallback."""
        fb = self.fallbacks.get(name)
        if fb is None:
            return np.zeros(self.n, dtype=bool)
        return np.isnan(self.raw(name)) & ~np.isnan(self.raw(fb))

    def used(self, name: str, i: int) -> str:
        """The column actually read for ``name`` in row ``i``."""
        return self.fallbacks[name] if self.fell_back(name)[i] else name


@dataclass
class _Ctx:
    f: _Frame
    rules: RuleSet
    truths: dict[str, np.ndarray] = field(default_factory=dict)
    share: tuple[np.ndarray, np.ndarray, dict] | None = None  # for province criteria


def _any3(m: np.ndarray) -> np.ndarray:
    return np.where((m == 1).any(axis=1), 1.0, np.where(np.isnan(m).any(axis=1), np.nan, 0.0))


def _all3(m: np.ndarray) -> np.ndarray:
    return np.where((m == 0).any(axis=1), 0.0, np.where(np.isnan(m).any(axis=1), np.nan, 1.0))


def _value(v: Any, ctx: _Ctx) -> np.ndarray:
    f = ctx.f
    if _is_number(v):
        return np.full(f.n, float(v))
    if isinstance(v, str):
        return np.sum([f.col(p.strip()) for p in v.split("+")], axis=0)  # NaN propagates
    if "share_of_communes" in v:
        return _share(v, ctx)[0]
    num, den = (_value(x, ctx) for x in v["ratio"])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _share(v: dict, ctx: _Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest possible share of the communes in the given classes."""
    if ctx.share is None:
        n = np.full(ctx.f.n, np.nan)
        return n, n
    klass, cands, _ = ctx.share
    want = set(v["share_of_communes"])
    total = len(klass)
    if not total:
        n = np.full(ctx.f.n, np.nan)
        return n, n
    certain = sum(k in want for k in klass)
    possible = sum(k == "undetermined" and bool(want & set(c)) for k, c in zip(klass, cands))
    return (np.full(ctx.f.n, certain / total), np.full(ctx.f.n, (certain + possible) / total))


def _compare(c: dict, x: np.ndarray, ctx: _Ctx) -> np.ndarray:
    op = c["op"]
    with np.errstate(invalid="ignore"):
        if op == "in_range":
            ok = np.ones(len(x), dtype=bool)
            if c.get("min") is not None:
                ok &= x >= c["min"]
            if c.get("max") is not None:
                ok &= x < c["max"]
        else:
            ok = _CMP[op](x, c["right"])
        rz = c.get("above_zero_if")
        if rz and ctx.rules.reading(rz):
            ok &= x > 0
    return np.where(np.isnan(x), np.nan, ok.astype(float))


def _count(c: dict, ctx: _Ctx) -> tuple[np.ndarray, np.ndarray]:
    """Criterion đ's count: truth and how many of the criteria are met."""
    sev = list(ctx.rules.severity)
    band = c["band"]
    bands = sev[:sev.index(band) + 1] if ctx.rules.reading("route_counts_higher_bands") \
        else [band]
    parts = []
    for q in c["of"]:
        cols = [ctx.truths[f"{b}.{q}"] for b in bands if f"{b}.{q}" in ctx.truths]
        if cols:
            parts.append(_any3(np.column_stack(cols)))
    m = np.column_stack(parts) if parts else np.empty((ctx.f.n, 0))
    met = (m == 1).sum(axis=1)
    unk = np.isnan(m).sum(axis=1)
    need = c["min"]
    return np.where(met >= need, 1.0, np.where(met + unk < need, 0.0, np.nan)), met


def _truth(c: dict, ctx: _Ctx) -> np.ndarray:
    """1.0 met, 0.0 not met, NaN when the data is missing (three-valued)."""
    op = c["op"]
    if op in _LOGIC:
        m = np.column_stack([_truth(a, ctx) for a in c["args"]])
        return _any3(m) if op == "any" else _all3(m)
    if op == _COUNT:
        return _count(c, ctx)[0]
    left = c["left"]
    if isinstance(left, dict) and "share_of_communes" in left:
        lo, hi = _share(left, ctx)
        a, b = _compare(c, lo, ctx), _compare(c, hi, ctx)
        return np.where(np.isnan(a) | np.isnan(b) | (a != b), np.nan, a)
    return _compare(c, _value(left, ctx), ctx)


def _missing_inputs(node: Any, ctx: _Ctx, i: int) -> list[str]:
    """What made a condition unevaluable for row ``i``: absent figures, zero denominators."""
    f = ctx.f
    if isinstance(node, str):
        return [p.strip() for p in node.split("+") if np.isnan(f.col(p.strip())[i])]
    if not isinstance(node, dict):
        return []
    if "ratio" in node:
        num, den = node["ratio"]
        out = _missing_inputs(num, ctx, i) + _missing_inputs(den, ctx, i)
        d = _value(den, ctx)[i]
        if not np.isnan(d) and d <= 0:
            used = f.used(den, i) if isinstance(den, str) and den in f.fallbacks else den
            out.append(f"{used} = 0")
        return out
    if "share_of_communes" in node:
        return ["undetermined_communes"]
    op = node.get("op")
    if op in _LOGIC:
        return [m for a in node["args"] if np.isnan(_truth(a, ctx)[i])
                for m in _missing_inputs(a, ctx, i)]
    if op == _COUNT:
        sev = list(ctx.rules.severity)
        band = node["band"]
        bands = sev[:sev.index(band) + 1] if ctx.rules.reading("route_counts_higher_bands") \
            else [band]
        out = []
        for q in node["of"]:
            cols = {b: ctx.truths[f"{b}.{q}"][i] for b in bands if f"{b}.{q}" in ctx.truths}
            if cols and not any(v == 1 for v in cols.values()) \
                    and any(np.isnan(v) for v in cols.values()):
                crit = next(c for c in ctx.rules.criteria() if c.qid == f"{bands[-1]}.{q}"
                            or (c.id == q and c.klass in bands))
                out.extend(_missing_inputs(crit.expr, ctx, i))
        return out
    return _missing_inputs(node.get("left"), ctx, i)


@dataclass
class _Eval:
    """The vectorised evaluation of every commune criterion and class."""

    ctx: _Ctx
    exact: dict[str, np.ndarray]      # qid -> truth in the criterion's own band
    counted: dict[str, np.ndarray]    # qid -> truth counted for its class
    held: dict[str, np.ndarray]
    unknown: dict[str, np.ndarray]
    status: dict[str, np.ndarray]     # class -> holds / fails / undetermined
    klass: np.ndarray
    candidates: list[tuple[str, ...]]


def _evaluate(values: pd.DataFrame, rules: RuleSet) -> _Eval:
    if not isinstance(values, pd.DataFrame):
        raise ValidationError("Số liệu phải là một bảng (DataFrame).",
                              "Values must be a DataFrame.")
    ctx = _Ctx(_Frame(values, _fallbacks(rules)), rules)
    n = ctx.f.n
    crits = [c for k in rules.classes for c in k.enabled]
    for c in crits:
        if not c.counts_criteria:
            ctx.truths[c.qid] = _truth(c.expr, ctx)
    for c in crits:
        if c.counts_criteria:
            ctx.truths[c.qid] = _truth(c.expr, ctx)
    counted = dict(ctx.truths)
    sev = list(rules.severity)
    if rules.reading("bands_cumulative"):
        for k in rules.classes:
            if k.id not in sev:
                continue
            for c in k.enabled:
                cols = [ctx.truths[c.qid]] + [ctx.truths[f"{h}.{c.id}"]
                                              for h in sev[:sev.index(k.id)]
                                              if f"{h}.{c.id}" in ctx.truths]
                if len(cols) > 1:
                    counted[c.qid] = _any3(np.column_stack(cols))
    held, unknown, status = {}, {}, {}
    for k in rules.classes:
        m = (np.column_stack([counted[c.qid] for c in k.enabled]) if k.enabled
             else np.empty((n, 0)))
        h, u = (m == 1).sum(axis=1), np.isnan(m).sum(axis=1)
        held[k.id], unknown[k.id] = h, u
        if not k.reachable:
            status[k.id] = np.full(n, "fails", dtype=object)
        else:
            status[k.id] = np.where(h >= k.needed, "holds",
                                    np.where(h + u < k.needed, "fails", "undetermined"))
    klass = np.empty(n, dtype=object)
    cands: list[tuple[str, ...]] = []
    order = rules.order
    for i in range(n):
        maybe: list[str] = []
        chosen = None
        for k in order:
            st = status[k][i]
            if st == "holds":
                chosen = k
                break
            if st == "undetermined":
                maybe.append(k)
        if not maybe:
            klass[i] = chosen or "none"
            cands.append(())
        else:
            klass[i] = "undetermined"
            cands.append((*maybe, chosen or "none"))
    return _Eval(ctx, ctx.truths, counted, held, unknown, status, klass, cands)


# ----------------------------------------------------------------- display


def _leaves(expr: dict) -> list[dict]:
    if expr.get("op") in _LOGIC:
        return [x for a in expr["args"] for x in _leaves(a)]
    return [expr]


def _label(leaf: dict) -> str:
    if leaf.get("op") == _COUNT:
        return "criteria_count"
    left = leaf.get("left")
    if isinstance(left, dict):
        if "ratio" in left:
            return f"{left['ratio'][0]}/{left['ratio'][1]}"
        return "share_of_communes"
    return str(left)


def _kind(leaf: dict) -> str:
    return _leaf_kind(leaf, _catalog())


def _unit(leaf: dict, lang: str) -> str:
    left = leaf.get("left")
    if leaf.get("op") == _COUNT or not isinstance(left, str) or "+" in left:
        return ""
    ind = _catalog().get(left)
    if ind is None or ind.value_type == "flag" or ind.unit_vi == "người":
        return ""
    return ind.unit(lang)


def _pct(x: float, lang: str) -> str:
    s = f"{x * 100:.4f}".rstrip("0").rstrip(".")
    return (s.replace(".", ",") if lang == "vi" else s) + "%"


def _fmt(x: float, kind: str, lang: str, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "—"
    if kind == "ratio":
        return _pct(x, lang)
    if kind == "flag":
        return tr("có", "yes", lang) if x == 1 else tr("không", "no", lang)
    if kind == "count":
        return tr(f"{int(x)} tiêu chí", f"{int(x)} criteria", lang)
    s = fmt_number(x, lang, 0 if float(x).is_integer() else 1)
    return f"{s} {unit}" if unit else s


def _needs_name(leaf: dict) -> bool:
    left = leaf.get("left")
    if leaf.get("op") == _COUNT or not isinstance(left, str):
        return False
    ind = _catalog().get(left)
    return ind is not None and (ind.value_type == "flag" or ind.unit_vi == "người")


def _named(leaf: dict, text: str, lang: str) -> str:
    ind = _catalog().get(leaf.get("left"))
    return f"{ind.name(lang)}: {text}" if ind is not None else text


def _leaf_threshold_text(leaf: dict, rules: RuleSet, lang: str) -> str:
    op, kind, unit = leaf["op"], _kind(leaf), _unit(leaf, lang)

    def f(v: Any) -> str:
        return "?" if v is None else _fmt(v, kind, lang, unit)

    if op == _COUNT:
        band = _lc(_short(leaf["band"], lang))
        if rules.reading("route_counts_higher_bands"):
            return tr(f"từ {leaf['min']} tiêu chí {band} trở lên",
                      f"{leaf['min']} or more criteria of {band} or higher", lang)
        return tr(f"từ {leaf['min']} tiêu chí đúng khoảng {band}",
                  f"{leaf['min']} or more criteria in the {band} band", lang)
    if kind == "flag" and op == "==":
        return tr("có", "yes", lang) if leaf["right"] == 1 else tr("không", "no", lang)
    if op == "in_range":
        return tr(f"từ {f(leaf.get('min'))} đến dưới {f(leaf.get('max'))}",
                  f"{f(leaf.get('min'))} to under {f(leaf.get('max'))}", lang)
    r = leaf.get("right")
    if op == ">=":
        return tr(f"từ {f(r)} trở lên", f"{f(r)} or more", lang)
    if op == ">":
        return tr(f"trên {f(r)}", f"over {f(r)}", lang)
    if op == "<":
        out = tr(f"dưới {f(r)}", f"under {f(r)}", lang)
        rz = leaf.get("above_zero_if")
        if rz and rules.reading(rz):
            out += tr(" (lớn hơn 0)", " (above 0)", lang)
        return out
    if op == "<=":
        return tr("không có (bằng 0)", "none (zero)", lang) if r == 0 else \
            tr(f"không quá {f(r)}", f"at most {f(r)}", lang)
    return f"{_SYMBOL[op]} {f(r)}"


def _threshold_text(expr: dict, rules: RuleSet, lang: str, top: bool = True) -> str:
    if expr.get("op") in _LOGIC:
        sep = tr(" hoặc ", " or ", lang) if expr["op"] == "any" else tr(" và ", " and ", lang)
        return sep.join(_threshold_text(a, rules, lang, False) for a in expr["args"])
    t = _leaf_threshold_text(expr, rules, lang)
    return _named(expr, t, lang) if not top and _needs_name(expr) else t


def _bounds(leaf: dict, rules: RuleSet) -> dict:
    out = {k: v for k, v in leaf.items() if k not in ("left", "above_zero_if", "of")}
    if leaf.get("op") == _COUNT:
        out["or_higher"] = bool(rules.reading("route_counts_higher_bands"))
    rz = leaf.get("above_zero_if")
    if rz:
        out["above_zero"] = bool(rules.reading(rz))
    return out


def _threshold(expr: dict, rules: RuleSet) -> dict:
    leaves = _leaves(expr)
    if len(leaves) == 1:
        return _bounds(leaves[0], rules)
    return {expr["op"]: {_label(x): _bounds(x, rules) for x in leaves}}


def _leaf_values(leaf: dict, ctx: _Ctx) -> np.ndarray:
    if leaf.get("op") == _COUNT:
        return _count(leaf, ctx)[1].astype(float)
    return _value(leaf["left"], ctx)


def _value_text(expr: dict, vals: dict[int, np.ndarray], i: int, lang: str,
                ctx: _Ctx, top: bool = True) -> str:
    if expr.get("op") in _LOGIC:
        return " / ".join(_value_text(a, vals, i, lang, ctx, False) for a in expr["args"])
    x = vals[id(expr)][i]
    left = expr.get("left")
    if isinstance(left, dict) and "share_of_communes" in left:
        lo, hi = _share(left, ctx)
        if not np.isnan(lo[i]) and hi[i] != lo[i]:
            return f"{_pct(lo[i], lang)} – {_pct(hi[i], lang)}"
    t = _fmt(x, _kind(expr), lang, _unit(expr, lang))
    return _named(expr, t, lang) if not top and _needs_name(expr) else t


def _result(t: float) -> str:
    return "missing" if np.isnan(t) else ("met" if t == 1 else "not_met")


@dataclass(frozen=True)
class CriterionResult:
    """One criterion evaluated for one unit.

    Attributes
    ----------
    id : str
        Qualified id, ``"type_1.addicts_ratio"``.
    klass : str
        Class the criterion belongs to (``province`` for Điều 5).
    article : str or None
        ``"4.1.a"``.
    result : {"met", "not_met", "missing"}
        The criterion as written, in its own band; missing data is never
        ``not_met``.
    counted : {"met", "not_met", "missing"}
        What counts for the class: the same as ``result`` unless the reading
        ``bands_cumulative`` lets a more serious band count.
    band : str or None
        For the banded criteria of types I–III: the most serious type whose band
        the figure meets (``"type_1"``), None when none.
    value : float, dict or None
        The figure compared (a ratio as a fraction: 0.005 is 0.5%), or
        ``{quantity: figure}`` when the criterion compares several.
    threshold : dict
        The comparison (``{"op": ">=", "right": 0.005}``, ``{"op": "in_range",
        "min": 0.001, "max": 0.005}``…), or ``{"any"|"all": {quantity: …}}``.
    value_text_vi, value_text_en, threshold_text_vi, threshold_text_en : str
        For tables: ``"0,62%"``, ``"từ 0,5% trở lên"``.
    missing : tuple of str
        Figures whose absence made it ``missing``.
    name_vi, name_en : str
    """

    id: str
    klass: str
    article: str | None
    result: str
    counted: str
    band: str | None
    value: Any
    threshold: dict
    value_text_vi: str
    value_text_en: str
    threshold_text_vi: str
    threshold_text_en: str
    missing: tuple[str, ...] = ()
    name_vi: str = ""
    name_en: str = ""

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable: ``id, class, article, name, value, threshold, result`` …"""
        return {"id": self.id, "class": self.klass, "article": self.article,
                "name": tr(self.name_vi, self.name_en, lang), "value": self.value,
                "threshold": self.threshold, "result": self.result, "counted": self.counted,
                "band": self.band,
                "value_text": tr(self.value_text_vi, self.value_text_en, lang),
                "threshold_text": tr(self.threshold_text_vi, self.threshold_text_en, lang),
                "missing": list(self.missing)}


def _criterion_results(crits: Sequence[Criterion], ev_exact: Mapping[str, np.ndarray],
                       ev_counted: Mapping[str, np.ndarray], ctx: _Ctx, rules: RuleSet
                       ) -> dict[str, list[CriterionResult]]:
    """Per enabled criterion, its result for every row."""
    out: dict[str, list[CriterionResult]] = {}
    sev = list(rules.severity)
    for c in crits:
        leaves = _leaves(c.expr)
        vals = {id(x): _leaf_values(x, ctx) for x in leaves}
        thr = _threshold(c.expr, rules)
        tt = (_threshold_text(c.expr, rules, "vi"), _threshold_text(c.expr, rules, "en"))
        t, k = ev_exact[c.qid], ev_counted[c.qid]
        bands = [b for b in sev if f"{b}.{c.id}" in ev_exact] if c.klass in sev else []
        rows = []
        for i in range(ctx.f.n):
            if len(leaves) == 1:
                x = vals[id(leaves[0])][i]
                value: Any = None if np.isnan(x) else float(x)
            else:
                value = {}
                for x in leaves:
                    v = vals[id(x)][i]
                    value[_label(x)] = None if np.isnan(v) else float(v)
            band = next((b for b in bands if ev_exact[f"{b}.{c.id}"][i] == 1), None)
            miss = tuple(dict.fromkeys(_missing_inputs(c.expr, ctx, i))) \
                if np.isnan(t[i]) else ()
            rows.append(CriterionResult(
                c.qid, c.klass, c.article, _result(t[i]), _result(k[i]), band, value, thr,
                _value_text(c.expr, vals, i, "vi", ctx), _value_text(c.expr, vals, i, "en", ctx),
                tt[0], tt[1], miss, c.name_vi, c.name_en))
        out[c.qid] = rows
    return out


# ----------------------------------------------------------------- classification


def _tally(k: ClassRule, held: int, unknown: int, lang: str) -> str:
    off = sum(not c.enabled and c.origin == "decision" for c in k.criteria)
    if not k.enabled:
        return tr(f"{k.short('vi')}: chưa bật tiêu chí nào", f"{k.short('en')}: no criterion on",
                  lang)
    s = tr(f"{k.short('vi')}: {held}/{len(k.enabled)} tiêu chí (cần {k.needed}",
           f"{k.short('en')}: {held}/{len(k.enabled)} criteria (needs {k.needed}", lang)
    if unknown:
        s += tr(f"; {unknown} thiếu số liệu", f"; {unknown} missing", lang)
    if off:
        s += tr(f"; {off} tiêu chí đang tắt", f"; {off} off", lang)
    return s + ")"


def _explain(i: int, ev: _Eval, res: Mapping[str, list[CriterionResult]], rules: RuleSet,
             needed: list[str], notes: list[str], lang: str) -> str:
    klass = ev.klass[i]
    by_id = {k.id: k for k in rules.classes}

    def held_list(k: ClassRule) -> str:
        parts = []
        for c in k.enabled:
            r = res[c.qid][i]
            if r.counted != "met":
                continue
            txt = tr(r.value_text_vi, r.value_text_en, lang)
            extra = ""
            if r.result != "met" and r.band:
                extra = tr(f", khoảng {_lc(_short(r.band, 'vi'))}",
                           f", {_lc(_short(r.band, 'en'))} band", lang)
            parts.append(f"{c.article or c.id} {c.name(lang)} [{txt}{extra}]")
        return "; ".join(parts)

    def tally(kid: str) -> str:
        return _tally(by_id[kid], int(ev.held[kid][i]), int(ev.unknown[kid][i]), lang)

    if klass in by_id:
        text = f"{tally(klass)} — {held_list(by_id[klass])}"
        before = list(rules.order[:rules.order.index(klass)])
        if before:
            text = text.rstrip(".") + ". " + tr("Chưa đạt: ", "Not reached: ", lang) + "; ".join(
                tally(k) for k in before)
    elif klass == "none":
        text = tr("Không thuộc loại nào — ", "No class — ", lang) + "; ".join(
            tally(k) for k in rules.order)
    else:
        cands = ev.candidates[i]
        names = tr(" hoặc ", " or ", lang).join(
            QD28_CLASSES.short(k, lang) if k != "none" else tr("không thuộc loại nào", "none",
                                                                lang) for k in cands)
        undecided = ", ".join(_short(k, lang) for k in cands
                              if k in by_id and ev.status[k][i] == "undetermined")
        miss = ", ".join(_indicator_name(x, lang) for x in needed)
        text = tr(f"Chưa đủ số liệu — có thể là {names}; chưa loại trừ được {undecided} "
                  f"(thiếu số liệu: {miss}). ",
                  f"Not enough data — could be {names}; {undecided} not ruled out "
                  f"(missing: {miss}). ", lang) + "; ".join(tally(k) for k in rules.order)
    text = text.rstrip() + ("." if not text.rstrip().endswith(".") else "")
    if notes:
        text += " " + " ".join(notes)
    return text


def _indicator_name(indicator: str, lang: str) -> str:
    """An indicator in an explanation: its name, then its id in brackets — the column of the
    data-entry template to fill (the id alone when the catalog lacks it).
    """
    from geo.indicators import get_indicator

    try:
        name = get_indicator(indicator).name(lang)
    except Exception:  # noqa: BLE001 - an explanation never fails on a name
        return indicator
    return f"{name[:1].lower()}{name[1:]} [{indicator}]"


def _decided_by(values: pd.DataFrame, rules: RuleSet, ev: _Eval) -> list[list[str]]:
    """For each row, the readings whose switch would change its class."""
    out: list[list[str]] = [[] for _ in range(len(ev.klass))]
    # Precedence decides when the criteria of several types are met as written (each in
    # its own band), not merely because a more serious band also counts for a lighter type.
    by_id = {k.id: k for k in rules.classes}
    written = [np.column_stack([ev.exact[c.qid] == 1 for c in by_id[k].enabled]).sum(axis=1)
               >= by_id[k].needed for k in rules.severity if k in by_id and by_id[k].reachable]
    if "precedence" in rules.readings and len(written) > 1:
        for i in np.flatnonzero(np.sum(written, axis=0) > 1):
            out[i].append("precedence")
    for rid, r in rules.readings.items():
        if not isinstance(r.value, bool):
            continue
        other = _evaluate(values, rules.with_readings(**{rid: not r.value})).klass
        for i in np.flatnonzero(other != ev.klass):
            out[i].append(rid)
    return out


def _row_notes(i: int, ev: _Eval, lang: str) -> list[str]:
    f = ev.ctx.f
    out = []
    if ev.klass[i] == "drug_free":
        also = [q for q in ("type_3.arrests_ratio", "type_3.plants")
                if q in ev.counted and ev.counted[q][i] == 1]
        if also:
            what = tr(", ".join({"type_3.arrests_ratio": "có người bị bắt giữ",
                                 "type_3.plants": "có cây bị triệt phá"}[q] for q in also),
                      ", ".join({"type_3.arrests_ratio": "arrests",
                                 "type_3.plants": "plants destroyed"}[q] for q in also), lang)
            out.append(tr(f"Xã đạt tiêu chí không ma túy nhưng {what} trên địa bàn: kiểm tra số "
                          "người đang cư trú vi phạm pháp luật về ma túy (tiêu chí 6.2).",
                          f"The commune meets the drug-free criteria but has {what}: check the "
                          "number of residents who violated drug law (criterion 6.2).", lang))
    for key, fb in f.fallbacks.items():
        if f.fell_back(key)[i]:
            out.append(tr(f"Tỷ lệ tính trên {_indicator_name(fb, 'vi')} vì chưa có số "
                          f"{_indicator_name(key, 'vi')}.",
                          f"Rates are over {_indicator_name(fb, 'en')} because "
                          f"{_indicator_name(key, 'en')} is not given.", lang))
    return out


def _needed(i: int, ev: _Eval, rules: RuleSet, res: Mapping[str, list[CriterionResult]]
            ) -> list[str]:
    """Figures whose absence leaves the class of row ``i`` undetermined."""
    if ev.klass[i] != "undetermined":
        return []
    out: list[str] = []
    for k in rules.classes:
        if ev.status[k.id][i] != "undetermined":
            continue
        for c in k.enabled:
            r = res[c.qid][i]
            if r.counted == "missing":
                out.extend(r.missing)
    return list(dict.fromkeys(out))


def classify(values: pd.DataFrame, rules: RuleSet | None = None) -> pd.DataFrame:
    """QĐ 28/2025 class of every row of a wide table of figures.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per commune (and period): index ``unit_code`` (or a MultiIndex
        with the period), columns indicator ids. A ``period`` column, if any, is
        carried to the result; other non-indicator columns are ignored. Absent
        columns and NaN are *missing*, never 0.
    rules : RuleSet, optional
        From :func:`load_rules` (default: the QĐ 28/2025 rules).

    Returns
    -------
    pandas.DataFrame
        Same index as ``values`` (plus ``period`` when given), with

        - ``klass``: ``type_1``, ``type_2``, ``type_3``, ``drug_free``, ``none`` or
          ``undetermined`` (the class depends on missing figures);
        - ``complete``: False for ``undetermined``;
        - ``candidates``: for ``undetermined``, the classes still possible;
        - ``fired``: qualified ids of the enabled criteria met in their own band;
        - ``counted``: those counted for their class (with ``bands_cumulative``,
          also a criterion met in a more serious band);
        - ``missing``: criteria that could not be evaluated; ``missing_data``:
          the figures whose absence caused it; ``needed_data``: those the class
          depends on (what to supply for an ``undetermined`` commune);
        - ``readings``: ids of the readings whose switch would change the class
          (``precedence`` when several types hold);
        - ``denominator``: ``residents`` or, where it is missing, ``population``;
        - ``explain_vi``, ``explain_en``: why, e.g. ``"Loại I: 3/5 tiêu chí (cần
          3) — …"``, with notes such as the population fallback.

    Examples
    --------
    >>> df = pd.DataFrame({"residents": [10_000, 10_000], "registered_addicts": [4, 0],
    ...                    "illegal_users": [0, 0], "drug_harbouring_places": [0, 0],
    ...                    "drug_offenders_arrested": [0, 0],
    ...                    "narcotic_plants_destroyed": [0, 0], "narcotic_plant_area_m2": [0, 0],
    ...                    "on_key_drug_route": [0, 0], "users_outside_treatment": [1, 0],
    ...                    "resident_drug_law_violators": [0, 0], "drug_fugitives_hiding": [0, 0]},
    ...                   index=pd.Index(["04024", "04025"], name="unit_code"))
    >>> classify(df).klass.tolist()
    ['type_3', 'drug_free']
    """
    return _classify(values, rules or load_rules())[0]


def _classify(values: pd.DataFrame, rules: RuleSet
              ) -> tuple[pd.DataFrame, _Eval, dict[str, list[CriterionResult]]]:
    ev = _evaluate(values, rules)
    crits = [c for k in rules.classes for c in k.enabled]
    res = _criterion_results(crits, ev.exact, ev.counted, ev.ctx, rules)
    decided = _decided_by(values, rules, ev)
    n = len(values)
    out = pd.DataFrame(index=values.index)
    if "period" in values.columns:
        out["period"] = values["period"].to_numpy()
    needed = [_needed(i, ev, rules, res) for i in range(n)]
    notes = {lang: [_row_notes(i, ev, lang) for i in range(n)] for lang in ("vi", "en")}
    miss_c = [[c.qid for c in crits if res[c.qid][i].result == "missing"] for i in range(n)]
    out["klass"] = ev.klass
    out["complete"] = ev.klass != "undetermined"
    out["candidates"] = [list(c) for c in ev.candidates]
    out["fired"] = [[c.qid for c in crits if res[c.qid][i].result == "met"] for i in range(n)]
    out["counted"] = [[c.qid for c in crits if res[c.qid][i].counted == "met"]
                      for i in range(n)]
    out["missing"] = miss_c
    out["missing_data"] = [list(dict.fromkeys(m for q in miss_c[i] for m in res[q][i].missing))
                           for i in range(n)]
    out["needed_data"] = needed
    out["readings"] = decided
    fb = ev.ctx.f.fell_back("residents") if "residents" in ev.ctx.f.fallbacks \
        else np.zeros(n, dtype=bool)
    out["denominator"] = np.where(fb, "population", "residents")
    out["explain_vi"] = [_explain(i, ev, res, rules, needed[i], notes["vi"][i], "vi")
                         for i in range(n)]
    out["explain_en"] = [_explain(i, ev, res, rules, needed[i], notes["en"][i], "en")
                         for i in range(n)]
    return out, ev, res


# ----------------------------------------------------------------- results


@dataclass(frozen=True)
class CommuneResult:
    """The class of one commune, with every criterion.

    Attributes
    ----------
    code, name : str
    klass : str
        ``type_1``, ``type_2``, ``type_3``, ``drug_free``, ``none`` or ``undetermined``.
    candidates : tuple of str
        For ``undetermined``: the classes still possible.
    criteria : tuple of CriterionResult
        Every enabled criterion of every class.
    needed_data : tuple of str
        Figures the class depends on (what to supply for ``undetermined``).
    readings : tuple of str
        Readings whose switch would change the class.
    denominator : str
        ``residents`` or ``population`` (fallback).
    explain_vi, explain_en : str
    """

    code: str
    name: str
    klass: str
    candidates: tuple[str, ...]
    criteria: tuple[CriterionResult, ...]
    needed_data: tuple[str, ...]
    readings: tuple[str, ...]
    denominator: str
    explain_vi: str
    explain_en: str

    @property
    def complete(self) -> bool:
        """False when the class depends on missing figures."""
        return self.klass != "undetermined"

    def to_dict(self, lang: str = "vi", rules: RuleSet | None = None) -> dict:
        """JSON-serialisable commune result.

        ``code, name, class, criteria`` (each with ``id, article, value, threshold,
        result``), and the explanation, readings and missing figures.
        """
        rd = rules.readings if rules is not None else {}
        return {"code": self.code, "name": self.name, "class": self.klass,
                "class_label": QD28_CLASSES.label(self.klass, lang),
                "complete": self.complete, "candidates": list(self.candidates),
                "missing_data": list(self.needed_data), "denominator": self.denominator,
                "readings": [{"id": r, "text": rd[r].text(lang) if r in rd else ""}
                             for r in self.readings],
                "explanation": tr(self.explain_vi, self.explain_en, lang),
                "criteria": [c.to_dict(lang) for c in self.criteria]}


@dataclass(frozen=True)
class ProvinceResult:
    """The province's own class (Điều 5: at least 4 of 6 criteria).

    Attributes
    ----------
    code, name : str
    klass : {"key_area", "not_key_area", "undetermined"}
    held, unknown, needed : int
        Criteria met, missing, and needed.
    criteria : tuple of CriterionResult
    figures : dict
        The provincial figures used, ``{indicator: value or None}``.
    notes_vi, notes_en : tuple of str
        Where the figures came from (the province's own or the communes' sum).
    """

    code: str
    name: str
    klass: str
    held: int
    unknown: int
    needed: int
    criteria: tuple[CriterionResult, ...]
    figures: dict
    notes_vi: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable."""
        return {"code": self.code, "name": self.name, "class": self.klass,
                "class_label": QD28_PROVINCE_CLASSES.label(self.klass, lang),
                "held": self.held, "missing": self.unknown, "needed": self.needed,
                "figures": self.figures,
                "notes": list(self.notes_vi if lang == "vi" else self.notes_en),
                "criteria": [c.to_dict(lang) for c in self.criteria]}


@dataclass(frozen=True)
class Assessment:
    """The assessment of every commune of a province (and of the province) for a year.

    Attributes
    ----------
    rules : RuleSet
    period : str or None
        The assessment year (or period) classified.
    communes : pandas.DataFrame
        :func:`classify`'s table, index ``code``, plus ``name``.
    criteria : pandas.DataFrame
        Long table, one row per commune and criterion: ``code, criterion, klass,
        article, result, counted, band, value, threshold, value_text_vi,
        value_text_en, threshold_text_vi, threshold_text_en, missing``.
    province : ProvinceResult or None
    notes : tuple of (str, str)
        ``(vi, en)``: rules notes, figures built from half-years, …
    """

    rules: RuleSet
    period: str | None
    communes: pd.DataFrame
    criteria: pd.DataFrame
    province: ProvinceResult | None
    notes: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _by_code(self) -> dict[str, list[CriterionResult]]:
        out: dict[str, list[CriterionResult]] = {}
        for r in self.criteria.itertuples(index=False):
            out.setdefault(r.code, []).append(r.obj)
        return out

    def commune(self, code: str) -> CommuneResult:
        """One commune's result.

        Raises
        ------
        NotFoundError
            When the code is not in the assessment.
        """
        if code not in self.communes.index:
            raise NotFoundError(f"Không có xã mã {code} trong kết quả phân loại.",
                                f"No commune {code} in the classification.")
        r = self.communes.loc[code]
        return CommuneResult(
            str(code), str(r.get("name", "") or ""), r.klass, tuple(r.candidates),
            tuple(self._by_code.get(code, [])), tuple(r.needed_data), tuple(r.readings),
            r.denominator, r.explain_vi, r.explain_en)

    def results(self) -> list[CommuneResult]:
        """Every commune's result, in table order."""
        return [self.commune(c) for c in self.communes.index]

    def counts(self) -> dict[str, int]:
        """Number of communes per class (every class listed, zeros included)."""
        vc = self.communes.klass.value_counts()
        return {k: int(vc.get(k, 0)) for k in QD28_CLASSES.ids}

    def records(self, lang: str = "vi") -> list[dict]:
        """One JSON-serialisable object per commune (``code, name, class, criteria`` …)."""
        return [r.to_dict(lang, self.rules) for r in self.results()]

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON-serialisable: rules and readings, counts, province, communes, notes."""
        return {"period": self.period, "rules": self.rules.to_dict(lang),
                "counts": self.counts(),
                "province": self.province.to_dict(lang) if self.province else None,
                "notes": [tr(vi, en, lang) for vi, en in self.notes],
                "communes": self.records(lang)}


def _province_figures(values: pd.DataFrame, rules: RuleSet,
                      province_values: Mapping[str, Any] | None
                      ) -> tuple[pd.DataFrame, dict, list[tuple[str, str]]]:
    """One row of provincial figures: the province's own, else the communes' total."""
    cat = _catalog()
    need: list[str] = []
    for c in rules.province.enabled:
        need.extend(c.indicators())
    for key, d in (rules.raw.get("denominators") or {}).items():
        if key in need and d.get("fallback"):
            need.append(d["fallback"])
    need = list(dict.fromkeys(need))
    given = dict(province_values or {})
    row: dict[str, float] = {}
    summed: list[str] = []
    for ind in need:
        v = given.get(ind)
        v = None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
        if v is None and len(values):
            col = (pd.to_numeric(values[ind], errors="coerce") if ind in values.columns
                   else pd.Series(np.nan, index=values.index))
            if getattr(cat.get(ind), "aggregate", "sum") == "max":
                v = 1.0 if (col == 1).any() else (float(col.max()) if col.notna().all()
                                                   else None)
            elif col.notna().all():
                v = float(col.sum())
            if v is not None:
                summed.append(ind)
        row[ind] = np.nan if v is None else v
    notes = []
    if summed:
        notes.append((f"Số liệu cấp tỉnh lấy theo các xã (tổng, hoặc 'có' nếu có xã có): "
                      f"{', '.join(summed)}.",
                      f"Provincial figures taken from the communes (their total, or 'yes' when "
                      f"any commune has it): {', '.join(summed)}."))
    absent = [k for k, v in row.items() if np.isnan(v)]
    if absent:
        notes.append((f"Thiếu số liệu cấp tỉnh (và chưa đủ số liệu các xã): {', '.join(absent)}.",
                      f"Provincial figures missing (and not every commune has one): "
                      f"{', '.join(absent)}.", ))
    figures = {k: (None if np.isnan(v) else v) for k, v in row.items()}
    return pd.DataFrame([row]), figures, notes


def classify_province(communes: pd.DataFrame, values: pd.DataFrame, rules: RuleSet | None = None,
                      province_values: Mapping[str, Any] | None = None, code: str = "",
                      name: str = "") -> ProvinceResult:
    """The province's own class under Điều 5 (at least 4 of 6 criteria).

    Parameters
    ----------
    communes : pandas.DataFrame
        :func:`classify`'s result for every commune of the province (``klass``,
        ``candidates``): the share of type I and II communes is over these rows.
    values : pandas.DataFrame
        The communes' figures (wide), summed where the province has no figure.
    rules : RuleSet, optional
        Default the QĐ 28/2025 rules.
    province_values : mapping, optional
        The province's own figures (``{indicator: value}``), which win over the
        communes' total (e.g. arrests not attributed to a commune, the
        inter-provincial route).
    code, name : str
        The province.

    Returns
    -------
    ProvinceResult

    Raises
    ------
    ValidationError
        The rule set has no province rule.

    Examples
    --------
    >>> cls = pd.DataFrame({"klass": ["type_1"] + ["none"] * 9, "candidates": [[]] * 10})
    >>> r = classify_province(cls, pd.DataFrame(index=range(10)), province_values={
    ...     "residents": 100_000, "registered_addicts": 150, "illegal_users": 60,
    ...     "drug_harbouring_places": 5, "drug_offenders_arrested": 50,
    ...     "narcotic_plants_destroyed": 0, "narcotic_plant_area_m2": 0,
    ...     "on_interprovincial_drug_route": 0})
    >>> r.klass, r.held
    ('key_area', 4)
    """
    rules = rules or load_rules()
    if rules.province is None:
        raise ValidationError(f"Bộ tiêu chí {rules.name('vi')} không có tiêu chí cấp tỉnh.",
                              f"Rule set {rules.name('en')} has no province criteria.")
    frame, figures, notes = _province_figures(values, rules, province_values)
    ctx = _Ctx(_Frame(frame, _fallbacks(rules)), rules)
    ctx.share = (list(communes["klass"]), [tuple(c) if isinstance(c, (list, tuple)) else ()
                                          for c in communes.get("candidates",
                                                                [()] * len(communes))], {})
    k = rules.province
    truths = {c.qid: _truth(c.expr, ctx) for c in k.enabled}
    res = _criterion_results(k.enabled, truths, truths, ctx, rules)
    m = np.array([truths[c.qid][0] for c in k.enabled])
    held, unknown = int((m == 1).sum()), int(np.isnan(m).sum())
    if not k.reachable:
        klass = "not_key_area"
    elif held >= k.needed:
        klass = "key_area"
    elif held + unknown < k.needed:
        klass = "not_key_area"
    else:
        klass = "undetermined"
    if ctx.f.fell_back("residents")[0] if "residents" in ctx.f.fallbacks else False:
        notes.append(("Tỷ lệ cấp tỉnh tính trên dân số (population) vì chưa có nhân khẩu hiện "
                      "đang cư trú.", "Provincial rates are over population because residents "
                      "is not given."))
    return ProvinceResult(code, name, klass, held, unknown, k.needed,
                          tuple(res[c.qid][0] for c in k.enabled), figures,
                          tuple(n[0] for n in notes), tuple(n[1] for n in notes))


def assess(values: pd.DataFrame, rules: RuleSet | None = None, *,
           names: Mapping[str, str] | pd.Series | None = None,
           province_values: Mapping[str, Any] | None = None, province: tuple[str, str] = ("", ""),
           period: str | None = None, notes: Sequence[tuple[str, str]] = ()) -> Assessment:
    """Classify every commune of a province and the province itself.

    Parameters
    ----------
    values : pandas.DataFrame
        Wide figures, index = commune code, one row per commune of the province
        (a commune without figures is a row of NaN: it is ``undetermined``, and
        the province's share of type I/II communes counts it).
    rules : RuleSet, optional
        Default the QĐ 28/2025 rules.
    names : mapping or Series, optional
        ``{code: name}``.
    province_values : mapping, optional
        The province's own figures (see :func:`classify_province`).
    province : (str, str)
        Code and name of the province.
    period : str, optional
        The assessment year, carried to the result.
    notes : sequence of (str, str)
        Extra ``(vi, en)`` notes (e.g. from :func:`geo.aggregate.year_from_halves`).

    Returns
    -------
    Assessment

    Examples
    --------
    >>> df = pd.DataFrame({"residents": [10_000], "registered_addicts": [60],
    ...                    "illegal_users": [0], "drug_harbouring_places": [2],
    ...                    "drug_offenders_arrested": [12]},
    ...                   index=pd.Index(["04024"], name="code"))
    >>> a = assess(df, names={"04024": "Chiềng Khừa"}, period="2026")
    >>> rec = a.records("en")[0]
    >>> rec["class"], [c["result"] for c in rec["criteria"][:3]]
    ('type_1', ['met', 'met', 'met'])
    >>> rec["criteria"][0]["article"], rec["criteria"][0]["value"]
    ('4.1.a', 0.006)
    """
    rules = rules or load_rules()
    table, ev, res = _classify(values, rules)
    table.index = table.index.map(str)
    table.index.name = "code"
    nm = dict(names) if names is not None else {}
    table.insert(0, "name", [nm.get(c, "") for c in table.index])
    rows = []
    crits = [c for k in rules.classes for c in k.enabled]
    for i, code in enumerate(table.index):
        for c in crits:
            r = res[c.qid][i]
            rows.append((code, r.id, r.klass, r.article, r.result, r.counted, r.band, r.value,
                         r.threshold, r.value_text_vi, r.value_text_en, r.threshold_text_vi,
                         r.threshold_text_en, list(r.missing), r))
    long = pd.DataFrame(rows, columns=[
        "code", "criterion", "klass", "article", "result", "counted", "band", "value",
        "threshold", "value_text_vi", "value_text_en", "threshold_text_vi",
        "threshold_text_en", "missing", "obj"])
    prov = None
    if rules.province is not None:
        prov = classify_province(table, values, rules, province_values, *province)
    all_notes = tuple(rules.notes) + tuple(notes)
    return Assessment(rules, period, table, long, prov, all_notes)
