"""From the store to the analyses: the index for two years on one vintage, then change,
priorities and veerkracht — the functions behind the CLI and the report."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from buurtbalans.analysis.benchmark import (
    Peers,
    auto_peers,
    compare,
    given_peers,
    rank_table,
    rule_peers,
    standouts,
    trends,
)
from buurtbalans.analysis.change import (
    Polarisation,
    buurt_change,
    class_flows,
    decomposition,
    direction_summary,
    polarisation,
    transition_matrix,
)
from buurtbalans.analysis.priorities import Selection, overlap, prioritise, robustness
from buurtbalans.analysis.veerkracht import (
    DEFAULT,
    VeerkrachtConfig,
    corporatie_crosstab,
    veerkracht,
)
from buurtbalans.errors import DataError
from buurtbalans.index.engine import IndexResult
from buurtbalans.index.store_mode import index_for_gemeente, load_columns
from buurtbalans.index.transform import exponential, rank_share_from_scaled
from buurtbalans.spec import IndexSpec
from buurtbalans.store import Store


def latest_vintage(store: Store, gemeente: str, year: int) -> int:
    """The vintage of a gemeente's buurt data in ``year`` (the map to compare on)."""
    row = store.con.execute(
        "SELECT max(o.vintage) FROM observations o JOIN areas a ON a.code = o.area_code "
        "AND a.vintage = o.vintage WHERE a.gemeente_code = ? AND a.level = 'buurt' "
        "AND o.period = ?",
        [gemeente, year],
    ).fetchone()
    if row is None or row[0] is None:
        raise DataError(
            f"no buurt data for {gemeente} in {year}",
            fix="import that year's data first (buurtbalans import ...)",
        )
    return int(row[0])


def population(
    store: Store, gemeente: str, year: int, vintage: int
) -> tuple[pd.DataFrame, int | None]:
    """Residents per buurt on ``vintage`` in ``year``, or in the nearest year that has them
    (the year used is returned and reported)."""
    years = sorted({int(p) for p in store.observations(["a_inw"], gemeente=gemeente)["period"]})
    if not years:
        return pd.DataFrame(columns=["area_code", "a_inw"]), None
    nearest = min(years, key=lambda y: (abs(y - year), -y))
    wide = load_columns(store, ["a_inw"], gemeente, [nearest], vintage=vintage)
    return wide[["area_code", "a_inw"]], nearest


@dataclass
class ChangeAnalysis:
    """Everything the change chapter needs."""

    index: IndexResult
    change: pd.DataFrame
    summary: pd.DataFrame
    transitions: pd.DataFrame
    flows: dict[str, int]
    decomposition: pd.DataFrame
    polarisation: Polarisation
    vintage: int
    extras: dict[str, object] = field(default_factory=dict)


def change_analysis(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    *,
    vintage: int | None = None,
    tolerance: float = 0.5,
) -> ChangeAnalysis:
    """Index for ``van`` and ``tot`` on one vintage, and the change between them."""
    vintage = vintage or latest_vintage(store, gemeente, tot)
    result = index_for_gemeente(store, spec, gemeente, [van, tot], vintage=vintage)
    pop, pop_year = population(store, gemeente, tot, vintage)
    pop = pd.concat([pop.assign(period=van), pop.assign(period=tot)], ignore_index=True)
    ch = buurt_change(result.table, spec, van, tot, population=pop, tolerance=tolerance)
    return ChangeAnalysis(
        index=result,
        change=ch,
        summary=direction_summary(ch),
        transitions=transition_matrix(ch, van, tot, spec.classes.labels),
        flows=class_flows(ch, van, tot, spec.classes.labels[-1]),
        decomposition=decomposition(ch, spec),
        polarisation=polarisation(result.table, van, tot, pop),
        vintage=vintage,
        extras={"population_year": pop_year},
    )


