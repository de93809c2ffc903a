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

Every message says what went wrong, where, and how to fix it. A message given as a
:class:`Msg` (a catalogue key with its fields) is written in the reader's language when it
is shown (``exc.text("nl")``, as the CLI does); ``str(exc)`` is the English text.
"""

from __future__ import annotations


class Msg:
    """A message as a key of the terms catalogue (:mod:`buurtbalans.terms`) and its fields,
    written in a language only when shown; ``str()`` is the English text."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values: object) -> None:
        self.key, self.values = key, values

    def text(self, taal: str) -> str:
        from buurtbalans.terms import message

        return message(self.key, taal, self.values)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.values!r})"


class Note(str):
    """A note as recorded (its Dutch text: a ``str``, for run.json and for code that joins
    notes) that can still be written in the reader's language (:meth:`text`)."""

    def __new__(cls, msg: Msg) -> Note:
        note = super().__new__(cls, msg.text("nl"))
        note.msg, note.key = msg, msg.key
        return note

    def text(self, taal: str) -> str:
        return self.msg.text(taal)

    def __reduce__(self) -> tuple[type[Note], tuple[Msg]]:
        return Note, (self.msg,)


class Both:
    """A field of a message given in both languages, e.g. an indicator's label from the
    codebook: ``Msg("…", indicators=[Both(label_nl, label_en), …])``."""

    __slots__ = ("en", "key", "nl")

    def __init__(self, nl: str, en: str) -> None:
        self.key, self.nl, self.en = None, nl, en

    def text(self, taal: str) -> str:
        return self.nl if taal == "nl" else self.en

    def __str__(self) -> str:
        return self.en


def _text(part: str | Msg, taal: str) -> str:
    return part.text(taal) if isinstance(part, Msg) else part


class BuurtbalansError(Exception):
    """Base class of every error buurtbalans raises on purpose. The message is a string or
    a :class:`Msg`; :meth:`text` writes it in a language."""

    def __init__(self, *args: object) -> None:
        self.term = args[0] if args and isinstance(args[0], Msg) else None  # (ImportError has .msg)
        super().__init__(*(str(a) if isinstance(a, Msg) else a for a in args))

    def text(self, taal: str) -> str:
        """The message in ``taal`` (``nl``/``en``); a plain-string message as it is."""
        return self.term.text(taal) if self.term is not None else str(self)


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
        what: str | Msg,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        fix: str | Msg | None = None,
    ) -> None:
        self.what, self.file, self.row, self.column, self.fix = what, file, row, column, fix
        super().__init__(self.text("en"))

    def text(self, taal: str) -> str:
        """What, where (file, row, column) and the fix, in ``taal`` (a message given as
        plain text is English: then all of it is, not half)."""
        from buurtbalans.terms import t

        taal = taal if isinstance(self.what, Msg) else "en"

        where = [
            t(key, taal, **{key[10:]: value})
            for key, value in (
                ("err_where_file", self.file),
                ("err_where_row", self.row),
                ("err_where_column", self.column),
            )
            if value is not None and value != ""
        ]
        message = _text(self.what, taal) + (f" ({', '.join(where)})" if where else "")
        return message + (t("err_fix", taal, fix=_text(self.fix, taal)) if self.fix else "")


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
    "Both",
    "BuurtbalansError",
    "DataError",
    "MissingExtraError",
    "Msg",
    "Note",
    "OutputError",
    "ReplaceRefusedError",
    "SchemaVersionError",
    "SourceError",
    "SpecError",
    "StoreError",
]
