"""Run one job in a child process with a memory ceiling (issue 17).

One upload must not take the server down for everyone: the bounded readers of
:mod:`geo.io` refuse the known bombs early, but any reader can meet a file that
inflates (a GeoJSON of millions of coordinates, a GeoPackage, a future reader's
bug). :func:`run_limited` runs a function in a child process whose data memory
is capped with ``setrlimit(RLIMIT_DATA)``; when the job needs more, the child
fails (``MemoryError``, or it dies) and the caller gets :class:`CeilingExceeded`
while the server process itself never grew.

How:

- In a multi-threaded process (Streamlit's server) children come from a
  ``forkserver`` (started once per process; a plain ``fork`` of a threaded process
  can copy a lock another thread holds). The server imports the modules named by
  :func:`run_limited`'s ``preload`` once, so a child starts in a few hundredths of
  a second instead of importing geopandas again. A process with one thread (the
  ``diaban`` command) forks directly: its child has everything loaded already and
  the command does not pay for starting a fork server (1.5–2.5 s). Database
  engines are forgotten in a forked child (:mod:`geo.store.session` registers
  that), so it never uses the parent's connections.
- The ceiling counts what the job adds: the child's limit is its data size at
  start (diaban's code and reference data, inherited from the server) plus the
  ceiling. ``RLIMIT_DATA`` counts private writable memory (``malloc``, numpy
  arrays, GDAL buffers); ``RLIMIT_AS`` would also count address space reserved
  and never used (thread stacks, mapped libraries, allocators' arenas: Arrow's
  default allocator reserves a gigabyte at a time, which is why the reader
  processes make Arrow use ``malloc``).
- ``progress(fraction, message)`` calls in the child reach the caller's callback
  through the pipe that brings the result back.
- Exceptions raised by the job are raised again in the caller with their type and
  message (diaban's errors keep their problems).

The ceiling is ``DIABAN_UPLOAD_MEMORY_MB`` (:func:`upload_memory_mb`, default
:data:`DEFAULT_UPLOAD_MEMORY_MB`); ``0`` runs jobs in the calling process without a
ceiling (debugging).
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import resource
import signal
import threading
from collections.abc import Callable, Mapping, Sequence
from multiprocessing import context, forkserver, popen_forkserver, spawn, util
from typing import Any

from geo.errors import DiabanError

__all__ = ["DEFAULT_IMPORT_NICE", "DEFAULT_UPLOAD_MEMORY_MB", "ENV", "NICE_ENV",
           "CeilingExceeded", "import_nice", "run_limited", "upload_memory_mb", "yield_cpu"]

log = logging.getLogger(__name__)

#: Environment variable holding the ceiling in MB (``0``: no child, no ceiling).
ENV = "DIABAN_UPLOAD_MEMORY_MB"
#: Memory one upload's reading may use, in MB, when :data:`ENV` is not set.
DEFAULT_UPLOAD_MEMORY_MB = 1536


def upload_memory_mb(environ: Mapping[str, str] | None = None) -> int:
    """The memory ceiling of one upload's reading, in MB (``0``: off).

    Read from ``DIABAN_UPLOAD_MEMORY_MB`` on every call (default
    :data:`DEFAULT_UPLOAD_MEMORY_MB`). A value that is not a number of MB falls
    back to the default: a typing mistake must not turn the ceiling off.

    Parameters
    ----------
    environ : mapping, optional
        Where to look (default: ``os.environ``).

    Examples
    --------
    >>> upload_memory_mb({"DIABAN_UPLOAD_MEMORY_MB": "300"})
    300
    >>> [upload_memory_mb(e) for e in ({}, {ENV: "much"}, {ENV: "-1"}, {ENV: "inf"})]
    [1536, 1536, 1536, 1536]
    >>> upload_memory_mb({"DIABAN_UPLOAD_MEMORY_MB": "0"})
    0
    """
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return DEFAULT_UPLOAD_MEMORY_MB
    try:
        mb = int(float(raw))
    except (ValueError, OverflowError):
        mb = -1
    if mb < 0:
        log.warning("%s=%r is not a number of MB; using %d", ENV, raw,
                    DEFAULT_UPLOAD_MEMORY_MB)
        return DEFAULT_UPLOAD_MEMORY_MB
    return mb


#: Environment variable holding the CPU priority (``nice``) imports read and run at.
NICE_ENV = "DIABAN_IMPORT_NICE"
#: That priority when :data:`NICE_ENV` is not set.
DEFAULT_IMPORT_NICE = 10


def import_nice(environ: Mapping[str, str] | None = None) -> int:
    """The CPU priority imports run at: ``DIABAN_IMPORT_NICE`` (0–19), 10 by default.

    A province's server runs the app and the imports side by side; at ``nice`` 10 an
    import takes only the CPU the people browsing leave idle (on an idle machine it
    runs as fast as ever). 0 keeps normal priority.

    Raises
    ------
    ValueError
        When the variable is not a whole number from 0 to 19 (bilingual message).

    Examples
    --------
    >>> import_nice({}), import_nice({"DIABAN_IMPORT_NICE": "0"})
    (10, 0)
    """
    raw = (os.environ if environ is None else environ).get(NICE_ENV, "").strip()
    if not raw:
        return DEFAULT_IMPORT_NICE
    if not raw.isdigit() or int(raw) > 19:
        raise ValueError(
            f"{NICE_ENV}='{raw}' không hợp lệ: cần một số nguyên từ 0 đến 19 "
            f"(0 = không nhường CPU). / {NICE_ENV}='{raw}' is invalid: give a whole "
            "number from 0 to 19 (0 = do not yield the CPU).")
    return int(raw)


def yield_cpu() -> None:
    """Lower this process to :func:`import_nice` (never raise it; a bad value: 10)."""
    try:
        nice = import_nice()
    except ValueError as e:
        log.warning("%s; using %d", e, DEFAULT_IMPORT_NICE)
        nice = DEFAULT_IMPORT_NICE
    if nice and hasattr(os, "getpriority"):
        if os.getpriority(os.PRIO_PROCESS, 0) < nice:
            os.setpriority(os.PRIO_PROCESS, 0, nice)


class CeilingExceeded(Exception):
    """The child ran out of memory under its ceiling, or died.

    Attributes
    ----------
    limit_mb : int
        The ceiling it ran under.
    reason : str
        ``"MemoryError"``, ``"signal SIGKILL"``, ``"exit code 1"``…
    """

    def __init__(self, limit_mb: int, reason: str) -> None:
        self.limit_mb = limit_mb
        self.reason = reason
        super().__init__(f"job needed more than {limit_mb} MB ({reason})")


# ------------------------------------------------------------------ the child


def _vm_data() -> int:
    """Private writable memory of the running process (``VmData``), in bytes."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _picklable(e: BaseException) -> BaseException:
    """``e`` if it survives a pickle round trip, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(e))
        return e
    except Exception:  # noqa: BLE001 - anything unpicklable becomes a plain error
        return RuntimeError(f"{type(e).__name__}: {e}")


def _from_memory_error(e: BaseException) -> bool:
    """Whether ``e`` was caused, directly or not, by a ``MemoryError``."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, MemoryError):
            return True
        seen.add(id(e))
        e = e.__cause__ or e.__context__
    return False


