"""The national path: import, store size, warm index and usage errors, each against a
baseline measured in the same run (A B A B ..., medians of CPU seconds of a fresh process).

Input: national-shaped ``kwb-YYYY.csv`` files (17,591 rows × 84 indicators, 1.48 M values
per year; see ``national_files.py``), written once into ``--folder``.

- ``import``: ``buurtbalans import file kwb-Y.csv`` (read, validate, write) vs DuckDB
  ``read_csv`` + ``UNPIVOT`` + insert into a table with the old primary key; CPU and peak
  RSS of each process.
- ``store``: bytes per stored value of the store after ``--years`` imports, beside the
  same values in a plain DuckDB table and in one with the old primary key.
- ``index``: ``buurtbalans index -g GM… --jaren first,last`` asked again (its printed
  answer kept) and asked of another gemeente each round (the national input rows from
  their cache, the gemeente's reference and answer new) vs one DuckDB PIVOT of the
  national rows of the same years.
- ``usage``: ``rapport -g <typo>``, ``rapport --van 2024 --tot 2015`` and ``index``
  without ``-g`` vs ``--help`` (wall time).

No pass/fail: the targets are printed beside the ratios and read, not asserted.

    python benchmarks/bench_store.py                 # 10 years, 3 rounds
    python benchmarks/bench_store.py --years 2 --rounds 2
    python benchmarks/bench_store.py --tweeling      # on the national twin (+ serve, rapport)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from national_files import write_kwb  # noqa: E402

EXE = [sys.executable, "-m", "buurtbalans"]


def run(cmd: list[str], *, ok: tuple[int, ...] = (0,)) -> tuple[float, float, float]:
    """(CPU seconds, wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err[-2000:]}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024


def interleaved(
    a: Callable[[], tuple[float, float, float]],
    b: Callable[[], tuple[float, float, float]],
    rounds: int,
) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """A B A B ...: both see the same machine load."""
    ra, rb = [], []
    for _ in range(rounds):
        ra.append(a())
        rb.append(b())
    return ra, rb


def med(rows: list[tuple[float, float, float]], i: int) -> float:
    return statistics.median(r[i] for r in rows)


BASELINE_IMPORT = """
import duckdb, sys
path, csv, year = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = ("gwb_code_10", "gwb_code_8", "regio", "gm_naam", "recs", "ind_wbi")
con = duckdb.connect(path)
con.execute('''CREATE TABLE IF NOT EXISTS obs (area_code TEXT NOT NULL, vintage INTEGER NOT NULL,
  period INTEGER NOT NULL, indicator TEXT NOT NULL, value DOUBLE, status TEXT NOT NULL,
  source_id TEXT NOT NULL, PRIMARY KEY (area_code, vintage, period, indicator))''')
con.execute(f'''CREATE TEMP TABLE raw AS SELECT * FROM read_csv('{csv}', delim=';',
  header=true, all_varchar=true)''')
names = list(con.execute("SELECT * FROM raw LIMIT 0").df().columns)
cols = [c for c in names if c not in text]
skip = ", ".join(f'"{c}"' for c in names if c in text and c != "gwb_code_10")
quoted = ", ".join(f'"{c}"' for c in cols)
con.execute(f'''INSERT INTO obs SELECT gwb_code_10, {year}, {year}, indicator,
  TRY_CAST(cell AS DOUBLE), CASE WHEN TRY_CAST(cell AS DOUBLE) IS NULL THEN 'missing'
  ELSE 'ok' END, 'baseline'
  FROM (UNPIVOT (SELECT * EXCLUDE ({skip}) FROM raw) ON {quoted}
        INTO NAME indicator VALUE cell)''')
con.close()
"""

PIVOT = """
import duckdb, sys
con = duckdb.connect(sys.argv[1], read_only=True)
years = [int(y) for y in sys.argv[2].split(",")]
inds = sys.argv[3].split(",")
con.execute(f'''PIVOT (SELECT o.area_code, o.vintage, o.period, a.name, o.indicator, o.value
  FROM observations o JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage
  WHERE a.level = 'buurt' AND o.period IN ({",".join(map(str, years))})
    AND o.indicator IN ({",".join(repr(i) for i in inds)}))
  ON indicator USING first(value) GROUP BY area_code, vintage, period, name''').df()
"""


