"""The full report for a 60-buurt gemeente (Voorbeeldstad, the size of Almelo) against a
plain baseline in the same run: the same number of bare geopandas maps saved as PNG and the
buurt table written to CSV. Target from the issue: the Almelo report in under 20 s on
2 cores. Prints seconds and ratios; no assertion."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from buurtbalans.demo import GEMEENTE, load_demo  # noqa: E402
from buurtbalans.report import build_report  # noqa: E402
from buurtbalans.store import Store  # noqa: E402


def baseline(store: Store, out: Path, n_maps: int) -> None:
    gdf = store.boundaries(2022, GEMEENTE)
    wide = store.wide(["a_inw", "p_hh_li"], gemeente=GEMEENTE, periods=[2024])
    gdf = gdf.merge(wide, left_on="code", right_on="area_code")
    for i in range(n_maps):
        ax = gdf.plot(column="p_hh_li", legend=True)
        ax.figure.savefig(out / f"map{i}.png", dpi=110)
        plt.close(ax.figure)
    wide.to_csv(out / "tabel.csv", index=False)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = Store(tmp / "demo.duckdb")
        load_demo(store)
        t = time.perf_counter()
        report = build_report(store, GEMEENTE, 2015, 2024, uit=tmp / "r", synthetic=True)
        full = time.perf_counter() - t
        t = time.perf_counter()
        build_report(store, GEMEENTE, 2015, 2024, uit=tmp / "r2", synthetic=True, pdf=False)
        no_pdf = time.perf_counter() - t
        n_figs = len(report.figures)
        t = time.perf_counter()
        baseline(store, tmp, n_figs)
        base = time.perf_counter() - t
    print(f"report with PDF     {full:6.2f} s  ({n_figs} figures; target < 20 s)")
    print(f"report without PDF  {no_pdf:6.2f} s")
    print(f"baseline            {base:6.2f} s  ({n_figs} bare maps + CSV)")
    print(f"ratio report/baseline: {full / base:.1f}x (with PDF), {no_pdf / base:.1f}x (without)")


if __name__ == "__main__":
    main()
