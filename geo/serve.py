"""Serve diaban to a province: several Streamlit processes of the app behind Debian's nginx.

One Streamlit process runs every session's script in one Python interpreter, so it
uses at most one core however many users wait (docs/benchmarks.md). ``diaban serve
--processes N`` (:class:`Cluster`) runs N of them and Debian's nginx in front::

    browsers ──► nginx  HOST:PORT  (config, logs and pid in the run folder)
                   ├─ /_stcore/metrics, /_stcore/agent…, /_stcore/script-health-check: 403
                   └─ everything else, sticky per browser ──► app 1  127.0.0.1:P1
                                                          ├─► app 2  127.0.0.1:P2
                                                          └─► …  (streamlit run app.py)

**Stickiness.** A Streamlit session lives in one process: its WebSocket
(``/_stcore/stream``), its uploads (``/_stcore/upload_file/<session>/…``) and its
media and download files (``/media/…``) must all reach that process. nginx OSS has
no ``sticky`` directive (nginx Plus only), and ``ip_hash`` would send a whole office
behind one NAT address to one process. So the proxy pins each browser with its own
cookie, ``diaban_route``, whose value is the number of the process that answered
(mapped from ``$upstream_addr``): a browser without it goes to the process with the
fewest open connections (``least_conn``: open WebSockets are open sessions), and
every later request with it goes to that process's own upstream group. Each group
lists the other processes as ``backup``: when a process is down, its browsers are
served by another and the answer re-pins them there (the cookie follows the process
that answered), so a session never has its WebSocket on one process and its uploads
on another.

**Failure handling.** The supervisor (this process) restarts an app process that
died, on the same port, and says so; its users reconnect to another process at once
(their Streamlit session, login included, is lost: it lived in that process's memory).
A process that dies more than ``max_restarts`` times in ``restart_window`` seconds, or
nginx exiting, stops everything with a message: something is wrong that a restart
will not cure. A process that stops answering its health check is reported, not
killed (a long computation can delay the answer). Children die with the supervisor
(``PR_SET_PDEATHSIG``), even when it is killed.

**State** lives in the database (PostgreSQL for several processes; SQLite is refused
with more than one process unless ``allow_sqlite``), so any process serves any user
after a login; only the Streamlit session (widgets, login) and each process's caches
are per process. Caches are bounded per process: ``max_entries`` on the pages'
``st.cache_data`` and ``server.maxCacheDataSize`` (``cache_size``) over all of them.

Also here: :func:`start_streamlit` (one Streamlit process on a port, waited for until
its health check answers), used by the benchmark and the end-to-end tests too.
No Streamlit import: this is the core.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import DiabanError, ValidationError
from geo.i18n import tr

__all__ = [
    "APP_SCRIPT",
    "DENIED_PATHS",
    "ROUTE_COOKIE",
    "Cluster",
    "ProxySite",
    "ServeError",
    "default_run_dir",
    "find_nginx",
    "free_port",
    "health",
    "launch_streamlit",
    "nginx_config",
    "start_streamlit",
    "stop_process",
    "wait_healthy",
]

ROOT = Path(__file__).resolve().parents[1]
#: The app every process serves.
APP_SCRIPT = ROOT / "app.py"
#: The cookie that pins a browser to one process.
ROUTE_COOKIE = "diaban_route"
#: Paths the proxy refuses (403): Streamlit's internals, never for the public.
DENIED_PATHS = ("/_stcore/metrics", "/_stcore/script-health-check", "/_stcore/agent")
HEALTH_PATH = "/_stcore/health"
#: Where Debian installs nginx (``/usr/sbin`` is not on a normal user's PATH).
_NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
_SETUP_HINT_VI = "chạy scripts/setup.sh (hoặc apt-get install nginx) rồi thử lại"
_SETUP_HINT_EN = "run scripts/setup.sh (or apt-get install nginx) and try again"


class ServeError(DiabanError):
    """The app could not be started or kept running (a clear message, no traceback)."""

    exit_code = 1


# ------------------------------------------------------------------ ports


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        return socket.AF_INET


def check_port(host: str, port: int) -> None:
    """Raise :class:`ServeError` unless ``host:port`` can be listened on now.

    Raises
    ------
    ServeError
        The port is taken by another program, needs privileges, or the address is
        not one of this machine's.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"Cổng {port} đang được chương trình khác dùng. Chọn cổng khác với "
                    f"--port, hoặc dừng chương trình đó (xem: ss -ltnp 'sport = :{port}').",
                    f"Port {port} is in use by another program. Choose another with --port, "
                    f"or stop that program (see: ss -ltnp 'sport = :{port}').") from None
            if e.errno == errno.EACCES:
                raise ServeError(
                    f"Không được phép mở cổng {port} (cổng dưới 1024 cần quyền root). Dùng "
                    "cổng từ 1024 trở lên, ví dụ --port 8080.",
                    f"Not allowed to listen on port {port} (ports below 1024 need root). "
                    "Use a port of 1024 or more, e.g. --port 8080.") from None
            raise ServeError(
                f"Không mở được {host}:{port}: {e.strerror}. Kiểm tra --host (một địa chỉ "
                "của máy này, 0.0.0.0 cho mọi địa chỉ).",
                f"Cannot listen on {host}:{port}: {e.strerror}. Check --host (an address "
                "of this machine, 0.0.0.0 for all).") from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ------------------------------------------------------------------ one Streamlit process


