"""Any municipal table (CSV/Excel/Parquet) keyed by buurt code or by name.

A mapping file (TOML) says which column is which::

    [table]
    code_column = "buurtcode"      # or: name_column = "buurtnaam" (matched to the store)
    period = 2024                  # or: period_column = "jaar"
    vintage = 2024                 # the code/name classification year
    publisher = "Gemeente Almelo"
    title = "Kosten sociaal domein per buurt"

    [columns]
    kosten_totaal = "kosten_sociaal_domein"
    inwoners = "a_inw"
    woz = { id = "g_woz", missing_values = [0] }   # a 0 here means "not available"

    [missing_values]                  # the same, per file column
    inwoners = [-1]

Without ``[columns]``, columns whose names are catalogue ids or known aliases are taken and
the rest are listed in the report. A column that is entirely zero or constant (or a mean
that is 0 in many areas) gets a warning on the import's report. Names are matched case-,
accent- and punctuation-insensitively; what did not match is reported, never silently dropped.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from buurtbalans.errors import DataError, Msg
from buurtbalans.sources.batch import (
    ImportBatch,
    SourceInfo,
    file_hash,
    indicator_label,
    listed,
)
from buurtbalans.sources.codebook import catalogue, indicator_for_column
from buurtbalans.sources.tables import (
    areas_from_codes,
    check_one_column_per_indicator,
    clean_codes,
    read_table,
    require_columns,
    validate_year,
    wide_to_observations,
)
from buurtbalans.sources.values import (
    check_vintage,
    read_years,
    reconcile_year,
    source_label,
)

reconcile_vintage = reconcile_year  # the same rule: every source given must agree


@dataclass
class TableMapping:
    """How a municipal table maps onto areas, periods and indicators."""

    code_column: str | None = None
    name_column: str | None = None
    period: int | None = None
    period_column: str | None = None
    vintage: int | None = None
    publisher: str = "gemeente"
    title: str = ""
    columns: dict[str, str] = field(default_factory=dict)

    missing_values: dict[str, list[float]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TableMapping:
        """Read and check a mapping TOML file; every mistake is a :class:`DataError`
        naming the file and the key."""
        name = str(path)
        try:
            data = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DataError(
                Msg("err_tb_mapping_unreadable", error=str(exc)),
                file=name,
                fix=Msg("fix_tb_mapping_example"),
            ) from exc
        if unknown_sections := set(data) - {"table", "columns", "missing_values"}:
            raise DataError(
                Msg(
                    "err_tb_mapping_sections",
                    sections=[f"[{s}]" for s in sorted(unknown_sections)],
                    n=len(unknown_sections),
                ),
                file=name,
                fix=Msg("fix_tb_mapping_sections"),
            )
        table = data.get("table", {})
        if not isinstance(table, dict):
            raise DataError(
                Msg("err_tb_table_not_table"), file=name, fix=Msg("fix_tb_table_not_table")
            )
        allowed = set(cls.__dataclass_fields__) - {"columns", "missing_values"}
        if unknown := set(table) - allowed:
            raise DataError(
                Msg("err_tb_table_keys", keys=sorted(unknown)),
                file=name,
                fix=Msg("fix_tb_table_keys", keys=sorted(allowed)),
            )
        for key in ("code_column", "name_column", "period_column", "publisher", "title"):
            if key in table and not (isinstance(table[key], str) and table[key].strip()):
                raise DataError(
                    Msg("err_tb_not_text", name=key, value=_toml(table[key])),
                    file=name,
                    column=key,
                    fix=Msg("fix_tb_not_text", name=key),
                )
        if "period" in table:
            table["period"] = validate_year(table["period"], what="[table] period", file=name)
        if "vintage" in table:
            table["vintage"] = check_vintage(table["vintage"], what="[table] vintage", file=name)
        columns, missing = _columns(data.get("columns", {}), file=name)
        extra = data.get("missing_values", {})
        if not isinstance(extra, dict):
            raise DataError(
                Msg("err_tb_missing_values_table"),
                file=name,
                fix=Msg("fix_tb_missing_values_table"),
            )
        for column, numbers in extra.items():
            missing[column] = _numbers(numbers, column=column, file=name)
        if unmapped := [c for c in missing if columns and c not in columns]:
            raise DataError(
                Msg("err_tb_missing_values_unmapped", columns=unmapped, n=len(unmapped)),
                file=name,
                fix=Msg("fix_tb_missing_values_unmapped"),
            )
        return cls(**table, columns=columns, missing_values=missing)


def _toml(value: object) -> str:
    """A mapping value as it is written in TOML (``"x"``, ``5``, ``["a"]``), not a repr."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _numbers(value: object, *, column: str, file: str) -> list[float]:
    ok = isinstance(value, list) and all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    )
    if not ok:
        raise DataError(
            Msg("err_tb_missing_values_numbers", column=column, value=_toml(value)),
            file=file,
            column=column,
            fix=Msg("fix_tb_missing_values_numbers"),
        )
    return [float(v) for v in value]  # type: ignore[union-attr]


