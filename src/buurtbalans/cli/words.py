"""The console's help and usage frame in the user's language.

The language is read from the command line (``--taal``), else ``$BUURTBALANS_TAAL``, else
the locale (Dutch by default) *before* typer builds a help page; every command's
description and option help then comes from the catalogue (``terms/help.toml``:
``help_cmd_<path>``, ``help_opt_<name>`` or ``help_opt_<command>_<name>``), and so do the
words of typer's own frame (Usage, Options, Commands, Error, [default: ...]) and its
usage errors (Missing option, No such command, Invalid value ...).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from functools import cache
from types import MethodType
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from buurtbalans.terms import check_taal, has, set_taal, t, taal

# typer's frame: its module constant -> our catalogue key
_FRAME = {
    "OPTIONS_PANEL_TITLE": "help_panel_options",
    "COMMANDS_PANEL_TITLE": "help_panel_commands",
    "ARGUMENTS_PANEL_TITLE": "help_panel_arguments",
    "ERRORS_PANEL_TITLE": "help_panel_error",
    "RICH_HELP": "help_try",
    "DEFAULT_STRING": "help_default",
    "REQUIRED_LONG_STRING": "help_required",
    "ABORTED_TEXT": "help_aborted",
}


# typer's usage errors as typer writes them (its English, with pydantic's wording for a
# bad number), the most specific first -> our catalogue key; then what may stand in their
# {message}. Both languages are written from the catalogue, English too.
_USAGE = {
    "click_no_such_command_mean": "No such command {name}. Did you mean {names}?",
    "click_no_such_command": "No such command {name}.",
    "click_invalid_for": "Invalid value for {hint}: {message}",
    "click_invalid": "Invalid value: {message}",
    "click_missing_option": "Missing option {hint}.",
    "click_missing_argument": "Missing argument {hint}.",
    "click_no_such_option": "No such option: {name}",
    "click_extra_args": "Got unexpected extra argument(s) ({args})",
    "click_extra_arg": "Got unexpected extra argument ({args})",
    "click_requires_value": "Option {name} requires an argument.",
    "click_takes_no_value": "Option {name} does not take a value.",
}
_INNER = {
    "click_not_int": "Input should be a valid integer, unable to parse string as an integer",
    "click_not_float": "Input should be a valid number, unable to parse string as a number",
    "click_ge": "Input should be greater than or equal to {n}",
    "click_le": "Input should be less than or equal to {n}",
    "click_gt": "Input should be greater than {n}",
    "click_lt": "Input should be less than {n}",
    "click_not_one_of": "Value error, {value} is not one of {choices}.",
    "click_not_valid": "Value {value} is not a valid {label}.",
}


@cache
def _pattern(typer_text: str) -> re.Pattern[str]:
    """A text of typer's as a pattern, its fields as named groups."""
    parts = re.split(r"\{(\w+)\}", typer_text)
    body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(body + r"\Z", re.S)


def usage_text(text: str, lang: str, known: dict[str, str] = _USAGE) -> str:
    """One of typer's usage errors in ``lang`` from the catalogue; a text it does not know
    as is."""
    for key, typer_text in known.items():
        if m := _pattern(typer_text).match(text):
            fields = m.groupdict()
            if "message" in fields:
                fields["message"] = usage_text(fields["message"], lang, _INNER)
            return t(key, lang, **fields)
    return text


def _in_language(exc: Exception) -> None:
    """A usage error of typer's, its message in the user's language (ours already are)."""
    from buurtbalans.cli.app import UsageMistake

    _frame_words()
    if not isinstance(exc, UsageMistake) and hasattr(exc, "format_message"):
        shown = usage_text(exc.format_message(), taal())
        exc.format_message = lambda: shown  # type: ignore[method-assign]


def argv_taal(args: Sequence[str]) -> str | None:
    """The language named by ``--taal X`` / ``--taal=X`` on the command line, the last one
    given as for every option (None when absent or not nl/en: the option refuses it)."""
    value = None
    for i, arg in enumerate(args):
        if arg == "--taal" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--taal="):
            value = arg.split("=", 1)[1]
    try:
        return check_taal(value) if value is not None else None
    except ValueError:
        return None


