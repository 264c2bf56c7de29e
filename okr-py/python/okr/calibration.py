"""Calibration statistics on DataFrames and arrays.

``intraclass_corr`` and ``krippendorff_alpha`` are signature-compatible with
``pingouin.intraclass_corr`` and ``krippendorff.alpha``; ``cohen_kappa`` with scikit-learn's
``cohen_kappa_score``; ``fleiss_kappa`` with statsmodels'. All computation happens in okr-core.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from okr import _okr
from okr._columns import boundary, column, floats, ids, invalid, texts

__all__ = [
    "intraclass_corr",
    "krippendorff_alpha",
    "cohen_kappa",
    "cohen_kappa_test",
    "fleiss_kappa",
    "kendall_w",
    "rater_effects",
    "additive_model",
    "normalize",
    "distribution",
    "nine_box",
    "feedback_360",
]


@boundary
def intraclass_corr(
    data: pd.DataFrame, targets: str, raters: str, ratings: str, nan_policy: str = "raise"
) -> pd.DataFrame:
    """The six ICCs of long-format ratings, as ``pingouin.intraclass_corr`` returns them:
    columns ``Type``, ``Description``, ``ICC``, ``F``, ``df1``, ``df2``, ``pval``, ``CI95%``
    (unrounded), rows ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k. ``nan_policy="omit"`` drops the
    targets that lack a rating. As in pingouin, a matrix without variance gives NaN, and one
    whose raters agree exactly an infinite ``F`` (p-value 0)."""
    rows = _okr.intraclass_corr(ids(column(data, targets)), ids(column(data, raters)), floats(column(data, ratings), str(ratings)), nan_policy)
    return pd.DataFrame(
        {
            "Type": [r["type"] for r in rows],
            "Description": [r["description"] for r in rows],
            "ICC": [r["icc"] for r in rows],
            "F": [r["f"] for r in rows],
            "df1": np.array([r["df1"] for r in rows], dtype=np.int64),
            "df2": np.array([r["df2"] for r in rows], dtype=np.int64),
            "pval": [r["pval"] for r in rows],
            "CI95%": [np.array(r["ci95"]) for r in rows],
        }
    )


def _numbers(values: Any, what: str) -> np.ndarray:
    """A float64 array (C order) of ``values``, or an error naming ``what``."""
    try:
        return np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError):
        raise invalid(f"`{what}` must hold numbers") from None


def _numeric_or_codes(values: np.ndarray, domain: Optional[Sequence[Any]]) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Numbers as they are; other labels as positions in the (sorted or given) domain."""
    if values.dtype.kind in "fiub" and (domain is None or np.asarray(domain).dtype.kind in "fiub"):
        return values.astype(np.float64), None if domain is None else np.asarray(domain, dtype=np.float64)
    flat = pd.Series(values.ravel())
    labels = list(domain) if domain is not None else sorted(flat.dropna().unique().tolist())
    index = pd.Index(labels)
    if not index.is_unique:
        raise invalid(f"value_domain holds `{index[index.duplicated()][0]}` twice")
    # Positions looked up, not a Categorical built: pandas 3 warns (and will raise) when a
    # Categorical's values are not all among its categories, which is the error to name here.
    codes = index.get_indexer(flat).astype(np.float64)
    missing = flat.isna().to_numpy()
    unknown = (codes < 0) & ~missing
    if unknown.any():
        raise invalid(f"`{flat[unknown.argmax()]}` is not in value_domain")
    codes[missing] = np.nan
    return codes.reshape(values.shape), np.arange(len(labels), dtype=np.float64)


@boundary
def krippendorff_alpha(
    reliability_data: Any = None,
    value_counts: Any = None,
    value_domain: Optional[Sequence[Any]] = None,
    level_of_measurement: str = "interval",
) -> float:
    """Krippendorff's alpha (``krippendorff.alpha``'s signature): ``reliability_data`` is coders
    × units with NaN (or None) for missing values; or ``value_counts`` is units × values. Memory
    does not grow with the number of distinct values, so continuous scores work. Giving both
    (or neither) is an error, as in ``krippendorff``."""
    if reliability_data is not None and value_counts is not None:
        # The extension refuses the pair, naming both, before it reads either.
        return _okr.krippendorff_alpha(reliability_data=reliability_data, value_counts=value_counts)
    if reliability_data is not None:
        if isinstance(reliability_data, np.ndarray) and reliability_data.dtype.kind == "f" and value_domain is None:
            return _okr.krippendorff_alpha(reliability_data=np.ascontiguousarray(reliability_data, dtype=np.float64), level_of_measurement=level_of_measurement)
        raw = np.asarray(pd.DataFrame(reliability_data).to_numpy())
        if raw.dtype == object:
            try:
                raw = raw.astype(np.float64)
            except (TypeError, ValueError):
                pass
        data, domain = _numeric_or_codes(raw, value_domain)
        return _okr.krippendorff_alpha(reliability_data=np.ascontiguousarray(data), value_domain=domain, level_of_measurement=level_of_measurement)
    counts = None if value_counts is None else _numbers(value_counts, "value_counts")
    domain_arr = None if value_domain is None else _numbers(value_domain, "value_domain")
    return _okr.krippendorff_alpha(value_counts=counts, value_domain=domain_arr, level_of_measurement=level_of_measurement)


