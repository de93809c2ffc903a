"""The page's words: the report's catalogue (:mod:`buurtbalans.report.terms`) plus the few
terms only the dashboard needs, Dutch first, English second."""

from __future__ import annotations

from buurtbalans.report.terms import TERMS

# report terms the page uses as they are
SHARED = (
    "synthetic",
    "priorities",
    "veerkracht",
    "method",
    "source",
    "buurt",
    "score",
    "change",
    "class",
    "residents",
    "rank",
    "improved",
    "worsened",
    "stable",
    "no_data",
    "benchmark",
    "bm_standouts",
    "bm_peers",
    "nl",
    "tables",
    "map_change",
    "findings",
    # Staat van de stad (issue 21)
    "stad",
    "stad_situatie",
    "stad_trends",
    "stad_vooruitblik",
    "stad_aandachtspunten",
)

WEB: dict[str, dict[str, str]] = {
    "app_title": {"nl": "buurtbalans — dashboard", "en": "buurtbalans — dashboard"},
    "lead": {
        "nl": "Waar stapelen achterstanden zich op, waarom, en wat veranderde er?",
        "en": "Where does disadvantage stack up, why, and what changed?",
    },
    "gemeente": {"nl": "Gemeente", "en": "Municipality"},
    "spec": {"nl": "Index", "en": "Index"},
    "van": {"nl": "Vanaf jaar", "en": "From year"},
    "jaar": {"nl": "Jaar", "en": "Year"},
    "view": {"nl": "Kaart toont", "en": "Map shows"},
    "v_score": {"nl": "MDI-score (klassen)", "en": "MDI score (classes)"},
    "v_change": {"nl": "Verandering sinds het eerste jaar", "en": "Change since the first year"},
    "v_coverage": {"nl": "Dekking van de gegevens", "en": "Data coverage"},
    "v_domain": {"nl": "Domein: {d}", "en": "Domain: {d}"},
    "tab_map": {"nl": "Kaart en ranglijst", "en": "Map and ranking"},
    "bm_trends": {"nl": "Ontwikkeling tegenover de benchmark", "en": "Trends against the peers"},
    "bm_tab": {"nl": "Benchmark", "en": "Benchmark"},
    "tab_sources": {"nl": "Bronnen", "en": "Sources"},
    "choose_buurt": {"nl": "Kies een buurt", "en": "Choose a neighbourhood"},
    "panel_empty": {
        "nl": "Klik op een buurt op de kaart, of kies er een in de lijst of de ranglijst.",
        "en": "Click a neighbourhood on the map, or choose one in the list or the ranking.",
    },
    "code": {"nl": "Code", "en": "Code"},
    "coverage": {"nl": "Dekking", "en": "Coverage"},
    "status": {"nl": "Status", "en": "Status"},
    "domains": {"nl": "Domeinscores", "en": "Domain scores"},
    "since": {"nl": "Verandering sinds {van}", "en": "Change since {van}"},
    "indicators": {"nl": "Onderliggende indicatoren", "en": "Underlying indicators"},
    "indicator": {"nl": "Indicator", "en": "Indicator"},
    "value": {"nl": "Waarde", "en": "Value"},
    "year": {"nl": "Jaar", "en": "Year"},
    "across": {"nl": "Score door de jaren", "en": "Score over the years"},
    "download_csv": {"nl": "Download CSV", "en": "Download CSV"},
    "download_xlsx": {"nl": "Download Excel", "en": "Download Excel"},
    "ranking": {"nl": "Ranglijst {jaar}", "en": "Ranking {jaar}"},
    "legend": {"nl": "Legenda", "en": "Legend"},
    "insufficient": {"nl": "onvoldoende gegevens", "en": "insufficient data"},
    "too_small": {"nl": "te weinig inwoners", "en": "too few residents"},
    "no_score": {
        "nl": "geen MDI-score, rang of klasse.",
        "en": "no MDI score, rank or class.",
    },
    "why_thin": {
        "nl": "De gegevens dekken {cov} van het gewicht; nodig is minstens {min} en altijd de "
        "domeinen {req}.",
        "en": "The data cover {cov} of the weight; at least {min} is needed, always including "
        "the domains {req}.",
    },
    "why_small": {
        "nl": "De buurt heeft te weinig inwoners voor een betrouwbare score.",
        "en": "The neighbourhood has too few residents for a reliable score.",
    },
    "cov_full": {"nl": "alle domeinen", "en": "all domains"},
    "cov_part": {
        "nl": "deel van de domeinen (gewichten herschaald)",
        "en": "some domains (weights rescaled)",
    },
    "share_link": {"nl": "Link naar deze weergave", "en": "Link to this view"},
    "copied": {"nl": "Link gekopieerd", "en": "Link copied"},
    "options": {"nl": "De vier opties", "en": "The four options"},
    "overlap_t": {"nl": "Overlap tussen de lijsten", "en": "Overlap between the lists"},
    "robust_t": {"nl": "Robuustheid", "en": "Robustness"},
    "vk_map": {"nl": "Veerkrachtkaart", "en": "Resilience map"},
    "loading": {"nl": "Laden…", "en": "Loading…"},
    "error": {"nl": "Fout", "en": "Error"},
    "reference": {"nl": "Referentie", "en": "Reference"},
    "spec_hash": {"nl": "spec-hash", "en": "spec hash"},
    "vintage": {"nl": "Buurtindeling", "en": "Boundaries of"},
    "lang_switch": {"nl": "English", "en": "Nederlands"},
    "skip": {"nl": "Naar de inhoud", "en": "Skip to content"},
    "improved_neg": {"nl": "negatief = verbeterd", "en": "negative = improved"},
    "points": {"nl": "punten", "en": "points"},
    "of": {"nl": "van", "en": "of"},
    "worst_note": {
        "nl": "Rang 1 = meeste achterstand. Tab naar een buurt op de kaart en druk Enter.",
        "en": "Rank 1 = most deprived. Tab to a neighbourhood on the map and press Enter.",
    },
    "noscript": {
        "nl": "Dit dashboard heeft JavaScript nodig. De gegevens zijn ook als JSON te lezen "
        "via /api/v1/.",
        "en": "This dashboard needs JavaScript. The data can also be read as JSON at /api/v1/.",
    },
}


def page_terms() -> dict[str, dict[str, str]]:
    """Every term the page shows, ``{key: {"nl": ..., "en": ...}}``."""
    return {**{k: TERMS[k] for k in SHARED if k in TERMS}, **WEB}
