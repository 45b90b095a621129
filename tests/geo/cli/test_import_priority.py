"""``diaban import …`` yields the CPU to the app's users (nice 10 unless told otherwise)."""

from __future__ import annotations

import pytest

from geo import ceiling
from tests.conftest import copy_database, run_cli


@pytest.fixture
def nice_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the priority set instead of lowering the test process's for good."""
    calls: list[int] = []
    monkeypatch.setattr(ceiling.os, "getpriority", lambda which, who: 0)
    monkeypatch.setattr(ceiling.os, "setpriority", lambda which, who, n: calls.append(n))
    return calls


def test_an_import_runs_at_nice_10_by_default(demo_url: str, tmp_path, nice_calls) -> None:
    demo_url = copy_database(demo_url, tmp_path)
    f = tmp_path / "so_lieu.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04045,2025-H1,relapse,3\n", encoding="utf-8")
    code, out, err = run_cli(["import", "indicators", str(f)], {"DIABAN_DATABASE_URL": demo_url})
    assert code == 0, out + err
    assert nice_calls == [10]
    # Other commands keep their priority.
    code, _, _ = run_cli(["audit", "--limit", "1"], {"DIABAN_DATABASE_URL": demo_url})
    assert code == 0 and nice_calls == [10]


def test_the_priority_is_set_by_the_environment(demo_url: str, nice_calls) -> None:
    env = {"DIABAN_DATABASE_URL": demo_url}
    assert run_cli(["import", "history"], {**env, "DIABAN_IMPORT_NICE": "0"})[0] == 0
    assert run_cli(["import", "history"], {**env, "DIABAN_IMPORT_NICE": "19"})[0] == 0
    assert nice_calls == [19]


@pytest.mark.parametrize("bad", ["abc", "-5", "20"])
def test_a_bad_priority_is_refused_in_words(demo_url: str, tmp_path, nice_calls, bad) -> None:
    demo_url = copy_database(demo_url, tmp_path)
    f = tmp_path / "so_lieu.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04045,2025-H1,relapse,3\n", encoding="utf-8")
    env = {"DIABAN_DATABASE_URL": demo_url, "DIABAN_IMPORT_NICE": bad}
    code, out, err = run_cli(["import", "indicators", str(f)], env)
    assert code == 2
    assert "DIABAN_IMPORT_NICE" in err and "từ 0 đến 19" in err and "Traceback" not in err
    assert nice_calls == []
    code, out, _ = run_cli(["import", "history", "--json"], {"DIABAN_DATABASE_URL": demo_url})
    assert "so_lieu.csv" not in out  # nothing was imported
