//! Calibration statistics for JavaScript: arrays in, plain objects out.

use okr_core::calibration::{self as cal, Level, Method, Missing, Ratings};
use wasm_bindgen::prelude::*;

use crate::convert::{field, floats, ids, keys, known_keys, matrix, numbers_to_js, pair};
use crate::errors::{invalid_input, to_js_err};

#[wasm_bindgen]
extern "C" {
    /// `{targets, raters, ratings}` columns.
    #[wasm_bindgen(typescript_type = "LongRatings")]
    pub type LongRatingsArg;
    /// Options of `intraclass_corr` and `additiveModel`: what a missing (NaN or null) rating does.
    #[wasm_bindgen(typescript_type = "{nanPolicy?: 'raise' | 'omit'}")]
    pub type NanPolicyOptions;
    /// Options of `krippendorff_alpha`.
    #[wasm_bindgen(
        typescript_type = "{level?: 'nominal' | 'ordinal' | 'interval' | 'ratio', valueDomain?: number[]}"
    )]
    pub type AlphaOptions;
    /// Options of `cohen_kappa`.
    #[wasm_bindgen(
        typescript_type = "{labels?: number[], weights?: 'linear' | 'quadratic' | null, sampleWeight?: number[] | Float64Array}"
    )]
    pub type KappaOptions;
    /// Options of `kendall_w`.
    #[wasm_bindgen(typescript_type = "{correctTies?: boolean}")]
    pub type KendallOptions;
    /// Options of `fleiss_kappa`.
    #[wasm_bindgen(typescript_type = "{method?: 'fleiss' | 'randolph' | 'uniform'}")]
    pub type FleissOptions;
    /// Options of `nineBox`.
    #[wasm_bindgen(
        typescript_type = "{performanceCuts?: [number, number], potentialCuts?: [number, number]}"
    )]
    pub type NineBoxOptions;
    /// Options of `feedback360`.
    #[wasm_bindgen(
        typescript_type = "{thresholds?: FeedbackThresholds, gap?: number, nanPolicy?: 'raise' | 'omit'}"
    )]
    pub type FeedbackOptionsArg;
    /// Options of `normalize`.
    #[wasm_bindgen(
        typescript_type = "{method?: 'zscore' | 'percentile' | 'additive', scale?: [number, number], nanPolicy?: 'raise' | 'omit'}"
    )]
    pub type NormalizeOptions;
    /// Options of `raterEffects`.
    #[wasm_bindgen(
        typescript_type = "{zThreshold?: number, minRatings?: number, nanPolicy?: 'raise' | 'omit'}"
    )]
    pub type RaterEffectsOptionsArg;
}

/// A count given as a JS number: whole, ≥ 0 and below 1e9.
fn count(v: &JsValue) -> Option<usize> {
    v.as_f64().filter(|m| *m >= 0.0 && m.fract() == 0.0 && *m < 1e9).map(|m| m as usize)
}

fn text_option(options: &JsValue, name: &str, default: &str) -> Result<String, JsValue> {
    match field(options, name)? {
        None => Ok(default.to_owned()),
        Some(v) => v.as_string().ok_or_else(|| invalid_input(format!("`{name}` must be a string"))),
    }
}

type Long = (okr_core::IdColumn<'static>, okr_core::IdColumn<'static>, Vec<f64>);

fn long(data: &JsValue, first: &str) -> Result<Long, JsValue> {
    let data = &known_keys(data.clone(), &[first, "raters", "ratings"], "column")?;
    let get = |name: &str| field(data, name)?.ok_or_else(|| invalid_input(format!("missing `{name}`")));
    Ok((ids(&get(first)?, first)?, ids(&get("raters")?, "raters")?, floats(&get("ratings")?, "ratings")?))
}

/// The six ICCs in pingouin's order: `[{type, description, icc, f, df1, df2, pval, ci95}]`.
#[wasm_bindgen(js_name = intraclassCorr, unchecked_return_type = "IccRow[]")]
pub fn intraclass_corr(data: LongRatingsArg, options: Option<NanPolicyOptions>) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["nanPolicy"])?;
    let (t, r, v) = long(&data.into(), "targets")?;
    let missing = missing(&options)?;
    numbers_to_js(&cal::intraclass_corr_long(&t, &r, &v, missing).map_err(to_js_err)?)
}

