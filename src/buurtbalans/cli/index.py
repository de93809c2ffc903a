"""The ``index`` command: a composite index from the store or from your own file."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.answers import Answer
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
from buurtbalans.config import default_store_path
from buurtbalans.terms import TERMS, t, taal


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
    from buurtbalans.spec import load_spec

    sp = load_spec(spec)  # every usage error before the heavy imports below
    if input is None and gemeente is None:
        raise UsageMistake(t("err_index_what"))
    if period_column and input is None:
        raise UsageMistake(t("err_period_column_own"))
    if input is None and gemeente is not None:
        gemeente = _early_gemeente(store, gemeente)
    changes = {k: v for k, v in (("reference", referentie), ("transform", schaal)) if v}
    answer = None  # an answer that reads your own file or writes one is not kept
    if input is None and output is None:
        answer = Answer.of(
            "index",
            {"spec": spec, "gemeente": gemeente, "jaren": jaren, "vintage": vintage, **changes},
            spec_hash=sp.hash(),
            store=Path(store or default_store_path()),
            language=taal(),
            consoles=(out, err),
        )
        if answer.replay(out, err):
            return  # the same question of the same store: the same answer, printed again
    from buurtbalans.exports import write_table
    from buurtbalans.index.engine import compute
    from buurtbalans.index.own_data import read_own_data
    from buurtbalans.index.store_mode import index_for_gemeente

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
        _print_index(result, table, sp, False, [id_column, period_column])
    else:
        if changes:
            sp = sp.with_options(**changes)
        with answer.recording(out, err) if answer else nullcontext():
            with _reader(store) as st:
                code = st.resolve_gemeente(gemeente)  # type: ignore[arg-type]
                years = (
                    _years(jaren)
                    if jaren
                    else sorted(
                        {int(p) for p in st.observations(["a_inw"], gemeente=code)["period"]}
                    )
                )
                sp = _reference(st, sp, years, referentie)
                result = index_for_gemeente(st, sp, code, years, vintage=vintage)
            table = result.table
            _print_index(result, table, sp, True, [])
    if output:
        write_table(table, output, provenance=result.run.to_dict()["provenance"], sheet=sp.name)
        from buurtbalans.atomic import write_text

        write_text(
            output.with_suffix(".run.json"), json.dumps(result.run.to_dict(), indent=2, default=str)
        )
        out.print(f"{t('cli_written')}: {output} (+ {output.with_suffix('.run.json').name})")


def _print_index(result, table, sp, from_store: bool, own_columns: list[str | None]) -> None:
    """The notes and the table of an index (``own_columns``: the id and period column of
    your own file, None where not given)."""
    from buurtbalans.report.display import index_table
    from buurtbalans.report.notes import note_sentence

    for note in result.warnings:
        err.print(f"{t('cli_note')}: {note_sentence(_NoteWords(sp), note)}")
    show_cols = [c for c in result.output_columns() if c in table.columns]
    lang = taal()
    basis = t("cli_reference_plain", reference=sp.reference)
    if "period" in table.columns and from_store and len(table):
        from buurtbalans.report.terms import reference_label

        years = sorted({int(p) for p in table["period"]})
        basis = reference_label(sp.reference, years[0], years[-1], lang)
    own = [] if from_store else [c for c in own_columns if c]
    _print_display(
        index_table(table.sort_values("score", ascending=False)[show_cols], sp, lang, own),
        t(
            "cli_index_title",
            spec=sp.name,
            transform=t(f"cli_scale_{sp.transform}")
            if f"cli_scale_{sp.transform}" in TERMS
            else sp.transform,
            basis=basis,
        ),
    )
