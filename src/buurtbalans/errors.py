"""One exception tree for buurtbalans.

::

    BuurtbalansError
    ├── SpecError            an index spec (TOML) is invalid
    ├── SourceError          a source could not be read or fetched
    │   └── DataError        a value in an input file is wrong (names file, row, column)
    ├── OutputError          an output file cannot be written (the old one is kept)
    ├── StoreError           the embedded store cannot do what was asked
    │   ├── ReplaceRefusedError  an import would overwrite another source's values
    │   └── SchemaVersionError
    └── MissingExtraError    an optional dependency group is not installed

Every message says what went wrong, where, and how to fix it.
"""

from __future__ import annotations


class BuurtbalansError(Exception):
    """Base class of every error buurtbalans raises on purpose."""


class SpecError(BuurtbalansError):
    """An index specification is invalid."""


class SourceError(BuurtbalansError):
    """A source (file or API) cannot be read or does not have the expected form."""


class DataError(SourceError):
    """A value in an input is wrong.

    Carries the file, row and column so a user can find it; ``row`` is the 1-based
    line as a spreadsheet shows it (header = row 1) where that is known.
    """

    def __init__(
        self,
        what: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.file, self.row, self.column, self.fix = file, row, column, fix
        where = ", ".join(
            part
            for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            )
            if part
        )
        message = what + (f" ({where})" if where else "") + (f". Fix: {fix}" if fix else "")
        super().__init__(message)


class OutputError(BuurtbalansError):
    """An output file cannot be written; the previous version of the file is unchanged."""


class StoreError(BuurtbalansError):
    """The embedded store cannot do what was asked."""


class ReplaceRefusedError(StoreError):
    """An import would change values stored from another source (and --vervang is off)."""


class SchemaVersionError(StoreError):
    """The store was written by a newer, unknown schema version."""


class MissingExtraError(BuurtbalansError, ImportError):
    """An optional dependency group (extra) is not installed."""


__all__ = [
    "BuurtbalansError",
    "DataError",
    "MissingExtraError",
    "OutputError",
    "ReplaceRefusedError",
    "SchemaVersionError",
    "SourceError",
    "SpecError",
    "StoreError",
]
