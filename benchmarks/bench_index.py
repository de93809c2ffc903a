"""Index engine vs a plain NumPy implementation of the same IoD formula, in one run.

Prints seconds and the ratio engine/baseline; no pass/fail (targets are read, not asserted).
Uses the IoD 2025 ranks from ../shared when present, else 33,755 synthetic rows.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from buurtbalans.index import compute
from buurtbalans.spec import parse_spec

DOMAINS = ["Income", "Employment", "Education", "Health", "Crime", "Housing_and_Services",
           "Environment"]
WEIGHTS = [22.5, 22.5, 13.5, 13.5, 9.3, 9.3, 9.3]
IOD = Path(__file__).resolve().parents[2] / "shared/data/reference/imd/iod2025/" \
    "imd2025_england_lsoa21.csv.gz"


def data() -> pd.DataFrame:
    if IOD.exists():
        return pd.read_csv(IOD)
    rng = np.random.default_rng(0)
    n = 33_755
    df = pd.DataFrame({f"{d}_rank": rng.permutation(n) + 1 for d in DOMAINS})
    df.insert(0, "lsoa21_code", [f"E{i:08d}" for i in range(n)])
    return df


def baseline(df: pd.DataFrame) -> np.ndarray:
    n = len(df)
    k = 1 - np.exp(-100 / 23)
    score = np.zeros(n)
    for d, w in zip(DOMAINS, WEIGHTS, strict=True):
        pub = df[f"{d}_rank"]
        r = (n + 1 - pub.rank(method="average", ascending=True).to_numpy()) / n
        r = 1 - r + 1 / n  # least deprived = 1/N
        score += w / 100 * -23 * np.log(1 - r * k)
    return score


def main() -> None:
    df = data()
    spec = parse_spec({"index": {"name": "IMD", "transform": "exponential"},
                       "domain": [{"id": d, "weight": w} for d, w in zip(DOMAINS, WEIGHTS,
                                                                           strict=True)],
                       "indicator": [{"id": f"{d}_rank", "domain": d, "polarity": "-"}
                                     for d in DOMAINS]})
    timings = {}
    for name, fn in (("baseline (numpy)", lambda: baseline(df)),
                     ("buurtbalans engine", lambda: compute(df, spec,
                                                            id_columns=["lsoa21_code"]))):
        best = min(_time(fn) for _ in range(3))
        timings[name] = best
        print(f"{name:22s} {best:7.3f} s")
    ratio = timings["buurtbalans engine"] / timings["baseline (numpy)"]
    print(f"ratio engine/baseline: {ratio:.1f}x for {len(df):,} areas (engine also does "
          "normal scores, contributions, classes, flags and the run record)")


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
