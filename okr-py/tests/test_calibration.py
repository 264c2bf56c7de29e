"""Calibration statistics against the reference Python packages on seeded random data, and
against published worked examples."""

import warnings

import krippendorff
import numpy as np
import okr
import pandas as pd
import pingouin as pg
import pytest
import scipy.stats as st
from okr import calibration as cal
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

RNG_SEEDS = range(6)


def reference(f, *args, **kwargs):
    """Calls a reference package, silencing its own deprecation noise (our code runs with
    warnings as errors)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return f(*args, **kwargs)


def rel(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


def long_ratings(seed, targets=15, raters=4, offset=0.0):
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=targets)
    severity = rng.normal(scale=0.5, size=raters)
    rows = [(t, r, offset + quality[t] + severity[r] + rng.normal(scale=0.7)) for t in range(targets) for r in range(raters)]
    return pd.DataFrame(rows, columns=["target", "rater", "score"])


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_icc_matches_pingouin(seed):
    df = long_ratings(seed, targets=8 + seed * 3, raters=3 + seed % 3)
    ours = cal.intraclass_corr(df, "target", "rater", "score")
    theirs = reference(pg.intraclass_corr, df, targets="target", raters="rater", ratings="score")
    assert list(ours.columns) == ["Type", "Description", "ICC", "F", "df1", "df2", "pval", "CI95%"]
    assert list(ours["Type"]) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    ci_col = "CI95%" if "CI95%" in theirs.columns else "CI95"
    for i in range(6):
        for col in ["ICC", "F", "df1", "df2", "pval"]:
            assert rel(ours[col][i], theirs[col][i]), (seed, i, col, ours[col][i], theirs[col][i])
        # pingouin rounds its interval (2 or 3 decimals by version); ours is unrounded.
        decimals = max(len(str(x).split(".")[-1]) for x in theirs[ci_col][i])
        assert np.allclose(np.round(ours["CI95%"][i], decimals), theirs[ci_col][i], atol=1.01 * 10.0**-decimals)


@pytest.mark.parametrize("scores", [[1.0, 1.0, 2.0, 2.0, 3.0, 3.0], [2.0] * 6], ids=["exact agreement", "no variance"])
def test_icc_edge_cases_match_pingouin_infinite_and_nan(scores):
    # Raters who agree exactly give an infinite F (p-value 0), a matrix without variance NaN
    # throughout: floats, as pingouin gives them, not None.
    df = pd.DataFrame({"t": [1, 1, 2, 2, 3, 3], "r": [1, 2, 1, 2, 1, 2], "s": scores})
    ours = cal.intraclass_corr(df, "t", "r", "s")
    theirs = reference(pg.intraclass_corr, df, targets="t", raters="r", ratings="s")
    assert {c: str(ours[c].dtype) for c in ["ICC", "F", "pval", "df1", "df2"]} == {
        "ICC": "float64", "F": "float64", "pval": "float64", "df1": "int64", "df2": "int64"}
    ci_col = "CI95%" if "CI95%" in theirs.columns else "CI95"
    for i in range(6):
        for col in ["ICC", "F", "df1", "df2", "pval"]:
            a, b = ours[col][i], theirs[col][i]
            assert (np.isnan(a) and np.isnan(b)) or a == b or rel(a, b), (i, col, a, b)
        assert np.array_equal(np.isnan(ours["CI95%"][i]), np.isnan(np.asarray(theirs[ci_col][i], dtype=float)))
    assert np.isinf(ours["F"][0]) == (scores[0] != scores[2])


def test_icc_offset_and_missing_policy():
    df = long_ratings(3)
    base = cal.intraclass_corr(df, "target", "rater", "score")
    shifted = cal.intraclass_corr(df.assign(score=df["score"] + 1e9), "target", "rater", "score")
    assert np.allclose(base["ICC"], shifted["ICC"], atol=1e-6, rtol=0)
    gappy = df.copy()
    gappy.loc[0, "score"] = np.nan
    with pytest.raises(okr.OkrError) as e:
        cal.intraclass_corr(gappy, "target", "rater", "score")
    assert e.value.code == "missing_value"
    named = f"target `{gappy.at[0, 'target']}` has no rating by rater `{gappy.at[0, 'rater']}`"
    assert named in str(e.value)
    # An absent row is the same missing rating.
    with pytest.raises(okr.OkrError, match=named):
        cal.intraclass_corr(df.iloc[1:], "target", "rater", "score")
    omitted = cal.intraclass_corr(gappy, "target", "rater", "score", nan_policy="omit")
    reference = cal.intraclass_corr(df[df["target"] != 0], "target", "rater", "score")
    assert np.allclose(omitted["ICC"], reference["ICC"], rtol=1e-12)


@pytest.mark.parametrize("seed", RNG_SEEDS)
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_matches_krippendorff(seed, level):
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(5, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    theirs = reference(krippendorff.alpha, reliability_data=data, level_of_measurement=level)
    ours = cal.krippendorff_alpha(reliability_data=data, level_of_measurement=level)
    assert rel(ours, theirs), (level, ours, theirs)


def test_alpha_published_example_and_forms():
    nan = np.nan
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    published = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}
    for level, want in published.items():
        assert abs(cal.krippendorff_alpha(data, level_of_measurement=level) - want) < 5e-4
    counts = np.array([[sum(1 for row in data if row[u] == v) for v in range(1, 6)] for u in range(12)])
    a = cal.krippendorff_alpha(value_counts=counts, value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal")
    assert rel(a, reference(krippendorff.alpha, value_counts=counts, value_domain=[1, 2, 3, 4, 5], level_of_measurement="ordinal"))
    # String labels work for nominal data; None is missing.
    words = [["a" if v == 1 else "b" if v == 2 else None if v != v else "c" for v in row] for row in data]
    assert isinstance(cal.krippendorff_alpha(words, level_of_measurement="nominal"), float)


def test_alpha_on_text_labels_and_their_domain():
    data = [["low", "high", None], ["low", "mid", "mid"]]
    domain = ["low", "mid", "high"]
    codes = np.array([[0, 2, np.nan], [0, 1, 1]])
    ours = cal.krippendorff_alpha(data, value_domain=domain, level_of_measurement="ordinal")
    assert rel(ours, reference(krippendorff.alpha, codes, value_domain=[0, 1, 2], level_of_measurement="ordinal"), 1e-12)
    # A label outside the domain, and a domain naming a label twice, are named (no pandas
    # warning on the way: pytest runs with warnings as errors).
    for domain, message in ((["low", "mid"], "`high` is not in value_domain"),
                            (["low", "mid", "low", "high"], "value_domain holds `low` twice")):
        with pytest.raises(okr.OkrError) as e:
            cal.krippendorff_alpha(data, value_domain=domain, level_of_measurement="ordinal")
        assert e.value.code == "invalid_input" and message in str(e.value), str(e.value)


def test_alpha_on_continuous_scores():
    rng = np.random.default_rng(7)
    truth = rng.normal(size=2000)
    data = truth + rng.normal(scale=0.5, size=(20, 2000))
    a = cal.krippendorff_alpha(data, level_of_measurement="interval")
    assert 0.7 < a < 0.9
    theirs = reference(krippendorff.alpha, reliability_data=data[:, :30], level_of_measurement="interval")
    assert rel(cal.krippendorff_alpha(data[:, :30], level_of_measurement="interval"), theirs)


@pytest.mark.parametrize("seed", RNG_SEEDS)
@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("weighted", [False, True])
def test_cohen_matches_sklearn_and_statsmodels(seed, weights, weighted):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, size=120)
    b = np.where(rng.random(120) < 0.6, a, rng.integers(0, 4, size=120))
    labels = [0, 1, 2, 3, 4]  # category 4 is never used but counts
    w = None
    if weighted:
        w = rng.uniform(0.0, 3.0, size=120)
        w[:5] = 0.0  # a weight of 0 leaves its pair out
    theirs = reference(cohen_kappa_score, a, b, labels=labels, weights=weights, sample_weight=w)
    assert rel(cal.cohen_kappa(a, b, labels=labels, weights=weights, sample_weight=w), theirs, 1e-12)
    # statsmodels reads a table of (weighted) counts: its sample size is their total, as ours.
    table = pd.crosstab(pd.Categorical(a, categories=labels), pd.Categorical(b, categories=labels),
                        values=np.ones(120) if w is None else w, aggfunc="sum", dropna=False).fillna(0.0).to_numpy()
    ref = reference(inter_rater.cohens_kappa, table, wt=weights)
    ours = cal.cohen_kappa_test(a, b, labels=labels, weights=weights, sample_weight=None if w is None else pd.Series(w))
    for mine, name in [("kappa", "kappa"), ("se", "std_kappa"), ("se0", "std_kappa0"), ("z", "z_value")]:
        assert rel(ours[mine], ref[name], 1e-9), (mine, ours[mine], ref[name])
    assert rel(ours["pval"], ref["pvalue_two_sided"], 1e-8)
    assert rel(ours["ci95"][0], ref["kappa_low"]) and rel(ours["ci95"][1], ref["kappa_upp"])


def test_cohen_sample_weight_errors():
    for w, code, text in [([1.0, 2.0], "length_mismatch", "sample_weight"),
                          ([1.0, -2.0, 1.0], "invalid_value", "`row 1` has invalid sample_weight: weight `-2` is negative"),
                          ([1.0, np.nan, 1.0], "non_finite", "`row 1` has non-finite sample_weight `NaN`"),
                          ([0.0, 0.0, 0.0], "invalid_value", "the weights sum to 0"),
                          (["a", "b", "c"], "invalid_input", "`sample_weight` must hold numbers")]:
        with pytest.raises(okr.OkrError) as e:
            cal.cohen_kappa([1, 2, 1], [1, 2, 2], sample_weight=w)
        assert e.value.code == code and text in str(e.value), (w, str(e.value))


def test_cohen_with_text_labels():
    a = ["meets", "exceeds", "meets", "below", "meets"]
    b = ["meets", "meets", "meets", "below", "exceeds"]
    assert rel(cal.cohen_kappa(a, b), reference(cohen_kappa_score, a, b), 1e-12)
    with pytest.raises(okr.OkrError):
        cal.cohen_kappa(a, b, labels=["meets", "below"])


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_fleiss_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    table = np.array([rng.multinomial(7, rng.dirichlet(np.ones(4))) for _ in range(30)])
    assert rel(cal.fleiss_kappa(table), reference(inter_rater.fleiss_kappa, table, method="fleiss"), 1e-12)
    # Randolph's free-marginal kappa, by each of the names statsmodels takes.
    for method in ("randolph", "uniform", "unif"):
        theirs = reference(inter_rater.fleiss_kappa, table, method=method)
        assert rel(cal.fleiss_kappa(table, method=method), theirs, 1e-12)


def test_fleiss_methods_at_the_edges():
    # Every rating in one category: Fleiss' kappa is 0 / 0 (statsmodels' NaN, our `too_few`);
    # Randolph's is perfect agreement, as statsmodels gives it.
    unanimous = np.array([[4, 0, 0], [4, 0, 0]])
    with pytest.raises(okr.OkrError) as e:
        cal.fleiss_kappa(unanimous)
    assert e.value.code == "too_few"
    assert cal.fleiss_kappa(unanimous, "randolph") == inter_rater.fleiss_kappa(unanimous, method="randolph") == 1.0
    with pytest.raises(okr.OkrError) as e:
        cal.fleiss_kappa(unanimous, method="cohen")
    assert (e.value.code, str(e.value)) == (
        "invalid_input", "invalid input: method must be `fleiss`, `randolph` or `uniform`, not `cohen`")


def kendall_reference(data, correct_ties=True):
    n, m = data.shape
    ranks = np.column_stack([st.rankdata(data[:, j]) for j in range(m)])
    sums = ranks.sum(axis=1)
    s = ((sums - sums.mean()) ** 2).sum()
    ties = 0.0
    for j in range(m):
        _, counts = np.unique(data[:, j], return_counts=True)
        ties += (counts**3 - counts).sum()
    w = 12 * s / (m**2 * (n**3 - n) - (m * ties if correct_ties else 0))
    chisq = m * (n - 1) * w
    return w, chisq, st.chi2.sf(chisq, n - 1)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_kendall_w_matches_scipy_ranks(seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(12, 5)).astype(float)
    w, chisq, p = kendall_reference(data)
    ours = cal.kendall_w(data)
    assert rel(ours["W"], w, 1e-12) and rel(ours["chisq"], chisq, 1e-12) and rel(ours["pval"], p, 1e-9)
    assert ours["df"] == 11


def ratings_frame(seed, raters=50, per=20):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(raters):
        bias = rng.normal(scale=0.5)
        for i in range(rng.integers(1, per)):
            rows.append((f"p{rng.integers(0, 400)}", f"m{r}", float(np.clip(np.round(3 + bias + rng.normal()), 1, 5))))
    return pd.DataFrame(rows, columns=["ratee", "rater", "rating"])


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_rater_effects_and_zscore_match_pandas(seed):
    df = ratings_frame(seed)
    effects = cal.rater_effects(df, "ratee", "rater", "rating").set_index("rater")
    g = df.groupby("rater", sort=False)["rating"]
    assert np.allclose(effects["n"], g.size().loc[effects.index])
    assert np.allclose(effects["mean"], g.mean().loc[effects.index], rtol=1e-12)
    assert np.allclose(effects["sd"], g.std(ddof=1).loc[effects.index], rtol=1e-12, equal_nan=True)
    assert np.allclose(effects["leniency"], g.mean().loc[effects.index] - df["rating"].mean(), rtol=1e-12, atol=1e-12)
    assert set(effects["flag"].dropna()) <= {"lenient", "severe"}
    assert (effects["shrunk_leniency"].abs() <= effects["leniency"].abs() + 1e-12).all()
    z = cal.normalize(df, "ratee", "rater", "rating")
    mean, sd = g.transform("mean"), g.transform(lambda s: s.std(ddof=1))
    usable = (g.transform("size") > 1) & (sd > 0)
    expected = df["rating"].mean() + df["rating"].std(ddof=1) * (df["rating"] - mean) / sd
    assert np.allclose(z[usable], expected[usable], rtol=1e-12)
    assert np.allclose(z[~usable], df["rating"].mean())
    assert z.index.equals(df.index)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_missing_ratings_raise_or_are_skipped_as_pandas_skips_them(seed):
    df = ratings_frame(seed)
    rng = np.random.default_rng(100 + seed)
    holed = df.assign(rating=df["rating"].mask(rng.random(len(df)) < 0.15))
    holed.loc[holed["rater"] == "m3", "rating"] = np.nan  # a rater with no rating left
    holed.index = holed.index * 10 + 7  # results align with the frame's own index
    first = int(np.flatnonzero(holed["rating"].isna().to_numpy())[0])
    row = holed.iloc[first]
    with pytest.raises(okr.OkrError) as e:
        cal.rater_effects(holed, "ratee", "rater", "rating")
    assert e.value.code == "missing_value"
    assert f"the rating of ratee `{row['ratee']}` by rater `{row['rater']}` (row {first}) is NaN" in str(e.value)

    # "omit": pandas' groupby, which skips NaN, gives the same counts, means and sds.
    effects = cal.rater_effects(holed, "ratee", "rater", "rating", nan_policy="omit").set_index("rater")
    g = holed.groupby("rater", sort=False)["rating"]
    assert "m3" not in effects.index and set(effects.index) == set(g.count()[g.count() > 0].index)
    assert (effects["n"] == g.count().loc[effects.index]).all()
    assert np.allclose(effects["mean"], g.mean().loc[effects.index], rtol=1e-12)
    assert np.allclose(effects["sd"], g.std(ddof=1).loc[effects.index], rtol=1e-12, equal_nan=True)
    assert np.allclose(effects["leniency"], g.mean().loc[effects.index] - holed["rating"].mean(), atol=1e-12)
    dropped = holed.dropna(subset=["rating"])
    pd.testing.assert_frame_equal(effects.reset_index(), cal.rater_effects(dropped, "ratee", "rater", "rating"))

    # A value per row: NaN where the rating is missing, the rest as pandas' transform gives it.
    z = cal.normalize(holed, "ratee", "rater", "rating", nan_policy="omit")
    assert z.index.equals(holed.index) and z.isna().equals(holed["rating"].isna())
    mean, sd = g.transform("mean"), g.transform(lambda s: s.std(ddof=1))
    r = holed["rating"]
    usable = (g.transform("count") > 1) & (sd > 0) & r.notna()
    expected = r.mean() + r.std(ddof=1) * (r - mean) / sd
    assert np.allclose(z[usable], expected[usable], rtol=1e-12)
    for method in ["zscore", "percentile", "additive"]:
        out = cal.normalize(holed, "ratee", "rater", "rating", method=method, scale=(1, 5), nan_policy="omit")
        alone = cal.normalize(dropped, "ratee", "rater", "rating", method=method, scale=(1, 5))
        pd.testing.assert_series_equal(out, alone.reindex(holed.index))

    m = cal.additive_model(holed, "ratee", "rater", "rating", nan_policy="omit")
    d = cal.additive_model(dropped, "ratee", "rater", "rating")
    pd.testing.assert_series_equal(m["rater_effect"], d["rater_effect"])
    pd.testing.assert_series_equal(m["ratee_effect"], d["ratee_effect"])
    with pytest.raises(okr.OkrError) as e:
        cal.normalize(holed, "ratee", "rater", "rating", nan_policy="propagate")
    assert (e.value.code, str(e.value)) == ("invalid_input", "invalid input: nan_policy must be `raise` or `omit`, not `propagate`")


def test_missing_ratings_in_nullable_columns_and_360_answers():
    # A null in pandas' nullable Float64 is missing as NaN is; an infinity is never missing.
    df = pd.DataFrame({"ratee": ["a", "b", "c", "d"], "rater": ["x", "x", "y", "y"],
                       "rating": pd.array([3.0, None, 4.0, 2.0], dtype="Float64")})
    with pytest.raises(okr.OkrError, match=r"ratee `b` by rater `x` \(row 1\) is NaN") as e:
        cal.normalize(df, "ratee", "rater", "rating")
    out = cal.normalize(df, "ratee", "rater", "rating", nan_policy="omit")
    assert out.isna().tolist() == [False, True, False, False] and out[0] == pytest.approx(3.0)
    with pytest.raises(okr.OkrError) as e:
        cal.normalize(df.assign(rating=[3.0, np.inf, 4.0, np.nan]), "ratee", "rater", "rating", nan_policy="omit")
    assert (e.value.code, str(e.value)) == ("non_finite", "`row 1` has non-finite rating `inf`")
    with pytest.raises(okr.OkrError) as e:
        cal.rater_effects(df.assign(rating=np.nan), "ratee", "rater", "rating", nan_policy="omit")
    assert e.value.code == "empty"
    # A 360° answer left blank ("not applicable") counts toward no group's anonymity threshold.
    fb = pd.DataFrame({"ratee": "bob", "rater": [f"r{i}" for i in range(5)], "rel": ["self"] + ["peer"] * 4,
                       "comp": "lead", "score": [4.0, 3.0, 2.0, np.nan, np.nan]})
    out = cal.feedback_360(fb, "ratee", "rater", "rel", "comp", "score", nan_policy="omit")
    peers = out["groups"].set_index("relationship").loc["peer"]
    assert peers["n"] == 2 and peers["suppressed"] == "below_threshold"
    answered = cal.feedback_360(fb.dropna(subset=["score"]), "ratee", "rater", "rel", "comp", "score")
    for part in ["groups", "summaries"]:
        pd.testing.assert_frame_equal(out[part], answered[part])
    with pytest.raises(okr.OkrError, match="missing value: the rating of ratee `bob` by rater `r3`"):
        cal.feedback_360(fb, "ratee", "rater", "rel", "comp", "score")


def test_percentile_additive_and_scale():
    df = ratings_frame(1)
    p = cal.normalize(df, "ratee", "rater", "rating", method="percentile")
    assert p.between(df["rating"].min(), df["rating"].max()).all()
    a = cal.normalize(df, "ratee", "rater", "rating", method="additive", scale=(1, 5))
    assert a.between(1, 5).all()
    model = cal.additive_model(df, "ratee", "rater", "rating")
    assert model["converged"] and len(model["rater_effect"]) == df["rater"].nunique()
    with pytest.raises(okr.OkrError) as e:
        cal.normalize(df, "ratee", "rater", "rating", method="minmax")
    assert e.value.code == "invalid_input"


def test_distribution_matches_scipy_chisquare():
    df = ratings_frame(2)
    target = {1.0: 0.1, 2.0: 0.2, 3.0: 0.4, 4.0: 0.2, 5.0: 0.1}
    d = cal.distribution(df, "rating", target, by="rater")
    observed = df["rating"].value_counts().reindex(list(target)).fillna(0).to_numpy()
    ref = st.chisquare(observed, np.array(list(target.values())) * observed.sum())
    assert rel(d["chi2"], ref.statistic, 1e-12) and rel(d["pval"], ref.pvalue, 1e-9)
    assert d["df"] == 4 and len(d["groups"]) == df["rater"].nunique()
    with pytest.raises(okr.OkrError) as e:
        cal.distribution(df, "rating", {1.0: 0.5, 2.0: 0.6})
    assert e.value.code == "invalid_value"
    # A rating in a category whose share is 0 cannot come from the target: χ² is infinite
    # (a float, not None), p 0.
    zero = cal.distribution(pd.DataFrame({"s": [1, 2, 2, 2]}), "s", {1: 0.0, 2: 1.0})
    assert zero["chi2"] == np.inf and zero["pval"] == 0.0 and zero["flagged"]


def test_distribution_of_labels_counts_as_the_numbers_they_stand_for():
    # HR ratings are often labels. Text, Arrow-backed text and a categorical give what the
    # same ratings as a 1–5 scale give, against the same target.
    df = ratings_frame(3)
    scale = ["Below", "Partly", "Meets", "Exceeds", "Outstanding"]
    shares = [0.1, 0.2, 0.4, 0.2, 0.1]
    labels = df["rating"].map(lambda v: scale[int(v) - 1])
    by_number = cal.distribution(df, "rating", dict(zip([1.0, 2.0, 3.0, 4.0, 5.0], shares)), by="rater")
    observed = df["rating"].value_counts().reindex([1, 2, 3, 4, 5]).fillna(0).to_numpy()
    ref = st.chisquare(observed, np.array(shares) * observed.sum())
    frames = {
        "text": (df.assign(rating=labels), dict(zip(scale, shares))),
        "arrow": (df.assign(rating=labels.astype("string[pyarrow]")), dict(zip(scale, shares))),
        # A categorical's own order gives shares as a list: the scale, not the alphabet.
        "ordered": (df.assign(rating=pd.Categorical(labels, categories=scale, ordered=True)), shares),
    }
    for name, (frame, target) in frames.items():
        d = cal.distribution(frame, "rating", target, by="rater")
        assert d["categories"] == scale, name
        assert d["observed"] == by_number["observed"] and d["groups"] == by_number["groups"], name
        assert rel(d["chi2"], ref.statistic, 1e-12) and rel(d["pval"], ref.pvalue, 1e-9), name
    # A Series of shares maps its index to its values, whatever the order of either.
    series = pd.Series(shares, index=scale).iloc[::-1]
    d = cal.distribution(frames["text"][0], "rating", series, by="rater")
    assert d["categories"] == scale[::-1] and d["observed"] == by_number["observed"][::-1]
    assert rel(d["chi2"], ref.statistic, 1e-12)
    numeric = cal.distribution(df, "rating", pd.Series(shares, index=[5, 4, 3, 2, 1]))
    assert numeric["categories"] == [5.0, 4.0, 3.0, 2.0, 1.0] and numeric["observed"] == by_number["observed"][::-1]
    # Categories no one was given still count, in the categorical's order.
    unused = pd.DataFrame({"r": pd.Categorical(["Meets", "Meets", "Exceeds"], categories=scale)})
    d = cal.distribution(unused, "r", shares)
    assert d["observed"] == [0.0, 0.0, 2.0, 1.0, 0.0] and d["categories"] == scale
    numbers = pd.DataFrame({"r": pd.Categorical([2, 2, 3], categories=[1, 2, 3, 4, 5])})
    assert cal.distribution(numbers, "r", shares)["observed"] == [0.0, 2.0, 1.0, 0.0, 0.0]
    # Errors name the label, the row or the category.
    with pytest.raises(okr.OkrError, match="`Great` is not one of the categories") as e:
        cal.distribution(pd.DataFrame({"r": ["Meets", "Great"]}), "r", dict(zip(scale, shares)))
    assert e.value.code == "invalid_value" and "row 1" in str(e.value)
    with pytest.raises(okr.OkrError, match="`r`: row 1 has no rating") as e:
        cal.distribution(pd.DataFrame({"r": ["Meets", None]}), "r", None)
    assert e.value.code == "invalid_input"
    # Labels are text: the keys 3 and "3" are one label.
    with pytest.raises(okr.OkrError, match="category `3` is listed twice"):
        cal.distribution(pd.DataFrame({"r": ["3", "3"]}), "r", {3: 0.5, "3": 0.5})
    # A chart draws the labels under their bars.
    svg = okr.charts.distribution(frames["ordered"][0], "rating", shares)
    assert all(f">{label[:6]}" in svg for label in scale)


def test_nine_box_and_feedback_360():
    people = pd.DataFrame({"name": ["a", "b", "c"], "perf": [1.0, 3.0, 5.0], "pot": [5.0, 3.0, 1.0]})
    grid = cal.nine_box(people, "name", "perf", "pot", performance_cuts=(2.5, 3.5), potential_cuts=(2.5, 3.5))
    assert list(grid["box"]) == [7, 5, 3] and list(grid["person"]) == ["a", "b", "c"]
    rows = [("bob", "manager"), ("bob", "peer"), ("bob", "peer"), ("bob", "direct_report"), ("bob", "direct_report"), ("bob", "direct_report")]
    fb = pd.DataFrame({"ratee": [r[0] for r in rows], "rater": [f"r{i}" for i in range(6)], "rel": [r[1] for r in rows], "comp": "lead", "score": [4, 1, 2, 5, 5, 4]})
    out = cal.feedback_360(fb, "ratee", "rater", "rel", "comp", "score")
    groups = out["groups"].set_index("relationship")
    assert groups.loc["peer", "suppressed"] == "below_threshold"
    assert groups.loc["manager", "suppressed"] == "complementary"
    assert pd.isna(groups.loc["peer", "mean"])
    assert out["summaries"]["others_n"][0] == 6
    # Missing numbers are NaN in float columns, even where a column has no number at all
    # (one rating per group: no sd; no self rating: no self mean or gap).
    alone = cal.feedback_360(fb.iloc[:1], "ratee", "rater", "rel", "comp", "score")
    assert alone["groups"]["sd"].dtype == np.float64 and alone["groups"]["sd"].isna().all()
    summaries = alone["summaries"]
    assert {c: str(summaries[c].dtype) for c in ["self_mean", "others_n", "others_mean", "gap"]} == {
        "self_mean": "float64", "others_n": "int64", "others_mean": "float64", "gap": "float64"}
    assert summaries[["self_mean", "gap"]].isna().all().all()
    # Label columns are categorical whichever labels occur, none included, as `status` is.
    for table, col, labels in [(out["groups"], "suppressed", ["below_threshold", "complementary"]),
                               (alone["groups"], "suppressed", ["below_threshold", "complementary"]),
                               (out["summaries"], "finding", ["blind_spot", "hidden_strength"]),
                               (summaries, "finding", ["blind_spot", "hidden_strength"])]:
        assert isinstance(table[col].dtype, pd.CategoricalDtype) and list(table[col].cat.categories) == labels


def test_rater_flags_are_categorical_whichever_occur():
    # pandas makes a column of labels and Nones an object column when every value is None and a
    # string column with NaN when some are labels: the flag's dtype is the same either way.
    df = pd.DataFrame({"ratee": range(9), "rater": list("xxxyyyzzz"), "rating": [5.0, 5, 4, 1, 2, 3, 2, 3, 1]})
    some = cal.rater_effects(df, "ratee", "rater", "rating")
    none = cal.rater_effects(df, "ratee", "rater", "rating", z_threshold=5)
    assert some["flag"].dtype == none["flag"].dtype == pd.CategoricalDtype(["lenient", "severe"])
    assert some["flag"].tolist()[0] == "lenient" and some["flag"].isna().tolist() == [False, True, True]
    assert none["flag"].isna().all()


def test_statistics_errors_are_typed():
    with pytest.raises(okr.OkrError) as e:
        cal.fleiss_kappa([[1, 2], [2, 2]])
    assert e.value.code == "invalid_value"
    with pytest.raises(okr.OkrError) as e:
        cal.krippendorff_alpha([[1, 1], [1, 1]], level_of_measurement="interval")
    assert e.value.code == "too_few"
    with pytest.raises(okr.OkrError) as e:
        cal.krippendorff_alpha([[1, 2]], level_of_measurement="cardinal")
    assert e.value.code == "invalid_input"
    # A missing label is named by row and rater, as in JS (it had read as an unknown label `nan`).
    for y1 in ([1, np.nan, 2], ["a", None, "b"]):
        with pytest.raises(okr.OkrError) as e:
            cal.cohen_kappa(y1, y1[:1] + y1[2:] + y1[:1])
        assert (e.value.code, str(e.value)) == ("non_finite", "`row 1` has non-finite y1 `NaN`")
    # A target rated twice by one rater is named (pingouin's pivot would average the two).
    twice = pd.DataFrame({"t": ["a", "a", "b", "a"], "r": ["x", "y", "x", "x"], "s": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(okr.OkrError) as e:
        cal.intraclass_corr(twice, "t", "r", "s")
    assert (e.value.code, str(e.value)) == ("invalid_value", "`a` has invalid ratings: rated twice by `x`")
    # Both forms at once (krippendorff.alpha raises too), or neither: not one silently ignored.
    for both in ({"reliability_data": [[1, 2], [1, 2]], "value_counts": [[2, 0], [0, 2]]}, {}):
        with pytest.raises(okr.OkrError, match="give exactly one of reliability_data and value_counts") as e:
            cal.krippendorff_alpha(**both)
        assert e.value.code == "invalid_input"
    with pytest.raises(ValueError, match="not both"):
        krippendorff.alpha(reliability_data=[[1, 2], [1, 2]], value_counts=[[2, 0], [0, 2]])
    with pytest.raises(okr.OkrError) as e:
        cal.kendall_w([[1.0, np.inf], [2.0, 1.0]])
    assert e.value.code == "non_finite"


def test_settings_that_would_flag_everyone_or_no_one_are_refused():
    # A negative threshold or gap would flag every rater or competency, a NaN one none: both
    # are errors naming the setting and its value, as in Rust and JavaScript.
    ratings = pd.DataFrame({"ratee": [1, 2, 3, 4], "rater": ["x", "x", "y", "y"], "rating": [1.0, 2.0, 4.0, 5.0]})
    for z, shown in ((-1.0, "-1"), (np.nan, "NaN")):
        with pytest.raises(okr.OkrError, match=f"z threshold of rater effects must be a finite number ≥ 0, not `{shown}`") as e:
            cal.rater_effects(ratings, "ratee", "rater", "rating", z_threshold=z)
        assert e.value.code == "invalid_input"
    with pytest.raises(okr.OkrError, match=r"alpha of the distribution test must be a number in \[0, 1\], not `1.5`"):
        cal.distribution(ratings, "rating", [0.25, 0.25, 0.25, 0.25], alpha=1.5)
    feedback = ratings.assign(relationship=["self", "peer", "self", "peer"], competency="craft")
    with pytest.raises(okr.OkrError, match="gap of 360° findings must be a finite number ≥ 0, not `-0.5`"):
        cal.feedback_360(feedback, "ratee", "rater", "relationship", "competency", "rating", gap=-0.5)
