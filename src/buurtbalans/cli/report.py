"""The main job: ``rapport`` and ``demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import (
    GemeenteOpt,
    StoreOpt,
    _store,
    app,
    out,
)


@app.command()
def rapport(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option()],
    tot: Annotated[int, typer.Option()],
    taal: Annotated[str, typer.Option(help="nl or en")] = "nl",
    uit: Annotated[Path, typer.Option(help="output folder")] = Path("rapport"),
    vintage: Annotated[int | None, typer.Option(help="boundary year to compare on")] = None,
    spec: Annotated[str, typer.Option()] = "mdi",
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    benchmark: Annotated[
        bool,
        typer.Option("--benchmark", help="add the benchmark chapter (gemeente vs NL and peers)"),
    ] = False,
    peers: Annotated[list[str] | None, typer.Option("--peers")] = None,
    store: StoreOpt = None,
) -> None:
    """The main job: maps, charts, findings and tables in rapport.html/.pdf, tabellen.xlsx,
    kaarten.gpkg and run.json."""
    from buurtbalans.report import build_report
    from buurtbalans.spec import load_spec

    if taal not in ("nl", "en"):
        raise typer.BadParameter("--taal is nl or en")
    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        report = build_report(
            st,
            code,
            van,
            tot,
            uit=uit,
            taal=taal,
            vintage=vintage,
            spec=load_spec(spec),
            pdf=pdf,
            benchmark=benchmark or bool(peers),
            peers=peers,
        )
    _report_done(report)


def _report_done(report) -> None:
    for line in report.findings:
        out.print(f"• {line}")
    for note in report.notes:
        out.print(f"[yellow]let op[/yellow]: {note}")
    out.print("geschreven: " + ", ".join(str(p) for p in report.files.values()))


@app.command()
def demo(
    uit: Annotated[Path, typer.Option(help="output folder")] = Path("uit"),
    taal: Annotated[str, typer.Option(help="nl or en")] = "nl",
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    store: StoreOpt = None,
) -> None:
    """The main job on the embedded default: the report for the synthetic Voorbeeldstad,
    2015 → 2024 (no internet, no shared data)."""
    from buurtbalans.demo import GEMEENTE, LABEL, load_demo
    from buurtbalans.report import build_report

    path = store or (uit / "voorbeeldstad.duckdb")
    with _store(path) as st:
        load_demo(st)
        out.print(f"[bold yellow]{LABEL}[/bold yellow]")
        report = build_report(st, GEMEENTE, 2015, 2024, uit=uit, taal=taal, synthetic=True, pdf=pdf)
    _report_done(report)
