from __future__ import annotations

import pandas as pd
import pytest

from buurtbalans.analysis.priorities import (
    NO_COST,
    Option,
    overlap,
    prioritise,
    robustness,
)
from buurtbalans.errors import DataError

TOWN = pd.DataFrame(
    {
        "area_code": [f"BU999901{i:02d}" for i in range(1, 8)],
        "score": [90, 85, 80, 70, 65, 62, 30],
        "class": ["zeer hoog"] * 6 + ["laag"],
        "inwoners": [100, 200, 3000, 2500, 150, 2000, 1000],
        "delta": [-20, -15, 5, -10, 8, 10, -30],
        "kosten": [1000, 1000, 6000, 50000, 4500, 2000, 3000],
    }
)


def test_four_options_by_hand():
    summary, sels = prioritise(TOWN, n=3)
    s = summary.set_index("optie")
    picks = {sel.option.id: sel.buurten["area_code"].str[-1].tolist() for sel in sels}
    assert picks == {
        "hoogste_score": ["1", "2", "3"],
        "meeste_inwoners": ["3", "4", "6"],
        "hoogste_kosten": ["5", "4", "1"],
        "minste_verbetering": ["6", "5", "3"],
    }
    assert (s.loc["hoogste_score", "score_min"], s.loc["hoogste_score", "score_max"]) == (80, 90)
    assert s.loc["hoogste_score", "inwoners"] == 3300
    assert s.loc["hoogste_score", "aandeel_inwoners"] == pytest.approx(100 * 3300 / 8950)
    assert s.loc["hoogste_score", "kosten_per_inwoner"] == pytest.approx(8000 / 3300)
    assert s.loc["hoogste_score", "kosten_per_inwoner_gemeente"] == pytest.approx(67500 / 8950)
    # the top-3 by score and by residents overlap in exactly one buurt
    top = {sel.option.id: set(sel.buurten["area_code"]) for sel in sels}
    assert top["hoogste_score"] & top["meeste_inwoners"] == {"BU99990103"}
    ov = overlap(sels).set_index("area_code")
    assert ov.loc["BU99990103", "aantal_lijsten"] == 3
    assert "BU99990107" not in ov.index  # not a candidate


def test_ties_break_by_code():
    tied = TOWN.assign(score=[80] * 6 + [30])
    _, sels = prioritise(tied, n=2, options=[Option("s", "score")])
    assert sels[0].buurten["area_code"].tolist() == ["BU99990101", "BU99990102"]


def test_without_cost_table_the_option_says_so():
    summary, sels = prioritise(TOWN.drop(columns="kosten"), n=3)
    row = summary.set_index("optie").loc["hoogste_kosten"]
    assert row["status"] == NO_COST and "import file" in row["status"]
    assert sels[2].buurten.empty


def test_custom_and_multicriteria_options():
    opts = [
        Option("laagste_score", "score", ascending=True),
        Option("mix", weights={"score": 1.0, "inwoners": 1.0}),
    ]
    _, sels = prioritise(TOWN, n=2, options=opts)
    assert sels[0].buurten["area_code"].tolist() == ["BU99990106", "BU99990105"]
    assert len(sels[1].buurten) == 2
    with pytest.raises(DataError, match="needs column"):
        prioritise(TOWN, n=2, options=[Option("x", "g_woz")])


def _result(p_top, p_high, top=2):
    from buurtbalans.analysis.uncertainty import UncertaintyResult

    per_year = pd.DataFrame(
        {
            "area_code": list("VWXYZ"),
            "period": 2024,
            "kans_zeer_hoog": p_high,
            f"kans_slechtste_{top}": p_top,
        }
    )
    return UncertaintyResult(per_year, None, pd.DataFrame(), {"top": top, "runs": 10})


