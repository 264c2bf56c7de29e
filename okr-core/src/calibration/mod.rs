//! Calibration statistics for performance reviews: agreement between raters, rater effects,
//! normalisation, distribution against target shares, the 9-box grid and 360° aggregation.
//!
//! Every estimator is documented where it is defined, and each one is tested against a published
//! worked example and, in the Python suite, against the reference package (pingouin,
//! `krippendorff`, statsmodels, scikit-learn) on random data. Sums are compensated and variances
//! centred in two passes, so adding 1e9 to every rating changes no statistic by more than 1e-6.
//!
//! ```
//! use okr_core::calibration::{intraclass_corr, IccType, Matrix, Missing};
//! // Shrout & Fleiss (1979): 6 targets rated by 4 judges.
//! let m = Matrix::from_rows(&[
//!     [9.0, 2.0, 5.0, 8.0], [6.0, 1.0, 3.0, 2.0], [8.0, 4.0, 6.0, 8.0],
//!     [7.0, 1.0, 2.0, 6.0], [10.0, 5.0, 6.0, 9.0], [6.0, 2.0, 4.0, 7.0],
//! ])?;
//! let rows = intraclass_corr(&m, Missing::Raise)?;
//! assert_eq!(rows[0].kind, IccType::Icc1);
//! assert!((rows[0].icc - 0.1657).abs() < 1e-4);  // ICC(1,1) in the paper: .17
//! assert!((rows[2].icc - 0.7148).abs() < 1e-4);  // ICC(3,1): .71
//! # Ok::<(), okr_core::Error>(())
//! ```

mod agreement;
mod alpha;
mod distribution;
mod feedback;
mod icc;
mod kappa;
mod matrix;
mod nine_box;
mod normalize;
mod raters;
mod ratings;
pub(crate) mod stats;

pub use agreement::{kendall_w, KendallW};
pub use alpha::{krippendorff_alpha, krippendorff_alpha_counts, Level, MAX_COUNTED_VALUES};
pub use distribution::{distribution, Category, DistributionFit, DistributionReport};
pub use feedback::{
    feedback_360, Feedback360, FeedbackGroup, FeedbackOptions, FeedbackSummary, Relationship,
};
pub use icc::{intraclass_corr, intraclass_corr_long, IccRow, IccType};
pub use kappa::{
    cohen_kappa, cohen_kappa_weighted, fleiss_kappa, fleiss_kappa_with, CohenKappa, FleissKappa,
    FleissMethod, KappaWeights,
};
pub use matrix::{Matrix, Missing};
pub use nine_box::{nine_box, NineBox, NineBoxCell, NineBoxCuts, Tier, BOX_NAMES};
pub use normalize::{normalize, Method};
pub use raters::{additive_model, rater_effects, AdditiveModel, RaterEffect, RaterEffectsOptions};
pub use ratings::Ratings;
