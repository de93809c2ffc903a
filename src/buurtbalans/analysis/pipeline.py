"""From the store to the analyses: the index for two years on one vintage, then change,
priorities and veerkracht — the functions behind the CLI and the report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from buurtbalans.analysis.basis import Basis, comparable_spec
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
    INSUFFICIENT,
    UNLIKE,
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
from buurtbalans.index.store_mode import index_for_gemeente, load_columns, reference_choice
from buurtbalans.index.transform import exponential, rank_share_from_scaled
from buurtbalans.sources.known import predecessors
from buurtbalans.spec import IndexSpec
from buurtbalans.store import Store


def latest_vintage(store: Store, gemeente: str, year: int) -> int:
    """The vintage of a gemeente's buurt data in ``year`` (the map to compare on)."""
    family = predecessors(gemeente)  # the gemeenten that merged into it count too
    row = store.con.execute(
        "SELECT max(o.vintage) FROM observations o JOIN areas a ON a.code = o.area_code "
        f"AND a.vintage = o.vintage WHERE a.gemeente_code IN ({','.join('?' * len(family))}) "
        "AND a.level = 'buurt' AND o.period = ?",
        [*family, year],
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
    family = predecessors(gemeente)
    years = sorted({int(p) for p in store.observations(["a_inw"], gemeente=family)["period"]})
    if not years:
        return pd.DataFrame(columns=["area_code", "a_inw"]), None
    nearest = min(years, key=lambda y: (abs(y - year), -y))
    wide = load_columns(store, ["a_inw"], gemeente, [nearest], vintage=vintage)
    return wide[["area_code", "a_inw"]], nearest


@dataclass
class ChangeAnalysis:
    """Everything the change chapter needs.

    ``basis`` states what every number rests on (years, domains and indicators used and
    left out with the reason, reference and its size per year, vintage, population years,
    buurten with and without a score); ``notes`` holds one plain Dutch sentence per
    dropped indicator or domain and per fallback (population year, reference, vintage).
    Both go into run.json (``provenance.basis`` / ``provenance.notes``).
    """

    index: IndexResult
    change: pd.DataFrame
    summary: pd.DataFrame
    transitions: pd.DataFrame
    flows: dict[str, int]
    decomposition: pd.DataFrame
    polarisation: Polarisation
    vintage: int
    extras: dict[str, object] = field(default_factory=dict)
    basis: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


_DOMAINS: ContextVar[list[str] | None] = ContextVar("buurtbalans_domains", default=None)


@contextmanager
def domain_choice(domains: list[str]) -> Iterator[None]:
    """Within this block every :func:`change_analysis` without ``domains`` compares on
    ``domains`` (the CLI's --domeinen for callers such as the report builder)."""
    token = _DOMAINS.set(list(domains))
    try:
        yield
    finally:
        _DOMAINS.reset(token)


def check_years(van: int, tot: int) -> None:
    """``van`` must come before ``tot``."""
    if van >= tot:
        raise DataError(
            f"--van {van} is not before --tot {tot}: a change needs two different years, "
            "the earlier first",
            fix=f"e.g. --van {min(van, tot) if van != tot else van - 4} --tot {max(van, tot)}",
        )


def change_analysis(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    *,
    vintage: int | None = None,
    tolerance: float = 0.5,
    domains: Sequence[str] | None = None,
    strict_reference: bool = False,
) -> ChangeAnalysis:
    """Index for ``van`` and ``tot`` on one vintage and on the same domains and indicators
    (the intersection of what both years have, or ``domains``), and the change between
    them. Refuses (:class:`DataError`) when that common set is below the spec's minimum.

    A national reference that the store holds only partly (e.g. health for all NL, income
    for one gemeente) is replaced by the gemeente's own buurten with a note, or refused
    with ``strict_reference``. Synthetic sources never enter a real gemeente's reference.
    """
    check_years(van, tot)
    if domains is None:
        domains = _DOMAINS.get()
    notes: list[str] = []
    basis = comparable_spec(store, spec, gemeente, van, tot, domains=domains)
    sub = basis.spec
    notes += basis.notes
    if sub.reference.startswith("national"):
        choice, why = reference_choice(store, sub, gemeente, [van, tot])
        if why:
            if strict_reference:
                raise DataError(why, fix="use --referentie input-pooled, or import all of NL")
            sub = sub.with_options(reference=choice)
            notes.append(why)
    if vintage is None:
        vintage = latest_vintage(store, gemeente, tot)
        notes.append(
            f"Buurtindeling {vintage}: de nieuwste indeling met gegevens voor {tot}."
        )
    result = index_for_gemeente(store, sub, gemeente, [van, tot], vintage=vintage)
    moved = _moved_years(store, gemeente, [van, tot], vintage, sub.raw_inputs())
    notes += [
        f"De gegevens van {y} (indeling {', '.join(map(str, v))}) zijn omgerekend naar "
        f"indeling {vintage}."
        for y, v in moved.items()
    ]
    pops, pop_years = [], {}
    for year in (van, tot):
        pop, used = population(store, gemeente, year, vintage)
        pop_years[year] = used
        pops.append(pop.assign(period=year))
        if used is None:
            notes.append(
                f"Geen inwonertallen in de store voor {year}: aantallen inwoners ontbreken "
                "en gemiddelden zijn niet naar inwoners gewogen."
            )
        elif used != year:
            notes.append(
                f"Voor {year} zijn de inwoners van {used} gebruikt (de store heeft geen "
                f"inwonertal voor {year})."
            )
    pop = pd.concat(pops, ignore_index=True)
    table = result.table
    for year in (van, tot):
        scored = table[(table["period"] == year) & (table["status"] == "ok")]
        if scored["score"].isna().all():
            raise DataError(
                f"no buurt of {gemeente} has enough data for a score in {year} on "
                f"{', '.join(basis.domains)}",
                fix="import the missing data for that year, or choose other years",
            )
    ch = buurt_change(table, sub, van, tot, population=pop, tolerance=tolerance)
    a = ChangeAnalysis(
        index=result,
        change=ch,
        summary=direction_summary(ch),
        transitions=transition_matrix(ch, van, tot, sub.classes.labels),
        flows=class_flows(ch, van, tot, sub.classes.labels[-1]),
        decomposition=decomposition(ch, sub),
        polarisation=polarisation(table, van, tot, pop),
        vintage=vintage,
        extras={"population_year": pop_years[tot]},
    )
    a.basis = _basis_record(a, basis, spec, van, tot, pop_years)
    n_bad = int((ch["direction"] == INSUFFICIENT).sum())
    if n_bad:
        notes.append(
            f"{n_bad} van de {len(ch)} buurten hebben in {van} of {tot} te weinig gegevens "
            "(of inwoners) voor een score: zij krijgen geen klasse, rang of verandering en "
            "staan als 'onvoldoende gegevens' in de tabellen."
        )
    n_unlike = int((ch["direction"] == UNLIKE).sum())
    if n_unlike:
        notes.append(
            f"{n_unlike} buurten hebben in {van} en {tot} een score op verschillende "
            "domeinen: voor hen is geen verandering berekend ('niet vergelijkbaar')."
        )
    a.notes = notes
    result.run.provenance["basis"] = a.basis
    result.run.provenance["notes"] = notes
    return a


def _moved_years(
    store: Store, gemeente: str, periods: Sequence[int], vintage: int, inputs: Sequence[str]
) -> dict[int, list[int]]:
    """Per year: the other vintages its buurt data sit on (those values are moved)."""
    rows = store.con.execute(
        f"""SELECT DISTINCT o.period, o.vintage FROM observations o JOIN areas a
            ON a.code = o.area_code AND a.vintage = o.vintage
            WHERE a.gemeente_code = ? AND a.level = 'buurt' AND o.vintage <> ?
              AND o.period IN ({",".join("?" * len(periods))})
              AND o.indicator IN ({",".join("?" * len(inputs))})
            ORDER BY 1, 2""",
        [gemeente, vintage, *periods, *inputs],
    ).fetchall()
    out: dict[int, list[int]] = {}
    for p, v in rows:
        out.setdefault(int(p), []).append(int(v))
    return out


def _basis_record(
    a: ChangeAnalysis,
    basis: Basis,
    spec: IndexSpec,
    van: int,
    tot: int,
    pop_years: dict[int, int | None],
) -> dict[str, object]:
    ref = a.index.run.provenance.get("reference", {})
    per_year = ref.get("areas_per_year", {}) if isinstance(ref, dict) else {}
    counts = {
        str(y): {str(k): int(v) for k, v in a.change[f"status_{y}"].value_counts().items()}
        for y in (van, tot)
        if f"status_{y}" in a.change.columns
    }
    return {
        "van": van,
        "tot": tot,
        "vintage": a.vintage,
        "spec": spec.name,
        **basis.to_dict(),
        "minimum": {
            "min_weight_share": spec.min_weight_share,
            "required_domains": list(spec.required_domains),
            "min_weight_share_op_deze_basis": basis.spec.min_weight_share,
        },
        "referentie": a.index.run.spec.reference,
        "referentie_buurten_per_jaar": {str(k): v for k, v in per_year.items()},
        "inwoners_jaar": {str(y): v for y, v in pop_years.items()},
        "buurten": len(a.change),
        "status_per_jaar": counts,
        "richting": {str(r.richting): int(r.buurten) for r in a.summary.itertuples(index=False)},
    }


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
    table = analysis.change.rename(
        columns={f"score_{tot}": "score", f"class_{tot}": "class", f"status_{tot}": "status"}
    )
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
    _veerkracht_years(store, gemeente, van, tot, config)
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


def _veerkracht_years(
    store: Store, gemeente: str, van: int, tot: int, config: VeerkrachtConfig
) -> None:
    """Both years need the Leefbaarometer and every vulnerability component; sources are
    published in different years (health 2016/2020, Leefbaarometer every other year), so
    a refusal names, per source, the years the store has and which years would work."""
    wanted = {"Leefbaarometer (onv)": ["lbm_onv"]}
    for name, (num, _den, _scale) in config.components.items():
        wanted[name] = num.split("|")
    family = predecessors(gemeente)
    rows = store.con.execute(
        "SELECT DISTINCT o.indicator, o.period FROM observations o JOIN areas a "
        "ON a.code = o.area_code AND a.vintage = o.vintage "
        f"WHERE a.gemeente_code IN ({','.join('?' * len(family))}) AND a.level = 'buurt' "
        "AND o.value IS NOT NULL",
        list(family),
    ).fetchall()
    have: dict[str, set[int]] = {}
    for ind, period in rows:
        have.setdefault(ind, set()).add(int(period))
    years_of = {name: set().union(*(have.get(i, set()) for i in ids)) for name, ids in wanted.items()}
    short = {n: ys for n, ys in years_of.items() if van not in ys or tot not in ys}
    if not short:
        return
    both = sorted(set.intersection(*years_of.values())) if years_of else []
    text = "; ".join(
        f"{n}: {', '.join(map(str, sorted(ys))) or 'geen jaar'}" for n, ys in short.items()
    )
    raise DataError(
        f"veerkracht {van} → {tot} needs every source in both years, but the store has "
        f"for {gemeente}: {text}",
        fix=(
            f"choose two years that have all of them ({', '.join(map(str, both))}), e.g. "
            f"--van {both[0]} --tot {both[-1]}"
            if len(both) >= 2
            else "import the missing sources for those years (Leefbaarometer, CBS/RIVM "
            "gezondheid, KWB)"
        ),
    )


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