def _die_with_parent(parent: int) -> Callable[[], None]:
    """``preexec_fn``: the child gets SIGTERM when its parent dies, even by SIGKILL."""
    try:
        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except OSError:  # not glibc Linux: children are still stopped by Cluster.stop
        return lambda: None

    def preexec() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def streamlit_command(script: Path, port: int, options: Sequence[str] = ()) -> list[str]:
    """The ``streamlit run`` command line of one app process on ``127.0.0.1:port``.

    ``options`` are extra ``section.name=value`` settings; ``.streamlit/config.toml``
    of the working folder applies otherwise.
    """
    extra = []
    for o in options:
        key, sep, value = o.partition("=")
        if not sep or "." not in key:
            raise ValidationError(
                f"Tùy chọn Streamlit '{o}' phải có dạng mục.tên=giá_trị "
                "(ví dụ server.maxUploadSize=500).",
                f"Streamlit option '{o}' must read section.name=value "
                "(e.g. server.maxUploadSize=500).")
        extra.append(f"--{key.strip()}={value.strip()}")
    return [sys.executable, "-m", "streamlit", "run", str(script),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
            *extra]


def launch_streamlit(port: int, log: Path, *, script: Path = APP_SCRIPT,
                     db: str | None = None, env: dict[str, str] | None = None,
                     cwd: Path | None = None, options: Sequence[str] = (),
                     supervised: bool = False) -> subprocess.Popen:
    """Start ``streamlit run SCRIPT`` on ``127.0.0.1:port`` without waiting for it.

    Parameters
    ----------
    port : int
        Loopback port of the process.
    log : Path
        Its output is appended here.
    script : Path
        The app (default: diaban's ``app.py``).
    db : str, optional
        ``DIABAN_DATABASE_URL`` of the process (None: as in ``env``).
    env : dict, optional
        Environment (default: this process's); the repository is put first on
        ``PYTHONPATH`` so the process imports this tree.
    cwd : Path, optional
        Working folder, whose ``.streamlit/config.toml`` applies (default: the
        repository).
    options : sequence of str
        Extra ``section.name=value`` Streamlit settings.
    supervised : bool
        Start it in its own session (a Ctrl-C in the terminal reaches the
        supervisor only, which stops it in order) and let it die with this process.

    Returns
    -------
    subprocess.Popen
    """
    e = dict(os.environ if env is None else env)
    if db is not None:
        e["DIABAN_DATABASE_URL"] = db
    paths = [p for p in e.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT), *paths])
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        fh.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} streamlit on 127.0.0.1:{port}\n"
                 .encode())
        fh.flush()
        return subprocess.Popen(
            streamlit_command(script, port, options), cwd=cwd or ROOT, env=e,
            stdin=subprocess.DEVNULL, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=supervised,
            preexec_fn=_die_with_parent(os.getpid()) if supervised else None)


def _opener(insecure_tls: bool = False) -> urllib.request.OpenerDirector:
    """A URL opener that ignores ``http_proxy`` (health checks are local)."""
    handlers: list = [urllib.request.ProxyHandler({})]
    if insecure_tls:  # our own proxy, reached by address: its certificate names the host
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=ctx))
    return urllib.request.build_opener(*handlers)