/// Krippendorff's alpha of coders × units reliability data (`null` = missing).
#[wasm_bindgen(js_name = krippendorffAlpha)]
pub fn krippendorff_alpha(
    #[wasm_bindgen(unchecked_param_type = "(number | null)[][]")] reliability_data: JsValue,
    options: Option<AlphaOptions>,
) -> Result<f64, JsValue> {
    let options = crate::convert::options(options, &["level", "valueDomain"])?;
    let name = text_option(&options, "level", "interval")?;
    let level = Level::parse(&name).ok_or_else(|| invalid_input(format!("unknown level `{name}`")))?;
    let domain = field(&options, "valueDomain")?.map(|d| floats(&d, "valueDomain")).transpose()?;
    cal::krippendorff_alpha(&matrix(&reliability_data, "reliabilityData")?, level, domain.as_deref())
        .map_err(to_js_err)
}

/// Cohen's kappa with inference; `sampleWeight` a weight per pair (scikit-learn's
/// `sample_weight`, counted as frequencies for the standard errors).
#[wasm_bindgen(js_name = cohenKappa, unchecked_return_type = "CohenKappa")]
pub fn cohen_kappa(
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] y1: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] y2: JsValue,
    options: Option<KappaOptions>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["labels", "weights", "sampleWeight"])?;
    let wrong = || invalid_input("`weights` must be `linear`, `quadratic` or null");
    let weights = field(&options, "weights")?.map(|w| w.as_string().ok_or_else(wrong)).transpose()?;
    let w = cal::KappaWeights::parse(weights.as_deref()).ok_or_else(wrong)?;
    let labels = field(&options, "labels")?.map(|l| floats(&l, "labels")).transpose()?;
    let sample = field(&options, "sampleWeight")?.map(|s| floats(&s, "sampleWeight")).transpose()?;
    let (y1, y2) = (floats(&y1, "y1")?, floats(&y2, "y2")?);
    numbers_to_js(
        &cal::cohen_kappa_weighted(&y1, &y2, labels.as_deref(), w, sample.as_deref()).map_err(to_js_err)?,
    )
}

/// Fleiss' kappa of a subjects × categories count table; `method: 'randolph'` (or `'uniform'`)
/// for Randolph's free-marginal kappa, as statsmodels names them.
#[wasm_bindgen(js_name = fleissKappa, unchecked_return_type = "FleissKappa")]
pub fn fleiss_kappa(
    #[wasm_bindgen(unchecked_param_type = "number[][]")] table: JsValue,
    options: Option<FleissOptions>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["method"])?;
    let method = cal::FleissMethod::named(&text_option(&options, "method", "fleiss")?).map_err(to_js_err)?;
    numbers_to_js(&cal::fleiss_kappa_with(&matrix(&table, "table")?, method).map_err(to_js_err)?)
}

/// Kendall's W of a subjects × raters matrix.
#[wasm_bindgen(js_name = kendallW, unchecked_return_type = "KendallW")]
pub fn kendall_w(
    #[wasm_bindgen(unchecked_param_type = "number[][]")] data: JsValue,
    options: Option<KendallOptions>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["correctTies"])?;
    let correct = match field(&options, "correctTies")? {
        None => true,
        Some(v) => v.as_bool().ok_or_else(|| invalid_input("`correctTies` must be true or false"))?,
    };
    numbers_to_js(&cal::kendall_w(&matrix(&data, "data")?, correct).map_err(to_js_err)?)
}

/// The `nanPolicy` option (default `raise`) as the core's missing-value policy.
pub(crate) fn missing(options: &JsValue) -> Result<Missing, JsValue> {
    let name = text_option(options, "nanPolicy", "raise")?;
    Missing::parse(&name)
        .ok_or_else(|| invalid_input(format!("nanPolicy must be `raise` or `omit`, not `{name}`")))
}

