// Thousands of mutated documents at Plan.fromJson: only Errors with a code come out, and the
// module instance survives all of them.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Plan } = require("../pkg");

const ROOT = path.join(__dirname, "..", "..");
const GOLDEN = path.join(ROOT, "tests", "golden");
const seeds = fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".json") && f !== "errors.json")
  .map((f) => JSON.stringify(JSON.parse(fs.readFileSync(path.join(GOLDEN, f), "utf8")).plan));
seeds.push(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
const junk = ["", "null", "-1e999", "1e308", "[]", "{}", '"2026-02-30"', "true", '"💥"', "0.0000000001"];

function rng(seed) {
  let s = seed >>> 0;
  return (n) => { s = (s * 1664525 + 1013904223) >>> 0; return s % n; };
}

test("mutated documents raise only coded Errors; the module keeps working", () => {
  const r = rng(42);
  let ok = 0, failed = 0;
  for (let i = 0; i < 3000; i++) {
    let text = seeds[r(seeds.length)];
    const at = r(text.length + 1);
    switch (r(3)) {
      case 0: text = text.slice(0, at) + text.slice(at + 1 + r(20)); break;
      case 1: text = text.slice(0, at) + junk[r(junk.length)] + text.slice(at); break;
      default: text = text.slice(0, at) + String.fromCharCode(32 + r(0x2fff)) + text.slice(at + 1);
    }
    let plan;
    try {
      plan = Plan.fromJson(text);
    } catch (e) {
      assert.ok(e instanceof Error && typeof e.code === "string" && e.code.length > 0, String(e));
      failed++;
      continue;
    }
    const report = plan.score({ asOf: "2026-02-15" });
    if (report.nodes.length) plan.explain(report.nodes[0].id, { asOf: "2026-02-15" });
    plan.lint({ asOf: "2026-02-15" });
    plan.free();
    ok++;
  }
  assert.ok(ok > 100 && failed > 100, `${ok} ok, ${failed} failed`);
  assert.equal(new Plan({ objectives: [{ id: "o", key_results: [{ id: "k", kind: "binary", current: 1 }] }] }).score({ asOf: "2026-01-01" }).nodes[0].score, 1);
});

test("missing ids and dates in columns are coded Errors naming table.column and row", () => {
  const keyResults = { id: ["k"], objective: ["o"], kind: ["binary"], current: [1] };
  const cases = [
    [{ objectives: { id: ["o", null] }, keyResults }, "`objectives.id`: row 1 has no id (null)"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, objective: [undefined] } }, "`keyResults.objective`: row 0 has no id (null)"],
    [{ objectives: { id: ["o"] }, keyResults, checkIns: { keyResult: ["k", "k"], date: ["2026-01-05", null] } },
      "`checkIns.date`: row 1 has no date (null)"],
  ];
  for (const [columns, message] of cases) {
    assert.throws(() => Plan.fromColumns(columns), (e) => e.code === "invalid_input" && e.message.includes(message));
  }
  assert.equal(Plan.fromColumns({ objectives: { id: ["o"] }, keyResults }).score({ asOf: "2026-01-01" }).nodes[0].score, 1);
});

test("ids may be integers; other values where text is expected are coded Errors, not traps", () => {
  const plan = Plan.fromColumns({
    objectives: { id: [1, 2] }, keyResults: { id: [10], objective: [2], kind: ["binary"], current: [1] },
    alignments: { child: [2], parent: [1] },
  });
  const asOf = { asOf: "2026-01-01" };
  assert.deepEqual(plan.explain(1, asOf), plan.explain("1", asOf));
  assert.deepEqual(plan.lineOfSight(10), plan.lineOfSight("10"));
  assert.equal(plan.scoreReport(asOf).get(10).score, 1);
  const bad = [
    () => plan.explain({}, asOf), () => plan.explain(1.5, asOf), () => plan.lineOfSight(null),
    () => plan.scoreReport(asOf).get(undefined), () => plan.scoreReport(asOf).burnupSvg([10]),
    () => plan.reviewPacket(true, asOf), () => Plan.fromJson({ objectives: [] }),
    () => plan.score({ asOf: "2026-01-01", policy: () => 1 }),
  ];
  for (const call of bad) {
    assert.throws(call, (e) => e instanceof Error && e.code === "invalid_input", String(call));
  }
  // Values with no JSON form are malformed documents, not a failed unwrap in the glue.
  for (const document of [undefined, () => 1]) {
    assert.throws(() => new Plan(document), (e) => e.code === "malformed");
  }
  assert.equal(plan.score(asOf).nodes.length, 3); // the module is intact
});

