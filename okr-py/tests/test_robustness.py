"""Thousands of mutated documents at Plan.from_json: only okr.OkrError ever comes out."""

import datetime as dt
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


@pytest.mark.parametrize(
    "column",
    [
        pd.array([1, None], dtype="Int64"),  # nullable integers
        [1.0, np.nan],  # integers turned float by a missing value
        ["a", None],  # text
        pd.array(["a", None], dtype="string"),  # pandas' string dtype
    ],
    ids=["Int64", "float", "object", "string"],
)
def test_missing_ids_are_errors_naming_the_table_column_and_row(column):
    key_results = pd.DataFrame({"id": [10], "objective": [1], "kind": ["binary"], "current": [1.0]})
    with pytest.raises(okr.OkrError) as e:
        okr.Plan.from_frames(pd.DataFrame({"id": column}), key_results)
    assert e.value.code == "invalid_input"
    assert "`objectives.id`: row 1 has no id (null)" in str(e.value)
    alignments = pd.DataFrame({"child": [2, None], "parent": [1, 1]})
    with pytest.raises(okr.OkrError, match=r"`alignments.child`: row 1 has no id"):
        okr.Plan.from_frames(pd.DataFrame({"id": [1, 2]}), key_results, alignments)


def test_unreadable_dates_and_flags_are_errors_naming_the_column_and_row():
    objectives = pd.DataFrame({"id": [1], "cycle": ["q"]})
    key_results = pd.DataFrame({"id": [10], "objective": [1], "kind": ["linear"], "start": [0.0], "target": [1.0]})
    cycles = pd.DataFrame({"id": ["q"], "start": ["2026-01-01"], "end": ["2026-03-31"]})
    cases = [
        (dict(check_ins=pd.DataFrame({"key_result": [10], "date": ["soon"], "value": [1.0]}), cycles=cycles),
         "`check_ins.date`: row 0 holds `soon`, not a date"),
        (dict(check_ins=pd.DataFrame({"key_result": [10, 10], "date": ["2026-01-05", None]}), cycles=cycles),
         "`check_ins.date`: row 1 has no date (null)"),
        (dict(cycles=cycles.assign(end=["2026-13-01"])), "`cycles.end`: row 0 holds `2026-13-01`, not a date"),
    ]
    for frames, message in cases:
        with pytest.raises(okr.OkrError) as e:
            okr.Plan.from_frames(objectives, key_results, **frames)
        assert e.value.code == "invalid_input" and message in str(e.value)
    # Dates may be text, datetime.date, datetime64 or time-zone-aware values (their local day).
    aware = pd.to_datetime(["2026-01-05 23:30"]).tz_localize("Europe/Paris")
    for date in (["2026-01-05"], [dt.date(2026, 1, 5)], pd.to_datetime(["2026-01-05"]), aware):
        check_ins = pd.DataFrame({"key_result": [10], "date": date, "value": [0.5]})
        plan = okr.Plan.from_frames(objectives, key_results, check_ins=check_ins, cycles=cycles)
        assert plan.score("2026-02-01")["10"]["score"] == 0.5
    # `strict` takes booleans, 0 and 1, nulls (false); not the truth of a string.
    at_least = pd.DataFrame({"id": [10], "objective": [1], "kind": ["at_least"], "threshold": [1.0], "current": [1.0]})
    for strict, score in (([True], 0.0), ([None], 1.0), ([1], 0.0), (pd.array([pd.NA], dtype="boolean"), 1.0)):
        plan = okr.Plan.from_frames(objectives[["id"]], at_least.assign(strict=strict))
        assert plan.score("2026-01-01")["10"]["score"] == score
    for strict in (["yes"], [2]):
        with pytest.raises(okr.OkrError, match=r"`key_results.strict`: row 0 holds `.*`, not true or false"):
            okr.Plan.from_frames(objectives[["id"]], at_least.assign(strict=strict))


