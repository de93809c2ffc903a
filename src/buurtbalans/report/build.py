"""Build the report: analyses → one :class:`ReportContext` → the chapter builders
(:data:`buurtbalans.report.chapters.CHAPTERS`) → HTML, PDF, Excel, GeoPackage and run.json
in one folder. Chapters without data say what is missing and how to add it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from buurtbalans import __version__
from buurtbalans.analysis.pipeline import (
    ChangeAnalysis,
    VeerkrachtYearsError,
    benchmark_analysis,
    change_analysis,
    priorities_analysis,
    veerkracht_analysis,
)
from buurtbalans.atomic import write_text
from buurtbalans.errors import BuurtbalansError, DataError
from buurtbalans.index.store_mode import choose_reference
from buurtbalans.progress import track
from buurtbalans.report import figures as fg
from buurtbalans.report.chapters import CHAPTERS, Builder
from buurtbalans.report.chapters.intro import add_reading_guide
from buurtbalans.report.context import Chapter, ReportContext
from buurtbalans.report.findings import unscored
from buurtbalans.report.outputs import write_geopackage, write_workbook
from buurtbalans.report.render import render_html, write_pdf
from buurtbalans.spec import IndexSpec, load_spec
from buurtbalans.store import Store


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
    chapters: list[Chapter] = field(default_factory=list)


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
    benchmark: bool | None = None,
    peers: list[str] | None = None,
    chapters: list[Builder] | None = None,
    tolerance: float = 0.0,
    stad: bool | None = None,
) -> Report:
    """Build the full report for a gemeente (code ``GMxxxx``) between two years.

    ``benchmark``: True adds the chapter comparing the gemeente with NL and its peers
    (``peers`` or the nearest neighbours), False leaves it out, None (default) adds it when
    the store holds gemeente-level data for the gemeente and at least three others.
    ``chapters``: the builders to run (default :data:`CHAPTERS`). ``tolerance``: points a
    score must fall to count as verbeterd (default 0: verbeterd = score lower).
    ``stad``: True adds 'Staat van de stad' (themes against NL, region and peers over the
    years ``van``–``tot``), False leaves it out, None adds it when the store holds
    gemeente-level series for the gemeente."""
    uit = Path(uit)
    uit.mkdir(parents=True, exist_ok=True)
    spec = spec or load_spec("mdi")
    if spec.reference.startswith("national"):
        chosen = choose_reference(store, [van, tot])
        if chosen != "national":  # keep the spec's own national kind (pooled by default)
            spec = spec.with_options(reference=chosen)
    name = store.areas(gemeente, level="gemeente")["name"].dropna()
    gm_name = name.iloc[-1] if len(name) else gemeente
    notes: list[str] = []
    state: dict[str, Any] = {}

    def analyse() -> None:
        state["a"] = change_analysis(
            store, spec, gemeente, van, tot, vintage=vintage, tolerance=tolerance
        )

    def prioritise() -> None:
        state["prio"] = priorities_analysis(store, state["a"], gemeente, tot)
        if (state["prio"][0]["status"] != "ok").any():
            notes.append(_t("no_cost", taal))

    def resilience() -> None:
        try:
            state["vk"] = veerkracht_analysis(store, gemeente, van, tot, vintage=state["a"].vintage)
        except VeerkrachtYearsError as exc:  # the sources are there, not for both years
            have = "; ".join(f"{n}: {', '.join(map(str, ys)) or '–'}" for n, ys in exc.have.items())
            both = exc.both
            notes.append(
                _t("vk_years", taal, van=van, tot=tot, have=have)
                + (" " + _t("vk_years_try", taal, a=both[0], b=both[-1]) if len(both) > 1 else "")
            )
        except DataError:  # the note says what is missing and how to import it
            notes.append(_t("no_lbm", taal))

    def geometry() -> None:
        a = state["a"]
        try:
            gdf = store.boundaries(a.vintage, gemeente)
        except BuurtbalansError:
            gdf = None
        if gdf is None or gdf.empty:
            notes.append(_t("no_boundaries", taal, vintage=a.vintage))
            return
        gdf = gdf.sort_values("code").reset_index(drop=True)
        gdf["nr"] = range(1, len(gdf) + 1)
        state["gdf"] = gdf

    def compare() -> None:
        wanted = benchmark if benchmark is not None else _has_peers(store, gemeente)
        if not (wanted or peers):
            return
        try:
            state["bm"] = benchmark_analysis(store, gemeente, peers=peers, year=tot, taal=taal)
        except DataError:
            notes.append(_t("no_benchmark", taal))

    def city() -> None:
        from buurtbalans.analysis.stad import has_series, stad_analysis

        wanted = stad if stad is not None else has_series(store, gemeente)
        if not wanted:
            return
        try:
            state["stad"] = stad_analysis(store, gemeente, van, tot, peers=peers)
        except DataError as exc:
            notes.append(_t("stad_unavailable", taal, reason=str(exc)))

    steps = [
        ("analyse", analyse),
        ("prioritering", prioritise),
        ("veerkracht", resilience),
        ("benchmark", compare),
        ("staat van de stad", city),
        ("kaarten", geometry),
    ]
    for _label, step in track(steps, "rapport bouwen", len(steps)):
        step()
    a: ChangeAnalysis = state["a"]
    twin = store.twin() is not None  # the national twin is synthetic throughout
    # a gemeente of synthetic sources (the demo's) says so on every page, however asked for
    synthetic = synthetic or twin or gemeente in store.synthetic_gemeenten()
    ctx = ReportContext(
        gemeente=gemeente,
        gm_name=gm_name,
        van=van,
        tot=tot,
        taal=taal,
        spec=spec,
        analysis=a,
        synthetic=synthetic,
        twin=twin,
        store=store,
        priorities=state.get("prio"),
        veerkracht=state.get("vk"),
        benchmark=state.get("bm"),
        stad=state.get("stad"),
        gdf=state.get("gdf"),
        notes=notes,
    )
    if missing := unscored(ctx):
        names = ctx.buurt_list(missing, 15)
        notes.append(_t("unmatched", taal, n=len(missing), codes=names))
    ctx.source_line = _source_line(ctx)
    built = [c for c in (b(ctx) for b in (chapters or CHAPTERS)) if c is not None]
    add_reading_guide(ctx, built)  # names only the chapters present
    findings = next((c.blocks[0].items for c in built if c.id == "bevindingen"), [])
    tables = {k: v for c in built for k, v in c.tables.items()}
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
            "chapters": [c.id for c in built],
            "notes": notes,
        },
    }
    if synthetic:
        run = {"let op": ctx.t("synthetic"), **run}
    files = {"html": uit / "rapport.html"}
    html = render_html(ctx, built, run)
    write_text(files["html"], html)
    if pdf:
        files["pdf"] = write_pdf(html, uit / "rapport.pdf", uit)
    files["xlsx"] = write_workbook(ctx, uit / "tabellen.xlsx", tables, run)
    if ctx.gdf is not None:
        files["gpkg"] = write_geopackage(ctx, uit / "kaarten.gpkg")
    files["run"] = uit / "run.json"
    import json

    write_text(files["run"], json.dumps(run, indent=2, default=str))
    figures = [f for c in built for f in c.figures]
    return Report(uit, files, figures, findings, notes, tables, run, a, built)


def _t(key: str, taal: str, **values: object) -> str:
    from buurtbalans.report.terms import t

    return t(key, taal, **values)


def _has_peers(store: Store, gemeente: str) -> bool:
    """True when the store has gemeente-level data for ``gemeente`` and ≥ 3 others of its
    world (synthetic gemeenten never count for a real one)."""
    from buurtbalans.analysis.benchmark import has_peers

    try:
        return has_peers(store, gemeente)
    except Exception:
        return False


def _source_line(ctx: ReportContext) -> str:
    """The line under every map and chart: sources, version, spec, boundaries."""
    from buurtbalans.report.tables import source_label

    prov = ctx.analysis.index.run.provenance
    titles = [  # each source once, by its title with its table id (no file names, no ids)
        source_label(s.get("table_id"), s.get("title"), ctx.taal) for s in prov.get("sources", [])
    ]
    shown = "; ".join(dict.fromkeys(titles)) or "–"
    prefix = ctx.t("synthetic_short") + " — " if ctx.synthetic else ""
    return (
        f"{prefix}{ctx.t('source')}: {shown} | buurtbalans {__version__} | "
        f"spec {ctx.spec_hash[:8]} | {ctx.t('boundaries')} {ctx.analysis.vintage}"
    )
