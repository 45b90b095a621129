"""The annual QĐ 28/2025 assessment of a province: figures, classes, the list, transformation.

Every December a province classes each of its communes for the assessment year (15/12
of the previous year to 14/12, Điều 7.1), records the People's Committee's approval of
the list (Điều 7, 9) and reports how communes moved between classes. This module does
that work on an open session; :mod:`geo.services.classification` wraps it for the
pages and the CLI (requests, rights, one transaction), and :mod:`geo.demo` uses it to
store the demo's approved lists.

- :func:`year_figures` — the year's figures of every commune: the annual figure, or
  the year built from its half-years (flows summed, stocks from the second half,
  :func:`geo.aggregate.year_from_halves`); figures recorded on the other units edition
  cross the 1 July 2025 reform through the stored crosswalk (counts summed by weight,
  ratios recomputed by the engine from converted numerator and denominator, never
  averaged; yes/no flags stay yes/no: a new commune lies on a route when any
  predecessor did); ``on_key_drug_route`` comes from the key drug routes the province
  recorded (:func:`geo.store.routes`), in force on the year's last day, when it keeps
  any — otherwise from the imported indicator.
- :func:`evaluate_year` — :func:`geo.qd28.assess` on those figures, merged with the
  stored list: a draft's manual classes with their reasons, or an approved list's
  frozen classes and criteria.
- :func:`compare_years` — each commune's class last year → this year: the change
  (:data:`geo.vocab.CLASS_CHANGES`), its place on the list of key communes
  (:data:`geo.vocab.LIST_CHANGES`), transformed (moved down at least one class or
  became drug-free, Điều 2.2) or relapsed (moved up); across the reform a commune's
  class last year is the most serious class among its predecessors
  (:data:`PREDECESSOR_RULE`).
- :func:`commune_timeline` — the 2021–2025 plan's designations and the yearly
  classes of one commune (and of its predecessors or successors) on one timeline.

Lists are kept per province as its code in an edition (:func:`list_province`): Sơn La
(14) before and after the reform is one province, so its 2024 list (legacy communes)
and its 2025 list (2025 communes) are found from either edition's code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from geo.errors import NotFoundError, ValidationError
from geo.i18n import fmt_number, tr
from geo.periods import Period, parse_cutoff, parse_period
from geo.qd28 import Assessment, CriterionResult, RuleSet, load_rules
from geo.registry import Province, find_province, load_units
from geo.vocab import CLASS_CHANGES, LIST_CHANGES, LIST_STATUSES, QD28_CLASSES

__all__ = [
    "CLASS_RANK",
    "KEY_CLASSES",
    "PREDECESSOR_RULE",
    "Comparison",
    "YearFigures",
    "YearView",
    "change_of",
    "commune_timeline",
    "compare_years",
    "entry_snapshot",
    "evaluate_year",
    "figure_names",
    "list_change_of",
    "list_province",
    "province_settings",
    "rules_used",
    "snapshot",
    "store_approval",
    "store_draft",
    "year_figures",
]

#: Seriousness of the classes a list holds (higher = more serious).
CLASS_RANK: dict[str, int] = {"type_1": 3, "type_2": 2, "type_3": 1, "none": 0,
                              "drug_free": -1}
#: The key complex classes (the list the province adds communes to and removes them from).
KEY_CLASSES = ("type_1", "type_2", "type_3")
#: How a commune's class in a year before the reform is read for a 2025 commune.
PREDECESSOR_RULE = (
    "Năm trước 01/7/2025, loại của một xã mới là loại nặng nhất trong các xã cũ hợp thành "
    "(loại I > II > III > không xếp loại > không ma túy); xã cũ bị chia cho nhiều xã mới "
    "được tính cho mỗi xã mới nhận một phần. Nếu một xã cũ chưa có loại thì chưa xác định, "
    "trừ khi đã có xã cũ loại I.",
    "For a year before 1 July 2025, a new commune's class is the most serious class among "
    "the old communes it was formed from (type I > II > III > none > drug-free); an old "
    "commune split between several new ones counts for each of them. When an old commune "
    "has no class the result is unknown, unless another is type I.")


def _day(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def figure_names(ids: list[str], lang: str = "vi") -> str:
    """The indicators' names, for "chưa đủ số liệu: …" (unknown ids as they are).

    Examples
    --------
    >>> figure_names(["residents", "x"], "en")
    'People currently residing; x'
    """
    from geo.indicators import load_catalog

    cat = {i.id: i for i in load_catalog()}
    return "; ".join(cat[i].name(lang) if i in cat else str(i) for i in ids)


# ----------------------------------------------------------------- provinces, settings


def _memo(s: Session, key: tuple, make: Any) -> Any:
    """A value computed once per session (the stored crosswalk and a province's communes
    are read many times by one use case; they do not change within its transaction).
    """
    box = s.info.setdefault("diaban_assessment_memo", {})
    if key not in box:
        box[key] = make()
    return box[key]


def _crosswalk(s: Session) -> pd.DataFrame:
    from geo.store import crosswalk

    return _memo(s, ("crosswalk",), lambda: crosswalk(s))


def _units(s: Session, province: Province, edition: str) -> pd.DataFrame:
    from geo.store import province_units

    return _memo(s, ("units", province, edition),
                 lambda: province_units(s, province, edition))


def list_province(s: Session, province: Province, edition: str) -> Province:
    """The province a list of ``edition`` communes is kept under.

    A province whose territory is the same in both editions (Sơn La, 14) is read in
    the list's edition; one that merged (2025 Lào Cai = legacy Lào Cai + Yên Bái)
    stays as asked.

    Parameters
    ----------
    s : Session
        Open session (the stored crosswalk).
    province : Province
        As the request named it.
    edition : {"legacy", "2025"}
        Edition of the list's communes.

    Returns
    -------
    Province
    """
    if province.edition == edition:
        return province

    def make() -> Province:
        there = _units(s, province, edition)
        codes = set(there.province_code)
        if len(codes) != 1:
            return province
        other = find_province(next(iter(codes)), edition)
        back = _units(s, other, province.edition)
        mine = set(_units(s, province, province.edition).code)
        return other if set(back.code) == mine else province

    return _memo(s, ("list_province", province, edition), make)


def province_settings(s: Session, province: Province) -> dict:
    """A province's assessment settings (defaults when none are stored).

    Settings are kept under the province as it is after the reform (its 2025 code
    when its territory did not change).

    Returns
    -------
    dict
        ``cutoff`` (a :class:`geo.periods.Cutoff`), ``cutoff_stored`` (bool),
        ``target_share``, ``target_year``, ``target_source``, ``overrides`` (dict),
        ``key`` (the :class:`Province` they are kept under), ``created_by``,
        ``created_at``.
    """
    from geo.store import assessment_settings

    key = list_province(s, province, "2025")
    got = assessment_settings(s, key.code, key.edition) or {}
    return {"key": key, "cutoff": parse_cutoff(got.get("cutoff")),
            "cutoff_stored": bool(got.get("cutoff")),
            "target_share": got.get("target_share"), "target_year": got.get("target_year"),
            "target_source": got.get("target_source"),
            "overrides": dict(got.get("overrides") or {}),
            "created_by": got.get("created_by"), "created_at": got.get("created_at")}


def rules_used(rules: RuleSet, cutoff: Any) -> dict:
    """What a stored list records about its rules: id, file, readings, overrides, cut-off."""
    return {"rule_set": rules.id, "file": rules.path.name, "order": list(rules.order),
            "readings": {k: r.value for k, r in rules.readings.items()},
            "overrides": dict(rules.overrides), "cutoff": str(cutoff)}


# ----------------------------------------------------------------- figures


@dataclass
class YearFigures:
    """The figures of one assessment year for every commune of a province.

    Attributes
    ----------
    wide : pandas.DataFrame
        Index ``code`` (every commune of the province in the edition), one column per
        indicator the rules read; NaN where a figure is missing.
    province_values : dict
        Provincial figures that win over the communes' total
        (``on_interprovincial_drug_route`` from the recorded routes).
    notes : list of (str, str)
        ``(vi, en)``: figures built from half-years, converted across the reform,
        where the route flag came from.
    route_source : {"routes", "indicator"}
        Where ``on_key_drug_route`` came from.
    """

    wide: pd.DataFrame
    province_values: dict = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    route_source: str = "indicator"


def _needed(rules: RuleSet) -> list[str]:
    out: list[str] = []
    for k in (*rules.classes, *([rules.province] if rules.province else [])):
        for c in k.enabled:
            out.extend(c.indicators())
    for key, d in (rules.raw.get("denominators") or {}).items():
        if d.get("fallback"):
            out.extend([key, d["fallback"]])
    return list(dict.fromkeys(out))


def _linked(cw: pd.DataFrame, codes: set[str], src: str, dst: str) -> dict[str, set[str]]:
    """``{code of dst edition: {codes of src edition linked to it}}`` through the crosswalk."""
    if src == dst:
        return {c: {c} for c in codes}
    a, b = ("old_code", "new_code") if src == "legacy" else ("new_code", "old_code")
    m = cw[cw[a].isin(codes)]
    out: dict[str, set[str]] = {}
    for x, y in zip(m[a], m[b]):
        out.setdefault(str(y), set()).add(str(x))
    return out


def year_figures(s: Session, province: Province, per: Period, edition: str, rules: RuleSet,
                 units: pd.DataFrame | None = None) -> YearFigures:
    """The figures the rules need for every commune of a province in an assessment year.

    Parameters
    ----------
    s : Session
        Open session.
    province : Province
        The province.
    per : Period
        The assessment year (a half-year or quarter also works: no parts are built).
    edition : {"legacy", "2025"}
        Edition of the communes.
    rules : RuleSet
        The rules (which indicators to read).
    units : pandas.DataFrame, optional
        :func:`geo.store.province_units` of the province (read when not given).

    Returns
    -------
    YearFigures
    """
    from geo.aggregate import year_from_halves
    from geo.indicators import load_catalog
    from geo.store import get_values

    if units is None:
        units = _units(s, province, edition)
    need = _needed(rules)
    parts = [p.id for p in per.parts("H")] if per.kind == "Y" else []
    v = get_values(s, province, edition, need, [per.id, *parts])
    notes: list[tuple[str, str]] = []
    cat = {i.id: i for i in load_catalog()}
    flags = [i for i in need if getattr(cat.get(i), "aggregate", "sum") == "max"]
    crossed = v[v.converted != ""] if "converted" in v else v.iloc[:0]
    if len(crossed):
        ps = ", ".join(sorted(crossed.period.unique()))
        if (crossed.converted == "crosswalk").any():
            notes.append((
                f"Số liệu kỳ {ps} ghi trên xã trước 01/7/2025 được chuyển sang xã mới theo bảng "
                "chuyển đổi lưu trong hệ thống: số lượng cộng theo trọng số; tỷ lệ tính lại từ tử "
                "số và mẫu số đã chuyển (không lấy trung bình); có/không nằm trên tuyến: có nếu "
                "một xã cũ hợp thành có.",
                f"Figures of {ps} recorded on communes before 1 July 2025 are converted to the "
                "new communes through the stored crosswalk: counts summed by weight; ratios "
                "recomputed from the converted numerator and denominator (never averaged); on "
                "a route: yes when any predecessor was."))
        if (crossed.converted == "estimated").any():
            notes.append((
                f"Số liệu kỳ {ps} ghi trên xã mới được chia cho xã cũ theo dân số (ước tính).",
                f"Figures of {ps} recorded on new communes are shared among the old ones by "
                "population (estimates)."))
    if flags:
        m = v.indicator.isin(flags)
        v.loc[m, "value"] = (v.loc[m, "value"] > 0).astype(float)
    if parts:
        built = year_from_halves(v, per)
        v = built.values
        notes += list(zip(built.notes("vi"), built.notes("en")))
    codes = list(units.code)
    wide = (v.pivot_table(index="unit_code", columns="indicator", values="value",
                          aggfunc="first") if len(v) else pd.DataFrame())
    wide = wide.reindex(index=codes, columns=need)
    wide.index.name = "code"
    out = YearFigures(wide, {}, notes)
    _apply_routes(s, province, per, edition, out, cw_reader=lambda: _crosswalk(s))
    return out


def _apply_routes(s: Session, province: Province, per: Period, edition: str,
                  fig: YearFigures, cw_reader: Any) -> None:
    """``on_key_drug_route`` (and the province's inter-provincial route) from stored routes."""
    from geo.store import routes

    key = list_province(s, province, "2025")
    every = routes(s, key.code, key.edition)
    if every.empty:
        return
    day = per.end
    now = every[(every.valid_from <= day) & (every.valid_to.isna() | (every.valid_to >= day))]
    codes = set(fig.wide.index)
    on: set[str] = set()
    cw = None
    for ed, grp in now.groupby("edition"):
        if ed == edition:
            on |= set(grp.unit_code) & codes
        else:
            cw = cw if cw is not None else cw_reader()
            on |= set(_linked(cw, set(grp.unit_code), ed, edition)) & codes
    before = fig.wide.get("on_key_drug_route")
    flag = pd.Series([1.0 if c in on else 0.0 for c in fig.wide.index], index=fig.wide.index)
    if before is not None:
        known = before.notna()
        differ = int((before[known] != flag[known]).sum())
    else:
        differ = 0
    fig.wide["on_key_drug_route"] = flag
    inter = bool((now.scope == "inter").any())
    fig.province_values["on_interprovincial_drug_route"] = 1.0 if inter else 0.0
    fig.route_source = "routes"
    names = "; ".join(f"{n} ({'liên tỉnh' if sc == 'inter' else 'nội tỉnh'}, QĐ {d})"
                      for n, sc, d in now[["name", "scope", "decision_no"]]
                      .drop_duplicates().itertuples(index=False)) or "—"
    names_en = "; ".join(f"{n} ({'inter-provincial' if sc == 'inter' else 'intra-provincial'},"
                         f" decision {d})"
                         for n, sc, d in now[["name", "scope", "decision_no"]]
                         .drop_duplicates().itertuples(index=False)) or "—"
    n_on = len(on)
    fig.notes.append((
        f"Nằm trên tuyến trọng điểm (4.1.đ, 4.2.đ, 5.6): theo các tuyến đã ghi nhận có hiệu lực "
        f"ngày {_day(day)} — {names}; {fmt_number(n_on, 'vi')} xã nằm trên tuyến. Xã mới "
        "nằm trên tuyến nếu một xã cũ hợp thành nằm trên tuyến.",
        f"On a key drug route (4.1.đ, 4.2.đ, 5.6): from the routes recorded in force on "
        f"{day.isoformat()} — {names_en}; {fmt_number(n_on, 'en')} communes on a route. A new "
        "commune is on a route when any of its predecessors was."))
    if differ:
        fig.notes.append((
            f"{fmt_number(differ, 'vi')} xã có chỉ tiêu on_key_drug_route đã nhập khác với các "
            "tuyến đã ghi nhận; dùng các tuyến.",
            f"{fmt_number(differ, 'en')} communes have an imported on_key_drug_route that "
            "differs from the recorded routes; the routes are used."))


# ----------------------------------------------------------------- a year's list


def snapshot(r: CriterionResult) -> dict:
    """A criterion's result as stored with an approved list (both languages)."""
    return {"id": r.id, "class": r.klass, "article": r.article, "value": r.value,
            "threshold": r.threshold, "result": r.result, "counted": r.counted,
            "band": r.band, "missing": list(r.missing), "name_vi": r.name_vi,
            "name_en": r.name_en, "value_text_vi": r.value_text_vi,
            "value_text_en": r.value_text_en, "threshold_text_vi": r.threshold_text_vi,
            "threshold_text_en": r.threshold_text_en}


def _criterion_out(d: dict, lang: str) -> dict:
    """A stored criterion in the shape of :meth:`geo.qd28.CriterionResult.to_dict`."""
    return {"id": d["id"], "class": d.get("class"), "article": d.get("article"),
            "name": tr(d.get("name_vi", ""), d.get("name_en", ""), lang),
            "value": d.get("value"), "threshold": d.get("threshold"), "result": d["result"],
            "counted": d.get("counted"), "band": d.get("band"),
            "value_text": tr(d.get("value_text_vi", ""), d.get("value_text_en", ""), lang),
            "threshold_text": tr(d.get("threshold_text_vi", ""),
                                 d.get("threshold_text_en", ""), lang),
            "missing": list(d.get("missing") or [])}


@dataclass
class YearView:
    """A province's list for one assessment year: the classes, how they were reached, status.

    Attributes
    ----------
    province : Province
        As asked.
    key : Province
        The province the list is kept under (:func:`list_province`).
    year : Period
        The assessment year (under the province's cut-off).
    edition : str
        Edition of the communes.
    status : {"draft", "approved"}
    info : dict or None
        The stored current version (:func:`geo.store.stored_lists` columns) or None.
    rules : RuleSet
        The rules in force for the year (with the province's overrides).
    assessment : geo.qd28.Assessment or None
        The classes computed from today's figures (None when not computed).
    table : pandas.DataFrame
        Index ``code``: ``name, computed_class, manual_class, reason, final_class,
        approved_class, live_class, differs, complete, missing_data, adjusted_by,
        adjusted_at``. ``final_class`` is the list's class (the approved one, else the
        manual one, else the computed one).
    snapshots : dict
        ``{code: stored snapshot}`` for an approved list (criteria, explanations).
    notes : list of (str, str)
    route_source : str
    """

    province: Province
    key: Province
    year: Period
    edition: str
    status: str
    info: dict | None
    rules: RuleSet
    assessment: Assessment | None
    table: pd.DataFrame
    snapshots: dict = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    route_source: str = "indicator"

    @property
    def approved(self) -> bool:
        """Whether the list is approved."""
        return self.status == "approved"

    def status_label(self, lang: str = "vi") -> str:
        """``Đã phê duyệt — Quyết định số … ngày …`` or ``Dự thảo — chưa phê duyệt``."""
        if self.approved and self.info:
            d = self.info["decision_date"]
            return tr(f"Đã phê duyệt — Quyết định số {self.info['decision_no']} ngày "
                      f"{_day(d)}", f"Approved — decision {self.info['decision_no']} of "
                      f"{d.isoformat()}", lang)
        return LIST_STATUSES.label("draft", lang)

    def counts(self) -> dict[str, int]:
        """Communes per class of the list (every class listed, zeros included)."""
        vc = self.table.final_class.value_counts()
        return {k: int(vc.get(k, 0)) for k in QD28_CLASSES.ids}

    def province_class(self) -> str | None:
        """The province's own class (Điều 5): the approved one, else the computed one."""
        if self.approved and self.info and self.info.get("province_class"):
            return self.info["province_class"]
        if self.assessment is not None and self.assessment.province is not None:
            return self.assessment.province.klass
        return None

    def criteria(self, code: str, lang: str = "vi") -> list[dict]:
        """The criteria of one commune: frozen with an approved list, else computed now."""
        if self.approved and code in self.snapshots:
            return [_criterion_out(d, lang) for d in self.snapshots[code].get("criteria", [])]
        if self.assessment is None:
            return []
        return [c.to_dict(lang) for c in self.assessment.commune(code).criteria]

    def explanation(self, code: str, lang: str = "vi") -> str:
        """Why the commune has its computed class."""
        if self.approved and code in self.snapshots:
            sn = self.snapshots[code]
            return tr(sn.get("explain_vi", ""), sn.get("explain_en", ""), lang)
        if self.assessment is None:
            return ""
        r = self.assessment.communes.loc[code]
        return str(r["explain_vi"] if lang == "vi" else r["explain_en"])

    def readings(self, code: str, lang: str = "vi") -> list[dict]:
        """Readings whose switch would change the commune's computed class."""
        if self.assessment is None or code not in self.assessment.communes.index:
            return []
        rd = self.rules.readings
        return [{"id": r, "text": rd[r].text(lang) if r in rd else ""}
                for r in self.assessment.communes.loc[code, "readings"]]

    def record(self, code: str, lang: str = "vi") -> dict:
        """One commune as JSON: ``code, name, class, criteria`` and how the class came."""
        r = self.table.loc[code]
        return {"code": code, "name": r["name"], "class": r.final_class,
                "class_label": QD28_CLASSES.label(r.final_class, lang),
                "status": self.status, "computed_class": r.computed_class,
                "manual_class": r.manual_class, "reason": r.reason,
                "approved_class": r.approved_class, "live_class": r.live_class,
                "changed_since_approval": bool(r.differs), "complete": bool(r.complete),
                "missing_data": list(r.missing_data), "explanation": self.explanation(code, lang),
                "readings": self.readings(code, lang), "criteria": self.criteria(code, lang)}

    def records(self, lang: str = "vi") -> list[dict]:
        """Every commune as JSON, in code order."""
        return [self.record(c, lang) for c in self.table.index]

    def list_info(self, lang: str = "vi") -> dict | None:
        """The stored version as JSON (decision, who and when, rules used), or None."""
        if not self.info:
            return None
        i = self.info
        return {"status": i["status"], "decision_no": i["decision_no"],
                "decision_date": i["decision_date"], "approved_by": i["approved_by"],
                "approved_at": i["approved_at"], "rule_set": i["rule_set"],
                "rules": i["rules"], "created_by": i["created_by"],
                "created_at": i["created_at"], "batch": i["batch_id"], "demo": i["is_demo"],
                "note": i["note"]}

    def to_dict(self, lang: str = "vi") -> dict:
        """JSON: province, year and dates, status, the stored list, rules and readings,
        counts, the province's class, notes and every commune.
        """
        pc = self.province_class()
        prov = (self.assessment.province.to_dict(lang)
                if self.assessment is not None and self.assessment.province else None)
        return {"province": {"code": self.province.code, "name": self.province.name,
                             "edition": self.province.edition},
                "year": self.year.id, "period": self.year.to_dict(lang),
                "edition": self.edition, "status": self.status,
                "status_label": self.status_label(lang), "list": self.list_info(lang),
                "rules": self.rules.to_dict(lang), "route_source": self.route_source,
                "counts": self.counts(),
                "province_class": {"class": pc, "computed": prov},
                "notes": [tr(vi, en, lang) for vi, en in self.notes],
                "communes": self.records(lang)}

    def frame(self, lang: str = "vi") -> pd.DataFrame:
        """One row per commune for a spreadsheet: class, how it came, each criterion.

        Columns: code, name, class, status, computed class, manual class, reason,
        missing figures, then one column per criterion article (``4.1.a``) holding
        its result mark and value (``✓ 0,62%``).
        """
        rows = []
        for code in self.table.index:
            r = self.table.loc[code]
            row = {tr("Mã xã", "Code", lang): code, tr("Tên xã", "Commune", lang): r["name"],
                   tr("Loại", "Class", lang): QD28_CLASSES.label(r.final_class, lang),
                   tr("Trạng thái", "Status", lang): LIST_STATUSES.label(self.status, lang),
                   tr("Loại tính theo tiêu chí", "Computed class", lang):
                       QD28_CLASSES.label(r.computed_class, lang) if r.computed_class else "",
                   tr("Loại điều chỉnh", "Manual class", lang):
                       QD28_CLASSES.label(r.manual_class, lang) if r.manual_class else "",
                   tr("Lý do điều chỉnh", "Reason", lang): r.reason or "",
                   tr("Thiếu số liệu", "Missing figures", lang):
                       figure_names(list(r.missing_data), lang)}
            for c in self.criteria(code, lang):
                mark = {"met": "✓", "not_met": "–", "missing": "?"}[c["result"]]
                row[c["article"] or c["id"]] = f"{mark} {c['value_text']}".strip()
            rows.append(row)
        return pd.DataFrame(rows)


def _stored_info(x: Any) -> dict:
    return {"id": x.id, "status": x.status, "decision_no": x.decision_no,
            "decision_date": x.decision_date, "approved_by": x.approved_by,
            "approved_at": x.approved_at, "rule_set": x.rule_set,
            "rules": json.loads(x.rules) if x.rules else {},
            "province_class": x.province_class, "note": x.note, "created_by": x.created_by,
            "created_at": x.created_at, "batch_id": x.batch_id, "is_demo": x.is_demo}


def year_inputs(year: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The indicators and stored periods a year's list can read (for cache keys).

    Every indicator of the year's rules, counted or not (a province's settings may
    turn criteria on), and their denominators' fallbacks; the year and its halves.
    Everything else :func:`evaluate_year` reads (stored lists, manual classes,
    settings, routes, boundaries) is written with an import batch of its own.

    Examples
    --------
    >>> inds, pers = year_inputs(2026)
    >>> pers
    ('2026', '2026-H1', '2026-H2')
    >>> "population" in inds
    True
    """
    return _year_inputs(check_year(year).id)


@lru_cache(maxsize=32)
def _year_inputs(year_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    per = check_year(year_id)
    rules = load_rules(year=per)
    inds = [i for c in rules.criteria() for i in c.indicators()]
    for key, d in (rules.raw.get("denominators") or {}).items():
        inds += [key, *([d["fallback"]] if d.get("fallback") else [])]
    if rules.province:
        inds += [i for c in rules.province.criteria for i in c.indicators()]
    return (tuple(dict.fromkeys(inds)),
            (per.id, *(p.id for p in per.parts("H"))))


def check_year(year: Any, cutoff: Any = None) -> Period:
    """An assessment year (a :class:`Period` of kind ``Y``) from ``2026``, ``"2026"``….

    Raises
    ------
    ValidationError
        A half-year, quarter or anything that is not a year.
    """
    per = parse_period(year, cutoff)
    if per.kind != "Y":
        raise ValidationError(
            f"Phân loại QĐ 28 theo năm đánh giá (15/12 năm trước – 14/12); '{year}' không phải "
            "một năm. Nhập năm, ví dụ 2026.",
            f"QĐ 28 classification is by assessment year (15/12 – 14/12); '{year}' is not a "
            "year. Give a year, e.g. 2026.", column="year")
    return per


def evaluate_year(s: Session, province: Province, year: Any, edition: str | None = None,
                  overrides: dict | None = None, live: bool = True) -> YearView:
    """The list of a province for an assessment year: computed classes merged with the stored list.

    Parameters
    ----------
    s : Session
        Open session.
    province : Province
        The province.
    year : int, str or Period
        The assessment year.
    edition : {"legacy", "2025"}, optional
        Edition of the communes (default: the units in force on the year's last day,
        the only edition a list is stored on).
    overrides : dict, optional
        Rule overrides (default: the province's stored ones).
    live : bool
        Compute the classes from today's figures also when the list is approved
        (to show what changed since); when False an approved list is read as stored.

    Returns
    -------
    YearView
    """
    from geo.qd28 import assess
    from geo.store import current_list, list_entries

    st = province_settings(s, province)
    per = check_year(year, st["cutoff"]).with_cutoff(st["cutoff"])
    own = per.edition
    edition = edition or own
    key = list_province(s, province, edition)
    ov = overrides if overrides is not None else (st["overrides"] or None)
    rules = load_rules(overrides=ov, year=per, cutoff=st["cutoff"])
    units = _units(s, province, edition)
    names = dict(zip(units.code, units.name))
    stored = current_list(s, key.code, key.edition, edition, per.year) if edition == own else None
    info = _stored_info(stored) if stored is not None else None
    entries = list_entries(s, stored.id) if stored is not None else None
    status = "approved" if info and info["status"] == "approved" else "draft"
    notes: list[tuple[str, str]] = []
    if edition != own:
        notes.append((f"Năm {per.year} được lập danh sách trên các xã "
                      f"{'sau' if own == '2025' else 'trước'} 01/7/2025; đây là phân loại tính "
                      "trên các xã của phiên bản khác, chỉ để tham khảo.",
                      f"The {per.year} list is kept on the communes "
                      f"{'after' if own == '2025' else 'before'} 1 July 2025; this is the "
                      "classification on the other edition's communes, for reference only.",
                      ))
    a = None
    route_source = "indicator"
    if live or status != "approved":
        fig = year_figures(s, province, per, edition, rules, units)
        route_source = fig.route_source
        a = assess(fig.wide, rules, names=names, province_values=fig.province_values,
                   province=(province.code, province.name), period=per.id,
                   notes=fig.notes)
        notes = list(a.notes) + notes
    tbl = pd.DataFrame(index=pd.Index([str(c) for c in units.code], name="code"))
    tbl["name"] = [names[c] for c in tbl.index]
    live_cls = (a.communes.klass.reindex(tbl.index) if a is not None
                else pd.Series(None, index=tbl.index, dtype=object))
    snaps: dict = {}
    ent = entries.set_index("unit_code") if entries is not None else pd.DataFrame()
    for col in ("manual_class", "reason", "adjusted_by", "adjusted_at", "approved_class"):
        tbl[col] = (ent[col].reindex(tbl.index) if col in ent else None)
        tbl[col] = tbl[col].astype(object).where(tbl[col].notna(), None)
    if status == "approved":
        tbl["computed_class"] = ent.computed_class.reindex(tbl.index)
        tbl["final_class"] = ent.approved_class.reindex(tbl.index).fillna("undetermined")
        snaps = {c: sn for c, sn in zip(ent.index, ent.criteria) if isinstance(sn, dict)}
        tbl["missing_data"] = [list(snaps.get(c, {}).get("missing_data", [])) for c in tbl.index]
        tbl["live_class"] = live_cls
        tbl["differs"] = [lc is not None and not pd.isna(lc) and lc != cc
                          for lc, cc in zip(tbl.live_class, tbl.computed_class)]
        n = int(tbl.differs.sum())
        if n:
            notes.append((f"Số liệu đã thay đổi sau khi phê duyệt: {fmt_number(n, 'vi')} xã có "
                          "loại tính lại khác loại tính khi phê duyệt. Danh sách đã phê duyệt "
                          "giữ nguyên; muốn sửa phải hoàn tác phê duyệt.",
                          f"Figures changed after the approval: {fmt_number(n, 'en')} "
                          "communes compute to a different class now. The approved list "
                          "stands; to change it, undo the approval."))
    else:
        tbl["computed_class"] = live_cls
        tbl["final_class"] = [m if m else c for m, c in zip(tbl.manual_class, tbl.computed_class)]
        tbl["missing_data"] = ([list(x) for x in a.communes.needed_data.reindex(tbl.index)]
                               if a is not None else [[] for _ in tbl.index])
        tbl["live_class"] = live_cls
        tbl["differs"] = False
    tbl["final_class"] = tbl.final_class.fillna("undetermined")
    tbl["complete"] = tbl.final_class != "undetermined"
    tbl = tbl[["name", "computed_class", "manual_class", "reason", "final_class",
               "approved_class", "live_class", "differs", "complete", "missing_data",
               "adjusted_by", "adjusted_at"]]
    return YearView(province, key, per, edition, status, info, rules, a, tbl, snaps, notes,
                    route_source)


# ----------------------------------------------------------------- storing a year's list


def entry_snapshot(v: YearView, code: str) -> dict:
    """What a list entry keeps of a commune's computed result: criteria, explanation."""
    res = v.assessment.commune(code)
    return {"criteria": [snapshot(c) for c in res.criteria],
            "explain_vi": res.explain_vi, "explain_en": res.explain_en,
            "missing_data": list(res.needed_data), "denominator": res.denominator}


def store_draft(s: Session, v: YearView, changes: dict[str, tuple[str | None, str | None]],
                user: str, note: str | None = None, is_demo: bool = False) -> Any:
    """Store a new draft version of ``v``'s list with manual classes changed.

    Parameters
    ----------
    s : Session
        Open session.
    v : YearView
        The year's list as evaluated now (a draft, with its assessment computed).
    changes : dict
        ``{code: (class or None, reason)}``: ``None`` takes the manual class back.
    user : str
        Who (audited, and recorded as who adjusted the changed communes).
    note : str, optional
        What the history shows.
    is_demo : bool
        Mark the version as demo data.

    Returns
    -------
    geo.store.schema.AssessmentList
    """
    from geo.store import write_list

    now = pd.Timestamp.now(tz="UTC").to_pydatetime()
    entries = []
    for code, r in v.table.iterrows():
        manual, reason, by, at = r.manual_class, r.reason, r.adjusted_by, r.adjusted_at
        if code in changes:
            manual, reason = changes[code]
            reason = reason if manual else None
            by, at = user, now
        if not manual:
            continue
        entries.append({"unit_code": code, "computed_class": r.computed_class,
                        "manual_class": manual, "reason": reason, "final_class": manual,
                        "criteria": entry_snapshot(v, code), "adjusted_by": by,
                        "adjusted_at": at})
    return write_list(s, province_code=v.key.code, province_edition=v.key.edition,
                      edition=v.edition, year=v.year.year, status="draft", entries=entries,
                      rule_set=v.rules.id, rules=rules_used(v.rules, v.year.cutoff),
                      province_class=v.province_class(), user=user, batch_note=note,
                      is_demo=is_demo)


def store_approval(s: Session, v: YearView, decision_no: str, decision_date: date,
                   user: str, note: str | None = None, is_demo: bool = False) -> Any:
    """Store the approved version of ``v``'s list: every commune frozen with its criteria.

    The caller checks that no commune is ``undetermined`` (see
    :func:`geo.services.classification.approve`).

    Returns
    -------
    geo.store.schema.AssessmentList
    """
    from geo.store import write_list

    entries = [{"unit_code": code, "computed_class": r.computed_class,
                "manual_class": r.manual_class, "reason": r.reason,
                "final_class": r.final_class, "approved_class": r.final_class,
                "criteria": entry_snapshot(v, code), "adjusted_by": r.adjusted_by,
                "adjusted_at": r.adjusted_at} for code, r in v.table.iterrows()]
    return write_list(s, province_code=v.key.code, province_edition=v.key.edition,
                      edition=v.edition, year=v.year.year, status="approved", entries=entries,
                      rule_set=v.rules.id, rules=rules_used(v.rules, v.year.cutoff),
                      province_class=v.province_class(), user=user, decision_no=decision_no,
                      decision_date=decision_date, note=note,
                      batch_note=f"QĐ 28 {v.province.name} năm {v.year.year}: phê duyệt theo "
                                 f"Quyết định số {decision_no}", is_demo=is_demo)


# ----------------------------------------------------------------- comparing two years


def change_of(before: str | None, after: str | None) -> str:
    """How a class changed (:data:`geo.vocab.CLASS_CHANGES`).

    Examples
    --------
    >>> [change_of(*p) for p in [("type_1", "type_2"), ("type_3", "drug_free"),
    ...                          ("none", "type_3"), ("type_2", "none"), ("type_3", "type_2"),
    ...                          ("type_2", "type_2"), (None, "type_1")]]
    ['down', 'drug_free', 'new', 'removed', 'up', 'same', 'unknown']
    """
    if before not in CLASS_RANK or after not in CLASS_RANK:
        return "unknown"
    if before == after:
        return "same"
    if after == "drug_free":
        return "drug_free"
    if after in KEY_CLASSES and before not in KEY_CLASSES:
        return "new"
    if before in KEY_CLASSES and after not in KEY_CLASSES:
        return "removed"
    return "down" if CLASS_RANK[after] < CLASS_RANK[before] else "up"


def list_change_of(before: str | None, after: str | None) -> str:
    """A commune's place on the list of key communes (:data:`geo.vocab.LIST_CHANGES`).

    Examples
    --------
    >>> [list_change_of(*p) for p in [("none", "type_3"), ("type_3", "drug_free"),
    ...                               ("type_1", "type_2"), ("type_3", "type_2"),
    ...                               ("drug_free", "none"), ("type_2", "type_2")]]
    ['added', 'removed', 'down', 'up', 'outside', 'same']
    """
    if before not in CLASS_RANK or after not in CLASS_RANK:
        return "unknown"
    bk, ak = before in KEY_CLASSES, after in KEY_CLASSES
    if ak and not bk:
        return "added"
    if bk and not ak:
        return "removed"
    if not bk and not ak:
        return "outside"
    if before == after:
        return "same"
    return "down" if CLASS_RANK[after] < CLASS_RANK[before] else "up"


def _most_serious(classes: list[str | None]) -> str | None:
    known = [k for k in classes if k in CLASS_RANK]
    if "type_1" in known:
        return "type_1"
    if not classes or len(known) < len(classes):
        return None
    return max(known, key=CLASS_RANK.__getitem__)


@dataclass
class Comparison:
    """Each commune's class in two assessment years and how it moved.

    Attributes
    ----------
    year, base : YearView
        This year's list and last year's (possibly on the other units edition).
    communes : pandas.DataFrame
        Index ``code`` (this year's communes): ``name, before, before_from, after,
        change, list_change, transformed, relapsed``. ``before_from`` lists the
        predecessors' classes when the base year is on the other edition.
    across_reform : bool
        The two years are on different units editions (:data:`PREDECESSOR_RULE`).
    """

    year: YearView
    base: YearView
    communes: pd.DataFrame
    across_reform: bool

    def summary(self) -> dict[str, int]:
        """Counts of the list's changes (:data:`geo.vocab.LIST_CHANGES`), ``transformed``,
        ``became_drug_free``, ``relapsed`` and ``changes`` (:data:`geo.vocab.CLASS_CHANGES`).
        """
        c = self.communes
        lc = c.list_change.value_counts()
        return {**{k: int(lc.get(k, 0)) for k in LIST_CHANGES.ids},
                "transformed": int(c.transformed.sum()),
                "became_drug_free": int((c.change == "drug_free").sum()),
                "relapsed": int(c.relapsed.sum()),
                "changes": {k: int((c.change == k).sum()) for k in CLASS_CHANGES.ids}}


def compare_years(s: Session, province: Province, year: Any, base_year: Any = None,
                  this: YearView | None = None) -> Comparison:
    """Compare a year's list with last year's: who was added, removed, moved down or up.

    Parameters
    ----------
    s : Session
        Open session.
    province : Province
        The province.
    year : int, str or Period
        The assessment year.
    base_year : optional
        The year compared with (default the year before).
    this : YearView, optional
        This year's list when already evaluated.

    Returns
    -------
    Comparison
    """
    this = this or evaluate_year(s, province, year)
    by = base_year if base_year is not None else this.year.year - 1
    base = evaluate_year(s, province, by, live=False)
    across = base.edition != this.edition
    before = base.table.final_class
    rows = []
    if across:
        linked = _linked(_crosswalk(s), set(base.table.index), base.edition, this.edition)
    else:
        linked = {c: {c} for c in this.table.index}
    for code, r in this.table.iterrows():
        preds = sorted(linked.get(code, set()))
        cls = [before.get(p) for p in preds]
        b = _most_serious(cls) if across else (cls[0] if cls else None)
        if b == "undetermined":
            b = None
        src = [{"code": p, "name": base.table.name.get(p, p), "class": k}
               for p, k in zip(preds, cls)] if across else []
        a = r.final_class if r.final_class != "undetermined" else None
        ch = change_of(b, a)
        rows.append({"code": code, "name": r["name"], "before": b or "undetermined",
                     "before_from": src, "after": r.final_class, "change": ch,
                     "list_change": list_change_of(b, a),
                     "transformed": b in CLASS_RANK and a in CLASS_RANK
                     and CLASS_RANK[a] < CLASS_RANK[b],
                     "relapsed": b in CLASS_RANK and a in CLASS_RANK
                     and CLASS_RANK[a] > CLASS_RANK[b]})
    df = pd.DataFrame(rows).set_index("code")
    return Comparison(this, base, df, across)


def predecessors_text(src: list[dict], lang: str = "vi") -> str:
    """``"Chiềng Khừa: Loại I; Lóng Sập: Loại II"`` for a commune's predecessors."""
    return "; ".join(f"{d['name']}: {QD28_CLASSES.short(d['class'] or 'undetermined', lang)}"
                     for d in src)


def transition_counts(cmp: Comparison) -> pd.DataFrame:
    """The transition matrix between the two years (rows: last year, columns: this year).

    Uses :func:`geo.stats.transition_matrix`; classes in the order type I, II, III,
    none, drug-free, undetermined.
    """
    from geo.stats import transition_matrix

    order = ["type_1", "type_2", "type_3", "none", "drug_free", "undetermined"]
    lab = pd.DataFrame({"before": cmp.communes.before, "after": cmp.communes.after})
    return transition_matrix(lab, order).counts.astype(int)


# ----------------------------------------------------------------- timeline


def commune_timeline(s: Session, province: Province, code: str,
                     years: list[int] | None = None) -> pd.DataFrame:
    """One commune's history: the plan's designations and every year's QĐ 28 class.

    The 2021–2025 plans' designations (:func:`geo.store.hotspot_table`) of the commune,
    of its predecessors (for a 2025 commune) or of its successor (for a legacy one),
    and each assessment year's class from the province's lists: approved where one is,
    else the draft (computed with the manual classes). A year kept on the other units
    edition is read through the crosswalk (:data:`PREDECESSOR_RULE` for a 2025 commune;
    a legacy commune takes its successors' classes).

    Parameters
    ----------
    s : Session
        Open session.
    province : Province
        The province.
    code : str
        A commune of the province, of either edition.
    years : list of int, optional
        Assessment years to show (default: every year with a stored list).

    Returns
    -------
    pandas.DataFrame
        ``date, year, kind ("designation" | "class"), code, edition, unit_name,
        relation ("self" | "predecessor" | "successor"), value, decision_no,
        decision_date, list_status, reason, note`` in date order; ``value`` is a
        :data:`geo.vocab.HOTSPOT_STATUSES` code for designations and a
        :data:`geo.vocab.QD28_CLASSES` code for classes; ``reason`` is a manual
        class's reason.

    Raises
    ------
    NotFoundError
        The code is not a commune of the province.
    """
    from geo.store import hotspot_table, stored_lists

    ed = None
    for e in ("2025", "legacy"):
        if code in set(_units(s, province, e).code):
            ed = e
            break
    if ed is None:
        raise NotFoundError(f"Xã mã {code} không thuộc {province.name}.",
                            f"Commune {code} is not in {province.name}.")
    cw = _crosswalk(s)
    if ed == "2025":
        related = {"legacy": set(cw.loc[cw.new_code == code, "old_code"]), "2025": {code}}
    else:
        related = {"legacy": {code}, "2025": set(cw.loc[cw.old_code == code, "new_code"])}
    nm = {e: load_units(e, "commune").set_index("code").name for e in ("legacy", "2025")}
    rows = []
    hs = hotspot_table(s, province)
    def relation(e: str) -> str:
        return "self" if e == ed else ("predecessor" if ed == "2025" else "successor")

    for r in hs.itertuples():
        if r.unit_code in related.get(r.edition, set()):
            rows.append({"date": r.event_date, "year": None, "kind": "designation",
                         "code": r.unit_code, "edition": r.edition,
                         "unit_name": nm[r.edition].get(r.unit_code, r.unit_code),
                         "relation": relation(r.edition), "value": r.status,
                         "decision_no": r.decision_no, "decision_date": r.decision_date,
                         "list_status": None, "reason": None, "note": r.note})
    if years is None:
        ys: set[int] = set()
        for e in ("legacy", "2025"):
            k = list_province(s, province, e)
            got = stored_lists(s, k.code, k.edition)
            ys |= set(int(y) for y in got.year)
        years = sorted(ys)
    for y in years:
        v = evaluate_year(s, province, y, live=False)
        mine = related[v.edition] & set(v.table.index)
        for c in sorted(mine):
            r = v.table.loc[c]
            d = (v.info["decision_date"] if v.approved and v.info else v.year.end)
            rows.append({"date": d, "year": v.year.year, "kind": "class", "code": c,
                         "edition": v.edition, "unit_name": r["name"],
                         "relation": relation(v.edition), "value": r.final_class,
                         "decision_no": v.info["decision_no"] if v.approved else None,
                         "decision_date": v.info["decision_date"] if v.approved else None,
                         "list_status": v.status, "reason": r.reason,
                         "note": None})
    cols = ["date", "year", "kind", "code", "edition", "unit_name", "relation", "value",
            "decision_no", "decision_date", "list_status", "reason", "note"]
    out = pd.DataFrame(rows, columns=cols)
    if len(out):
        out = out.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    return out
