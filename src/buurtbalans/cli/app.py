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


def main() -> None:
    """Entry point. Usage errors are printed by typer (exit 2); library errors become one
    clear message (exit 1); an unexpected error shows its traceback only with ``--debug``."""
    warnings.simplefilter("default")
    debug = "--debug" in sys.argv[1:]
    try:
        app(standalone_mode=True)
    except BuurtbalansError as exc:
        err.print(f"[red]Fout:[/red] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        if debug:
            raise
        err.print(
            f"[red]Interne fout[/red] ({type(exc).__name__}): {escape(str(exc))}\n"
            "Dit is een fout in buurtbalans, niet in uw invoer. Draai het commando opnieuw met "
            "--debug en meld de uitvoer als issue."
        )
        sys.exit(3)
