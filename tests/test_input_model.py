"""One input model for every door (issue 19): each kind the sweep found as a regression
case, and a generative test that mutates valid inputs of every door.

The invariant: either the stored (or returned) numbers are the intended ones, or the
command refuses with a named error (with a fix) and the store is unchanged.
"""

from __future__ import annotations

import errno
import functools
import hashlib
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.errors import BuurtbalansError, DataError, OutputError, SpecError
from buurtbalans.index.engine import compute
from buurtbalans.index.own_data import read_own_data
from buurtbalans.sources.detect import import_path
from buurtbalans.spec import load_spec, parse_spec
from buurtbalans.store import Store

CODES = ["BU01410101", "BU01410102", "BU01410103"]


def _stored(store: Store, indicator: str) -> dict[str, float]:
    obs = store.observations([indicator], level=None)
    return dict(zip(obs["area_code"], obs["value"], strict=True))


def _workbook(path: Path, sheets: dict[str, list[list]], hidden=(), formats=None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    for (sheet, cell), fmt in (formats or {}).items():
        wb[sheet][cell].number_format = fmt
    wb.save(path)
    return path


KWB_ROWS = [
    ["gwb_code_10", "a_inw", "p_hh_li"],
    *[[c, 100 * (i + 1), 40.5 - i] for i, c in enumerate(CODES)],
]


# -- spreadsheets -------------------------------------------------------------------------------
def test_hidden_first_sheet_is_not_read(tmp_path):
    path = _workbook(
        tmp_path / "kwb-2020.xlsx",
        {"oud": [["gwb_code_10", "a_inw"], [CODES[0], 1]], "data": KWB_ROWS},
        hidden=("oud",),
    )
    store = Store()
    store.write(import_path(path))
    assert _stored(store, "a_inw") == {CODES[0]: 100, CODES[1]: 200, CODES[2]: 300}


def test_two_data_sheets_are_refused_and_blad_chooses(tmp_path):
    path = _workbook(tmp_path / "kwb-2020.xlsx", {"a": KWB_ROWS, "b": KWB_ROWS[:2]})
    with pytest.raises(DataError, match=r"2 sheets with data: 'a' and 'b'.*--blad"):
        import_path(path)
    batch = import_path(path, blad="b")
    assert set(batch.observations["area_code"]) == {CODES[0]}
    with pytest.raises(DataError, match=r"no sheet 'c'; its sheets are 'a' and 'b'"):
        import_path(path, blad="c")


def test_notes_sheet_first_and_messages_name_the_sheet(tmp_path):
    rows = [r[:] for r in KWB_ROWS]
    rows[2][1] = "veel"
    path = _workbook(tmp_path / "kwb-2020.xlsx", {"toelichting": [["Bron: CBS"]], "data": rows})
    with pytest.raises(DataError, match=r"'veel'.*sheet 'data', row 3, column 'a_inw'"):
        import_path(path)


@pytest.mark.parametrize(
    ("cell", "fmt", "message"),
    [
        (0.405, "0.0%", r"'40.5%' is a percentage"),
        (True, None, r"'TRUE' is a true/false value"),
        ("=1/0", None, r"'=1/0' is a formula without a saved result"),
    ],
)
def test_cells_that_show_something_else_are_refused(tmp_path, cell, fmt, message):
    rows = [r[:] for r in KWB_ROWS]
    rows[2][2] = cell
    formats = {("data", "C3"): fmt} if fmt else None
    path = _workbook(tmp_path / "kwb-2020.xlsx", {"data": rows}, formats=formats)
    store = Store()
    with pytest.raises(DataError, match=message + r".*row 3, column 'p_hh_li'.*Fix:"):
        store.write(import_path(path))
    assert store.counts()["observations"] == 0


def test_error_cell_is_refused(tmp_path):
    rows = [r[:] for r in KWB_ROWS]
    path = _workbook(tmp_path / "kwb-2020.xlsx", {"data": rows})
    wb = openpyxl.load_workbook(path)
    wb["data"]["C4"] = "#DIV/0!"
    wb["data"]["C4"].data_type = "e"
    wb.save(path)
    with pytest.raises(DataError, match=r"'#DIV/0!' is a spreadsheet error value.*row 4"):
        import_path(path)


def test_number_formats_that_are_not_percentages_are_read(tmp_path):
    rows = [r[:] for r in KWB_ROWS]
    path = _workbook(tmp_path / "kwb-2020.xlsx", {"data": rows}, formats={("data", "C2"): "0.0"})
    store = Store()
    store.write(import_path(path))
    assert _stored(store, "p_hh_li")[CODES[0]] == 40.5


# -- text files ---------------------------------------------------------------------------------
OK = "gwb_code_10;a_inw;p_hh_li\nBU01410101;100;40.5\nBU01410102;200;39.5\n"


@pytest.mark.parametrize(
    "data",
    [
        OK.replace("\n", "\r").encode(),  # old Mac line endings
        OK.replace("\n", "\r\n").encode(),
        OK.replace("a_inw", " a_inw ").replace("p_hh_li", "p_hh_li\t").encode(),
        OK.encode("utf-16"),
        OK.encode("utf-16-le"),
        OK.encode("utf-8-sig"),
        (OK + "\n\n;;\n").encode(),  # empty rows at the end
    ],
    ids=["cr", "crlf", "header-spaces", "utf16-bom", "utf16-le", "utf8-bom", "trailing-empty"],
)
def test_text_variants_read_the_same_numbers(tmp_path, data):
    path = tmp_path / "kwb-2020.csv"
    path.write_bytes(data)
    store = Store()
    store.write(import_path(path))
    assert _stored(store, "a_inw") == {CODES[0]: 100, CODES[1]: 200}
    assert _stored(store, "p_hh_li") == {CODES[0]: 40.5, CODES[1]: 39.5}


def test_empty_row_between_data_is_refused_with_its_row(tmp_path):
    path = tmp_path / "kwb-2020.csv"
    path.write_text(OK.replace("\nBU01410102", "\n\nBU01410102").replace(";39.5", ";abc"))
    with pytest.raises(DataError, match=r"row 3 is empty.*row 3\)"):
        import_path(path)


def test_bound_in_the_message_is_not_rounded(tmp_path):
    path = tmp_path / "kwb-2020.csv"
    path.write_text(OK.replace("40.5", "100.0000001"))
    with pytest.raises(DataError, match=r"100\.0000001 is above 100"):
        import_path(path)


# -- years and vintages ---------------------------------------------------------------------------
def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_vintage_other_than_the_kwb_year_is_refused(tmp_path):
    path = _csv(tmp_path, "kwb-2020.csv", OK)
    with pytest.raises(DataError, match=r"--vintage 2024 does not fit a KWB 2020 file"):
        import_path(path, vintage=2024)
    assert import_path(path, vintage=2020).source.period == "2020"


def test_jaar_against_file_name_and_jaar_column(tmp_path):
    with pytest.raises(DataError, match=r"the file name says 2020, --jaar says 2021"):
        import_path(_csv(tmp_path, "kwb-2020.csv", OK), jaar=2021)
    text = "gwb_code_10;jaar;a_inw\nBU01410101;2020;1\nBU01410102;2019;2\n"
    with pytest.raises(DataError, match=r"column 'jaar' says 2019.*row 3"):
        import_path(_csv(tmp_path, "kwb-2020.csv", text))


def test_vintage_1900_in_a_mapping_is_refused(tmp_path):
    (tmp_path / "m.toml").write_text(
        '[table]\ncode_column = "buurt"\nperiod = 2024\nvintage = 1900\n'
    )
    path = _csv(tmp_path, "t.csv", "buurt,kosten_sociaal_domein\nBU01410101,5\n")
    with pytest.raises(DataError, match=r"vintage 1900 is not a CBS area classification year"):
        import_path(path, mapping=tmp_path / "m.toml")


@pytest.mark.parametrize(
    ("mapping", "jaar", "message"),
    [
        ("period = 2024", 2023, r"--jaar says 2023, the mapping's period says 2024"),
        ('period = 2024\nperiod_column = "jaar"', None, r"period says 2024, but column 'jaar'"),
        ("period = 2024", None, r"period says 2024, but column 'jaar' says 2023"),
    ],
)
def test_municipal_years_must_agree(tmp_path, mapping, jaar, message):
    (tmp_path / "m.toml").write_text(f'[table]\ncode_column = "buurt"\n{mapping}\n')
    path = _csv(tmp_path, "t.csv", "buurt,jaar,kosten_sociaal_domein\nBU01410101,2023,5\n")
    with pytest.raises(DataError, match=message):
        import_path(path, mapping=tmp_path / "m.toml", jaar=jaar)


def test_buurt_of_a_merged_gemeente_is_flagged_in_a_later_vintage(tmp_path):
    text = "gwb_code_10;a_inw\nBU01960101;100\nBU02990101;200\n"  # Rijnwaarden, Zevenaar
    store = Store()
    batch = import_path(_csv(tmp_path, "kwb-2024.csv", text))
    store.write(batch)
    assert set(_stored(store, "a_inw")) == {"BU02990101"}
    assert "merged away: GM0196" in " ".join(map(str, batch.report))
    early = import_path(_csv(tmp_path, "kwb-2016.csv", text))
    store.write(early)
    assert "BU01960101" in set(store.observations(["a_inw"], level=None)["area_code"])


# -- bring your own data ------------------------------------------------------------------------
SPEC = """[index]
name = "eigen"
transform = "percentile"
[[domain]]
id = "inkomen"
weight = 100
[[indicator]]
id = "laag"
domain = "inkomen"
"""


def _spec(tmp_path: Path, text: str = SPEC):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return load_spec(path)


def _own(tmp_path: Path, text: str, spec=None, period: str | None = None):
    path = _csv(tmp_path, "eigen.csv", text)
    spec = spec or _spec(tmp_path)
    data, _ = read_own_data(path, spec, id_column="buurt", period_column=period)
    return compute(data, spec, id_columns=["buurt"], period_column=period).table


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("10%", "percentage"),
        ("n.v.t.", "neither a number nor a CBS symbol"),
        ("inf", "not a finite number"),
        ("1.250", "thousands separator"),
    ],
)
def test_own_data_values_are_read_or_refused(tmp_path, cell, message):
    with pytest.raises(DataError, match=rf"{message}.*row 3, column 'laag'"):
        _own(tmp_path, f"buurt,laag\nA,1\nB,{cell}\nC,3\n")


