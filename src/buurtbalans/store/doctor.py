"""``buurtbalans doctor``: check a store, list what is wrong, export what is readable.

Every check opens the store read-only, so a doctor never changes a store unless asked to
record lost migrations (:func:`restore_migrations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from buurtbalans.errors import StoreError
from buurtbalans.regions import CODE_REGEX
from buurtbalans.sources.codebook import catalogue
from buurtbalans.store.schema import CORE_TABLES, MIGRATIONS
from buurtbalans.store.store import _DUCKDB_MAGIC, _connect

ERROR, WARNING, INFO = "fout", "waarschuwing", "info"


@dataclass(frozen=True)
class Finding:
    """One result of a check: how bad (``fout``/``waarschuwing``/``info``), what, the fix."""

    severity: str
    what: str
    fix: str = ""


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def check_store(path: Path, *, lock_timeout: float = 5.0) -> list[Finding]:
    """All checks on the store file at ``path``; an empty list means healthy."""
    path = Path(path)
    if not path.exists():
        return [Finding(ERROR, f"there is no store at {path}", "give the store with --store")]
    with path.open("rb") as fh:
        head = fh.read(16)
    if head[8:12] != _DUCKDB_MAGIC:
        return [
            Finding(
                ERROR,
                f"{path} is not a DuckDB file ({path.stat().st_size} bytes)",
                "give the right file with --store, or move this one away",
            )
        ]
    try:
        con = _connect(str(path), read_only=True, timeout=lock_timeout)
    except StoreError as exc:
        return [Finding(ERROR, str(exc))]
    try:
        return _check(con, path)
    except duckdb.Error as exc:
        return [
            Finding(
                ERROR,
                f"the store is damaged or truncated: {exc}",
                f"buurtbalans doctor --store {path} --export DIR, then re-import",
            )
        ]
    finally:
        con.close()


def _check(con: duckdb.DuckDBPyConnection, path: Path) -> list[Finding]:
    found: list[Finding] = []
    try:
        tables = _tables(con)
    except duckdb.Error as exc:
        return [Finding(ERROR, f"cannot list the tables: {exc}", "export what is readable")]
    if "migrations" not in tables:
        return [
            Finding(
                ERROR,
                f"not a buurtbalans store (no migrations table; tables {sorted(tables)[:8]})",
                "give the right file with --store",
            )
        ]
    done = {r[0] for r in con.execute("SELECT name FROM migrations").fetchall()}
    known = [name for name, _ in MIGRATIONS]
    if not done and "sources" in tables:
        found.append(
            Finding(
                ERROR,
                "the migrations table is empty but the store has data",
                f"buurtbalans doctor --store {path} --herstel",
            )
        )
    elif unknown := done - set(known):
        found.append(
            Finding(ERROR, f"written by a newer buurtbalans ({sorted(unknown)})", "upgrade")
        )
    elif pending := [n for n in known if n not in done]:
        found.append(Finding(INFO, f"migrations pending (applied on the next import): {pending}"))
    for table in CORE_TABLES:
        if table not in tables:
            found.append(
                Finding(ERROR, f"table {table!r} is missing", "re-import into a new store")
            )
    counts: dict[str, int] = {}
    for table in sorted(tables):
        try:
            counts[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        except duckdb.Error as exc:
            found.append(
                Finding(ERROR, f"table {table!r} cannot be read: {exc}", "export the rest")
            )
    if {"observations", "areas", "sources"} <= set(counts):
        found += _consistency(con)
    found.append(Finding(INFO, "rows: " + ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))))
    return found


def _consistency(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    found: list[Finding] = []

    def count(sql: str, *args: object) -> int:
        return int(con.execute(sql, list(args)).fetchone()[0])

    orphans = count(
        "SELECT count(*) FROM observations o ANTI JOIN areas a "
        "ON a.code = o.area_code AND a.vintage = o.vintage"
    )
    if orphans:
        found.append(
            Finding(WARNING, f"{orphans} value(s) belong to no area", "re-import their source")
        )
    sourceless = count(
        "SELECT count(*) FROM observations o ANTI JOIN sources s ON s.source_id = o.source_id"
    )
    if sourceless:
        found.append(
            Finding(WARNING, f"{sourceless} value(s) have no source record", "re-import them")
        )
    # the store keeps one value per key in its write path (no index since migration 0006)
    # distinct key hashes first (a small hash table at national size); only when they
    # fall short are the keys themselves grouped (a hash collision then finds nothing)
    short = count(
        "SELECT count(*) - count(DISTINCT hash(area_code, vintage, period, indicator)) "
        "FROM observations"
    )
    repeated = short and count(
        "SELECT count(*) FROM (SELECT 1 FROM observations "
        "GROUP BY area_code, vintage, period, indicator HAVING count(*) > 1)"
    )
    if repeated:
        found.append(
            Finding(
                ERROR,
                f"{repeated} key(s) (area, vintage, year, indicator) hold more than one value",
                "export the store (--export DIR) and re-import its sources into a new one",
            )
        )
    bad_codes = count("SELECT count(*) FROM areas WHERE NOT regexp_matches(code, ?)", CODE_REGEX)
    if bad_codes:
        found.append(Finding(ERROR, f"{bad_codes} area code(s) are malformed", "re-import"))
    infinite = count("SELECT count(*) FROM observations WHERE isinf(value) OR isnan(value)")
    if infinite:
        found.append(Finding(ERROR, f"{infinite} value(s) are not finite", "re-import them"))
    bounds = [
        (i.id, i.lower, i.upper, bool(i.integral))
        for i in catalogue().values()
        if i.lower is not None or i.upper is not None or i.integral
    ]
    rows = ", ".join(["(?, ?::DOUBLE, ?::DOUBLE, ?::BOOLEAN)"] * len(bounds))
    outside = (
        con.execute(
            f"""
            WITH b(indicator, lower, upper, integral) AS (VALUES {rows})
            SELECT o.indicator, count(*) FROM observations o JOIN b USING (indicator)
            WHERE o.value < b.lower OR o.value > b.upper
               OR (b.integral AND o.value <> round(o.value))
            GROUP BY 1 ORDER BY 1
            """,
            [x for row in bounds for x in row],
        ).fetchall()  # one scan for every bounded indicator of the codebook
        if bounds
        else []
    )
    for indicator, n in outside:
        found.append(
            Finding(
                WARNING,
                f"{n} value(s) of {indicator} lie outside its bounds in the codebook",
                "re-import with this version (it refuses such values)",
            )
        )
    return found


def export_readable(path: Path, folder: Path, *, lock_timeout: float = 5.0) -> list[str]:
    """Write every readable table of the store to ``folder`` as Parquet; returns a line per
    table (written, or why not)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    con = _connect(str(path), read_only=True, timeout=lock_timeout)
    lines = []
    try:
        for table in sorted(_tables(con)):
            target = folder / f"{table}.parquet"
            try:
                con.execute(f"COPY \"{table}\" TO '{target.as_posix()}' (FORMAT parquet)")
                lines.append(f"{table}: {target}")
            except duckdb.Error as exc:
                lines.append(f"{table}: not readable ({exc})")
    finally:
        con.close()
    return lines


def restore_migrations(path: Path) -> list[str]:
    """Record the migrations whose effect the schema shows, in an emptied migrations table
    (only when it is empty). Returns the names recorded."""
    con = _connect(str(path), read_only=False, timeout=5.0)
    try:
        if con.execute("SELECT count(*) FROM migrations").fetchone()[0]:
            return []
        tables = _tables(con)
        columns = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'sources'"
            ).fetchall()
        }
        evidence = {
            "0001_initial": "sources" in tables and "observations" in tables,
            "0002_imports_report_column": "report" in columns,
            "0003_imports_replaced_history": "observations_replaced" in tables,
            "0004_synthetic_sources": "synthetic" in columns,
            "0005_store_meta": "store_meta" in tables,
            "0006_observations_without_key_index": not con.execute(
                "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'observations' "
                "AND constraint_type = 'PRIMARY KEY'"
            ).fetchone()[0],
        }
        recorded = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for name, _ in MIGRATIONS:
            if not evidence.get(name, False):
                break  # later migrations apply normally on the next write
            con.execute("INSERT INTO migrations VALUES (?, ?)", [name, now])
            recorded.append(name)
        return recorded
    finally:
        con.close()
