"""Every malformed input gives a clear message naming the file and leaves the DB unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import ValidationError
from tests.conftest import copy_database, db_fingerprint
from tests.malformed.make_corpus import make_corpus


def _run(kind: str, path: Path, url: str) -> None:
    from geo.auth import Principal
    from geo.services import imports as imp

    req = {
        "indicators": lambda: imp.IndicatorsRequest(path, province="Sơn La"),
        "boundaries": lambda: imp.BoundariesRequest(path, "Sơn La"),
        "incidents": lambda: imp.IncidentsRequest(path, "Sơn La"),
        "facilities": lambda: imp.FacilitiesRequest(path, "Sơn La"),
        "hotspots": lambda: imp.HotspotsRequest(path, "Sơn La"),
    }.get(kind, lambda: imp.PopulationRequest(path, "Sơn La", year=2020))()
    imp.import_file(req, Principal("system", "admin"), url)


def _sha(url: str) -> object:
    return db_fingerprint(url)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list:
    return make_corpus(tmp_path_factory.mktemp("malformed"))


@pytest.fixture(scope="module")
def db(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return copy_database(demo_url, tmp_path_factory.mktemp("mdb"))


def test_corpus_is_large_enough(corpus: list) -> None:
    assert len(corpus) >= 30


def test_each_malformed_input_is_refused_cleanly(corpus: list, db: str) -> None:
    before = _sha(db)
    for name, kind, path, expect in corpus:
        with pytest.raises(ValidationError) as ei:
            _run(kind, path, db)
        vi = ei.value.message("vi")
        en = ei.value.message("en")
        assert name in vi or (ei.value.problems and name in ei.value.problems[0].message()), \
            (name, vi)
        assert expect in vi, (name, vi)
        assert vi != en and "Traceback" not in vi
        assert _sha(db) == before, name
