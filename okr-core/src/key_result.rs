//! Key-result rules: validation of a key result's fields for its kind, and the formula that turns
//! a current value into a raw score (before the policy's clamp).

use std::fmt::Display;

use crate::document::{AggregateOp, KeyResultKind};
use crate::error::{Error, Result};
use crate::plan::OBJECTIVE;
use crate::policy::ProgressDriver;

/// The compiled scoring rule of one node. Objectives are a rule too. A plan stores rules
/// column-wise ([`Rule::pack`]); rows being compiled hold them whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Rule {
    Objective {
        driver: Option<ProgressDriver>,
        /// Index of the objective's cycle, `NONE` for none.
        cycle: u32,
    },
    Linear {
        start: f64,
        target: f64,
    },
    AtLeast {
        threshold: f64,
        strict: bool,
    },
    AtMost {
        threshold: f64,
        strict: bool,
    },
    Range {
        low: f64,
        high: f64,
    },
    Binary,
    /// Milestones `first .. first + len` of the plan's milestone arrays.
    Milestones {
        first: u32,
        len: u32,
    },
    /// Points `first .. first + len` of the plan's point array.
    Piecewise {
        first: u32,
        len: u32,
    },
    Manual,
    Rollup,
    Aggregate {
        start: f64,
        target: f64,
        op: AggregateOp,
    },
}

/// The numeric fields of a key result, whatever its input form (document or columns).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RuleFields {
    pub start: Option<f64>,
    pub target: Option<f64>,
    pub threshold: Option<f64>,
    pub strict: bool,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub op: Option<AggregateOp>,
}

#[inline]
fn required(
    id: impl Display + Copy,
    kind: KeyResultKind,
    field: &'static str,
    v: Option<f64>,
) -> Result<f64> {
    let value = v.ok_or_else(|| Error::MissingField { id: id.to_string(), kind: kind.as_str(), field })?;
    finite(id, field, value)
}

#[inline]
pub(crate) fn finite(id: impl Display, field: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::NonFinite { id: id.to_string(), field, value })
    }
}

impl Rule {
    /// Validates the fields a kind needs. Milestone and piecewise ranges are filled in by the
    /// caller, which owns the arrays they point into.
    #[inline]
    pub(crate) fn compile(id: impl Display + Copy, kind: KeyResultKind, f: &RuleFields) -> Result<Rule> {
        Ok(match kind {
            KeyResultKind::Linear | KeyResultKind::Aggregate => {
                let start = required(id, kind, "start", f.start)?;
                let target = required(id, kind, "target", f.target)?;
                if start == target {
                    return Err(Error::DegenerateTarget { id: id.to_string(), value: start });
                }
                // Beyond f64's range the span is infinite and every score would silently be 0
                // (or NaN): no real plan has such targets, so it is an error, not a wrong score.
                if (target - start).is_infinite() {
                    return Err(Error::InvalidValue {
                        id: id.to_string(),
                        field: "target",
                        reason: format!(
                            "start `{start:e}` and target `{target:e}` are too far apart to score"
                        ),
                    });
                }
                if kind == KeyResultKind::Linear {
                    Rule::Linear { start, target }
                } else {
                    let op = f.op.ok_or_else(|| Error::MissingField {
                        id: id.to_string(),
                        kind: kind.as_str(),
                        field: "op",
                    })?;
                    Rule::Aggregate { start, target, op }
                }
            }
            KeyResultKind::AtLeast => {
                Rule::AtLeast { threshold: required(id, kind, "threshold", f.threshold)?, strict: f.strict }
            }
            KeyResultKind::AtMost => {
                Rule::AtMost { threshold: required(id, kind, "threshold", f.threshold)?, strict: f.strict }
            }
            KeyResultKind::Range => {
                let low = required(id, kind, "low", f.low)?;
                let high = required(id, kind, "high", f.high)?;
                if low > high {
                    return Err(Error::InvalidValue {
                        id: id.to_string(),
                        field: "low",
                        reason: format!("low `{low}` is above high `{high}`"),
                    });
                }
                Rule::Range { low, high }
            }
            KeyResultKind::Binary => Rule::Binary,
            KeyResultKind::Milestones => Rule::Milestones { first: 0, len: 0 },
            KeyResultKind::Piecewise => Rule::Piecewise { first: 0, len: 0 },
            KeyResultKind::Manual => Rule::Manual,
            KeyResultKind::Rollup => Rule::Rollup,
        })
    }