def test_own_data_decimal_comma_and_symbols(tmp_path):
    table = _own(tmp_path, "buurt;laag\nA;1,5\nB;.\nC;3,5\nD;2,5\n")
    assert table.set_index("buurt")["rank"].to_dict()["C"] == 1
    assert pd.isna(table.set_index("buurt")["score"]["B"])


def test_own_data_ties_share_rank_and_decile(tmp_path):
    table = _own(tmp_path, "buurt,laag\nA,5\nB,5\nC,5\nD,1\n").set_index("buurt")
    assert table.loc[["A", "B", "C"], "rank"].tolist() == [1, 1, 1]
    assert table.loc[["A", "B", "C"], "decile"].nunique() == 1
    assert table.loc["D", "rank"] == 4


def test_own_data_empty_id_refused(tmp_path):
    with pytest.raises(DataError, match=r"area id is empty.*row 3, column 'buurt'"):
        _own(tmp_path, "buurt,laag\nA,1\n ,2\n")


def test_own_data_periods_are_integer_years(tmp_path):
    table = _own(tmp_path, "buurt,jaar,laag\nA,2020,1\nB,2020.0,2\n", period="jaar")
    assert table["jaar"].tolist() == [2020, 2020] and sorted(table["rank"]) == [1, 2]
    with pytest.raises(DataError, match=r"'twintig' is not a year.*row 3, column 'jaar'"):
        _own(tmp_path, "buurt,jaar,laag\nA,2020,1\nB,twintig,2\n", period="jaar")


