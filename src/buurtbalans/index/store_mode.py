"""Running an index on the store: select the reference set, move to one vintage, compute,
and record which source tables and periods went in."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from buurtbalans.errors import DataError
from buurtbalans.harmonise import column_kinds, store_crosswalk, to_vintage, with_denominators
from buurtbalans.index.cache import national_reference
from buurtbalans.index.engine import IndexResult, compute
from buurtbalans.spec import IndexSpec
from buurtbalans.store import Store

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
    wide = store.wide(columns, gemeente=None if national else gemeente, periods=periods)
    if wide.empty:
        raise DataError(
            f"no buurt data in the store for {gemeente} in {list(periods)}",
            fix="import it first (buurtbalans import cbs / import file), or "
            "check the years with `buurtbalans show a_inw --gemeente ...`",
        )
    if national:
        counts = wide.groupby("period")["area_code"].nunique()
        short = {
            int(p): int(counts.get(p, 0))
            for p in periods
            if counts.get(p, 0) < NATIONAL_MIN_BUURTEN
        }
        if short:
            raise DataError(
                f"reference 'national' ranks against all NL buurten, but the store holds "
                f"only {short} buurten for those years",
                fix="import the national KWB for these years (buurtbalans import cbs "
                "--heel-nederland --jaren ...), or rank within the gemeente with "
                "--referentie input",
            )
    if vintage is not None:
        # only the gemeente moves onto the vintage; other buurten are the national reference
        # and keep their own codes
        own = wide["area_code"].str[2:6] == gemeente[2:]
        wide = pd.concat(
            [_move(store, wide[own], vintage, gemeente), wide[~own]], ignore_index=True
        )
    missing_periods = sorted(set(periods) - set(wide["period"]))
    if missing_periods:
        raise DataError(
            f"no data for {missing_periods}",
            fix="import those years, or choose years the store has",
        )
    return wide


def load_columns(
    store: Store, columns: Sequence[str], gemeente: str, periods: Sequence[int], *, vintage: int
) -> pd.DataFrame:
    """Any store indicators of a gemeente's buurten for ``periods``, on one vintage."""
    wide = store.wide(with_denominators(list(columns)), gemeente=gemeente, periods=periods)
    if wide.empty:
        return wide
    return _move(store, wide, vintage, gemeente)


def _move(store: Store, wide: pd.DataFrame, target: int, gemeente: str | None) -> pd.DataFrame:
    parts = []
    value_cols = [c for c in wide.columns if c not in ("area_code", "vintage", "period", "name")]
    counts, rates = column_kinds(value_cols)
    names = store.areas(gemeente, level="buurt", vintage=target).set_index("code")["name"]
    for vint, part in wide.groupby("vintage"):
        if int(vint) == target:
            parts.append(part)
            continue
        cw = store_crosswalk(store, int(vint), target, gemeente)
        moved = to_vintage(part, cw, counts=counts, rates=rates)
        moved["vintage"] = target
        moved["name"] = moved["area_code"].map(names)
        parts.append(moved)
    return pd.concat(parts, ignore_index=True)


def sources_used(
    store: Store, wide: pd.DataFrame, gemeente: str | None = None
) -> list[dict[str, str]]:
    """The source tables and periods behind the observations of ``wide``'s periods."""
    periods = sorted({int(p) for p in wide["period"]})
    rows = store.con.execute(
        f"""SELECT DISTINCT s.publisher, s.table_id, s.title, s.period, s.file_hash
            FROM sources s JOIN observations o USING (source_id)
            WHERE o.period IN ({",".join("?" * len(periods))})
            {"AND o.area_code LIKE ?" if gemeente else ""}""",
        [*periods, *([f"__{gemeente[2:]}%"] if gemeente else [])],
    ).df()
    return rows.to_dict("records")


def index_for_gemeente(
    store: Store,
    spec: IndexSpec,
    gemeente: str,
    periods: Sequence[int],
    *,
    vintage: int | None = None,
) -> IndexResult:
    """Compute ``spec`` for a gemeente's buurten in ``periods`` (reference per the spec)."""
    wide = load_input(store, spec, gemeente, periods, vintage=vintage)
    prov = {
        "gemeente": gemeente,
        "periods": list(periods),
        "vintage": vintage if vintage is not None else sorted({int(v) for v in wide["vintage"]}),
        "sources": sources_used(store, wide, gemeente),
        "store": store.path,
        "n_reference": len(wide),
    }
    result = national_reference(  # computed once per (spec, store content, periods)
        store,
        spec,
        periods,
        vintage,
        lambda: compute(
            wide.drop(columns=["vintage"]),
            spec,
            id_columns=["area_code", "name"],
            period_column="period",
            provenance=prov,
        ),
        provenance=prov,
    )
    if spec.reference.startswith("national"):
        keep = result.table["area_code"].str[2:6] == gemeente[2:]
        result.table = result.table[keep].reset_index(drop=True)
        result.indicators = result.indicators[keep.to_numpy()].reset_index(drop=True)
    return result


def choose_reference(store: Store, periods: Sequence[int]) -> str:
    """``national`` when the store holds (nearly) all NL buurten for every period, else
    ``input-pooled`` (the gemeente's own buurten, pooled over the periods). The choice is
    recorded in the run and stated in the report."""
    rows = store.con.execute(
        f"""SELECT o.period, count(DISTINCT o.area_code) FROM observations o JOIN areas a
            ON a.code = o.area_code AND a.vintage = o.vintage
            WHERE a.level = 'buurt' AND o.period IN ({",".join("?" * len(periods))})
            GROUP BY o.period""",
        list(periods),
    ).fetchall()
    counts = dict(rows)
    ok = all(counts.get(p, 0) >= NATIONAL_MIN_BUURTEN for p in periods)
    return "national" if ok else "input-pooled"
