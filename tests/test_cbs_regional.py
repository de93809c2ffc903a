"""The gemeente-level OData reader (RegioS × Perioden) against hand-built responses in the
real StatLine v3 format: paging by odata.nextLink, retries, cache, CBS symbols, region rows
left out, a further dimension that must be fixed. No test touches the network."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from buurtbalans.errors import DataError
from buurtbalans.sources.cbs_odata import CBSOData
from buurtbalans.sources.cbs_regional import (
    REGIONAL_TABLES,
    fetch_regional,
    regional_rows_to_batch,
)

BASE = "https://opendata.cbs.nl"
TABLE = "70072NED"
INFO = {
    "odata.type": "Cbs.OData.TableInfo",
    "ID": 0,
    "Title": "Regionale kerncijfers Nederland",
    "ShortTitle": "Regionale kerncijfers",
    "Identifier": "70072NED",
    "Period": "1995-2024",
    "Frequency": "Perjaar",
}
PROPS = [
    {
        "odata.type": "Cbs.OData.GeoDimension",
        "ID": 0,
        "Position": 0,
        "ParentID": None,
        "Type": "GeoDimension",
        "Key": "RegioS",
        "Title": "Regio's",
        "Description": "",
    },
    {
        "odata.type": "Cbs.OData.TimeDimension",
        "ID": 1,
        "Position": 1,
        "ParentID": None,
        "Type": "TimeDimension",
        "Key": "Perioden",
        "Title": "Perioden",
        "Description": "",
    },
    {
        "odata.type": "Cbs.OData.TopicGroup",
        "ID": 2,
        "Position": None,
        "ParentID": None,
        "Type": "TopicGroup",
        "Key": "Bevolking",
        "Title": "Bevolking",
        "Description": "",
    },
    {
        "odata.type": "Cbs.OData.Topic",
        "ID": 3,
        "Position": 2,
        "ParentID": 2,
        "Type": "Topic",
        "Key": "Bevolkingsgroei_57",
        "Title": "Bevolkingsgroei",
        "Description": "",
        "Datatype": "Double",
        "Unit": "per 1 000 inwoners",
        "Decimals": 1,
        "Default": "Impossible",
    },
    {
        "odata.type": "Cbs.OData.Topic",
        "ID": 4,
        "Position": 3,
        "ParentID": None,
        "Type": "Topic",
        "Key": "Werkloosheidspercentage_194",
        "Title": "Werkloosheidspercentage",
        "Description": "",
        "Datatype": "Double",
        "Unit": "%",
        "Decimals": 1,
        "Default": "Impossible",
    },
    {
        "odata.type": "Cbs.OData.Topic",
        "ID": 5,
        "Position": 4,
        "ParentID": None,
        "Type": "Topic",
        "Key": "Beroepsbevolking_193",
        "Title": "Beroepsbevolking",
        "Description": "",
        "Datatype": "Double",
        "Unit": "x 1 000",
        "Decimals": 0,
        "Default": "Impossible",
    },
    {
        "odata.type": "Cbs.OData.Topic",
        "ID": 6,
        "Position": 5,
        "ParentID": None,
        "Type": "Topic",
        "Key": "Stemmen_300",
        "Title": "Opkomst verkiezingen",
        "Description": "",
        "Datatype": "Double",
        "Unit": "%",
        "Decimals": 1,
        "Default": "Impossible",
    },
]


def _rows():
    rows, i = [], 0
    for code in ("NL01  ", "PV23  ", "CR12  ", "GM0141", "GM0153", "GM0164"):
        for year in range(2015, 2025):
            rows.append(
                {
                    "ID": i,
                    "RegioS": code,
                    "Perioden": f"{year}JJ00",
                    "Bevolkingsgroei_57": f"{4 + (year - 2015) * 0.3:>8.1f}",
                    "Werkloosheidspercentage_194": "       ." if year == 2016 else "     5.1",
                    "Beroepsbevolking_193": "    41000",
                    "Stemmen_300": "    60.0",
                }
            )
            i += 1
    return rows


class FakeRegional:
    """StatLine OData v3 for a RegioS × Perioden table, paged by odata.nextLink."""

    def __init__(self, page: int = 7, fail_first: int = 0, rows=None, props=None):
        self.rows, self.props = rows or _rows(), props or PROPS
        self.page, self.fail_first, self.calls = page, fail_first, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        if self.fail_first:
            self.fail_first -= 1
            return httpx.Response(503)
        url = urlparse(str(request.url))
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        api, _, table, resource = url.path.strip("/").split("/")
        meta = f"{BASE}/{api}/odata/{table}/$metadata#Cbs.OData.WebAPI.{resource}"
        if resource == "TableInfos":
            return httpx.Response(200, json={"odata.metadata": meta, "value": [INFO]})
        if resource == "DataProperties":
            return httpx.Response(200, json={"odata.metadata": meta, "value": self.props})
        if resource == "RegioS":
            dim = [
                {"Key": "GM0141", "Title": "Almelo", "Description": None, "CategoryGroupID": 3},
                {"Key": "GM0153", "Title": "Enschede", "Description": None, "CategoryGroupID": 3},
                {"Key": "GM0164", "Title": "Hengelo", "Description": None, "CategoryGroupID": 3},
            ]
            return httpx.Response(200, json={"odata.metadata": meta, "value": dim})
        assert api == "ODataFeed" and resource == "UntypedDataSet"
        start = int(q.get("$skiptoken", 0))
        if start == 0:
            assert "Perioden eq '2015JJ00'" in q["$filter"]
            assert q["$select"].startswith("RegioS,Perioden,")
        chunk = self.rows[start : start + self.page]
        body = {"odata.metadata": meta, "value": chunk}
        if start + self.page < len(self.rows):
            body["odata.nextLink"] = (
                f"{BASE}/ODataFeed/odata/{table}/UntypedDataSet?$skiptoken={start + self.page}"
            )
        return httpx.Response(200, json=body)


def client_for(handler, tmp_path, **kw) -> CBSOData:
    return CBSOData(
        httpx.Client(transport=httpx.MockTransport(handler)),
        cache_dir=tmp_path / "cache",
        backoff=0,
        **kw,
    )


def test_pages_years_symbols_and_region_rows(tmp_path):
    fake = FakeRegional()
    batch = fetch_regional(client_for(fake, tmp_path), TABLE, range(2015, 2025))
    obs = batch.observations
    assert set(obs["indicator"]) == {"p_groei_bev", "p_werkloos", "a_beroeps"}
    assert set(obs["area_code"]) == {"NL01", "GM0141", "GM0153", "GM0164"}
    assert sorted(obs["period"].unique()) == list(range(2015, 2025))
    growth = obs[(obs.area_code == "GM0141") & (obs.indicator == "p_groei_bev")]
    assert growth.set_index("period")["value"][2024] == pytest.approx(6.7)
    dot = obs[(obs.indicator == "p_werkloos") & (obs.period == 2016)]
    assert dot["value"].isna().all() and (dot["status"] != "ok").all()
    assert batch.source.table_id == TABLE and batch.source.period == "2015-2024"
    assert any("20 rows of CBS regions" in str(r) for r in batch.report)
    assert any("Stemmen_300" in str(r) for r in batch.report)  # not in the codebook: said so
    assert batch.areas.set_index("code")["name"]["GM0141"] == "Almelo"
    pages = sum("UntypedDataSet" in c for c in fake.calls)
    assert pages == -(-len(fake.rows) // 7) > 1


def test_retries_and_cache(tmp_path):
    fake = FakeRegional(fail_first=2)
    fetch_regional(client_for(fake, tmp_path, retries=3), TABLE, [2015, 2016], ["GM0141"])
    before = len(fake.calls)
    fetch_regional(client_for(fake, tmp_path), TABLE, [2015, 2016], ["GM0141"])
    assert len(fake.calls) == before  # the second run needs no network


def test_a_further_dimension_must_be_fixed():
    props = [
        *PROPS[:2],
        {"Type": "Dimension", "Key": "Prognoseinterval", "Title": "Interval"},
        *PROPS[2:],
    ]
    rows = [
        {**r, "Prognoseinterval": "A048860" if i % 2 else "A048861"} for i, r in enumerate(_rows())
    ]
    with pytest.raises(DataError, match="dimension Prognoseinterval"):
        regional_rows_to_batch(rows, props, INFO, digest="x" * 64, file_name="t")
    batch = regional_rows_to_batch(
        rows, props, INFO, dims={"Prognoseinterval": "A048860"}, digest="x" * 64, file_name="t"
    )
    assert len(batch.observations) and "Prognoseinterval" in batch.source.notes


def test_quarters_and_kwb_tables_are_refused():
    rows = _rows()
    rows[3]["Perioden"] = "2018KW01"
    with pytest.raises(DataError, match="not a year"):
        regional_rows_to_batch(rows, PROPS, INFO, digest="x" * 64, file_name="t")
    kwb_like = [{"WijkenEnBuurten": "GM0141", "Bevolkingsgroei_57": "1"}]
    with pytest.raises(DataError, match="no RegioS"):
        regional_rows_to_batch(kwb_like, PROPS, INFO, digest="x" * 64, file_name="t")


def test_registry_names_the_tables():
    assert "70072NED" in REGIONAL_TABLES
    assert REGIONAL_TABLES["70072NED"].title == "Regionale kerncijfers Nederland"


def test_new_stems_leave_the_real_kwb_2024_keys_alone(raw):
    """The gemeente-level stems added to the codebook claim no KWB 2024 key."""
    import json

    from buurtbalans.sources.codebook import catalogue, resolve_odata_keys

    props = json.loads((raw / "cbs-kwb2024-odata" / "DataProperties.json").read_text())
    keys = resolve_odata_keys(props)
    cat = catalogue()
    assert not [k for k, i in keys.items() if cat[i].source_table]