def test_own_data_ratio_indicator(tmp_path):
    spec = _spec(
        tmp_path,
        SPEC.replace('id = "laag"', 'id = "r_bijst"\nnumerator = "bijst"\ndenominator = "inw"'),
    )
    table = _own(tmp_path, "buurt,bijst,inw\nA,10,100\nB,30,100\nC,20,100\n", spec=spec)
    assert table.set_index("buurt")["rank"].to_dict() == {"B": 1, "C": 2, "A": 3}


def test_own_data_period_column_equal_to_id_refused(tmp_path):
    with pytest.raises(DataError, match="both 'buurt'"):
        _own(tmp_path, "buurt,laag\nA,1\n", period="buurt")


# -- specs --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"classes": {"edges": ["20", 35, 50, 60]}}, r"edge 1 is '20', not a finite number"),
        ({"classes": {"edges": [20, float("nan"), 50, 60]}}, r"edge 2 is nan"),
        ({"classes": {"edges": [20, 20, 50, 60]}}, r"not strictly increasing"),
        ({"min_population": "50"}, r"min_population is '50', not a number"),
    ],
)
def test_spec_index_types(change, message):
    data = {
        "index": {"name": "t", **change},
        "domain": [{"id": "d", "weight": 100}],
        "indicator": [{"id": "x", "domain": "d"}],
    }
    with pytest.raises(SpecError, match=message):
        parse_spec(data, where="t.toml")


