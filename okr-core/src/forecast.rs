//! Forecasts: where a key result's value is heading by the end of its cycle, with uncertainty.
//!
//! Ordinary least squares of value on days since the cycle started, over the valued check-ins on
//! or before `as_of` (at least three, on at least two different days). The projection at the
//! cycle's last day carries a Student-t predictive distribution with n − 2 degrees of freedom:
//! ŷ ± t · s · √(1 + 1/n + (x₀ − x̄)² / Sxx), as in any regression textbook (and scipy's
//! `linregress` with `t`).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::calibration::stats::sum;
use crate::key_result::{piecewise, value_score, Rule};
use crate::policy::Policy;

/// A key result's forecast at the end of its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Forecast {
    /// Projected value on the cycle's last day.
    pub value: f64,
    /// That value scored by the key result's rule (within the policy's bounds).
    pub score: f64,
    /// Lower end of the two-sided 80 % prediction interval of the value.
    pub low: f64,
    /// Upper end of the interval.
    pub high: f64,
    /// Probability that the end value reaches the target (score 1), direction-aware.
    pub p_target: f64,
    /// Probability that the end score reaches the policy's `success_at` (0.7).
    pub p_success: f64,
    /// Check-ins the fit used.
    pub n: usize,
}

/// The OLS fit and its predictive distribution at `x0`: (ŷ, scale, degrees of freedom).
pub(crate) fn predict(x: &[f64], y: &[f64], x0: f64) -> Option<(f64, f64, f64)> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let xm = sum(x.iter().copied()) / nf;
    let ym = sum(y.iter().copied()) / nf;
    let sxx = sum(x.iter().map(|v| (v - xm) * (v - xm)));
    if sxx <= 0.0 {
        return None;
    }
    let sxy = sum(x.iter().zip(y).map(|(a, b)| (a - xm) * (b - ym)));
    let slope = sxy / sxx;
    let intercept = ym - slope * xm;
    let sse = sum(x.iter().zip(y).map(|(a, b)| {
        let r = b - intercept - slope * a;
        r * r
    }));
    let s = (sse / (nf - 2.0)).sqrt();
    let scale = s * (1.0 + 1.0 / nf + (x0 - xm) * (x0 - xm) / sxx).sqrt();
    let value = intercept + slope * x0;
    // Values near the limits of f64 can overflow the sums: no forecast rather than a NaN one.
    (value.is_finite() && scale.is_finite()).then_some((value, scale, nf - 2.0))
}