    /// The kind of a key-result rule; `None` for objectives.
    pub(crate) fn kind(&self) -> Option<KeyResultKind> {
        Some(match self {
            Rule::Objective { .. } => return None,
            Rule::Linear { .. } => KeyResultKind::Linear,
            Rule::AtLeast { .. } => KeyResultKind::AtLeast,
            Rule::AtMost { .. } => KeyResultKind::AtMost,
            Rule::Range { .. } => KeyResultKind::Range,
            Rule::Binary => KeyResultKind::Binary,
            Rule::Milestones { .. } => KeyResultKind::Milestones,
            Rule::Piecewise { .. } => KeyResultKind::Piecewise,
            Rule::Manual => KeyResultKind::Manual,
            Rule::Rollup => KeyResultKind::Rollup,
            Rule::Aggregate { .. } => KeyResultKind::Aggregate,
        })
    }

    /// The rule as a plan stores it, beside the node's kind code (the plan's `kinds`): two
    /// numbers and a byte, 17 bytes a node where the enum takes 24.
    ///
    /// | rule | numbers | byte |
    /// |---|---|---|
    /// | objective | 0, 0 | no driver 0, else 1 + its position in [`ProgressDriver::ALL`] |
    /// | linear | start, target | 0 |
    /// | aggregate | start, target | the op's position in [`AggregateOp::ALL`] |
    /// | at least, at most | threshold, 0 | strict |
    /// | range | low, high | 0 |
    /// | milestones, piecewise | first, len (a `u32` is exact in an `f64`) | 0 |
    /// | binary, manual, roll-up | 0, 0 | 0 |
    ///
    /// An objective's cycle is kept in the plan (`PlanData::cycle`).
    pub(crate) fn pack(self) -> ([f64; 2], u8) {
        match self {
            Rule::Objective { driver, .. } => ([0.0; 2], driver.map_or(0, |d| d.position() + 1)),
            Rule::Linear { start, target } => ([start, target], 0),
            Rule::Aggregate { start, target, op } => ([start, target], op.position()),
            Rule::AtLeast { threshold, strict } | Rule::AtMost { threshold, strict } => {
                ([threshold, 0.0], u8::from(strict))
            }
            Rule::Range { low, high } => ([low, high], 0),
            Rule::Milestones { first, len } | Rule::Piecewise { first, len } => {
                ([f64::from(first), f64::from(len)], 0)
            }
            Rule::Binary | Rule::Manual | Rule::Rollup => ([0.0; 2], 0),
        }
    }

    /// The rule [`Rule::pack`] stored for a node of kind code `kind` (`OBJECTIVE` or any code
    /// that is not a key-result kind's: an objective), in cycle `cycle`.
    #[inline(always)]
    pub(crate) fn unpack(kind: u8, [a, b]: [f64; 2], byte: u8, cycle: u32) -> Rule {
        let Some(&kind) = KeyResultKind::ALL.get(usize::from(kind)) else {
            return Rule::Objective { driver: Rule::driver_of(byte), cycle };
        };
        match kind {
            KeyResultKind::Linear => Rule::Linear { start: a, target: b },
            KeyResultKind::AtLeast => Rule::AtLeast { threshold: a, strict: byte != 0 },
            KeyResultKind::AtMost => Rule::AtMost { threshold: a, strict: byte != 0 },
            KeyResultKind::Range => Rule::Range { low: a, high: b },
            KeyResultKind::Binary => Rule::Binary,
            KeyResultKind::Milestones => Rule::Milestones { first: a as u32, len: b as u32 },
            KeyResultKind::Piecewise => Rule::Piecewise { first: a as u32, len: b as u32 },
            KeyResultKind::Manual => Rule::Manual,
            KeyResultKind::Rollup => Rule::Rollup,
            KeyResultKind::Aggregate => {
                // Every byte packed for an aggregate is a position in `ALL`.
                let op = AggregateOp::ALL.get(usize::from(byte)).copied().unwrap_or(AggregateOp::Sum);
                Rule::Aggregate { start: a, target: b, op }
            }
        }
    }