def test_spec_domain_and_weights():
    base = {"index": {"name": "t"}, "domain": [{"id": "d", "weight": 100}]}
    with pytest.raises(SpecError, match=r"t.toml: indicator 'x' domain is 5, not a text"):
        parse_spec({**base, "indicator": [{"id": "x", "domain": 5}]}, where="t.toml")
    tiny = {
        "index": {"name": "t"},
        "domain": [{"id": "a", "weight": 1e-300}, {"id": "b", "weight": 1e-300}],
        "indicator": [{"id": "x", "domain": "a"}, {"id": "y", "domain": "b"}],
    }
    with pytest.raises(SpecError, match=r"domain 'a' weight is 1e-300, outside the sensible"):
        parse_spec(tiny, where="t.toml")


def test_spec_file_encodings(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(SPEC.replace('name = "eigen"', 'name = "één"').encode("latin-1"))
    with pytest.raises(SpecError, match=r"not valid utf-8.*s.toml.*Fix: save the spec as UTF-8"):
        load_spec(path)
    path.write_bytes(SPEC.replace('name = "eigen"', 'name = "één"').encode("utf-16"))
    assert load_spec(path).name == "één"


# -- outputs ------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_failed_export_keeps_the_old_file(tmp_path, monkeypatch, suffix):
    from buurtbalans.exports import write_table

    path = tmp_path / f"uit{suffix}"
    write_table(pd.DataFrame({"a": [1, 2]}), path)
    before = path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.replace", full)
    with pytest.raises(OutputError, match=rf"cannot write .*uit\{suffix}: No space left"):
        write_table(pd.DataFrame({"a": [3]}), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no stray temp file


def test_cli_export_failure_is_one_message(tmp_path, demo_store_path, monkeypatch, capsys):
    from buurtbalans.cli.app import main

    out = tmp_path / "show.csv"
    out.write_text("oud\n")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("os.replace", full)
    argv = ["buurtbalans", "show", "a_inw", "-g", "GM9999", "--output", str(out)]
    argv += ["--store", str(demo_store_path)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1
    err = capsys.readouterr().err
    assert "show.csv" in err and "Traceback" not in err and "Interne fout" not in err
    assert out.read_text() == "oud\n"


# -- damaged stores -----------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncate", "bytes"])
@pytest.mark.parametrize("command", ["sources", "show"])
def test_damaged_store_is_one_doctor_message(
    tmp_path, demo_store_path, monkeypatch, capsys, damage, command
):
    from buurtbalans.cli.app import main

    path = tmp_path / "kapot.duckdb"
    data = bytearray(demo_store_path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 3]
    else:
        rng = np.random.default_rng(1)
        for start in range(8192, len(data), 65536):
            data[start : start + 4096] = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    monkeypatch.setenv("BUURTBALANS_LOCK_TIMEOUT", "1")
    args = ["sources"] if command == "sources" else ["show", "a_inw", "-g", "GM9999"]
    monkeypatch.setattr("sys.argv", ["buurtbalans", *args, "--store", str(path)])
    with pytest.raises(SystemExit) as done:
        main()
    err = capsys.readouterr().err
    assert done.value.code == 1, err
    assert "buurtbalans doctor" in " ".join(err.split()) and "Interne fout" not in err


# -- HTTP ---------------------------------------------------------------------------------------
def test_http_import_names_no_server_path_and_refuses_newline_names(tmp_path, demo_store_path):
    pytest.importorskip("fastapi")
    import shutil

    from fastapi.testclient import TestClient

    from buurtbalans.web import create_app

    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store_path, store)
    client = TestClient(create_app(store, imports=True, token="t0ken-for-tests"))
    auth = {"Authorization": "Bearer t0ken-for-tests"}
    url = "/api/v1/imports"
    resp = client.put(url, params={"bestand": "kwb-2020.csv\n"}, content=OK.encode(), headers=auth)
    assert resp.status_code == 400, resp.text
    bad = OK.replace("40.5", "veel").encode()
    resp = client.put(url, params={"bestand": "kwb-2020.csv"}, content=bad, headers=auth)
    assert resp.status_code == 422, resp.text
    detail = resp.json()["detail"]
    assert "file kwb-2020.csv, row 2" in detail and "/tmp" not in detail, detail
    book = _workbook(tmp_path / "b.xlsx", {"a": KWB_ROWS, "b": KWB_ROWS})
    resp = client.put(
        url, params={"bestand": "kwb-2020.xlsx"}, content=book.read_bytes(), headers=auth
    )
    assert resp.status_code == 422 and "--blad" in resp.json()["detail"]
    resp = client.put(
        url,
        params={"bestand": "kwb-2020.xlsx", "blad": "b"},
        content=book.read_bytes(),
        headers=auth,
    )
    assert resp.status_code == 201, resp.text


def test_http_import_runs_off_the_event_loop(tmp_path, demo_store_path, monkeypatch):
    pytest.importorskip("fastapi")
    import asyncio
    import shutil
    import threading

    import httpx

    from buurtbalans.web import create_app

    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store_path, store)
    app = create_app(store, imports=True, token="t0ken-for-tests")
    release = threading.Event()
    real = import_path

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr("buurtbalans.sources.detect.import_path", slow)

    async def run() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            upload = asyncio.create_task(
                client.put(
                    "/api/v1/imports",
                    params={"bestand": "kwb-2020.csv"},
                    content=OK.encode(),
                    headers={"Authorization": "Bearer t0ken-for-tests"},
                )
            )
            await asyncio.sleep(0.2)
            reader = await asyncio.wait_for(client.get("/api/v1/gemeenten"), 10)
            release.set()
            return reader.status_code, (await upload).status_code

    read_status, upload_status = asyncio.run(run())
    assert read_status == 200 and upload_status in (201, 409)


# -- the generative test ------------------------------------------------------------------------
def _store_digest(store: Store) -> str:
    rows = store.con.execute(
        "SELECT area_code, vintage, period, indicator, value, status FROM observations ORDER BY ALL"
    ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


BAD_CELLS = ["10%", "TRUE", "n.v.t.", "inf", "nan", "#DIV/0!", "=A1", "1.250.000", "12abc"]


@st.composite
def door_inputs(draw):
    n = draw(st.integers(2, 5))
    inw = draw(st.lists(st.integers(0, 20000), min_size=n, max_size=n))
    share = draw(st.lists(st.integers(0, 1000), min_size=n, max_size=n))  # tenths of %
    door = draw(st.sampled_from(["kwb-csv", "kwb-xlsx", "municipal", "own-data"]))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    decimal = "," if sep == ";" and draw(st.booleans()) else "."
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    pad = draw(st.sampled_from(["", " ", "  "]))
    mutation = draw(
        st.one_of(
            st.none(),
            st.tuples(
                st.integers(0, n - 1),
                st.sampled_from(["a_inw", "p_hh_li"]),
                st.sampled_from([*BAD_CELLS, "", "x", "."]),
            ),
        )
    )
    sheets = draw(st.sampled_from(["one", "hidden-first", "two"]))
    year_clash = draw(st.booleans()) and door != "own-data"
    return dict(
        n=n,
        inw=inw,
        share=share,
        door=door,
        sep=sep,
        decimal=decimal,
        encoding=encoding,
        newline=newline,
        pad=pad,
        mutation=mutation,
        sheets=sheets,
        year_clash=year_clash,
    )


def _cells(case) -> tuple[list[str], list[list]]:
    codes = [f"BU014101{i + 1:02d}" for i in range(case["n"])]
    rows = []
    for i, code in enumerate(codes):
        share = case["share"][i] / 10
        rows.append([code, case["inw"][i], share])
    header = ["code", "a_inw", "p_hh_li"]
    if case["mutation"] is not None:
        i, col, cell = case["mutation"]
        rows[i][header.index(col)] = cell
    return header, rows


def _text_cell(value, decimal: str) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", decimal)
    return str(value)


def _write_door(tmp_path: Path, case) -> tuple[Path, dict]:
    header, rows = _cells(case)
    door = case["door"]
    names = {
        "kwb-csv": "gwb_code_10",
        "kwb-xlsx": "gwb_code_10",
        "municipal": "buurt",
        "own-data": "buurt",
    }
    header = [names[door], *header[1:]]
    header = [case["pad"] + h + case["pad"] for h in header]
    options: dict = {"jaar": 2019} if case["year_clash"] else {}
    if door == "kwb-xlsx":
        sheets = {"data": [header, *rows]}
        hidden = ()
        if case["sheets"] == "hidden-first":
            sheets = {"verborgen": [header, *rows[:1]], **sheets}
            hidden = ("verborgen",)
        elif case["sheets"] == "two":
            sheets["kopie"] = [header, *rows]
        path = tmp_path / "kwb-2020.xlsx"
        for old in tmp_path.iterdir():
            old.unlink()
        return _workbook(path, sheets, hidden=hidden), options
    sep, decimal = case["sep"], case["decimal"]
    lines = [sep.join(header)]
    for row in rows:
        cells = [_text_cell(v, decimal) for v in row]
        lines.append(sep.join(f'"{c}"' if sep in c else c for c in cells))
    text = case["newline"].join(lines) + case["newline"]
    name = "kwb-2020.csv" if door == "kwb-csv" else "tabel.csv"
    path = tmp_path / name
    for old in tmp_path.iterdir():
        old.unlink()
    path.write_bytes(text.encode(case["encoding"]))
    if case["encoding"] == "cp1252":
        options["encoding"] = "cp1252"
    if door == "municipal":
        mapping = tmp_path / "m.toml"
        mapping.write_text(
            '[table]\ncode_column = "buurt"\nperiod = 2020\n[columns]\n'
            'a_inw = "a_inw"\np_hh_li = "p_hh_li"\n'
        )
        options["mapping"] = mapping
    return path, options


def _intended(case) -> dict[str, dict[str, float | None]]:
    header, rows = _cells(case)
    out: dict[str, dict[str, float | None]] = {"a_inw": {}, "p_hh_li": {}}
    for row in rows:
        for col in ("a_inw", "p_hh_li"):
            value = row[header.index(col)]
            if value in BAD_CELLS:
                continue  # no number is intended: the door must refuse
            out[col][row[0]] = None if value in ("", "x", ".") else float(value)
    return out


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=door_inputs())
def test_every_door_stores_the_intended_numbers_or_refuses(tmp_path, case):
    path, options = _write_door(tmp_path, case)
    intended = _intended(case)
    must_refuse = case["mutation"] is not None and case["mutation"][2] in BAD_CELLS
    if case["door"] == "own-data":
        spec = parse_spec(
            {
                "index": {"name": "g", "transform": "percentile"},
                "domain": [{"id": "d", "weight": 100}],
                "indicator": [{"id": "p_hh_li", "domain": "d"}, {"id": "a_inw", "domain": "d"}],
            }
        )
        try:
            data, _ = read_own_data(path, spec, id_column="buurt")
        except BuurtbalansError as exc:
            assert "Fix:" in str(exc)
            assert must_refuse, f"a valid input was refused: {exc}"
            return
        assert not must_refuse, f"{case['mutation']} was read as a number"
        for col in ("a_inw", "p_hh_li"):
            got = dict(zip(data["buurt"], data[col], strict=True))
            for code, want in intended[col].items():
                assert pd.isna(got[code]) if want is None else got[code] == want, (col, code)
        return
    store = Store()
    before = _store_digest(store)
    try:
        store.write(import_path(path, **options))
    except BuurtbalansError as exc:
        assert "Fix:" in str(exc), str(exc)
        assert _store_digest(store) == before
        two_sheets = case["door"] == "kwb-xlsx" and case["sheets"] == "two"
        assert must_refuse or case["year_clash"] or two_sheets, f"valid input refused: {exc}"
        return
    assert not case["year_clash"], "a contradicting --jaar was accepted"
    assert not must_refuse, f"{case['mutation']} was read as a number"
    assert case["door"] != "kwb-xlsx" or case["sheets"] != "two"
    for col in ("a_inw", "p_hh_li"):
        got = _stored(store, col)
        for code, want in intended[col].items():
            if want is None:
                assert pd.isna(got.get(code, np.nan)), (col, code, got)
            else:
                assert got[code] == pytest.approx(want, abs=1e-9), (col, code, got)


# -- the national twin (reduced) --------------------------------------------------------------
@st.composite
def twin_mutations(draw):
    return {
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])),
        "newline": draw(st.sampled_from(["\n", "\r\n", "\r"])),
        "bad": draw(st.one_of(st.none(), st.sampled_from(BAD_CELLS))),
        "row": draw(st.integers(0, 10_000)),
    }


