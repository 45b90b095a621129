"""Core commands: ``init``, ``demo``, ``periods``, ``indicators``, ``units``."""

from __future__ import annotations

import click

from geo.cli.common import ctx_obj, echo_table, emit_json, options, progress_bar, t


def register(cli: click.Group) -> None:
    """Add the core commands to the CLI."""
    cli.add_command(init)
    cli.add_command(demo)
    cli.add_command(periods)
    cli.add_command(indicators)
    cli.add_command(units)


@click.command()
@options
def init() -> None:
    """Tạo/nâng cấp CSDL và nạp danh mục. / Create or upgrade the database, load the registry."""
    from geo.cli.identity import principal
    from geo.services.demo import InitRequest, init_database

    o = ctx_obj()
    who = principal()
    with progress_bar(t("Khởi tạo", "Initialising")) as cb:
        res = init_database(InitRequest(lang=o["lang"]), who, o["db"], progress=cb)
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
    else:
        click.echo(t(f"Đã sẵn sàng: {res.database} (phiên bản lược đồ {res.revision}).",
                     f"Ready: {res.database} (schema revision {res.revision})."))


@click.command()
@click.option("--reset", is_flag=True,
              help="Dựng lại dữ liệu minh họa (nói rõ các lần nhập bị hoàn tác và hỏi trước). "
                   "/ Rebuild the demo (names the imports it undoes and asks first).")
@click.option("--yes", is_flag=True, help="Không hỏi lại / do not ask for confirmation.")
@options
def demo(reset: bool, yes: bool) -> None:
    """Nạp tỉnh minh họa Sơn La 2021–2025. / Load the Sơn La 2021–2025 demo province."""
    from geo.cli.common import ask_first
    from geo.cli.identity import principal
    from geo.services.demo import DemoRequest, build_demo, reset_plan

    o = ctx_obj()
    who = principal()
    req = DemoRequest(lang=o["lang"])
    if reset:
        plan = reset_plan(who, o["db"])
        ask_first(plan.message(o["lang"]), yes)
        req = DemoRequest(reset=True, batches=plan.ids, lang=o["lang"])
    with progress_bar(t("Dữ liệu minh họa", "Demo data")) as cb:
        res = build_demo(req, who, o["db"], progress=cb)
    if o["json"]:
        emit_json({"ok": True, **res.to_dict()})
    elif res.created:
        click.echo(t(
            f"Đã nạp tỉnh minh họa Sơn La: {res.legacy_polygons} xã trước 01/7/2025, "
            f"{res.polygons_2025} xã sau sắp xếp (ranh giới gần đúng), {res.values} số liệu "
            f"minh họa, {res.hotspots} địa bàn trọng điểm, {res.facilities} cơ sở.",
            f"Loaded the Sơn La demo: {res.legacy_polygons} pre-2025 communes, "
            f"{res.polygons_2025} post-reform communes (approximate boundaries), "
            f"{res.values} synthetic values, {res.hotspots} hotspots, "
            f"{res.facilities} facilities.",
        ))
        if res.undone:
            click.echo(t(f"Đã hoàn tác các lần nhập cũ: {', '.join(map(str, res.undone))}.",
                         f"Undid the earlier batches: {', '.join(map(str, res.undone))}."))
    else:
        click.echo(t("Dữ liệu minh họa đã có sẵn; không thay đổi gì.",
                     "The demo is already loaded; nothing changed."))


@click.command()
@click.option("--from", "first", default=None, help="Kỳ đầu / first period (vd. 2021-H1).")
@click.option("--to", "last", default=None, help="Kỳ cuối / last period (vd. 2025-H2).")
@options
def periods(first: str | None, last: str | None) -> None:
    """Liệt kê kỳ báo cáo có dữ liệu. / List reporting periods that have data."""
    from geo.cli.identity import principal
    from geo.periods import parse_period, period_range
    from geo.services.maps import periods as stored_periods

    o = ctx_obj()
    if first or last:
        ps = period_range(first or last, last or first)
    else:
        ps = [parse_period(p) for p in stored_periods(principal(), o["db"])]
    rows = [p.to_dict() for p in ps]
    if o["json"]:
        emit_json(rows)
    else:
        echo_table(rows, [("id", t("Kỳ", "Period")),
                          ("label_vi" if o["lang"] == "vi" else "label_en", t("Tên", "Name")),
                          ("start", t("Từ", "From")), ("end", t("Đến", "To"))])


