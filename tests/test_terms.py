"""The one catalogue (buurtbalans.terms): every key in both languages with the same fields,
plural forms, Babel numbers, and the user's language from --taal / $BUURTBALANS_TAAL / the
locale."""

from __future__ import annotations

import string

import pytest
from babel.numbers import parse_decimal
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans import terms
from buurtbalans.terms import TERMS, number, percent, t


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def _texts(entry: object) -> list[str]:
    return list(entry.values()) if isinstance(entry, dict) else [entry]  # type: ignore[arg-type]


@pytest.mark.parametrize("key", sorted(TERMS))
def test_every_term_has_both_languages_with_matching_fields(key: str) -> None:
    entry = TERMS[key]
    assert set(entry) == {"nl", "en"}, key
    nl, en = entry["nl"], entry["en"]
    assert isinstance(nl, str | dict) and type(nl) is type(en), key
    if isinstance(nl, dict):  # plural forms
        assert set(nl) == set(en) == {"one", "other"}, key
    fields_nl = set().union(*map(_fields, _texts(nl)))
    fields_en = set().union(*map(_fields, _texts(en)))
    # a field may be said in one language only (e.g. an analysis reason that is Dutch), but
    # the fields of one language are always among the other's: a caller fills both
    assert fields_nl <= fields_en or fields_en <= fields_nl, (key, fields_nl, fields_en)


def test_plural_forms_follow_the_number() -> None:
    assert t("overlap_text", "nl", n=1, buurten="X").startswith("1 buurt staat")
    assert t("overlap_text", "nl", n=3, buurten="X").startswith("3 buurten staan")
    assert t("overlap_text", "en", n=1, buurten="X").startswith("1 neighbourhood is")
    assert t("unc_class_firm", "en", n=2, total=60, label="x").count("neighbourhoods are") == 1


def test_numbers_percentages_amounts_and_lists_per_language() -> None:
    assert number(12345.67, "nl", 1) == "12.345,7"
    assert number(12345.67, "en", 1) == "12,345.7"
    assert number(-0.01, "nl", 1) == "0,0"  # never "-0,0"
    assert number(None, "nl") == number(float("nan"), "en") == "–"
    assert percent(0.183, "nl") == "18\u00a0%"
    assert terms.euro(8576, "nl") == "€\u00a08.576" and terms.euro(8576, "en") == "€8,576"
    assert terms.words(["Inkomen", "Werk", "Wonen"], "nl") == "Inkomen, Werk en Wonen"
    assert terms.words(["Income", "Work"], "en") == "Income and Work"
    assert terms.boolean(True, "nl") == "ja" and terms.boolean(False, "en") == "no"
    # fields formatted the language's way, years untouched
    assert t("cli_in_year", "nl", n=number(28460, "nl", 0), year=2024) == "28.460 in 2024"
    assert t("opt_sentence", "nl", i=1, option="x", res=1, share=2, lo=1, hi=2.5).endswith(
        "van 1 tot 2,5."
    )
    assert t("rank_of", "nl", rank=3, n=60) == "3 van 60"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_a_number_reads_back_as_itself(value: float, digits: int) -> None:
    for taal, locale in (("nl", "nl_NL"), ("en", "en_GB")):
        text = number(value, taal, digits)
        assert abs(float(parse_decimal(text, locale=locale)) - round(value, digits)) <= 10 ** (
            -digits
        )


