"""Running an index on the store: select the reference set, move to one vintage, compute,
and record which source tables and periods went in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from buurtbalans.errors import Both, DataError, Msg
from buurtbalans.harmonise import column_kinds, store_crosswalk, to_vintage, with_denominators
from buurtbalans.index.cache import artefact_key, cache_for, reference_key, with_provenance
from buurtbalans.index.engine import IndexResult, compute
from buurtbalans.sources.known import predecessors
from buurtbalans.spec import IndexSpec
from buurtbalans.store import Store
from buurtbalans.store.world import national_minimum

NATIONAL_MIN_BUURTEN = 10_000  # NL has ~13,000-14,600 buurten in every year since 2013


def load_input(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    periods: Sequence[int],
    *,
    vintage: int | None = None,
) -> pd.DataFrame:
    """Wide input for the spec: the gemeente's buurten, or all NL buurten for a national
    reference, one row per buurt and period (moved onto ``vintage`` when given)."""
    national = spec.reference.startswith("national")
    columns = spec.raw_inputs() if vintage is None else with_denominators(spec.raw_inputs())
    if national:
        wide = national_input(store, columns, periods)
    else:  # its buurten under the codes of merged gemeenten too
        wide = store.wide(columns, gemeente=predecessors(gemeente), periods=periods)
    if national and not wide.empty:
        # synthetic sources (the demo) never enter a real gemeente's reference
        fake = {g[2:] for g in store.synthetic_gemeenten()} - {gemeente[2:]}
        if fake:
            wide = wide[~wide["area_code"].str[2:6].isin(fake)].reset_index(drop=True)
    if wide.empty:
        raise DataError(
            Msg("err_no_buurt_data_in", gemeente=gemeente, years=[int(p) for p in periods])
            if periods
            else Msg("err_no_buurt_data_any", gemeente=gemeente),
            fix=Msg("fix_import_or_check"),
        )
    if national:
        counts = wide.groupby("period")["area_code"].nunique()
        minimum = national_minimum(store, NATIONAL_MIN_BUURTEN)
        _check_national_counts({int(p): int(n) for p, n in counts.items()}, periods, minimum)
    if national:
        _refuse_partial(store, wide, spec, gemeente, periods)
    if vintage is not None:
        # only the gemeente moves onto the vintage; other buurten are the national reference
        # and keep their own codes
        own = in_gemeente(wide["area_code"], gemeente)
        wide = pd.concat(
            [_move(store, wide[own], vintage, gemeente), wide[~own]], ignore_index=True
        )
    if national:
        own = in_gemeente(wide["area_code"], gemeente)
        wide = pd.concat([wide[own], home_vintage_rows(wide[~own])], ignore_index=True)
    wide = combine_vintages(wide, vintage)
    missing_periods = sorted(set(periods) - set(wide["period"]))
    if missing_periods:
        raise DataError(
            Msg("err_co_no_data_years", years=[int(p) for p in missing_periods]),
            fix=Msg("fix_co_no_data_years"),
        )
    return wide


def combine_vintages(wide: pd.DataFrame, target: int | None) -> pd.DataFrame:
    """One row per area code and year. Sources of one year can come on different
    vintages (the Leefbaarometer republishes every year on the latest indeling, KWB uses
    each year's): rows of the same code and year are combined, the values of ``target``
    (or else the latest vintage) first. A code CBS kept is the same piece of land; a
    changed buurt has a new code and is not combined."""
    if wide.empty or not wide.duplicated(["area_code", "period"]).any():
        return wide
    rank = wide["vintage"].rsub(10_000) if target is None else (wide["vintage"] != target)
    out = (
        wide.assign(_rank=rank)
        .sort_values(["area_code", "period", "_rank"], kind="stable")
        .groupby(["area_code", "period"], as_index=False, sort=False)
        .first()
        .drop(columns="_rank")
    )
    return out[wide.columns]


def home_vintage_rows(wide: pd.DataFrame) -> pd.DataFrame:
    """The reference's buurten of each year as that year defined them: rows on another
    vintage (e.g. the Leefbaarometer, republished on the latest indeling) join a buurt of
    the year's own indeling when the code is the same, and are left out when the code did
    not exist that year (a later split, merge or new code), so a year never counts buurten
    it did not have. The year's own indeling is the vintage equal to the year, else the
    one with the most rows."""
    if wide.empty or wide["vintage"].nunique() == 1:
        return wide
    keep = pd.Series(True, index=wide.index)
    for period, part in wide.groupby("period"):
        counts = part["vintage"].value_counts()
        home = int(period) if int(period) in counts.index else int(counts.idxmax())
        codes = set(part.loc[part["vintage"] == home, "area_code"])
        keep[part.index] = (part["vintage"] == home) | part["area_code"].isin(codes)
    return wide[keep]


def in_gemeente(codes: pd.Series, gemeente: str) -> pd.Series:
    """Which area codes lie in ``gemeente`` or in a gemeente that merged into it."""
    return codes.str[2:6].isin([g[2:] for g in predecessors(gemeente)])


def _check_national_counts(counts: dict[int, int], periods: Sequence[int], minimum: int) -> None:
    """A national reference needs (nearly) all NL buurten in every period."""
    short = {int(p): counts.get(int(p), 0) for p in periods if counts.get(int(p), 0) < minimum}
    if short:
        raise DataError(
            Msg(
                "err_co_national_short",
                counts=[Msg("err_co_buurten_in_year", n=n, year=p) for p, n in short.items()],
            ),
            fix=Msg("fix_co_national_short"),
        )


def national_input(store: Store, columns: Sequence[str], periods: Sequence[int]) -> pd.DataFrame:
    """Every NL buurt's ``columns`` in ``periods`` (one row per buurt and period), read
    and pivoted once per store content: a cached artefact next to the store (see
    :mod:`buurtbalans.index.cache`), so the next gemeente reads none of the national
    rows. Each call gets its own copy (the cached frame is never changed)."""
    cache = cache_for(store)
    key = artefact_key(
        store,
        {
            "artefact": "national-input",
            "columns": list(columns),
            "periods": sorted(int(p) for p in periods),
        },
    )
    wide, _ = cache.get(key)
    if not isinstance(wide, pd.DataFrame):
        wide = store.wide(columns, gemeente=None, periods=periods)
        cache.put(key, wide)
    return wide.copy()


def domain_counts(
    wide: pd.DataFrame, spec: IndexSpec, gemeente: str | None = None
) -> dict[int, dict[str, int]]:
    """Per period and domain: the number of buurten in ``wide`` with data for at least one
    of the domain's indicators (a ratio needs its numerator and every denominator); with
    ``gemeente`` only that gemeente's buurten are counted."""
    if gemeente is not None:
        wide = wide[in_gemeente(wide["area_code"], gemeente)]
    out: dict[int, dict[str, int]] = {}
    for period, part in wide.groupby("period"):
        row: dict[str, int] = {}
        for d in spec.domain_ids():
            has = pd.Series(False, index=part.index)
            for ind in spec.indicators_of(d):
                cols = list(ind.inputs)
                if all(c in part.columns for c in cols):
                    has |= part[cols].notna().all(axis=1)
            row[d] = int(has.sum())
        out[int(period)] = row
    return out


def _refuse_partial(
    store: Store, wide: pd.DataFrame, spec: IndexSpec, gemeente: str, periods: Sequence[int]
) -> None:
    """A national reference must be national for every domain the gemeente has data for:
    health for all NL but income for one gemeente would mix two references silently."""
    _refuse_partial_counts(
        domain_counts(wide, spec),
        domain_counts(wide, spec, gemeente),
        periods,
        national_minimum(store, NATIONAL_MIN_BUURTEN),
    )


def _refuse_partial_counts(
    allnl: dict[int, dict[str, int]],
    own: dict[int, dict[str, int]],
    periods: Sequence[int],
    minimum: int,
) -> None:
    """:func:`_refuse_partial` on the counts (all NL, the gemeente's own) per period and
    domain."""
    partial = {
        (p, d): n
        for p in periods
        for d, n in allnl.get(int(p), {}).items()
        if own.get(int(p), {}).get(d, 0) > 0 and n < minimum
    }
    if partial:
        parts = [
            Msg("err_co_partial_domain", domain=d, year=p, n=n)
            for (p, d), n in sorted(partial.items())
        ]
        raise DataError(
            Msg("err_co_national_partial", parts=parts), fix=Msg("fix_co_national_partial")
        )


def reference_summary(
    wide: pd.DataFrame, spec: IndexSpec, excluded_synthetic: Sequence[str] = ()
) -> dict[str, object]:
    """What the reference consists of: its kind, the number of buurten per year and per
    domain per year, and the synthetic gemeenten kept out."""
    counts = wide.groupby("period")["area_code"].nunique()
    return {
        "kind": spec.reference,
        "areas_per_year": {int(p): int(n) for p, n in counts.items()},
        "areas_per_domain": {str(p): v for p, v in domain_counts(wide, spec).items()},
        "synthetic_excluded": list(excluded_synthetic),
    }


def load_columns(
    store: Store, columns: Sequence[str], gemeente: str, periods: Sequence[int], *, vintage: int
) -> pd.DataFrame:
    """Any store indicators of a gemeente's buurten for ``periods``, on one vintage."""
    family = predecessors(gemeente)
    wide = store.wide(with_denominators(list(columns)), gemeente=family, periods=periods)
    if wide.empty:
        return wide
    return _move(store, wide, vintage, gemeente)


def _move(store: Store, wide: pd.DataFrame, target: int, gemeente: str | None) -> pd.DataFrame:
    parts = []
    value_cols = [c for c in wide.columns if c not in ("area_code", "vintage", "period", "name")]
    counts, rates = column_kinds(value_cols)
    family = list(predecessors(gemeente)) if gemeente else None
    names = store.areas(family, level="buurt", vintage=target).set_index("code")["name"]
    for vint, part in wide.groupby("vintage"):
        if int(vint) == target:
            parts.append(part)
            continue
        cw = store_crosswalk(store, int(vint), target, family)
        moved = to_vintage(part, cw, counts=counts, rates=rates)
        moved["vintage"] = target
        moved["name"] = moved["area_code"].map(names)
        parts.append(moved)
    out = combine_vintages(pd.concat(parts, ignore_index=True), target)
    out["vintage"] = target
    return out


def sources_used(
    store: Store,
    wide: pd.DataFrame,
    gemeente: str | None = None,
    *,
    indicators: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """Every source table behind the rows of ``wide`` (the gemeente and, for a national
    reference, the rest of NL): publisher, table, period, hash, whether it is synthetic,
    and the number of buurten per observation year it contributes."""
    periods = sorted({int(p) for p in wide["period"]})
    if not periods:
        return []
    codes = pd.DataFrame({"area_code": sorted(set(wide["area_code"]))})
    store.con.register("used_codes", codes)
    try:
        rows = store.con.execute(
            f"""SELECT s.publisher, s.table_id, s.title, s.period, s.file_hash, s.synthetic,
                       o.period AS jaar, count(DISTINCT o.area_code) AS buurten
                FROM sources s JOIN observations o USING (source_id)
                WHERE o.period IN ({",".join("?" * len(periods))})
                  AND o.area_code IN (SELECT area_code FROM used_codes)
                  {f"AND o.indicator IN ({','.join('?' * len(indicators))})" if indicators else ""}
                GROUP BY ALL ORDER BY s.table_id, jaar""",
            [*periods, *(indicators or [])],
        ).df()
    finally:
        store.con.unregister("used_codes")
    if gemeente and not rows.empty:
        rows = rows[~rows["synthetic"] | (gemeente in store.synthetic_gemeenten())]
    out = []
    keys = ["publisher", "table_id", "title", "period", "file_hash", "synthetic"]
    for key, part in rows.groupby(keys, sort=False, dropna=False):
        rec = dict(zip(keys, key, strict=True))
        rec["synthetic"] = bool(rec["synthetic"])
        pairs = zip(part["jaar"], part["buurten"], strict=True)
        rec["buurten_per_jaar"] = {int(j): int(n) for j, n in pairs}
        out.append(rec)
    return out


@dataclass
class NationalReference:
    """The national reference as an artefact: the index of every NL buurt, and what a
    gemeente's answer needs besides its own rows (the reference's provenance and its
    buurten per domain and year), so a cache hit never reads the national rows again."""

    result: IndexResult
    provenance: dict[str, Any]  # vintage, sources, n_reference, reference
    domain_counts: dict[int, dict[str, int]] = field(default_factory=dict)


def index_for_gemeente(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    periods: Sequence[int],
    *,
    vintage: int | None = None,
) -> IndexResult:
    """Compute ``spec`` for a gemeente's buurten in ``periods`` (reference per the spec).

    A national reference without ``vintage`` is a cached artefact per (spec hash, store
    fingerprint, selection: periods, the gemeente and the synthetic one let in): a hit reads only
    the gemeente's own rows, to check its domains against the reference's."""
    if spec.reference.startswith("national") and vintage is None:
        return _national_index(store, spec, gemeente, periods)
    wide = load_input(store, spec, gemeente, periods, vintage=vintage)
    result = compute(
        wide.drop(columns=["vintage"]),
        spec,
        id_columns=["area_code", "name"],
        period_column="period",
        provenance=_provenance(store, spec, wide, gemeente, periods, vintage),
    )
    if spec.reference.startswith("national"):
        result = _own_rows(result, gemeente)
    return result


def _provenance(
    store: Store,
    spec: IndexSpec,
    wide: pd.DataFrame,
    gemeente: str,
    periods: Sequence[int],
    vintage: int | None,
) -> dict[str, Any]:
    synthetic = store.synthetic_gemeenten()
    excluded = (
        [g for g in synthetic if g != gemeente] if spec.reference.startswith("national") else []
    )
    return {
        "gemeente": gemeente,
        "periods": list(periods),
        "vintage": vintage if vintage is not None else sorted({int(v) for v in wide["vintage"]}),
        "sources": sources_used(
            store, wide, gemeente, indicators=with_denominators(spec.raw_inputs())
        ),
        "store": str(store.path),
        "n_reference": len(wide),
        "reference": reference_summary(wide, spec, excluded),
    }


_SHARED = ("vintage", "sources", "n_reference", "reference")  # the same for every gemeente


def _national_index(
    store: Store, spec: IndexSpec, gemeente: str, periods: Sequence[int]
) -> IndexResult:
    cache = cache_for(store)
    own_synthetic = gemeente if gemeente in store.synthetic_gemeenten() else None
    selection = {
        "artefact": "national-index",
        "periods": sorted(int(p) for p in periods),
        "synthetic_included": own_synthetic,  # a demo gemeente ranks itself among NL
        # the reference keeps the gemeente's own rows of every vintage (home_vintage_rows
        # filters only the others'), so it is the gemeente's; the national input rows it
        # is built from are shared (national_input)
        "gemeente": gemeente,
    }
    key = reference_key(spec, store, selection)
    ref, where = cache.get(key)
    if isinstance(ref, NationalReference):
        per_year = ref.provenance["reference"]["areas_per_year"]
        minimum = national_minimum(store, NATIONAL_MIN_BUURTEN)
        _check_national_counts({int(p): int(n) for p, n in per_year.items()}, periods, minimum)
        own = store.wide(spec.raw_inputs(), gemeente=predecessors(gemeente), periods=periods)
        _refuse_partial_counts(
            ref.domain_counts, domain_counts(own, spec, gemeente), periods, minimum
        )
        note = f"hergebruikt uit {where}, sleutel {key[:12]}"
    else:
        wide = load_input(store, spec, gemeente, periods)
        prov = _provenance(store, spec, wide, gemeente, periods, None)
        result = compute(
            wide.drop(columns=["vintage"]),
            spec,
            id_columns=["area_code", "name"],
            period_column="period",
            provenance=prov,
        )
        ref = NationalReference(result, {k: prov[k] for k in _SHARED}, domain_counts(wide, spec))
        note = f"berekend en bewaard ({cache.put(key, ref)}), sleutel {key[:12]}"
    prov = {
        "gemeente": gemeente,
        "periods": list(periods),
        "vintage": ref.provenance["vintage"],
        "sources": ref.provenance["sources"],
        "store": str(store.path),
        "n_reference": ref.provenance["n_reference"],
        "reference": ref.provenance["reference"],
        "reference_cache": note,
    }
    return _own_rows(with_provenance(ref.result, prov), gemeente)


def _own_rows(result: IndexResult, gemeente: str) -> IndexResult:
    """The gemeente's rows of an index over all NL buurten."""
    keep = in_gemeente(result.table["area_code"], gemeente)
    result.table = result.table[keep].reset_index(drop=True)
    result.indicators = result.indicators[keep.to_numpy()].reset_index(drop=True)
    return result


def choose_reference(
    store: Store,
    periods: Sequence[int],
    *,
    spec: IndexSpec | None = None,
    gemeente: str | None = None,
) -> str:
    """``national`` when the store holds (nearly) all NL buurten for every period, else
    ``input-pooled`` (the gemeente's own buurten, pooled over the periods). With ``spec``
    and ``gemeente`` the test is per domain: every domain the gemeente has data for must be
    national (see :func:`reference_choice`). Synthetic sources never count."""
    if spec is not None and gemeente is not None:
        return reference_choice(store, spec, gemeente, periods)[0]
    rows = store.con.execute(
        f"""SELECT o.period, count(DISTINCT o.area_code) FROM observations o JOIN areas a
            ON a.code = o.area_code AND a.vintage = o.vintage
            JOIN sources s ON s.source_id = o.source_id
            WHERE a.level = 'buurt' AND NOT coalesce(s.synthetic, FALSE)
              AND o.period IN ({",".join("?" * len(periods))})
            GROUP BY o.period""",
        list(periods),
    ).fetchall()
    counts = dict(rows)
    minimum = national_minimum(store, NATIONAL_MIN_BUURTEN)
    ok = all(counts.get(p, 0) >= minimum for p in periods)
    return "national" if ok else "input-pooled"


def reference_choice(
    store: Store, spec: IndexSpec, gemeente: str, periods: Sequence[int]
) -> tuple[str, Msg | None]:
    """``("national", None)`` when every domain the gemeente has data for has (nearly) all
    NL buurten in every period (synthetic sources not counted); else ``("input-pooled",
    note)`` with a message (:class:`~buurtbalans.errors.Msg`) saying which domain and
    year fall short."""
    inputs = with_denominators(spec.raw_inputs())
    family = predecessors(gemeente)
    rows = store.con.execute(
        f"""SELECT o.period, o.indicator, count(DISTINCT o.area_code) AS nl,
                   count(DISTINCT o.area_code) FILTER (
                       WHERE a.gemeente_code IN ({",".join("?" * len(family))})) AS eigen
            FROM observations o JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage
            JOIN sources s ON s.source_id = o.source_id
            WHERE a.level = 'buurt' AND o.value IS NOT NULL
              AND NOT coalesce(s.synthetic, FALSE)
              AND o.period IN ({",".join("?" * len(periods))})
              AND o.indicator IN ({",".join("?" * len(inputs))})
            GROUP BY ALL""",
        [*family, *periods, *inputs],
    ).df()
    short = []
    for p in periods:
        part = rows[rows["period"] == p].set_index("indicator")
        for d in spec.domain_ids():
            nl = own = 0
            for ind in spec.indicators_of(d):
                if all(c in part.index for c in ind.inputs):
                    nl = max(nl, int(part.loc[list(ind.inputs), "nl"].min()))
                    own = max(own, int(part.loc[list(ind.inputs), "eigen"].min()))
            if own and nl < national_minimum(store, NATIONAL_MIN_BUURTEN):
                dom = next(x for x in spec.domains if x.id == d)
                name = Both((dom.label_nl or d).lower(), (dom.label_en or d).lower())
                short.append(Msg("n_no_national_part", domain=name, year=str(p), n=nl))
    if not short:
        return "national", None
    return "input-pooled", Msg("n_no_national", parts=short)
