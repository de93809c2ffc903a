"""Every kind of bad input gives a clear error naming file, row, column and the fix."""

from __future__ import annotations

import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def check(exc, file, row=None, column=None):
    e = exc.value
    assert e.file and e.file.endswith(file)
    if row is not None:
        assert e.row == row
    if column is not None:
        assert e.column == column
    assert "Fix:" in str(e)


def test_wrong_code(tmp_path):
    p = write(tmp_path, "kwb-2020.csv", "gwb_code_10;a_inw\nBU01410101;100\nBU14;5\n")
    with pytest.raises(DataError, match="not a CBS area code") as exc:
        import_path(p)
    check(exc, "kwb-2020.csv", row=3, column="gwb_code_10")


def test_unknown_symbol(tmp_path):
    p = write(
        tmp_path,
        "kwb-2020.csv",
        "gwb_code_10;a_inw;p_hh_li\nBU01410101;100;.\nBU01410102;x;onbekend\n",
    )
    with pytest.raises(DataError, match="'onbekend' is neither a number") as exc:
        import_path(p)
    check(exc, "kwb-2020.csv", row=3, column="p_hh_li")


def test_symbols_are_flags_not_zero(tmp_path):
    p = write(
        tmp_path, "kwb-2020.csv", "gwb_code_10;a_inw;p_hh_li\nBU01410101;100;.\nBU01410102;x;-\n"
    )
    obs = import_path(p).observations.set_index(["area_code", "indicator"])
    assert obs.loc[("BU01410102", "a_inw"), "status"] == "suppressed"
    assert obs.loc[("BU01410102", "p_hh_li"), "status"] == "nihil"
    assert obs["value"].isna().sum() == 3


def test_missing_columns_in_mapping(tmp_path):
    data = write(tmp_path, "kosten.csv", "buurtcode,jaar,kosten\nBU01410101,2024,100\n")
    mapping = write(
        tmp_path,
        "m.toml",
        '[table]\ncode_column = "buurtcode"\n'
        'period_column = "jaar"\n[columns]\nuitgaven = "kosten_sociaal_domein"\n',
    )
    # the columns as words, never a Python list repr
    wanted = r"missing column\(s\) uitgaven; the file has buurtcode"
    with pytest.raises(DataError, match=wanted) as exc:
        import_path(data, mapping=mapping)
    check(exc, "kosten.csv")


def test_bad_encoding(tmp_path):
    p = write(tmp_path, "kosten.csv", "buurtcode,naam\nBU01410101,Café Noord\n", "cp1252")
    with pytest.raises(DataError, match="not valid utf-8") as exc:
        import_path(p, jaar=2024)
    check(exc, "kosten.csv", row=2)
    assert "--encoding cp1252" in str(exc.value)
    ok = import_path(p, jaar=2024, encoding="cp1252")  # the fix works
    assert ok.areas["code"].tolist() == ["BU01410101"]


def test_duplicates(tmp_path):
    p = write(tmp_path, "kwb-2020.csv", "gwb_code_10;a_inw\nBU01410101;100\nBU01410101;120\n")
    with pytest.raises(DataError, match="duplicate rows") as exc:
        import_path(p)
    check(exc, "kwb-2020.csv", row=2)


def test_negative_counts(tmp_path):
    p = write(tmp_path, "kwb-2020.csv", "gwb_code_10;a_inw\nBU01410101;100\nBU01410102;-4\n")
    with pytest.raises(DataError, match="-4 is below 0: a_inw") as exc:
        import_path(p)
    check(exc, "kwb-2020.csv", row=3, column="a_inw")


def test_year_unknown(tmp_path):
    p = write(tmp_path, "kwb.csv", "gwb_code_10;a_inw\nBU01410101;100\n")
    with pytest.raises(DataError, match="--jaar"):
        import_path(p)


def test_bad_file_never_half_writes(tmp_path):
    store = Store()
    good = write(tmp_path, "kwb-2020.csv", "gwb_code_10;a_inw\nBU01410101;100\n")
    store.write(import_path(good))
    before = store.counts()
    bad = write(tmp_path, "kwb-2021.csv", "gwb_code_10;a_inw\nBU01410101;100\nBU01410102;-1\n")
    with pytest.raises(DataError):
        store.write(import_path(bad))
    assert store.counts() == before


def _names_mapping(tmp_path, vintage: int | None = None):
    """A mapping of a kosten table by buurt name (in ``vintage``'s layout, if given)."""
    layout = f"vintage = {vintage}\n" if vintage else ""
    text = f'[table]\nname_column = "buurt"\nperiod = 2024\n{layout}'
    return write(tmp_path, "m.toml", text + '[columns]\nkosten = "kosten_sociaal_domein"\n')


def test_names_matched_with_report(tmp_path, demo_store):
    areas = demo_store.areas("GM9999", level="buurt", vintage=2022)
    first, second = areas["name"].iloc[0], areas["name"].iloc[1]
    data = write(
        tmp_path,
        "kosten.csv",
        f"buurt;kosten\n{first.upper()};1000\n{second};2000\nNergenshuizen;5\n",
    )
    mapping = _names_mapping(tmp_path, vintage=2022)
    batch = import_path(data, mapping=mapping, areas=areas)
    assert len(batch.observations) == 2
    assert any("Nergenshuizen" in str(line) for line in batch.report)


def test_names_are_matched_in_the_mappings_vintage(tmp_path, demo_store):
    """The gemeente's areas of every layout (as the CLI passes them without --vintage):
    the mapping's vintage picks the layout, so a name in 2015 and 2022 is one buurt."""
    areas = demo_store.areas("GM9999", level="buurt")
    both = set(areas.loc[areas["vintage"] == 2015, "name"]) & set(
        areas.loc[areas["vintage"] == 2022, "name"]
    )
    name = sorted(both)[0]
    data = write(tmp_path, "kosten.csv", f"buurt;kosten\n{name};1000\n")
    mapping = _names_mapping(tmp_path, vintage=2022)
    batch = import_path(data, mapping=mapping, areas=areas)
    code = areas.loc[(areas["vintage"] == 2022) & (areas["name"] == name), "code"].item()
    assert batch.observations["area_code"].tolist() == [code]


def test_a_table_whose_names_match_nothing_is_refused(tmp_path, demo_store):
    """Nothing matched is an error naming file and column, never an import of 0 values."""
    areas = demo_store.areas("GM9999", level="buurt", vintage=2022)
    data = write(tmp_path, "kosten.csv", "buurt;kosten\nNergenshuizen;5\nAtlantis;6\n")
    mapping = _names_mapping(tmp_path)
    with pytest.raises(DataError) as exc:
        import_path(data, mapping=mapping, areas=areas)
    text = str(exc.value)
    assert "Nergenshuizen" in text and "kosten.csv" in text and "'buurt'" in text
    assert "Fix:" in text and "vintage" in text
