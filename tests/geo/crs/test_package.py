"""geo.crs's public face: a true __all__ over its three rooms."""

from __future__ import annotations

import importlib
import inspect

import pytest

import geo.crs


def test_all_is_true() -> None:
    assert len(set(geo.crs.__all__)) == len(geo.crs.__all__)
    for name in geo.crs.__all__:
        assert hasattr(geo.crs, name), name


@pytest.mark.parametrize("room", ["zones", "transform", "guess"])
def test_every_public_name_of_a_room_is_exported(room: str) -> None:
    mod = importlib.import_module(f"geo.crs.{room}")
    for name in mod.__all__:
        assert name in geo.crs.__all__, f"geo.crs.{room}.{name}"
        assert getattr(geo.crs, name) is getattr(mod, name)


def test_zones_and_transform_do_not_depend_on_guessing() -> None:
    for room in ("zones", "transform"):
        src = inspect.getsource(importlib.import_module(f"geo.crs.{room}"))
        assert "geo.crs.guess" not in src
