"""``diaban assess …``: the annual QĐ 28/2025 list — classes by hand, approval, comparison.

The classes of one year are ``diaban analyze classify -p P --year Y``; this group is the
rest of the December work (QĐ 28/2025 Điều 7, 9): set a commune's class with a reason,
record the People's Committee's approval, undo the latest change, compare with last
year, the leadership summary, one commune's timeline, the province's settings (cut-off,
drug-free target, rule overrides) and its key drug routes. Every command calls
:mod:`geo.services.classification`.
"""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.common import ctx_obj, db, echo_table, emit_json, options, t
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the ``assess`` group."""
    cli.add_command(assess)


@click.group()
def assess() -> None:
    """Danh sách phân loại QĐ 28/2025 hằng năm. / The annual QĐ 28/2025 list."""


def _province(f):  # noqa: ANN001, ANN202 - click decorator
    return click.option("--province", "-p", required=True, help="Tỉnh / province.")(f)


def _year(f):  # noqa: ANN001, ANN202 - click decorator
    return click.option("--year", required=True,
                        help="Năm đánh giá (15/12 năm trước – 14/12), vd. 2026 / "
                             "assessment year.")(f)


def _done(res: object) -> None:
    o = ctx_obj()
    if o["json"]:
        emit_json(res.to_dict())
    else:
        click.echo(res.message(o["lang"]))


@assess.command("set-class")
@_province
@_year
@click.option("--commune", "code", required=True, help="Mã xã / commune code.")
@click.option("--class", "klass", default=None,
              type=click.Choice(["type_1", "type_2", "type_3", "drug_free", "none"]),
              help="Loại xếp thủ công / the class to set.")
@click.option("--reason", default="", help="Lý do (bắt buộc) / reason (required).")
@click.option("--clear", is_flag=True, help="Bỏ loại điều chỉnh / take the manual class back.")
@options
def set_class_cmd(province: str, year: str, code: str, klass: str | None, reason: str,
                  clear: bool) -> None:
    """Xếp loại một xã khác loại tính theo tiêu chí (có lý do). / Set a commune's class."""
    from geo.errors import ValidationError
    from geo.services import classification as svc

    if clear == (klass is not None):
        raise ValidationError("Dùng --class (kèm --reason) hoặc --clear.",
                              "Give --class (with --reason) or --clear.", column="class")
    res = svc.set_class(svc.SetClassRequest(province, year, code, None if clear else klass,
                                            reason), principal(), db())
    _done(res)


@assess.command("approve")
@_province
@_year
@click.option("--decision", "decision_no", default="",
              help="Số quyết định của UBND tỉnh, vd. 2958/QĐ-UBND / decision number.")
@click.option("--date", "decision_date", default="",
              help="Ngày quyết định, vd. 18/12/2026 / decision date.")
@click.option("--note", default=None, help="Ghi chú / note.")
@options
def approve_cmd(province: str, year: str, decision_no: str, decision_date: str,
                note: str | None) -> None:
    """Ghi nhận UBND tỉnh phê duyệt danh sách; danh sách bị khóa. / Record the approval."""
    from geo.services import classification as svc

    _done(svc.approve(svc.ApproveRequest(province, year, decision_no, decision_date, note),
                      principal(), db()))


@assess.command("undo")
@_province
@_year
@options
def undo_cmd(province: str, year: str) -> None:
    """Hoàn tác thay đổi mới nhất (phê duyệt hoặc loại điều chỉnh). / Undo the latest change."""
    from geo.services import classification as svc

    _done(svc.undo_change(svc.YearRequest(province, year), principal(), db()))


def _label(code: str | None, lg: str) -> str:
    from geo.vocab import QD28_CLASSES

    return QD28_CLASSES.short(code, lg) if code else ""


