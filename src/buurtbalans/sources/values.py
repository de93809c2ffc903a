"""One typed reading of input files for every door (import file, mappings, StatLine
exports, OData, HTTP uploads and bring-your-own-data ``index --input``).

What a door gets from here is a table of cells as the user sees them: text from CSV files
(decoded, line endings and header whitespace normalised), and from spreadsheets the typed
values of the one visible sheet with data, where every cell whose stored value differs
from what the sheet shows is turned into the text it shows, so that the one value parser
(:func:`buurtbalans.sources.symbols.parse_values`) refuses it naming file, sheet, row and
column:

* a number formatted as a percentage (shows ``40.5 %``, stored ``0.405``) → ``"40.5%"``;
* a true/false cell → ``"TRUE"`` / ``"FALSE"`` (a boolean is not a count of 1);
* an error cell (``#DIV/0!``, ``#N/A`` ...) → its error text;
* a formula without a saved result → ``"=<formula>"``.

A value is then a number, an explicit CBS status, or a refusal. Row numbers are the rows
the user sees: empty lines between data rows are refused (they would shift every row
number after them), empty lines at the end are dropped.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from buurtbalans.errors import DataError, Msg

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_OOXML = (".xlsx", ".xlsm")
#: the first and last vintage (CBS area classification year) that can be meant
VINTAGE_RANGE = (2003, date.today().year + 1)


def where(path: Path | str, sheet: str | None = None) -> str:
    """The file label of messages: the path, and the sheet of a workbook."""
    return f"{path}, sheet {sheet!r}" if sheet else str(path)


def source_label(path: Path | str, df: pd.DataFrame) -> str:
    """:func:`where` for a table read by :func:`buurtbalans.sources.tables.read_table`."""
    return where(path, df.attrs.get("sheet"))


# -- text files ------------------------------------------------------------------------------
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
)


def _sniff_encoding(raw: bytes) -> str:
    """The encoding a byte-order mark (or UTF-16 without one: every other byte NUL)
    declares; UTF-8 otherwise."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    head = raw[:4000]
    if len(head) >= 4:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return "utf-8"


def decode_bytes(
    raw: bytes,
    encoding: str | None,
    *,
    file: str,
    fix: str | Msg | None = None,
) -> str:
    """The text of a file: in ``encoding`` when given, else by its byte-order mark (UTF-8,
    UTF-16, UTF-32) or UTF-8; CR-only line endings (old Mac) become newlines. Bytes that do
    not decode are refused naming the byte and its line (``fix``: how to, by default
    saving the file as UTF-8 or passing --encoding)."""
    fix = Msg("fix_tb_encoding") if fix is None else fix
    enc = encoding or _sniff_encoding(raw)
    try:
        text = raw.decode(enc)
    except LookupError:
        raise DataError(
            Msg("err_tb_unknown_encoding", encoding=enc),
            file=file,
            fix=Msg("fix_tb_unknown_encoding"),
        ) from None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
        raise DataError(
            Msg(
                "err_tb_not_decoded",
                encoding=enc,
                position=exc.start,
                byte=f"0x{raw[exc.start]:02X}",
            ),
            file=file,
            row=line,
            fix=fix,
        ) from None
    text = text.removeprefix("\ufeff")
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(Msg("err_tb_nul", encoding=enc), file=file, row=line, fix=Msg("fix_tb_nul"))
    return text


def refuse_blank_rows(blank: np.ndarray, *, file: str, first_row: int = 2) -> int:
    """Empty rows between data rows are refused (they would shift every row number after
    them); returns how many data rows there are (trailing empty rows dropped)."""
    blank = np.asarray(blank, dtype=bool)
    filled = np.flatnonzero(~blank)
    n = int(filled[-1]) + 1 if len(filled) else 0
    inner = np.flatnonzero(blank[:n])
    if len(inner):
        raise DataError(
            Msg("err_tb_blank_row", row=first_row + int(inner[0]), n=len(inner)),
            file=file,
            row=first_row + int(inner[0]),
            fix=Msg("fix_tb_blank_row"),
        )
    return n


