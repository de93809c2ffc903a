"""``buurtbalans doctor``: check a store, list what is wrong, export what is readable.

Every check opens the store read-only, so a doctor never changes a store unless asked to
record lost migrations (:func:`restore_migrations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from buurtbalans.errors import Msg, StoreError
from buurtbalans.regions import CODE_REGEX
from buurtbalans.sources.batch import Listed, indicator_label
from buurtbalans.sources.codebook import catalogue
from buurtbalans.store.schema import CORE_TABLES, MIGRATIONS
from buurtbalans.store.store import _DUCKDB_MAGIC, _connect

ERROR, WARNING, INFO = "fout", "waarschuwing", "info"


@dataclass(frozen=True)
class Finding:
    """One result of a check: how bad (``fout``/``waarschuwing``/``info``), what, the fix —
    catalogue messages: ``finding.text(taal)``; ``str(finding.what)`` is English."""

    severity: str
    what: Msg | str
    fix: Msg | str = ""

    def text(self, taal: str) -> tuple[str, str]:
        """What and the fix in ``taal``."""
        return tuple(  # type: ignore[return-value]
            p.text(taal) if isinstance(p, Msg) else str(p) for p in (self.what, self.fix)
        )


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def check_store(path: Path, *, lock_timeout: float = 5.0) -> list[Finding]:
    """All checks on the store file at ``path``; an empty list means healthy."""
    path = Path(path)
    if not path.exists():
        return [Finding(ERROR, Msg("dr_no_store", path=path), Msg("fix_dr_give_store"))]
    if path.is_dir():
        return [folder_finding(path)]
    with path.open("rb") as fh:
        head = fh.read(16)
    if head[8:12] != _DUCKDB_MAGIC:
        return [
            Finding(
                ERROR,
                Msg("dr_not_duckdb", path=path, size=path.stat().st_size),
                Msg("fix_dr_right_file"),
            )
        ]
    try:
        con = _connect(str(path), read_only=True, timeout=lock_timeout)
    except StoreError as exc:
        return [Finding(ERROR, exc.term if exc.term is not None else str(exc))]
    try:
        return _check(con, path)
    except duckdb.Error as exc:
        return [
            Finding(
                ERROR,
                Msg("dr_damaged", error=str(exc)),
                Msg("fix_dr_export_reimport", path=path),
            )
        ]
    finally:
        con.close()


def _check(con: duckdb.DuckDBPyConnection, path: Path) -> list[Finding]:
    found: list[Finding] = []
    try:
        tables = _tables(con)
    except duckdb.Error as exc:
        return [
            Finding(ERROR, Msg("dr_cannot_list", error=str(exc)), Msg("fix_dr_export_readable"))
        ]
    if "migrations" not in tables:
        return [
            Finding(
                ERROR,
                Msg("dr_not_store", tables=Listed(sorted(tables))),
                Msg("fix_dr_right_store"),
            )
        ]
    done = {r[0] for r in con.execute("SELECT name FROM migrations").fetchall()}
    known = [name for name, _ in MIGRATIONS]
    if not done and "sources" in tables:
        found.append(Finding(ERROR, Msg("dr_migrations_empty"), Msg("fix_dr_herstel", path=path)))
    elif unknown := done - set(known):
        found.append(
            Finding(
                ERROR, Msg("dr_newer", migrations=Listed(sorted(unknown))), Msg("fix_dr_upgrade")
            )
        )
    elif pending := [n for n in known if n not in done]:
        found.append(Finding(INFO, Msg("dr_pending", migrations=Listed(pending))))
    for table in CORE_TABLES:
        if table not in tables:
            found.append(
                Finding(ERROR, Msg("dr_table_missing", table=table), Msg("fix_dr_new_store"))
            )
    counts: dict[str, int] = {}
    for table in sorted(tables):
        try:
            counts[table] = int(con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        except duckdb.Error as exc:
            found.append(
                Finding(
                    ERROR,
                    Msg("dr_table_unreadable", table=table, error=str(exc)),
                    Msg("fix_dr_export_rest"),
                )
            )
    if {"observations", "areas", "sources"} <= set(counts):
        found += _consistency(con)
    rows = [Msg("dr_table_rows", table=t, n=n) for t, n in sorted(counts.items())]
    found.append(Finding(INFO, Msg("dr_rows", counts=Listed(rows, len(rows)))))
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
        found.append(Finding(WARNING, Msg("dr_orphans", n=orphans), Msg("fix_dr_reimport_source")))
    sourceless = count(
        "SELECT count(*) FROM observations o ANTI JOIN sources s ON s.source_id = o.source_id"
    )
    if sourceless:
        found.append(
            Finding(WARNING, Msg("dr_sourceless", n=sourceless), Msg("fix_dr_reimport_them"))
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
        found.append(Finding(ERROR, Msg("dr_repeated", n=repeated), Msg("fix_dr_repeated")))
    bad_codes = count("SELECT count(*) FROM areas WHERE NOT regexp_matches(code, ?)", CODE_REGEX)
    if bad_codes:
        found.append(Finding(ERROR, Msg("dr_bad_codes", n=bad_codes), Msg("fix_dr_reimport")))
    infinite = count("SELECT count(*) FROM observations WHERE isinf(value) OR isnan(value)")
    if infinite:
        found.append(Finding(ERROR, Msg("dr_not_finite", n=infinite), Msg("fix_dr_reimport_them")))
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
                Msg("dr_outside", n=int(n), indicator=indicator_label(indicator)),
                Msg("fix_dr_outside"),
            )
        )
    return found


def folder_finding(path: Path) -> Finding:
    """``--store`` names a folder: say so, and which store file in it to give."""
    stores = sorted(path.glob("*.duckdb"))
    example = stores[0] if stores else path / "buurtbalans.duckdb"
    return Finding(
        ERROR, Msg("dr_is_folder", path=path), Msg("fix_dr_give_store_file", example=example)
    )


def export_readable(path: Path, folder: Path, *, lock_timeout: float = 5.0) -> list[Msg]:
    """Write every readable table of the store to ``folder`` as Parquet; returns a line per
    table (written, or why not)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    con = _connect(str(path), read_only=True, timeout=lock_timeout)
    lines: list[Msg] = []
    try:
        for table in sorted(_tables(con)):
            target = folder / f"{table}.parquet"
            try:
                con.execute(f"COPY \"{table}\" TO '{target.as_posix()}' (FORMAT parquet)")
                lines.append(Msg("dr_exported", table=table, target=target))
            except duckdb.Error as exc:
                lines.append(Msg("dr_export_failed", table=table, error=str(exc)))
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
