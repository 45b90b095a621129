"""``diaban audit`` reads as people read it in their language; ``--json`` keeps the codes."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_the_audit_table_is_in_words_and_json_keeps_codes(demo_url: str) -> None:
    env = {"DIABAN_DATABASE_URL": demo_url}
    code, out, err = run_cli(["audit", "--entity", "qd28_list", "--limit", "0"], env)
    assert code == 0, err
    # actions, objects, detail keys and values in Vietnamese; a year stays a year
    assert "ghi nhận phê duyệt danh sách QĐ 28" in out
    assert "Danh sách QĐ 28" in out and "năm: 2025" in out and "2.025" not in out
    assert "qd28_list" not in out and '"year"' not in out and "approved" not in out
    code, out, err = run_cli(["audit", "--lang", "en", "--entity", "qd28_list"], env)
    assert code == 0 and "record a QĐ 28 list approval" in out and "year: 2025" in out, out
    code, out, err = run_cli(["audit", "--json", "--entity", "qd28_list"], env)
    rows = json.loads(out)
    assert {r["action"] for r in rows} == {"approve", "update"}
    assert all(r["entity"] == "qd28_list" for r in rows)
