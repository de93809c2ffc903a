"""The OData connector against hand-built responses in the real StatLine format.

Metadata are the real 85984NED TableInfos/DataProperties from ../shared (or a minimal
hand-built copy when absent); no test touches the network."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from buurtbalans.errors import SourceError
from buurtbalans.sources.cbs_odata import PAGE_LIMIT, CBSOData, gemeente_filter, kwb_table

BASE = "https://opendata.cbs.nl"
TABLE = "85984NED"


def _meta(raw: Path):
    d = raw / "cbs-kwb2024-odata"
    return json.loads((d / "TableInfos.json").read_text()), json.loads(
        (d / "DataProperties.json").read_text()
    )


def _rows(raw: Path, gm: str):
    data = json.loads((raw / "cbs-kwb2024-odata" / "stripped_filtered_data_2024.json").read_text())
    rows = []
    for i, (code, values) in enumerate(data.items()):
        if code[2:6] != gm[2:]:
            continue
        row = {"ID": i, "WijkenEnBuurten": code.ljust(10)}
        # untyped values are right-aligned strings; '.' for unknown
        row.update({k: f"{v:>10}" for k, v in values.items()})
        rows.append(row)
    rows[1]["AantalInwoners_5"] = "         ."
    return rows


class FakeStatLine:
    """Serves StatLine OData v3 JSON as the real API does, with paging and failures."""

    def __init__(self, raw: Path, page: int = 5, fail_first: int = 0):
        self.infos, self.props = _meta(raw)
        self.rows = _rows(raw, "GM0141")
        self.page, self.fail_first, self.calls = page, fail_first, []
        self.expect_filter = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        if self.fail_first:
            self.fail_first -= 1
            return httpx.Response(503)
        url = urlparse(str(request.url))
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert q.get("$format") == "json" or "$skiptoken" in q
        api, _, table, resource = url.path.strip("/").split("/")
        meta = f"{BASE}/{api}/odata/{table}/$metadata#Cbs.OData.WebAPI.{resource}"
        if resource == "TableInfos":
            return httpx.Response(200, json={"odata.metadata": meta, "value": self.infos})
        if resource == "DataProperties":
            return httpx.Response(200, json={"odata.metadata": meta, "value": self.props})
        if resource == "WijkenEnBuurten":
            dim = [
                {
                    "Key": "GM0141    ",
                    "Title": "Almelo",
                    "Description": None,
                    "DetailRegionCode": "GM0141",
                }
            ] + [
                {
                    "Key": r["WijkenEnBuurten"],
                    "Title": f"Wijk {r['WijkenEnBuurten'][-2:]}",
                    "Description": None,
                    "DetailRegionCode": None,
                }
                for r in self.rows[1:]
            ]
            if q.get("$filter") == "startswith(Key,'GM')":
                dim = dim[:1]
            return httpx.Response(200, json={"odata.metadata": meta, "value": dim})
        assert api == "ODataFeed" and resource == "UntypedDataSet"
        start = int(q.get("$skiptoken", 0))
        if start == 0 and self.expect_filter:
            assert q["$filter"] == gemeente_filter(["GM0141"])
            assert q["$select"].startswith("WijkenEnBuurten,")
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


def test_kwb_year_pages_resolves_keys_and_flags_symbols(raw, tmp_path):
    fake = FakeStatLine(raw, page=4)
    batch = client_for(fake, tmp_path).kwb([2024], ["Almelo"])[0]
    obs = batch.observations
    assert batch.source.table_id == TABLE and batch.source.period == "2024"
    assert set(obs["indicator"]) == {
        "a_inw",
        "a_man",
        "a_vrouw",
        "bev_dich",
        "a_woning",
        "a_opp_ha",
        "a_lan_ha",
        "a_wat_ha",
    }
    gm = obs[(obs.area_code == "GM0141") & (obs.indicator == "a_inw")]
    assert gm["value"].iloc[0] > 70_000  # Almelo had about 74,000 residents in 2024
    flagged = obs[(obs.indicator == "a_inw") & (obs.status != "ok")]
    assert len(flagged) == 1 and flagged["value"].isna().all()
    n_pages = sum("UntypedDataSet" in c for c in fake.calls)
    assert n_pages == -(-len(fake.rows) // 4) > 1
    names = batch.areas.set_index("code")["name"]
    assert names["GM0141"] == "Almelo"


def test_second_run_comes_from_cache(raw, tmp_path):
    fake = FakeStatLine(raw)
    client_for(fake, tmp_path).kwb([2024], ["GM0141"])
    before = len(fake.calls)
    client_for(fake, tmp_path).kwb([2024], ["GM0141"])
    assert len(fake.calls) == before


def test_retries_then_succeeds(raw, tmp_path):
    fake = FakeStatLine(raw, fail_first=2)
    batch = client_for(fake, tmp_path, retries=3).kwb([2024], ["GM0141"])[0]
    assert len(batch.observations)


def test_timeouts_give_a_clear_error(tmp_path):
    def handler(request):
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(SourceError, match="could not reach CBS StatLine.*Fix"):
        client_for(handler, tmp_path, retries=2).table_info(TABLE)


def test_10000_record_limit_is_paged_with_skip(tmp_path):
    keys = [{"Key": f"BU{i:08d}", "Title": str(i)} for i in range(12_345)]

    def handler(request):
        q = {k: v[0] for k, v in parse_qs(urlparse(str(request.url)).query).items()}
        skip = int(q.get("$skip", 0))
        return httpx.Response(200, json={"value": keys[skip : skip + PAGE_LIMIT]})

    rows = client_for(handler, tmp_path).fetch(TABLE, "WijkenEnBuurten")
    assert len(rows) == 12_345 and rows[-1]["Key"] == "BU00012344"


def test_period_mismatch_is_refused(raw, tmp_path):
    fake = FakeStatLine(raw)
    fake.infos = [{**fake.infos[0], "Period": "2022"}]
    with pytest.raises(SourceError, match="not 2024"):
        client_for(fake, tmp_path).kwb_year(2024, ["GM0141"])


def test_registry_and_unknown_gemeente(raw, tmp_path):
    assert kwb_table(2022).table_id == "85318NED" and kwb_table(2024).table_id == TABLE
    with pytest.raises(SourceError, match="known years"):
        kwb_table(2009)
    with pytest.raises(SourceError, match="no gemeente named 'Atlantis'"):
        client_for(FakeStatLine(raw), tmp_path).gemeente_codes(TABLE, ["Atlantis"])


def test_whole_country_has_no_filter(raw, tmp_path):
    fake = FakeStatLine(raw)
    fake.expect_filter = False
    batch = client_for(fake, tmp_path).kwb([2024], None)[0]
    assert len(batch.observations) > 0
    assert not any("startswith" in c for c in fake.calls if "UntypedDataSet" in c)


def test_parse_years_checks_bounds_before_building_a_range():
    import pytest

    from buurtbalans.errors import DataError
    from buurtbalans.sources.tables import parse_years

    assert parse_years("2015-2017,2024") == [2015, 2016, 2017, 2024]
    for bad in ("1-2000000000", "0", "-5", "99999999999", "2024-2015", "abc", "", "2015-"):
        with pytest.raises(DataError):
            parse_years(bad)
