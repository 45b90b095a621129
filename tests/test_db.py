import sqlite3

from geo.db import current_revision, downgrade, migrate


def _tables(path):
    with sqlite3.connect(path) as c:
        return {r[0] for r in c.execute("select name from sqlite_master where type='table'")}


def test_migrations_up_down_up(tmp_path):
    path = tmp_path / "m.db"
    url = f"sqlite:///{path}"
    migrate(url)
    assert current_revision(url) is not None
    expected = {"editions", "units", "crosswalk", "boundaries", "indicators",
                "indicator_values", "hotspots", "hotspot_events", "facilities", "plans",
                "plan_targets", "import_batches", "users", "audit_log"}
    assert expected <= _tables(path)
    downgrade(url, "base")
    assert current_revision(url) is None
    assert _tables(path) & expected == set()
    migrate(url)
    assert expected <= _tables(path)
