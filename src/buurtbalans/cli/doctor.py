"""``buurtbalans doctor``: check a store, list what is wrong, export what is readable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import StoreOpt, app, out
from buurtbalans.terms import t


@app.command()
def doctor(
    export: Annotated[Path | None, typer.Option("--export")] = None,
    herstel: Annotated[
        bool,
        typer.Option("--herstel"),
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Check a store: file, schema, migrations, consistency and values; exit 1 on errors."""
    from buurtbalans.config import default_store_path
    from buurtbalans.exports import terminal_text
    from buurtbalans.store.doctor import (
        ERROR,
        check_store,
        export_readable,
        restore_migrations,
    )

    path = Path(store or default_store_path())
    if herstel:
        recorded = restore_migrations(path)
        out.print(t("cli_doctor_migrations", recorded=recorded or t("cli_doctor_none")))
    findings = check_store(path)
    colour = {"fout": "red", "waarschuwing": "yellow", "info": "dim"}
    for f in findings:
        fix = f" — {t('cli_fix').lower()}: {terminal_text(f.fix)}" if f.fix else ""
        shown = t(f"cli_severity_{f.severity}")
        out.print(
            f"[{colour[f.severity]}]{shown}[/{colour[f.severity]}]: {terminal_text(f.what)}{fix}"
        )
    errors = [f for f in findings if f.severity == ERROR]
    if export is not None:
        for line in export_readable(path, export):
            out.print(f"  {t('cli_exported')} {terminal_text(line)}")
    if errors:
        raise typer.Exit(1)
    out.print(f"[green]{t('cli_doctor_ok')}[/green]: {terminal_text(path)}")
