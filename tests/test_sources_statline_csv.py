"""StatLine "onbewerkte dataset" CSV (KWB 2019, Amsterdam): detection, loud key resolution
by stem, year from the table id, and the codebook's stems against two real key sets."""

from __future__ import annotations

import csv
import json
import shutil
import warnings

import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.codebook import (
    catalogue,
    key_stem,
    resolve_keys_by_stem,
    resolve_odata_keys,
)
from buurtbalans.sources.detect import import_path
from buurtbalans.sources.statline_csv import is_statline_csv, read_statline_csv
from buurtbalans.spec import load_spec
from buurtbalans.store import Store

pytestmark = pytest.mark.shared

NAME = "kwb2019_84583NED_amsterdam.csv"


@pytest.fixture(scope="module")
def csv_path(raw):
    return raw / "cbs-kwb2019-statline-amsterdam" / NAME


@pytest.fixture(scope="module")
def batch(csv_path):
    return import_path(csv_path)


def _header(path):
    with open(path, encoding="utf-8-sig") as fh:
        return next(csv.reader(fh, delimiter=";"))


def test_detected_and_all_buurten(batch):
    assert batch.source.kind == "statline-csv"
    assert batch.source.table_id == "84583NED" and batch.source.period == "2019"
    areas = batch.areas
    assert (areas["level"] == "buurt").sum() == 479
    assert (areas["level"] == "wijk").sum() == 99
    assert areas.loc[areas["code"] == "GM0363", "name"].item() == "Amsterdam"
    obs = batch.observations.set_index(["area_code", "indicator"])
    assert obs.loc[("GM0363", "a_inw"), "value"] == 862_965
    assert obs.loc[("BU03630000", "a_inw"), "value"] == 1035
    assert obs.loc[("BU03630000", "g_hhgro"), "value"] == pytest.approx(1.4)


def test_mdi_indicators_of_2019_come_through(batch):
    cat = catalogue()
    spec = load_spec("mdi")
    expected = {
        i
        for i in spec.raw_inputs()
        if i in cat
        and cat[i].odata_stems
        and not i.startswith("gz_")
        and (cat[i].break_year is None or cat[i].break_year > 2019)
    }
    got = set(batch.observations["indicator"])
    assert expected <= got, sorted(expected - got)
    key = {"p_hh_li", "p_hh_lkk", "g_hh_sti", "a_soz_wb", "a_soz_ao", "a_soz_ww", "a_inw"}
    key |= {"p_arb_pp", "a_opl_lg", "a_opl_md", "a_opl_hg", "p_wmo_t", "p_wcorpw", "p_koopw"}
    key |= {"g_woz", "g_afs_gs", "g_afs_hp"}
    assert key <= got
    buurt = batch.observations[batch.observations["area_code"].str.startswith("BU")]
    assert buurt.groupby("indicator")["area_code"].nunique()[sorted(key)].eq(479).all()


