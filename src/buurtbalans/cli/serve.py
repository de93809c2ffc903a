"""``buurtbalans serve``: the dashboard and the read-only API on a store."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import StoreOpt, app, err, out
from buurtbalans.config import default_store_path
from buurtbalans.errors import BuurtbalansError, Msg
from buurtbalans.terms import t


def _check_free(host: str, port: int) -> None:
    """Refuse, in one clear line, a port another program already listens on (or an address
    this machine cannot listen on) before anything is loaded; uvicorn would print a trace."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise BuurtbalansError(Msg("err_cli_port_other", host=host, port=port, why=why)) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        if hasattr(socket, "SO_REUSEADDR") and sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BuurtbalansError(Msg("err_cli_port_busy", host=host, port=port)) from None
            why = exc.strerror or str(exc)
            refusal = Msg("err_cli_port_other", host=host, port=port, why=why)
            raise BuurtbalansError(refusal) from None


@app.command()
def serve(
    store: StoreOpt = None,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    demo: Annotated[bool, typer.Option("--demo")] = False,
    imports: Annotated[
        bool,
        typer.Option("--imports"),
    ] = False,
    max_upload_mb: Annotated[int, typer.Option()] = 20,
    tiles: Annotated[
        str | None,
        typer.Option(),
    ] = None,
) -> None:
    """Web dashboard and read-only REST API (/api/v1) on the store, at http://HOST:PORT/."""
    import tempfile

    if not 1 <= port <= 65535:
        raise typer.BadParameter(t("err_cli_port", port=str(port)), param_hint="--port")
    if not demo and Path(store or default_store_path()).is_dir():
        raise BuurtbalansError(Msg("err_store_is_dir", path=Path(store or default_store_path())))
    _check_free(host, port)

    from buurtbalans.web import require_web

    require_web()
    import uvicorn

    from buurtbalans.web import create_app

    token = os.environ.get("BUURTBALANS_TOKEN") or None
    tiles = tiles or os.environ.get("BUURTBALANS_TILES") or None
    tmp = None
    if demo:
        from buurtbalans.demo import load_demo
        from buurtbalans.store import Store

        tmp = tempfile.TemporaryDirectory(prefix="buurtbalans-demo-")
        path = Path(tmp.name) / "voorbeeldstad.duckdb"
        with Store(path) as st:
            load_demo(st)
        label = t("cli_synthetic_label")
        out.print(f"[bold yellow]{label}[/bold yellow] ({t('cli_temp_store', path=path)})")
    else:
        path = Path(store or default_store_path())
    loopback = host in ("127.0.0.1", "localhost", "::1")
    if not loopback:
        err.print(f"{t('cli_note')}: {t('cli_serve_public', host=host)}")
    application = create_app(
        path,
        imports=imports,
        token=token,
        max_upload=max_upload_mb * 1024 * 1024,
        tiles=tiles,
        tiles_attribution=os.environ.get("BUURTBALANS_TILES_ATTRIBUTION", ""),
        allowed_hosts=["127.0.0.1", "localhost", "[::1]", "::1"] if loopback else None,
        warm=True,
    )
    shown = f"[{host}]" if ":" in host else host
    out.print(t("cli_serve", host=shown, port=str(port)))
    try:
        uvicorn.run(application, host=host, port=port, log_level="warning")
    finally:
        if tmp is not None:
            tmp.cleanup()
