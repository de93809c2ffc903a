"""CBS StatLine OData (v3) connector for the Kerncijfers Wijken en Buurten (KWB).

Endpoints, as the public API serves them::

    {base}/ODataApi/odata/{table}/TableInfos?$format=json        metadata, {"value": [...]}
    {base}/ODataApi/odata/{table}/DataProperties?$format=json    topic keys, titles, units
    {base}/ODataApi/odata/{table}/WijkenEnBuurten?$format=json   region dimension (Key, Title)
    {base}/ODataFeed/odata/{table}/UntypedDataSet?$format=json&$filter=...&$select=...

The data feed pages with ``odata.nextLink``; the ODataApi stops at 10,000 records, so a page
of exactly 10,000 rows without a next link is continued with ``$skip``. Untyped data keep the
CBS symbols (``.``, ``x``), which become missing values with a status flag.

The HTTP client is injectable (any ``httpx.Client``; tests use ``httpx.MockTransport``);
raw responses are cached on disk, so a second run needs no network.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from buurtbalans.config import CBS_ODATA_BASE, default_cache_dir
from buurtbalans.errors import DataError, Msg, SourceError
from buurtbalans.progress import track
from buurtbalans.sources.batch import ImportBatch, SourceInfo, file_hash, listed
from buurtbalans.sources.codebook import resolve_odata_keys
from buurtbalans.sources.tables import (
    areas_from_codes,
    clean_codes,
    validate_year,
    wide_to_observations,
)

PAGE_LIMIT = 10_000


@dataclass(frozen=True)
class KwbTable:
    """One KWB edition on StatLine."""

    year: int
    table_id: str
    verified: str  # where the id was checked


KWB_TABLES: dict[int, KwbTable] = {
    t.year: t
    for t in (
        KwbTable(2013, "82339NED", "cbs.nl"),
        KwbTable(2014, "82931NED", "cbs.nl"),
        KwbTable(2015, "83220NED", "open-source clients; checked at run time"),
        KwbTable(2016, "83487NED", "cbs.nl"),
        KwbTable(2017, "83765NED", "cbs.nl"),
        KwbTable(2018, "84286NED", "cbs.nl"),
        KwbTable(2019, "84583NED", "open-source clients; checked at run time"),
        KwbTable(2020, "84799NED", "open-source clients; checked at run time"),
        KwbTable(2021, "85039NED", "cbs.nl"),
        KwbTable(2022, "85318NED", "cbs.nl"),
        KwbTable(2023, "85618NED", "cbs.nl"),
        KwbTable(2024, "85984NED", "TableInfos (Identifier 85984NED, Period 2024)"),
        KwbTable(2025, "86165NED", "open-source clients; checked at run time"),
    )
}


def kwb_table(year: int) -> KwbTable:
    """The KWB table for a year, or a clear error listing the years known."""
    if year not in KWB_TABLES:
        raise SourceError(
            Msg("err_cx_no_kwb_table", year=year, low=min(KWB_TABLES), high=max(KWB_TABLES))
        )
    return KWB_TABLES[year]


def gemeente_filter(gemeenten: Iterable[str]) -> str:
    """OData filter for the gemeente, wijk and buurt rows of gemeenten ``GMxxxx``."""
    parts = []
    for gm in gemeenten:
        digits = gm.removeprefix("GM")
        parts += [f"startswith(WijkenEnBuurten,'{p}{digits}')" for p in ("GM", "WK", "BU")]
    return " or ".join(parts)


class CBSOData:
    """A small StatLine OData v3 client with paging, retries and an on-disk cache."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        base_url: str = CBS_ODATA_BASE,
        cache_dir: Path | None = None,
        retries: int = 3,
        timeout: float = 60.0,
        backoff: float = 1.0,
    ) -> None:
        self.client = client or httpx.Client(timeout=timeout, follow_redirects=True)
        self.base_url = base_url.rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir() / "cbs-odata"
        self.retries = retries
        self.backoff = backoff

    # -- transport ---------------------------------------------------------------------
    def _cache_path(self, url: str, params: dict[str, str] | None) -> Path:
        key = url + "?" + json.dumps(params or {}, sort_keys=True)
        return self.cache_dir / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")

    def get_json(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET a JSON document, from the cache when present, with retries on failure."""
        cached = self._cache_path(url, params)
        if cached.exists():
            return json.loads(cached.read_text("utf-8"))
        last: Msg | Exception | None = None
        for attempt in range(self.retries):
            try:
                response = self.client.get(url, params=params)
                if response.status_code in (429, 500, 502, 503, 504):
                    last = Msg("err_cx_cbs_status", status=response.status_code, url=url)
                else:
                    response.raise_for_status()
                    data = response.json()
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    cached.write_text(json.dumps(data), "utf-8")
                    return data
            except httpx.HTTPStatusError as exc:
                raise SourceError(
                    Msg(
                        "err_cx_cbs_refused",
                        status=exc.response.status_code,
                        url=str(exc.request.url),
                    )
                ) from exc
            except (httpx.TransportError, ValueError) as exc:
                last = exc
            if attempt + 1 < self.retries:
                time.sleep(self.backoff * 2**attempt)
        raise SourceError(Msg("err_cx_unreachable", url=url, n=self.retries, reason=last))

    def fetch(
        self, table: str, resource: str, params: dict[str, str] | None = None, *, feed: bool = False
    ) -> list[dict[str, Any]]:
        """All rows of a resource, following ``odata.nextLink`` and the 10,000-row limit."""
        api = "ODataFeed" if feed else "ODataApi"
        url: str | None = f"{self.base_url}/{api}/odata/{table}/{resource}"
        query: dict[str, str] | None = {"$format": "json", **(params or {})}
        rows: list[dict[str, Any]] = []
        skip = 0
        while url:
            page = self.get_json(url, query)
            if "value" not in page:
                raise SourceError(Msg("err_cx_no_value_array", url=url))
            rows.extend(page["value"])
            if next_link := page.get("odata.nextLink"):
                url, query = next_link, None
            elif len(page["value"]) == PAGE_LIMIT and query is not None:
                skip += PAGE_LIMIT
                query = {**query, "$skip": str(skip)}
            else:
                url = None
        return rows

    # -- KWB ---------------------------------------------------------------------------
    def table_info(self, table: str) -> dict[str, Any]:
        """The table's TableInfos entry."""
        rows = self.fetch(table, "TableInfos")
        if not rows:
            raise SourceError(Msg("err_cx_no_tableinfos", table=table))
        return rows[0]

    def gemeente_codes(self, table: str, names_or_codes: Iterable[str]) -> list[str]:
        """Resolve gemeente names (``Almelo``) or codes to ``GMxxxx`` with the table's
        region dimension."""
        wanted = list(names_or_codes)
        if all(w.strip().upper().startswith("GM") for w in wanted):
            return [w.strip().upper() for w in wanted]
        dim = self.fetch(
            table, "WijkenEnBuurten", {"$filter": "startswith(Key,'GM')", "$select": "Key,Title"}
        )
        by_name = {row["Title"].strip().lower(): row["Key"].strip() for row in dim}
        out = []
        for w in wanted:
            text = w.strip()
            if text.upper().startswith("GM"):
                out.append(text.upper())
            elif text.lower() in by_name:
                out.append(by_name[text.lower()])
            else:
                raise SourceError(Msg("err_cx_no_gemeente_named", table=table, name=text))
        return out

    def kwb_year(self, year: int, gemeenten: list[str] | None) -> ImportBatch:
        """Fetch one KWB year for the given gemeenten (``GMxxxx``), or for all of the
        Netherlands with ``gemeenten=None`` (paged past the 10,000-row limit), as an
        ImportBatch."""
        table = kwb_table(year).table_id
        info = self.table_info(table)
        if str(info.get("Period", "")).strip() != str(year):
            raise SourceError(
                Msg("err_cx_period_mismatch", table=table, period=info.get("Period"), year=year)
            )
        props = self.fetch(table, "DataProperties")
        keys = resolve_odata_keys(props)
        select = ",".join(["WijkenEnBuurten", *keys])
        data_query = {"$select": select}
        names_query = {"$select": "Key,Title"}
        if gemeenten is not None:
            flt = gemeente_filter(gemeenten)
            data_query["$filter"] = flt
            names_query["$filter"] = flt.replace("WijkenEnBuurten", "Key")
        rows = self.fetch(table, "UntypedDataSet", data_query, feed=True)
        names = self.fetch(table, "WijkenEnBuurten", names_query)
        payload = json.dumps([info, props, rows], sort_keys=True).encode()
        return rows_to_batch(
            rows,
            props,
            info,
            names=names,
            year=year,
            digest=hashlib.sha256(payload).hexdigest(),
            file_name=f"{self.base_url}/ODataFeed/odata/{table}",
        )

    def kwb(self, years: Iterable[int], gemeenten: Iterable[str] | None) -> list[ImportBatch]:
        """Fetch several KWB years (progress bar on a terminal); ``gemeenten=None`` fetches
        every gemeente, wijk and buurt of the Netherlands (needed for a national reference)."""
        years = list(years)
        codes = (
            None
            if gemeenten is None
            else self.gemeente_codes(kwb_table(max(years)).table_id, gemeenten)
        )
        return [self.kwb_year(y, codes) for y in track(years, "CBS KWB ophalen", len(years))]


def rows_to_batch(
    rows: list[dict[str, Any]] | dict[str, dict[str, Any]],
    props: list[dict[str, Any]],
    info: dict[str, Any],
    *,
    names: list[dict[str, Any]] | None = None,
    year: int | None = None,
    digest: str,
    file_name: str,
) -> ImportBatch:
    """Turn OData rows (a list of records, or a dict keyed by region code) into a batch."""
    table = str(info.get("Identifier", "")).strip()
    period = validate_year(
        year or str(info.get("Period", "")).strip()[:4], what="Period", file=file_name
    )
    if isinstance(rows, dict):
        rows = [{"WijkenEnBuurten": code, **values} for code, values in rows.items()]
    df = pd.DataFrame(rows)
    if df.empty:
        raise SourceError(Msg("err_cx_no_rows", table=table))
    if "WijkenEnBuurten" not in df.columns:
        raise DataError(
            Msg("err_cx_no_wijkenenbuurten"), file=file_name, fix=Msg("fix_cx_fetch_kwb_dataset")
        )
    keys = resolve_odata_keys(props)
    columns = {k: v for k, v in keys.items() if k in df.columns}
    codes = clean_codes(df["WijkenEnBuurten"], file=file_name, column="WijkenEnBuurten")
    obs = wide_to_observations(
        df, file=file_name, codes=codes, columns=columns, vintage=period, periods=period
    )
    title_by_code = {str(n["Key"]).strip(): str(n["Title"]).strip() for n in names or []}
    area_names = codes.map(title_by_code) if title_by_code else None
    source = SourceInfo(
        source_id=f"cbs-odata:{table}:{digest[:16]}",
        publisher="CBS (StatLine)",
        table_id=table,
        title=str(info.get("Title", table)).strip(),
        period=str(period),
        file_name=file_name,
        file_hash=digest,
        kind="cbs-odata",
        notes=f"{len(columns)} topics resolved by key stem via DataProperties",
    )
    unresolved = sorted(set(df.columns) - set(columns) - {"ID", "WijkenEnBuurten"})
    report: list[str | Msg] = (
        [Msg("imp_keys_unresolved", n=len(unresolved), keys=listed(unresolved))]
        if unresolved
        else []
    )
    return ImportBatch(source, areas_from_codes(codes, period, area_names), obs, report=report)


def read_saved_table(directory: Path) -> ImportBatch:
    """Import a folder of saved OData responses (``TableInfos.json``,
    ``DataProperties.json`` and a data file: ``UntypedDataSet.json``,
    ``TypedDataSet.json`` or any other ``*.json`` holding rows)."""
    directory = Path(directory)
    need = ["TableInfos.json", "DataProperties.json"]
    if missing := [n for n in need if not (directory / n).exists()]:
        raise DataError(
            Msg("err_cx_saved_missing", missing=missing, n=len(missing)),
            file=str(directory),
            fix=Msg("fix_cx_saved_missing"),
        )

    def load(name: str) -> Any:
        try:
            data = json.loads((directory / name).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise DataError(
                Msg("err_cx_cannot_read_json", name=name, reason=str(exc)),
                file=str(directory / name),
                fix=Msg("fix_cx_save_json"),
            ) from exc
        return data["value"] if isinstance(data, dict) and "value" in data else data

    infos = load("TableInfos.json")
    props = load("DataProperties.json")
    if not (isinstance(infos, list) and infos and isinstance(infos[0], dict)):
        raise DataError(
            Msg("err_cx_no_table_description"),
            file=str(directory / "TableInfos.json"),
            fix=Msg("fix_cx_save_tableinfos"),
        )
    if not (isinstance(props, list) and all(isinstance(p, dict) for p in props)):
        raise DataError(
            Msg("err_cx_no_properties", name="DataProperties.json"),
            file=str(directory / "DataProperties.json"),
            fix=Msg("fix_cx_save_dataproperties"),
        )
    info = infos[0]
    data_files = [
        p for p in sorted(directory.glob("*.json")) if p.name not in (*need, "CategoryGroups.json")
    ]
    if not data_files:
        raise DataError(
            Msg("err_cx_no_data_file"), file=str(directory), fix=Msg("fix_cx_save_dataset")
        )
    rows = load(data_files[0].name)
    return rows_to_batch(
        rows, props, info, digest=file_hash(directory), file_name=str(data_files[0])
    )