fn ratings(data: &JsValue, missing: Missing) -> Result<Ratings, JsValue> {
    let data = &known_keys(data.clone(), &["ratees", "raters", "ratings"], "column")?;
    let get = |name: &str| field(data, name)?.ok_or_else(|| invalid_input(format!("missing `{name}`")));
    Ratings::with_missing(
        &ids(&get("ratees")?, "ratees")?,
        &ids(&get("raters")?, "raters")?,
        floats(&get("ratings")?, "ratings")?,
        missing,
    )
    .map_err(to_js_err)
}

/// 360° ratings: `ratees`, `raters` and `ratings`, with `relationships` and `competencies`
/// (which `grouped` requires; a review packet takes ratings without them).
pub(crate) fn ratings_360(data: &JsValue, missing: Missing, grouped: bool) -> Result<Ratings, JsValue> {
    let columns = ["ratees", "raters", "ratings", "relationships", "competencies"];
    let data = &known_keys(data.clone(), &columns, "column")?;
    let get = |name: &str| field(data, name)?.ok_or_else(|| invalid_input(format!("missing `{name}`")));
    let group = |name: &str| if grouped { get(name).map(Some) } else { field(data, name) };
    let (relationships, competencies) = (group("relationships")?, group("competencies")?);
    let mut r = Ratings::with_missing(
        &ids(&get("ratees")?, "ratees")?,
        &ids(&get("raters")?, "raters")?,
        floats(&get("ratings")?, "ratings")?,
        missing,
    )
    .map_err(to_js_err)?;
    if let Some(rel) = relationships {
        r = r.with_relationship(&ids(&rel, "relationships")?).map_err(to_js_err)?;
    }
    if let Some(comp) = competencies {
        r = r.with_competency(&ids(&comp, "competencies")?).map_err(to_js_err)?;
    }
    Ok(r)
}

/// Per-rater effects, raters in order of first appearance. A rater is flagged when |z| reaches
/// `zThreshold` (default 1.96) and it gave at least `minRatings` ratings (default 3). A
/// missing rating (NaN or null) is an error naming its ratee, rater and row, or, with
/// `nanPolicy: "omit"`, its row is dropped first.
#[wasm_bindgen(js_name = raterEffects, unchecked_return_type = "RaterEffect[]")]
pub fn rater_effects(
    #[wasm_bindgen(unchecked_param_type = "RatingsColumns")] data: JsValue,
    options: Option<RaterEffectsOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["zThreshold", "minRatings", "nanPolicy"])?;
    let mut o = cal::RaterEffectsOptions::default();
    if let Some(z) = field(&options, "zThreshold")? {
        o.z_threshold = z.as_f64().ok_or_else(|| invalid_input("`zThreshold` must be a number"))?;
    }
    if let Some(m) = field(&options, "minRatings")? {
        o.min_ratings = count(&m).ok_or_else(|| invalid_input("`minRatings` must be a whole number ≥ 0"))?;
    }
    numbers_to_js(&cal::rater_effects(&ratings(&data, missing(&options)?)?, &o).map_err(to_js_err)?)
}

/// Normalised ratings, aligned with the input. With `nanPolicy: "omit"`, a missing (NaN or
/// null) rating is NaN in the result and takes no part in any rater's statistics; by default
/// it is an error.
#[wasm_bindgen]
pub fn normalize(
    #[wasm_bindgen(unchecked_param_type = "RatingsColumns")] data: JsValue,
    options: Option<NormalizeOptions>,
) -> Result<js_sys::Float64Array, JsValue> {
    let options = crate::convert::options(options, &["method", "scale", "nanPolicy"])?;
    let name = text_option(&options, "method", "zscore")?;
    let method = Method::parse(&name).ok_or_else(|| invalid_input(format!("unknown method `{name}`")))?;
    let scale = pair(&options, "scale")?.map(|[lo, hi]| (lo, hi));
    let out = cal::normalize(&ratings(&data, missing(&options)?)?, method, scale).map_err(to_js_err)?;
    Ok(js_sys::Float64Array::from(out.as_slice()))
}

