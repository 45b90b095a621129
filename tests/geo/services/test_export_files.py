"""Briefing exports from the demo database: formats, sizes, fonts, text, suppression."""

import re
import subprocess

import pytest
from click.testing import CliRunner
from PIL import Image

from geo.auth import local_admin
from geo.cli.main import cli
from geo.errors import ValidationError
from geo.services.exports import BriefRequest, MapExportRequest, export_brief, export_map
from layers.offline import assert_no_external_urls

ADMIN = local_admin()


def test_png_pixels_match_paper_and_dpi(demo_url, tmp_path):
    out = export_map(MapExportRequest("14", "registered_addicts", "2024-H2", tmp_path / "m.png",
                                      dpi=120, orientation="landscape"), ADMIN, demo_url).file
    assert Image.open(out).size == (round(297 / 25.4 * 120), round(210 / 25.4 * 120))


def test_pdf_is_vector_with_embedded_vietnamese_text(demo_url, tmp_path):
    out = export_map(MapExportRequest("14", "registered_addicts", "2024-H2", tmp_path / "m.pdf",
                                      layers=("hotspots", "facilities", "districts")),
                     ADMIN, demo_url).file
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    rows = [r for r in fonts.splitlines()[2:] if r.strip()]
    assert rows and all(" yes " in r for r in rows)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    for name in ("Người nghiện có hồ sơ quản lý", "Xã Chiềng Khừa", "Xã Lóng Sập",
                 "Hoàng Sa", "Trường Sa", "gần đúng"):
        assert name in text


def test_html_is_self_contained(demo_url, tmp_path):
    out = export_map(MapExportRequest("14", "registered_addicts", "2024-H2", tmp_path / "m.html"),
                     ADMIN, demo_url).file
    html = out.read_text("utf-8")
    assert assert_no_external_urls(html) == [] and "L.map(" in html


def test_brief_has_map_progress_and_targets(demo_url, tmp_path):
    out = export_brief(BriefRequest("14", "2025-H1", tmp_path / "b.pdf"), ADMIN, demo_url).file
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "Tiến độ chuyển hóa địa bàn" in text and "Chỉ tiêu của tỉnh" in text
    assert "Xã Tân Xuân" in text and "KH 75/KH-SLĐTBXH" in text
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    # the map, the progress and targets (page 2), then the QĐ 28 section (maps, summary)
    assert re.search(r"^Pages:\s+5$", info, re.M)
    second = _page(out, 2)
    assert "Tiến độ chuyển hóa địa bàn" in second and "Chỉ tiêu của tỉnh" in second


def test_suppression_hides_small_counts(demo_url, tmp_path):
    out = export_brief(BriefRequest("14", "2025-H1", tmp_path / "b.pdf", suppress_below=10),
                       ADMIN, demo_url).file
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "< 10" in text


def test_bad_requests_are_refused(demo_url, tmp_path):
    with pytest.raises(ValidationError):
        export_map(MapExportRequest("14", "registered_addicts", "2024-H2", tmp_path / "x.jpg"),
                   ADMIN, demo_url)
    with pytest.raises(ValidationError):
        export_map(MapExportRequest("14", "registered_addicts", "2024-H2", tmp_path / "x.png",
                                    layers=("roads",)), ADMIN, demo_url)
    r = CliRunner().invoke(cli, ["--db", demo_url, "export", "map", "-p", "14", "--period",
                                 "2024-H9", "--out", str(tmp_path / "x.png")])
    assert r.exit_code != 0


def test_cli_export_map_json(demo_url, tmp_path):
    import json

    r = CliRunner().invoke(cli, ["--db", demo_url, "export", "map", "-p", "Sơn La", "--period",
                                 "2024-H2", "--dpi", "72", "--out", str(tmp_path / "m.svg"),
                                 "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["file"].endswith("m.svg")
    assert "<text" in (tmp_path / "m.svg").read_text("utf-8")


def _page(pdf, n):
    return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", str(pdf), "-"],
                          capture_output=True, text=True).stdout


@pytest.mark.parametrize("measure, unit", [("rate", "Tỷ lệ trên 10.000 dân"),
                                           ("count", "người")])
def test_pack_map_follows_the_measure_and_hides_rates_of_small_counts(demo_url, tmp_path,
                                                                       measure, unit):
    from geo.services.maps import MapRequest, map_view

    counts = map_view(MapRequest("14", "legacy", "registered_addicts", "2025-H1"), ADMIN,
                      demo_url).communes.value
    small = int((counts < 5).sum())
    assert small > 0
    out = export_brief(BriefRequest("14", "2025-H1", tmp_path / "b.pdf", suppress_below=5,
                                    measure=measure), ADMIN, demo_url).file
    first = _page(out, 1)
    assert re.search(rf"^{re.escape(unit)}\b", first, re.M), first[:600]
    # The same communes are hidden whichever measure is drawn: those with fewer than 5
    # people, counted, not those with a rate below 5 per 10,000.
    assert re.search(rf"< 5 \({small}\)", first), first
    assert "cả tỷ lệ tính từ các số đó" in first
