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
