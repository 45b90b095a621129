"""Classifying communes under Quyết định 28/2025/QĐ-TTg, and the annual assessment.

Two kinds of use case:

- ``classify``/``transitions`` classify any period's figures (the targeting page's tab);
- the **annual assessment** (QĐ 28 Điều 7, 9): :func:`assessment` (every commune's class
  for an assessment year with its criteria, merged with the stored list),
  :func:`set_class` (a planner's class with a reason), :func:`approve` (the People's
  Committee's decision; the list is frozen), :func:`undo_change`, :func:`compare`
  (added, removed, moved down or up against last year), :func:`transformation`
  (leadership's summary: transitions, drug-free share against the target, the
  province's class), :func:`commune_timeline`, :func:`list_classes` (what maps and
  reports show: the approved list, else the draft), :func:`years`, the province's
  :func:`settings` and key drug :func:`routes`.

Rights: computing the classes with their criteria needs ``analyze``; reading lists,
comparisons and timelines ``view``; changing a list, approving, undoing, settings and
routes ``approve`` (planners and administrators: they record the People's Committee's
decision; data officers enter figures). The work on a session is :mod:`geo.assessment`;
the rules engine :mod:`geo.qd28` (rules in ``data/classification_qd28_2025.json``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from geo.assessment import YearView
from geo.auth import Principal, authorize
from geo.errors import NotFoundError, ValidationError
from geo.i18n import tr
from geo.periods import Period
from geo.registry import Province
from geo.services.base import (
    Request,
    check_edition,
    check_period,
    check_province,
    latest_period,
    plain,
    transaction,
)
from geo.vocab import (
    CLASS_CHANGES,
    HOTSPOT_STATUSES,
    LIST_CHANGES,
    LIST_STATUSES,
    QD28_CLASSES,
    ROUTE_SCOPES,
)

__all__ = [
    "ApproveRequest",
    "AssessmentRequest",
    "AssessmentView",
    "ChangeResult",
    "ClassifyRequest",
    "ComparisonView",
    "ProvinceOnlyRequest",
    "RouteRequest",
    "RoutesView",
    "SetClassRequest",
    "SettingsRequest",
    "SettingsView",
    "Timeline",
    "TimelineRequest",
    "TransformationView",
    "YearRequest",
    "YearsView",
    "add_route",
    "approve",
    "assessment",
    "classify",
    "commune_timeline",
    "compare",
    "list_classes",
    "load_overrides",
    "routes",
    "rules",
    "set_class",
    "set_settings",
    "settings",
    "transformation",
    "transitions",
    "undo_change",
    "years",
]


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


# =================================================================== the annual assessment
#
# QĐ 28/2025 Điều 7: every year (15/12 – 14/12) the communes are classed, the provincial
# People's Committee approves the list and the province reports before 20/12. The work is
# geo.assessment (on a session); these are its use cases.

_KLASS_CHOICES = ("type_1", "type_2", "type_3", "drug_free", "none")


def _parse_day(value: object, column: str, what: tuple[str, str]) -> date:
    """A date from a ``date``, ``"18/12/2026"`` or ``"2026-12-18"``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = "" if value is None else str(value).strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        pass
    if not text:
        raise ValidationError(f"Chưa nhập {what[0]}.", f"No {what[1]} given.", column=column)
    raise ValidationError(
        f"{what[0].capitalize()} '{text}' không hợp lệ; viết ngày/tháng/năm, ví dụ 18/12/2026.",
        f"Invalid {what[1]} '{text}'; write day/month/year, e.g. 18/12/2026.", column=column)


def _checked_overrides(overrides: tuple, per: object) -> None:
    from geo.qd28 import load_rules

    if overrides:
        load_rules(overrides=dict(overrides), year=per)  # every bad key listed, nothing run


@dataclass(frozen=True)
class AssessmentRequest(Request):
    """A province's QĐ 28/2025 assessment for one year.

    Attributes
    ----------
    province : str or Province
        Code or name.
    year : int, str or Period
        The assessment year (``2026`` = 15/12/2025 – 14/12/2026, or the province's own
        cut-off).
    edition : {"legacy", "2025"}, optional
        Communes to classify (default: those in force on the year's last day, the only
        edition a list is kept on).
    overrides : tuple of (key, value)
        Rule overrides for this request (default: the province's stored ones).
    """

    province: str | Province
    year: int | str | Period
    edition: str | None = None
    overrides: tuple[tuple[str, object], ...] = ()

    def check(self) -> AssessmentRequest:
        """Resolve the province (read in the year's edition) and the year; check overrides."""
        from geo.assessment import check_year

        per = check_year(self.year)
        ed = None if self.edition is None else check_edition(self.edition)
        _checked_overrides(self.overrides, per)
        return replace(self, province=check_province(self.province, ed or per.edition),
                       year=per, edition=ed)


#: The result of :func:`assessment` (see :class:`geo.assessment.YearView`).
AssessmentView = YearView


