"""Property-based tests of the API against its own OpenAPI document (schemathesis):
no 5xx, every response matches its documented schema and status codes."""

from __future__ import annotations

import atexit
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from buurtbalans.demo import load_demo  # noqa: E402
from buurtbalans.store import Store  # noqa: E402
from buurtbalans.web import create_app  # noqa: E402


def _app():
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="bb-schema-"))
    path = folder / "demo.duckdb"
    with Store(path) as st:
        load_demo(st)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return create_app(path)


APP = _app()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_openapi(case) -> None:
    case.call_and_validate()


def test_examples_reach_the_computations() -> None:
    """The documented examples (GM9999, BU99990601) make schemathesis call the real
    computations, not only the 404 paths."""
    assert APP.state.access.computations > 5
