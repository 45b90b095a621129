"""Jobs for tests/geo/test_ceiling.py: module-level, so a child process can import them."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

from geo.errors import PermissionDenied, Problem, ValidationError


def steps(n: int, progress: Callable[[float, str], None]) -> dict:
    """Report ``n`` steps, then say which process did the work."""
    for i in range(1, n + 1):
        progress(i / n, f"bước {i} (pid {os.getpid()})")
    return {"pid": os.getpid(), "n": n}


def refuse(kind: str, progress: Callable[[float, str], None]) -> None:
    """Raise one of diaban's errors, or a plain bug."""
    if kind == "validation":
        raise ValidationError("Tệp 'a.csv' có 1 lỗi; chưa lưu gì.",
                              "File 'a.csv' has 1 problem; nothing stored.",
                              [Problem("thiếu kỳ", "missing period", "a.csv", 3, "ky")],
                              file="a.csv")
    if kind == "permission":
        raise PermissionDenied("Không có quyền nhập.", "May not import.")
    if kind == "unpicklable":
        class Local(Exception):
            pass

        raise Local("cannot travel")
    raise KeyError("a bug")


def allocate(mb: int, progress: Callable[[float, str], None]) -> int:
    """Hold ``mb`` MB of written memory (a reader that inflates a file)."""
    blocks = [bytearray(2**20) for _ in range(mb)]
    progress(1.0, "đã cấp phát")
    return len(blocks)


def swallow_memory_error(mb: int, progress: Callable[[float, str], None]) -> int:
    """A reader that turns a MemoryError into its own error message."""
    try:
        return allocate(mb, progress)
    except MemoryError as e:
        raise ValidationError("Không đọc được tệp.", "Cannot read the file.") from e


def die(sig: int, progress: Callable[[float, str], None]) -> None:
    """A reader whose process dies (GDAL crashing when malloc fails: SIGSEGV)."""
    progress(0.5, "sắp dừng")
    os.kill(os.getpid(), signal.Signals(sig))


def in_daemon(out: object) -> None:
    """Run :func:`steps` under the ceiling from a daemonic process; put what happened."""
    from geo.ceiling import run_limited

    seen: list[float] = []
    got = run_limited(steps, (2,), 300, lambda f, m: seen.append(f))
    out.put({"job_pid": got["pid"], "pid": os.getpid(), "seen": seen})


#: Set by a test in its own process: a forked child sees it, a fork server's does not.
MARK = "as imported"


def count_batches(url: str, progress: Callable[[float, str], None]) -> dict:
    """Read the database in the child; say what it saw of its parent's state."""
    import multiprocessing as mp

    from sqlalchemy import func, select

    from geo.store import session_scope
    from geo.store.schema import ImportBatch

    with session_scope(url) as s:
        n = s.scalar(select(func.count()).select_from(ImportBatch))
    return {"batches": n, "mark": MARK, "name": mp.current_process().name}


def yielded_priority(progress: Callable[[float, str], None]) -> int:
    """Lower the child's priority as an upload's reading does; return it."""
    from geo.ceiling import yield_cpu

    yield_cpu()
    return os.getpriority(os.PRIO_PROCESS, 0)