@functools.cache
def _twin_observations(path: Path) -> pd.DataFrame:
    """What the twin file itself reads as (read, not stored: a twin file never goes into
    an ordinary store), in the store's order."""
    from buurtbalans.sources.detect import read_path

    obs = read_path(path).observations[["area_code", "indicator", "value", "status"]]
    return obs.sort_values(["area_code", "indicator", "value", "status"]).reset_index(drop=True)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(change=twin_mutations())
def test_twin_kwb_file_mutated_reads_the_same_numbers_or_refuses(twin_klein, tmp_path, change):
    """The twin's kwb-2020.csv (every gemeente of the reduced twin) in another encoding and
    line ending stores the same numbers as the file itself; with one bad cell it is refused
    naming that row, and the store is unchanged."""
    original = twin_klein[1] / "kwb-2020.csv"
    lines = original.read_text("utf-8").splitlines()
    header = lines[0].split(";")
    row = 1 + change["row"] % (len(lines) - 1)
    if change["bad"] is not None:
        cells = lines[row].split(";")
        cells[header.index('"a_inw"')] = change["bad"]
        lines[row] = ";".join(cells)
    path = tmp_path / "kwb-2020.csv"
    path.write_bytes(change["newline"].join(lines).encode(change["encoding"]))
    expected = _twin_observations(original)
    store = Store()
    before = _store_digest(store)
    if change["bad"] is not None:
        with pytest.raises(DataError, match=rf"row {row + 1}, column 'a_inw'.*Fix:"):
            store.write(import_path(path))
        assert _store_digest(store) == before
        return
    store.write(import_path(path))
    got = store.con.execute(
        "SELECT area_code, indicator, value, status FROM observations ORDER BY ALL"
    ).df()
    assert len(got) == len(expected) > 1000
    assert got["value"].tolist() == pytest.approx(expected["value"].tolist(), nan_ok=True)
    assert got["status"].tolist() == expected["status"].tolist()


