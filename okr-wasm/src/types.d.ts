/** A key-result kind. */
export type KeyResultKind = "linear" | "at_least" | "at_most" | "range" | "binary" | "milestones" | "piecewise" | "manual" | "rollup" | "aggregate";
/** Which contributors drive an objective's score. */
export type ProgressDriver = "auto" | "key_results" | "children" | "both";
/** Status against the pace the cycle expects. */
export type Status = "achieved" | "not_started" | "on_track" | "at_risk" | "off_track" | "unscheduled";
/** Grade band. */
export type Grade = "red" | "yellow" | "green";

/** Scoring policy (the document's snake_case keys); every setting has a default. */
export interface Policy {
  /** Whether key-result scores are clamped to [floor, cap]. Default true. */
  clamp?: boolean;
  /** Lowest key-result score. Default 0. */
  floor?: number;
  /** Highest key-result score. Default 1. */
  cap?: number;
  /** Plan-wide default progress driver. Default "auto". */
  progress?: ProgressDriver;
  /** What a contributor without data counts for in its objective's (or rollup key result's)
   * weighted mean: "zero" (its weight, at score 0) or "exclude" (nothing, until it has data).
   * Default "zero". */
  no_data?: "zero" | "exclude";
  /** Whether a check-in (or a milestone's done_on) dated after its key result's cycle ended
   * counts in a later report ("count") or is ignored ("ignore": the key result is read as of
   * its cycle's last day, so a closed cycle's scores stay as they were). Default "count". */
  late_check_ins?: "count" | "ignore";
  /** Score from which a node is achieved. Default 1. */
  achieved_at?: number;
  /** Largest shortfall behind expected progress still on track. Default 0.10. */
  on_track_gap?: number;
  /** Largest shortfall behind expected progress at risk (beyond: off track). Default 0.25. */
  at_risk_gap?: number;
  /** Score from which the grade is yellow. Default 0.4. */
  yellow_from?: number;
  /** Score from which the grade is green. Default 0.7. */
  green_from?: number;
  /** Days without a check-in after which a started key result is stale. Default 14. Days after the end of its cycle do not count. */
  stale_after_days?: number;
  /** End score that counts as success (forecasts, confidence calibration). Default 0.7. */
  success_at?: number;
  /** Latest confidence below which a key result signals low_confidence. Default 0.5. */
  low_confidence_below?: number;
  /** Fall in confidence between the last two check-ins that signals confidence_drop. Default 0.2. */
  confidence_drop?: number;
  /** Share of a team's key results at risk or off track from which it is flagged as systemic. Default 0.3. */
  systemic_share?: number;
  /** Key results per objective beyond which lint warns. Default 5. */
  max_key_results?: number;
  /** Objectives per owner and cycle beyond which lint warns. Default 5. */
  max_objectives_per_owner?: number;
  /** Alignment edges below a root beyond which lint warns. Default 5. */
  max_cascade_depth?: number;
}

/** A plan document: the JSON interchange format shared by Rust, Python and JavaScript. Dates
 * are YYYY-MM-DD strings, or `Date`s (each its calendar day where the code runs) in `new Plan`. */
export interface PlanDocument {
  cycles?: { id: DocumentId; start: string | Date; end: string | Date }[];
  objectives?: ObjectiveSpec[];
  policy?: Policy;
  /** The scale check-in confidences are given on, [low, high] (such as [1, 10]): each is mapped
   * linearly onto [0, 1], where reports give it. Default [0, 1]. */
  confidence_scale?: [number, number];
}
/** An id in a document: text, or an integer, which reads as its decimal text (`7` and `"7"` are
 * one id, and reports give it as `"7"`). */
export type DocumentId = string | number;
export interface Alignment { id: DocumentId; weight?: number }
export interface ObjectiveSpec {
  id: DocumentId;
  title?: string | null;
  owner?: string | null;
  cycle?: DocumentId | null;
  level?: string | null;
  note?: string | null;
  progress?: ProgressDriver | null;
  parents?: Alignment[];
  key_results?: KeyResultSpec[];
}
export interface KeyResultSpec {
  id: DocumentId;
  kind: KeyResultKind;
  title?: string | null;
  owner?: string | null;
  note?: string | null;
  weight?: number;
  start?: number | null;
  target?: number | null;
  threshold?: number | null;
  strict?: boolean;
  low?: number | null;
  high?: number | null;
  current?: number | null;
  milestones?: { name: string; weight?: number; done_on?: string | Date | null }[];
  points?: [number, number][];
  op?: "sum" | "mean" | "min" | "max" | null;
  parents?: Alignment[];
  check_ins?: { date: string | Date; value?: number | null; confidence?: number | null; done?: boolean | null; note?: string | null }[];
}

/** A column of ids: integers (an Int32Array, a BigInt64Array as Apache Arrow gives int64
 * columns, a Float64Array of whole numbers, or an array of them) or text. In an array mixing the
 * two, a whole number reads as its decimal text. */
