"""Analysis commands: change, priorities, veerkracht, benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from buurtbalans.cli.app import (
    DomeinenOpt,
    GemeenteOpt,
    ReferentieOpt,
    StoreOpt,
    TolerantieOpt,
    TotOpt,
    VanOpt,
    _check_order,
    _domains,
    _mdi,
    _period,
    _print_basis,
    _print_display,
    _reader,
    _reference,
    _sheets,
    app,
    out,
    rules_line,
)
from buurtbalans.terms import t, taal


def _change(st, gemeente, van, tot, spec, referentie, schaal, vintage, domeinen, tolerantie):
    """The comparable change analysis behind verandering and prioriteiten."""
    from buurtbalans.analysis.pipeline import change_analysis

    sp = _mdi(spec, referentie, schaal)
    code = st.resolve_gemeente(gemeente)
    van, tot = _period(st, code, van, tot)
    sp = _reference(st, sp, [van, tot], referentie)
    a = change_analysis(
        st,
        sp,
        code,
        van,
        tot,
        vintage=vintage,
        domains=_domains(domeinen),
        strict_reference=bool(referentie),
        tolerance=tolerantie,
    )
    return code, van, tot, a


@app.command("verandering")
def verandering(
    gemeente: GemeenteOpt,
    van: VanOpt = None,
    tot: TotOpt = None,
    spec: Annotated[str, typer.Option()] = "mdi",
    referentie: ReferentieOpt = None,
    schaal: Annotated[str | None, typer.Option()] = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    domeinen: DomeinenOpt = None,
    tolerantie: TolerantieOpt = 0.0,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Change per buurt between two years on the same domains: improved/worsened, class
    transitions, which domains drove it, and whether the gap between best and worst grew."""
    _check_order(van, tot)  # before anything heavy is imported or opened
    from buurtbalans.report import display
    from buurtbalans.report.terms import reference_label

    with _reader(store) as st:
        _code, van, tot, a = _change(
            st, gemeente, van, tot, spec, referentie, schaal, vintage, domeinen, tolerantie
        )
    sp = a.index.run.spec
    lang = taal()
    tables = display.change(a, lang)
    _print_basis(a)
    _print_display(
        tables["summary"],
        t(
            "cli_change_title",
            spec=sp.name,
            van=van,
            tot=tot,
            vintage=a.vintage,
            rules=rules_line(a, lang),
        ),
    )
    _print_display(tables["transitions"], t("cli_transitions", van=van, tot=tot))
    f = a.flows
    label = (sp.classes.labels_en if lang == "en" else sp.classes.labels)[-1]
    out.print(
        t(
            "cli_flows",
            label=label,
            reference=reference_label(sp.reference, van, tot, lang),
            then=f["toen"],
            now=f["nu"],
            out=f["uitgestroomd"],
            into=f["ingestroomd"],
        )
    )
    _print_display(
        tables["decomposition"],
        t("cli_decomposition", delta=a.decomposition.attrs["delta_gemeente"]),
    )
    p = a.polarisation
    _print_display(tables["gaps"], t("cli_gaps"))
    out.print(t("cli_slope", slope=p.slope, lo=p.slope_ci[0], hi=p.slope_ci[1], n=p.slope_n))
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
    van: VanOpt = None,
    tot: TotOpt = None,
    aantal: Annotated[int, typer.Option(min=1)] = 10,
    spec: Annotated[str, typer.Option()] = "mdi",
    referentie: ReferentieOpt = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    domeinen: DomeinenOpt = None,
    tolerantie: TolerantieOpt = 0.0,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """The four ways to pick buurten (highest score, most residents, highest cost per
    resident, least improvement) with reach, cost, overlap and robustness."""
    _check_order(van, tot)  # before anything heavy is imported or opened
    from buurtbalans.analysis.pipeline import priorities_analysis

    with _reader(store) as st:
        code, van, tot, a = _change(
            st, gemeente, van, tot, spec, referentie, None, vintage, domeinen, tolerantie
        )
        summary, sels, ov, rob = priorities_analysis(st, a, code, tot, n=aantal)
    import pandas as pd

    from buurtbalans.report import display
    from buurtbalans.terms import t

    _print_basis(a)
    names = dict(a.index.table[["area_code", "name"]].dropna().drop_duplicates("area_code").values)
    shown = display.priorities(
        {"summary": summary, "lists": pd.DataFrame(), "overlap": ov, "robustness": rob},
        taal(),
        names,
        van,
        tot,
    )
    n_cands = int(sels[0].summary.get("kandidaten", aantal)) if sels else aantal
    _print_display(shown["summary"], t("cli_prio_title", n=min(aantal, n_cands)))
    if n_cands < aantal:  # said, never a silent cap: every list comes from the top class
        out.print(
            f"[yellow]{t('cli_note')}[/yellow]: {t('cli_prio_capped', n=n_cands, asked=aantal)}"
        )
    if len(summary) and summary["onvoldoende_gegevens"].iloc[0]:
        out.print(t("cli_prio_unscored", n=int(summary["onvoldoende_gegevens"].iloc[0]), year=tot))
    _print_display(shown["overlap"], t("overlap_t"))
    if rob.attrs.get("reason"):
        out.print(f"[yellow]{t('cli_robust_missing')}[/yellow]: {rob.attrs['reason']}")
    shown_rob = {**shown["robustness"], "rows": shown["robustness"]["rows"][: aantal + 5]}
    _print_display(shown_rob, t("robust_t"))
    if not rob.empty and "robuust" in rob:
        _print_robustness(rob, sels, names)
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


