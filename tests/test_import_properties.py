"""Property-based tests over the importers with real files mutated (hypothesis).

For each mutation of a real file (separator, decimal mark, encoding, CBS symbols, codes,
duplicate keys, thousands separators) the import either stops with a named error or every
stored value equals the number the file meant. Nothing in between.
"""

from __future__ import annotations

import csv
import io
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.errors import BuurtbalansError
from buurtbalans.sources.codebook import indicator_for_column, resolve_keys_by_stem
from buurtbalans.sources.detect import import_path
from buurtbalans.store import Store

pytestmark = pytest.mark.shared

SYMBOLS = [".", "x", "-", "?", ""]


def _load(path, rows: int, sep: str) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        data = list(csv.reader(fh, delimiter=sep))
    return data[0], data[1 : rows + 1]


def _number(cell: str) -> float:
    text = cell.strip()
    try:
        return float(text)
    except ValueError:
        return math.nan


@st.composite
def mutations(draw, n_rows: int, n_cols: int, sep_choices: tuple[str, ...]):
    return {
        "sep": draw(st.sampled_from(sep_choices)),
        "comma_decimals": draw(st.booleans()),
        "encoding": draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])),
        "pass_encoding": draw(st.booleans()),
        "symbols": draw(
            st.lists(
                st.tuples(
                    st.integers(0, n_rows - 1),
                    st.integers(0, n_cols - 1),
                    st.sampled_from(SYMBOLS),
                ),
                max_size=6,
            )
        ),
        "code": draw(st.sampled_from([None, None, "BU14", "BU99998888", "bu 0363"])),
        "code_row": draw(st.integers(1, n_rows - 1)),
        "duplicate": draw(st.sampled_from([None, None, None, 1, 2])),
        "thousands": draw(st.sampled_from([None, None, ".", ","])),
        "thousands_at": draw(st.tuples(st.integers(0, n_rows - 1), st.integers(0, n_cols - 1))),
    }


def _run(tmp_path, name, header, rows, code_col, columns, m, **options):
    """Mutate, write, import; return None on a named error, else compare every value."""
    rows = [list(r) for r in rows]
    col_names = list(columns)
    intended: dict[tuple[str, str], float] = {}
    code_i = header.index(code_col)
    for r in rows:
        for c in col_names:
            intended[(r[code_i].strip(), columns[c])] = _number(r[header.index(c)])
    for ri, ci, symbol in m["symbols"]:
        col = header.index(col_names[ci % len(col_names)])
        rows[ri][col] = symbol
        intended[
            (rows[ri][code_i].strip(), col_names and columns[col_names[ci % len(col_names)]])
        ] = math.nan
    if m["thousands"]:
        ri, ci = m["thousands_at"]
        col = header.index(col_names[ci % len(col_names)])
        value = _number(rows[ri][col])
        if not math.isnan(value) and value >= 1000 and value == int(value):
            digits = str(int(value))
            rows[ri][col] = digits[:-3] + m["thousands"] + digits[-3:]
    unknown = set()
    if m["code"]:
        old = rows[m["code_row"]][code_i].strip()
        rows[m["code_row"]][code_i] = m["code"]
        intended = {k: v for k, v in intended.items() if k[0] != old}
        if m["code"] == "BU99998888":
            unknown.add("BU99998888")
    if m["duplicate"] is not None:
        rows.append(list(rows[m["duplicate"]]))
    sep = m["sep"]
    if m["comma_decimals"] and sep != ",":
        for r in rows:
            for c in col_names:
                i = header.index(c)
                if "." in r[i].strip() and r[i].strip() not in SYMBOLS:
                    r[i] = r[i].replace(".", ",")
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buf.getvalue().encode(m["encoding"]))
    if m["pass_encoding"]:
        options["encoding"] = m["encoding"]
    store = Store()
    try:
        store.write(import_path(path, **options))
    except BuurtbalansError as exc:
        text = str(exc)
        assert "Fix:" in text and len(text) > 20, text
        return None
    stored = store.observations(level=None)
    got = {
        (a, i): v for a, i, v in zip(stored.area_code, stored.indicator, stored.value, strict=True)
    }
    for (code, indicator), want in intended.items():
        if code in unknown:
            continue
        have = got.get((code, indicator), math.nan)
        assert (math.isnan(want) and math.isnan(have)) or have == pytest.approx(want), (
            code,
            indicator,
            want,
            have,
        )
    assert not any(a in unknown for a, _ in got)
    return got


@pytest.fixture(scope="module")
def amsterdam(raw):
    path = raw / "cbs-kwb2019-statline-amsterdam" / "kwb2019_84583NED_amsterdam.csv"
    header, rows = _load(path, 25, ";")
    columns = resolve_keys_by_stem(header).columns
    return header, rows, columns


@pytest.fixture(scope="module")
def utrecht(raw):
    header, rows = _load(raw / "buurtenrecommender-utrecht" / "buurten.csv", 25, ",")
    columns = {c: i for c in header if (i := indicator_for_column(c))}
    return header, rows, columns


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(m=mutations(25, 68, (";", ",", "\t")))
def test_statline_csv_mutations(amsterdam, tmp_path_factory, m):
    header, rows, columns = amsterdam
    tmp = tmp_path_factory.mktemp("ams")
    _run(tmp, "kwb2019_84583NED_x.csv", header, rows, "WijkenEnBuurten", columns, m)


@pytest.fixture(scope="module")
def amsterdam_as_kwb(amsterdam):
    """The same real rows in the kwb-YYYY download layout (short ids as the header)."""
    header, rows, columns = amsterdam
    keep = ["WijkenEnBuurten", *columns]
    idx = [header.index(k) for k in keep]
    new_header = ["gwb_code_10", *columns.values()]
    new_rows = [[r[i] for i in idx] for r in rows]
    return new_header, new_rows, {v: v for v in columns.values()}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(m=mutations(25, 68, (";", ",", "\t")))
def test_kwb_file_mutations(amsterdam_as_kwb, tmp_path_factory, m):
    header, rows, columns = amsterdam_as_kwb
    tmp = tmp_path_factory.mktemp("kwb")
    _run(tmp, "kwb-2019.csv", header, rows, "gwb_code_10", columns, m)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(m=mutations(25, 21, (";", ",", "\t")))
def test_derived_table_mutations(utrecht, tmp_path_factory, m):
    header, rows, columns = utrecht
    tmp = tmp_path_factory.mktemp("utr")
    _run(tmp, "buurten.csv", header, rows, "buurt_code", columns, m, jaar=2022)


def test_unmutated_files_store_every_value(amsterdam, utrecht, tmp_path):
    plain = {
        "sep": ";",
        "comma_decimals": False,
        "encoding": "utf-8",
        "pass_encoding": False,
        "symbols": [],
        "code": None,
        "code_row": 1,
        "duplicate": None,
        "thousands": None,
        "thousands_at": (0, 0),
    }
    header, rows, columns = amsterdam
    got = _run(tmp_path, "kwb2019_84583NED_x.csv", header, rows, "WijkenEnBuurten", columns, plain)
    assert got is not None and len(got) > 1000
    header, rows, columns = utrecht
    got = _run(tmp_path, "buurten.csv", header, rows, "buurt_code", columns, plain, jaar=2022)
    assert got is not None and len(got) > 400
