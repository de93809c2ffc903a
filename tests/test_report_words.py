"""The report's words: plural forms wherever a count stands in a sentence, the Staat van
de stad's findings as the reader sees the numbers, the twin's own note, source lines and
units once."""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files
from types import SimpleNamespace

import pandas as pd
import pytest

from buurtbalans.report.chapters.stad import gap_grew, shown_pace, trend
from buurtbalans.report.context import ReportContext
from buurtbalans.report.tables import cite, numbers_in, source_label, with_unit
from buurtbalans.terms import TERMS, t

REPORT = tomllib.loads(files("buurtbalans").joinpath("report/terms.toml").read_text("utf-8"))
COUNTED = re.compile(r"\{(n|count)\} (buurten|neighbourhoods|gemeenten|municipalities)\b")


def test_no_count_sentence_without_plural_forms() -> None:
    bad = [
        key
        for key, entry in REPORT.items()
        for lang in ("nl", "en")
        if isinstance(entry[lang], str)
        and COUNTED.search(entry[lang])
        and "gemeenten" not in entry[lang]
        and "municipalities" not in entry[lang]
    ]
    assert bad == []


def test_one_buurt_reads_as_one() -> None:
    for key, fields in (
        ("f_unscored", {"year": 2015, "buurten": "A (1)"}),
        ("n_insufficient", {"total": 66, "van": 2015, "tot": 2024}),
        ("unc_direction", {"total": 66, "van": 2015, "tot": 2024, "m": 3}),
        ("basis_some_names", {"total": 66}),
    ):
        nl, en = t(key, "nl", n=1, **fields), t(key, "en", n=1, **fields)
        assert "1 buurten" not in nl and "buurten hebben" not in nl.split(";")[0], nl
        assert "1 neighbourhoods" not in en and " have " not in en.split(";")[0], en
    nl = t("unc_direction", "nl", n=1, total=66, van=2015, tot=2024, m=2)
    assert nl.startswith("Tussen 2015 en 2024 is 1 van de 66 buurten")
    assert t("f_worsened", "nl", n=1) == "1 buurt is verslechterd"


def _row(**kw: object) -> pd.Series:
    base = dict(
        indicator="a_inw",
        soort="share",
        eenheid="%",
        polariteit="+",
        van=2015,
        tot=2024,
        waarde_van=76.62,
        waarde=76.64,
        regio_van=76.7,
        regio=76.2,
        nl_van=70.0,
        nl=70.0,
        verandering=0.02,
        verandering_peers=-0.4,
        tempo_regio="langzamer",
        tempo_nl="sneller",
        tempo_peers="langzamer",
        achterstand_van=0.01,
        achterstand=0.03,
    )
    base.update(kw)
    return pd.Series(base)


def test_stad_change_that_rounds_to_nothing_is_level() -> None:
    a = SimpleNamespace(region=SimpleNamespace(name="Twente"), name="Almelo")
    for taal in ("nl", "en"):
        text = trend(_row(), a, taal)
        assert "76,6" in text or "76.6" in text
        assert "langzamer" not in text and "slower" not in text
        assert "steeg van" not in text and "naar 76,6" not in text and "to 76.6" not in text
    nl = trend(_row(), a, "nl")
    assert "bleef gelijk op 76,6" in nl and "terwijl het daalde in Twente" in nl


def test_stad_pace_needs_the_same_direction() -> None:
    assert shown_pace(0.0, -0.5, "langzamer") == "ref_daalde"
    assert shown_pace(0.3, -0.5, "langzamer") == "tegengesteld"
    assert shown_pace(0.3, 0.0, "sneller") == "ref_gelijk"
    assert shown_pace(0.0, 0.0, "gelijk") == "beide_gelijk"
    assert shown_pace(-0.3, -0.5, "langzamer") == "langzamer"


def test_stad_gap_that_reads_the_same_is_no_finding() -> None:
    assert not gap_grew(_row(achterstand_van=0.01, achterstand=0.03))  # 0,0 → 0,0
    assert gap_grew(_row(waarde=80.0, achterstand_van=1.0, achterstand=2.0))


