// Times okr-wasm on an organisation written by peers.py: node node_score.cjs PKG ORG.json AS_OF REPEAT
// Prints JSON: fromColumns from plain arrays (as JSON.parse gives them), from typed arrays and
// with the ids as text (`o-17`), all after a first build has grown the module's memory, and the
// median scoring time.
const fs = require("node:fs");
const [pkg, file, asOf, repeat] = process.argv.slice(2);
const { Plan } = require(pkg);
const plain = JSON.parse(fs.readFileSync(file, "utf8"));
const typed = structuredClone(plain);
typed.objectives.id = Int32Array.from(plain.objectives.id);
typed.keyResults.id = Int32Array.from(plain.keyResults.id);
typed.keyResults.objective = Int32Array.from(plain.keyResults.objective);
for (const c of ["start", "target", "threshold", "current", "weight"]) typed.keyResults[c] = Float64Array.from(plain.keyResults[c]);
typed.alignments.child = Int32Array.from(plain.alignments.child);
typed.alignments.parent = Int32Array.from(plain.alignments.parent);
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const seconds = (t) => Number(process.hrtime.bigint() - t) / 1e9;
const build = (columns) => {
  const t = process.hrtime.bigint();
  const plan = Plan.fromColumns(columns);
  return [plan, seconds(t)];
};
build(plain)[0].free(); // grows the module's memory once, as any first large plan does
const [fromPlain, buildPlain] = build(plain);
fromPlain.free();
const [plan, buildTyped] = build(typed);
const times = [];
let sum = 0;
for (let i = 0; i < Number(repeat); i++) {
  const t = process.hrtime.bigint();
  const report = plan.scoreReport({ asOf });
  times.push(seconds(t));
  if (i === 0) sum = report.scores().reduce((a, b) => a + b, 0);
  report.free();
}
plan.free();
// Last, so that its strings do not weigh on the garbage collector during the other builds.
// Text ids, as most platforms keep them: every id column as strings with a prefix.
const text = structuredClone(plain);
const prefixed = (xs) => xs.map((x) => `o-${x}`);
text.objectives.id = prefixed(plain.objectives.id);
text.keyResults.id = prefixed(plain.keyResults.id);
text.keyResults.objective = prefixed(plain.keyResults.objective);
text.alignments.child = prefixed(plain.alignments.child);
text.alignments.parent = prefixed(plain.alignments.parent);
const [fromText, buildText] = build(text);
const textReport = fromText.scoreReport({ asOf });
const textSum = textReport.scores().reduce((a, b) => a + b, 0);
process.stdout.write(JSON.stringify({ buildPlain, buildTyped, buildText, score: median(times), sum, textSum }));
