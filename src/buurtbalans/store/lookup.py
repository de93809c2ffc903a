"""Finding a gemeente by name or code in a store, with DuckDB alone (no pandas): the CLI
resolves ``-g`` before it loads anything heavy, so a typo is answered as fast as
``--help``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from buurtbalans.errors import Msg, StoreError
from buurtbalans.regions import gemeente_code


def resolve_gemeente(con: Any, name_or_code: str, path: str) -> str:
    """``'Almelo'``, ``'almelo'``, ``'0141'`` or ``'GM0141'`` → ``'GM0141'`` (``con``: a
    DuckDB connection to the store at ``path``, named in the error)."""
    text = name_or_code.strip()
    if text.upper().startswith("GM") or text.isdigit():
        return gemeente_code(text)
    rows = con.execute(
        """SELECT DISTINCT code FROM areas
           WHERE level = 'gemeente' AND lower(trim(name)) = lower(?)""",
        [text],
    ).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    known = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT name FROM areas WHERE level='gemeente' AND name IS NOT NULL "
            "ORDER BY name"
        ).fetchall()
    ]
    close = [k for k in known if k.lower().startswith(text.lower()[:3])][:5]
    raise StoreError(
        Msg(
            "err_unknown_gemeente",
            name=text,
            path=path,
            close=Msg("err_did_you_mean", names=", ".join(close)) if close else "",
        )
    )


def resolve_in_file(path: Path, name_or_code: str) -> str:
    """:func:`resolve_gemeente` on a store file, opened read-only for just this query; a
    code is checked for its form only, and a store that cannot be read this way is left
    to :class:`~buurtbalans.store.Store` (which names the problem)."""
    text = name_or_code.strip()
    if text.upper().startswith("GM") or text.isdigit() or not path.is_file():
        return gemeente_code(text) if text.upper().startswith("GM") or text.isdigit() else text
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return text  # locked, damaged ...: the Store says why, with its fix
    try:
        return resolve_gemeente(con, text, str(path))
    except duckdb.Error:
        return text  # not a buurtbalans store: the Store says so
    finally:
        con.close()
