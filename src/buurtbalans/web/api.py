"""The read-only REST API under ``/api/v1``: JSON and GeoJSON, cached on store content and
spec hash (ETag / 304), tables as CSV or xlsx, and (off by default) token-protected imports."""

from __future__ import annotations

import hmac
import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from buurtbalans import __version__
from buurtbalans.errors import DataError, Msg
from buurtbalans.report import display
from buurtbalans.web import schemas, views
from buurtbalans.web.access import StoreAccess
from buurtbalans.web.problems import (
    PROBLEM,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    TooLargeError,
    UnauthorizedError,
    UploadError,
)

GM = Annotated[
    str,
    PathParam(
        pattern=r"^GM\d{4}$", description="CBS gemeente code, e.g. GM9999", examples=["GM9999"]
    ),
]
BU = Annotated[
    str, PathParam(pattern=r"^BU\d{8}$", description="CBS buurt code", examples=["BU99990601"])
]
SPEC = Annotated[
    str, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="built-in index spec id")
]
YEAR = Annotated[int | None, Query(ge=1990, le=2100, description="year (default: first/last)")]
TAAL = Annotated[Literal["nl", "en"], Query(description="language of sentences")]
IND = Annotated[
    str,
    PathParam(pattern=r"^[a-z][a-z0-9_]{0,59}$", description="indicator id", examples=["p_65"]),
]
TABLES = Literal[
    "index",
    "verandering",
    "prioriteiten",
    "prioriteiten_lijsten",
    "overlap",
    "robuustheid",
    "veerkracht",
    "veerkracht_kruistabel",
    "benchmark",
    "benchmark_rangen",
    "benchmark_peers",
    "benchmark_trends",
    "benchmark_opvallend",
    "stad",
    "stad_reeksen",
    "bronnen",
]
ALLOWED_UPLOAD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.()-]{0,120}\.(csv|xlsx|json|geojson)$")
_PROBLEMS = {
    s: {"model": schemas.Problem, "content": {PROBLEM: {}}, "description": d}
    for s, d in (
        (400, "bad parameter"),
        (404, "not found, or no data for it in the store"),
        (409, "the store's data do not allow it"),
        (503, "store busy (an import is running)"),
    )
}


