"""Issue 17, point 2: ``diaban import`` reads the file under the upload memory ceiling.

A file whose reading needs more memory than ``DIABAN_UPLOAD_MEMORY_MB`` is bad input
(exit 4, as README's table says), with a Vietnamese message (English with
``--lang en``) and, with ``--json``, a JSON error object on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

from geo.errors import ValidationError
from tests.conftest import db_fingerprint, run_cli


def test_a_file_over_the_ceiling_is_bad_input_with_a_message(
        tmp_path: Path, empty_url: str, inflating_geojson: Path) -> None:
    before = db_fingerprint(empty_url)
    args = ["import", "boundaries", str(inflating_geojson), "-p", "Sơn La", "--crs",
            "EPSG:4326", "--db", empty_url]
    env = {"DIABAN_UPLOAD_MEMORY_MB": "300"}
    code, out, err = run_cli([*args, "--json"], env=env)
    assert code == ValidationError.exit_code == 4, err
    body = json.loads(out)
    assert body["ok"] is False and body["error"] == "ValidationError"
    assert body["file"] == "ranh_gioi_lon.geojson"
    assert body["vi"].startswith("Tệp 'ranh_gioi_lon.geojson' cần nhiều bộ nhớ hơn mức máy "
                                 "chủ cho phép cho một lần tải lên (300 MB)")
    assert "DIABAN_UPLOAD_MEMORY_MB" in body["vi"] and "(300 MB)" in body["en"]

    code, out, err = run_cli(args, env=env)
    assert code == 4 and out == "" and err.startswith(
        "ranh_gioi_lon.geojson: Tệp 'ranh_gioi_lon.geojson' cần nhiều bộ nhớ hơn")
    assert "Lỗi ngoài dự kiến" not in err and "Traceback" not in err
    code, out, err = run_cli([*args, "--lang", "en"], env=env)
    assert code == 4 and "needs more memory than the server allows for one upload" in err
    assert db_fingerprint(empty_url) == before

    ok = tmp_path / "so_lieu.csv"
    ok.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n",
                  encoding="utf-8")
    code, out, err = run_cli(["import", "indicators", str(ok), "--db", empty_url, "--json"],
                             env=env)
    assert code == 0 and json.loads(out)["stored"] == 1, err
