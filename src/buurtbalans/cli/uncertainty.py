"""The uncertainty command: how firm are the ranks, classes and the priority list?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from buurtbalans.cli.app import (
    GemeenteOpt,
    ReferentieOpt,
    StoreOpt,
    TotOpt,
    VanOpt,
    _check_order,
    _print,
    _reader,
    _sheets,
    app,
    out,
)


@app.command("onzekerheid")
def onzekerheid(
    gemeente: GemeenteOpt,
    van: VanOpt = None,
    tot: TotOpt = None,
    aannames: Annotated[Path | None, typer.Option()] = None,
    runs: Annotated[int | None, typer.Option()] = None,
    seed: Annotated[int | None, typer.Option()] = None,
    spec: Annotated[str, typer.Option()] = "mdi",
    referentie: ReferentieOpt = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """How sure is the index? Per buurt the median rank, a 90 % rank interval,
    P(zeer hoog) and P(in the worst 10) over variants of weights, scaling, missing rule,
    shrinkage, indicators and indicator error; Sobol indices per assumption."""
    _check_order(van, tot)  # before anything heavy is imported or opened
    from buurtbalans.analysis.pipeline import analysis_uncertainty
    from buurtbalans.analysis.uncertainty_assumptions import load_assumptions
    from buurtbalans.cli.analyses import _change
    from buurtbalans.report.chapters.uncertainty import factor_label, outcome_label
    from buurtbalans.report.terms import reference_label
    from buurtbalans.terms import message, t, taal

    assumptions = load_assumptions(aannames).with_runs(runs, seed)
    with _reader(store) as st:
        # the same basis (domains, indicators, reference, vintage) as verandering and
        # prioriteiten, and the same Monte Carlo: one probability per buurt everywhere
        code, van, tot, a = _change(
            st, gemeente, van, tot, spec, referentie, None, vintage, None, 0.0
        )
        sp = a.index.run.spec
        r = analysis_uncertainty(st, a, code, assumptions)
    s = r.settings
    lang = taal()
    out.print(
        message(
            "unc_cli_settings",
            lang,
            {
                "runs": s["runs"],
                "n": s["saltelli_n"],
                "seed": str(s["seed"]),
                "factors": [factor_label(f, lang) for f in s["factors"]],
                "reference": reference_label(s["reference"], van, tot, lang),
                "rows": s["n_reference"],
                "vintage": None if s["vintage"] is None else str(s["vintage"]),
                "source": s["assumptions"]["source"],
            },
        )
    )
    for note in s["notes"]:
        text = note.text(lang) if hasattr(note, "text") else str(note)
        out.print(f"[yellow]{t('cli_note', lang)}:[/yellow] {escape(text)}")
    cols = ["area_code", "name", "rang", "klasse", "rang_mediaan", "rang_p05", "rang_p95"]
    cols += ["kans_zeer_hoog", r.top_column]
    latest = r.per_year[r.per_year["period"] == tot].sort_values(["rang", "area_code"])
    _print(_percent(latest[cols]), t("unc_cli_latest", lang, spec=sp.name, year=str(tot)))
    if r.change is not None:
        ch = r.change.sort_values("verandering", ascending=False)
        _print(_percent(ch), t("unc_cli_change", lang, van=str(van), tot=str(tot)), 20)
    sens = r.sensitivity.assign(
        ST=r.sensitivity["ST"] * 100,
        factor=[factor_label(f, lang) for f in r.sensitivity["factor"]],
        uitkomst=[outcome_label(o, lang) for o in r.sensitivity["uitkomst"]],
    )
    sens = sens.pivot_table(index="factor", columns="uitkomst", values="ST", sort=False)
    _print(sens.reset_index(), t("unc_cli_sens", lang))
    if output:
        _sheets(output, r.tables(), {**s, "spec_name": sp.name})


def _percent(df):
    """Probabilities and shares as percentages for the screen (the xlsx keeps 0-1)."""
    cols = [c for c in df.columns if c.startswith(("kans_", "aandeel_"))]
    return df.assign(**{c: df[c] * 100 for c in cols})


app.command("uncertainty", help="English alias of 'onzekerheid'.")(onzekerheid)
