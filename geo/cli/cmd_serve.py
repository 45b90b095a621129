"""``diaban serve``: several app processes behind nginx, for a province's users."""

from __future__ import annotations

import json
from pathlib import Path

import click

from geo.cli.common import ctx_obj, options, progress_bar, t


def register(cli: click.Group) -> None:
    """Add ``serve``."""
    cli.add_command(serve_cmd)


@click.command("serve")
@click.option("--processes", "-n", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Số tiến trình ứng dụng (mỗi tiến trình dùng tối đa một lõi CPU) / "
                   "app processes (each uses at most one CPU core).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True,
              help="Cổng người dùng mở / the port users open.")
@click.option("--host", default="0.0.0.0", show_default=True,
              help="Địa chỉ nghe (127.0.0.1: chỉ máy này) / address to listen on.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục cấu hình nginx, nhật ký, state.json (mặc định "
                   "~/.local/state/diaban/serve-CỔNG) / folder of nginx's config and the logs.")
@click.option("--cache-size", default="512mb", show_default=True,
              help="Giới hạn bộ nhớ đệm mỗi tiến trình (server.maxCacheDataSize; 0: không giới "
                   "hạn) / cache budget per process.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Chứng chỉ HTTPS (chuỗi PEM) / HTTPS certificate chain.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Khóa riêng HTTPS / HTTPS private key.")
@click.option("--allow-sqlite", is_flag=True,
              help="Cho phép nhiều tiến trình trên SQLite (chỉ để thử) / several processes on "
                   "SQLite, for a trial.")
@click.option("--app", "script", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, hidden=True, help="Another Streamlit script (the benchmark's peer).")
@click.option("--streamlit-opt", multiple=True, metavar="KEY=VALUE", hidden=True,
              help="Extra Streamlit setting of every process.")
@options
def serve_cmd(processes: int, port: int, host: str, run_dir: Path | None, cache_size: str,
              tls_cert: Path | None, tls_key: Path | None, allow_sqlite: bool,
              script: Path | None, streamlit_opt: tuple[str, ...]) -> None:
    """Chạy ứng dụng cho nhiều người: N tiến trình sau nginx. / Serve many users.

    Khởi động N tiến trình Streamlit của ứng dụng (mỗi tiến trình một cổng nội bộ) và
    nginx phía trước, giữ mỗi trình duyệt ở một tiến trình (cookie diaban_route), chặn
    /_stcore/metrics. Tiến trình chết được khởi động lại; Ctrl-C dừng tất cả. Cần
    PostgreSQL khi chạy nhiều tiến trình. / Starts N Streamlit processes of the app and
    nginx in front, keeps each browser on one process (cookie diaban_route), refuses
    /_stcore/metrics. A process that dies is restarted; Ctrl-C stops everything.
    Several processes need PostgreSQL. See docs/deploy.md.
    """
    from geo.serve import APP_SCRIPT, Cluster, Stopped, ignore_stop_signals, stop_signals

    o = ctx_obj()
    cluster = Cluster(
        processes, host=host, port=port, db=o["db"], run_dir=run_dir,
        script=script or APP_SCRIPT, cache_size=None if cache_size in ("0", "") else cache_size,
        tls_cert=tls_cert, tls_key=tls_key, allow_sqlite=allow_sqlite,
        streamlit_options=streamlit_opt, lang=o["lang"],
        say=lambda m: click.echo(m, err=True))
    with stop_signals():
        try:
            with progress_bar(t("Khởi động", "Starting")) as cb:
                cluster.start(progress=cb)
            for w in cluster.warnings:
                click.echo(t("Cảnh báo: ", "Warning: ") + w, err=True)
            if o["json"]:
                click.echo(json.dumps(cluster.state(), ensure_ascii=False))
            else:
                click.echo(t(
                    f"diaban đang chạy tại {cluster.url} với {processes} tiến trình sau nginx "
                    f"(nhật ký và cấu hình: {cluster.run_dir}). Ctrl-C để dừng.",
                    f"diaban is serving at {cluster.url} with {processes} processes behind "
                    f"nginx (logs and config: {cluster.run_dir}). Ctrl-C stops it."))
            cluster.serve_forever()
        except Stopped:
            click.echo(t("Đang dừng…", "Stopping…"), err=True)
        finally:
            ignore_stop_signals()
            cluster.stop()
    click.echo(t("Đã dừng mọi tiến trình.", "Every process stopped."), err=True)
