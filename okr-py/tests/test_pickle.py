"""Plans and reports pickle (multiprocessing, joblib, Dask and Spark pickle what they send) and
come back equal: the same rows in the same order with the same numbers, to the last bit."""

import copy
import pathlib
import pickle

import numpy as np
import okr
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def organisation(n=300, seed=3):
    """Objectives in a tree with extra parents and weighted edges; key results and alignment
    rows shuffled, as a DataFrame's rows come; integer ids; some key results without a value."""
    rng = np.random.default_rng(seed)
    ids = rng.permutation(n) + 1
    child = np.arange(1, n)
    parent = (child - 1) // 4
    extra = child[(parent > 0) & (rng.random(n - 1) < 0.2)]
    extra_parent = (rng.random(len(extra)) * ((extra - 1) // 4)).astype(int)
    e_child, e_parent = np.concatenate([child, extra]), np.concatenate([parent, extra_parent])
    edges = rng.permutation(len(e_child))
    k = 3 * n
    owner = np.repeat(np.arange(n), 3)[rng.permutation(k)]
    current = rng.uniform(-10, 120, k)
    current[rng.random(k) < 0.1] = np.nan
    return dict(
        objectives=pd.DataFrame({"id": ids, "cycle": "q"}),
        key_results=pd.DataFrame({"id": 10_000 + np.arange(k), "objective": ids[owner], "kind": "linear", "start": 0.0,
                                  "target": 100.0, "current": current, "weight": rng.integers(1, 4, k).astype(float)}),
        alignments=pd.DataFrame({"child": ids[e_child[edges]], "parent": ids[e_parent[edges]],
                                 "weight": rng.uniform(0.5, 2.0, len(edges))}),
        cycles=pd.DataFrame({"id": ["q"], "start": ["2026-01-01"], "end": ["2026-03-31"]}),
        policy={"progress": "both"},
    )


def same(a: okr.Report, b: okr.Report) -> None:
    pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas(), check_exact=True)
    assert a.to_json() == b.to_json()


def test_a_plan_from_frames_pickles_to_an_equal_plan():
    plan = okr.Plan.from_frames(**organisation())
    again = pickle.loads(pickle.dumps(plan))
    assert isinstance(again, okr.Plan) and len(again) == len(plan)
    for policy in [None, {"no_data": "exclude"}]:
        same(again.score("2026-02-15", policy=policy), plan.score("2026-02-15", policy=policy))
    # The plan document alone lists each objective with its key results: another row order.
    by_document = okr.Plan.from_json(plan.to_json()).score("2026-02-15").to_pandas()
    assert by_document["id"].tolist() != plan.score("2026-02-15").to_pandas()["id"].tolist()
    assert again.score("2026-02-15").explain(1) == plan.score("2026-02-15").explain(1)


def test_a_plan_from_a_document_pickles_with_its_text_and_check_ins():
    plan = okr.Plan.from_json((ROOT / "examples" / "acme.json").read_text())
    again = pickle.loads(pickle.dumps(plan, protocol=pickle.HIGHEST_PROTOCOL))
    same(again.score("2026-02-15"), plan.score("2026-02-15"))
    assert again.to_dict() == plan.to_dict()
    assert again.lint("2026-02-15") == plan.lint("2026-02-15")


def test_a_report_pickles_with_its_plan_date_and_policy():
    plan = okr.Plan.from_frames(**organisation(120, seed=5))
    report = plan.score("2026-02-20", policy={"cap": 1.2, "no_data": "exclude"})
    again = pickle.loads(pickle.dumps(report))
    same(again, report)
    assert again.as_of == report.as_of
    assert (again.policy["cap"], again.policy["no_data"]) == (1.2, "exclude")
    assert report.policy == {**plan.policy, "cap": 1.2, "no_data": "exclude"}
    assert len(report.plan) == len(plan)


def test_copies_of_a_plan_or_report_are_the_object_itself():
    # Neither ever changes: a copy would only cost memory.
    plan = okr.Plan.from_frames(**organisation(20))
    report = plan.score("2026-02-15")
    for obj in (plan, report):
        assert copy.copy(obj) is obj and copy.deepcopy(obj) is obj
    assert copy.deepcopy({"plan": plan})["plan"] is plan


def test_a_damaged_pickle_is_an_okr_error():
    plan = okr.Plan.from_frames(**organisation(20))
    text = plan._inner.snapshot_json()
    with pytest.raises(okr.OkrError) as e:
        okr._plan._plan_from_snapshot(text.replace('"okr_snapshot":1', '"okr_snapshot":7'))
    assert e.value.code == "malformed" and "snapshot version `7`" in str(e.value)
    with pytest.raises(okr.OkrError) as e:
        okr._plan._plan_from_snapshot(text[: len(text) // 2])
    assert e.value.code == "malformed"


def every_column():
    """A plan from frames with every column `from_frames` reads: text ids, titles, owners and
    levels, two cycles and an objective in none, progress drivers, each kind columns hold
    (strict, op), key results aligned to key results, check-ins on a 1-5 confidence scale."""
    nan = np.nan
    return dict(
        objectives=pd.DataFrame({"id": ["o-1", "o-2", "o-3"], "cycle": ["q1", None, "q2"],
                                 "owner": ["ana", "bo", "ana"], "level": [None, "team", "team"],
                                 "title": ["Grow", "", None], "progress": [None, "both", "children"]}),
        key_results=pd.DataFrame({
            "id": [f"k-{i}" for i in range(8)],
            "objective": ["o-2", "o-1", "o-1", "o-2", "o-2", "o-3", "o-1", "o-1"],
            "kind": ["linear", "at_least", "at_most", "range", "binary", "manual", "rollup", "aggregate"],
            "weight": [2.0, nan, 0.5, 1.0, 3.0, nan, 1.0, 4.0],
            "start": [0.0, nan, nan, nan, nan, nan, nan, 0.0], "target": [10.0, nan, nan, nan, nan, nan, nan, 50.0],
            "threshold": [nan, 5.0, 2.0, nan, nan, nan, nan, nan], "strict": [False, True, False, False, False, False, False, False],
            "low": [nan, nan, nan, 1.0, nan, nan, nan, nan], "high": [nan, nan, nan, 3.0, nan, nan, nan, nan],
            "current": [4.0, 5.0, 3.0, nan, 1.0, nan, nan, nan],
            "op": [None, None, None, None, None, None, None, "max"],
            "title": [None, "Revenue", None, None, None, None, None, "Peak"], "owner": ["cy", None, None, None, None, None, None, None],
        }),
        alignments=pd.DataFrame({"child": ["o-3", "k-0", "k-4", "k-3"], "parent": ["o-1", "k-6", "k-6", "k-7"],
                                 "weight": [2.0, 1.0, 0.25, nan]}),
        check_ins=pd.DataFrame({"key_result": ["k-3", "k-5", "k-3", "k-5", "k-3"],
                                "date": ["2026-02-01", "2026-01-05", "2026-01-10", "2026-01-05", "2026-04-10"],
                                "value": [2.0, 0.4, 5.0, 0.7, 2.5], "confidence": [4.0, nan, 2.0, 5.0, nan]}),
        cycles=pd.DataFrame({"id": ["q1", "q2"], "start": ["2026-01-01", "2026-04-01"], "end": ["2026-03-31", "2026-06-30"]}),
        policy={"no_data": "exclude", "late_check_ins": "ignore", "floor": -0.5},
        confidence_scale=(1, 5),
    )


@pytest.mark.parametrize("make", [organisation, every_column], ids=["integer ids", "every column"])
def test_a_plan_from_frames_pickles_as_its_columns(make):
    plan = okr.Plan.from_frames(**make())
    reduced = plan.__reduce__()
    assert reduced[0] is okr._plan._plan_from_tables
    # Numbers cross as numpy arrays, not JSON text: the pickle is a fraction of the snapshot.
    data = pickle.dumps(plan)
    assert b"okr_snapshot" not in data
    again = pickle.loads(data)
    # The same plan to the last bit: the snapshot lists every node, edge, number and text.
    assert again._inner.snapshot_json() == plan._inner.snapshot_json()
    for as_of in ["2026-01-05", "2026-02-15", "2026-05-01"]:
        for policy in [None, {"no_data": "zero", "late_check_ins": "count"}]:
            same(again.score(as_of, policy=policy), plan.score(as_of, policy=policy))
    assert again.policy == plan.policy and again.lint("2026-02-15") == plan.lint("2026-02-15")


def test_the_columnar_pickle_is_smaller_than_the_snapshot():
    plan = okr.Plan.from_frames(**organisation(2_000))
    assert len(pickle.dumps(plan)) < len(plan._inner.snapshot_json()) / 2


def test_a_plan_columns_cannot_hold_pickles_as_a_snapshot():
    # The sample lists each objective with its key results, and has milestones and notes.
    plan = okr.Plan.from_json((ROOT / "examples" / "acme.json").read_text())
    assert plan.__reduce__()[0] is okr._plan._plan_from_snapshot
    # A note is text columns do not carry.
    frames = every_column()
    assert okr.Plan.from_frames(**frames).__reduce__()[0] is okr._plan._plan_from_tables
    doc = okr.Plan.from_frames(**frames).to_dict()
    doc["objectives"][0]["note"] = "why"
    noted = okr.Plan.from_dict(doc)
    assert noted.__reduce__()[0] is okr._plan._plan_from_snapshot
    same(pickle.loads(pickle.dumps(noted)).score("2026-02-15"), noted.score("2026-02-15"))


def test_a_damaged_columnar_pickle_is_an_okr_error():
    plan = okr.Plan.from_frames(**organisation(20))
    _, args = plan.__reduce__()
    with pytest.raises(okr.OkrError) as e:
        okr._plan._plan_from_tables(9, *args[1:])
    assert e.value.code == "malformed" and "layout 9" in str(e.value)
    objectives, key_results = args[1], dict(args[2])
    key_results["current"] = key_results["current"][:-1]
    with pytest.raises(okr.OkrError) as e:
        okr._plan._plan_from_tables(1, objectives, key_results, *args[3:])
    assert e.value.code == "length_mismatch" and "current" in str(e.value)
