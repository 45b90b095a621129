"""QĐ 28/2025/QĐ-TTg classification of communes, from rules kept as data.

Rules live in ``data/classification_qd28_2025.json``: per class (type I, II, III,
drug-free) a list of criteria, each a small declarative expression over indicator
ids (no code is evaluated from strings), an ``enabled`` flag and, for thresholds
not confirmed from the decision's own text, a note saying so. A class holds when
at least ``min_criteria`` of its criteria hold; classes take precedence in the
order type I, II, III, drug-free. Missing data is never read as 0: a criterion
that cannot be evaluated is listed in ``missing``. A province may override any
threshold or switch a criterion on or off.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo import DATA_DIR
from geo.errors import ValidationError

__all__ = ["CLASS_LABELS", "RuleSet", "classify", "load_rules"]

RULES_FILE = DATA_DIR / "classification_qd28_2025.json"
CLASS_LABELS: dict[str, tuple[str, str]] = {
    "type_1": ("Trọng điểm loại I", "Key area type I"),
    "type_2": ("Trọng điểm loại II", "Key area type II"),
    "type_3": ("Trọng điểm loại III", "Key area type III"),
    "drug_free": ("Không ma túy", "Drug-free"),
    "none": ("Không thuộc loại nào", "None"),
}
_OPS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less}


@dataclass
class RuleSet:
    """Loaded (and possibly overridden) classification rules."""

    raw: dict

    def disabled_criteria(self, lang: str = "vi") -> list[str]:
        """Names of criteria that are off (unconfirmed thresholds), for the UI."""
        out = []
        for cls in self.raw["classes"].values():
            for c in cls["criteria"]:
                if not c.get("enabled", True):
                    out.append(c["name_vi"] if lang == "vi" else c["name_en"])
        return out


def load_rules(path: str | Path | None = None, overrides: dict | None = None) -> RuleSet:
    """Load the rules and apply a province's overrides.

    Parameters
    ----------
    path : str or Path, optional
        Rules file (default: the embedded QĐ 28/2025 rules).
    overrides : dict, optional
        ``{"type_1.users_ratio.value": 0.006, "type_2.plants.enabled": true}``.

    Raises
    ------
    ValidationError
        For an unknown class, criterion or field, or a value of the wrong type.
    """
    raw = json.loads(Path(path or RULES_FILE).read_text("utf-8"))
    raw = copy.deepcopy(raw)
    for key, value in (overrides or {}).items():
        parts = key.split(".")
        if len(parts) != 3 or parts[0] not in raw["classes"]:
            raise ValidationError(f"Ghi đè '{key}' không hợp lệ (dạng: lop.tieu_chi.truong).",
                                  f"Invalid override '{key}' (form: class.criterion.field).")
        crit = {c["id"]: c for c in raw["classes"][parts[0]]["criteria"]}.get(parts[1])
        if crit is None:
            raise ValidationError(f"Không có tiêu chí '{parts[1]}' trong {parts[0]}.",
                                  f"No criterion '{parts[1]}' in {parts[0]}.")
        if parts[2] == "enabled":
            if not isinstance(value, bool):
                raise ValidationError(f"'{key}' phải là true/false.", f"'{key}' must be a bool.")
            crit["enabled"] = value
        elif parts[2] in ("value", "below"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValidationError(f"'{key}' phải là số không âm.",
                                      f"'{key}' must be a non-negative number.")
            crit["expr"][parts[2]] = float(value)
        else:
            raise ValidationError(f"Trường '{parts[2]}' không ghi đè được.",
                                  f"Field '{parts[2]}' cannot be overridden.")
    return RuleSet(raw)


def _eval(expr: dict, df: pd.DataFrame) -> np.ndarray:
    """Evaluate an expression per row: 1 true, 0 false, NaN when data is missing."""
    kind = expr["kind"]
    if kind == "any":
        parts = np.column_stack([_eval(e, df) for e in expr["of"]])
        anyt = np.nanmax(np.where(np.isnan(parts), -1, parts), axis=1)
        return np.where(anyt == 1, 1.0, np.where(np.isnan(parts).any(axis=1), np.nan, 0.0))
    cols = expr["num"] if kind == "ratio" else expr["ind"]
    if any(c not in df for c in cols) or (kind == "ratio" and expr["den"] not in df):
        return np.full(len(df), np.nan)
    x = df[cols].to_numpy(float).sum(axis=1)
    x[df[cols].isna().any(axis=1).to_numpy()] = np.nan
    if kind == "ratio":
        den = df[expr["den"]].to_numpy(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(den > 0, x / den, np.nan)
    ok = _OPS[expr["op"]](x, expr["value"])
    if "below" in expr:
        ok &= x < expr["below"]
    return np.where(np.isnan(x), np.nan, ok.astype(float))


def classify(values: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Class of every unit (row) of a wide table of indicator values.

    Returns
    -------
    pandas.DataFrame
        Same index; ``klass``, ``fired`` (criteria that held), ``missing``
        (criteria that could not be evaluated), ``explain_vi``, ``explain_en``.
    """
    res = pd.DataFrame(index=values.index)
    res["klass"] = "none"
    res["fired"] = [[] for _ in range(len(values))]
    res["missing"] = [[] for _ in range(len(values))]
    expl_vi = [""] * len(values)
    expl_en = [""] * len(values)
    decided = np.zeros(len(values), bool)
    for cname in rules.raw["precedence"]:
        cls = rules.raw["classes"][cname]
        crits = [c for c in cls["criteria"] if c.get("enabled", True)]
        if not crits:
            continue
        ev = np.column_stack([_eval(c["expr"], values) for c in crits])
        held = np.nansum(ev == 1, axis=1)
        miss = np.isnan(ev)
        holds = held >= cls["min_criteria"]
        for i in np.nonzero(~decided)[0]:
            res.at[res.index[i], "missing"] = res.missing.iloc[i] + [
                f"{cname}.{c['id']}" for c, m in zip(crits, miss[i]) if m]
            if holds[i]:
                fired = [c["id"] for c, e in zip(crits, ev[i]) if e == 1]
                res.at[res.index[i], "klass"] = cname
                res.at[res.index[i], "fired"] = fired
                names_vi = "; ".join(c["name_vi"] for c, e in zip(crits, ev[i]) if e == 1)
                names_en = "; ".join(c["name_en"] for c, e in zip(crits, ev[i]) if e == 1)
                expl_vi[i] = (f"{CLASS_LABELS[cname][0]}: {int(held[i])}/{len(cls['criteria'])}"
                              f" tiêu chí (cần {cls['min_criteria']}) — {names_vi}")
                expl_en[i] = (f"{CLASS_LABELS[cname][1]}: {int(held[i])}/{len(cls['criteria'])}"
                              f" criteria (needs {cls['min_criteria']}) — {names_en}")
                decided[i] = True
    for i in np.nonzero(~decided)[0]:
        expl_vi[i] = "Không đủ tiêu chí của loại nào"
        expl_en[i] = "Meets no class's criteria"
    res["explain_vi"] = expl_vi
    res["explain_en"] = expl_en
    return res
