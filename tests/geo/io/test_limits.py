"""Issue 17, point 2: bounded resources for every input.

The XLSX bombs of the attack are refused with a clear message before memory grows:
each is read in a fresh process whose peak resident memory (``VmHWM``) must stay
under 500 MB (the attack took the server past 5.9 GB). CSV files have size and row
limits in the CLI too; duplicates are found in one pass; nested JSON is refused
before a parser recurses into it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.errors import ValidationError
from geo.io import tables
from geo.io.tables import MAX_CELL_CHARS, read_table
from tests.conftest import run_cli
from tests.geo.io import xlsx_bombs

ROOT = Path(__file__).resolve().parents[3]
PEAK_MB = 500

_MEASURE = """
import json, sys
from geo.io.tables import read_table
from geo.errors import ValidationError
try:
    read_table(sys.argv[1])
    out = {"error": None}
except ValidationError as e:
    out = {"error": type(e).__name__, "vi": e.message("vi"), "en": e.message("en")}
# VmHWM: the peak resident memory of this program since it started (ru_maxrss would
# also count the pytest process it was forked from: it survives exec).
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM:")][0]
out["peak_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def _read_in_child(path: Path) -> dict:
    """Read ``path`` with :func:`read_table` in a new process; its answer and peak memory."""
    p = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                       text=True, timeout=600, cwd=ROOT, env={"PYTHONPATH": str(ROOT),
                                                               "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("make, limit", [
    (xlsx_bombs.huge_shared_string, "giải nén ra 1536 MB"),
    (xlsx_bombs.many_shared_strings, "giải nén ra"),
    (lambda p: xlsx_bombs.many_shared_strings(p, 1_100_000), "hơn 1.000.000 chuỗi"),
    (lambda p: xlsx_bombs.huge_shared_string(p, 0.0001), f"dài hơn {MAX_CELL_CHARS} ký tự"),
    (xlsx_bombs.many_cells, "hơn 4.000.000 ô"),
    (xlsx_bombs.far_corner, "hơn 4.000.000 ô"),
], ids=["1.5GB-string", "30M-strings", "1.1M-strings", "long-cell", "4.2M-cells",
        "far-corner"])
def test_xlsx_bombs_are_refused_before_memory_grows(tmp_path: Path, make: object,
                                                   limit: str) -> None:
    bomb = make(tmp_path / "bom.xlsx")
    assert bomb.stat().st_size < 20 * 2**20  # small files, as uploads pass them
    got = _read_in_child(bomb)
    assert got["error"] == "ValidationError", got
    assert "Tệp vượt giới hạn" in got["vi"] and limit in got["vi"], got["vi"]
    assert "over a limit" in got["en"]
    assert got["peak_mb"] < PEAK_MB, got


def test_a_normal_workbook_still_reads_with_merged_headers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Kỳ báo cáo: 2023-H1"])
    ws.append(["ma_xa", "Số liệu", None])
    ws.append([None, "chi_tieu", "gia_tri"])
    ws.merge_cells("B2:C2")
    ws.append(["04024", "registered_addicts", 5])
    wb.save(tmp_path / "ok.xlsx")
    tab = read_table(tmp_path / "ok.xlsx")
    assert list(tab.df.columns) == ["ma_xa", "Số liệu / chi_tieu", "Số liệu / gia_tri"]
    assert tab.rows == [4] and tab.preamble[0] == "Kỳ báo cáo: 2023-H1"


def test_csv_size_and_rows_are_limited_in_the_cli(tmp_path: Path, empty_url: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "lon.csv"
    with big.open("w", encoding="utf-8") as f:
        f.write("ma_xa,ky,chi_tieu,gia_tri\n")
        f.writelines("04024,2023-H1,registered_addicts,5\n" for _ in range(tables.MAX_ROWS + 40))
    code, out, err = run_cli(["import", "indicators", str(big), "--db", empty_url, "--json"])
    assert code == ValidationError.exit_code, err
    assert "hơn 200.000 dòng" in json.loads(out)["vi"]
    monkeypatch.setattr(tables, "MAX_TABLE_BYTES", 1024 * 1024)
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "0")  # the limit patched in this process
    code, out, err = run_cli(["import", "indicators", str(big), "--db", empty_url, "--json"])
    assert code == ValidationError.exit_code
    assert "tối đa 1 MB" in json.loads(out)["vi"]
    assert "Lỗi ngoài dự kiến" not in err


def test_duplicates_point_at_their_first_row_in_one_pass(tmp_path: Path) -> None:
    # 40,000 rows with repeated keys took 69 s (a scan of the whole file per duplicate).
    from geo.io.indicators import read_indicators

    p = tmp_path / "trung.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("ma_xa,ky,chi_tieu,gia_tri\n")
        for i in range(40_000):
            f.write(f"{'04024' if i % 2 else '04027'},2023-H1,registered_addicts,{i % 7}\n")
    got = read_indicators(p, "trung.csv", None, None)
    dups = [x for x in got.problems if "trùng lặp" in x.vi]
    assert len(dups) == 39_998 and len(got.values) == 2
    assert "04027" in dups[0].vi and dups[0].row == 4 and "đã có ở dòng 2" in dups[0].vi
    assert "04024" in dups[1].vi and dups[1].row == 5 and "đã có ở dòng 3" in dups[1].vi


def test_deeply_nested_geojson_is_refused_with_a_message(tmp_path: Path,
                                                         empty_url: str) -> None:
    p = tmp_path / "sau.geojson"
    p.write_bytes(b'{"type": "FeatureCollection", "features": '
                  + b"[" * 200_000 + b"]" * 200_000 + b"}")
    code, out, err = run_cli(["import", "boundaries", str(p), "-p", "Sơn La", "--crs",
                              "EPSG:4326", "--db", empty_url, "--json"])
    assert code == ValidationError.exit_code, err
    assert "lồng nhau quá sâu" in json.loads(out)["vi"]
