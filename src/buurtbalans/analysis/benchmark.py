"""Municipal benchmark ("Staat van de stad"): a gemeente against NL and its peers.

For every catalogue indicator with gemeente-level data: the city's value, the NL value,
the peers' min/mean/max, the city's direction-aware rank in the group (1 = best; 'neutral'
indicators are ranked from high to low and say so), a z-score against the peers, and the
trend over the years present. Peers are given, chosen by a rule (seed 004: > 100,000
residents plus named neighbours) or the nearest neighbours on structural characteristics
— always with the criteria and distances shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.codebook import catalogue
from buurtbalans.store import Store
from buurtbalans.store.levels import level_observations

# structural characteristics for automatic peers: (indicator, log-transform)
DEFAULT_FEATURES: tuple[tuple[str, bool], ...] = (
    ("a_inw", True),  # size
    ("bev_dich", True),  # urbanity
    ("ste_oad", True),  # urbanity (address density)
    ("p_n_w_al", False),  # social structure
    ("p_hh_li", False),  # social structure
    ("gz_moeite_rondkomen", False),  # social structure
    ("p_65_eo_jr", False),  # age structure
    ("p_1p_hh", False),  # household structure (centre-function proxy)
)
SEED004_NAMES = (
    "Amersfoort",
    "Amsterdam",
    "Apeldoorn",
    "Ede",
    "Eindhoven",
    "Groningen",
    "Lelystad",
    "Tilburg",
    "Utrecht",
    "Zaanstad",
    "Zoetermeer",
    "Zwolle",
)


def _nl(value: float, digits: int | None = None) -> str:
    """Dutch number: 9,0 / 227.865 (no decimals from 1,000 up unless asked)."""
    if digits is None:
        digits = 0 if abs(value) >= 1000 else 1
    return f"{value:,.{digits}f}".translate(str.maketrans(",.", ".,"))


def gemeente_names(store: Store) -> pd.Series:
    """Latest known name of every gemeente code."""
    areas = store.areas(level="gemeente").dropna(subset=["name"])
    return areas.drop_duplicates("code", keep="last").set_index("code")["name"]


def synthetic_sources(store: Store) -> set[str]:
    """The source ids flagged synthetic (the demo, the national twin)."""
    src = store.sources()
    if "synthetic" not in src:
        return set()
    return set(src.loc[src["synthetic"].fillna(False).astype(bool), "source_id"])


def is_synthetic(store: Store, gemeente: str) -> bool:
    """Whether a gemeente's data are synthetic (it then lives among synthetic data only)."""
    return gemeente in store.synthetic_gemeenten()


def same_world(store: Store, obs: pd.DataFrame, gemeente: str | None) -> pd.DataFrame:
    """Observations of ``gemeente``'s world: for a real gemeente only real sources, for a
    synthetic one only synthetic sources — synthetic and real data never meet in a peer
    group, an NL value or a total, whatever store they share."""
    if gemeente is None or obs.empty or "source_id" not in obs:
        return obs
    fake = obs["source_id"].isin(synthetic_sources(store))
    keep = fake if is_synthetic(store, gemeente) else ~fake
    return obs[keep].reset_index(drop=True)


def has_peers(store: Store, gemeente: str, minimum: int = 3) -> bool:
    """True when the store has gemeente-level data for ``gemeente`` and for at least
    ``minimum`` other gemeenten of its world (real or synthetic)."""
    row = store.con.execute(
        "SELECT count(DISTINCT o.area_code), max(CASE WHEN o.area_code = ? THEN 1 ELSE 0 END) "
        "FROM observations o JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage "
        "JOIN sources s ON s.source_id = o.source_id "
        "WHERE a.level = 'gemeente' AND coalesce(s.synthetic, FALSE) = ?",
        [gemeente, is_synthetic(store, gemeente)],
    ).fetchone()
    return bool(row and row[1] and row[0] >= minimum + 1)


def gemeente_values(
    store: Store, indicators: Sequence[str] | None = None, gemeente: str | None = None
) -> pd.DataFrame:
    """Long table of gemeente-level values: code, name, period, indicator, value, status;
    with ``gemeente``, only the values of its world (real or synthetic, see
    :func:`same_world`)."""
    obs = same_world(store, level_observations(store, indicators, "gemeente"), gemeente)
    obs["name"] = obs["area_code"].map(gemeente_names(store))
    return obs.rename(columns={"area_code": "code"})