test("plain arrays are read in one JavaScript pass and give the plan typed arrays give", () => {
  // Text, id and number columns as plain arrays (nulls, repeats, ids as text or numbers) against
  // the same columns typed, coded by hand and as one value per row.
  const plain = {
    objectives: { id: ["a", "b", "c"], cycle: ["q", null, "q"], owner: ["ann", "bo", "ann"], level: ["company", "team", undefined] },
    keyResults: {
      id: ["k1", "k2", "k3", "k4"], objective: ["a", "b", "b", "c"], kind: ["linear", "at_least", "linear", "binary"],
      start: [0, null, 10, null], target: [10, null, 0, null], threshold: [null, 5, null, null], current: [4, 7, 2.5, 1],
      weight: [1, 2, undefined, 1],
    },
    alignments: { child: ["b", "c"], parent: ["a", "a"], weight: [2, 1] },
    checkIns: { keyResult: ["k1", "k1", "k3"], date: ["2026-01-10", "2026-02-01", "2026-01-10"], value: [3, 6, 4], confidence: [0.8, null, 0.5] },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
  };
  const asOf = { asOf: "2026-02-15" };
  const want = new Plan({
    cycles: plain.cycles,
    objectives: [
      { id: "a", cycle: "q", owner: "ann", level: "company", key_results: [
        { id: "k1", kind: "linear", start: 0, target: 10, current: 4,
          check_ins: [{ date: "2026-01-10", value: 3, confidence: 0.8 }, { date: "2026-02-01", value: 6 }] }] },
      { id: "b", owner: "bo", level: "team", parents: [{ id: "a", weight: 2 }], key_results: [
        { id: "k2", kind: "at_least", threshold: 5, current: 7, weight: 2 },
        { id: "k3", kind: "linear", start: 10, target: 0, current: 2.5, check_ins: [{ date: "2026-01-10", value: 4, confidence: 0.5 }] }] },
      { id: "c", cycle: "q", owner: "ann", parents: [{ id: "a" }], key_results: [{ id: "k4", kind: "binary", current: 1 }] },
    ],
  }).score(asOf).nodes;
  // Columns list objectives, then key results; the document interleaves them.
  const byId = (nodes) => Object.fromEntries(nodes.map((n) => [n.id, n]));
  assert.equal(want.length, 7);
  assert.deepEqual(byId(Plan.fromColumns(plain).score(asOf).nodes), byId(want));
  const typed = structuredClone(plain);
  for (const c of ["start", "target", "threshold", "current", "weight"]) typed.keyResults[c] = Float64Array.from(plain.keyResults[c], (x) => x ?? NaN);
  assert.deepEqual(byId(Plan.fromColumns(typed).score(asOf).nodes), byId(want));
  // Integer ids as plain numbers and as an Int32Array: the same plan.
  const ints = (col) => col.map((id) => id.charCodeAt(0) * 10 + (id.length > 1 ? Number(id.slice(1)) : 0));
  const numeric = { ...plain, objectives: { ...plain.objectives, id: ints(plain.objectives.id) },
    keyResults: { ...plain.keyResults, id: ints(plain.keyResults.id), objective: ints(plain.keyResults.objective) },
    alignments: { ...plain.alignments, child: ints(plain.alignments.child), parent: ints(plain.alignments.parent) },
    checkIns: { ...plain.checkIns, keyResult: ints(plain.checkIns.keyResult) } };
  const scores = (p) => Array.from(p.scoreReport(asOf).scores());
  const byNumber = scores(Plan.fromColumns(numeric));
  const order = [...plain.objectives.id, ...plain.keyResults.id];
  assert.deepEqual(byNumber, order.map((id) => byId(want)[id].score));
  const int32 = structuredClone(numeric);
  int32.objectives.id = Int32Array.from(numeric.objectives.id);
  assert.deepEqual(scores(Plan.fromColumns(int32)), byNumber);
  // An id holding NUL (the separator of the fast path) stays whole.
  const nul = { objectives: { id: ["x\0y", "x"] }, keyResults: { id: ["k"], objective: ["x\0y"], kind: ["binary"], current: [1] } };
  assert.deepEqual(Plan.fromColumns(nul).scoreReport(asOf).ids(), ["x\0y", "x", "k"]);
  // And on the way out by column (ids and objectives; integer ids come back as their text).
  const out = Plan.fromColumns(nul).scoreReport(asOf).columns(["id", "objective"]);
  assert.deepEqual([out.id, out.objective], [["x\0y", "x", "k"], [null, null, "x\0y"]]);
  const noObjective = plain.objectives.id.map(() => null);
  const plainOut = Plan.fromColumns(plain).scoreReport(asOf).columns(["objective", "id"]);
  assert.deepEqual([plainOut.id, plainOut.objective], [order, [...noObjective, ...plain.keyResults.objective]]);
  const numberOut = Plan.fromColumns(int32).scoreReport(asOf).columns(["id", "objective"]);
  assert.deepEqual([numberOut.id, numberOut.objective],
    [[...numeric.objectives.id, ...numeric.keyResults.id].map(String), [...noObjective, ...numeric.keyResults.objective.map(String)]]);
  // Integer ids beyond 2^53 (not exact as JavaScript numbers) are given as text and stay exact.
  const big = { objectives: { id: ["9007199254740993", "-9007199254740993"] }, keyResults: { id: ["1"], objective: ["9007199254740993"], kind: ["binary"], current: [1] } };
  const bigOut = Plan.fromColumns(big).scoreReport(asOf).columns(["id", "objective"]);
  assert.deepEqual([bigOut.id, bigOut.objective], [["9007199254740993", "-9007199254740993", "1"], [null, null, "9007199254740993"]]);
});

