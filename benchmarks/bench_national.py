"""National scale: the index engine against a plain pandas script and a NumPy floor, in one run.

Synthetic data in the bring-your-own-data format (``buurt``, ``jaar``, one column per
indicator), shaped like the real thing: 14,000 buurten × 10 years × 25 indicators over 7
domains (MDI weights), values rounded to 0.1 (ties), 5 % missing at random. Sizes are
multiples of the number of buurten (1× = 140,000 rows). The spec: normal scores per year,
weighted domain means (missing indicators re-weighted), exponential transform per year,
weighted sum (missing domains re-weighted), rank per year.

Per size it prints the median wall (or ``--clock cpu``) time of the three, run in turn
(A B C A B C ..., so each sees the same machine load), of

- ``engine``: ``buurtbalans.index.compute`` (also checks ids, hashes the input for the run
  record, builds flags, coverage, contributions, deciles and classes);
- ``pandas``: a straightforward pandas script of the same spec (groupby-rank, weighted means);
- ``numpy``: a NumPy floor with the outputs compared, score and rank per year (argsort
  ranks, masked weighted means, nothing else);

with the ratios, the engine's peak memory (tracemalloc, a separate run) and the max abs
difference between the engine's and the baseline's scores (and whether the ranks agree).
Then the start-up cost of ``buurtbalans --help`` (``-X importtime`` total and wall time).
No pass/fail: targets are read, not asserted.

    python benchmarks/bench_national.py             # 1×, 4×, 16×
    python benchmarks/bench_national.py --sizes 1,4
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy.special import ndtri

from buurtbalans.index import compute
from buurtbalans.spec import IndexSpec, parse_spec

BUURTEN = 14_000
YEARS = list(range(2015, 2025))
DOMAINS = {  # id: (weight, number of indicators)
    "inkomen": (22.5, 4),
    "werk": (22.5, 4),
    "onderwijs": (13.5, 4),
    "gezondheid": (13.5, 4),
    "veiligheid": (9.3, 3),
    "wonen": (9.3, 3),
    "leefomgeving": (9.3, 3),
}
MISSING = 0.05
EXP_K = 1.0 - np.exp(-100.0 / 23.0)


def national_spec() -> IndexSpec:
    """The spec every path computes (25 indicators, 7 domains, rank within each year)."""
    indicators = [
        {"id": f"{d}_{j}", "domain": d, "polarity": "-" if j == 3 else "+"}
        for d, (_, k) in DOMAINS.items()
        for j in range(1, k + 1)
    ]
    return parse_spec(
        {
            "index": {"name": "nationaal", "transform": "exponential", "reference": "input"},
            "domain": [{"id": d, "weight": w} for d, (w, _) in DOMAINS.items()],
            "indicator": indicators,
        }
    )


def national_data(scale: int, seed: int = 0) -> pd.DataFrame:
    """``scale`` × 14,000 buurten × 10 years; percentages rounded to 0.1, 5 % missing."""
    rng = np.random.default_rng(seed)
    n_buurt = BUURTEN * scale
    codes = np.char.add("BU", np.char.zfill(np.arange(n_buurt).astype(str), 8))
    n = n_buurt * len(YEARS)
    spec = national_spec()
    level = rng.gamma(2.0, 1.0, n_buurt)  # a buurt's deprivation, shared by its indicators
    data: dict[str, object] = {
        "buurt": np.tile(codes, len(YEARS)),
        "jaar": np.repeat(YEARS, n_buurt),
    }
    for ind in spec.indicators:
        base = np.tile(level, len(YEARS)) * rng.uniform(2, 8) + rng.gamma(2.0, 2.0, n)
        values = np.round(np.minimum(base, 100.0), 1)
        values[rng.random(n) < MISSING] = np.nan
        data[ind.id] = values
    return pd.DataFrame(data)


# -- the baselines --------------------------------------------------------------------------
def pandas_baseline(df: pd.DataFrame, spec: IndexSpec) -> tuple[pd.Series, pd.Series]:
    """The spec as a plain pandas script: score and rank (1 = most deprived) per year."""
    year = df["jaar"]
    ids = [i.id for i in spec.indicators]
    signed = df[ids] * [1 if i.polarity == "+" else -1 for i in spec.indicators]
    g = signed.groupby(year)
    z = ndtri((g.rank(method="average") - 0.5) / g.transform("count"))
    domains = {}
    for d in spec.domains:
        cols = [i.id for i in spec.indicators_of(d.id)]
        w = pd.Series({i.id: i.weight for i in spec.indicators_of(d.id)})
        wsum = z[cols].notna().mul(w, axis=1).sum(axis=1)
        domains[d.id] = z[cols].mul(w, axis=1).sum(axis=1, min_count=1) / wsum.replace(0, np.nan)
    dom = pd.DataFrame(domains)
    gd = dom.groupby(year)
    x = -23.0 * np.log(1.0 - gd.rank(method="average") / gd.transform("count") * EXP_K)
    w = pd.Series({d.id: d.weight for d in spec.domains})
    scale = w.sum() / x.notna().mul(w, axis=1).sum(axis=1).replace(0, np.nan)
    score = x.mul(w, axis=1).sum(axis=1, min_count=1) * scale / 100.0
    rank = score.groupby(year).rank(method="first", ascending=False)
    return score, rank


def _average_ranks(block: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) down each column of ``block``; NaN stays NaN (argsort
    per column, ties averaged from the sorted run lengths)."""
    ranks = np.empty(block.shape)
    for j in range(block.shape[1]):
        col = block[:, j]
        order = np.argsort(np.where(np.isnan(col), np.inf, col))
        ordered = col[order]
        new = np.r_[True, ordered[1:] != ordered[:-1]]
        starts = np.flatnonzero(new)
        run_rank = (2 * starts + np.diff(starts, append=len(col)) - 1) / 2.0 + 1.0
        ranks[order, j] = run_rank[np.cumsum(new, dtype=np.int32) - 1]
        ranks[np.isnan(col), j] = np.nan
    return ranks


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    present = ~np.isnan(values)
    wsum = present @ weights
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, np.nan_to_num(values) @ weights / wsum, np.nan)