def test_unknown_names_and_non_numbers_are_errors_naming_the_column_and_row():
    objectives = pd.DataFrame({"id": ["o"]})
    key_results = pd.DataFrame({"id": ["k", "k2"], "objective": ["o", "o"], "kind": ["linear", "linear"],
                                "start": [0.0, 0.0], "target": [1.0, 1.0]})
    cases = [
        (objectives.assign(progress=["sideways"]), key_results, {},
         "`objectives.progress`: row 0 holds `sideways`, not a progress driver (`auto`, `key_results`, `children`, `both`)"),
        (objectives, key_results.assign(kind=pd.Categorical(["linear", "binray"])), {},
         "`key_results.kind`: row 1 holds `binray`, not a key-result kind (`linear`, `at_least`, `at_most`, `range`, "
         "`binary`, `milestones`, `piecewise`, `manual`, `rollup`, `aggregate`)"),
        (objectives, key_results.assign(kind=["linear", "aggregate"], op=[None, "median"]), {},
         "`key_results.op`: row 1 holds `median`, not an aggregate op (`sum`, `mean`, `min`, `max`)"),
        (objectives, key_results.assign(start=[0.0, "0"]), {}, "`key_results.start`: row 1 holds `'0'`, not a number"),
        (objectives, key_results, {"check_ins": pd.DataFrame({"key_result": ["k"], "date": ["2026-01-05"], "value": ["x"]})},
         "`check_ins.value`: row 0 holds `'x'`, not a number"),
    ]
    for objs, krs, frames, message in cases:
        with pytest.raises(okr.OkrError) as e:
            okr.Plan.from_frames(objs, krs, **frames)
        assert (e.value.code, message in str(e.value)) == ("invalid_input", True), str(e.value)


def test_errors_raised_in_python_carry_a_code_too():
    checks = [
        lambda: okr.Plan.from_json("{}").score(3.5),
        lambda: okr.calibration.fleiss_kappa([[1, 1]], method="cohen"),
        lambda: okr.calibration.krippendorff_alpha([["a", "b"], ["a", "c"]], value_domain=["a", "b"]),
        lambda: okr.calibration.cohen_kappa([1, 2], [1, 3], labels=[1, 2]),
    ]
    for call in checks:
        with pytest.raises(okr.OkrError) as e:
            call()
        assert e.value.code == "invalid_input" and str(e.value).startswith("invalid input: ")


def test_wrong_shapes_and_types_are_okr_errors():
    from okr import calibration as cal

    objectives = pd.DataFrame({"id": [1, 2]})
    key_results = pd.DataFrame({"id": [10], "objective": [1], "kind": ["binary"], "current": [1.0]})
    ratings = pd.DataFrame({"t": [1, 1, 2, 2], "r": [1, 2, 1, 2], "v": [1.0, 2.0, 3.0, 4.0]})
    cases = {
        "duplicate column": (lambda: okr.Plan.from_frames(pd.DataFrame([[1, 2]], columns=["id", "id"]), key_results),
                             "invalid_input", "column `id` appears twice in objectives"),
        "policy not a mapping": (lambda: okr.Plan.from_frames(objectives, key_results, policy=[1]),
                                 "invalid_input", "policy must be a mapping of settings, not list"),
        "missing column": (lambda: cal.intraclass_corr(ratings, "t", "rater", "v"), "unknown_column", "unknown column `rater` in data"),
        "text ratings": (lambda: cal.normalize(ratings.assign(v=["a", "b", "c", "d"]), "t", "r", "v"),
                         "invalid_input", "`v`: row 0 holds `a`, not a number"),
        "text counts": (lambda: cal.fleiss_kappa([["a", "b"]]), "invalid_input", "`table` must hold numbers"),
        "text shares": (lambda: cal.distribution(ratings, "v", ["x"]), "invalid_input", "`target shares` must hold numbers"),
        "id of a float": (lambda: okr.Plan.from_frames(objectives, key_results).score("2026-01-01")[1.5],
                          "invalid_input", "an id is text or an integer, not float"),
    }
    for name, (call, code, message) in cases.items():
        with pytest.raises(okr.OkrError) as e:
            call()
        assert (e.value.code, message in str(e.value)) == (code, True), (name, str(e.value))


