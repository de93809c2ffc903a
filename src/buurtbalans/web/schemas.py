"""Response models: they make the OpenAPI document describe what every endpoint returns
(checked by the schemathesis tests)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class Info(BaseModel):
    """What this server is."""

    naam: str
    versie: str
    store: str
    imports: bool
    openapi: str


class Gemeente(BaseModel):
    """A gemeente with buurt data in the store."""

    code: str = Field(pattern=r"^GM\d{4}$")
    naam: str
    jaren: list[int]
    vintages: list[int]
    synthetisch: bool


class Domain(BaseModel):
    """A domain of a spec."""

    id: str
    label_nl: str
    label_en: str
    weight: float


class Classes(BaseModel):
    """Score classes: edges, labels (NL/EN) and map colours."""

    edges: list[float]
    labels_nl: list[str]
    labels_en: list[str]
    colours: list[str]


class Spec(BaseModel):
    """A built-in index spec."""

    id: str
    naam: str
    hash: str
    reference: str
    transform: str
    domains: list[Domain]
    classes: Classes
    min_weight_share: float
    required_domains: list[str]


class Feature(BaseModel):
    """One buurt."""

    type: Literal["Feature"]
    id: str
    properties: dict[str, Any]
    geometry: dict[str, Any]


class FeatureCollection(BaseModel):
    """Buurten of one vintage (RFC 7946, WGS 84)."""

    type: Literal["FeatureCollection"]
    vintage: int
    vintages: list[int]
    features: list[Feature]


class IndexRow(BaseModel):
    """One buurt in one year. ``score``, ``rank`` and ``class`` are null when ``status``
    is not "ok" ("onvoldoende gegevens", "te weinig inwoners")."""

    area_code: str
    name: str | None
    period: int
    score: float | None
    rank: int | None
    decile: int | None
    coverage: float | None
    status: str
    flags: str | None
    delta: float | None = None
    direction: str | None = None


class IndexResult(BaseModel):
    """Index rows of the first and the shown year, with the run record."""

    gemeente: dict[str, Any]
    spec: Spec
    van: int
    jaar: int
    vintage: int
    reference: str
    reference_nl: str
    reference_en: str
    reference_label_nl: str
    reference_label_en: str
    population_year: int | None
    rows: list[IndexRow]
    warnings: list[str]
    run: dict[str, Any]


class Profile(BaseModel):
    """One buurt: index rows, change, indicator values with sources, scores across years."""

    gemeente: dict[str, Any]
    code: str
    naam: str
    vintage: int
    index: list[dict[str, Any]]
    change: dict[str, Any] | None
    indicators: list[dict[str, Any]]
    across_years: list[dict[str, Any]]
    across_years_reference: str
    reference: str
    reference_nl: str
    reference_en: str


class Change(BaseModel):
    """Change between two years."""

    vintage: int
    change: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    transitions: list[dict[str, Any]]
    flows: dict[str, Any]
    decomposition: list[dict[str, Any]]
    polarisation: dict[str, Any]
    population_year: int | None
    tolerantie: float = 0.0
    rule_nl: str = ""
    rule_en: str = ""


class Tables(BaseModel):
    """Named tables (rows as objects) and notes."""

    model_config = {"extra": "allow"}


class Veerkracht(BaseModel):
    """The seven maps: metadata (titles, labels, colours) and one row per buurt."""

    maps: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    settings: dict[str, Any]
    crosstab: list[dict[str, Any]]
    display: dict[str, Any] = {}


class ImportDone(BaseModel):
    """What an HTTP import wrote."""

    geimporteerd: str
    source_id: str
    let_op: list[str]
