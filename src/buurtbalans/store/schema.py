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


def _synthetic_sources(con: duckdb.DuckDBPyConnection) -> None:
    """Mark synthetic sources (the demo), so they never enter a real gemeente's reference."""
    con.execute("ALTER TABLE sources ADD COLUMN synthetic BOOLEAN DEFAULT FALSE")
    con.execute("UPDATE sources SET synthetic = (kind = 'demo')")


MIGRATIONS: list[Migration] = [
    ("0001_initial", _initial),
    ("0002_synthetic_sources", _synthetic_sources),
]
SCHEMA_VERSION = len(MIGRATIONS)