def assessment(req: AssessmentRequest, who: Principal, db: str | None = None) -> YearView:
    """Every commune's class for an assessment year, with its criteria and the stored list.

    The year's figures (annual, or built from its half-years, with a note; across the
    1 July 2025 reform converted through the stored crosswalk), the class of every
    commune and of the province, merged with the stored list: a draft's manual
    classes with their reasons, or an approved list's frozen classes.

    Parameters
    ----------
    req : AssessmentRequest
        Province, year, edition and overrides.
    who : Principal
        Needs ``analyze`` in the province.
    db : str, optional
        Database URL.

    Returns
    -------
    geo.assessment.YearView
        ``records(lang)`` is the CLI's ``--json``; ``to_dict(lang)`` everything.
    """
    from geo.assessment import evaluate_year

    req = req.check()
    authorize(who, "analyze", req.province.code)
    with transaction(db) as s:
        return evaluate_year(s, req.province, req.year, req.edition,
                             dict(req.overrides) or None)


@dataclass(frozen=True)
class YearRequest(Request):
    """A province and an assessment year (for lists, comparisons, undo).

    Attributes
    ----------
    province : str or Province
    year : int, str or Period
    base_year : int, optional
        For comparisons: the year compared with (default the year before).
    """

    province: str | Province
    year: int | str | Period
    base_year: int | None = None

    def check(self) -> YearRequest:
        """Resolve the province and the year(s)."""
        from geo.assessment import check_year

        per = check_year(self.year)
        base = None
        if self.base_year is not None:
            base = check_year(self.base_year).year
            if base >= per.year:
                raise ValidationError(
                    f"Năm so sánh ({base}) phải trước năm {per.year}.",
                    f"The year compared with ({base}) must be before {per.year}.",
                    column="base_year")
        return replace(self, province=check_province(self.province, per.edition), year=per,
                       base_year=base)


def list_classes(req: YearRequest, who: Principal, db: str | None = None) -> YearView:
    """The list of a year as maps, progress and reports should show it.

    The approved list where one exists (read as stored), else the draft (the computed
    classes with the manual ones); ``status`` says which. Needs ``view``.
    """
    from geo.assessment import evaluate_year

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return evaluate_year(s, req.province, req.year, live=False)


# ------------------------------------------------------------------- set a class


@dataclass(frozen=True)
class SetClassRequest(Request):
    """A planner's class for one commune, differing from the computed one, with a reason.

    Attributes
    ----------
    province : str or Province
    year : int, str or Period
    code : str
        The commune (of the year's units edition).
    klass : str or None
        ``type_1``, ``type_2``, ``type_3``, ``drug_free`` or ``none``; ``None`` takes
        the manual class back (the computed class applies again).
    reason : str
        Why (required to set a class; 5 to 2,000 characters).
    """

    province: str | Province
    year: int | str | Period
    code: str
    klass: str | None
    reason: str = ""

    def check(self) -> SetClassRequest:
        """The class must be one of the list's, and a class needs a reason."""
        from geo.assessment import check_year

        per = check_year(self.year)
        code = str(self.code or "").strip()
        if not code:
            raise ValidationError("Chưa chọn xã.", "No commune given.", column="code")
        k = None if self.klass in (None, "", "computed") else str(self.klass)
        if k is not None and k not in _KLASS_CHOICES:
            raise ValidationError(
                f"Loại '{k}' không hợp lệ; dùng: "
                + ", ".join(f"{c} ({QD28_CLASSES.label(c, 'vi')})" for c in _KLASS_CHOICES)
                + ".",
                f"Invalid class '{k}'; use: "
                + ", ".join(f"{c} ({QD28_CLASSES.label(c, 'en')})" for c in _KLASS_CHOICES)
                + ".", column="class")
        reason = " ".join(str(self.reason or "").split())
        if k is not None and len(reason) < 5:
            raise ValidationError(
                "Cần ghi lý do xếp loại khác loại tính theo tiêu chí (ít nhất 5 ký tự), ví dụ "
                "kết quả tự đánh giá của xã.",
                "Give the reason for a class other than the computed one (at least 5 "
                "characters), e.g. the commune's own assessment.", column="reason")
        if len(reason) > 2000:
            raise ValidationError("Lý do quá dài (tối đa 2.000 ký tự).",
                                  "The reason is too long (2,000 characters at most).",
                                  column="reason")
        return replace(self, province=check_province(self.province, per.edition), year=per,
                       code=code, klass=k, reason=reason)


@dataclass
class ChangeResult:
    """A change stored in a list (a class set, an approval) or undone.

    Attributes
    ----------
    province : Province
    year : str
    status : {"draft", "approved"}
        The list's status after the change.
    batch : int
        The change's batch (undo it to take the change back).
    message_vi, message_en : str
        What was done, for the user.
    detail : dict
        ``code, name, computed_class, manual_class, reason`` for a class; ``decision_no,
        decision_date, communes, counts`` for an approval.
    """

    province: Province
    year: str
    status: str
    batch: int | None
    message_vi: str
    message_en: str
    detail: dict

    def message(self, lang: str = "vi") -> str:
        """What was done, in the language."""
        return tr(self.message_vi, self.message_en, lang)

    def to_dict(self) -> dict:
        """Strict JSON."""
        return plain({"ok": True, "province": self.province.code, "year": self.year,
                      "status": self.status, "batch": self.batch,
                      "message": self.message_vi, "message_en": self.message_en,
                      **self.detail})


def _province_label(p: Province) -> str:
    return p.name


