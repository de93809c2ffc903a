"""The ``buurtbalans`` command: a thin layer over the library.

Each command makes library calls; library errors become one clear message and exit code 1.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from buurtbalans import __version__
from buurtbalans.config import default_store_path
from buurtbalans.errors import BuurtbalansError

app = typer.Typer(
    help="buurtbalans: stapeling van achterstanden in buurten, open en reproduceerbaar.",
    no_args_is_help=True,
    add_completion=False,
)
import_app = typer.Typer(help="Data importeren in de store.", no_args_is_help=True)
app.add_typer(import_app, name="import")
_WIDTH = None if sys.stdout.isatty() else 160  # wide tables stay readable in files and pipes
out = Console(width=_WIDTH)
err = Console(stderr=True, width=_WIDTH)

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store", help="DuckDB store file (default: $BUURTBALANS_STORE or user data dir)"
    ),
]
GemeenteOpt = Annotated[str, typer.Option("--gemeente", "-g", help="naam of code (GM0141)")]


def _store(path: Path | None):
    from buurtbalans.store import Store

    return Store(path or default_store_path())


def _years(text: str) -> list[int]:
    """'2015,2024' or '2015-2024' → years."""
    years: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                a, b = part.split("-")
                years += list(range(int(a), int(b) + 1))
            else:
                years.append(int(part))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: give years as 2015,2024 or 2015-2024") from None
    return years


def _print(df: pd.DataFrame, title: str, limit: int = 40) -> None:
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(
            str(col), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left"
        )
    for row in df.head(limit).itertuples(index=False):
        table.add_row(
            *["" if pd.isna(v) else f"{v:.1f}" if isinstance(v, float) else str(v) for v in row]
        )
    out.print(table)
    if len(df) > limit:
        out.print(f"… {len(df) - limit} more rows (use --output to export all)")


@import_app.command("file")
def import_file(
    path: Path,
    jaar: Annotated[int | None, typer.Option(help="year of the data, if not in the file")] = None,
    vintage: Annotated[int | None, typer.Option(help="year of the area classification")] = None,
    mapping: Annotated[Path | None, typer.Option(help="TOML mapping for a municipal table")] = None,
    encoding: Annotated[str | None, typer.Option(help="CSV encoding, e.g. cp1252")] = None,
    gemeente: Annotated[str | None, typer.Option(help="gemeente, to match buurt names")] = None,
    store: StoreOpt = None,
) -> None:
    """Import a KWB file, wijk- en buurtkaart, StatLine export, Leefbaarometer file, saved
    OData folder, or a municipal table (with --mapping)."""
    from buurtbalans.sources.detect import import_path

    with _store(store) as st:
        areas = None
        if mapping is not None and gemeente:
            areas = st.areas(st.resolve_gemeente(gemeente), level="buurt", vintage=vintage)
        batch = import_path(
            path, jaar=jaar, vintage=vintage, mapping=mapping, areas=areas, encoding=encoding
        )
        st.write(batch)
        out.print(f"[green]Geïmporteerd[/green]: {batch.summary()}")
        for line in batch.report:
            out.print(f"  let op: {line}")
        if batch.source.notes:
            out.print(f"  {batch.source.notes}")


@import_app.command("cbs")
def import_cbs(
    jaren: Annotated[str, typer.Option(help="e.g. 2015-2024 or 2015,2024")],
    gemeente: Annotated[
        list[str] | None, typer.Option("--gemeente", "-g", help="naam of code; repeat for more")
    ] = None,
    heel_nederland: Annotated[
        bool, typer.Option("--heel-nederland", help="every gemeente, wijk and buurt of NL")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Fetch CBS Kerncijfers Wijken en Buurten from StatLine OData (needs internet)."""
    from buurtbalans.sources.cbs_odata import CBSOData

    if not gemeente and not heel_nederland:
        raise typer.BadParameter("give --gemeente (repeatable) or --heel-nederland")
    batches = CBSOData().kwb(_years(jaren), None if heel_nederland else gemeente)
    with _store(store) as st:
        st.write_all(batches)
    for b in batches:
        out.print(f"[green]Geïmporteerd[/green]: {b.summary()}")


@import_app.command("demo")
def import_demo(store: StoreOpt = None) -> None:
    """Load the synthetic demo gemeente Voorbeeldstad (GM9999) into the store."""
    from buurtbalans.demo import LABEL, load_demo

    with _store(store) as st:
        load_demo(st)
        out.print(f"[yellow]{LABEL}[/yellow]: geladen in {st.path}")


