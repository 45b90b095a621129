"""A commune's figures for QĐ 28 tests: 10,000 residents and nothing else."""

import pandas as pd

from geo.qd28 import classify, load_rules

#: 10,000 residents: 0.5% = 50 people, 0.1% = 10, 0.05% = 5. Every figure a criterion
#: reads is given (0), so a test changes only what it names.
CLEAN = dict(residents=10_000.0, registered_addicts=0.0, illegal_users=0.0,
             drug_harbouring_places=0.0, drug_offenders_arrested=0.0,
             narcotic_plants_destroyed=0.0, narcotic_plant_area_m2=0.0,
             on_key_drug_route=0.0, users_outside_treatment=0.0,
             resident_drug_law_violators=0.0, drug_fugitives_hiding=0.0)


def frame(*rows: dict, codes: list[str] | None = None) -> pd.DataFrame:
    """Communes with CLEAN figures changed by each row's keys."""
    codes = codes or [f"{i:05d}" for i in range(len(rows))]
    return pd.DataFrame([{**CLEAN, **r} for r in rows],
                        index=pd.Index(codes, name="unit_code"))


def one(rules=None, **kw) -> pd.Series:
    """The classification row of one commune."""
    return classify(frame(kw), rules or load_rules()).iloc[0]


def rules(**overrides):
    """QĐ 28 rules with flat overrides (``readings__x`` for ``readings.x``)."""
    return load_rules(overrides={k.replace("__", "."): v for k, v in overrides.items()})
