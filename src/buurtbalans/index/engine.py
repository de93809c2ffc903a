"""The index pipeline: pure steps, recorded so that a run can be replayed.

>>> import pandas as pd
>>> from buurtbalans.spec import parse_spec
>>> spec = parse_spec({"index": {"name": "toy", "transform": "percentile"},
...     "domain": [{"id": "inkomen", "weight": 100}],
...     "indicator": [{"id": "laag_inkomen", "domain": "inkomen", "polarity": "+"}]})
>>> result = compute(pd.DataFrame({"buurt": ["A", "B", "C", "D"],
...                                "laag_inkomen": [10, 40, 20, 30]}), spec, id_columns=["buurt"])
>>> result.table[["buurt", "score", "rank"]].to_dict("list")
{'buurt': ['A', 'B', 'C', 'D'], 'score': [25.0, 100.0, 50.0, 75.0], 'rank': [4, 1, 3, 2]}
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from buurtbalans import __version__
from buurtbalans.errors import DataError, Msg
from buurtbalans.index.own_data import shared_ranks
from buurtbalans.index.transform import (
    STANDARDISERS,
    class_of,
    descending_ranks,
    eb_shrink,
    text_series,
    transform_domain,
)
from buurtbalans.spec import IndexSpec, validate


@dataclass(frozen=True)
class Step:
    """One recorded step: its name and the parameters it ran with."""

    name: str
    params: dict[str, Any]


@dataclass
class Run:
    """What a computation did: the spec, the steps in order, a hash of the input, and
    provenance (spec hash, package version, sources, periods, vintage, date)."""

    spec: IndexSpec
    steps: list[Step]
    input_hash: str
    id_columns: list[str]
    period_column: str | None
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for run.json)."""
        return {
            "spec": self.spec.to_dict(),
            "spec_hash": self.spec.hash(),
            "steps": [asdict(s) for s in self.steps],
            "input_hash": self.input_hash,
            "id_columns": self.id_columns,
            "period_column": self.period_column,
            "provenance": self.provenance,
        }


@dataclass
class IndexResult:
    """The tidy result: one row per area (and period) with domain scores, ``score``,
    ``rank`` (1 = most deprived), ``decile`` (1 = most deprived 10 %), ``class``,
    ``contrib_<domain>`` (share of the score) and ``flags``."""

    table: pd.DataFrame
    indicators: pd.DataFrame
    run: Run
    warnings: list[str]

    def output_columns(self) -> list[str]:
        """id columns, one per domain, then score, rank, decile, class."""
        return [
            *self.run.id_columns,
            *([self.run.period_column] if self.run.period_column else []),
            *self.domains(),
            "score",
            "rank",
            "decile",
            "class",
            "coverage",
            "status",
        ]

    def domains(self) -> list[str]:
        """Domain ids that were scored."""
        return [d for d in self.run.spec.domain_ids() if d in self.table.columns]


def input_hash(data: pd.DataFrame) -> str:
    """Hash of the input rows and columns (order-sensitive), for replay checks."""
    digest = hashlib.sha256()
    digest.update(",".join(map(str, data.columns)).encode())
    digest.update(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes())
    return digest.hexdigest()


# -- steps (pure) -------------------------------------------------------------------------
def derive_indicators(data: pd.DataFrame, spec: IndexSpec) -> tuple[pd.DataFrame, list[str]]:
    """Indicator values from the input columns (ratios computed); absent ones are NaN."""
    cols: dict[str, Any] = {}
    for ind in spec.indicators:
        if ind.numerator:
            inputs = [ind.numerator, *ind.denominator]
            if any(c not in data.columns for c in inputs):
                cols[ind.id] = np.nan
                continue
            den = data[list(ind.denominator)].sum(axis=1, min_count=len(ind.denominator))
            cols[ind.id] = data[ind.numerator] / den.where(den > 0)
        else:
            cols[ind.id] = (
                pd.to_numeric(data[ind.id], errors="coerce") if ind.id in data.columns else np.nan
            )
    out = pd.DataFrame(cols, index=data.index)
    notes = [f"indicator {c!r} has no data and is left out" for c in out if out[c].isna().all()]
    return out, notes


