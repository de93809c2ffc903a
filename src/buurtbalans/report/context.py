"""What every chapter builder gets (one typed context) and what it returns (a chapter of
blocks: text, tables, figures), plus the number formatting every builder shares."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from buurtbalans.analysis.pipeline import BenchmarkAnalysis, ChangeAnalysis
from buurtbalans.report.figures import Figure
from buurtbalans.report.terms import TERMS, improved_rule, reference_label, t
from buurtbalans.spec import IndexSpec

OK = "ok"


@dataclass
class ReportContext:
    """One report: which gemeente, which years, in which language, and every result the
    chapters draw from (analyses that could not run are ``None`` and ``notes`` says why)."""

    gemeente: str
    gm_name: str
    van: int
    tot: int
    taal: str
    spec: IndexSpec
    analysis: ChangeAnalysis
    synthetic: bool = False
    twin: bool = False  # the synthetic national twin (its own wording of 'synthetic')
    store: Any = None
    priorities: tuple | None = None
    veerkracht: tuple | None = None
    benchmark: BenchmarkAnalysis | None = None
    stad: Any = None  # StadAnalysis (Staat van de stad), when the store has gemeente series
    gdf: Any = None
    notes: list[str] = field(default_factory=list)
    source_line: str = ""

    # ---- words and numbers in the report's language -----------------------------------
    def t(self, key: str, **values: object) -> str:
        """A term or sentence from the catalogue in this report's language (for the
        national twin its own variant ``<key>_twin`` where the catalogue has one)."""
        if self.twin and f"{key}_twin" in TERMS:
            key = f"{key}_twin"
        return t(key, self.taal, **values)

    def num(self, value: object, digits: int | None = None) -> str:
        """A number as a reader expects it (Dutch separators in ``nl``); '–' for missing."""
        return fmt_number(value, self.taal, digits)

    def euro(self, value: object) -> str:
        """An amount in whole euros: € 8.576."""
        if _missing(value):
            return "–"
        return "€\u00a0" + fmt_number(round(float(value)), self.taal, 0)

    def pct(self, value: object, digits: int = 0) -> str:
        """A percentage: 18 %."""
        return "–" if _missing(value) else f"{fmt_number(value, self.taal, digits)} %"

    def domain_label(self, domain: str) -> str:
        """A domain's name from the spec in this language."""
        from buurtbalans.report.notes import domain_name

        return domain_name(self.spec, domain, self.taal)

    def class_label(self, label: object) -> str:
        """An MDI class label in this language."""
        if _missing(label):
            return "–"
        if self.taal == "en":
            pairs = dict(zip(self.spec.classes.labels, self.spec.classes.labels_en, strict=True))
            return pairs.get(str(label), str(label))
        return str(label)

    # ---- the reference and the rules every number rests on ----------------------------
    @property
    def reference(self) -> str:
        """The reference the scores were ranked on (as run, after any fallback)."""
        return str(self.analysis.index.run.spec.reference)

    @property
    def own_reference(self) -> bool:
        """True when the reference is only the gemeente's own buurten: the classes then mean
        'relative to its own buurten', never 'relative to the Netherlands'."""
        return self.reference.startswith("input")

    @property
    def reference_label(self) -> str:
        """'t.o.v. Nederland 2015–2024' / 't.o.v. de eigen buurten 2015–2024'."""
        return reference_label(self.reference, self.van, self.tot, self.taal)

    def class_with_ref(self, label: object) -> str:
        """A class label with the reference it is measured against:
        'zeer hoog (t.o.v. Nederland 2015–2024)'."""
        return self.t("class_with_ref", label=self.class_label(label), ref=self.reference_label)

    @property
    def improved_rule(self) -> str:
        """'verbeterd = score lager' (or with the user's tolerance)."""
        tol = self.analysis.basis.get("tolerantie", 0.0) if self.analysis.basis else 0.0
        return improved_rule(float(tol), self.taal)

    @property
    def spec_hash(self) -> str:
        """The hash of the spec the scores were computed with (as run.json records it)."""
        return self.analysis.index.run.spec.hash()

    # ---- buurten ---------------------------------------------------------------------
    def map_numbers(self) -> dict[str, int]:
        """The number each buurt carries on the maps (by code)."""
        if self.gdf is None:
            return {}
        return dict(zip(self.gdf["code"], self.gdf["nr"], strict=True))

    def buurt_names(self) -> dict[str, str]:
        """Buurt name by code (the code where a buurt has no name)."""
        ch = self.analysis.change
        return dict(zip(ch["area_code"], ch["name"].fillna(ch["area_code"]), strict=True))

    def buurt(self, code: str, number: bool = True) -> str:
        """'Oud Haven (23)': the name with the map number beside it."""
        name = self.buurt_names().get(code, code)
        nr = self.map_numbers().get(code)
        return f"{name} ({nr})" if number and nr is not None else str(name)

    def buurt_list(self, codes: list[str], limit: int = 6) -> str:
        """A readable enumeration of buurten: 'A (1), B (2) en C (3)'."""
        names = [self.buurt(c) for c in codes[:limit]]
        more = len(codes) - limit
        if more > 0:
            names.append(self.t("and_more", n=more))
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + f" {self.t('and')} " + names[-1]

    def status(self, year: int) -> pd.Series:
        """The engine's status per buurt in ``year`` ('ok' when the engine has none)."""
        table = self.analysis.index.table
        part = table[table["period"] == year].set_index("area_code")
        if "status" not in part:
            return pd.Series(OK, index=part.index)
        return part["status"].fillna(OK).astype(str)

    def unscored(self, year: int) -> list[str]:
        """Codes of buurten without a score in ``year`` because of the coverage rules."""
        s = self.status(year)
        return sorted(s[s != OK].index)

    def basis(self) -> dict[str, Any]:
        """The basis of the headline numbers: the analysis' ``basis`` when it has one,
        otherwise derived from the index result."""
        given = getattr(self.analysis, "basis", None)
        if isinstance(given, dict) and "domeinen" in given:  # analysis.basis (Dutch keys)
            pop = given.get("inwoners_jaar")
            if isinstance(pop, dict):  # unknown stays unknown (None), never "→ None"
                pop = (
                    ", ".join(
                        f"{k} → {self.t('basis_population_missing') if v is None else v}"
                        if str(k) != str(v)
                        else str(v)
                        for k, v in pop.items()
                    )
                    if any(v is not None for v in pop.values())
                    else None
                )
            return {
                "domains_used": given["domeinen"],
                "domains_left_out": given.get("weggelaten_domeinen") or [],
                "years": [given.get("van", self.van), given.get("tot", self.tot)],
                "reference": given.get("referentie"),
                "n_reference": given.get("referentie_buurten_per_jaar"),
                "population_year": pop,
            }
        if isinstance(given, dict) and given:
            return given
        a = self.analysis
        used = [d for d in a.index.domains() if a.index.table[d].notna().any()]
        prov = a.index.run.provenance
        return {
            "domains_used": used,
            "domains_left_out": [d for d in self.spec.domain_ids() if d not in used],
            "years": [self.van, self.tot],
            "reference": self.spec.reference,
            "n_reference": prov.get("n_reference"),
            "population_year": a.extras.get("population_year"),
        }