test("id columns: BigInt64Array and whole Float64Array are integer ids; a mixed array reads as text", () => {
  const asOf = { asOf: "2026-01-01" };
  const keyResults = (objective) => ({ id: [10, 11], objective, kind: ["binary", "binary"], current: [1, 0] });
  const scores = (objectives, objective) =>
    Array.from(Plan.fromColumns({ objectives: { id: objectives }, keyResults: keyResults(objective) }).scoreReport(asOf).scores());
  const want = scores([1, 2], [1, 2]);
  assert.deepEqual(scores(new BigInt64Array([1n, 2n]), new BigInt64Array([1n, 2n])), want);
  assert.deepEqual(scores(new Float64Array([1, 2]), [1, 2]), want);
  // A whole number among text ids is its decimal text, as pandas reads an object column.
  assert.deepEqual(scores(["1", 2], ["1", "2"]), want);
  const ids = Plan.fromColumns({ objectives: { id: ["a", 7] }, keyResults: keyResults(["a", "7"]) }).scoreReport(asOf).columns(["id"]).id;
  assert.deepEqual(ids, ["a", "7", "10", "11"]);
});

test("a wrong value in a plain-array column is a coded Error naming table.column and row", () => {
  const keyResults = { id: ["k"], objective: ["o"], kind: ["binary"], current: [1] };
  const cases = [
    [{ objectives: { id: ["o"], cycle: [7] }, keyResults }, "`objectives.cycle`: row 0 is neither a string nor null"],
    [{ objectives: { id: ["o", "p"], owner: ["ann", {}] }, keyResults }, "`objectives.owner`: row 1 is neither a string nor null"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, current: ["1"] } }, "`keyResults.current` must hold numbers: row 0 is not a number"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, kind: [null] } }, "`keyResults.kind`: row 0 is null, not a key-result kind"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, kind: ["linaer"] } }, "`keyResults.kind`: row 0 holds `linaer`, not a key-result kind (`linear`, `at_least`,"],
    [{ objectives: { id: ["o"], progress: ["up"] }, keyResults }, "`objectives.progress`: row 0 holds `up`, not a progress driver (`auto`, `key_results`, `children`, `both`)"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, kind: ["aggregate"], op: ["median"] } }, "`keyResults.op`: row 0 holds `median`, not an aggregate op (`sum`, `mean`, `min`, `max`)"],
    [{ objectives: { id: ["o", 2.5] }, keyResults }, "`objectives.id`: row 1 holds `2.5`, not a whole number (below 9e15) or text id"],
    [{ objectives: { id: ["o", true] }, keyResults }, "`objectives.id`: row 1 holds `true`, not a whole number"],
    [{ objectives: { id: ["o", {}] }, keyResults }, "`objectives.id`: row 1 holds a value of type object, not a whole number"],
    [{ objectives: { id: new Float64Array([1, 1.5]) }, keyResults }, "`objectives.id`: row 1 holds `1.5`, not a whole number"],
    [{ objectives: { id: ["o"] }, keyResults: { ...keyResults, strict: ["yes"] } }, "`keyResults.strict`: row 0 is neither true nor false"],
    [{ objectives: { id: ["o"] }, keyResults, checkIns: { keyResult: ["k"], date: ["2026-13-01"] } }, "2026-13-01"],
  ];
  for (const [columns, message] of cases) {
    assert.throws(() => Plan.fromColumns(columns), (e) => e.code && e.message.includes(message), message);
  }
  // Flags read like Python's: booleans or 1/0, null as false.
  const strict = (flags) => Plan.fromColumns({ objectives: { id: ["o", "o2", "o3", "o4"] }, keyResults: {
    id: ["k", "k2", "k3", "k4"], objective: ["o", "o2", "o3", "o4"], kind: ["at_least", "at_least", "at_least", "at_least"],
    threshold: [5, 5, 5, 5], current: [5, 5, 5, 5], strict: flags } }).scoreReport({ asOf: "2026-01-01" });
  assert.deepEqual(Array.from(strict([true, 1, false, null]).scores()).slice(4), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(strict([0, undefined, true, false]).scores()).slice(4), [1, 1, 0, 1]);
});

