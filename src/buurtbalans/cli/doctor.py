"""``buurtbalans doctor``: check a store, list what is wrong, export what is readable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import StoreOpt, app, out
from buurtbalans.terms import t, taal


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
        WARNING,
        check_store,
        export_readable,
        folder_finding,
        restore_migrations,
    )

    lang = taal()
    path = Path(store or default_store_path())
    colour = {"fout": "red", "waarschuwing": "yellow", "info": "dim"}

    def show(finding) -> None:
        what, fix = finding.text(lang)
        fix = f" — {t('cli_fix').lower()}: {terminal_text(fix)}" if fix else ""
        shade, shown = colour[finding.severity], t(f"cli_severity_{finding.severity}")
        out.print(f"[{shade}]{shown}[/{shade}]: {terminal_text(what)}{fix}")

    if path.is_dir():  # a folder, not the store file: nothing to check, repair or export
        show(folder_finding(path))
        raise typer.Exit(1)
    if herstel:
        recorded = restore_migrations(path)
        out.print(t("cli_doctor_migrations", recorded=recorded or t("cli_doctor_none")))
    findings = check_store(path)
    for f in findings:
        show(f)
    errors = [f for f in findings if f.severity == ERROR]
    if export is not None:
        for line in export_readable(path, export):
            out.print(f"  {t('cli_exported')} {terminal_text(line.text(lang))}")
    if errors:
        raise typer.Exit(1)
    if warnings := [f for f in findings if f.severity == WARNING]:
        done = t("dr_done_warnings", n=len(warnings))
        out.print(f"[yellow]{done}[/yellow]: {terminal_text(path)}")
        return
    out.print(f"[green]{t('cli_doctor_ok')}[/green]: {terminal_text(path)}")