def _values_of(
    store: Store, indicators: Sequence[str], gemeente: str, values: pd.DataFrame | None
) -> pd.DataFrame:
    """``gemeente_values(store, indicators, gemeente)``, or the same rows of ``values``
    (every indicator of the gemeente's world, read once by the caller)."""
    if values is None:
        return gemeente_values(store, indicators, gemeente)
    if not indicators:
        return values.copy()
    return values[values["indicator"].isin(list(indicators))].reset_index(drop=True)


def land_values(
    store: Store, indicators: Sequence[str], periods: Sequence[int], gemeente: str
) -> pd.DataFrame:
    """The land rows (NL01) of ``gemeente``'s world: a real gemeente never gets the demo's
    synthetic 'Nederland', a synthetic one never the real one."""
    obs = level_observations(store, list(indicators), "land", periods)
    return same_world(store, obs, gemeente)


def nl_value(
    store: Store,
    indicator: str,
    period: int,
    values: pd.DataFrame,
    gemeente: str | None = None,
    land: pd.DataFrame | None = None,
) -> float:
    """The NL value: the land row (NL01) where the source has one; else, with (nearly) all
    gemeenten present, the sum for counts or the denominator-weighted mean for rates.
    ``values`` must hold one world only (:func:`gemeente_values` with ``gemeente``);
    ``land``: the land rows of that world, when already read (:func:`land_values`)."""
    if land is None:
        land = same_world(store, level_observations(store, [indicator], "land", [period]), gemeente)
    land = land[(land["indicator"] == indicator) & (land["period"] == period)]
    if len(land) and land["value"].notna().any():
        return float(land["value"].dropna().iloc[0])
    part = values[(values["indicator"] == indicator) & (values["period"] == period)]
    if part["code"].nunique() < 300:
        return np.nan
    ind = catalogue().get(indicator)
    if ind is None:
        return np.nan
    if ind.kind == "count":
        return float(part["value"].sum())
    den = values[(values["indicator"] == ind.denominator) & (values["period"] == period)]
    if den.empty:
        return np.nan
    m = part.merge(den[["code", "value"]], on="code", suffixes=("", "_den")).dropna()
    return float(np.average(m["value"], weights=m["value_den"])) if len(m) else np.nan


def _latest(values: pd.DataFrame, indicator: str, year: int | None) -> int | None:
    periods = values.loc[values["indicator"] == indicator, "period"]
    if year is not None:
        periods = periods[periods <= year]
    return int(periods.max()) if len(periods) else None


class _Group:
    """The values of a city and its peers (``group``, city first), indexed by indicator
    and period: one lookup per (indicator, period) instead of filtering the rows."""

    def __init__(self, values: pd.DataFrame, gemeente: str, group: list[str]) -> None:
        part = values[values["code"].isin(group)]
        self.group = group
        self.indicators = sorted(part["indicator"].unique())
        self.wide = part.pivot(index=["indicator", "period"], columns="code", values="value")
        city = part[part["code"] == gemeente]
        self.city_periods = {  # the periods with a row of the city (a value or not)
            str(ind): sorted(periods.unique())
            for ind, periods in city.groupby("indicator")["period"]
        }

    @classmethod
    def of_comparison(
        cls,
        store: Store,
        gemeente: str,
        peers: Peers,
        comparison: pd.DataFrame,
        values: pd.DataFrame | None,
    ) -> _Group:
        """The group of ``gemeente`` and its peers over the indicators of ``comparison``
        (from ``values`` when the caller has read them)."""
        rows = _values_of(store, comparison["indicator"].tolist(), gemeente, values)
        return cls(rows, gemeente, [gemeente, *peers.codes])

    def at(self, indicator: str, period: int) -> pd.Series:
        """The group's values (NaN where a gemeente has none), in group order."""
        if (indicator, period) in self.wide.index:
            return self.wide.loc[(indicator, period)].reindex(self.group)
        return pd.Series(np.nan, index=pd.Index(self.group, name="code"))

    def latest(self, indicator: str, year: int | None) -> int | None:
        """:func:`_latest` of the city's rows of ``indicator``."""
        periods = [p for p in self.city_periods.get(indicator, []) if year is None or p <= year]
        return int(max(periods)) if periods else None


@dataclass
class Peers:
    """The peer gemeenten and why: the criteria, each peer's distance and features."""

    codes: list[str]
    table: pd.DataFrame
    method: str
    notes: list[str] = field(default_factory=list)


def resolve_names(store: Store, names: Sequence[str]) -> list[str]:
    """Gemeente names or codes → codes (a clear error for an unknown name)."""
    return [store.resolve_gemeente(n) for n in names]


