"""Errors as RFC 9457 problem details (``application/problem+json``), with the same clear
messages (what, where, how to fix) as the command line."""

from __future__ import annotations

import json
import re
from typing import Any

from buurtbalans.errors import (
    BuurtbalansError,
    DataError,
    MissingExtraError,
    ReplaceRefusedError,
    SpecError,
    StoreError,
)

PROBLEM = "application/problem+json"


class NotFoundError(StoreError):
    """A gemeente, buurt, table or spec asked for by URL is not there."""


class ForbiddenError(BuurtbalansError):
    """The request needs a right the server was not started with (e.g. HTTP imports)."""


class UnauthorizedError(BuurtbalansError):
    """The request needs a valid token."""


class TooLargeError(BuurtbalansError):
    """An upload is bigger than the server accepts."""


class BadRequestError(BuurtbalansError):
    """A parameter has a form the server does not accept."""


class UploadError(DataError):
    """An uploaded file cannot be imported (names the file, row and column)."""


_STATUS: list[tuple[type[BaseException], int, str]] = [
    (NotFoundError, 404, "not-found"),
    (UnauthorizedError, 401, "unauthorized"),
    (ForbiddenError, 403, "forbidden"),
    (TooLargeError, 413, "too-large"),
    (BadRequestError, 400, "bad-request"),
    (SpecError, 400, "spec"),
    (UploadError, 422, "upload"),
    (DataError, 404, "no-data"),
    (MissingExtraError, 501, "missing-extra"),
    (ReplaceRefusedError, 409, "replace"),
    (StoreError, 503, "store"),
    (BuurtbalansError, 409, "buurtbalans"),
]

TITLES = {
    400: "Ongeldig verzoek / bad request",
    401: "Token nodig / token required",
    403: "Niet toegestaan / forbidden",
    404: "Niet gevonden of geen gegevens / not found or no data",
    405: "Methode niet toegestaan / method not allowed",
    409: "Kan niet met deze gegevens / conflicts with the store's data",
    413: "Te groot / too large",
    422: "Kan niet berekenen / cannot compute",
    500: "Interne fout / internal error",
    501: "Onderdeel niet geïnstalleerd / extra not installed",
    503: "Store niet beschikbaar / store unavailable",
}


_SERVER_PATH = re.compile(r"(?<![\w.:/])(?!/api/|/static/)(?:/[^\s'\"(),;/]+)+/([^\s'\"(),;/]+)")


def public_text(detail: str) -> str:
    """A message without the server's paths: an absolute path keeps only its last part
    (``/tmp/buurtbalans-upload-x/kwb.csv`` → ``kwb.csv``); API paths stay.

    >>> public_text("cannot read (file /tmp/up-1/kwb.csv, row 3). Fix: see /api/v1/openapi.json")
    'cannot read (file kwb.csv, row 3). Fix: see /api/v1/openapi.json'
    """
    return _SERVER_PATH.sub(r"\1", detail)


def status_of(exc: BaseException) -> tuple[int, str]:
    """HTTP status and problem type slug for a buurtbalans error."""
    for cls, status, slug in _STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 500, "internal"


def problem_body(
    status: int, detail: str, *, slug: str = "", instance: str = "", **extra: Any
) -> bytes:
    """The JSON body of one problem document."""
    doc: dict[str, Any] = {
        "type": f"urn:buurtbalans:probleem:{slug or status}",
        "title": TITLES.get(status, "Fout / error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        doc["instance"] = instance
    doc.update(extra)
    return json.dumps(doc, ensure_ascii=False).encode()
