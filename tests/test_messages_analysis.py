"""The analyses' messages come from the terms catalogue: wholly Dutch in ``text("nl")``,
the English text in ``str()`` (as library users and older tests see it)."""

from __future__ import annotations

import pytest

from buurtbalans.errors import DataError, SpecError
from buurtbalans.spec import load_spec
from said import both


def test_a_refused_comparison_is_wholly_dutch_or_wholly_english() -> None:
    from buurtbalans.analysis.basis import _refusal

    spec = load_spec("mdi")
    exc = _refusal(
        spec, "GM0034", 2012, 2020, {2012: ["inkomen"], 2020: []}, [], 0.0, [], {2012: ([], [])}
    )
    nl, en = exc.text("nl"), str(exc)
    assert nl.startswith("2012 en 2020 zijn voor GM0034 niet op gelijke basis te vergelijken")
    assert "2012 heeft inkomen, 2020 heeft geen domeinen; gemeenschappelijk: niets" in nl
    assert "Oplossing: importeer de ontbrekende domeinen" in nl
    assert "StatLine heeft alleen KWB-tabellen" in nl  # the nested hint, in Dutch too
    for english in ("Fix:", " has ", "nothing", "no domains", "only)"):
        assert english not in nl
    assert en.startswith("2012 and 2020 cannot be compared on an equal basis for GM0034")
    assert "2012 has inkomen, 2020 has no domains; in common: nothing" in en
    assert "import cbs --gemeente GM0034 --jaren 2020" in en and "Fix: import the missing" in en
    assert exc.text("en") == en


def test_unknown_domains_and_assumption_tables_are_lists_not_reprs() -> None:
    from buurtbalans.analysis.basis import check_domains
    from buurtbalans.analysis.uncertainty_assumptions import parse_assumptions

    with pytest.raises(SpecError) as one:
        check_domains(load_spec("mdi"), "geluk")
    assert one.value.text("nl").startswith("onbekend domein geluk in --domeinen. Oplossing:")
    assert str(one.value).startswith("unknown domain geluk in --domeinen. Fix: use ids from")
    assert "[" not in str(one.value) and "'" not in str(one.value)

    with pytest.raises(SpecError) as two:
        parse_assumptions({"geluk": {}, "zon": {}}, where="a.toml")
    assert two.value.text("nl").startswith("a.toml: onbekende tabellen geluk en zon.")
    assert str(two.value).startswith("a.toml: unknown tables geluk and zon. Fix: use only")


def test_years_the_wrong_way_round_in_both_languages() -> None:
    from buurtbalans.analysis.pipeline import check_years

    with pytest.raises(DataError) as exc:
        check_years(2024, 2015)
    both(
        exc.value,
        "--van 2024 is not before --tot 2015: a change needs two different years, the "
        "earlier first. Fix: e.g. --van 2015 --tot 2024",
        "--van 2024 ligt niet vóór --tot 2015: een verandering vraagt twee verschillende "
        "jaren, het vroegste eerst. Oplossing: bijvoorbeeld --van 2015 --tot 2024",
    )


def test_the_dashboards_unknown_spec_in_both_languages() -> None:
    pytest.importorskip("fastapi")
    from buurtbalans.web.problems import NotFoundError
    from buurtbalans.web.views import load_preset

    with pytest.raises(NotFoundError) as exc:
        load_preset("geluk")
    assert exc.value.text("nl").startswith("geen indexspecificatie 'geluk' op deze server.")
    assert str(exc.value).startswith("no index spec 'geluk' on this server. Fix: use one of")


def test_a_wrong_assumption_names_its_table_in_both_languages() -> None:
    """A field named like t()'s own parameter (``key``) would break the message itself."""
    from buurtbalans.analysis.uncertainty_assumptions import parse_assumptions

    with pytest.raises(SpecError) as exc:
        parse_assumptions({"scaling": {"options": ["log"]}}, where="a.toml")
    both(
        exc.value,
        "a.toml: [scaling] option log is not known. Fix: use some of percentile, "
        "exponential and normal",
        "a.toml: [scaling] optie log is onbekend. Oplossing: kies uit percentile, "
        "exponential en normal",
    )
