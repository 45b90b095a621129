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
