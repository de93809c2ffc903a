"""Commands that bring data in and look at it: import, areas, show, indicators, sources,
crosswalk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from buurtbalans.cli.app import (
    GemeenteOpt,
    StoreOpt,
    _print,
    _reader,
    _store,
    _years,
    app,
    import_app,
    out,
)
from buurtbalans.errors import BuurtbalansError
from buurtbalans.terms import label, t, taal

if TYPE_CHECKING:
    import pandas as pd


JaarOpt = Annotated[
    int | None,
    typer.Option(min=1900, max=2100),
]
VintageOpt = Annotated[int | None, typer.Option(min=1900, max=2100)]
VervangOpt = Annotated[
    bool,
    typer.Option(
        "--vervang",
    ),
]


def _print_import(batch, result) -> None:
    from buurtbalans.exports import terminal_text
    from buurtbalans.terms import number, t, taal

    lang = taal()
    obs = batch.observations
    years = sorted({int(p) for p in obs["period"]}) if len(obs) else []
    summary = t(
        "cli_import_summary",
        title=batch.source.title,
        areas=number(len(batch.areas), lang, 0),
        indicators=obs["indicator"].nunique() if len(obs) else 0,
        years=", ".join(map(str, years)) or "–",
        values=number(len(obs), lang, 0),
        boundaries=t("cli_import_boundaries", n=number(len(batch.boundaries), lang, 0))
        if batch.boundaries is not None
        else "",
    )
    out.print(f"[green]{t('cli_imported')}[/green]: {terminal_text(summary)}")
    for line in batch.report:
        out.print(f"  {t('cli_note')}: {terminal_text(line)}")
    if result.values_replaced:
        out.print(f"  [yellow]{t('cli_replaced', n=result.values_replaced)}[/yellow]")


@import_app.command("file")
def import_file(
    path: Path,
    jaar: JaarOpt = None,
    vintage: VintageOpt = None,
    mapping: Annotated[Path | None, typer.Option()] = None,
    encoding: Annotated[str | None, typer.Option()] = None,
    gemeente: Annotated[str | None, typer.Option()] = None,
    blad: Annotated[
        str | None,
        typer.Option(),
    ] = None,
    vervang: VervangOpt = False,
    store: StoreOpt = None,
) -> None:
    """Import a KWB file, wijk- en buurtkaart, StatLine export or StatLine CSV
    ("onbewerkte dataset", any KWB year), Leefbaarometer file, saved OData folder, or a
    municipal table (with --mapping)."""
    from buurtbalans.sources.detect import import_path

    if encoding is not None:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise typer.BadParameter(
                f"unknown encoding {encoding!r}; use e.g. utf-8, cp1252 or latin-1",
                param_hint="--encoding",
            ) from None
    with _store(store) as st:
        areas = None
        if mapping is not None and gemeente:
            areas = st.areas(st.resolve_gemeente(gemeente), level="buurt", vintage=vintage)
        batch = import_path(
            path,
            jaar=jaar,
            vintage=vintage,
            mapping=mapping,
            areas=areas,
            encoding=encoding,
            blad=blad,
        )
        result = st.write(batch, vervang=vervang)
    _print_import(batch, result)


@import_app.command("cbs")
def import_cbs(
    jaren: Annotated[str, typer.Option()],
    gemeente: Annotated[list[str] | None, typer.Option("--gemeente", "-g")] = None,
    heel_nederland: Annotated[bool, typer.Option("--heel-nederland")] = False,
    vervang: VervangOpt = False,
    store: StoreOpt = None,
) -> None:
    """Fetch CBS Kerncijfers Wijken en Buurten from StatLine OData (needs internet)."""
    from buurtbalans.errors import DataError
    from buurtbalans.sources.cbs_odata import CBSOData, parse_years
    from buurtbalans.terms import taal

    try:
        years = parse_years(jaren)
    except DataError as exc:
        raise typer.BadParameter(exc.text(taal()), param_hint="--jaren") from None
    if not gemeente and not heel_nederland:
        raise typer.BadParameter("give --gemeente (repeatable) or --heel-nederland")
    batches = CBSOData().kwb(years, None if heel_nederland else gemeente)
    with _store(store) as st:
        result = st.write_all(batches, vervang=vervang)
    for b in batches:
        _print_import(b, result)


@import_app.command("demo")
def import_demo(store: StoreOpt = None) -> None:
    """Load the synthetic demo gemeente Voorbeeldstad (GM9999) into the store."""
    from buurtbalans.demo import load_demo
    from buurtbalans.terms import t

    with _store(store) as st:
        load_demo(st)
        label = t("cli_synthetic_label")
        out.print(f"[yellow]{label}[/yellow]: {t('cli_demo_loaded', path=st.path)}")
        out.print(f"  {t('cli_try')}: buurtbalans areas --gemeente Voorbeeldstad")


@app.command()
def areas(
    gemeente: GemeenteOpt,
    vintage: Annotated[int | None, typer.Option()] = None,
    niveau: Annotated[str, typer.Option()] = "buurt",
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """List a gemeente's buurten (or wijken) with their vintage."""
    from buurtbalans.exports import write_table

    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        df = st.areas(code, level=niveau, vintage=vintage)
    if df.empty:
        raise BuurtbalansError(
            f"no {niveau} areas for {code} in the store. Fix: import data for this gemeente first"
        )
    vintages = ", ".join(str(int(v)) for v in sorted(df.vintage.unique()))
    _print(
        df,
        t(
            "cli_areas_title",
            level=label(f"val_level_{niveau}", taal(), niveau),
            gemeente=code,
            n=len(df),
            vintages=vintages,
        ),
    )
    if output:
        write_table(df, output)


