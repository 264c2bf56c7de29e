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