def test_twin_cost_workbook_with_a_hidden_sheet_and_a_second_sheet(twin_klein, tmp_path):
    original = twin_klein[1] / "kosten-GM0141.xlsx"
    wb = openpyxl.load_workbook(original)
    wb.create_sheet("oud", 0).append(["buurt", "jaar", "kosten_totaal"])
    wb["oud"].append(["Noord Meer", 2020, 1])
    wb["oud"].sheet_state = "hidden"
    wb.active = 1
    path = tmp_path / "kosten-GM0141.xlsx"
    wb.save(path)
    mapping = twin_klein[1] / "kosten-mapping.toml"
    with Store(twin_klein[0], read_only=True) as twin:
        areas = twin.areas("GM0141", level="buurt", vintage=2024)
    batch = import_path(path, mapping=mapping, areas=areas)
    want = import_path(original, mapping=mapping, areas=areas).observations
    assert batch.observations["value"].tolist() == want["value"].tolist()
    wb.create_sheet("kopie").append(["buurt", "jaar", "kosten_totaal"])
    wb["kopie"].append(["Noord Meer", 2020, 2])
    wb.save(path)
    with pytest.raises(DataError, match=r"sheets with data: 'kosten' and 'kopie'.*--blad"):
        import_path(path, mapping=mapping, areas=areas)