def features(
    store: Store,
    year: int | None = None,
    spec: Sequence[tuple[str, bool]] = DEFAULT_FEATURES,
    gemeente: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per gemeente with the structural features available (latest ≤ year), as
    published; ``attrs["log"]`` names the columns compared on a log scale. With
    ``gemeente``, only the gemeenten of its world (real or synthetic)."""
    values = gemeente_values(store, [f for f, _ in spec], gemeente)
    cols, notes = {}, []
    logged: set[str] = set()
    for feat, log in spec:
        period = _latest(values, feat, year)
        if period is None:
            notes.append(f"kenmerk {feat} niet beschikbaar")
            continue
        s = values[(values["indicator"] == feat) & (values["period"] == period)].set_index("code")[
            "value"
        ]
        cols[f"{feat}_{period}"] = s
        if log:
            logged.add(f"{feat}_{period}")
    if not cols:
        raise DataError(Msg("err_bm_no_features"), fix=Msg("fix_bm_gemeente_rows"))
    frame = pd.DataFrame(cols)
    frame.attrs["log"] = sorted(logged)  # compared on a log scale (size-like features)
    return frame, notes


def auto_peers(
    store: Store,
    gemeente: str,
    *,
    k: int = 12,
    year: int | None = None,
    candidates: Sequence[str] | None = None,
) -> Peers:
    """The ``k`` nearest gemeenten on standardised structural features (Euclidean), ties
    by code. A gemeente needs at least half of the features to be a candidate; features it
    lacks are skipped for its distance (averaged over the features both have)."""
    feats, notes = features(store, year, gemeente=gemeente)
    enough = feats.notna().sum(axis=1) >= (feats.shape[1] + 1) // 2
    if gemeente not in feats.index:
        raise DataError(
            Msg("err_bm_gemeente_no_features", gemeente=gemeente), fix=Msg("fix_bm_import_gemeente")
        )
    used = [c for c in feats.columns if pd.notna(feats.at[gemeente, c])]
    if not used:
        raise DataError(
            Msg("err_bm_gemeente_none_of_features", gemeente=gemeente),
            fix=Msg("fix_bm_import_gemeente"),
        )
    scaled = feats[used].copy()
    for c in set(feats.attrs.get("log", [])) & set(used):
        scaled[c] = np.log(scaled[c].where(scaled[c] > 0))
    z = (scaled - scaled.mean()) / scaled.std(ddof=0).replace(0, np.nan)
    diff = (z - z.loc[gemeente]) ** 2
    dist = np.sqrt(diff.mean(axis=1, skipna=True) * z.shape[1])
    dist = dist.drop(gemeente)[enough.drop(gemeente)]
    if candidates is not None:
        dist = dist[dist.index.isin(candidates)]
    order = dist.dropna().sort_index().sort_values(kind="stable").head(k)
    table = feats.loc[[gemeente, *order.index]].copy()
    table.insert(0, "afstand", [0.0, *order.to_numpy()])
    table.insert(0, "naam", table.index.map(gemeente_names(store)))
    logged = set(feats.attrs.get("log", []))
    criteria = ", ".join(
        f"{c.rsplit('_', 1)[0]} ({c.rsplit('_', 1)[1]}{', log' if c in logged else ''})"
        for c in used
    )
    notes.insert(0, f"dichtstbijzijnde {k} gemeenten op gestandaardiseerde kenmerken: {criteria}")
    notes += [
        f"kenmerk {c.rsplit('_', 1)[0]} ({c.rsplit('_', 1)[1]}) ontbreekt voor {gemeente}: "
        "niet gebruikt"
        for c in feats.columns
        if c not in used
    ]
    return Peers(list(order.index), table.rename_axis("code").reset_index(), "auto", notes)


def rule_peers(
    store: Store,
    gemeente: str,
    *,
    min_inw: float = 100_000,
    max_inw: float | None = None,
    include: Sequence[str] = ("Lelystad",),
    k: int = 12,
    year: int | None = None,
) -> Peers:
    """Seed 004's rule: gemeenten over ``min_inw`` residents (and under ``max_inw``), plus
    named neighbours, the ``k`` nearest of those on structural features."""
    values = gemeente_values(store, ["a_inw"], gemeente)
    period = _latest(values, "a_inw", year)
    inw = values[values["period"] == period].set_index("code")["value"]
    ok = inw[(inw > min_inw) & ((inw < max_inw) if max_inw else True)].index.tolist()
    named = resolve_names(store, include)
    peers = auto_peers(store, gemeente, k=k, year=year, candidates=[*ok, *named])
    peers.method = "regel"
    peers.notes.insert(
        0,
        f"regel: meer dan {_nl(min_inw, 0)} inwoners in {period}"
        + (f" en minder dan {_nl(max_inw, 0)}" if max_inw else "")
        + (f", plus {', '.join(include)}" if include else ""),
    )
    return peers


def given_peers(store: Store, gemeente: str, names: Sequence[str]) -> Peers:
    """Peers named by the user; a synthetic peer for a real gemeente (or the other way
    round) is refused."""
    codes = [c for c in resolve_names(store, names) if c != gemeente]
    fake = set(store.synthetic_gemeenten())
    mixed = [c for c in codes if (c in fake) != (gemeente in fake)]
    if mixed:
        names_by_code = gemeente_names(store)
        shown = [f"{names_by_code.get(c, c)} ({c})" for c in mixed]
        kind = Msg("bm_kind_real" if gemeente in fake else "bm_kind_synthetic")
        raise DataError(
            Msg("err_bm_mixed_worlds", shown=shown, n=len(mixed), kind=kind, gemeente=gemeente),
            fix=Msg("fix_bm_same_world"),
        )
    names_by_code = gemeente_names(store)
    table = pd.DataFrame(
        {"code": [gemeente, *codes], "naam": [names_by_code.get(c) for c in [gemeente, *codes]]}
    )
    return Peers(codes, table, "gegeven", ["benchmarkgemeenten gekozen door de gebruiker"])


def _rank(values: pd.Series, polarity: str) -> pd.Series:
    """Direction-aware rank (1 = best; ties share the best rank); neutral: high → 1."""
    ascending = polarity == "+"  # '+': a higher value is worse, so the lowest is best
    return values.rank(method="min", ascending=ascending)


def compare(
    store: Store,
    gemeente: str,
    peers: Peers,
    *,
    year: int | None = None,
    indicators: Sequence[str] | None = None,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per indicator: city value, NL, peers' min/mean/max, rank among the group
    (city + peers), z-score against the peers, and notes on missing peers. ``values``:
    :func:`gemeente_values` of every indicator, when the caller has read them."""
    cat = catalogue()
    values = _values_of(store, indicators or [], gemeente, values)
    land = same_world(store, level_observations(store, indicators, "land"), gemeente)
    by_ind = dict(tuple(values.groupby("indicator", sort=False)))  # for the NL values
    land_by = dict(tuple(land.groupby("indicator", sort=False)))
    group = [gemeente, *peers.codes]
    rows = []
    ours = _Group(values, gemeente, group)
    for ind in ours.indicators:
        if ind not in cat or cat[ind].kind == "class" or cat[ind].theme == "prognose":
            continue  # a forecast is not a value to rank (the stad chapter shows it)
        period = ours.latest(ind, year)
        if period is None:
            continue
        here = ours.at(ind, period)
        if pd.isna(here[gemeente]):
            continue
        meta = cat[ind]
        peer_vals = here.drop(gemeente)
        missing = peer_vals[peer_vals.isna()].index.tolist()
        ranks = _rank(here.dropna(), meta.polarity)
        sd = peer_vals.std(ddof=1)
        rows.append(
            {
                "indicator": ind,
                "thema": meta.theme,
                "omschrijving": meta.label_nl,
                "eenheid": meta.unit,
                "polariteit": {"+": "lager is beter", "-": "hoger is beter"}.get(
                    meta.polarity, "neutraal"
                ),
                "jaar": period,
                "waarde": here[gemeente],
                "nl": nl_value(
                    store,
                    ind,
                    period,
                    pd.concat([by_ind[i] for i in (ind, meta.denominator) if i in by_ind]),
                    gemeente,
                    land_by.get(ind, land.iloc[:0]),
                ),
                "benchmark_min": peer_vals.min(),
                "benchmark_gem": peer_vals.mean(),
                "benchmark_max": peer_vals.max(),
                "rang": int(ranks[gemeente]),
                "n_groep": int(here.notna().sum()),
                "z": (here[gemeente] - peer_vals.mean()) / sd if sd and np.isfinite(sd) else np.nan,
                "opmerking": (
                    f"ontbreekt voor {', '.join(missing)} (niet gerangschikt)" if missing else None
                ),
            }
        )
    if not rows:
        raise DataError(
            Msg("err_bm_no_gemeente_indicators", gemeente=gemeente), fix=Msg("fix_bm_gemeente_data")
        )
    return pd.DataFrame(rows).sort_values(["thema", "indicator"], ignore_index=True)


def group_values(
    store: Store, gemeente: str, peers: Peers, indicator: str, period: int
) -> pd.DataFrame:
    """The values of the city and its peers for one indicator (for the bar chart)."""
    values = gemeente_values(store, [indicator], gemeente)
    part = values[(values["period"] == period) & values["code"].isin([gemeente, *peers.codes])]
    return part[["code", "name", "value"]].assign(stad=part["code"] == gemeente)


def rank_table(
    store: Store,
    gemeente: str,
    peers: Peers,
    comparison: pd.DataFrame,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Heat-table data: direction-aware ranks of every gemeente in the group, by indicator."""
    cat = catalogue()
    ours = _Group.of_comparison(store, gemeente, peers, comparison, values)
    out = {}
    for row in comparison.itertuples():
        vals = ours.at(row.indicator, row.jaar).dropna()
        out[row.indicator] = _rank(vals, cat[row.indicator].polarity).reindex(ours.group)
    names = gemeente_names(store)
    table = pd.DataFrame(out).T
    table.columns = [names.get(c, c) for c in ours.group]
    table.insert(0, "thema", comparison.set_index("indicator")["thema"])
    return table.sort_values("thema")


def trends(
    store: Store,
    gemeente: str,
    peers: Peers,
    comparison: pd.DataFrame,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """For indicators with more than one year: the city's change vs the peers' mean change
    and the city's rank in the first and last year ('van achterblijver naar …')."""
    cat = catalogue()
    ours = _Group.of_comparison(store, gemeente, peers, comparison, values)
    rows = []
    for ind in ours.indicators:
        periods = ours.city_periods.get(ind, [])
        if len(periods) < 2:
            continue
        first, last = periods[0], periods[-1]
        a, b = ours.at(ind, first), ours.at(ind, last)
        delta = b - a
        pol = cat[ind].polarity
        better = None
        if pd.notna(delta[gemeente]) and delta.drop(gemeente).notna().any():
            better = {
                "+": delta[gemeente] < delta.drop(gemeente).mean(),
                "-": delta[gemeente] > delta.drop(gemeente).mean(),
            }.get(pol)
        rows.append(
            {
                "indicator": ind,
                "van": first,
                "tot": last,
                "verandering_stad": delta[gemeente],
                "verandering_benchmark": delta.drop(gemeente).mean(),
                "rang_van": _rank(a.dropna(), pol).get(gemeente),
                "rang_tot": _rank(b.dropna(), pol).get(gemeente),
                "beter_dan_benchmark": better,
            }
        )
    return pd.DataFrame(rows)


# kinds a standout may be about: levels comparable between gemeenten of unlike size (a
# count such as "personenauto's totaal" or "oppervlakte water" mostly says how big a place is)
STANDOUT_KINDS = ("share", "rate", "mean", "score")
# group sizes (city + peers) a sentence needs: "hoogste/laagste van de n" needs three, "na X"
# needs four (with three, second from the top is also second from the bottom)
MIN_GROUP_EXTREME = 3
MIN_GROUP_SECOND = 4

SENTENCES = {
    "nl": {
        "top": "{city} heeft van de {n} gemeenten de hoogste waarde voor {label} ({value} "
        "{unit}; benchmark {mean}; {nl}).",
        "second": "Na {other} heeft {city} van de {n} gemeenten de hoogste waarde voor {label} "
        "({value} {unit}; benchmark {mean}; {nl}).",
        "bottom": "{city} heeft van de {n} gemeenten de laagste waarde voor {label} ({value} "
        "{unit}; benchmark {mean}; {nl}).",
        "second_low": "Na {other} heeft {city} van de {n} gemeenten de laagste waarde voor "
        "{label} ({value} {unit}; benchmark {mean}; {nl}).",
        "z": "{city} ligt voor {label} {z} standaardafwijking {side} het gemiddelde van de "
        "{peers} benchmarkgemeenten ({value} {unit}; benchmark {mean}; {nl}).",
        "above": "boven",
        "below": "onder",
        "nl": "Nederland {value}, verschil {gap}",
        "no_nl": "geen landelijke waarde",
    },
    "en": {
        "top": "Of the {n} municipalities, {city} has the highest value for {label} ({value} "
        "{unit}; peers {mean}; {nl}).",
        "second": "After {other}, {city} has the highest value of the {n} municipalities for "
        "{label} ({value} {unit}; peers {mean}; {nl}).",
        "bottom": "Of the {n} municipalities, {city} has the lowest value for {label} "
        "({value} {unit}; peers {mean}; {nl}).",
        "second_low": "After {other}, {city} has the lowest value of the {n} municipalities "
        "for {label} ({value} {unit}; peers {mean}; {nl}).",
        "z": "For {label}, {city} is {z} standard deviations {side} the mean of the {peers} "
        "peers ({value} {unit}; peers {mean}; {nl}).",
        "above": "above",
        "below": "below",
        "nl": "Netherlands {value}, difference {gap}",
        "no_nl": "no national value",
    },
}


def _fmt(taal: str):
    if taal == "nl":
        return _nl
    return lambda v, digits=None: (
        f"{v:,.{digits if digits is not None else (0 if abs(v) >= 1000 else 1)}f}"
    )


def standouts(
    comparison: pd.DataFrame,
    store: Store,
    gemeente: str,
    peers: Peers,
    n: int = 10,
    taal: str = "nl",
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """'Opvallende kenmerken': indicators where the city is highest or lowest in the group,
    or furthest from the peers (|z|), each with the sentence that says it and its gap to NL.

    Only levels (codebook kind share, rate, mean or score; no size-driven counts). A group
    of fewer than three has no highest or lowest, "na X" needs four; a z-score needs two
    peers that differ. Rows without a sentence are left out, never printed as ``nan``."""
    words = SENTENCES[taal]
    fmt = _fmt(taal)
    city_name = gemeente_names(store).get(gemeente, gemeente)
    cat = catalogue()
    values = _values_of(store, comparison["indicator"].tolist(), gemeente, values)
    values = values[values["code"].isin([gemeente, *peers.codes])]
    rows = []
    for row in comparison.itertuples():
        meta = cat.get(row.indicator)
        if meta is None or meta.kind not in STANDOUT_KINDS:
            continue
        part = values[
            (values["indicator"] == row.indicator) & (values["period"] == row.jaar)
        ].dropna(subset=["value"])
        order = part.sort_values(["value", "code"], ascending=[False, True])
        size = len(order)
        if size < 2 or gemeente not in order["code"].tolist():
            continue
        position = order["code"].tolist().index(gemeente) + 1
        label = (row.omschrijving if taal == "nl" else meta.label_en).lower()
        gap = row.waarde - row.nl if np.isfinite(row.nl) else np.nan
        if np.isfinite(gap):
            sign = "+" if round(gap, 1) > 0 else ""
            nl_text = words["nl"].format(value=fmt(row.nl), gap=sign + fmt(gap))
        else:
            nl_text = words["no_nl"]
        slots = {
            "city": city_name,
            "n": size,
            "peers": size - 1,
            "label": label,
            "unit": row.eenheid,
            "value": fmt(row.waarde),
            "mean": fmt(row.benchmark_gem),
            "nl": nl_text,
        }
        key = None
        if size >= MIN_GROUP_EXTREME and position == 1:
            key, strength = "top", 3.0
        elif size >= MIN_GROUP_EXTREME and position == size:
            key, strength = "bottom", 3.0
        elif size >= MIN_GROUP_SECOND and position == 2:
            key, strength = "second", 2.0
            slots["other"] = order["name"].iloc[0]
        elif size >= MIN_GROUP_SECOND and position == size - 1:
            key, strength = "second_low", 2.0
            slots["other"] = order["name"].iloc[-1]
        elif pd.notna(row.z) and np.isfinite(row.z) and row.z != 0:
            key, strength = "z", 0.0
            slots.update(z=fmt(abs(row.z)), side=words["above" if row.z > 0 else "below"])
        if key is None:
            continue
        verdict = {"lager is beter": row.z < 0, "hoger is beter": row.z > 0}.get(row.polariteit)
        rows.append(
            {
                "indicator": row.indicator,
                "thema": row.thema,
                "zin": words[key].format(**slots),
                "positie": position,
                "n_groep": size,
                "z": row.z,
                "nl": row.nl,
                "verschil_nl": gap,
                "score": strength + (abs(row.z) if pd.notna(row.z) else 0.0),
                "gunstig": verdict,
            }
        )
    columns = [
        "indicator",
        "thema",
        "zin",
        "positie",
        "n_groep",
        "z",
        "nl",
        "verschil_nl",
        "score",
        "gunstig",
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows, columns=columns)
    out = out.sort_values(["score", "indicator"], ascending=[False, True])
    return out.head(n).reset_index(drop=True)
