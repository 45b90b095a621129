"""One class scheme and one colour scheme: the screen map and the printed figure agree."""

from __future__ import annotations

import re

import mapclassify
import numpy as np
import pytest

from geo.errors import ValidationError
from geo.vocab import NO_DATA_COLOR, PALETTE, palette
from layers.classes import K_RANGE, classify, format_value
from layers.maps import classify_values
from layers.print import classify_figure

RNG = np.random.default_rng(12)
COUNTS = np.r_[RNG.poisson(14, 180).astype(float), [np.nan] * 7, [0.0, 205.0]]
RATES = np.r_[RNG.gamma(2.0, 9.0, 150), [np.nan] * 3]


@pytest.mark.parametrize("scheme", ["quantiles", "natural_breaks", "equal_interval"])
@pytest.mark.parametrize(("values", "digits"), [(COUNTS, 0), (RATES, 1)])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_screen_and_print_give_the_same_classes(values: np.ndarray, digits: int, scheme: str,
                                                k: int) -> None:
    screen = classify_values(values, scheme, k, "vi", digits)
    paper = classify_figure(values, scheme, k, None, "vi", digits)
    assert screen.bins == paper.bins
    assert screen.labels == paper.labels
    assert screen.colors == paper.colors
    assert screen.counts == paper.counts and screen.no_data == paper.no_data
    assert list(screen.colors_of(values)) == list(paper.colors_of(values))


@pytest.mark.parametrize(("scheme", "cls"), [("quantiles", mapclassify.Quantiles),
                                             ("natural_breaks", mapclassify.FisherJenks),
                                             ("equal_interval", mapclassify.EqualInterval)])
def test_breaks_are_mapclassify_breaks(scheme: str, cls: type) -> None:
    fin = RATES[np.isfinite(RATES)]
    c = classify(RATES, scheme, 5)
    assert c.bins == pytest.approx(sorted(set(float(b) for b in cls(fin, k=5).bins)))


def test_whole_numbers_name_first_and_last_value_of_each_class() -> None:
    c = classify(COUNTS, "quantiles", 5)
    assert c.integral and c.digits == 0
    edges = [[int(x.replace(".", "")) for x in re.findall(r"[\d.]+", lab)] for lab in c.labels]
    assert edges[0][0] == 0 and edges[-1][-1] == 205
    for prev, cur in zip(edges, edges[1:]):
        assert cur[0] == prev[-1] + 1  # "1 – 7", "8 – 12": no shared bound
    fin = COUNTS[np.isfinite(COUNTS)]
    for (lo, *rest), n in zip(edges, c.counts):  # each label says what its class holds
        hi = rest[-1] if rest else lo
        assert n == int(((fin >= lo) & (fin <= hi)).sum())


def test_rates_start_above_the_previous_bound() -> None:
    c = classify(RATES, "equal_interval", 4, digits=1)
    assert not c.integral
    assert not c.labels[0].startswith(">")
    for prev, cur in zip(c.labels, c.labels[1:]):
        assert cur.startswith("> ") and cur[2:].split(" – ")[0] == prev.split(" – ")[-1]
    fin = RATES[np.isfinite(RATES)]
    assert sum(c.counts) == fin.size
    # a value on a bound belongs to the class the bound closes
    on_bound = classify(np.r_[fin, c.bins[0]], "equal_interval", 4, digits=1)
    assert on_bound.bins == c.bins and on_bound.counts[0] == c.counts[0] + 1


def test_labels_use_vietnamese_number_formatting() -> None:
    c = classify([950.0, 1200.5, 2500.25, 4100.75], "equal_interval", 2, digits=1)
    assert c.labels == ["950,0 – 2.525,4", "> 2.525,4 – 4.100,8"]
    e = classify([950.0, 1200.5, 2500.25, 4100.75], "equal_interval", 2, digits=1, lang="en")
    assert e.labels == ["950.0 – 2,525.4", "> 2,525.4 – 4,100.8"]


