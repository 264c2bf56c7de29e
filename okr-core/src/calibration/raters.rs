//! Rater effects: who rates leniently or severely, estimated so that small teams are not
//! flagged on noise, and, where raters overlap, separated from the quality of whom they rate.

use serde::Serialize;

use super::ratings::Ratings;
use super::stats::{mean, sum, sum_sq_dev};
use crate::error::{Error, Result};

/// Settings of [`rater_effects`].
#[derive(Debug, Clone, PartialEq)]
pub struct RaterEffectsOptions {
    /// |z| at or beyond which a rater is flagged. Default 1.96 (two-sided 5 %). Finite and ≥ 0:
    /// anything else (which would flag every rater, or none) is an `invalid_input` error.
    pub z_threshold: f64,
    /// Raters with fewer ratings are never flagged. Default 3.
    pub min_ratings: usize,
}

impl Default for RaterEffectsOptions {
    fn default() -> Self {
        RaterEffectsOptions { z_threshold: 1.96, min_ratings: 3 }
    }
}

/// One rater's effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RaterEffect {
    /// The rater.
    pub rater: String,
    /// Number of ratings given.
    pub n: usize,
    /// Mean rating given.
    pub mean: f64,
    /// Sample standard deviation (ddof 1) of the ratings given; NaN with one rating.
    pub sd: f64,
    /// Raw leniency: the rater's mean minus the grand mean of all ratings.
    pub leniency: f64,
    /// Standard error of the leniency: the pooled within-rater standard deviation over √n.
    pub se: f64,
    /// Empirical-Bayes leniency: leniency × τ² / (τ² + se²), pulling small teams toward 0.
    pub shrunk_leniency: f64,
    /// leniency / se.
    pub z: f64,
    /// `lenient` or `severe` when |z| ≥ the threshold and n ≥ the minimum; else `None`.
    pub flag: Option<&'static str>,
}

