"""Vectorised uncertainty analysis vs running the index engine once per variant, in one run.

Synthetic NL-sized input: 14,000 buurten of one year with every raw input of the MDI
preset, rounded values (ties), ~8 % missing values, whole domains missing in some buurten
and some buurten under the population minimum. The vectorised path runs the full default
assumptions (weights ±25 %, three scalings, two missing rules, shrinkage on/off, drop one
indicator, 5 % indicator error) for ``--runs`` variants (rounded up to a Saltelli design).
The loop baseline times ``--loop`` engine runs (each with its own perturbed weights) and
extrapolates to the same number of variants — stated in the output. Peak memory: Python
allocations (tracemalloc, includes NumPy) of each path, and the process's max RSS.

    PYTHONPATH=src python benchmarks/bench_uncertainty.py [--rows 14000] [--runs 1000] [--loop 20]

Prints seconds, peak memory and the ratio; no pass/fail.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from dataclasses import replace

import numpy as np
import pandas as pd

from buurtbalans.analysis.uncertainty import prepare, run_uncertainty
from buurtbalans.analysis.uncertainty_assumptions import load_assumptions
from buurtbalans.index import compute
from buurtbalans.spec import load_spec


def synthetic(n: int, seed: int = 0) -> pd.DataFrame:
    """One year of n buurten in ~350 gemeenten with the MDI preset's raw inputs."""
    rng = np.random.default_rng(seed)
    spec = load_spec("mdi")
    latent = rng.normal(size=n)
    inw = np.round(rng.lognormal(6.8, 1.2, n))
    df = pd.DataFrame(
        {
            "area_code": [f"BU{g:04d}{i:04d}" for i, g in enumerate(rng.integers(1, 350, n))],
            "period": 2024,
            "a_inw": inw,
        }
    )
    for col in spec.raw_inputs():
        if col in df:
            continue
        if col.startswith("a_"):  # counts: ratios of a_inw, integers (ties at 0)
            rate = 1 / (1 + np.exp(-(latent * 0.8 + rng.normal(size=n) - 3)))
            df[col] = np.round(inw * rate)
        else:  # percentages/averages rounded like KWB (many ties)
            df[col] = np.round(50 + 10 * (latent * 0.6 + rng.normal(size=n)), 0)
    values = [c for c in df.columns if c not in ("area_code", "period", "a_inw")]
    mask = rng.random((n, len(values))) < 0.08
    df[values] = df[values].mask(mask)
    gone = rng.random(n) < 0.05  # no Leefbaarometer at all in 5 % of buurten
    df.loc[gone, [c for c in values if c.startswith("lbm_")]] = np.nan
    return df


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=14_000)
    ap.add_argument("--runs", type=int, default=1_000)
    ap.add_argument("--loop", type=int, default=20)
    args = ap.parse_args()
    df = synthetic(args.rows)
    spec = load_spec("mdi").with_options(reference="input")
    a = load_assumptions(None).with_runs(args.runs, 1)

    t0 = time.perf_counter()
    prep = prepare(df, spec, id_columns=["area_code"], period_column="period")
    t1 = time.perf_counter()
    result = run_uncertainty(prep, a)
    t2 = time.perf_counter()
    n_var = result.settings["runs"]
    vec = t2 - t0
    print(f"input: {args.rows} buurten, {df.shape[1] - 2} raw columns, "
          f"{int(df.isna().sum().sum())} missing values; "
          f"scored {int(prep.eligible.sum())}")  # fmt: skip
    print(f"vectorised: {n_var} variants in {vec:.1f} s (prepare incl. one engine run "
          f"{t1 - t0:.1f} s, variants {t2 - t1:.1f} s; {1000 * (t2 - t1) / n_var:.1f} "
          "ms/variant)")  # fmt: skip

    rng = np.random.default_rng(1)

    def engine_run() -> None:
        mult = rng.uniform(0.75, 1.25, len(spec.domains))
        doms = tuple(
            replace(d, weight=d.weight * m) for d, m in zip(spec.domains, mult, strict=True)
        )
        compute(df, replace(spec, domains=doms), id_columns=["area_code"],
                period_column="period")  # fmt: skip

    t0 = time.perf_counter()
    for _ in range(args.loop):
        engine_run()
    loop = time.perf_counter() - t0
    per = loop / args.loop
    print(f"engine loop: {args.loop} runs in {loop:.1f} s ({per:.2f} s/run); "
          f"extrapolated to {n_var} variants: {per * n_var:.0f} s")  # fmt: skip
    print(f"ratio loop/vectorised (same {n_var} variants): {per * n_var / vec:.0f}x")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process after both timings: {rss:.0f} MiB")

    # peak memory in separate passes (tracemalloc slows Python code, so not while timing)
    tracemalloc.start()
    run_uncertainty(prepare(df, spec, id_columns=["area_code"], period_column="period"), a)
    _, peak_vec = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    engine_run()
    _, peak_loop = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"peak allocations (tracemalloc): vectorised {peak_vec / 2**20:.0f} MiB; "
        f"one engine run {peak_loop / 2**20:.0f} MiB"
    )


if __name__ == "__main__":
    main()