def _lock(s: object, province: Province, year: Period) -> None:
    """Serialise changes of one province's lists (PostgreSQL) before reading the list, so
    two planners changing the same year at once cannot lose one change.
    """
    from geo.assessment import list_province
    from geo.store import lock_province

    lock_province(s, list_province(s, province, year.edition).code)


def set_class(req: SetClassRequest, who: Principal, db: str | None = None) -> ChangeResult:
    """Set (or take back) a commune's class in the year's draft list, keeping the computed one.

    Both classes are kept: the list shows the computed class, the manual one and the
    reason. Stored as a new draft version in a batch of its own (undo it to take the
    change back).

    Raises
    ------
    PermissionDenied
        ``who`` may not ``approve`` in the province.
    NotFoundError
        The commune is not in the province's list of that year.
    ValidationError
        The list is approved (frozen), the class equals the computed one, or there is
        no manual class to take back. Nothing is stored.
    """
    from geo.assessment import evaluate_year, store_draft

    req = req.check()
    authorize(who, "approve", req.province.code)
    with transaction(db) as s:
        _lock(s, req.province, req.year)
        v = evaluate_year(s, req.province, req.year)
        where = f"{_province_label(req.province)} năm {v.year.year}"
        if v.approved:
            raise ValidationError(
                f"Danh sách {where} đã được phê duyệt (Quyết định số "
                f"{v.info['decision_no']}); không sửa được — muốn sửa, hãy hoàn tác phê duyệt "
                "trước.",
                f"The {v.year.year} list of {req.province.name} is approved (decision "
                f"{v.info['decision_no']}); it cannot be changed — undo the approval first.")
        if req.code not in v.table.index:
            raise NotFoundError(
                f"Xã mã {req.code} không có trong danh sách {where} (các xã "
                f"{'sau' if v.edition == '2025' else 'trước'} 01/7/2025).",
                f"Commune {req.code} is not in the {v.year.year} list of {req.province.name} "
                f"(communes {'after' if v.edition == '2025' else 'before'} 1 July 2025).")
        row = v.table.loc[req.code]
        if req.klass is None and not row.manual_class:
            raise ValidationError(
                f"{row['name']} chưa có loại điều chỉnh nào để bỏ.",
                f"{row['name']} has no manual class to take back.")
        if req.klass is not None and req.klass == row.computed_class:
            raise ValidationError(
                f"{row['name']} đã là {QD28_CLASSES.label(req.klass, 'vi')} theo tiêu chí; "
                "không cần điều chỉnh.",
                f"{row['name']} already computes to {QD28_CLASSES.label(req.klass, 'en')}; no "
                "adjustment needed.")
        what_vi = (f"xếp {row['name']} là {QD28_CLASSES.label(req.klass, 'vi')} (tính theo tiêu "
                   f"chí: {QD28_CLASSES.label(row.computed_class, 'vi')}); lý do: {req.reason}"
                   if req.klass else f"bỏ loại điều chỉnh của {row['name']}")
        what_en = (f"{row['name']} set to {QD28_CLASSES.label(req.klass, 'en')} (computed: "
                   f"{QD28_CLASSES.label(row.computed_class, 'en')}); reason: {req.reason}"
                   if req.klass else f"manual class of {row['name']} taken back")
        x = store_draft(s, v, {req.code: (req.klass, req.reason)}, who.username,
                        note=f"QĐ 28 {where}: {what_vi}")
        batch = x.batch_id
    return ChangeResult(req.province, v.year.id, "draft", batch,
                        f"Đã {what_vi} (dự thảo danh sách năm {v.year.year}; lần thay đổi số "
                        f"{batch}, hoàn tác được).",
                        f"Done: {what_en} (draft {v.year.year} list; change {batch}, can be "
                        "undone).",
                        {"code": req.code, "name": row["name"],
                         "computed_class": row.computed_class, "manual_class": req.klass,
                         "reason": req.reason or None})


# ------------------------------------------------------------------- approve


@dataclass(frozen=True)
class ApproveRequest(Request):
    """The People's Committee's approval of a year's list.

    Attributes
    ----------
    province : str or Province
    year : int, str or Period
    decision_no : str
        The decision's number (``"2958/QĐ-UBND"``).
    decision_date : date or str
        Its date (``18/12/2026`` or ``2026-12-18``), not after today.
    note : str, optional
    """

    province: str | Province
    year: int | str | Period
    decision_no: str = ""
    decision_date: date | str | None = None
    note: str | None = None

    def check(self) -> ApproveRequest:
        """A decision number and a plausible date are required."""
        from geo.assessment import check_year

        per = check_year(self.year)
        no = " ".join(str(self.decision_no or "").split())
        if not no:
            raise ValidationError(
                "Chưa nhập số quyết định phê duyệt của UBND tỉnh (ví dụ 2958/QĐ-UBND); chưa "
                "ghi nhận phê duyệt.",
                "No decision number of the provincial People's Committee (e.g. 2958/QĐ-UBND); "
                "nothing was approved.", column="decision_no")
        if len(no) > 100:
            raise ValidationError("Số quyết định quá dài (tối đa 100 ký tự).",
                                  "The decision number is too long (100 characters at most).",
                                  column="decision_no")
        d = _parse_day(self.decision_date, "decision_date",
                       ("ngày quyết định phê duyệt", "decision date"))
        if d > date.today():
            raise ValidationError(
                f"Ngày quyết định {d.day}/{d.month}/{d.year} là ngày trong tương lai.",
                f"The decision date {d.isoformat()} is in the future.", column="decision_date")
        if d < per.start:
            raise ValidationError(
                f"Ngày quyết định {d.day}/{d.month}/{d.year} trước kỳ đánh giá năm {per.year} "
                f"({per.dates_label()}).",
                f"The decision date {d.isoformat()} is before the {per.year} assessment period "
                f"({per.dates_label()}).", column="decision_date")
        return replace(self, province=check_province(self.province, per.edition), year=per,
                       decision_no=no, decision_date=d,
                       note=(" ".join(str(self.note).split()) or None) if self.note else None)


