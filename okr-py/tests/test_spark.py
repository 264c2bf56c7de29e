"""okr.spark on a local Spark session (run by `make test-spark`, which sets OKR_SPARK=1)."""

import os
import sys

import numpy as np
import okr
import pandas as pd
import pytest

if not os.environ.get("OKR_SPARK"):
    pytest.skip("Spark tests run with `make test-spark`", allow_module_level=True)

# Spark binds to loopback only.
os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
# Workers run this interpreter, which has okr installed (on a cluster: ship the wheel).
os.environ["PYSPARK_PYTHON"] = sys.executable
pyspark = pytest.importorskip("pyspark")
# pyspark's own deprecation noise (our code runs with warnings as errors elsewhere).
pytestmark = [pytest.mark.filterwarnings("ignore::FutureWarning"), pytest.mark.filterwarnings("ignore::DeprecationWarning")]
from okr import spark as okr_spark  # noqa: E402


@pytest.fixture(scope="module")
def session():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]").appName("okr-tests")
        .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield s
    s.stop()


def organisation(org: int, rng: np.random.Generator):
    """Organisations of different shapes: sizes, depths, kinds, check-ins; org 13 has a cycle."""
    n = int(rng.integers(1, 40))
    ids = np.arange(n) + 1000 * org
    parents = [int(ids[int(rng.integers(0, i))]) for i in range(1, n)]
    objectives = pd.DataFrame({"org": org, "id": ids, "cycle": "q"})
    k = int(rng.integers(0, 3 * n + 1))
    kinds = rng.choice(["linear", "at_least", "binary"], size=k)
    key_results = pd.DataFrame({
        "org": org, "id": 500 + np.arange(k) + 1000 * org, "objective": rng.choice(ids, size=k), "kind": kinds,
        "start": 0.0, "target": 10.0, "threshold": 5.0,
        "current": np.where(kinds == "binary", rng.integers(0, 2, size=k), rng.uniform(-2, 12, size=k)).astype(float),
    })
    alignments = pd.DataFrame({"org": org, "child": ids[1:], "parent": parents})
    if org == 13 and n > 2:
        alignments = pd.concat([alignments, pd.DataFrame({"org": [org], "child": [ids[0]], "parent": [ids[-1]]})])
    numeric = key_results[key_results["kind"] != "binary"]["id"]
    check_ins = pd.DataFrame({"org": org, "key_result": numeric[: len(numeric) // 2], "date": "2026-01-20", "value": 4.0})
    cycles = pd.DataFrame({"org": [org], "id": ["q"], "start": ["2026-01-01"], "end": ["2026-03-31"]})
    return objectives, key_results, alignments, check_ins, cycles


def test_many_organisations_match_scoring_each_alone(session):
    rng = np.random.default_rng(5)
    orgs = [organisation(o, rng) for o in range(60)]
    tables = [pd.concat([o[i] for o in orgs], ignore_index=True) for i in range(5)]
    sdfs = [session.createDataFrame(t) for t in tables]
    scores, errors = okr_spark.score(*sdfs, by="org", as_of="2026-02-15", policy={"progress": "both"})
    got = scores.toPandas()
    errs = errors.toPandas()
    assert set(errs["org"]) == {13} and errs["code"].iloc[0] == "cycle"
    assert set(got["org"]) | set(errs["org"]) == set(range(60)), "an organisation went missing"
    for org, (o, k, a, c, cy) in enumerate(orgs):
        if org == 13:
            continue
        alone = okr.Plan.from_frames(o.drop(columns="org"), k.drop(columns="org"), a.drop(columns="org"), c.drop(columns="org"), cy.drop(columns="org"), {"progress": "both"})
        want = alone.score("2026-02-15").to_pandas().assign(id=lambda d: d["id"].astype(str)).set_index("id").sort_index()
        mine = got[got["org"] == org].set_index("id").sort_index()
        assert list(mine.index) == list(want.index)
        assert np.allclose(mine["score"], want["score"], rtol=0, atol=1e-12)
        assert (mine["status"].to_numpy() == want["status"].astype(str).to_numpy()).all()


def test_a_confidence_scale_applies_to_every_organisation(session):
    rng = np.random.default_rng(6)
    orgs = [organisation(o, rng) for o in range(4)]
    for o in orgs:
        o[3]["confidence"] = 10.0  # on a 1-10 scale: the top; on [0, 1], off the scale
    sdfs = [session.createDataFrame(pd.concat([o[i] for o in orgs], ignore_index=True)) for i in range(5)]
    scores, errors = okr_spark.score(*sdfs, by="org", as_of="2026-02-15", confidence_scale=(1, 10))
    assert errors.count() == 0 and set(scores.toPandas()["org"]) == set(range(4))
    _, errors = okr_spark.score(*sdfs, by="org", as_of="2026-02-15")
    errs = errors.toPandas()
    assert set(errs["org"]) == set(range(4)) and set(errs["code"]) == {"invalid_value"}
    assert errs["message"].str.contains("outside \\[0, 1\\]").all()


def test_rater_effects_and_normalize_by_group(session):
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"cycle": rng.integers(0, 5, 600), "ratee": rng.integers(0, 80, 600), "rater": rng.integers(0, 12, 600), "rating": rng.integers(1, 6, 600).astype(float)})
    effects, errors = okr_spark.rater_effects(session.createDataFrame(df), "ratee", "rater", "rating", by="cycle")
    e = effects.toPandas()
    assert errors.count() == 0 and set(e["cycle"]) == set(range(5))
    alone = okr.calibration.rater_effects(df[df["cycle"] == 2], "ratee", "rater", "rating").set_index("rater")
    mine = e[e["cycle"] == 2].set_index("rater")
    assert np.allclose(mine.loc[alone.index.astype(str), "leniency"], alone["leniency"], atol=1e-12)
    rows, errors = okr_spark.normalize(session.createDataFrame(df), "ratee", "rater", "rating", by="cycle")
    assert rows.count() == len(df) and errors.count() == 0
    # A missing rating makes its group an error row, or is dropped under nan_policy="omit".
    holed = df.assign(rating=df["rating"].where(df.index != 7))
    _, errors = okr_spark.rater_effects(session.createDataFrame(holed), "ratee", "rater", "rating", by="cycle")
    errs = errors.toPandas()
    assert list(errs["cycle"]) == [df.loc[7, "cycle"]] and list(errs["code"]) == ["missing_value"]
    effects, errors = okr_spark.rater_effects(session.createDataFrame(holed), "ratee", "rater", "rating", by="cycle", nan_policy="omit")
    assert errors.count() == 0 and effects.count() == e.shape[0]
    rows, errors = okr_spark.normalize(session.createDataFrame(holed), "ratee", "rater", "rating", by="cycle", nan_policy="omit")
    r = rows.toPandas()
    assert errors.count() == 0 and len(r) == len(df) and r["normalized"].isna().sum() == 1


def test_wrong_arguments_are_okr_errors(session):
    """A pandas DataFrame where a Spark one is expected, or a missing key column: one
    exception type, naming the problem, as everywhere else in okr."""
    objectives = pd.DataFrame({"org": [1], "id": [1]})
    key_results = pd.DataFrame({"org": [1], "id": [2], "objective": [1], "kind": ["binary"], "current": [1.0]})
    with pytest.raises(okr.OkrError) as e:
        okr_spark.score(objectives, key_results, by="org")
    assert e.value.code == "invalid_input" and "score" in str(e.value)
    sdf = session.createDataFrame(objectives)
    with pytest.raises(okr.OkrError) as e:
        okr_spark.score(sdf, session.createDataFrame(key_results), by="tenant")
    assert e.value.code == "invalid_input" and "`tenant`" in str(e.value)
    with pytest.raises(okr.OkrError) as e:
        okr_spark.rater_effects(pd.DataFrame({"g": [1], "ratee": [1], "rater": [1], "rating": [1.0]}), "ratee", "rater", "rating", by="g")
    assert e.value.code == "invalid_input"
