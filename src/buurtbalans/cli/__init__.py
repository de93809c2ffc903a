"""The ``buurtbalans`` command: a thin layer over the library.

Each command makes library calls; library errors become one clear message and exit code 1.
Commands live in one module per group and register themselves on :data:`app`.
"""

from buurtbalans.cli import (  # noqa: F401  (registers the commands)
    analyses,
    data,
    doctor,
    index,
    report,
    serve,
    stad,
    uncertainty,
)
from buurtbalans.cli.app import app, main

__all__ = ["app", "main"]