def numpy_floor(df: pd.DataFrame, spec: IndexSpec) -> tuple[np.ndarray, np.ndarray]:
    """The least work the spec needs for the outputs the engine is compared on, score and
    rank per year (1 = highest, ties in row order): argsort ranks, masked weighted means."""
    ids = [i.id for i in spec.indicators]
    signs = np.array([1.0 if i.polarity == "+" else -1.0 for i in spec.indicators])
    values = df[ids].to_numpy(dtype=float) * signs
    year = df["jaar"].to_numpy()
    order = np.argsort(year, kind="stable")
    bounds = np.flatnonzero(np.diff(year[order])) + 1
    dom_w = np.array([d.weight for d in spec.domains])
    members = [
        (
            np.array([ids.index(i.id) for i in spec.indicators_of(d.id)]),
            np.array([i.weight for i in spec.indicators_of(d.id)]),
        )
        for d in spec.domains
    ]
    score = np.empty(len(df))
    rank = np.full(len(df), np.nan)
    for rows in np.split(order, bounds):  # one block per year
        block = np.asfortranarray(values[rows])  # columns contiguous
        z = ndtri((_average_ranks(block) - 0.5) / (~np.isnan(block)).sum(axis=0))
        dom = np.column_stack([_weighted_mean(z[:, cols], w) for cols, w in members])
        x = -23.0 * np.log(1.0 - _average_ranks(dom) / (~np.isnan(dom)).sum(axis=0) * EXP_K)
        present = ~np.isnan(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            block_score = (np.nan_to_num(x) @ dom_w) * (dom_w.sum() / (present @ dom_w)) / 100.0
        score[rows] = block_score
        ok = ~np.isnan(block_score)
        by_score = np.argsort(np.where(ok, -block_score, np.inf), kind="stable")
        in_year = np.empty(len(rows))
        in_year[by_score] = np.arange(1, len(rows) + 1)
        rank[rows] = np.where(ok, in_year, np.nan)
    return score, rank


# -- measuring --------------------------------------------------------------------------------
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
CLOCK = ["wall"]  # set by --clock


def interleaved(fns: list[Callable[[], object]], repeat: int) -> list[tuple[float, object]]:
    """Median time (wall, or CPU with ``--clock cpu``) of each of ``fns`` run in turn
    (A B C A B C ...: every method sees the same machine load), and its last result."""
    clock = CLOCKS[CLOCK[0]]
    times: list[list[float]] = [[] for _ in fns]
    results: list[object] = [None] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            gc.collect()
            start = clock()
            results[k] = fn()
            times[k].append(clock() - start)
    return [(float(np.median(t)), r) for t, r in zip(times, results, strict=True)]


def peak_memory(fn: Callable[[], object]) -> float:
    """Peak bytes allocated while ``fn`` runs (tracemalloc; NumPy and pandas report to it)."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def startup() -> tuple[float, float, list[str]]:
    """``buurtbalans --help``: the -X importtime total (s), the best wall time (s) of three
    runs, and the heavy libraries it imported."""
    cmd = [sys.executable, "-m", "buurtbalans", "--help"]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True, text=True, check=True
    )
    total_us, heavy = 0, set()
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s+(\S+)", line.strip())
        if m:
            total_us += int(m.group(1))
            top = m.group(3).split(".")[0]
            if top in {"pandas", "numpy", "scipy", "matplotlib", "geopandas", "weasyprint"}:
                heavy.add(top)
    walls = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    return total_us / 1e6, min(walls), sorted(heavy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,4,16", help="multiples of 14,000 buurten")
    parser.add_argument("--repeat", type=int, default=3, help="rounds at 1× (median)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall")
    args = parser.parse_args()
    CLOCK[0] = args.clock
    spec = national_spec()
    print(
        f"{len(spec.indicators)} indicators over {len(spec.domains)} domains, "
        f"{len(YEARS)} years, {MISSING:.0%} missing, ties; median {args.clock} time of the "
        "methods run in turn (A B C A B C ...); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    header = (
        f"{'size':>4} {'rows':>10} {'engine s':>9} {'pandas s':>9} {'numpy s':>8} "
        f"{'eng/pd':>7} {'eng/np':>7} {'peak GiB':>9} {'max|Δ|':>9} {'ranks':>6}"
    )
    print(header)
    first = None
    for scale in [int(s) for s in args.sizes.split(",")]:
        df = national_data(scale)
        repeat = max(1, args.repeat if scale == 1 else args.repeat - (scale >= 4) - (scale >= 16))

        def engine(df: pd.DataFrame = df) -> pd.DataFrame:
            return compute(df, spec, id_columns=["buurt"], period_column="jaar").table

        (t_eng, table), (t_pd, (score, rank)), (t_np, (floor, floor_rank)) = interleaved(
            [engine, lambda df=df: pandas_baseline(df, spec), lambda df=df: numpy_floor(df, spec)],
            repeat,
        )
        diff = float(np.nanmax(np.abs(table["score"].to_numpy(float) - score.to_numpy())))
        eng_rank = table["rank"].astype(float).to_numpy()
        same_rank = bool(np.array_equal(eng_rank, rank.to_numpy(), equal_nan=True))
        same_rank &= bool(np.array_equal(eng_rank, floor_rank, equal_nan=True))
        floor_diff = float(np.nanmax(np.abs(floor - score.to_numpy())))
        peak = float("nan") if args.no_memory else peak_memory(engine) / 2**30
        first = first or t_eng
        print(
            f"{scale:>3}× {len(df):>10,} {t_eng:>9.3f} {t_pd:>9.3f} {t_np:>8.3f} "
            f"{t_eng / t_pd:>7.2f} {t_eng / t_np:>7.2f} {peak:>9.2f} {diff:>9.1e} "
            f"{'equal' if same_rank else 'DIFFER':>6}"
            + (f"   (engine {t_eng / first:.1f}× the 1× time)" if scale > 1 else "")
            + (f"   numpy floor max|Δ| {floor_diff:.1e}" if floor_diff > 1e-9 else "")
        )
        del df, table, score, rank, floor
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    imports, wall, heavy = startup()
    print(
        f"buurtbalans --help: -X importtime total {imports:.3f} s, wall {wall:.3f} s; "
        f"heavy libraries imported: {', '.join(heavy) or 'none'}"
    )


if __name__ == "__main__":
    main()
