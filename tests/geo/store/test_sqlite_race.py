"""Issue 17, point 6: "already imported?" is race-free on SQLite too.

Two processes import the same file at once. Each is held for two seconds right after
its "was this file imported?" look (the gate widens the race any real upload has):
without the write lock taken before the look (``BEGIN IMMEDIATE``,
:func:`geo.store.lock_writes`) both found nothing and both stored a batch.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from geo.store import session_scope
from geo.store.schema import ImportBatch

ROOT = Path(__file__).resolve().parents[3]

_WORKER = """
import sys, time
import geo.services.imports as imp
from geo.auth import local_admin

real = imp.file_batches

def slow(s, kind, sha):
    found = real(s, kind, sha)
    time.sleep(2.0)  # the gate: both processes are past the look before either writes
    return found

imp.file_batches = slow
res = imp.import_file(imp.IndicatorsRequest(sys.argv[2]), local_admin(), sys.argv[1])
print(res.batch_id, res.already_imported)
"""


def test_two_processes_importing_one_file_store_one_batch(tmp_path: Path) -> None:
    from geo.store import init_db

    url = f"sqlite:///{tmp_path / 'race.db'}"
    init_db(url)
    csv = tmp_path / "so_lieu.csv"
    csv.write_text("ma_xa,ky,chi_tieu,gia_tri\n04024,2023-H1,registered_addicts,5\n",
                   encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, url, str(csv)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-1500:] for _, e in outs]
    answers = sorted(o.split() for o, _ in outs)
    assert [a[1] for a in answers] == ["False", "True"], answers  # one stored, one found
    assert answers[0][0] == answers[1][0]
    with session_scope(url) as s:
        n = s.scalar(select(func.count()).select_from(ImportBatch)
                     .where(ImportBatch.status == "active"))
    assert n == 1