def _label_codes(y1: Any, y2: Any, labels: Optional[Sequence[Any]]) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, b = pd.Series(np.asarray(y1)), pd.Series(np.asarray(y2))
    # A missing label (None, NaN) is no label: it crosses as NaN, which the core names by row.
    present = pd.concat([a, b]).dropna().unique().tolist()
    order = list(labels) if labels is not None else sorted(present)
    extra = set(present) - set(order)
    if extra:
        raise invalid(f"label `{sorted(extra)[0]}` is not among the labels")
    codes = {v: float(i) for i, v in enumerate(order)}
    return (a.map(codes).to_numpy(np.float64), b.map(codes).to_numpy(np.float64), np.arange(len(order), dtype=np.float64))


@boundary
def cohen_kappa_test(
    y1: Any, y2: Any, *, labels: Optional[Sequence[Any]] = None, weights: Optional[str] = None,
    sample_weight: Any = None,
) -> Dict[str, Any]:
    """Cohen's kappa with its standard errors, 95 % interval, z and two-sided p-value (as SAS
    and statsmodels report them). With ``sample_weight``, the weights count as frequencies
    (as SAS's ``WEIGHT`` statement reads them): the sample size is their total."""
    return _cohen(y1, y2, labels, weights, sample_weight)


def _cohen(
    y1: Any, y2: Any, labels: Optional[Sequence[Any]], weights: Optional[str], sample_weight: Any
) -> Dict[str, Any]:
    a, b, codes = _label_codes(y1, y2, labels)
    sample = None if sample_weight is None else _numbers(sample_weight, "sample_weight")
    return _okr.cohen_kappa(a, b, codes, weights, sample)


@boundary
def cohen_kappa(
    y1: Any, y2: Any, *, labels: Optional[Sequence[Any]] = None, weights: Optional[str] = None,
    sample_weight: Any = None,
) -> float:
    """Cohen's kappa (``sklearn.metrics.cohen_kappa_score``'s signature): ``weights`` is None,
    ``"linear"`` or ``"quadratic"``; ``labels`` fixes the categories and their order;
    ``sample_weight`` a weight per pair (finite, ≥ 0, not all 0). Where scikit-learn silently
    leaves out the pairs with a label outside ``labels``, this is an ``OkrError`` naming the
    label (select a subset by filtering the pairs first)."""
    return float(_cohen(y1, y2, labels, weights, sample_weight)["kappa"])


@boundary
def fleiss_kappa(table: Any, method: str = "fleiss") -> float:
    """Fleiss' kappa of a subjects × categories count table (statsmodels' signature).

    ``method="fleiss"`` (Fleiss 1971) counts chance agreement from the categories' shares of
    all ratings; ``"randolph"`` or ``"uniform"`` (Randolph 2005, free-marginal) as one over the
    number of categories. Every subject needs the same number of raters. Where every rating
    falls in one category, Fleiss' kappa is an ``OkrError`` (``too_few``; statsmodels gives
    NaN), Randolph's is 1."""
    return float(_okr.fleiss_kappa(_numbers(table, "table"), method)["kappa"])


@boundary
def kendall_w(data: Any, correct_ties: bool = True) -> Dict[str, float]:
    """Kendall's W of a subjects × raters matrix, with ``W``, ``chisq``, ``df``, ``pval``."""
    return _okr.kendall_w(_numbers(data, "data"), correct_ties)