@assess.command("compare")
@_province
@_year
@click.option("--base-year", type=int, default=None, help="Năm so sánh (mặc định năm trước).")
@click.option("--all", "show_all", is_flag=True, help="Cả xã giữ nguyên / unchanged too.")
@options
def compare_cmd(province: str, year: str, base_year: int | None, show_all: bool) -> None:
    """So với năm trước: đưa vào, đưa ra, chuyển loại giảm/tăng. / Against last year."""
    from geo.services import classification as svc
    from geo.vocab import LIST_CHANGES

    o = ctx_obj()
    lg = o["lang"]
    res = svc.compare(svc.YearRequest(province, year, base_year), principal(), db())
    if o["json"]:
        emit_json(res.to_dict(lg))
        return
    from geo.i18n import tr

    click.echo(f"{res.base_year} ({tr(*res.base_status_label, lg)}) → {res.year} "
               f"({tr(*res.status_label, lg)})")
    if res.predecessor_rule:
        click.echo(tr(*res.predecessor_rule, lg))
    rows = [r for r in res.records(lg)
            if show_all or r["list_change"] not in ("same", "outside") or r["change"] != "same"]
    echo_table([{**r, "before": r["before_label"], "after": r["after_label"],
                 "change": r["list_change_label"] + (
                     f" ({r['change_label']})" if r["change"] in ("drug_free",) else ""),
                 "from": r["before_from_text"]} for r in rows],
               [("code", t("Mã", "Code")), ("name", t("Xã", "Commune")),
                ("before", res.base_year), ("after", res.year),
                ("change", t("Thay đổi", "Change")), ("from", t("Xã cũ", "Predecessors"))])
    s = res.summary
    click.echo("; ".join(f"{LIST_CHANGES.label(k, lg)}: {s[k]}"
                         for k in ("added", "removed", "down", "up", "same")))


@assess.command("summary")
@_province
@_year
@click.option("--base-year", type=int, default=None, help="Năm so sánh (mặc định năm trước).")
@options
def summary_cmd(province: str, year: str, base_year: int | None) -> None:
    """Tóm tắt cho lãnh đạo: chuyển hóa, tái phức tạp, tỷ lệ không ma túy. / Summary."""
    from geo.i18n import fmt_number, tr
    from geo.services import classification as svc
    from geo.vocab import QD28_CLASSES, QD28_PROVINCE_CLASSES

    o = ctx_obj()
    lg = o["lang"]
    res = svc.transformation(svc.YearRequest(province, year, base_year), principal(), db())
    if o["json"]:
        emit_json(res.to_dict(lg))
        return
    c = res.comparison
    click.echo(f"{c.province.name}: {c.base_year} → {c.year} ({tr(*c.status_label, lg)})")
    cols = [("class", t("Loại", "Class")), ("before", c.base_year), ("after", c.year)]
    if c.across_reform:
        cols[1:2] = [("before_list", t(f"{c.base_year} (xã cũ)", f"{c.base_year} (old communes)")),
                     ("before", t(f"{c.base_year} theo xã mới", f"{c.base_year} on new communes"))]
    echo_table([{"class": QD28_CLASSES.label(k, lg), "before_list": int(r.before_list),
                 "before": int(r.before), "after": int(r.after)}
                for k, r in res.counts.iterrows()], cols)
    if c.across_reform:
        click.echo(tr(*c.predecessor_rule, lg))
    s = res.summary
    click.echo(t(f"Chuyển hóa (giảm ít nhất một loại hoặc thành không ma túy): {s['transformed']}"
                 f"; trong đó thành không ma túy: {s['became_drug_free']}; tái phức tạp (tăng "
                 f"loại): {s['relapsed']}.",
                 f"Transformed (down at least one class or drug-free): {s['transformed']}; of "
                 f"which became drug-free: {s['became_drug_free']}; relapsed (moved up): "
                 f"{s['relapsed']}."))
    d = res.drug_free
    share = "—" if d["share"] is None else fmt_number(100 * d["share"], lg, 1) + "%"
    if d["target_share"] is None:
        click.echo(t(f"Xã không ma túy: {d['n']}/{d['total']} ({share}); tỉnh chưa đặt mục tiêu.",
                     f"Drug-free communes: {d['n']}/{d['total']} ({share}); no target set."))
    else:
        tgt = fmt_number(100 * d["target_share"], lg, 0) + "%"
        click.echo(t(f"Xã không ma túy: {d['n']}/{d['total']} ({share}); mục tiêu {tgt} vào năm "
                     f"{d['target_year']}: còn thiếu {d['needed']} xã.",
                     f"Drug-free communes: {d['n']}/{d['total']} ({share}); target {tgt} by "
                     f"{d['target_year']}: {d['needed']} more needed."))
    if res.province_class:
        click.echo(t("Cấp tỉnh (Điều 5): ", "Province (Art. 5): ")
                   + QD28_PROVINCE_CLASSES.label(res.province_class, lg))