/// The arguments of `distribution` and `distributionSvg`: categories (numbers or strings,
/// read with the ratings by [`Scale::new`]), shares, groups, alpha.
type DistributionArgs = (JsValue, Vec<f64>, Option<Vec<String>>, f64);

fn distribution_args(options: &JsValue) -> Result<DistributionArgs, JsValue> {
    let options = &known_keys(options.clone(), &["categories", "shares", "groups", "alpha"], "option")?;
    let need = |name: &str| field(options, name)?.ok_or_else(|| invalid_input(format!("missing `{name}`")));
    let groups = field(options, "groups")?
        .map(|g| {
            crate::convert::texts(&g, "groups")
                .map(|v| v.into_iter().map(Option::unwrap_or_default).collect())
        })
        .transpose()?;
    let alpha = match field(options, "alpha")? {
        None => 0.05,
        Some(a) => a.as_f64().ok_or_else(|| invalid_input("`alpha` must be a number"))?,
    };
    Ok((need("categories")?, floats(&need("shares")?, "shares")?, groups, alpha))
}

/// Ratings and their categories: numbers (a rating scale), or labels when the categories are
/// strings, each label column read as codes into its distinct strings (no string per row).
enum Scale {
    Numbers(Vec<f64>, Vec<f64>),
    Labels(crate::convert::Coded, crate::convert::Coded),
}

impl Scale {
    fn new(ratings: &JsValue, categories: &JsValue) -> Result<Scale, JsValue> {
        if !categories.dyn_ref::<js_sys::Array>().is_some_and(|a| a.get(0).is_string()) {
            return Ok(Scale::Numbers(floats(ratings, "ratings")?, floats(categories, "categories")?));
        }
        let coded = crate::convert::coded_texts;
        Ok(Scale::Labels(coded(ratings, "ratings")?, coded(categories, "categories")?))
    }

    /// A label column's text per row, borrowed; a null is an error naming its row.
    fn labels<'a>(column: &'a crate::convert::Coded, what: &str) -> Result<Vec<&'a str>, JsValue> {
        column
            .codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                usize::try_from(c)
                    .ok()
                    .and_then(|c| column.categories.get(c))
                    .map(String::as_str)
                    .ok_or_else(|| invalid_input(format!("`{what}`: row {i} is null")))
            })
            .collect()
    }
}

/// Ratings against target shares, overall and per group. Ratings and categories are numbers
/// (a rating scale) or strings (labels such as `"Exceeds"`).
#[wasm_bindgen(unchecked_return_type = "DistributionReport")]
pub fn distribution(
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array | string[]")] ratings: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "{categories: number[] | string[], shares: number[], groups?: string[], alpha?: number}"
    )]
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let (categories, shares, groups, alpha) = distribution_args(&options)?;
    let d = match Scale::new(&ratings, &categories)? {
        Scale::Numbers(r, c) => cal::distribution(&r, &c, &shares, groups.as_deref(), alpha),
        Scale::Labels(r, c) => {
            let (r, c) = (Scale::labels(&r, "ratings")?, Scale::labels(&c, "categories")?);
            cal::distribution(&r, &c, &shares, groups.as_deref(), alpha)
        }
    };
    numbers_to_js(&d.map_err(to_js_err)?)
}

/// The distribution chart (SVG) of ratings against target shares, numbers or labels.
#[wasm_bindgen(js_name = distributionSvg)]
pub fn distribution_svg(
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array | string[]")] ratings: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "{categories: number[] | string[], shares: number[], groups?: string[], alpha?: number}"
    )]
    options: JsValue,
) -> Result<String, JsValue> {
    let (categories, shares, groups, alpha) = distribution_args(&options)?;
    match Scale::new(&ratings, &categories)? {
        Scale::Numbers(r, c) => okr_core::distribution_chart(&r, &c, &shares, groups.as_deref(), alpha),
        Scale::Labels(r, c) => {
            let (r, c) = (Scale::labels(&r, "ratings")?, Scale::labels(&c, "categories")?);
            okr_core::distribution_chart(&r, &c, &shares, groups.as_deref(), alpha)
        }
    }
    .map_err(to_js_err)
}