CLAIM = """
import json, sys
from buurtbalans.store import Store
from buurtbalans.store.world import claim_for_twin
with Store(sys.argv[1]) as st:
    claim_for_twin(st, json.loads(open(sys.argv[2], encoding="utf-8").read()))
"""


def bench_import(folder: Path, files: list[Path], rounds: int, twin: Path | None = None) -> None:
    """``twin``: the twin's manifest (tweeling.json): its files go into a store of its own,
    claimed for the twin before the import, as ``demo --nederland`` does."""
    target = files[-1]
    year = int(target.stem.split("-")[1])
    rows = sum(1 for _ in target.open(encoding="utf-8")) - 1

    def ours() -> tuple[float, float, float]:
        store = folder / "import-ours.duckdb"
        store.unlink(missing_ok=True)
        if twin is not None:
            run([sys.executable, "-c", CLAIM, str(store), str(twin)])
        return run([*EXE, "import", "file", str(target), "--store", str(store)])

    def baseline() -> tuple[float, float, float]:
        store = folder / "import-base.duckdb"
        store.unlink(missing_ok=True)
        return run([sys.executable, "-c", BASELINE_IMPORT, str(store), str(target), str(year)])

    a, b = interleaved(ours, baseline, rounds)
    ratio = med(a, 0) / med(b, 0)
    print(
        f"import {target.name} ({rows:,} rows): {med(a, 0):.2f} s CPU, peak RSS "
        f"{med(a, 2):.0f} MiB | DuckDB read_csv+UNPIVOT+insert (primary key) {med(b, 0):.2f} s, "
        f"{med(b, 2):.0f} MiB | ratio {ratio:.2f} (target <= 1.5; RSS <= 400 MiB)"
    )


def build_store(folder: Path, files: list[Path]) -> Path:
    store = folder / "national.duckdb"
    stamp = folder / "national.done"
    if stamp.exists() and stamp.read_text() == ",".join(p.name for p in files):
        return store
    store.unlink(missing_ok=True)
    for path in files:
        cpu, _, rss = run([*EXE, "import", "file", str(path), "--store", str(store)])
        print(f"  imported {path.name}: {cpu:.2f} s CPU, {rss:.0f} MiB", flush=True)
    stamp.write_text(",".join(p.name for p in files))
    return store


def bench_store_size(folder: Path, store: Path, n_years: int) -> None:
    import duckdb

    plain = folder / "plain.duckdb"
    keyed = folder / "keyed.duckdb"
    for p in (plain, keyed):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(plain))
    con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
    con.execute("CREATE TABLE observations AS SELECT * FROM s.observations")
    n = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    con.execute("CHECKPOINT")
    con.close()
    size = store.stat().st_size
    line = (
        f"store, {n_years} years ({n / 1e6:.1f} M values): {size / 2**20:.0f} MiB = "
        f"{size / n:.1f} bytes per value (target <= 20) | plain DuckDB table of the same "
        f"values {plain.stat().st_size / 2**20:.0f} MiB ({plain.stat().st_size / n:.1f} B)"
    )
    if n_years <= 3:  # the keyed copy takes long; its cost is in the table at 10
        con = duckdb.connect(str(keyed))
        con.execute(f"ATTACH '{store}' AS s (READ_ONLY)")
        con.execute(
            "CREATE TABLE observations (area_code TEXT, vintage INTEGER, period INTEGER, "
            "indicator TEXT, value DOUBLE, status TEXT, source_id TEXT, "
            "PRIMARY KEY (area_code, vintage, period, indicator))"
        )
        con.execute("INSERT INTO observations SELECT * FROM s.observations")
        con.execute("CHECKPOINT")
        con.close()
        line += (
            f" | with the old primary key {keyed.stat().st_size / 2**20:.0f} MiB "
            f"({keyed.stat().st_size / n:.1f} B)"
        )
    print(line)