def _columns(raw: object, *, file: str) -> tuple[dict[str, str], dict[str, list[float]]]:
    """``[columns]``: file column = "indicator id", or = { id = "...", missing_values = [0] }."""
    if not isinstance(raw, dict):
        raise DataError(Msg("err_tb_columns_table"), file=file, fix=Msg("fix_tb_columns_table"))
    cat = catalogue()
    columns: dict[str, str] = {}
    missing: dict[str, list[float]] = {}
    for column, target in raw.items():
        if isinstance(target, dict):
            if unknown := set(target) - {"id", "missing_values"}:
                raise DataError(
                    Msg("err_tb_column_keys", keys=sorted(unknown), column=column, n=len(unknown)),
                    file=file,
                    column=column,
                    fix=Msg("fix_tb_column_keys", example='{ id = "...", missing_values = [0] }'),
                )
            if "missing_values" in target:
                missing[column] = _numbers(target["missing_values"], column=column, file=file)
            target = target.get("id")
        if not isinstance(target, str):
            raise DataError(
                Msg("err_tb_not_an_id", column=column, target=_toml(target)),
                file=file,
                column=column,
                fix=Msg("fix_tb_not_an_id"),
            )
        if target not in cat:
            close = [i for i in cat if i.startswith(target[:3])][:5]
            raise DataError(
                Msg(
                    "err_tb_unknown_id",
                    target=target,
                    column=column,
                    close=Msg("err_did_you_mean", names=close) if close else "",
                ),
                file=file,
                column=column,
                fix=Msg("fix_tb_unknown_id"),
            )
        columns[column] = target
    check_one_column_per_indicator(columns, file=file)
    return columns, missing


def _raw(value: float) -> str:
    """A number as the mapping file writes it (``0``, ``-1``, ``2.5``)."""
    return f"{value:g}"


def constant_column_warnings(obs: pd.DataFrame, columns: dict[str, str]) -> list[Msg]:
    """Warnings for indicators whose values are entirely zero or one constant (in derived
    tables a zero often means "not available"; e.g. a distance of 0 km everywhere)."""
    by_indicator = {v: k for k, v in columns.items()}
    lines: list[Msg] = []
    for indicator, values in obs.dropna(subset=["value"]).groupby("indicator")["value"]:
        if len(values) >= 3 and values.nunique() == 1:
            column = by_indicator.get(str(indicator), str(indicator))
            value = float(values.iloc[0])
            label = indicator_label(indicator)
            if value == 0:
                lines.append(
                    Msg("imp_column_constant_zero", column=column, indicator=label, n=len(values))
                )
            else:
                lines.append(
                    Msg(
                        "imp_column_constant",
                        column=column,
                        indicator=label,
                        n=len(values),
                        value=value,
                        raw=_raw(value),
                    )
                )
    return lines