@app.command()
def show(
    indicator: str,
    gemeente: GemeenteOpt,
    jaren: Annotated[str | None, typer.Option()] = None,
    niveau: Annotated[str, typer.Option()] = "buurt",
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Show one indicator for a gemeente's areas (years as columns; export with --output)."""
    from buurtbalans.exports import write_table

    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        long = st.observations(
            [indicator], gemeente=code, level=niveau, periods=_years(jaren) if jaren else None
        )
    if long.empty:
        raise BuurtbalansError(
            f"no values of {indicator!r} for {code}. Fix: check the id "
            "(buurtbalans indicators) and import the data"
        )
    table = show_table(long)
    flagged = long[long.status != "ok"]
    _print(table, f"{indicator} — {code}")
    if len(flagged):
        out.print(
            f"{len(flagged)} value(s) not available: {flagged.status.value_counts().to_dict()}"
        )
    if output:
        write_table(table, output)


def show_table(long: pd.DataFrame) -> pd.DataFrame:
    """One row per area (its latest name), one column per year; empty where a year has no
    value. (Pivoting on code and name together would pair every code with every name.)"""
    names = long.sort_values(["vintage", "period"]).groupby("area_code")["name"].last()
    table = long.pivot_table(
        index="area_code", columns="period", values="value", aggfunc="first", dropna=False
    )
    table = table.reindex(sorted(long["area_code"].unique()))
    table.insert(0, "name", names.reindex(table.index))
    table = table.reset_index()
    table.columns = [str(c) for c in table.columns]
    return table


@app.command()
def indicators(store: StoreOpt = None) -> None:
    """The indicator catalogue (ids, labels, units, polarity)."""
    with _reader(store) as st:
        _print(
            st.indicators()[["id", "label_nl", "unit", "kind", "polarity", "theme"]],
            t("cli_indicators_title"),
            limit=500,
        )


@app.command()
def sources(store: StoreOpt = None) -> None:
    """Every import in the store: publisher, table, period, file hash."""
    with _reader(store) as st:
        twin = st.twin()
        if twin is not None:
            out.print(f"[bold yellow]{twin.get('label')}[/bold yellow]")
        shown = st.sources()[["table_id", "title", "period", "kind", "imported_at"]]
        _print(shown, t("cli_sources_title"))


@app.command()
def crosswalk(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option()],
    naar: Annotated[int, typer.Option()],
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Crosswalk of a gemeente's buurten between two vintages, with flags."""
    from buurtbalans.exports import write_table
    from buurtbalans.harmonise import store_crosswalk

    with _reader(store) as st:
        cw = store_crosswalk(st, van, naar, st.resolve_gemeente(gemeente))
    changed = cw[cw["flag"].notna()]
    _print(
        changed if len(changed) else cw,
        t("cli_crosswalk_title", van=van, naar=naar, n=len(changed)),
    )
    if output:
        write_table(cw, output)
