"""The embedded store: one DuckDB file; every import is one transaction.

>>> from buurtbalans.store import Store
>>> from buurtbalans.store.schema import MIGRATIONS
>>> store = Store(":memory:")
>>> store.schema_version() == len(MIGRATIONS)
True
>>> Store("/nonexistent/s.duckdb", read_only=True)  # doctest: +ELLIPSIS
Traceback (most recent call last):
buurtbalans.errors.StoreError: there is no store at /nonexistent/s.duckdb. Fix: ...
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from buurtbalans import __version__
from buurtbalans.errors import DataError, Msg, ReplaceRefusedError, SchemaVersionError, StoreError
from buurtbalans.sources.batch import AREA_COLUMNS, OBSERVATION_COLUMNS, ImportBatch, Listed
from buurtbalans.sources.codebook import catalogue_frame
from buurtbalans.sources.known import (
    CBS_KINDS,
    DERIVED_KINDS,
    merged_away,
    unknown_codes,
)
from buurtbalans.store.lookup import resolve_gemeente
from buurtbalans.store.schema import MIGRATIONS
from buurtbalans.store.world import check_world, twin_info

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass
class WriteResult:
    """What a write did: the sources written and how many values and names it replaced."""

    sources: list[str] = field(default_factory=list)
    values_replaced: int = 0
    names_replaced: int = 0


def _check_file(path: Path, *, read_only: bool) -> None:
    """Refuse a missing store (for reading) and a file that is not a DuckDB file."""
    if not path.exists():
        if read_only:
            raise StoreError(Msg("err_co_no_store", path=path))
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if path.is_dir():
        raise StoreError(Msg("err_co_store_is_folder", path=path))
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise StoreError(Msg("err_co_store_unreadable", path=path, error=exc)) from exc
    if not head:
        if read_only:
            raise StoreError(Msg("err_co_store_empty_file", path=path))
        path.unlink()  # an empty file is what an interrupted create leaves; start afresh
        return
    if head[8:12] != _DUCKDB_MAGIC:
        raise StoreError(Msg("err_co_not_duckdb", path=path))


def _connect(path: str, *, read_only: bool, timeout: float) -> duckdb.DuckDBPyConnection:
    """Connect, waiting for another process's lock with a bounded retry."""
    deadline = time.monotonic() + timeout
    told = False
    delay = 0.1
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.Error as exc:
            text = str(exc)
            if not _LOCKED.search(text):  # ("block" in a corruption message is no lock)
                raise _store_error(path, exc, Msg("err_co_doing_open")) from exc
            pid = m.group(1) if (m := _PID.search(text)) else "?"
            if time.monotonic() >= deadline:
                raise StoreError(
                    Msg("err_co_store_locked", path=path, pid=pid, timeout=timeout)
                ) from exc
            if not told:
                from buurtbalans.terms import t

                print(
                    t("store_waiting", path=path, pid=pid, timeout=timeout),
                    file=sys.stderr,
                    flush=True,
                )
                told = True
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _store_error(path: str, exc: BaseException, doing: Msg) -> StoreError:
    """A named error for what DuckDB raised; the store is unchanged (transactions)."""
    text = str(exc)
    low = text.lower()
    if "no space left" in low or "disk is full" in low or "not enough space" in low:
        return StoreError(Msg("err_co_disk_full", doing=doing, path=path))
    if (
        "not a valid duckdb database" in low
        or "could not read enough bytes" in low
        or ("corrupt" in low)
    ):
        return StoreError(Msg("err_co_store_damaged", path=path, error=text))
    if "read-only" in low or "read only" in low or "permission denied" in low:
        return StoreError(Msg("err_store_read_only", path=path))
    if "constraint" in low or "check" in low:
        return StoreError(Msg("err_co_store_rule", error=text))
    return StoreError(Msg("err_co_store_failed", path=path, doing=doing, error=text))


LOCK_TIMEOUT = float(os.environ.get("BUURTBALANS_LOCK_TIMEOUT", "30"))
_DUCKDB_MAGIC = b"DUCK"
_PID = re.compile(r"PID (\d+)")
_LOCKED = re.compile(r"\block(?:ed|s)?\b|conflicting lock", re.IGNORECASE)


def damaged_store_error(path: str, exc: BaseException) -> StoreError:
    """A DuckDB error met while reading or writing an open store, as one named message
    (a corruption or truncation → `buurtbalans doctor`)."""
    return _store_error(path, exc, Msg("err_co_doing_read"))


