"""The main job: ``rapport`` and ``demo``."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from buurtbalans.cli.app import (
    DomeinenOpt,
    GemeenteOpt,
    StoreOpt,
    TolerantieOpt,
    TotOpt,
    VanOpt,
    _check_order,
    _period,
    _print_basis,
    _reader,
    _store,
    app,
    out,
)

T = TypeVar("T")


class Taal(StrEnum):
    """Report language (validated by typer before anything runs)."""

    nl = "nl"
    en = "en"


TaalOpt = Annotated[Taal, typer.Option(help="nl or en", case_sensitive=False)]


@contextmanager
def _own_folder(uit: Path) -> Iterator[None]:
    """A failed run leaves no output folder behind that it created itself."""
    uit = Path(uit)
    existed = uit.exists()
    try:
        yield
    except BaseException:
        if not existed and uit.is_dir():
            shutil.rmtree(uit, ignore_errors=True)
        raise


@app.command()
def rapport(
    gemeente: GemeenteOpt,
    van: VanOpt = None,
    tot: TotOpt = None,
    taal: TaalOpt = Taal.nl,
    uit: Annotated[Path, typer.Option(help="output folder")] = Path("rapport"),
    vintage: Annotated[int | None, typer.Option(help="boundary year to compare on")] = None,
    spec: Annotated[str, typer.Option(help="preset (mdi) or a TOML spec file")] = "mdi",
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    benchmark: Annotated[
        bool,
        typer.Option("--benchmark", help="add the benchmark chapter (gemeente vs NL and peers)"),
    ] = False,
    peers: Annotated[list[str] | None, typer.Option("--peers")] = None,
    domeinen: DomeinenOpt = None,
    tolerantie: TolerantieOpt = 0.0,
    store: StoreOpt = None,
) -> None:
    """The main job: maps, charts, findings and tables in rapport.html/.pdf, tabellen.xlsx,
    kaarten.gpkg and run.json. The change rests on the domains both years have; without
    enough of them the report is refused with what each year has and how to get the rest."""
    from buurtbalans.report import build_report
    from buurtbalans.spec import load_spec

    _check_order(van, tot)
    sp = load_spec(spec)
    if domeinen:
        from buurtbalans.analysis.basis import check_domains

        check_domains(sp, domeinen)
    with _reader(store) as st, _own_folder(uit):
        code = st.resolve_gemeente(gemeente)
        van, tot = _period(st, code, van, tot)
        report = _with_domains(
            domeinen,
            lambda: build_report(
                st,
                code,
                van,
                tot,
                uit=uit,
                taal=taal.value,
                vintage=vintage,
                spec=sp,
                pdf=pdf,
                benchmark=benchmark or bool(peers),
                peers=peers,
                tolerance=tolerantie,
            ),
        )
    _report_done(report)


def _with_domains(domeinen: str | None, build: Callable[[], T]) -> T:
    """Run ``build`` with the user's --domeinen choice applied to every change analysis."""
    if not domeinen:
        return build()
    from buurtbalans.analysis import pipeline

    chosen = [d.strip() for d in domeinen.split(",") if d.strip()]
    with pipeline.domain_choice(chosen):
        return build()


def _report_done(report) -> None:
    if getattr(report, "analysis", None) is not None:
        _print_basis(report.analysis)
    for line in report.findings:
        out.print(f"• {line}")
    for note in report.notes:
        out.print(f"[yellow]let op[/yellow]: {note}")
    out.print("geschreven: " + ", ".join(str(p) for p in report.files.values()))


@app.command()
def demo(
    uit: Annotated[Path, typer.Option(help="output folder")] = Path("uit"),
    taal: TaalOpt = Taal.nl,
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    nederland: Annotated[
        bool,
        typer.Option(
            "--nederland",
            help="build the synthetic national twin (342 gemeenten, ~12,000 buurten, "
            "2015-2024) into a store of its own instead",
        ),
    ] = False,
    klein: Annotated[
        bool, typer.Option("--klein", help="with --nederland: 25 gemeenten, 3 years")
    ] = False,
    bestanden: Annotated[
        Path | None,
        typer.Option(help="with --nederland: keep the twin's files (KWB, kaart …) here"),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """The main job on the embedded default: loads the synthetic Voorbeeldstad into the
    store (the default store, or --store) and writes its report, 2015 → 2024 (no internet,
    no shared data). Afterwards every command works on Voorbeeldstad. With --nederland:
    builds the synthetic national twin into its own store (the national path offline)."""
    if nederland or klein:
        from buurtbalans.cli.twin import build

        build(store, klein=klein, folder=bestanden)
        return
    from buurtbalans.demo import GEMEENTE, LABEL, load_demo
    from buurtbalans.report import build_report

    with _store(store) as st, _own_folder(uit):
        load_demo(st)
        out.print(f"[bold yellow]{LABEL}[/bold yellow]")
        out.print(f"Voorbeeldstad (GM9999) staat in de store {st.path}")
        report = build_report(
            st, GEMEENTE, 2015, 2024, uit=uit, taal=taal.value, synthetic=True, pdf=pdf
        )
    _report_done(report)
    out.print(
        "verder: buurtbalans crosswalk --gemeente Voorbeeldstad --van 2015 --naar 2022"
        + (f" --store {store}" if store else "")
    )
