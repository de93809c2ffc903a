"""Commands that bring data in and look at it: import, areas, show, indicators, sources,
crosswalk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from buurtbalans.cli.app import (
    GemeenteOpt,
    StoreOpt,
    UsageMistake,
    _print,
    _reader,
    _store,
    _years,
    app,
    import_app,
    out,
)
from buurtbalans.errors import BuurtbalansError, DataError, Msg
from buurtbalans.terms import label, number, t, taal

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
    from buurtbalans.terms import t, taal

    lang = taal()
    obs = batch.observations
    years = sorted({int(p) for p in obs["period"]}) if len(obs) else []
    summary = t(
        "cli_import_summary",
        title=batch.source.title,
        areas=t("cli_import_areas", n=len(batch.areas)),
        indicators=t("cli_import_indicators", n=obs["indicator"].nunique() if len(obs) else 0),
        years=t("cli_import_years", n=len(years) or 2, years=", ".join(map(str, years)) or "–"),
        values=t("cli_import_values", n=len(obs)),
        boundaries=t("cli_import_boundaries", n=len(batch.boundaries))
        if batch.boundaries is not None
        else "",
    )
    out.print(f"[green]{t('cli_imported')}[/green]: {terminal_text(summary)}")
    from buurtbalans.sources.batch import note_text

    for line in batch.report:
        out.print(f"  {t('cli_note')}: {terminal_text(note_text(line, lang))}")
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
                t("dt_unknown_encoding", encoding=encoding), param_hint="--encoding"
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
    from buurtbalans.sources.cbs_odata import CBSOData
    from buurtbalans.sources.tables import parse_years
    from buurtbalans.terms import taal

    try:
        years = parse_years(jaren)
    except DataError as exc:
        raise typer.BadParameter(exc.text(taal()), param_hint="--jaren") from None
    if not gemeente and not heel_nederland:
        raise typer.BadParameter(t("dt_cbs_which"))
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


LEVELS = ("buurt", "wijk", "gemeente")


def _level(niveau: str) -> str:
    """--niveau checked: one of :data:`LEVELS` (a usage error naming them otherwise)."""
    level = niveau.strip().lower()
    if level not in LEVELS:
        lang = taal()
        words_ = {lv: t(f"val_level_{lv}", lang) for lv in LEVELS}
        choices = [lv if words_[lv] == lv else f"{lv} ({words_[lv]})" for lv in LEVELS]
        raise UsageMistake(
            t("dt_bad_level", level=niveau, levels=", ".join(choices)), param_hint="--niveau"
        )
    return level


def _gemeente(st, code: str) -> str:
    """'Voorbeeldstad (GM9999)': the gemeente's latest name in the store with its code."""
    row = st.con.execute(
        "SELECT name FROM areas WHERE code = ? AND name IS NOT NULL ORDER BY vintage DESC LIMIT 1",
        [code],
    ).fetchone()
    return t("dt_gemeente", name=row[0], code=code) if row and row[0] else code


