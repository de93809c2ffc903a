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


def test_robustness():
    domains = pd.DataFrame(
        {"a": [90, 80, 50, 49, 10], "b": [90, 20, 50, 51, 10]}, index=list("VWXYZ")
    )
    rob = robustness({"p": domains}, {"a": 50, "b": 50}, n=2, draws=400, seed=1).set_index(
        "area_code"
    )
    assert rob.loc["V", "kans_top"] == 1.0 and rob.loc["Z", "kans_top"] == 0.0
    assert 0 < rob.loc["W", "kans_top"] < 1  # W leads on a but trails on b
    again = robustness({"p": domains}, {"a": 50, "b": 50}, n=2, draws=400, seed=1)
    assert again.set_index("area_code").equals(rob)
    assert rob["kans_top"].sum() == pytest.approx(2.0)


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
