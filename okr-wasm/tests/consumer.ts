// A TypeScript consumer of the package: `tsc --noEmit --strict` checks the declarations.
import { Plan, intraclassCorr, krippendorffAlpha, cohenKappa, fleissKappa, kendallW, raterEffects, normalize, additiveModel, type ScoreReport, type NodeScore, type Explanation, type ReportColumns, type Status, type PlanDocument } from "../pkg/okr_wasm";

const plan: Plan = Plan.fromJson('{"objectives": []}');
const doc = new Plan({
  cycles: [{ id: "q1", start: "2026-01-01", end: "2026-03-31" }],
  objectives: [
    { id: "o", cycle: "q1", key_results: [{ id: "k", kind: "linear", start: 0, target: 10, current: 5 }] },
    { id: 7, cycle: "q1", parents: [{ id: "o" }], key_results: [{ id: 70, kind: "binary", current: 1 }] },
  ],
});
const report: ScoreReport = doc.score({ asOf: "2026-02-15", policy: { cap: 1.5 } });
const first: NodeScore | undefined = report.nodes[0];
const status: "achieved" | "not_started" | "on_track" | "at_risk" | "off_track" | "unscheduled" | undefined = first?.status;
const explanation: Explanation = doc.explain("o", { asOf: "2026-02-15" });
const share: number | undefined = explanation.contributors[0]?.share;
const left: boolean | undefined = doc.explain("o", { asOf: "2026-02-15", policy: { no_data: "exclude", late_check_ins: "ignore" } }).contributors[0]?.hasData;
const cols = Plan.fromColumns({
  objectives: { id: new BigInt64Array([1n]) },
  keyResults: { id: [10], objective: [1], kind: ["binary"], current: new Float64Array([1]) },
});
const live = cols.scoreReport({ asOf: "2026-01-01" });
const written: PlanDocument = cols.toDocument();
const again: Plan = new Plan(written);
const scores: Float64Array = live.scores();
const picked: ReportColumns = live.columns(["id", "score", "status"]);
const firstStatus: Status | undefined = picked.status?.[0];
const rows = intraclassCorr({ targets: [1, 1, 2, 2], raters: ["a", "b", "a", "b"], ratings: [1, 2, 3, 4] }, {});
const icc: number | undefined = rows[0]?.icc;
const alpha: number = krippendorffAlpha([[1, 2, null], [1, 2, 3]], { level: "nominal" });
const kappa: number = cohenKappa([1, 2], [1, 2], { weights: "linear" }).kappa;
const weighted: number = cohenKappa([1, 2], [1, 2], { sampleWeight: new Float64Array([1, 2]) }).se;
const randolph: number = fleissKappa([[1, 1], [2, 0]], { method: "randolph" }).kappa;
const byDate: ScoreReport = doc.score({ asOf: new Date(2026, 1, 15) });
const flag: "lenient" | "severe" | null | undefined = raterEffects({ ratees: [1, 2], raters: ["a", "a"], ratings: [1, 2] }, { zThreshold: 2.5, minRatings: 5 })[0]?.flag;
// A missing rating: an error by default, its row dropped with `nanPolicy: "omit"`.
const normalized: Float64Array = normalize({ ratees: [1, 2], raters: ["a", "a"], ratings: [1, NaN] }, { method: "zscore", nanPolicy: "omit" });
const raterEffect: number = additiveModel({ ratees: [1, 2], raters: ["a", "b"], ratings: [1, 2] }, { nanPolicy: "raise" }).raterEffect[0];
const othersN: number | undefined = doc.reviewPacket("o", { asOf: "2026-02-15", nanPolicy: "omit", ratings: { ratees: ["o"], raters: ["m"], ratings: [3], relationships: ["manager"], competencies: ["c"] } }).packet.feedback[0]?.othersN;
export const used = [othersN, plan.length, status, share, left, scores.length, icc, alpha, kappa, firstStatus, weighted, randolph, byDate, flag, normalized, raterEffect];
// Options objects may be left out.
export const defaults = [new Plan({}).score(), kendallW([[1, 2], [2, 1]]), krippendorffAlpha([[1, 2], [1, 2]])];