def _declared(request: Request) -> set[str]:
    """The query parameters the matched route declares (its ``Query`` arguments)."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return set()
    return {p.alias for p in dependant.query_params}


def _known_parameters(request: Request) -> None:
    """A query parameter the route does not know is refused (400, naming it and the known
    ones) instead of silently ignored: a typo like ``?jr=2024`` would otherwise answer
    for the default year."""
    known = _declared(request)
    unknown = sorted({k for k in request.query_params if k not in known})
    if unknown:
        raise BadRequestError(
            Msg(
                "err_an_api_unknown_params",
                names=[f"'{name}'" for name in unknown],
                n=len(unknown),
                path=request.url.path,
                known=sorted(known) if known else Msg("err_an_api_no_params"),
            )
        )


def _canonical_query(request: Request) -> list[tuple[str, str]]:
    """The request's declared query parameters in one order: the cache key of an answer
    (the same question in another parameter order is one cached answer)."""
    known = _declared(request)
    return sorted((k, v) for k, v in request.query_params.multi_items() if k in known)


class Api:
    """The routes, bound to one store."""

    def __init__(
        self,
        access: StoreAccess,
        *,
        token: str | None = None,
        imports: bool = False,
        max_upload: int = 20 * 1024 * 1024,
    ) -> None:
        self.access = access
        self.token = token
        self.imports = imports
        self.max_upload = max_upload
        self.router = APIRouter(
            prefix="/api/v1", responses=_PROBLEMS, dependencies=[Depends(_known_parameters)]
        )
        self._routes()

    # -- plumbing -------------------------------------------------------------------------
    def _json(
        self,
        request: Request,
        compute: Callable[[], Any],
        *,
        key: tuple[object, ...] = (),
        media_type: str = "application/json",
    ) -> Response:
        """Serve ``compute()`` as JSON with an ETag on store content + request (+ spec hash);
        304 when the client has it; computed once per ETag."""

        def body() -> tuple[bytes, str]:
            data = json.dumps(views.clean(compute()), ensure_ascii=False, separators=(",", ":"))
            return data.encode(), media_type

        return self._answer(request, body, key=key)

    def _answer(
        self,
        request: Request,
        body: Callable[[], tuple[bytes, str]],
        *,
        key: tuple[object, ...] = (),
    ) -> Response:
        """``body()`` (bytes and media type) with an ETag on store content + request (+
        ``key``); 304 when the client has it; computed once per ETag."""
        query = _canonical_query(request)
        etag = self.access.etag(request.url.path, query, *key)
        if etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=_cache_headers(etag))
        hit = self.access.cached(etag, body)
        return Response(hit.body, media_type=hit.media_type, headers=_cache_headers(etag))

    def _analysis(self, store, gm: str, spec_id: str, van: int | None, jaar: int | None):
        g = views.gemeente(store, gm)
        spec = views.load_preset(spec_id)
        van_, jaar_ = views.years(g, van, jaar)
        a = self.access.memo(
            ("analysis", gm, spec.hash(), van_, jaar_),
            lambda: views.analysis(store, gm, spec, van_, jaar_),
        )
        return g, spec, a, van_, jaar_

    # -- routes ---------------------------------------------------------------------------
    def _routes(self) -> None:
        r = self.router
        access = self.access

        @r.get("/", response_model=schemas.Info, summary="About this server")
        def info(request: Request) -> Response:
            return self._json(
                request,
                lambda: {
                    "naam": "buurtbalans",
                    "versie": __version__,
                    "store": access.path.name,
                    "imports": self.imports,
                    "openapi": "/api/v1/openapi.json",
                },
            )

        @r.get("/gemeenten", response_model=list[schemas.Gemeente], summary="Gemeenten")
        def gemeenten(request: Request) -> Response:
            def compute():
                with access.open() as st:
                    return views.gemeenten(st)

            return self._json(request, compute)

        @r.get("/specs", response_model=list[schemas.Spec], summary="Index specs")
        def specs(request: Request) -> Response:
            return self._json(request, views.specs)

        @r.get("/bronnen", response_model=list[dict[str, Any]], summary="Sources (imports)")
        def bronnen(request: Request) -> Response:
            def compute():
                with access.open() as st:
                    return views.records(views.sources(st))

            return self._json(request, compute)

        @r.get("/bronnen/tabel", response_model=schemas.Tables, summary="Sources as shown")
        def bronnen_tabel(request: Request, taal: TAAL = "nl") -> Response:
            def compute():
                with access.open() as st:
                    return display.sources(views.sources(st), taal)

            return self._json(request, compute)

        @r.get(
            "/gebieden",
            response_model=schemas.FeatureCollection,
            summary="Every buurt of one vintage in the store (e.g. all of NL) as GeoJSON",
            responses={200: {"content": {"application/geo+json": {}}}},
        )
        def alle_gebieden(
            request: Request, vintage: Annotated[int | None, Query(ge=1990, le=2100)] = None
        ) -> Response:
            def compute():
                with access.open() as st:
                    return views.areas_geojson(st, None, vintage)

            return self._json(request, compute, media_type="application/geo+json")

        @r.get("/gemeenten/{gm}", response_model=schemas.Gemeente, summary="One gemeente")
        def gemeente(request: Request, gm: GM) -> Response:
            def compute():
                with access.open() as st:
                    return views.gemeente(st, gm)

            return self._json(request, compute)

        @r.get(
            "/gemeenten/{gm}/gebieden",
            response_model=schemas.FeatureCollection,
            summary="Buurten as GeoJSON (WGS 84)",
            responses={200: {"content": {"application/geo+json": {}}}},
        )
        def gebieden(
            request: Request,
            gm: GM,
            vintage: Annotated[int | None, Query(ge=1990, le=2100)] = None,
        ) -> Response:
            def compute():
                with access.open() as st:
                    views.gemeente(st, gm)
                    return views.areas_geojson(st, gm, vintage)

            return self._json(request, compute, media_type="application/geo+json")

        @r.get("/gemeenten/{gm}/index", response_model=schemas.IndexResult, summary="Index")
        def index(
            request: Request, gm: GM, spec: SPEC = "mdi", van: YEAR = None, jaar: YEAR = None
        ) -> Response:
            def compute():
                with access.open() as st:
                    g, _, a, _, _ = self._analysis(st, gm, spec, van, jaar)
                    return views.index_payload(a, g, spec)

            return self._json(request, compute, key=(views.preset_hash(spec),))

        @r.get(
            "/gemeenten/{gm}/buurten/{code}",
            response_model=schemas.Profile,
            summary="A buurt's profile",
        )
        def buurt(
            request: Request,
            gm: GM,
            code: BU,
            spec: SPEC = "mdi",
            van: YEAR = None,
            jaar: YEAR = None,
        ) -> Response:
            def compute():
                with access.open() as st:
                    g, sp, a, _, _ = self._analysis(st, gm, spec, van, jaar)
                    return views.profile_payload(st, a, g, code, sp)

            return self._json(request, compute, key=(views.preset_hash(spec),))

        @r.get("/gemeenten/{gm}/verandering", response_model=schemas.Change, summary="Change")
        def verandering(
            request: Request, gm: GM, spec: SPEC = "mdi", van: YEAR = None, jaar: YEAR = None
        ) -> Response:
            def compute():
                with access.open() as st:
                    _, _, a, _, _ = self._analysis(st, gm, spec, van, jaar)
                    return views.change_payload(a)

            return self._json(request, compute, key=(views.preset_hash(spec),))

        @r.get(
            "/gemeenten/{gm}/prioriteiten",
            response_model=schemas.Tables,
            summary="The four prioritisation options",
        )
        def prioriteiten(
            request: Request,
            gm: GM,
            spec: SPEC = "mdi",
            van: YEAR = None,
            jaar: YEAR = None,
            taal: TAAL = "nl",
        ) -> Response:
            def compute():
                tables = self._table_set("prioriteiten", gm, spec, van, jaar, "nl")
                out: dict[str, Any] = {k: views.records(v) for k, v in tables.items()}
                with access.open() as st:
                    _, _, a, van_, jaar_ = self._analysis(st, gm, spec, van, jaar)
                names = views.buurt_names(a)
                out["display"] = display.priorities(tables, taal, names, van_, jaar_)
                return out

            return self._json(request, compute, key=(views.preset_hash(spec),))

        @r.get(
            "/gemeenten/{gm}/veerkracht",
            response_model=schemas.Veerkracht,
            summary="The seven veerkracht maps",
        )
        def veerkracht(
            request: Request,
            gm: GM,
            spec: SPEC = "mdi",
            van: YEAR = None,
            jaar: YEAR = None,
            taal: TAAL = "nl",
        ) -> Response:
            def compute():
                with access.open() as st:
                    _, _, a, van_, jaar_ = self._analysis(st, gm, spec, van, jaar)
                    maps, settings, cross = views.veerkracht_tables(st, a, gm, van_, jaar_)
                return {
                    "maps": views.veerkracht_meta(),
                    "rows": views.records(maps),
                    "settings": settings,
                    "crosstab": views.records(cross),
                    "display": {"crosstab": display.veerkracht_crosstab(cross, taal)},
                }

            return self._json(request, compute, key=(views.preset_hash(spec),))

        @r.get("/gemeenten/{gm}/benchmark", response_model=schemas.Tables, summary="Benchmark")
        def benchmark(request: Request, gm: GM, jaar: YEAR = None, taal: TAAL = "nl") -> Response:
            def compute():
                tables = self._table_set("benchmark", gm, "mdi", None, jaar, taal)
                with access.open() as st:
                    name = views.gemeente(st, gm)["naam"]
                out = {
                    k: views.records(v) if hasattr(v, "columns") else v for k, v in tables.items()
                }
                out["display"] = display.benchmark(tables, taal, name)
                return out

            return self._json(request, compute)

        @r.get("/gemeenten/{gm}/stad", response_model=schemas.Tables, summary="Staat van de stad")
        def stad(
            request: Request, gm: GM, van: YEAR = None, jaar: YEAR = None, taal: TAAL = "nl"
        ) -> Response:
            def compute():
                from buurtbalans.web.stad import stad_payload

                a, synthetic, labels = self._stad(gm, van, jaar, taal)

                query = urlencode(_canonical_query(request))  # the same analysis, memoised

                def chart_url(ind: str) -> str:  # the tab's text first, its charts after
                    return f"{request.url.path}/grafieken/{ind}" + (f"?{query}" if query else "")

                data = stad_payload(a, taal, synthetic, labels, chart_url)
                data["peers"] = views.records(data["peers"])
                for th in data["themes"]:
                    th["table"] = views.records(th["table"])
                return data

            return self._json(request, compute)

        @r.get(
            "/gemeenten/{gm}/stad/grafieken/{indicator}",
            summary="A trend chart of the Staat van de stad (PNG)",
            response_class=Response,
            responses={200: {"content": {"image/png": {}}}},
        )
        def stad_grafiek(
            request: Request,
            gm: GM,
            indicator: IND,
            van: YEAR = None,
            jaar: YEAR = None,
            taal: TAAL = "nl",
        ) -> Response:
            def body() -> tuple[bytes, str]:
                from buurtbalans.web.stad import stad_chart

                a, synthetic, labels = self._stad(gm, van, jaar, taal)
                return stad_chart(a, indicator, taal, synthetic, labels)[0], "image/png"

            return self._answer(request, body)

        @r.get(
            "/gemeenten/{gm}/tabellen/{naam}",
            summary="A table as CSV or Excel",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
        )
        def tabel(
            request: Request,
            gm: GM,
            naam: TABLES,
            formaat: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
            spec: SPEC = "mdi",
            van: YEAR = None,
            jaar: YEAR = None,
            taal: TAAL = "nl",
        ) -> Response:
            return self._download(request, gm, naam, formaat, spec, van, jaar, taal, None)

        @r.get(
            "/gemeenten/{gm}/buurten/{code}/tabellen/{naam}",
            summary="A buurt's indicator values or scores across years as CSV or Excel",
            response_class=Response,
            responses={200: {"content": {"text/csv": {}, _XLSX: {}}}},
        )
        def buurt_tabel(
            request: Request,
            gm: GM,
            code: BU,
            naam: Literal["indicatoren", "jaren"],
            formaat: Annotated[Literal["csv", "xlsx"], Query()] = "csv",
            spec: SPEC = "mdi",
            van: YEAR = None,
            jaar: YEAR = None,
        ) -> Response:
            return self._download(
                request, gm, f"buurt_{naam}", formaat, spec, van, jaar, "nl", code
            )

        @r.put(
            "/imports",
            response_model=schemas.ImportDone,
            summary="Import a file (off unless started with --imports; needs the token)",
            openapi_extra={
                "requestBody": {
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                    "required": True,
                }
            },
            responses={
                401: _PROBLEMS[400] | {"description": "token"},
                403: _PROBLEMS[400] | {"description": "imports off"},
                413: _PROBLEMS[400] | {"description": "too large"},
                409: _PROBLEMS[400] | {"description": "would replace values (use vervang)"},
                422: _PROBLEMS[400] | {"description": "the file cannot be imported"},
            },
        )
        async def imports(
            request: Request,
            bestand: Annotated[str, Query(max_length=128, description="file name, e.g. kwb.csv")],
            jaar: YEAR = None,
            vintage: YEAR = None,
            vervang: Annotated[
                bool, Query(description="replace values stored from another source")
            ] = False,
            blad: Annotated[
                str | None,
                Query(max_length=64, description="sheet of a workbook (default: its only one)"),
            ] = None,
        ) -> Response:
            self._authorise(request)
            if not ALLOWED_UPLOAD.fullmatch(bestand):
                raise BadRequestError(
                    f"file name {bestand!r} refused. Fix: a plain name (no folders) ending in "
                    ".csv, .xlsx, .json or .geojson"
                )
            body = await self._read_limited(request)
            if not body:
                raise BadRequestError("the upload is empty. Fix: send the file as the body")
            from starlette.concurrency import run_in_threadpool

            # off the event loop: readers keep being served while a file is imported
            return await run_in_threadpool(
                self._import, bestand, body, jaar, vintage, vervang, blad
            )

    def _stad(self, gm: str, van: int | None, jaar: int | None, taal: str):
        """The Staat van de stad of ``gm`` (computed once), whether it is synthetic and the
        source titles it cites."""
        from buurtbalans.report.tables import source_labels

        a = self._table_set("stad", gm, "mdi", van, jaar, taal)["analysis"]
        with self.access.open() as st:
            return a, gm in st.synthetic_gemeenten(), source_labels(st, taal)

    # -- tables and downloads ----------------------------------------------------------------
    def _table_set(
        self, naam: str, gm: str, spec: str, van: int | None, jaar: int | None, taal: str
    ) -> dict[str, Any]:
        key = ("tables", naam, gm, spec, van, jaar, taal)

        def compute():
            with self.access.open() as st:
                if naam == "benchmark":
                    views.gemeente(st, gm)
                    return views.benchmark_tables(st, gm, jaar, taal)
                if naam == "stad":
                    from buurtbalans.web.stad import stad_frames

                    g = views.gemeente(st, gm)
                    van_, jaar_ = views.years(g, van, jaar)
                    a = stad_frames(st, gm, van_, jaar_)
                    return {"analysis": a, "table": a.table, "series": a.series}
                _, _, a, van_, jaar_ = self._analysis(st, gm, spec, van, jaar)
                if naam == "prioriteiten":
                    return views.priorities_tables(st, a, gm, jaar_)
                if naam == "veerkracht":
                    maps, _, cross = views.veerkracht_tables(st, a, gm, van_, jaar_)
                    return {"veerkracht": maps, "kruistabel": cross}
                table = a.index.table
                return {
                    "index": table[table["period"] == jaar_].sort_values("rank"),
                    "verandering": a.change,
                }

        return self.access.memo(key, compute)  # type: ignore[return-value]

    def _frame(self, naam: str, gm: str, spec: str, van, jaar, taal, buurt=None):
        if naam == "bronnen":
            with self.access.open() as st:
                return views.sources(st)
        if naam.startswith("buurt_"):
            import pandas as pd

            with self.access.open() as st:
                g, sp, a, _, _ = self._analysis(st, gm, spec, van, jaar)
                profile = views.profile_payload(st, a, g, buurt, sp)
            part = "indicators" if naam == "buurt_indicatoren" else "across_years"
            return pd.DataFrame(profile[part]).assign(area_code=buurt, name=profile["naam"])
        group, part = {
            "index": ("index", "index"),
            "verandering": ("index", "verandering"),
            "prioriteiten": ("prioriteiten", "summary"),
            "prioriteiten_lijsten": ("prioriteiten", "lists"),
            "overlap": ("prioriteiten", "overlap"),
            "robuustheid": ("prioriteiten", "robustness"),
            "veerkracht": ("veerkracht", "veerkracht"),
            "veerkracht_kruistabel": ("veerkracht", "kruistabel"),
            "benchmark": ("benchmark", "comparison"),
            "benchmark_rangen": ("benchmark", "ranks"),
            "benchmark_peers": ("benchmark", "peers"),
            "benchmark_trends": ("benchmark", "trends"),
            "benchmark_opvallend": ("benchmark", "standouts"),
            "stad": ("stad", "table"),
            "stad_reeksen": ("stad", "series"),
        }[naam]
        return self._table_set(group, gm, spec, van, jaar, taal)[part]

    def _download(self, request, gm, naam, formaat, spec, van, jaar, taal, buurt) -> Response:
        from buurtbalans.web.downloads import table_bytes

        etag = self.access.etag(request.url.path, sorted(request.query_params.multi_items()))
        headers = _cache_headers(etag)
        stem = f"{gm}-{buurt}-{naam}" if buurt else f"{gm}-{naam}"
        headers["Content-Disposition"] = f'attachment; filename="{stem}.{formaat}"'
        if etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)

        def compute() -> tuple[bytes, str]:
            frame = self._frame(naam, gm, spec, van, jaar, taal, buurt)
            prov = {
                "gemeente": gm,
                "tabel": naam,
                "spec": spec,
                "van": van,
                "jaar": jaar,
                "buurtbalans": __version__,
                "url": str(request.url),
            }
            return table_bytes(frame, formaat, naam, prov)

        hit = self.access.cached(etag, compute)
        return Response(hit.body, media_type=hit.media_type, headers=headers)

    # -- imports -------------------------------------------------------------------------------
    def _authorise(self, request: Request) -> None:
        if not self.imports:
            raise ForbiddenError(
                "imports over HTTP are off on this server. Fix: import with the CLI "
                "(buurtbalans import ...), or start the server with --imports and "
                "BUURTBALANS_TOKEN set"
            )
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        if not (
            self.token
            and scheme.lower() == "bearer"
            and hmac.compare_digest(value.strip().encode(), self.token.encode())
        ):
            raise UnauthorizedError(
                "this import needs the server's token. Fix: send the header "
                "'Authorization: Bearer <BUURTBALANS_TOKEN>'"
            )

    async def _read_limited(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_upload:
            raise TooLargeError(_too_large(int(declared), self.max_upload))
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_upload:
                raise TooLargeError(_too_large(size, self.max_upload))
            chunks.append(chunk)
        return b"".join(chunks)

    def _import(
        self,
        name: str,
        body: bytes,
        jaar: int | None,
        vintage: int | None,
        vervang: bool,
        blad: str | None = None,
    ) -> Response:
        from buurtbalans.sources.detect import import_path

        with tempfile.TemporaryDirectory(prefix="buurtbalans-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(body)
            try:  # the same importer as the CLI
                batch = import_path(path, jaar=jaar, vintage=vintage, blad=blad)
            except DataError as exc:  # named by the upload's name, never the server's path
                raise UploadError(str(exc).replace(str(path), name).replace(tmp, "")) from None
            except (ValueError, UnicodeError, OSError, KeyError, zipfile.BadZipFile) as exc:
                raise UploadError(
                    f"cannot read the upload ({type(exc).__name__}: {exc})",
                    file=name,
                    fix="upload a valid CSV, xlsx or GeoJSON file as the CLI's "
                    "`buurtbalans import file` accepts it",
                ) from exc
            with self.access.writer() as st:
                result = st.write(batch, vervang=vervang)  # one transaction: all or none
        done = {
            "geimporteerd": batch.summary(),
            "source_id": batch.source.source_id,
            "let_op": [str(line) for line in batch.report],  # English (no taal here)
            "vervangen": result.values_replaced,
        }
        return Response(
            json.dumps(done, ensure_ascii=False).encode(),
            media_type="application/json",
            status_code=201,
        )


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _too_large(size: int, limit: int) -> str:
    return (
        f"the upload is {size:,} bytes; this server accepts at most {limit:,}. Fix: import "
        "large files with the CLI (buurtbalans import file ...)"
    )


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def _cache_headers(etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": "no-cache"}


__all__ = ["Api", "NotFoundError"]
