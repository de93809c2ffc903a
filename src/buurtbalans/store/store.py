"""The embedded store: one DuckDB file; every import is one transaction.

>>> from buurtbalans.store import Store
>>> store = Store(":memory:")
>>> from buurtbalans.store.schema import MIGRATIONS
>>> store.schema_version() == len(MIGRATIONS)  # every named migration applied
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from buurtbalans import __version__
from buurtbalans.errors import SchemaVersionError, StoreError
from buurtbalans.regions import gemeente_code
from buurtbalans.sources.batch import AREA_COLUMNS, OBSERVATION_COLUMNS, ImportBatch
from buurtbalans.sources.codebook import catalogue_frame
from buurtbalans.store.schema import MIGRATIONS


class Store:
    """A buurtbalans store in a DuckDB file (or ``":memory:"``).

    Opening a store applies any pending named migrations; a store written by a newer
    schema than this package knows raises :class:`SchemaVersionError`.
    """

    def __init__(self, path: str | Path = ":memory:", *, read_only: bool = False) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path, read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open the store {self.path}: {exc}. Fix: close other programs using "
                "it, or pass another file with --store / BUURTBALANS_STORE"
            ) from exc
        if not read_only:
            self._migrate()

    # -- schema -----------------------------------------------------------------------
    def _migrate(self) -> None:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM migrations").fetchall()}
        known = {name for name, _ in MIGRATIONS}
        if unknown := done - known:
            raise SchemaVersionError(
                f"the store {self.path} was written by a newer buurtbalans (migrations "
                f"{sorted(unknown)}). Fix: upgrade buurtbalans (pip install -U buurtbalans)"
            )
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                apply(self.con)
                self.con.execute(
                    "INSERT INTO migrations VALUES (?, ?)",
                    [name, datetime.now(UTC).isoformat(timespec="seconds")],
                )
        with self.transaction():
            self.con.execute("DELETE FROM indicators")
            cat = catalogue_frame()  # noqa: F841  (registered by name for DuckDB)
            self.con.execute("INSERT INTO indicators SELECT * FROM cat")

    def schema_version(self) -> int:
        """Number of migrations applied."""
        return int(self.con.execute("SELECT count(*) FROM migrations").fetchone()[0])

    def transaction(self) -> _Transaction:
        """Context manager: everything inside commits together or not at all."""
        return _Transaction(self.con)

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ----------------------------------------------------------------------
    def write(self, batch: ImportBatch) -> None:
        """Write one import atomically; re-writing the same source replaces its rows."""
        self.write_all([batch])

    def write_all(self, batches: Iterable[ImportBatch]) -> None:
        """Write several imports in one transaction: all of them or none."""
        with self.transaction():
            for batch in batches:
                self._write(batch)

    def _write(self, batch: ImportBatch) -> None:
        src = batch.source
        obs = batch.observations.assign(source_id=src.source_id)
        obs = obs[[*OBSERVATION_COLUMNS, "source_id"]]
        areas = batch.areas.assign(source_id=src.source_id)[[*AREA_COLUMNS, "source_id"]]
        areas = areas.drop_duplicates(["code", "vintage"])
        sid = src.source_id
        self.con.execute("DELETE FROM observations WHERE source_id = ?", [sid])
        self.con.execute("DELETE FROM boundaries WHERE source_id = ?", [sid])
        self.con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        self.con.execute(
            "INSERT INTO sources (source_id, publisher, table_id, title, period, file_name, "
            "file_hash, kind, notes, imported_at, package_version, synthetic) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                sid,
                src.publisher,
                src.table_id,
                src.title,
                src.period,
                src.file_name,
                src.file_hash,
                src.kind,
                src.notes,
                src.imported_at,
                __version__,
                src.kind == "demo",
            ],
        )
        self.con.register("batch_areas", areas)
        self.con.execute(
            """
            INSERT INTO areas SELECT * FROM batch_areas
            ON CONFLICT (code, vintage) DO UPDATE SET
                name = COALESCE(excluded.name, areas.name),
                level = excluded.level,
                wijk_code = excluded.wijk_code,
                gemeente_code = excluded.gemeente_code
            """
        )
        self.con.unregister("batch_areas")
        self.con.register("batch_obs", obs)
        self.con.execute("INSERT OR REPLACE INTO observations SELECT * FROM batch_obs")
        self.con.unregister("batch_obs")
        if batch.boundaries is not None and len(batch.boundaries):
            b = batch.boundaries.assign(crs="EPSG:28992", source_id=sid)[
                ["code", "vintage", "level", "geometry_wkb", "crs", "source_id"]
            ]
            self.con.register("batch_bnd", b)
            self.con.execute("INSERT OR REPLACE INTO boundaries SELECT * FROM batch_bnd")
            self.con.unregister("batch_bnd")

    # -- reading ----------------------------------------------------------------------
    def sources(self) -> pd.DataFrame:
        """Every import: publisher, table, period, file hash, when, which package version."""
        return self.con.execute("SELECT * FROM sources ORDER BY imported_at").df()

    def mark_synthetic(self, source_ids: Iterable[str]) -> None:
        """Flag sources as synthetic: they never enter a real gemeente's reference."""
        ids = list(source_ids)
        if ids:
            marks = ",".join("?" * len(ids))
            self.con.execute(
                f"UPDATE sources SET synthetic = TRUE WHERE source_id IN ({marks})", ids
            )

    def synthetic_gemeenten(self) -> list[str]:
        """Gemeente codes whose buurt data come from synthetic sources (e.g. the demo)."""
        rows = self.con.execute(
            "SELECT DISTINCT 'GM' || substr(o.area_code, 3, 4) FROM observations o "
            "JOIN sources s USING (source_id) WHERE s.synthetic ORDER BY 1"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def indicators(self) -> pd.DataFrame:
        """The indicator catalogue."""
        return self.con.execute("SELECT * FROM indicators ORDER BY theme, id").df()

    def counts(self) -> dict[str, int]:
        """Rows per table (for checks and the CLI's status line)."""
        tables = ("sources", "areas", "observations", "boundaries")
        return {t: int(self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}

    def resolve_gemeente(self, name_or_code: str) -> str:
        """``'Almelo'``, ``'almelo'``, ``'0141'`` or ``'GM0141'`` → ``'GM0141'``."""
        text = name_or_code.strip()
        if text.upper().startswith("GM") or text.isdigit():
            return gemeente_code(text)
        rows = self.con.execute(
            """SELECT DISTINCT code FROM areas
               WHERE level = 'gemeente' AND lower(trim(name)) = lower(?)""",
            [text],
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        known = [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT name FROM areas WHERE level='gemeente' AND name IS NOT NULL "
                "ORDER BY name"
            ).fetchall()
        ]
        close = [k for k in known if k.lower().startswith(text.lower()[:3])][:5]
        raise StoreError(
            f"no gemeente named {text!r} in the store {self.path}"
            + (f" (did you mean {', '.join(close)}?)" if close else "")
            + ". Fix: give the CBS code (e.g. GM0141) or import data for it first "
            "(buurtbalans import ...)"
        )

    def vintages(self, gemeente: str | None = None) -> list[int]:
        """The vintages (code years) present, optionally for one gemeente."""
        sql = "SELECT DISTINCT vintage FROM areas"
        args: list[object] = []
        if gemeente:
            sql += " WHERE gemeente_code = ?"
            args.append(gemeente)
        return [int(r[0]) for r in self.con.execute(sql + " ORDER BY 1", args).fetchall()]

    def areas(
        self,
        gemeente: str | None = None,
        *,
        level: str | None = None,
        vintage: int | None = None,
    ) -> pd.DataFrame:
        """Areas with level, name, parents and vintage."""
        where, args = _filters(gemeente=gemeente, level=level, vintage=vintage)
        return self.con.execute(
            f"SELECT code, vintage, level, name, wijk_code, gemeente_code FROM areas {where} "
            "ORDER BY vintage, code",
            args,
        ).df()

    def observations(
        self,
        indicators: Sequence[str] | None = None,
        *,
        gemeente: str | None = None,
        level: str | None = "buurt",
        vintage: int | None = None,
        periods: Iterable[int] | None = None,
    ) -> pd.DataFrame:
        """Observations in long format, joined with area level and name."""
        where, args = _filters(gemeente=gemeente, level=level, vintage=vintage, prefix="a.")
        clauses = [where.removeprefix("WHERE ")] if where else []
        if indicators:
            clauses.append(f"o.indicator IN ({','.join('?' * len(indicators))})")
            args.extend(indicators)
        if periods is not None:
            plist = list(periods)
            clauses.append(f"o.period IN ({','.join('?' * len(plist))})")
            args.extend(plist)
        sql = (
            "SELECT o.area_code, o.vintage, o.period, o.indicator, o.value, o.status, "
            "o.source_id, a.level, a.name FROM observations o JOIN areas a "
            "ON a.code = o.area_code AND a.vintage = o.vintage"
            + (" WHERE " + " AND ".join(clauses) if clauses else "")
            + " ORDER BY o.period, o.area_code, o.indicator"
        )
        return self.con.execute(sql, args).df()

    def wide(self, indicators: Sequence[str] | None = None, **kwargs: object) -> pd.DataFrame:
        """Observations as one row per area and period, one column per indicator."""
        long = self.observations(indicators, **kwargs)  # type: ignore[arg-type]
        if long.empty:
            return pd.DataFrame(columns=["area_code", "vintage", "period", "name"])
        table = (
            long.set_index(["area_code", "vintage", "period", "name", "indicator"])["value"]
            .unstack("indicator")
            .reset_index()
        )
        table.columns.name = None
        return table

    def boundaries(self, vintage: int, gemeente: str | None = None, level: str = "buurt"):
        """Boundaries of one vintage as a GeoDataFrame in EPSG:28992 (needs ``[geo]``)."""
        from buurtbalans._compat import import_optional

        gpd = import_optional("geopandas")
        shapely = import_optional("shapely")
        where, args = _filters(gemeente=gemeente, level=level, vintage=vintage, prefix="a.")
        rows = self.con.execute(
            "SELECT b.code, b.vintage, b.level, a.name, b.geometry_wkb FROM boundaries b "
            f"JOIN areas a ON a.code = b.code AND a.vintage = b.vintage {where} ORDER BY b.code",
            args,
        ).df()
        geoms = shapely.from_wkb(rows.pop("geometry_wkb").map(bytes).to_numpy())
        return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:28992")


def _filters(
    *, gemeente: str | None, level: str | None, vintage: int | None, prefix: str = ""
) -> tuple[str, list[object]]:
    """WHERE clause on the areas table (aliased by ``prefix``, e.g. ``'a.'``)."""
    clauses: list[str] = []
    args: list[object] = []
    for column, value in (("gemeente_code", gemeente), ("level", level), ("vintage", vintage)):
        if value is not None and value != "":
            clauses.append(f"{prefix}{column} = ?")
            args.append(value)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args


class _Transaction:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN TRANSACTION")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.con.execute("COMMIT")
        else:
            self.con.execute("ROLLBACK")
