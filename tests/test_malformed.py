"""Every malformed input gives a clear message naming the file and leaves the DB unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import ValidationError
from tests.conftest import copy_database, db_fingerprint
from tests.malformed.make_corpus import make_corpus


def _run(kind: str, path: Path, url: str) -> None:
    if kind == "indicators":
        from geo.ingest import import_indicators

        import_indicators(path, url, province="Sơn La")
    elif kind == "boundaries":
        from geo.ingest_boundaries import import_boundaries

        import_boundaries(path, "Sơn La", url)
    elif kind == "incidents":
        from geo.io.incidents import import_incidents

        import_incidents(path, "Sơn La", url)
    elif kind == "facilities":
        from geo.io.registers import import_facilities

        import_facilities(path, "Sơn La", url)
    elif kind == "hotspots":
        from geo.io.registers import import_hotspots

        import_hotspots(path, "Sơn La", url)
    else:
        from geo.io.raster import import_population

        import_population(path, "Sơn La", 2020, url)


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