IN_PROCESS = """
import statistics, sys, time
from buurtbalans.index import cache
from buurtbalans.index.store_mode import index_for_gemeente
from buurtbalans.spec import load_spec
from buurtbalans.store import Store
st = Store(sys.argv[1], read_only=True)
years, rounds = [int(y) for y in sys.argv[2].split(",")], int(sys.argv[3])
spec = load_spec("mdi")
inputs = ",".join(repr(i) for i in spec.raw_inputs())
sql = (
    "PIVOT (SELECT o.area_code, o.vintage, o.period, a.name, o.indicator, o.value "
    "FROM observations o JOIN areas a ON a.code = o.area_code AND a.vintage = o.vintage "
    f"WHERE a.level = 'buurt' AND o.period IN ({','.join(map(str, years))}) "
    f"AND o.indicator IN ({inputs})) "
    "ON indicator USING first(value) GROUP BY area_code, vintage, period, name"
)
index_for_gemeente(st, spec, "GM0141", years)  # cached next to the store
a, b = [], []
for _ in range(rounds):
    cache._CACHES.clear()  # from disk, as a new process finds it
    t = time.process_time(); index_for_gemeente(st, spec, "GM0141", years)
    a.append(time.process_time() - t)
    t = time.process_time(); st.con.execute(sql).df(); b.append(time.process_time() - t)
print(statistics.median(a), statistics.median(b))
"""


def bench_index(store: Path, years: list[int], rounds: int) -> None:
    from buurtbalans.spec import load_spec

    jaren = f"{years[0]},{years[-1]}"
    inputs = ",".join(load_spec("mdi").raw_inputs())
    cmd = [*EXE, "index", "-g", "GM0141", "--jaren", jaren, "--store", str(store)]
    pivot = [sys.executable, "-c", PIVOT, str(store), jaren, inputs]
    shutil.rmtree(f"{store}.referentie/antwoorden", ignore_errors=True)  # none kept yet
    cold = run(cmd)  # keeps the printed answer (and fills the reference cache)
    a, b = interleaved(lambda: run(cmd), lambda: run(pivot), rounds)
    print(
        f"index -g GM0141 --jaren {jaren}: first {cold[0]:.2f} s CPU, asked again {med(a, 0):.2f}"
        f" s (the kept answer) | one DuckDB PIVOT of the national rows {med(b, 0):.2f} s | "
        f"ratio {med(a, 0) / med(b, 0):.2f} (target <= 0.5)"
    )
    others = iter(_gemeenten(store, 2 * rounds + 2)[1:])  # a new question each round

    def new_question() -> tuple[float, float, float]:
        return run([*EXE, "index", "-g", next(others), "--jaren", jaren, "--store", str(store)])

    a, b = interleaved(new_question, lambda: run(pivot), rounds)
    print(
        f"  another gemeente each time (national input rows from their cache; its reference"
        f" and answer new): "
        f"{med(a, 0):.2f} s | PIVOT {med(b, 0):.2f} s | ratio {med(a, 0) / med(b, 0):.2f} "
        "(both processes import pandas, the index also the engine: ~1.1 s)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, str(store), jaren, str(max(3, rounds))],
        capture_output=True,
        text=True,
        check=True,
    )
    ours, pivot = (float(x) for x in proc.stdout.split())
    print(
        f"  in one process (no imports): index_for_gemeente, reference from disk, "
        f"{ours:.2f} s CPU | the PIVOT {pivot:.2f} s | ratio {ours / pivot:.2f} (target <= 0.5)"
    )


SERVE = """
import sys, time
import uvicorn
from buurtbalans.web import create_app
from buurtbalans.web.app import warm_up
app = create_app(sys.argv[1])  # what serve's background warm-up does, here waited for
t = time.perf_counter(); warm_up(app.state.access)
print(f"{time.perf_counter() - t:.1f}", flush=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="error", access_log=False)
"""
ENDPOINTS = ("index", "verandering", "benchmark", "stad")


async def _load(urls: list[str], clients: int, rounds: int) -> list[float]:
    """Every client GETs every url ``rounds`` times (each its own order); the latencies."""
    import asyncio

    import httpx

    latencies: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker(shift: int) -> None:
            for i in range(rounds * len(urls)):
                t0 = time.perf_counter()
                r = await client.get(urls[(i + shift) % len(urls)])
                r.raise_for_status()
                latencies.append(time.perf_counter() - t0)

        await asyncio.gather(*(worker(c) for c in range(clients)))
    return latencies


