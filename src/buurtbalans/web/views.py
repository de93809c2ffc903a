"""What the API and the page show, computed from the store with the library's own functions
(the same ones behind the CLI and the report). Every function takes an open store and
returns plain data; :mod:`buurtbalans.web.api` caches and serialises it."""

from __future__ import annotations

import copy
import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans.analysis.change import Polarisation, buurt_change
from buurtbalans.analysis.pipeline import (
    ChangeAnalysis,
    benchmark_analysis,
    change_analysis,
    latest_vintage,
    population,
    priorities_analysis,
    veerkracht_analysis,
)
from buurtbalans.analysis.veerkracht import label_en
from buurtbalans.errors import DataError, Msg
from buurtbalans.index.store_mode import choose_reference, index_for_gemeente
from buurtbalans.report.chapters._maps import MDI_CLASSES
from buurtbalans.report.chapters.veerkracht import MAPS as VEERKRACHT_MAPS
from buurtbalans.report.terms import TERMS, improved_rule, one_year_kind, reference_label, t
from buurtbalans.spec import PRESETS, IndexSpec, load_spec
from buurtbalans.store import Store
from buurtbalans.web.problems import NotFoundError

SYNTHETIC_KIND = "demo"


# -- plain data ------------------------------------------------------------------------------
def clean(value: Any) -> Any:
    """JSON-ready: NaN/NA → None, numpy scalars → Python, tuples → lists (recursively)."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of ``df`` as JSON-ready dicts (missing values as None)."""
    out = df.astype({c: object for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})
    out = out.astype(object).where(out.notna(), None)
    return [clean(r) for r in out.to_dict("records")]


# -- gemeenten, years, specs -----------------------------------------------------------------
def gemeenten(store: Store) -> list[dict[str, Any]]:
    """Every gemeente with buurt data: code, name, years, vintages, synthetic or not; the
    years with data for the default index (``index_jaren``: its required domains and enough
    of its weight) and ``voorkeur`` on the one gemeente the page opens on (see
    :func:`landing`). One scan of the buurt rows per store content (every answer about a
    gemeente starts here); each call gets its own copy."""
    from buurtbalans.store.levels import per_content

    return copy.deepcopy(per_content(store, "gemeenten", lambda: _gemeenten(store)))


def _gemeenten(store: Store) -> list[dict[str, Any]]:
    spec = load_preset("mdi")
    domain_of = _domain_inputs(spec)
    rows = store.con.execute(
        """SELECT a.gemeente_code, o.period, list(DISTINCT a.vintage),
                  bool_or(s.kind = ?),
                  list(DISTINCT o.indicator) FILTER (list_contains(?, o.indicator)),
                  count(DISTINCT o.area_code)
           FROM observations o
           JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage
           LEFT JOIN sources s ON s.source_id = o.source_id
           WHERE a.level = 'buurt' AND a.gemeente_code IS NOT NULL
           GROUP BY 1, 2 ORDER BY 1, 2""",
        [SYNTHETIC_KIND, sorted(domain_of)],
    ).fetchall()
    names = _gemeente_names(store)
    twin = store.twin() is not None  # the national twin is synthetic throughout
    weight = {d.id: d.weight for d in spec.domains}
    total = sum(weight.values()) or 1.0
    required = set(spec.required_domains)
    out: dict[str, dict[str, Any]] = {}
    for code, year, vintages, synthetic, indicators, n in rows:
        g = out.setdefault(
            code,
            {
                "code": code,
                "naam": names.get(code, code),
                "jaren": [],
                "vintages": set(),
                "synthetisch": twin,
                "index_jaren": [],
                "buurten": 0,
            },
        )
        g["jaren"].append(int(year))
        g["vintages"].update(int(v) for v in vintages)
        g["synthetisch"] = g["synthetisch"] or bool(synthetic)
        have = {domain_of[i] for i in indicators or []} & set(weight)
        if required <= have and sum(weight[d] for d in have) / total >= spec.min_weight_share:
            g["index_jaren"].append(int(year))
            g["buurten"] = max(g["buurten"], int(n))
    result = [{**g, "vintages": sorted(g["vintages"])} for g in out.values()]
    best = landing(result)
    for g in result:
        g["voorkeur"] = g is best
        del g["buurten"]
    return result


