"""The embedded demo: Sơn La province, 2021-H1 … 2025-H2, on the real registry.

What is real: the registry (codes, names, centroids, areas, the 2025
crosswalk), the plan KH 75/KH-SLĐTBXH and its four hotspot communes
(Chiềng Khừa, Lóng Sập, Lóng Luông, Tân Xuân), the facilities it names.
What is synthetic and labelled so everywhere: commune polygons (approximate,
derived from the registry), every count (a seeded generator with spatial
clustering), status dates after the designation, facility locations and the
indicator targets borrowed from the other plans in ``shared/seeds``.

Periods up to 2025-H1 are recorded on legacy communes, 2025-H2 on the 2025
communes (as a data officer would after the reform).

The QĐ 28/2025 annual assessment (:func:`_qd28_demo`, all synthetic and labelled): the
figures the criteria need (residents, people using drugs outside treatment, resident
drug-law violators, drug fugitives hiding) for 2024-H1 … 2025-H2, and the assessment
year 2026 reported as annual figures; three key drug routes approved by (demo)
decisions; the lists of 2024 (legacy communes) and 2025 (2025 communes) approved by
decisions numbered ``DEMO-…`` and marked as demo; the 2026 list a draft with one class
set by hand. The 2026 figures are drawn so that every class appears and communes move
down, become drug-free, relapse, enter and leave the list (:data:`QD28_SCENARIO`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.crs import from_wgs84
from geo.errors import ValidationError
from geo.periods import plan_periods
from geo.registry import load_crosswalk, load_units
from geo.store import (
    add_facility,
    add_hotspot,
    audit,
    init_db,
    new_batch,
    record_batch_areas,
    save_boundaries,
    session_scope,
    set_split_weights,
    write_values,
)
from geo.store.schema import ImportBatch, Plan, PlanTarget

__all__ = ["DEMO_PROVINCE", "HOTSPOT_EVENTS", "build_demo", "demo_exists", "reset_batches",
           "synthetic_values"]

DEMO_PROVINCE = "14"  # Sơn La
DEMO_SEED = 20210714  # date of KH 75/KH-SLĐTBXH
DEMO_CRS = "EPSG:9206"  # VN-2000 TM-3 104°00′ (Sơn La)
DEMO_NOTE_VI = "Dữ liệu minh họa (tổng hợp), không phải số liệu thật"
DEMO_NOTE_EN = "Demo data (synthetic), not real figures"

_KH157 = "KH 157/KH-UBND"  # UBND tỉnh Sơn La, 30/6/2021: the four communes to transform
_KH75 = "KH 75/KH-SLĐTBXH"

#: Status histories of the plan's hotspot communes (legacy codes). Designation
#: and plan dates are the plans' own; later dates are illustrative.
HOTSPOT_EVENTS: dict[str, list[dict]] = {
    "04024": [  # Xã Chiềng Khừa (Mộc Châu)
        dict(status="designated", event_date=date(2021, 6, 30), decision_no=_KH157,
             decision_date=date(2021, 6, 30)),
        dict(status="in_transformation", event_date=date(2021, 7, 14), decision_no=_KH75,
             decision_date=date(2021, 7, 14)),
        dict(status="transformed", event_date=date(2023, 12, 15), note=DEMO_NOTE_VI),
    ],
    "04045": [  # Xã Lóng Sập (Mộc Châu)
        dict(status="designated", event_date=date(2021, 6, 30), decision_no=_KH157,
             decision_date=date(2021, 6, 30)),
        dict(status="in_transformation", event_date=date(2021, 7, 14), decision_no=_KH75,
             decision_date=date(2021, 7, 14)),
        dict(status="transformed", event_date=date(2024, 12, 20), note=DEMO_NOTE_VI),
    ],
    "04051": [  # Xã Lóng Luông (Vân Hồ)
        dict(status="designated", event_date=date(2021, 6, 30), decision_no=_KH157,
             decision_date=date(2021, 6, 30)),
        dict(status="in_transformation", event_date=date(2021, 7, 14), decision_no=_KH75,
             decision_date=date(2021, 7, 14)),
    ],
    "04058": [  # Xã Tân Xuân (Vân Hồ)
        dict(status="designated", event_date=date(2021, 6, 30), decision_no=_KH157,
             decision_date=date(2021, 6, 30)),
        dict(status="in_transformation", event_date=date(2021, 7, 14), decision_no=_KH75,
             decision_date=date(2021, 7, 14)),
        dict(status="transformed", event_date=date(2023, 6, 30), note=DEMO_NOTE_VI),
        dict(status="relapsed", event_date=date(2024, 9, 30), note=DEMO_NOTE_VI),
        dict(status="in_transformation", event_date=date(2024, 10, 15), note=DEMO_NOTE_VI),
    ],
}

#: After 1 July 2025 the communes still being transformed continue on their
#: successors (new code → legacy predecessor it inherits from).
INHERITED_2025 = {"04048": "04051", "04057": "04058"}

# Where the synthetic problem concentrates: (legacy code, strength, sigma km).
_CLUSTERS = [
    ("04024", 1.0, 14.0), ("04045", 0.9, 14.0), ("04051", 0.9, 13.0), ("04058", 0.8, 13.0),
]
# A cluster that grows over the plan (an "emerging" one): around Sông Mã town.
_EMERGING = ("Thị trấn Sông Mã", 1.0, 20.0)

# Indicator targets borrowed from the seed plans (labelled as such).
_TARGETS = [
    dict(key="hotspots_transformed", kind="hotspots_transformed_min", target=4, year=2025,
         label_vi="Chuyển hóa 04 địa bàn trọng điểm, phức tạp (Chiềng Khừa, Lóng Sập, "
                  "Lóng Luông, Tân Xuân)",
         label_en="Transform the 4 key complex communes (Chiềng Khừa, Lóng Sập, Lóng Luông, "
                  "Tân Xuân)",
         source="KH 75/KH-SLĐTBXH (Sơn La, 14/7/2021), mục II.1"),
    dict(key="counselled_ratio", kind="ratio_min", indicator_id="counselled",
         denominator_id="registered_addicts", target=0.8, year=2025,
         label_vi="Trên 80% người nghiện có hồ sơ quản lý được tư vấn, hỗ trợ, điều trị",
         label_en="Over 80% of registered addicts counselled, supported or treated",
         source="Mức tham chiếu từ KH 137/KH-UBND (Đồng Nai, 2023) — minh họa"),
    dict(key="cases_resolved_ratio", kind="ratio_min", indicator_id="drug_cases_resolved",
         denominator_id="drug_cases_detected", target=0.9, year=2025,
         label_vi="Trên 90% số vụ phạm tội về ma túy được điều tra, giải quyết",
         label_en="Over 90% of drug cases resolved",
         source="Mức tham chiếu từ KH 17/KH-UBND (Cầu Ngang, 2022) — minh họa"),
    dict(key="propaganda_coverage", kind="share_units_min", indicator_id="propaganda_sessions",
         target=1.0, year=2025,
         label_vi="100% xã, phường, thị trấn được tuyên truyền phòng, chống ma túy",
         label_en="Drug-prevention propaganda in 100% of communes",
         source="Mức tham chiếu từ Kế hoạch của UBND tỉnh Điện Biên (2018) — minh họa"),
    dict(key="use_points_eliminated_growth", kind="pct_change_min",
         indicator_id="drug_use_points_eliminated", target=0.05, year=2025,
         label_vi="Số tụ điểm, điểm phức tạp về ma túy bị triệt xóa tăng ít nhất 5% so với năm "
                  "trước",
         label_en="Drug-use points eliminated up at least 5% on the previous year",
         source="Mức tham chiếu từ KH 17/KH-UBND (Cầu Ngang, 2022) — minh họa"),
]


def _local_xy(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular km coordinates (good enough for a synthetic risk field)."""
    lat0 = np.deg2rad(21.0)
    return lon * 111.32 * np.cos(lat0), lat * 110.57