def _child(conn: Any, fn: Callable[..., Any], args: tuple, limit: int) -> None:
    """Run ``fn(*args, progress=…)`` under the ceiling; send progress, then the outcome."""
    cap = _vm_data() + limit
    resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    last: list = [None]

    def progress(fraction: float, message: str) -> None:
        key = (round(float(fraction), 3), str(message))
        if key != last[0]:  # readers may call per row: send only what changes the bar
            last[0] = key
            conn.send(("progress", key[0], key[1]))

    outcome: tuple
    try:
        outcome = ("ok", fn(*args, progress=progress))
    except MemoryError:
        outcome = ("memory",)
    except Exception as e:  # noqa: BLE001 - every failure goes back to the caller
        if _from_memory_error(e):  # a reader that turned MemoryError into its own error
            outcome = ("memory",)
        else:
            if not isinstance(e, DiabanError):  # a bug: keep where it happened
                import traceback

                e.add_note("In the child process (geo.ceiling):\n"
                           + "".join(traceback.format_exception(e)))
            outcome = ("error", _picklable(e))
    try:
        conn.send(outcome)
    except MemoryError:  # the result itself is too big to send back
        conn.send(("memory",))
    conn.close()


# ------------------------------------------------------------------ the caller


_PRELOADED: list[str] = []


