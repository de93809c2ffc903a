"""``buurtbalans serve``: the web dashboard and the read-only REST API on one store
(needs the ``[web]`` extra: FastAPI and uvicorn)."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any):
    """The ASGI app; see :func:`buurtbalans.web.app.create_app`."""
    require_web()
    from buurtbalans.web.app import create_app as _create

    return _create(*args, **kwargs)


def require_web() -> None:
    """Raise :class:`MissingExtraError` with the install hint when FastAPI/uvicorn are absent."""
    import importlib

    from buurtbalans.errors import MissingExtraError, Msg

    for name in ("fastapi", "uvicorn", "jinja2"):
        try:
            importlib.import_module(name)
        except ImportError as exc:
            raise MissingExtraError(Msg("err_missing_web", name=name)) from exc


__all__ = ["create_app", "require_web"]