def synthetic_values(
    communes: pd.DataFrame, areas_km2: pd.Series, seed: int = DEMO_SEED
) -> pd.DataFrame:
    """Generate plausible, spatially clustered counts for legacy communes.

    Parameters
    ----------
    communes : pandas.DataFrame
        Legacy communes of the province (``code, name, unit_type, lat, lon``).
    areas_km2 : pandas.Series
        Area of each commune (index = code), from the approximate polygons.
    seed : int
        Seed of the generator: the same seed gives the same values.

    Returns
    -------
    pandas.DataFrame
        Long form ``unit_code, period, indicator, value`` for 2021-H1 … 2025-H2.
    """
    rng = np.random.default_rng(seed)
    c = communes.set_index("code")
    codes = c.index.to_numpy()
    n = len(codes)
    x, y = _local_xy(c.lat.to_numpy(), c.lon.to_numpy())
    area = areas_km2.reindex(codes).fillna(areas_km2.median()).to_numpy()
    # Population: by unit type with lognormal spread (Sơn La communes hold roughly
    # 2,000–15,000 people), independent of the approximate polygon's area;
    # province ≈ 1.27 M (2021).
    base = np.select([c.unit_type.eq("phường"), c.unit_type.eq("thị trấn")], [9000.0, 7000.0],
                     6000.0)
    pop0 = np.clip(base * rng.lognormal(0, 0.4, n), 1500, None)
    pop0 *= 1_270_000 / pop0.sum()
    _ = area

    def bump(code_or_name: str, sigma: float) -> np.ndarray:
        row = c.loc[code_or_name] if code_or_name in c.index else c[c.name == code_or_name].iloc[0]
        bx, by = _local_xy(np.array([row.lat]), np.array([row.lon]))
        d2 = (x - bx) ** 2 + (y - by) ** 2
        return np.exp(-d2 / (2 * sigma**2))

    hot = sum(s * bump(code, sig) for code, s, sig in _CLUSTERS)
    emerging = _EMERGING[1] * bump(_EMERGING[0], _EMERGING[2])
    noise = rng.lognormal(0, 0.2, n)
    periods = plan_periods(2021, 2025)
    rows: list[pd.DataFrame] = []
    for t, p in enumerate(periods):
        frac = t / (len(periods) - 1)
        # Designated cluster declines as transformation works; Tân Xuân relapses
        # in 2024-H2; the emerging cluster grows over the plan.
        decline = 1.0 - 0.55 * frac
        relapse = 1.0 + (0.8 if p.id in ("2024-H2", "2025-H1", "2025-H2") else 0.0) * bump(
            "04058", 5.0
        )
        rate = (14.0 + 95.0 * hot * decline * relapse + 90.0 * emerging * frac**1.5) * noise
        pop = pop0 * (1.012 ** (p.year - 2021))
        addicts = rng.poisson(pop * rate / 10_000)
        users = rng.poisson(0.35 * addicts + 0.2)
        counselled_p = 0.62 + 0.22 * frac
        treat = {
            "voluntary_treatment": rng.binomial(addicts, 0.07),
            "community_treatment": rng.binomial(addicts, 0.14),
            "compulsory_treatment": rng.binomial(addicts, 0.06),
            "methadone_patients": rng.binomial(addicts, 0.25),
            "counselled": rng.binomial(addicts, counselled_p),
        }
        post = rng.binomial(addicts, 0.18)
        detected = rng.poisson(0.07 * addicts + 0.15)
        existing = rng.poisson(0.012 * addicts + 0.05)
        plants = np.where(
            rng.random(n) < 0.04 + 0.1 * (hot > 0.3), rng.gamma(1.5, 900, n), 0
        ).round()
        vals = {
            "population": pop.round(),
            "registered_addicts": addicts,
            "illegal_users": users,
            **treat,
            "post_treatment_managed": rng.binomial(post, 0.93),
            "relapse": rng.binomial(post, 0.22),
            "drug_cases_detected": detected,
            "drug_cases_resolved": rng.binomial(detected, 0.91),
            "drug_offenders_arrested": rng.poisson(1.25 * detected),
            "drug_use_points_existing": existing,
            "drug_use_points_eliminated": rng.binomial(existing + rng.poisson(0.3, n), 0.55),
            "drug_harbouring_places": rng.poisson(0.006 * addicts),
            "narcotic_plants_destroyed": plants,
            "narcotic_plant_area_m2": (plants / rng.uniform(3, 6, n)).round(),
            "propaganda_sessions": rng.poisson(np.where(rng.random(n) < 0.06, 0.0, 4.0)),
            "model_sites": (rng.random(n) < 0.03 + 0.04 * frac).astype(int),
        }
        for ind, v in vals.items():
            rows.append(pd.DataFrame({"unit_code": codes, "period": p.id, "indicator": ind,
                                      "value": np.asarray(v, dtype=float)}))
    return pd.concat(rows, ignore_index=True)