def shrink(
    values: pd.DataFrame, data: pd.DataFrame, spec: IndexSpec, group: pd.Series
) -> pd.DataFrame:
    """Empirical-Bayes shrinkage of the ratio indicators toward their group."""
    out = values.copy()
    for ind in spec.indicators:
        if (
            ind.numerator
            and len(ind.denominator)
            and ind.numerator in data.columns
            and all(c in data.columns for c in ind.denominator)
        ):
            den = data[list(ind.denominator)].sum(axis=1, min_count=len(ind.denominator))
            out[ind.id] = eb_shrink(data[ind.numerator], den, group)
    return out


def standardise(values: pd.DataFrame, spec: IndexSpec, groups: pd.Series | None) -> pd.DataFrame:
    """Sign (higher = more deprived) and standardise each indicator over the reference;
    all indicators with data in one call (ranked per group in one pass)."""
    fn = STANDARDISERS[spec.standardise]
    ids = [i.id for i in spec.indicators]
    signed = values[ids] * [1 if i.polarity == "+" else -1 for i in spec.indicators]
    has = signed.columns[signed.notna().any().to_numpy()]
    if len(has) == len(ids):
        return fn(signed, groups)
    if len(has) == 0:
        return signed.astype(float)
    return fn(signed[has], groups).reindex(columns=ids).astype(float)


