//! The 9-box grid: performance × potential, three tiers each.

use serde::Serialize;

use crate::error::{Error, Result};

/// A tier on one axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Below the first cut.
    Low,
    /// From the first cut, below the second.
    Medium,
    /// From the second cut.
    High,
}

/// Cut points per axis: `[a, b]` puts a value below `a` in `low`, below `b` in `medium`, else
/// `high`. `None` uses the data's tertiles (the 1/3 and 2/3 quantiles, linear interpolation).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct NineBoxCuts {
    /// Performance cuts.
    pub performance: Option<[f64; 2]>,
    /// Potential cuts.
    pub potential: Option<[f64; 2]>,
}

/// Conventional names of the nine boxes, indexed by potential tier, then performance tier.
pub const BOX_NAMES: [[&str; 3]; 3] = [
    ["underperformer", "effective", "trusted professional"],
    ["inconsistent player", "core player", "high performer"],
    ["rough diamond", "future star", "star"],
];

/// A person's place in the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NineBoxCell {
    /// Performance tier.
    pub performance: Tier,
    /// Potential tier.
    pub potential: Tier,
    /// Box number 1–9: 1 is low/low, 9 is high/high (3 × potential + performance + 1).
    #[serde(rename = "box")]
    pub number: u8,
    /// Conventional name of the box.
    pub name: &'static str,
}

/// The grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NineBox {
    /// One cell per person, in input order.
    pub cells: Vec<NineBoxCell>,
    /// Counts indexed by potential tier, then performance tier, low to high.
    pub counts: [[usize; 3]; 3],
    /// The cuts used (given or tertiles).
    pub performance_cuts: [f64; 2],
    /// The cuts used on potential.
    pub potential_cuts: [f64; 2],
}

fn tertiles(values: &[f64]) -> [f64; 2] {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (s.len() - 1) as f64;
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(s.len() - 1);
        s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
    };
    [q(1.0 / 3.0), q(2.0 / 3.0)]
}

fn tier(v: f64, cuts: [f64; 2]) -> Tier {
    if v < cuts[0] {
        Tier::Low
    } else if v < cuts[1] {
        Tier::Medium
    } else {
        Tier::High
    }
}

fn check(axis: &'static str, values: &[f64], cuts: Option<[f64; 2]>) -> Result<[f64; 2]> {
    if let Some((i, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite { id: format!("person {i}"), field: axis, value: v });
    }
    let cuts = cuts.unwrap_or_else(|| tertiles(values));
    if !(cuts[0].is_finite() && cuts[1].is_finite() && cuts[0] <= cuts[1]) {
        return Err(Error::InvalidValue {
            id: "cuts".into(),
            field: axis,
            reason: format!("`{cuts:?}` must be finite and increasing"),
        });
    }
    Ok(cuts)
}

/// Places each person (a performance and a potential score) in the 3 × 3 grid.
pub fn nine_box(performance: &[f64], potential: &[f64], cuts: NineBoxCuts) -> Result<NineBox> {
    if performance.len() != potential.len() {
        return Err(Error::LengthMismatch {
            table: "people",
            column: "potential",
            expected: performance.len(),
            found: potential.len(),
        });
    }
    if performance.is_empty() {
        return Err(Error::Empty { what: "people" });
    }
    let pc = check("performance", performance, cuts.performance)?;
    let qc = check("potential", potential, cuts.potential)?;
    let mut counts = [[0usize; 3]; 3];
    let cells = performance
        .iter()
        .zip(potential)
        .map(|(&p, &q)| {
            let (tp, tq) = (tier(p, pc), tier(q, qc));
            counts[tq as usize][tp as usize] += 1;
            NineBoxCell {
                performance: tp,
                potential: tq,
                number: 3 * tq as u8 + tp as u8 + 1,
                name: BOX_NAMES[tq as usize][tp as usize],
            }
        })
        .collect();
    Ok(NineBox { cells, counts, performance_cuts: pc, potential_cuts: qc })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_cuts_and_counts() {
        let cuts = NineBoxCuts { performance: Some([2.5, 3.5]), potential: Some([2.5, 3.5]) };
        let g = nine_box(&[1.0, 3.0, 5.0, 3.5], &[5.0, 3.0, 1.0, 3.49], cuts).unwrap();
        assert_eq!(
            (g.cells[0].performance, g.cells[0].potential, g.cells[0].number),
            (Tier::Low, Tier::High, 7)
        );
        assert_eq!(g.cells[1].name, "core player");
        assert_eq!(g.cells[2].number, 3);
        // 3.5 is the lower bound of high; 3.49 is medium.
        assert_eq!((g.cells[3].performance, g.cells[3].potential), (Tier::High, Tier::Medium));
        assert_eq!(g.counts.iter().flatten().sum::<usize>(), 4);
        assert_eq!(g.counts[2][0], 1);
    }

    #[test]
    fn tertiles_by_default_and_errors() {
        let v: Vec<f64> = (0..9).map(f64::from).collect();
        let g = nine_box(&v, &v, NineBoxCuts::default()).unwrap();
        assert_eq!(g.performance_cuts, [8.0 / 3.0, 16.0 / 3.0]);
        assert_eq!(g.counts, [[3, 0, 0], [0, 3, 0], [0, 0, 3]]);
        assert_eq!(nine_box(&[1.0], &[], NineBoxCuts::default()).unwrap_err().code(), "length_mismatch");
        assert_eq!(nine_box(&[f64::NAN], &[1.0], NineBoxCuts::default()).unwrap_err().code(), "non_finite");
        let bad = NineBoxCuts { performance: Some([3.0, 1.0]), potential: None };
        assert_eq!(nine_box(&[1.0], &[1.0], bad).unwrap_err().code(), "invalid_value");
    }
}
