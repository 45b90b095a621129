"""Issue 17, point 2: every upload is read with a memory ceiling.

The file-reading step of :func:`geo.services.imports.preview` / ``import_file`` runs in
a child process whose memory is capped (``DIABAN_UPLOAD_MEMORY_MB``): a file whose
reading needs more is refused with a clear message, the calling process (the app
server, the CLI) does not grow, nothing is stored and the next import works.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.auth import Principal
from geo.errors import ValidationError
from geo.services import imports as imp
from geo.services.history import HistoryRequest, history
from tests.conftest import db_fingerprint

ROOT = Path(__file__).resolve().parents[3]
ADMIN = Principal("quan_tri", "admin")
CEILING_MB = 300


@pytest.fixture()
def ceiling(monkeypatch: pytest.MonkeyPatch) -> int:
    """A ceiling of 300 MB for the uploads of this test."""
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", str(CEILING_MB))
    return CEILING_MB


def _figures(folder: Path) -> Path:
    p = folder / "so_lieu.csv"
    p.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n"
                 "04045,2023-H1,registered_addicts,7\n", encoding="utf-8")
    return p


def _small_boundaries(folder: Path) -> Path:
    import geopandas as gpd
    from shapely.geometry import box

    from geo.registry import load_units

    u = load_units("legacy", "commune")
    u = u[u.province_code == "14"].head(3)
    g = gpd.GeoDataFrame({"ten_xa": list(u.name)}, crs=4326,
                         geometry=[box(x - .01, y - .01, x + .01, y + .01)
                                   for x, y in zip(u.lon, u.lat)])
    g.to_file(folder / "ranh_gioi_nho.geojson", driver="GeoJSON")
    return folder / "ranh_gioi_nho.geojson"


def test_a_file_needing_more_memory_than_the_ceiling_is_refused_and_nothing_changes(
        tmp_path: Path, empty_url: str, inflating_geojson: Path, ceiling: int) -> None:
    before = db_fingerprint(empty_url)
    req = imp.BoundariesRequest(inflating_geojson, "Sơn La", crs="EPSG:4326")
    for call in (imp.preview, imp.import_file):
        with pytest.raises(ValidationError) as e:
            call(req, ADMIN, empty_url)
        err = e.value
        assert err.problem.file == "ranh_gioi_lon.geojson"
        assert err.message("vi").startswith(
            "ranh_gioi_lon.geojson: Tệp 'ranh_gioi_lon.geojson' cần nhiều bộ nhớ hơn mức máy "
            "chủ cho phép cho một lần tải lên (300 MB)")
        assert "chia tệp" in err.vi and "DIABAN_UPLOAD_MEMORY_MB" in err.vi
        assert "needs more memory than the server allows for one upload (300 MB)" in err.en
        assert err.exit_code == 4
    assert db_fingerprint(empty_url) == before  # nothing stored, no batch

    # The server goes on: files that fit are read under the same ceiling.
    prep = imp.preview(imp.BoundariesRequest(_small_boundaries(tmp_path), "Sơn La",
                                             edition="legacy"), ADMIN, empty_url)
    assert prep.ok and prep.rows == 3 and prep.read.summary()["crs_origin"] == "file"
    res = imp.import_file(imp.IndicatorsRequest(_figures(tmp_path), province="Sơn La"),
                          ADMIN, empty_url)
    assert res.stored == 2
    batches = history(HistoryRequest(), ADMIN, empty_url).batches
    assert batches.id.tolist() == [res.batch_id] and batches.kind.tolist() == ["indicators"]


def test_the_message_gives_the_limit_the_vietnamese_way_and_what_to_do_per_kind() -> None:
    raster = imp.PopulationRequest("dan_so.tif", "Sơn La", year=2024)
    err = imp._too_big(raster, 1536)
    assert "(1.536 MB)" in err.vi and "(1,536 MB)" in err.en
    assert "cắt ảnh theo ranh giới tỉnh" in err.vi and "Clip the raster" in err.en
    table = imp._too_big(imp.IndicatorsRequest("so_lieu.xlsx"), 2048)
    assert "chia tệp thành nhiều tệp nhỏ hơn" in table.vi and "(2.048 MB)" in table.vi


def test_under_a_ceiling_it_fits_in_the_same_file_is_read(
        empty_url: str, inflating_geojson: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # So the refusal above is the ceiling's; and a large result comes back whole.
    monkeypatch.setenv("DIABAN_UPLOAD_MEMORY_MB", "2000")
    prep = imp.preview(imp.BoundariesRequest(inflating_geojson, "Sơn La", crs="EPSG:4326",
                                             edition="legacy"), ADMIN, empty_url)
    assert prep.kind == "boundaries" and len(prep.read.gdf) == 1
    assert len(prep.read.gdf.geometry.iloc[0].exterior.coords) == 1_000_001


_PEAK = """
import json, os, sys
from geo.auth import Principal
from geo.errors import ValidationError
from geo.services import imports as imp

req = imp.BoundariesRequest(sys.argv[1], "Sơn La", crs="EPSG:4326")
try:
    imp.preview(req, Principal("quan_tri", "admin"), sys.argv[2])
    out = {"error": None}
except ValidationError as e:
    out = {"error": e.message("vi")}
# VmHWM: this process's peak resident memory (the child's is its own).
hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM:")][0]
out["peak_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(out))
"""


def test_the_calling_process_does_not_grow(empty_url: str, inflating_geojson: Path) -> None:
    # Read in-process, this file took the reading process past 800 MB.
    import os

    env = {**os.environ, "DIABAN_UPLOAD_MEMORY_MB": str(CEILING_MB),
           "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", _PEAK, str(inflating_geojson), empty_url],
                       capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert "cần nhiều bộ nhớ hơn" in got["error"]
    assert got["peak_mb"] < 400, got


def test_progress_of_the_reading_reaches_the_caller(tmp_path: Path, empty_url: str,
                                                    ceiling: int) -> None:
    seen: list[tuple[float, str]] = []
    prep = imp.preview(imp.BoundariesRequest(_small_boundaries(tmp_path), "Sơn La",
                                             edition="legacy"),
                       ADMIN, empty_url, progress=lambda f, m: seen.append((f, m)))
    assert prep.ok
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    messages = [m for _, m in seen]
    # The reader's own steps, reported in the child, reached this callback in order.
    assert messages.index("Hệ tọa độ") < messages.index("Đối chiếu với danh mục") \
        < messages.index("Đã kiểm tra")
    assert len({f for f, _ in seen if f < 0.6}) >= 3


def test_progress_messages_follow_the_request_language(tmp_path: Path, empty_url: str,
                                                       ceiling: int) -> None:
    seen: list[str] = []
    imp.preview(imp.BoundariesRequest(_small_boundaries(tmp_path), "Sơn La",
                                      edition="legacy", lang="en"),
                ADMIN, empty_url, progress=lambda f, m: seen.append(m))
    assert "Coordinate system" in seen and "Matching with the registry" in seen