def build_demo(
    url: str | None = None,
    progress: Callable[[float, str], None] | None = None,
    user: str = "demo",
    lang: str = "vi",
    reset: Sequence[int] | None = None,
) -> dict:
    """Create the demo province in the database at ``url`` (or rebuild it with ``reset``).

    Parameters
    ----------
    url : str, optional
        Database URL.
    progress : callable, optional
        ``progress(fraction, message)``, messages in ``lang``.
    user : str
        Who builds it (recorded on the batch and in the audit log).
    lang : {"vi", "en"}
        Language of the progress messages.
    reset : sequence of int, optional
        Rebuild: these active import batches (the demo's own load and any later
        import into the demo province, see :func:`reset_batches`) are undone in the
        same transaction that writes the new demo load. ``None``: build only when the
        demo was never loaded.

    Returns
    -------
    dict
        Counts of what was stored (``created`` is ``False`` when the demo is there
        and ``reset`` was not asked), and ``undone``: the batches a reset undid.

    Raises
    ------
    ValidationError
        The demo was loaded and then undone (``reset`` rebuilds it), or a batch to
        undo for a reset is no longer active.
    """
    from geo.approx import approximate_coverage
    from geo.i18n import tr

    def step(f: float, vi: str, en: str) -> None:
        if progress:
            progress(f, tr(vi, en, lang))

    step(0.0, "Khởi tạo cơ sở dữ liệu", "Setting up the database")
    init_db(url, progress=lambda f, m: step(0.05 + 0.15 * f, "Khởi tạo cơ sở dữ liệu",
                                            "Setting up the database"))
    with session_scope(url) as s:
        loaded = s.scalar(select(Plan.id).where(Plan.number == _KH75,
                                                Plan.province_code == DEMO_PROVINCE))
        active = _active_demo_batch(s)
        if reset is None and active is not None:
            step(1.0, "Dữ liệu minh họa đã có sẵn", "The demo is already loaded")
            return {"created": False}
        if reset is None and loaded is not None:
            raise ValidationError(
                "Dữ liệu minh họa đã được nạp rồi bị hoàn tác, nên tỉnh minh họa đang trống. "
                "Dựng lại: diaban demo --reset (lệnh sẽ nói rõ những gì được thay và hỏi "
                "trước khi làm).",
                "The demo was loaded and then undone, so the demo province is empty. "
                "Rebuild it: diaban demo --reset (it says what it replaces and asks first).")
    step(0.25, "Dựng ranh giới xã gần đúng từ danh mục",
         "Approximate commune boundaries from the registry")
    approx = approximate_coverage(DEMO_PROVINCE, crs=DEMO_CRS)
    legacy = load_units("legacy", "commune")
    legacy = legacy[legacy.province_code == DEMO_PROVINCE]
    areas = from_wgs84(approx.legacy.set_index("code"), DEMO_CRS).area / 1e6
    step(0.55, "Sinh số liệu minh họa", "Generating the demo figures")
    values = synthetic_values(legacy, areas)
    cw = load_crosswalk()
    if len(approx.split_weights):
        cw = cw.merge(approx.split_weights, on=["old_code", "new_code"], how="left",
                      suffixes=("", "_area"))
        cw["weight"] = cw.weight_area.fillna(cw.weight)
    old_vals = values[values.period != "2025-H2"]
    new_vals = values[values.period == "2025-H2"]
    from geo.indicators import convert_values

    new_vals = convert_values(new_vals, cw[cw.old_code.isin(legacy.code)])
    step(0.7, "Ghi vào cơ sở dữ liệu", "Writing to the database")
    with session_scope(url) as s:
        undone = _undo_for_reset(s, reset, user) if reset is not None else []
        b = new_batch(s, "demo", user=user, province_code=DEMO_PROVINCE,
                      file_name="(demo)", note=DEMO_NOTE_VI)
        save_boundaries(s, approx.legacy, "legacy", "approximate", b, source_crs="EPSG:4326")
        save_boundaries(s, approx.current, "2025", "approximate", b, source_crs="EPSG:4326")
        if len(approx.split_weights):
            set_split_weights(s, approx.split_weights, "split_area_approx", user)
        write_values(s, old_vals, b, "legacy", is_demo=True)
        write_values(s, new_vals, b, "2025", is_demo=True)
        plan = s.scalars(select(Plan).where(Plan.number == _KH75,
                                            Plan.province_code == DEMO_PROVINCE)).first()
        if plan is None:
            plan = _demo_plan(s)
        for code, events in HOTSPOT_EVENTS.items():
            add_hotspot(s, "legacy", code, events, plan_id=plan.id, batch=b, user=user)
        new_names = load_units("2025", "commune").set_index("code").name
        old_names = legacy.set_index("code").name
        for new_code, old_code in INHERITED_2025.items():
            note = (f"Kế thừa địa bàn {old_names[old_code]} (cũ) sau sắp xếp ĐVHC 01/7/2025 — "
                    f"{DEMO_NOTE_VI}")
            add_hotspot(
                s, "2025", new_code,
                [dict(status="designated", event_date=date(2025, 7, 1), note=note),
                 dict(status="in_transformation", event_date=date(2025, 7, 1), note=note)],
                plan_id=plan.id, batch=b, user=user,
                note=f"{new_names[new_code]} ← {old_names[old_code]}",
            )
        n_fac = _demo_facilities(s, legacy, b, user)
        step(0.8, "Số liệu và danh sách phân loại QĐ 28/2025",
             "QĐ 28/2025 figures and classification lists")
        n_qd28 = _qd28_demo(s, b, user, legacy, values, cw)
        record_batch_areas(s, b.id)
        audit(s, user, "create", "demo", DEMO_PROVINCE, batch_id=b.id,
              **({"reset": undone} if reset is not None else {}))
    step(1.0, "Xong", "Done")
    return {
        "created": True,
        "legacy_polygons": len(approx.legacy),
        "polygons_2025": len(approx.current),
        "values": len(old_vals) + len(new_vals) + n_qd28,
        "hotspots": len(HOTSPOT_EVENTS) + len(INHERITED_2025),
        "facilities": n_fac,
        "undone": undone,
    }