def approve(req: ApproveRequest, who: Principal, db: str | None = None) -> ChangeResult:
    """Record the approval of a year's list and freeze it.

    Every commune's computed class, manual class and reason, the approved class and
    its criteria are stored with the decision; the list cannot change until the
    approval is undone (:func:`undo_change`).

    Raises
    ------
    PermissionDenied
        ``who`` may not ``approve`` in the province (planners and administrators may).
    ValidationError
        No decision number or date (checked first), the year already approved, or
        communes without enough data and no manual class. Nothing is stored.
    """
    from geo.assessment import evaluate_year, store_approval

    req = req.check()
    authorize(who, "approve", req.province.code)

    with transaction(db) as s:
        _lock(s, req.province, req.year)
        v = evaluate_year(s, req.province, req.year)
        if v.approved:
            d = v.info["decision_date"]
            raise ValidationError(
                f"Danh sách năm {v.year.year} của {req.province.name} đã được phê duyệt theo "
                f"Quyết định số {v.info['decision_no']} ngày {d.day}/{d.month}/{d.year}; không "
                "ghi nhận phê duyệt lần nữa. Nếu UBND tỉnh ban hành quyết định khác, hãy hoàn "
                "tác phê duyệt cũ trước.",
                f"The {v.year.year} list of {req.province.name} was already approved by decision "
                f"{v.info['decision_no']} of {d.isoformat()}; it is not approved again. If the "
                "People's Committee issued another decision, undo the old approval first.")
        open_ = v.table[v.table.final_class == "undetermined"]
        if len(open_):
            names = ", ".join(open_.name.head(10)) + ("…" if len(open_) > 10 else "")
            raise ValidationError(
                f"Chưa phê duyệt được: {len(open_)} xã chưa đủ số liệu để xếp loại ({names}). "
                "Hãy nhập đủ số liệu hoặc xếp loại thủ công có ghi lý do.",
                f"Cannot approve: {len(open_)} communes lack the figures for a class ({names}). "
                "Enter the figures or set their class by hand with a reason.")
        x = store_approval(s, v, req.decision_no, req.decision_date, who.username,
                           note=req.note)
        n = len(v.table)
        batch = x.batch_id
        counts = v.counts()
    d = req.decision_date
    return ChangeResult(
        req.province, v.year.id, "approved", batch,
        f"Đã ghi nhận phê duyệt danh sách năm {v.year.year} của {req.province.name} theo Quyết "
        f"định số {req.decision_no} ngày {d.day}/{d.month}/{d.year}: {n} xã; danh "
        f"sách đã khóa (lần thay đổi số {batch}, hoàn tác được).",
        f"Recorded the approval of the {v.year.year} list of {req.province.name} by decision "
        f"{req.decision_no} of {d.isoformat()}: {n} communes; the list is frozen "
        f"(change {batch}, can be undone).",
        {"decision_no": req.decision_no, "decision_date": d, "communes": n,
         "counts": counts})


def undo_change(req: YearRequest, who: Principal, db: str | None = None) -> ChangeResult:
    """Undo the latest change of a year's list: the approval (back to the draft) or a class.

    Raises
    ------
    PermissionDenied
        ``who`` may not ``approve`` in the province.
    NotFoundError
        The year's list has no stored change.
    """
    from geo.assessment import list_province
    from geo.store import current_list, undo_batch

    req = req.check()
    authorize(who, "approve", req.province.code)
    with transaction(db) as s:
        from geo.assessment import province_settings

        per = req.year.with_cutoff(province_settings(s, req.province)["cutoff"])
        key = list_province(s, req.province, per.edition)
        cur = current_list(s, key.code, key.edition, per.edition, per.year)
        if cur is None or cur.batch_id is None:
            raise NotFoundError(
                f"Danh sách năm {per.year} của {req.province.name} chưa có thay đổi nào để "
                "hoàn tác.",
                f"The {per.year} list of {req.province.name} has no change to undo.")
        was, no, batch = cur.status, cur.decision_no, cur.batch_id
        undo_batch(s, batch, user=who.username)
        now = current_list(s, key.code, key.edition, per.edition, per.year)
        status = now.status if now is not None else "draft"
    if was == "approved":
        vi = (f"Đã hoàn tác ghi nhận phê duyệt danh sách năm {per.year} (Quyết định số {no}); "
              "danh sách trở lại dự thảo, sửa được.")
        en = (f"Undid the recorded approval of the {per.year} list (decision {no}); the list "
              "is a draft again and can be changed.")
    else:
        vi = f"Đã hoàn tác thay đổi số {batch} của danh sách năm {per.year}."
        en = f"Undid change {batch} of the {per.year} list."
    return ChangeResult(req.province, per.id, status, batch, vi, en, {"undone": was})