@app.command()
def areas(
    gemeente: GemeenteOpt,
    vintage: Annotated[int | None, typer.Option()] = None,
    niveau: Annotated[str, typer.Option(help="buurt, wijk or gemeente")] = "buurt",
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """List a gemeente's buurten (or wijken) with their vintage."""
    from buurtbalans.exports import write_table

    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        df = st.areas(code, level=niveau, vintage=vintage)
    if df.empty:
        raise BuurtbalansError(
            f"no {niveau} areas for {code} in the store. Fix: import data for this gemeente first"
        )
    _print(df, f"{niveau} van {code} ({len(df)}, vintages {sorted(df.vintage.unique())})")
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

    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        long = st.observations(
            [indicator], gemeente=code, level=niveau, periods=_years(jaren) if jaren else None
        )
    if long.empty:
        raise BuurtbalansError(
            f"no values of {indicator!r} for {code}. Fix: check the id "
            "(buurtbalans indicators) and import the data"
        )
    table = long.pivot_table(
        index=["area_code", "name"], columns="period", values="value", aggfunc="first", dropna=False
    ).reset_index()
    table.columns = [str(c) for c in table.columns]
    flagged = long[long.status != "ok"]
    _print(table, f"{indicator} — {code}")
    if len(flagged):
        out.print(
            f"{len(flagged)} value(s) not available: {flagged.status.value_counts().to_dict()}"
        )
    if output:
        write_table(table, output)


@app.command()
def indicators(store: StoreOpt = None) -> None:
    """The indicator catalogue (ids, labels, units, polarity)."""
    with _store(store) as st:
        _print(
            st.indicators()[["id", "label_nl", "unit", "kind", "polarity", "theme"]],
            "indicatoren",
            limit=500,
        )


@app.command()
def sources(store: StoreOpt = None) -> None:
    """Every import in the store: publisher, table, period, file hash."""
    with _store(store) as st:
        _print(st.sources()[["table_id", "title", "period", "kind", "imported_at"]], "bronnen")


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

    with _store(store) as st:
        cw = store_crosswalk(st, van, naar, st.resolve_gemeente(gemeente))
    changed = cw[cw["flag"].notna()]
    _print(
        changed if len(changed) else cw,
        f"crosswalk {van} → {naar}: {len(changed)} gewijzigde buurten",
    )
    if output:
        write_table(cw, output)


@app.command()
def index(
    spec: Annotated[str, typer.Option(help="preset (mdi) or TOML file")] = "mdi",
    gemeente: Annotated[str | None, typer.Option("--gemeente", "-g")] = None,
    jaren: Annotated[str | None, typer.Option()] = None,
    input: Annotated[Path | None, typer.Option("--input", help="bring-your-own-data file")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column")] = None,
    referentie: Annotated[
        str | None, typer.Option(help="input, input-pooled, national, national-pooled")
    ] = None,
    schaal: Annotated[
        str | None, typer.Option(help="percentile, exponential, zscore, none")
    ] = None,
    vintage: Annotated[int | None, typer.Option(help="move all years onto this vintage")] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Compute a composite index (MDI by default), from the store or from your own file."""
    from buurtbalans.exports import write_table
    from buurtbalans.index.engine import compute
    from buurtbalans.index.store_mode import index_for_gemeente
    from buurtbalans.sources.tables import read_table
    from buurtbalans.spec import load_spec

    sp = load_spec(spec)
    changes = {k: v for k, v in (("reference", referentie), ("transform", schaal)) if v}
    if input is None and gemeente is None:
        raise typer.BadParameter("give --gemeente (store mode) or --input (own data)")
    if input is not None:
        if not id_column:
            raise typer.BadParameter("--input needs --id-column (the area id column)")
        sp = sp.with_options(**{"reference": "input", **changes})
        data = read_table(input)
        result = compute(data, sp, id_columns=[id_column], provenance={"input": str(input)})
        table = result.table[result.output_columns()]
    else:
        if changes:
            sp = sp.with_options(**changes)
        with _store(store) as st:
            code = st.resolve_gemeente(gemeente)  # type: ignore[arg-type]
            years = (
                _years(jaren)
                if jaren
                else sorted({int(p) for p in st.observations(["a_inw"], gemeente=code)["period"]})
            )
            sp = _reference(st, sp, years, referentie)
            result = index_for_gemeente(st, sp, code, years, vintage=vintage)
        table = result.table
    for note in result.warnings:
        err.print(f"let op: {note}")
    show_cols = [c for c in result.output_columns() if c in table.columns]
    _print(
        table.sort_values("score", ascending=False)[show_cols],
        f"{sp.name} ({sp.transform}, referentie {sp.reference})",
    )
    if output:
        write_table(table, output, provenance=result.run.to_dict()["provenance"], sheet=sp.name)
        output.with_suffix(".run.json").write_text(
            json.dumps(result.run.to_dict(), indent=2, default=str)
        )
        out.print(f"geschreven: {output} (+ {output.with_suffix('.run.json').name})")


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


def _mdi(spec: str, referentie: str | None, schaal: str | None):
    from buurtbalans.spec import load_spec

    sp = load_spec(spec)
    changes = {k: v for k, v in (("reference", referentie), ("transform", schaal)) if v}
    return sp.with_options(**changes) if changes else sp


def _reference(st, sp, years: list[int], referentie: str | None):
    """A national reference needs all NL buurten; without them (and without an explicit
    --referentie) rank within the gemeente and say so."""
    from buurtbalans.index.store_mode import choose_reference

    if referentie or not sp.reference.startswith("national"):
        return sp
    chosen = choose_reference(st, years)
    if chosen != "national":
        err.print(
            "let op: de store heeft niet alle buurten van Nederland voor "
            f"{years}; gerangschikt binnen de gemeente ({chosen}). Voor een landelijke "
            "referentie: buurtbalans import cbs --heel-nederland --jaren ..."
        )
        return sp.with_options(reference=chosen)
    return sp


def _sheets(path: Path, tables: dict[str, pd.DataFrame], provenance: dict) -> None:
    from buurtbalans.exports import write_tables

    write_tables(tables, path, provenance=provenance)
    out.print(f"geschreven: {path}")


ReferentieOpt = Annotated[
    str | None, typer.Option(help="input, input-pooled, national, national-pooled")
]


@app.command("verandering")
def verandering(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option()],
    tot: Annotated[int, typer.Option()],
    spec: Annotated[str, typer.Option()] = "mdi",
    referentie: ReferentieOpt = None,
    schaal: Annotated[str | None, typer.Option()] = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option(help=".xlsx: one sheet per table")] = None,
    store: StoreOpt = None,
) -> None:
    """Change per buurt between two years: improved/worsened, class transitions, which
    domains drove it, and whether the gap between best and worst grew."""
    from buurtbalans.analysis.pipeline import change_analysis

    sp = _mdi(spec, referentie, schaal)
    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        sp = _reference(st, sp, [van, tot], referentie)
        a = change_analysis(st, sp, code, van, tot, vintage=vintage)
    _print(a.summary, f"{sp.name} {van} → {tot} (vintage {a.vintage})")
    _print(a.transitions.reset_index(), f"klassen {van} (rijen) → {tot} (kolommen)")
    f = a.flows
    out.print(
        f"zeer hoog: {f['toen']} → {f['nu']} (uit {f['uitgestroomd']}, in {f['ingestroomd']})"
    )
    _print(
        a.decomposition, f"bijdrage per domein aan Δ {a.decomposition.attrs['delta_gemeente']:.1f}"
    )
    p = a.polarisation
    _print(
        p.gaps.set_index("jaar").T.rename_axis("maat").reset_index(),
        "kloof slechtste vs beste buurten",
    )
    out.print(
        f"helling Δ op startscore: {p.slope:.3f} (95%-interval {p.slope_ci[0]:.3f} tot "
        f"{p.slope_ci[1]:.3f}, n = {p.slope_n})"
    )
    if output:
        _sheets(
            output,
            {
                "verandering": a.change,
                "samenvatting": a.summary,
                "overgangen": a.transitions.reset_index(),
                "decompositie": a.decomposition,
                "kloof": p.gaps,
                "ongelijkheid": p.inequality,
            },
            a.index.run.to_dict()["provenance"],
        )


@app.command("prioriteiten")
def prioriteiten(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option()],
    tot: Annotated[int, typer.Option()],
    aantal: Annotated[int, typer.Option(help="buurten per option")] = 10,
    spec: Annotated[str, typer.Option()] = "mdi",
    referentie: ReferentieOpt = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """The four ways to pick buurten (highest score, most residents, highest cost per
    resident, least improvement) with reach, cost, overlap and robustness."""
    from buurtbalans.analysis.pipeline import change_analysis, priorities_analysis

    sp = _mdi(spec, referentie, None)
    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        sp = _reference(st, sp, [van, tot], referentie)
        a = change_analysis(st, sp, code, van, tot, vintage=vintage)
        summary, sels, ov, rob = priorities_analysis(st, a, code, tot, n=aantal)
    _print(summary, f"prioritering: {aantal} buurten per optie")
    for row in summary.itertuples():
        if row.status != "ok":
            out.print(f"[yellow]{row.optie}[/yellow]: {row.status}")
    _print(ov, "overlap tussen de lijsten")
    weak = rob[~rob["robuust"] & (rob["kans_top"] > 0)]
    _print(rob.head(aantal + 5), "robuustheid (kans in top bij variërende gewichten/schaal)")
    if len(weak):
        out.print(f"{len(weak)} buurt(en) staan maar soms in de top: selectie niet robuust")
    if output:
        _sheets(
            output,
            {
                "opties": summary,
                "overlap": ov,
                "robuustheid": rob,
                **{f"lijst {s.option.id}"[:31]: s.buurten for s in sels},
            },
            a.index.run.to_dict()["provenance"],
        )


@app.command("veerkracht")
def veerkracht_cmd(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option()],
    tot: Annotated[int, typer.Option()],
    vintage: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """The seven veerkracht maps (overlast, kwetsbaar, focus, corporatiebezit, their
    development and the typology) as tables."""
    from buurtbalans.analysis.pipeline import veerkracht_analysis

    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        maps, settings, cross = veerkracht_analysis(st, code, van, tot, vintage=vintage)
    for col in [c for c in maps.columns if c.startswith("kaart")]:
        counts = maps[col].value_counts().rename_axis(col).reset_index(name="buurten")
        _print(counts, col)
    _print(cross.reset_index(), "veerkracht × corporatiebezit")
    out.print(f"instellingen: {settings}")
    if output:
        _sheets(output, {"kaarten": maps, "corporatiebezit": cross.reset_index()}, settings)


@app.command("benchmark")
def benchmark_cmd(
    gemeente: GemeenteOpt,
    peers: Annotated[
        list[str] | None,
        typer.Option("--peers", help="peer gemeente; repeat (default: 12 nearest neighbours)"),
    ] = None,
    regel: Annotated[
        str | None, typer.Option(help="seed004: > 100,000 residents + Lelystad, nearest 12")
    ] = None,
    aantal: Annotated[int, typer.Option(help="number of automatic peers")] = 12,
    jaar: Annotated[int | None, typer.Option(help="latest year to use")] = None,
    output: Annotated[Path | None, typer.Option(help=".xlsx workbook")] = None,
    store: StoreOpt = None,
) -> None:
    """A gemeente against NL and its peer gemeenten on every indicator in the store."""
    from buurtbalans.analysis.pipeline import benchmark_analysis

    with _store(store) as st:
        code = st.resolve_gemeente(gemeente)
        b = benchmark_analysis(st, code, peers=peers, rule=regel, k=aantal, year=jaar)
    _print(b.peers.table, "benchmarkgemeenten")
    for note in b.peers.notes:
        out.print(f"  {note}")
    _print(b.comparison.drop(columns=["omschrijving"]), f"{len(b.comparison)} indicatoren")
    out.print("[bold]Opvallende kenmerken[/bold]")
    for line in b.standouts["zin"]:
        out.print(f"• {line}")
    if output:
        _sheets(
            output,
            {
                "vergelijking": b.comparison,
                "opvallend": b.standouts,
                "rangen": b.ranks.reset_index(names="indicator"),
                "trends": b.trends,
                "benchmarkgemeenten": b.peers.table,
            },
            {"gemeente": code, "peers": b.peers.method, "criteria": b.peers.notes},
        )


app.command("change", help="English alias of 'verandering'.")(verandering)
app.command("priorities", help="English alias of 'prioriteiten'.")(prioriteiten)
app.command("resilience", help="English alias of 'veerkracht'.")(veerkracht_cmd)


@app.command()
def version() -> None:
    """Print the package version."""
    out.print(__version__)


def main() -> None:
    """Entry point: run the app, turning library errors into one clear message."""
    warnings.simplefilter("default")
    try:
        app(standalone_mode=False)
    except BuurtbalansError as exc:
        err.print(f"[red]Fout:[/red] {exc}")
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
