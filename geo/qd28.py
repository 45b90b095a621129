"""QĐ 28/2025/QĐ-TTg classification of communes, from rules kept as data.

The rules live in ``data/classification_qd28_2025.json``. Each class (``type_1``,
``type_2``, ``type_3``, ``drug_free``) lists criteria; a criterion has an id,
Vietnamese and English names, the clause it comes from, an ``enabled`` flag and a
small declarative expression over indicator ids of ``data/indicators.json``.
Nothing is evaluated from strings. The expression format:

value
    a number; an indicator id; ids joined by ``+`` (their sum, e.g.
    ``"registered_addicts+illegal_users"``); or ``{"ratio": [value, value]}``.
condition
    ``{"op": ">=", "left": value, "right": number}`` (also ``>``, ``<=``, ``<``,
    ``==``); ``{"op": "in_range", "left": value, "min": number, "max": number}``
    meaning ``min <= left < max``; ``{"op": "any" | "all", "args": [condition, ...]}``.

A threshold of ``null`` is one nobody could confirm: such a criterion cannot be
switched on until a number is given. A class holds when at least
``min_criteria`` of its enabled criteria hold (``"all"``: every enabled one);
classes are tried in the file's ``precedence`` order. Missing data is never read
as 0: a value that is absent or NaN, or a ratio over a missing or zero
denominator, makes a criterion *missing* (``any``/``all`` use three-valued
logic), and a class is only ruled out when it could not hold whatever the
missing values are. ``drug_free`` (``requires_no_higher_class``) is assigned
only when types I–III are certainly ruled out.

A province overrides thresholds with flat keys, as a dict or a JSON file of the
same shape::

    {"type_1.addicts_ratio.right": 0.006,
     "type_2.plants.enabled": true,
     "type_2.plants.args.0.min": 400,
     "type_2.min_criteria": 3,
     "_source": "keys starting with _ are ignored (notes)"}
"""

from __future__ import annotations

import copy
import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import DATA_DIR
from geo.errors import NotFoundError, Problem, ValidationError
from geo.i18n import fmt_number, tr

__all__ = [
    "CLASS_IDS",
    "CLASS_LABELS",
    "ClassRule",
    "Criterion",
    "RULES_FILE",
    "RuleSet",
    "classify",
    "load_rules",
]

RULES_FILE = DATA_DIR / "classification_qd28_2025.json"
CLASS_IDS: tuple[str, ...] = ("type_1", "type_2", "type_3", "drug_free")
#: Class labels for tables and maps: ``klass -> (vi, en)``.
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "type_1": ("Trọng điểm loại I", "Key area type I"),
    "type_2": ("Trọng điểm loại II", "Key area type II"),
    "type_3": ("Trọng điểm loại III", "Key area type III"),
    "drug_free": ("Không ma túy", "Drug-free"),
    "none": ("Không thuộc loại nào", "None"),
}
_SHORT: dict[str, tuple[str, str]] = {
    "type_1": ("Loại I", "Type I"),
    "type_2": ("Loại II", "Type II"),
    "type_3": ("Loại III", "Type III"),
    "drug_free": ("Không ma túy", "Drug-free"),
}
_CMP = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}
_LOGIC = ("any", "all")
_THRESHOLDS = ("right", "min", "max")


# ----------------------------------------------------------------- rule objects


@dataclass(frozen=True)
class Criterion:
    """One criterion of a class.

    Attributes
    ----------
    klass, id : str
        Class id and criterion id; ``qid`` is ``"klass.id"``.
    name_vi, name_en : str
        What the criterion says.
    enabled : bool
        Whether it is counted.
    expr : dict or None
        The condition; ``None`` when the data it needs is not in the catalog.
    source : str
        Clause of the decision (and the source the wording was read from).
    note_vi, note_en : str
        Why it is off or unconfirmed; empty when there is nothing to say.
    verified : str
        ``official_summary``, ``partial_translation`` or ``unconfirmed``.
    """

    klass: str
    id: str
    name_vi: str
    name_en: str
    enabled: bool
    expr: dict | None
    source: str = ""
    note_vi: str = ""
    note_en: str = ""
    verified: str = ""

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


