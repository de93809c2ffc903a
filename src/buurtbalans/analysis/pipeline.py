"""From the store to the analyses: the index for two years on one vintage, then change,
priorities and veerkracht — the functions behind the CLI and the report."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from buurtbalans.analysis.basis import Basis, comparable_spec
from buurtbalans.analysis.benchmark import (
    Peers,
    auto_peers,
    compare,
    gemeente_values,
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
from buurtbalans.analysis.uncertainty import UncertaintyResult
from buurtbalans.analysis.uncertainty_assumptions import Assumptions
from buurtbalans.analysis.veerkracht import (
    DEFAULT,
    VeerkrachtConfig,
    corporatie_crosstab,
    veerkracht,
)
from buurtbalans.errors import BuurtbalansError, DataError, Msg, Note
from buurtbalans.harmonise import with_denominators
from buurtbalans.index.engine import IndexResult
from buurtbalans.index.store_mode import index_for_gemeente, load_columns, reference_choice
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
            Msg("err_no_buurt_year", gemeente=gemeente, year=year), fix=Msg("fix_import_year")
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
            Msg("err_an_van_not_before", van=van, tot=tot),
            fix=Msg(
                "fix_an_van_not_before",
                van=min(van, tot) if van != tot else van - 4,
                tot=max(van, tot),
            ),
        )


def change_analysis(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    van: int,
    tot: int,
    *,
    vintage: int | None = None,
    tolerance: float | None = None,
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
    tolerance = 0.0 if tolerance is None else float(tolerance)
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
                raise DataError(Msg("err_strict_national", why=why), fix=Msg("fix_strict_national"))
            sub = sub.with_options(reference=choice)
            notes.append(Note(why))
    if vintage is None:
        vintage = latest_vintage(store, gemeente, tot)
        notes.append(f"Buurtindeling {vintage}: de nieuwste indeling met gegevens voor {tot}.")
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
                Msg(
                    "err_an_no_scores_domains",
                    gemeente=gemeente,
                    year=year,
                    domains=list(basis.domains),
                ),
                fix=Msg("fix_an_missing_data_year"),
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
        "referentie_jaren": [van, tot],
        "tolerantie": float(a.change.attrs.get("tolerantie", 0.0)),
        "referentie_buurten_per_jaar": {str(k): v for k, v in per_year.items()},
        "inwoners_jaar": {str(y): v for y, v in pop_years.items()},
        "buurten": len(a.change),
        "status_per_jaar": counts,
        "richting": {str(r.richting): int(r.buurten) for r in a.summary.itertuples(index=False)},
    }


def analysis_uncertainty(
    store: Store,
    analysis: ChangeAnalysis,
    gemeente: str,
    assumptions: Assumptions | None = None,
) -> UncertaintyResult:
    """The one Monte Carlo of a change analysis (:mod:`buurtbalans.analysis.uncertainty`):
    on the analysis' own spec (domains, indicators, reference), years and vintage, with
    ``assumptions`` (default: the package preset). Computed once per analysis and set of
    assumptions and kept in ``analysis.extras``, so that ``onzekerheid``, the priority
    options' robustness and the report's uncertainty chapter give the same probability
    for the same buurt."""
    from buurtbalans.analysis.uncertainty import uncertainty_for_gemeente
    from buurtbalans.analysis.uncertainty_assumptions import load_assumptions

    a = assumptions or load_assumptions(None)
    cache = analysis.extras.setdefault("uncertainty", {})
    assert isinstance(cache, dict)
    key = json.dumps(a.to_dict(), sort_keys=True, default=str)
    if key not in cache:
        van, tot = analysis.basis.get("van"), analysis.basis.get("tot")
        if van is None or tot is None:
            periods = sorted({int(p) for p in analysis.index.table["period"]})
            van, tot = periods[0], periods[-1]
        cache[key] = uncertainty_for_gemeente(
            store,
            analysis.index.run.spec,
            gemeente,
            int(van),
            int(tot),
            a,
            vintage=analysis.vintage,
        )
    return cache[key]


def priorities_analysis(
    store: Store,
    analysis: ChangeAnalysis,
    gemeente: str,
    tot: int,
    *,
    n: int = 10,
    assumptions: Assumptions | None = None,
) -> tuple[pd.DataFrame, list[Selection], pd.DataFrame, pd.DataFrame]:
    """The four options (+ overlap and robustness) on the change analysis. Robustness is
    P(among the ``n`` most deprived in ``tot``) from the same Monte Carlo and assumptions
    as ``onzekerheid`` (:func:`analysis_uncertainty`, with ``top`` = ``n``)."""
    from buurtbalans.analysis.uncertainty_assumptions import load_assumptions

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
    a = replace(assumptions or load_assumptions(None), top=n)
    cands = table.loc[table["class"] == analysis.index.run.spec.classes.labels[-1], "area_code"]
    try:
        rob = robustness(analysis_uncertainty(store, analysis, gemeente, a), tot, cands)
    except BuurtbalansError as exc:  # the lists stand; their robustness says why it is absent
        rob = pd.DataFrame(columns=["area_code", "kans_top", "kans_zeer_hoog", "robuust"])
        rob.attrs.update(top=n, runs=0, year=tot, reason=str(exc))
    return summary, selections, overlap(selections), rob


def veerkracht_analysis(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    vintage: int | None = None,
    config: VeerkrachtConfig = DEFAULT,
    reference: str | None = None,
) -> tuple[pd.DataFrame, dict[str, object], pd.DataFrame]:
    """The seven veerkracht maps between ``van`` and ``tot`` on one vintage.

    Maps 2 and 5 (and so 3, 6 and 7) are measured against a reference: ``"national"`` (the
    NL vulnerability index in ``tot`` and the NL σ of onv in ``van``, from every real buurt
    in the store), ``"municipal"`` (the gemeente's own) or ``None``: national when the
    store holds (nearly) all NL buurten for both, else municipal with a note. The
    reference used, its values and the number of buurten behind them are in the settings.
    """
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
            Msg("err_an_no_lbm_onv", gemeente=gemeente, van=van, tot=tot),
            fix=Msg("fix_an_import_lbm"),
        )
    start = wide[wide["period"] == van].set_index("area_code")
    end = wide[wide["period"] == tot].set_index("area_code")
    ref_index, sigma, basis = _veerkracht_reference(
        store, gemeente, van, tot, needed, config, reference
    )
    maps, settings = veerkracht(
        start, end, config=config, reference_index=ref_index, sigma_onv=sigma
    )
    settings.update(vintage=vintage, van=van, tot=tot, **basis)
    maps.insert(0, "name", end["name"])
    return (
        maps.reset_index(),
        settings,
        corporatie_crosstab(maps, stock=_stock(store, gemeente, tot, vintage)),
    )


def _stock(store: Store, gemeente: str, tot: int, vintage: int) -> pd.DataFrame:
    """Corporation share and dwellings per buurt in ``tot`` (for the crosstab, which
    counts corporation dwellings as seed 003 does)."""
    wide = load_columns(store, ["p_wcorpw", "a_woning"], gemeente, [tot], vintage=vintage)
    if wide.empty:
        return pd.DataFrame(columns=["p_wcorpw", "a_woning"])
    return wide[wide["period"] == tot].set_index("area_code")


class VeerkrachtYearsError(DataError):
    """Veerkracht refused because a source lacks one of the two years: ``have`` maps each
    source to the years the store has for it, ``both`` the years that have them all."""

    def __init__(
        self, message: Msg, *, fix: Msg, have: dict[str, list[int]], both: list[int]
    ) -> None:
        super().__init__(message, fix=fix)
        self.have, self.both = have, both


VEERKRACHT_REFERENCES = ("national", "municipal")


def _veerkracht_reference(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    needed: Sequence[str],
    config: VeerkrachtConfig,
    reference: str | None,
) -> tuple[float | None, float | None, dict[str, object]]:
    """(NL vulnerability index in ``tot``, NL σ of onv in ``van``, basis) for a national
    reference, or (None, None, basis) for the gemeente's own (computed by the maps).
    Synthetic gemeenten never enter the NL values of a real gemeente, and a synthetic
    gemeente (the demo, the national twin) is only measured against synthetic buurten."""
    from buurtbalans.analysis.veerkracht import vulnerability_index
    from buurtbalans.index.store_mode import NATIONAL_MIN_BUURTEN
    from buurtbalans.store.world import national_minimum

    if reference not in (None, *VEERKRACHT_REFERENCES):
        raise DataError(
            Msg("err_an_vk_reference", reference=reference), fix=Msg("fix_an_vk_reference")
        )
    if reference == "municipal":
        return None, None, _basis("vk_basis_chosen")
    synthetic = set(store.synthetic_gemeenten())
    fake = gemeente in synthetic  # synthetic only against synthetic, real only against real
    nl = store.wide(with_denominators(list(needed)), periods=[van, tot])
    nl = nl[nl["area_code"].str.startswith("BU")]
    nl = nl[("GM" + nl["area_code"].str[2:6]).isin(synthetic) == fake]
    end = nl[nl["period"] == tot]
    try:
        idx = vulnerability_index(end, config)
    except DataError:
        idx = pd.Series(dtype=float)
    onv = nl.loc[nl["period"] == van, "lbm_onv"] if "lbm_onv" in nl else pd.Series()
    onv = onv.dropna()
    w = end["a_inw"] if "a_inw" in end else pd.Series(1.0, index=end.index)
    ok = idx.notna() & w.notna()
    idx = idx[ok]
    minimum = national_minimum(store, NATIONAL_MIN_BUURTEN)  # the twin is its own NL
    counts = {"tot": str(tot), "van": str(van), "n_index": len(idx), "n_onv": len(onv)}
    if len(idx) < minimum or len(onv) < minimum:
        if reference == "national":
            n, m = len(idx), len(onv)
            what = (
                Msg("err_an_vk_no_national_synthetic", tot=tot, n_index=n, van=van, n_onv=m)
                if fake
                else Msg("err_an_vk_no_national", tot=tot, n_index=n, van=van, n_onv=m)
            )
            raise DataError(what, fix=Msg("fix_an_vk_national"))
        return None, None, _basis("vk_basis_own_synthetic" if fake else "vk_basis_own", **counts)
    weights = w[ok].to_numpy(dtype=float)
    return (
        float(np.average(idx.to_numpy(dtype=float), weights=weights)),
        float(onv.std(ddof=0)),
        {
            **_basis("vk_basis_national_synthetic" if fake else "vk_basis_national", **counts),
            "reference_buurten": {str(tot): len(idx), str(van): len(onv)},
        },
    )


def _basis(key: str, **fields: object) -> dict[str, object]:
    """What the veerkracht maps 2 and 5 are measured against: the Dutch sentence (the run
    record's) and its catalogue key and fields, for a reader of either language."""
    from buurtbalans.terms import t

    return {"reference_basis": t(key, "nl", **fields), "reference_basis_term": [key, fields]}


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
    years_of = {
        name: set().union(*(have.get(i, set()) for i in ids)) for name, ids in wanted.items()
    }
    short = {n: ys for n, ys in years_of.items() if van not in ys or tot not in ys}
    if not short or not all(years_of.values()):
        return  # all there, or a source absent altogether (its own message follows)
    both = sorted(set.intersection(*years_of.values())) if years_of else []
    text = "; ".join(f"{n}: {', '.join(map(str, sorted(ys)))}" for n, ys in short.items())
    raise VeerkrachtYearsError(
        Msg("err_vk_years", van=van, tot=tot, gemeente=gemeente, have=text),
        fix=(
            Msg("fix_vk_years", both=", ".join(map(str, both)), van=both[0], tot=both[-1])
            if len(both) >= 2
            else Msg("fix_vk_import")
        ),
        have={n: sorted(ys) for n, ys in short.items()},
        both=both,
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
        raise DataError(Msg("err_an_peer_rule", rule=rule), fix=Msg("fix_an_peer_rule"))
    values = gemeente_values(store, None, gemeente)  # read once for the four tables
    comp = compare(store, gemeente, chosen, year=year, values=values)
    return BenchmarkAnalysis(
        gemeente,
        chosen,
        comp,
        rank_table(store, gemeente, chosen, comp, values),
        trends(store, gemeente, chosen, comp, values),
        standouts(comp, store, gemeente, chosen, taal=taal, values=values),
    )