# ------------------------------------------------------------------- compare, transformation


@dataclass
class ComparisonView:
    """A year's list against last year's (see :class:`geo.assessment.Comparison`).

    Attributes
    ----------
    province : Province
    year, base_year : str
    status, base_status : {"draft", "approved"}
    status_label, base_status_label : tuple of (str, str)
        ``(vi, en)``.
    communes : pandas.DataFrame
        ``code, name, before, before_from, after, change, list_change, transformed,
        relapsed``.
    summary : dict
        :meth:`geo.assessment.Comparison.summary`.
    across_reform : bool
    predecessor_rule : tuple of (str, str) or None
        The rule used across the reform.
    """

    province: Province
    year: str
    base_year: str
    status: str
    base_status: str
    status_label: tuple[str, str]
    base_status_label: tuple[str, str]
    communes: pd.DataFrame
    summary: dict
    across_reform: bool
    predecessor_rule: tuple[str, str] | None

    def records(self, lang: str = "vi") -> list[dict]:
        """One object per commune (labels in the language)."""
        from geo.assessment import predecessors_text

        out = []
        for r in self.communes.itertuples():
            out.append({"code": r.code, "name": r.name, "before": r.before,
                        "before_label": QD28_CLASSES.label(r.before, lang),
                        "before_from": r.before_from,
                        "before_from_text": predecessors_text(r.before_from, lang),
                        "after": r.after, "after_label": QD28_CLASSES.label(r.after, lang),
                        "change": r.change,
                        "change_label": CLASS_CHANGES.label(r.change, lang),
                        "list_change": r.list_change,
                        "list_change_label": LIST_CHANGES.label(r.list_change, lang),
                        "transformed": bool(r.transformed), "relapsed": bool(r.relapsed)})
        return out

    def groups(self, lang: str = "vi") -> dict[str, list[str]]:
        """Names per list change (``added``, ``removed``, ``down``, ``up``, ``same``…)."""
        return {k: list(self.communes.loc[self.communes.list_change == k, "name"])
                for k in LIST_CHANGES.ids}

    def to_dict(self, lang: str = "vi") -> dict:
        """Strict JSON."""
        return plain({"province": self.province.code, "year": self.year,
                      "base_year": self.base_year, "status": self.status,
                      "base_status": self.base_status,
                      "status_label": tr(*self.status_label, lang),
                      "base_status_label": tr(*self.base_status_label, lang),
                      "across_reform": self.across_reform,
                      "predecessor_rule": tr(*self.predecessor_rule, lang)
                      if self.predecessor_rule else None,
                      "summary": self.summary, "groups": self.groups(lang),
                      "communes": self.records(lang)})


def _status_pair(v: YearView) -> tuple[str, str]:
    return (v.status_label("vi"), v.status_label("en"))


def _comparison(s: object, req: YearRequest) -> tuple[object, ComparisonView]:
    from geo.assessment import PREDECESSOR_RULE, compare_years

    cmp = compare_years(s, req.province, req.year, req.base_year)
    df = cmp.communes.reset_index()
    view = ComparisonView(req.province, cmp.year.year.id, cmp.base.year.id, cmp.year.status,
                          cmp.base.status, _status_pair(cmp.year), _status_pair(cmp.base), df,
                          cmp.summary(), cmp.across_reform,
                          PREDECESSOR_RULE if cmp.across_reform else None)
    return cmp, view


def compare(req: YearRequest, who: Principal, db: str | None = None) -> ComparisonView:
    """A year's list against last year's: added, removed, moved down or up, unchanged.

    Each year's list is the approved one where it exists, else the draft (labelled).
    Across the 1 July 2025 reform a 2025 commune's class last year is the most serious
    among its predecessors (:data:`geo.assessment.PREDECESSOR_RULE`, shown in the
    result). Needs ``view``.
    """
    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return _comparison(s, req)[1]


@dataclass
class TransformationView:
    """Transformation as QĐ 28/2025 defines it (Điều 2.2), for one year against the last.

    Attributes
    ----------
    comparison : ComparisonView
        Each commune's class last year → this year.
    counts : pandas.DataFrame
        Index: the classes; columns ``before_list`` (last year's list, on its own
        communes), ``before`` (last year's classes of this year's communes: the same
        unless the reform lies between the years) and ``after``.
    matrix : pandas.DataFrame
        Transition counts (rows: last year's class, columns: this year's).
    drug_free : dict
        ``n``, ``total``, ``share``, ``target_share``, ``target_year``,
        ``target_source``, ``met`` (None without a target), ``needed`` (more
        drug-free communes needed to reach the target now).
    province_class, base_province_class : str or None
        The province's own class (Điều 5) this year and last year.
    """

    comparison: ComparisonView
    counts: pd.DataFrame
    matrix: pd.DataFrame
    drug_free: dict
    province_class: str | None
    base_province_class: str | None

    @property
    def summary(self) -> dict:
        """The comparison's counts (transformed, became drug-free, relapsed …)."""
        return self.comparison.summary

    def to_dict(self, lang: str = "vi") -> dict:
        """Strict JSON."""
        from geo.vocab import QD28_PROVINCE_CLASSES

        return plain({
            "province": self.comparison.province.code, "year": self.comparison.year,
            "base_year": self.comparison.base_year, "status": self.comparison.status,
            "base_status": self.comparison.base_status,
            "status_label": tr(*self.comparison.status_label, lang),
            "summary": self.summary,
            "counts": {k: {"before_list": int(r.before_list), "before": int(r.before),
                           "after": int(r.after)} for k, r in self.counts.iterrows()},
            "matrix": {str(k): {str(c): int(v) for c, v in row.items()}
                       for k, row in self.matrix.iterrows()},
            "drug_free": self.drug_free,
            "province_class": self.province_class,
            "province_class_label": QD28_PROVINCE_CLASSES.label(self.province_class, lang)
            if self.province_class else None,
            "base_province_class": self.base_province_class,
            "across_reform": self.comparison.across_reform,
            "predecessor_rule": tr(*self.comparison.predecessor_rule, lang)
            if self.comparison.predecessor_rule else None,
            "communes": self.comparison.records(lang)})