def test_more_decimals_only_where_bounds_would_print_alike() -> None:
    c = classify([0.11, 0.12, 0.13, 0.5, 0.9], "equal_interval", 3, digits=1)
    assert len(set(c.labels)) == len(c.labels) and c.digits >= 1
    bounds = [c.labels[0].split(" – ")[0]] + [lab.split(" – ")[-1] for lab in c.labels]
    assert len(set(bounds)) == len(bounds)


def test_colours_come_from_the_vocabulary_and_are_distinct() -> None:
    for k in range(K_RANGE[0], K_RANGE[1] + 1):
        c = classify(np.arange(100.0), "quantiles", k)
        assert c.colors == palette(k) and len(set(c.colors)) == k
        assert set(c.colors) <= set(PALETTE)
    assert classify([1.0, np.nan], "quantiles", 3).colors_of([np.nan])[0] == NO_DATA_COLOR


def test_suppressed_class_is_the_lightest_colour_and_hides_its_values() -> None:
    v = np.array([1, 2, 4, 10, 20, 30, 40, 50, np.nan])
    c = classify(v, "quantiles", 4, suppress_below=5)
    assert c.suppressed == 3 and c.suppressed_color == PALETTE[0]
    assert PALETTE[0] not in c.colors and len(c.colors) == 4
    assert c.bins == classify(v[3:], "quantiles", 4).bins
    assert not any("4" == lab.split(" – ")[0] for lab in c.labels)
    assert format_value(4, 5) == "< 5" and format_value(5, 5) == "5"


@pytest.mark.parametrize(("kw", "word"), [
    (dict(scheme="jenks"), "Cách phân lớp 'jenks'"),
    (dict(k=0), "Số lớp phải từ 1 đến 7"),
    (dict(k=8), "Số lớp phải từ 1 đến 7"),
    (dict(suppress_below=0), "Ngưỡng ẩn số nhỏ"),
    (dict(k=7, suppress_below=5), "số lớp tối đa là 6"),
])
def test_impossible_classes_are_refused_in_vietnamese(kw: dict, word: str) -> None:
    args = dict(scheme="quantiles", k=5) | kw
    with pytest.raises(ValidationError) as err:
        classify(COUNTS, args.pop("scheme"), args.pop("k"), **args)
    assert word in err.value.message("vi")


def test_recount_keeps_breaks_and_counts_other_values() -> None:
    c = classify(COUNTS, "quantiles", 4)
    other = np.array([0.0, 1.0, 500.0, np.nan])
    r = c.recount(other)
    assert r.bins == c.bins and r.labels == c.labels and r.colors == c.colors
    assert sum(r.counts) == 3 and r.no_data == 1
    assert c.color_of(500.0) == c.colors[-1]  # above the last bound: the last class


def test_rates_from_small_counts_are_hidden_whatever_their_value() -> None:
    # Two communes with few people have the highest rates: hiding by the rate itself
    # (< 5 per 10,000) would show them and hide large communes with low rates.
    rates = np.array([120.0, 95.0, 3.0, 4.0, 30.0, 40.0, np.nan])
    small = np.array([True, True, False, False, False, False, False])
    c = classify(rates, "equal_interval", 2, suppress_below=5, hidden=small)
    assert c.suppressed == 2 and c.no_data == 1 and sum(c.counts) == 4
    assert c.bins[-1] == 40.0  # the hidden rates take no part in the breaks
    colours = c.colors_of(rates, small)
    assert list(colours[:2]) == [c.suppressed_color] * 2
    assert c.suppressed_color not in colours[2:6]
    assert c.recount(rates, small).suppressed == 2
    assert format_value(120.0, 5, "vi", 1, hidden=True) == "< 5"
    assert format_value(3.0, 5, "vi", 1, hidden=False) == "3,0"
    with pytest.raises(ValueError):
        classify(rates, "quantiles", 2, suppress_below=5, hidden=small[:3])