@boundary
def rater_effects(
    data: pd.DataFrame,
    ratee: str,
    rater: str,
    rating: str,
    z_threshold: float = 1.96,
    min_ratings: int = 3,
    nan_policy: str = "raise",
) -> pd.DataFrame:
    """Per rater: ``rater``, ``n``, ``mean``, ``sd``, ``leniency``, ``se``, ``shrunk_leniency``,
    ``z``, ``flag`` (categorical: ``lenient``, ``severe`` or NaN).

    A missing rating (NaN or null) is an error naming its ratee, rater and row under
    ``nan_policy="raise"``; ``"omit"`` drops its row first, as ``data.dropna(subset=[rating])``
    would (``n``, ``mean`` and ``sd`` are then pandas' ``groupby(rater)[rating]`` count, mean
    and std, which skip NaN; a rater with no rating left is not listed)."""
    rows = _okr.rater_effects(
        ids(column(data, ratee)), ids(column(data, rater)), floats(column(data, rating), str(rating)), z_threshold, min_ratings, nan_policy
    )
    cols = ["rater", "n", "mean", "sd", "leniency", "se", "shrunk_leniency", "z", "flag"]
    out = pd.DataFrame(rows, columns=cols)
    out["sd"] = out["sd"].astype(np.float64)
    out["flag"] = _labels(out["flag"], "flag")
    return out


def _labels(values: pd.Series, column: str) -> pd.Categorical:
    """A column of labels or None as a Categorical of all the labels ``column`` may hold (as
    the core lists them), so that its dtype does not depend on which occur (pandas would make
    an object column of Nones when none does, and a string column with NaN when some do), as
    the report's ``status`` is."""
    categories = _okr.report_categories()[column]
    return pd.Categorical(values.where(values.notna(), None).tolist(), categories=categories)


@boundary
def additive_model(data: pd.DataFrame, ratee: str, rater: str, rating: str, nan_policy: str = "raise") -> Dict[str, Any]:
    """The crossed model rating = μ + ratee + rater + ε: ``ratee_effect`` and ``rater_effect``
    Series, rater ``component`` and ``component_mean``. ``nan_policy="omit"`` drops rows
    whose rating is missing; ``"raise"`` (the default) makes one an error."""
    m = _okr.additive_model(ids(column(data, ratee)), ids(column(data, rater)), floats(column(data, rating), str(rating)), nan_policy)
    return {
        "ratee_effect": pd.Series(m["ratee_effect"], index=m["ratees"], name="ratee_effect"),
        "rater_effect": pd.Series(m["rater_effect"], index=m["raters"], name="rater_effect"),
        "component": pd.Series(m["rater_component"], index=m["raters"], name="component"),
        "component_mean": m["component_mean"],
        "converged": m["converged"],
    }


@boundary
def normalize(
    data: pd.DataFrame,
    ratee: str,
    rater: str,
    rating: str,
    method: str = "zscore",
    scale: Optional[Tuple[float, float]] = None,
    nan_policy: str = "raise",
) -> pd.Series:
    """Normalised ratings (``zscore``, ``percentile`` or ``additive``) as a Series aligned with
    ``data``, clamped to ``scale`` when given.

    A missing rating (NaN or null) is an error under ``nan_policy="raise"`` (the default);
    under ``"omit"`` its row is NaN in the result and takes no part in any rater's or the
    pool's statistics, as with pandas' ``groupby(rater)[rating].transform``."""
    out = _okr.normalize(
        ids(column(data, ratee)), ids(column(data, rater)), floats(column(data, rating), str(rating)), method, scale, nan_policy
    )
    return pd.Series(out, index=data.index, name=rating)


_NUMBERS = {"integer", "floating", "mixed-integer-float", "decimal", "boolean"}


def _scale(series: pd.Series, target: Optional[Union[Mapping[Any, float], Sequence[float]]], what: str) -> Tuple[Any, Any, np.ndarray]:
    """Ratings, categories and shares as the core takes them: numbers (a rating scale), or
    labels (text such as ``"Exceeds"``) as lists of ``str``.

    ``target`` maps category → share (a dict, or a Series indexed by category), or lists
    shares (even shares when None) for the
    categories: a categorical column's own, in its dtype's order, used or not (so that a list
    follows the scale of ``pd.Categorical(..., categories=[...], ordered=True)``), else the
    sorted values seen."""
    s = pd.Series(series)
    domain = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else None
    if isinstance(target, pd.Series):
        # A Series of shares is a mapping of its index (the categories) to its values, as
        # pandas reads it, not a bare list.
        target = dict(target.items())
    named = list(target.keys()) if isinstance(target, Mapping) else None
    values: Any
    cats: Any
    if pd.api.types.infer_dtype(s if domain is None else domain, skipna=True) in _NUMBERS or (len(s) and s.isna().all()):
        values = floats(s if domain is None else s.astype(np.float64), what)
        if named is not None:
            cats = _numbers(named, "target categories")
        else:
            cats = np.unique(values[~np.isnan(values)]) if domain is None else _numbers(domain, "categories")
    else:
        # Codes into the distinct labels (a categorical's own categories, in its order): the
        # form text columns cross in, no string per row.
        values = texts(s)
        missing = values[1] < 0
        if missing.any():
            raise invalid(f"`{what}`: row {int(np.flatnonzero(missing)[0])} has no rating")
        seen = values[2] if domain is not None else sorted(set(values[2]))
        cats = [str(c) for c in named] if named is not None else seen
    if isinstance(target, Mapping):
        shares = _numbers(list(target.values()), "target shares")
    else:
        shares = np.full(len(cats), 1.0 / max(len(cats), 1)) if target is None else _numbers(target, "target shares")
    return values, cats, shares


