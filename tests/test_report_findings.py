"""Findings only when supported (issue 18, part B): the polarisation sentence only when its
interval excludes 0, unknown population never 0, each refusal its own reason, a reading
guide that promises only the chapters present, missing names said once, definition breaks
beside the change they cross. Unit checks on a small context, then the real report the
issue was found on (Almelo, health only, 2016 → 2020) and the demo (2015 → 2024)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.analysis.change import Polarisation
from buurtbalans.report import build_report
from buurtbalans.report.context import ReportContext
from buurtbalans.report.findings import break_caveat, breaks, polarisation_finding
from buurtbalans.spec import load_spec
from buurtbalans.store import Store

HEALTH_ONLY = dict(min_weight_share=0.1, required_domains=(), name="MDI, alleen gezondheid")
DIVERGE = "slechter begonnen, verbeterden minder"
CONVERGE = "slechter begonnen, verbeterden meer"


def _ctx(slope: float, lo: float, hi: float, van: int = 2016, tot: int = 2020, taal="nl"):
    p = Polarisation(
        gaps=pd.DataFrame({"gap_decile": [40.0, 42.0]}),
        inequality=pd.DataFrame(),
        slope=slope,
        slope_ci=(lo, hi),
        slope_n=60,
    )
    return ReportContext(
        "GM0001", "Aa", van, tot, taal, load_spec("mdi"), SimpleNamespace(polarisation=p)
    )


@pytest.mark.parametrize(
    "slope, lo, hi, says, not_says",
    [
        (-0.03, -0.07, 0.02, "omvat 0", DIVERGE),  # the Almelo case of the issue
        (0.10, 0.04, 0.16, DIVERGE, "omvat 0"),
        (-0.10, -0.16, -0.04, CONVERGE, DIVERGE),
    ],
)
def test_polarisation_sentence_only_when_the_interval_excludes_zero(slope, lo, hi, says, not_says):
    text = polarisation_finding(_ctx(slope, lo, hi))
    assert says in text and not_says not in text
    assert "gegroeid, van 40,0 naar 42,0 punten" in text  # the gap itself is descriptive


@given(st.floats(-1, 1), st.floats(0, 0.5), st.floats(0, 0.5))
def test_a_direction_is_claimed_iff_the_interval_is_on_one_side(mid, below, above):
    lo, hi = mid - below, mid + above
    text = polarisation_finding(_ctx(mid, lo, hi))
    assert (DIVERGE in text) == (lo > 0)
    assert (CONVERGE in text) == (hi < 0)
    assert ("omvat 0" in text) == (lo <= 0 <= hi)


def test_definition_breaks_are_named_beside_the_change_they_cross():
    ctx = _ctx(0, -1, 1, van=2015, tot=2024)
    assert ("a_opl_lg", 2023) in breaks(ctx, "opleiding")
    caveat = break_caveat(ctx, "opleiding")
    assert "2015 tot 2024" in caveat and "definitiebreuk" in caveat and "(2023)" in caveat
    assert break_caveat(ctx, "gezondheid") == ""
    # a change that does not cross the break says nothing
    assert break_caveat(_ctx(0, -1, 1, van=2023, tot=2024), "opleiding") == ""
    assert break_caveat(_ctx(0, -1, 1, van=2015, tot=2022), "opleiding") == ""


def _sentences(report) -> list[str]:
    return [s for c in report.chapters for s in c.sentences()]


def _guide(report) -> str:
    intro = next(c for c in report.chapters if c.id == "inleiding")
    return next(s for s in intro.sentences() if s.startswith("Hoe u dit rapport leest"))


@pytest.fixture(scope="module")
def almelo_report(national_health_store, tmp_path_factory):
    """The issue's case: health only, Almelo 2016 → 2020, no population, no names."""
    spec = load_spec("mdi").with_options(**HEALTH_ONLY)
    out = tmp_path_factory.mktemp("almelo")
    with Store(national_health_store, read_only=True) as store:
        return build_report(store, "GM0141", 2016, 2020, uit=out, spec=spec, pdf=False)


