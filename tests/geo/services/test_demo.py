"""geo.services.demo: setting up a database needs the ``setup`` right."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import PermissionDenied
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