def test_twin_note_is_the_twins_truth() -> None:
    for taal in ("nl", "en"):
        twin = SimpleNamespace(twin=True, taal=taal)
        demo = SimpleNamespace(twin=False, taal=taal)
        note = ReportContext.t(twin, "stad_synthetic", gemeente="Almelo")  # type: ignore[arg-type]
        assert "Voorbeeldstad" not in note and "demo" not in note
        assert ("tweeling" in note) if taal == "nl" else ("twin" in note)
        assert "Voorbeeldstad" in ReportContext.t(demo, "stad_synthetic", gemeente="Voorbeeldstad")  # type: ignore[arg-type]
    # every demo wording that names Voorbeeldstad has the twin's own variant
    missing = [
        k
        for k, v in REPORT.items()
        if not k.endswith("_twin")
        and "Voorbeeldstad" in str(v.get("nl"))
        and k.startswith(("synthetic", "footer_synthetic", "stad_synthetic", "bm_synthetic"))
        and f"{k}_twin" not in TERMS
    ]
    assert missing == []


def test_source_lines_cite_titles_once_without_ids_or_files() -> None:
    labels = {
        "gemeenten-reeksen": source_label(
            "gemeenten-reeksen", "Gemeentereeksen (synthetisch)", "nl"
        ),
        "kwb-2015": source_label(
            "kwb-2015", "Kerncijfers wijken en buurten 2015 (kwb-2015.csv)", "nl"
        ),
    }
    line = cite(["gemeenten-reeksen, kwb-2015", "gemeenten-reeksen"], labels, "nl")
    assert (
        line == "Gemeentereeksen (synthetisch) (gemeenten-reeksen); "
        "Kerncijfers wijken en buurten 2015 (kwb-2015)"
    )
    assert ".csv" not in line
    demo = cite("voorbeeldstad-prognose", {}, "nl")
    assert "voorbeeldstad-" not in demo


def test_no_internal_ids_in_council_prose() -> None:
    for key, entry in REPORT.items():
        for lang in ("nl", "en"):
            text = str(entry[lang])
            assert not re.search(r"seed 0\d\d|\w+\.toml\b|a_woning", text), (key, text)


def test_units_once_in_the_languages_number_form() -> None:
    assert with_unit("Banen per 1 000 inwoners 15-74 jaar", "per 1.000 inwoners", "nl") == (
        "Banen per 1.000 inwoners 15-74 jaar"
    )
    assert (
        with_unit("Jobs per 1 000 residents", "per 1,000 residents", "en")
        == "Jobs per 1,000 residents"
    )
    assert with_unit("Bijstand", "per 100 inwoners", "nl") == "Bijstand (per 100 inwoners)"
    assert numbers_in("per 10 000 inwoners", "en") == "per 10,000 inwoners"
    assert numbers_in("65 jaar of ouder", "nl") == "65 jaar of ouder"


def test_why_a_domain_is_left_out_reads_in_english_too() -> None:
    """analysis/basis.py records its reasons in Dutch; every one of them has an English
    sentence (a new reason there without one here fails)."""
    import re
    from pathlib import Path

    import buurtbalans.analysis.basis as basis
    from buurtbalans.report.notes import domain_name, left_out_reason
    from buurtbalans.spec import load_spec

    source = Path(basis.__file__).read_text("utf-8")
    reasons = re.findall(r'left_out\[d\] = \(?\s*f?"([^"]+)"', source)
    reasons += re.findall(r'f"(alleen gegevens in \{only\})"', source)
    assert len(reasons) >= 3
    for reason in reasons:
        shown = reason.replace("{only}", "2024").replace("{van}", "2015").replace("{tot}", "2024")
        english = left_out_reason(shown, "en")
        assert english != shown and not re.search(r"\b(gegevens|geen|alleen|gekozen)\b", english)
    health_only = load_spec("mdi").subset(["inkomen", "werk"])
    assert domain_name(health_only, "gezondheid", "en") == "Health"


@pytest.mark.parametrize(
    ("reference", "taal", "want"),
    [
        ("national-pooled", "nl", "t.o.v. Nederland 2024"),
        ("national-pooled", "en", "relative to the Netherlands 2024"),
        ("input-pooled", "nl", "t.o.v. de eigen buurten 2024"),
        ("national", "nl", "t.o.v. Nederland, elk jaar apart"),
    ],
)
def test_a_reference_of_one_year_names_that_year_once(reference, taal, want):
    from buurtbalans.report.terms import reference_label

    assert reference_label(reference, 2024, 2024, taal) == want
    assert "2024–2024" not in reference_label(reference, 2024, 2024, taal)