def transformation(req: YearRequest, who: Principal, db: str | None = None
                   ) -> TransformationView:
    """Leadership's summary: communes per class, moved down, became drug-free, relapsed.

    Also the transition matrix between the two years (:func:`geo.stats.transition_matrix`),
    the share of drug-free communes against the province's target (its settings), and
    the province's own class (Điều 5). Needs ``view``.
    """
    from geo.assessment import province_settings, transition_counts

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        cmp, view = _comparison(s, req)
        st = province_settings(s, req.province)
    order = list(QD28_CLASSES.ids)
    c = cmp.communes
    counts = pd.DataFrame({"before_list": pd.Series(cmp.base.counts()).reindex(order),
                           "before": c.before.value_counts().reindex(order, fill_value=0),
                           "after": c.after.value_counts().reindex(order, fill_value=0)})
    n = int((c.after == "drug_free").sum())
    total = len(c)
    share = n / total if total else None
    tgt = st["target_share"]
    needed = None
    if tgt is not None and total:
        needed = max(0, int(np.ceil(tgt * total - 1e-9)) - n)
    drug_free = {"n": n, "total": total, "share": share, "target_share": tgt,
                 "target_year": st["target_year"], "target_source": st["target_source"],
                 "met": None if tgt is None or share is None else bool(share >= tgt),
                 "needed": needed}
    return TransformationView(view, counts, transition_counts(cmp), drug_free,
                              cmp.year.province_class(), cmp.base.province_class())


# ------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineRequest(Request):
    """One commune (either edition's code) of a province."""

    province: str | Province
    code: str

    def check(self) -> TimelineRequest:
        """Resolve the province; the code must be given."""
        code = str(self.code or "").strip()
        if not code:
            raise ValidationError("Chưa chọn xã.", "No commune given.", column="code")
        return replace(self, province=check_province(self.province), code=code)


@dataclass
class Timeline:
    """A commune's designations under the plans and its class every assessment year.

    Attributes
    ----------
    province : Province
    code : str
    events : pandas.DataFrame
        :func:`geo.assessment.commune_timeline`.
    predecessor_rule : tuple of (str, str)
    """

    province: Province
    code: str
    events: pd.DataFrame
    predecessor_rule: tuple[str, str]

    def records(self, lang: str = "vi") -> list[dict]:
        """One object per event, with labels in the language."""
        out = []
        for r in self.events.itertuples(index=False):
            vocab = HOTSPOT_STATUSES if r.kind == "designation" else QD28_CLASSES
            out.append({**r._asdict(), "label": vocab.label(r.value, lang),
                        "list_status_label": LIST_STATUSES.label(r.list_status, lang)
                        if r.list_status else None})
        return plain(out)

    def to_dict(self, lang: str = "vi") -> dict:
        """Strict JSON."""
        return {"province": self.province.code, "code": self.code,
                "predecessor_rule": tr(*self.predecessor_rule, lang),
                "events": self.records(lang)}


def commune_timeline(req: TimelineRequest, who: Principal, db: str | None = None) -> Timeline:
    """The 2021–2025 plan's designations and the yearly QĐ 28 classes of one commune.

    Across the reform the commune's predecessors (or successor) are included, each row
    naming its own commune. Needs ``view``.
    """
    from geo.assessment import PREDECESSOR_RULE
    from geo.assessment import commune_timeline as timeline

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        ev = timeline(s, req.province, req.code)
    return Timeline(req.province, req.code, ev, PREDECESSOR_RULE)


# ------------------------------------------------------------------- years


@dataclass(frozen=True)
class ProvinceOnlyRequest(Request):
    """A province (code or name)."""

    province: str | Province

    def check(self) -> ProvinceOnlyRequest:
        """Resolve the province."""
        return replace(self, province=check_province(self.province))


@dataclass
class YearsView:
    """The assessment years of a province: those with figures and those with a list.

    Attributes
    ----------
    years : pandas.DataFrame
        ``year, has_figures, status (draft|approved|None), decision_no, decision_date``,
        oldest first.
    """

    province: Province
    years: pd.DataFrame

    def to_dict(self) -> dict:
        """Strict JSON."""
        return {"province": self.province.code, "years": plain(self.years)}


