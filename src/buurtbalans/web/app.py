"""The ASGI app: the dashboard page, its static files and the API, on one store.

>>> from buurtbalans.web.app import security_headers
>>> "default-src 'self'" in security_headers(None)["Content-Security-Policy"]
True
"""

from __future__ import annotations

import logging
import threading
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from buurtbalans import __version__
from buurtbalans.errors import BuurtbalansError, Msg
from buurtbalans.web.access import StoreAccess
from buurtbalans.web.api import Api
from buurtbalans.web.problems import PROBLEM, problem_body, public_text, status_of
from buurtbalans.web.terms import page_terms

log = logging.getLogger("buurtbalans.web")
PACKAGE = resources.files("buurtbalans.web")


def security_headers(tiles: str | None) -> dict[str, str]:
    """Headers on every response: everything from this origin (plus an optional tile host)."""
    img = "'self' data:" + (f" {_origin(tiles)}" if tiles else "")
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src {img}; connect-src 'self'; font-src 'self'; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def _origin(url: str) -> str:
    parts = urlsplit(
        url.replace("{s}", "a").replace("{z}", "0").replace("{x}", "0").replace("{y}", "0")
    )
    return f"{parts.scheme}://{parts.netloc}"


def create_app(
    store: str | Path,
    *,
    imports: bool = False,
    token: str | None = None,
    max_upload: int = 20 * 1024 * 1024,
    tiles: str | None = None,
    tiles_attribution: str = "",
    allowed_hosts: list[str] | None = None,
    warm: bool = False,
) -> FastAPI:
    """The web app on the store file ``store`` (opened read-only per request).

    ``imports`` turns on ``PUT /api/v1/imports`` (needs ``token``; bodies up to
    ``max_upload`` bytes). ``tiles`` is an optional background tile URL template
    (``https://…/{z}/{x}/{y}.png``); without it the map shows the buurt outlines only.
    ``allowed_hosts`` limits the Host header (``serve`` on localhost passes the loopback
    names, so a web page elsewhere cannot reach the server through DNS rebinding).
    ``warm`` computes the heavy national artefacts (the national input rows, the first
    gemeente's analysis) in a background thread at start-up, so the first request for a
    gemeente does not wait for them; requests are served meanwhile.
    """
    if imports and not token:
        raise BuurtbalansError(Msg("err_web_imports_token"))
    access = StoreAccess(store)
    app = FastAPI(
        title="buurtbalans API",
        version=__version__,
        description=(
            "Read-only access to a buurtbalans store: gemeenten, buurt boundaries, the "
            "multiple-deprivation index with coverage and run record, change, priorities, "
            "veerkracht, benchmark and sources. Errors are RFC 9457 problem details."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.access = access
    if warm:
        threading.Thread(target=warm_up, args=(access,), name="warm-up", daemon=True).start()
    api = Api(access, token=token, imports=imports, max_upload=max_upload)
    app.include_router(api.router)
    app.add_middleware(_SecurityHeaders, headers=security_headers(tiles))
    if allowed_hosts:
        from starlette.middleware.trustedhost import TrustedHostMiddleware

        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)

    @app.exception_handler(BuurtbalansError)
    async def _known(request: Request, exc: BuurtbalansError) -> Response:
        status, slug = status_of(exc)
        extra = {"Retry-After": "2"} if status == 503 else {}
        if status == 401:
            extra["WWW-Authenticate"] = 'Bearer realm="buurtbalans"'
        return _problem(status, public_text(exc.text(_language(request))), slug, request, extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        from buurtbalans.terms import t

        lang = request.query_params.get("taal", "en")
        lang = lang if lang in ("nl", "en") else "en"
        parts = []
        for err in exc.errors():  # in plain words, not the validator's
            where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
            kind = str(err.get("type", ""))
            key = {
                "int_parsing": "err_api_int",
                "int_type": "err_api_int",
                "literal_error": "err_api_choice",
                "string_pattern_mismatch": "err_api_pattern",
                "greater_than_equal": "err_api_range",
                "less_than_equal": "err_api_range",
            }.get(kind)
            context = err.get("ctx") or {}
            got = err.get("input")
            if key:
                parts.append(
                    t(
                        key,
                        lang,
                        name=where,
                        got=got,
                        expected=context.get("expected", context.get("pattern", "")),
                        lo=context.get("ge", ""),
                        hi=context.get("le", ""),
                    )
                )
            else:
                parts.append(f"{where}: {err.get('msg')}")
        detail = "; ".join(parts) + t("err_api_fix", lang)
        return _problem(400, detail, "bad-request", request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = (
            f"nothing at {request.url.path}. Fix: see /api/v1/openapi.json"
            if exc.status_code == 404
            else str(exc.detail)
        )
        headers = dict(exc.headers or {})  # e.g. Allow on 405
        return _problem(exc.status_code, detail, str(exc.status_code), request, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        if type(exc).__module__.lstrip("_").startswith("duckdb"):  # a damaged store
            from buurtbalans.store.store import damaged_store_error

            message = public_text(str(damaged_store_error(str(access.path), exc)))
            return _problem(503, message, "store", request)
        log.exception("unexpected error on %s", request.url.path)
        return _problem(
            500,
            f"unexpected {type(exc).__name__}. This is a bug in buurtbalans, not in your "
            "request; the server log has the details. Please report it as an issue",
            "internal",
            request,
        )

    static_dir = Path(str(PACKAGE.joinpath("static")))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")
    page = _page(tiles, tiles_attribution)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Response:
        from buurtbalans.web.views import gemeenten

        def render() -> tuple[bytes, str]:
            with access.open() as st:
                return page(gemeenten(st)).encode(), "text/html; charset=utf-8"

        hit = access.cached(access.etag("page"), render)
        return Response(hit.body, media_type=hit.media_type)

    return app


def warm_up(access: StoreAccess) -> str | None:
    """The landing gemeente's change analysis (:func:`views.landing`) with the default spec
    and years, computed once: it reads and caches the national input rows (memory and next
    to the store) that every gemeente's national reference ranks among. Returns that
    gemeente's code (None for an empty store); a failure is logged as one line, never
    raised (requests then compute)."""
    from buurtbalans.errors import Msg
    from buurtbalans.store.levels import level_observations
    from buurtbalans.terms import t, taal
    from buurtbalans.web import views

    what: Msg | None = None
    try:
        with access.open() as st:
            gms = views.gemeenten(st)
            g = views.landing(gms)
            if g is None:
                return None
            spec = views.load_preset("mdi")
            van, jaar = views.years(g, None, None)
            what = Msg("web_warm_what", naam=g["naam"], van=van, jaar=jaar)
            access.memo(
                ("analysis", g["code"], spec.hash(), van, jaar),
                lambda: views.analysis(st, g["code"], spec, van, jaar),
            )
            for level in ("gemeente", "land"):  # what benchmark and stad read of all NL
                level_observations(st, None, level)
            return str(g["code"])
    except Exception as exc:  # warming is an optimisation: requests compute what it did not
        lang = taal()
        why = exc.text(lang) if isinstance(exc, BuurtbalansError) else type(exc).__name__
        why = why.split(". Fix:")[0].split(". Oplossing:")[0].split(";")[0]
        shown = what.text(lang) if what is not None else t("web_warm_what_store", lang)
        log.warning("%s", t("web_warm_failed", lang, what=shown, why=why))
        log.debug("warm-up failed", exc_info=True)  # the traceback, for --debug logging only
        return None


def _language(request: Request) -> str:
    """The language of a problem's text: ``?taal=``, else the first of Accept-Language
    that is Dutch or English, else English."""
    asked = request.query_params.get("taal", "")
    if asked in ("nl", "en"):
        return asked
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in ("nl", "en"):
            return code
    return "en"


class _SecurityHeaders:
    """Pure ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app, headers: dict[str, str]) -> None:
        self.app = app
        self.raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {k for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.raw if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _problem(
    status: int, detail: str, slug: str, request: Request, headers: dict[str, str] | None = None
) -> Response:
    body = problem_body(status, detail, slug=slug, instance=request.url.path)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def _page(tiles: str | None, attribution: str):
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("buurtbalans.web", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    template = env.get_template("index.html.j2")

    def render(gms: list[dict]) -> str:
        return template.render(
            gemeenten=gms,
            terms=page_terms(),
            tiles=tiles or "",
            attribution=attribution,
            version=__version__,
        )

    return render
