"""Say only what the data support (issue 9): one end-to-end check per item seen on the real
data in ../shared/data, and every CLI mistake as one clear message without a traceback.

The shared data hold health (50090NED) for all NL in 2012, 2016 and 2020 and the KWB 2014
(income, work, housing, environment) for Almere only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer

from buurtbalans.analysis.pipeline import change_analysis
from buurtbalans.cli import app
from buurtbalans.demo import load_demo
from buurtbalans.errors import DataError
from buurtbalans.index.store_mode import index_for_gemeente, reference_choice
from buurtbalans.sources.detect import import_path
from buurtbalans.spec import load_spec
from buurtbalans.store import Store

KWB2014 = Path("cbs-kwb2014-almere-nens") / "almere_buurten.geojson"


def import_health(store: Store, raw: Path, years=(2012, 2016, 2020)) -> None:
    """The national CBS/RIVM health files (50090NED, 13,808 buurten each)."""
    for year in years:
        name = f"gezondheid_wijkbuurt_{year}_18plus.xlsx"
        store.write(import_path(raw / "cbs-rivm-gezondheid-wijkbuurt" / name))


def cli(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command as a user runs it: a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def _flat(proc: subprocess.CompletedProcess) -> str:
    """Output as one line, without the frame typer draws around usage errors."""
    text = (proc.stdout + proc.stderr).translate({ord(c): " " for c in "│╭╮╰╯─"})
    return " ".join(text.split())


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, raw) -> Path:
    """KWB 2014 for Almere, national health 2012/2016/2020, and the synthetic demo."""
    path = tmp_path_factory.mktemp("truth") / "real.duckdb"
    with Store(path) as store:
        store.write(import_path(raw / KWB2014, jaar=2014))
        import_health(store, raw)
        load_demo(store)
    return path


# -- 1. change across unlike years ------------------------------------------------------------
@pytest.mark.shared
@pytest.mark.parametrize(
    "gemeente, van, tot, has",
    [
        ("Almere", 2014, 2020, "2014 heeft inkomen, werk, huisvesting, woonomgeving, 2020 heeft "),
        ("Almelo", 2012, 2020, "2012 heeft gezondheid, 2020 heeft gezondheid; gemeenschappelijk: "),
    ],
)
def test_unlike_years_are_refused_with_what_each_year_has(
    real_store, tmp_path, gemeente, van, tot, has
):
    for command in ("rapport", "verandering", "prioriteiten"):
        extra = ["--uit", tmp_path / "r", "--geen-pdf"] if command == "rapport" else []
        proc = cli(
            command, "-g", gemeente, "--van", van, "--tot", tot, "--store", real_store, *extra
        )
        text = _flat(proc)
        assert proc.returncode == 1, text
        assert "Traceback" not in text and text.count("Fout:") == 1
        assert "niet op gelijke basis te vergelijken" in text and has in text  # in Dutch (nl)
        assert "buurtbalans import cbs --gemeente" in text  # how to get the rest
        assert not (tmp_path / "r").exists()  # a failed run leaves no folder


@pytest.mark.shared
def test_change_rests_on_a_stated_equal_domain_set(real_store, tmp_path):
    """On a stated health-only spec the change uses the indicators both years have, and
    says what was left out and why, in the CLI output and in the xlsx provenance."""
    spec = load_spec("mdi").with_options(
        min_weight_share=0.1, required_domains=(), name="MDI, alleen gezondheid"
    )
    with Store(real_store, read_only=True) as store:
        a = change_analysis(store, spec, "GM0141", 2012, 2020)
    assert a.basis["domeinen"] == ["gezondheid"] and a.basis["domeinen_per_jaar"] == {
        "2012": ["gezondheid"],
        "2020": ["gezondheid"],
    }
    assert set(a.basis["indicatoren"]) == {"gz_ervaren_goed", "gz_angst_depressie_hoog"}
    # in 2020 only: left out of both years, with a sentence
    assert "gz_langdurig_ziek_beperkt" in a.basis["weggelaten_indicatoren"]
    assert any(n.startswith("Indicator gz_langdurig_ziek_beperkt") for n in a.notes)
    assert a.basis["weggelaten_domeinen"]["inkomen"] == "geen gegevens in 2012 en 2020"
    # both years' scores come from the same indicators
    run = a.index.run
    assert [i.id for i in run.spec.indicators] == a.basis["indicatoren"]
    assert run.provenance["basis"] == a.basis and run.provenance["notes"] == a.notes
    # Almelo has no population in the store: said, not hidden
    assert any("Geen inwonertallen" in n for n in a.notes)


# -- 2. one domain is not ranked as an MDI ----------------------------------------------------
@pytest.mark.shared
def test_no_buurt_below_the_minimum_has_a_class(real_store):
    mdi = load_spec("mdi").with_options(reference="input")
    with Store(real_store, read_only=True) as store:
        almere = index_for_gemeente(store, mdi, "GM0034", [2014], vintage=2014).table
        almelo = index_for_gemeente(store, mdi, "GM0141", [2012, 2020]).table
    for table in (almere, almelo):
        below = table["status"] != "ok"
        assert table.loc[below, ["score", "rank", "decile", "class"]].isna().all().all()
        assert (table.loc[~below, "coverage"] >= 0.7).all()
    # a buurt with one domain (Poldervlak, 2014) gets no rank or class
    polder = almere[almere["name"].str.contains("Poldervlak", na=False)]
    assert len(polder) and polder["class"].isna().all() and polder["rank"].isna().all()
    # health alone is not an MDI: no Almelo buurt is 'zeer hoog'
    assert almelo["class"].isna().all() and (almelo["status"] == "onvoldoende gegevens").all()


@pytest.mark.shared
def test_priorities_never_pick_a_buurt_without_a_score(real_store):
    from buurtbalans.analysis.pipeline import priorities_analysis
    from buurtbalans.analysis.uncertainty_assumptions import load_assumptions

    spec = load_spec("mdi").with_options(min_weight_share=0.1, required_domains=())
    few = load_assumptions(None).with_runs(20)  # the one uncertainty engine, a short run
    with Store(real_store, read_only=True) as store:
        a = change_analysis(store, spec, "GM0034", 2012, 2020, vintage=2014)
        summary, sels, _ov, rob = priorities_analysis(store, a, "GM0034", 2020, assumptions=few)
    assert not set(rob.loc[rob["kans_top"] > 0, "area_code"]) & set(
        a.change.loc[a.change["status_2020"] != "ok", "area_code"]
    )  # a buurt without a score is never in the list, in any variant
    unscored = set(a.change.loc[a.change["status_2020"] != "ok", "area_code"])
    assert unscored and (summary["onvoldoende_gegevens"] == len(unscored)).all()
    for sel in sels:
        assert not set(sel.buurten["area_code"]) & unscored
        assert sel.buurten["score"].notna().all()


# -- 3. synthetic data never in a real reference; partial national reference ----------------
@pytest.mark.shared
def test_synthetic_sources_never_enter_a_real_reference(real_store):
    spec = load_spec("mdi").subset(["gezondheid"])
    with Store(real_store, read_only=True) as store:
        result = index_for_gemeente(store, spec, "GM0141", [2012, 2020])
    prov = result.run.provenance
    ref = prov["reference"]
    assert ref["kind"] == "national-pooled" and "GM9999" in ref["synthetic_excluded"]
    assert all(12_000 < n <= 13_808 for n in ref["areas_per_year"].values())
    assert prov["n_reference"] == sum(ref["areas_per_year"].values())
    assert prov["sources"] and not any(s["synthetic"] for s in prov["sources"])
    assert all(s["buurten_per_jaar"] for s in prov["sources"])  # areas per year per source


@pytest.mark.shared
def test_partial_national_reference_is_refused_or_stated(raw, tmp_path):
    """Health for all NL but income for one gemeente is no national reference."""
    with Store(tmp_path / "p.duckdb") as store:
        import_health(store, raw, years=(2016,))
        # the same KWB file filed as 2016: Almere's income next to NL health in one year
        store.write(import_path(raw / KWB2014, jaar=2016))
        mdi = load_spec("mdi")
        with pytest.raises(DataError, match="national reference is partial: .*inkomen in 2016"):
            index_for_gemeente(store, mdi, "GM0034", [2016], vintage=2016)
        choice, note = reference_choice(store, mdi, "GM0034", [2016])
        assert choice == "input-pooled" and "inkomen in 2016" in note.text("nl")
        assert "income in 2016" in note.text("en") and "buurten" not in note.text("en")
        health = mdi.subset(["gezondheid"])
        assert reference_choice(store, health, "GM0034", [2016]) == ("national", None)


# -- 4. silent drops of ratio indicators -------------------------------------------------------
@pytest.mark.shared
def test_dropped_ratio_indicators_get_a_note(raw, tmp_path):
    with Store(tmp_path / "r.duckdb") as store:
        store.write(import_path(raw / KWB2014, jaar=2014))
        store.write(import_path(raw / KWB2014, jaar=2016))  # the same file as a second year
        # the KWB map has 64 % of the MDI weight (no opleiding, gezondheid, veiligheid):
        # refused under the MDI, computed on a stated 60 % minimum
        with pytest.raises(DataError, match="in common: inkomen, werk, huisvesting"):
            change_analysis(store, load_spec("mdi"), "GM0034", 2014, 2016, vintage=2014)
        spec = load_spec("mdi").with_options(min_weight_share=0.6)
        a = change_analysis(store, spec, "GM0034", 2014, 2016, vintage=2014)
    notes = " ".join(a.notes)
    for ratio, numerator in (("r_ao", "a_soz_ao"), ("r_ww", "a_soz_ww")):
        assert f"Indicator {ratio} (domein werk) is weggelaten" in notes
        assert f"ontbreekt {numerator} (teller)" in a.basis["weggelaten_indicatoren"][ratio]
    # same data twice: nothing changed, and the buurten without enough data are counted
    counts = a.summary.set_index("richting")["buurten"]
    assert counts["verbeterd"] == counts["verslechterd"] == 0
    assert counts.sum() == len(a.change) == 63 and counts["onvoldoende gegevens"] > 0


# -- 5. show gives one row per area -----------------------------------------------------------
@pytest.mark.shared
def test_show_gives_one_row_per_area(real_store, tmp_path):
    out = tmp_path / "corporatie.csv"
    proc = cli("show", "p_wcorpw", "-g", "Almere", "--output", out, "--store", real_store)
    assert proc.returncode == 0, _flat(proc)
    table = pd.read_csv(out)
    assert len(table) == table["area_code"].nunique() == 63
    with Store(real_store, read_only=True) as store:
        names = store.areas("GM0034", level="buurt", vintage=2014).set_index("code")["name"]
    assert (table.set_index("area_code")["name"] == names.reindex(table["area_code"])).all()


# -- 6. every usage error is one clear message ------------------------------------------------
def _commands() -> list[tuple[str, ...]]:
    def walk(group, prefix=()):
        for name, sub in sorted(group.commands.items()):
            if getattr(sub, "commands", None):
                yield from walk(sub, (*prefix, name))
            else:
                yield (*prefix, name)

    return list(walk(typer.main.get_command(app)))


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_subcommand_rejects_a_wrong_option_cleanly(command, tmp_path):
    proc = cli(*command, "--geen-optie", env={"BUURTBALANS_STORE": str(tmp_path / "s.duckdb")})
    text = _flat(proc)
    assert proc.returncode == 2 and "Onbekende optie: --geen-optie" in text
    assert "Traceback" not in text and "Fout" in text
    assert not (tmp_path / "s.duckdb").exists()  # nothing written


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo-cli") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store)
    return path


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--version"], 0, "buurtbalans 0."),
        (["rapport", "-g", "Voorbeeldstad", "--van", "2020", "--tot", "2020"], 2, "niet vóór"),
        (["rapport", "-g", "Voorbeeldstad", "--van", "2024", "--tot", "2015"], 2, "niet vóór"),
        (
            ["verandering", "-g", "Voorbeeldstad", "--van", "abc"],
            2,
            "Ongeldige waarde voor '--van'",
        ),
        (["demo", "--taal", "fr"], 2, "'fr' is niet een van 'nl', 'en'"),
        (["rapport", "-g", "Voorbeeldstad", "--taal", "de"], 2, "'de' is niet een van"),
        (
            ["verandering", "-g", "Voorbeeldstad", "--van", "2013", "--tot", "2024"],
            1,
            "geen gegevens voor GM9999 in 2013: de store heeft 2015, 2016, 2017",
        ),
        (
            ["verandering", "-g", "Voorbeeldstad", "--domeinen", "geluk"],
            1,
            "onbekend domein geluk in --domeinen",
        ),
        (["veerkracht", "-g", "Atlantis"], 1, "kent geen gemeente met de naam 'Atlantis'"),
        (["prioriteiten", "-g", "Voorbeeldstad", "--aantal", "0"], 2, "--aantal"),
    ],
)
def test_user_mistakes_are_one_clear_message(demo_path, tmp_path, args, code, message):
    uit = tmp_path / "uit"
    extra = ["--uit", uit] if args[0] in ("rapport", "demo") else []
    store = ["--store", demo_path] if args[0] != "--version" else []
    proc = cli(*args, *extra, *store)
    text = _flat(proc)
    assert proc.returncode == code, text
    assert message in text and "Traceback" not in text
    assert not uit.exists()  # nothing written before the mistake is found


def test_change_defaults_to_the_first_and_last_year_of_the_store(demo_path, tmp_path):
    out = tmp_path / "v.xlsx"
    proc = cli(
        "verandering", "-g", "Voorbeeldstad", "--referentie", "input-pooled", "--store",
        demo_path, "--output", out,
    )  # fmt: skip
    text = _flat(proc)
    assert proc.returncode == 0, text
    assert "basis: 2015 → 2024 op dezelfde domeinen" in text
    bronnen = pd.read_excel(out, sheet_name="bronnen", engine="calamine").set_index("veld")
    basis = json.loads(bronnen.loc["basis", "waarde"])
    assert basis["van"] == 2015 and basis["tot"] == 2024
    assert "onvoldoende gegevens" in basis["richting"]