def years(req: ProvinceOnlyRequest, who: Principal, db: str | None = None) -> YearsView:
    """Assessment years with figures or a stored list, with the list's status. Needs ``view``."""
    from geo.assessment import list_province
    from geo.store import available_periods, stored_lists

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        have = sorted({int(p.split("-")[0]) for p in available_periods(s)})
        rows = {y: {"year": y, "has_figures": True, "status": None, "decision_no": None,
                    "decision_date": None} for y in have}
        for ed in ("legacy", "2025"):
            k = list_province(s, req.province, ed)
            got = stored_lists(s, k.code, k.edition)
            for r in got[got.edition == ed].itertuples():
                row = rows.setdefault(int(r.year), {"year": int(r.year), "has_figures": False})
                row.update(status=r.status, decision_no=r.decision_no,
                           decision_date=r.decision_date)
    df = pd.DataFrame(sorted(rows.values(), key=lambda r: r["year"]),
                      columns=["year", "has_figures", "status", "decision_no", "decision_date"])
    return YearsView(req.province, df)


# ------------------------------------------------------------------- settings


@dataclass(frozen=True)
class SettingsRequest(Request):
    """Change a province's assessment settings; fields left ``None`` keep their value.

    Attributes
    ----------
    province : str or Province
    cutoff : str, optional
        First day of the reporting year, ``"15/12"`` (QĐ 28 Điều 7.1) or another day/month.
    target_share : float, optional
        Share of drug-free communes aimed at, 0 < share ≤ 1 (``0.5`` = 50 %).
    target_year : int, optional
        The year the target is for (e.g. 2030).
    target_source : str, optional
        Where the target comes from (the plan or resolution).
    overrides : tuple of (key, value), optional
        The province's rule overrides (replacing the stored ones); ``()`` removes them.
    """

    province: str | Province
    cutoff: str | None = None
    target_share: float | None = None
    target_year: int | None = None
    target_source: str | None = None
    overrides: tuple[tuple[str, object], ...] | None = None

    def check(self) -> SettingsRequest:
        """Validate every field."""
        from geo.periods import parse_cutoff

        cutoff = None if self.cutoff is None else str(parse_cutoff(self.cutoff))
        share = self.target_share
        if share is not None:
            try:
                share = float(str(share).strip().rstrip("%")) / (
                    100 if str(share).strip().endswith("%") else 1)
            except ValueError:
                share = float("nan")
            if not (0 < share <= 1):
                raise ValidationError(
                    f"Tỷ lệ mục tiêu '{self.target_share}' không hợp lệ; nhập phần trăm (50%) "
                    "hoặc số từ 0 đến 1 (0,5).",
                    f"Invalid target share '{self.target_share}'; give a percentage (50%) or a "
                    "number between 0 and 1 (0.5).", column="target_share")
        year = self.target_year
        if year is not None:
            try:
                year = int(year)
            except (TypeError, ValueError):
                year = 0
            if not 2025 <= year <= 2100:
                raise ValidationError(
                    f"Năm mục tiêu '{self.target_year}' không hợp lệ (2025–2100).",
                    f"Invalid target year '{self.target_year}' (2025–2100).",
                    column="target_year")
        if self.overrides:
            from geo.qd28 import load_rules

            load_rules(overrides=dict(self.overrides), source="settings")
        return replace(self, province=check_province(self.province), cutoff=cutoff,
                       target_share=share, target_year=year)


@dataclass
class SettingsView:
    """A province's assessment settings (defaults where none are stored)."""

    province: Province
    cutoff: str
    cutoff_stored: bool
    target_share: float | None
    target_year: int | None
    target_source: str | None
    overrides: dict
    created_by: str | None
    created_at: object

    def to_dict(self) -> dict:
        """Strict JSON."""
        return plain({"province": self.province.code, "cutoff": self.cutoff,
                      "cutoff_default": not self.cutoff_stored,
                      "target_share": self.target_share, "target_year": self.target_year,
                      "target_source": self.target_source, "overrides": self.overrides,
                      "changed_by": self.created_by, "changed_at": self.created_at})


def _settings_view(s: object, province: Province) -> SettingsView:
    from geo.assessment import province_settings

    st = province_settings(s, province)
    return SettingsView(province, str(st["cutoff"]), st["cutoff_stored"], st["target_share"],
                        st["target_year"], st["target_source"], st["overrides"],
                        st["created_by"], st["created_at"])


def settings(req: ProvinceOnlyRequest, who: Principal, db: str | None = None) -> SettingsView:
    """A province's assessment settings. Needs ``view``."""
    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        return _settings_view(s, req.province)


def set_settings(req: SettingsRequest, who: Principal, db: str | None = None) -> SettingsView:
    """Store a province's settings (a batch of its own, undoable). Needs ``approve``.

    Raises
    ------
    ValidationError
        A bad cut-off, share, year or override (naming the key); nothing stored.
    """
    from geo.assessment import province_settings
    from geo.store import save_settings

    req = req.check()
    authorize(who, "approve", req.province.code)
    with transaction(db) as s:
        st = province_settings(s, req.province)
        key = st["key"]
        save_settings(
            s, key.code, key.edition,
            cutoff=req.cutoff if req.cutoff is not None else (
                str(st["cutoff"]) if st["cutoff_stored"] else None),
            target_share=req.target_share if req.target_share is not None
            else st["target_share"],
            target_year=req.target_year if req.target_year is not None else st["target_year"],
            target_source=req.target_source if req.target_source is not None
            else st["target_source"],
            overrides=dict(req.overrides) if req.overrides is not None else st["overrides"],
            user=who.username)
        return _settings_view(s, req.province)


