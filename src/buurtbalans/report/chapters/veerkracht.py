"""Veerkracht (seed 003): seven maps, each with its years, what 'gemiddeld' is measured
against and the buurten that stand out; the crosstab with corporation ownership and the
matrix of 'handelingsperspectieven' (configurable, ``report/perspectives.toml``)."""

from __future__ import annotations

import tomllib
from importlib.resources import files
from pathlib import Path

import pandas as pd

from buurtbalans.analysis.veerkracht import (
    CORPORATIE_LABELS,
    DEV_KWETSBAAR_LABELS,
    DEV_OVERLAST_LABELS,
    FOCUS_TOP,
    KWETSBAAR_LABELS,
    OVERLAST_LABELS,
    TYPOLOGY_LABELS,
    label_en,
)
from buurtbalans.report.chapters._maps import MDI_CLASSES, category
from buurtbalans.report.context import Chapter, ReportContext

FOCUS_LABELS = [
    f"{p} problemen, {v} kwetsbaar"
    for p in ("weinig", "bovengemiddelde", "veel")
    for v in ("zeer weinig", "weinig", "veel")
] + [FOCUS_TOP]
RDYLBU9 = [
    "#a50026",
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#ffffbf",
    "#e0f3f8",
    "#abd9e9",
    "#74add1",
    "#313695",
]
# problems × vulnerable: blues (few problems), yellow-orange (above average), pink-red (many),
# black for the top class; every pair ΔE > 8 also under protan-, deuter- and tritanopia
# (tests/test_report_colours.py)
FOCUS_COLOURS = [
    "#deebf7",
    "#6baed6",
    "#08519c",
    "#ffffa0",
    "#fdb863",
    "#d95f0e",
    "#fcc5c0",
    "#dd3497",
    "#67001f",
    "#000000",
]
# (column, title key, labels, colours, year kind, labels that stand out)
MAPS = (
    ("kaart1_overlast", "vk1", OVERLAST_LABELS, RDYLBU9, "tot", OVERLAST_LABELS[:2]),
    (
        "kaart2_kwetsbaar",
        "vk2",
        KWETSBAAR_LABELS,
        ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"],
        "tot",
        KWETSBAAR_LABELS[-2:],
    ),
    ("kaart3_focus", "vk3", tuple(FOCUS_LABELS), FOCUS_COLOURS, "tot", (FOCUS_TOP,)),
    ("kaart4_corporatie", "vk4", CORPORATIE_LABELS, MDI_CLASSES, "tot", CORPORATIE_LABELS[-1:]),
    (
        "kaart5_ontwikkeling_overlast",
        "vk5",
        DEV_OVERLAST_LABELS,
        ["#d73027", "#fc8d59", "#e0e0e0", "#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695"],
        "period",
        DEV_OVERLAST_LABELS[:2],
    ),
    (
        "kaart6_ontwikkeling_kwetsbaar",
        "vk6",
        DEV_KWETSBAAR_LABELS,
        ["#4575b4", "#e0e0e0", "#fee090", "#fdae61", "#f46d43", "#d73027", "#a50026"],
        "period",
        DEV_KWETSBAAR_LABELS[-2:],
    ),
    (
        "kaart7_veerkracht",
        "vk7",
        TYPOLOGY_LABELS,
        ["#4575b4", "#91bfdb", "#e0e0e0", "#fee090", "#fdae61", "#d73027", "#a6dba0", "#1b7837"],
        "period",
        TYPOLOGY_LABELS[3:6],
    ),
)


def load_perspectives(path: Path | None = None) -> dict:
    """The matrix of handelingsperspectieven (``perspectives.toml`` or your own file)."""
    if path is not None:
        return tomllib.loads(Path(path).read_text("utf-8"))
    return tomllib.loads(
        files("buurtbalans.report").joinpath("perspectives.toml").read_text("utf-8")
    )