@pytest.mark.shared
def test_almelo_health_report_says_only_what_the_data_support(almelo_report):
    text = " ".join(_sentences(almelo_report))
    assert "None" not in text and not re.search(r"\bnan\b", text)
    # unknown population is unknown, never 0
    assert "bereikt 0 inwoners" not in text and "0 (– %)" not in text
    assert "Inwonertallen: niet in de store voor 2016 en 2020" in text
    table = almelo_report.tables["prioritering"]
    assert "onbekend" in table.iloc[0].tolist() and "onbekend" in table.iloc[-1].tolist()
    # option 2 needs population and says so; option 3 needs costs and says so
    assert "meeste inwoners: niet te berekenen, er zijn geen gegevens over inwonertallen" in text
    cost = "hoogste kosten sociaal domein per inwoner: niet te berekenen, er zijn geen kosten"
    assert cost in text
    assert "alle vier de lijsten" not in text and "konden er 2 worden berekend" in text
    # slope −0.03 with an interval through 0: no claim of divergence
    assert DIVERGE not in text and "omvat 0" in text
    # names missing: said once
    assert text.count("De bron bevat geen buurtnamen") == 1
    # the reading guide promises only the chapters present
    ids = {c.id for c in almelo_report.chapters}
    guide = _guide(almelo_report)
    assert "veerkracht" not in ids and "veerkracht" not in guide
    assert ("vergelijking met andere gemeenten" in guide) == ("benchmark" in ids)
    assert "Op de kaarten" not in guide  # no boundaries, no maps


@pytest.fixture(scope="module")
def demo_report(demo_store_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-findings")
    with Store(demo_store_path, read_only=True) as store:
        return build_report(store, "GM9999", 2015, 2024, uit=out, synthetic=True, pdf=False)


def test_demo_report_names_the_education_break_and_counts_dwellings(demo_report):
    domains = next(c for c in demo_report.chapters if c.id == "domeinen")
    education = " ".join(domains.sentences())
    assert "opleiding van 2015 tot 2024 loopt over een definitiebreuk" in education
    assert "(2023)" in education
    assert "definitiebreuk" in " ".join(demo_report.findings) or not any(
        "opleiding (" in f for f in demo_report.findings
    )
    vk = next(c for c in demo_report.chapters if c.id == "veerkracht")
    vk_text = " ".join(vk.sentences())
    assert "corporatiewoningen van Voorbeeldstad in een buurt waar 60 % of meer" in vk_text
    assert "geen algemeen recept" in vk_text
    types = demo_report.tables["veerkracht_typen"]
    assert types["Combinatie van de vier"].str.startswith("Alle vier").all()
    assert types["Vragen"].str.contains(r"\?").all()
    guide = _guide(demo_report)
    for cid, words in (("veerkracht", "veerkracht"), ("benchmark", "andere gemeenten")):
        assert (words in guide) == (cid in {c.id for c in demo_report.chapters})


def test_twin_report_findings_rest_on_what_they_say(twin_store, tmp_path):
    """The national twin (reduced): the same rules on a full synthetic Netherlands."""
    rep = build_report(twin_store, "GM0141", 2016, 2024, uit=tmp_path, synthetic=True, pdf=False)
    text = " ".join(_sentences(rep))
    assert "None" not in text and not re.search(r"\bnan\b", text)
    p = rep.analysis.polarisation
    lo, hi = p.slope_ci
    assert (DIVERGE in text) == (lo > 0) and (CONVERGE in text) == (hi < 0)
    assert "opleiding van 2016 tot 2024 loopt over een definitiebreuk" in text
    ids = [c.id for c in rep.chapters]
    guide = _guide(rep)
    assert ("de veerkracht van de buurten" in guide) == ("veerkracht" in ids)
    assert ("vergelijking met andere gemeenten" in guide) == ("benchmark" in ids)
    if "benchmark" in ids:
        bm = next(c for c in rep.chapters if c.id == "benchmark")
        assert not any("personenauto's totaal" in s for s in bm.sentences())
