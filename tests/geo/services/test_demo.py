"""geo.services.demo: setting up a database needs the ``setup`` right."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import PermissionDenied, ValidationError
from geo.services import demo as svc
from tests.conftest import db_fingerprint

ADMIN = Principal("quantri", "admin")


def test_init_database_reports_revision_and_hides_the_password(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'moi.db'}"
    res = svc.init_database(svc.InitRequest(), ADMIN, url)
    assert res.database == url and res.revision
    assert res.to_dict() == {"database": url, "revision": res.revision}
    assert svc.init_database(svc.InitRequest(), ADMIN, url).revision == res.revision
    shown = svc.displayed_url("postgresql+psycopg2://diaban:bi-mat@127.0.0.1:5432/x")
    assert "bi-mat" not in shown and "***" in shown


def test_demo_is_built_once(demo_copy_url: str) -> None:
    assert svc.demo_exists(demo_copy_url)
    before = db_fingerprint(demo_copy_url)
    res = svc.build_demo(svc.DemoRequest(), ADMIN, demo_copy_url)
    assert res.created is False and res.to_dict() == {"created": False}
    assert db_fingerprint(demo_copy_url) == before


def test_demo_exists_is_false_for_an_empty_or_new_database(empty_url: str,
                                                         tmp_path: Path) -> None:
    assert not svc.demo_exists(empty_url)
    assert not svc.demo_exists(f"sqlite:///{tmp_path / 'khong_co.db'}")


@pytest.mark.parametrize("role", ["viewer", "planner", "data_officer"])
def test_setup_needs_the_right(role: str, empty_url: str, tmp_path: Path) -> None:
    who = Principal("x", role)
    new = f"sqlite:///{tmp_path / 'moi.db'}"
    with pytest.raises(PermissionDenied) as ei:
        svc.init_database(svc.InitRequest(), who, new)
    assert "khởi tạo" in ei.value.vi
    assert not (tmp_path / "moi.db").exists()
    before = db_fingerprint(empty_url)
    with pytest.raises(PermissionDenied):
        svc.build_demo(svc.DemoRequest(), who, empty_url)
    assert db_fingerprint(empty_url) == before


def test_reset_names_the_batches_it_undoes_and_rebuilds_the_demo(demo_copy_url: str,
                                                                 tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from geo.services import imports as imp
    from geo.services.history import HistoryRequest, history
    from geo.store import get_values, session_scope
    from geo.store.schema import ImportBatch, IndicatorValue

    with session_scope(demo_copy_url) as s:  # the demo's base load and its QĐ 28 lists
        demo = tuple(s.scalars(select(ImportBatch.id).where(ImportBatch.status == "active")
                               .order_by(ImportBatch.id)))
        loaded = s.scalar(select(func.count()).where(IndicatorValue.batch_id == 1))
    assert demo[0] == 1 and len(demo) > 1
    f = tmp_path / "them.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2024-H1,relapse,999\n", encoding="utf-8")
    mine = imp.import_file(imp.IndicatorsRequest(f), ADMIN, demo_copy_url).batch_id
    plan = svc.reset_plan(ADMIN, demo_copy_url)
    assert plan.ids == (*demo, mine)
    msg = plan.message("vi")
    assert "Lần nhập số 1: Dữ liệu minh họa" in msg and "them.csv" in msg
    assert "Batch 1: Demo data" in plan.message("en")
    # A plan that is no longer true is refused, nothing changed.
    before = db_fingerprint(demo_copy_url)
    with pytest.raises(ValidationError, match="đã thay đổi"):
        svc.build_demo(svc.DemoRequest(reset=True, batches=(1,)), ADMIN, demo_copy_url)
    assert db_fingerprint(demo_copy_url) == before
    messages: list[str] = []
    res = svc.build_demo(svc.DemoRequest(reset=True, batches=plan.ids, lang="en"), ADMIN,
                         demo_copy_url, progress=lambda f, m: messages.append(m))
    assert res.created and res.undone == [*demo, mine] and res.values == loaded
    assert "Writing to the database" in messages and not any(
        m.startswith("Ghi") for m in messages)
    h = history(HistoryRequest(), ADMIN, demo_copy_url)
    assert h.batches.set_index("id").status.to_dict()[mine] == "undone"
    assert len(h.base) == 1 and h.base[0] > mine
    with session_scope(demo_copy_url) as s:
        v = get_values(s, "14", "legacy", ["relapse"], ["2024-H1"]).set_index("unit_code")
    assert v.value["04024"] != 999 and len(v) == 200
    assert svc.demo_exists(demo_copy_url)


def test_an_undone_demo_asks_for_reset_instead_of_saying_it_is_there(
        demo_copy_url: str) -> None:
    from geo.store import session_scope, undo_batch

    with session_scope(demo_copy_url) as s:  # the accident of issue 15, done below the page
        undo_batch(s, 1)
    assert not svc.demo_exists(demo_copy_url)
    before = db_fingerprint(demo_copy_url)
    with pytest.raises(ValidationError, match="--reset"):
        svc.build_demo(svc.DemoRequest(), ADMIN, demo_copy_url)
    assert db_fingerprint(demo_copy_url) == before
    # What is left in use (the demo's QĐ 28 lists) is named, undone and rebuilt.
    plan = svc.reset_plan(ADMIN, demo_copy_url)
    assert 1 not in plan.ids
    res = svc.build_demo(svc.DemoRequest(reset=True, batches=plan.ids), ADMIN, demo_copy_url)
    assert res.created and res.undone == list(plan.ids)
    assert svc.demo_exists(demo_copy_url)