def test_documents_as_bytes_dicts_with_dates_and_numpy_numbers():
    text = json.dumps({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": [
        {"id": "o", "cycle": "q", "key_results": [{"id": "k", "kind": "linear", "start": 0, "target": 10, "current": 5,
                                                   "check_ins": [{"date": "2026-02-01", "value": 6}]}]}]})
    want = okr.Plan.from_json(text).score("2026-02-15").to_dict()
    assert okr.Plan.from_json(text.encode()).score("2026-02-15").to_dict() == want
    assert okr.Plan.from_json(bytearray(text.encode())).score("2026-02-15").to_dict() == want
    # The dict a notebook builds: dates as date objects or Timestamps, numbers from numpy.
    as_built = {"cycles": [{"id": "q", "start": dt.date(2026, 1, 1), "end": pd.Timestamp("2026-03-31")}], "objectives": [
        {"id": "o", "cycle": "q", "key_results": [{"id": "k", "kind": "linear", "start": np.int64(0), "target": np.float32(10),
                                                   "current": np.int32(5), "check_ins": [{"date": np.datetime64("2026-02-01"), "value": 6}]}]}]}
    plan = okr.Plan.from_dict(as_built)
    assert plan.score("2026-02-15").to_dict() == want
    # as_of may be a numpy datetime64 too (its day).
    assert plan.score(np.datetime64("2026-02-15T23:59")).to_dict() == want
    # Policy settings may be numpy numbers, as a DataFrame's cells are.
    capped = plan.score("2026-02-15", policy={"cap": np.int64(2), "on_track_gap": np.float32(0.25)})
    assert capped.to_dict() == plan.score("2026-02-15", policy={"cap": 2, "on_track_gap": 0.25}).to_dict()
    def krs(codes: np.ndarray) -> dict:
        return {"id": np.array([2, 3], np.int64), "objective": np.array([1, 1], np.int64),
                "kind": ("codes", codes, ["binary", "bogus"]), "current": np.array([1.0, 0.0])}

    circular: dict = {"objectives": []}
    circular["objectives"].append(circular)
    cases = [
        (lambda: okr.Plan.from_json(b'{"objectives": [\xff]}'), "malformed", "not UTF-8 at byte 16 (`0xff`)"),
        (lambda: okr.Plan.from_json(None), "invalid_input", "from_json takes JSON text (str or bytes), not NoneType"),
        (lambda: okr.Plan.from_dict({"objectives": [{"id": "o", "title": object()}]}), "malformed", "type object has no JSON form"),
        (lambda: okr.Plan.from_dict(circular), "malformed", "Circular reference"),
        (lambda: okr.Plan.from_dict({"objectives": [{"id": "o"}], "policy": {"cap": float("nan")}}),
         "non_finite", "`document.policy.cap` is `nan`"),
        # Policies given beside a plan are checked the same way.
        (lambda: plan.score("2026-02-15", policy={"cap": float("inf")}), "non_finite", "`policy.cap` is `inf`"),
        (lambda: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), pd.DataFrame({"id": [2], "objective": [1], "kind": "binary"}),
                                      policy={"floor": np.float64("nan")}), "non_finite", "`policy.floor` is `nan`"),
        (lambda: plan.score("2026-02-15", policy={"cap": object()}), "invalid_policy", "malformed policy: a value of type object"),
        (lambda: plan.score("2026-02-15", policy={"floor": 0.1, "progress": "sideways"}), "invalid_policy",
         "invalid policy `progress`: unknown variant `sideways`, expected one of `auto`, `key_results`, `children`, `both`"),
        (lambda: okr.Plan.from_dict({"objectives": [{"id": "o", "key_results": [{"id": "k", "kind": "linear", "start": 0,
                                                                                "target": np.float64("inf")}]}]}),
         "non_finite", "`document.objectives[0].key_results[0].target` is `inf`"),
        # numpy arrays in a document are lists; a NaN in one is named by its path (a freed
        # temporary list's id had hidden it).
        (lambda: okr.Plan.from_dict({"confidence_scale": np.array([1, 10]), "objectives": [{"id": "o", "key_results": [
            {"id": "k", "kind": "piecewise", "points": np.array([[0, 0], [10, np.nan]])}]}]}),
         "non_finite", "`document.objectives[0].key_results[0].points[1][1]` is `nan`"),
        (lambda: plan.score(np.datetime64("NaT")), "invalid_input", "NaT is not a date"),
        (lambda: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), pd.DataFrame({"id": [2, 3], "objective": [1, 1],
                                                                               "kind": ["binary", None], "current": [1.0, 0.0]})),
         "invalid_input", "`key_results.kind`: row 1 is null, not a key-result kind"),
        # The first bad row is the one named, whatever is wrong with it.
        (lambda: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), pd.DataFrame({"id": [2, 3, 4], "objective": [1, 1, 1],
                                                                               "kind": ["binary", "bogus", None], "current": 1.0})),
         "invalid_input", "`key_results.kind`: row 1 holds `bogus`, not a key-result kind (`linear`, `at_least`,"),
        (lambda: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), pd.DataFrame({"id": [2, 3, 4], "objective": [1, 1, 1],
                                                                               "kind": ["binary", None, "bogus"], "current": 1.0})),
         "invalid_input", "`key_results.kind`: row 1 is null, not a key-result kind"),
        # Codes sent straight to the extension: out of range (kind, read in place, and a cycle
        # column), and strided (copied, then read).
        (lambda: okr._okr.Plan.from_columns({"id": np.array([1], np.int64)}, krs(np.array([0, 3], np.int32)), None, None, None, None),
         "invalid_input", "`key_results.kind`: code 3 has no category (2 given)"),
        (lambda: okr._okr.Plan.from_columns({"id": np.array([1], np.int64), "cycle": ("codes", np.array([-2], np.int32), ["q"])},
                                        krs(np.array([0, 0], np.int32)), None, None, None, None),
         "invalid_input", "`objectives.cycle`: code -2 has no category (1 given)"),
        (lambda: okr._okr.Plan.from_columns({"id": np.array([1], np.int64)}, krs(np.array([0, 9, 1, 9], np.int32)[::2]), None, None, None, None),
         "invalid_input", "`key_results.kind`: row 1 holds `bogus`, not a key-result kind"),
    ]
    for call, code, message in cases:
        with pytest.raises(okr.OkrError) as e:
            call()
        assert (e.value.code, message in str(e.value)) == (code, True), str(e.value)


