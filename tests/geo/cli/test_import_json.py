"""Every ``diaban import … --json`` answers strict JSON, refusals included (no bare NaN)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.geo.io.boundary_corpus import registry_squares, write_shapefile


def _strict(text: str) -> dict:
    def bad(x: str) -> None:
        raise AssertionError(f"not strict JSON: {x}")

    return json.loads(text, parse_constant=bad)


def _files(folder: Path) -> dict[str, tuple[list[str], list[str]]]:
    """kind → (arguments of a good file, arguments of a bad one)."""
    g = registry_squares("14", "legacy", n=4, crs=4326)
    good_b = folder / "xa.geojson"
    g.to_file(good_b)
    bad_b = write_shapefile(registry_squares("14", "legacy", n=20), folder, "sai", "EPSG:9207")
    good_i = folder / "so_lieu.csv"
    good_i.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,relapse,3\n", encoding="utf-8")
    bad_i = folder / "so_lieu_sai.csv"
    bad_i.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,relapse,ba\n", encoding="utf-8")
    good_v = folder / "vu.csv"
    good_v.write_text("vi_do,kinh_do,ngay\n21.3346,103.9163,2023-03-01\n", encoding="utf-8")
    bad_v = folder / "vu_sai.csv"
    bad_v.write_text("vi_do,kinh_do,ngay\nabc,103.9,2023-03-01\n", encoding="utf-8")
    good_f = folder / "co_so.csv"
    good_f.write_text("loai,ten,vi_do,kinh_do\ncounselling_point,A,21.3346,103.9163\n",
                      encoding="utf-8")
    bad_f = folder / "co_so_sai.csv"
    bad_f.write_text("loai,ten,vi_do,kinh_do\ncounselling_point,A,103.9163,21.3346\n",
                     encoding="utf-8")
    good_h = folder / "td.csv"
    good_h.write_text("ma_xa,trang_thai,ngay\n04024,designated,2023-01-05\n", encoding="utf-8")
    bad_h = folder / "td_sai.csv"
    bad_h.write_text("ma_xa,trang_thai,ngay\n04024,designated,2099-01-05\n", encoding="utf-8")
    return {
        "boundaries": ([str(good_b), "-p", "Sơn La"], [str(bad_b), "-p", "Sơn La"]),
        "indicators": ([str(good_i)], [str(bad_i)]),
        "incidents": ([str(good_v), "-p", "Sơn La"], [str(bad_v), "-p", "Sơn La"]),
        "facilities": ([str(good_f), "-p", "Sơn La"], [str(bad_f), "-p", "Sơn La"]),
        "hotspots": ([str(good_h), "-p", "Sơn La"], [str(bad_h), "-p", "Sơn La"]),
    }


@pytest.mark.parametrize("kind", ["boundaries", "indicators", "incidents", "facilities",
                                  "hotspots"])
def test_json_of_every_import_is_strict(kind: str, tmp_path: Path,
                                        demo_copy_url: str) -> None:
    good, bad = _files(tmp_path)[kind]
    code, out, err = run_cli(["--db", demo_copy_url, "import", kind, *bad, "--json"])
    assert code == 4, (code, err)
    d = _strict(out)
    assert d["ok"] is False and d["vi"] and d["en"] and "Traceback" not in err
    code, out, err = run_cli(["--db", demo_copy_url, "import", kind, *good, "--json"])
    assert code == 0, err
    d = _strict(out)
    assert d["ok"] is True and d["stored"] >= 1