def _demo_plan(s: Session) -> Plan:
    """The plan KH 75 and its targets (kept across resets: plans are not import data)."""
    plan = Plan(
        province_code=DEMO_PROVINCE, number=_KH75,
        title_vi="Kế hoạch triển khai công tác chuyển hóa địa bàn trọng điểm, phức tạp về "
                 "an ninh trật tự, an toàn xã hội giai đoạn 2021 - 2025",
        title_en="Plan to transform key complex public-order areas, 2021–2025",
        issued_on=date(2021, 7, 14), start_year=2021, end_year=2025,
        source="Sở LĐTBXH tỉnh Sơn La; thực hiện KH 157/KH-UBND ngày 30/6/2021",
    )
    s.add(plan)
    s.flush()
    for t in _TARGETS:
        s.add(PlanTarget(plan_id=plan.id, **t))
    return plan


def _active_demo_batch(s: Session) -> ImportBatch | None:
    """The demo's load still in use, if any."""
    return s.scalars(select(ImportBatch).where(
        ImportBatch.kind == "demo", ImportBatch.province_code == DEMO_PROVINCE,
        ImportBatch.status == "active")).first()


def reset_batches(s: Session) -> list[ImportBatch]:
    """What a reset of the demo undoes: every active batch of the demo province, oldest
    first (the demo's own load and any import made into the province since).

    A reset writes a new demo load; an import left active on top of it would be
    superseded by the new demo figures without anyone asking, so a reset names these
    batches, asks, and undoes them with the rebuild.
    """
    return list(s.scalars(select(ImportBatch).where(
        ImportBatch.province_code == DEMO_PROVINCE, ImportBatch.status == "active")
        .order_by(ImportBatch.id)))


