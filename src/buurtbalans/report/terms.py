"""The report's words: the one catalogue of :mod:`buurtbalans.terms` (``terms.toml`` here
holds the report's part of it). Kept as the report's import path, with the helpers that
state an analysis' reference and rules beside its numbers."""

from __future__ import annotations

from buurtbalans.terms import TERMS, column_label, t

__all__ = [
    "TERMS",
    "class_label",
    "column_label",
    "improved_rule",
    "one_year_kind",
    "reference_label",
    "t",
]


def reference_label(reference: str, van: int, tot: int, taal: str = "nl") -> str:
    """The reference a class or rank rests on, short, for beside a class label or count:
    "t.o.v. Nederland 2015–2024", "t.o.v. de eigen buurten 2015–2024" (pooled over the
    compared years) or "…, elk jaar apart" (ranked per year); a pooled reference of one
    year is that year ("t.o.v. Nederland 2024", not "2024–2024")."""
    kind = one_year_kind(reference)
    if van == tot and kind:
        return t(f"web_refshort_one_year_{kind}", taal, jaar=tot)
    return t(f"refshort_{reference}", taal, van=str(van), tot=str(tot))


def one_year_kind(reference: str) -> str | None:
    """'own' / 'national' for a pooled reference (one year: nothing is pooled)."""
    return {"input-pooled": "own", "national-pooled": "national"}.get(reference)


def class_label(label: str, reference: str, van: int, tot: int, taal: str = "nl") -> str:
    """A class word with its reference: "zeer hoog (t.o.v. Nederland 2015–2024)"."""
    return t("class_with_ref", taal, label=label, ref=reference_label(reference, van, tot, taal))


def improved_rule(tolerance: float, taal: str = "nl") -> str:
    """The rule behind 'verbeterd', for beside every count of improved buurten."""
    if not tolerance:
        return t("rule_improved", taal)
    return t("rule_improved_tol", taal, tol=float(tolerance))
