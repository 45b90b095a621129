"""Small, valid files whose reading needs much more memory than their size.

Used by the tests of the upload memory ceiling (issue 17): a GeoJSON of one commune
drawn with a million vertices is 25 MB on disk (a fraction of the 200 MB upload limit)
and took a reading process from 250 MB to 814 MB (GDAL parses the whole document into
objects; it crashes with a segmentation fault when memory runs out).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Vertices of :func:`huge_ring_geojson`'s polygon by default.
VERTICES = 1_000_000


def huge_ring_geojson(path: Path, vertices: int = VERTICES) -> Path:
    """A FeatureCollection of one polygon around Chiềng Lề (Sơn La) with ``vertices`` points.

    Returns
    -------
    Path
        ``path``, written (about 25 bytes per vertex).
    """
    a = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    xy = np.column_stack([103.9 + 0.01 * np.cos(a), 21.33 + 0.01 * np.sin(a)])
    xy = np.vstack([xy, xy[:1]])  # a closed ring
    ring = ",".join(f"[{x:.7f},{y:.7f}]" for x, y in xy)
    path.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", '
        '"properties": {"ten_xa": "Chiềng Lề"}, "geometry": {"type": "Polygon", '
        f'"coordinates": [[{ring}]]}}}}]}}', encoding="utf-8")
    return path