# -- geometry -----------------------------------------------------------------------------------
def _square(x: float, y: float, size: float = 500.0) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _map(tmp_path: Path, geometries: dict[str, dict]) -> Path:
    import json

    features = [
        {
            "type": "Feature",
            "properties": {"BU_CODE": code, "AANT_INW": 100},
            "geometry": geometry,
        }
        for code, geometry in geometries.items()
    ]
    path = tmp_path / "buurt_2020.geojson"
    doc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
        "features": features,
    }
    path.write_text(json.dumps(doc))
    return path


ALMERE = {f"BU003401{i:02d}": _square(143000 + 800 * i, 486000) for i in range(1, 5)}


def test_polygon_in_brussels_for_an_almere_buurt_is_refused(tmp_path):
    pytest.importorskip("geopandas")
    assert len(import_path(_map(tmp_path, ALMERE)).boundaries) == 4
    shapes = {**ALMERE, "BU00340105": _square(81955, 318313)}  # Brussels in RD New
    with pytest.raises(DataError, match=r"far from the other areas of their gemeente.*BU00340105"):
        import_path(_map(tmp_path, shapes))


def test_zero_area_polygon_is_refused_not_repaired(tmp_path):
    pytest.importorskip("geopandas")
    flat = {
        "type": "Polygon",
        "coordinates": [[[144000, 486000], [145000, 486000], [146000, 486000], [144000, 486000]]],
    }
    with pytest.raises(DataError, match=r"no area.*BU00340105"):
        import_path(_map(tmp_path, {**ALMERE, "BU00340105": flat}))