def zero_share_warnings(obs: pd.DataFrame, columns: dict[str, str]) -> list[Msg]:
    """Warnings for columns where many (≥ 10 %) values are exactly 0 for an indicator whose
    kind makes 0 implausible (a mean such as WOZ value or income)."""
    cat = catalogue()
    by_indicator = {v: k for k, v in columns.items()}
    lines: list[Msg] = []
    for indicator, values in obs.dropna(subset=["value"]).groupby("indicator")["value"]:
        ind = cat.get(str(indicator))
        zeros = int((values == 0).sum())
        implausible = ind is not None and ind.kind == "mean" and 0 < zeros < len(values)
        if implausible and zeros >= 0.1 * len(values):
            column = by_indicator.get(str(indicator), str(indicator))
            lines.append(
                Msg(
                    "imp_column_zero_share",
                    column=column,
                    indicator=indicator_label(indicator),
                    zeros=zeros,
                    n=len(values),
                )
            )
    return lines


def normalise_name(name: object) -> str:
    """'Binnenstad-Noord ' → 'binnenstad noord' (for matching names to codes)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_names(names: pd.Series, areas: pd.DataFrame) -> tuple[pd.Series, list[str | Msg]]:
    """Match area names to codes; returns codes (None where unmatched) and the unmatched."""
    lookup: dict[str, list[str]] = {}
    for code, name in zip(areas["code"], areas["name"], strict=True):
        if name:
            lookup.setdefault(normalise_name(name), []).append(code)
    codes: list[str | None] = []
    unmatched: list[str | Msg] = []
    for name in names:
        hits = lookup.get(normalise_name(name), [])
        if len(hits) == 1:
            codes.append(hits[0])
        else:
            codes.append(None)
            unmatched.append(Msg("imp_name_ambiguous", name=f"{name}") if hits else f"{name}")
    return pd.Series(codes, index=names.index, dtype=object), unmatched


_YEAR_NAMES = ("jaar", "year", "periode", "perioden")


def table_periods(
    df: pd.DataFrame,
    mapping: TableMapping,
    *,
    file: str,
    jaar: int | None = None,
) -> pd.Series | int:
    """The one year rule of a municipal table: ``--jaar``, the mapping's ``period``, its
    ``period_column`` and a column named ``jaar`` must all agree; any contradiction is
    refused naming both sides (and the row). Returns one year or a per-row Series."""
    scalar = reconcile_year({"--jaar": jaar, "the mapping's period": mapping.period}, file=file)
    column = mapping.period_column
    if column is None and scalar is not None:
        column = next(
            (
                c
                for c in df.columns
                if c.strip().lower() in _YEAR_NAMES and c not in mapping.columns
            ),
            None,
        )
    if column is None:
        if scalar is None:
            raise DataError(Msg("err_year_unknown"), file=file, fix=Msg("fix_year_unknown"))
        return scalar
    require_columns(df, [column], file=file)
    years = read_years(df[column], file=file, column=column)
    if scalar is not None and (years != scalar).any():
        pos = int((years != scalar).to_numpy().nonzero()[0][0])
        said = "--jaar" if jaar is not None else Msg("err_tb_label_mapping_period")
        raise DataError(
            Msg(
                "err_tb_column_year",
                said=said,
                year=int(scalar),
                column=column,
                other=int(years.iloc[pos]),
            ),
            file=file,
            row=pos + 2,
            column=column,
            fix=Msg("fix_tb_column_year"),
        )
    return years if mapping.period_column else scalar


def read_municipal_table(
    path: Path,
    mapping: TableMapping,
    *,
    areas: pd.DataFrame | None = None,
    encoding: str | None = None,
    jaar: int | None = None,
    vintage: int | None = None,
    sheet: str | int | None = None,
) -> ImportBatch:
    """Import a municipal table; ``areas`` (from the store) is needed to match names.
    ``jaar`` and ``vintage`` (the CLI's options) must agree with the mapping's."""
    path = Path(path)
    df = read_table(path, sheet=sheet, encoding=encoding).reset_index(drop=True)
    name = source_label(path, df)
    periods: pd.Series | int = table_periods(df, mapping, file=name, jaar=jaar)
    given = {"--vintage": vintage, "the mapping's vintage": mapping.vintage}
    if (chosen := reconcile_vintage(given, file=name)) is not None:
        mapping.vintage = chosen
    if not (mapping.code_column or mapping.name_column):
        guess = [
            c
            for c in df.columns
            if c.lower() in ("bu_code", "buurtcode", "buurt_code", "gwb_code", "code", "wk_code")
        ]
        if not guess:
            raise DataError(
                Msg("err_tb_no_code_column"), file=name, fix=Msg("fix_tb_no_code_column")
            )
        mapping.code_column = guess[0]
    report: list[str | Msg] = []
    if mapping.code_column:
        require_columns(df, [mapping.code_column], file=name)
        codes = clean_codes(df[mapping.code_column], file=name, column=mapping.code_column)
    else:
        require_columns(df, [mapping.name_column], file=name)  # type: ignore[list-item]
        if areas is not None and mapping.vintage and "vintage" in areas:
            areas = areas[areas["vintage"] == mapping.vintage]  # names as in that layout
        if areas is None or areas.empty:
            raise DataError(
                Msg("err_tb_no_areas_for_names"),
                file=name,
                fix=Msg("fix_tb_no_areas_for_names"),
            )
        matched, unmatched = match_names(df[mapping.name_column], areas)
        if len(df) and matched.isna().all():
            raise DataError(
                Msg("err_tb_no_names_matched", names=listed(unmatched, 5)),
                file=name,
                column=mapping.name_column,
                fix=Msg("fix_tb_no_names_matched"),
            )
        if unmatched:
            report.append(Msg("imp_names_unmatched", n=len(unmatched), names=listed(unmatched, 20)))
        keep = matched.notna()
        df, codes = df[keep].reset_index(drop=True), matched[keep].reset_index(drop=True)
        if isinstance(periods, pd.Series):
            periods = periods[keep].reset_index(drop=True)
    vintage = (
        check_vintage(mapping.vintage, file=name)
        if mapping.vintage
        else int(pd.Series(periods).max())
    )
    columns = dict(mapping.columns)
    if not columns:
        columns = {c: ind for c in df.columns if (ind := indicator_for_column(c))}
        keys = {mapping.code_column, mapping.name_column, mapping.period_column}
        if rest := [c for c in df.columns if c not in columns and c not in keys]:
            report.append(Msg("imp_columns_unknown", n=len(rest), columns=listed(rest)))
    require_columns(df, list(columns), file=name)
    check_one_column_per_indicator(columns, file=name)
    obs = wide_to_observations(
        df,
        file=name,
        codes=codes,
        columns=columns,
        vintage=vintage,
        periods=periods,
        missing_values=mapping.missing_values,
    )
    report += constant_column_warnings(obs, columns) + zero_share_warnings(obs, columns)
    if mapping.missing_values:
        declared = [
            Msg("imp_declared_column", column=c, values=", ".join(_raw(float(v)) for v in vals))
            for c, vals in mapping.missing_values.items()
        ]
        report.append(Msg("imp_declared_missing", declared=listed(declared)))
    digest = file_hash(path)
    source = SourceInfo(
        source_id=f"table:{digest[:16]}",
        publisher=mapping.publisher,
        table_id=path.stem,
        title=mapping.title or path.name,
        period=",".join(str(p) for p in sorted(set(pd.Series(periods).tolist()))),
        file_name=path.name,
        file_hash=digest,
        kind="municipal-table",
        notes=f"codes as the {vintage} classification; columns {columns}",
    )
    return ImportBatch(source, areas_from_codes(codes, vintage), obs, report=report)
