import json

from buurtbalans.sources.codebook import (
    catalogue,
    indicator_for_column,
    key_stem,
    resolve_odata_keys,
)


def test_catalogue_is_consistent():
    cat = catalogue()
    assert len(cat) > 100
    for ind in cat.values():
        assert ind.kind in ("count", "share", "rate", "mean", "score", "class")
        assert ind.polarity in ("+", "-", "0")
        assert ind.denominator is None or ind.denominator in cat, ind.id


def test_aliases():
    assert indicator_for_column("AANT_INW") == "a_inw"
    assert indicator_for_column("P_HUURCORP") == "p_wcorpw"
    assert indicator_for_column("leefbarometer_fysieke_overlast") == "lbm_onv"
    assert indicator_for_column("nonsense") is None


def test_real_2024_dataproperties_resolve(raw):
    props = json.loads((raw / "cbs-kwb2024-odata" / "DataProperties.json").read_text())
    keys = resolve_odata_keys(props)
    assert keys["AantalInwoners_5"] == "a_inw"
    assert keys["InBezitWoningcorporatie_49"] == "p_wcorpw"
    assert keys["HuishoudensMetEenLaagInkomen_89"] == "p_hh_lkk"
    assert keys["k_40HuishoudensMetLaagsteInkomen_87"] == "p_hh_li"
    assert keys["PersonenPerSoortUitkeringBijstand_94"] == "a_soz_wb"
    assert keys["GemiddeldeWOZWaardeVanWoningen_39"] == "g_woz"
    assert keys["BasisonderwijsVmboMbo1_75"] == "a_opl_lg"
    # a stem that repeats under two topic groups resolves only with its group
    assert keys["BuitenEuropa_19"] == "a_herk_bue"
    assert "BuitenEuropa_22" not in keys and "Nederland_17" not in keys
    # each of the 8 keys of the 2024 extract is resolved
    data = json.loads((raw / "cbs-kwb2024-odata" / "stripped_filtered_data_2024.json").read_text())
    some = next(iter(data.values()))
    assert set(some) <= set(keys)
    assert key_stem("AantalInwoners_5") == "AantalInwoners"


def test_titles_agree():
    from buurtbalans.sources.codebook import titles_agree

    cat = catalogue()
    assert titles_agree(cat["g_hh_sti"], "Gem. gestandaardiseerd inkomen van huishoudens")
    assert titles_agree(cat["a_inkont"], "Aantal inkomensontvangers\xa0\xa0")
    assert not titles_agree(cat["a_inw"], "Aantal woningen")


def test_title_disagreement_in_dataproperties_stops():
    import pytest

    from buurtbalans.errors import DataError

    props = [
        {"ID": 1, "Type": "Topic", "Key": "AantalInwoners_5", "Title": "Aantal inwoners"},
        {"ID": 2, "Type": "Topic", "Key": "Koopwoningen_40", "Title": "Koopwoningen (aantal)"},
        {"ID": 3, "Type": "Topic", "Key": "Woningvoorraad_35", "Title": "Oppervlakte"},
    ]
    with pytest.raises(DataError, match="'Oppervlakte' disagrees.*Woningvoorraad"):
        resolve_odata_keys(props, file="DataProperties.json")


def test_bounds_in_the_codebook():
    cat = catalogue()
    assert (cat["a_inw"].lower, cat["a_inw"].integral) == (0, True)
    assert (cat["p_hh_li"].lower, cat["p_hh_li"].upper) == (0, 100)
    assert cat["g_woz"].lower == 0 and cat["m_hh_ver"].lower is None  # wealth can be < 0
    for ind in cat.values():
        if ind.kind == "share":
            assert (ind.lower, ind.upper) == (0, 100), ind.id
        if ind.kind == "count":
            assert ind.lower == 0, ind.id
