"""Printed legends and symbols take their colours, labels and shapes from the vocabulary."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from geo.vocab import FACILITY_KINDS, HOTSPOT_STATUSES, NO_DATA_COLOR
from layers.maps import classify_values
from layers.print import render_map
from layers.print.legend import facility_marker, legend_rows
from tests.layers.print.test_figure import _spec, _units


def test_facility_markers_are_the_vocabulary_shapes_and_colours() -> None:
    shapes = {"square": "s", "diamond": "D", "circle": "o", "triangle": "^"}
    for kind, term in FACILITY_KINDS.items():
        assert facility_marker(kind) == (shapes[term.shape], term.color)
    # print swapped these two before the vocabulary: counselling is a circle, a club a triangle
    assert facility_marker("counselling")[0] == "o" and facility_marker("club")[0] == "^"
    assert facility_marker("mobile clinic") == ("o", "#333333")  # free text still draws


def test_status_accents_and_labels_are_the_vocabulary_ones() -> None:
    spec = _spec()
    classes = classify_values(spec.units.value.to_numpy(), digits=0)
    _, sym = legend_rows(classes, spec, ["in_transformation", "transformed"], [], False)
    accents = {r.text: r.color for r in sym if r.kind == "accent"}
    assert accents == {HOTSPOT_STATUSES.short("in_transformation"): "#e6550d",
                       HOTSPOT_STATUSES.short("transformed"): "#2c7fb8"}
    _, sym = legend_rows(classes, spec, [], list(FACILITY_KINDS), False)
    markers = [r for r in sym if r.kind == "marker"]
    assert [r.text for r in markers] == [t.label("vi") for t in FACILITY_KINDS.values()]


def _fills(svg: str) -> set[str]:
    return {m.lower() for m in re.findall(r"""fill(?::\s*|=")(#[0-9a-fA-F]{6})""", svg)}


def test_printed_map_is_filled_with_the_screen_map_colours(tmp_path: Path) -> None:
    units = _units()
    spec = _spec(units, hotspots=None, facilities=None)
    svg = render_map(spec, tmp_path / "m.svg").read_text("utf-8")
    screen = classify_values(units.value.to_numpy(), "quantiles", 5, "vi", 0)
    assert set(screen.colors) <= _fills(svg)
    for lab, n in zip(screen.labels, screen.counts):
        assert f"{lab}  ({n})" in svg  # the legend's label and count, as on screen


def test_hotspot_accent_is_the_vocabulary_colour_in_print(tmp_path: Path) -> None:
    svg = render_map(_spec(), tmp_path / "m.svg").read_text("utf-8")
    assert HOTSPOT_STATUSES.color("in_transformation") in _fills(svg)
    assert "#d95f0e" not in _fills(svg)  # the old print-only colour


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_data_units_use_the_vocabulary_grey(tmp_path: Path, lang: str) -> None:
    units = _units([np.nan] * 11 + [3.0])
    svg = render_map(_spec(units, hotspots=None, facilities=None, lang=lang),
                     tmp_path / "m.svg").read_text("utf-8")
    assert NO_DATA_COLOR in _fills(svg)  # the hatched no-data fill