/// Value intervals on which the rule's (bounded) score reaches `level`.
fn reaching(rule: &Rule, points: &[(f64, f64)], level: f64, policy: &Policy) -> Vec<(f64, f64)> {
    const INF: f64 = f64::INFINITY;
    let tol = Policy::TOLERANCE;
    match *rule {
        Rule::Linear { start, target } => {
            // Unbounded linear score reaches `level` beyond start + level (target − start).
            if policy.clamp && level > policy.cap + tol {
                return Vec::new();
            }
            let v = start + level * (target - start);
            if target > start {
                vec![(v, INF)]
            } else {
                vec![(-INF, v)]
            }
        }
        Rule::AtLeast { threshold, .. } => vec![(threshold, INF)],
        Rule::AtMost { threshold, .. } => vec![(-INF, threshold)],
        Rule::Range { low, high } => vec![(low, high)],
        Rule::Manual => vec![(level, INF)],
        Rule::Piecewise { .. } => {
            // Walk the segments (and the flat ends) collecting where the score is ≥ level.
            let mut out: Vec<(f64, f64)> = Vec::new();
            let mut push = |a: f64, b: f64| match out.last_mut() {
                Some(last) if last.1 >= a => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            };
            let (Some(&first), Some(&last)) = (points.first(), points.last()) else { return out };
            if first.1 >= level - tol {
                push(-INF, first.0);
            }
            for w in points.windows(2) {
                let ((xa, ya), (xb, yb)) = (w[0], w[1]);
                let cross = |y: f64| xa + (xb - xa) * (level - ya) / (y - ya);
                match (ya >= level - tol, yb >= level - tol) {
                    (true, true) => push(xa, xb),
                    (true, false) => push(xa, cross(yb)),
                    (false, true) => push(cross(yb), xb),
                    (false, false) => {}
                }
            }
            if last.1 >= level - tol {
                push(last.0, INF);
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The forecast of a value-reading rule from its valued check-ins (days since cycle start,
/// values), projected to day `x0` (the cycle's last day).
pub(crate) fn forecast(
    rule: &Rule,
    points: &[(f64, f64)],
    x: &[f64],
    y: &[f64],
    x0: f64,
    policy: &Policy,
) -> Option<Forecast> {
    if !matches!(
        rule,
        Rule::Linear { .. }
            | Rule::AtLeast { .. }
            | Rule::AtMost { .. }
            | Rule::Range { .. }
            | Rule::Manual
            | Rule::Piecewise { .. }
    ) {
        return None;
    }
    let (value, scale, df) = predict(x, y, x0)?;
    let score_of = |v: f64| {
        policy.bound(match rule {
            Rule::Piecewise { .. } => piecewise(points, v),
            other => value_score(other, v),
        })
    };
    let cdf = |v: f64| -> f64 {
        if v == f64::INFINITY {
            return 1.0;
        }
        if v == f64::NEG_INFINITY {
            return 0.0;
        }
        if scale > 0.0 {
            // statrs panics on a NaN argument: settle the infinite and undefined cases first.
            let z = (v - value) / scale;
            match z {
                z if z.is_nan() => f64::NAN,
                f64::INFINITY => 1.0,
                f64::NEG_INFINITY => 0.0,
                z => StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.cdf(z)),
            }
        } else if v >= value {
            // No residual spread: all the mass sits on the projection.
            1.0
        } else {
            0.0
        }
    };
    let probability = |level: f64| -> f64 {
        reaching(rule, points, level, policy)
            .iter()
            .map(|&(a, b)| (cdf(b) - cdf(a)).max(0.0))
            .sum::<f64>()
            .min(1.0)
    };
    let t = StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(0.9));
    let half = if scale > 0.0 { t * scale } else { 0.0 };
    Some(Forecast {
        value,
        score: score_of(value),
        low: value - half,
        high: value + half,
        p_target: probability(policy.achieved_at),
        p_success: probability(policy.success_at),
        n: x.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ols_by_hand() {
        // y = 2 + 0.5 x exactly plus a symmetric wiggle: slope 0.5, intercept 2.
        let x = [0.0, 10.0, 20.0, 30.0];
        let y = [2.0, 7.5, 11.5, 17.0];
        let (yhat, scale, df) = predict(&x, &y, 90.0).unwrap();
        // Sxx = 500, Sxy = 112.5 + 10 + 10 + 112.5 = 245 → slope 0.49; intercept 9.5 − 0.49 · 15.
        let slope = 245.0 / 500.0;
        let intercept = 9.5 - slope * 15.0;
        assert!((yhat - (intercept + slope * 90.0)).abs() < 1e-12);
        let sse: f64 = x.iter().zip(&y).map(|(a, b)| (b - intercept - slope * a).powi(2)).sum();
        let s = (sse / 2.0).sqrt();
        assert!((scale - s * (1.0 + 0.25 + 75.0f64.powi(2) / 500.0).sqrt()).abs() < 1e-12);
        assert_eq!(df, 2.0);
        assert!(predict(&x[..2], &y[..2], 90.0).is_none());
        assert!(predict(&[5.0, 5.0, 5.0], &[1.0, 2.0, 3.0], 90.0).is_none());
    }

    #[test]
    fn probabilities_are_direction_aware() {
        let policy = Policy::default();
        let x = [0.0, 10.0, 20.0, 30.0];
        let up = Rule::Linear { start: 0.0, target: 10.0 };
        let down = Rule::Linear { start: 10.0, target: 0.0 };
        let y_up = [0.0, 1.1, 1.9, 3.0];
        let f = forecast(&up, &[], &x, &y_up, 90.0, &policy).unwrap();
        assert!((f.value - 9.0).abs() < 0.5 && f.score < 1.0);
        assert!(f.p_success > 0.5 && f.p_target < f.p_success && f.low < f.value && f.value < f.high);
        // The mirror image: falling values on a lower-is-better key result.
        let y_down: Vec<f64> = y_up.iter().map(|v| 10.0 - v).collect();
        let g = forecast(&down, &[], &x, &y_down, 90.0, &policy).unwrap();
        assert!((g.p_target - f.p_target).abs() < 1e-12 && (g.p_success - f.p_success).abs() < 1e-12);
        assert!((g.score - f.score).abs() < 1e-12);
    }

    #[test]
    fn exact_fit_is_certain() {
        let policy = Policy::default();
        let rule = Rule::AtLeast { threshold: 5.0, strict: false };
        let f = forecast(&rule, &[], &[0.0, 1.0, 2.0], &[0.0, 1.0, 2.0], 10.0, &policy).unwrap();
        assert_eq!((f.value, f.low, f.high, f.p_target, f.score), (10.0, 10.0, 10.0, 1.0, 1.0));
        assert!(forecast(&Rule::Binary, &[], &[0.0, 1.0, 2.0], &[0.0, 1.0, 1.0], 10.0, &policy).is_none());
    }

    #[test]
    fn extreme_values_give_no_forecast_instead_of_a_panic() {
        // Found by the `columns` fuzz target: sums overflowing to infinity reached statrs as NaN.
        let policy = Policy::default();
        let rule = Rule::Linear { start: 0.0, target: 1e308 };
        let x = [0.0, 1.0, 2.0];
        assert!(forecast(&rule, &[], &x, &[1e308, -1e308, 1e308], 10.0, &policy).is_none());
        let f = forecast(&rule, &[], &x, &[0.0, 1e300, 3e300], 10.0, &policy);
        assert!(f.is_none_or(|f| f.p_target.is_finite() || f.p_target.is_nan()));
        let tiny = Rule::Linear { start: 0.0, target: 1e-300 };
        assert!(forecast(&tiny, &[], &x, &[0.0, 1e-300, 2e-300], 1e300, &policy)
            .is_none_or(|f| f.score.is_finite()));
    }

    #[test]
    fn piecewise_regions() {
        let policy = Policy::default();
        let pts = [(0.0, 0.0), (10.0, 0.7), (20.0, 1.0), (30.0, 0.5)];
        let r = reaching(&Rule::Piecewise { first: 0, len: 4 }, &pts, 0.7, &policy);
        assert_eq!(r.len(), 1);
        assert!((r[0].0 - 10.0).abs() < 1e-12 && (r[0].1 - (20.0 + 10.0 * 0.3 / 0.5)).abs() < 1e-12);
    }
}
