//! Scoring policy: every rule that other OKR tools hard-code, as a named setting.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which contributors drive an objective's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressDriver {
    /// `key_results` when the objective has key results of its own, else `children`.
    #[default]
    Auto,
    /// Only the objective's own key results (weighted by KR weight).
    KeyResults,
    /// Only the objectives and key results aligned to it (weighted by edge weight).
    Children,
    /// Own key results and aligned children together, in one weighted mean.
    Both,
}

impl ProgressDriver {
    /// Every driver, in declaration order.
    pub(crate) const ALL: [ProgressDriver; 4] =
        [ProgressDriver::Auto, ProgressDriver::KeyResults, ProgressDriver::Children, ProgressDriver::Both];

    /// Parses the snake_case name.
    pub fn parse(name: &str) -> Option<ProgressDriver> {
        ProgressDriver::ALL.into_iter().find(|d| d.as_str() == name)
    }

    /// This driver's position in [`ProgressDriver::ALL`].
    pub(crate) fn position(self) -> u8 {
        self as u8
    }

    /// The snake_case name used in documents and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressDriver::Auto => "auto",
            ProgressDriver::KeyResults => "key_results",
            ProgressDriver::Children => "children",
            ProgressDriver::Both => "both",
        }
    }
}

/// What a contributor without data (no check-in, no `current`, no aligned data) counts for in
/// the weighted mean of the objective or `rollup` key result it feeds.
///
/// OKR tools split here without saying so: most count a key result nobody has updated as 0 %,
/// which pulls its objective down from the first day of the quarter; others leave it out until
/// it is measured. Either way, a node whose counted contributors all lack data has score 0 and
/// `has_data: false`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    /// It counts with score 0 and its full weight.
    #[default]
    Zero,
    /// It is left out: neither its weight nor its score counts, until it has data.
    Exclude,
}

impl NoData {
    /// The snake_case name used in documents and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NoData::Zero => "zero",
            NoData::Exclude => "exclude",
        }
    }
}

/// Whether a check-in dated after the end of its key result's cycle counts, when a report's
/// date is later than that end.
///
/// OKR tools split here without saying so: some keep accepting updates to a closed quarter
/// (late final numbers), so a review in May of Q1's key results moves with every April
/// check-in; others lock the quarter at its last day. Milestones' `done_on` dates count as
/// check-ins here. Key results without a cycle are never late.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LateCheckIns {
    /// It counts like any other: the latest check-in on or before the report's date.
    #[default]
    Count,
    /// It is ignored: a key result is read as of its cycle's last day (value, milestones,
    /// confidence, check-in signals and forecast), so a closed cycle's scores stay as they
    /// were on its last day.
    Ignore,
}

impl LateCheckIns {
    /// The snake_case name used in documents and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LateCheckIns::Count => "count",
            LateCheckIns::Ignore => "ignore",
        }
    }
}

/// The scoring policy of a plan. Set once in the plan document (`"policy": {...}`) and
/// overridable on every call with [`crate::Plan::score_with`].
///
/// Comparisons against the thresholds below allow a tolerance of [`Policy::TOLERANCE`], so that
/// a score of `0.7` computed as `0.6999999999999998` still grades green.
///
/// ```
/// use okr_core::Policy;
/// let stretch = Policy { cap: 1.5, ..Policy::default() };
/// assert!(stretch.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Whether key-result scores are clamped to `[floor, cap]`. Default `true`. Without it, a
    /// raw score past f64's range is the largest finite number of its sign.
    pub clamp: bool,
    /// Lowest key-result score; set below 0 to show progress below baseline. Default `0`.
    pub floor: f64,
    /// Highest key-result score; set above 1 to reward over-achievement. Default `1`.
    pub cap: f64,
    /// Plan-wide default progress driver; an objective's own `progress` wins. Default `auto`.
    pub progress: ProgressDriver,
    /// What a contributor without data counts for in a weighted mean: `zero` (its weight, at
    /// score 0) or `exclude` (nothing). Default `zero`.
    pub no_data: NoData,
    /// Whether a check-in dated after its key result's cycle ended counts (`count`) or is
    /// ignored (`ignore`: the key result is read as of its cycle's last day). Default `count`.
    pub late_check_ins: LateCheckIns,
    /// Score from which a node is `achieved`. Default `1`.
    pub achieved_at: f64,
    /// Largest shortfall behind expected progress that is still `on_track`. Default `0.10`.
    pub on_track_gap: f64,
    /// Largest shortfall behind expected progress that is `at_risk` (beyond: `off_track`).
    /// Default `0.25`.
    pub at_risk_gap: f64,
    /// Score from which the grade is `yellow` (below: `red`). Default `0.4`.
    pub yellow_from: f64,
    /// Score from which the grade is `green`. Default `0.7`.
    pub green_from: f64,
    /// Days without a check-in after which a started key result is stale. Default `14`. Days
    /// after the end of the key result's cycle do not count: in a review after the quarter, a
    /// key result last checked in on its final day is not stale, one silent for its last 14
    /// days is.
    pub stale_after_days: u32,
    /// End score that counts as success (forecast `p_success`, `forecast_miss`, confidence
    /// calibration). Default `0.7`.
    pub success_at: f64,
    /// Latest confidence below which a key result signals `low_confidence`. Default `0.5`.
    pub low_confidence_below: f64,
    /// Fall in confidence between the last two check-ins that signals `confidence_drop`.
    /// Default `0.2`.
    pub confidence_drop: f64,
    /// Share of a team's key results at risk or off track from which the systemic view flags
    /// it. Default `0.3`.
    pub systemic_share: f64,
    /// Key results per objective beyond which lint warns. Default `5`.
    pub max_key_results: u32,
    /// Objectives per owner and cycle beyond which lint warns. Default `5`.
    pub max_objectives_per_owner: u32,
    /// Alignment edges below a root beyond which lint warns. Default `5`.
    pub max_cascade_depth: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            clamp: true,
            floor: 0.0,
            cap: 1.0,
            progress: ProgressDriver::Auto,
            no_data: NoData::Zero,
            late_check_ins: LateCheckIns::Count,
            achieved_at: 1.0,
            on_track_gap: 0.10,
            at_risk_gap: 0.25,
            yellow_from: 0.4,
            green_from: 0.7,
            stale_after_days: 14,
            success_at: 0.7,
            low_confidence_below: 0.5,
            confidence_drop: 0.2,
            systemic_share: 0.3,
            max_key_results: 5,
            max_objectives_per_owner: 5,
            max_cascade_depth: 5,
        }
    }
}

