"""Printed maps reproject through geo.crs's pinned transformations, never a plain to_crs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.crs import transformer
from layers.basemap import vietnam_layers
from layers.print import render_map, render_small_multiples
from layers.print.geometry import lonlat, project
from tests.layers.print.test_figure import _spec, _units


@pytest.fixture()
def no_plain_to_crs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("plain to_crs used: reprojection must go through geo.crs")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_crs", refuse)
    monkeypatch.setattr(gpd.GeoSeries, "to_crs", refuse)


def test_projection_is_the_pinned_transformation() -> None:
    units = _units()
    out = project(units, "EPSG:9206")
    x, y = shapely.get_coordinates(units.geometry.values).T
    ex, ey = transformer("EPSG:4326", "EPSG:9206").transform(x, y)
    assert np.allclose(shapely.get_coordinates(out.geometry.values), np.c_[ex, ey])
    back = lonlat(out)
    assert np.allclose(shapely.get_coordinates(back.geometry.values),
                       shapely.get_coordinates(units.geometry.values), atol=1e-9)


def test_figures_never_use_a_plain_to_crs(tmp_path: Path, no_plain_to_crs: None) -> None:
    render_map(_spec(), tmp_path / "m.png")
    periods = {p: _units() for p in ("2024-H1", "2024-H2")}
    render_small_multiples(periods, _spec(dpi=50), tmp_path / "sm.png")
    layers = vietnam_layers("EPSG:3405")
    assert {"hoang_sa", "truong_sa"} <= set(layers.key)


def test_units_in_a_projected_crs_are_read_back_to_lonlat(tmp_path: Path) -> None:
    units = project(_units(), "EPSG:9206")
    hot = units.iloc[:2][["code", "name", "geometry"]].assign(status="designated")
    out = render_map(_spec(units, hotspots=hot, facilities=None), tmp_path / "m.svg")
    assert "Chiềng Khừa" in out.read_text("utf-8")