def health(url: str, timeout: float = 2.0) -> bool:
    """Whether the Streamlit server (or the proxy) at ``url`` answers its health check."""
    try:
        with _opener(url.startswith("https")).open(url.rstrip("/") + HEALTH_PATH,
                                                   timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def wait_healthy(port: int, proc: subprocess.Popen | None = None, timeout: float = 120.0,
                 log: Path | None = None) -> None:
    """Wait until the Streamlit process on ``127.0.0.1:port`` answers its health check.

    Raises
    ------
    ServeError
        The process exited, or did not answer within ``timeout`` seconds (the end of
        its log is in the message).
    """
    deadline = time.monotonic() + timeout
    while not health(f"http://127.0.0.1:{port}"):
        code = proc.poll() if proc is not None else None
        if code is not None or time.monotonic() > deadline:
            where_vi = f"; xem nhật ký {log}:\n{_tail(log)}" if log is not None else ""
            where_en = f"; see its log {log}:\n{_tail(log)}" if log is not None else ""
            if code is not None:
                raise ServeError(
                    f"Tiến trình ứng dụng (cổng {port}) đã dừng khi khởi động (mã {code})"
                    + where_vi,
                    f"The app process (port {port}) exited while starting (code {code})"
                    + where_en)
            raise ServeError(
                f"Tiến trình ứng dụng (cổng {port}) không trả lời sau {timeout:.0f} giây"
                + where_vi,
                f"The app process (port {port}) did not answer within {timeout:.0f} s"
                + where_en)
        time.sleep(0.3)


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds; reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(5)


def start_streamlit(port: int, log: Path, *, timeout: float = 120.0,
                    **kwargs: object) -> subprocess.Popen:
    """Start a Streamlit process (:func:`launch_streamlit`) and wait until it answers.

    Raises
    ------
    ServeError
        It exited or did not answer in time (it is stopped; its log is in the message).
    """
    proc = launch_streamlit(port, log, **kwargs)  # type: ignore[arg-type]
    try:
        wait_healthy(port, proc, timeout, log)
    except BaseException:
        stop_process(proc)
        raise
    return proc


# ------------------------------------------------------------------ nginx


def find_nginx() -> str:
    """Path of the nginx binary (``DIABAN_NGINX`` wins).

    Raises
    ------
    ServeError
        nginx is not installed: says to run ``scripts/setup.sh``.
    """
    wanted = os.environ.get("DIABAN_NGINX")
    candidates = [wanted] if wanted else [shutil.which("nginx"), *_NGINX_PATHS]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    where = f" ({wanted})" if wanted else ""
    raise ServeError(
        f"Không tìm thấy nginx{where}, máy chủ web đứng trước các tiến trình ứng dụng: "
        f"{_SETUP_HINT_VI}.",
        f"nginx{where}, the web server in front of the app processes, was not found: "
        f"{_SETUP_HINT_EN}.")


@dataclass(frozen=True)
class ProxySite:
    """What the generated nginx configuration serves.

    Attributes
    ----------
    host, port : str, int
        Public address nginx listens on.
    backends : tuple of int
        Loopback ports of the app processes, in process order (process 1 first).
    prefix : Path
        nginx's prefix (``-p``): ``logs/``, ``nginx.pid`` and ``nginx.conf`` live here.
    temp_dir : Path
        nginx's temporary files (writable by its worker processes).
    max_body_mb : int
        Largest request body (uploads), as Streamlit's ``server.maxUploadSize``.
    tls_cert, tls_key : Path, optional
        Serve HTTPS with this certificate chain and key.
    worker_user : str, optional
        ``user`` of the worker processes (only when nginx starts as root).
    """

    host: str
    port: int
    backends: tuple[int, ...]
    prefix: Path
    temp_dir: Path
    max_body_mb: int = 200
    tls_cert: Path | None = None
    tls_key: Path | None = None
    worker_user: str | None = None


def _listen(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def nginx_config(site: ProxySite) -> str:
    """The whole ``nginx.conf`` for ``site`` (see the module's description)."""
    tls = site.tls_cert is not None
    upstream = "\n".join(
        f"    upstream diaban_app_{i} {{\n"
        f"        zone diaban_app_{i} 64k;\n"
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n"
        + "".join(f"        server 127.0.0.1:{other} backup;\n"
                  for other in site.backends if other != port)
        + "        keepalive 8;\n    }"
        for i, port in enumerate(site.backends, 1))
    pool = "".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n"
                   for p in site.backends)
    by_cookie = "".join(f"        {i} diaban_app_{i};\n" for i in range(1, len(site.backends) + 1))
    by_addr = "".join(f'        "~:{p}$" {i};\n' for i, p in enumerate(site.backends, 1))
    same = "".join(f'        "{i}:{i}" "";\n' for i in range(1, len(site.backends) + 1))
    secure = "; Secure" if tls else ""
    denied = "".join(f"        location ^~ {p} {{ return 403; }}\n" for p in DENIED_PATHS)
    user = f"user {site.worker_user};\n" if site.worker_user else ""
    listen = f"listen {_listen(site.host, site.port)}{' ssl' if tls else ''};"
    tls_lines = (f"        ssl_certificate {site.tls_cert};\n"
                 f"        ssl_certificate_key {site.tls_key};\n"
                 "        ssl_protocols TLSv1.2 TLSv1.3;\n"
                 "        ssl_session_cache shared:diaban_tls:10m;\n") if tls else ""
    p, t = site.prefix, site.temp_dir
    return f"""# Written by `diaban serve` at every start (do not edit: it is rewritten).
daemon off;
master_process on;
worker_processes auto;
{user}pid {p}/nginx.pid;
error_log {p}/logs/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    log_format diaban '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                      '$request_time upstream=$upstream_addr route=$cookie_{ROUTE_COOKIE}';
    access_log {p}/logs/access.log diaban;
    client_body_temp_path {t}/client_body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    server_tokens off;
    tcp_nodelay on;

    # WebSocket upgrade; no Connection header otherwise (keep-alive to the apps).
    map $http_upgrade $diaban_connection {{
        default upgrade;
        "" "";
    }}

    # Browsers without a route cookie: the process with the fewest open connections
    # (open WebSockets are open sessions).
    upstream diaban_pool {{
        zone diaban_pool 64k;
        least_conn;
{pool}        keepalive 16;
    }}

    # One group per process; the others are its backups while it is down.
{upstream}

    # The route cookie names the process a browser is pinned to.
    map $cookie_{ROUTE_COOKIE} $diaban_upstream {{
        default diaban_pool;
{by_cookie}    }}

    # The process that answered (the last address tried).
    map $upstream_addr $diaban_served {{
        default "";
{by_addr}    }}

    # (Re-)pin the browser to the process that answered, unless it already is.
    map "$cookie_{ROUTE_COOKIE}:$diaban_served" $diaban_route_cookie {{
        default "{ROUTE_COOKIE}=$diaban_served; Path=/; HttpOnly; SameSite=Lax{secure}";
        "~:$" "";
{same}    }}

    server {{
        {listen}
{tls_lines}        client_max_body_size {site.max_body_mb}m;

        # Streamlit's internals (issue 17): never public.
{denied}
        location / {{
            proxy_pass http://$diaban_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $diaban_connection;
            proxy_connect_timeout 5s;
            # A session's WebSocket stays open for as long as the user works.
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            # Uploads go to the app as they arrive (no temporary file in the proxy).
            proxy_request_buffering off;
            add_header Set-Cookie $diaban_route_cookie always;
        }}
    }}
}}
"""


def _max_upload_mb(cwd: Path) -> int:
    """Streamlit's ``server.maxUploadSize`` from ``.streamlit/config.toml`` (default 200)."""
    try:
        with open(cwd / ".streamlit" / "config.toml", "rb") as fh:
            return int(tomllib.load(fh).get("server", {}).get("maxUploadSize", 200))
    except (OSError, ValueError, tomllib.TOMLDecodeError):
        return 200


def default_run_dir(port: int) -> Path:
    """``$XDG_STATE_HOME/diaban/serve-PORT`` (``~/.local/state/diaban/serve-PORT``)."""
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"),
                                                             ".local", "state")
    return Path(base) / "diaban" / f"serve-{port}"