def test_integer_ids_can_be_given_as_integers():
    objectives = pd.DataFrame({"id": [1, 2]})
    key_results = pd.DataFrame({"id": [10], "objective": [2], "kind": ["binary"], "current": [1.0]})
    plan = okr.Plan.from_frames(objectives, key_results, pd.DataFrame({"child": [2], "parent": [1]}))
    report = plan.score("2026-01-01")
    assert report[10] == report["10"] and report[np.int64(2)]["score"] == 1.0
    assert report.explain(1) == report.explain("1")
    assert plan.line_of_sight(10) == plan.line_of_sight("10")
    assert 2 in plan and np.int64(10) in plan and 3 not in plan and 1.0 not in plan and True not in plan
    # Unsigned ids beyond int64 stay exact (as text), not wrapped around.
    big = pd.DataFrame({"id": np.array([2**64 - 1, 1], dtype=np.uint64)})
    plan = okr.Plan.from_frames(big, key_results.assign(objective=[1]))
    assert "18446744073709551615" in plan and "-1" not in plan


def test_deep_json_and_long_ids():
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(okr.OkrError) as e:
        okr.Plan.from_json(deep)
    assert e.value.code == "malformed"
    long_id = "é" * 100_000
    plan = okr.Plan.from_dict({"objectives": [{"id": long_id, "key_results": [{"id": "k", "kind": "binary", "current": 1}]}]})
    assert plan.score("2026-01-01")[long_id]["score"] == 1.0


