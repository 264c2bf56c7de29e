"""The shared golden vectors of tests/golden, run through Python (same numbers as Rust)."""

import importlib.util
import json
import math
import pathlib

import numpy as np
import okr
import pandas as pd
import pytest
from okr import calibration as cal

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


CALIBRATION = GOLDEN / "calibration"
STATISTICS = json.loads((CALIBRATION / "statistics.json").read_text())["cases"]


def test_calibration_vectors_are_what_their_derivation_writes():
    # statistics.json is written by derive.py (exact arithmetic, no okr): editing one without
    # the other fails here.
    spec = importlib.util.spec_from_file_location("derive", CALIBRATION / "derive.py")
    derive = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(derive)
    assert derive.text() == (CALIBRATION / "statistics.json").read_text()


def _none_for_nan(values):
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def _statistic(case):
    """The case's statistic through okr.calibration, in the vectors' shape."""
    data, options, name = case["input"], case.get("options", {}), case["statistic"]
    if name == "intraclass_corr":
        table = cal.intraclass_corr(pd.DataFrame(data), "targets", "raters", "ratings")
        return {r.Type: {"icc": r.ICC, "F": r.F, "df1": r.df1, "df2": r.df2} for r in table.itertuples()}
    if name == "krippendorff_alpha":
        return cal.krippendorff_alpha(np.array(data["reliability_data"], dtype=float), level_of_measurement=options["level"])
    if name == "cohen_kappa":
        return cal.cohen_kappa(data["y1"], data["y2"], weights=options["weights"])
    if name == "fleiss_kappa":
        return cal.fleiss_kappa(data["table"])
    if name == "kendall_w":
        return cal.kendall_w(data["data"], correct_ties=options["correct_ties"])
    frame = pd.DataFrame(data)
    if name == "rater_effects":
        effects = cal.rater_effects(frame, "ratees", "raters", "ratings", nan_policy=options["nan_policy"])
        return {r["rater"]: r for r in effects.to_dict("records")}
    if name == "normalize":
        z = cal.normalize(frame, "ratees", "raters", "ratings", method=options["method"], nan_policy=options["nan_policy"])
        return _none_for_nan(z.tolist())
    if name == "nine_box":
        people = frame.assign(person=range(len(frame)))
        grid = cal.nine_box(people, "person", "performance", "potential")
        return {"cells": grid.drop(columns="person").to_dict("records"), **grid.attrs}
    if name == "feedback_360":
        out = cal.feedback_360(frame, "ratees", "raters", "relationships", "competencies", "ratings", nan_policy=options["nan_policy"])
        return {part: [{k: None if pd.isna(v) else v for k, v in row.items()} for row in table.to_dict("records")] for part, table in out.items()}
    if name == "distribution":
        return cal.distribution(frame, "ratings", dict(zip(options["categories"], options["shares"])))
    raise AssertionError(f"no adapter for {name}")


@pytest.mark.parametrize("case", STATISTICS, ids=lambda c: c["name"])
def test_calibration_vectors(case):
    got = _statistic(case)
    assert same(case["expected"], got), (case["name"], got)
