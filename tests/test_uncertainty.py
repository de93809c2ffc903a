"""Uncertainty and sensitivity analysis: zero variation collapses every interval onto the
point result, the IoD's published ranks lie inside the weight-only intervals, a seed
reproduces a run, and the command prints and exports the tables."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from buurtbalans.analysis.uncertainty import (
    average_ranks,
    prepare,
    run_uncertainty,
    uncertainty_for_gemeente,
)
from buurtbalans.analysis.uncertainty_assumptions import (
    Assumptions,
    load_assumptions,
    parse_assumptions,
)
from buurtbalans.errors import SpecError
from buurtbalans.index import compute
from buurtbalans.spec import load_spec, parse_spec

IOD_DOMAINS = [
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
]
IOD_WEIGHTS = [22.5, 22.5, 13.5, 13.5, 9.3, 9.3, 9.3]


def toy_spec(transform: str = "percentile", missing: str = "reweight"):
    return parse_spec(
        {
            "index": {"name": "t", "transform": transform, "missing": missing},
            "domain": [{"id": "a", "weight": 60}, {"id": "b", "weight": 40}],
            "indicator": [
                {"id": "x1", "domain": "a", "polarity": "+"},
                {"id": "x2", "domain": "a", "polarity": "-"},
                {"id": "y", "domain": "b", "polarity": "+"},
            ],
        }
    )


def toy_frame(n: int = 40, seed: int = 1, periods: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": [f"B{i % n}" for i in range(n * periods)],
            "period": np.repeat(np.arange(2015, 2015 + periods), n),
            "x1": rng.normal(size=n * periods),
            "x2": rng.normal(size=n * periods),
            "y": rng.normal(size=n * periods),
        }
    )


def test_average_ranks_match_scipy_with_ties_and_missing():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 6, size=(3, 50, 4)).astype(float)
    a[rng.random(a.shape) < 0.2] = np.nan
    ranks, n = average_ranks(a)
    for b in range(3):
        for d in range(4):
            col = a[b, :, d]
            ok = ~np.isnan(col)
            assert np.allclose(ranks[b, ok, d], rankdata(col[ok]))
            assert np.isnan(ranks[b, ~ok, d]).all() and n[b, 0, d] == ok.sum()


values = st.one_of(st.integers(-3, 3).map(float), st.floats(-100, 100), st.just(np.nan))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(st.tuples(values, values, values), min_size=4, max_size=25),
    transform=st.sampled_from(["percentile", "exponential"]),
    missing=st.sampled_from(["reweight", "no-score"]),
)
def test_zero_variation_collapses_every_interval_onto_the_point_result(data, transform, missing):
    df = pd.DataFrame(data, columns=["x1", "x2", "y"]).assign(
        id=[f"B{i}" for i in range(len(data))]
    )
    spec = toy_spec(transform, missing)
    try:
        point = compute(df, spec, id_columns=["id"]).table
    except Exception:  # the engine refuses data without any indicator: nothing to vary
        return
    prep = prepare(df, spec, id_columns=["id"])
    r = run_uncertainty(prep, Assumptions.none_varying(spec, runs=16, seed=1))
    t = r.per_year.merge(point[["id", "score", "rank", "class", "status"]], on="id")
    # the engine gives tied scores one shared rank, the Monte Carlo ranks them in order:
    # the collapse is checked on the buurten whose score is their own
    tied = t["score"].duplicated(keep=False) & t["score"].notna()
    ranked = t["rank"].notna() & ~tied
    assert (t.loc[ranked, "rang_p05"] == t.loc[ranked, "rank"]).all()
    assert (t.loc[ranked, "rang_p95"] == t.loc[ranked, "rank"]).all()
    assert (t.loc[ranked, "rang_mediaan"] == t.loc[ranked, "rank"]).all()
    assert (t.loc[ranked, "rang"] == t.loc[ranked, "rank"]).all()
    assert t.loc[t["rank"].isna(), "rang_mediaan"].isna().all()  # the coverage contract
    top = (t["class"] == "zeer hoog").astype(float)
    assert (t["kans_zeer_hoog"] == top).all()
    in_top = (t["rank"] <= r.top).fillna(False).astype(float)
    assert (t.loc[~tied, r.top_column] == in_top[~tied]).all()


def test_a_seed_reproduces_a_run_and_another_seed_differs():
    spec = toy_spec()
    prep = prepare(toy_frame(60), spec, id_columns=["id"])
    a = load_assumptions(None).with_runs(200, 7)
    one, two = run_uncertainty(prep, a), run_uncertainty(prep, a)
    pd.testing.assert_frame_equal(one.per_year, two.per_year)
    pd.testing.assert_frame_equal(one.sensitivity, two.sensitivity)
    other = run_uncertainty(prep, a.with_runs(200, 8))
    assert not one.per_year["kans_zeer_hoog"].equals(other.per_year["kans_zeer_hoog"])
    assert one.settings["runs"] >= 200 and one.settings["seed"] == 7


def test_variation_widens_intervals_and_sobol_sees_the_weights():
    spec = toy_spec()
    prep = prepare(toy_frame(80, seed=3), spec, id_columns=["id"])
    a = replace(Assumptions.none_varying(spec, runs=512, seed=2), weight_spread=0.5)
    r = run_uncertainty(prep, a)
    width = r.per_year["rang_p95"] - r.per_year["rang_p05"]
    assert (width > 0).any() and (width >= 0).all()
    st_ = r.sensitivity.set_index("factor")
    assert set(st_.index) == {"gewicht a", "gewicht b"}
    assert (st_["ST"] > 0.05).all()


def test_change_between_two_years_and_focus_ranks():
    spec = toy_spec()
    df = toy_frame(30, seed=5, periods=2)
    focus = df["id"].isin([f"B{i}" for i in range(12)])
    prep = prepare(df, spec, id_columns=["id"], period_column="period", focus=focus)
    r = run_uncertainty(prep, load_assumptions(None).with_runs(150, 1))
    assert set(r.per_year["period"]) == {2015, 2016} and len(r.per_year) == 24
    assert r.per_year["rang_p95"].max() <= 12  # ranked within the focus set
    assert len(r.change) == 12
    assert r.change["kans_verslechterd"].between(0, 1).all()
    assert "aandeel richting anders 2015-2016" in set(r.sensitivity["uitkomst"])


def test_assumption_file_errors_say_how_to_fix():
    with pytest.raises(SpecError, match="scaling.*not known"):
        parse_assumptions({"scaling": {"options": ["log"]}})
    with pytest.raises(SpecError, match="spread"):
        parse_assumptions({"weights": {"spread": 2}})
    with pytest.raises(SpecError, match="unknown table"):
        parse_assumptions({"weight": {}})
    d = parse_assumptions({"weights": {"method": "dirichlet"}, "run": {"runs": 50}})
    assert d.weight_method == "dirichlet" and d.runs == 50


def test_dirichlet_weights_vary_around_the_preset():
    spec = toy_spec()
    prep = prepare(toy_frame(50), spec, id_columns=["id"])
    a = replace(Assumptions.none_varying(spec, runs=256), weight_method="dirichlet")
    r = run_uncertainty(prep, a)
    assert (r.per_year["rang_p95"] - r.per_year["rang_p05"]).max() > 0


@pytest.mark.shared
def test_iod2025_published_ranks_lie_inside_the_weight_intervals(imd):
    df = pd.read_csv(imd / "iod2025" / "imd2025_england_lsoa21.csv.gz")
    spec = parse_spec(
        {
            "index": {
                "name": "IMD",
                "transform": "exponential",
                "reference": "input",
                "weights": "as-printed",  # the IMD is published with weights summing to 99.9
            },
            "domain": [
                {"id": d, "weight": w} for d, w in zip(IOD_DOMAINS, IOD_WEIGHTS, strict=True)
            ],
            "indicator": [{"id": f"{d}_rank", "domain": d, "polarity": "-"} for d in IOD_DOMAINS],
        }
    )
    prep = prepare(df, spec, id_columns=["lsoa21_code"])
    a = replace(Assumptions.none_varying(spec, runs=250, seed=4), weight_spread=0.25)
    r = run_uncertainty(prep, a)
    t = r.per_year.merge(df[["lsoa21_code", "IMD_rank"]], on="lsoa21_code")
    assert (t["rang"] == t["IMD_rank"]).all()  # the base variant is the published IMD
    inside = t["IMD_rank"].between(t["rang_p05"], t["rang_p95"])
    assert inside.all()  # measured: all 33,755 inside (288 variants, seed 4)
    assert {"gemiddelde rangverschuiving", "aandeel klasse anders"} == set(
        r.sensitivity["uitkomst"]
    )
    assert (t["rang_p95"] - t["rang_p05"]).median() > 0  # the weights do move ranks


def test_demo_gemeente_two_years(demo_store):
    spec = load_spec("mdi").with_options(reference="input-pooled")
    a = load_assumptions(None).with_runs(100, 3)
    r = uncertainty_for_gemeente(demo_store, spec, "GM9999", 2015, 2024, a)
    assert r.per_year.groupby("period")["area_code"].nunique().to_dict() == {2015: 60, 2024: 60}
    assert r.settings["vintage"] == 2022 and r.settings["runs"] >= 100
    assert len(r.change) == 60
    worst = r.per_year[r.per_year["period"] == 2024].nsmallest(3, "rang")
    assert (worst[r.top_column] > 0.5).all()


def test_cli_prints_and_exports(demo_store_path, tmp_path):
    out = tmp_path / "onzekerheid.xlsx"
    cmd = [sys.executable, "-m", "buurtbalans", "onzekerheid", "-g", "Voorbeeldstad"]
    cmd += ["--van", "2015", "--tot", "2024", "--store", str(demo_store_path)]
    res = subprocess.run(
        [*cmd, "--runs", "60", "--seed", "5", "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "90%-interval" in res.stdout and "Sobol" in res.stdout
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert {"onzekerheid per jaar", "onzekerheid verandering", "bronnen"} <= set(sheets)
    assert "kans_slechtste_10" in sheets["onzekerheid per jaar"].columns
    bad = tmp_path / "a.toml"
    bad.write_text('[scaling]\noptions = ["log"]\n')
    res = subprocess.run([*cmd, "--aannames", str(bad)], capture_output=True, text=True)
    assert res.returncode == 1 and "Traceback" not in res.stderr and "log" in res.stderr


@pytest.mark.parametrize("taal", ["nl", "en"])
def test_report_chapter_has_chart_priority_table_and_computed_sentences(demo_store, taal):
    from buurtbalans.report.chapter_uncertainty import build_uncertainty_chapter

    spec = load_spec("mdi").with_options(reference="input-pooled")
    r = uncertainty_for_gemeente(
        demo_store, spec, "GM9999", 2015, 2024, load_assumptions(None).with_runs(100, 1)
    )
    chapter = build_uncertainty_chapter(r, taal)
    assert set(chapter) == {"title", "html", "figures", "tables"}
    fig = chapter["figures"][0]
    ax = fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    latest = r.per_year[r.per_year["period"] == 2024].sort_values("rang")
    assert labels[:5] == latest["name"].head(5).tolist()  # buurten by name, worst first
    prio = next(iter(chapter["tables"].values()))
    assert len(prio) >= 10
    best = latest.iloc[0]
    pct = f"{round(100 * best[r.top_column])} %"
    word = "varianten" if taal == "nl" else "variants"
    assert (
        f"{best['name']} " in chapter["html"] and pct in chapter["html"] and word in chapter["html"]
    )
    assert chapter["title"] == (
        "Hoe zeker is de index?" if taal == "nl" else "How sure is the index?"
    )
    # the chart says how many of all buurten it shows; the legend shows both colours as drawn
    from buurtbalans.report.chapters.uncertainty import LIST_COLOUR, MAX_CHART_ROWS, OTHER_COLOUR

    title = ax.get_title(loc="left").replace("\n", " ")
    assert f" {MAX_CHART_ROWS} " in title and f" {len(latest)}" in title, title
    handles = ax.get_legend().legend_handles
    assert len(handles) == 3
    assert {h.get_color() for h in handles[:2]} == {LIST_COLOUR, OTHER_COLOUR}
    assert " 1 buurten" not in chapter["html"] and " 1 neighbourhoods" not in chapter["html"]


def test_margins_are_used_where_given_and_their_absence_is_said():
    spec = toy_spec()
    df = toy_frame(50).assign(x1_marge=0.0)
    a = replace(
        Assumptions.none_varying(spec, runs=64, seed=1),
        relative_error=0.0,
        margins=(("x1", "x1_marge"), ("y", "y_marge")),
    )
    prep = prepare(df, spec, id_columns=["id"], margins=dict(a.margins))
    assert any("y_marge" in note for note in prep.notes)
    zero = run_uncertainty(prep, a)  # margin 0 and no relative error: nothing moves
    assert (zero.per_year["rang_p05"] == zero.per_year["rang_p95"]).all()
    assert "indicatorfout" in zero.settings["factors"]
    wide = df.assign(x1_marge=5.0)
    prep = prepare(wide, spec, id_columns=["id"], margins=dict(a.margins))
    moved = run_uncertainty(prep, a)
    assert (moved.per_year["rang_p95"] > moved.per_year["rang_p05"]).any()


def _full_and_focus(prep, runs=96, seed=3):
    """Every variant's focus scores by the full path (rank every reference row) and by
    the focused one (place the focus rows in the sorted reference)."""
    from buurtbalans.analysis.uncertainty import (
        SCALINGS,
        _active_ids,
        _Errors,
        focus_scores,
        make_design,
        variant_scores,
    )

    a = load_assumptions(None).with_runs(runs, seed)
    d = make_design(
        prep.spec,
        a,
        [prep.indicator_ids[i] for i in _active_ids(prep)],
        shrinkable=True,
        has_error=True,
    )
    focus = np.concatenate([rows for _, rows in prep.rank_sets])
    errors = _Errors(prep, a)
    idx = np.arange(d.n)
    full = np.concatenate(
        [variant_scores(prep, d, idx[i : i + 8], errors)[:, focus] for i in range(0, d.n, 8)]
    )
    fast = np.concatenate(
        [focus_scores(prep, d, idx[i : i + 8], errors, focus) for i in range(0, d.n, 8)]
    )
    assert set(np.unique(d.scaling)) - {SCALINGS.index("normal")}, "no variant takes the fast path"
    return full, fast


@pytest.mark.parametrize("missing", ["reweight", "no-score"])
def test_focus_scores_equal_the_full_ranking_with_ties_and_gaps(missing):
    df = toy_frame(60, seed=9, periods=2)
    df.loc[::7, "x1"] = np.nan  # gaps
    df.loc[::5, "y"] = df["y"].round(0)  # ties
    df["y"] = df["y"].round(1)
    focus = df["id"].isin([f"B{i}" for i in range(15)])
    for reference in ("input", "input-pooled"):
        spec = replace(toy_spec(missing=missing), reference=reference)
        prep = prepare(df, spec, id_columns=["id"], period_column="period", focus=focus)
        full, fast = _full_and_focus(prep)
        np.testing.assert_allclose(fast, full, rtol=0, atol=1e-9, equal_nan=True)


def test_focus_scores_equal_the_full_ranking_against_the_national_twin(twin_store):
    from buurtbalans.index.store_mode import in_gemeente, load_input

    spec = replace(load_spec("mdi"), reference="national-pooled")
    wide = load_input(twin_store, spec, "GM0141", [2016, 2024], vintage=2024)
    wide = wide.drop(columns="vintage")
    focus = in_gemeente(wide["area_code"], "GM0141").to_numpy()
    prep = prepare(
        wide, spec, id_columns=["area_code", "name"], period_column="period", focus=focus
    )
    assert prep.n > 10 * int(focus.sum())  # the reference is far larger than the gemeente
    full, fast = _full_and_focus(prep, runs=48)
    np.testing.assert_allclose(fast, full, rtol=0, atol=1e-9, equal_nan=True)


@settings(max_examples=50, deadline=None)
@given(
    keys=st.lists(st.tuples(st.integers(0, 1), st.integers(-1, 3)), min_size=1, max_size=60),
    max_keys=st.integers(1, 5),
    max_variants=st.integers(1, 9),
)
def test_blocks_hold_every_variant_once_and_equal_keys_together(keys, max_keys, max_variants):
    from buurtbalans.analysis.uncertainty import _blocks

    k = np.array(keys, dtype=np.int64)
    blocks = _blocks(k, max_keys, max_variants)
    assert sorted(np.concatenate(blocks).tolist()) == list(range(len(k)))
    for b in blocks:
        assert len(b) <= max_variants
        assert len(np.unique(k[b], axis=0)) <= max_keys
    # a key is split over blocks only where a block is full of variants
    seen = [tuple(map(tuple, np.unique(k[b], axis=0))) for b in blocks]
    for key in {tuple(r) for r in k}:
        holders = [i for i, s in enumerate(seen) if key in s]
        assert holders == list(range(holders[0], holders[-1] + 1))


def test_variants_that_share_domain_values_score_as_each_alone():
    """Variants differing only in weights or scaling share one computation of their
    domain values (``domain_keys``); their scores are those of each variant computed on
    its own."""
    from buurtbalans.analysis.uncertainty import (
        _active_ids,
        _Errors,
        domain_keys,
        focus_scores,
        make_design,
    )

    df = toy_frame(60, seed=4, periods=2)
    focus = df["id"].isin([f"B{i}" for i in range(20)]).to_numpy()
    spec = replace(toy_spec(), reference="input")
    prep = prepare(df, spec, id_columns=["id"], period_column="period", focus=focus)
    a = load_assumptions(None).with_runs(64, 5)
    ids = [prep.indicator_ids[i] for i in _active_ids(prep)]
    d = make_design(prep.spec, a, ids, shrinkable=True, has_error=True)
    rows = np.concatenate([r for _, r in prep.rank_sets])
    idx = np.arange(d.n)
    assert len(np.unique(domain_keys(d, idx), axis=0)) < 0.6 * d.n  # sharing is common
    errors = _Errors(prep, a)
    together = focus_scores(prep, d, idx, errors, rows)
    alone = np.concatenate([focus_scores(prep, d, idx[i : i + 1], errors, rows) for i in idx])
    np.testing.assert_array_equal(together, alone)


def test_a_gemeente_s_monte_carlo_is_kept_until_the_store_or_the_question_changes(
    demo_store_path, tmp_path
):
    import shutil

    from buurtbalans.store import Store

    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_store_path, path)
    spec = load_spec("mdi").with_options(reference="input-pooled")
    a = load_assumptions(None).with_runs(64, 3)
    with Store(path) as store:
        first = uncertainty_for_gemeente(store, spec, "GM9999", 2015, 2024, a)
        again = uncertainty_for_gemeente(store, spec, "GM9999", 2015, 2024, a)
        other_seed = uncertainty_for_gemeente(store, spec, "GM9999", 2015, 2024, a.with_runs(64, 4))
    assert first.settings["cache"].startswith("berekend")
    assert again.settings["cache"] == "hergebruikt uit memory"
    assert other_seed.settings["cache"].startswith("berekend")
    pd.testing.assert_frame_equal(first.per_year, again.per_year)
    pd.testing.assert_frame_equal(first.change, again.change)
    again.per_year.loc[:, "rang"] = -1  # a caller changing its copy leaves the kept one be
    with Store(path) as store:  # a new process reads it from disk ...
        from buurtbalans.index import cache as cache_mod

        cache_mod._CACHES.clear()
        disk = uncertainty_for_gemeente(store, spec, "GM9999", 2015, 2024, a)
        assert disk.settings["cache"] == "hergebruikt uit disk"
        pd.testing.assert_frame_equal(first.per_year, disk.per_year)
        store.con.execute(  # ... and any change of the store's content computes anew
            "DELETE FROM observations WHERE rowid = (SELECT min(rowid) FROM observations)"
        )
        changed = uncertainty_for_gemeente(store, spec, "GM9999", 2015, 2024, a)
    assert changed.settings["cache"].startswith("berekend")


def _plain_perturbed(prep, a: Assumptions, h: bool, level: int) -> np.ndarray:
    """One error realisation the plain way: every row in row order, read off the full
    (unreduced) value → score mapping of its group."""
    raw = prep.raw[h]
    sigma = np.abs(raw) * a.relative_error
    if prep.sigma_margin is not None:
        sigma = np.where(np.isnan(prep.sigma_margin), sigma, prep.sigma_margin)
    noisy = raw + sigma * np.random.default_rng([a.seed, level]).standard_normal(raw.shape)
    out = prep.std[h].copy()
    for rows in prep.groups:
        for i in range(raw.shape[1]):
            x, z = raw[rows, i], prep.std[h][rows, i]
            ok = ~np.isnan(x) & ~np.isnan(z)
            order = np.argsort(x[ok], kind="stable")
            if ok.sum() > 1:
                col = noisy[rows, i]
                got = np.interp(col, x[ok][order], z[ok][order])
                out[rows, i] = np.where(np.isnan(col), np.nan, got)
    return out


def _ties_gaps_margins(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df.loc[::7, "x1"] = np.nan  # gaps
    df["y"] = df["y"].round(0)  # a few distinct values: ties everywhere
    df.loc[df.index[:3], "x2"] = 0.5  # a short run of equal values
    df["x2_moe"] = np.where(np.arange(len(df)) % 3 == 0, np.nan, 0.2)
    return df


@pytest.mark.parametrize("reference", ["input", "input-pooled"])
def test_an_error_realisation_is_the_plain_interpolation_of_every_row(reference):
    """The fast read-off (ties merged into one point, rows asked in value order) gives
    exactly the numbers of interpolating every row on the full mapping."""
    from buurtbalans.analysis.uncertainty import _Errors

    df = _ties_gaps_margins(toy_frame(80, seed=4, periods=2))
    spec = replace(toy_spec(), reference=reference)
    prep = prepare(df, spec, id_columns=["id"], period_column="period", margins={"x2": "x2_moe"})
    a = Assumptions(relative_error=0.3)
    errors = _Errors(prep, a)
    for h in (False, True):
        for level in (0, 5):
            np.testing.assert_array_equal(errors.get(h, level), _plain_perturbed(prep, a, h, level))


def test_an_error_realisation_on_the_national_twin_is_the_plain_interpolation(twin_store):
    from buurtbalans.analysis.uncertainty import _Errors
    from buurtbalans.index.store_mode import in_gemeente, load_input

    spec = load_spec("mdi")
    wide = load_input(twin_store, spec, "GM0141", [2016, 2024], vintage=2024)
    focus = in_gemeente(wide["area_code"], "GM0141").to_numpy()
    prep = prepare(
        wide.drop(columns="vintage"),
        spec,
        id_columns=["area_code", "name"],
        period_column="period",
        focus=focus,
    )
    a = Assumptions()
    np.testing.assert_array_equal(
        _Errors(prep, a).get(False, 3), _plain_perturbed(prep, a, False, 3)
    )