def test_every_public_call_with_wrong_arguments_raises_only_okr_errors():
    """Each public function and method, called with every pair from a list of wrong (and a
    few right) arguments: a DataFrame where a column name belongs, None, NaN, nested lists,
    a Plan where a Report belongs. Nothing but OkrError (with a code) may come out."""
    from okr import calibration as cal
    from okr import charts

    acme = okr.Plan.from_json((ROOT / "examples" / "acme.json").read_text())
    report = acme.score("2026-02-15")
    good = pd.DataFrame({"t": [1, 1, 2, 2, 3, 3], "r": ["a", "b"] * 3, "v": [1.0, 2, 3, 4, 5, 6],
                         "rel": ["peer", "self"] * 3, "comp": ["x"] * 6, "p": [0.1, 0.5, 0.9, 0.2, 0.6, 0.8]})
    values = [None, 0, -1, 1.5, float("nan"), "", "x", "v", "t", "r", [], [1], [[1, 2], [3, 4]], {}, {"a": 1},
              good, good.iloc[:0], good.assign(v=np.nan), good.assign(v="a"), good.assign(t=None),
              np.array([1.0, np.nan]), np.zeros((0, 3)), np.ones((2, 2)), (0.3, 0.6), (0.6, 0.3),
              dt.date(2026, 1, 1), b"x", True, report, acme]
    kr = pd.DataFrame({"id": [2], "objective": [1], "kind": ["binary"], "current": [1.0]})
    calls = {
        "intraclass_corr": lambda a, b: cal.intraclass_corr(a, "t", "r", b),
        "intraclass_corr columns": lambda a, b: cal.intraclass_corr(good, a, b, "v"),
        "krippendorff_alpha": lambda a, b: cal.krippendorff_alpha(a, level_of_measurement=b),
        "krippendorff_alpha counts": lambda a, b: cal.krippendorff_alpha(value_counts=a, value_domain=b),
        "cohen_kappa": lambda a, b: cal.cohen_kappa(a, b),
        "cohen_kappa options": lambda a, b: cal.cohen_kappa([1, 2, 3], [1, 2, 2], weights=a, labels=b),
        "cohen_kappa_test": lambda a, b: cal.cohen_kappa_test(a, b),
        "fleiss_kappa": lambda a, b: cal.fleiss_kappa(a, method=b),
        "kendall_w": lambda a, b: cal.kendall_w(a, correct_ties=b),
        "rater_effects": lambda a, b: cal.rater_effects(a, "t", "r", "v", z_threshold=b),
        "rater_effects columns": lambda a, b: cal.rater_effects(good, a, b, "v"),
        "additive_model": lambda a, b: cal.additive_model(a, "t", "r", b),
        "normalize": lambda a, b: cal.normalize(a, "t", "r", "v", method=b),
        "normalize scale": lambda a, b: cal.normalize(good, "t", "r", "v", method="zscore", scale=a),
        "distribution": lambda a, b: cal.distribution(good, "v", a, by=b),
        "distribution data": lambda a, b: cal.distribution(a, "v", [0.5, 0.5], alpha=b),
        "nine_box cuts": lambda a, b: cal.nine_box(good, "t", "v", "p", performance_cuts=a, potential_cuts=b),
        "nine_box data": lambda a, b: cal.nine_box(a, "t", "v", b),
        "feedback_360": lambda a, b: cal.feedback_360(good, "t", "r", "rel", "comp", "v", thresholds=a, gap=b),
        "feedback_360 data": lambda a, b: cal.feedback_360(a, "t", "r", "rel", "comp", "v", thresholds=b),
        "charts.burnup": lambda a, b: charts.burnup(a, "kr-arr", b),
        "charts.distribution": lambda a, b: charts.distribution(a, "v", b),
        "charts.nine_box": lambda a, b: charts.nine_box(a, "t", "v", "p", performance_cuts=b),
        "charts.alignment": lambda a, b: (charts.alignment(a), charts.to_dot(b), charts.to_mermaid(a)),
        "events": lambda a, b: okr.events(a, b),
        "Report.explain": lambda a, b: report.explain(a),
        "Report[]": lambda a, b: report[a],
        "Plan.line_of_sight": lambda a, b: acme.line_of_sight(a),
        "Plan.lint": lambda a, b: acme.lint(a),
        "Plan.review_packet": lambda a, b: acme.review_packet(a, b),
        "Plan.review_packet ratings": lambda a, b: acme.review_packet("ana", "2026-02-15", ratings=a),
        "Plan.confidence_calibration": lambda a, b: acme.confidence_calibration(a),
        "Plan.score": lambda a, b: acme.score(a, policy=b),
        "Plan.from_json": lambda a, b: okr.Plan.from_json(a),
        "Plan.from_dict": lambda a, b: okr.Plan.from_dict(a),
        "Plan.from_frames": lambda a, b: okr.Plan.from_frames(a, b),
        "Plan.from_frames links": lambda a, b: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), kr, alignments=a, check_ins=b),
        "Plan.from_frames cycles": lambda a, b: okr.Plan.from_frames(pd.DataFrame({"id": [1]}), kr, cycles=a, policy=b),
    }
    escaped, answered = {}, 0
    for name, call in calls.items():
        for a in values:
            for b in values:
                try:
                    call(a, b)
                    answered += 1
                except okr.OkrError as e:
                    assert isinstance(e.code, str) and e.code, (name, repr(e))
                    # Python's type names, not the Rust binding's.
                    assert "'Py" not in str(e), (name, str(e))
                except Exception as e:  # noqa: BLE001 - what this test looks for
                    escaped.setdefault(name, f"{type(e).__name__}: {e} (with {a!r:.40}, {b!r:.40})")
    assert not escaped, escaped
    assert answered > 300  # the right arguments among the wrong reach the computation (363 do)
