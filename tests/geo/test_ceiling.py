"""geo.ceiling: a job in a child process with a memory ceiling (issue 17, point 2)."""

from __future__ import annotations

import os
import signal

import pytest

from geo.ceiling import CeilingExceeded, run_limited
from geo.errors import PermissionDenied, ValidationError
from tests.geo import ceiling_jobs as jobs


def test_runs_in_another_process_and_relays_its_progress_in_order() -> None:
    seen: list[tuple[float, str]] = []
    got = run_limited(jobs.steps, (4,), 300, lambda f, m: seen.append((f, m)))
    assert got["n"] == 4 and got["pid"] != os.getpid()
    assert [f for f, _ in seen] == [0.25, 0.5, 0.75, 1.0]
    assert all(m.endswith(f"(pid {got['pid']})") for _, m in seen)


@pytest.mark.parametrize("kind, cls", [("validation", ValidationError),
                                       ("permission", PermissionDenied),
                                       ("bug", KeyError)])
def test_exceptions_come_back_with_their_type_and_message(kind: str, cls: type) -> None:
    with pytest.raises(cls) as e:
        run_limited(jobs.refuse, (kind,), 300)
    if kind == "validation":
        assert e.value.message("en").splitlines() == [
            "a.csv: File 'a.csv' has 1 problem; nothing stored.",
            "  - a.csv, row 3, column ky: missing period"]
        assert e.value.vi == "Tệp 'a.csv' có 1 lỗi; chưa lưu gì." and e.value.exit_code == 4
    elif kind == "permission":
        assert e.value.en == "May not import." and e.value.exit_code == 6
    else:
        assert e.value.args == ("a bug",)
        assert "ceiling_jobs.py" in "".join(e.value.__notes__)  # where it happened


def test_an_exception_that_cannot_be_pickled_still_comes_back() -> None:
    with pytest.raises(RuntimeError, match="Local: cannot travel"):
        run_limited(jobs.refuse, ("unpicklable",), 300)


def test_a_job_over_the_ceiling_fails_alone_and_the_next_one_runs() -> None:
    with pytest.raises(CeilingExceeded) as e:
        run_limited(jobs.allocate, (400,), 200)
    assert e.value.limit_mb == 200 and e.value.reason == "MemoryError"
    assert run_limited(jobs.allocate, (100,), 200) == 100  # under it: fine


def test_a_memory_error_a_reader_turned_into_its_own_message_counts_as_memory() -> None:
    with pytest.raises(CeilingExceeded, match="MemoryError"):
        run_limited(jobs.swallow_memory_error, (400,), 200)


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGKILL])
def test_a_child_that_dies_is_reported_with_its_signal(sig: signal.Signals) -> None:
    seen: list[float] = []
    with pytest.raises(CeilingExceeded) as e:
        run_limited(jobs.die, (int(sig),), 300, lambda f, m: seen.append(f))
    assert e.value.reason == f"signal {sig.name}" and seen == [0.5]


def test_a_daemonic_process_which_may_not_have_children_runs_the_job_itself() -> None:
    # multiprocessing forbids daemonic processes to start children (a pool's workers,
    # tests running importers side by side): the job runs there, as before the ceiling.
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=jobs.in_daemon, args=(out,), daemon=True)
    p.start()
    got = out.get(timeout=120)
    p.join(30)
    assert got["job_pid"] == got["pid"] and got["seen"] == [0.5, 1.0]


@pytest.mark.parametrize("threaded", [False, True])
def test_one_thread_forks_many_threads_use_the_fork_server_and_the_parents_connection_lives(
        demo_url: str, tmp_path, threaded: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command (one thread) forks; the app's server (threads) uses the fork server.

    Either way the child opens its own database connection: the parent's pooled one
    (inherited by a fork) is left alone and still works afterwards.
    """
    import threading

    from sqlalchemy import func, select

    from geo.store import session_scope
    from geo.store.schema import ImportBatch
    from tests.conftest import copy_database

    url = copy_database(demo_url, tmp_path)
    monkeypatch.setattr(jobs, "MARK", "set by the parent")
    with session_scope(url) as s:  # a pooled connection in this process
        before = s.scalar(select(func.count()).select_from(ImportBatch))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    if threaded:
        other.start()
    try:
        if not threaded and threading.active_count() > 1:
            pytest.skip("the test process runs other threads")
        got = run_limited(jobs.count_batches, (url,), 300)
    finally:
        stop.set()
    assert got["batches"] == before and got["name"] == "diaban-upload"
    assert got["mark"] == ("as imported" if threaded else "set by the parent")
    with session_scope(url) as s:  # the same pooled connection, still usable
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == before


def test_an_uploads_reading_yields_the_cpu_but_the_caller_keeps_its_priority(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    if threading.active_count() > 1:
        pytest.skip("a forked child is needed to see this process's environment")
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    monkeypatch.setenv("DIABAN_IMPORT_NICE", "7")
    assert run_limited(jobs.yielded_priority, (), 300) == max(mine, 7)
    monkeypatch.setenv("DIABAN_IMPORT_NICE", "0")
    assert run_limited(jobs.yielded_priority, (), 300) == mine
    monkeypatch.setenv("DIABAN_IMPORT_NICE", "much")  # a bad value: the default
    assert run_limited(jobs.yielded_priority, (), 300) == max(mine, 10)
    assert os.getpriority(os.PRIO_PROCESS, 0) == mine