test("a NaN or an infinity in a document or a policy is a coded Error naming its path, not a silent null", () => {
  const doc = (current) => ({ objectives: [{ id: "o", key_results: [{ id: "k", kind: "linear", start: 0, target: 10, current }] }] });
  // JSON would write NaN as null: a current value "not given", the key result scored as without data.
  for (const [value, shown] of [[NaN, "NaN"], [Infinity, "Infinity"], [-Infinity, "-Infinity"]]) {
    assert.throws(() => new Plan(doc(value)), (e) => e.code === "non_finite"
      && e.message === `\`document.objectives[0].key_results[0].current\` is \`${shown}\`: every number must be finite`);
  }
  // A null given as such is JSON's own: "not given".
  const plan = new Plan(doc(null));
  assert.equal(plan.score({ asOf: "2026-01-01" }).nodes.find((n) => n.id === "k").hasData, false);
  const titled = (target) => ({ objectives: [{ id: "o", title: null, key_results: [{ id: "k", kind: "linear", start: 0, target }] }] });
  assert.throws(() => new Plan(titled(-Infinity)), (e) => e.code === "non_finite" && /^`document.objectives\[0\].key_results\[0\].target` is `-Infinity`/.test(e.message));
  assert.equal(new Plan(titled(10)).score({ asOf: "2026-01-01" }).nodes.length, 2);
  assert.throws(() => plan.score({ asOf: "2026-01-01", policy: { cap: NaN } }),
    (e) => e.code === "non_finite" && /^`policy.cap` is `NaN`/.test(e.message));
  assert.throws(() => Plan.fromColumns({ objectives: { id: [1] }, keyResults: { id: [2], objective: [1], kind: ["binary"] }, policy: { floor: -Infinity } }),
    (e) => e.code === "non_finite" && /^`policy.floor` is `-Infinity`/.test(e.message));
  // A document that refers to itself has no JSON form: still a coded Error.
  const circular = { objectives: [] };
  circular.objectives.push(circular);
  assert.throws(() => new Plan(circular), (e) => e.code === "malformed");
  assert.equal(plan.score({ asOf: "2026-01-01", policy: { cap: 1.5 } }).nodes.length, 2);
});

