"""Classifying communes under Quyết định 28/2025/QĐ-TTg.

The targeting page and ``diaban analyze classify`` call these; the rules engine is
:mod:`geo.qd28` (rules kept as data in ``data/classification_qd28_2025.json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo.auth import Principal, authorize
from geo.errors import ValidationError
from geo.periods import Period
from geo.registry import Province
from geo.services.base import (
    Request,
    check_edition,
    check_period,
    check_province,
    latest_period,
    transaction,
)

__all__ = ["ClassifyRequest", "classify", "load_overrides", "rules", "transitions"]


def load_overrides(path: str | Path) -> dict:
    """A province's rule overrides from a JSON file.

    Raises
    ------
    ValidationError
        The file is not JSON or not an object, naming the file and the place.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError("Tệp quy tắc phải là văn bản UTF-8.",
                              "The rules file must be UTF-8 text.", file=p.name) from None
    except json.JSONDecodeError as e:
        raise ValidationError(f"Tệp quy tắc không phải JSON hợp lệ: {e.msg}.",
                              f"The rules file is not valid JSON: {e.msg}.", file=p.name,
                              row=e.lineno) from None
    if not isinstance(data, dict):
        raise ValidationError("Tệp quy tắc phải là một đối tượng JSON {\"khóa\": giá trị}.",
                              "The rules file must be a JSON object {\"key\": value}.",
                              file=p.name)
    from geo.qd28 import load_rules

    load_rules(overrides=data, source=p.name)  # every bad key listed with the file's name
    return data


@dataclass(frozen=True)
class ClassifyRequest(Request):
    """The QĐ 28/2025 class of every commune of a province.

    Attributes
    ----------
    province : str or Province
    period : str or Period, optional
        Period whose figures are classified (default: the latest of the edition).
    edition : {"legacy", "2025"}
    overrides : tuple of (key, value)
        A province's rule overrides (see :mod:`geo.qd28`), as sorted pairs.
    """

    province: str | Province
    period: str | Period | None = None
    edition: str = "legacy"
    overrides: tuple[tuple[str, object], ...] = ()

    def check(self) -> ClassifyRequest:
        """Resolve the province and period; the overrides must apply to the rules."""
        from geo.qd28 import load_rules

        period = None if self.period is None else check_period(self.period)
        # every bad key listed, nothing run (against the rules in force for the period)
        load_rules(overrides=dict(self.overrides) or None, year=period)
        return replace(self, province=check_province(self.province, check_edition(self.edition)),
                       edition=check_edition(self.edition), period=period)


def rules(overrides: dict | None = None) -> object:
    """The rules in force (:class:`geo.qd28.RuleSet`), with a province's overrides."""
    from geo.qd28 import load_rules

    return load_rules(overrides=overrides)


def classify(req: ClassifyRequest, who: Principal, db: str | None = None,
             lang: str = "vi") -> pd.DataFrame:
    """One row per commune: ``code, name, district_name, klass`` and the criteria met.

    ``klass`` is one of :data:`geo.vocab.QD28_CLASSES` (``undetermined`` when the
    class depends on missing figures); see :func:`geo.qd28.classify` for the columns.
    """
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        period = req.period or latest_period(s, req.edition)
        return analysis.classify(s, req.province, period.id, req.edition,
                                 dict(req.overrides) or None, lang)


def transitions(req: ClassifyRequest, who: Principal, db: str | None = None) -> dict:
    """Classes per period, the transition matrix and each commune's change."""
    from geo import analysis

    req = req.check()
    authorize(who, "analyze", req.province)
    with transaction(db) as s:
        return analysis.classification_transitions(s, req.province, req.edition,
                                                   overrides=dict(req.overrides) or None)