    /// The driver an objective's byte (see [`Rule::pack`]) names.
    #[inline(always)]
    pub(crate) fn driver_of(byte: u8) -> Option<ProgressDriver> {
        ProgressDriver::ALL.get(usize::from(byte).wrapping_sub(1)).copied()
    }

    /// Checks a value given to this rule (a check-in value or `current`).
    #[inline]
    pub(crate) fn check_value(&self, id: impl Display + Copy, field: &'static str, value: f64) -> Result<()> {
        finite(id, field, value)?;
        if matches!(self, Rule::Binary) && value != 0.0 && value != 1.0 {
            return Err(Error::InvalidValue {
                id: id.to_string(),
                field,
                reason: format!("`{value}` on a binary key result: expected 0 or 1"),
            });
        }
        Ok(())
    }
}

/// The raw score of a value-reading rule (before the policy clamp).
#[inline]
pub(crate) fn value_score(rule: &Rule, v: f64) -> f64 {
    let (numbers, byte) = rule.pack();
    packed_value_score(rule.kind().map_or(OBJECTIVE, KeyResultKind::code), numbers, byte, v)
}

/// [`value_score`] of a rule as the plan stores it (see [`Rule::pack`]): `kind` the node's kind
/// code. Scoring reads rules this way; unpacking a rule and then matching it measured 5 %
/// slower over a whole pass, the two matches not being merged.
#[inline(always)]
pub(crate) fn packed_value_score(kind: u8, [a, b]: [f64; 2], byte: u8, v: f64) -> f64 {
    const LINEAR: u8 = KeyResultKind::Linear as u8;
    const AT_LEAST: u8 = KeyResultKind::AtLeast as u8;
    const AT_MOST: u8 = KeyResultKind::AtMost as u8;
    const RANGE: u8 = KeyResultKind::Range as u8;
    const BINARY: u8 = KeyResultKind::Binary as u8;
    const MANUAL: u8 = KeyResultKind::Manual as u8;
    const AGGREGATE: u8 = KeyResultKind::Aggregate as u8;
    let strict = byte != 0;
    match kind {
        // Linear and aggregate: start, target.
        LINEAR | AGGREGATE => linear(v, a, b),
        // At least, at most: threshold.
        AT_LEAST => indicator(if strict { v > a } else { v >= a }),
        AT_MOST => indicator(if strict { v < a } else { v <= a }),
        // Range: low, high.
        RANGE => indicator(a <= v && v <= b),
        BINARY | MANUAL => v,
        // Objectives, milestones, piecewise and roll-ups do not score a value this way.
        _ => 0.0,
    }
}

/// `(v - a) / (b - a)`. The span `b - a` is finite (see [`Rule::compile`]), but `v - a` can
/// pass f64's range where the score does not (start `-1e308`, target `0`, value `1e308`: 2);
/// then the three are halved first, which is exact for numbers that large.
#[inline(always)]
fn linear(v: f64, a: f64, b: f64) -> f64 {
    let s = (v - a) / (b - a);
    if s.is_finite() {
        s
    } else {
        (v * 0.5 - a * 0.5) / (b * 0.5 - a * 0.5)
    }
}