@assess.command("timeline")
@_province
@click.option("--commune", "code", required=True, help="Mã xã (trước hoặc sau 01/7/2025).")
@options
def timeline_cmd(province: str, code: str) -> None:
    """Lịch sử một xã: xác định trọng điểm, loại từng năm. / One commune's timeline."""
    from geo.services import classification as svc

    o = ctx_obj()
    lg = o["lang"]
    res = svc.commune_timeline(svc.TimelineRequest(province, code), principal(), db())
    if o["json"]:
        emit_json(res.to_dict(lg))
        return
    echo_table([{**r, "date": r["date"], "status": r["list_status_label"] or ""}
                for r in res.records(lg)],
               [("date", t("Ngày", "Date")), ("year", t("Năm", "Year")),
                ("unit_name", t("Xã", "Commune")), ("label", t("Nội dung", "What")),
                ("decision_no", t("Quyết định", "Decision")),
                ("status", t("Danh sách", "List")), ("reason", t("Lý do", "Reason"))])


@assess.command("years")
@_province
@options
def years_cmd(province: str) -> None:
    """Các năm đánh giá có số liệu hoặc danh sách. / Assessment years."""
    from geo.services import classification as svc
    from geo.vocab import LIST_STATUSES

    o = ctx_obj()
    res = svc.years(svc.ProvinceOnlyRequest(province), principal(), db())
    if o["json"]:
        emit_json(res.to_dict())
        return
    echo_table([{**r, "status": LIST_STATUSES.label(r["status"], o["lang"])
                 if r["status"] else ""} for r in res.to_dict()["years"]],
               [("year", t("Năm", "Year")), ("status", t("Danh sách", "List")),
                ("decision_no", t("Quyết định", "Decision")),
                ("decision_date", t("Ngày", "Date"))])


@assess.command("settings")
@_province
@click.option("--cutoff", default=None, help="Ngày chốt số liệu, vd. 15/12 / cut-off day.")
@click.option("--target", "target_share", default=None,
              help="Tỷ lệ xã không ma túy mục tiêu, vd. 50% / drug-free target share.")
