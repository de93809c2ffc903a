"""The ``buurtbalans`` app: options, helpers and the entry point shared by the commands.

Each command makes library calls; library errors become one clear message and exit code 1,
written in the user's language (:meth:`BuurtbalansError.text`). The help of every command
and option is in the catalogue (``terms/help.toml``), written by :mod:`buurtbalans.cli.words`.
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
from buurtbalans.cli.words import LocalGroup
from buurtbalans.config import default_store_path
from buurtbalans.errors import BuurtbalansError, Msg
from buurtbalans.terms import check_taal, set_taal, t, taal

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(
    cls=LocalGroup,
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
    typer.Option("--store"),
]
GemeenteOpt = Annotated[str, typer.Option("--gemeente", "-g")]


class UsageMistake(typer.BadParameter):
    """A usage error whose message is the whole sentence, in the user's language (typer's
    frame around it is in that language too: :mod:`buurtbalans.cli.words`)."""

    def format_message(self) -> str:
        return self.message


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
    from buurtbalans.sources.tables import parse_years

    try:
        return parse_years(text)
    except BuurtbalansError as exc:
        raise typer.BadParameter(exc.text(taal())) from None


_CODED = ("flag", "method", "level")  # columns whose cells are codes with a word


def console_heading(column: object, taal_: str) -> str:
    """A console table's column heading in the user's language (``kans_slechtste_10`` →
    'kans bij slechtste 10 (%)'); a year or a label without a catalogue entry as it is."""
    import re

    from buurtbalans.terms import column_label

    text = str(column)
    if m := re.fullmatch(r"kans_slechtste_(\d+)(_verandering)?", text):
        return t(f"col_kans_slechtste{m.group(2) or ''}", taal_, n=m.group(1))
    return column_label(text, taal_)


def _print(df: pd.DataFrame, title: str, limit: int = 40) -> None:
    import pandas as pd

    from buurtbalans.terms import label, number

    lang = taal()
    table = Table(title=escape(title), show_lines=False)
    for col in df.columns:
        table.add_column(
            escape(console_heading(col, lang)),
            justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left",
        )
    from buurtbalans.exports import terminal_text  # names: markup escaped, no control chars

    def cell(value: object, column: object) -> str:
        if pd.isna(value):
            return ""
        if isinstance(value, float):
            return number(value, lang, 1)
        if str(column) in _CODED:  # a code with a word in the catalogue
            return label(f"val_{column}_{value}", lang, terminal_text(value))
        return terminal_text(value)

    for row in df.head(limit).itertuples(index=False):
        table.add_row(*[cell(v, c) for v, c in zip(row, df.columns, strict=True)])
    out.print(table)
    if len(df) > limit:
        out.print(t("cli_more_rows", n=len(df) - limit))


def _print_display(table: dict, title: str, limit: int = 40) -> None:
    """A table as :func:`buurtbalans.report.tables.display` wrote it: labelled columns and
    cells in the user's language."""
    from buurtbalans.exports import terminal_text

    if not table.get("columns"):
        return
    shown = Table(title=escape(title), show_lines=False)
    for col in table["columns"]:
        shown.add_column(escape(col["label"]), justify="right" if col["numeric"] else "left")
    for row in table["rows"][:limit]:
        shown.add_row(*[terminal_text(c) for c in row["cells"]])
    out.print(shown)
    if len(table["rows"]) > limit:
        out.print(t("cli_more_rows", n=len(table["rows"]) - limit))


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
            err.print(f"{t('cli_note')}: {escape(why.text(taal()))}")
            return sp.with_options(reference=chosen)
        return sp
    chosen = choose_reference(st, years)
    if chosen != "national":
        years_text = ", ".join(map(str, years))
        err.print(f"{t('cli_note')}: {t('cli_national_missing', years=years_text, chosen=chosen)}")
        return sp.with_options(reference=chosen)
    return sp


def _early_gemeente(store: Path | None, gemeente: str) -> str:
    """``-g`` resolved in the store file before anything heavy is loaded (a typo is
    answered as fast as ``--help``); what cannot be resolved this way is left as given,
    for the store to resolve (or refuse) as before."""
    from buurtbalans.store.lookup import resolve_in_file

    return resolve_in_file(Path(store or default_store_path()), gemeente)


def _check_order(van: int | None, tot: int | None) -> None:
    """--van must come before --tot (checked before anything is opened or written)."""
    if van is not None and tot is not None and van >= tot:
        raise UsageMistake(t("err_van_tot_order", van=van, tot=tot))


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
        raise BuurtbalansError(Msg("err_no_buurt_data", path=st.path, gemeente=gemeente))
    van = years[0] if van is None else van
    tot = years[-1] if tot is None else tot
    if unknown := [y for y in dict.fromkeys((van, tot)) if y not in years]:
        raise BuurtbalansError(
            Msg(
                "err_no_data_years",
                gemeente=gemeente,
                unknown=", ".join(map(str, unknown)),
                years=", ".join(map(str, years)),
            )
        )
    if van >= tot:
        only = Msg("err_only_year", year=years[0], gemeente=gemeente) if len(years) == 1 else ""
        raise BuurtbalansError(
            Msg("err_van_tot", van=van, tot=tot, only=only, years=", ".join(map(str, years)))
        )
    return van, tot