#[inline]
fn indicator(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// Linear interpolation through `points` (sorted by value), flat outside.
pub(crate) fn piecewise(points: &[(f64, f64)], v: f64) -> f64 {
    let (Some(&(x0, y0)), Some(&(xn, yn))) = (points.first(), points.last()) else {
        return 0.0;
    };
    if v <= x0 {
        return y0;
    }
    if v >= xn {
        return yn;
    }
    // First point strictly above v; its predecessor is at or below v.
    let i = points.partition_point(|&(x, _)| x <= v);
    let (xa, ya) = points[i - 1];
    let (xb, yb) = points[i];
    ya + (yb - ya) * (v - xa) / (xb - xa)
}

/// Validates piecewise points: at least two, finite, strictly increasing by value.
pub(crate) fn check_points(id: impl Display + Copy, points: &[[f64; 2]]) -> Result<()> {
    if points.len() < 2 {
        return Err(Error::InvalidValue {
            id: id.to_string(),
            field: "points",
            reason: format!("{} point(s) given, at least 2 are needed", points.len()),
        });
    }
    for p in points {
        finite(id, "points", p[0])?;
        finite(id, "points", p[1])?;
    }
    if let Some(w) = points.windows(2).find(|w| w[1][0] <= w[0][0]) {
        return Err(Error::InvalidValue {
            id: id.to_string(),
            field: "points",
            reason: format!("values must increase strictly, but `{}` follows `{}`", w[1][0], w[0][0]),
        });
    }
    Ok(())
}

/// Applies an aggregate operation to the values gathered so far.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Aggregator {
    op: AggregateOp,
    acc: f64,
    /// For `sum` and `mean`, the sum of the values times [`Aggregator::SCALE`]: no sum of up to
    /// `u32::MAX` finite values overflows it, so a mean whose plain sum passes f64's range (the
    /// mean of `1e308` and `1e308`) is still found, and so is a sum that passes it on the way
    /// and comes back (`1e308 + 1e308 − 1e308`).
    scaled: f64,
    n: u32,
}

impl Aggregator {
    /// 2⁻³²: exact to multiply by, and small enough that `u32::MAX` values never overflow.
    const SCALE: f64 = 1.0 / 4_294_967_296.0;

    pub(crate) fn new(op: AggregateOp) -> Self {
        Aggregator { op, acc: 0.0, scaled: 0.0, n: 0 }
    }

    #[inline]
    pub(crate) fn push(&mut self, v: f64) {
        if matches!(self.op, AggregateOp::Sum | AggregateOp::Mean) {
            self.scaled += v * Self::SCALE;
        }
        self.acc = if self.n == 0 {
            v
        } else {
            match self.op {
                AggregateOp::Sum | AggregateOp::Mean => self.acc + v,
                AggregateOp::Min => self.acc.min(v),
                AggregateOp::Max => self.acc.max(v),
            }
        };
        self.n += 1;
    }

