"""National-shaped KWB files for the benchmarks: ``kwb-YYYY.csv`` as CBS publishes them
(``gwb_code_10``, ``regio``, one column per indicator, ``.`` for a suppressed cell),
with 1 NL row, 342 gemeenten, their wijken and 14,000 buurten: 17,591 rows per year and
84 catalogue indicators. Seeded; values respect every indicator's kind and bounds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from buurtbalans.sources.codebook import catalogue

ROWS = 17_591
GEMEENTEN = 342
BUURTEN = 14_000
INDICATORS = 84


def gemeente_codes() -> list[str]:
    """342 real gemeente codes (those of the shipped list in the newest year)."""
    table = pd.read_csv(
        Path(__file__).parents[1] / "src/buurtbalans/sources/gemeenten.csv", sep=";", dtype=str
    )
    codes = sorted(table["code"])
    return codes[:GEMEENTEN]


def area_codes() -> list[str]:
    """NL01, 342 GM, wijken and buurten: :data:`ROWS` codes, nested as in the KWB."""
    gms = gemeente_codes()
    n_wijk = ROWS - 1 - GEMEENTEN - BUURTEN
    codes = ["NL01", *gms]
    wijk_per_gm = np.full(GEMEENTEN, n_wijk // GEMEENTEN)
    wijk_per_gm[: n_wijk % GEMEENTEN] += 1
    buurt_left = BUURTEN
    for i, (gm, nw) in enumerate(zip(gms, wijk_per_gm, strict=True)):
        digits = gm[2:]
        per_gm = buurt_left // (GEMEENTEN - i)
        buurt_left -= per_gm
        per_wijk = np.full(nw, per_gm // nw)
        per_wijk[: per_gm % nw] += 1
        for w in range(nw):
            codes.append(f"WK{digits}{w:02d}")
            codes.extend(f"BU{digits}{w:02d}{b:02d}" for b in range(per_wijk[w]))
    return codes


def indicator_columns() -> list[str]:
    """84 catalogue indicators: the MDI's inputs first, then counts, shares and means."""
    from buurtbalans.harmonise import with_denominators
    from buurtbalans.spec import load_spec

    cat = catalogue()
    mdi = [c for c in with_denominators(load_spec("mdi").raw_inputs()) if c in cat]
    rest = [i for i, ind in cat.items() if ind.kind in ("count", "share", "mean")]
    return list(dict.fromkeys([*mdi, *rest]))[:INDICATORS]


def kwb_frame(year: int, seed: int = 0) -> pd.DataFrame:
    """One national KWB year as text cells (as the CSV holds them)."""
    rng = np.random.default_rng([seed, year])
    codes = area_codes()
    cat = catalogue()
    data: dict[str, object] = {"gwb_code_10": codes, "regio": [f"Gebied {c}" for c in codes]}
    n = len(codes)
    for col in indicator_columns():
        ind = cat[col]
        lo = ind.lower if ind.lower is not None else 0.0
        hi = min(ind.upper if ind.upper is not None else 1e4, 1e4)
        raw = lo + (hi - lo) * rng.beta(2, 5, n)
        if col == "a_inw":  # every buurt big enough to be ranked
            raw = rng.integers(50, 5000, n).astype(float)
        text = (
            np.round(raw).astype(int).astype(str) if ind.integral else np.round(raw, 1).astype(str)
        )
        cells = np.where(rng.random(n) < 0.04, ".", text)
        cells = np.where(rng.random(n) < 0.02, "", cells)
        data[col] = cells
    return pd.DataFrame(data)


def write_kwb(folder: Path, years: list[int], seed: int = 0) -> list[Path]:
    """``folder/kwb-YYYY.csv`` for each year (written once; reused when present)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for year in years:
        path = folder / f"kwb-{year}.csv"
        if not path.exists():
            kwb_frame(year, seed).to_csv(path, sep=";", index=False)
        paths.append(path)
    return paths