@dataclass(frozen=True)
class ClassRule:
    """One class: its criteria and how many must hold."""

    id: str
    name_vi: str
    name_en: str
    min_criteria: int | str
    criteria: tuple[Criterion, ...]
    requires_no_higher_class: bool = False

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


@dataclass(frozen=True)
class RuleSet:
    """Loaded (and possibly overridden) classification rules.

    Attributes
    ----------
    raw : dict
        The rules document after overrides.
    classes : tuple of ClassRule
        In precedence order.
    path : Path
        File the rules came from.
    overrides : dict
        The overrides applied (notes starting with ``_`` dropped).
    """

    raw: dict
    classes: tuple[ClassRule, ...]
    path: Path
    overrides: dict = field(default_factory=dict)

    def get(self, klass: str) -> ClassRule:
        """Return one class by id."""
        for c in self.classes:
            if c.id == klass:
                return c
        raise NotFoundError(f"Không có lớp '{klass}'.", f"No class '{klass}'.")

    def criteria(self) -> list[Criterion]:
        """Every criterion of every class, in precedence order."""
        return [c for k in self.classes for c in k.criteria]

    def disabled_criteria(self, lang: str = "vi") -> list[str]:
        """Labels of the criteria that are off, with the reason, for the UI."""
        out = []
        for c in self.criteria():
            if not c.enabled:
                note = tr(c.note_vi, c.note_en, lang)
                out.append(f"{tr(*_SHORT[c.klass], lang)} — {c.name(lang)}"
                           + (f" ({note})" if note else ""))
        return out

    def unreachable_classes(self, lang: str = "vi") -> list[str]:
        """Messages for the classes that cannot be assigned with the criteria now on."""
        out = []
        for k in self.classes:
            if not k.enabled:
                out.append(tr(f"{_SHORT[k.id][0]}: chưa bật tiêu chí nào — chưa thể xác định "
                              "loại này.",
                              f"{_SHORT[k.id][1]}: no criterion is on — this class cannot be "
                              "assigned.", lang))
            elif not k.reachable:
                out.append(tr(
                    f"{_SHORT[k.id][0]}: cần {k.needed} tiêu chí nhưng mới bật "
                    f"{len(k.enabled)} — chưa thể xác định loại này.",
                    f"{_SHORT[k.id][1]}: needs {k.needed} criteria but only "
                    f"{len(k.enabled)} are on — this class cannot be assigned.", lang))
        return out

    def thresholds(self) -> dict[str, Any]:
        """Every key an override may set, with its current value."""
        out: dict[str, Any] = {}
        for k in self.classes:
            out[f"{k.id}.min_criteria"] = k.min_criteria
            for c in k.criteria:
                out[f"{c.qid}.enabled"] = c.enabled
                if c.expr is not None:
                    for path, value in _threshold_leaves(c.expr, ""):
                        out[f"{c.qid}.{path}"] = value
        return out


# ----------------------------------------------------------------- loading


