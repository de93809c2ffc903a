"""Build the report: analyses → findings, maps, charts, tables → HTML, PDF, Excel, GeoPackage
and run.json in one folder. Chapters without data say what is missing and how to add it."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans import __version__
from buurtbalans.analysis.change import group_profiles
from buurtbalans.analysis.pipeline import (
    ChangeAnalysis,
    benchmark_analysis,
    change_analysis,
    priorities_analysis,
    veerkracht_analysis,
)
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
from buurtbalans.errors import BuurtbalansError, DataError
from buurtbalans.exports import write_tables
from buurtbalans.index.store_mode import choose_reference, load_columns
from buurtbalans.progress import track
from buurtbalans.report import figures as fg
from buurtbalans.report.findings import key_findings, unscored
from buurtbalans.report.terms import column_label, t
from buurtbalans.spec import IndexSpec, load_spec
from buurtbalans.store import Store

PROFILE_INDICATORS = [
    "p_hh_li",
    "p_hh_lkk",
    "g_hh_sti",
    "p_wcorpw",
    "p_koopw",
    "g_woz",
    "p_arb_pp",
    "gz_ervaren_goed",
    "lbm_onv",
]
FOCUS_LABELS = [
    f"{p} problemen, {v} kwetsbaar"
    for p in ("weinig", "bovengemiddelde", "veel")
    for v in ("zeer weinig", "weinig", "veel")
] + [FOCUS_TOP]
VEERKRACHT_MAPS = {
    "kaart1_overlast": ("1 Overlast en onveiligheid", list(OVERLAST_LABELS)),
    "kaart2_kwetsbaar": ("2 Bewoners in een kwetsbare positie", list(KWETSBAAR_LABELS)),
    "kaart3_focus": ("3 Focuskaart", FOCUS_LABELS),
    "kaart4_corporatie": ("4 Corporatiebezit", list(CORPORATIE_LABELS)),
    "kaart5_ontwikkeling_overlast": (
        "5 Ontwikkeling overlast en onveiligheid",
        list(DEV_OVERLAST_LABELS),
    ),
    "kaart6_ontwikkeling_kwetsbaar": (
        "6 Ontwikkeling kwetsbare bewoners",
        list(DEV_KWETSBAAR_LABELS),
    ),
    "kaart7_veerkracht": ("7 Veerkracht", list(TYPOLOGY_LABELS)),
}
VEERKRACHT_TITLES_EN = {
    "kaart1_overlast": "1 Nuisance and safety",
    "kaart2_kwetsbaar": "2 Residents in a vulnerable position",
    "kaart3_focus": "3 Focus map",
    "kaart4_corporatie": "4 Housing-corporation share",
    "kaart5_ontwikkeling_overlast": "5 Development of nuisance and safety",
    "kaart6_ontwikkeling_kwetsbaar": "6 Development of vulnerable residents",
    "kaart7_veerkracht": "7 Resilience",
}
# ordered palettes for ordered classes (ColorBrewer, colour-blind safe)
RDYLBU9 = [
    "#d73027",
    "#f46d43",
    "#fdae61",
    "#fee090",
    "#ffffbf",
    "#e0f3f8",
    "#abd9e9",
    "#74add1",
    "#4575b4",
]
YLORRD7 = ["#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"]
MDI_CLASSES = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
# one colour per class, in the order of the class labels: red = worse, blue/green = better
VEERKRACHT_COLOURS = {
    "kaart1_overlast": RDYLBU9,
    "kaart2_kwetsbaar": YLORRD7,
    "kaart3_focus": [
        "#1a9850",
        "#91cf60",
        "#d9ef8b",
        "#fee08b",
        "#fdae61",
        "#f46d43",
        "#f4a6a6",
        "#d73027",
        "#a50026",
        "#67001f",
    ],
    "kaart4_corporatie": MDI_CLASSES,
    "kaart5_ontwikkeling_overlast": [
        "#d73027",
        "#fc8d59",
        "#e0e0e0",
        "#e0f3f8",
        "#abd9e9",
        "#74add1",
        "#4575b4",
        "#313695",
    ],
    "kaart6_ontwikkeling_kwetsbaar": [
        "#4575b4",
        "#e0e0e0",
        "#fee090",
        "#fdae61",
        "#f46d43",
        "#d73027",
        "#a50026",
    ],
    "kaart7_veerkracht": [
        "#4575b4",
        "#91bfdb",
        "#e0e0e0",
        "#fdae61",
        "#f46d43",
        "#a50026",
        "#fee090",
        "#1b7837",
    ],
}


@dataclass(frozen=True)
class _Job:
    """What one report is about; shared by the figure, table and writer steps."""

    spec: IndexSpec
    gm_name: str
    van: int
    tot: int
    taal: str
    synthetic: bool


@dataclass
class Report:
    """What was written, and what a test checks."""

    folder: Path
    files: dict[str, Path]
    figures: list[fg.Figure]
    findings: list[str]
    notes: list[str]
    tables: dict[str, pd.DataFrame]
    run: dict[str, Any] = field(default_factory=dict)
    analysis: ChangeAnalysis | None = None


def _b64(fig: fg.Figure) -> dict[str, Any]:
    return {
        "b64": base64.b64encode(fig.png).decode(),
        "title": fig.title,
        "has_legend": fig.has_legend,
        "n_drawn": fig.n_drawn,
    }


def _number(v: float, taal: str) -> str:
    text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
    return text.translate(str.maketrans(",.", ".,")) if taal == "nl" else text


def _html_table(df: pd.DataFrame, taal: str = "nl", words: dict[str, str] | None = None) -> str:
    shown = df.rename(columns={c: column_label(str(c), taal) for c in df.columns})
    shown.columns = [str(c) for c in shown.columns]
    shown = shown.astype(
        {c: object for c in shown.columns if isinstance(shown[c].dtype, pd.CategoricalDtype)}
    )
    if taal == "en" and words:
        shown = shown.replace(words).rename(columns=words)
    return shown.to_html(
        index=False, classes="tabel", border=0, na_rep="–", float_format=lambda v: _number(v, taal)
    )


def build_report(
    store: Store,
    gemeente: str,
    van: int,
    tot: int,
    *,
    uit: Path = Path("rapport"),
    taal: str = "nl",
    vintage: int | None = None,
    spec: IndexSpec | None = None,
    synthetic: bool = False,
    pdf: bool = True,
    benchmark: bool = False,
    peers: list[str] | None = None,
) -> Report:
    """Build the full report for a gemeente (code ``GMxxxx``) between two years; with
    ``benchmark`` a chapter comparing the gemeente with NL and its peers (``peers`` or the
    nearest neighbours)."""
    uit = Path(uit)
    uit.mkdir(parents=True, exist_ok=True)
    spec = spec or load_spec("mdi")
    if spec.reference.startswith("national"):
        spec = spec.with_options(reference=choose_reference(store, [van, tot]))
    name = store.areas(gemeente, level="gemeente")["name"].dropna()
    gm_name = name.iloc[-1] if len(name) else gemeente
    job = _Job(spec, gm_name, van, tot, taal, synthetic)
    notes: list[str] = []
    state: dict[str, Any] = {"store": store}

    def analyse() -> None:
        state["a"] = change_analysis(store, spec, gemeente, van, tot, vintage=vintage)

    def prioritise() -> None:
        state["prio"] = priorities_analysis(store, state["a"], gemeente, tot)
        summary = state["prio"][0]
        if (summary["status"] != "ok").any():
            notes.append(t("no_cost", taal))

    def resilience() -> None:
        try:
            state["vk"] = veerkracht_analysis(store, gemeente, van, tot, vintage=state["a"].vintage)
        except DataError as exc:
            notes.append(t("no_lbm", taal, reason=str(exc)))

    def geometry() -> None:
        a = state["a"]
        try:
            gdf = store.boundaries(a.vintage, gemeente)
        except BuurtbalansError:
            gdf = None
        if gdf is None or gdf.empty:
            notes.append(t("no_boundaries", taal, vintage=a.vintage))
            state["gdf"] = None
            return
        gdf = gdf.sort_values("code").reset_index(drop=True)
        gdf["nr"] = range(1, len(gdf) + 1)
        state["gdf"] = gdf

    def draw() -> None:
        state["maps"], state["charts"] = _figures(state, job)

    def compare() -> None:
        if not (benchmark or peers):
            return
        try:
            state["bm"] = benchmark_analysis(store, gemeente, peers=peers, year=tot, taal=taal)
        except DataError as exc:
            notes.append(t("no_benchmark", taal, reason=str(exc)))

    steps = [
        ("analyse", analyse),
        ("prioritering", prioritise),
        ("veerkracht", resilience),
        ("benchmark", compare),
        ("kaarten", geometry),
        ("figuren", draw),
    ]
    for _label, step in track(steps, "rapport bouwen", len(steps)):
        step()
    a: ChangeAnalysis = state["a"]
    findings = key_findings(a, spec, van, tot, taal)
    if missing := unscored(a, van, tot):
        notes.append(
            t(
                "unmatched",
                taal,
                n=len(missing),
                codes=", ".join(missing[:15]) + (" …" if len(missing) > 15 else ""),
            )
        )
    tables = _tables(state, store, gemeente, job)
    run = {
        **a.index.run.to_dict(),
        "report": {
            "gemeente": gemeente,
            "naam": gm_name,
            "van": van,
            "tot": tot,
            "taal": taal,
            "vintage": a.vintage,
            "population_year": a.extras.get("population_year"),
            "synthetic": synthetic,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "package_version": __version__,
            "notes": notes,
        },
    }
    if synthetic:
        run = {"let op": t("synthetic", taal), **run}
    files = _write(uit, state, tables, findings, notes, run, job, pdf)
    return Report(uit, files, [*state["maps"], *state["charts"]], findings, notes, tables, run, a)


def _source_line(a: ChangeAnalysis, spec: IndexSpec, taal: str, synthetic: bool) -> str:
    tables = sorted({s["table_id"] for s in a.index.run.provenance.get("sources", [])})
    prefix = "SYNTHETISCH — " if synthetic else ""
    return (
        f"{prefix}{t('source', taal)}: {', '.join(tables)[:120]} | buurtbalans "
        f"{__version__} | spec {spec.hash()[:10]} | indeling {a.vintage}"
    )


def _figures(state: dict[str, Any], job: _Job) -> tuple[list[fg.Figure], list[fg.Figure]]:
    spec, van, tot, taal, synthetic = job.spec, job.van, job.tot, job.taal, job.synthetic
    a: ChangeAnalysis = state["a"]
    src = _source_line(a, spec, taal, synthetic)
    nd = t("no_data", taal)
    maps: list[fg.Figure] = []
    latest = a.index.table[a.index.table["period"] == tot].set_index("area_code")
    label = {d.id: (d.label_nl if taal == "nl" else d.label_en) or d.id for d in spec.domains}
    gdf = state.get("gdf")
    if gdf is not None:
        g = gdf.set_index("code")
        g["klasse"] = latest["class"].reindex(g.index)
        g["delta"] = a.change.set_index("area_code")["delta"].reindex(g.index)
        g = g.reset_index()
        classes = list(spec.classes.labels if taal == "nl" else spec.classes.labels_en)
        if taal == "en":
            g["klasse"] = g["klasse"].map(dict(zip(spec.classes.labels, classes, strict=True)))
        maps.append(
            fg.category_map(
                g,
                "klasse",
                classes,
                title=t("map_score", taal, tot=tot),
                source=src,
                no_data=nd,
                colours=MDI_CLASSES,
            )
        )
        maps.append(
            fg.numeric_map(
                g,
                "delta",
                title=t("map_change", taal, van=van, tot=tot),
                source=src,
                no_data=nd,
                diverging=True,
            )
        )
        for d in a.index.domains():
            if latest[d].notna().any():
                gd = g.assign(**{d: g["code"].map(latest[d])})
                maps.append(
                    fg.numeric_map(
                        gd,
                        d,
                        title=t("map_domain", taal, domain=label[d], tot=tot),
                        source=src,
                        no_data=nd,
                    )
                )
        if "vk" in state:
            vk = state["vk"][0].set_index("area_code")
            for col, (title, cats) in VEERKRACHT_MAPS.items():
                gv = g.assign(**{col: g["code"].map(vk[col])})
                gv[col] = gv[col].where(gv[col].isin(cats))
                if taal == "en":
                    gv[col] = gv[col].map(label_en, na_action="ignore")
                    cats = [label_en(c) for c in cats]
                    title = VEERKRACHT_TITLES_EN[col]
                colours = VEERKRACHT_COLOURS[col]
                maps.append(
                    fg.category_map(
                        gv,
                        col,
                        cats,
                        title=f"{t('veerkracht', taal)}: {title}",
                        source=src,
                        no_data=nd,
                        colours=colours,
                    )
                )
    charts = [
        fg.contributions_chart(
            latest.reset_index(),
            a.index.domains(),
            label,
            title=t("contributions", taal, tot=tot),
            source=src,
            worst=t("worst10", taal),
            best=t("best10", taal),
        ),
        fg.distribution_chart(
            a.change[f"score_{van}"],
            a.change[f"score_{tot}"],
            van=van,
            tot=tot,
            title=t("distribution", taal),
            source=src,
        ),
        fg.dumbbell_chart(
            a.change, van=van, tot=tot, title=t("dumbbell", taal, van=van, tot=tot), source=src
        ),
    ]
    if "prio" in state and not state["prio"][2].empty:
        charts.append(fg.overlap_chart(state["prio"][2], title=t("overlap", taal), source=src))
    state["bm_figures"] = _benchmark_figures(state, taal) if "bm" in state else []
    return maps, charts


def _benchmark_figures(state: dict[str, Any], taal: str) -> list[fg.Figure]:
    from buurtbalans.analysis.benchmark import group_values
    from buurtbalans.sources.codebook import catalogue

    bm = state["bm"]
    store: Store = state["store"]
    labels = {k: v.label_nl if taal == "nl" else v.label_en for k, v in catalogue().items()}
    tables = sorted({s for s in bm.comparison["jaar"].astype(str)})
    src = f"{t('source', taal)}: CBS/RIVM ({', '.join(tables)}) | buurtbalans {__version__}"
    figs = [fg.rank_heat(bm.ranks, labels, title=t("bm_heat", taal), source=src)]
    comp = bm.comparison.set_index("indicator")
    for ind in bm.standouts["indicator"].head(6):
        row = comp.loc[ind]
        vals = group_values(store, bm.gemeente, bm.peers, ind, int(row["jaar"]))
        figs.append(
            fg.benchmark_bar(
                vals,
                nl=row["nl"],
                nl_label=t("nl", taal),
                title=f"{labels.get(ind, ind)} ({int(row['jaar'])})",
                source=src,
            )
        )
    return figs


def _tables(
    state: dict[str, Any], store: Store, gemeente: str, job: _Job
) -> dict[str, pd.DataFrame]:
    van, tot = job.van, job.tot
    a: ChangeAnalysis = state["a"]
    ch = a.change
    buurten = ch[
        [
            "area_code",
            "name",
            f"score_{van}",
            f"score_{tot}",
            "delta",
            f"class_{van}",
            f"class_{tot}",
            "direction",
            "inwoners",
        ]
    ].copy()
    ranks = a.index.table[a.index.table["period"] == tot].set_index("area_code")["rank"]
    buurten.insert(4, "rang", buurten["area_code"].map(ranks))
    if state.get("gdf") is not None:
        nr = state["gdf"].set_index("code")["nr"]
        buurten.insert(0, "nr", buurten["area_code"].map(nr))
    buurten = buurten.sort_values(f"score_{tot}", ascending=False)
    tables = {
        "buurten": buurten,
        "richting": a.summary,
        "overgangen": a.transitions.reset_index(),
        "decompositie": a.decomposition,
        "kloof": a.polarisation.gaps,
        "ongelijkheid": a.polarisation.inequality,
    }
    if "prio" in state:
        summary, _sels, ov, rob = state["prio"]
        tables.update({"prioritering": summary, "overlap": ov, "robuustheid": rob})
    data = load_columns(store, PROFILE_INDICATORS, gemeente, [tot], vintage=a.vintage)
    if not data.empty:
        scores = a.index.table[a.index.table["period"] == tot]
        prof = group_profiles(scores, data, PROFILE_INDICATORS)
        if not prof.empty:
            tables["profielen"] = prof
    if "bm" in state:
        bm = state["bm"]
        tables.update(
            {
                "benchmark": bm.comparison,
                "benchmarkgemeenten": bm.peers.table,
                "opvallend": bm.standouts,
                "benchmark_trends": bm.trends,
            }
        )
    if "vk" in state:
        maps, _settings, cross = state["vk"]
        counts = pd.concat(
            [
                maps[c]
                .value_counts()
                .rename_axis("klasse")
                .reset_index(name="buurten")
                .assign(kaart=c)
                for c in VEERKRACHT_MAPS
            ],
            ignore_index=True,
        )
        tables["veerkracht"] = counts[["kaart", "klasse", "buurten"]]
        tables["veerkracht_corporatie"] = cross.reset_index()
    return tables


def _method(
    spec: IndexSpec, a: ChangeAnalysis, taal: str
) -> tuple[list[str], list[tuple[str, str]]]:
    paras = [
        f"Index: {spec.name} ({spec.description}). Schaal per domein: {spec.transform}; "
        f"referentie: {spec.reference}; standaardisatie binnen domeinen: {spec.standardise}; "
        f"ontbrekende gegevens: {spec.missing}; minimum inwoners: {spec.min_population:g}.",
        "Score = Σ gewicht × domeinscore / 100; klasse 'zeer hoog' bij een score boven "
        f"{spec.classes.edges[-1]:g}{' (inclusief)' if spec.classes.inclusive else ''}.",
        *a.index.warnings,
    ]
    weights = pd.DataFrame([{"domein": d.id, "gewicht": d.weight} for d in spec.domains])
    inds = pd.DataFrame(
        [
            {
                "indicator": i.id,
                "domein": i.domain,
                "polariteit": i.polarity,
                "proxy": "ja" if i.proxy else "",
                "toelichting": i.note,
            }
            for i in spec.indicators
        ]
    )
    sources = pd.DataFrame(a.index.run.provenance.get("sources", []))
    from buurtbalans.sources.codebook import catalogue

    breaks = pd.DataFrame(
        [
            {"indicator": k, "jaar": v.break_year, "breuk": v.break_note}
            for k, v in catalogue().items()
            if v.break_year and k in spec.raw_inputs()
        ]
    )
    out = [("gewichten", _html_table(weights)), ("indicatoren", _html_table(inds))]
    if not sources.empty:
        out.append(("bronnen", _html_table(sources.drop(columns=["file_hash"], errors="ignore"))))
    if not breaks.empty:
        out.append(("definitiebreuken", _html_table(breaks)))
    return paras, out


def _write(
    uit: Path,
    state: dict[str, Any],
    tables: dict[str, pd.DataFrame],
    findings: list[str],
    notes: list[str],
    run: dict[str, Any],
    job: _Job,
    pdf: bool,
) -> dict[str, Path]:
    spec, gm_name, van, tot = job.spec, job.gm_name, job.van, job.tot
    taal, synthetic = job.taal, job.synthetic
    from buurtbalans._compat import import_optional

    jinja2 = import_optional("jinja2")
    a: ChangeAnalysis = state["a"]
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("buurtbalans.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
    )
    method, method_tables = _method(spec, a, taal)
    words = {t(k, "nl"): t(k, "en") for k in ("improved", "worsened", "stable")}
    words.update(zip(spec.classes.labels, spec.classes.labels_en, strict=True))
    footer = (
        t("footer_synthetic", taal) + " | " if synthetic else ""
    ) + f"buurtbalans {__version__} | spec {spec.hash()[:10]}"
    html = env.get_template("rapport.html.j2").render(
        taal=taal,
        title=t("title", taal, gemeente=gm_name),
        subtitle=t("subtitle", taal, van=van, tot=tot, vintage=a.vintage),
        synthetic=synthetic,
        synthetic_text=t("synthetic", taal),
        footer=footer,
        t={k: t(k, taal) for k in ("findings", "maps", "charts", "tables", "method")},
        findings=findings,
        notes=notes,
        no_maps=t("no_boundaries", taal, vintage=a.vintage),
        maps=[_b64(f) for f in state["maps"]],
        charts=[_b64(f) for f in state["charts"]],
        tables=[
            (k, _html_table(v, taal, words))
            for k, v in tables.items()
            if k in ("buurten", "prioritering", "profielen", "veerkracht", "overgangen")
        ],
        method=method,
        method_tables=method_tables,
        benchmark=_benchmark_section(state, taal, words),
        bm_peers=t("bm_peers", taal),
        bm_standouts=t("bm_standouts", taal),
        provenance=f"spec-hash {spec.hash()} · buurtbalans {__version__} · "
        f"{run['report']['built_at']}",
    )
    files = {"html": uit / "rapport.html"}
    files["html"].write_text(html, "utf-8")
    if pdf:
        weasyprint = import_optional("weasyprint")
        files["pdf"] = uit / "rapport.pdf"
        weasyprint.HTML(string=html, base_url=str(uit)).write_pdf(files["pdf"])
    prov = {k: v for k, v in run.items() if k not in ("spec", "steps")}
    files["xlsx"] = write_tables(tables, uit / "tabellen.xlsx", provenance=prov)
    if state.get("gdf") is not None:
        files["gpkg"] = _geopackage(uit / "kaarten.gpkg", state)
    files["run"] = uit / "run.json"
    files["run"].write_text(json.dumps(run, indent=2, default=str), "utf-8")
    return files


def _benchmark_section(
    state: dict[str, Any], taal: str, words: dict[str, str]
) -> dict[str, Any] | None:
    if "bm" not in state:
        return None
    bm = state["bm"]
    shown = bm.comparison[
        [
            "thema",
            "omschrijving",
            "jaar",
            "waarde",
            "nl",
            "benchmark_min",
            "benchmark_gem",
            "benchmark_max",
            "rang",
            "n_groep",
            "opmerking",
        ]
    ]
    return {
        "title": t("benchmark", taal),
        "standouts": bm.standouts["zin"].tolist(),
        "peers": ", ".join(bm.peers.table["naam"].fillna(bm.peers.table["code"]).tolist()[1:]),
        "criteria": bm.peers.notes,
        "figures": [_b64(f) for f in state.get("bm_figures", [])],
        "table": _html_table(shown, taal, words),
    }


def _geopackage(path: Path, state: dict[str, Any]) -> Path:
    a: ChangeAnalysis = state["a"]
    gdf = state["gdf"][["code", "nr", "name", "geometry"]]
    path.unlink(missing_ok=True)
    wide = a.change.drop(columns=[c for c in a.change.columns if c.startswith("bijdrage_")])
    layer = gdf.merge(wide, left_on="code", right_on="area_code", how="left")
    layer.drop(columns=["area_code"]).to_file(path, layer="mdi", driver="GPKG")
    if "vk" in state:
        vk = gdf.merge(
            state["vk"][0].drop(columns=["name"]), left_on="code", right_on="area_code", how="left"
        ).drop(columns=["area_code"])
        vk.to_file(path, layer="veerkracht", driver="GPKG")
    return path
