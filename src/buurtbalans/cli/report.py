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
    _early_gemeente,
    _period,
    _print_basis,
    _reader,
    _store,
    app,
    out,
)
from buurtbalans.terms import t

T = TypeVar("T")


class Taal(StrEnum):
    """Report language (validated by typer before anything runs)."""

    nl = "nl"
    en = "en"


TaalOpt = Annotated[
    Taal | None,
    typer.Option(
        case_sensitive=False,
    ),
]


def _taal(taal: Taal | None) -> str:
    """The report's language, also the language of the console lines around it."""
    from buurtbalans.terms import set_taal
    from buurtbalans.terms import taal as current

    if taal is not None:
        set_taal(taal.value)
    return current()


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
    taal: TaalOpt = None,
    uit: Annotated[Path, typer.Option()] = Path("rapport"),
    vintage: Annotated[int | None, typer.Option()] = None,
    spec: Annotated[str, typer.Option()] = "mdi",
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    benchmark: Annotated[
        bool,
        typer.Option("--benchmark"),
    ] = False,
    peers: Annotated[list[str] | None, typer.Option("--peers")] = None,
    stad: Annotated[
        bool | None,
        typer.Option(
            "--stad/--geen-stad",
        ),
    ] = None,
    domeinen: DomeinenOpt = None,
    tolerantie: TolerantieOpt = 0.0,
    store: StoreOpt = None,
) -> None:
    """The main job: maps, charts, findings and tables in rapport.html/.pdf, tabellen.xlsx,
    kaarten.gpkg and run.json. The change rests on the domains both years have; without
    enough of them the report is refused with what each year has and how to get the rest."""
    _check_order(van, tot)
    gemeente = _early_gemeente(store, gemeente)  # before the heavy imports below
    from buurtbalans.report import build_report
    from buurtbalans.spec import load_spec

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
                taal=_taal(taal),
                vintage=vintage,
                spec=sp,
                pdf=pdf,
                benchmark=benchmark or bool(peers),
                peers=peers,
                tolerance=tolerantie,
                stad=stad,
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
        out.print(f"[yellow]{t('cli_note')}[/yellow]: {note}")
    out.print(f"{t('cli_written')}: " + ", ".join(str(p) for p in report.files.values()))


@app.command()
def demo(
    uit: Annotated[Path, typer.Option()] = Path("uit"),
    taal: TaalOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf/--geen-pdf")] = True,
    nederland: Annotated[
        bool,
        typer.Option(
            "--nederland",
        ),
    ] = False,
    klein: Annotated[bool, typer.Option("--klein")] = False,
    bestanden: Annotated[
        Path | None,
        typer.Option(),
    ] = None,
    store: StoreOpt = None,
) -> None:
    """The main job on the embedded default: loads the synthetic Voorbeeldstad into the
    store (the default store, or --store) and writes its report, 2015 → 2024 (no internet,
    no shared data). Afterwards every command works on Voorbeeldstad. With --nederland:
    builds the synthetic national twin into its own store (the national path offline)."""
    if bestanden is not None and not (nederland or klein):  # said, never silently ignored
        raise typer.BadParameter(t("err_cli_bestanden"), param_hint="--bestanden")
    if nederland or klein:
        from buurtbalans.cli.twin import build

        _taal(taal)
        build(store, klein=klein, folder=bestanden)
        return
    from buurtbalans.demo import GEMEENTE, load_demo
    from buurtbalans.report import build_report

    lang = _taal(taal)
    with _store(store) as st, _own_folder(uit):
        load_demo(st)
        out.print(f"[bold yellow]{t('cli_synthetic_label')}[/bold yellow]")
        out.print(t("cli_demo_in_store", path=st.path))
        report = build_report(st, GEMEENTE, 2015, 2024, uit=uit, taal=lang, synthetic=True, pdf=pdf)
    _report_done(report)
    out.print(
        f"{t('cli_next')}: buurtbalans crosswalk --gemeente Voorbeeldstad --van 2015 --naar 2022"
        + (f" --store {store}" if store else "")
    )