    /// The result, or `None` when no value was pushed. A sum past f64's range is the largest
    /// finite number of its sign, as an unclamped score past it is: values stay numbers, which
    /// JSON can hold.
    pub(crate) fn finish(self) -> Option<f64> {
        match (self.n, self.op) {
            (0, _) => None,
            (n, AggregateOp::Mean) if self.acc.is_finite() => Some(self.acc / f64::from(n)),
            (n, AggregateOp::Mean) => Some(self.scaled / f64::from(n) / Self::SCALE),
            (_, AggregateOp::Sum) if !self.acc.is_finite() => {
                Some((self.scaled / Self::SCALE).clamp(-f64::MAX, f64::MAX))
            }
            _ => Some(self.acc),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_unpack_to_what_was_packed() {
        let mut rules = vec![
            Rule::Objective { driver: None, cycle: 3 },
            Rule::Objective { driver: None, cycle: crate::plan::NONE },
            Rule::Linear { start: -1.5, target: 2.0 },
            Rule::AtLeast { threshold: 5.0, strict: true },
            Rule::AtLeast { threshold: -5.0, strict: false },
            Rule::AtMost { threshold: 0.25, strict: true },
            Rule::AtMost { threshold: 1e300, strict: false },
            Rule::Range { low: -0.0, high: 7.5 },
            Rule::Binary,
            Rule::Milestones { first: u32::MAX - 1, len: 7 },
            Rule::Piecewise { first: 12, len: u32::MAX },
            Rule::Manual,
            Rule::Rollup,
        ];
        rules.extend(ProgressDriver::ALL.map(|d| Rule::Objective { driver: Some(d), cycle: 0 }));
        rules.extend(AggregateOp::ALL.map(|op| Rule::Aggregate { start: 3.0, target: -4.0, op }));
        for rule in rules {
            let kind = rule.kind().map_or(crate::plan::OBJECTIVE, KeyResultKind::code);
            let cycle = if let Rule::Objective { cycle, .. } = rule { cycle } else { crate::plan::NONE };
            let (numbers, byte) = rule.pack();
            assert_eq!(Rule::unpack(kind, numbers, byte, cycle), rule);
        }
        assert!(ProgressDriver::ALL.iter().enumerate().all(|(i, d)| usize::from(d.position()) == i));
        assert!(AggregateOp::ALL.iter().enumerate().all(|(i, op)| usize::from(op.position()) == i));
    }

    #[test]
    fn linear_both_directions() {
        let up = Rule::Linear { start: 10.0, target: 14.0 };
        assert!((value_score(&up, 11.2) - 0.3).abs() < 1e-12);
        let down = Rule::Linear { start: 5.0, target: 3.0 };
        assert!((value_score(&down, 4.2) - 0.4).abs() < 1e-12);
        // Below baseline is negative before the clamp.
        assert!((value_score(&down, 6.0) + 0.5).abs() < 1e-12);
    }

    #[test]
    fn thresholds_strict_and_inclusive() {
        let ge = Rule::AtLeast { threshold: 5.0, strict: false };
        let gt = Rule::AtLeast { threshold: 5.0, strict: true };
        assert_eq!((value_score(&ge, 5.0), value_score(&gt, 5.0)), (1.0, 0.0));
        let le = Rule::AtMost { threshold: 5.0, strict: false };
        let lt = Rule::AtMost { threshold: 5.0, strict: true };
        assert_eq!((value_score(&le, 5.0), value_score(&lt, 5.0)), (1.0, 0.0));
        assert_eq!(value_score(&lt, 4.9), 1.0);
        let r = Rule::Range { low: 1.0, high: 2.0 };
        assert_eq!((value_score(&r, 1.0), value_score(&r, 2.0), value_score(&r, 2.1)), (1.0, 1.0, 0.0));
    }

    #[test]
    fn piecewise_interpolates_and_is_flat_outside() {
        let pts = [(0.0, 0.0), (10.0, 0.7), (20.0, 1.0)];
        assert_eq!(piecewise(&pts, -5.0), 0.0);
        assert!((piecewise(&pts, 5.0) - 0.35).abs() < 1e-12);
        assert!((piecewise(&pts, 10.0) - 0.7).abs() < 1e-12);
        assert!((piecewise(&pts, 15.0) - 0.85).abs() < 1e-12);
        assert_eq!(piecewise(&pts, 99.0), 1.0);
    }

    #[test]
    fn points_must_be_sorted_and_finite() {
        assert!(check_points("k", &[[0.0, 0.0]]).is_err());
        let err = check_points("k", &[[1.0, 0.0], [1.0, 1.0]]).unwrap_err();
        assert!(err.to_string().contains("`k`"), "{err}");
        assert_eq!(check_points("k", &[[0.0, f64::NAN], [1.0, 1.0]]).unwrap_err().code(), "non_finite");
    }

    #[test]
    fn compile_names_missing_field_and_degenerate_target() {
        let f = RuleFields { start: Some(1.0), ..Default::default() };
        let err = Rule::compile("kr-x", KeyResultKind::Linear, &f).unwrap_err();
        assert_eq!(err.to_string(), "key result `kr-x` of kind `linear` needs field `target`");
        let f = RuleFields { start: Some(3.0), target: Some(3.0), ..Default::default() };
        assert_eq!(Rule::compile("k", KeyResultKind::Linear, &f).unwrap_err().code(), "degenerate_target");
        let f = RuleFields { start: Some(0.0), target: Some(3.0), ..Default::default() };
        assert_eq!(Rule::compile("k", KeyResultKind::Aggregate, &f).unwrap_err().code(), "missing_field");
        // A span beyond f64's range would make every score 0: refused, for linear and aggregate.
        let f = RuleFields {
            start: Some(f64::MAX),
            target: Some(-f64::MAX),
            op: Some(AggregateOp::Sum),
            ..Default::default()
        };
        for kind in [KeyResultKind::Linear, KeyResultKind::Aggregate] {
            let err = Rule::compile("k", kind, &f).unwrap_err();
            assert_eq!(err.code(), "invalid_value", "{kind:?}");
            assert!(err.to_string().contains("too far apart to score"), "{err}");
        }
        let f =
            RuleFields { start: Some(f64::MAX / 2.0), target: Some(-f64::MAX / 2.0), ..Default::default() };
        assert!(Rule::compile("k", KeyResultKind::Linear, &f).is_ok());
    }

    #[test]
    fn binary_values_are_zero_or_one() {
        assert!(Rule::Binary.check_value("k", "value", 1.0).is_ok());
        assert_eq!(Rule::Binary.check_value("k", "value", 0.5).unwrap_err().code(), "invalid_value");
        assert_eq!(Rule::Manual.check_value("k", "value", f64::INFINITY).unwrap_err().code(), "non_finite");
    }

    #[test]
    fn aggregator_ops() {
        let run = |op, vs: &[f64]| {
            let mut a = Aggregator::new(op);
            vs.iter().for_each(|&v| a.push(v));
            a.finish()
        };
        assert_eq!(run(AggregateOp::Sum, &[1.0, 2.0, 4.0]), Some(7.0));
        assert_eq!(run(AggregateOp::Mean, &[1.0, 2.0, 3.0]), Some(2.0));
        assert_eq!(run(AggregateOp::Min, &[3.0, -1.0, 2.0]), Some(-1.0));
        assert_eq!(run(AggregateOp::Max, &[3.0, -1.0, 2.0]), Some(3.0));
        assert_eq!(run(AggregateOp::Max, &[]), None);
        // A mean whose plain sum passes f64's range is still the mean; a sum that passes it is
        // the largest finite number of its sign, and one that passes it on the way and comes
        // back is the sum.
        let mean = run(AggregateOp::Mean, &[1e308, 1e308, 4e307]).unwrap();
        assert!((mean / 8e307 - 1.0).abs() < 1e-15, "{mean}");
        assert_eq!(run(AggregateOp::Mean, &[f64::MAX, f64::MAX]), Some(f64::MAX));
        assert_eq!(run(AggregateOp::Mean, &[-1e308, -1e308]), Some(-1e308));
        assert_eq!(run(AggregateOp::Sum, &[1e308, 1e308]), Some(f64::MAX));
        assert_eq!(run(AggregateOp::Sum, &[-1e308, -1e308, 5.0]), Some(-f64::MAX));
        assert_eq!(run(AggregateOp::Sum, &[1e308, 1e308, -1e308]), Some(1e308));
        assert_eq!(run(AggregateOp::Sum, &[1e308, -1e308, 1e308, -1e308]), Some(0.0));
    }

    #[test]
    fn linear_past_the_range_of_a_difference() {
        // `value - start` passes f64's range where the score does not: 2, not infinity.
        let wide = Rule::Linear { start: -1e308, target: 0.0 };
        assert_eq!(value_score(&wide, 1e308), 2.0);
        assert_eq!(value_score(&wide, -5e307), 0.5);
        let down = Rule::Linear { start: 1e308, target: 0.0 };
        assert_eq!(value_score(&down, -1e308), 2.0);
        // The score itself past the range stays infinite (clamped by the policy by default).
        let narrow = Rule::Linear { start: 0.0, target: 1e-300 };
        assert_eq!(value_score(&narrow, 1e300), f64::INFINITY);
    }
}
