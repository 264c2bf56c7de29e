// Times okr-wasm on an organisation written by peers.py: node node_score.cjs PKG ORG.json AS_OF REPEAT
const fs = require("node:fs");
const [pkg, file, asOf, repeat] = process.argv.slice(2);
const { Plan } = require(pkg);
const org = JSON.parse(fs.readFileSync(file, "utf8"));
org.objectives.id = Int32Array.from(org.objectives.id);
org.keyResults.id = Int32Array.from(org.keyResults.id);
org.keyResults.objective = Int32Array.from(org.keyResults.objective);
for (const c of ["start", "target", "threshold", "current", "weight"]) org.keyResults[c] = Float64Array.from(org.keyResults[c]);
org.alignments.child = Int32Array.from(org.alignments.child);
org.alignments.parent = Int32Array.from(org.alignments.parent);
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
let t = process.hrtime.bigint();
const plan = Plan.fromColumns(org);
const build = Number(process.hrtime.bigint() - t) / 1e9;
const times = [];
let sum = 0;
for (let i = 0; i < Number(repeat); i++) {
  t = process.hrtime.bigint();
  const report = plan.scoreReport({ asOf });
  times.push(Number(process.hrtime.bigint() - t) / 1e9);
  if (i === 0) sum = report.scores().reduce((a, b) => a + b, 0);
  report.free();
}
process.stdout.write(JSON.stringify({ build, score: median(times), sum }));