impl RaterEffect {
    /// Every value `flag` takes, in this order (for a categorical column).
    pub const FLAGS: [&'static str; 2] = ["lenient", "severe"];
}

/// Per-rater effects, raters in order of first appearance.
///
/// Estimators: the pooled within-rater variance s² = Σ_r SS_r / Σ_r (n_r − 1) gives
/// se_r = s / √n_r; the between-rater variance of true leniency is estimated by the method of
/// moments, τ² = max(0, var(leniency) − mean(se²)) (as in DerSimonian & Laird), and each raw
/// leniency is shrunk by τ² / (τ² + se_r²). Comparing raw means assumes raters rate comparable
/// people; where raters overlap, [`additive_model`] separates the two.
pub fn rater_effects(ratings: &Ratings, options: &RaterEffectsOptions) -> Result<Vec<RaterEffect>> {
    if !(options.z_threshold.is_finite() && options.z_threshold >= 0.0) {
        return Err(Error::InvalidInput {
            what: format!(
                "the z threshold of rater effects must be a finite number ≥ 0, not `{}`",
                options.z_threshold
            ),
        });
    }
    if ratings.is_empty() {
        return Err(Error::Empty { what: "ratings" });
    }
    let grand = mean(&ratings.value);
    let groups = ratings.by_rater();
    let stats: Vec<(usize, f64, f64)> = groups
        .iter()
        .map(|rows| {
            let v: Vec<f64> = rows.iter().map(|&i| ratings.value[i]).collect();
            (v.len(), mean(&v), sum_sq_dev(&v))
        })
        .collect();
    let dof: usize = stats.iter().map(|&(n, _, _)| n - 1).sum();
    if dof == 0 {
        return Err(Error::TooFew {
            what: "repeated ratings (some rater must give two or more)",
            needed: 1,
            found: 0,
        });
    }
    let pooled_sd = (sum(stats.iter().map(|&(_, _, ss)| ss)) / dof as f64).sqrt();
    let leniency: Vec<f64> = stats.iter().map(|&(_, m, _)| m - grand).collect();
    let se: Vec<f64> = stats.iter().map(|&(n, _, _)| pooled_sd / (n as f64).sqrt()).collect();
    let tau2 = if leniency.len() >= 2 {
        let var = sum_sq_dev(&leniency) / (leniency.len() - 1) as f64;
        (var - mean(&se.iter().map(|s| s * s).collect::<Vec<_>>())).max(0.0)
    } else {
        0.0
    };
    Ok(stats
        .iter()
        .enumerate()
        .map(|(r, &(n, m, ss))| {
            let z = if se[r] > 0.0 { leniency[r] / se[r] } else { 0.0 };
            let [lenient, severe] = RaterEffect::FLAGS;
            let flag = (n >= options.min_ratings && z.abs() >= options.z_threshold).then_some(if z > 0.0 {
                lenient
            } else {
                severe
            });
            let shrink = if tau2 + se[r] * se[r] > 0.0 { tau2 / (tau2 + se[r] * se[r]) } else { 0.0 };
            RaterEffect {
                rater: ratings.rater.label(r).into_owned(),
                n,
                mean: m,
                sd: if n >= 2 { (ss / (n - 1) as f64).sqrt() } else { f64::NAN },
                leniency: leniency[r],
                se: se[r],
                // `+ 0.0`: a negative leniency shrunk all the way is 0, not −0.
                shrunk_leniency: leniency[r] * shrink + 0.0,
                z,
                flag,
            }
        })
        .collect())
}

/// The crossed additive model value = μ + ratee + rater + ε, fitted by least squares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdditiveModel {
    /// Ratee ids, in order of first appearance.
    pub ratees: Vec<String>,
    /// Each ratee's quality effect (relative to its component's μ).
    pub ratee_effect: Vec<f64>,
    /// Rater ids, in order of first appearance.
    pub raters: Vec<String>,
    /// Each rater's severity (negative) or leniency (positive) effect.
    pub rater_effect: Vec<f64>,
    /// Connected component of each rater (raters linked through shared ratees).
    pub rater_component: Vec<usize>,
    /// μ of each component: the mean of its ratings.
    pub component_mean: Vec<f64>,
    /// Backfitting sweeps used.
    pub iterations: usize,
    /// Whether the largest change fell below 1e-10 before the sweep limit.
    pub converged: bool,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// Fits value = μ_c + a_ratee + b_rater on each connected component c of the bipartite
/// ratee–rater graph (effects are only comparable within a component), by backfitting
/// (alternating exact updates of a and b, which converges to the least-squares solution), with
/// the identification Σ n_r b_r = 0 within each component.
pub fn additive_model(ratings: &Ratings) -> Result<AdditiveModel> {
    if ratings.is_empty() {
        return Err(Error::Empty { what: "ratings" });
    }
    let (ne, nr) = (ratings.ratee.len(), ratings.rater.len());
    // Union-find over ratees 0..ne and raters ne..ne+nr.
    let mut parent: Vec<usize> = (0..ne + nr).collect();
    for i in 0..ratings.len() {
        let (a, b) = (
            find(&mut parent, ratings.ratee.codes[i] as usize),
            find(&mut parent, ne + ratings.rater.codes[i] as usize),
        );
        parent[a] = b;
    }
    let mut component_of_root = std::collections::HashMap::new();
    let mut component = vec![0usize; ne + nr];
    for x in 0..ne + nr {
        let root = find(&mut parent, x);
        let next = component_of_root.len();
        component[x] = *component_of_root.entry(root).or_insert(next);
    }
    let nc = component_of_root.len();
    let mut comp_values: Vec<Vec<f64>> = vec![Vec::new(); nc];
    for i in 0..ratings.len() {
        comp_values[component[ratings.ratee.codes[i] as usize]].push(ratings.value[i]);
    }
    let mu: Vec<f64> = comp_values.iter().map(|v| if v.is_empty() { 0.0 } else { mean(v) }).collect();
    let resid: Vec<f64> = (0..ratings.len())
        .map(|i| ratings.value[i] - mu[component[ratings.ratee.codes[i] as usize]])
        .collect();
    let (mut a, mut b) = (vec![0.0; ne], vec![0.0; nr]);
    let mut n_e = vec![0.0; ne];
    let mut n_r = vec![0.0; nr];
    for i in 0..ratings.len() {
        n_e[ratings.ratee.codes[i] as usize] += 1.0;
        n_r[ratings.rater.codes[i] as usize] += 1.0;
    }
    let scale = resid.iter().fold(0.0f64, |m, r| m.max(r.abs())).max(1.0);
    let (mut iterations, mut converged) = (0, false);
    while iterations < 10_000 && !converged {
        iterations += 1;
        let mut acc = vec![0.0; ne];
        for i in 0..ratings.len() {
            acc[ratings.ratee.codes[i] as usize] += resid[i] - b[ratings.rater.codes[i] as usize];
        }
        let mut change = 0.0f64;
        for e in 0..ne {
            let new = acc[e] / n_e[e];
            change = change.max((new - a[e]).abs());
            a[e] = new;
        }
        let mut acc = vec![0.0; nr];
        for i in 0..ratings.len() {
            acc[ratings.rater.codes[i] as usize] += resid[i] - a[ratings.ratee.codes[i] as usize];
        }
        for r in 0..nr {
            let new = acc[r] / n_r[r];
            change = change.max((new - b[r]).abs());
            b[r] = new;
        }
        converged = change < 1e-10 * scale;
    }
    // Identification: rating-weighted rater effects sum to 0 in each component.
    let mut shift = vec![(0.0, 0.0); nc];
    for r in 0..nr {
        let c = component[ne + r];
        shift[c].0 += n_r[r] * b[r];
        shift[c].1 += n_r[r];
    }
    for r in 0..nr {
        let (s, w) = shift[component[ne + r]];
        b[r] -= s / w;
    }
    for e in 0..ne {
        let (s, w) = shift[component[e]];
        a[e] += s / w;
    }
    Ok(AdditiveModel {
        ratees: ratings.ratee.labels(),
        ratee_effect: a,
        raters: ratings.rater.labels(),
        rater_effect: b,
        rater_component: (0..nr).map(|r| component[ne + r]).collect(),
        component_mean: mu,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::IdColumn;

    fn ids(v: &[&str]) -> IdColumn<'static> {
        v.to_vec().into()
    }

    #[test]
    fn effects_by_hand() {
        // Rater x gives 4, 5, 6; rater y gives 1, 2, 3. Grand mean 3.5.
        let r = Ratings::new(
            &ids(&["a", "b", "c", "d", "e", "f"]),
            &ids(&["x", "x", "x", "y", "y", "y"]),
            vec![4.0, 5.0, 6.0, 1.0, 2.0, 3.0],
        )
        .unwrap();
        let e = rater_effects(&r, &RaterEffectsOptions::default()).unwrap();
        assert_eq!(e[0].rater, "x");
        assert_eq!((e[0].n, e[0].mean, e[0].sd, e[0].leniency), (3, 5.0, 1.0, 1.5));
        // Pooled sd = 1, se = 1/√3, z = 1.5√3 ≈ 2.6: lenient; y severe.
        assert!((e[0].se - 1.0 / 3f64.sqrt()).abs() < 1e-12);
        assert!((e[0].z - 1.5 * 3f64.sqrt()).abs() < 1e-12);
        assert_eq!((e[0].flag, e[1].flag), (Some("lenient"), Some("severe")));
        // τ² = var(1.5, −1.5) − 1/3 = 4.5 − 1/3; shrink = τ² / (τ² + 1/3).
        let tau2 = 4.5 - 1.0 / 3.0;
        assert!((e[0].shrunk_leniency - 1.5 * tau2 / (tau2 + 1.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn small_teams_are_shrunk_and_not_flagged() {
        // One rating from z, far off: high z but n < 3, and shrunk more than the others.
        let r = Ratings::new(
            &ids(&["a", "b", "c", "d", "e", "f", "g"]),
            &ids(&["x", "x", "x", "y", "y", "y", "z"]),
            vec![3.0, 4.0, 5.0, 3.0, 4.0, 5.0, 9.0],
        )
        .unwrap();
        let e = rater_effects(&r, &RaterEffectsOptions::default()).unwrap();
        assert_eq!(e[2].flag, None);
        assert!(e[2].shrunk_leniency.abs() < e[2].leniency.abs());
        assert!(e[2].sd.is_nan());
    }

    #[test]
    fn a_leniency_shrunk_all_the_way_is_zero_not_negative_zero() {
        // Two raters whose spread is all noise: τ² = 0, so both are shrunk to 0; the severe
        // one's is +0 (a table would print −0.0).
        let r = Ratings::new(
            &ids(&["a", "a", "b", "b", "c", "c"]),
            &ids(&["x", "y", "x", "y", "x", "y"]),
            vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0],
        )
        .unwrap();
        let e = rater_effects(&r, &RaterEffectsOptions::default()).unwrap();
        assert!(e[0].leniency < 0.0 && e[1].leniency > 0.0);
        for effect in &e {
            assert_eq!(effect.shrunk_leniency.to_bits(), 0.0f64.to_bits(), "{}", effect.rater);
        }
    }

    #[test]
    fn additive_model_recovers_planted_effects() {
        // Every rater rates every ratee: value = 10 + quality + severity exactly.
        let quality = [-1.0, 0.0, 2.0, 3.0];
        let severity = [0.5, -0.5, 1.0];
        let (mut e, mut r, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for (i, q) in quality.iter().enumerate() {
            for (j, s) in severity.iter().enumerate() {
                if (i + j) % 4 == 3 {
                    continue; // a few missing cells; the design stays connected
                }
                e.push(format!("p{i}"));
                r.push(format!("m{j}"));
                v.push(1e9 + 10.0 + q + s);
            }
        }
        let ratings = Ratings::new(&e.into(), &r.into(), v).unwrap();
        let model = additive_model(&ratings).unwrap();
        assert!(model.converged);
        assert_eq!(model.component_mean.len(), 1);
        // Effects are identified up to the constraint; differences are exact.
        let b = &model.rater_effect;
        assert!(((b[0] - b[1]) - 1.0).abs() < 1e-6 && ((b[2] - b[1]) - 1.5).abs() < 1e-6);
        let a = &model.ratee_effect;
        assert!(((a[3] - a[0]) - 4.0).abs() < 1e-6);
    }

    #[test]
    fn separate_components_and_errors() {
        let r = Ratings::new(&ids(&["a", "b"]), &ids(&["x", "y"]), vec![1.0, 5.0]).unwrap();
        let m = additive_model(&r).unwrap();
        assert_eq!(m.component_mean, [1.0, 5.0]);
        assert_eq!(m.rater_component, [0, 1]);
        assert_eq!(rater_effects(&r, &RaterEffectsOptions::default()).unwrap_err().code(), "too_few");
        assert_eq!(
            rater_effects(&Ratings::default(), &RaterEffectsOptions::default()).unwrap_err().code(),
            "empty"
        );
        // A missing rating is named by its ratee, its rater and its row, as pandas counts rows.
        let missing = Ratings::new(&ids(&["a", "b"]), &ids(&["x", "y"]), vec![1.0, f64::NAN]).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "missing value: the rating of ratee `b` by rater `y` (row 1) is NaN (the `omit` missing-value \
             policy drops such rows)"
        );
        // A threshold that would flag every rater (negative) or none (NaN) is refused.
        for z in [-1.0, f64::NAN, f64::INFINITY] {
            let e = rater_effects(&r, &RaterEffectsOptions { z_threshold: z, min_ratings: 1 }).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert!(e
                .to_string()
                .contains(&format!("z threshold of rater effects must be a finite number ≥ 0, not `{z}`")));
        }
    }
}