def test_robustness_reads_the_uncertainty_result():
    """The probabilities are those of the one Monte Carlo, not a second one."""
    res = _result([1.0, 0.6, 0.4, 0.0, 0.0], [1.0, 0.9, 0.5, 0.5, 0.0])
    rob = robustness(res, 2024, ["V", "W", "X", "Y"]).set_index("area_code")
    assert rob.loc["W", "kans_top"] == 0.6 and rob.loc["W", "kans_zeer_hoog"] == 0.9
    assert rob["robuust"].to_dict() == {"V": True, "W": True, "X": False, "Y": False}
    assert "Z" not in rob.index  # neither a candidate nor ever in the list
    assert list(rob.index[:2]) == ["V", "W"]  # most likely first
    assert rob.attrs["top"] == 2


def test_priorities_and_onzekerheid_give_one_probability(demo_store):
    """prioriteiten's robustness and onzekerheid are the same Monte Carlo with the same
    assumptions: the same P(in the worst 10) for every buurt."""
    from buurtbalans.analysis.pipeline import (
        analysis_uncertainty,
        change_analysis,
        priorities_analysis,
    )
    from buurtbalans.analysis.uncertainty import uncertainty_for_gemeente
    from buurtbalans.analysis.uncertainty_assumptions import load_assumptions
    from buurtbalans.spec import load_spec

    spec = load_spec("mdi").with_options(reference="input-pooled")
    a = change_analysis(demo_store, spec, "GM9999", 2015, 2024)
    *_, rob = priorities_analysis(demo_store, a, "GM9999", 2024, n=10)
    own = uncertainty_for_gemeente(  # onzekerheid on the analysis' own spec and vintage
        demo_store,
        a.index.run.spec,
        "GM9999",
        2015,
        2024,
        load_assumptions(None),
        vintage=a.vintage,
    )
    assert analysis_uncertainty(demo_store, a, "GM9999").top == 10
    per = own.per_year[own.per_year["period"] == 2024].set_index("area_code")
    got = rob.set_index("area_code")
    assert len(got) >= 10
    pd.testing.assert_series_equal(
        got["kans_top"], per.loc[got.index, "kans_slechtste_10"], check_names=False
    )
    pd.testing.assert_series_equal(
        got["kans_zeer_hoog"], per.loc[got.index, "kans_zeer_hoog"], check_names=False
    )
    # the probabilities sum to the list length (10 places in every variant)
    assert per["kans_slechtste_10"].sum() == pytest.approx(10.0)


def test_a_buurt_without_a_score_is_never_picked_and_is_counted():
    town = TOWN.assign(status="ok")
    town.loc[0, ["score", "status"]] = [float("nan"), "onvoldoende gegevens"]
    town.loc[1, "status"] = "te weinig inwoners"
    summary, sels = prioritise(town, n=3)
    assert (summary["onvoldoende_gegevens"] == 2).all()
    for sel in sels:
        assert not {"BU99990101", "BU99990102"} & set(sel.buurten["area_code"])


def test_unknown_population_is_unknown_never_zero():
    """Issue 18: 'bereikt 0 inwoners, – %' where the store has no inwonertallen."""
    town = TOWN.drop(columns="kosten").assign(inwoners=float("nan"))
    summary, _sels = prioritise(town, n=3)
    s = summary.set_index("optie")
    assert pd.isna(s.loc["hoogste_score", "inwoners"])
    assert pd.isna(s.loc["hoogste_score", "aandeel_inwoners"])
    assert s.loc["hoogste_score", "inwoners_onbekend"] == 3
    # 'meeste inwoners' cannot rank without population: its own reason, not the cost one
    assert s.loc["meeste_inwoners", "status"] == "geen gegevens voor inwoners"
    assert s.loc["hoogste_kosten", "status"] == NO_COST
    partial = TOWN.assign(inwoners=[100, None, 3000, 2500, 150, 2000, 1000])
    p = prioritise(partial, n=3)[0].set_index("optie").loc["hoogste_score"]
    assert p["inwoners"] == 3100 and p["inwoners_onbekend"] == 1