export type IdArray = Int32Array | BigInt64Array | Float64Array | (number | string)[];

/** Columns of `Plan.fromColumns`: typed arrays or arrays, one entry per row. */
export interface PlanColumns {
  objectives: { id: IdArray; cycle?: (string | null)[]; owner?: (string | null)[]; level?: (string | null)[]; title?: (string | null)[]; progress?: (ProgressDriver | null)[] };
  keyResults: {
    id: IdArray;
    objective: IdArray;
    kind: KeyResultKind[];
    weight?: Float64Array | (number | null)[];
    start?: Float64Array | (number | null)[];
    target?: Float64Array | (number | null)[];
    threshold?: Float64Array | (number | null)[];
    strict?: boolean[];
    low?: Float64Array | (number | null)[];
    high?: Float64Array | (number | null)[];
    current?: Float64Array | (number | null)[];
    op?: ("sum" | "mean" | "min" | "max" | null)[];
    title?: (string | null)[];
    owner?: (string | null)[];
  };
  alignments?: { child: IdArray; parent: IdArray; weight?: Float64Array | (number | null)[] };
  checkIns?: { keyResult: IdArray; date: (string | Date)[]; value?: Float64Array | (number | null)[]; confidence?: Float64Array | (number | null)[] };
  cycles?: { id: DocumentId; start: string | Date; end: string | Date }[];
  policy?: Policy;
  /** The scale of `checkIns.confidence`, [low, high], mapped onto [0, 1] (see `PlanDocument`). */
  confidenceScale?: [number, number];
}

/** Options of `score`, `scoreReport` and `explain`. */
export interface ScoreOptions {
  /** YYYY-MM-DD or an ISO 8601 date and time (the day it is written in: `toISOString()`'s is
   * the UTC day), or a `Date` (its local calendar day, as `getDate()` reads it); today by default. */
  asOf?: string | Date;
  /** Policy settings overriding the plan's. */
  policy?: Policy;
}

/** One node's line of a report. */
export interface NodeScore {
  id: string;
  type: "objective" | "key_result";
  kind?: KeyResultKind;
  objective?: string;
  score: number;
  expected: number | null;
  status: Status;
  grade: Grade;
  hasData: boolean;
  value: number | null;
  /** The latest stated confidence, for key results with check-ins. */
  confidence?: number;
  signals: ("stale" | "low_confidence" | "confidence_drop" | "behind_pace" | "forecast_miss")[];
  /** A key result's forecast, or an objective's rolled-up forecast score. */
  forecast?: Forecast | { score: number };
}
/** Where a key result is heading at the end of its cycle. */
export interface Forecast { value: number; score: number; low: number; high: number; pTarget: number; pSuccess: number; n: number }
/** A scored plan. */
export interface ScoreReport { asOf: string; nodes: NodeScore[] }
/** A column of `Report.columns`. */
export type ReportColumnName = "id" | "type" | "kind" | "objective" | "score" | "expected" | "status" | "grade" | "hasData" | "value" | "confidence" | "forecastScore" | "signals";
/** Columns of a report, in input order: those asked for (all by default). */
export interface ReportColumns {
  id?: string[];
  type?: ("objective" | "key_result")[];
  /** `null` for objectives. */
  kind?: (KeyResultKind | null)[];
  /** A key result's objective; `null` for objectives. */
  objective?: (string | null)[];
  score?: Float64Array;
  /** NaN without a cycle. */
  expected?: Float64Array;
  status?: Status[];
  grade?: Grade[];
  hasData?: boolean[];
  /** NaN where there is no value. */
  value?: Float64Array;
  /** NaN where there is no stated confidence. */
  confidence?: Float64Array;
  /** NaN where there is no forecast. */
  forecastScore?: Float64Array;
  /** Signal names joined by commas, `""` for none. */
  signals?: string[];
}

export interface Contribution {
  id: string;
  type: "objective" | "key_result";
  relation: "key_result" | "aligned";
  weight: number;
  score: number;
  value: number | null;
  /** Whether the contributor has data. */
  hasData: boolean;
  /** Whether the node's score counts it: its progress driver does and, under
   * `no_data: "exclude"`, it has data. */
  counted: boolean;
  share: number;
  contribution: number;
}
export interface Explanation {
  id: string;
  type: "objective" | "key_result";
  kind?: KeyResultKind;
  driver?: ProgressDriver;
  score: number;
  hasData: boolean;
  value: number | null;
  contributors: Contribution[];
  formula: string;
}
export interface LineOfSight {
  id: string;
  ancestors: { id: string; share: number; distance: number }[];
  companyObjectives: string[];
}

