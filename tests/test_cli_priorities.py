"""`buurtbalans prioriteiten` on the console: the robustness sentence agrees with the
table, and a list shorter than asked says why."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from buurtbalans.cli import app

runner = CliRunner()


def _flat(output: str) -> str:
    return " ".join(re.sub(r"[│┃╭╮╰╯─━┏┓┗┛┡┩]", " ", output).split())


@pytest.mark.parametrize(
    ("taal", "robust", "capped"),
    [
        ("nl", "Robuust: 10 van de 10 gekozen buurten", "maar in de hoogste klasse vallen er"),
        ("en", "Robust: 10 of the 10 chosen neighbourhoods", "are in the highest class"),
    ],
)
def test_robust_lists_are_called_robust_and_a_cap_is_said(demo_store_path, taal, robust, capped):
    args = ["--taal", taal, "prioriteiten", "-g", "Voorbeeldstad", "--store", str(demo_store_path)]
    res = runner.invoke(app, args)
    flat = _flat(res.output)
    assert res.exit_code == 0, flat
    assert robust in flat
    assert "niet robuust" not in flat.lower() and "not robust" not in flat.lower()
    assert capped not in flat  # ten asked, more than ten in the top class: no cap
    res = runner.invoke(app, [*args, "--aantal", "40"])
    flat = _flat(res.output)
    assert res.exit_code == 0 and capped in flat, flat