test("an option of the wrong type is a coded Error naming it, not its default", () => {
  const okr = require("../pkg");
  const plan = Plan.fromJson(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
  const cases = [
    [() => okr.cohenKappa([1, 2, 1], [1, 2, 2], { weights: 2 }), "`weights` must be `linear`, `quadratic` or null"],
    [() => okr.kendallW([[1, 2, 3], [1, 3, 2]], { correctTies: "no" }), "`correctTies` must be true or false"],
    [() => okr.distribution([1, 2], { categories: [1, 2], shares: [0.5, 0.5], alpha: "0.01" }), "`alpha` must be a number"],
    [() => plan.lint({ asOf: 20260215 }), "`asOf` must be a YYYY-MM-DD string"],
    [() => plan.lint({ asOf: "2026-02-30" }), "invalid date `2026-02-30`"],
    // Cohen's kappa names its two raters y1 and y2, as the core and Python do.
    [() => okr.cohenKappa([1, NaN], [1, 2]), "`row 1` has non-finite y1 `NaN`"],
    [() => okr.cohenKappa([1, 2], ["a", 2]), "`y2` must hold numbers: row 0 is not a number"],
    // A key no option has (a typo) is named, where it had been ignored: `asof` had scored on today.
    [() => plan.score({ asof: "2026-02-15" }), "unknown option `asof` (the options are `asOf`, `policy`)"],
    [() => plan.lint({ asOf: "2026-02-15", strict: true }), "unknown option `strict`"],
    [() => okr.kendallW([[1, 2, 3], [1, 3, 2]], { correct_ties: false }), "unknown option `correct_ties` (the options are `correctTies`)"],
    [() => okr.intraclassCorr({ targets: [1, 1], raters: [1, 2], ratings: [1, 2], rating: [3, 4] }), "unknown column `rating` (the columns are `targets`, `raters`, `ratings`)"],
    [() => okr.raterEffects({ ratees: [1], raters: [1], ratings: [1], weights: [1] }), "unknown column `weights`"],
    [() => okr.distribution([1, 2], { categories: [1, 2], shares: [0.5, 0.5], by: ["a", "b"] }), "unknown option `by`"],
    [() => okr.nineBoxSvg([0.5], [0.5], { names: ["x"], cuts: [1, 2] }), "unknown option `cuts`"],
  ];
  for (const [call, message] of cases) {
    assert.throws(call, (e) => typeof e.code === "string" && e.message.includes(message), message);
  }
  // Given right, the options are read.
  const tied = [[1, 1, 2], [1, 2, 3], [2, 2, 2]];
  assert.notEqual(okr.kendallW(tied, { correctTies: false }).W, okr.kendallW(tied).W);
});

test("events takes two live Reports; anything else is a coded Error", () => {
  const { events } = require("../pkg");
  const plan = new Plan({
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-01-31" }],
    objectives: [{ id: "o", cycle: "q", key_results: [{ id: "k", kind: "linear", start: 0, target: 10, current: 4 }] }],
  });
  const early = plan.scoreReport({ asOf: "2026-01-05" });
  const late = plan.scoreReport({ asOf: "2026-01-25" });
  const found = events(early, late);
  assert.ok(found.some((e) => e.kind === "status_changed" && e.id === "k"), JSON.stringify(found));
  const freed = plan.scoreReport({ asOf: "2026-01-05" });
  freed.free();
  for (const [before, after] of [[undefined, late], [early, null], [{ __okrKey: 99999 }, late], [early, plan], [freed, late]]) {
    assert.throws(() => events(before, after), (e) => e instanceof Error && e.code === "invalid_input" && /live Report/.test(e.message));
  }
  assert.deepEqual(events(early, late), found); // the two reports are intact
});

test("every export called with every pair of wrong and right arguments throws only coded Errors", () => {
  const okr = require("../pkg");
  const acme = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "examples", "acme.json"), "utf8"));
  const plan = new Plan(acme);
  const asOf = { asOf: "2026-02-15" };
  const values = [undefined, null, 0, -1, 1.5, NaN, Infinity, "", "x", "kr-arr", [], [1], [[1, 2], [3, 4]], [[1, null], [null, 2]],
    {}, { a: 1 }, { asOf: 5 }, { asOf: "2026-13-01" }, { policy: { cap: "x" } }, new Float64Array([1, NaN]), new Int32Array([1]),
    true, () => 1, Symbol("s"), 10n, { targets: [1, 1, 2, 2], raters: ["a", "b", "a", "b"], ratings: [1, 2, 3, 4] },
    { ratees: [1], raters: [1], ratings: ["x"] }, { categories: [1, 2], shares: [0.5] }, { names: 5 },
    ["a", "b"], ["a", null], { categories: ["a", "b"], shares: [0.5, 0.5] }, { categories: ["a", 2], shares: [0.5, 0.5] },
    { ratees: [1, 2, 3], raters: [1, 1, 2], ratings: [1, null, NaN] }, { nanPolicy: "omit" }, { nanPolicy: "propagate" }];
  const report = () => plan.scoreReport(asOf);
  const calls = {
    newPlan: (a) => new Plan(a), fromJson: (a) => Plan.fromJson(a), fromColumns: (a) => Plan.fromColumns(a),
    fromColumnsIds: (a, b) => Plan.fromColumns({ objectives: { id: a }, keyResults: { id: [1], objective: b, kind: ["binary"] } }),
    fromColumnsValues: (a, b) => Plan.fromColumns({ objectives: { id: [1], cycle: a }, keyResults: { id: [2], objective: [1], kind: ["binary"], current: b } }),
    score: (a) => plan.score(a), scoreReport: (a) => plan.scoreReport(a), explain: (a, b) => plan.explain(a, b),
    lineOfSight: (a) => plan.lineOfSight(a), lint: (a) => plan.lint(a), reviewPacket: (a, b) => plan.reviewPacket(a, b),
    toDocument: (a) => new Plan(a).toDocument(),
    confidenceCalibration: (a) => plan.confidenceCalibration(a), get: (a) => report().get(a), burnupSvg: (a) => report().burnupSvg(a),
    events: (a, b) => okr.events(a, b), cohenKappa: (a, b) => okr.cohenKappa(a, b), cohenOptions: (a) => okr.cohenKappa([1, 2, 3], [1, 2, 2], a),
    distribution: (a, b) => okr.distribution(a, b), distributionSvg: (a, b) => okr.distributionSvg(a, b), fleissKappa: (a, b) => okr.fleissKappa(a, b), fleissOptions: (a) => okr.fleissKappa([[1, 2], [2, 1]], a),
    intraclassCorr: (a, b) => okr.intraclassCorr(a, b), kendallW: (a, b) => okr.kendallW(a, b), krippendorffAlpha: (a, b) => okr.krippendorffAlpha(a, b),
    nineBoxSvg: (a, b) => okr.nineBoxSvg(a, b, { names: ["x"] }), nineBoxOptions: (a) => okr.nineBoxSvg([1], [1], a),
    normalize: (a, b) => okr.normalize(a, b), raterEffects: (a, b) => okr.raterEffects(a, b),
    raterEffectsOptions: (a) => okr.raterEffects({ ratees: ["a", "b", "c"], raters: ["x", "x", "y"], ratings: [1, 2, 3] }, a),
    nineBox: (a, b) => okr.nineBox(a, a, b), feedback360: (a, b) => okr.feedback360(a, b), additiveModel: (a, b) => okr.additiveModel(a, b),
    feedbackOptions: (a) => okr.feedback360({ ratees: ["x"], raters: ["x"], relationships: ["self"], competencies: ["c"], ratings: [1] }, a),
  };
  const uncoded = {};
  let answered = 0;
  for (const [name, call] of Object.entries(calls)) {
    for (const a of values) {
      for (const b of values) {
        try {
          call(a, b);
          answered++;
        } catch (e) {
          if (!(e instanceof Error) || typeof e.code !== "string" || !e.code) uncoded[name] ??= `${e} (with ${String(a)}, ${String(b)})`;
        }
      }
    }
  }
  assert.deepEqual(uncoded, {});
  // Right arguments among the wrong get through (an options object with a key no option
  // has, such as `{ a: 1 }`, is refused).
  assert.ok(answered > 800, `${answered} calls answered`);
  assert.equal(plan.score(asOf).nodes.length, 81); // the module is intact
});