def build_veerkracht(ctx: ReportContext) -> Chapter | None:
    """Chapter 'Veerkracht'."""
    if ctx.veerkracht is None:
        return None
    maps, settings, cross = ctx.veerkracht
    vk = maps.set_index("area_code")
    ch = Chapter("veerkracht", ctx.t("veerkracht"))
    ch.text(ctx.t("vk_intro", van=ctx.van, tot=ctx.tot))
    ref = str(settings.get("reference", "municipal"))
    ch.text(
        ctx.t(
            "vk_average",
            reference=ctx.t(
                "vk_ref_national" if ref.startswith("national") else "vk_ref_municipal",
                gemeente=ctx.gm_name,
                tot=ctx.tot,
            ),
            index=ctx.num(settings.get("reference_index"), 1),
            sigma=ctx.num(settings.get("sigma_onv"), 2),
            sigma_reference=ctx.t(
                "vk_sigma_national" if ref.startswith("national") else "vk_sigma_municipal",
                gemeente=ctx.gm_name,
                van=ctx.van,
            ),
        )
    )
    tr = (lambda s: label_en(s)) if ctx.taal == "en" else (lambda s: s)
    for col, key, labels, colours, kind, worst in MAPS:
        if col not in vk:
            continue
        years = f"{ctx.tot}" if kind == "tot" else f"{ctx.van}–{ctx.tot}"
        title = f"{ctx.t(key)}, {years}"
        ch.heading(title)
        standout = vk.index[vk[col].isin(worst)].tolist()
        text = ctx.t(f"{key}_text", gemeente=ctx.gm_name, van=ctx.van, tot=ctx.tot)
        if standout:
            text += " " + ctx.t(
                "vk_standout",
                classes=" / ".join(tr(w) for w in worst),
                n=len(standout),
                buurten=ctx.buurt_list(standout, 8),
            )
        ch.text(text)
        if ctx.gdf is not None:
            values = vk[col].where(vk[col].isin(labels)).map(tr, na_action="ignore")
            ch.figure(
                category(
                    ctx,
                    values,
                    [tr(x) for x in labels],
                    title,
                    ctx.tot,
                    list(colours),
                    show_all=True,
                    keep_colour=True,
                )
            )
    ch.tables["veerkracht"] = _counts(ctx, vk, tr)  # workbook only
    ch.heading(ctx.t("vk_cross"))
    info = cross.attrs
    if info.get("unit") == "corporatiewoningen":  # seed 003 counts dwellings, not buurten
        ch.text(ctx.t("vk_cross_dwellings_text", tot=ctx.tot))
        ch.text(
            ctx.t(
                "vk_cross_share",
                tot=ctx.tot,
                gemeente=ctx.gm_name,
                total=ctx.num(info.get("total"), 0),
                share60=ctx.num(info.get("share_60"), 0),
                share80=ctx.num(info.get("share_80"), 0),
            )
        )
        if unknown := list(info.get("unknown") or []):
            ch.note(ctx.t("vk_cross_unknown", n=len(unknown), buurten=ctx.buurt_list(unknown, 8)))
    else:
        ch.text(ctx.t("vk_cross_text", tot=ctx.tot))
        ch.note(ctx.t("vk_cross_no_dwellings"))
    ch.table(_crosstab(ctx, cross, tr), key="veerkracht_corporatie")
    ch.heading(ctx.t("vk_matrix"))
    persp = load_perspectives()
    ch.text(ctx.t("vk_matrix_intro"))
    ch.table(_matrix(ctx, persp), key="handelingsperspectieven")
    general = persp.get("general", {})
    if general.get(ctx.taal):
        ch.text(general[ctx.taal])
    if questions := general.get(f"questions_{ctx.taal}"):
        ch.text(ctx.t("vk_questions_all"))
        ch.items(list(questions))
    ch.text(ctx.t("vk_per_type_text"))
    ch.table(_per_type(ctx, persp, vk, tr), key="veerkracht_typen")
    return ch


def _counts(ctx: ReportContext, vk: pd.DataFrame, tr) -> pd.DataFrame:
    """Number of buurten per class on each map (for the workbook)."""
    rows = []
    for col, key, labels, *_ in MAPS:
        if col in vk:
            counts = vk[col].value_counts()
            rows += [
                {
                    ctx.t("col_map"): ctx.t(key),
                    ctx.t("class"): tr(label),
                    ctx.t("col_n_buurten"): int(counts.get(label, 0)),
                }
                for label in labels
            ]
    return pd.DataFrame(rows)


def _crosstab(ctx: ReportContext, cross: pd.DataFrame, tr) -> pd.DataFrame:
    shown = cross.copy()
    shown = shown.loc[:, [c for c in shown.columns if shown[c].sum() > 0]]
    shown.index = [tr(i) for i in shown.index]
    shown.columns = [
        ctx.t("no_data") if str(c) == "geen gegevens" else f"{ctx.t('corp_short')} {c}"
        for c in shown.columns
    ]
    shown = shown.map(lambda v: ctx.num(v, 0))
    shown.insert(0, ctx.t("col_vk_type"), shown.index)
    return shown.reset_index(drop=True)


def _matrix(ctx: ReportContext, persp: dict) -> pd.DataFrame:
    cells = persp.get("cell", {})
    rows = []
    for aim, phys, res in (
        ("vk_improve", "leefomgeving", "sociale_aanpak"),
        ("vk_break", "woningprogramma", "woninggebruik"),
    ):
        rows.append(
            {
                "": ctx.t(aim),
                ctx.t("vk_physical"): cells.get(phys, {}).get(ctx.taal, phys),
                ctx.t("vk_residents"): cells.get(res, {}).get(ctx.taal, res),
            }
        )
    return pd.DataFrame(rows)


def _per_type(ctx: ReportContext, persp: dict, vk: pd.DataFrame, tr) -> pd.DataFrame:
    """Per veerkracht type: how many buurten, what the map signals, the questions to ask
    and how the four perspectives combine (seed 003: always all four, no recipe)."""
    rows = []
    column = vk.get("kaart7_veerkracht", pd.Series(dtype=object))
    for label, item in persp.get("type", {}).items():
        questions = item.get(f"questions_{ctx.taal}") or []
        rows.append(
            {
                ctx.t("col_vk_type"): tr(label),
                ctx.t("col_n_buurten"): ctx.num(int((column == label).sum()), 0),
                ctx.t("col_signal"): item.get(f"signal_{ctx.taal}") or item.get(ctx.taal, ""),
                ctx.t("col_questions"): " ".join(questions) or "–",
                ctx.t("col_combination"): item.get(f"combination_{ctx.taal}", "–"),
            }
        )
    return pd.DataFrame(rows)