@boundary
def distribution(
    data: pd.DataFrame, rating: str, target: Union[Mapping[Any, float], Sequence[float]], by: Optional[str] = None, alpha: float = 0.05
) -> Dict[str, Any]:
    """Ratings against target shares: ``observed``, ``expected``, ``chi2``, ``df``, ``pval``,
    ``tvd``, ``flagged``, ``categories``, and ``groups`` (per ``by``).

    Ratings are numbers (a 1–5 scale) or labels (``"Exceeds"``, text or categorical).
    ``target`` maps category → share (a dict, or a Series indexed by category), or lists
    shares for the categories: a categorical column's own categories in their order, else the
    sorted values seen."""
    values, cats, shares = _scale(column(data, rating), target, str(rating))
    groups = None if by is None else column(data, by).astype(str).tolist()
    d = _okr.distribution(values, cats, shares, groups, alpha)
    out = dict(d["overall"])
    out["categories"] = cats.tolist() if isinstance(cats, np.ndarray) else list(cats)
    out["groups"] = {name: fit for name, fit in d["groups"]}
    return out


@boundary
def nine_box(
    data: pd.DataFrame,
    person: str,
    performance: str,
    potential: str,
    performance_cuts: Optional[Tuple[float, float]] = None,
    potential_cuts: Optional[Tuple[float, float]] = None,
) -> pd.DataFrame:
    """Each person's 9-box cell: ``person``, ``performance``, ``potential`` (tiers low/medium/
    high), ``box`` (1–9) and ``name``. Cuts default to the data's tertiles. The frame's
    ``attrs`` hold ``counts`` (by potential tier, then performance tier, low to high) and the
    cuts used, ``performance_cuts`` and ``potential_cuts``."""
    g = _okr.nine_box(floats(column(data, performance), str(performance)), floats(column(data, potential), str(potential)), performance_cuts, potential_cuts)
    out = pd.DataFrame(g["cells"])
    out.insert(0, "person", column(data, person).to_numpy())
    out.attrs["counts"] = g["counts"]
    out.attrs["performance_cuts"] = g["performance_cuts"]
    out.attrs["potential_cuts"] = g["potential_cuts"]
    return out


@boundary
def feedback_360(
    data: pd.DataFrame,
    ratee: str,
    rater: str,
    relationship: str,
    competency: str,
    rating: str,
    thresholds: Optional[Mapping[str, int]] = None,
    gap: float = 1.0,
    nan_policy: str = "raise",
) -> Dict[str, pd.DataFrame]:
    """360° aggregation: ``groups`` (mean, n, sd per ratee × competency × relationship, with
    anonymity thresholds and complementary suppression) and ``summaries`` (self vs others,
    blind spots and hidden strengths). ``suppressed`` (``below_threshold``, ``complementary``)
    and ``finding`` (``blind_spot``, ``hidden_strength``) are categorical, NaN where none.

    A missing answer (NaN or null rating, such as "not applicable") is an error under
    ``nan_policy="raise"`` (the default); ``"omit"`` drops its row, so it counts toward no
    group's ``n`` or anonymity threshold."""
    f = _okr.feedback_360(
        ids(column(data, ratee)), ids(column(data, rater)), ids(column(data, relationship)), ids(column(data, competency)), floats(column(data, rating), str(rating)),
        None if thresholds is None else dict(thresholds), gap, nan_policy,
    )
    # Missing numbers (suppressed or undefined) are NaN in float columns, and a table with no
    # rows keeps its columns.
    groups = pd.DataFrame(f["groups"], columns=["ratee", "competency", "relationship", "n", "mean", "sd", "suppressed"])
    summaries = pd.DataFrame(f["summaries"], columns=["ratee", "competency", "self_mean", "others_n", "others_mean", "gap", "finding"])
    groups["suppressed"] = _labels(groups["suppressed"], "suppressed")
    summaries["finding"] = _labels(summaries["finding"], "finding")
    return {
        "groups": groups.astype({"n": np.int64, "mean": np.float64, "sd": np.float64}),
        "summaries": summaries.astype({"others_n": np.int64, "self_mean": np.float64, "others_mean": np.float64, "gap": np.float64}),
    }