def _context(preload: Sequence[str]) -> Any:
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    more = [m for m in preload if m not in _PRELOADED]
    if more:  # every module asked for so far; takes effect when the server (re)starts
        _PRELOADED.extend(more)
        ctx.set_forkserver_preload(list(_PRELOADED))
    return ctx


class _Popen(popen_forkserver.Popen):
    """A forkserver child that does not run the caller's main script again.

    multiprocessing makes each child import the parent's ``__main__`` (for
    functions defined there): under ``streamlit run`` or the ``diaban`` script that
    is the console script, imported again for every upload. :func:`run_limited`
    runs module-level functions of diaban only, so the child needs no main module.
    ``_launch`` is the standard library's (Python 3.11–3.13), without the main.
    """

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            context.reduction.dump(prep_data, buf)
            context.reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        _parent_w = os.dup(w)  # the child's sentinel of its parent (as the original)
        self.finalizer = util.Finalize(self, util.close_fds, (_parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(context.ForkServerProcess):
    """A forkserver process started by :class:`_Popen`."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:  # noqa: N802 - multiprocessing's name
        return _Popen(process_obj)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"


def run_limited(fn: Callable[..., Any], args: tuple, limit_mb: int,
                progress: Callable[[float, str], None] | None = None,
                preload: Sequence[str] = ()) -> Any:
    """Run ``fn(*args, progress=callback)`` in a child process with a memory ceiling.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled by name); it takes the keyword
        ``progress`` and returns something picklable.
    args : tuple
        Its positional arguments (pickled).
    limit_mb : int
        Memory the job may add to the child's own, in MB.
    progress : callable, optional
        ``progress(fraction, message)``, called in this process for each call
        the job makes.
    preload : sequence of str
        Modules the fork server imports once, so children start warm.

    Returns
    -------
    object
        What ``fn`` returned.

    Raises
    ------
    CeilingExceeded
        The job ran out of memory, or the child died (killed by a signal, crashed)
        before it answered.
    Exception
        Whatever ``fn`` raised, with its type and message (an exception that cannot
        be pickled comes back as a ``RuntimeError`` naming it).

    Notes
    -----
    In a daemonic process (which multiprocessing forbids to start children) the job
    runs in the calling process without a ceiling, with a warning in the log.
    """
    import multiprocessing as mp

    if mp.current_process().daemon:
        # multiprocessing lets no daemonic process start children (a pool's worker
        # importing files, tests running importers side by side): read here, uncapped.
        # The app and the CLI are never daemonic.
        log.warning("no memory ceiling in a daemonic process: %s runs in it",
                    getattr(fn, "__qualname__", fn))
        return fn(*args, progress=progress or (lambda f, m: None))
    job = (fn, args, int(limit_mb) * 2**20)
    if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        recv, send = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(send, *job), daemon=True,
                            name="diaban-upload")
    else:
        ctx = _context(preload)
        recv, send = ctx.Pipe(duplex=False)
        child = _Process(target=_child, args=(send, *job), daemon=True, name="diaban-upload")
    outcome: tuple | None = None
    try:
        child.start()
        send.close()  # the child holds the only writer: its end closes the pipe
        while outcome is None:
            try:
                msg = recv.recv()
            except EOFError:  # died without an answer
                break
            if msg[0] == "progress":
                if progress is not None:
                    progress(msg[1], msg[2])
            else:
                outcome = msg
        child.join()
    finally:
        if child.is_alive():  # the caller gave up (an error in progress, a rerun)
            child.kill()
            child.join()
        recv.close()
    if outcome is None or outcome[0] == "memory":
        reason = "MemoryError" if outcome else _death(child.exitcode)
        log.info("child job ran out of memory under %d MB (%s)", limit_mb, reason)
        raise CeilingExceeded(int(limit_mb), reason)
    if outcome[0] == "error":
        raise outcome[1]
    return outcome[1]