def _indicator_label(indicator: str, lang: str) -> str:
    from buurtbalans.sources.codebook import catalogue

    ind = catalogue().get(indicator)
    if ind is None:
        return indicator
    return (ind.label_nl if lang == "nl" else ind.label_en or ind.label_nl) or indicator


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

    level = _level(niveau)
    lang = taal()
    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        df = st.areas(code, level=level, vintage=vintage)
        name = _gemeente(st, code)
    level_word = t(f"val_level_{level}", lang)
    if df.empty:
        raise _Refused(
            Msg("dt_no_areas", level=level_word, gemeente=name), fix=Msg("fix_dt_import_gemeente")
        )
    vintages = ", ".join(str(int(v)) for v in sorted(df.vintage.unique()))
    _print(
        df,
        t("cli_areas_title", level=level_word, gemeente=name, n=len(df), vintages=vintages),
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
    from buurtbalans.sources.codebook import catalogue

    level = _level(niveau)
    lang = taal()
    years = _years(jaren) if jaren else None
    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        known = set(catalogue()) | set(st.indicators()["id"])
        if indicator not in known:
            raise _Refused(
                Msg("dt_unknown_indicator", indicator=indicator),
                fix=Msg("fix_dt_unknown_indicator"),
            )
        long = st.observations([indicator], gemeente=code, level=level, periods=years)
        name = _gemeente(st, code)
    shown = _indicator_label(indicator, lang)
    if long.empty:
        raise _Refused(
            Msg(
                "dt_no_values",
                indicator=f"{shown} ({indicator})",
                gemeente=name,
                level=t(f"val_level_{level}", lang),
            ),
            fix=Msg("fix_dt_import_data"),
        )
    table = show_table(long)
    flagged = long[long.status != "ok"]
    _print(shown_values(table, indicator, lang), t("dt_show_title", indicator=shown, gemeente=name))
    if len(flagged):
        counts = flagged.status.value_counts()
        statuses = [
            Msg("dt_status_count", n=int(n), status=label(f"dt_status_{s}", lang, str(s)))
            for s, n in counts.items()
        ]
        out.print(Msg("dt_not_available", n=len(flagged), statuses=statuses).text(lang))
    if output:
        write_table(table, output)


class _Refused(BuurtbalansError):
    """A data command's refusal: what and the fix, in the user's language."""

    def __init__(self, what: Msg, fix: Msg) -> None:
        self.what, self.fix = what, fix
        super().__init__(DataError(what, fix=fix).text("en"))

    def text(self, taal_: str) -> str:
        return DataError(self.what, fix=self.fix).text(taal_)


def shown_values(table: pd.DataFrame, indicator: str, lang: str) -> pd.DataFrame:
    """The years' values as the reader reads them: counts without decimals, others with
    one, in the language's number form (the frame ``show`` exports keeps the numbers)."""
    from buurtbalans.sources.codebook import catalogue

    ind = catalogue().get(indicator)
    whole = ind is not None and (ind.kind == "count" or bool(ind.integral))
    digits = 0 if whole else 1
    shown = table.copy()
    for column in shown.columns[2:]:
        shown[column] = [
            "" if v != v or v is None else number(v, lang, digits) for v in shown[column]
        ]
    return shown


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


def _unit(unit: str, lang: str) -> str:
    """A codebook unit as a word ('aantal' → 'count' in English)."""
    from buurtbalans.terms import has

    for key in (f"dt_unit_{unit}", f"unit_{unit}"):
        if has(key) and t(key, lang):
            return t(key, lang)
    return unit


def indicator_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The indicator catalogue in the reader's language: label, unit, kind, polarity and
    theme as words."""
    import pandas as pd

    labels = frame["label_nl"] if lang == "nl" else frame["label_en"].fillna(frame["label_nl"])
    return pd.DataFrame(
        {
            "id": frame["id"],
            "label": labels.where(labels.notna() & (labels != ""), frame["id"]),
            "unit": [_unit(str(u), lang) for u in frame["unit"]],
            "kind": [label(f"dt_kind_{k}", lang, str(k)) for k in frame["kind"]],
            "polarity": [label(f"dt_polarity_{p}", lang, str(p)) for p in frame["polarity"]],
            "theme": [label(f"theme_{th}", lang, str(th)) for th in frame["theme"]],
        }
    )


@app.command()
def indicators(store: StoreOpt = None) -> None:
    """The indicator catalogue (ids, labels, units, polarity)."""
    with _reader(store) as st:
        frame = st.indicators()
    _print(indicator_table(frame, taal()), t("cli_indicators_title"), limit=500)


@app.command()
def sources(store: StoreOpt = None) -> None:
    """Every import in the store: publisher, table, period, file hash."""
    from buurtbalans.report.tables import source_title

    lang = taal()
    with _reader(store) as st:
        twin = st.twin()
        if twin is not None:
            out.print(f"[bold yellow]{twin.get('label')}[/bold yellow]")
        shown = st.sources()[["table_id", "title", "period", "kind", "imported_at"]].copy()
    shown["title"] = [
        source_title(tid, title, lang)
        for tid, title in zip(shown.table_id, shown.title, strict=True)
    ]
    shown["kind"] = [label(f"dt_source_kind_{k}", lang, str(k)) for k in shown["kind"]]
    _print(shown, t("cli_sources_title"))


def _vintages(st, gemeente: str) -> list[int]:
    """The buurt classifications (vintages) the store has for a gemeente and its
    predecessors."""
    from buurtbalans.sources.known import predecessors

    family = list(predecessors(gemeente))
    rows = st.con.execute(
        f"SELECT DISTINCT vintage FROM areas WHERE gemeente_code IN ({','.join('?' * len(family))})"
        " AND level = 'buurt' ORDER BY 1",
        family,
    ).fetchall()
    return [int(r[0]) for r in rows]


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
        code = st.resolve_gemeente(gemeente)
        have = _vintages(st, code)
        if missing := next((y for y in (van, naar) if y not in have), None):
            name = _gemeente(st, code)
            years = ", ".join(map(str, have)) or "–"
            raise _Refused(
                Msg("dt_no_vintage", year=missing, gemeente=name, have=years),
                fix=Msg("fix_dt_choose_vintage", have=years),
            )
        cw = store_crosswalk(st, van, naar, code)
    changed = cw[cw["flag"].notna()]
    _print(
        changed if len(changed) else cw,
        t("cli_crosswalk_title", van=van, naar=naar, n=len(changed)),
    )
    if output:
        write_table(cw, output)