def _undo_for_reset(s: Session, batches: Sequence[int], user: str) -> list[int]:
    """Undo the batches a person confirmed for a reset; refuse when that list is stale."""
    from geo.store import undo_batch

    now = [b.id for b in reset_batches(s)]
    if sorted(int(b) for b in batches) != now:
        raise ValidationError(
            "Dữ liệu của tỉnh minh họa đã thay đổi từ khi bạn xác nhận (lần nhập đang dùng: "
            f"{', '.join(map(str, now)) or 'không có'}); chưa thay đổi gì. Hãy xem lại rồi "
            "xác nhận lần nữa.",
            "The demo province's data changed since you confirmed (batches in use: "
            f"{', '.join(map(str, now)) or 'none'}); nothing was changed. Look again and "
            "confirm once more.")
    for b in reversed(now):  # newest first: a QĐ 28 list's changes undo latest first
        undo_batch(s, b, user=user)
    return now


def _demo_facilities(s, legacy: pd.DataFrame, batch, user: str) -> int:  # noqa: ANN001
    """The facilities KH 75 names, at plausible places (commune centroids, nudged)."""
    by_name = legacy.set_index("name")
    by_code = legacy.set_index("code")

    def at(name: str) -> tuple[float, float]:
        r = by_name.loc[name]
        if isinstance(r, pd.DataFrame):
            r = r.iloc[0]
        return float(r.lat), float(r.lon)

    specs: list[dict] = []
    lat, lon = at("Phường Chiềng Sinh")
    specs.append(dict(kind="treatment_facility", name="Cơ sở Điều trị nghiện ma túy tỉnh Sơn La",
                      capacity=500, operator="Công an tỉnh Sơn La (từ 01/3/2025; trước đó "
                      "Sở LĐTBXH)", opened_on=date(2006, 1, 1), lat=lat, lon=lon))
    lat, lon = at("Thị trấn Sông Mã")
    specs.append(dict(kind="treatment_facility",
                      name="Cơ sở Điều trị nghiện ma túy huyện Sông Mã", capacity=200,
                      operator="Công an tỉnh Sơn La", opened_on=date(2012, 1, 1),
                      lat=lat + 0.012, lon=lon + 0.01))
    for name in ["Phường Chiềng Lề", "Phường Mộc Lỵ", "Thị trấn Sông Mã", "Thị trấn Hát Lót",
                 "Thị trấn Thuận Châu", "Thị trấn Yên Châu"]:
        if name in by_name.index:
            lat, lon = at(name)
            specs.append(dict(kind="methadone", name=f"Cơ sở điều trị Methadone {name}",
                              capacity=150, operator="Sở Y tế tỉnh Sơn La",
                              opened_on=date(2016, 6, 1), lat=lat - 0.006, lon=lon - 0.006))
    for code in HOTSPOT_EVENTS:
        r = by_code.loc[code]
        specs.append(dict(kind="counselling",
                          name=f"Điểm tư vấn, hỗ trợ cai nghiện ma túy {r['name']}",
                          capacity=None, operator=f"UBND {r['name']}",
                          opened_on=date(2022, 1, 1), lat=float(r.lat), lon=float(r.lon)))
    for code in ("04045", "04058"):
        r = by_code.loc[code]
        specs.append(dict(kind="club", name=f"Câu lạc bộ người sau cai {r['name']}",
                          capacity=30, operator="Hội LHPN / Đoàn Thanh niên",
                          opened_on=date(2022, 6, 1), lat=float(r.lat) + 0.008,
                          lon=float(r.lon) + 0.008))
    for spec in specs:
        add_facility(s, batch=batch, user=user, province_code=DEMO_PROVINCE, is_demo=True,
                     **spec)
    return len(specs)