impl Policy {
    /// Tolerance applied to every threshold comparison (status, grade, achieved).
    pub const TOLERANCE: f64 = 1e-9;

    /// Checks that every setting is finite and consistent.
    pub fn validate(&self) -> Result<()> {
        let finite = [
            ("floor", self.floor),
            ("cap", self.cap),
            ("achieved_at", self.achieved_at),
            ("on_track_gap", self.on_track_gap),
            ("at_risk_gap", self.at_risk_gap),
            ("yellow_from", self.yellow_from),
            ("green_from", self.green_from),
            ("success_at", self.success_at),
            ("low_confidence_below", self.low_confidence_below),
            ("confidence_drop", self.confidence_drop),
            ("systemic_share", self.systemic_share),
        ];
        for (field, value) in finite {
            if !value.is_finite() {
                return Err(Error::InvalidPolicy { field, reason: format!("`{value}` is not finite") });
            }
        }
        if self.clamp && self.floor >= self.cap {
            return Err(Error::InvalidPolicy {
                field: "floor",
                reason: format!("floor `{}` must be below cap `{}`", self.floor, self.cap),
            });
        }
        if self.on_track_gap < 0.0 || self.on_track_gap > self.at_risk_gap {
            return Err(Error::InvalidPolicy {
                field: "on_track_gap",
                reason: format!(
                    "`{}` must be between 0 and at_risk_gap `{}`",
                    self.on_track_gap, self.at_risk_gap
                ),
            });
        }
        if self.yellow_from > self.green_from {
            return Err(Error::InvalidPolicy {
                field: "yellow_from",
                reason: format!("`{}` must not exceed green_from `{}`", self.yellow_from, self.green_from),
            });
        }
        Ok(())
    }