def test_the_language_follows_option_then_environment_then_locale(monkeypatch) -> None:
    for var in ("BUURTBALANS_TAAL", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    terms.set_taal(None)
    monkeypatch.setenv("LANG", "C.UTF-8")  # no language chosen (Python reports en_US): Dutch
    assert terms.taal() == "nl"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert terms.taal() == "en"
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    assert terms.taal() == "nl"
    monkeypatch.setenv("BUURTBALANS_TAAL", "en")
    assert terms.taal() == "en"
    terms.set_taal("nl")
    try:
        assert terms.taal() == "nl" and t("cli_error") == "Fout"
    finally:
        terms.set_taal(None)
    with pytest.raises(ValueError, match="choose nl or en"):
        terms.check_taal("fr")


def test_the_report_and_the_page_read_the_same_catalogue() -> None:
    from buurtbalans.report.terms import TERMS as REPORT
    from buurtbalans.web.terms import page_terms

    assert REPORT is TERMS
    page = page_terms()
    assert all(page[k] == TERMS[k] for k in page)
    assert {"tcol_rank", "map_needs_boundaries", "dl_index"} <= set(page)


def test_every_word_the_page_asks_for_is_in_the_catalogue() -> None:
    """app.js and the template name their words by key (T("…"), data-t, data-ta); each key
    must be in the page's part of the catalogue, or the page would show the raw key."""
    import re
    from importlib.resources import files

    from buurtbalans.web.terms import page_terms

    web = files("buurtbalans").joinpath("web")
    js = web.joinpath("static/app.js").read_text("utf-8")
    html = web.joinpath("templates/index.html.j2").read_text("utf-8")
    keys = set(re.findall(r'\bT\("([a-z0-9_]+)"', js))
    keys |= set(re.findall(r'data-ta?="([a-z0-9_]+)"', html))
    keys |= {f"dl_{k}" for k in re.findall(r'downloads\("([a-z_]+)"', js)}
    missing = sorted(k for k in keys - set(page_terms()) if not k.endswith("_"))
    assert not missing, missing


def test_an_error_is_written_in_the_language_it_is_shown_in() -> None:
    """errors.Msg: a catalogue key and its fields; English for library users (str), the
    reader's language when shown (text); lists as words, nested messages in the same
    language, never a Python repr."""
    from buurtbalans.errors import DataError, Msg, SpecError

    spec = SpecError(Msg("err_no_spec", path="x.toml", presets=["mdi", "onzekerheid"]))
    assert str(spec) == spec.text("en")
    assert spec.text("en").endswith("one of the presets mdi and onzekerheid")
    assert spec.text("nl").endswith("een van de voorinstellingen mdi en onzekerheid")
    bad = DataError(
        Msg("err_cell", cell="abc", what=Msg("cell_neither"), n=2),
        file="f.csv",
        row=3,
        column="x",
        fix=Msg("fix_cell"),
    )
    assert str(bad).startswith("'abc' is neither a number nor a CBS symbol (. x - ?); 2 such")
    assert "(file f.csv, row 3, column 'x'). Fix: correct the cell" in str(bad)
    nl = bad.text("nl")
    assert "2 zulke cellen in deze kolom (bestand f.csv, rij 3, kolom 'x'). Oplossing:" in nl
    plain = DataError("something English", file="f.csv", fix="do this")
    assert plain.text("nl") == str(plain) == "something English (file f.csv). Fix: do this"


@pytest.mark.parametrize(("taal", "one"), [("nl", "valt 1 buurt in"), ("en", "1 neighbourhood is")])
def test_one_buurt_in_the_top_class_is_singular(taal, one):
    from buurtbalans.terms import t

    fields = {"tot": 2024, "top": "zeer hoog", "highest": "A", "lowest": "B"}
    assert one in t("map_score_text", taal, n=1, **fields)
    assert "1 buurten" not in t("map_score_text", taal, n=1, **fields)


def _msg_calls() -> list[tuple[str, str, set[str] | None]]:
    """Every ``Msg("key", field=...)`` in the package source: (file, key, fields)."""
    import ast
    from pathlib import Path

    import buurtbalans

    calls = []
    for path in sorted(Path(buurtbalans.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Msg"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                named = {k.arg for k in node.keywords if k.arg}
                spread = any(k.arg is None for k in node.keywords)  # **fields: not checked
                calls.append((path.name, str(node.args[0].value), None if spread else named))
    return calls


def test_every_message_the_code_raises_is_in_the_catalogue_with_its_fields() -> None:
    """A ``Msg`` key missing from the catalogue would fail only when that error happens;
    a field the text asks for but the call does not give would fail then too."""
    calls = _msg_calls()
    assert len(calls) > 40
    for name, key, given_ in calls:
        assert key in TERMS, f"{name}: Msg({key!r}) is not in the catalogue"
        wanted = set().union(
            *(_fields(x) for lang in ("nl", "en") for x in _texts(TERMS[key][lang]))
        )
        if given_ is not None:
            assert wanted - {"n", "count"} <= given_ | {"n", "count"}, (name, key, wanted - given_)