def tidy_header(df: pd.DataFrame, *, file: str) -> pd.DataFrame:
    """Header names without surrounding spaces (``' a_inw '`` is ``a_inw``); two columns
    with one name after that are refused."""
    names = [str(c).strip() for c in df.columns]
    seen: dict[str, int] = {}
    for position, key in enumerate(names, start=1):
        if key in seen and key:
            raise DataError(
                Msg("err_tb_header_twice", column=key, first=seen[key], second=position),
                file=file,
                row=1,
                column=key,
                fix=Msg("fix_tb_header_twice"),
            )
        seen[key] = position
    df.columns = names
    return df


# -- spreadsheets -----------------------------------------------------------------------------
def _visible(meta: Any) -> bool:
    return str(getattr(meta, "visible", "visible")).lower().rsplit(".", 1)[-1] == "visible"


def _is_table(rows: list[list[Any]]) -> bool:
    """A sheet with data: at least a header and one row, and two columns filled (judged on
    its first 50 rows)."""
    filled = [r for r in rows[:50] if any(v not in ("", None) for v in r)]
    return len(filled) >= 2 and max(sum(v not in ("", None) for v in r) for r in filled) >= 2


def choose_sheet(path: Path, sheet: str | int | None) -> tuple[str, list[list[Any]], int]:
    """The sheet to read: the one given (``--blad``, a name or a 1-based number), or the
    only visible sheet with data. Hidden sheets are never read unless named; more than one
    visible sheet with data is refused naming them. Returns the name, its rows as read by
    python-calamine, and the 1-based spreadsheet row of the first of them."""
    from python_calamine import CalamineWorkbook

    file = str(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
        metas = list(book.sheets_metadata)
    except Exception as exc:  # calamine raises its own types
        raise DataError(
            Msg("err_tb_spreadsheet", error=str(exc)), file=file, fix=Msg("fix_tb_spreadsheet")
        ) from None
    names = [m.name for m in metas]

    def rows_of(name: str) -> tuple[list[list[Any]], int]:
        found = book.get_sheet_by_name(name)
        start = found.start[0] + 1 if found.start else 1
        return found.to_python(skip_empty_area=True), start

    if sheet is not None and str(sheet).strip():
        wanted = str(sheet).strip()
        if wanted not in names and wanted.isdigit() and 1 <= int(wanted) <= len(names):
            wanted = names[int(wanted) - 1]
        if wanted not in names:
            raise DataError(
                Msg("err_tb_no_such_sheet", sheet=sheet, sheets=_quoted(names)),
                file=file,
                fix=Msg("fix_tb_no_such_sheet"),
            )
        return (wanted, *rows_of(wanted))
    tables = []
    for meta in metas:
        if not _visible(meta):
            continue
        rows, start = rows_of(meta.name)
        if _is_table(rows):
            tables.append((meta.name, rows, start))
    hidden = [m.name for m in metas if not _visible(m)]
    if not tables:
        raise DataError(
            Msg(
                "err_tb_no_visible_sheet",
                hidden=Msg("err_tb_hidden_sheets", sheets=_quoted(hidden)) if hidden else "",
            ),
            file=file,
            fix=Msg("fix_tb_no_visible_sheet"),
        )
    if len(tables) > 1:
        raise DataError(
            Msg("err_tb_sheets_with_data", n=len(tables), sheets=_quoted(t[0] for t in tables)),
            file=file,
            fix=Msg("fix_tb_sheets_with_data", sheet=tables[0][0]),
        )
    return tables[0]


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PERCENT_IDS = {9, 10}
_CELL = re.compile(rb"<c\b([^>]*?)(?<!/)>(.*?)</c>", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')


def _sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target", "") for r in rels}
    for node in book.iterfind("m:sheets/m:sheet", _NS):
        if node.get("name") == name:
            t = target.get(node.get(_REL), "")
            return t.lstrip("/") if t.startswith("/") else "xl/" + t
    return None


def _percent_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indices of the cell styles whose number format shows a percentage."""
    try:
        styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {
        int(f.get("numFmtId", -1))
        for f in styles.iterfind("m:numFmts/m:numFmt", _NS)
        if "%" in re.sub(r'"[^"]*"|\\.', "", f.get("formatCode", ""))
    }
    percent = _PERCENT_IDS | custom
    xfs = styles.findall("m:cellXfs/m:xf", _NS)
    return {i for i, xf in enumerate(xfs) if int(xf.get("numFmtId", 0)) in percent}


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def shown_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """Cells of an .xlsx sheet whose stored value is not what the sheet shows, as
    ``(row, column) → shown text`` (1-based): percentages, error cells and formulas without
    a saved result. (Found by targeted searches in the sheet's XML, so a large sheet
    without such cells costs one pass of C-level regex matching.)"""
    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            part = _sheet_part(zf, sheet)
            if part is None:
                return found
            xml = zf.read(part)
            percent = _percent_styles(zf)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return found
    needles = [b't="e"', b"<f>", b"<f ", b"<f/>"]
    needles += [f's="{i}"'.encode() for i in sorted(percent)]
    if not any(n in xml for n in needles):  # substring scans: most sheets have none
        return found
    for m in _CELL.finditer(xml):
        attrs, body = m.group(1), m.group(2)
        ref = _REF.search(attrs)
        if ref is None:
            continue
        key = (int(ref.group(2)), _col_number(ref.group(1)))
        value = re.search(rb"<v>([^<]*)</v>", body)
        if b't="e"' in attrs:
            found[key] = value.group(1).decode() if value else "#ERROR"
        elif b"<f" in body and not (value and value.group(1)):
            formula = re.search(rb"<f[^>]*>([^<]*)</f>", body)
            found[key] = "=" + (formula.group(1).decode() if formula else "(shared formula)")
        elif (
            percent
            and value
            and (s := re.search(rb'\bs="(\d+)"', attrs))
            and int(s.group(1)) in percent
            and b't="' not in attrs.replace(b't="n"', b"")
        ):
            with contextlib.suppress(ValueError):
                found[key] = f"{float(value.group(1)) * 100:.12g}%"
    return found


def _as_shown(value: Any) -> Any:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return value


def read_workbook(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """The chosen sheet (:func:`choose_sheet`) as a table: the header is its first row,
    each cell as it shows (see the module docs); ``attrs["sheet"]`` names the sheet."""
    name, rows, start = choose_sheet(path, sheet)
    label = where(path, name)
    if path.suffix.lower() in _OOXML:
        shown = shown_cells(path, name)
        if shown:
            width = max((len(r) for r in rows), default=0)
            first_col = 1
            try:
                from python_calamine import CalamineWorkbook

                begin = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).start
                first_col = begin[1] + 1 if begin else 1
            except Exception:  # the rows were read already; positions from column A
                first_col = 1
            for (r, c), text in shown.items():
                i, j = r - start, c - first_col
                if 0 <= i < len(rows) and 0 <= j < width:
                    rows[i] = list(rows[i]) + [""] * (width - len(rows[i]))
                    rows[i][j] = text
    if not rows:
        raise DataError(Msg("err_tb_sheet_empty"), file=label, fix=Msg("fix_tb_sheet_empty"))
    header, body = rows[0], rows[1:]
    width = len(header)
    while width and header[width - 1] in ("", None):
        width -= 1
    columns = ["" if h is None else str(h) for h in header[:width]]
    frame = pd.DataFrame([list(r[:width]) + [""] * (width - len(r)) for r in body], columns=None)
    if len(frame.columns) != width:
        frame = frame.reindex(columns=range(width))
    frame.columns = columns
    frame = frame.replace({"": None})
    blank = frame.isna().all(axis=1).to_numpy() if len(frame) else np.zeros(0, dtype=bool)
    n = refuse_blank_rows(blank, file=label, first_row=start + 1)
    frame = frame.iloc[:n].infer_objects()
    for col in frame.columns:
        if pd.api.types.is_bool_dtype(frame[col].dtype):
            frame[col] = np.where(frame[col], "TRUE", "FALSE").astype(object)
        elif frame[col].dtype == np.dtype(object) and pd.api.types.infer_dtype(
            frame[col], skipna=True
        ) in ("boolean", "mixed"):
            frame[col] = frame[col].map(_as_shown)
    frame = tidy_header(frame, file=label)
    frame.attrs["sheet"] = name
    frame.attrs["first_row"] = start + 1
    return frame


# -- years, periods and vintages ---------------------------------------------------------------
def read_years(
    raw: pd.Series,
    *,
    file: str,
    column: str,
    first_row: int = 2,
    low: int = 1900,
    high: int = 2100,
) -> pd.Series:
    """A column of years as integers: ``2020``, ``2020.0`` and ``" 2020 "`` are the year
    2020; anything else (``twintig``, ``2020.5``, empty, outside ``low``-``high``) is
    refused naming the first such cell. Vectorised."""
    text = raw.astype("string").str.strip().fillna("")
    number = pd.to_numeric(text.str.replace(r"(?i)jj00$", "", regex=True), errors="coerce")
    ok = number.notna() & np.isfinite(number.fillna(0)) & (number == number.round())
    ok &= number.between(low, high)
    if not ok.all():
        from buurtbalans.sources.symbols import first_bad_cell

        raise first_bad_cell(
            ~ok.to_numpy(dtype=bool),
            lambda pos, n: Msg("err_tb_years_column", cell=text.iloc[pos], low=low, high=high, n=n),
            file=file,
            column=column,
            first_row=first_row,
            fix=Msg("fix_tb_years_column"),
        )
    return number.astype(int).set_axis(raw.index)


_SOURCES = {
    "the file name": Msg("err_tb_label_file_name"),
    "the mapping's period": Msg("err_tb_label_mapping_period"),
    "the mapping's vintage": Msg("err_tb_label_mapping_vintage"),
}


def year_source(what: str | Msg) -> str | Msg:
    """Who gives a year, as a message in the reader's language (``--jaar`` as it is)."""
    return _SOURCES.get(what, what) if isinstance(what, str) else what


def _quoted(names: object) -> list[str]:
    """Sheet names as a list field: 'a', 'b' and 'c'."""
    return [f"'{name}'" for name in names]  # type: ignore[attr-defined]


def reconcile_year(candidates: dict[str | Msg, int | None], *, file: str) -> int | None:
    """The one year that every given source agrees on (file name, ``--jaar``, the mapping's
    ``period``, a period column), or None when none gives one; any two that differ are
    refused naming both."""
    given = {what: int(year) for what, year in candidates.items() if year is not None}
    years = sorted(set(given.values()))
    if len(years) > 1:
        said = [Msg("err_tb_says", what=year_source(w), year=y) for w, y in given.items()]
        parts = said[-1]
        for part in reversed(said[:-1]):  # "a says 2020, b says 2021" in either language
            parts = Msg("err_tb_and_then", first=part, rest=parts)
        raise DataError(
            Msg("err_tb_year_contradicts", parts=parts),
            file=file,
            fix=Msg("fix_tb_year_contradicts"),
        )
    return years[0] if years else None


def check_vintage(vintage: object, *, what: str = "--vintage", file: str | None = None) -> int:
    """A vintage is a CBS classification year: 2003 (the first wijk- en buurtkaart) up to
    next year."""
    from buurtbalans.sources.tables import validate_year

    year = validate_year(vintage, what=what, file=file)
    low, high = VINTAGE_RANGE
    if not low <= year <= high:
        raise DataError(
            Msg("err_tb_not_a_vintage", what=what, year=year, low=low, high=high),
            file=file,
            fix=Msg("fix_tb_not_a_vintage", what=what),
        )
    return year