def _print_basis(a) -> None:
    """What a change rests on (``ChangeAnalysis.basis``) and its notes, in plain words."""
    b = a.basis
    if b:
        from buurtbalans.report.terms import TERMS
        from buurtbalans.terms import number, percent, taal, words

        lang = taal()
        ref = ", ".join(
            t("cli_in_year", n=number(n, lang, 0), year=y)
            for y, n in b.get("referentie_buurten_per_jaar", {}).items()
        )
        pop = ", ".join(
            t("cli_pop_from", year=y, source=p or "–")
            for y, p in b.get("inwoners_jaar", {}).items()
        )
        domains = {
            d.id: (d.label_nl if lang == "nl" else d.label_en) or d.id
            for d in a.index.run.spec.domains
        }
        reference = str(b["referentie"])
        out.print(
            t(
                "cli_basis",
                van=b["van"],
                tot=b["tot"],
                domains=words([domains.get(d, d).lower() for d in b["domeinen"]], lang),
                share=percent(b["gewichtsaandeel"], lang),
                spec=b["spec"],
                vintage=b["vintage"],
                reference=t(f"ref_{reference}") if f"ref_{reference}" in TERMS else reference,
                ref=ref,
                pop=pop,
            )
        )
        out.print(f"[bold]{t('cli_rules')}[/bold]: {escape(rules_line(a, lang))}")
    words_ = _NoteWords(a.index.run.spec)
    from buurtbalans.report.notes import note_sentence

    for note in a.notes:
        out.print(f"[yellow]{t('cli_note')}[/yellow]: {escape(note_sentence(words_, note))}")


class _NoteWords:
    """What :func:`~buurtbalans.report.notes.note_sentence` needs to write an
    analysis note in the user's language (indicator and domain names, not ids)."""

    def __init__(self, spec) -> None:
        from buurtbalans.terms import taal

        self.spec, self.taal = spec, taal()

    def t(self, key: str, **values: object) -> str:
        return t(key, self.taal, **values)

    def domain_label(self, domain: str) -> str:
        from buurtbalans.report.notes import domain_name

        return domain_name(self.spec, domain, self.taal)


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
    out.print(f"{t('cli_written')}: {path}")


ReferentieOpt = Annotated[str | None, typer.Option()]
TolerantieOpt = Annotated[
    float,
    typer.Option(
        "--tolerantie",
        min=0.0,
    ),
]
VanOpt = Annotated[int | None, typer.Option()]
TotOpt = Annotated[int | None, typer.Option()]
DomeinenOpt = Annotated[
    str | None,
    typer.Option(),
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
        typer.Option("--version", callback=_version_callback, is_eager=True),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug")] = False,
    taal: Annotated[
        str | None,
        typer.Option(
            "--taal",
        ),
    ] = None,
) -> None:
    """buurtbalans: stapeling van achterstanden in buurten, open en reproduceerbaar."""
    try:  # every run starts from the user's choice (no language left from an earlier run)
        set_taal(check_taal(taal) if taal else None)
    except ValueError:
        raise typer.BadParameter(t("err_taal", value=taal), param_hint="--taal") from None


@app.command()
def version() -> None:
    """Print the package version."""
    out.print(__version__)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Warnings as one 'let op' line, without Python's source location."""
    err.print(f"[yellow]{t('cli_note')}[/yellow]: {escape(str(message))}")


def _store_arg() -> Path:
    """The store the command line names (``--store PATH`` / ``--store=PATH``), else the
    default store."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--store" and i + 1 < len(args):
            return Path(args[i + 1])
        if arg.startswith("--store="):
            return Path(arg.split("=", 1)[1])
    return Path(default_store_path())


def main() -> None:
    """Entry point. Usage errors are printed by typer (exit 2); library errors become one
    clear message (exit 1); an unexpected error shows its traceback only with ``--debug``."""
    warnings.simplefilter("default")
    warnings.showwarning = _show_warning
    debug = "--debug" in sys.argv[1:]
    set_taal(None)
    try:
        app(standalone_mode=True)
    except BuurtbalansError as exc:
        err.print(f"[red]{t('cli_error')}:[/red] {escape(exc.text(taal()))}")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as exc:  # a path the user gave cannot be read or written
        if debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        why = escape(exc.strerror or str(exc))
        err.print(f"[red]{t('cli_error')}:[/red] {t('cli_os_error', where=escape(where), why=why)}")
        sys.exit(1)
    except Exception as exc:
        if debug:
            raise
        if type(exc).__module__.lstrip("_").startswith("duckdb"):  # a damaged store
            from buurtbalans.store.store import damaged_store_error

            message = damaged_store_error(str(_store_arg()), exc).text(taal())
            err.print(f"[red]{t('cli_error')}:[/red] {escape(message)}")
            sys.exit(1)
        err.print(
            f"[red]{t('cli_internal')}[/red] ({type(exc).__name__}): {escape(str(exc))}\n"
            + t("cli_internal_text")
        )
        sys.exit(3)