# ----------------------------------------------------------------- QĐ 28/2025 assessment

#: Key drug routes of the demo (legacy communes; the decisions are labelled as demo).
QD28_ROUTES = [
    dict(name="Quốc lộ 6: Hòa Bình – Mộc Châu – Sơn La – Điện Biên", scope="inter",
         decision_no="DEMO-0412/QĐ-BCA (minh họa)", decision_date=date(2023, 3, 20),
         communes=["04048", "04054", "03980", "04027", "04075", "04105", "04135", "03649",
                   "03667", "03721"]),
    dict(name="Quốc lộ 43: Mộc Châu – cửa khẩu Lóng Sập", scope="intra",
         decision_no="DEMO-1187/QĐ-UBND (minh họa)", decision_date=date(2023, 6, 5),
         communes=["04024", "04045", "04000"]),
    dict(name="Quốc lộ 4G: Sông Mã – Sốp Cộp (biên giới)", scope="intra",
         decision_no="DEMO-2210/QĐ-UBND (minh họa)", decision_date=date(2024, 6, 1),
         communes=["04168", "04198", "04231", "04243"]),
]
#: The People's Committee's (demo) decisions approving the lists.
QD28_APPROVALS = {2024: ("DEMO-3105/QĐ-UBND (minh họa)", date(2024, 12, 18)),
                  2025: ("DEMO-2987/QĐ-UBND (minh họa)", date(2025, 12, 17))}
#: What the demo's 2026 figures do to some 2025 communes, when their 2025 class allows
#: (code: (class in 2025, class drawn for 2026)). Other changes are picked at build time
#: among the other communes: two type III communes become drug-free, one leaves the
#: list (no user left, a fugitive hiding: "none"), one lacks its drug-free figures
#: ("chưa đủ số liệu"), one drug-free commune relapses onto the list, one type II
#: commune moves down; Vân Hồ stays type I only because it lies on Quốc lộ 6 (4.1.đ).
QD28_SCENARIO = {
    "04045": ("type_1", "type_2"),   # Lóng Sập (Chiềng Khừa + Lóng Sập): moves down
    "04057": ("type_1", "type_2"),   # Xuân Nha (Tân Xuân + Xuân Nha): moves down
    "04018": ("type_2", "type_1"),   # Tô Múa: relapses, moves up
    "04048": ("type_1", "type_1"),   # Vân Hồ: type I through the route criterion
}
_QD28_NOTE = "Số liệu QĐ 28 minh họa (tổng hợp), không phải số liệu thật"
_QD28_EXTRA = ["residents", "users_outside_treatment", "resident_drug_law_violators",
               "drug_fugitives_hiding"]
_QD28_HALVES = ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]


def _qd28_extra(values: pd.DataFrame, free: set[str], rng: np.random.Generator
                ) -> pd.DataFrame:
    """The QĐ 28 figures the generator lacks, for the legacy communes of 2024–2025.

    Residents are 92–99 % of the population (people away for work); about 30–55 % of
    registered users are outside treatment; resident drug-law violators follow the
    arrests. Communes in ``free`` have none outside treatment, no violator and no
    fugitive (they are drug-free when they also have no harbouring place).
    """
    v = values[values.period.isin(_QD28_HALVES)]
    w = v.pivot_table(index=["unit_code", "period"], columns="indicator", values="value")
    codes = sorted(w.index.get_level_values(0).unique())
    share = pd.Series(rng.uniform(0.92, 0.99, len(codes)), index=codes)
    outside = pd.Series(rng.uniform(0.30, 0.55, len(codes)), index=codes)
    rows = []
    for (code, period), r in w.iterrows():
        users = r.registered_addicts + r.illegal_users
        is_free = code in free
        out = 0.0 if is_free else float(max(1, round(users * outside[code])) if users else 0)
        viol = 0.0 if is_free else float(rng.poisson(0.8 * r.drug_offenders_arrested + 0.2))
        fug = 0.0 if is_free else float(rng.poisson(0.03))
        for ind, val in (("residents", round(r.population * share[code])),
                         ("users_outside_treatment", out),
                         ("resident_drug_law_violators", viol),
                         ("drug_fugitives_hiding", fug)):
            rows.append((code, period, ind, float(val)))
    return pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])


