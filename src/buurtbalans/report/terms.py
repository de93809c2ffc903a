"""One catalogue of terms and sentences, Dutch and English (``terms.toml``), that drives
every word a reader sees in both reports."""

from __future__ import annotations

import string
import tomllib
from functools import cache
from importlib.resources import files


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    text = files("buurtbalans.report").joinpath("terms.toml").read_text("utf-8")
    return tomllib.loads(text)


TERMS: dict[str, dict[str, str]] = _catalogue()


def column_label(column: str, taal: str) -> str:
    """Display header of a table column (``score_2024`` → ``MDI 2024``)."""
    head, _, year = column.rpartition("_")
    if year.isdigit() and head in ("score", "class"):
        return t(f"col_{head}", taal, year=year)
    return t(f"col_{column}", taal) if f"col_{column}" in TERMS else column


class _DutchNumbers(string.Formatter):
    """Formats numbers the Dutch way: 28.460 personen, -12,7 punten."""

    def format_field(self, value: object, format_spec: str) -> str:
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()  # numpy scalars print as plain numbers
        text = super().format_field(value, format_spec)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return text.translate(str.maketrans(",.", ".,"))
        return text


class _Plain(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()
        return super().format_field(value, format_spec)


_NL = _DutchNumbers()
_EN = _Plain()


def t(key: str, taal: str = "nl", **values: object) -> str:
    """The term or sentence ``key`` in ``taal`` (nl/en), formatted with ``values``
    (numbers with Dutch separators in ``nl``)."""
    text = TERMS[key][taal]
    if not values:
        return text
    return (_NL if taal == "nl" else _EN).format(text, **values)


def reference_label(reference: str, van: int, tot: int, taal: str = "nl") -> str:
    """The reference a class or rank rests on, short, for beside a class label or count:
    "t.o.v. Nederland 2015–2024", "t.o.v. de eigen buurten 2015–2024" (pooled over the
    compared years) or "…, elk jaar apart" (ranked per year)."""
    return t(f"refshort_{reference}", taal, van=str(van), tot=str(tot))


def class_label(label: str, reference: str, van: int, tot: int, taal: str = "nl") -> str:
    """A class word with its reference: "zeer hoog (t.o.v. Nederland 2015–2024)"."""
    return t("class_with_ref", taal, label=label, ref=reference_label(reference, van, tot, taal))


def improved_rule(tolerance: float, taal: str = "nl") -> str:
    """The rule behind 'verbeterd', for beside every count of improved buurten."""
    if not tolerance:
        return t("rule_improved", taal)
    return t("rule_improved_tol", taal, tol=float(tolerance))
