from datetime import date

import pandas as pd
import pytest

from geo.errors import NotFoundError, ValidationError
from geo.store import (
    add_hotspot,
    get_values,
    hotspot_table,
    list_batches,
    new_batch,
    province_units,
    session_scope,
    undo_batch,
    write_values,
)


def _vals(codes, period, value, indicator="registered_addicts"):
    return pd.DataFrame({"unit_code": codes, "period": period, "indicator": indicator,
                         "value": value})


def test_init_is_idempotent(empty_url):
    from geo.store import init_db

    init_db(empty_url)  # second time: nothing duplicated
    with session_scope(empty_url) as s:
        u = province_units(s, "Sơn La", "legacy")
        assert len(u) == 200
        assert len(province_units(s, "14", "2025")) == 75


def test_values_supersede_and_undo_restores(empty_url):
    with session_scope(empty_url) as s:
        b1 = new_batch(s, "indicators", user="a")
        write_values(s, _vals(["04024", "04045"], "2023-H1", [10.0, 20.0]), b1, "legacy")
    with session_scope(empty_url) as s:
        b2 = new_batch(s, "indicators", user="b")
        write_values(s, _vals(["04024"], "2023-H1", [11.0]), b2, "legacy")
        b2_id = b2.id
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy", ["registered_addicts"]).set_index("unit_code")
        assert v.loc["04024", "value"] == 11.0 and v.loc["04045", "value"] == 20.0
        undo_batch(s, b2_id, user="b")
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy", ["registered_addicts"]).set_index("unit_code")
        assert v.loc["04024", "value"] == 10.0
        hist = list_batches(s)
        assert hist.set_index("id").loc[b2_id, "status"] == "undone"
        with pytest.raises(ValidationError):
            undo_batch(s, b2_id)
        with pytest.raises(NotFoundError):
            undo_batch(s, 9999)


def test_legacy_values_cross_the_reform_by_summing(empty_url):
    with session_scope(empty_url) as s:
        b = new_batch(s, "indicators")
        # Lóng Sập (new 04045) = Chiềng Khừa 04024 + Lóng Sập 04045
        write_values(s, _vals(["04024", "04045"], "2024-H2", [7.0, 5.0]), b, "legacy")
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "2025")
        row = v[(v.unit_code == "04045") & (v.period == "2024-H2")]
        assert row.value.item() == 12.0 and row.converted.item() == "crosswalk"
        # Vân Hồ (new) has 4 predecessors with no data: no value, not a partial sum.
        assert v[v.unit_code == "04048"].empty


def test_2025_values_are_shared_back_by_population(empty_url):
    with session_scope(empty_url) as s:
        b = new_batch(s, "indicators")
        write_values(s, _vals(["04024", "04045"], "2025-H1", [3000.0, 1000.0], "population"),
                     b, "legacy")
        write_values(s, _vals(["04045"], "2025-H2", [40.0]), b, "2025")
    with session_scope(empty_url) as s:
        v = get_values(s, "14", "legacy", ["registered_addicts"]).set_index("unit_code")
        assert v.loc["04024", "value"] == pytest.approx(30.0)
        assert v.loc["04045", "value"] == pytest.approx(10.0)
        assert set(v.converted) == {"estimated"}


def test_hotspot_events_must_be_in_order(empty_url):
    with session_scope(empty_url) as s:
        with pytest.raises(ValidationError):
            add_hotspot(s, "legacy", "04024", [
                dict(status="transformed", event_date=date(2023, 1, 1)),
                dict(status="designated", event_date=date(2021, 1, 1)),
            ])
        with pytest.raises(ValidationError):
            add_hotspot(s, "legacy", "04024", [dict(status="bogus", event_date=date(2023, 1, 1))])


def test_demo_contents(demo_url):
    with session_scope(demo_url) as s:
        from geo.store import available_periods, current_boundaries, facilities

        ps = available_periods(s)
        # The plan's ten half-years 2021–2025, then the QĐ 28 assessment year 2026
        # (reported as annual figures).
        assert ps[0] == "2021-H1" and [p for p in ps if "-H" in p][-1] == "2025-H2"
        assert len([p for p in ps if "-H" in p]) == 10
        assert ps[-1] == "2026" and len(ps) == 11
        b = current_boundaries(s, "14", "legacy")
        assert len(b) == 200 and set(b.source) == {"approximate"}
        assert len(current_boundaries(s, "14", "2025")) == 75
        h = hotspot_table(s, "14", on=date(2025, 6, 30))
        cur = h.drop_duplicates("hotspot_id").set_index("unit_code").current_status
        assert cur["04024"] == "transformed"
        assert cur["04058"] == "in_transformation"  # relapsed in 2024, then re-entered
        assert "relapsed" in set(h[h.unit_code == "04058"].status)
        f = facilities(s, "14")
        assert {"treatment_facility", "methadone", "counselling", "club"} <= set(f.kind)
        assert f.name.str.contains("Sông Mã").any()
        v = get_values(s, "14", "legacy", ["registered_addicts"])
        # Legacy periods recorded on legacy communes; 2025-H2 only through conversion.
        assert set(v[v.period == "2025-H2"].converted) == {"estimated"}
        assert set(v[v.period == "2023-H1"].converted) == {""}
