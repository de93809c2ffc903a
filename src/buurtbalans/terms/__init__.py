"""One catalogue of every word a user sees — report, dashboard, API labels, console and
errors — in Dutch (``nl``) and English (``en``), with plural forms and Babel number
formatting (nl_NL / en_GB).

The catalogue is the union of ``report/terms.toml`` (the report's words) and the files in
this package (``ui.toml``: dashboard, console, errors, table columns; ``help.toml``: the
console's --help; ``errors_*.toml``: the library's messages, one file per part). A key is defined
once; a value is a string, or a table of plural forms (``one`` / ``other``) chosen by the
number in the field ``n``.

The API is small and stable::

    t("n_buurten", "nl", n=1)        -> "1 buurt"
    number(12345.6, "nl", 1)         -> "12.345,6"
    percent(0.183, "en")             -> "18 %"
    euro(8576, "nl")                 -> "€ 8.576"
    taal()                           -> the user's language (--taal, $BUURTBALANS_TAAL,
                                        the locale; Dutch by default)
"""

from __future__ import annotations

import math
import os
import string
import tomllib
from contextvars import ContextVar
from functools import cache
from importlib.resources import files
from typing import Any

from babel import Locale
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

LANGUAGES = ("nl", "en")
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
# inside the package (no import of report): the report's words, then every file here
# (ui.toml, help.toml, errors_*.toml: the library's messages, one file per part)
_FILES = (
    "report/terms.toml",
    *sorted(
        f"terms/{p.name}" for p in files("buurtbalans.terms").iterdir() if p.name.endswith(".toml")
    ),
)
_chosen: ContextVar[str | None] = ContextVar("buurtbalans_taal", default=None)


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Every key of every catalogue file (a key defined twice is an error in the package)."""
    merged: dict[str, dict[str, Any]] = {}
    for name in _FILES:
        data = tomllib.loads(files("buurtbalans").joinpath(name).read_text("utf-8"))
        if twice := sorted(set(data) & set(merged)):
            raise RuntimeError(f"terms defined twice ({name}): {', '.join(twice)}")
        merged.update(data)
    return merged


TERMS: dict[str, dict[str, Any]] = catalogue()


# -- the user's language ------------------------------------------------------------------------
def set_taal(taal_: str | None) -> None:
    """Fix the language of this process's console lines and messages (the CLI's --taal)."""
    _chosen.set(check_taal(taal_) if taal_ else None)


def check_taal(value: str) -> str:
    """``nl``/``en`` (also ``nl_NL``, ``en-GB``, ``EN``); anything else is refused."""
    code = value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}: choose nl or en")
    return code


def taal() -> str:
    """The user's language: --taal (set_taal), else $BUURTBALANS_TAAL, else the locale
    (LC_ALL, LC_MESSAGES, LANG), else Dutch."""
    if chosen := _chosen.get():
        return chosen
    env = os.environ.get("BUURTBALANS_TAAL", "").strip()
    if env:
        try:
            return check_taal(env)
        except ValueError:
            return "nl"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "en" if value.lower().startswith("en") else "nl"
    # no language set (C, POSIX, C.UTF-8 — which Python reports as en_US): Dutch
    return "nl"


# -- numbers -------------------------------------------------------------------------------------
def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raise or compare unequal
    except (TypeError, ValueError):
        return True


def _plain(value: object) -> object:
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()  # numpy scalars
    return value


def number(value: object, taal_: str, digits: int | None = None, grouping: bool = True) -> str:
    """12.345,6 (nl) / 12,345.6 (en) with ``digits`` decimals (None: 0 from 100 up, else 1,
    else 2 below 1); '–' for a missing value."""
    value = _plain(value)
    if _missing(value):
        return "–"
    if isinstance(value, str):
        return value
    v = float(value)  # type: ignore[arg-type]
    if not math.isfinite(v):
        return "–"
    if digits is None:
        digits = 0 if abs(v) >= 100 or v.is_integer() else 1 if abs(v) >= 1 else 2
    v = round(v, digits) + 0.0  # -0.0 → 0.0
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(v, format=pattern, locale=LOCALES[taal_])


def percent(share: object, taal_: str, digits: int = 0) -> str:
    """A share (0.183) as a percentage: 18 % (a no-break space, as the report writes it)."""
    share = _plain(share)
    if _missing(share) or isinstance(share, str):
        return "–" if _missing(share) else str(share)
    pattern = (
        "#,##0"
        + ("." + "0" * digits if digits else "")
        + "\u00a0%"  # as the report writes it, in both languages
    )
    return format_percent(float(share), format=pattern, locale=LOCALES[taal_])  # type: ignore[arg-type]


def euro(value: object, taal_: str, digits: int = 0) -> str:
    """An amount: € 8.576 (nl) / €8,576 (en)."""
    value = _plain(value)
    if _missing(value) or isinstance(value, str):
        return "–" if _missing(value) else str(value)
    pattern = "¤\u00a0#,##0" if taal_ == "nl" else "¤#,##0"
    if digits:
        pattern += "." + "0" * digits
    return format_currency(
        float(value),  # type: ignore[arg-type]
        "EUR",
        format=pattern,
        locale=LOCALES[taal_],
        currency_digits=False,
    )


class _Numbers(string.Formatter):
    """``str.format`` with numbers in the language's form: ``{n:,}`` → 28.460 (nl), ``{x:.1f}``
    → -12,7 (nl), ``{s:.0%}`` → 18 %; other fields as ``str.format`` does."""

    def __init__(self, taal_: str) -> None:
        self.taal = taal_

    def format_field(self, value: object, format_spec: str) -> str:
        value = _plain(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            group = "," in format_spec
            spec = format_spec.replace(",", "")
            if spec.endswith("%") and spec[:-1] in ("", ".0", ".1", ".2"):
                return percent(value, self.taal, int(spec[2:-1] or 0))
            if spec.endswith("f") and spec[:-1].startswith(".") and spec[1:-1].isdigit():
                return number(value, self.taal, int(spec[1:-1]), grouping=group)
            if group and spec in ("", "d"):
                return number(value, self.taal, None if isinstance(value, float) else 0)
            text = super().format_field(value, format_spec)
            return (
                text.replace(".", ",") if self.taal == "nl" and isinstance(value, float) else text
            )
        return super().format_field(value, format_spec)


_FORMATTERS = {lang: _Numbers(lang) for lang in LANGUAGES}


def plural(text: dict[str, str], taal_: str, n: object) -> str:
    """The plural form (``one``/``other``, CLDR rules) for the number ``n``."""
    try:
        count = float(_plain(n))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return text["other"]
    form = Locale.parse(LOCALES[taal_]).plural_form(abs(count))
    return text.get(form, text["other"])


def t(key: str, taal_: str | None = None, **values: object) -> str:
    """The term or sentence ``key`` in ``taal_`` (default: :func:`taal`), its fields filled
    with ``values`` (numbers in the language's form; plural forms chosen by ``n``)."""
    lang = taal_ or taal()
    text = TERMS[key][lang]
    if isinstance(text, dict):
        text = plural(text, lang, values.get("n", values.get("count")))
    if not values:
        return text
    return _FORMATTERS[lang].format(text, **values)


def _field(value: object, taal_: str) -> object:
    """A message field as a reader sees it: a nested message in ``taal_``, a list as words,
    a path as its text, a missing value as '–' (never a Python repr)."""
    if hasattr(value, "text") and hasattr(value, "key"):  # errors.Msg
        return value.text(taal_)  # type: ignore[union-attr]
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return words([str(_field(v, taal_)) for v in items], taal_) or "–"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return "–" if value is None else value


def message(key: str, taal_: str, values: dict[str, object]) -> str:
    """A message of the catalogue in ``taal_``, its fields written for a reader (see
    :func:`_field`); the text behind :class:`buurtbalans.errors.Msg`."""
    return t(key, taal_, **{k: _field(v, taal_) for k, v in values.items()})


def has(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in TERMS


def label(key: str, taal_: str, fallback: str | None = None) -> str:
    """``t(key)`` when the catalogue has it, else ``fallback`` (never a raw key when a
    fallback is given)."""
    return t(key, taal_) if key in TERMS else (fallback if fallback is not None else key)


def column_label(column: str, taal_: str) -> str:
    """Display header of a table column (``score_2024`` → ``MDI 2024``)."""
    head, _, year = column.rpartition("_")
    if year.isdigit() and head in ("score", "class"):
        return t(f"col_{head}", taal_, year=year)
    return t(f"col_{column}", taal_) if f"col_{column}" in TERMS else column


def words(items: list[str], taal_: str) -> str:
    """A list in running text: 'Inkomen, Werk en Wonen' / 'Income, Work and Housing'."""
    items = [str(i) for i in items]
    return format_list(items, locale=LOCALES[taal_]) if items else ""


def boolean(value: object, taal_: str) -> str:
    """A yes/no value as a word."""
    value = _plain(value)
    if _missing(value):
        return "–"
    return t("yes" if value else "no", taal_)


__all__ = [
    "LANGUAGES",
    "TERMS",
    "boolean",
    "catalogue",
    "check_taal",
    "column_label",
    "euro",
    "has",
    "label",
    "message",
    "number",
    "percent",
    "plural",
    "set_taal",
    "t",
    "taal",
    "words",
]
