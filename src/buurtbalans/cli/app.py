"""The ``buurtbalans`` app: options, helpers and the entry point shared by the commands.

Each command makes library calls; library errors become one clear message and exit code 1.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from buurtbalans import __version__
from buurtbalans.config import default_store_path
from buurtbalans.errors import BuurtbalansError

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    pretty_exceptions_enable=False,
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


def _reader(path: Path | None):
    """The store opened read-only (readers never block each other). Without a store file
    an empty in-memory store under that name, so the answer is "no such gemeente / import
    data first" and reading never creates a file."""
    from buurtbalans.store import Store

    target = Path(path or default_store_path())
    if target.exists():
        return Store(target, read_only=True)
    empty = Store(":memory:")
    empty.path = str(target)
    return empty


def _store(path: Path | None):
    from buurtbalans.store import Store

    return Store(path or default_store_path())


def _years(text: str) -> list[int]:
    """'2015,2024' or '2015-2024' → years (each 1900-2100, checked before a range is built)."""
    from buurtbalans.sources.cbs_odata import parse_years

    try:
        return parse_years(text)
    except BuurtbalansError as exc:
        raise typer.BadParameter(str(exc)) from None


def _print(df: pd.DataFrame, title: str, limit: int = 40) -> None:
    import pandas as pd

    table = Table(title=escape(title), show_lines=False)
    for col in df.columns:
        table.add_column(
            escape(str(col)), justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left"
        )
    from buurtbalans.exports import terminal_text  # names: markup escaped, no control chars

    for row in df.head(limit).itertuples(index=False):
        table.add_row(
            *[
                "" if pd.isna(v) else f"{v:.1f}" if isinstance(v, float) else terminal_text(v)
                for v in row
            ]
        )
    out.print(table)
    if len(df) > limit:
        out.print(f"… {len(df) - limit} more rows (use --output to export all)")


def _mdi(spec: str, referentie: str | None, schaal: str | None):
    from buurtbalans.spec import load_spec

    sp = load_spec(spec)
    changes = {k: v for k, v in (("reference", referentie), ("transform", schaal)) if v}
    return sp.with_options(**changes) if changes else sp


def _reference(st, sp, years: list[int], referentie: str | None, gemeente: str | None = None):
    """A national reference needs all NL buurten; without them (and without an explicit
    --referentie) rank within the gemeente and say so. With ``gemeente`` the test is per
    domain (health for all NL but income for one gemeente is not a national reference)."""
    from buurtbalans.index.store_mode import choose_reference, reference_choice

    if referentie or not sp.reference.startswith("national"):
        return sp
    if gemeente is not None:
        chosen, why = reference_choice(st, sp, gemeente, years)
        if why:
            err.print(f"let op: {why}")
            return sp.with_options(reference=chosen)
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


def _check_order(van: int | None, tot: int | None) -> None:
    """--van must come before --tot (checked before anything is opened or written)."""
    if van is not None and tot is not None and van >= tot:
        raise typer.BadParameter(
            f"--van {van} is not before --tot {tot}: a change needs two different years, "
            "the earlier first"
        )


def store_years(st, gemeente: str) -> list[int]:
    """The observation years the store holds for a gemeente's buurten."""
    from buurtbalans.sources.known import predecessors

    family = predecessors(gemeente)  # with the gemeenten that merged into it
    rows = st.con.execute(
        "SELECT DISTINCT o.period FROM observations o JOIN areas a ON a.code = o.area_code "
        f"AND a.vintage = o.vintage WHERE a.gemeente_code IN ({','.join('?' * len(family))}) "
        "AND a.level = 'buurt' ORDER BY 1",
        list(family),
    ).fetchall()
    return [int(r[0]) for r in rows]


def _period(st, gemeente: str, van: int | None, tot: int | None) -> tuple[int, int]:
    """--van/--tot checked against the years the store has for the gemeente; missing ones
    default to the first and last of those years."""
    years = store_years(st, gemeente)
    if not years:
        raise BuurtbalansError(
            f"the store {st.path} has no buurt data for {gemeente}. Fix: import it first "
            f"(buurtbalans import cbs --gemeente {gemeente} --jaren ...)"
        )
    van = years[0] if van is None else van
    tot = years[-1] if tot is None else tot
    if unknown := [y for y in dict.fromkeys((van, tot)) if y not in years]:
        raise BuurtbalansError(
            f"no data for {gemeente} in {', '.join(map(str, unknown))}: the store has "
            f"{', '.join(map(str, years))}. Fix: choose --van/--tot from those years, or "
            f"import the others (buurtbalans import cbs --gemeente {gemeente} --jaren ...)"
        )
    if van >= tot:
        raise BuurtbalansError(
            f"--van {van} is not before --tot {tot}"
            + (f" (the store has only {years[0]} for {gemeente})" if len(years) == 1 else "")
            + f". Fix: choose two years from {', '.join(map(str, years))}, the earlier first"
        )
    return van, tot