    /// This policy with some settings replaced, given as a JSON object (for example
    /// `{"cap": 1.5}`); unknown settings are rejected by name, and the result is validated.
    ///
    /// ```
    /// let p = okr_core::Policy::default().with_overrides(r#"{"cap": 1.5}"#)?;
    /// assert_eq!((p.cap, p.floor), (1.5, 0.0));
    /// assert_eq!(okr_core::Policy::default().with_overrides(r#"{"cpa": 1}"#).unwrap_err().code(), "invalid_policy");
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn with_overrides(&self, json: &str) -> Result<Policy> {
        let patch: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::InvalidPolicy { field: "policy", reason: e.to_string() })?;
        let serde_json::Value::Object(patch) = patch else {
            return Err(Error::InvalidPolicy {
                field: "policy",
                reason: "expected an object of settings".into(),
            });
        };
        let base = serde_json::to_value(self)
            .map_err(|e| Error::InvalidPolicy { field: "policy", reason: e.to_string() })?;
        let with = |settings: &serde_json::Map<String, serde_json::Value>| {
            let mut merged = base.clone();
            if let serde_json::Value::Object(m) = &mut merged {
                m.extend(settings.clone());
            }
            serde_json::from_value::<Policy>(merged)
        };
        let policy = with(&patch).map_err(|e| {
            // Name the setting whose value does not fit (`progress`, `cap`): the first one
            // that fails on its own. An unknown setting is named by serde's message.
            let field = (patch.iter())
                .filter(|&(key, value)| {
                    with(&std::iter::once((key.clone(), value.clone())).collect()).is_err()
                })
                .find_map(|(key, _)| Policy::SETTINGS.into_iter().find(|s| s == key))
                .unwrap_or("policy");
            Error::InvalidPolicy { field, reason: e.to_string() }
        })?;
        policy.validate()?;
        Ok(policy)
    }

    /// The names of the settings, in declaration order (the keys of a policy's JSON form).
    pub const SETTINGS: [&'static str; 19] = [
        "clamp",
        "floor",
        "cap",
        "progress",
        "no_data",
        "late_check_ins",
        "achieved_at",
        "on_track_gap",
        "at_risk_gap",
        "yellow_from",
        "green_from",
        "stale_after_days",
        "success_at",
        "low_confidence_below",
        "confidence_drop",
        "systemic_share",
        "max_key_results",
        "max_objectives_per_owner",
        "max_cascade_depth",
    ];

    /// Applies the clamp to a raw key-result score. Without it, a raw score past f64's range
    /// (a value far beyond a narrow span) is the largest finite number of its sign: scores
    /// stay finite, and so do the weighted means over them.
    pub(crate) fn bound(&self, raw: f64) -> f64 {
        if self.clamp {
            raw.clamp(self.floor, self.cap)
        } else {
            raw.clamp(f64::MIN, f64::MAX)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_design() {
        let p = Policy::default();
        assert_eq!((p.floor, p.cap, p.on_track_gap, p.at_risk_gap), (0.0, 1.0, 0.10, 0.25));
        assert_eq!((p.yellow_from, p.green_from, p.stale_after_days), (0.4, 0.7, 14));
        assert!(p.validate().is_ok());
    }

    #[test]
    fn rejects_inconsistent_settings() {
        let p = Policy { floor: 1.0, cap: 1.0, ..Policy::default() };
        assert_eq!(p.validate().map_err(|e| e.code()), Err("invalid_policy"));
        let p = Policy { cap: f64::NAN, ..Policy::default() };
        assert!(p.validate().is_err_and(|e| e.to_string().contains("cap")));
        let p = Policy { on_track_gap: 0.3, ..Policy::default() };
        assert!(p.validate().is_err());
        let p = Policy { yellow_from: 0.8, ..Policy::default() };
        assert!(p.validate().is_err());
    }

    #[test]
    fn unknown_policy_field_is_named() {
        let err = serde_json::from_str::<Policy>(r#"{"cpa": 1.5}"#).unwrap_err();
        assert!(err.to_string().contains("cpa"));
    }

    #[test]
    fn an_override_that_does_not_fit_names_its_setting() {
        let p = Policy::default();
        for (json, field, reason) in [
            (r#"{"progress": "sideways"}"#, "progress", "unknown variant `sideways`"),
            (r#"{"no_data": "skip"}"#, "no_data", "unknown variant `skip`, expected `zero` or `exclude`"),
            (r#"{"late_check_ins": "lock"}"#, "late_check_ins", "expected `count` or `ignore`"),
            (r#"{"cap": "high", "floor": 0.5}"#, "cap", "invalid type: string \"high\""),
            (r#"{"floor": 0.5, "stale_after_days": -1}"#, "stale_after_days", "invalid value: integer `-1`"),
            (r#"{"capp": 1}"#, "policy", "unknown field `capp`"),
        ] {
            let err = p.with_overrides(json).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidPolicy { field: f, reason: r } if *f == field && r.contains(reason)),
                "{json}: {err}"
            );
        }
    }

    #[test]
    fn settings_are_the_keys_of_the_json_form() {
        let json = serde_json::to_value(Policy::default()).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut settings = Policy::SETTINGS.to_vec();
        // serde_json's map sorts its keys unless asked to keep their order.
        settings.sort_unstable();
        keys.sort_unstable();
        assert_eq!(keys, settings);
    }

    #[test]
    fn bound_respects_clamp_switch() {
        let p = Policy { floor: -1.0, cap: 1.5, ..Policy::default() };
        assert_eq!(p.bound(2.0), 1.5);
        assert_eq!(p.bound(-3.0), -1.0);
        let p = Policy { clamp: false, ..Policy::default() };
        assert_eq!(p.bound(-3.0), -3.0);
        assert_eq!((p.bound(f64::INFINITY), p.bound(f64::NEG_INFINITY)), (f64::MAX, f64::MIN));
    }
}