def test_dot_stays_missing(csv_path, batch):
    with open(csv_path, encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    header, body = rows[0], rows[1:]
    col = header.index("GemiddeldeWoningwaarde_35")
    dots = [r[1].strip() for r in body if r[col].strip() == "."]
    assert dots, "the file has '.' cells for WOZ"
    obs = batch.observations
    woz = obs[obs["indicator"] == "g_woz"].set_index("area_code")
    assert woz.loc[dots, "value"].isna().all()
    assert (woz.loc[dots, "status"] == "missing").all()
    # every '.' (or empty cell) in a resolved column is a missing value, and nothing else is
    resolved = [header.index(k) for k in resolve_keys_by_stem(header).columns]
    n_dots = sum(1 for r in body for i in resolved if r[i].strip() in (".", ""))
    assert (obs["status"] == "missing").sum() == n_dots
    assert obs["value"].isna().sum() == n_dots


def test_resolution_is_loud_and_recorded(batch, tmp_path):
    report = "\n".join(map(str, batch.report))
    assert "resolved to no indicator" in report and "Ongehuwd_13" in report
    assert "codebook indicators are not in this file" in report
    with Store(tmp_path / "s.duckdb") as st:
        st.write(batch)
        notes = st.sources()["notes"].iloc[0]
    assert "Motorfietsen_104" in notes and "g_gewsek" in notes
    assert "AantalInwoners_5 → a_inw" in notes


def test_codebook_stems_against_two_real_key_sets(csv_path, raw):
    stems_2019 = {key_stem(k).lower() for k in _header(csv_path)}
    props = json.loads((raw / "cbs-kwb2024-odata" / "DataProperties.json").read_text("utf-8"))
    stems_2024 = {key_stem(p["Key"]).lower() for p in props if p.get("Type") == "Topic"}
    neither = []
    for ind in catalogue().values():
        if not ind.odata_stems or ind.id.startswith("gz_") or ind.source_table:
            continue  # gz_* are the 50090NED health table, tested in test_sources_real;
            # indicators with a source_table come from gemeente-level tables, not the KWB
        stems = {s.rpartition("/")[2].lower() for s in ind.odata_stems}
        if not stems & (stems_2019 | stems_2024):
            neither.append(f"{ind.id} ({'|'.join(ind.odata_stems)})")
    listing = "codebook stems resolving in neither the 2019 header nor 2024 DataProperties: "
    print(listing, *neither, sep="\n  ")
    warnings.warn(listing + "; ".join(neither), UserWarning, stacklevel=1)  # in the summary
    # the three safety rates were last published in the KWB of 2018 (break_year 2018)
    assert sorted(n.split()[0] for n in neither) == ["g_gewsek", "g_vernoo", "g_wodief"]


def test_year_needed(csv_path, tmp_path):
    anon = tmp_path / "amsterdam.csv"
    shutil.copy(csv_path, anon)
    with pytest.raises(DataError, match="which KWB year") as exc:
        import_path(anon)
    assert "--jaar" in str(exc.value) and "84583NED = 2019" in str(exc.value)
    assert read_statline_csv(anon, jaar=2019).source.period == "2019"
    with pytest.raises(DataError, match="contradicts the table id 84583NED"):
        import_path(csv_path, jaar=2020)


def test_title_disagreement_stops(csv_path, tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    shutil.copy(csv_path, folder / NAME)
    keys = _header(csv_path)
    ids = resolve_keys_by_stem(keys).columns
    cat = catalogue()

    def title(key):
        ind = cat.get(ids.get(key, ""))
        return ind.odata_titles[0] if ind and ind.odata_titles else key

    props = [
        {"ID": i, "Type": "Topic", "Key": k, "Title": title(k), "ParentID": None}
        for i, k in enumerate(keys)
    ]
    by_key = {p["Key"]: p for p in props}
    (folder / "DataProperties.json").write_text(json.dumps(props), "utf-8")
    batch = import_path(folder / NAME)
    assert any("titles checked" in str(line) for line in batch.report)
    by_key["AantalInwoners_5"]["Title"] = "Aantal woningen"
    (folder / "DataProperties.json").write_text(json.dumps(props), "utf-8")
    with pytest.raises(DataError, match="'Aantal woningen' disagrees.*Aantal inwoners"):
        import_path(folder / NAME)


def test_real_2024_titles_agree(raw):
    props = json.loads((raw / "cbs-kwb2024-odata" / "DataProperties.json").read_text("utf-8"))
    assert resolve_odata_keys(props)["PersonenPerSoortUitkeringAO_95"] == "a_soz_ao"


def test_detection():
    assert is_statline_csv(["ID", "WijkenEnBuurten", "SoortRegio_2", "AantalInwoners_5"])
    assert not is_statline_csv(["WijkenEnBuurten", "Perioden", "SoortRegio_2"])
    assert not is_statline_csv(["gwb_code_10", "a_inw"])


def test_two_keys_for_one_indicator(tmp_path):
    p = tmp_path / "kwb_84583NED.csv"
    p.write_text(
        '"WijkenEnBuurten";"SoortRegio_2";"AantalInwoners_5";"AantalInwoners_9"\n'
        '"BU03630000";"Buurt";"10";"11"\n',
        "utf-8",
    )
    with pytest.raises(DataError, match="'AantalInwoners_5' and 'AantalInwoners_9' both"):
        import_path(p)