def _print_basis(a) -> None:
    """What a change rests on (``ChangeAnalysis.basis``) and its notes, in plain words."""
    b = a.basis
    if b:
        ref = ", ".join(
            f"{n:,} in {y}" for y, n in b.get("referentie_buurten_per_jaar", {}).items()
        )
        pop = ", ".join(f"{y} uit {p or '-'}" for y, p in b.get("inwoners_jaar", {}).items())
        out.print(
            f"[bold]basis[/bold]: {b['van']} → {b['tot']} op dezelfde domeinen "
            f"{', '.join(b['domeinen'])} ({b['gewichtsaandeel']:.0%} van het gewicht van "
            f"{b['spec']}); indeling {b['vintage']}; referentie {b['referentie']} "
            f"(buurten: {ref}); inwonertallen: {pop}"
        )
        out.print(f"[bold]regels[/bold]: {escape(rules_line(a))}")
    for note in a.notes:
        out.print(f"[yellow]let op[/yellow]: {escape(note)}")


def rules_line(a, taal: str = "nl") -> str:
    """The rule behind 'verbeterd' and the reference of the classes, for beside a count."""
    from buurtbalans.report.terms import improved_rule, reference_label, t

    b = a.basis
    van, tot = b.get("referentie_jaren", [b["van"], b["tot"]])
    return t(
        "cli_rule_count",
        taal,
        rule=improved_rule(float(b.get("tolerantie", 0.0)), taal),
        reference=reference_label(str(b["referentie"]), van, tot, taal),
    )


def _sheets(path: Path, tables: dict[str, pd.DataFrame], provenance: dict) -> None:
    from buurtbalans.exports import write_tables

    write_tables(tables, path, provenance=provenance)
    out.print(f"geschreven: {path}")


ReferentieOpt = Annotated[
    str | None, typer.Option(help="input, input-pooled, national, national-pooled")
]
TolerantieOpt = Annotated[
    float,
    typer.Option(
        "--tolerantie",
        min=0.0,
        help="points a score must fall to count as verbeterd (rise: verslechterd); default "
        "0: verbeterd = score lower, as in the seed documents",
    ),
]
VanOpt = Annotated[int | None, typer.Option(help="first year (default: the first the store has)")]
TotOpt = Annotated[int | None, typer.Option(help="last year (default: the last the store has)")]
DomeinenOpt = Annotated[
    str | None,
    typer.Option(
        help="compare on these domains only, e.g. inkomen,werk,gezondheid (default: every "
        "domain both years have)"
    ),
]


def _domains(text: str | None) -> list[str] | None:
    return [d.strip() for d in text.split(",") if d.strip()] if text else None


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"buurtbalans {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="version"),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="show the Python traceback of an unexpected error")
    ] = False,
) -> None:
    """buurtbalans: stapeling van achterstanden in buurten, open en reproduceerbaar."""


@app.command()
def version() -> None:
    """Print the package version."""
    out.print(__version__)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one 'let op' line, without Python's source location."""
    err.print(f"[yellow]let op[/yellow]: {escape(str(message))}")


def main() -> None:
    """Entry point. Usage errors are printed by typer (exit 2); library errors become one
    clear message (exit 1); an unexpected error shows its traceback only with ``--debug``."""
    warnings.simplefilter("default")
    warnings.showwarning = _show_warning
    debug = "--debug" in sys.argv[1:]
    try:
        app(standalone_mode=True)
    except BuurtbalansError as exc:
        err.print(f"[red]Fout:[/red] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:  # a path the user gave cannot be read or written
        if debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        err.print(
            f"[red]Fout:[/red] kan{escape(where)} niet lezen of schrijven: "
            f"{escape(exc.strerror or str(exc))}. Oplossing: kies een ander pad (een map die u "
            "mag beschrijven, geen bestaand bestand als uitvoermap)."
        )
        sys.exit(1)
    except Exception as exc:
        if debug:
            raise
        err.print(
            f"[red]Interne fout[/red] ({type(exc).__name__}): {escape(str(exc))}\n"
            "Dit is een fout in buurtbalans, niet in uw invoer. Draai het commando opnieuw met "
            "--debug en meld de uitvoer als issue."
        )
        sys.exit(3)
