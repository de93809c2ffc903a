import pytest

from buurtbalans.errors import SpecError
from buurtbalans.spec import load_spec, parse_spec


def doc(**index):
    return {
        "index": {"name": "t", **index},
        "domain": [{"id": "inkomen", "weight": 60}, {"id": "werk", "weight": 40}],
        "indicator": [
            {"id": "p_hh_li", "domain": "inkomen"},
            {"id": "r_bijstand", "domain": "werk", "numerator": "a_soz_wb", "denominator": "a_inw"},
        ],
    }


def test_mdi_preset():
    spec = load_spec("mdi")
    assert spec.domain_ids() == [
        "inkomen",
        "werk",
        "opleiding",
        "gezondheid",
        "huisvesting",
        "veiligheid",
        "woonomgeving",
    ]
    w = {d.id: d.weight for d in spec.domains}
    # IoD weights as printed (sum 99.9) normalised once, at load: exactly 100, same ratios
    assert sum(w.values()) == pytest.approx(100, abs=1e-9)
    assert w["inkomen"] + w["werk"] == pytest.approx(45 * 100 / 99.9)
    assert w["inkomen"] / w["huisvesting"] == pytest.approx(22.5 / 9.3)
    # ranked over all NL buurten pooled over the compared years (method-spec §1.2)
    assert (spec.transform, spec.reference) == ("percentile", "national-pooled")
    ids = [i.id for i in spec.indicators]
    assert sum("bijstand" in i for i in ids) == 1
    assert len(spec.hash()) == 64


@pytest.mark.parametrize(
    "change, message",
    [
        ({"transform": "log"}, "transform 'log' is not one of"),
        ({"reference": "world"}, "reference 'world'"),
        ({"missing": "zero"}, "missing 'zero'"),
        ({"colour": "red"}, "unknown key"),
    ],
)
def test_bad_index_options(change, message):
    with pytest.raises(SpecError, match=message):
        parse_spec(doc(**change))


def test_bad_structure_names_the_id():
    d = doc()
    d["indicator"].append({"id": "g_woz", "domain": "wonen"})
    with pytest.raises(SpecError, match="'g_woz' names domain 'wonen'.*Fix"):
        parse_spec(d)
    d = doc()
    d["indicator"][1]["domain"] = "inkomen"
    with pytest.raises(SpecError, match=r"domain\(s\) \['werk'\] have no indicators"):
        parse_spec(d)
    d = doc()
    d["domain"][0]["weight"] = -5
    with pytest.raises(SpecError, match="must be positive"):
        parse_spec(d)
    d = doc()
    d["indicator"].append({"id": "p_hh_li", "domain": "werk"})
    with pytest.raises(SpecError, match="declared twice"):
        parse_spec(d)
    d = doc()
    d["indicator"][0]["polarity"] = "up"
    with pytest.raises(SpecError, match="polarity"):
        parse_spec(d)


def test_weights_not_100_are_rescaled_with_warning():
    d = doc()
    d["domain"][1]["weight"] = 90
    with pytest.warns(UserWarning, match="sum to 150"):
        spec = parse_spec(d)
    assert sum(x.weight for x in spec.domains) == pytest.approx(100)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(SpecError, match="no spec file"):
        load_spec(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[index\nname=")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_spec(bad)


def test_weights_normalised_once_and_stable():
    """Normalising is idempotent: re-validating (with_options, subset) never drifts the
    weights or the hash, so every surface reads one spec and one hash."""
    spec = load_spec("mdi")
    again = spec.with_options(reference="national-pooled")
    assert again.hash() == spec.hash()
    assert [d.weight for d in again.domains] == [d.weight for d in spec.domains]
    sub = spec.subset(["inkomen", "werk"])
    assert [d.weight for d in sub.domains] == pytest.approx([50.0, 50.0])
    assert sub.subset(["inkomen", "werk"]).hash() == sub.hash()


def test_weights_far_from_100_warn():
    data = {
        "index": {"name": "t"},
        "domain": [{"id": "a", "weight": 1}, {"id": "b", "weight": 3}],
        "indicator": [{"id": "x", "domain": "a"}, {"id": "y", "domain": "b"}],
    }
    with pytest.warns(UserWarning, match="sum to 4"):
        spec = parse_spec(data)
    assert [d.weight for d in spec.domains] == [25.0, 75.0]
