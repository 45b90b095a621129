"""``diaban audit``: read and export the audit log."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from geo.cli.common import ctx_obj, echo_table, emit_json, options, t
from geo.cli.identity import principal


def register(cli: click.Group) -> None:
    """Add the ``audit`` command."""
    cli.add_command(audit_cmd)


@click.command("audit")
@click.option("--user", "username", default=None, help="Người thực hiện / who.")
@click.option("--action", default=None, help="Thao tác (import, undo, login_failed…) / action.")
@click.option("--entity", default=None, help="Đối tượng (indicators, user…) / entity.")
@click.option("--batch", "batch_id", type=int, default=None, help="Lần nhập / import batch.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Từ ngày (YYYY-MM-DD, UTC) / from date.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Đến hết ngày (YYYY-MM-DD, UTC) / to date (inclusive).")
@click.option("--grep", "text", default=None, help="Chuỗi trong chi tiết / text in details.")
@click.option("--limit", type=int, default=200, show_default=True,
              help="Số dòng tối đa (0: tất cả) / most entries (0: all).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Ghi ra tệp CSV / write a CSV file.")
@options
def audit_cmd(username: str | None, action: str | None, entity: str | None,
              batch_id: int | None, since: datetime | None, until: datetime | None,
              text: str | None, limit: int, out: Path | None) -> None:
    """Nhật ký thay đổi: ai, khi nào, làm gì, lần nhập nào. / Audit log: who, when, what."""
    import pandas as pd

    from geo.services import users as svc

    o = ctx_obj()
    req = svc.AuditRequest(username=username, action=action, entity=entity, batch_id=batch_id,
                           since=since.date() if since else None,
                           until=until.date() if until else None, text=text,
                           limit=limit or None)
    log = svc.audit_log(req, principal(), o["db"])
    if out is not None:
        log.write_csv(out)
        if o["json"]:
            emit_json({"ok": True, "file": str(out), "entries": len(log)})
        else:
            click.echo(t(f"Đã ghi {len(log)} dòng nhật ký vào {out}.",
                         f"Wrote {len(log)} audit entries to {out}."))
        return
    rows = log.records()
    if o["json"]:
        emit_json(rows)
        return
    from geo.audit import describe_detail
    from geo.cli.common import lang
    from geo.vocab import AUDIT_ACTIONS, AUDIT_ENTITIES

    lg = lang()
    for r in rows:  # as people read them; --json and --out keep the codes
        r["at"] = r["at"].strftime("%d/%m/%Y %H:%M:%S" if lg == "vi" else "%Y-%m-%d %H:%M:%S")
        r["action"] = AUDIT_ACTIONS.label(r["action"], lg)  # an unknown code stays as it is
        r["entity"] = AUDIT_ENTITIES.label(r["entity"], lg)
        detail = describe_detail(r["detail"], lg)
        r["detail"] = detail if len(detail) <= 70 else detail[:69] + "…"
        r["batch_id"] = None if pd.isna(r["batch_id"]) else int(r["batch_id"])
    echo_table(rows, [("id", "#"), ("at", t("Thời gian (UTC)", "Time (UTC)")),
                      ("username", t("Người", "User")), ("action", t("Thao tác", "Action")),
                      ("entity", t("Đối tượng", "Entity")), ("entity_id", "ID"),
                      ("batch_id", t("Lần nhập", "Batch")), ("detail", t("Chi tiết", "Detail"))])
