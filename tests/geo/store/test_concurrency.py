"""Imports running at the same time in separate processes, on PostgreSQL.

Each import runs in its own OS process (``multiprocessing``, spawn), as two officers'
uploads or a CLI job next to the app would. A start barrier lets them begin
together, and a *gate* holds every importer right after its "was this file already
imported?" check for up to a few seconds: without the per-province lock all of them
pass the check before any commits, so a lost or doubled write cannot hide behind
lucky timing. With the lock (:func:`geo.store.lock_units`) the first importer waits
at the gate alone, the others wait for the lock, and they run one after another.

SQLite lets one transaction write at a time, so these tests run on PostgreSQL only
(``DIABAN_TEST_PG_URL``; ``scripts/test.sh`` runs the whole suite there too).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from geo.store import session_scope
from geo.store.schema import AuditEntry, Boundary, ImportBatch, IndicatorValue
from tests.conftest import PG_URL, pg_create, pg_drop

pytestmark = pytest.mark.skipif(
    not PG_URL,
    reason="concurrent writers need PostgreSQL (set DIABAN_TEST_PG_URL); SQLite admits one "
    "writer at a time, and scripts/test.sh runs this file in its PostgreSQL pass",
)

#: Seconds the first importer waits at the gate for the others (they never come
#: when the lock works); long enough for spawned processes that started together.
GATE_SECONDS = 6.0
#: Seconds to wait for every process's result.
RESULT_SECONDS = 240


def _son_la_communes() -> list[str]:
    from geo.registry import load_units

    u = load_units("legacy", "commune")
    return sorted(u.loc[u.province_code == "14", "code"])


def _figures(path: Path, indicator: str, period: str, base: int) -> dict[str, float]:
    """Write a long CSV of one indicator for every Sơn La commune; return code → value."""
    values = {c: float(base + i) for i, c in enumerate(_son_la_communes())}
    lines = ["ma_xa,ky,chi_tieu,gia_tri"]
    lines += [f"{c},{period},{indicator},{v:g}" for c, v in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return values


# ------------------------------------------------------------------ worker processes


def _import(kind: str, url: str, path: str) -> dict:
    from geo.auth import Principal
    from geo.services.imports import BoundariesRequest, IndicatorsRequest, import_file

    who = Principal(f"proc{os.getpid()}", "admin")
    if kind == "indicators":
        r = import_file(IndicatorsRequest(path), who, url)
    else:
        r = import_file(BoundariesRequest(path, "Sơn La", edition="legacy"), who, url)
    return {"file": path, "ok": True, "batch": r.batch_id, "already": bool(r.already_imported)}


def _worker(jobs: object, out: object, start: object, gate: object) -> None:
    """Loop of one importer process: run each ``(kind, url, path)`` job from ``jobs``.

    Every job waits at ``start`` for the other workers' jobs, and inside the import
    at ``gate`` (see the module docstring). Puts one outcome per job on ``out``.
    """
    import geo.services.imports
    from geo.io.boundary_match import province_units
    from geo.registry import load_units
    from geo.store import dispose_engines

    real = geo.services.imports.file_batches

    def held(s: object, k: str, sha: str) -> object:
        prev = real(s, k, sha)
        try:
            gate.wait(GATE_SECONDS)
        except threading.BrokenBarrierError:
            pass  # the others are waiting for the lock (or were here already)
        return prev

    geo.services.imports.file_batches = held  # every import kind checks through it
    # Warm the caches (registry, name indexes) so the importers reach the gate together.
    load_units("legacy", "commune"), load_units("2025", "commune")
    province_units("Sơn La", "legacy")
    while (job := jobs.get()) is not None:
        try:
            start.wait(120)
            res = _import(*job)
        except BaseException as e:  # noqa: BLE001 - reported to the test
            res = {"file": job[2], "ok": False, "error": f"{type(e).__name__}: {e}"[:800]}
        dispose_engines()  # the test drops its database afterwards
        out.put(res)


class _Importers:
    """Two importer processes (spawned once per module: starting one takes seconds)."""

    n = 2

    def __init__(self) -> None:
        ctx = mp.get_context("spawn")
        self.start, self.gate = ctx.Barrier(self.n), ctx.Barrier(self.n)
        self.out = ctx.Queue()
        self.jobs = [ctx.Queue() for _ in range(self.n)]
        self.procs = [ctx.Process(target=_worker, args=(q, self.out, self.start, self.gate),
                                  daemon=True) for q in self.jobs]
        for p in self.procs:
            p.start()

    def run_together(self, url: str, paths: list[Path], kind: str = "indicators") -> list[dict]:
        """Import ``paths`` (one per process) into ``url`` at the same time; return outcomes."""
        assert len(paths) == self.n
        self.start.reset()
        self.gate.reset()  # broken on purpose by the previous run when the lock worked
        for q, path in zip(self.jobs, paths):
            q.put((kind, url, str(path)))
        results = [self._result() for _ in paths]
        failed = [r for r in results if not r["ok"]]
        assert not failed, failed
        return results

    def _result(self) -> dict:
        """The next outcome; fails at once when an importer process has died."""
        import queue
        import time

        end = time.monotonic() + RESULT_SECONDS
        while time.monotonic() < end:
            try:
                return self.out.get(timeout=2)
            except queue.Empty:
                dead = [p.exitcode for p in self.procs if not p.is_alive()]
                assert not dead, f"an importer process died (exit codes {dead})"
        raise AssertionError(f"no importer answered within {RESULT_SECONDS} s")

    def close(self) -> None:
        for q in self.jobs:
            q.put(None)
        for p in self.procs:
            p.join(30)
            if p.is_alive():
                p.kill()
                p.join(5)


@pytest.fixture(scope="module")
def importers() -> Iterator[_Importers]:
    """Two separate OS processes that run imports side by side."""
    imp = _Importers()
    yield imp
    imp.close()


# ------------------------------------------------------------------ invariants


def _current(url: str, indicator: str, period: str) -> dict[str, tuple[float, int]]:
    """Current ``code → (value, batch)`` of one indicator and period (legacy edition)."""
    with session_scope(url) as s:
        rows = s.execute(
            select(IndicatorValue.unit_code, IndicatorValue.value, IndicatorValue.batch_id)
            .where(IndicatorValue.edition_id == "legacy", IndicatorValue.indicator_id == indicator,
                   IndicatorValue.period == period, IndicatorValue.is_current.is_(True))
        ).all()
    out = {c: (v, b) for c, v, b in rows}
    assert len(out) == len(rows), "two current values for one commune"
    return out


def _assert_consistent(url: str) -> list[ImportBatch]:
    """One current row per key, and batches, rows and audit entries that agree."""
    with session_scope(url) as s:
        dup_values = s.execute(
            select(IndicatorValue.edition_id, IndicatorValue.unit_code, IndicatorValue.period,
                   IndicatorValue.indicator_id, func.count())
            .where(IndicatorValue.is_current.is_(True))
            .group_by(IndicatorValue.edition_id, IndicatorValue.unit_code,
                      IndicatorValue.period, IndicatorValue.indicator_id)
            .having(func.count() > 1)
        ).all()
        assert dup_values == []
        dup_bounds = s.execute(
            select(Boundary.edition_id, Boundary.unit_code, func.count())
            .where(Boundary.is_current.is_(True))
            .group_by(Boundary.edition_id, Boundary.unit_code).having(func.count() > 1)
        ).all()
        assert dup_bounds == []
        batches = list(s.scalars(select(ImportBatch).order_by(ImportBatch.id)))
        shas = [b.file_sha256 for b in batches if b.status == "active" and b.file_sha256]
        assert len(shas) == len(set(shas)), "one file stored twice"
        for b in batches:
            model = Boundary if b.kind == "boundaries" else IndicatorValue
            n = s.scalar(select(func.count()).select_from(model).where(model.batch_id == b.id))
            assert n == b.n_rows, (b.id, n, b.n_rows)
            audits = s.scalars(select(AuditEntry).where(
                AuditEntry.batch_id == b.id, AuditEntry.action == "import")).all()
            assert [(a.entity, a.username) for a in audits] == [(b.kind, b.username)]
        orphans = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.batch_id.is_not(None), AuditEntry.batch_id.not_in([b.id for b in batches])))
        assert orphans == 0
    return batches


# ------------------------------------------------------------------ tests


def test_different_files_of_one_province_at_once_all_kept(
        tmp_path: Path, empty_url: str, importers: _Importers) -> None:
    files = {
        "registered_addicts": tmp_path / "addicts.csv",
        "methadone_patients": tmp_path / "methadone.csv",
    }
    expected = {ind: _figures(p, ind, "2023-H1", 1000 * (i + 1))
                for i, (ind, p) in enumerate(files.items())}
    results = importers.run_together(empty_url, list(files.values()))
    assert not any(r["already"] for r in results)
    assert len({r["batch"] for r in results}) == 2
    batch_of = {Path(r["file"]).name: r["batch"] for r in results}
    for ind, path in files.items():
        cur = _current(empty_url, ind, "2023-H1")
        assert {c: v for c, (v, _) in cur.items()} == expected[ind]  # nothing lost
        assert {b for _, b in cur.values()} == {batch_of[path.name]}
    batches = _assert_consistent(empty_url)
    assert [b.status for b in batches] == ["active"] * 2
    assert [b.n_rows for b in batches] == [200] * 2


def test_same_file_twice_at_once_is_stored_once(
        tmp_path: Path, empty_url: str, importers: _Importers) -> None:
    path = tmp_path / "addicts.csv"
    expected = _figures(path, "registered_addicts", "2023-H2", 7)
    results = importers.run_together(empty_url, [path, path])
    stored = [r for r in results if not r["already"]]
    assert len(stored) == 1, results
    assert {r["batch"] for r in results} == {stored[0]["batch"]}  # the others name it
    cur = _current(empty_url, "registered_addicts", "2023-H2")
    assert {c: v for c, (v, _) in cur.items()} == expected
    batches = _assert_consistent(empty_url)
    assert [(b.id, b.n_rows) for b in batches] == [(stored[0]["batch"], 200)]
    with session_scope(empty_url) as s:
        assert s.scalar(select(func.count()).select_from(IndicatorValue)) == 200


def test_two_files_with_the_same_keys_at_once_one_supersedes_the_other(
        tmp_path: Path, empty_url: str, importers: _Importers) -> None:
    from geo.store import undo_batch

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    values = {"a.csv": _figures(a, "counselled", "2024-H1", 10),
              "b.csv": _figures(b, "counselled", "2024-H1", 500)}
    results = importers.run_together(empty_url, [a, b])
    assert not any(r["already"] for r in results)
    first, last = sorted(results, key=lambda r: r["batch"])
    cur = _current(empty_url, "counselled", "2024-H1")
    # Not a mix: every current value comes from the batch that committed last.
    assert {c: v for c, (v, _) in cur.items()} == values[Path(last["file"]).name]
    assert {bid for _, bid in cur.values()} == {last["batch"]}
    batches = _assert_consistent(empty_url)
    assert [b.status for b in batches] == ["active", "active"]
    with session_scope(empty_url) as s:
        assert s.scalar(select(func.count()).select_from(IndicatorValue)) == 400
        undo_batch(s, last["batch"])
    cur = _current(empty_url, "counselled", "2024-H1")
    assert {c: v for c, (v, _) in cur.items()} == values[Path(first["file"]).name]
    _assert_consistent(empty_url)


def test_boundaries_of_the_same_communes_at_once_get_versions_one_after_another(
        tmp_path: Path, empty_url: str, importers: _Importers) -> None:
    from shapely import affinity

    from tests.geo.io.boundary_corpus import registry_squares

    # Commune-sized squares (a feature must have about its commune's area to be stored),
    # the second file's a little larger: two different files of the same 20 communes.
    paths = []
    for k, scale in enumerate((1.0, 1.1)):
        g = registry_squares("14", "legacy", n=20, codes=True, crs=4326)[
            ["ma_xa", "ten_xa", "geometry"]]
        g["geometry"] = [affinity.scale(x, scale, scale) for x in g.geometry]
        paths.append(tmp_path / f"ranh_gioi_{k}.geojson")
        g.to_file(paths[-1], driver="GeoJSON")
    results = importers.run_together(empty_url, paths, kind="boundaries")
    assert not any(r["already"] for r in results)
    last = max(r["batch"] for r in results)
    batches = _assert_consistent(empty_url)
    assert [b.n_rows for b in batches] == [20, 20]
    with session_scope(empty_url) as s:
        rows = s.execute(select(Boundary.unit_code, Boundary.version, Boundary.is_current,
                                Boundary.batch_id)).all()
    assert sorted(v for _, v, _, _ in rows) == [1] * 20 + [2] * 20  # never two version 1s
    assert {(v, b) for _, v, cur, b in rows if cur} == {(2, last)}


def test_first_imports_into_a_new_database_migrate_it_once(
        tmp_path: Path, importers: _Importers) -> None:
    from geo.registry import load_units
    from geo.store import current_revision
    from geo.store.schema import EditionRow, Unit

    url = pg_create(label="blank")  # no schema, no PostGIS extension yet
    try:
        files = [tmp_path / "addicts.csv", tmp_path / "cases.csv"]
        _figures(files[0], "registered_addicts", "2022-H1", 1)
        _figures(files[1], "drug_cases_detected", "2022-H1", 1)
        importers.run_together(url, files)
        assert current_revision(url) is not None
        with session_scope(url) as s:
            assert s.scalar(select(func.count()).select_from(EditionRow)) == 2
            n_units = s.scalar(select(func.count()).select_from(Unit))
        assert n_units == len(load_units("legacy")) + len(load_units("2025"))
        assert len(_assert_consistent(url)) == 2
    finally:
        pg_drop(url)