@dataclass
class Block:
    """One piece of a chapter: ``kind`` is 'text', 'list', 'table', 'figure', 'note',
    'heading' or 'html'. Tables carry the display frame (strings, labelled headers)."""

    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figure: Figure | None = None
    caption: str = ""
    wide: bool = False


@dataclass
class Chapter:
    """A chapter of the report as a builder returns it."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    page_break: bool = False

    def text(self, text: str) -> Chapter:
        self.blocks.append(Block("text", text=text))
        return self

    def heading(self, text: str) -> Chapter:
        self.blocks.append(Block("heading", text=text))
        return self

    def items(self, items: list[str]) -> Chapter:
        if items:
            self.blocks.append(Block("list", items=list(items)))
        return self

    def note(self, text: str) -> Chapter:
        self.blocks.append(Block("note", text=text))
        return self

    def table(
        self, shown: pd.DataFrame, caption: str = "", *, wide: bool = False, key: str = ""
    ) -> Chapter:
        self.blocks.append(Block("table", table=shown, caption=caption, wide=wide))
        if key:
            self.tables[key] = shown
        return self

    def figure(self, fig: Figure, caption: str = "") -> Chapter:
        self.blocks.append(Block("figure", figure=fig, caption=caption))
        self.figures.append(fig)
        return self

    def sentences(self) -> list[str]:
        """Every sentence of the chapter's text blocks (for tests and the console)."""
        out = []
        for b in self.blocks:
            out += [b.text] if b.kind in ("text", "note") else b.items
        return out


def _missing(value: object) -> bool:
    try:
        return value is None or pd.isna(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def fmt_number(value: object, taal: str, digits: int | None = None) -> str:
    """12.345 / 12,3 (nl) or 12,345 / 12.3 (en); ``digits`` None: 0 decimals from 100 up,
    else 1 (what the data support). Plain ints stay ints; numpy scalars become Python."""
    if _missing(value):
        return "–"
    if isinstance(value, str):
        return value
    v = float(value)  # type: ignore[arg-type]
    if not math.isfinite(v):
        return "–"
    if digits is None:  # what the data support: 12.346 / 12,3 / 0,04
        digits = 0 if abs(v) >= 100 or float(v).is_integer() else 1 if abs(v) >= 1 else 2
    text = f"{v:,.{digits}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.translate(str.maketrans(",.", ".,")) if taal == "nl" else text


def fmt_range(lo: object, hi: object, taal: str, digits: int = 1) -> str:
    """'0,8 – 13,2'."""
    return f"{fmt_number(lo, taal, digits)} – {fmt_number(hi, taal, digits)}"
