"""Gemeente-level StatLine tables through the OData connector (:class:`CBSOData`: paging,
retries, on-disk cache, injectable ``httpx`` transport).

These tables have a region dimension ``RegioS`` (``GM0141``, ``NL01  ``, ``PV23``,
``CR12``) and a period dimension ``Perioden`` (``2015JJ00``), unlike the KWB's
``WijkenEnBuurten``. Gemeente and land rows are imported; CBS's own province/COROP rows are
left out on purpose (buurtbalans aggregates regions itself, with stated denominators, see
:mod:`buurtbalans.sources.regios`) and the import report says how many there were.

Tables with a further dimension (the forecast's ``Prognoseinterval``, a table's ``Geslacht``)
need that dimension fixed (``dims={"Prognoseinterval": "..."}``); without it the import stops
and names the dimension and its keys, so a lower bound is never read as the forecast.

Table ids: :data:`REGIONAL_TABLES`. The ids are the ones CBS documents; the connector checks
each against its TableInfos at run time and says so when a table answers with another title.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from buurtbalans.errors import DataError, Msg, SourceError
from buurtbalans.sources.batch import ImportBatch, SourceInfo, listed
from buurtbalans.sources.cbs_odata import CBSOData
from buurtbalans.sources.codebook import resolve_odata_keys
from buurtbalans.sources.tables import areas_from_codes, clean_codes, wide_to_observations


@dataclass(frozen=True)
class RegionalTable:
    """One gemeente-level StatLine table and what it is used for."""

    table_id: str
    title: str
    themes: tuple[str, ...]
    note: str = ""


REGIONAL_TABLES: dict[str, RegionalTable] = {
    t.table_id: t
    for t in (
        RegionalTable(
            "70072NED",
            "Regionale kerncijfers Nederland",
            ("demografie", "arbeid", "inkomen", "onderwijs", "leefomgeving", "zorg"),
        ),
        RegionalTable(
            "83582NED",
            "Werkzame personen en banen; regio",
            ("arbeid",),
            "id to be checked against TableInfos at run time",
        ),
        RegionalTable(
            "81578NED",
            "Vestigingen van bedrijven; bedrijfstak, gemeente",
            ("arbeid",),
            "id to be checked against TableInfos at run time",
        ),
        RegionalTable(
            "83648NED",
            "Geregistreerde misdrijven; soort misdrijf, regio",
            ("veiligheid",),
        ),
        RegionalTable(
            "80305NED",
            "Nabijheid voorzieningen; afstand locatie, regionale cijfers",
            ("sport_cultuur",),
        ),
    )
}
PERIOD = re.compile(r"^(\d{4})JJ00$")
_KEPT = ("GM", "NL")


def _dimension_keys(props: list[dict[str, Any]]) -> list[str]:
    return [
        str(p["Key"])
        for p in props
        if str(p.get("Type", "")).endswith("Dimension") and p.get("Key") not in (None, "")
    ]


def parse_period(raw: object, *, file: str, row: int) -> int:
    """``2015JJ00`` → 2015; other periods (quarters, months) are refused with their row."""
    text = str(raw).strip()
    match = PERIOD.match(text)
    if not match:
        raise DataError(
            Msg("err_cx_period_not_year", period=text),
            file=file,
            row=row,
            column="Perioden",
            fix=Msg("fix_cx_yearly_periods"),
        )
    return int(match.group(1))


def regional_rows_to_batch(
    rows: list[dict[str, Any]],
    props: list[dict[str, Any]],
    info: dict[str, Any],
    *,
    names: list[dict[str, Any]] | None = None,
    dims: dict[str, str] | None = None,
    digest: str,
    file_name: str,
) -> ImportBatch:
    """Turn ``RegioS × Perioden`` rows into a batch of gemeente/land observations.

    Raises :class:`DataError` for a table without ``RegioS``/``Perioden``, for a further
    dimension that ``dims`` does not fix, and (via the codebook) for a key whose title
    disagrees with its indicator."""
    table = str(info.get("Identifier", "")).strip()
    df = pd.DataFrame(rows)
    if df.empty:
        raise SourceError(Msg("err_cx_regional_no_rows", table=table))
    for need in ("RegioS", "Perioden"):
        if need not in df.columns:
            raise DataError(
                Msg("err_cx_no_dimension", need=need, table=table),
                file=file_name,
                column=need,
                fix=Msg("fix_cx_regional_only"),
            )
    dims = dict(dims or {})
    for dim in _dimension_keys(props):
        if dim in ("RegioS", "Perioden") or dim not in df.columns:
            continue
        keys = sorted(df[dim].astype(str).str.strip().unique())
        if dim not in dims:
            raise DataError(
                Msg("err_cx_dimension_open", table=table, dim=dim, keys=keys[:6]),
                file=file_name,
                column=dim,
                fix=Msg("fix_cx_fix_dimension", dim=dim),
            )
        df = df[df[dim].astype(str).str.strip() == dims[dim]]
    region = df["RegioS"].astype(str).str.strip().str.upper()
    left_out = int((~region.str[:2].isin(_KEPT)).sum())
    df = df[region.str[:2].isin(_KEPT).to_numpy()].reset_index(drop=True)
    periods = pd.Series(
        [parse_period(p, file=file_name, row=i + 1) for i, p in enumerate(df["Perioden"])],
        index=df.index,
    )
    keys = resolve_odata_keys(props, file=file_name)
    columns = {k: v for k, v in keys.items() if k in df.columns}
    if not columns:
        raise DataError(
            Msg("err_cx_no_topics_in_codebook", table=table),
            file=file_name,
            fix=Msg("fix_cx_add_topics"),
        )
    codes = clean_codes(df["RegioS"], file=file_name, column="RegioS")
    vintage = int(periods.max())
    obs = wide_to_observations(
        df, file=file_name, codes=codes, columns=columns, vintage=vintage, periods=periods
    )
    title_by_code = {str(n["Key"]).strip(): str(n["Title"]).strip() for n in names or []}
    unique = pd.Series(sorted(set(codes)))
    area_names = unique.map(title_by_code) if title_by_code else None
    span = f"{int(periods.min())}-{vintage}"
    source = SourceInfo(
        source_id=f"cbs-odata:{table}:{digest[:16]}",
        publisher="CBS (StatLine)",
        table_id=table,
        title=str(info.get("Title", table)).strip(),
        period=span,
        file_name=file_name,
        file_hash=digest,
        kind="cbs-odata",
        notes=f"{len(columns)} topics, gemeente and land rows, periods {span}"
        + (f", {dims}" if dims else ""),
    )
    unresolved = sorted(
        set(df.columns) - set(columns) - {"ID", "RegioS", "Perioden", *_dimension_keys(props)}
    )
    report: list[str | Msg] = []
    if unresolved:
        report.append(Msg("imp_keys_unresolved", n=len(unresolved), keys=listed(unresolved)))
    if left_out:
        report.append(Msg("imp_regions_left_out", n=int(left_out)))
    return ImportBatch(source, areas_from_codes(unique, vintage, area_names), obs, report=report)


def _region_filter(gemeenten: Iterable[str] | None) -> str | None:
    if gemeenten is None:
        return "(substring(RegioS,0,2) eq 'GM' or substring(RegioS,0,2) eq 'NL')"
    codes = [g.strip().upper() for g in gemeenten]
    return "(" + " or ".join(f"RegioS eq '{c.ljust(6)}'" for c in [*codes, "NL01"]) + ")"


def fetch_regional(
    client: CBSOData,
    table: str,
    years: Iterable[int],
    gemeenten: Iterable[str] | None = None,
    *,
    dims: dict[str, str] | None = None,
) -> ImportBatch:
    """Fetch a gemeente-level table for ``years`` (and ``gemeenten``, default all, plus
    NL01) as one batch; paging past 10,000 rows and retries are the client's."""
    years = sorted(set(years))
    info = client.table_info(table)
    known = REGIONAL_TABLES.get(table)
    props = client.fetch(table, "DataProperties")
    keys = resolve_odata_keys(props)
    period_filter = " or ".join(f"Perioden eq '{y}JJ00'" for y in years)
    flt = f"({period_filter})"
    if region := _region_filter(gemeenten):
        flt += f" and {region}"
    for dim, key in (dims or {}).items():
        flt += f" and {dim} eq '{key}'"
    extra = [d for d in _dimension_keys(props) if d not in ("RegioS", "Perioden")]
    select = ",".join(["RegioS", "Perioden", *extra, *keys])
    rows = client.fetch(table, "UntypedDataSet", {"$filter": flt, "$select": select}, feed=True)
    names = client.fetch(
        table, "RegioS", {"$filter": "substring(Key,0,2) eq 'GM'", "$select": "Key,Title"}
    )
    payload = json.dumps([info, props, rows], sort_keys=True).encode()
    batch = regional_rows_to_batch(
        rows,
        props,
        info,
        names=names,
        dims=dims,
        digest=hashlib.sha256(payload).hexdigest(),
        file_name=f"{client.base_url}/ODataFeed/odata/{table}",
    )
    title = str(info.get("Title", "")).strip()
    if known and known.title.lower()[:20] not in title.lower():
        batch.report.append(Msg("imp_table_title", table=table, title=title, expected=known.title))
    return batch


def fetch_regions(client: CBSOData, table: str, year: int) -> pd.DataFrame:
    """The region registry from "Gebieden in Nederland" (``table`` is that year's id, e.g.
    from the StatLine catalogue): provincie, COROP, GGD region and arbeidsmarktregio."""
    from buurtbalans.sources.regios import regions_from_odata

    rows = client.fetch(table, "TypedDataSet")
    return regions_from_odata(rows, year)
