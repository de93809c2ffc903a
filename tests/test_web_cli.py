"""`buurtbalans serve` on the command line: help, and clear errors instead of tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "buurtbalans", *args], capture_output=True, text=True, timeout=120
    )


def test_serve_help_lists_the_options() -> None:
    out = _run("serve", "--help")
    assert out.returncode == 0
    for option in ("--store", "--host", "--port", "--demo", "--imports", "--tiles"):
        assert option in out.stdout


def test_serve_without_a_store_says_how_to_fix(tmp_path: Path) -> None:
    out = _run("serve", "--store", str(tmp_path / "missing.duckdb"), "--port", "1")
    assert out.returncode == 1
    assert "serve --demo" in out.stderr and "Traceback" not in out.stderr


def test_serve_imports_without_token_refuses(tmp_path: Path, demo_store_path: Path) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "BUURTBALANS_TOKEN"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "buurtbalans",
            "serve",
            "--store",
            str(demo_store_path),
            "--imports",
            "--port",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 1 and "BUURTBALANS_TOKEN" in out.stderr
