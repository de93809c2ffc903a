"""The analyst's files next to the report: an Excel workbook (rounded values, headers in
the report's language, names beside codes, frozen header, filters, column widths,
provenance as readable rows, per-buurt domain scores for every year) and a GeoPackage
(domain scores, score, rank and class per year; veerkracht classes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans.atomic import atomic_path
from buurtbalans.report.context import ReportContext


def domain_scores(ctx: ReportContext) -> pd.DataFrame:
    """One row per buurt and year: map number, code, name, domain scores, score, rank,
    class and status, with headers in the report's language and values rounded."""
    a = ctx.analysis
    table = a.index.table
    domains = a.index.domains()
    nrs = ctx.map_numbers()
    rows = table.sort_values(["period", "area_code"])
    out = pd.DataFrame(
        {
            ctx.t("col_nr"): rows["area_code"].map(nrs),
            ctx.t("col_area_code"): rows["area_code"],
            ctx.t("col_name"): rows["area_code"].map(ctx.buurt_names()),
            ctx.t("col_year"): rows["period"].astype(int),
        }
    )
    for d in domains:
        out[ctx.domain_label(d)] = rows[d].round(1)
    out[ctx.t("score")] = rows["score"].round(1)
    out[ctx.t("rank")] = rows["rank"]
    out[ctx.t("class")] = rows["class"].map(ctx.class_label, na_action="ignore")
    if "status" in rows:
        out[ctx.t("col_status")] = rows["status"].map(
            lambda s: ctx.t("status_ok") if s == "ok" else ctx.t("insufficient")
        )
    if "coverage" in rows:
        out[ctx.t("col_coverage")] = (100 * rows["coverage"]).round(0)
    return out.reset_index(drop=True)


def _provenance_rows(ctx: ReportContext, run: dict[str, Any]) -> pd.DataFrame:
    """Provenance as readable rows: one per fact, one per source."""
    rep = run.get("report", {})
    rows = [
        (ctx.t("prov_gemeente"), f"{rep.get('naam')} ({rep.get('gemeente')})"),
        (ctx.t("prov_years"), f"{rep.get('van')}–{rep.get('tot')}"),
        (ctx.t("boundaries"), str(rep.get("vintage"))),
        (ctx.t("prov_population_year"), str(rep.get("population_year"))),
        (ctx.t("prov_spec"), f"{ctx.spec.name} ({ctx.spec_hash[:10]})"),
        (ctx.t("prov_version"), str(rep.get("package_version"))),
        (ctx.t("prov_built"), str(rep.get("built_at"))),
    ]
    if ctx.synthetic:
        rows.insert(0, (ctx.t("synthetic_short"), ctx.t("synthetic")))
    from buurtbalans.report.chapters.method import source_row

    for s in ctx.analysis.index.run.provenance.get("sources", []):
        title, publisher, period = source_row(ctx, s)
        rows.append((ctx.t("col_source"), f"{title} — {publisher}, {period}"))
    rows += [(ctx.t("prov_note"), n) for n in rep.get("notes", [])]
    return pd.DataFrame(rows, columns=[ctx.t("prov_field"), ctx.t("prov_value")])


def write_workbook(
    ctx: ReportContext, path: Path, tables: dict[str, pd.DataFrame], run: dict[str, Any]
) -> Path:
    """tabellen.xlsx: the domain scores per year, every report table, provenance."""
    from openpyxl.utils import get_column_letter

    sheets = {ctx.t("sheet_scores"): domain_scores(ctx)}
    for key, df in tables.items():
        name = ctx.t(f"sheet_{key}") if f"sheet_{key}" in _sheet_keys() else key
        sheets[name] = _numeric(df, ctx.taal)
    sheets[ctx.t("sheet_provenance")] = _provenance_rows(ctx, run)
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as xl:
        for name, df in sheets.items():
            sheet = name[:31]
            df.to_excel(xl, sheet_name=sheet, index=False)
            ws = xl.sheets[sheet]
            ws.freeze_panes = "A2"
            if len(df):
                ws.auto_filter.ref = ws.dimensions
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col)), *(len(str(v)) for v in df[col].head(200))])
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    return path


def _numeric(df: pd.DataFrame, taal: str) -> pd.DataFrame:
    """Display columns back to numbers where every value is one ('€ 8.576' → 8576,
    '18 %' → 18), so that the workbook can be sorted and summed; others stay text."""
    out = df.copy()
    for c in out.columns:
        text = out[c].astype(str).str.replace("€", "").str.replace("%", "").str.strip()
        if taal == "nl":
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            text = text.str.replace(",", "", regex=False)
        text = text.replace({"–": None, "": None})
        values = pd.to_numeric(text, errors="coerce")
        if values.notna().sum() and (values.notna() == text.notna()).all():
            out[c] = values
    return out


def _sheet_keys() -> set[str]:
    from buurtbalans.report.terms import TERMS

    return set(TERMS)


def write_geopackage(ctx: ReportContext, path: Path) -> Path:
    """kaarten.gpkg: layer 'mdi' (per buurt: number, name, per year domain scores, score,
    rank, class, status; change) and layer 'veerkracht' (the seven map classes)."""
    a = ctx.analysis
    gdf = ctx.gdf[["code", "nr", "name", "geometry"]].rename(columns={"name": "naam"})
    table = a.index.table
    cols = [*a.index.domains(), "score", "rank", "class", "status", "coverage"]
    wide = gdf[["code"]].copy()
    for year in sorted(table["period"].unique()):
        part = table[table["period"] == year].set_index("area_code")
        for c in cols:
            if c in part:
                v = part[c]
                wide[f"{c}_{int(year)}"] = wide["code"].map(
                    v.round(2) if v.dtype.kind == "f" else v
                )
    ch = a.change.set_index("area_code")
    wide["delta"] = wide["code"].map(ch["delta"].round(2))
    wide["richting"] = wide["code"].map(ch["direction"])
    wide["inwoners"] = wide["code"].map(ch["inwoners"])
    layer = gdf.merge(wide, on="code", how="left")
    with atomic_path(path) as tmp:  # a failed write keeps the previous file
        tmp.unlink()  # GDAL creates the GeoPackage itself
        layer.to_file(tmp, layer="mdi", driver="GPKG")
        if ctx.veerkracht is not None:
            vk = ctx.veerkracht[0].drop(columns=["name"], errors="ignore")
            gdf.merge(vk, left_on="code", right_on="area_code", how="left").drop(
                columns=["area_code"]
            ).to_file(tmp, layer="veerkracht", driver="GPKG")
    return path