def bench_serve(store: Path, clients: int = 10) -> None:
    """``serve`` on the twin: the first answers for two gemeenten after the start-up
    warm-up (the national input rows and the gemeente/land rows read once), then the warm
    p50/p95 with ``clients`` concurrent clients, beside a static-file server of the same
    bodies (the baseline, in the same run)."""
    import asyncio

    import httpx
    from bench_api import STATIC, free_port, start

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(store), str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        warm = (server.stdout.readline() if server.stdout else "").strip()
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        first, bodies = [], {}  # answer path -> its body
        for gm in ("GM0141", "GM0344"):
            for ep in ENDPOINTS:
                t0 = time.perf_counter()
                r = httpx.get(f"{base}/api/v1/gemeenten/{gm}/{ep}", timeout=300)
                first.append(f"{gm} /{ep} {r.status_code} {time.perf_counter() - t0:.2f}")
                bodies[f"{gm}/{ep}"] = r.content
            stad = json.loads(bodies[f"{gm}/stad"])
            charts = [c["png"] for th in stad["themes"] for c in th["charts"]]
            t0 = time.perf_counter()
            for chart in charts:  # what the browser fetches after the stad tab's text
                httpx.get(base + chart, timeout=300).raise_for_status()
            first.append(f"{gm} its {len(charts)} stad charts {time.perf_counter() - t0:.2f}")
        print(f"serve: warm-up {warm} s; first request per gemeente (s; target <= 2): ")
        print("  " + "; ".join(first))
        urls = [f"{base}/api/v1/gemeenten/{path}" for path in bodies]
        with tempfile.TemporaryDirectory(prefix="bb-static-") as tmp:
            for path, body in bodies.items():
                (Path(tmp) / f"{path.replace('/', '-')}.json").write_bytes(body)
            static, sbase = start(STATIC, tmp)
            try:
                plain = [f"{sbase}/{path.replace('/', '-')}.json" for path in bodies]
                ours, theirs = [], []
                for _ in range(3):  # interleaved: app, static, app, static ...
                    ours += asyncio.run(_load(urls, clients, 5))
                    theirs += asyncio.run(_load(plain, clients, 5))
            finally:
                static.terminate()
                static.wait(10)
        from bench_api import pct

        p = {k: (pct(v, 50), pct(v, 95)) for k, v in (("a", ours), ("b", theirs))}
        size = sum(len(b) for b in bodies.values()) / len(bodies) / 1e3
        print(
            f"  warm, {clients} concurrent clients, {len(ours)} requests over {len(urls)} "
            f"answers (mean {size:.0f} kB): p50 {p['a'][0]:.1f} ms, p95 {p['a'][1]:.1f} ms | "
            f"static files of the same bodies: p50 {p['b'][0]:.1f} ms, p95 {p['b'][1]:.1f} ms"
            f" | p95 ratio {p['a'][1] / p['b'][1]:.2f} (target: p95 <= 50 ms)"
        )
    finally:
        server.terminate()
        server.wait(10)


LOCAL_ONLY = """
import shutil, sys
import duckdb
src, dst, gm = sys.argv[1], sys.argv[2], sys.argv[3]
shutil.copy(src, dst)
con = duckdb.connect(dst)
keep = "SELECT code FROM areas WHERE code = ? OR gemeente_code = ? OR level IN ('gemeente', 'land')"
for table in ("observations", "boundaries"):
    col = "area_code" if table == "observations" else "code"
    con.execute(f"DELETE FROM {table} WHERE {col} NOT IN ({keep})", [gm, gm])
con.execute(f"DELETE FROM areas WHERE code NOT IN ({keep})", [gm, gm])
con.execute("CHECKPOINT")
"""


def bench_rapport(folder: Path, store: Path, gemeente: str, rounds: int) -> None:
    """``rapport -g X`` (HTML, no PDF) on the national store vs on a copy that holds only
    that gemeente's buurt and wijk rows: what the national reference costs. Both keep the
    gemeente and land rows of NL, so both reports have the same chapters (the Staat van
    de stad compares the gemeente with NL, its region and its peers)."""
    local = folder / f"local-{gemeente}.duckdb"
    run([sys.executable, "-c", LOCAL_ONLY, str(store), str(local), gemeente])

    def report(path: Path) -> Callable[[], tuple[float, float, float]]:
        out = folder / f"rapport-{path.stem}"
        cmd = [*EXE, "rapport", "-g", gemeente, "--store", str(path), "--uit", str(out)]
        return lambda: run([*cmd, "--geen-pdf"])

    for path in (store, local):  # the Monte Carlo of this gemeente not yet kept
        shutil.rmtree(f"{path}.referentie/onzekerheid", ignore_errors=True)
    first = report(store)(), report(local)()
    print(
        f"rapport -g {gemeente} (no PDF), first run (Monte Carlo computed and kept): national "
        f"store {first[0][0]:.1f} s CPU | a store with only its buurten {first[1][0]:.1f} s | "
        f"ratio {first[0][0] / first[1][0]:.2f}"
    )
    a, b = interleaved(report(store), report(local), rounds)
    print(
        f"rapport -g {gemeente} (no PDF), again: national store {med(a, 0):.1f} s CPU | a store "
        f"with only its buurten {med(b, 0):.1f} s | ratio {med(a, 0) / med(b, 0):.2f} "
        "(target <= 1.5)"
    )