@click.option("--target-year", type=int, default=None, help="Năm đạt mục tiêu / target year.")
@click.option("--target-source", default=None, help="Căn cứ mục tiêu / where it comes from.")
@click.option("--rules", "rules", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Tệp JSON ngưỡng riêng của tỉnh / rule overrides.")
@click.option("--no-rules", is_flag=True, help="Bỏ ngưỡng riêng / remove the overrides.")
@options
def settings_cmd(province: str, cutoff: str | None, target_share: str | None,
                 target_year: int | None, target_source: str | None, rules: Path | None,
                 no_rules: bool) -> None:
    """Xem hoặc đổi cài đặt đánh giá của tỉnh. / Show or change the province's settings."""
    from geo.services import classification as svc

    o = ctx_obj()
    change = any(v is not None for v in (cutoff, target_share, target_year, target_source,
                                          rules)) or no_rules
    if change:
        overrides = (tuple(sorted(svc.load_overrides(rules).items())) if rules
                     else (() if no_rules else None))
        res = svc.set_settings(svc.SettingsRequest(province, cutoff, target_share, target_year,
                                                   target_source, overrides),
                               principal(), db())
    else:
        res = svc.settings(svc.ProvinceOnlyRequest(province), principal(), db())
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
        return
    d = res.to_dict()
    share = "—" if d["target_share"] is None else f"{100 * d['target_share']:g}%"
    dflt = d["cutoff_default"]
    click.echo(t(f"Ngày chốt số liệu: {d['cutoff']}{' (mặc định QĐ 28)' if dflt else ''}"
                 f"\nMục tiêu xã không ma túy: {share} vào năm {d['target_year'] or '—'}"
                 f" ({d['target_source'] or 'chưa ghi căn cứ'})"
                 f"\nNgưỡng riêng của tỉnh: {len(d['overrides'])} khóa",
                 f"Cut-off day: {d['cutoff']}{' (QĐ 28 default)' if dflt else ''}"
                 f"\nDrug-free target: {share} by {d['target_year'] or '—'}"
                 f" ({d['target_source'] or 'no source given'})"
                 f"\nProvince rule overrides: {len(d['overrides'])} keys"))


@assess.command("routes")
@_province
@options
def routes_cmd(province: str) -> None:
    """Các tuyến trọng điểm đã ghi nhận. / Recorded key drug routes."""
    from geo.services import classification as svc
    from geo.vocab import ROUTE_SCOPES

    o = ctx_obj()
    res = svc.routes(svc.ProvinceOnlyRequest(province), principal(), db())
    if o["json"]:
        emit_json(res.to_dict())
        return
    r = res.routes
    if r.empty:
        click.echo(t("Chưa ghi nhận tuyến nào.", "No route recorded."))
        return
    g = r.groupby(["route_id", "name", "scope", "decision_no", "valid_from", "valid_to"],
                  dropna=False).unit_code.apply(lambda x: ", ".join(x)).reset_index()
    echo_table([{**x, "scope": ROUTE_SCOPES.short(x["scope"], o["lang"]),
                 "valid_to": x["valid_to"] if x["valid_to"] == x["valid_to"] else ""}
                for x in g.to_dict("records")],
               [("route_id", "#"), ("name", t("Tuyến", "Route")), ("scope", t("Phạm vi", "Scope")),
                ("decision_no", t("Quyết định", "Decision")), ("valid_from", t("Từ", "From")),
                ("valid_to", t("Đến", "To")), ("unit_code", t("Xã", "Communes"))])


@assess.command("add-route")
@_province
@click.option("--name", required=True, help="Tên tuyến / route name.")
@click.option("--scope", type=click.Choice(["intra", "inter"]), required=True,
              help="intra: nội tỉnh; inter: liên tỉnh.")
@click.option("--decision", "decision_no", required=True, help="Số quyết định phê duyệt.")
@click.option("--date", "decision_date", required=True, help="Ngày quyết định, vd. 5/6/2023.")
@click.option("--from", "valid_from", default=None, help="Có hiệu lực từ (mặc định ngày QĐ).")
@click.option("--to", "valid_to", default=None, help="Hết hiệu lực (để trống: còn hiệu lực).")
@click.option("--communes", required=True, help="Mã các xã, cách nhau bởi dấu phẩy.")
@options
def add_route_cmd(province: str, name: str, scope: str, decision_no: str, decision_date: str,
                  valid_from: str | None, valid_to: str | None, communes: str) -> None:
    """Ghi nhận một tuyến trọng điểm đã được phê duyệt. / Record an approved key route."""
    from geo.services import classification as svc

    o = ctx_obj()
    res = svc.add_route(svc.RouteRequest(province, name, scope, decision_no, decision_date,
                                         tuple(communes.split(",")), valid_from, valid_to),
                        principal(), db())
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
    else:
        click.echo(t(f"Đã ghi nhận tuyến «{name}»; tỉnh có {res.routes.route_id.nunique()} tuyến.",
                     f"Recorded the route “{name}”; the province has "
                     f"{res.routes.route_id.nunique()} routes."))