# ------------------------------------------------------------------ the cluster


@dataclass
class _App:
    """One supervised app process."""

    index: int
    port: int
    log: Path
    proc: subprocess.Popen | None = None
    deaths: list[float] = field(default_factory=list)
    starting: bool = True
    missed_checks: int = 0


class Cluster:
    """N Streamlit processes of the app behind nginx, supervised (``diaban serve``).

    Use as a context manager (or :meth:`start` / :meth:`stop`)::

        with Cluster(processes=2, port=8080, db=url) as c:
            c.serve_forever(stop_event)

    Parameters
    ----------
    processes : int
        Number of app processes (≥ 1).
    host, port : str, int
        Public address of the proxy.
    db : str, optional
        Database URL (default ``DIABAN_DATABASE_URL`` or the SQLite default).
    run_dir : Path, optional
        Folder of nginx's config, the logs and ``state.json`` (default
        :func:`default_run_dir`).
    script : Path
        The app each process runs (default ``app.py``; the benchmark serves its peer).
    cache_size : str, optional
        ``server.maxCacheDataSize`` of each process (``"512mb"``; None: unbounded).
    tls_cert, tls_key : Path, optional
        Terminate HTTPS in nginx with this certificate chain and key.
    allow_sqlite : bool
        Run several processes on a SQLite database anyway (a trial on one machine).
    streamlit_options : sequence of str
        Extra ``section.name=value`` Streamlit settings of every process.
    lang : {"vi", "en"}
        Language of the messages.
    say : callable, optional
        Receives each message (started, restarted, stopped…).
    progress : callable, optional
        ``progress(fraction, message)`` while starting.
    start_timeout : float
        Seconds a process may take to answer its first health check.
    max_restarts, restart_window : int, float
        More than ``max_restarts`` deaths of one process within ``restart_window``
        seconds stop everything.
    health_interval : float
        Seconds between two health checks of each running process.
    """

    def __init__(self, processes: int = 2, *, host: str = "0.0.0.0", port: int = 8080,
                 db: str | None = None, run_dir: Path | None = None,
                 script: Path = APP_SCRIPT, cache_size: str | None = "512mb",
                 tls_cert: Path | None = None, tls_key: Path | None = None,
                 allow_sqlite: bool = False, streamlit_options: Sequence[str] = (),
                 lang: str = "vi", say: Callable[[str], None] | None = None,
                 progress: Callable[[float, str], None] | None = None,
                 start_timeout: float = 180.0, max_restarts: int = 3,
                 restart_window: float = 300.0, health_interval: float = 10.0) -> None:
        self.processes = processes
        self.host = host
        self.port = port
        self.db = db
        self.run_dir = Path(run_dir) if run_dir else default_run_dir(port)
        self.script = Path(script).resolve()
        self.cache_size = cache_size
        self.tls_cert = Path(tls_cert).resolve() if tls_cert else None
        self.tls_key = Path(tls_key).resolve() if tls_key else None
        self.allow_sqlite = allow_sqlite
        self.streamlit_options = tuple(streamlit_options)
        self.lang = lang
        self._say = say or (lambda m: None)
        self._progress = progress or (lambda f, m: None)
        self.start_timeout = start_timeout
        self.max_restarts = max_restarts
        self.restart_window = restart_window
        self.health_interval = health_interval
        self.apps: list[_App] = []
        self.nginx: subprocess.Popen | None = None
        self._nginx_bin = ""
        self._db_url = ""
        self._env: dict[str, str] = {}
        self._lock: int | None = None
        self._temp: Path | None = None
        self._temp_is_ours = False
        self._last_health = 0.0
        self.warnings: list[str] = []

    # -------------------------------------------------------------- public

    @property
    def url(self) -> str:
        """The address users open (loopback when listening on every address)."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1"
        elif ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.tls_cert else 'http'}://{host}:{self.port}"

    def t(self, vi: str, en: str) -> str:
        """A message in the cluster's language."""
        return tr(vi, en, self.lang)

    def check(self) -> None:
        """Everything that can be checked before starting anything.

        Raises
        ------
        ServeError
            nginx missing, port taken, database unreachable or not initialised,
            SQLite with several processes, no accounts on a public address, TLS
            files missing.
        ValidationError
            A bad argument.
        """
        if self.processes < 1:
            raise ValidationError("Số tiến trình phải từ 1 trở lên.",
                                  "The number of processes must be at least 1.",
                                  column="--processes")
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValidationError(
                "Cần cả --tls-cert và --tls-key (chứng chỉ và khóa riêng).",
                "Both --tls-cert and --tls-key are needed (certificate and private key).",
                column="--tls-cert")
        for f in (self.tls_cert, self.tls_key):
            if f is not None and not os.access(f, os.R_OK):
                raise ServeError(f"Không đọc được tệp {f}.", f"Cannot read the file {f}.",
                                 file=str(f))
        if not self.script.is_file():
            raise ServeError(f"Không có tệp ứng dụng {self.script}.",
                             f"No app file {self.script}.", file=str(self.script))
        streamlit_command(self.script, 0, self.streamlit_options)  # validates the options
        self._nginx_bin = find_nginx()
        check_port(self.host, self.port)
        self._db_url = self._check_database()

    def start(self, progress: Callable[[float, str], None] | None = None) -> None:
        """Check, start the app processes, then nginx; return once the proxy answers.

        ``progress(fraction, message)``, if given, replaces the constructor's.

        Raises
        ------
        ServeError
            Something failed; everything started is stopped again.
        """
        if progress is not None:
            self._progress = progress
        self.check()
        self._lock_run_dir()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def poll(self) -> None:
        """One supervision step: restart dead app processes, report unhealthy ones.

        Raises
        ------
        ServeError
            nginx exited, or a process keeps dying (the caller stops everything).
        """
        if self.nginx is not None and self.nginx.poll() is not None:
            code = self.nginx.returncode
            tail = _tail(self.run_dir / "logs" / "error.log")
            raise ServeError(
                f"nginx đã dừng (mã {code}); dừng toàn bộ. Nhật ký lỗi "
                f"{self.run_dir / 'logs' / 'error.log'}:\n{tail}",
                f"nginx exited (code {code}); stopping everything. Error log "
                f"{self.run_dir / 'logs' / 'error.log'}:\n{tail}")
        now = time.monotonic()
        check = now - self._last_health >= self.health_interval
        for app in self.apps:
            if app.proc is None:
                continue
            code = app.proc.poll()
            if code is not None:
                self._restart(app, code, now)
            elif app.starting:
                if health(f"http://127.0.0.1:{app.port}"):
                    app.starting = False
                    self._say(self.t(
                        f"Tiến trình {app.index} (cổng {app.port}) đã chạy lại.",
                        f"Process {app.index} (port {app.port}) is back."))
                    self._write_state()
            elif check:
                if health(f"http://127.0.0.1:{app.port}", timeout=5.0):
                    app.missed_checks = 0
                else:
                    app.missed_checks += 1
                    if app.missed_checks == 3:
                        self._say(self.t(
                            f"Cảnh báo: tiến trình {app.index} (cổng {app.port}) không trả lời "
                            "kiểm tra sức khỏe 3 lần liền (có thể đang tính toán lâu); "
                            f"nhật ký {app.log}.",
                            f"Warning: process {app.index} (port {app.port}) missed 3 health "
                            f"checks in a row (maybe a long computation); log {app.log}."))
        if check:
            self._last_health = now

    def serve_forever(self, stop: object | None = None, interval: float = 1.0) -> None:
        """Call :meth:`poll` every ``interval`` s until ``stop`` (a ``threading.Event``) is set."""
        while stop is None or not stop.is_set():  # type: ignore[attr-defined]
            self.poll()
            if stop is None:
                time.sleep(interval)
            else:
                stop.wait(interval)  # type: ignore[attr-defined]

    def stop(self) -> None:
        """Stop nginx, then every app process (SIGTERM, SIGKILL after a grace time)."""
        if self.nginx is not None:
            stop_process(self.nginx, 10.0)  # SIGTERM: nginx's fast shutdown
        for app in self.apps:
            if app.proc is not None and app.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    app.proc.terminate()
        for app in self.apps:
            if app.proc is not None:
                stop_process(app.proc, 15.0)
        if self._temp_is_ours and self._temp is not None:
            shutil.rmtree(self._temp, ignore_errors=True)
            self._temp = None
        with contextlib.suppress(OSError):
            (self.run_dir / "state.json").unlink()
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def state(self) -> dict:
        """What runs where (written to ``RUN_DIR/state.json``)."""
        return {
            "url": self.url, "run_dir": str(self.run_dir), "supervisor_pid": os.getpid(),
            "nginx": {"pid": self.nginx.pid if self.nginx else None,
                      "config": str(self.run_dir / "nginx.conf"),
                      "error_log": str(self.run_dir / "logs" / "error.log"),
                      "access_log": str(self.run_dir / "logs" / "access.log")},
            "apps": [{"index": a.index, "port": a.port,
                      "pid": a.proc.pid if a.proc else None, "log": str(a.log),
                      "restarts": len(a.deaths)} for a in self.apps],
            "database": _hide_password(self._db_url), "warnings": self.warnings,
        }

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------- internals

    def _check_database(self) -> str:
        from sqlalchemy.engine import make_url

        from geo.services.users import login_required
        from geo.store import current_revision, database_url, dispose_engines

        url = database_url(self.db)
        try:
            parsed = make_url(url)
        except Exception:  # noqa: BLE001 - any unparsable URL is the user's input
            raise ValidationError(f"URL cơ sở dữ liệu không hợp lệ: {url!r}.",
                                  f"Invalid database URL: {url!r}.", column="--db") from None
        if parsed.get_backend_name() == "sqlite":
            path = parsed.database or ""
            if path and path != ":memory:" and not path.startswith("file:"):
                # The app processes run in the repository folder: make it absolute.
                url = parsed.set(database=str(Path(path).resolve())).render_as_string(
                    hide_password=False)
            if self.processes > 1 and not self.allow_sqlite:
                raise ServeError(
                    "Nhiều tiến trình cần PostgreSQL/PostGIS (DIABAN_DATABASE_URL hoặc --db "
                    "postgresql+psycopg2://…): với SQLite, các tiến trình chờ nhau khi ghi và "
                    "một tệp trên ổ mạng có thể hỏng. Dùng --processes 1, hoặc thêm "
                    "--allow-sqlite để thử trên một máy.",
                    "Several processes need PostgreSQL/PostGIS (DIABAN_DATABASE_URL or --db "
                    "postgresql+psycopg2://…): on SQLite the processes wait for each other "
                    "to write, and a file on a network drive can be corrupted. Use "
                    "--processes 1, or add --allow-sqlite for a trial on one machine.")
            if self.processes > 1:
                self.warnings.append(self.t(
                    "SQLite với nhiều tiến trình: chỉ để thử; máy chủ của tỉnh dùng PostgreSQL.",
                    "SQLite with several processes: for a trial only; a province's server "
                    "uses PostgreSQL."))
        try:
            rev = current_revision(url)
            users = login_required(url) if rev is not None else False
        except Exception as e:  # noqa: BLE001 - unreachable server, bad credentials…
            raise ServeError(
                f"Không kết nối được cơ sở dữ liệu {_hide_password(url)} "
                f"({type(e).__name__}). Kiểm tra máy chủ CSDL, tên và mật khẩu trong URL.",
                f"Cannot reach the database {_hide_password(url)} ({type(e).__name__}). "
                "Check the database server, the user name and password in the URL.") from None
        finally:
            dispose_engines()
        if rev is None:
            raise ServeError(
                f"Cơ sở dữ liệu {_hide_password(url)} chưa được khởi tạo: chạy "
                "`diaban init` (hoặc `diaban demo` để có dữ liệu minh họa) trước.",
                f"The database {_hide_password(url)} is not initialised: run `diaban init` "
                "(or `diaban demo` for the demo data) first.")
        if not users and not _is_loopback(self.host):
            raise ServeError(
                "Chưa có tài khoản nào: khi đó mọi người mở được ứng dụng đều là quản trị. "
                "Tạo tài khoản quản trị trước (diaban users add quantri --role admin), hoặc "
                "chạy với --host 127.0.0.1 để chỉ dùng trên máy này.",
                "No accounts yet: then anyone who opens the app is an administrator. "
                "Create an administrator first (diaban users add quantri --role admin), "
                "or run with --host 127.0.0.1 to use it on this machine only.")
        return url

    def _lock_run_dir(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        (self.run_dir / "logs").mkdir(exist_ok=True)
        fd = os.open(self.run_dir / "serve.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ServeError(
                f"Một lệnh diaban serve khác đang dùng thư mục {self.run_dir}; dừng nó "
                "trước, hoặc chọn --run-dir khác.",
                f"Another diaban serve is using the folder {self.run_dir}; stop it first, "
                "or choose another --run-dir.") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._lock = fd

    def _start(self) -> None:
        self._progress(0.0, self.t("Kiểm tra xong; khởi động các tiến trình ứng dụng",
                                   "Checked; starting the app processes"))
        for old in self.run_dir.glob("app-*.log"):  # keep the previous run's logs once
            old.replace(old.with_name(old.name + ".1"))
        self._env = dict(os.environ)
        self._env.pop("DIABAN_DATABASE_URL", None)
        # One secret for every process: cookies (XSRF) signed by one process are valid
        # in another. In the environment, not on a command line others can read.
        self._env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_urlsafe(32)
        if self.cache_size:
            self._env["STREAMLIT_SERVER_MAX_CACHE_DATA_SIZE"] = str(self.cache_size)
        self._env["STREAMLIT_SERVER_ENABLE_AGENT_API"] = "false"
        ports: list[int] = []
        while len(ports) < self.processes:
            p = free_port()
            if p not in ports and p != self.port:
                ports.append(p)
        self.apps = [_App(i, p, self.run_dir / f"app-{i}.log")
                     for i, p in enumerate(ports, 1)]
        for app in self.apps:
            self._launch(app)
        deadline = time.monotonic() + self.start_timeout
        for n, app in enumerate(self.apps, 1):
            wait_healthy(app.port, app.proc, max(deadline - time.monotonic(), 1.0), app.log)
            app.starting = False
            self._progress(0.8 * n / len(self.apps), self.t(
                f"Tiến trình {app.index}/{len(self.apps)} sẵn sàng (cổng {app.port})",
                f"Process {app.index}/{len(self.apps)} ready (port {app.port})"))
        self._start_nginx()
        self._progress(1.0, self.t("Sẵn sàng", "Ready"))
        self._write_state()

    def _launch(self, app: _App) -> None:
        app.proc = launch_streamlit(app.port, app.log, script=self.script, db=self._db_url,
                                    env=self._env, options=self.streamlit_options,
                                    supervised=True)
        app.starting = True
        app.missed_checks = 0

    def _restart(self, app: _App, code: int, now: float) -> None:
        app.deaths = [t for t in app.deaths if now - t < self.restart_window] + [now]
        why = (f"tín hiệu {-code}" if code < 0 else f"mã {code}",
               f"signal {-code}" if code < 0 else f"code {code}")
        if len(app.deaths) > self.max_restarts:
            raise ServeError(
                f"Tiến trình {app.index} đã dừng {len(app.deaths)} lần trong "
                f"{self.restart_window:.0f} giây ({why[0]}); dừng toàn bộ. Xem nhật ký "
                f"{app.log}:\n{_tail(app.log)}",
                f"Process {app.index} died {len(app.deaths)} times within "
                f"{self.restart_window:.0f} s ({why[1]}); stopping everything. See its log "
                f"{app.log}:\n{_tail(app.log)}")
        self._say(self.t(
            f"Tiến trình {app.index} (cổng {app.port}) đã dừng ({why[0]}); người dùng của nó "
            f"được chuyển sang tiến trình khác và phải đăng nhập lại. Đang khởi động lại "
            f"(nhật ký {app.log}).",
            f"Process {app.index} (port {app.port}) died ({why[1]}); its users move to "
            f"another process and log in again. Restarting it (log {app.log})."))
        self._launch(app)
        self._write_state()

    def _nginx_args(self) -> list[str]:
        return [self._nginx_bin, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                "-e", str(self.run_dir / "logs" / "error.log")]

    def _start_nginx(self) -> None:
        worker_user = None
        if os.geteuid() == 0:
            # The workers drop root; they need a temporary folder they can reach.
            import pwd

            worker_user = next((u for u in ("www-data", "nobody") if _user_exists(u, pwd)),
                               None)
            self._temp = Path(tempfile.mkdtemp(prefix="diaban-nginx-"))
            self._temp.chmod(0o711)
            self._temp_is_ours = True
            if worker_user == "nobody":
                worker_user = "nobody nogroup"
        else:
            self._temp = self.run_dir / "temp"
            self._temp.mkdir(exist_ok=True)
        site = ProxySite(self.host, self.port, tuple(a.port for a in self.apps), self.run_dir,
                         self._temp, _max_upload_mb(ROOT), self.tls_cert, self.tls_key,
                         worker_user)
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_config(site), encoding="utf-8")
        test = subprocess.run([*self._nginx_args(), "-t", "-q"], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        if test.returncode != 0:
            raise ServeError(
                f"nginx từ chối cấu hình {conf}:\n{test.stderr.strip()}",
                f"nginx refused the configuration {conf}:\n{test.stderr.strip()}")
        out = self.run_dir / "logs" / "nginx.out"
        with open(out, "ab") as fh:
            self.nginx = subprocess.Popen(
                self._nginx_args(), stdin=subprocess.DEVNULL, stdout=fh,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent(os.getpid()))
        deadline = time.monotonic() + 15
        while not health(self.url):
            if self.nginx.poll() is not None or time.monotonic() > deadline:
                err = _tail(self.run_dir / "logs" / "error.log") + _tail(out)
                if "Address already in use" in err:
                    check_port(self.host, self.port)  # raises the port-taken message
                raise ServeError(
                    f"nginx không khởi động được; nhật ký {self.run_dir / 'logs'}:\n{err}",
                    f"nginx did not start; logs in {self.run_dir / 'logs'}:\n{err}")
            time.sleep(0.2)

    def _write_state(self) -> None:
        path = self.run_dir / "state.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state(), indent=1, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)


def _user_exists(name: str, pwd: object) -> bool:
    try:
        pwd.getpwnam(name)  # type: ignore[attr-defined]
        return True
    except KeyError:
        return False


def _hide_password(url: str) -> str:
    if not url:
        return url
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must never fail
        return "…"


class Stopped(Exception):  # noqa: N818 - a request, not an error
    """SIGTERM, SIGINT or SIGHUP arrived (raised by :func:`stop_signals`)."""


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Within the block, SIGTERM, SIGINT (Ctrl-C) and SIGHUP raise :class:`Stopped`.

    Call :func:`ignore_stop_signals` before stopping the children, so that a second
    Ctrl-C does not cut the shutdown short.
    """
    def handler(signum: int, frame: object) -> None:
        raise Stopped(signum)

    old = {s: signal.signal(s, handler) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def ignore_stop_signals() -> None:
    """Ignore SIGTERM, SIGINT and SIGHUP (while shutting down)."""
    for s in _STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
