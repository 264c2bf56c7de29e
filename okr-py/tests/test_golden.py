"""The shared golden vectors of tests/golden, run through Python (same numbers as Rust)."""

import json
import math
import pathlib

import okr
import pytest

GOLDEN = pathlib.Path(__file__).resolve().parents[2] / "tests" / "golden"
FILES = sorted(p for p in GOLDEN.glob("*.json") if p.name != "errors.json")


def close(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def same(want, got):
    """Equal, numbers to 1e-12 relative, recursively (expected objects may list a subset)."""
    if isinstance(want, bool) or want is None:
        return want == got
    if isinstance(want, (int, float)):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and close(got, want)
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(same(a, b) for a, b in zip(want, got))
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and same(v, got[k]) for k, v in want.items())
    return want == got


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_score_vectors(path):
    doc = json.loads(path.read_text())
    plan = okr.Plan.from_dict(doc["plan"])
    checked = 0
    for case in doc["cases"]:
        report = plan.score(case["as_of"], policy=case.get("policy"))
        nodes = {n["id"]: n for n in report.to_dict()["nodes"]}
        # A plan whose ids are all integers (ids.json) gives them as an int64 column.
        frame = report.to_pandas()
        frame.index = frame.pop("id").astype(str)
        for node_id, fields in case["expected"].items():
            for field, want in fields.items():
                got = nodes[node_id].get(field)
                assert same(want, got), (path.name, node_id, field, got, want)
                checked += 1
            # The DataFrame carries the same numbers as the dict.
            assert close(frame.loc[node_id, "score"], nodes[node_id]["score"])
            assert frame.loc[node_id, "status"] == nodes[node_id]["status"]
        for node_id, shares in case.get("explain", {}).items():
            contributions = {c["id"]: c["share"] for c in report.explain(node_id)["contributors"]}
            for child, want in shares.items():
                assert close(contributions[child], want)
        for node_id, los in case.get("line_of_sight", {}).items():
            got = plan.line_of_sight(node_id)
            shares = {a["id"]: a["share"] for a in got["ancestors"]}
            assert set(shares) == set(los["shares"])
            for anc, want in los["shares"].items():
                assert close(shares[anc], want)
            assert got["company_objectives"] == los["company_objectives"]
    assert checked > 0


ERRORS = json.loads((GOLDEN / "errors.json").read_text())


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c["name"])
def test_error_vectors(case):
    text = case["text"] if "text" in case else json.dumps(case["plan"])
    with pytest.raises(okr.OkrError) as info:
        okr.Plan.from_json(text)
    assert info.value.code == case["code"]
    assert isinstance(info.value, ValueError)
    for s in case["contains"]:
        assert s in str(info.value)