def load_rules(path: str | Path | None = None,
               overrides: Mapping[str, Any] | str | Path | None = None) -> RuleSet:
    """Load the classification rules and apply a province's overrides.

    Parameters
    ----------
    path : str or Path, optional
        Rules file; default the embedded QĐ 28/2025 rules (:data:`RULES_FILE`).
    overrides : dict, str or Path, optional
        Flat ``{"class.criterion.field": value}`` (or a JSON file holding one).
        Fields: ``enabled`` (bool); a threshold of the expression — ``right``,
        ``min`` or ``max``, reached through ``args.<i>`` inside ``any``/``all``
        (e.g. ``type_1.plants.args.1.right``); and ``class.min_criteria`` (a
        positive int or ``"all"``). Keys starting with ``_`` are notes and
        ignored. :meth:`RuleSet.thresholds` lists every key.

    Returns
    -------
    RuleSet

    Raises
    ------
    NotFoundError
        When a file does not exist.
    ValidationError
        When the rules file is malformed, or an override names an unknown class,
        criterion or field, gives a value of the wrong type or range, switches on
        a criterion whose threshold is unknown (``null``), or leaves a range with
        ``min > max``. Every problem is listed.

    Examples
    --------
    >>> r = load_rules(overrides={"type_1.addicts_ratio.right": 0.006})
    >>> r.thresholds()["type_1.addicts_ratio.right"]
    0.006
    """
    src = Path(path) if path is not None else RULES_FILE
    raw = _read_json(src)
    _check_document(raw, src.name)
    raw = copy.deepcopy(raw)
    applied: dict[str, Any] = {}
    ov_name = None
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
    _check_enabled(raw, ov_name or src.name)
    return RuleSet(raw=raw, classes=_build(raw), path=src, overrides=applied)