def _merged_away(batch: ImportBatch, unknown: set[str]) -> Msg | str:
    """The gemeenten of ``unknown`` codes that had merged away by their vintage, as a note
    (empty when there are none); :func:`~buurtbalans.sources.known.merged_note` in words."""
    by_code = batch.areas.groupby("code")["vintage"].max().astype(int).to_dict()
    gone = sorted(
        {
            ("GM" + c[2:6], last, by_code[c])
            for c in unknown
            if c in by_code and (last := merged_away("GM" + c[2:6], by_code[c])) is not None
        }
    )
    if not gone:
        return ""
    return Msg(
        "imp_merged_away",
        gone=[Msg("imp_merged_gemeente", gemeente=g, last=last, vintage=v) for g, last, v in gone],
    )


class Store:
    """A buurtbalans store in a DuckDB file (or ``":memory:"``).

    Opening a store for writing applies any pending named migrations; a store written by a
    newer schema than this package knows raises :class:`SchemaVersionError`. Commands that
    only read open it with ``read_only=True`` (or :meth:`Store.open`): readers never block
    each other, and a read-only file or folder can be read. A store that another process
    holds is waited for (``lock_timeout`` seconds, default ``$BUURTBALANS_LOCK_TIMEOUT`` or
    30) with a progress line, then refused naming the PID that holds it.
    """

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        read_only: bool = False,
        lock_timeout: float | None = None,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only and self.path != ":memory:"
        if self.path != ":memory:":
            _check_file(Path(self.path), read_only=self.read_only)
        self.con = _connect(
            self.path,
            read_only=self.read_only,
            timeout=LOCK_TIMEOUT if lock_timeout is None else lock_timeout,
        )
        try:
            if self.read_only:
                self._check_readable()
            else:
                self._migrate()
        except duckdb.Error as exc:
            self.con.close()
            raise _store_error(self.path, exc, Msg("err_co_doing_open")) from exc
        except BaseException:
            self.con.close()
            raise

    @classmethod
    def open(
        cls, path: str | Path, *, read_only: bool = False, lock_timeout: float | None = None
    ) -> Store:
        """Open a store file; ``read_only=True`` for commands that only read."""
        return cls(path, read_only=read_only, lock_timeout=lock_timeout)

    # -- schema -----------------------------------------------------------------------
    def _tables(self) -> set[str]:
        return {
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        }

    def _check_readable(self) -> None:
        tables = self._tables()
        if "migrations" not in tables:
            raise StoreError(Msg("err_co_no_migrations_table", path=self.path))
        done = {r[0] for r in self.con.execute("SELECT name FROM migrations").fetchall()}
        if not done and "sources" in tables:
            raise StoreError(Msg("err_co_migrations_emptied", path=self.path))
        if unknown := done - {name for name, _ in MIGRATIONS}:
            raise SchemaVersionError(
                Msg("err_co_newer_schema", path=self.path, migrations=sorted(unknown))
            )

    def _migrate(self) -> None:
        tables = self._tables()
        if tables and "migrations" not in tables:
            raise StoreError(
                Msg("err_co_foreign_tables", path=self.path, tables=sorted(tables)[:5])
            )
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM migrations").fetchall()}
        if not done and "sources" in tables:
            raise StoreError(Msg("err_co_migrations_emptied", path=self.path))
        known = {name for name, _ in MIGRATIONS}
        if unknown := done - known:
            raise SchemaVersionError(
                Msg("err_co_newer_schema", path=self.path, migrations=sorted(unknown))
            )
        try:
            for name, apply in MIGRATIONS:
                if name in done:
                    continue
                with self.transaction():
                    apply(self.con)
                    self.con.execute(
                        "INSERT INTO migrations VALUES (?, ?)",
                        [name, datetime.now(UTC).isoformat(timespec="seconds")],
                    )
            self.con.register("cat", catalogue_frame())
            stale = self.con.execute(
                "SELECT (SELECT count(*) FROM (SELECT * FROM indicators EXCEPT SELECT * FROM "
                "cat)) + (SELECT count(*) FROM (SELECT * FROM cat EXCEPT SELECT * FROM "
                "indicators))"
            ).fetchall()[0][0]
            if stale:  # only then: opening a store writes nothing when nothing changed
                with self.transaction():
                    self.con.execute("DELETE FROM indicators")
                    self.con.execute("INSERT INTO indicators SELECT * FROM cat")
            self.con.unregister("cat")
        except duckdb.Error as exc:
            raise _store_error(self.path, exc, Msg("err_co_doing_prepare")) from exc

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
    def write(self, batch: ImportBatch, *, vervang: bool = False) -> WriteResult:
        """Write one import atomically; re-writing the same source replaces its rows.

        Values already stored from *another* source that this import would change are
        refused (:class:`StoreError` naming the count and the source) unless ``vervang``;
        then they are kept in ``observations_replaced`` (see :meth:`replaced`)."""
        return self.write_all([batch], vervang=vervang)

    def write_all(self, batches: Iterable[ImportBatch], *, vervang: bool = False) -> WriteResult:
        """Write several imports in one transaction: all of them or none."""
        if self.read_only:
            raise StoreError(Msg("err_store_open_read_only", path=self.path))
        result = WriteResult()
        try:
            with self.transaction():
                for batch in batches:
                    self._write(batch, vervang=vervang, result=result)
        except duckdb.Error as exc:
            raise _store_error(self.path, exc, Msg("err_co_doing_write")) from exc
        return result

    def _write(self, batch: ImportBatch, *, vervang: bool, result: WriteResult) -> None:
        src = batch.source
        sid = src.source_id
        check_world(self, batch)  # the national twin never mixes with real data
        self._drop_unknown_codes(batch)
        obs = _columnar(batch.observations, sid)
        areas = batch.areas.assign(source_id=sid)[[*AREA_COLUMNS, "source_id"]]
        areas = areas.drop_duplicates(["code", "vintage"])
        self.con.execute("DELETE FROM observations WHERE source_id = ?", [sid])
        self.con.execute("DELETE FROM boundaries WHERE source_id = ?", [sid])
        self.con.execute("DELETE FROM sources WHERE source_id = ?", [sid])
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.con.register("batch_obs", obs)
        self.con.register("batch_areas", areas)
        self._check_unique(batch)
        # the batch's years as constants: the stored rows of other years are skipped by
        # their row groups' min/max, so an import costs the same in a store of ten years
        years = ",".join(str(int(p)) for p in obs.column("period").unique().to_pylist())
        of_years = f"o.period IN ({years or 'NULL'})"
        changed = self.con.execute(
            f"""
            SELECT o.source_id, count(*) AS n FROM observations o JOIN batch_obs b
              ON o.area_code = b.area_code AND o.vintage = b.vintage
             AND o.period = b.period AND o.indicator = b.indicator
            WHERE {of_years} AND (o.value IS DISTINCT FROM b.value OR o.status <> b.status)
            GROUP BY 1 ORDER BY 2 DESC
            """
        ).fetchall()
        if changed:
            n = sum(int(r[1]) for r in changed)
            if not vervang:
                raise ReplaceRefusedError(
                    Msg(
                        "err_co_replace_refused",
                        source=sid,
                        n=n,
                        by=[Msg("err_co_values_from", n=int(r[1]), source=r[0]) for r in changed],
                    )
                )
            self.con.execute(
                f"""
                INSERT INTO observations_replaced
                SELECT o.*, ?, ? FROM observations o JOIN batch_obs b
                  ON o.area_code = b.area_code AND o.vintage = b.vintage
                 AND o.period = b.period AND o.indicator = b.indicator
                WHERE {of_years} AND (o.value IS DISTINCT FROM b.value OR o.status <> b.status)
                """,
                [sid, now],
            )
            result.values_replaced += n
            batch.report.append(
                Msg(
                    "imp_values_replaced",
                    n=n,
                    by=[Msg("err_co_values_from", n=int(r[1]), source=r[0]) for r in changed],
                )
            )
        renamed = self.con.execute(
            """
            INSERT INTO area_names_replaced
            SELECT a.code, a.vintage, a.name, a.source_id, ?, ? FROM areas a JOIN batch_areas b
              ON a.code = b.code AND a.vintage = b.vintage
            WHERE b.name IS NOT NULL AND a.name IS NOT NULL AND a.name <> b.name
            RETURNING code
            """,
            [sid, now],
        ).fetchall()
        if renamed:
            result.names_replaced += len(renamed)
            batch.report.append(Msg("imp_names_replaced", n=len(renamed), code=renamed[0][0]))
        self.con.execute(
            """INSERT INTO sources (source_id, publisher, table_id, title, period, file_name,
               file_hash, kind, notes, imported_at, package_version, report, synthetic)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
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
                "\n".join(str(line) for line in batch.report),  # English
                src.kind == "demo",
            ],
        )
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
        # the keys this batch brings replace the stored ones (the key is unique by this:
        # delete, then insert, in the caller's transaction; no index needed)
        self.con.execute(
            f"""
            DELETE FROM observations o USING batch_obs b
            WHERE {of_years} AND o.area_code = b.area_code AND o.vintage = b.vintage
              AND o.period = b.period AND o.indicator = b.indicator
            """
        )
        self.con.execute("INSERT INTO observations SELECT * FROM batch_obs")  # sorted by code
        self.con.unregister("batch_obs")
        if batch.boundaries is not None and len(batch.boundaries):
            b = batch.boundaries.assign(crs="EPSG:28992", source_id=sid)[
                ["code", "vintage", "level", "geometry_wkb", "crs", "source_id"]
            ]
            self.con.register("batch_bnd", b)
            self.con.execute("INSERT OR REPLACE INTO boundaries SELECT * FROM batch_bnd")
            self.con.unregister("batch_bnd")
        result.sources.append(sid)

    def _check_unique(self, batch: ImportBatch) -> None:
        """Each (area, vintage, period, indicator) at most once in a batch (the store holds
        one value per key); the first repeated key is named. A count of distinct key hashes
        answers the common case (all unique) cheaply; only when it falls short are the keys
        themselves grouped (a hash collision then finds nothing)."""
        total, distinct = self.con.execute(
            "SELECT count(*), count(DISTINCT hash(area_code, vintage, period, indicator)) "
            "FROM batch_obs"
        ).fetchone()
        if total == distinct:
            return
        dup = self.con.execute(
            """
            SELECT area_code, vintage, period, indicator, count(*) AS n FROM batch_obs
            GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC, 1, 2, 3, 4 LIMIT 1
            """
        ).fetchone()
        if dup:
            n = self.con.execute(
                "SELECT count(*) FROM (SELECT 1 FROM batch_obs GROUP BY area_code, vintage, "
                "period, indicator HAVING count(*) > 1)"
            ).fetchone()
            raise DataError(
                Msg(
                    "err_co_duplicate_key",
                    times=int(dup[4]),
                    area=dup[0],
                    indicator=dup[3],
                    year=int(dup[2]),
                    vintage=int(dup[1]),
                    n=int(n[0]) if n else 1,
                ),
                file=batch.source.file_name,
                column=str(dup[3]),
                fix=Msg("fix_co_duplicate_key"),
            )

    def _drop_unknown_codes(self, batch: ImportBatch) -> None:
        """Codes that fit the pattern but exist in no vintage known (:func:`unknown_codes`)
        are taken out of the batch and listed on its report, never mixed into a gemeente."""
        if batch.source.kind not in CBS_KINDS | DERIVED_KINDS or batch.areas.empty:
            return
        vintages = sorted({int(v) for v in batch.areas["vintage"].unique()})
        in_vintages = ",".join(str(v) for v in vintages) or "NULL"

        def column(sql: str) -> set[str]:
            return {r[0] for r in self.con.execute(sql).fetchall()}

        gm_of = "'GM' || substr(a.code, 3, 4)"
        store_gm = column(
            f"SELECT DISTINCT {gm_of} FROM areas a "
            f"WHERE a.vintage IN ({in_vintages}) AND NOT starts_with(a.code, 'NL')"
        )
        real_gemeenten = column(
            f"SELECT DISTINCT {gm_of} FROM areas a LEFT JOIN sources s USING (source_id) "
            "WHERE s.kind IS DISTINCT FROM 'demo' AND NOT starts_with(a.code, 'NL')"
        )
        store_codes = (
            column("SELECT DISTINCT code FROM areas")
            if batch.source.kind in DERIVED_KINDS
            else set()
        )
        unknown = unknown_codes(
            batch, store_codes=store_codes, store_gm=store_gm, store_gemeenten=real_gemeenten
        )
        if not unknown:
            return
        listed = sorted(unknown)
        merged = _merged_away(batch, unknown)
        if len(unknown) == batch.areas["code"].nunique():
            raise DataError(
                Msg("err_co_no_known_codes", n=len(unknown), codes=listed[:5], merged=merged),
                file=batch.source.file_name,
                fix=Msg("fix_co_no_known_codes"),
            )
        batch.areas = batch.areas[~batch.areas["code"].isin(unknown)].reset_index(drop=True)
        batch.observations = batch.observations[
            ~batch.observations["area_code"].isin(unknown)
        ].reset_index(drop=True)
        if batch.boundaries is not None:
            batch.boundaries = batch.boundaries[~batch.boundaries["code"].isin(unknown)]
        batch.report.append(
            Msg(
                "imp_unknown_codes",
                n=len(unknown),
                codes=Listed(listed, 20),
                merged=merged,
            )
        )

    def replaced(self, indicator: str | None = None) -> pd.DataFrame:
        """Values that a later import replaced (with ``replaced_by`` and ``replaced_at``)."""
        sql = "SELECT * FROM observations_replaced"
        args: list[object] = []
        if indicator:
            sql += " WHERE indicator = ?"
            args.append(indicator)
        return self.con.execute(sql + " ORDER BY replaced_at, area_code", args).df()

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

    def twin(self) -> dict[str, object] | None:
        """The national twin's manifest when this store holds it (synthetic), else None."""
        return twin_info(self)

    def synthetic_gemeenten(self) -> list[str]:
        """Gemeente codes whose buurt data come from synthetic sources (e.g. the demo)."""
        rows = self.con.execute(
            "SELECT DISTINCT 'GM' || substr(o.area_code, 3, 4) FROM observations o "
            "JOIN sources s USING (source_id) WHERE s.synthetic "
            "AND substr(o.area_code, 1, 2) IN ('GM', 'WK', 'BU') ORDER BY 1"
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
        return resolve_gemeente(self.con, name_or_code, self.path)

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
        gemeente: str | Sequence[str] | None = None,
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
        gemeente: str | Sequence[str] | None = None,
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

    def boundaries(
        self, vintage: int, gemeente: str | Sequence[str] | None = None, level: str = "buurt"
    ):
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


def _columnar(observations: pd.DataFrame, source_id: str) -> pa.Table:
    """The batch's observations as an Arrow table in the store's column order, the
    repeated text columns dictionary-encoded (DuckDB scans it without per-row Python),
    sorted by code (stable), so a gemeente's rows sit together in few row groups. Each
    column is copied once, already in that order (a national KWB year: 1.5 M rows)."""
    import pyarrow as pa

    obs = observations[OBSERVATION_COLUMNS]
    code = _categorical(obs["area_code"])
    # categories sorted: codes sort as the codes do; a missing one last
    key = np.where(code.codes < 0, len(code.categories), code.codes)
    order = np.argsort(key, kind="stable")
    n = len(obs)
    return pa.table(
        {
            "area_code": _dictionary(code, order),
            "vintage": pa.array(obs["vintage"].to_numpy(np.int32)[order]),
            "period": pa.array(obs["period"].to_numpy(np.int32)[order]),
            "indicator": _dictionary(_categorical(obs["indicator"]), order),
            "value": pa.array(obs["value"].to_numpy(np.float64)[order], from_pandas=True),
            "status": _dictionary(_categorical(obs["status"]), order),
            "source_id": pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, dtype=np.int32)), pa.array([source_id])
            ),
        }
    )


def _categorical(column: pd.Series) -> pd.Categorical:
    """A text column as a categorical with sorted categories (as it is when it is one)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = column.array
        if cat.categories.is_monotonic_increasing:
            return cat
        return cat.reorder_categories(cat.categories.sort_values())
    return pd.Categorical(column)


def _dictionary(column: pd.Categorical, order: np.ndarray) -> pa.DictionaryArray:
    """A categorical's values in ``order`` as an Arrow dictionary array (int32 indices)."""
    import pyarrow as pa

    codes = column.codes[order].astype(np.int32)
    names = pa.array(column.categories.astype(str).to_numpy(object), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), names)


def _filters(
    *,
    gemeente: str | Sequence[str] | None,
    level: str | None,
    vintage: int | None,
    prefix: str = "",
) -> tuple[str, list[object]]:
    """WHERE clause on the areas table (aliased by ``prefix``, e.g. ``'a.'``)."""
    clauses: list[str] = []
    args: list[object] = []
    if isinstance(gemeente, (list, tuple)):  # a gemeente with its predecessors
        codes = list(gemeente)
        clauses.append(f"{prefix}gemeente_code IN ({','.join('?' * len(codes))})")
        args.extend(codes)
        gemeente = None
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
