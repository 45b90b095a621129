"""geo.store's public face: a true __all__, every room's public name reachable."""

from __future__ import annotations

import importlib
import inspect

import pytest

import geo.store

ROOMS = ["schema", "session", "seed", "audit_log", "units", "batches", "values", "boundaries",
         "registers", "planning", "assessments"]


def test_all_is_true() -> None:
    assert len(set(geo.store.__all__)) == len(geo.store.__all__)
    for name in geo.store.__all__:
        assert hasattr(geo.store, name), name


@pytest.mark.parametrize("room", [r for r in ROOMS if r != "schema"])
def test_every_public_function_of_a_room_is_exported(room: str) -> None:
    mod = importlib.import_module(f"geo.store.{room}")
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isfunction(obj):
            assert name in geo.store.__all__, f"geo.store.{room}.{name}"
            assert getattr(geo.store, name) is obj


def test_names_other_code_imports_from_geo_store_are_still_there() -> None:
    for name in ["init_db", "audit", "province_units", "crosswalk", "set_split_weights",
                 "file_sha256", "new_batch", "find_active_batch", "list_batches", "undo_batch",
                 "write_values", "get_values", "available_periods", "save_boundaries",
                 "current_boundaries", "add_hotspot", "hotspot_table", "add_facility",
                 "facilities", "plans", "plan_targets", "lock_province", "lock_units"]:
        assert name in geo.store.__all__, name
