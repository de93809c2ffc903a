"""The ``index`` command: a composite index from the store or from your own file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import (
    StoreOpt,
    UsageMistake,
    _early_gemeente,
    _NoteWords,
    _print_display,
    _reader,
    _reference,
    _years,
    app,
    err,
    out,
)
from buurtbalans.terms import t, taal


@app.command()
def index(
    spec: Annotated[str, typer.Option()] = "mdi",
    gemeente: Annotated[str | None, typer.Option("--gemeente", "-g")] = None,
    jaren: Annotated[str | None, typer.Option()] = None,
    input: Annotated[Path | None, typer.Option("--input")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column")] = None,
    period_column: Annotated[
        str | None,
        typer.Option(
            "--period-column",
        ),
    ] = None,
    referentie: Annotated[str | None, typer.Option()] = None,
    schaal: Annotated[str | None, typer.Option()] = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Compute a composite index (MDI by default), from the store or from your own file."""
    if input is None and gemeente is not None:
        gemeente = _early_gemeente(store, gemeente)  # before the heavy imports below
    from buurtbalans.exports import write_table
    from buurtbalans.index.engine import compute
    from buurtbalans.index.own_data import read_own_data
    from buurtbalans.index.store_mode import index_for_gemeente
    from buurtbalans.spec import load_spec

    sp = load_spec(spec)
    changes = {k: v for k, v in (("reference", referentie), ("transform", schaal)) if v}
    if input is None and gemeente is None:
        raise UsageMistake(t("err_index_what"))
    if period_column and input is None:
        raise UsageMistake(t("err_period_column_own"))
    if input is not None:
        if not id_column:
            raise UsageMistake(t("err_input_needs_id"))
        if id_column in sp.raw_inputs():
            raise UsageMistake(t("err_id_is_indicator", column=id_column, spec=sp.name))
        if period_column is not None and period_column == id_column:
            raise UsageMistake(t("err_period_is_id", column=id_column))
        sp = sp.with_options(**{"reference": "input", **changes})
        data, reading = read_own_data(input, sp, id_column=id_column, period_column=period_column)
        for note in reading:
            err.print(f"{t('cli_note')}: {note.text(taal())}")
        result = compute(
            data,
            sp,
            id_columns=[id_column],
            period_column=period_column,
            provenance={"input": str(input)},
        )
        table = result.table[result.output_columns()]
    else:
        if changes:
            sp = sp.with_options(**changes)
        with _reader(store) as st:
            code = st.resolve_gemeente(gemeente)  # type: ignore[arg-type]
            years = (
                _years(jaren)
                if jaren
                else sorted({int(p) for p in st.observations(["a_inw"], gemeente=code)["period"]})
            )
            sp = _reference(st, sp, years, referentie)
            result = index_for_gemeente(st, sp, code, years, vintage=vintage)
        table = result.table
    from buurtbalans.report.notes import note_sentence

    for note in result.warnings:
        err.print(f"{t('cli_note')}: {note_sentence(_NoteWords(sp), note)}")
    show_cols = [c for c in result.output_columns() if c in table.columns]
    lang = taal()
    basis = t("cli_reference_plain", reference=sp.reference)
    if "period" in table.columns and input is None and len(table):
        from buurtbalans.report.terms import reference_label

        years = sorted({int(p) for p in table["period"]})
        basis = reference_label(sp.reference, years[0], years[-1], lang)
    from buurtbalans.report.display import index_table

    own = [id_column, *([period_column] if period_column else [])] if input is not None else []
    _print_display(
        index_table(table.sort_values("score", ascending=False)[show_cols], sp, lang, own),
        t("cli_index_title", spec=sp.name, transform=sp.transform, basis=basis),
    )
    if output:
        write_table(table, output, provenance=result.run.to_dict()["provenance"], sheet=sp.name)
        from buurtbalans.atomic import write_text

        write_text(
            output.with_suffix(".run.json"), json.dumps(result.run.to_dict(), indent=2, default=str)
        )
        out.print(f"{t('cli_written')}: {output} (+ {output.with_suffix('.run.json').name})")
