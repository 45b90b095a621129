import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from geo.cli.main import cli


def run(*args, db=None):
    argv = list(args) + (["--db", db] if db else [])
    res = CliRunner().invoke(cli, argv, catch_exceptions=False)
    return res


def test_units_show_old_commune_reports_successor():
    res = run("units", "show", "Chiềng Khừa", "--json")
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["code"] == "04024" and d["edition"] == "legacy"
    assert [s["name"] for s in d["successors"]] == ["Xã Lóng Sập"]


def test_units_show_new_commune_lists_predecessors():
    res = run("units", "show", "Lóng Sập", "--province", "Sơn La", "--edition", "2025", "--json")
    d = json.loads(res.output)
    assert d["code"] == "04045"
    assert {p["name"] for p in d["predecessors"]} == {"Xã Chiềng Khừa", "Xã Lóng Sập"}


def test_units_show_without_diacritics_and_prefix():
    res = run("units", "show", "xa chieng khua", "--json")
    assert json.loads(res.output)["code"] == "04024"


def _diaban(*args, env=None):
    return subprocess.run([sys.executable, "-m", "geo.cli.main", *args], capture_output=True,
                          text=True, env=env)


def test_unknown_unit_exits_3_with_a_vietnamese_message():
    p = _diaban("units", "show", "Không Có Xã Này")
    assert p.returncode == 3
    assert "Không tìm thấy đơn vị" in p.stderr and "Traceback" not in p.stderr
    p = _diaban("--lang", "en", "units", "show", "Nowhere")
    assert p.returncode == 3 and "No unit" in p.stderr


def test_unknown_indicator_catalog_lists_ids():
    res = run("indicators", "--json")
    rows = json.loads(res.output)
    ids = {r["id"] for r in rows}
    assert {"population", "registered_addicts", "methadone_patients", "drug_cases_detected",
            "drug_use_points_eliminated", "post_treatment_managed", "relapse"} <= ids
    assert all(r["name_vi"] and r["name_en"] and r["unit_vi"] for r in rows)


def test_bad_period_range_is_a_user_error():
    p = _diaban("periods", "--from", "2021-H3")
    assert p.returncode == 4 and "kỳ báo cáo" in p.stderr


@pytest.mark.usefixtures("demo_url")
def test_demo_then_periods(demo_url):
    res = run("periods", "--json", db=demo_url)
    ids = [p["id"] for p in json.loads(res.output)]
    assert ids == ["2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1", "2023-H2",
                   "2024-H1", "2024-H2", "2025-H1", "2025-H2",
                   "2026"]  # the QĐ 28 assessment year 2026, reported as annual figures
    again = run("demo", "--json", db=demo_url)
    assert json.loads(again.output)["created"] is False


def test_undo_says_what_it_takes_back_and_asks_first(demo_copy_url, tmp_path):
    from tests.conftest import db_fingerprint, run_cli

    f = tmp_path / "them.csv"
    f.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2024-H1,relapse,7\n", encoding="utf-8")
    code, out, err = run_cli(["--db", demo_copy_url, "import", "indicators", str(f), "--json"])
    assert code == 0, err
    mine = str(json.loads(out)["batch"])
    before = db_fingerprint(demo_copy_url)
    for answer in (None, "n\n"):  # a script without --yes, a person who says no
        code, out, err = run_cli(["--db", demo_copy_url, "import", "undo", mine], stdin=answer)
        assert code == 1 and "Đã hủy" in err
        assert f"Hoàn tác lần nhập số {mine}: Số liệu xã, tệp «them.csv»" in err
        assert "--yes" in err
        assert db_fingerprint(demo_copy_url) == before
    code, out, err = run_cli(["--db", demo_copy_url, "import", "undo", mine], stdin="y\n")
    assert code == 0 and f"Đã hoàn tác lần nhập số {mine}" in out
    # The demo's base load is refused as an ordinary undo, pointing at the reset.
    before = db_fingerprint(demo_copy_url)
    code, out, err = run_cli(["--db", demo_copy_url, "import", "undo", "1", "--yes"])
    assert code != 0 and "diaban demo --reset" in err and "Traceback" not in err
    assert db_fingerprint(demo_copy_url) == before
    code, out, err = run_cli(["--db", demo_copy_url, "import", "history"])
    assert "Đang dùng" in out and "Đã hoàn tác" in out and "diaban demo --reset" in out


def test_demo_reset_names_what_it_replaces_and_asks(demo_copy_url):
    from tests.conftest import db_fingerprint, run_cli

    before = db_fingerprint(demo_copy_url)
    code, out, err = run_cli(["--db", demo_copy_url, "--lang", "en", "demo", "--reset"])
    assert code == 1 and "Batch 1: Demo data (base load)" in err
    assert db_fingerprint(demo_copy_url) == before
    code, out, err = run_cli(["--db", demo_copy_url, "demo", "--reset", "--yes", "--json"])
    assert code == 0, err
    res = json.loads(out)
    assert res["created"] is True and res["undone"][0] == 1  # the load, then its QĐ 28 lists
    assert len(res["undone"]) > 1
