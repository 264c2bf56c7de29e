//! Weighted means that stay within f64's range.
//!
//! A weighted mean of finite scores lies between the smallest and the largest of them, so it is
//! finite; but its plain sums Σ wᵢ and Σ wᵢ sᵢ can pass f64's range on the way (weights near
//! 1e308, or scores near f64's limits under `clamp: false`). Scoring takes the plain sums, and
//! only when one of them is not finite works the mean out again here, scaled; where no sum can
//! pass the range (`PlanData::sums_stay_finite`: clamped scores, ordinary weights), its short
//! path does not even test them.

/// Σ wᵢ xᵢ / Σ wᵢ over `terms` (weight, value), with the weights scaled by the largest and the
/// values by the largest magnitude, so that neither sum can overflow. Every weight is positive
/// and every value finite; `terms` gives the same pairs each time it is called.
#[cold]
#[inline(never)]
pub(crate) fn scaled_mean<I: Iterator<Item = (f64, f64)>>(terms: impl Fn() -> I) -> f64 {
    let (w_max, x_max) = terms().fold((0.0_f64, 0.0_f64), |(w, x), (wi, xi)| (w.max(wi), x.max(xi.abs())));
    if w_max == 0.0 || x_max == 0.0 {
        return 0.0;
    }
    let (mut sw, mut swx) = (0.0, 0.0);
    for (w, x) in terms() {
        let w = w / w_max;
        sw += w;
        swx += w * (x / x_max);
    }
    // |swx / sw| ≤ 1: the product stays within x_max.
    swx / sw * x_max
}

/// The unit to count weights in so that their sum stays finite: 1 (the weights as they are,
/// so shares come out bit for bit as the plain quotient gives them) when their plain sum is
/// finite, else the largest weight.
pub(crate) fn weight_unit(weights: impl Iterator<Item = f64> + Clone) -> f64 {
    if weights.clone().sum::<f64>().is_finite() {
        1.0
    } else {
        weights.fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means_beyond_the_plain_sums_range_are_found() {
        let big = [(1e300, 1e308), (1e300, 1e308)];
        assert_eq!(scaled_mean(|| big.iter().copied()), 1e308);
        let opposite = [(1e308, f64::MAX), (1e308, -f64::MAX)];
        assert_eq!(scaled_mean(|| opposite.iter().copied()), 0.0);
        // Weights 3:1 of the largest value and 0: three quarters of it.
        let weighted = [(1.5e308, f64::MAX), (0.5e308, 0.0)];
        let got = scaled_mean(|| weighted.iter().copied());
        assert!((got / f64::MAX - 0.75).abs() < 1e-15, "{got}");
        // Ordinary terms give the plain mean (to rounding).
        let plain = [(1.0, 0.6), (3.0, 0.2)];
        assert!((scaled_mean(|| plain.iter().copied()) - 0.3).abs() < 1e-15);
        assert_eq!(scaled_mean(|| [(2.0, 0.0)].into_iter()), 0.0);
    }

    #[test]
    fn weights_are_counted_in_units_that_keep_their_sum_finite() {
        assert_eq!(weight_unit([1.0, 3.0].into_iter()), 1.0);
        assert_eq!(weight_unit([1e308, 1.7e308].into_iter()), 1.7e308);
    }
}
