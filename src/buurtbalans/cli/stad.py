"""``buurtbalans stad``: the Staat van de stad of a gemeente — per theme the situation, the
trends against NL, the region and the peers, the outlook and the aandachtspunten."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from buurtbalans.cli.app import GemeenteOpt, StoreOpt, _print, _reader, _sheets, app, out

REGION_KINDS = ("provincie", "corop", "ggd", "arbeidsmarktregio")


@app.command("stad")
def stad_cmd(
    gemeente: GemeenteOpt,
    van: Annotated[int, typer.Option("--van")] = 2015,
    tot: Annotated[int, typer.Option("--tot")] = 2024,
    peers: Annotated[
        list[str] | None,
        typer.Option("--peers"),
    ] = None,
    aantal: Annotated[int, typer.Option()] = 12,
    regio: Annotated[str, typer.Option()] = "corop",
    taal: Annotated[str | None, typer.Option()] = None,
    output: Annotated[Path | None, typer.Option()] = None,
    store: StoreOpt = None,
) -> None:
    """Staat van de stad: the gemeente per theme against NL, its region and its peers."""
    from buurtbalans.analysis.stad import stad_analysis
    from buurtbalans.report.chapters.stad import attention, theme_label, theme_texts
    from buurtbalans.report.display import peer_notes
    from buurtbalans.terms import check_taal, message, t
    from buurtbalans.terms import taal as user_taal

    try:  # this command's --taal, else the user's (buurtbalans --taal, $BUURTBALANS_TAAL)
        taal = check_taal(taal) if taal else user_taal()
    except ValueError:
        raise typer.BadParameter(t("err_taal", value=taal), param_hint="--taal") from None
    if regio not in REGION_KINDS:
        raise typer.BadParameter(
            message("err_cli_regio", taal, {"value": regio, "kinds": list(REGION_KINDS)}),
            param_hint="--regio",
        )
    for name, year in (("--van", van), ("--tot", tot)):
        if not 1900 <= year <= 2100:
            raise typer.BadParameter(t("err_cli_year", taal, year=str(year)), param_hint=name)
    with _reader(store) as st:
        code = st.resolve_gemeente(gemeente)
        a = stad_analysis(st, code, van, tot, peers=peers, k=aantal, region_kind=regio)
    out.print(f"[bold]{t('stad', taal)} — {a.name} ({code}), {van}–{tot}[/bold]")
    if a.region is not None:
        out.print(f"  {t('col_stad_region', taal)}: {a.region.name} ({a.region.kind})")
    names = a.peers.table["naam"].fillna(a.peers.table["code"]).tolist()[1:]
    out.print(f"  {', '.join(names)}")
    notes = [*peer_notes(a.peers.table, a.peers.method, taal, a.name)]
    notes += [n.text(taal) for n in a.notes]
    for note in notes:
        out.print(f"  {escape(note)}")
    for theme, parts in theme_texts(a, taal).items():
        out.print(f"\n[bold]{theme_label(theme, taal)}[/bold]")
        for part in ("situatie", "trends", "vooruitblik"):
            out.print(f"[italic]{t('stad_' + part, taal)}[/italic]")
            for line in parts[part]:
                out.print(f"• {line}")
        out.print(f"  {parts['bronnen'][0]}")
    att = a.aandachtspunten()
    out.print(f"\n[bold]{t('stad_aandachtspunten', taal)}[/bold]")
    if att.empty:
        out.print(t("stad_no_aandacht", taal, gemeente=a.name))
    for _, row in att.iterrows():
        out.print(f"• {attention(row, a, taal)}")
    shown = a.table[a.table["status"] == "ok"][
        [
            "thema",
            "indicator",
            "periode",
            "waarde",
            "nl",
            "regio",
            "peers_gem",
            "rang",
            "tempo_nl",
            "tempo_regio",
            "tempo_peers",
            "bron",
        ]
    ]
    _print(shown, f"{len(shown)} kenmerken", limit=80)
    if output:
        sheets = {"stad": a.table, "reeksen": a.series, "prognose": a.forecast}
        sheets["aandachtspunten"] = att
        sheets["benchmarkgemeenten"] = a.peers.table
        _sheets(
            output,
            sheets,
            {
                "gemeente": code,
                "van": van,
                "tot": tot,
                "regio": a.region.__dict__ if a.region else None,
                "peers": a.peers.method,
                "criteria": a.peers.notes,
                "notes": notes,
            },
        )


app.command("city", help="English alias of 'stad'.")(stad_cmd)