def test_nan_coordinate_is_refused(tmp_path, monkeypatch):
    pytest.importorskip("geopandas")
    import shapely

    from buurtbalans.sources import boundaries

    path = _map(tmp_path, ALMERE)
    real = boundaries.read_geofile

    def with_nan(*args, **kwargs):
        gdf = real(*args, **kwargs)
        ring = [(143800, 486000), (float("nan"), 486000), (144300, 486500), (143800, 486000)]
        gdf.loc[0, "geometry"] = shapely.Polygon(ring)
        return gdf

    monkeypatch.setattr("buurtbalans.sources.kwb_file.read_geofile", with_nan)
    with pytest.raises(DataError, match=r"not numbers \(NaN or infinite\): BU00340101"):
        import_path(path)


def test_an_import_reads_its_file_once_and_a_changed_file_is_read_again(tmp_path, monkeypatch):
    """Format detection and the reader share one read inside an import; outside one, every
    read sees the file as it is now."""
    from buurtbalans.sources import tables
    from buurtbalans.sources.detect import read_path

    path = tmp_path / "kwb-2019.csv"
    path.write_text("gwb_code_10;regio;a_inw\nBU00030000;Kern;1000\n", encoding="utf-8")
    calls = []
    real = tables._read_table
    monkeypatch.setattr(tables, "_read_table", lambda *a, **k: calls.append(a) or real(*a, **k))
    batch = read_path(path)
    assert len(calls) == 1 and batch.observations["value"].tolist() == [1000.0]
    path.write_text("gwb_code_10;regio;a_inw\nBU00030000;Kern;2000\n", encoding="utf-8")
    assert read_path(path).observations["value"].tolist() == [2000.0]
    assert tables.read_table(path)["a_inw"].tolist() == ["2000"]
    assert tables.read_table(path)["a_inw"].tolist() == ["2000"] and len(calls) == 4
