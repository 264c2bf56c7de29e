// The npm package under Node: golden vectors, errors, README example, calibration.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const okr = require("../pkg");
const { Plan } = okr;
const ROOT = path.join(__dirname, "..", "..");
const GOLDEN = path.join(ROOT, "tests", "golden");

const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
// Equal, numbers to 1e-12 relative, recursively; expected keys are snake_case, ours camelCase.
function same(want, got) {
  if (typeof want === "number") return typeof got === "number" && close(got, want);
  if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => same(w, got[i]));
  if (want !== null && typeof want === "object") return got !== null && typeof got === "object" && Object.entries(want).every(([k, v]) => same(v, got[camel(k)]));
  return want === got;
}

for (const file of fs.readdirSync(GOLDEN).filter((f) => f.endsWith(".json") && f !== "errors.json").sort()) {
  test(`golden ${file}`, () => {
    const doc = JSON.parse(fs.readFileSync(path.join(GOLDEN, file), "utf8"));
    const fromObject = new Plan(doc.plan);
    const fromText = Plan.fromJson(JSON.stringify(doc.plan));
    let checked = 0;
    for (const c of doc.cases) {
      const options = { asOf: c.as_of, policy: c.policy };
      const report = fromObject.score(options);
      assert.equal(report.asOf, c.as_of);
      assert.deepEqual(fromText.score(options), report);
      const nodes = new Map(report.nodes.map((n) => [n.id, n]));
      for (const [id, fields] of Object.entries(c.expected)) {
        for (const [field, want] of Object.entries(fields)) {
          const got = nodes.get(id)[camel(field)];
          assert.ok(same(want, got), `${file} ${id}.${field}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
          checked++;
        }
      }
      for (const [id, shares] of Object.entries(c.explain ?? {})) {
        const ex = fromObject.explain(id, options);
        for (const [child, want] of Object.entries(shares)) {
          assert.ok(close(ex.contributors.find((x) => x.id === child).share, want));
        }
      }
      for (const [id, los] of Object.entries(c.line_of_sight ?? {})) {
        const got = fromObject.lineOfSight(id);
        assert.deepEqual(got.companyObjectives, los.company_objectives);
        for (const [anc, want] of Object.entries(los.shares)) {
          assert.ok(close(got.ancestors.find((a) => a.id === anc).share, want));
        }
      }
    }
    assert.ok(checked > 0);
  });
}

// The calibration vectors (tests/golden/calibration, derived in exact arithmetic by derive.py):
// each statistic through the package, in the vectors' shape.
const nullForNaN = (values) => Array.from(values, (v) => (Number.isNaN(v) ? null : v));
const statistics = {
  intraclass_corr: (d) => Object.fromEntries(okr.intraclassCorr(d).map((r) => [r.type, { icc: r.icc, F: r.f, df1: r.df1, df2: r.df2 }])),
  krippendorff_alpha: (d, o) => okr.krippendorffAlpha(d.reliability_data, { level: o.level }),
  cohen_kappa: (d, o) => okr.cohenKappa(d.y1, d.y2, { weights: o.weights }).kappa,
  fleiss_kappa: (d) => okr.fleissKappa(d.table).kappa,
  kendall_w: (d, o) => okr.kendallW(d.data, { correctTies: o.correct_ties }),
  rater_effects: (d, o) => Object.fromEntries(okr.raterEffects(d, { nanPolicy: o.nan_policy }).map((e) => [e.rater, e])),
  normalize: (d, o) => nullForNaN(okr.normalize(d, { method: o.method, nanPolicy: o.nan_policy })),
  distribution: (d, o) => okr.distribution(d.ratings, { categories: o.categories, shares: o.shares }).overall,
  nine_box: (d) => okr.nineBox(d.performance, d.potential),
  feedback_360: (d, o) => okr.feedback360(d, { nanPolicy: o.nan_policy }),
};
for (const c of JSON.parse(fs.readFileSync(path.join(GOLDEN, "calibration", "statistics.json"), "utf8")).cases) {
  test(`golden calibration ${c.name}`, () => {
    const got = statistics[c.statistic](c.input, c.options ?? {});
    assert.ok(same(c.expected, got), `${c.name}: ${JSON.stringify(got)} vs ${JSON.stringify(c.expected)}`);
  });
}

test("error vectors: real Errors with a code; the module keeps working", () => {
  const cases = JSON.parse(fs.readFileSync(path.join(GOLDEN, "errors.json"), "utf8"));
  for (const c of cases) {
    const text = c.text ?? JSON.stringify(c.plan);
    assert.throws(
      () => Plan.fromJson(text),
      (e) => {
        assert.ok(e instanceof Error, c.name);
        assert.equal(e.code, c.code, `${c.name}: ${e.message}`);
        for (const s of c.contains) assert.ok(e.message.includes(s), `${c.name}: ${e.message} lacks ${s}`);
        return true;
      },
    );
  }
  // After all those errors the module still scores.
  const plan = new Plan({ objectives: [{ id: "o", key_results: [{ id: "k", kind: "binary", current: 1 }] }] });
  assert.equal(plan.score({ asOf: "2026-01-01" }).nodes[0].score, 1);
  assert.throws(() => new Plan({ objectives: [{ id: "o", titel: "x" }] }), (e) => e.code === "malformed" && /titel/.test(e.message));
  assert.throws(() => plan.score({ asOf: "2026-02-30" }), (e) => e.code === "invalid_date");
  assert.throws(() => plan.score({ asOf: "2026-01-01", policy: { cpa: 2 } }), (e) => e.code === "invalid_policy");
  // A setting whose value does not fit is named.
  assert.throws(() => plan.score({ asOf: "2026-01-01", policy: { cap: "high" } }),
    (e) => e.code === "invalid_policy" && e.message.startsWith("invalid policy `cap`: invalid type: string"));
  assert.throws(() => plan.explain("ghost", { asOf: "2026-01-01" }), (e) => e.code === "unknown_id");
  // A Date is its calendar day where the code runs, late in the evening included.
  for (const date of [new Date(2026, 1, 15), new Date(2026, 1, 15, 23, 59), new Date(2026, 1, 15, 0, 0, 1)]) {
    assert.equal(plan.score({ asOf: date }).asOf, "2026-02-15");
  }
  assert.equal(plan.scoreReport({ asOf: new Date(2026, 0, 1) }).asOf, "2026-01-01");
  // ISO date-time text is the day it is written in (toISOString's is the UTC day).
  assert.equal(plan.scoreReport({ asOf: "2026-01-01T23:59:59.999Z" }).asOf, "2026-01-01");
  assert.equal(plan.scoreReport({ asOf: new Date(Date.UTC(2026, 0, 1, 12)).toISOString() }).asOf, "2026-01-01");
  assert.throws(() => plan.score({ asOf: "2026-01-01T12" }), (e) => e.code === "invalid_date" && e.message.includes("`2026-01-01T12`"));
  assert.deepEqual(plan.lint({ asOf: new Date(2026, 0, 20) }), plan.lint({ asOf: "2026-01-20" }));
  assert.throws(() => plan.score({ asOf: new Date("not a date") }), (e) => e.code === "invalid_input" && /invalid Date/.test(e.message));
  assert.throws(() => plan.score({ asOf: 20260215 }), (e) => e.code === "invalid_input" && /string or a Date/.test(e.message));
});

test("toDocument: a plan written back as a document scores the same, however it was built", () => {
  const text = fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8");
  const acme = Plan.fromJson(text);
  const doc = acme.toDocument();
  // The document's own shape: snake_case keys, dates as text, as `new Plan` takes it.
  assert.ok(doc.objectives.some((o) => o.key_results.some((k) => (k.check_ins || []).length > 0)));
  assert.equal(typeof doc.cycles[0].start, "string");
  for (const again of [new Plan(doc), Plan.fromJson(JSON.stringify(doc))]) {
    for (const asOf of ["2026-01-20", "2026-02-15", "2026-04-01"]) assert.deepEqual(again.score({ asOf }), acme.score({ asOf }));
    assert.deepEqual(again.toDocument(), doc);
  }
  // A plan from columns, integer ids, an alignment weight and a check-in: the same plan back.
  const cols = Plan.fromColumns({
    objectives: { id: new Int32Array([1, 2]), cycle: ["q", "q"], owner: ["ann", null] },
    keyResults: { id: [10, 20], objective: [1, 2], kind: ["linear", "at_most"], start: [0, null], target: [10, null], threshold: [null, 3], current: [5, 2] },
    alignments: { child: [2], parent: [1], weight: [2] },
    checkIns: { keyResult: [10], date: ["2026-01-10"], value: [8], confidence: [0.6] },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
  });
  const written = cols.toDocument();
  assert.deepEqual(written.objectives.find((o) => o.id === 2 || o.id === "2").parents, [{ id: written.objectives[0].id, weight: 2 }]);
  // A document lists each objective's key results under it, so nodes come in another order.
  const byId = (plan) => Object.fromEntries(plan.score({ asOf: "2026-02-15" }).nodes.map((n) => [n.id, n]));
  assert.deepEqual(byId(new Plan(written)), byId(cols));
  assert.equal(Object.keys(byId(cols)).length, 4);
});

test("columns from typed arrays match the document form", () => {
  const cols = Plan.fromColumns({
    objectives: { id: new Int32Array([1, 2]), cycle: ["q", "q"] },
    keyResults: { id: [10, 20], objective: [1, 2], kind: ["linear", "at_most"], start: new Float64Array([0, NaN]), target: new Float64Array([10, NaN]), threshold: [null, 3], current: [5, 2] },
    alignments: { child: [2], parent: [1] },
    checkIns: { keyResult: [10], date: ["2026-01-10"], value: [8] },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
    policy: { progress: "both" },
  });
  const report = cols.scoreReport({ asOf: "2026-02-15" });
  assert.equal(report.length, 4);
  const byId = Object.fromEntries(report.ids().map((id, i) => [id, report.scores()[i]]));
  assert.ok(close(byId["10"], 0.8) && close(byId["1"], (0.8 + 1) / 2));
  assert.deepEqual(report.get("20").status, "achieved");
  assert.throws(() => Plan.fromColumns({ objectives: { id: [1] }, keyResults: { id: [2], objective: [1], kind: ["linear"], tagret: [1] } }), (e) => e.code === "unknown_column" && /tagret/.test(e.message));
  assert.throws(() => Plan.fromColumns({ objectives: { id: [1] }, keyResults: { id: [2], objective: [1], kind: ["linear"], start: [0], target: [Infinity] } }), (e) => e.code === "non_finite");
  // A missing table, or one that is not an object of columns, is named; so is an empty id's row.
  assert.throws(() => Plan.fromColumns(undefined), (e) => e.code === "invalid_input" && /`columns` must be an object of columns .*not undefined/.test(e.message));
  assert.throws(() => Plan.fromColumns({ objectives: { id: [1] } }), (e) => e.code === "invalid_input" && /`keyResults` must be an object of columns .*not undefined/.test(e.message));
  assert.throws(() => Plan.fromColumns({ objectives: "a,b", keyResults: {} }), (e) => e.code === "invalid_input" && /`objectives` must be an object of columns .*not string/.test(e.message));
  assert.throws(() => Plan.fromColumns({ objectives: { id: ["a", ""] }, keyResults: { id: [], objective: [], kind: [] } }), (e) => e.code === "empty_id" && /objectives at row 1/.test(e.message));
  // A column the row's kind does not read is ignored, whatever it holds.
  const mixed = Plan.fromColumns({ objectives: { id: [1] }, keyResults: { id: [2], objective: [1], kind: ["linear"], start: [0], target: [10], threshold: [Infinity], low: [-Infinity], current: [5] } });
  assert.ok(close(mixed.scoreReport({ asOf: "2026-02-15" }).get("2").score, 0.5));
  // Check-in dates may be Dates (each its calendar day where the code runs), mixed with strings.
  const dated = (date, start = "2026-01-01") => Plan.fromColumns({
    objectives: { id: [1], cycle: ["q"] },
    keyResults: { id: [10], objective: [1], kind: ["linear"], start: [0], target: [10] },
    checkIns: { keyResult: [10, 10], date, value: [4, 8] },
    cycles: [{ id: "q", start, end: "2026-03-31" }],
  });
  const byStrings = dated(["2026-01-10", "2026-02-14"]).score({ asOf: "2026-02-14" });
  assert.deepEqual(dated(["2026-01-10", "2026-02-14"], new Date(2026, 0, 1)).score({ asOf: "2026-02-14" }), byStrings);
  assert.throws(() => dated(["2026-01-10", "2026-02-14"], "2026-02-30"), (e) => e.code === "invalid_input" && e.message.includes("invalid date `2026-02-30`"));
  assert.deepEqual(dated([new Date(2026, 0, 10, 23, 30), "2026-02-14"]).score({ asOf: "2026-02-14" }), byStrings);
  assert.deepEqual(dated([new Date(2026, 0, 10), new Date(2026, 1, 14)]).score({ asOf: "2026-02-14" }), byStrings);
  assert.equal(dated([new Date(2026, 0, 10), new Date(2026, 1, 15)]).score({ asOf: "2026-02-14" }).nodes.find((n) => String(n.id) === "10").value, 4);
  assert.throws(() => dated([new Date("x"), "2026-02-14"]), (e) => e.code === "invalid_date" && /Invalid Date/.test(e.message));
  assert.throws(() => dated([new Date(2026, 0, 10), 5]), (e) => e.code === "invalid_input" && /checkIns.date/.test(e.message));
  // So may a document's dates (JSON would write a Date as its instant in UTC, a day early east
  // of Greenwich); a string that only looks like one is left as it is.
  const doc = (start, date, title) => new Plan({
    cycles: [{ id: "q", start, end: "2026-03-31" }],
    objectives: [{ id: "o", cycle: "q", title, key_results: [{ id: "k", kind: "linear", start: 0, target: 10,
      check_ins: [{ date, value: 4 }, { date: "2026-02-14", value: 8 }] }] }],
  });
  const plain = doc("2026-01-01", "2026-01-10", "2026-01-10T23:30:00.000Z").score({ asOf: "2026-02-14" });
  assert.deepEqual(doc(new Date(2026, 0, 1), new Date(2026, 0, 10, 23, 30), "2026-01-10T23:30:00.000Z").score({ asOf: "2026-02-14" }), plain);
  assert.throws(() => doc("2026-01-01", new Date("x"), "t"), (e) => e.code === "malformed" && e.message.includes("invalid date `Invalid Date`"));
});

test("confidences on a declared scale are mapped onto [0, 1], in columns and in documents", () => {
  const columns = (confidence, confidenceScale) => ({
    objectives: { id: ["o"], cycle: ["q"] },
    keyResults: { id: ["k"], objective: ["o"], kind: ["linear"], start: [0], target: [10] },
    checkIns: { keyResult: ["k", "k", "k"], date: ["2026-01-05", "2026-01-19", "2026-02-02"], value: [1, 2, 3], confidence },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
    ...(confidenceScale ? { confidenceScale } : {}),
  });
  const asOf = { asOf: "2026-02-10" };
  const want = Plan.fromColumns(columns([1, 0.5, 0])).score(asOf);
  const got = Plan.fromColumns(columns([10, 5.5, 1], [1, 10])).score(asOf);
  assert.deepEqual(got, want);
  assert.equal(got.nodes.find((n) => n.id === "k").confidence, 0);
  const doc = {
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
    objectives: [{ id: "o", cycle: "q", key_results: [{ id: "k", kind: "linear", start: 0, target: 10, check_ins: [
      { date: "2026-01-05", value: 1, confidence: 100 }, { date: "2026-01-19", value: 2, confidence: 50 }, { date: "2026-02-02", value: 3, confidence: 0 }] }] }],
    confidence_scale: [0, 100],
  };
  assert.deepEqual(new Plan(doc).score(asOf), want);
  const cases = [
    [columns([10, 11, 1], [1, 10]), "invalid_value", "`k` has invalid confidence: `11` on 2026-01-19 is outside the declared scale [1, 10]"],
    [columns([1, 1, 1], [10, 1]), "invalid_input", "`confidence_scale` is [10, 1]"],
    [columns([1, 1, 1], [1]), "invalid_input", "`confidenceScale` must be a pair [low, high]"],
    [columns([1, 1, 1], [0, NaN]), "invalid_input", "`confidence_scale` is [0, NaN]"],
  ];
  for (const [cols, code, message] of cases) {
    assert.throws(() => Plan.fromColumns(cols), (e) => e.code === code && e.message.includes(message), message);
  }
});

test("report columns: the node lines' values, by column, and only those asked for", () => {
  const acme = JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
  for (const plan of [new Plan(acme), Plan.fromColumns({
    objectives: { id: new Int32Array([1, 2]), cycle: ["q", "q"] },
    keyResults: { id: [10, 20], objective: [1, 2], kind: ["linear", "binary"], start: [0, null], target: [10, null], current: [5, 1] },
    alignments: { child: [2], parent: [1] },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
  })]) {
    const report = plan.scoreReport({ asOf: "2026-02-15" });
    const nodes = report.toObject().nodes;
    const c = report.columns();
    assert.deepEqual(Object.keys(c), ["id", "type", "kind", "objective", "score", "expected", "status", "grade", "hasData", "value", "confidence", "forecastScore", "signals"]);
    assert.ok(c.score instanceof Float64Array && c.forecastScore instanceof Float64Array);
    const orNaN = (x) => (x === null || x === undefined ? NaN : x);
    nodes.forEach((n, i) => {
      assert.deepEqual([c.id[i], c.type[i], c.kind[i], c.objective[i]], [n.id, n.type, n.kind ?? null, n.objective ?? null]);
      assert.deepEqual([c.status[i], c.grade[i], c.hasData[i], c.signals[i]], [n.status, n.grade, n.hasData, n.signals.join(",")]);
      for (const [col, want] of [[c.score, n.score], [c.expected, orNaN(n.expected)], [c.value, orNaN(n.value)], [c.confidence, orNaN(n.confidence)], [c.forecastScore, orNaN(n.forecast?.score)]]) {
        assert.ok(Object.is(col[i], want), `${n.id}: ${col[i]} is not ${want}`);
      }
    });
    // Asked for by name (camelCase, as the keys), in that order; the others are not made.
    const some = report.columns(["signals", "hasData", "id"]);
    assert.deepEqual(Object.keys(some), ["signals", "hasData", "id"]);
    assert.deepEqual([some.signals, some.hasData, some.id], [c.signals, c.hasData, c.id]);
    assert.deepEqual(Object.keys(report.columns([])), []);
    assert.deepEqual(Array.from(report.columns(["score"]).score), Array.from(report.scores()));
    // ids() and statuses() are those columns.
    assert.deepEqual([report.ids(), report.statuses()], [nodes.map((n) => n.id), nodes.map((n) => n.status)]);
  }
  const report = new Plan(acme).scoreReport({ asOf: "2026-02-15" });
  assert.throws(() => report.columns(["score", "scores"]), (e) => e.code === "unknown_column" && /`scores`/.test(e.message));
  assert.throws(() => report.columns(["id", "id"]), (e) => e.code === "invalid_input" && /asked for twice/.test(e.message));
  assert.throws(() => report.columns("score"), (e) => e.code === "invalid_input");
  assert.throws(() => report.columns([3]), (e) => e.code === "invalid_input");
});

test("calibration: published worked examples", () => {
  const sf = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]];
  const long = { targets: [], raters: [], ratings: [] };
  sf.forEach((row, t) => row.forEach((v, r) => { long.targets.push(t); long.raters.push(`j${r}`); long.ratings.push(v); }));
  const rows = okr.intraclassCorr(long, {});
  assert.deepEqual(rows.map((r) => r.type), ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]);
  [0.17, 0.29, 0.71, 0.44, 0.62, 0.91].forEach((want, i) => assert.ok(Math.abs(rows[i].icc - want) < 0.005));
  // Without target 4's rating by j2, the error names both; `omit` drops the target.
  const gappy = { targets: long.targets.slice(), raters: long.raters.slice(), ratings: long.ratings.slice() };
  gappy.ratings[4 * 4 + 2] = NaN;
  assert.throws(() => okr.intraclassCorr(gappy, {}), (e) => e.code === "missing_value"
    && e.message === "missing value: target `4` has no rating by rater `j2` (the `omit` missing-value policy drops such targets)");
  assert.equal(okr.intraclassCorr(gappy, { nanPolicy: "omit" }).length, 6);
  const n = null;
  const kripp = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
    [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
  ];
  for (const [level, want] of [["nominal", 0.743], ["ordinal", 0.815], ["interval", 0.849], ["ratio", 0.797]]) {
    assert.ok(Math.abs(okr.krippendorffAlpha(kripp, { level }) - want) < 5e-4, level);
  }
  const k = okr.cohenKappa([1, 1, 2, 2, 3, 3], [1, 2, 2, 2, 3, 1], {});
  assert.ok(close(k.kappa, 0.5) && typeof k.pval === "number" && k.ci95.length === 2);
  // A pair of weight 2 counts as that pair given twice (scikit-learn's sample_weight).
  const weighted = okr.cohenKappa([1, 2, 2], [1, 2, 1], { sampleWeight: [2, 1, 1] });
  const twice = okr.cohenKappa([1, 1, 2, 2], [1, 1, 2, 1]);
  assert.ok(close(weighted.kappa, twice.kappa) && close(weighted.se, twice.se));
  assert.throws(() => okr.cohenKappa([1, 2, 2], [1, 2, 1], { sampleWeight: [1, -1, 1] }),
    (e) => e.code === "invalid_value" && e.message.includes("row 1"));
  assert.throws(() => okr.cohenKappa([1, 2, 2], [1, 2, 1], { sampleWeight: [1, 1] }), (e) => e.code === "length_mismatch");
  assert.ok(close(okr.kendallW([[1, 1, 1], [2, 2, 2], [3, 3, 3]], {}).W, 1));
  assert.throws(() => okr.fleissKappa([[1, 2], [2, 2]]), (e) => e.code === "invalid_value");
  // Randolph's free-marginal kappa (statsmodels' method="randolph"): chance agreement 1 / 2.
  const table = [[3, 0], [1, 2], [0, 3]];
  const pbar = (9 - 3 + (1 + 4 - 3) + 9 - 3) / (3 * 3 * 2);
  for (const method of ["randolph", "uniform"]) {
    const r = okr.fleissKappa(table, { method });
    assert.ok(close(r.kappa, (pbar - 0.5) / 0.5) && r.pExpected === 0.5, method);
  }
  assert.ok(close(okr.fleissKappa(table, {}).kappa, okr.fleissKappa(table).kappa));
  assert.ok(close(okr.fleissKappa([[3, 0], [3, 0]], { method: "randolph" }).kappa, 1));
  assert.throws(() => okr.fleissKappa(table, { method: "cohen" }),
    (e) => e.code === "invalid_input" && e.message.includes("not `cohen`"));
  assert.throws(() => okr.fleissKappa(table, { metod: "randolph" }), (e) => e.code === "invalid_input");
  const z = okr.normalize({ ratees: ["a", "b", "c", "d"], raters: ["x", "x", "y", "y"], ratings: [4, 5, 1, 2] }, { method: "zscore" });
  assert.ok(z instanceof Float64Array && close(z[0], z[2]));
});

test("calibration: 9-box, 360° feedback and the additive model", () => {
  // Cuts given: each value's tier read straight off them; counts[potential][performance].
  const grid = okr.nineBox([1, 2, 3, 3], [3, 2, 1, 3], { performanceCuts: [1.5, 2.5], potentialCuts: [1.5, 2.5] });
  assert.deepEqual(grid.cells.map((c) => [c.performance, c.potential, c.box]),
    [["low", "high", 7], ["medium", "medium", 5], ["high", "low", 3], ["high", "high", 9]]);
  assert.deepEqual(grid.cells.map((c) => c.name), ["rough diamond", "core player", "trusted professional", "star"]);
  assert.deepEqual(grid.counts, [[0, 0, 1], [0, 1, 0], [1, 0, 1]]);
  assert.deepEqual([grid.performanceCuts, grid.potentialCuts], [[1.5, 2.5], [1.5, 2.5]]);
  // Without cuts, the data's tertiles (1/3 and 2/3 quantiles, linear interpolation).
  const tertiles = okr.nineBox([1, 2, 3, 4], [4, 3, 2, 1]);
  assert.ok(close(tertiles.performanceCuts[0], 2) && close(tertiles.performanceCuts[1], 3));
  assert.match(okr.nineBoxSvg([1, 2, 3, 3], [3, 2, 1, 3], { names: ["a", "b", "c", "d"], performanceCuts: [1.5, 2.5] }), /^<svg/);
  // 360°: two peers are below the peer threshold of 3, so their group is hidden, and so is the
  // manager's (one rater), lest it be recovered from the "others" total; a threshold of 2 shows both.
  const data = { ratees: ["x", "x", "x", "x"], raters: ["x", "m", "p1", "p2"], relationships: ["self", "manager", "peer", "peer"],
    competencies: ["craft", "craft", "craft", "craft"], ratings: [5, 3, 3, 2] };
  const hidden = okr.feedback360(data);
  const peer = hidden.groups.find((g) => g.relationship === "peer");
  assert.deepEqual([peer.n, peer.mean, peer.suppressed], [2, null, "below_threshold"]);
  const summary = hidden.summaries[0];
  assert.deepEqual([summary.selfMean, summary.othersN], [5, 3]);
  assert.ok(close(summary.othersMean, 8 / 3) && close(summary.gap, 5 - 8 / 3) && summary.finding === "blind_spot");
  const shown = okr.feedback360(data, { thresholds: { peer: 2 } }).groups.find((g) => g.relationship === "peer");
  assert.deepEqual([shown.mean, shown.suppressed], [2.5, null]);
  assert.throws(() => okr.feedback360(data, { thresholds: { peers: 2 } }), (e) => e.code === "invalid_input" && /`peers`/.test(e.message));
  assert.throws(() => okr.feedback360(data, { thresholds: { peer: 1.5 } }), (e) => e.code === "invalid_input" && /whole number/.test(e.message));
  // The additive model recovers exactly additive ratings: value = 3 + ratee + rater.
  const ratee = [0, 1, 2], rater = [0, -1];
  const cols = { ratees: [], raters: [], ratings: [] };
  ratee.forEach((a, i) => rater.forEach((b, j) => { cols.ratees.push(`e${i}`); cols.raters.push(`r${j}`); cols.ratings.push(3 + a + b); }));
  const model = okr.additiveModel(cols);
  assert.ok(model.converged && model.raterComponent.every((c) => c === 0));
  assert.ok(Math.abs(model.raterEffect[1] - model.raterEffect[0] + 1) < 1e-9);
  assert.ok(Math.abs(model.rateeEffect[2] - model.rateeEffect[0] - 2) < 1e-9);
});

test("calibration: a missing rating is an error naming it, or its row is dropped with nanPolicy omit, as in Python", () => {
  const cols = { ratees: ["a", "b", "c", "a", "b", "c", "d", "e"], raters: ["x", "x", "x", "y", "y", "y", "z", "y"],
    ratings: [4, null, 5, 2, 3, NaN, NaN, 1] };
  const answered = (c) => c.ratings.map((v, i) => [v, i]).filter(([v]) => v !== null && !Number.isNaN(v)).map(([, i]) => i);
  const dropNaN = (c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, answered(c).map((i) => v[i])]));
  const [kept, dropped] = [answered(cols), dropNaN(cols)];
  assert.throws(() => okr.raterEffects(cols), (e) => e.code === "missing_value"
    && e.message === "missing value: the rating of ratee `b` by rater `x` (row 1) is NaN (the `omit` missing-value policy drops such rows)");
  for (const call of [() => okr.normalize(cols), () => okr.additiveModel(cols), () => okr.additiveModel(cols, {})]) {
    assert.throws(call, (e) => e.code === "missing_value");
  }
  const omit = { nanPolicy: "omit" };
  // Rater z gave only NaN: it is not listed, as with the rows taken out first.
  assert.deepEqual(okr.raterEffects(cols, omit), okr.raterEffects(dropped));
  assert.deepEqual(okr.raterEffects(cols, omit).map((e) => e.rater), ["x", "y"]);
  assert.deepEqual(okr.additiveModel(cols, omit), okr.additiveModel(dropped));
  for (const method of ["zscore", "percentile", "additive"]) {
    const full = okr.normalize(cols, { method, nanPolicy: "omit" });
    const short = okr.normalize(dropped, { method });
    assert.equal(full.length, 8, method);
    assert.deepEqual(kept.map((i) => full[i]), Array.from(short), method);
    assert.deepEqual([1, 5, 6].map((i) => Number.isNaN(full[i])), [true, true, true], method);
  }
  // A blank 360° answer counts toward no anonymity threshold.
  const answers = { ratees: ["p", "p", "p", "p"], raters: ["p", "m", "q1", "q2"], relationships: ["self", "manager", "peer", "peer"],
    competencies: ["c", "c", "c", "c"], ratings: [4, 3, null, 2] };
  const fb = okr.feedback360(answers, { nanPolicy: "omit", thresholds: { peer: 2 } });
  assert.deepEqual(fb.groups.find((g) => g.relationship === "peer").n, 1);
  assert.deepEqual(fb, okr.feedback360(dropNaN(answers), { thresholds: { peer: 2 } }));
  assert.throws(() => okr.feedback360(answers), (e) => e.code === "missing_value" && /rater `q1` \(row 2\)/.test(e.message));
  // Infinities are never missing; an unknown policy is named.
  assert.throws(() => okr.normalize({ ...cols, ratings: [1, 2, 3, 4, 5, 6, Infinity, NaN] }, omit),
    (e) => e.code === "non_finite" && e.message === "`row 6` has non-finite rating `inf`");
  assert.throws(() => okr.raterEffects(cols, { nanPolicy: "propagate" }),
    (e) => e.code === "invalid_input" && e.message.includes("nanPolicy must be `raise` or `omit`, not `propagate`"));
});

test("calibration: NaN and infinities come back as numbers, as in Rust and Python", () => {
  const long = (scores) => ({ targets: [1, 1, 2, 2, 3, 3], raters: [1, 2, 1, 2, 1, 2], ratings: scores });
  // Raters who agree exactly: ICC 1 with an infinite F (p 0); no variance at all: NaN (pingouin's values).
  const exact = okr.intraclassCorr(long([1, 1, 2, 2, 3, 3]), {});
  assert.deepEqual(exact.map((r) => [r.icc, r.f, r.pval]), Array(6).fill([1, Infinity, 0]));
  assert.deepEqual(exact.map((r) => r.ci95.map(Number.isNaN)), [[true, true], [true, true], [true, true], [false, false], [true, true], [false, false]]);
  const flat = okr.intraclassCorr(long([2, 2, 2, 2, 2, 2]), {});
  assert.ok(flat.every((r) => Number.isNaN(r.icc) && Number.isNaN(r.f) && Number.isNaN(r.pval)));
  // One rating gives a rater no sd; a rating where the target share is 0, an infinite χ².
  const effects = okr.raterEffects({ ratees: ["a", "b", "c"], raters: ["x", "x", "y"], ratings: [1, 2, 3] });
  assert.deepEqual(effects.map((e) => [e.rater, Number.isNaN(e.sd), e.shrunkLeniency !== undefined]), [["x", false, true], ["y", true, true]]);
  const d = okr.distribution([1, 2, 2, 2], { categories: [1, 2], shares: [0, 1] });
  assert.deepEqual([d.overall.chi2, d.overall.pval, d.overall.flagged], [Infinity, 0, true]);
  // Options of the wrong length are named as given.
  assert.throws(() => okr.distribution([1, 2], { categories: [1, 2], shares: [0.5, 0.5], groups: ["a"] }),
    (e) => e.code === "length_mismatch" && e.message === "column `groups` of ratings has 1 rows, expected 2");
  assert.throws(() => okr.intraclassCorr({ targets: [1, 2], raters: [1], ratings: [1, 2] }, {}),
    (e) => e.code === "length_mismatch" && e.message === "column `raters` of ratings has 1 rows, expected 2");
});

test("distribution: ratings as labels count as the numbers they stand for, as in Python", () => {
  const scale = ["Below", "Meets", "Exceeds"];
  const numbers = [2, 2, 3, 1, 2, 3, 2, 2];
  const groups = ["a", "b", "a", "b", "a", "b", "a", "b"];
  const shares = [0.2, 0.6, 0.2];
  const byNumber = okr.distribution(numbers, { categories: [1, 2, 3], shares, groups });
  // Categories listed out of alphabetical order keep the caller's order.
  const byLabel = okr.distribution(numbers.map((v) => scale[v - 1]), { categories: scale, shares, groups });
  assert.deepEqual(byLabel, byNumber);
  assert.deepEqual(byLabel.overall.observed, [1, 5, 2]);
  assert.throws(() => okr.distribution(["Meets", "Great"], { categories: scale, shares }),
    (e) => e.code === "invalid_value" && e.message === "`row 1` has invalid rating: `Great` is not one of the categories");
  assert.throws(() => okr.distribution(["Meets", null], { categories: scale, shares }),
    (e) => e.code === "invalid_input" && e.message === "invalid input: `ratings`: row 1 is null");
  assert.throws(() => okr.distribution([1, 2], { categories: scale, shares }),
    (e) => e.code === "invalid_input" && /`ratings`: row 0 is neither a string nor null/.test(e.message));
  assert.throws(() => okr.distribution(["a", "b"], { categories: ["a", "b", "a"], shares: [0.5, 0.25, 0.25] }),
    (e) => e.code === "invalid_value" && e.message === "`target` has invalid categories: category `a` is listed twice");
  const svg = okr.distributionSvg(numbers.map((v) => scale[v - 1]), { categories: scale, shares });
  assert.ok(scale.every((label) => svg.includes(`>${label}</text>`)), svg);
});

test("raterEffects: when a rater is flagged is set by zThreshold and minRatings, as in Python", () => {
  // Rater x rates 4s and 5s, y and z 1s to 3s: x is lenient by 3.5 standard errors, y and z
  // severe by 1.7 (the z-scores Python gives for the same data).
  const data = {
    ratees: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    raters: ["x", "x", "x", "y", "y", "y", "z", "z", "z"],
    ratings: [5, 5, 4, 1, 2, 3, 2, 3, 1],
  };
  const flags = (options) => okr.raterEffects(data, options).map((e) => e.flag);
  assert.deepEqual(flags(), ["lenient", null, null]);
  assert.deepEqual(flags({ zThreshold: 5 }), [null, null, null]);
  assert.deepEqual(flags({ minRatings: 4 }), [null, null, null]);
  assert.deepEqual(flags({ zThreshold: 1, minRatings: 3 }), ["lenient", "severe", "severe"]);
  assert.throws(() => okr.raterEffects(data, { zThreshold: -1 }),
    (e) => e.code === "invalid_input" && e.message.includes("z threshold of rater effects must be a finite number ≥ 0, not `-1`"));
  assert.throws(() => okr.raterEffects(data, { minRatings: 1.5 }), (e) => e.code === "invalid_input" && e.message.includes("`minRatings`"));
  assert.throws(() => okr.raterEffects(data, { zthreshold: 1 }), (e) => e.code === "invalid_input" && e.message.includes("`zthreshold`"));
});

test("README JavaScript example", () => {
  const text = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const blocks = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length > 0, "the README has no JavaScript example");
  for (const block of blocks) {
    const code = block.replaceAll('require("okr-wasm")', `require(${JSON.stringify(path.join(__dirname, "..", "pkg"))})`);
    new Function("require", "assert", code)(require, assert);
  }
});

test("lint, events, systemic view, confidence calibration and review packets", () => {
  const plan = Plan.fromJson(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
  for (const f of plan.lint({ asOf: "2026-02-15" })) assert.deepEqual(Object.keys(f).sort(), ["code", "id", "message", "severity"]);
  const before = plan.scoreReport({ asOf: "2026-01-12" });
  const after = plan.scoreReport({ asOf: "2026-02-15" });
  const evs = okr.events(before, after);
  assert.ok(evs.length > 0 && evs.every((e) => ["achieved", "status_changed", "confidence_dropped", "became_stale"].includes(e.kind)));
  const rows = after.systemic();
  assert.ok(rows.every((r) => r.flagged === r.share > 0.3) && rows.some((r) => r.groupBy === "team"));
  assert.deepEqual(plan.confidenceCalibration({ asOf: "2026-02-15" }), []);
  const { packet, markdown } = plan.reviewPacket("rep-3", { asOf: "2026-02-15" });
  assert.deepEqual(packet.objectives.map((o) => o.id), ["rep-3"]);
  assert.ok(markdown.startsWith("# Review packet: rep-3"));
  assert.throws(() => plan.reviewPacket("nobody", { asOf: "2026-02-15" }), (e) => e.code === "unknown_id");
  // With 360° ratings, as in Python: feedback under the anonymity rules; a blank answer is
  // named, or dropped under nanPolicy "omit" (one peer fewer).
  const answers = { ratees: Array(5).fill("rep-3"), raters: ["a", "b", "c", "d", "e"], ratings: [2, 3, 3, 2, 4],
    relationships: ["self", "manager", "peer", "peer", "peer"], competencies: Array(5).fill("selling") };
  const full = plan.reviewPacket("rep-3", { asOf: "2026-02-15", ratings: answers }).packet;
  assert.equal(full.feedback[0].othersN, 4);
  assert.deepEqual(full.feedbackGroups.map((g) => [g.relationship, g.n]), [["self", 1], ["manager", 1], ["peer", 3]]);
  assert.equal(full.calibration.ratings, 5);
  const blank = { ...answers, ratings: [2, 3, null, 2, 4] };
  assert.throws(() => plan.reviewPacket("rep-3", { asOf: "2026-02-15", ratings: blank }),
    (e) => e.code === "missing_value" && e.message.includes("the rating of ratee `rep-3` by rater `c` (row 2) is NaN"));
  const omitted = plan.reviewPacket("rep-3", { asOf: "2026-02-15", ratings: blank, nanPolicy: "omit" }).packet;
  assert.equal(omitted.feedback[0].othersN, 3);
  // The packet has no policy to override: a `policy` option is refused, not silently ignored.
  assert.throws(() => plan.reviewPacket("rep-3", { asOf: "2026-02-15", policy: { cap: 1 } }),
    (e) => e.code === "invalid_input" && e.message.includes("`policy`"));
  // A check-in after the cycle's end: counted, or ignored under the policy, and lint says which.
  const late = new Plan({
    policy: { late_check_ins: "ignore" },
    cycles: [{ id: "q", start: "2026-01-01", end: "2026-03-31" }],
    objectives: [{ id: "o", cycle: "q", key_results: [{ id: "k", kind: "linear", start: 0, target: 10,
      check_ins: [{ date: "2026-03-20", value: 6 }, { date: "2026-04-10", value: 9 }] }] }],
  });
  assert.equal(late.score({ asOf: "2026-05-01" }).nodes[1].value, 6);
  assert.equal(late.score({ asOf: "2026-05-01", policy: { late_check_ins: "count" } }).nodes[1].value, 9);
  assert.deepEqual(late.lint().filter((f) => f.code === "late-check-in").map((f) => [f.severity, f.id]), [["info", "k"]]);
});

test("charts as SVG", () => {
  const plan = Plan.fromJson(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
  const report = plan.scoreReport({ asOf: "2026-02-15" });
  const tree = report.alignmentSvg();
  // Every node has a row (nodes with several parents are also referenced under the others).
  assert.equal(new Set([...tree.matchAll(/data-node-id="([^"]+)"/g)].map((m) => m[1])).size, report.length);
  assert.match(report.burnupSvg("kr-arr"), /class="check-in"/);
  assert.throws(() => report.burnupSvg("co-revenue"), (e) => e.code === "invalid_value");
  assert.match(report.toDot(), /^digraph/);
  assert.match(okr.distributionSvg([1, 2, 3, 3], { categories: [1, 2, 3], shares: [0.25, 0.25, 0.5] }), /class="observed"/);
  assert.equal((okr.nineBoxSvg([1, 2, 3], [3, 2, 1], { names: ["a", "b", "c"] }).match(/class="cell"/g) || []).length, 9);
});

// The declarations in types.d.ts, read as text: each interface's property names, and which of
// them are optional. Nested object types are skipped, their own keys checked where they have
// an interface of their own.
function declared() {
  const text = fs.readFileSync(path.join(__dirname, "..", "src", "types.d.ts"), "utf8").replace(/\/\*\*[\s\S]*?\*\//g, "");
  const out = {};
  for (const m of text.matchAll(/export interface (\w+) \{/g)) {
    let depth = 1, i = m.index + m[0].length, body = "";
    for (; depth > 0; i++) {
      const c = text[i];
      depth += c === "{" ? 1 : c === "}" ? -1 : 0;
      if (depth === 1 && c !== "}") body += c;
      else if (depth === 1) body += " ";
    }
    const props = {};
    for (const p of body.matchAll(/(\w+)(\??):/g)) props[p[1]] = p[2] === "?";
    out[m[1]] = props;
  }
  return out;
}

test("the TypeScript declarations name every key the outputs carry, and the outputs every required one", () => {
  const types = declared();
  const plan = Plan.fromJson(fs.readFileSync(path.join(ROOT, "examples", "acme.json"), "utf8"));
  const asOf = { asOf: "2026-02-15" };
  const report = plan.score(asOf);
  const ids = report.nodes.map((n) => n.id);
  const long = { targets: [1, 1, 2, 2, 3, 3], raters: ["a", "b", "a", "b", "a", "b"], ratings: [1, 2, 2, 3, 3, 5] };
  const ratings = { ratees: ["x", "y", "z", "x", "y", "z"], raters: ["m", "m", "m", "n", "n", "n"], ratings: [1, 2, 3, 2, 2, 4] };
  const dist = okr.distribution([1, 2, 3, 3], { categories: [1, 2, 3], shares: [0.2, 0.5, 0.3], groups: ["a", "a", "b", "b"] });
  const earlier = plan.scoreReport({ asOf: "2026-01-20" });
  const feedback = okr.feedback360({ ratees: ["x", "x", "x"], raters: ["x", "m", "p"], relationships: ["self", "manager", "peer"],
    competencies: ["c", "c", "c"], ratings: [4, 3, 2] });
  const packetWithFeedback = plan.reviewPacket("rep-3", { ...asOf, ratings: { ratees: ["rep-3", "rep-3", "rep-3"], raters: ["rep-3", "m", "p"],
    relationships: ["self", "manager", "peer"], competencies: ["c", "c", "c"], ratings: [4, 3, 2] } }).packet;
  const samples = {
    ScoreReport: [report],
    NodeScore: report.nodes,
    Forecast: report.nodes.map((n) => n.forecast).filter((f) => f && "n" in f),
    Explanation: ids.map((id) => plan.explain(id, asOf)),
    Contribution: ids.flatMap((id) => plan.explain(id, asOf).contributors),
    LineOfSight: ids.map((id) => plan.lineOfSight(id)),
    IccRow: okr.intraclassCorr(long),
    CohenKappa: [okr.cohenKappa([1, 2, 3, 1], [1, 2, 2, 1])],
    FleissKappa: [okr.fleissKappa([[1, 2], [2, 1], [3, 0]])],
    KendallW: [okr.kendallW([[1, 2, 3], [1, 3, 2]])],
    RaterEffect: okr.raterEffects(ratings),
    DistributionReport: [dist],
    DistributionFit: [dist.overall, ...dist.groups.map(([, fit]) => fit)],
    Finding: plan.lint(asOf),
    OkrEvent: okr.events(earlier, plan.scoreReport(asOf)),
    SystemicRow: plan.scoreReport(asOf).systemic(),
    ReportColumns: [plan.scoreReport(asOf).columns()],
    NineBox: [okr.nineBox([1, 2, 3], [3, 2, 1])],
    NineBoxCell: okr.nineBox([1, 2, 3], [3, 2, 1]).cells,
    Feedback360: [feedback],
    FeedbackGroup: [...feedback.groups, ...packetWithFeedback.feedbackGroups],
    FeedbackSummary: [...feedback.summaries, ...packetWithFeedback.feedback],
    AdditiveModel: [okr.additiveModel(ratings)],
    ReviewPacket: [plan.reviewPacket("rep-3", asOf).packet, packetWithFeedback],
    PlanDocument: [plan.toDocument()],
    ObjectiveSpec: plan.toDocument().objectives,
    KeyResultSpec: plan.toDocument().objectives.flatMap((o) => o.key_results || []),
    Alignment: plan.toDocument().objectives.flatMap((o) => o.parents || []),
  };
  for (const [name, objects] of Object.entries(samples)) {
    const props = types[name];
    assert.ok(props, `no interface ${name}`);
    assert.ok(objects.length > 0, `no sample of ${name}`);
    const seen = new Set(objects.flatMap((o) => Object.keys(o)));
    for (const key of seen) assert.ok(key in props, `${name} lacks a declaration of \`${key}\``);
    for (const [key, optional] of Object.entries(props)) {
      if (!optional) assert.ok(objects.every((o) => key in o), `${name}.${key} is declared required but missing`);
    }
  }
});

test("the .wasm stays within 1 MB after wasm-opt -Oz", () => {
  const size = fs.statSync(path.join(__dirname, "..", "pkg", "okr_wasm_bg.wasm")).size;
  assert.ok(size <= 1_000_000, `${size} bytes`);
});