@click.command()
@options
def indicators() -> None:
    """Danh mục chỉ tiêu. / The indicator catalog."""
    from geo.indicators import load_catalog

    o = ctx_obj()
    rows = [
        {"id": i.id, "name_vi": i.name_vi, "name_en": i.name_en, "unit_vi": i.unit_vi,
         "unit_en": i.unit_en, "higher_is_worse": i.higher_is_worse,
         "aggregate": i.aggregate, "convert": i.convert}
        for i in load_catalog()
    ]
    if o["json"]:
        emit_json(rows)
    else:
        lg = o["lang"]
        echo_table(rows, [("id", "ID"), (f"name_{lg}", t("Tên", "Name")),
                          (f"unit_{lg}", t("Đơn vị", "Unit"))])


@click.group()
def units() -> None:
    """Danh mục đơn vị hành chính. / Administrative units registry."""


@units.command("show")
@click.argument("name_or_code")
@click.option("--province", "-p", default=None, help="Tỉnh (tên hoặc mã) / province.")
@click.option("--edition", type=click.Choice(["legacy", "2025"]), default=None,
              help="Phiên bản danh mục / registry edition.")
@click.option("--level", type=click.Choice(["province", "district", "commune"]),
              default="commune", show_default=True)
@options
def units_show(name_or_code: str, province: str | None, edition: str | None, level: str) -> None:
    """Thông tin một đơn vị và đơn vị kế thừa/tiền thân. / One unit with successors/predecessors."""
    from geo.errors import NotFoundError
    from geo.registry import EDITIONS, find_units, predecessors, successors

    o = ctx_obj()
    hits = find_units(name_or_code, edition=edition, province=province, level=level)
    if hits.empty:
        raise NotFoundError(
            f"Không tìm thấy đơn vị '{name_or_code}'"
            + (f" thuộc tỉnh '{province}'" if province else "") + ".",
            f"No unit '{name_or_code}'" + (f" in province '{province}'" if province else "") + ".",
        )
    out = []
    for r in hits.itertuples():
        d = {
            "code": r.code, "name": r.name, "short_name": r.short_name, "type": r.unit_type,
            "level": r.level, "edition": r.edition,
            "edition_name": getattr(EDITIONS[r.edition], f"name_{o['lang']}"),
            "province_code": r.province_code, "province": r.province_name,
            "district_code": r.district_code, "district": r.district_name,
            "parent_code": r.parent_code,
            "lat": r.lat, "lon": r.lon, "area_km2": r.area_km2,
            "valid_from": r.valid_from, "valid_to": r.valid_to,
        }
        if r.level == "commune" and r.edition == "legacy":
            d["successors"] = [
                {"code": x.new_code, "name": x.name, "weight": round(float(x.weight), 4),
                 "split": bool(x.split)}
                for x in successors(r.code).itertuples()
            ]
        elif r.level == "commune" and r.edition == "2025":
            d["predecessors"] = [
                {"code": x.old_code, "name": x.name, "district": x.district_name,
                 "weight": round(float(x.weight), 4), "split": bool(x.split)}
                for x in predecessors(r.code).itertuples()
            ]
        out.append(d)
    if o["json"]:
        emit_json(out if len(out) > 1 else out[0])
        return
    for d in out:
        where = ", ".join(x for x in (d["district"], d["province"]) if x)
        click.echo(f"{d['code']}  {d['name']}  ({where})")
        click.echo("  " + t("Phiên bản: ", "Edition: ") + d["edition_name"])
        for x in d.get("successors", []):
            click.echo("  → " + t("sau 01/7/2025: ", "after 1 Jul 2025: ")
                       + f"{x['code']} {x['name']}"
                       + (t(f" (tách, tỷ trọng {x['weight']})", f" (split, weight {x['weight']})")
                          if x["split"] else ""))
        for x in d.get("predecessors", []):
            click.echo("  ← " + t("trước 01/7/2025: ", "before 1 Jul 2025: ")
                       + f"{x['code']} {x['name']} ({x['district']})")