def _read_json(p: Path) -> Any:
    if not p.exists():
        raise NotFoundError(f"Không tìm thấy tệp {p}.", f"File not found: {p}.", file=p.name)
    try:
        return json.loads(p.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValidationError(f"Tệp không phải JSON hợp lệ: {e}.",
                              f"Not valid JSON: {e}.", file=p.name) from None


def _catalog_ids() -> set[str]:
    from geo.indicators import load_catalog

    return {i.id for i in load_catalog()}


def _check_document(raw: Any, fname: str) -> None:
    """Validate the structure of a rules document; raise with every problem."""
    probs: list[Problem] = []

    def bad(vi: str, en: str) -> None:
        probs.append(Problem(vi, en, file=fname))

    if not isinstance(raw, dict) or not isinstance(raw.get("classes"), dict):
        raise ValidationError("Tệp quy tắc thiếu mục 'classes'.",
                              "The rules file has no 'classes'.", file=fname)
    prec = raw.get("precedence")
    if not isinstance(prec, list) or sorted(prec) != sorted(raw["classes"]) \
            or not set(prec) <= set(CLASS_IDS):
        bad("'precedence' phải liệt kê đúng các lớp trong 'classes' "
            f"(chỉ gồm {', '.join(CLASS_IDS)}).",
            f"'precedence' must list exactly the classes of 'classes' "
            f"(among {', '.join(CLASS_IDS)}).")
    ids = _catalog_ids()
    for cid, cls in raw["classes"].items():
        if not isinstance(cls, dict) or not isinstance(cls.get("criteria"), list):
            bad(f"Lớp '{cid}' thiếu danh sách 'criteria'.", f"Class '{cid}' has no 'criteria'.")
            continue
        m = cls.get("min_criteria")
        if not (m == "all" or (isinstance(m, int) and not isinstance(m, bool)
                               and 1 <= m <= len(cls["criteria"]))):
            bad(f"{cid}.min_criteria phải là số nguyên từ 1 đến {len(cls['criteria'])} "
                "hoặc \"all\".",
                f"{cid}.min_criteria must be an integer 1..{len(cls['criteria'])} or \"all\".")
        seen: set[str] = set()
        for crit in cls["criteria"]:
            qid = f"{cid}.{crit.get('id')}" if isinstance(crit, dict) else cid
            if not isinstance(crit, dict) or not isinstance(crit.get("id"), str) \
                    or "." in crit["id"]:
                bad(f"{cid}: mỗi tiêu chí cần một 'id' (không có dấu chấm).",
                    f"{cid}: every criterion needs an 'id' (without dots).")
                continue
            if crit["id"] in seen:
                bad(f"{qid}: trùng id.", f"{qid}: duplicate id.")
            seen.add(crit["id"])
            if not isinstance(crit.get("enabled"), bool):
                bad(f"{qid}.enabled phải là true/false.", f"{qid}.enabled must be true/false.")
            for k in ("name_vi", "name_en"):
                if not isinstance(crit.get(k), str):
                    bad(f"{qid} thiếu '{k}'.", f"{qid} has no '{k}'.")
            if crit.get("expr") is not None:
                for vi, en in _check_cond(crit["expr"], ids, qid):
                    bad(vi, en)
    if probs:
        raise ValidationError("Tệp quy tắc phân loại không hợp lệ.",
                              "The classification rules file is invalid.",
                              problems=probs, file=fname)


def _check_cond(c: Any, ids: set[str], where: str) -> list[tuple[str, str]]:
    if not isinstance(c, dict):
        return [(f"{where}: điều kiện phải là một đối tượng.", f"{where}: a condition must be "
                 "an object.")]
    op = c.get("op")
    if op in _LOGIC:
        args = c.get("args")
        if not isinstance(args, list) or not args:
            return [(f"{where}: '{op}' cần danh sách 'args'.", f"{where}: '{op}' needs 'args'.")]
        return [p for i, a in enumerate(args) for p in _check_cond(a, ids, f"{where}.args.{i}")]
    if op in _CMP:
        keys = ("right",)
    elif op == "in_range":
        keys = ("min", "max")
    else:
        return [(f"{where}: phép so sánh '{op}' không được hỗ trợ.",
                 f"{where}: unsupported op '{op}'.")]
    out = _check_value(c.get("left"), ids, f"{where}.left")
    for k in keys:
        v = c.get(k, "absent")
        if v is not None and not _is_number(v):
            out.append((f"{where}.{k} phải là số hoặc null.", f"{where}.{k} must be a number or "
                        "null."))
    return out


def _check_value(v: Any, ids: set[str], where: str) -> list[tuple[str, str]]:
    if _is_number(v):
        return []
    if isinstance(v, str):
        unknown = [p for p in v.split("+") if p.strip() not in ids]
        return [(f"{where}: chỉ tiêu '{u}' không có trong danh mục.",
                 f"{where}: indicator '{u}' is not in the catalog.") for u in unknown]
    if isinstance(v, dict) and set(v) == {"ratio"} and isinstance(v["ratio"], list) \
            and len(v["ratio"]) == 2:
        return [p for i, x in enumerate(v["ratio"]) for p in _check_value(x, ids, f"{where}.{i}")]
    return [(f"{where}: giá trị phải là số, mã chỉ tiêu hoặc {{\"ratio\": [a, b]}}.",
             f"{where}: a value must be a number, an indicator id or {{\"ratio\": [a, b]}}.")]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _threshold_leaves(expr: dict, prefix: str) -> list[tuple[str, Any]]:
    """``(path, value)`` of every threshold of a condition, paths relative to it."""
    if expr.get("op") in _LOGIC:
        return [leaf for i, a in enumerate(expr["args"])
                for leaf in _threshold_leaves(a, f"{prefix}args.{i}.")]
    keys = ("min", "max") if expr.get("op") == "in_range" else ("right",)
    return [(f"{prefix}{k}", expr.get(k)) for k in keys]


def _has_ratio(v: Any) -> bool:
    return isinstance(v, dict) and "ratio" in v


def _apply_overrides(raw: dict, overrides: dict, fname: str | None) -> dict:
    probs: list[Problem] = []
    applied: dict[str, Any] = {}

    def bad(key: str, vi: str, en: str) -> None:
        probs.append(Problem(f"'{key}': {vi}", f"'{key}': {en}", file=fname))

    known = RuleSet(raw, _build(raw), RULES_FILE).thresholds()
    for key, value in overrides.items():
        if not isinstance(key, str):
            bad(str(key), "khóa phải là chuỗi.", "keys must be strings.")
            continue
        if key.startswith("_"):
            continue
        parts = key.split(".")
        cls = raw["classes"].get(parts[0])
        if cls is None:
            bad(key, f"không có lớp '{parts[0]}' (có: {', '.join(raw['classes'])}).",
                f"no class '{parts[0]}' (classes: {', '.join(raw['classes'])}).")
            continue
        if parts[1:] == ["min_criteria"]:
            n = len(cls["criteria"])
            if value == "all" or (isinstance(value, int) and not isinstance(value, bool)
                                  and 1 <= value <= n):
                cls["min_criteria"] = value
                applied[key] = value
            else:
                bad(key, f"phải là số nguyên từ 1 đến {n} hoặc \"all\".",
                    f"must be an integer 1..{n} or \"all\".")
            continue
        crit = next((c for c in cls["criteria"] if len(parts) > 1 and c["id"] == parts[1]),
                    None)
        if crit is None:
            near = difflib.get_close_matches(key, list(known), n=1)
            hint_vi = f" Có phải '{near[0]}'?" if near else ""
            hint_en = f" Did you mean '{near[0]}'?" if near else ""
            ids = ", ".join(c["id"] for c in cls["criteria"])
            bad(key, f"không có tiêu chí '{parts[1] if len(parts) > 1 else ''}' trong "
                f"{parts[0]} (có: {ids}).{hint_vi}",
                f"no criterion '{parts[1] if len(parts) > 1 else ''}' in {parts[0]} "
                f"(criteria: {ids}).{hint_en}")
            continue
        if parts[2:] == ["enabled"]:
            if isinstance(value, bool):
                crit["enabled"] = value
                applied[key] = value
            else:
                bad(key, "phải là true hoặc false.", "must be true or false.")
            continue
        if key not in known or key.endswith(".enabled"):
            near = difflib.get_close_matches(key, list(known), n=1)
            bad(key, "không phải ngưỡng ghi đè được" + (f"; có phải '{near[0]}'?" if near
                                                         else "."),
                "is not an overridable threshold" + (f"; did you mean '{near[0]}'?" if near
                                                     else "."))
            continue
        node = crit["expr"]
        for p in parts[2:-1]:
            node = node[int(p)] if p.isdigit() else node[p]
        if value is not None and (not _is_number(value) or value < 0):
            bad(key, "phải là số không âm (hoặc null: chưa biết).",
                "must be a non-negative number (or null: unknown).")
            continue
        if value is not None and _has_ratio(node.get("left")) and value > 1:
            bad(key, "là tỷ lệ nên phải từ 0 đến 1 (0,5% viết là 0.005).",
                "is a ratio, so it must be between 0 and 1 (0.5% is 0.005).")
            continue
        node[parts[-1]] = value
        applied[key] = value
    if probs:
        raise ValidationError("Có ghi đè ngưỡng không hợp lệ; chưa áp dụng ghi đè nào.",
                              "Invalid threshold overrides; none were applied.",
                              problems=probs, file=fname)
    return applied


def _check_enabled(raw: dict, fname: str) -> None:
    """An enabled criterion needs every threshold set and sane ranges."""
    probs: list[Problem] = []
    for cid, cls in raw["classes"].items():
        for crit in cls["criteria"]:
            qid = f"{cid}.{crit['id']}"
            if crit["enabled"] and crit.get("expr") is None:
                need = ", ".join(crit.get("requires_data", [])) or "?"
                probs.append(Problem(
                    f"{qid}: không bật được — cần số liệu không có trong danh mục ({need}).",
                    f"{qid}: cannot be switched on — needs data not in the catalog ({need}).",
                    file=fname))
                continue
            if crit.get("expr") is None:
                continue
            for path, v in _threshold_leaves(crit["expr"], ""):
                if crit["enabled"] and v is None:
                    probs.append(Problem(
                        f"{qid}: chưa có ngưỡng '{path}' (chưa xác nhận) — hãy ghi đè "
                        f"'{qid}.{path}' trước khi bật.",
                        f"{qid}: threshold '{path}' is unknown (unconfirmed) — override "
                        f"'{qid}.{path}' before switching it on.", file=fname))
            for node in _ranges(crit["expr"]):
                lo, hi = node.get("min"), node.get("max")
                if lo is not None and hi is not None and lo >= hi:
                    probs.append(Problem(f"{qid}: khoảng rỗng (min {lo} ≥ max {hi}).",
                                         f"{qid}: empty range (min {lo} ≥ max {hi}).",
                                         file=fname))
    if probs:
        raise ValidationError("Quy tắc phân loại không dùng được.",
                              "The classification rules cannot be used.",
                              problems=probs, file=fname)


def _ranges(expr: dict) -> list[dict]:
    if expr.get("op") in _LOGIC:
        return [n for a in expr["args"] for n in _ranges(a)]
    return [expr] if expr.get("op") == "in_range" else []


def _build(raw: dict) -> tuple[ClassRule, ...]:
    out = []
    for cid in raw["precedence"]:
        cls = raw["classes"][cid]
        crits = tuple(Criterion(
            klass=cid, id=c["id"], name_vi=c["name_vi"], name_en=c["name_en"],
            enabled=c["enabled"], expr=c.get("expr"), source=c.get("source", ""),
            note_vi=c.get("note_vi", ""), note_en=c.get("note_en", ""),
            verified=c.get("verified", "")) for c in cls["criteria"])
        out.append(ClassRule(cid, cls.get("name_vi", cid), cls.get("name_en", cid),
                             cls["min_criteria"], crits,
                             bool(cls.get("requires_no_higher_class", False))))
    return tuple(out)


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
        else:
            _collect_ids(node.get("left"), out)


# ----------------------------------------------------------------- evaluation


class _Frame:
    """Numeric columns of the input, read once; absent columns are all-NaN."""

    def __init__(self, values: pd.DataFrame) -> None:
        self.values = values
        self.n = len(values)
        self._cols: dict[str, np.ndarray] = {}

    def col(self, name: str) -> np.ndarray:
        if name not in self._cols:
            if name in self.values.columns:
                s = self.values[name]
                if isinstance(s, pd.DataFrame):  # duplicated column names
                    raise ValidationError(f"Cột '{name}' bị trùng.",
                                          f"Column '{name}' is duplicated.", column=name)
                self._cols[name] = pd.to_numeric(s, errors="coerce").to_numpy(float)
            else:
                self._cols[name] = np.full(self.n, np.nan)
        return self._cols[name]


def _value(v: Any, f: _Frame) -> np.ndarray:
    if _is_number(v):
        return np.full(f.n, float(v))
    if isinstance(v, str):
        return np.sum([f.col(p.strip()) for p in v.split("+")], axis=0)  # NaN propagates
    num, den = (_value(x, f) for x in v["ratio"])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def _truth(c: dict, f: _Frame) -> np.ndarray:
    """1.0 true, 0.0 false, NaN when the data is missing (three-valued)."""
    op = c["op"]
    if op in _LOGIC:
        parts = np.column_stack([_truth(a, f) for a in c["args"]])
        nan = np.isnan(parts).any(axis=1)
        if op == "any":
            return np.where((parts == 1).any(axis=1), 1.0, np.where(nan, np.nan, 0.0))
        return np.where((parts == 0).any(axis=1), 0.0, np.where(nan, np.nan, 1.0))
    x = _value(c["left"], f)
    with np.errstate(invalid="ignore"):
        if op == "in_range":
            ok = x >= c["min"]
            if c.get("max") is not None:
                ok &= x < c["max"]
        else:
            ok = _CMP[op](x, c["right"])
    return np.where(np.isnan(x), np.nan, ok.astype(float))


def _missing_inputs(node: Any, f: _Frame, i: int) -> list[str]:
    """What made a condition unevaluable for row ``i``: NaN ids, zero denominators."""
    if isinstance(node, str):
        return [p.strip() for p in node.split("+") if np.isnan(f.col(p.strip())[i])]
    if not isinstance(node, dict):
        return []
    if "ratio" in node:
        num, den = node["ratio"]
        out = _missing_inputs(num, f, i) + _missing_inputs(den, f, i)
        d = _value(den, f)[i]
        if not np.isnan(d) and d <= 0:
            out.append(f"{den} = 0")
        return out
    if node.get("op") in _LOGIC:
        return [m for a in node["args"] for m in _missing_inputs(a, f, i)]
    return _missing_inputs(node.get("left"), f, i)


def _fmt(x: float, ratio: bool, lang: str) -> str:
    if ratio:
        s = f"{x * 100:.3f}".rstrip("0").rstrip(".")
        return (s.replace(".", ",") if lang == "vi" else s) + "%"
    return fmt_number(x, lang, 0 if float(x).is_integer() else 1)


def _observed(c: dict, f: _Frame, i: int, lang: str) -> str:
    """The values a condition looked at for row ``i``, e.g. ``"0,62%"``."""
    if c["op"] in _LOGIC:
        return " / ".join(_observed(a, f, i, lang) for a in c["args"])
    x = _value(c["left"], f)[i]
    return _fmt(x, _has_ratio(c["left"]), lang) if not np.isnan(x) else "—"


@dataclass
class _ClassEval:
    rule: ClassRule
    truth: np.ndarray  # rows × enabled criteria

    @property
    def held(self) -> np.ndarray:
        return (self.truth == 1).sum(axis=1)

    @property
    def unknown(self) -> np.ndarray:
        return np.isnan(self.truth).sum(axis=1)

    def status(self) -> np.ndarray:
        """Per row: ``holds``, ``fails`` or ``undetermined`` (missing data decides)."""
        if not self.rule.reachable:
            return np.full(self.truth.shape[0], "fails", dtype=object)
        need = self.rule.needed
        return np.where(self.held >= need, "holds",
                        np.where(self.held + self.unknown < need, "fails", "undetermined"))


def classify(values: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """QĐ 28/2025 class of every row of a wide table of indicator values.

    Parameters
    ----------
    values : pandas.DataFrame
        One row per unit (and period): index ``unit_code`` (or a MultiIndex with
        the period), columns indicator ids. A ``period`` column, if any, is
        carried to the result; other non-indicator columns are ignored. Absent
        columns and NaN are *missing*, never 0.
    rules : RuleSet
        From :func:`load_rules`.

    Returns
    -------
    pandas.DataFrame
        Same index as ``values`` (plus ``period`` when given), with

        - ``klass``: ``type_1``, ``type_2``, ``type_3``, ``drug_free`` or ``none``;
        - ``complete``: False when missing data could change the class;
        - ``fired``: qualified ids (``"type_1.addicts_ratio"``) of the enabled
          criteria that held, every class;
        - ``missing``: qualified ids of the enabled criteria that could not be
          evaluated;
        - ``missing_data``: indicator ids whose absence caused that;
        - ``explain_vi``, ``explain_en``: why, e.g. ``"Loại I: 3/4 tiêu chí
          (cần 3) — …"``.

    Examples
    --------
    >>> df = pd.DataFrame({"population": [10_000], "registered_addicts": [40],
    ...                    "illegal_users": [20], "drug_harbouring_places": [2],
    ...                    "drug_offenders_arrested": [10],
    ...                    "narcotic_plants_destroyed": [0], "narcotic_plant_area_m2": [0]},
    ...                   index=pd.Index(["04024"], name="unit_code"))
    >>> classify(df, load_rules()).klass.tolist()
    ['type_1']
    """
    if not isinstance(values, pd.DataFrame):
        raise ValidationError("Số liệu phải là một bảng (DataFrame).",
                              "Values must be a DataFrame.")
    f = _Frame(values)
    n = len(values)
    evals: list[_ClassEval] = []
    for rule in rules.classes:
        cols = [_truth(c.expr, f) for c in rule.enabled]
        evals.append(_ClassEval(rule, np.column_stack(cols) if cols else np.empty((n, 0))))
    statuses = [e.status() for e in evals]

    klass = ["none"] * n
    complete = [True] * n
    fired: list[list[str]] = []
    missing: list[list[str]] = []
    missing_data: list[list[str]] = []
    expl_vi: list[str] = []
    expl_en: list[str] = []
    for i in range(n):
        fired.append([c.qid for e in evals for c, t in zip(e.rule.enabled, e.truth[i])
                      if t == 1])
        miss_c = [c for e in evals for c, t in zip(e.rule.enabled, e.truth[i]) if np.isnan(t)]
        missing.append([c.qid for c in miss_c])
        missing_data.append(list(dict.fromkeys(
            m for c in miss_c for m in _missing_inputs(c.expr, f, i))))
        undecided: list[_ClassEval] = []
        chosen: _ClassEval | None = None
        blocked: _ClassEval | None = None
        for e, st in zip(evals, statuses):
            if st[i] == "holds":
                if e.rule.requires_no_higher_class and undecided:
                    blocked = e
                else:
                    chosen = e
                break
            if st[i] == "undetermined":
                undecided.append(e)
        if chosen is not None:
            klass[i] = chosen.rule.id
        complete[i] = not undecided
        vi, en = _explain(i, chosen, blocked, undecided, evals, f, missing_data[i])
        expl_vi.append(vi)
        expl_en.append(en)

    out = pd.DataFrame(index=values.index)
    if "period" in values.columns:
        out["period"] = values["period"].to_numpy()
    out["klass"] = klass
    out["complete"] = complete
    out["fired"] = fired
    out["missing"] = missing
    out["missing_data"] = missing_data
    out["explain_vi"] = expl_vi
    out["explain_en"] = expl_en
    return out


def _explain(i: int, chosen: _ClassEval | None, blocked: _ClassEval | None,
             undecided: list[_ClassEval], evals: list[_ClassEval], f: _Frame,
             miss_data: list[str]) -> tuple[str, str]:
    def one(lang: str) -> str:
        def tally(e: _ClassEval) -> str:
            r = e.rule
            off = len(r.criteria) - len(r.enabled)
            if not r.enabled:
                return tr(f"{_SHORT[r.id][0]}: chưa bật tiêu chí nào",
                          f"{_SHORT[r.id][1]}: no criterion on", lang)
            s = tr(f"{_SHORT[r.id][0]}: {int(e.held[i])}/{len(r.enabled)} tiêu chí "
                   f"(cần {r.needed}",
                   f"{_SHORT[r.id][1]}: {int(e.held[i])}/{len(r.enabled)} criteria "
                   f"(needs {r.needed}", lang)
            if off:
                s += tr(f"; {off} tiêu chí đang tắt", f"; {off} off", lang)
            return s + ")"

        def held_list(e: _ClassEval) -> str:
            return "; ".join(f"{c.name(lang)} [{_observed(c.expr, f, i, lang)}]"
                             for c, t in zip(e.rule.enabled, e.truth[i]) if t == 1)

        miss = tr("thiếu số liệu: ", "missing data: ", lang) + ", ".join(miss_data) \
            if miss_data else ""
        if chosen is not None:
            text = f"{tally(chosen)} — {held_list(chosen)}"
            if undecided:
                names = ", ".join(tr(*_SHORT[e.rule.id], lang) for e in undecided)
                text += tr(f". Chưa chắc chắn: chưa loại trừ được {names} ({miss}).",
                           f". Not certain: {names} not ruled out ({miss}).", lang)
            return text
        if blocked is not None:
            names = ", ".join(tr(*_SHORT[e.rule.id], lang) for e in undecided)
            return tr(f"Đạt tiêu chí không ma túy nhưng chưa loại trừ được {names} ({miss}).",
                      f"Meets the drug-free criteria but {names} not ruled out ({miss}).",
                      lang)
        text = tr("Không thuộc loại nào — ", "No class — ", lang) + "; ".join(
            tally(e) for e in evals)
        if undecided:
            names = ", ".join(tr(*_SHORT[e.rule.id], lang) for e in undecided)
            return text + tr(f". Chưa chắc chắn: chưa loại trừ được {names} ({miss}).",
                             f". Not certain: {names} not ruled out ({miss}).", lang)
        return text + (f". {miss[0].upper()}{miss[1:]}." if miss else ".")

    return one("vi"), one("en")