def value_patterns(present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the boolean matrix ``present`` (missing-value patterns; there
    are few) and, per row, the index of its pattern."""
    present = np.asarray(present, dtype=bool).reshape(len(present), -1)
    k = present.shape[1]
    if k > 63:
        patterns, inverse = np.unique(present, axis=0, return_inverse=True)
        return inverse.ravel(), patterns
    # pack each row into one integer key: a hash lookup, not a row sort
    packed = np.packbits(present, axis=1, bitorder="little")
    wide = np.zeros((len(present), 8), dtype=np.uint8)
    wide[:, : packed.shape[1]] = packed
    inverse, keys = pd.factorize(wide.view("<u8").ravel())
    patterns = ((keys[:, None] >> np.arange(k, dtype=np.uint64)) & np.uint64(1)).astype(bool)
    return inverse, patterns.reshape(len(keys), k)


def pattern_texts(present: np.ndarray, text: Callable[[np.ndarray], str]) -> np.ndarray:
    """``text(pattern)`` for every row of the boolean matrix ``present``, computed once per
    distinct missing-value pattern and spread to the rows by index.

    >>> pattern_texts(np.array([[True, False], [True, True], [True, False]]),
    ...               lambda p: "".join("x" if v else "-" for v in p)).tolist()
    ['x-', 'xx', 'x-']
    """
    inverse, patterns = value_patterns(present)
    return np.array([text(p) for p in patterns], dtype=object)[inverse]


def domain_scores(std: pd.DataFrame, spec: IndexSpec) -> tuple[pd.DataFrame, pd.Series]:
    """Weighted sum of standardised indicators per domain, under the missing rule.

    ``reweight``: a missing indicator is dropped for that area and the others re-weighted;
    ``no-score``: any missing indicator leaves the domain (and so the score) empty.
    Returns the domain table and a per-row flag text ("<domain>: zonder <indicators>; " for
    each partly covered domain), built once per missing-value pattern.
    """
    out = pd.DataFrame(index=std.index)
    used: dict[str, list[str]] = {}
    for domain in spec.domain_ids():
        inds = [i for i in spec.indicators_of(domain) if std[i.id].notna().any()]
        if not inds:
            out[domain] = np.nan
            continue
        used[domain] = [i.id for i in inds]
        vals = std[used[domain]]
        w = pd.Series({i.id: i.weight for i in inds})
        present = vals.notna()
        wsum = present.mul(w, axis=1).sum(axis=1)
        score = vals.mul(w, axis=1).sum(axis=1, min_count=1) / wsum.replace(0, np.nan)
        if spec.missing == "no-score":
            score = score.where(present.all(axis=1))
        out[domain] = score
    # one text per pattern of the indicators present; each domain's part of it from the
    # (at most 2^k) patterns of that domain's k indicators
    columns = [c for cols in used.values() for c in cols]
    inverse, patterns = value_patterns(std[columns].notna().to_numpy())
    texts = np.full(len(patterns), "", dtype=object)
    start = 0
    for domain, cols in used.items():
        part = patterns[:, start : start + len(cols)]
        start += len(cols)

        def text(have: np.ndarray, domain: str = domain, cols: list[str] = cols) -> str:
            if have.all() or not have.any():
                return ""
            miss = [c for c, h in zip(cols, have, strict=True) if not h]
            return f"{domain}: zonder {','.join(miss)}; "

        texts = texts + pattern_texts(part, text)
    flags = pd.Series(texts[inverse], index=std.index, dtype=object)
    return out, flags


INSUFFICIENT = "onvoldoende gegevens"
TOO_SMALL = "te weinig inwoners"


def coverage(present: pd.DataFrame, spec: IndexSpec) -> pd.DataFrame:
    """Per row: the share of the spec's total domain weight that has data (``coverage``,
    0-1), the domains it rests on (``domains_used``) and ``status``: ``"ok"``, or
    ``"onvoldoende gegevens"`` when the share is below ``spec.min_weight_share`` or a
    ``spec.required_domains`` entry is missing. One string per missing-value pattern.

    >>> from buurtbalans.spec import load_spec
    >>> spec = load_spec("mdi")
    >>> p = pd.DataFrame({d: [True, d == "gezondheid"] for d in spec.domain_ids()})
    >>> coverage(p, spec)[["coverage", "status"]].to_dict("list")
    {'coverage': [1.0, 0.1351], 'status': ['ok', 'onvoldoende gegevens']}
    """
    ids = spec.domain_ids()
    mat = np.zeros((len(present), len(ids)), dtype=bool)
    for j, d in enumerate(ids):
        if d in present.columns:
            mat[:, j] = present[d].fillna(False).to_numpy(dtype=bool)
    w = np.array([d.weight for d in spec.domains], dtype=float)
    share = mat @ w / w.sum()
    ok = (share >= spec.min_weight_share - 1e-9) & (share > 0)  # no data: never "ok"
    for d in spec.required_domains:
        ok &= mat[:, ids.index(d)]
    inverse, patterns = value_patterns(mat)
    used = [",".join(d for d, h in zip(ids, p, strict=True) if h) for p in patterns]
    return pd.DataFrame(
        {
            "coverage": np.round(share, 4),
            "domains_used": text_series(used, inverse, present.index),
            "status": text_series(["ok", INSUFFICIENT], np.where(ok, 0, 1), present.index),
        },
        index=present.index,
    )


def combine(
    x: pd.DataFrame, spec: IndexSpec, rank_groups: pd.Series | None, flags: pd.Series
) -> pd.DataFrame:
    """Score = Σ w_d·X_d / 100 over scored domains; rank, decile, class, contributions.

    Ranks (1 = most deprived) and deciles are per ``rank_groups`` (the period); equal
    scores share their rank (the best of the tie) and so their decile.
    Domains with no data at all are left out and the remaining weights rescaled to 100;
    an area missing a domain gets the same treatment under ``reweight`` (and is flagged),
    and no score under ``no-score``. An area whose data cover less than the spec's
    minimum (``min_weight_share``, ``required_domains``) gets no score, rank or class and
    the status "onvoldoende gegevens" (see :func:`coverage`).
    ``flags`` (from :func:`domain_scores`) comes back as the ``flags`` column, extended
    with "domein ontbreekt: ..." for rows missing a domain; the input is not changed.
    """
    domains = [d for d in spec.domains if x[d.id].notna().any()]
    w = pd.Series({d.id: d.weight for d in domains})
    vals = x[w.index]
    present = vals.notna()
    wsum = present.mul(w, axis=1).sum(axis=1)
    total = sum(d.weight for d in spec.domains)  # 100: normalised when the spec is loaded
    scale = total / wsum.replace(0, np.nan)  # 1 when every domain is present
    score = vals.mul(w, axis=1).sum(axis=1, min_count=1) * scale / 100.0
    if spec.missing == "no-score":
        score = score.where(present.all(axis=1))
    cov = coverage(x.notna(), spec)
    score = score.where(cov["status"] == "ok")
    names = list(w.index)

    def missing_text(pattern: np.ndarray) -> str:
        if pattern.all():
            return ""
        gone = [d for d, h in zip(names, pattern, strict=True) if not h]
        return f"domein ontbreekt: {','.join(gone)}; "

    flag_text = flags.to_numpy(dtype=object) + pattern_texts(present.to_numpy(), missing_text)
    rank, n = descending_ranks(score, rank_groups)
    rank = shared_ranks(score, rank, rank_groups)  # ties share their rank and decile
    cols: dict[str, Any] = {"score": score}
    for d in w.index:
        cols[f"contrib_{d}"] = (vals[d] * w[d] * scale / 100.0) / score.replace(0, np.nan)
    cols["n_domains"] = present.sum(axis=1)
    cols.update({c: cov[c] for c in ("coverage", "domains_used", "status")})
    cols["rank"] = pd.Series(rank, index=x.index).astype("Int64")
    cols["decile"] = pd.Series(np.ceil(rank * 10 / n), index=x.index).astype("Int64")
    cols["class"] = class_of(score, spec.classes.edges, spec.classes.labels, spec.classes.inclusive)
    cols["flags"] = pd.Series(flag_text, index=x.index, dtype=object)
    return pd.concat([x, pd.DataFrame(cols, index=x.index)], axis=1)


# -- the pipeline ---------------------------------------------------------------------------
def effective_spec(spec: IndexSpec, values: pd.DataFrame) -> IndexSpec:
    """The spec the computation actually rests on: an indicator without any data in the
    reference set (it changes no score) is left out, unless it is its domain's only one.
    So the same computation has one spec and one hash, whichever surface ran it (the
    change analysis leaves such indicators out up front, the index command here)."""
    has = {c for c in values.columns if values[c].notna().any()}
    keep = tuple(
        i
        for i in spec.indicators
        if i.id in has or not any(j.id in has for j in spec.indicators_of(i.domain))
    )
    if len(keep) == len(spec.indicators):
        return spec
    return validate(replace(spec, indicators=keep))


def compute(
    data: pd.DataFrame,
    spec: IndexSpec,
    *,
    id_columns: list[str] | tuple[str, ...] = ("area_code",),
    period_column: str | None = None,
    group_column: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> IndexResult:
    """Compute an index over ``data`` (wide: one row per area [and period]).

    The rows given are the reference set. ``period_column`` ranks within each period
    (references ``input`` and ``national``) or pooled (``*-pooled``); ``group_column``
    (default: the gemeente part of a CBS code) is where shrinkage pulls rates toward.
    """
    id_columns = list(id_columns)
    if missing := [
        c
        for c in [*id_columns, *([period_column] if period_column else [])]
        if c not in data.columns
    ]:
        raise DataError(
            Msg(
                "err_co_missing_id_columns",
                missing=missing,
                n=len(missing),
                have=[str(c) for c in list(data.columns)[:15]],
            ),
            fix=Msg("fix_co_id_and_period_column") if period_column else Msg("fix_co_id_column"),
        )
    keys = id_columns + ([period_column] if period_column else [])
    dup = data.duplicated(keys, keep=False)
    if dup.any():
        first = data.loc[dup, keys].iloc[0].tolist()
        rows = (np.flatnonzero(dup.to_numpy())[:2] + 2).tolist()
        raise DataError(
            Msg("err_duplicate_area", area=", ".join(map(str, first))),
            row=rows[0],
            column=", ".join(keys),
            fix=Msg("fix_duplicate_area", rows=rows),
        )
    data = data.reset_index(drop=True)
    steps: list[Step] = []
    pooled = spec.reference.endswith("pooled") or period_column is None
    # areas below the minimum population are left out of the reference set and unscored
    small = pd.Series(False, index=data.index)
    if spec.min_population and spec.population in data.columns:
        small = data[spec.population] < spec.min_population
        steps.append(
            Step("min_population", {"population": spec.population, "minimum": spec.min_population})
        )
    ref = data[~small] if small.any() else data
    groups = None if pooled else ref[period_column]
    values, notes = derive_indicators(ref, spec)
    spec = effective_spec(spec, values)
    values = values[[i.id for i in spec.indicators]]
    steps.append(Step("derive_indicators", {"indicators": [i.id for i in spec.indicators]}))
    if spec.shrinkage:
        gcol = ref[group_column] if group_column else ref[id_columns[0]].astype(str).str[2:6]
        values = shrink(values, ref, spec, gcol)
        steps.append(Step("shrink", {"group": group_column or "gemeente"}))
    std = standardise(values, spec, groups)
    steps.append(Step("standardise", {"method": spec.standardise, "pooled": pooled}))
    dom, flags = domain_scores(std, spec)
    steps.append(Step("domain_scores", {"missing": spec.missing}))
    empty = [d for d in spec.domain_ids() if dom[d].isna().all()]
    notes += [f"domain {d!r} has no data and is left out; weights rescaled to 100" for d in empty]
    x = transform_domain(dom, spec.transform, groups)  # all domains, ranked in one pass
    steps.append(Step("transform_domains", {"transform": spec.transform, "pooled": pooled}))
    if x.notna().any().sum() == 0:
        raise DataError(
            Msg("err_co_no_indicator_data"),
            fix=Msg("fix_co_provide_columns", columns=spec.raw_inputs()[:10]),
        )
    table = combine(x, spec, ref[period_column] if period_column else None, flags)
    steps.append(Step("combine", {"weights": {d.id: d.weight for d in spec.domains}}))
    flags = table.pop("flags")
    if small.any():  # back to every input row; the small areas get no score
        table = table.reindex(data.index)
        flags = flags.reindex(data.index, fill_value="")
        flags[small] = f"minder dan {spec.min_population:g} inwoners: geen score; "
        table.loc[small, "status"] = TOO_SMALL
    table = pd.concat([data[keys], table], axis=1)
    codes, texts = pd.factorize(flags.to_numpy(dtype=object))  # few distinct texts
    stripped = np.array([t.strip() or None for t in texts], dtype=object)
    table["flags"] = pd.Series(stripped[codes], index=table.index, dtype=object)
    prov = {
        "spec_name": spec.name,
        "spec_hash": spec.hash(),
        "package_version": __version__,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "transform": spec.transform,
        "reference": spec.reference,
        **(provenance or {}),
    }
    run = Run(spec, steps, input_hash(data), id_columns, period_column, prov)
    # the standardised indicators on every input row too (small areas: NaN), so that the
    # table and the indicators always align row for row
    std = std.reindex(data.index) if small.any() else std
    return IndexResult(table, std.assign(**{k: data[k] for k in keys}), run, notes)


def replay(run: Run, data: pd.DataFrame) -> IndexResult:
    """Re-run a recorded computation on the same input; refuses different input."""
    got = input_hash(data.reset_index(drop=True))
    if got != run.input_hash:
        raise DataError(Msg("err_co_replay_mismatch"), fix=Msg("fix_co_replay_mismatch"))
    return compute(
        data,
        run.spec,
        id_columns=run.id_columns,
        period_column=run.period_column,
        provenance={k: v for k, v in run.provenance.items() if k not in ("computed_at",)},
    )