def build_twin(folder: Path) -> tuple[Path, list[Path], Path]:
    """The national twin, its files kept (``demo --nederland --bestanden``), once."""
    store, files = folder / "tweeling.duckdb", folder / "tweeling"
    stamp = folder / "tweeling.done"
    if not stamp.exists():
        store.unlink(missing_ok=True)
        cpu, wall, rss = run(
            [*EXE, "demo", "--nederland", "--bestanden", str(files), "--store", str(store)]
        )
        print(f"  built the national twin: {cpu:.0f} s CPU, {wall:.0f} s wall, {rss:.0f} MiB")
        stamp.write_text("done")
    return store, sorted(files.glob("kwb-*.csv")), files / "tweeling.json"


def bench_usage(store: Path, rounds: int) -> None:
    help_ = [*EXE, "--help"]
    for args in (
        ["rapport", "-g", "Almeo", "--uit", "/tmp/bench-uit"],
        ["rapport", "-g", "GM0141", "--van", "2024", "--tot", "2015", "--uit", "/tmp/bench-uit"],
        ["index", "--jaren", "2015,2024"],
    ):
        cmd = [*EXE, *args, "--store", str(store)]
        a, b = interleaved(lambda cmd=cmd: run(cmd, ok=(1, 2)), lambda: run(help_), rounds)
        print(
            f"{' '.join(w for w in args if w not in ('--uit', '/tmp/bench-uit'))}: "
            f"{med(a, 1):.2f} s wall | --help {med(b, 1):.2f} s | "
            f"ratio {med(a, 1) / med(b, 1):.2f} (target <= 2)"
        )


def _gemeenten(store: Path, n: int) -> list[str]:
    """The first ``n`` gemeente codes with buurten in ``store`` (GM0141 first)."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute(
        "SELECT DISTINCT gemeente_code FROM areas WHERE level = 'buurt' "
        "ORDER BY gemeente_code <> 'GM0141', gemeente_code LIMIT ?",
        [n],
    ).fetchall()
    con.close()
    return [r[0] for r in rows]


PARTS = ("import", "usage", "size", "index", "serve", "rapport")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/buurtbalans-bench-store"))
    parser.add_argument(
        "--tweeling",
        action="store_true",
        help="use the national twin (its kwb-YYYY.csv and its store) instead of generated files",
    )
    parser.add_argument(
        "--alleen",
        default=",".join(PARTS),
        help=f"the parts to run, comma-separated (default: all of {', '.join(PARTS)})",
    )
    args = parser.parse_args()
    parts = set(args.alleen.split(","))
    if unknown := parts - set(PARTS):
        parser.error(f"unknown part(s) {', '.join(sorted(unknown))}; known: {', '.join(PARTS)}")
    if args.tweeling:
        args.folder.mkdir(parents=True, exist_ok=True)
        store, files, manifest = build_twin(args.folder)
        years = [int(f.stem.split("-")[1]) for f in files]
        steps: dict[str, Callable[[], None]] = {
            "import": lambda: bench_import(args.folder, files, args.rounds, twin=manifest),
            "usage": lambda: bench_usage(store, args.rounds),
            "size": lambda: bench_store_size(args.folder, store, len(files)),
            "index": lambda: bench_index(store, years, args.rounds),
            "serve": lambda: bench_serve(store),
            "rapport": lambda: bench_rapport(args.folder, store, "GM0141", max(1, args.rounds - 1)),
        }
        for part in PARTS:
            if part in parts:
                steps[part]()
        return
    years = list(range(2015, 2015 + args.years))
    files = write_kwb(args.folder / "kwb", years)
    bench_import(args.folder, files, args.rounds)
    store = build_store(args.folder, files)
    bench_usage(store, args.rounds)
    bench_store_size(args.folder, store, args.years)
    bench_index(store, years, args.rounds)


if __name__ == "__main__":
    main()