# ------------------------------------------------------------------- key drug routes


@dataclass(frozen=True)
class RouteRequest(Request):
    """A key drug route approved by decision (QĐ 28/2025 Điều 3).

    Attributes
    ----------
    province : str or Province
    name : str
    scope : {"intra", "inter"}
        Nội tỉnh (approved by the province) or liên tỉnh (by the Ministry).
    decision_no : str
    decision_date : date or str
    communes : tuple of str
        Codes of the communes it runs through (either edition, of the province).
    valid_from : date or str, optional
        Default the decision's date.
    valid_to : date or str, optional
        Last day in force (None: still in force).
    note : str, optional
    """

    province: str | Province
    name: str = ""
    scope: str = "intra"
    decision_no: str = ""
    decision_date: date | str | None = None
    communes: tuple[str, ...] = ()
    valid_from: date | str | None = None
    valid_to: date | str | None = None
    note: str | None = None

    def check(self) -> RouteRequest:
        """Every field present and consistent (communes are checked against the province
        when stored).
        """
        name = " ".join(str(self.name or "").split())
        if not name:
            raise ValidationError("Chưa nhập tên tuyến.", "No route name given.", column="name")
        if self.scope not in ROUTE_SCOPES:
            raise ValidationError(
                f"Phạm vi tuyến '{self.scope}' không hợp lệ; dùng: {ROUTE_SCOPES.choices('vi')}.",
                f"Invalid route scope '{self.scope}'; use: {ROUTE_SCOPES.choices('en')}.",
                column="scope")
        no = " ".join(str(self.decision_no or "").split())
        if not no:
            raise ValidationError("Chưa nhập số quyết định phê duyệt tuyến.",
                                  "No decision number approving the route.",
                                  column="decision_no")
        d = _parse_day(self.decision_date, "decision_date",
                       ("ngày quyết định phê duyệt tuyến", "decision date"))
        start = d if self.valid_from in (None, "") else _parse_day(
            self.valid_from, "valid_from", ("ngày có hiệu lực", "start date"))
        end = None if self.valid_to in (None, "") else _parse_day(
            self.valid_to, "valid_to", ("ngày hết hiệu lực", "end date"))
        if end is not None and end < start:
            raise ValidationError("Ngày hết hiệu lực trước ngày có hiệu lực.",
                                  "The end date is before the start date.", column="valid_to")
        codes = tuple(dict.fromkeys(c.strip() for c in self.communes if str(c).strip()))
        if not codes:
            raise ValidationError("Tuyến chưa có xã nào.", "The route has no commune.",
                                  column="communes")
        return replace(self, province=check_province(self.province), name=name,
                       decision_no=no, decision_date=d, valid_from=start, valid_to=end,
                       communes=codes)


@dataclass
class RoutesView:
    """A province's key drug routes, one row per commune on them."""

    province: Province
    routes: pd.DataFrame

    def to_dict(self) -> dict:
        """Strict JSON."""
        return {"province": self.province.code, "routes": plain(self.routes)}


def add_route(req: RouteRequest, who: Principal, db: str | None = None) -> RoutesView:
    """Record a key drug route (a batch of its own, undoable). Needs ``approve``.

    From the year its communes lie on it, ``on_key_drug_route`` comes from the
    recorded routes instead of the imported indicator (see :mod:`geo.assessment`).

    Raises
    ------
    ValidationError
        A missing field, or codes that are not communes of the province (listed).
    """
    from geo.assessment import list_province
    from geo.store import add_route as store_route
    from geo.store import province_units
    from geo.store import routes as stored_routes

    req = req.check()
    authorize(who, "approve", req.province.code)
    with transaction(db) as s:
        pairs, bad = [], []
        known = {e: set(province_units(s, req.province, e).code) for e in ("2025", "legacy")}
        for c in req.communes:
            ed = next((e for e in ("2025", "legacy") if c in known[e]), None)
            if ed is None:
                bad.append(c)
            else:
                pairs.append((ed, c))
        if bad:
            raise ValidationError(
                f"Các mã sau không phải xã của {req.province.name}: {', '.join(bad)}.",
                f"These codes are not communes of {req.province.name}: {', '.join(bad)}.",
                column="communes")
        key = list_province(s, req.province, "2025")
        store_route(s, key.code, key.edition, name=req.name, scope=req.scope,
                    decision_no=req.decision_no, decision_date=req.decision_date,
                    valid_from=req.valid_from, valid_to=req.valid_to, communes=pairs,
                    note=req.note, user=who.username)
        return RoutesView(req.province, stored_routes(s, key.code, key.edition))


def routes(req: ProvinceOnlyRequest, who: Principal, db: str | None = None) -> RoutesView:
    """A province's key drug routes. Needs ``view``."""
    from geo.assessment import list_province
    from geo.store import routes as stored_routes

    req = req.check()
    authorize(who, "view", req.province.code)
    with transaction(db) as s:
        key = list_province(s, req.province, "2025")
        return RoutesView(req.province, stored_routes(s, key.code, key.edition))
