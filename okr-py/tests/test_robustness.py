"""Thousands of mutated documents at Plan.from_json: only okr.OkrError ever comes out."""

import json
import pathlib
import random

import numpy as np
import okr
import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SEEDS = [json.dumps(json.loads(p.read_text())["plan"]) for p in sorted((ROOT / "tests" / "golden").glob("*.json")) if p.name != "errors.json"]
SEEDS.append((ROOT / "examples" / "acme.json").read_text())
JUNK = ["", "null", "-1e999", "1e308", "NaN", '"\\u0000"', "[]", "{}", '"2026-02-30"', '"x"' * 50, "0.0000000001", "true", '"💥"']


def mutate(text: str, rng: random.Random) -> str:
    choice = rng.randrange(5)
    i = rng.randrange(len(text) + 1)
    if choice == 0:  # delete a span
        return text[:i] + text[i + rng.randrange(1, 20):]
    if choice == 1:  # insert junk
        return text[:i] + rng.choice(JUNK) + text[i:]
    if choice == 2:  # flip a character
        return text[:i] + chr(rng.randrange(32, 0x2FFF)) + text[i + 1:]
    if choice == 3:  # swap a number for an extreme one
        return text.replace(rng.choice(["1", "0", "5", "2"]), rng.choice(["-1", "1e308", "0.0", "99999999999999999999"]), 1)
    doc = json.loads(text)  # structural: rename or drop a field
    objectives = doc.get("objectives") or []
    if objectives:
        o = rng.choice(objectives)
        if o:
            key = rng.choice(list(o))
            if rng.random() < 0.5:
                o[key + rng.choice(["_", "s", ""])] = o.pop(key)
            else:
                o.pop(key)
    return json.dumps(doc)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_documents_raise_only_okr_errors(seed):
    rng = random.Random(seed)
    ok = failed = 0
    for _ in range(1000):
        text = mutate(rng.choice(SEEDS), rng)
        try:
            plan = okr.Plan.from_json(text)
        except okr.OkrError as e:
            assert isinstance(e.code, str) and e.code and str(e)
            failed += 1
            continue
        report = plan.score("2026-02-15")
        report.to_pandas()
        plan.lint("2026-02-15")
        for node in report.to_dict()["nodes"][:3]:
            report.explain(node["id"])
        ok += 1
    assert ok > 50 and failed > 50, (ok, failed)


def test_non_finite_columns_are_errors():
    objectives = pd.DataFrame({"id": [1]})
    for bad in [np.inf, -np.inf]:
        key_results = pd.DataFrame({"id": [2], "objective": [1], "kind": ["linear"], "start": [0.0], "target": [bad]})
        with pytest.raises(okr.OkrError) as e:
            okr.Plan.from_frames(objectives, key_results)
        assert e.value.code == "non_finite"
    # NaN means "not given": a missing target is named as such.
    key_results = pd.DataFrame({"id": [2], "objective": [1], "kind": ["linear"], "start": [0.0], "target": [np.nan]})
    with pytest.raises(okr.OkrError) as e:
        okr.Plan.from_frames(objectives, key_results)
    assert e.value.code == "missing_field" and "`target`" in str(e.value)


def test_deep_json_and_long_ids():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(okr.OkrError) as e:
        okr.Plan.from_json(deep)
    assert e.value.code == "malformed"
    long_id = "é" * 100_000
    plan = okr.Plan.from_dict({"objectives": [{"id": long_id, "key_results": [{"id": "k", "kind": "binary", "current": 1}]}]})
    assert plan.score("2026-01-01")[long_id]["score"] == 1.0
