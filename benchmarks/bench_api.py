"""`buurtbalans serve` under load, beside a baseline measured in the same run.

For a 60-buurt gemeente (the demo) and for a national-size synthetic store (~14,000 buurten
with polygons), it starts the real app under uvicorn on 127.0.0.1 and a second uvicorn that
serves the *same bytes* as a static file (Starlette StaticFiles), then runs a bounded loop of
GET requests with 1 and with 20 concurrent clients (httpx) against both. It prints p50/p95/
p99 latency and requests/s, and the ratio app/baseline; the first (cold, computing) request
is reported separately. Targets (issue 12): p95 < 50 ms per gemeente, < 300 ms for national
GeoJSON — printed, not asserted.

    PYTHONPATH=src python benchmarks/bench_api.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd

SERVER = """
import sys, uvicorn
from buurtbalans.web import create_app
uvicorn.run(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="error", access_log=False)
"""
STATIC = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
app = Starlette(routes=[Mount("/", StaticFiles(directory=sys.argv[1]))])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="error", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(code: str, arg: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", code, arg, str(port)])
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(base + "/", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start: {code[:40]}")


async def load(url: str, clients: int, total: int) -> tuple[list[float], float]:
    """``total`` GETs of ``url`` spread over ``clients`` concurrent clients."""
    latencies: list[float] = []
    per = max(1, total // clients)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker() -> None:
            for _ in range(per):
                t0 = time.perf_counter()
                r = await client.get(url)
                r.raise_for_status()
                await r.aread()
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - t0
    return latencies, len(latencies) / wall


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def demo_store(folder: Path) -> Path:
    from buurtbalans.demo import load_demo
    from buurtbalans.store import Store

    path = folder / "demo.duckdb"
    with Store(path) as st:
        load_demo(st)
    return path


def national_store(folder: Path, n_gemeenten: int = 342, per: int = 41) -> Path:
    """~14,000 synthetic buurten (hexagon-like 24-gons in RD) with areas and boundaries."""
    import shapely

    from buurtbalans.store import Store

    path = folder / "nl.duckdb"
    rows, geoms = [], []
    side = 1200.0
    for g in range(n_gemeenten):
        gx, gy = 13_000 + (g % 18) * 14_000, 306_000 + (g // 18) * 14_000
        for b in range(per):
            x, y = gx + (b % 7) * side * 1.6, gy + (b // 7) * side * 1.6
            angles = np.linspace(0, 2 * np.pi, 25)[:-1]
            r = side * (0.7 + 0.05 * np.sin(angles * 5 + b))
            ring = np.c_[x + r * np.cos(angles), y + r * np.sin(angles)]
            code = f"BU{g + 1:04d}{b // 10:02d}{b % 10:02d}"
            rows.append((code, f"GM{g + 1:04d}", f"WK{g + 1:04d}{b // 10:02d}", f"Buurt {b}"))
            geoms.append(shapely.Polygon(ring))
    wkb = shapely.to_wkb(np.array(geoms))
    areas = pd.DataFrame(rows, columns=["code", "gemeente_code", "wijk_code", "name"])
    areas = areas.assign(vintage=2024, level="buurt", source_id="synthetic")
    bnd = pd.DataFrame(  # noqa: F841  (DuckDB reads it by name)
        {
            "code": areas["code"],
            "vintage": 2024,
            "level": "buurt",
            "geometry_wkb": wkb,
            "crs": "EPSG:28992",
            "source_id": "synthetic",
        }
    )
    with Store(path) as st:
        a = areas[["code", "vintage", "level", "name", "wijk_code", "gemeente_code", "source_id"]]  # noqa: F841  (DuckDB reads it by name)
        st.con.execute("INSERT INTO areas SELECT * FROM a")
        st.con.execute("INSERT INTO boundaries SELECT * FROM bnd")
    return path


def run_case(
    name: str, store: Path, path: str, total: int, clients: tuple[int, ...], folder: Path
) -> list[dict]:
    app, base = start(SERVER, str(store))
    try:
        t0 = time.perf_counter()
        body = httpx.get(base + path, timeout=600).content
        cold = time.perf_counter() - t0
        static_dir = folder / f"static-{name}"
        static_dir.mkdir()
        (static_dir / "body.json").write_bytes(body)
        stat, sbase = start(STATIC, str(static_dir))
        try:
            out = []
            print(
                f"\n{name}: GET {path}  ({len(body) / 1e6:.2f} MB; first request, "
                f"computing: {cold * 1000:.0f} ms)"
            )
            print(
                f"  {'clients':>7} {'server':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
                f"{'req/s':>8}"
            )
            for c in clients:
                for label, url in (("app", base + path), ("static", sbase + "/body.json")):
                    lat, rps = asyncio.run(load(url, c, total))
                    row = {
                        "case": name,
                        "clients": c,
                        "server": label,
                        "p50": pct(lat, 50),
                        "p95": pct(lat, 95),
                        "p99": pct(lat, 99),
                        "rps": rps,
                    }
                    out.append(row)
                    print(
                        f"  {c:>7} {label:>9} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                        f"{row['p99']:>8.1f} {rps:>8.1f}"
                    )
                a, s = out[-2], out[-1]
                print(
                    f"  {c:>7} {'app/stat':>9} {a['p50'] / s['p50']:>8.2f} "
                    f"{a['p95'] / s['p95']:>8.2f} {a['p99'] / s['p99']:>8.2f} "
                    f"{a['rps'] / s['rps']:>8.2f}"
                )
            return out
        finally:
            stat.terminate()
            stat.wait(10)
    finally:
        app.terminate()
        app.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    n_small, n_big = (100, 20) if args.quick else (400, 60)
    with tempfile.TemporaryDirectory(prefix="bb-bench-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        demo = demo_store(folder)
        nl = national_store(folder)
        print(
            f"stores built in {time.perf_counter() - t0:.1f} s (demo: 60 buurten; "
            "synthetic NL: 14,022 buurten, 24-vertex polygons)"
        )
        rows = []
        for path in (
            "/api/v1/gemeenten/GM9999/index",
            "/api/v1/gemeenten/GM9999/gebieden",
            "/api/v1/gemeenten/GM9999/buurten/BU99990601",
        ):
            rows += run_case(path.rsplit("/", 1)[-1], demo, path, n_small, (1, 20), folder)
        rows += run_case("national", nl, "/api/v1/gebieden?vintage=2024", n_big, (1, 20), folder)
    print("\ntargets (issue 12): p95 < 50 ms per gemeente, < 300 ms national GeoJSON")
    for r in rows:
        if r["server"] == "app":
            target = 300 if r["case"] == "national" else 50
            verdict = "meets" if r["p95"] < target else "misses"
            print(
                f"  {r['case']:>12} clients={r['clients']:<3} p95 {r['p95']:7.1f} ms "
                f"{verdict} {target} ms"
            )
    ratios = [a["p95"] / s["p95"] for a, s in zip(rows[::2], rows[1::2], strict=True)]
    print(f"(median of app/static p95 ratios: {statistics.median(ratios):.2f})")


if __name__ == "__main__":
    main()