def _print_robustness(rob, sels, names: dict[str, str]) -> None:
    """How firm the highest-score list is: robust members, members that are not, and the
    other buurten that reach the top in some variants — never "not robust" for a list
    whose members are all robust."""
    from buurtbalans.sources.batch import listed
    from buurtbalans.terms import t

    lang = taal()
    top = rob.attrs.get("top", 10)
    chosen = next(
        (list(s.buurten["area_code"]) for s in sels if s.option.id == "hoogste_score"), []
    )
    firm = set(rob.loc[rob["robuust"].astype(bool), "area_code"])
    weak = [c for c in chosen if c not in firm]
    others = rob[~rob["area_code"].isin(chosen) & (rob["kans_top"] > 0)]["area_code"].tolist()

    def shown(codes: list[str]) -> str:
        return listed([names.get(c, c) for c in codes]).text(lang)

    if chosen:
        out.print(t("cli_prio_robust", n=len(chosen) - len(weak), k=len(chosen), top=top))
    if weak:
        out.print(t("cli_prio_weak", n=len(weak), top=top, buurten=shown(weak)))
    if others:
        out.print(t("cli_prio_sometimes", n=len(others), top=top, buurten=shown(others)))


@app.command("veerkracht")
def veerkracht_cmd(
    gemeente: GemeenteOpt,
    van: VanOpt = None,
    tot: TotOpt = None,
    vintage: Annotated[int | None, typer.Option()] = None,
    referentie: Annotated[
        str | None,
        typer.Option(),
    ] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """The seven veerkracht maps (overlast, kwetsbaar, focus, corporatiebezit, their
    development and the typology) as tables."""
    _check_order(van, tot)  # before anything heavy is imported or opened
    from buurtbalans.analysis.pipeline import veerkracht_analysis

    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        van, tot = _period(st, code, van, tot)
        maps, settings, cross = veerkracht_analysis(
            st, code, van, tot, vintage=vintage, reference=referentie
        )
    from buurtbalans.analysis.veerkracht import label_en
    from buurtbalans.report import display
    from buurtbalans.report.chapters.veerkracht import MAPS
    from buurtbalans.report.tables import Col, Words, label_of
    from buurtbalans.report.tables import display as shown
    from buurtbalans.terms import number, t

    lang = taal()
    words = Words.for_language(lang)
    for col, key, *_ in MAPS:
        if col not in maps:
            continue
        counts = maps[col].value_counts().rename_axis("type").reset_index(name="n")
        if lang == "en":
            counts["type"] = [label_en(str(v)) for v in counts["type"]]
        cols = [Col("type", "tcol_vk_type"), Col("n", "tcol_count", "int")]
        _print_display(shown(counts, cols, words), t(key))
    _print_display(display.veerkracht_crosstab(cross.reset_index(), lang), t("vk_crosstab_title"))
    out.print(
        t(
            "cli_vk_settings",
            van=settings.get("van"),
            tot=settings.get("tot"),
            vintage=settings.get("vintage"),
            reference=label_of("ref_", str(settings.get("reference")), lang),
            index=number(settings.get("reference_index"), lang, 1),
            sigma=number(settings.get("sigma_onv"), lang, 3),
        )
    )
    if term := settings.get("reference_basis_term"):
        out.print(f"{t('cli_vk_reference')}: {t(term[0], lang, **term[1])}")
    if output:
        _sheets(output, {"kaarten": maps, "corporatiebezit": cross.reset_index()}, settings)


@app.command("benchmark")
def benchmark_cmd(
    gemeente: GemeenteOpt,
    peers: Annotated[
        list[str] | None,
        typer.Option("--peers"),
    ] = None,
    regel: Annotated[str | None, typer.Option()] = None,
    aantal: Annotated[int, typer.Option()] = 12,
    jaar: Annotated[int | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """A gemeente against NL and its peer gemeenten on every indicator in the store."""
    from buurtbalans.analysis.pipeline import benchmark_analysis

    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        b = benchmark_analysis(st, code, peers=peers, rule=regel, k=aantal, year=jaar, taal=taal())
    from buurtbalans.report import display
    from buurtbalans.report.tables import translate_units
    from buurtbalans.terms import t

    lang = taal()
    tables = {
        "peers": b.peers.table,
        "peer_method": [b.peers.method, *map(str, b.peers.notes)],
        "comparison": b.comparison,
        "standouts": b.standouts,
        "trends": b.trends,
    }
    first = b.peers.table.iloc[0] if len(b.peers.table) else None
    name = str(first["naam"]) if first is not None and isinstance(first["naam"], str) else code
    shown = display.benchmark(tables, lang, name)
    _print_display(shown["peers"], t("bm_peers", lang))
    for note in shown["notes"]:
        out.print(f"  {note}")
    _print_display(shown["comparison"], t("bm_table_t", lang))
    out.print(f"[bold]{t('bm_standouts', lang)}[/bold]")
    for line in b.standouts["zin"]:
        out.print(f"• {translate_units(str(line), lang)}")
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