/// The 9-box chart (SVG).
#[wasm_bindgen(js_name = nineBoxSvg)]
pub fn nine_box_svg(
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] performance: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] potential: JsValue,
    #[wasm_bindgen(
        unchecked_param_type = "{names: string[], performanceCuts?: [number, number], potentialCuts?: [number, number]}"
    )]
    options: JsValue,
) -> Result<String, JsValue> {
    let options = known_keys(options, &["names", "performanceCuts", "potentialCuts"], "option")?;
    let names = field(&options, "names")?
        .map(|g| {
            crate::convert::texts(&g, "names")
                .map(|v| v.into_iter().map(Option::unwrap_or_default).collect::<Vec<String>>())
        })
        .transpose()?
        .unwrap_or_default();
    okr_core::nine_box_chart(
        &floats(&performance, "performance")?,
        &floats(&potential, "potential")?,
        nine_box_cuts(&options)?,
        &names,
    )
    .map_err(to_js_err)
}

/// The cut points of 9-box options (the data's tertiles where not given).
fn nine_box_cuts(options: &JsValue) -> Result<cal::NineBoxCuts, JsValue> {
    Ok(cal::NineBoxCuts {
        performance: pair(options, "performanceCuts")?,
        potential: pair(options, "potentialCuts")?,
    })
}

/// Each person's 9-box cell, the counts per box and the cuts used (the data's tertiles unless
/// given).
#[wasm_bindgen(js_name = nineBox, unchecked_return_type = "NineBox")]
pub fn nine_box(
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] performance: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number[] | Float64Array")] potential: JsValue,
    options: Option<NineBoxOptions>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["performanceCuts", "potentialCuts"])?;
    let cuts = nine_box_cuts(&options)?;
    numbers_to_js(
        &cal::nine_box(&floats(&performance, "performance")?, &floats(&potential, "potential")?, cuts)
            .map_err(to_js_err)?,
    )
}

/// 360° aggregation under anonymity thresholds: a group per ratee × competency ×
/// relationship, and per ratee × competency self against others. With `nanPolicy: "omit"`,
/// an unanswered rating (NaN or null) is dropped and counts toward no anonymity threshold.
#[wasm_bindgen(js_name = feedback360, unchecked_return_type = "Feedback360")]
pub fn feedback_360(
    #[wasm_bindgen(unchecked_param_type = "FeedbackColumns")] data: JsValue,
    options: Option<FeedbackOptionsArg>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["thresholds", "gap", "nanPolicy"])?;
    let r = ratings_360(&data, missing(&options)?, true)?;
    let mut o = cal::FeedbackOptions::default();
    if let Some(g) = field(&options, "gap")? {
        o.gap = g.as_f64().ok_or_else(|| invalid_input("`gap` must be a number"))?;
    }
    if let Some(t) = field(&options, "thresholds")? {
        for name in keys(&t) {
            let min = field(&t, &name)?.as_ref().and_then(count);
            let min =
                min.ok_or_else(|| invalid_input(format!("threshold `{name}` must be a whole number ≥ 0")))?;
            o.set_threshold(&name, min).map_err(to_js_err)?;
        }
    }
    numbers_to_js(&cal::feedback_360(&r, &o).map_err(to_js_err)?)
}

/// The crossed additive model value = μ + ratee + rater + ε, fitted on each connected
/// component of raters and ratees; `nanPolicy: "omit"` drops rows whose rating is missing.
#[wasm_bindgen(js_name = additiveModel, unchecked_return_type = "AdditiveModel")]
pub fn additive_model(
    #[wasm_bindgen(unchecked_param_type = "RatingsColumns")] data: JsValue,
    options: Option<NanPolicyOptions>,
) -> Result<JsValue, JsValue> {
    let options = crate::convert::options(options, &["nanPolicy"])?;
    numbers_to_js(&cal::additive_model(&ratings(&data, missing(&options)?)?).map_err(to_js_err)?)
}
