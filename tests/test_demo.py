from buurtbalans.demo import GEMEENTE, LABEL, demo_batches


def test_demo_is_deterministic_and_labelled():
    a, b = demo_batches(), demo_batches()
    for x, y in zip(a, b, strict=True):
        assert x.observations.equals(y.observations)
        assert "SYNTHETISCH" in x.source.publisher.upper()
    assert "bestaat niet" in LABEL


def test_demo_shape(demo_store):
    for vintage in (2015, 2022):
        assert len(demo_store.areas(GEMEENTE, level="buurt", vintage=vintage)) == 60
        assert len(demo_store.areas(GEMEENTE, level="wijk", vintage=vintage)) == 12
        assert len(demo_store.boundaries(vintage, GEMEENTE)) == 60
    wide = demo_store.wide(["a_inw", "kosten_sociaal_domein", "lbm_onv"], gemeente=GEMEENTE)
    assert sorted(wide["period"].unique()) == list(range(2015, 2025))
    last = wide[wide.period == 2024]
    per_resident = last["kosten_sociaal_domein"].sum() / last["a_inw"].sum()
    assert 3_000 < per_resident < 8_000