def _domain_inputs(spec: IndexSpec) -> dict[str, str]:
    """Every stored indicator an index domain reads (the indicator, its numerator and
    denominators) → that domain."""
    out: dict[str, str] = {}
    for ind in spec.indicators:
        for name in (ind.id, ind.numerator, *ind.denominator):
            if name:
                out.setdefault(str(name), ind.domain)
    return out


def landing(gms: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The gemeente the dashboard opens on: one whose buurten have data for the index in
    two years or more (then one year), the most buurten first, else the first gemeente."""
    if not gms:
        return None
    return max(
        gms,
        key=lambda g: (min(len(g["index_jaren"]), 2), g.get("buurten", 0), -gms.index(g)),
    )


def _gemeente_names(store: Store) -> dict[str, str]:
    rows = store.con.execute(
        "SELECT code, name FROM areas WHERE level = 'gemeente' AND name IS NOT NULL "
        "ORDER BY vintage"
    ).fetchall()
    return {str(c): str(n) for c, n in rows}


def gemeente(store: Store, code: str) -> dict[str, Any]:
    """One gemeente's entry, or :class:`NotFoundError` saying which ones exist."""
    all_ = gemeenten(store)
    for g in all_:
        if g["code"] == code:
            return g
    known = [f"{g['code']} ({g['naam']})" for g in all_[:8]]  # none: '–'
    raise NotFoundError(Msg("err_an_web_gemeente", code=code, known=known))


def specs() -> list[dict[str, Any]]:
    """The built-in index specs the server offers (files are never read from a URL)."""
    return [spec_info(load_spec(name), name) for name in PRESETS]


def spec_info(spec: IndexSpec, spec_id: str) -> dict[str, Any]:
    """A spec's id, name, hash, domains (with labels and weights) and classes."""
    return {
        "id": spec_id,
        "naam": spec.name,
        "hash": spec.hash(),
        "reference": spec.reference,
        "transform": spec.transform,
        "domains": [
            {
                "id": d.id,
                "label_nl": d.label_nl or d.id,
                "label_en": d.label_en or d.id,
                "weight": d.weight,
            }
            for d in spec.domains
        ],
        "classes": {
            "edges": list(spec.classes.edges),
            "labels_nl": list(spec.classes.labels),
            "labels_en": list(spec.classes.labels_en),
            "colours": MDI_CLASSES[: len(spec.classes.labels)],
        },
        "min_weight_share": spec.min_weight_share,
        "required_domains": list(spec.required_domains),
    }


@functools.lru_cache(maxsize=8)
def load_preset(spec_id: str) -> IndexSpec:
    """A built-in spec by id (parsed once: presets ship with the package); anything else is
    refused (no file paths from the web)."""
    if spec_id not in PRESETS:
        raise NotFoundError(Msg("err_an_web_spec", spec=spec_id, presets=list(PRESETS)))
    return load_spec(spec_id)


@functools.lru_cache(maxsize=8)
def preset_hash(spec_id: str) -> str:
    """The spec hash of a preset (part of every cache key)."""
    return load_preset(spec_id).hash()


def years(g: dict[str, Any], van: int | None, jaar: int | None) -> tuple[int, int]:
    """(first year, shown year), defaulting to the first and last of the gemeente's years
    with data for the index (``index_jaren``), else of all its years."""
    have = g["jaren"]
    pool = g.get("index_jaren") or have
    jaar = pool[-1] if jaar is None else jaar
    if van is None:
        van = next((y for y in pool if y <= jaar), jaar)
    for y in (van, jaar):
        if y not in have:
            raise NotFoundError(
                Msg("err_an_web_year", name=g["naam"], code=g["code"], year=y, years=list(have))
            )
    if van > jaar:
        raise NotFoundError(Msg("err_an_web_van_after", van=van, jaar=jaar))
    return van, jaar


def reference_spec(store: Store, spec: IndexSpec, periods: list[int]) -> tuple[IndexSpec, str]:
    """The spec with the reference the store supports (as the CLI does), and a note."""
    if spec.reference.startswith("national"):
        chosen = choose_reference(store, periods)
        if chosen != "national":
            return spec.with_options(reference=chosen), chosen
    return spec, spec.reference


# -- the analyses ------------------------------------------------------------------------------
def analysis(store: Store, gm: str, spec: IndexSpec, van: int, jaar: int) -> ChangeAnalysis:
    """The report's change analysis for ``van`` → ``jaar`` (index on one vintage); for one
    year (``van == jaar``, e.g. a gemeente with one year of data) the index of that year
    with every change field empty — never a change of 0."""
    spec, _ = reference_spec(store, spec, sorted({van, jaar}))
    if van != jaar:
        return change_analysis(store, spec, gm, van, jaar)
    vintage = latest_vintage(store, gm, jaar)
    result = index_for_gemeente(store, spec, gm, [jaar], vintage=vintage)
    pop, pop_year = population(store, gm, jaar, vintage)
    ch = buurt_change(result.table, spec, jaar, jaar, population=pop.assign(period=jaar))
    empty = [c for c in ch.columns if c == "delta" or c.startswith(("delta_", "bijdrage_"))]
    ch[empty] = np.nan
    ch["direction"] = None
    nothing = pd.DataFrame()
    return ChangeAnalysis(
        index=result,
        change=ch,
        summary=nothing,
        transitions=nothing,
        flows={},
        decomposition=nothing,
        polarisation=Polarisation(nothing, nothing, float("nan"), (float("nan"),) * 2, 0),
        vintage=vintage,
        extras={"population_year": pop_year, "single_year": True},
    )


def index_payload(a: ChangeAnalysis, g: dict[str, Any], spec_id: str) -> dict[str, Any]:
    """Index rows of both years (score, rank, class, coverage, status, flags, domains),
    the change per buurt, and the run record."""
    run = a.index.run
    periods = sorted({int(p) for p in a.index.table["period"]})
    van, jaar = periods[0], periods[-1]
    domains = a.index.domains()
    cols = [
        "area_code",
        "name",
        "period",
        *domains,
        "score",
        "rank",
        "decile",
        "class",
        "coverage",
        "domains_used",
        "status",
        "flags",
    ]
    change = a.change.set_index("area_code")[["delta", "direction", "inwoners"]]
    rows = a.index.table[cols].join(change, on="area_code")
    reference = run.spec.reference
    return {
        "gemeente": {"code": g["code"], "naam": g["naam"], "synthetisch": g["synthetisch"]},
        "spec": spec_info(run.spec, spec_id),
        "van": van,
        "jaar": jaar,
        "vintage": a.vintage,
        "reference": reference,
        **{
            f"reference_{taal}": _reference_text(reference, van, jaar, taal)
            for taal in ("nl", "en")
        },
        **{
            f"reference_label_{taal}": reference_label(reference, van, jaar, taal)
            for taal in ("nl", "en")
        },
        "population_year": a.extras.get("population_year"),
        "rows": records(rows),
        "warnings": list(a.index.warnings),
        "run": clean(run.to_dict()),
    }


def _reference_text(reference: str, van: int, jaar: int, taal: str) -> str:
    """What the ranking is measured against, in words; for one year that year alone (a
    pooled reference has no second year to pool)."""
    kind = one_year_kind(reference)
    if van == jaar and kind:
        return t(f"web_ref_one_year_{kind}", taal, jaar=jaar)
    return t(f"ref_{reference}", taal) if f"ref_{reference}" in TERMS else reference


def profile_payload(
    store: Store, a: ChangeAnalysis, g: dict[str, Any], code: str, spec: IndexSpec
) -> dict[str, Any]:
    """One buurt: its index rows (both years), change, the underlying indicator values with
    source and year, and its scores across all years (one run over all years)."""
    table = a.index.table
    mine = table[table["area_code"] == code]
    if mine.empty:
        raise NotFoundError(
            Msg(
                "err_an_web_buurt",
                code=code,
                n=int(table["area_code"].nunique()),
                name=g["naam"],
                vintage=a.vintage,
                gemeente=g["code"],
            )
        )
    periods = sorted({int(p) for p in table["period"]})
    change = a.change[a.change["area_code"] == code]
    obs = store.observations(spec.raw_inputs(), gemeente=g["code"], periods=periods)
    obs = obs[obs["area_code"] == code]
    meta = store.indicators().set_index("id")[["label_nl", "label_en", "unit"]]
    src = store.sources().set_index("source_id")[["publisher", "table_id", "title", "period"]]
    src = src.rename(columns={"period": "source_period"})
    obs = obs.join(meta, on="indicator").join(src, on="source_id")
    obs = obs[
        [
            "indicator",
            "label_nl",
            "label_en",
            "unit",
            "period",
            "value",
            "status",
            "publisher",
            "table_id",
            "title",
            "source_period",
        ]
    ]
    # the scores of the years shown come from the one analysis every other surface reads
    # (same reference, same run): never a second computation on another reference set
    across = records(mine[["period", "score", "rank", "class", "coverage", "status"]])
    reference = a.index.run.spec.reference
    return {
        "gemeente": {"code": g["code"], "naam": g["naam"]},
        "code": code,
        "naam": mine["name"].dropna().iloc[0] if mine["name"].notna().any() else code,
        "vintage": a.vintage,
        "index": records(mine.drop(columns=[c for c in mine if c.startswith("contrib_")])),
        "change": records(change)[0] if len(change) else None,
        "indicators": records(obs.sort_values(["indicator", "period"])),
        "across_years": across,
        "across_years_reference": reference_label(reference, periods[0], periods[-1], "en")
        + f", vintage {a.vintage}",
        "reference": reference,
        "reference_nl": reference_label(reference, periods[0], periods[-1], "nl"),
        "reference_en": reference_label(reference, periods[0], periods[-1], "en"),
    }


def buurt_names(a: ChangeAnalysis) -> dict[str, str]:
    """Code → name of the analysis' buurten (names of tables keyed by code only)."""
    table = a.index.table[["area_code", "name"]].dropna().drop_duplicates("area_code")
    return dict(zip(table["area_code"], table["name"], strict=True))


def change_payload(a: ChangeAnalysis) -> dict[str, Any]:
    """Change per buurt, direction summary, class transitions and flows, decomposition by
    domain, polarisation, and the rule behind 'verbeterd'."""
    tol = float(a.basis.get("tolerantie", 0.0)) if a.basis else 0.0
    return {
        "vintage": a.vintage,
        "change": records(a.change),
        "summary": records(a.summary.reset_index() if a.summary.index.name else a.summary),
        "transitions": records(a.transitions.reset_index()),
        "flows": clean(a.flows),
        "decomposition": records(
            a.decomposition.reset_index() if a.decomposition.index.name else a.decomposition
        ),
        "polarisation": {
            "gaps": records(a.polarisation.gaps.reset_index()),
            "inequality": records(a.polarisation.inequality.reset_index()),
            "slope": clean(a.polarisation.slope),
            "slope_ci": clean(list(a.polarisation.slope_ci)),
            "slope_n": clean(a.polarisation.slope_n),
        },
        "population_year": a.extras.get("population_year"),
        "tolerantie": tol,
        "rule_nl": improved_rule(tol, "nl"),
        "rule_en": improved_rule(tol, "en"),
    }


def priorities_tables(store: Store, a: ChangeAnalysis, gm: str, jaar: int) -> dict[str, Any]:
    """The four options: summary (residents, share, cost), the lists, overlap, robustness."""
    summary, selections, overlap, robust = priorities_analysis(store, a, gm, jaar)
    lists = (
        pd.concat(
            [s.buurten.assign(optie=s.option.id, omschrijving=s.option.label) for s in selections],
            ignore_index=True,
        )
        if selections
        else pd.DataFrame()
    )
    return {"summary": summary, "lists": lists, "overlap": overlap, "robustness": robust}


def veerkracht_tables(store: Store, a: ChangeAnalysis, gm: str, van: int, jaar: int):
    """The seven veerkracht maps (one row per buurt), settings and the crosstab."""
    if van == jaar:
        raise DataError(
            Msg("err_an_web_vk_one_year", van=van, jaar=jaar), fix=Msg("fix_an_web_vk_one_year")
        )
    maps, settings, crosstab = veerkracht_analysis(store, gm, van, jaar, vintage=a.vintage)
    names = store.areas(gm, level="gemeente")["name"].dropna()
    national = str(settings.get("reference", "")).startswith("national")
    for taal in ("nl", "en"):  # what maps 2 and 5 are measured against, for beside the map
        settings[f"reference_{taal}"] = t(
            "vk_ref_national" if national else "vk_ref_municipal",
            taal,
            gemeente=names.iloc[-1] if len(names) else gm,
            tot=jaar,
        )
    return maps, settings, crosstab.reset_index()


def veerkracht_meta() -> list[dict[str, Any]]:
    """Titles, ordered class labels (NL and EN) and colours of the seven maps."""
    return [
        {
            "id": col,
            "title_nl": t(key, "nl"),
            "title_en": t(key, "en"),
            "labels_nl": list(cats),
            "labels_en": [label_en(c) for c in cats],
            "colours": list(colours)[: len(cats)],
        }
        for col, key, cats, colours, *_ in VEERKRACHT_MAPS
    ]


def benchmark_tables(store: Store, gm: str, jaar: int | None, taal: str) -> dict[str, Any]:
    """The gemeente against NL and its nearest peers (the CLI's default rule)."""
    bm = benchmark_analysis(store, gm, year=jaar, taal=taal)
    return {
        "peers": bm.peers.table,
        "peer_method": [bm.peers.method, *map(str, bm.peers.notes)],
        "comparison": bm.comparison,
        "ranks": bm.ranks.reset_index(names="indicator"),
        "trends": bm.trends,
        "standouts": bm.standouts,
    }


def areas_geojson(store: Store, gm: str | None, vintage: int | None) -> dict[str, Any]:
    """The buurten of one vintage — of gemeente ``gm``, or of every gemeente in the store
    when ``gm`` is None — as GeoJSON (WGS 84, RFC 7946)."""
    where = "AND a.gemeente_code = ?" if gm else ""
    have = [
        int(r[0])
        for r in store.con.execute(
            "SELECT DISTINCT b.vintage FROM boundaries b JOIN areas a ON a.code = b.code "
            f"AND a.vintage = b.vintage WHERE b.level = 'buurt' {where} ORDER BY 1",
            [gm] if gm else [],
        ).fetchall()
    ]
    whose = Msg("err_an_whose_gemeente", gemeente=gm) if gm else Msg("err_an_whose_store")
    if not have:
        raise NotFoundError(
            Msg(
                "err_an_web_no_boundaries",
                boundaries=Msg("no_boundaries", vintage=vintage or Msg("err_an_any_vintage")),
                whose=whose,
            )
        )
    vintage = have[-1] if vintage is None else vintage
    if vintage not in have:
        raise NotFoundError(
            Msg("err_an_web_boundaries_vintage", whose=whose, vintage=vintage, have=have)
        )
    gdf = store.boundaries(vintage, gm).to_crs(4326)
    wijk = store.areas(gm, level="buurt", vintage=vintage).set_index("code")["wijk_code"]
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "naam": name, "wijk_code": wijk.get(code)},
            "geometry": geom,
        }
        for code, name, geom in zip(
            gdf["code"], gdf["name"], _geometries(gdf.geometry), strict=True
        )
    ]
    return {
        "type": "FeatureCollection",
        "vintage": vintage,
        "vintages": have,
        "features": clean(features),
    }


def _geometries(geoms) -> list[dict[str, Any]]:
    import shapely

    rounded = shapely.set_precision(geoms.to_numpy(), 1e-6)
    return [shapely.geometry.mapping(g) for g in rounded]


def default_vintage(store: Store, gm: str, jaar: int) -> int:
    """The vintage the analyses of ``jaar`` run on."""
    return latest_vintage(store, gm, jaar)


def sources(store: Store) -> pd.DataFrame:
    """Every import: publisher, table, period, file hash, when, package version."""
    return store.sources()