/** Long-format ratings for the ICC. */
export interface LongRatings { targets: IdArray; raters: IdArray; ratings: Float64Array | (number | null)[] }
/** Long-format ratings for rater effects and normalisation. */
export interface RatingsColumns { ratees: IdArray; raters: IdArray; ratings: Float64Array | number[] }
export interface IccRow { type: "ICC1" | "ICC2" | "ICC3" | "ICC1k" | "ICC2k" | "ICC3k"; description: string; icc: number; f: number; df1: number; df2: number; pval: number; ci95: [number, number] }
export interface CohenKappa { kappa: number; pObserved: number; pExpected: number; se: number; se0: number; ci95: [number, number]; z: number; pval: number; n: number }
export interface FleissKappa { kappa: number; pObserved: number; pExpected: number }
export interface KendallW { W: number; chisq: number; df: number; pval: number }
export interface RaterEffect { rater: string; n: number; mean: number; /** NaN from a single rating. */ sd: number; leniency: number; se: number; shrunkLeniency: number; z: number; flag: "lenient" | "severe" | null }
export interface DistributionFit { n: number; observed: number[]; expected: number[]; /** Infinity when a category whose share is 0 is used. */ chi2: number; df: number; pval: number; tvd: number; flagged: boolean }
export interface DistributionReport { overall: DistributionFit; groups: [string, DistributionFit][] }
export interface NineBoxCell { performance: "low" | "medium" | "high"; potential: "low" | "medium" | "high"; /** 1 (low, low) to 9 (high, high). */ box: number; name: string }
export interface NineBox { cells: NineBoxCell[]; /** counts[potential][performance], low to high. */ counts: number[][]; performanceCuts: [number, number]; potentialCuts: [number, number] }
/** Long-format 360° ratings: one row per rating. */
export interface FeedbackColumns { ratees: IdArray; raters: IdArray; relationships: string[]; competencies: string[]; ratings: Float64Array | number[] }
/** Minimum raters for a group to be shown, by relationship (defaults: self 1, manager 1, peer 3, direct_report 3, other 3). */
export interface FeedbackThresholds { self?: number; manager?: number; peer?: number; direct_report?: number; other?: number }
export interface FeedbackGroup { ratee: string; competency: string; relationship: string; n: number; mean: number | null; sd: number | null; suppressed: "below_threshold" | "complementary" | null }
export interface FeedbackSummary { ratee: string; competency: string; selfMean: number | null; othersN: number; othersMean: number | null; gap: number | null; finding: "blind_spot" | "hidden_strength" | null }
export interface Feedback360 { groups: FeedbackGroup[]; summaries: FeedbackSummary[] }
export interface AdditiveModel { ratees: string[]; rateeEffect: number[]; raters: string[]; raterEffect: number[]; raterComponent: number[]; componentMean: number[]; iterations: number; converged: boolean }
export interface Finding { code: "no-key-results" | "too-many-key-results" | "too-many-objectives" | "orphan" | "deep-cascade" | "task-like" | "cycle-outside-parent" | "no-check-in" | "late-check-in" | "missing-owner" | "grade-out-of-range" | "empty-rollup" | "ignored-alignment" | "empty-driver"; severity: "warning" | "info"; id: string; message: string }
export interface OkrEvent { kind: "achieved" | "status_changed" | "confidence_dropped" | "became_stale"; id: string; from: string | number | null; to: string | number | null }
export interface SystemicRow { groupBy: "team" | "level"; group: string; keyResults: number; atRisk: number; offTrack: number; share: number; flagged: boolean }
export interface ConfidenceRow { groupBy: "owner" | "team"; group: string; keyResults: number; forecasts: number; brier: number; overconfidence: number }
/** Options of `reviewPacket`: the date, 360° ratings, and what a blank rating does. */
export interface ReviewPacketOptions { asOf?: string | Date; ratings?: ReviewRatings; nanPolicy?: "raise" | "omit" }
/** 360° ratings for a review packet (as `feedback360` takes them; relationships and competencies optional). */
export interface ReviewRatings { ratees: IdArray; raters: IdArray; ratings: Float64Array | number[]; relationships?: string[]; competencies?: string[] }
export interface ReviewPacket {
  person: string;
  asOf: string;
  objectives: { id: string; title: string | null; score: number; expected: number | null; status: Status; grade: Grade; formula: string; lineOfSight: LineOfSight }[];
  keyResults: { id: string; title: string | null; objective: string; score: number; status: Status; value: number | null; signals: string[]; forecast: Forecast | { score: number } | null; formula: string; checkIns: number; meanDaysBetween: number | null; lastCheckIn: string | null; confidenceRecord: [string, number][] }[];
  /** 360° groups about the person, anonymity kept (empty without `ratings`). */
  feedbackGroups: FeedbackGroup[];
  /** 360° self-versus-others summaries (empty without `ratings`). */
  feedback: FeedbackSummary[];
  calibration: { ratings: number; mean: number; overallMean: number; percentile: number } | null;
}
