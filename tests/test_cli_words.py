"""The console's --help in the user's language, from the catalogue (cli/words.py)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from buurtbalans.cli import app
from buurtbalans.cli.words import argv_taal
from buurtbalans.terms import has

runner = CliRunner()

# words that give the other language away in a help page
TELLTALE = {
    "nl": ("Usage", "Options", "Commands", "Show this", "default", " the ", "English alias"),
    "en": ("Gebruik", "Opties", "Opdrachten", "Toon ", "standaard", " de ", " het ", "Engelse"),
}


def _commands() -> list[tuple[str, ...]]:
    """Every command path of the app (the root as ``()``)."""
    paths: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


COMMANDS = _commands()


def test_the_language_is_read_from_the_command_line_first():
    assert argv_taal(["index", "--taal", "en"]) == "en"
    assert argv_taal(["--taal=nl_NL", "demo"]) == "nl"
    assert argv_taal(["--taal", "fr"]) is None  # the option itself refuses it
    assert argv_taal(["index"]) is None
    assert argv_taal(["--taal", "nl", "index", "--taal", "en"]) == "en"  # the last, as typer


def test_every_command_and_option_has_its_help_in_the_catalogue():
    """A new command or option without catalogue help fails here (no English left over)."""
    missing = []

    def walk(command, path: tuple[str, ...], seen: dict) -> None:
        function = getattr(command.callback, "__wrapped__", command.callback)
        own = seen.setdefault(function, path) if function else path
        if own == path and not has(f"help_cmd_{'_'.join(path) or 'root'}"):
            missing.append("help_cmd_" + ("_".join(path) or "root"))
        for param in command.params:
            keys = (f"help_opt_{'_'.join(own)}_{param.name}", f"help_opt_{param.name}")
            if not any(has(k) for k in keys):
                missing.append(keys[-1])
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name), seen)

    walk(typer.main.get_command(app), (), {})
    assert not missing


@pytest.mark.parametrize("taal", ["nl", "en"])
@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "buurtbalans" for p in COMMANDS])
def test_help_speaks_one_language(taal, path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    res = runner.invoke(app, ["--taal", taal, *path, "--help"])
    assert res.exit_code == 0, res.output
    flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", res.output).split())
    assert ("Gebruik:" if taal == "nl" else "Usage:") in flat
    other = [w for w in TELLTALE[taal] if w in flat]
    assert not other, f"{other} in the {taal} help of {path}: {flat}"


@pytest.mark.parametrize(
    "args, nl, en",
    [
        (
            ["verandering", "-g", "X", "--van", "abc"],
            "Ongeldige waarde voor '--van': dit moet een geheel getal",
            "Invalid value for '--van'",
        ),
        (["verandering"], "Optie '--gemeente' / '-g' ontbreekt.", "Missing option '--gemeente'"),
        (["verandering", "--bogus"], "Onbekende optie: --bogus", "No such option: --bogus"),
        (
            ["verandring"],
            "Onbekende opdracht 'verandring'. Bedoelt u 'verandering'?",
            "Did you mean",
        ),
        (
            ["verandering", "-g", "X", "--tolerantie", "-1"],
            "dit moet minstens 0 zijn",
            "this must be at least 0",
        ),
        (
            ["verandering", "--van"],
            "Optie '--van' vraagt een waarde.",
            "Option '--van' needs a value.",
        ),
    ],
)
def test_typers_usage_errors_speak_one_language(args, nl, en):
    for taal, wanted in (("nl", nl), ("en", en)):
        res = runner.invoke(app, ["--taal", taal, *args])
        flat = " ".join(re.sub(r"[│╭╮╰╯─]", " ", res.output).split())
        assert res.exit_code == 2 and wanted in flat, flat
        if taal == "nl":
            assert not [w for w in ("Usage", "Try ", "Error", "Invalid", "Missing") if w in flat]
        assert "Input should" not in flat  # pydantic's wording, in neither language


def test_help_follows_the_environment(monkeypatch):
    monkeypatch.setenv("BUURTBALANS_TAAL", "en")
    res = runner.invoke(app, ["verandering", "--help"])
    assert res.exit_code == 0 and "Usage:" in res.output and "first year" in res.output
    monkeypatch.setenv("BUURTBALANS_TAAL", "nl")
    res = runner.invoke(app, ["verandering", "--help"])
    assert "Gebruik:" in res.output and "eerste jaar" in res.output
