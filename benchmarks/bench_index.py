"""Index engine vs a plain pandas script and a NumPy floor of the same spec, in one run, on
IoD-shaped data with what real data have: missing values, ties and several years.

The input is the IoD 2025 domain ranks of England's 33,755 LSOAs (from ../shared when
present, else random ranks of the same size), made realistic: three "years" (the ranks
with noise), values coarsened to 500 bands (ties), and 5 % of the values missing. The spec
is the IMD's (7 domains, exponential transform), ranked within each year.

Prints best-of-3 seconds, ratios and the max abs difference engine vs pandas; no
pass/fail (targets are read, not asserted). For national scale see bench_national.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from bench_national import best_time, numpy_floor, pandas_baseline  # same folder

from buurtbalans.index import compute
from buurtbalans.spec import parse_spec

DOMAINS = [
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
]
WEIGHTS = [22.5, 22.5, 13.5, 13.5, 9.3, 9.3, 9.3]
IOD = (
    Path(__file__).resolve().parents[2] / "shared/data/reference/imd/iod2025/"
    "imd2025_england_lsoa21.csv.gz"
)
YEARS = (2019, 2022, 2025)
MISSING = 0.05


def ranks() -> pd.DataFrame:
    """The published domain ranks (or random ones of the same shape)."""
    cols = [f"{d}_rank" for d in DOMAINS]
    if IOD.exists():
        return pd.read_csv(IOD, usecols=["lsoa21_code", *cols])
    rng = np.random.default_rng(0)
    n = 33_755
    df = pd.DataFrame({c: rng.permutation(n) + 1 for c in cols})
    df.insert(0, "lsoa21_code", [f"E{i:08d}" for i in range(n)])
    return df


def realistic(df: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """Three years of noisy, banded (tied) ranks with 5 % missing."""
    rng = np.random.default_rng(seed)
    years = []
    for year in YEARS:
        part = df.copy()
        for d in DOMAINS:
            noisy = part[f"{d}_rank"] + rng.normal(0, 1500, len(part))
            banded = np.ceil(noisy.rank(pct=True) * 500)  # ties within each band
            banded[rng.random(len(part)) < MISSING] = np.nan
            part[f"{d}_rank"] = banded
        part.insert(1, "jaar", year)
        years.append(part)
    return pd.concat(years, ignore_index=True)


def main() -> None:
    df = realistic(ranks())
    spec = parse_spec(
        {
            "index": {"name": "IMD", "transform": "exponential", "reference": "input"},
            "domain": [{"id": d, "weight": w} for d, w in zip(DOMAINS, WEIGHTS, strict=True)],
            "indicator": [{"id": f"{d}_rank", "domain": d, "polarity": "-"} for d in DOMAINS],
        }
    )
    t_eng, result = best_time(
        lambda: compute(df, spec, id_columns=["lsoa21_code"], period_column="jaar").table, 3
    )
    t_pd, (score, _) = best_time(lambda: pandas_baseline(df, spec), 3)
    t_np, _ = best_time(lambda: numpy_floor(df, spec), 3)
    diff = float(np.nanmax(np.abs(result["score"].to_numpy(float) - score.to_numpy())))
    print(
        f"{len(df):,} rows ({len(YEARS)} years × {len(df) // len(YEARS):,} areas), "
        f"{MISSING:.0%} missing, ties; best of 3"
    )
    print(f"buurtbalans engine   {t_eng:7.3f} s")
    print(f"pandas script        {t_pd:7.3f} s   engine/pandas {t_eng / t_pd:5.2f}")
    print(f"numpy floor          {t_np:7.3f} s   engine/numpy  {t_eng / t_np:5.2f}")
    print(
        f"max |engine − pandas| score: {diff:.1e} (engine also checks ids, hashes the input, "
        "builds flags, coverage, contributions and classes)"
    )


if __name__ == "__main__":
    main()
