import numpy as np
import pandas as pd
import pytest

from geo.aggregate import combine_periods, year_from_halves
from geo.errors import ValidationError


def _long(rows):
    return pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])


def test_flows_are_summed_and_stocks_taken_from_the_later_half():
    halves = {"drug_offenders_arrested": (3, 4), "narcotic_plants_destroyed": (200, 350),
              "registered_addicts": (50, 41), "residents": (9800, 9900),
              "on_key_drug_route": (1, 0)}
    v = _long([("04024", f"2026-H{h + 1}", ind, x[h]) for ind, x in halves.items()
               for h in (0, 1)])
    c = year_from_halves(v, 2026)
    got = c.values.set_index("indicator").value.to_dict()
    # Flows: what happened during the year = both halves.
    assert got["drug_offenders_arrested"] == 7 and got["narcotic_plants_destroyed"] == 550
    # Stocks: the figure on the year's last day = the second half's (not 91 addicts, not
    # 19,700 residents, not "on a route twice").
    assert got["registered_addicts"] == 41 and got["residents"] == 9900
    assert got["on_key_drug_route"] == 0
    assert set(c.values.period) == {"2026"} and c.values.built.all()
    parts = c.built.set_index("indicator").parts
    assert parts["drug_offenders_arrested"] == "2026-H1+2026-H2"
    assert parts["registered_addicts"] == "2026-H2"
    assert c.incomplete.empty


def test_a_reported_annual_figure_is_kept():
    v = _long([("a", "2026", "drug_offenders_arrested", 10),
               ("a", "2026-H1", "drug_offenders_arrested", 3),
               ("a", "2026-H2", "drug_offenders_arrested", 4)])
    c = year_from_halves(v, "2026")
    assert c.values.value.tolist() == [10] and not c.values.built.any()
    assert c.built.empty


def test_missing_parts_are_never_guessed():
    v = _long([("a", "2026-H1", "drug_offenders_arrested", 3),      # flow without H2
               ("a", "2026-H1", "registered_addicts", 50),         # stock without H2
               ("b", "2026-H2", "registered_addicts", 12),         # stock: H2 is enough
               ("b", "2026-H1", "drug_offenders_arrested", 1),
               ("b", "2026-H2", "drug_offenders_arrested", np.nan)])  # NaN is missing
    c = year_from_halves(v, 2026)
    assert c.values[["unit_code", "indicator", "value"]].values.tolist() == [
        ["b", "registered_addicts", 12.0]]
    inc = c.incomplete.set_index(["unit_code", "indicator"]).missing.to_dict()
    assert inc == {("a", "drug_offenders_arrested"): "2026-H2",
                   ("a", "registered_addicts"): "2026-H2",
                   ("b", "drug_offenders_arrested"): "2026-H2"}
    vi, en = c.notes("vi"), c.notes("en")
    assert "không ghép được" in vi[-1] and "drug_offenders_arrested" in vi[-1]
    assert "lấy số của 6 tháng cuối năm 2026" in vi[0] and "registered_addicts" in vi[0]
    assert "could not be built" in en[-1]


def test_quarters_into_a_half_year_and_a_year():
    v = _long([("a", f"2026-Q{q}", "drug_offenders_arrested", q) for q in (1, 2, 3, 4)]
              + [("a", f"2026-Q{q}", "residents", 1000 + q) for q in (1, 2, 3, 4)])
    h1 = combine_periods(v, "2026-H1", "Q").values.set_index("indicator").value
    assert h1.to_dict() == {"drug_offenders_arrested": 3, "residents": 1002}
    y = combine_periods(v, 2026, "Q").values.set_index("indicator").value
    assert y.to_dict() == {"drug_offenders_arrested": 10, "residents": 1004}


def test_bad_input_is_refused_with_a_message():
    v = _long([("a", "2026-H1", "drug_offenders_arrested", 3),
               ("a", "2026-H1", "drug_offenders_arrested", 4)])
    with pytest.raises(ValidationError, match="nhiều hơn một giá trị"):
        year_from_halves(v, 2026)
    with pytest.raises(ValidationError, match="số thời điểm hay số phát sinh"):
        year_from_halves(_long([("a", "2026-H1", "bogus", 1)]), 2026)
    with pytest.raises(ValidationError, match="không phải một năm"):
        year_from_halves(v, "2026-H1")
    with pytest.raises(ValidationError, match="thiếu cột"):
        year_from_halves(v.drop(columns="period"), 2026)
    # Kinds can be given explicitly (e.g. for a figure outside the catalog).
    c = year_from_halves(_long([("a", "2026-H1", "x", 1), ("a", "2026-H2", "x", 2)]), 2026,
                         kinds={"x": "stock"})
    assert c.values.value.tolist() == [2]
