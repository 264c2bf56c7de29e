// The npm package installed from its tarball (`make test-wasm`): node installed.cjs DIR, where
// DIR has okr-wasm in node_modules. Checks that the published files are enough to load the
// module and build a plan from plain-array columns (which runs the package's JS snippets).
const assert = require("node:assert/strict");
const path = require("node:path");

const dir = process.argv[2];
const entry = require.resolve("okr-wasm", { paths: [dir] });
assert.ok(entry.startsWith(path.resolve(dir)), `okr-wasm resolved outside the install: ${entry}`);
const { Plan } = require(entry);
const plan = Plan.fromColumns({
  objectives: { id: ["grow"], cycle: ["q1"] },
  keyResults: { id: ["arr"], objective: ["grow"], kind: ["linear"], start: [10], target: [14], current: [12] },
  cycles: [{ id: "q1", start: "2026-01-01", end: "2026-03-31" }],
});
const grow = plan.score({ asOf: "2026-02-15" }).nodes.find((n) => n.id === "grow");
assert.equal(grow.score, 0.5);
assert.equal(grow.status, "on_track");
console.log(`okr-wasm from its npm tarball: ${entry}`);