def _format_usage(self: Any, ctx: Any, formatter: Any) -> None:
    pieces = self.collect_usage_pieces(ctx)
    formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("help_usage") + " ")


def _option_help(path: str, name: str, lang: str) -> str | None:
    for key in (f"help_opt_{path}_{name}", f"help_opt_{name}"):
        if has(key):
            return t(key, lang)
    return None


def localise(command: Any, lang: str, path: str = "", original: str | None = None) -> None:
    """Set the help of ``command`` and of every subcommand and option from the catalogue,
    in ``lang``. An alias (the same callback under another name) is described as the
    alias of ``original`` and shares its option help."""
    own = original or path
    key = f"help_cmd_{path or 'root'}"
    if original:
        command.help = t("help_cmd_alias", lang, name=original.replace("_", " "))
    elif has(key):
        command.help = t(key, lang)
    command.short_help = None
    command.options_metavar = t("help_options_metavar", lang)
    command.format_usage = MethodType(_format_usage, command)
    command.format_help = MethodType(_format_help, command)
    ctx = typer.Context(command)
    for param in command.params:
        shown = _option_help(own, param.name, lang)
        if shown is not None and hasattr(param, "help"):
            param.help = shown
        _value_word(param, ctx, lang)
    helper = command.get_help_option(ctx)
    if helper is not None:
        helper.help = t("help_opt_help", lang)
        helper.metavar = ""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return
    command.subcommand_metavar = t("help_commands_metavar", lang)
    first: dict[object, str] = {}
    for name, sub in subcommands.items():
        sub_path = f"{path}_{name}" if path else name
        function = getattr(sub.callback, "__wrapped__", sub.callback)
        alias_of = first.setdefault(function, sub_path) if function else sub_path
        localise(sub, lang, sub_path, alias_of if alias_of != sub_path else None)


def _frame_words() -> None:
    """typer's frame words (panel titles, "Try --help", "Aborted") in the user's
    language; set only where typer draws its frame (help, an error), as its rich module
    takes 50 ms to import and a command that runs needs none of it."""
    from typer import rich_utils

    for constant, frame_key in _FRAME.items():
        setattr(rich_utils, constant, t(frame_key, taal()))


def _format_help(self: Any, ctx: Any, formatter: Any) -> None:
    _frame_words()
    type(self).format_help(self, ctx, formatter)


# the value an option takes, as --help shows it beside the option (typer: <int>, <path> …)
_VALUE_WORDS = {
    "<int>": "help_value_int",
    "<float>": "help_value_float",
    "<str>": "help_value_str",
    "<path>": "help_value_path",
    "<list[str]>": "help_value_str_list",
    "<int range>": "help_value_int",
    "<float range>": "help_value_float",
}


def _value_word(param: Any, ctx: Any, lang: str) -> None:
    """A flag shows no value word; another option shows its kind of value in ``lang``
    (<getal>, <pad>, <tekst>); a choice (<nl|en>) stays as it is."""
    if getattr(param, "is_flag", False):
        param.metavar = ""
        return
    if getattr(param, "_buurtbalans_value", None) is None:  # typer's word, kept once
        display = getattr(param, "display_type", None)
        param._buurtbalans_value = display(ctx) if display else ""
    key = _VALUE_WORDS.get(param._buurtbalans_value)
    if key is not None:
        param.metavar = t(key, lang)


class LocalGroup(TyperGroup):
    """The root command: resolves the language from the command line before anything is
    parsed, and writes every help text in it."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        chosen = argv_taal(argv)
        set_taal(chosen)
        localise(self, taal())
        return super().main(argv, *rest, **extra)

    def make_context(self, *args: Any, **extra: Any) -> Any:
        try:
            return super().make_context(*args, **extra)
        except TyperException as exc:  # a usage error, among others
            _in_language(exc)
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TyperException as exc:
            _in_language(exc)
            raise
        except (KeyboardInterrupt, EOFError):  # typer answers "Aborted!"
            _frame_words()
            raise


__all__ = ["LocalGroup", "argv_taal", "localise", "usage_text"]