def _draw(klass: str, residents: float, rng: np.random.Generator, route_only: bool = False
          ) -> dict[str, float]:
    """Figures of one commune for one year that put it in ``klass`` (QĐ 28/2025 bands).

    Counts are drawn inside the bands of the class and kept there after rounding:
    type I 0.55–0.9 % users and 0.11–0.2 % arrests with 2–3 harbouring places; type II
    0.15–0.45 %, 0.055–0.09 % and one place; type III under 0.1 % and 0.05 %; drug-free
    users all in treatment, nobody outside it, no violator, fugitive or place; ``none``
    no user, arrest or place but a fugitive hiding (not drug-free, not a key area).
    ``route_only``: type I only through criterion đ (2 criteria of type I's band and
    the commune on a key route).
    """
    R = float(residents)

    def count(lo: float, hi: float, floor_ratio: float | None = None,
              cap_ratio: float | None = None) -> float:
        n = round(rng.uniform(lo, hi) * R)
        if floor_ratio is not None:
            n = max(n, int(np.ceil(floor_ratio * R)))
        if cap_ratio is not None:
            n = min(n, int(np.floor(cap_ratio * R - 1e-9)))
        return float(max(n, 0))

    f = {"residents": R, "population": round(R / 0.96), "narcotic_plants_destroyed": 0.0,
         "narcotic_plant_area_m2": 0.0, "drug_fugitives_hiding": 0.0}
    if klass == "type_1":
        users = count(0.0055, 0.009, floor_ratio=0.005)
        arrests = count(0.0011, 0.002, floor_ratio=0.001)
        places = 0.0 if route_only else float(rng.integers(2, 4))
    elif klass == "type_2":
        users = count(0.0015, 0.0045, floor_ratio=0.001, cap_ratio=0.005)
        arrests = count(0.00055, 0.0009, floor_ratio=0.0005, cap_ratio=0.001)
        places = 1.0
    elif klass in ("type_3", "undetermined"):
        users = max(1.0, count(0.0002, 0.0009, cap_ratio=0.001))
        arrests = count(0.0, 0.0004, cap_ratio=0.0005)
        places = 0.0
    elif klass == "drug_free":
        users = max(1.0, count(0.0001, 0.0006, cap_ratio=0.001))
        arrests, places = 0.0, 0.0
    else:  # none
        users, arrests, places = 0.0, 0.0, 0.0
    reg = float(round(users * 0.75))
    f.update(registered_addicts=reg, illegal_users=users - reg,
             drug_harbouring_places=places, drug_offenders_arrested=arrests)
    if klass in ("drug_free", "none"):
        f.update(users_outside_treatment=0.0, resident_drug_law_violators=0.0)
        if klass == "none":
            f["drug_fugitives_hiding"] = 1.0
    elif klass == "undetermined":
        for k in ("users_outside_treatment", "resident_drug_law_violators",
                  "drug_fugitives_hiding"):
            f.pop(k, None)
    else:
        f.update(users_outside_treatment=float(max(1, round(users * rng.uniform(0.3, 0.55)))),
                 resident_drug_law_violators=float(rng.poisson(0.8 * arrests) + 1),
                 drug_fugitives_hiding=float(rng.poisson(0.05)))
    return f


