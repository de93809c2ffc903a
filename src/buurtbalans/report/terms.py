"""One dictionary of terms and sentences, Dutch and English (no string duplication)."""

from __future__ import annotations

import string

TERMS: dict[str, dict[str, str]] = {
    "title": {
        "nl": "Stapeling van achterstanden in {gemeente}",
        "en": "Multiple deprivation in {gemeente}",
    },
    "subtitle": {
        "nl": "MDI-analyse {van}–{tot}, buurtindeling {vintage}",
        "en": "MDI analysis {van}–{tot}, {vintage} neighbourhood boundaries",
    },
    "synthetic": {
        "nl": "SYNTHETISCHE DEMODATA — Voorbeeldstad bestaat niet; de cijfers "
        "beschrijven geen echte plaats.",
        "en": "SYNTHETIC DEMO DATA — Voorbeeldstad does not exist; the figures "
        "describe no real place.",
    },
    "findings": {"nl": "Hoofdbevindingen", "en": "Key findings"},
    "maps": {"nl": "Kaarten", "en": "Maps"},
    "charts": {"nl": "Grafieken", "en": "Charts"},
    "tables": {"nl": "Tabellen", "en": "Tables"},
    "priorities": {"nl": "Prioritering", "en": "Prioritisation"},
    "veerkracht": {"nl": "Veerkracht", "en": "Resilience (veerkracht)"},
    "method": {"nl": "Methode en bronnen", "en": "Method and sources"},
    "missing": {"nl": "Ontbreekt", "en": "Missing"},
    "source": {"nl": "Bron", "en": "Source"},
    "buurt": {"nl": "buurt", "en": "neighbourhood"},
    "score": {"nl": "MDI-score", "en": "MDI score"},
    "change": {"nl": "verandering (punten)", "en": "change (points)"},
    "class": {"nl": "klasse", "en": "class"},
    "residents": {"nl": "inwoners", "en": "residents"},
    "rank": {"nl": "rang", "en": "rank"},
    "improved": {"nl": "verbeterd", "en": "improved"},
    "worsened": {"nl": "verslechterd", "en": "worsened"},
    "stable": {"nl": "ongeveer gelijk", "en": "about the same"},
    "worst10": {"nl": "10 hoogste scores", "en": "10 highest scores"},
    "best10": {"nl": "10 laagste scores", "en": "10 lowest scores"},
    "contributions": {
        "nl": "Bijdrage per domein aan de MDI-score ({tot})",
        "en": "Contribution of each domain to the MDI score ({tot})",
    },
    "distribution": {"nl": "Verdeling van de MDI-scores", "en": "Distribution of MDI scores"},
    "dumbbell": {
        "nl": "MDI-score per buurt, {van} en {tot}",
        "en": "MDI score per neighbourhood, {van} and {tot}",
    },
    "overlap": {"nl": "In welke lijsten staat een buurt?", "en": "Which lists is a buurt in?"},
    "map_score": {"nl": "MDI-score {tot} (klassen)", "en": "MDI score {tot} (classes)"},
    "map_change": {
        "nl": "Verandering MDI-score {van}–{tot} (punten; negatief = verbeterd)",
        "en": "Change in MDI score {van}–{tot} (points; negative = improved)",
    },
    "map_domain": {
        "nl": "Domein {domain} {tot} (percentiel)",
        "en": "Domain {domain} {tot} (percentile)",
    },
    "no_data": {"nl": "geen gegevens", "en": "no data"},
    "benchmark": {
        "nl": "Benchmark: de gemeente naast Nederland en vergelijkbare gemeenten",
        "en": "Benchmark: the municipality against the Netherlands and its peers",
    },
    "bm_heat": {
        "nl": "Rang per indicator (1 = gunstigst; neutrale indicatoren: 1 = hoogst)",
        "en": "Rank per indicator (1 = most favourable; neutral ones: 1 = highest)",
    },
    "bm_peers": {"nl": "Benchmarkgemeenten", "en": "Peer municipalities"},
    "bm_standouts": {"nl": "Opvallende kenmerken", "en": "Notable characteristics"},
    "nl": {"nl": "Nederland", "en": "Netherlands"},
    "no_benchmark": {
        "nl": "De benchmark kon niet worden gemaakt: {reason}",
        "en": "The benchmark could not be made: {reason}",
    },
    "north": {"nl": "N", "en": "N"},
    "footer_synthetic": {
        "nl": "SYNTHETISCHE DEMODATA — Voorbeeldstad bestaat niet",
        "en": "SYNTHETIC DEMO DATA — Voorbeeldstad does not exist",
    },
    # column headers of the report's tables
    "col_area_code": {"nl": "code", "en": "code"},
    "col_name": {"nl": "buurt", "en": "neighbourhood"},
    "col_delta": {"nl": "Δ", "en": "Δ"},
    "col_direction": {"nl": "richting", "en": "direction"},
    "col_inwoners": {"nl": "inwoners", "en": "residents"},
    "col_rang": {"nl": "rang", "en": "rank"},
    "col_score": {"nl": "MDI {year}", "en": "MDI {year}"},
    "col_class": {"nl": "klasse {year}", "en": "class {year}"},
    # sentences of the key findings (numbers filled in from the analyses)
    "f_direction": {
        "nl": "In {tot} laten {improved} van de {n} buurten een verbetering zien ten opzichte "
        "van {van}; {worsened} buurten zijn verslechterd en {stable} bleven ongeveer "
        "gelijk.",
        "en": "In {tot}, {improved} of the {n} neighbourhoods improved compared with {van}; "
        "{worsened} worsened and {stable} stayed about the same.",
    },
    "f_veryhigh": {
        "nl": "Het aantal buurten met een zeer hoge MDI-score (boven 60) ging van {toen} in "
        "{van} naar {nu} in {tot}: {uit} buurten verlieten deze klasse en {in_} kwamen "
        "erbij.",
        "en": "The number of neighbourhoods with a very high MDI score (above 60) went from "
        "{toen} in {van} to {nu} in {tot}: {uit} left this class and {in_} entered it.",
    },
    "f_share": {
        "nl": "In {tot} woont {share:.0f}% van de inwoners ({res:,} personen) in een buurt "
        "met een zeer hoge MDI-score.",
        "en": "In {tot}, {share:.0f}% of residents ({res:,} people) live in a neighbourhood "
        "with a very high MDI score.",
    },
    "f_domains": {
        "nl": "De gemiddelde score veranderde met {delta:+.1f} punten; de grootste bijdrage "
        "kwam van het domein {top} ({top_value:+.1f} punten).",
        "en": "The average score changed by {delta:+.1f} points; the largest part came from "
        "the {top} domain ({top_value:+.1f} points).",
    },
    "f_gap_grew": {
        "nl": "De kloof tussen de slechtste en de beste 10% van de buurten is gegroeid, van "
        "{g0:.1f} naar {g1:.1f} punten: buurten die slechter begonnen verbeterden minder "
        "(helling {slope:+.2f}, 95%-interval {lo:+.2f} tot {hi:+.2f}).",
        "en": "The gap between the worst and best 10% of neighbourhoods grew from {g0:.1f} "
        "to {g1:.1f} points: those that started worse improved less (slope "
        "{slope:+.2f}, 95% interval {lo:+.2f} to {hi:+.2f}).",
    },
    "f_gap_shrank": {
        "nl": "De kloof tussen de slechtste en de beste 10% van de buurten is niet gegroeid "
        "({g0:.1f} → {g1:.1f} punten; helling {slope:+.2f}, 95%-interval {lo:+.2f} tot "
        "{hi:+.2f}).",
        "en": "The gap between the worst and best 10% of neighbourhoods did not grow "
        "({g0:.1f} → {g1:.1f} points; slope {slope:+.2f}, 95% interval {lo:+.2f} to "
        "{hi:+.2f}).",
    },
    "f_domains_used": {
        "nl": "Domeinen met gegevens: {domains}. Zonder gegevens (weggelaten, gewichten "
        "herschaald): {missing}.",
        "en": "Domains with data: {domains}. Without data (left out, weights rescaled): {missing}.",
    },
    "f_reference": {
        "nl": "Referentie voor de rangschikking: {reference}.",
        "en": "Reference set for the ranking: {reference}.",
    },
    "ref_national": {
        "nl": "alle buurten van Nederland in hetzelfde jaar",
        "en": "all neighbourhoods of the Netherlands in the same year",
    },
    "ref_input-pooled": {
        "nl": "de buurten van de gemeente zelf, beide jaren samen (landelijke "
        "gegevens staan niet in de store)",
        "en": "the municipality's own neighbourhoods, both years pooled "
        "(national data are not in the store)",
    },
    "ref_input": {
        "nl": "de buurten van de gemeente zelf, per jaar",
        "en": "the municipality's own neighbourhoods, per year",
    },
    "ref_national-pooled": {
        "nl": "alle buurten van Nederland, beide jaren samen",
        "en": "all neighbourhoods of the Netherlands, both years pooled",
    },
    "no_boundaries": {
        "nl": "Er zijn geen buurtgrenzen voor de indeling {vintage} in de store. Importeer de "
        "CBS wijk- en buurtkaart: buurtbalans import file wijkenbuurten_{vintage}.gpkg "
        "--jaar {vintage}.",
        "en": "There are no boundaries for the {vintage} classification in the store. Import "
        "the CBS wijk- en buurtkaart: buurtbalans import file wijkenbuurten_{vintage}.gpkg "
        "--jaar {vintage}.",
    },
    "no_lbm": {
        "nl": "Voor de veerkrachtkaarten zijn Leefbaarometer-scores (overlast en "
        "onveiligheid) nodig: {reason}",
        "en": "The resilience maps need Leefbaarometer scores (nuisance and safety): {reason}",
    },
    "no_cost": {
        "nl": "Er is geen tabel met kosten sociaal domein geladen; de kostenoptie ontbreekt. "
        "Importeer er een met buurtbalans import file kosten.xlsx --mapping ...",
        "en": "No social-domain cost table is loaded; the cost option is missing. Import one "
        "with buurtbalans import file kosten.xlsx --mapping ...",
    },
    "unmatched": {
        "nl": "{n} buurten konden niet op code worden gekoppeld aan de gegevens van latere "
        "jaren (gewijzigde indeling) en hebben voor die jaren geen score: {codes}.",
        "en": "{n} neighbourhoods could not be matched by code to later years' data "
        "(changed boundaries) and have no score for those years: {codes}.",
    },
}


def column_label(column: str, taal: str) -> str:
    """Display header of a table column (``score_2024`` → ``MDI 2024``)."""
    head, _, year = column.rpartition("_")
    if year.isdigit() and head in ("score", "class"):
        return t(f"col_{head}", taal, year=year)
    return t(f"col_{column}", taal) if f"col_{column}" in TERMS else column


class _DutchNumbers(string.Formatter):
    """Formats numbers the Dutch way: 28.460 personen, -12,7 punten."""

    def format_field(self, value: object, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return text.translate(str.maketrans(",.", ".,"))
        return text


_NL = _DutchNumbers()


def t(key: str, taal: str = "nl", **values: object) -> str:
    """The term or sentence ``key`` in ``taal`` (nl/en), formatted with ``values``
    (numbers with Dutch separators in ``nl``)."""
    text = TERMS[key][taal]
    if not values:
        return text
    return _NL.format(text, **values) if taal == "nl" else text.format(**values)