def priorities_analysis(
    store: Store,
    analysis: ChangeAnalysis,
    gemeente: str,
    tot: int,
    *,
    n: int = 10,
    draws: int = 500,
) -> tuple[pd.DataFrame, list[Selection], pd.DataFrame, pd.DataFrame]:
    """The four options (+ overlap and robustness) on the change analysis."""
    table = analysis.change.rename(columns={f"score_{tot}": "score", f"class_{tot}": "class"})
    costs = load_columns(
        store, ["kosten_sociaal_domein"], gemeente, [tot], vintage=analysis.vintage
    )
    if "kosten_sociaal_domein" in costs:
        kosten = costs[["area_code", "kosten_sociaal_domein"]]
        table = table.merge(
            kosten.rename(columns={"kosten_sociaal_domein": "kosten"}), on="area_code", how="left"
        )
    summary, selections = prioritise(table, n=n)
    spec = analysis.index.run.spec
    latest = analysis.index.table[analysis.index.table["period"] == tot].set_index("area_code")
    cands = table.loc[table["class"] == spec.classes.labels[-1], "area_code"]
    domains = [d for d in spec.domain_ids() if d in latest.columns and latest[d].notna().any()]
    scaled = latest.loc[cands, domains]
    variants = {spec.transform: scaled}
    if spec.transform in ("percentile", "exponential"):  # the other scaling, same ranks
        r = rank_share_from_scaled(scaled, spec.transform)
        variants["exponential" if spec.transform == "percentile" else "percentile"] = (
            exponential(r) if spec.transform == "percentile" else 100.0 * r
        )
    rob = robustness(
        variants,
        {d.id: d.weight for d in spec.domains if d.id in domains},
        n=n,
        draws=draws,
        noise=2.0,
    )
    return summary, selections, overlap(selections), rob


def veerkracht_analysis(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    vintage: int | None = None,
    config: VeerkrachtConfig = DEFAULT,
) -> tuple[pd.DataFrame, dict[str, object], pd.DataFrame]:
    """The seven veerkracht maps between ``van`` and ``tot`` on one vintage."""
    needed = [
        "lbm_onv",
        "lbm_konv",
        "p_wcorpw",
        "a_inw",
        "a_soz_wb",
        "a_nw_all",
        "a_herk_bue",
        "gz_langdurig_ziek_beperkt",
        "p_wmo_t",
    ]
    vintage = vintage or latest_vintage(store, gemeente, tot)
    wide = load_columns(store, needed, gemeente, [van, tot], vintage=vintage)
    if "lbm_onv" not in wide or wide["lbm_onv"].isna().all():
        raise DataError(
            f"no Leefbaarometer 'onv' for {gemeente} in {van}/{tot}",
            fix="import the Leefbaarometer scores (buurtbalans import file "
            "'Leefbaarometer-scores buurten 2002-2024.csv')",
        )
    start = wide[wide["period"] == van].set_index("area_code")
    end = wide[wide["period"] == tot].set_index("area_code")
    maps, settings = veerkracht(start, end, config=config)
    settings.update(vintage=vintage, van=van, tot=tot)
    maps.insert(0, "name", end["name"])
    return maps.reset_index(), settings, corporatie_crosstab(maps)


@dataclass
class BenchmarkAnalysis:
    """The benchmark chapter: peers (with why), comparison, ranks, trends, standouts."""

    gemeente: str
    peers: Peers
    comparison: pd.DataFrame
    ranks: pd.DataFrame
    trends: pd.DataFrame
    standouts: pd.DataFrame


def benchmark_analysis(
    store: Store,
    gemeente: str,
    *,
    peers: list[str] | None = None,
    rule: str | None = None,
    k: int = 12,
    year: int | None = None,
    taal: str = "nl",
) -> BenchmarkAnalysis:
    """Compare a gemeente with given peers, the seed-004 rule (``rule='seed004'``) or its
    ``k`` nearest neighbours (the default)."""
    if peers:
        chosen = given_peers(store, gemeente, peers)
    elif rule == "seed004":
        chosen = rule_peers(store, gemeente, k=k, year=year)
    elif rule is None:
        chosen = auto_peers(store, gemeente, k=k, year=year)
    else:
        raise DataError(
            f"unknown peer rule {rule!r}",
            fix="use --regel seed004, --peers or no option for the nearest neighbours",
        )
    comp = compare(store, gemeente, chosen, year=year)
    return BenchmarkAnalysis(
        gemeente,
        chosen,
        comp,
        rank_table(store, gemeente, chosen, comp),
        trends(store, gemeente, chosen, comp),
        standouts(comp, store, gemeente, chosen, taal=taal),
    )
