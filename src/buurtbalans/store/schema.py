"""The store's schema: named migrations, each run once in its own transaction.

Add a migration by appending to :data:`MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

Migration = tuple[str, Callable[[duckdb.DuckDBPyConnection], None]]


def _initial(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE sources (
            source_id TEXT PRIMARY KEY,
            publisher TEXT, table_id TEXT, title TEXT, period TEXT,
            file_name TEXT, file_hash TEXT, kind TEXT, notes TEXT,
            imported_at TEXT, package_version TEXT
        );
        CREATE TABLE areas (
            code TEXT NOT NULL, vintage INTEGER NOT NULL, level TEXT NOT NULL,
            name TEXT, wijk_code TEXT, gemeente_code TEXT, source_id TEXT,
            PRIMARY KEY (code, vintage)
        );
        CREATE TABLE observations (
            area_code TEXT NOT NULL, vintage INTEGER NOT NULL, period INTEGER NOT NULL,
            indicator TEXT NOT NULL, value DOUBLE,
            status TEXT NOT NULL
                CHECK (status IN ('ok','suppressed','missing','estimated','nihil')),
            source_id TEXT NOT NULL,
            PRIMARY KEY (area_code, vintage, period, indicator)
        );
        CREATE TABLE indicators (
            id TEXT PRIMARY KEY, label_nl TEXT, label_en TEXT, unit TEXT, kind TEXT,
            polarity TEXT, denominator TEXT, theme TEXT, break_year INTEGER, break_note TEXT
        );
        CREATE TABLE boundaries (
            code TEXT NOT NULL, vintage INTEGER NOT NULL, level TEXT NOT NULL,
            geometry_wkb BLOB NOT NULL, crs TEXT NOT NULL, source_id TEXT,
            PRIMARY KEY (code, vintage)
        );
        """
    )


def _import_report(con: duckdb.DuckDBPyConnection) -> None:
    """What the import said (unresolved columns, warnings, values replaced), kept with it."""
    con.execute("ALTER TABLE sources ADD COLUMN report TEXT")


def _replaced_history(con: duckdb.DuckDBPyConnection) -> None:
    """Values and names that a later import from another source replaced (``--vervang``)
    stay retrievable here, with the source that replaced them and when."""
    con.execute(
        """
        CREATE TABLE observations_replaced (
            area_code TEXT NOT NULL, vintage INTEGER NOT NULL, period INTEGER NOT NULL,
            indicator TEXT NOT NULL, value DOUBLE, status TEXT NOT NULL, source_id TEXT NOT NULL,
            replaced_by TEXT NOT NULL, replaced_at TEXT NOT NULL
        );
        CREATE TABLE area_names_replaced (
            code TEXT NOT NULL, vintage INTEGER NOT NULL, name TEXT, source_id TEXT,
            replaced_by TEXT NOT NULL, replaced_at TEXT NOT NULL
        );
        """
    )


def _synthetic_sources(con: duckdb.DuckDBPyConnection) -> None:
    """Mark synthetic sources (the demo), so they never enter a real gemeente's reference."""
    con.execute("ALTER TABLE sources ADD COLUMN synthetic BOOLEAN DEFAULT FALSE")
    con.execute("UPDATE sources SET synthetic = (kind = 'demo')")


def _store_meta(con: duckdb.DuckDBPyConnection) -> None:
    """Facts about the store as a whole, e.g. that it holds the synthetic national twin."""
    con.execute("CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT)")


MIGRATIONS: list[Migration] = [
    ("0001_initial", _initial),
    # imports helper (issue 10): keep these two together, append others after them
    ("0002_imports_report_column", _import_report),
    ("0003_imports_replaced_history", _replaced_history),
    ("0004_synthetic_sources", _synthetic_sources),
    ("0005_store_meta", _store_meta),
]
SCHEMA_VERSION = len(MIGRATIONS)
# the tables every store has once the migrations ran (doctor checks them)
CORE_TABLES = ("migrations", "sources", "areas", "observations", "indicators", "boundaries")