def _qd28_demo(s, batch, user: str, legacy: pd.DataFrame, values: pd.DataFrame,  # noqa: ANN001
               cw: pd.DataFrame) -> int:
    """Store the demo's QĐ 28/2025 figures, routes, settings and lists; return the figures."""
    from geo.assessment import evaluate_year, store_approval, store_draft
    from geo.indicators import convert_values
    from geo.registry import find_province
    from geo.store import add_route, save_settings

    rng = np.random.default_rng(DEMO_SEED + 28)
    cw = cw[cw.old_code.isin(legacy.code)]
    new = load_units("2025", "commune")
    new = new[new.province_code == DEMO_PROVINCE]
    preds = cw.groupby("new_code").old_code.apply(list).to_dict()
    designated = set(HOTSPOT_EVENTS) | set(INHERITED_2025)

    # Drug-free communes: the 2025 communes with the lowest rate of registered users,
    # no harbouring place in 2025 and no designated predecessor; in 2024 their
    # predecessors (but one, so one commune becomes drug-free across the reform) and a
    # few other quiet communes.
    h = values[values.period.isin(["2025-H1", "2025-H2"])].pivot_table(
        index="unit_code", columns="indicator", values="value", aggfunc="sum")
    last = values[values.period == "2025-H2"].pivot_table(index="unit_code",
                                                         columns="indicator", values="value")
    rate = (last.registered_addicts + last.illegal_users) / last.population
    cand = []
    for n, olds in preds.items():
        if n in designated or set(olds) & designated or n in QD28_SCENARIO:
            continue
        if h.drug_harbouring_places.reindex(olds).fillna(1).sum() > 0:
            continue
        w = last.population.reindex(olds)
        cand.append((float((rate.reindex(olds) * w).sum() / w.sum()), n))
    free_2025 = [n for _, n in sorted(cand)[:8]]
    across = next(n for n in free_2025 if len(preds[n]) > 1)
    free_2024 = {o for n in free_2025 for o in preds[n]} - {preds[across][0]}
    quiet = rate.drop(index=[o for n in free_2025 for o in preds[n]], errors="ignore")
    h24 = values[values.period.isin(["2024-H1", "2024-H2"])].pivot_table(
        index="unit_code", columns="indicator", values="value", aggfunc="sum")
    quiet = quiet[(h24.drug_harbouring_places.reindex(quiet.index) == 0)
                  & ~quiet.index.isin(list(designated))]
    free_2024 |= set(quiet.sort_values().index[:4])
    free_halves = {"2024-H1": free_2024, "2024-H2": free_2024,
                   "2025-H1": {o for n in free_2025 for o in preds[n]},
                   "2025-H2": {o for n in free_2025 for o in preds[n]}}
    extra = pd.concat([_qd28_extra(values[values.period == p], free_halves[p], rng)
                       for p in _QD28_HALVES], ignore_index=True)
    old_extra = extra[extra.period != "2025-H2"]
    new_extra = convert_values(extra[extra.period == "2025-H2"], cw)
    write_values(s, old_extra, batch, "legacy", is_demo=True)
    write_values(s, new_extra, batch, "2025", is_demo=True)

    prov = find_province(DEMO_PROVINCE, "2025")
    for r in QD28_ROUTES:
        add_route(s, prov.code, prov.edition, name=r["name"], scope=r["scope"],
                  decision_no=r["decision_no"], decision_date=r["decision_date"],
                  valid_from=r["decision_date"], valid_to=None,
                  communes=[("legacy", c) for c in r["communes"]], note=DEMO_NOTE_VI,
                  user=user, batch=batch, is_demo=True)
    save_settings(s, prov.code, prov.edition, target_share=0.5, target_year=2030,
                  target_source="Mục tiêu minh họa (demo): ít nhất 50% xã, phường không ma túy "
                                "vào năm 2030", user=user)

    # 2024 and 2025: approved (2025 with one class set by hand first).
    v24 = evaluate_year(s, prov, 2024)
    store_approval(s, v24, *QD28_APPROVALS[2024], user=user, note=DEMO_NOTE_VI, is_demo=True)
    v25 = evaluate_year(s, prov, 2025)
    t2 = [c for c in v25.table.index[v25.table.final_class == "type_2"]
          if c not in designated and c not in QD28_SCENARIO]
    manual25 = t2[-1]
    store_draft(s, v25, {manual25: ("type_3", "Kết quả tự rà soát của UBND xã: điểm chứa chấp "
                                              "duy nhất đã bị triệt xóa tháng 11/2025 "
                                              "(minh họa)")}, user, is_demo=True)
    v25 = evaluate_year(s, prov, 2025)
    store_approval(s, v25, *QD28_APPROVALS[2025], user=user, note=DEMO_NOTE_VI, is_demo=True)

    # 2026: annual figures drawn from each commune's 2025 class and the scenario.
    cls25 = v25.table.final_class
    target = cls25.to_dict()
    for code, (was, will) in QD28_SCENARIO.items():
        if target.get(code) == was:
            target[code] = will
    done = set(QD28_SCENARIO) | designated

    def pool(k: str) -> list[str]:
        return [c for c in cls25.index if cls25[c] == k and c not in done]

    picks = [("type_3", "drug_free"), ("type_3", "drug_free"), ("type_3", "none"),
             ("type_3", "undetermined"), ("drug_free", "type_3"), ("type_2", "type_3")]
    if target.get("04018") != "type_1":  # no relapse from the scenario: pick one
        picks.append(("type_2", "type_1"))
    for was, will in picks:
        got = pool(was)
        if got:
            target[got[0]] = will
            done.add(got[0])
    rows = []
    for code, k in sorted(target.items()):
        r_old = last.population.reindex(preds.get(code, [])).sum()
        residents = round(float(r_old) * 0.955 * 1.01) or 5000.0
        route_only = code == "04048" and cls25.get(code) == "type_1" and k == "type_1"
        for ind, val in _draw(k, residents, rng, route_only).items():
            rows.append((code, "2026", ind, float(val)))
    y26 = pd.DataFrame(rows, columns=["unit_code", "period", "indicator", "value"])
    write_values(s, y26, batch, "2025", is_demo=True)

    # 2026: a draft with one class set by hand.
    v26 = evaluate_year(s, prov, 2026)
    t2_26 = [c for c in v26.table.index[v26.table.computed_class == "type_2"] if c not in done]
    if t2_26:
        store_draft(s, v26, {t2_26[-1]: ("type_3", "Công an xã đề nghị: điểm chứa chấp đã bị "
                                                   "triệt xóa, chờ UBND tỉnh xem xét "
                                                   "(minh họa)")}, user, is_demo=True)
    return len(old_extra) + len(new_extra) + len(y26)


def demo_exists(url: str | None = None) -> bool:
    """Whether the demo province is loaded and in use in this database (its load not undone)."""
    try:
        with session_scope(url) as s:
            return _active_demo_batch(s) is not None
    except Exception:  # noqa: BLE001 - no database / not migrated yet
        return False
