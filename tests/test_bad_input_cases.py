# ruff: noqa: E501  (the case table keeps one case per line)
"""The list of bad-input cases: every one ends in a named error (file, row, column where it
applies, and a fix) or an explicit flag, never in a wrong stored value or a traceback.

:data:`CASES` is the list (its length is printed in the README). Value mutations run over
four file formats: a kwb-YYYY CSV with ``;``, the same with ``,``, a StatLine "onbewerkte
dataset" CSV, and a municipal table with a mapping file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest

from buurtbalans.errors import BuurtbalansError, DataError
from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store


@dataclass(frozen=True)
class Case:
    """One bad input: files to write, import options, and what must happen."""

    id: str
    files: dict[str, bytes]
    main: str
    options: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # regex of the named error
    check: Any = None  # or a function(store) asserting the explicit flag
    prepare: dict[str, bytes] | None = None  # a file imported first


BASE = {
    "a_inw": ["100", "200", "300"],
    "p_hh_li": ["40.1", "38.2", "12.0"],
    "g_woz": ["250", "310", "199"],
}
CODES = ["BU01410101", "BU01410102", "BU01410103"]


def _rows(col: str, cell: str) -> list[dict[str, str]]:
    rows = []
    for i, code in enumerate(CODES):
        row = {"code": code, **{k: v[i] for k, v in BASE.items()}}
        if i == 1:
            row[col] = cell
        rows.append(row)
    return rows


def _kwb(col: str, cell: str, sep: str) -> tuple[dict[str, bytes], str, dict]:
    def q(v: str) -> str:
        return f'"{v}"' if sep in v else v

    lines = [sep.join(["gwb_code_10", "a_inw", "p_hh_li", "g_woz"])]
    for r in _rows(col, cell):
        lines.append(sep.join(q(r[k]) for k in ("code", "a_inw", "p_hh_li", "g_woz")))
    return {"kwb-2020.csv": ("\n".join(lines) + "\n").encode()}, "kwb-2020.csv", {}


def _statline(col: str, cell: str) -> tuple[dict[str, bytes], str, dict]:
    keys = [
        "WijkenEnBuurten",
        "SoortRegio_2",
        "AantalInwoners_5",
        "k_40HuishoudensMetLaagsteInkomen_76",
        "GemiddeldeWoningwaarde_35",
    ]
    lines = [";".join(f'"{k}"' for k in keys)]
    for r in _rows(col, cell):
        cells = [r["code"], "Buurt", r["a_inw"], r["p_hh_li"], r["g_woz"]]
        lines.append(";".join(f'"{c:>10}"' for c in cells))
    return (
        {"kwb2019_84583NED_x.csv": ("\n".join(lines) + "\n").encode()},
        "kwb2019_84583NED_x.csv",
        {},
    )


MAPPING = b"""[table]
code_column = "buurt"
period = 2024
[columns]
inwoners = "a_inw"
laag = "p_hh_li"
woz = "g_woz"
"""


def _municipal(col: str, cell: str) -> tuple[dict[str, bytes], str, dict]:
    names = {"a_inw": "inwoners", "p_hh_li": "laag", "g_woz": "woz"}
    lines = ["buurt;inwoners;laag;woz"]
    for r in _rows(col, cell):
        lines.append(";".join([r["code"], r["a_inw"], r["p_hh_li"], r["g_woz"]]))
    files = {"tabel.csv": ("\n".join(lines) + "\n").encode(), "m.toml": MAPPING}
    del names
    return files, "tabel.csv", {"mapping": "m.toml"}


FORMATS = {
    "kwb;": lambda c, v: _kwb(c, v, ";"),
    "kwb,": lambda c, v: _kwb(c, v, ","),
    "statline": _statline,
    "municipal": _municipal,
}


def _value(code: str, indicator: str):
    def check(store: Store) -> None:
        obs = store.observations([indicator], level=None).set_index("area_code")
        assert code in obs.index, f"{code} missing"
        return obs.loc[code]

    return check


def _status(indicator: str, status: str):
    def check(store: Store) -> None:
        row = _value("BU01410102", indicator)(store)
        assert pd.isna(row["value"]) and row["status"] == status, row

    return check


VALUE_MUTATIONS = [
    ("a_inw", "1.250", "thousands separator or a decimal mark|thousands separators"),
    ("a_inw", "1,250", "thousands separator or a decimal mark|thousands separators"),
    ("a_inw", "1.250.000", "thousands separators"),
    ("a_inw", "1,250.5", "thousands separators"),
    ("a_inw", "1e999", "not a finite number"),
    ("a_inw", "inf", "not a finite number"),
    ("a_inw", "1e26", "above 2e\\+07"),
    ("a_inw", "12.5", "not a whole number"),
    ("a_inw", "-4", "below 0"),
    ("p_hh_li", "101", "above 100"),
    ("p_hh_li", "-0.5", "below 0"),
    ("g_woz", "-250", "below 0"),
    ("a_inw", "12abc", "neither a number nor a CBS symbol"),
    ("a_inw", "nan", "neither a number nor a CBS symbol"),
    ("a_inw", "", None),
    ("a_inw", "x", None),
]


def _value_cases() -> list[Case]:
    cases = []
    for fmt, build in FORMATS.items():
        for col, cell, error in VALUE_MUTATIONS:
            files, main, options = build(col, cell)
            check = None
            if error is None:
                check = _status(col, "missing" if cell == "" else "suppressed")
            cases.append(Case(f"{fmt}-{col}={cell or 'empty'}", files, main, options, error, check))
    return cases


def _csv(text: str, name: str = "kwb-2020.csv", **options) -> dict:
    return {"files": {name: text.encode()}, "main": name, "options": options}


def _map(mapping: str, table: str = "buurt,kosten\nBU01410101,5\n") -> dict:
    return {
        "files": {"t.csv": table.encode(), "m.toml": mapping.encode()},
        "main": "t.csv",
        "options": {"mapping": "m.toml"},
    }


OK_KWB = "gwb_code_10;a_inw\nBU01410101;100\nBU01410102;200\n"
GOOD_MAP = (
    '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = "kosten_sociaal_domein"\n'
)

OTHER = [
    # codes
    ("code-too-short", _csv("gwb_code_10;a_inw\nBU14;5\nBU01410101;1\n"), "not a CBS area code"),
    ("code-letters", _csv("gwb_code_10;a_inw\nBUXX;5\n"), "not a CBS area code"),
    ("code-empty", _csv("gwb_code_10;a_inw\n;5\n"), "not a CBS area code"),
    ("code-number", _csv("gwb_code_10;a_inw\n1410101;5\n"), "not a CBS area code"),
    ("code-gm-5-digits", _csv("gwb_code_10;a_inw\nGM01411;5\n"), "not a CBS area code"),
    (
        "code-unknown-gemeente-all",
        _csv("gwb_code_10;a_inw\nBU99998888;5\n"),
        "none of the 1 area codes",
    ),
    # rows and headers
    ("duplicate-rows", _csv("gwb_code_10;a_inw\nBU01410101;1\nBU01410101;2\n"), "duplicate rows"),
    (
        "duplicate-header",
        _csv("gwb_code_10;a_inw;a_inw\nBU01410101;1;2\n"),
        "appears twice in the header",
    ),
    (
        "alias-and-id",
        _csv("gwb_code_10;a_inw;AANT_INW\nBU01410101;1;2\n"),
        "'a_inw' and 'AANT_INW' both mean",
    ),
    (
        "ragged-row-long",
        _csv("gwb_code_10;a_inw\nBU01410101;1;2;3\n"),
        "has 4 fields, the header 2",
    ),
    (
        "ragged-row-short",
        _csv("gwb_code_10;a_inw;p_hh_li\nBU01410101;1;2\nBU01410102;1\n"),
        "has 2 fields, the header 3",
    ),
    (
        "open-quote",
        _csv('gwb_code_10;a_inw\nBU01410101;"1\nBU01410102;2\n'),
        "fields, the header|cannot read",
    ),
    (
        "only-header-no-code",
        _csv("naam;waarde\nx;1\n", name="t.csv", jaar=2024),
        "no code column found",
    ),
    ("unsupported-suffix", _csv("x", name="t.docx"), "unsupported file type"),
    ("missing-file", {"files": {}, "main": "nope.csv", "options": {}}, "no such file"),
    # encodings
    (
        "cp1252-as-utf8",
        {
            "files": {"t.csv": "buurtcode;naam\nBU01410101;Café\n".encode("cp1252")},
            "main": "t.csv",
            "options": {"jaar": 2024},
        },
        "not valid utf-8",
    ),
    ("unknown-encoding", _csv(OK_KWB, encoding="klingon"), "unknown encoding"),
    # years
    ("jaar-0", _csv(OK_KWB, name="kwb.csv", jaar=0), "not a year between 1900 and 2100"),
    ("jaar-negative", _csv(OK_KWB, name="kwb.csv", jaar=-5), "not a year between 1900 and 2100"),
    (
        "jaar-huge",
        _csv(OK_KWB, name="kwb.csv", jaar=99999999999),
        "not a year between 1900 and 2100",
    ),
    ("vintage-huge", _csv(OK_KWB, vintage=123456), "not a year between 1900 and 2100"),
    ("jaar-unknown", _csv(OK_KWB, name="kwb.csv"), "cannot tell which KWB year"),
    # mapping files
    (
        "mapping-unknown-id",
        _map('[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = "kosten_x"\n'),
        "unknown indicator id 'kosten_x'",
    ),
    (
        "mapping-number-as-id",
        _map('[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = 5\n'),
        "not an indicator id",
    ),
    (
        "mapping-list-as-id",
        _map('[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = ["a_inw"]\n'),
        "not an indicator id",
    ),
    (
        "mapping-two-columns-one-id",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = "a_inw"\nk2 = "a_inw"\n',
            "buurt,kosten,k2\nBU01410101,5,6\n",
        ),
        "'kosten' and 'k2' both mean",
    ),
    (
        "mapping-period-text",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = "twintig"\n[columns]\nkosten = "kosten_sociaal_domein"\n'
        ),
        "not a year",
    ),
    (
        "mapping-period-zero",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 0\n[columns]\nkosten = "kosten_sociaal_domein"\n'
        ),
        "not a year",
    ),
    (
        "mapping-period-float",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024.5\n[columns]\nkosten = "kosten_sociaal_domein"\n'
        ),
        "not a year",
    ),
    (
        "mapping-vintage-bool",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\nvintage = true\n[columns]\nkosten = "kosten_sociaal_domein"\n'
        ),
        "not a year",
    ),
    (
        "mapping-table-not-table",
        _map('table = 5\n[columns]\nkosten = "kosten_sociaal_domein"\n'),
        "must be a table",
    ),
    (
        "mapping-unknown-key",
        _map('[table]\ncode_column = "buurt"\nperiode = 2024\n'),
        "unknown keys in \\[table\\]",
    ),
    (
        "mapping-code-column-number",
        _map("[table]\ncode_column = 3\nperiod = 2024\n"),
        "must be a non-empty text",
    ),
    ("mapping-bad-toml", _map("[table\ncode_column = 'buurt'\n"), "cannot read mapping"),
    ("mapping-unknown-section", _map(GOOD_MAP + "[extra]\na = 1\n"), "unknown section"),
    (
        "mapping-missing-values-text",
        _map(GOOD_MAP + '[missing_values]\nkosten = "0"\n'),
        "must be a list of numbers",
    ),
    (
        "mapping-missing-values-unmapped",
        _map(GOOD_MAP + "[missing_values]\nandere = [0]\n"),
        "does not map",
    ),
    (
        "mapping-inline-unknown-key",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nkosten = { id = "kosten_sociaal_domein", leeg = [0] }\n'
        ),
        "unknown key",
    ),
    (
        "mapping-missing-column",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nuitgaven = "kosten_sociaal_domein"\n'
        ),
        "missing column",
    ),
    (
        "mapping-period-column-bad",
        _map(
            '[table]\ncode_column = "buurt"\nperiod_column = "jaar"\n[columns]\nkosten = "kosten_sociaal_domein"\n',
            "buurt,jaar,kosten\nBU01410101,twintig,5\n",
        ),
        "not a year between",
    ),
    (
        "mapping-no-year",
        _map('[table]\ncode_column = "buurt"\n[columns]\nkosten = "kosten_sociaal_domein"\n'),
        "year is not known",
    ),
    # StatLine CSV
    (
        "statline-no-year",
        _csv(
            '"WijkenEnBuurten";"SoortRegio_2";"AantalInwoners_5"\n"BU01410101";"Buurt";"5"\n',
            name="export.csv",
        ),
        "which KWB year",
    ),
    (
        "statline-year-contradicts",
        _csv(
            '"WijkenEnBuurten";"SoortRegio_2";"AantalInwoners_5"\n"BU01410101";"Buurt";"5"\n',
            name="x_84583NED.csv",
            jaar=2021,
        ),
        "contradicts the table id",
    ),
    (
        "statline-kind-mismatch",
        _csv(
            '"WijkenEnBuurten";"SoortRegio_2";"AantalInwoners_5"\n"BU01410101";"Wijk";"5"\n',
            name="x_84583NED.csv",
        ),
        "is marked 'Wijk'",
    ),
    (
        "statline-no-indicator",
        _csv(
            '"WijkenEnBuurten";"SoortRegio_2";"Onzin_5"\n"BU01410101";"Buurt";"5"\n',
            name="x_84583NED.csv",
        ),
        "no column of this StatLine CSV",
    ),
    (
        "statline-two-keys",
        _csv(
            '"WijkenEnBuurten";"SoortRegio_2";"AantalInwoners_5";"AantalInwoners_6"\n"BU01410101";"Buurt";"5";"6"\n',
            name="x_84583NED.csv",
        ),
        "both mean indicator a_inw",
    ),
    # empty and broken files
    ("empty-file", _csv("", name="kwb-2020.csv"), "no data rows and no header|cannot read the CSV"),
    ("header-only", _csv("gwb_code_10;a_inw\n"), "no data rows"),
    (
        "lbm-bad-jaar",
        _csv("wk_code,jaar,lbm\nWK036201,twintig,4.1\n", name="lbm.csv"),
        "'twintig' is not a year",
    ),
    (
        "odata-broken-json",
        {
            "files": {
                "o/TableInfos.json": b"{",
                "o/DataProperties.json": b"[]",
                "o/data.json": b"[]",
            },
            "main": "o",
            "options": {},
        },
        "cannot read TableInfos.json",
    ),
    (
        "odata-empty-tableinfos",
        {
            "files": {
                "o/TableInfos.json": b'{"value": []}',
                "o/DataProperties.json": b"[]",
                "o/data.json": b"[]",
            },
            "main": "o",
            "options": {},
        },
        "no table description",
    ),
    (
        "odata-no-data-file",
        {
            "files": {"o/TableInfos.json": b"[{}]", "o/DataProperties.json": b"[]"},
            "main": "o",
            "options": {},
        },
        "no data file",
    ),
    (
        "parquet-broken",
        {
            "files": {"t.parquet": b"PAR1 not really"},
            "main": "t.parquet",
            "options": {"jaar": 2024},
        },
        "cannot read Parquet",
    ),
    (
        "xlsx-broken",
        {"files": {"kwb-2020.xlsx": b"PK not a zip"}, "main": "kwb-2020.xlsx", "options": {}},
        "cannot read spreadsheet",
    ),
    # class and rate kinds
    ("class-out-of-range", _csv("gwb_code_10;ste_mvs\nBU01410101;7\n"), "above 5"),
    ("class-fraction", _csv("gwb_code_10;ste_mvs\nBU01410101;2.5\n"), "not a whole number"),
    ("rate-above-1000", _csv("gwb_code_10;p_wmo_t\nBU01410101;1200\n"), "above 1000"),
    ("mean-negative-income", _csv("gwb_code_10;g_ink_pi\nBU01410101;-3\n"), "below 0"),
    (
        "share-mixed-marks",
        _csv("gwb_code_10;p_hh_li\nBU01410101;12.5\nBU01410102;3,4\n"),
        "another decimal mark",
    ),
]

FLAGS = [
    (
        "utf16-read-by-its-bom",
        {"files": {"kwb-2020.csv": OK_KWB.encode("utf-16")}, "main": "kwb-2020.csv", "options": {}},
        lambda st: sorted(st.observations(["a_inw"], level=None)["value"]) == [100, 200],
    ),
    (
        "unknown-code-flagged",
        _csv("gwb_code_10;a_inw\nBU01410101;100\nBU99998888;5\n"),
        lambda st: (
            set(st.areas(level="buurt")["code"]) == {"BU01410101"}
            and "BU99998888" in st.sources()["report"].iloc[0]
        ),
    ),
    (
        "missing-values-declared",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\n'
            'woz = { id = "g_woz", missing_values = [0] }\n',
            "buurt,woz\nBU01410101,0\nBU01410102,300\nBU01410103,0\n",
        ),
        lambda st: st.observations(["g_woz"], level=None)["value"].isna().sum() == 2,
    ),
    (
        "constant-column-warned",
        _map(
            '[table]\ncode_column = "buurt"\nperiod = 2024\n[columns]\nafs = "g_afs_ts"\n',
            "buurt,afs\nBU01410101,0\nBU01410102,0\nBU01410103,0\n",
        ),
        lambda st: "is zero in all 3 areas" in st.sources()["report"].iloc[0],
    ),
    (
        "dutch-decimal-comma-ok",
        _csv("gwb_code_10;p_hh_li\nBU01410101;12,5\nBU01410102;3,25\n"),
        lambda st: sorted(st.observations(["p_hh_li"], level=None)["value"]) == [3.25, 12.5],
    ),
    (
        "three-decimals-in-varied-column-ok",
        _csv("gwb_code_10;g_hhgro\nBU01410101;1.250\nBU01410102;2.5\nBU01410103;2.25\n"),
        lambda st: sorted(st.observations(["g_hhgro"], level=None)["value"]) == [1.25, 2.25, 2.5],
    ),
]


def _other_cases() -> list[Case]:
    cases = [Case(i, d["files"], d["main"], d["options"], error) for i, d, error in OTHER]
    cases += [Case(i, d["files"], d["main"], d["options"], None, check) for i, d, check in FLAGS]
    return cases


REPLACE = Case(
    "replace-needs-vervang",
    {"kwb-2020.csv": b"gwb_code_10;a_inw\nBU01410101;150\n"},
    "kwb-2020.csv",
    {},
    "would change 1 value",
    prepare={"kwb-2020-oud.csv": b"gwb_code_10;a_inw\nBU01410101;100\n"},
)

CASES: list[Case] = [*_value_cases(), *_other_cases(), REPLACE]


def test_at_least_a_hundred_cases():
    assert len(CASES) >= 100, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path):
    for name, data in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    options = dict(case.options)
    if "mapping" in options:
        options["mapping"] = tmp_path / options["mapping"]
    store = Store()
    if case.prepare:
        for name, data in case.prepare.items():
            (tmp_path / name).write_bytes(data)
            store.write(import_path(tmp_path / name, jaar=2020))
    if case.error:
        with pytest.raises(BuurtbalansError, match=case.error) as exc:
            store.write(import_path(tmp_path / case.main, **options))
        assert "Fix:" in str(exc.value), str(exc.value)
        if isinstance(exc.value, DataError) and exc.value.file:
            assert tmp_path.name in exc.value.file or case.main in exc.value.file
    else:
        store.write(import_path(tmp_path / case.main, **options))
        result = case.check(store)
        if result is not None and not isinstance(result, pd.Series):
            assert bool(result), case.id


def test_readme_states_the_count():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    stated = re.search(r"keeps (\d+) bad-input cases", readme)
    assert stated and int(stated.group(1)) == len(CASES)
