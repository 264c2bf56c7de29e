"""Derives the expected values of statistics.json from the textbook formulas, in exact rational
arithmetic (Python's fractions; one square root where a formula takes one), independently of
okr. Run it to rewrite statistics.json; the Python suite checks that the file is what this
script writes, so the data and the values cannot drift apart.

    python3 tests/golden/calibration/derive.py

Only the standard library is used, so that the derivation depends on nothing it checks.
"""

import json
import math
import pathlib
from fractions import Fraction as F

HERE = pathlib.Path(__file__).resolve().parent


def mean(xs):
    xs = list(xs)
    return sum(xs, F(0)) / len(xs)


def num(x):
    """A rational as the nearest float (JSON number); integers stay integers."""
    x = F(x)
    return int(x) if x.denominator == 1 else float(x)


# --- ICC: Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges ----------------------

SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def icc(x):
    n, k = len(x), len(x[0])
    cells = [F(v) for row in x for v in row]
    grand = mean(cells)
    sst = sum((v - grand) ** 2 for v in cells)
    ssb = k * sum((mean(row) - grand) ** 2 for row in x)
    ssj = n * sum((mean(x[i][j] for i in range(n)) - grand) ** 2 for j in range(k))
    sse, ssw = sst - ssb - ssj, sst - ssb
    msb, msj = ssb / (n - 1), ssj / (k - 1)
    mse, msw = sse / ((n - 1) * (k - 1)), ssw / (n * (k - 1))
    one_way = {"F": msb / msw, "df1": n - 1, "df2": n * (k - 1)}
    two_way = {"F": msb / mse, "df1": n - 1, "df2": (n - 1) * (k - 1)}
    rows = {
        "ICC1": ((msb - msw) / (msb + (k - 1) * msw), one_way),
        "ICC2": ((msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n), two_way),
        "ICC3": ((msb - mse) / (msb + (k - 1) * mse), two_way),
        "ICC1k": ((msb - msw) / msb, one_way),
        "ICC2k": ((msb - mse) / (msb + (msj - mse) / n), two_way),
        "ICC3k": ((msb - mse) / msb, two_way),
    }
    return {t: {"icc": num(v), **{key: num(w) for key, w in rest.items()}} for t, (v, rest) in rows.items()}


def long_form(matrix):
    targets = [i + 1 for i, row in enumerate(matrix) for _ in row]
    raters = [f"j{j + 1}" for row in matrix for j in range(len(row))]
    ratings = [v for row in matrix for v in row]
    return {"targets": targets, "raters": raters, "ratings": ratings}


# --- Krippendorff's alpha: Krippendorff (2011), "Computing Krippendorff's alpha-reliability",
# the 4 coders x 12 units example with missing values (None) ------------------------------

KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def alpha(data, level):
    values = sorted({v for row in data for v in row if v is not None})
    o = {(c, k): F(0) for c in values for k in values}
    for u in range(len(data[0])):
        unit = [row[u] for row in data if row[u] is not None]
        m = len(unit)
        if m < 2:
            continue
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[unit[a], unit[b]] += F(1, m - 1)
    n_c = {c: sum(o[c, k] for k in values) for c in values}
    n = sum(n_c.values())

    def delta(c, k):
        if level == "nominal":
            return F(c != k)
        if level == "interval":
            return F(c - k) ** 2
        if level == "ratio":
            return F(c - k, c + k) ** 2
        lo, hi = min(c, k), max(c, k)  # ordinal
        return (sum(n_c[g] for g in values if lo <= g <= hi) - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(o[c, k] * delta(c, k) for c in values for k in values)
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in values for k in values)
    return 1 - (n - 1) * observed / expected


# --- Cohen's kappa: two raters, ten items on a 1-4 scale --------------------------------------

COHEN = ([1, 2, 3, 4, 2, 3, 3, 1, 4, 2], [1, 2, 3, 3, 2, 4, 3, 2, 4, 1])


def cohen(y1, y2, weights):
    labels = sorted(set(y1) | set(y2))
    idx = {v: i for i, v in enumerate(labels)}
    q, n = len(labels), len(y1)
    obs = [[F(0)] * q for _ in range(q)]
    for a, b in zip(y1, y2):
        obs[idx[a]][idx[b]] += 1
    rows = [sum(r) for r in obs]
    cols = [sum(obs[i][j] for i in range(q)) for j in range(q)]
    # Weights on label positions, as scikit-learn's cohen_kappa_score takes them.
    w = {None: lambda i, j: F(i != j), "linear": lambda i, j: F(abs(i - j)), "quadratic": lambda i, j: F(i - j) ** 2}[weights]
    disagree = sum(w(i, j) * obs[i][j] for i in range(q) for j in range(q))
    chance = sum(w(i, j) * rows[i] * cols[j] / n for i in range(q) for j in range(q))
    return 1 - disagree / chance


# --- Fleiss' kappa: Fleiss (1971), as Wikipedia's worked example gives it: 10 subjects, 14 raters
# each, 5 categories (counts per subject and category) ---------------------------------------

FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


def fleiss(table):
    big_n, n = len(table), sum(table[0])
    p_i = [(sum(F(c) ** 2 for c in row) - n) / (n * (n - 1)) for row in table]
    p_j = [F(sum(row[j] for row in table), big_n * n) for j in range(len(table[0]))]
    p_bar, p_e = mean(p_i), sum(p ** 2 for p in p_j)
    return (p_bar - p_e) / (1 - p_e)


# --- Kendall's W: 6 subjects ranked by 3 raters (columns), with ties ---------------------------

KENDALL = [[1, 2, 1], [2, 1, 3], [3, 3, 3], [4, 5, 4], [5, 4, 6], [6, 6, 6]]


def ranks(xs):
    """Mid-ranks (1-based), ties sharing their average rank."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    r = [F(0)] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for t in range(i, j + 1):
            r[order[t]] = F(i + j + 2, 2)
        i = j + 1
    return r


def kendall(data, correct_ties):
    n, m = len(data), len(data[0])
    cols = [ranks([row[j] for row in data]) for j in range(m)]
    totals = [sum(cols[j][i] for j in range(m)) for i in range(n)]
    s = sum((t - mean(totals)) ** 2 for t in totals)
    ties = 0
    if correct_ties:
        for j in range(m):
            column = [row[j] for row in data]
            ties += sum(column.count(v) ** 3 - column.count(v) for v in set(column))
    w = 12 * s / (m * m * (n ** 3 - n) - m * ties)
    return {"W": num(w), "chisq": num(m * (n - 1) * w), "df": n - 1}


# --- Rater effects and z-score normalisation: three managers, one with a NaN (missing) rating ---

RATINGS = {
    "ratees": ["p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10"],
    "raters": ["ann", "ann", "ann", "ann", "bo", "bo", "bo", "cy", "cy", "cy"],
    "ratings": [4, 5, 4, 3, 2, 3, None, 3, 4, 1],
}


def by_rater(cols):
    groups = {}
    for r, v in zip(cols["raters"], cols["ratings"]):
        if v is not None:
            groups.setdefault(r, []).append(F(v))
    return groups


def rater_effects(cols):
    """DerSimonian-Laird shrinkage of each rater's leniency, as okr's rustdoc states it."""
    groups = by_rater(cols)
    grand = mean(v for vs in groups.values() for v in vs)
    ss = {r: sum((v - mean(vs)) ** 2 for v in vs) for r, vs in groups.items()}
    pooled_var = sum(ss.values()) / sum(len(vs) - 1 for vs in groups.values())
    leniency = {r: mean(vs) - grand for r, vs in groups.items()}
    se2 = {r: pooled_var / len(vs) for r, vs in groups.items()}
    lens = list(leniency.values())
    tau2 = max(F(0), sum((x - mean(lens)) ** 2 for x in lens) / (len(lens) - 1) - mean(se2.values()))
    return {
        r: {
            "n": len(vs),
            "mean": num(mean(vs)),
            "sd": math.sqrt(ss[r] / (len(vs) - 1)),
            "leniency": num(leniency[r]),
            "se": math.sqrt(se2[r]),
            "z": float(leniency[r]) / math.sqrt(se2[r]),
            "shrunk_leniency": num(leniency[r] * tau2 / (tau2 + se2[r])),
        }
        for r, vs in groups.items()
    }


def zscores(cols):
    """Within each rater, (x − rater mean) / rater sd, mapped onto the grand mean and sd of the
    ratings given; a missing rating stays missing (None)."""
    groups = by_rater(cols)
    given = [v for vs in groups.values() for v in vs]
    grand = mean(given)
    grand_var = sum((v - grand) ** 2 for v in given) / (len(given) - 1)
    out = []
    for r, v in zip(cols["raters"], cols["ratings"]):
        if v is None:
            out.append(None)
            continue
        vs = groups[r]
        var = sum((x - mean(vs)) ** 2 for x in vs) / (len(vs) - 1)
        out.append(float(grand) + math.sqrt(grand_var / var) * float(F(v) - mean(vs)))
    return out


# --- Distribution against a guided 10/20/40/20/10 ---------------------------------------------

DISTRIBUTION = {"ratings": [3, 3, 4, 2, 3, 5, 4, 3, 1, 4, 3, 2, 4, 4, 3, 5, 3, 4, 2, 3]}
CATEGORIES, SHARES = [1, 2, 3, 4, 5], [F(1, 10), F(2, 10), F(4, 10), F(2, 10), F(1, 10)]


def distribution(ratings):
    n = len(ratings)
    observed = [ratings.count(c) for c in CATEGORIES]
    expected = [n * s for s in SHARES]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected))
    tvd = sum(abs(F(o, n) - s) for o, s in zip(observed, SHARES)) / 2
    return {"observed": observed, "expected": [num(e) for e in expected], "chi2": num(chi2), "df": len(CATEGORIES) - 1, "tvd": num(tvd)}


# --- 9-box: eight people, cuts left to the data's tertiles ---------------------------------------

NINE_BOX = {"performance": [1, 2, 3, 4, 5, 6, 7, 8], "potential": [2, 7, 5, 5, 1, 8, 3, 6]}
BOX_NAMES = [
    ["underperformer", "effective", "trusted professional"],
    ["inconsistent player", "core player", "high performer"],
    ["rough diamond", "future star", "star"],
]


def quantile(values, p):
    """The linear-interpolation quantile (numpy's default): position p (n − 1) in the sorted values."""
    s = sorted(F(v) for v in values)
    pos = p * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def nine_box(data):
    cuts = {axis: [quantile(data[axis], F(1, 3)), quantile(data[axis], F(2, 3))] for axis in data}
    tier = lambda v, c: 0 if v < c[0] else 1 if v < c[1] else 2  # noqa: E731
    names = ["low", "medium", "high"]
    cells, counts = [], [[0] * 3 for _ in range(3)]
    for perf, pot in zip(data["performance"], data["potential"]):
        a, b = tier(perf, cuts["performance"]), tier(pot, cuts["potential"])
        counts[b][a] += 1
        cells.append({"performance": names[a], "potential": names[b], "box": 3 * b + a + 1, "name": BOX_NAMES[b][a]})
    return {
        "cells": cells,
        "counts": counts,
        "performance_cuts": [num(c) for c in cuts["performance"]],
        "potential_cuts": [num(c) for c in cuts["potential"]],
    }


# --- 360° feedback: two people, two competencies, default thresholds (self 1, manager 1, peer 3,
# direct report 3, any other relationship and the others' total 3) ------------------------------

FEEDBACK_ROWS = [
    # ratee, rater, relationship, competency, rating (None: left blank)
    ("p", "p", "self", "craft", 5), ("p", "a", "peer", "craft", 3), ("p", "b", "peer", "craft", 4),
    ("p", "c", "peer", "craft", 2), ("p", "d", "direct_report", "craft", 4), ("p", "e", "direct_report", "craft", 3),
    ("p", "f", "direct_report", "craft", 3),
    ("p", "p", "self", "lead", 2), ("p", "m", "manager", "lead", 4), ("p", "a", "peer", "lead", 5),
    ("p", "b", "peer", "lead", 4), ("p", "d", "direct_report", "lead", 4), ("p", "e", "direct_report", "lead", 5),
    ("p", "f", "direct_report", "lead", 4),
    ("q", "x", "customer", "craft", 4), ("q", "y", "customer", "craft", 4), ("q", "z", "customer", "craft", 5),
    ("q", "m", "manager", "lead", 3), ("q", "a", "peer", "lead", 4), ("q", "b", "peer", "lead", None),
]
FEEDBACK = {
    key: [row[i] for row in FEEDBACK_ROWS]
    for i, key in enumerate(["ratees", "raters", "relationships", "competencies", "ratings"])
}


def sd(values):
    m = mean(F(v) for v in values)
    return math.sqrt(sum((F(v) - m) ** 2 for v in values) / (len(values) - 1))


def group(ratee, competency, relationship, values, suppressed=None):
    shown = suppressed is None
    return {
        "ratee": ratee, "competency": competency, "relationship": relationship, "n": len(values),
        "mean": num(mean(F(v) for v in values)) if shown else None,
        "sd": sd(values) if shown and len(values) >= 2 else None,
        "suppressed": suppressed,
    }


def summary(ratee, competency, self_mean, others, shown=True):
    others_mean = mean(F(v) for v in others) if shown else None
    gap = None if self_mean is None or others_mean is None else F(self_mean) - others_mean
    finding = None if gap is None else "blind_spot" if gap >= 1 else "hidden_strength" if gap <= -1 else None
    return {
        "ratee": ratee, "competency": competency, "self_mean": self_mean, "others_n": len(others),
        "others_mean": None if others_mean is None else num(others_mean),
        "gap": None if gap is None else num(gap), "finding": finding,
    }


def feedback():
    """Worked by hand from the anonymity rules (groups by ratee, competency, then self, manager,
    peer, direct report, others by name):
    - p / craft: every group meets its threshold; self 5 against others 19/6 is a blind spot.
    - p / lead: two peers are below 3 (below_threshold). The others' total (6 raters) is shown,
      so the peers' mean could be recovered from it unless another group is hidden with them:
      the smallest shown one, the manager (complementary). Hidden together: 3 raters, reaching
      the peers' threshold. Self 2 against others 13/3 is a hidden strength.
    - q / craft: three customers meet the threshold of other relationships; no self rating.
    - q / lead: the blank peer answer is omitted, leaving one manager and one peer. The peer is
      below threshold; with 2 raters the others' total is below 3 and is not shown, so the
      manager's group stays shown and nothing can be subtracted."""
    return {
        "groups": [
            group("p", "craft", "self", [5]),
            group("p", "craft", "peer", [3, 4, 2]),
            group("p", "craft", "direct_report", [4, 3, 3]),
            group("p", "lead", "self", [2]),
            group("p", "lead", "manager", [4], "complementary"),
            group("p", "lead", "peer", [5, 4], "below_threshold"),
            group("p", "lead", "direct_report", [4, 5, 4]),
            group("q", "craft", "customer", [4, 4, 5]),
            group("q", "lead", "manager", [3]),
            group("q", "lead", "peer", [4], "below_threshold"),
        ],
        "summaries": [
            summary("p", "craft", 5, [3, 4, 2, 4, 3, 3]),
            summary("p", "lead", 2, [4, 5, 4, 4, 5, 4]),
            summary("q", "craft", None, [4, 4, 5]),
            summary("q", "lead", None, [3, 4], shown=False),
        ],
    }


def document():
    cases = [
        {
            "name": "shrout_fleiss_1979",
            "statistic": "intraclass_corr",
            "why": "Shrout & Fleiss (1979), Table 2. Mean squares from the two-way ANOVA; ICC and F as "
            "pingouin computes them. The paper prints ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, "
            "ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.",
            "input": long_form(SHROUT_FLEISS),
            "expected": icc(SHROUT_FLEISS),
        }
    ]
    for level, printed in [("nominal", ".743"), ("ordinal", ".815"), ("interval", ".849"), ("ratio", ".797")]:
        cases.append({
            "name": f"krippendorff_2011_{level}",
            "statistic": "krippendorff_alpha",
            "why": f"Krippendorff (2011), the 4 coders x 12 units example (null = missing): coincidences "
            f"o_ck summed over pairable units with weight 1/(m_u - 1), then 1 - (n - 1) sum o delta^2 / "
            f"sum n_c n_k delta^2 with the {level} metric. The paper prints {printed}.",
            "input": {"reliability_data": KRIPPENDORFF},
            "options": {"level": level},
            "expected": num(alpha(KRIPPENDORFF, level)),
        })
    for weights in [None, "linear", "quadratic"]:
        cases.append({
            "name": f"cohen_{weights or 'unweighted'}",
            "statistic": "cohen_kappa",
            "why": "1 - sum(w O) / sum(w E) over the 4 x 4 table of label positions, E the product of "
            "the marginals over n (w = 1 off the diagonal when unweighted), as scikit-learn's "
            "cohen_kappa_score defines it.",
            "input": {"y1": COHEN[0], "y2": COHEN[1]},
            "options": {"weights": weights},
            "expected": num(cohen(*COHEN, weights)),
        })
    cases.append({
        "name": "fleiss_1971",
        "statistic": "fleiss_kappa",
        "why": "Fleiss (1971) as Wikipedia works it: P-bar 0.378, P-bar_e 0.213, kappa 0.210.",
        "input": {"table": FLEISS},
        "expected": num(fleiss(FLEISS)),
    })
    for correct in [True, False]:
        cases.append({
            "name": f"kendall_ties_{'corrected' if correct else 'uncorrected'}",
            "statistic": "kendall_w",
            "why": "Mid-ranks within each rater; W = 12 S / (m^2 (n^3 - n) - m sum(t^3 - t)) (the tie "
            "term only when corrected, as R's irr::kendall); chisq = m (n - 1) W.",
            "input": {"data": KENDALL},
            "options": {"correct_ties": correct},
            "expected": kendall(KENDALL, correct),
        })
    cases.append({
        "name": "three_managers_one_missing",
        "statistic": "rater_effects",
        "why": "The missing rating (null) omitted. Leniency = rater mean - grand mean; se = pooled "
        "within-rater sd / sqrt(n); tau^2 = max(0, var(leniency) - mean(se^2)); shrunk = leniency "
        "tau^2 / (tau^2 + se^2).",
        "input": RATINGS,
        "options": {"nan_policy": "omit"},
        "expected": rater_effects(RATINGS),
    })
    cases.append({
        "name": "zscore_three_managers_one_missing",
        "statistic": "normalize",
        "why": "grand mean + grand sd (x - rater mean) / rater sd over the ratings given (sample sds); "
        "the missing rating stays missing (null).",
        "input": RATINGS,
        "options": {"method": "zscore", "nan_policy": "omit"},
        "expected": zscores(RATINGS),
    })
    cases.append({
        "name": "guided_10_20_40_20_10",
        "statistic": "distribution",
        "why": "Counts against n x share; chi2 = sum (o - e)^2 / e, df = categories - 1, tvd = half "
        "the sum of |o / n - share|.",
        "input": DISTRIBUTION,
        "options": {"categories": CATEGORIES, "shares": [float(s) for s in SHARES]},
        "expected": distribution(DISTRIBUTION["ratings"]),
    })
    cases.append({
        "name": "nine_box_tertiles",
        "statistic": "nine_box",
        "why": "No cuts given: each axis's 1/3 and 2/3 quantiles (linear interpolation): performance "
        "10/3 and 17/3, potential 11/3 and 17/3. Below the first cut is low, below the second medium, "
        "else high; box = 3 potential + performance + 1 (tiers 0-2); counts[potential][performance].",
        "input": NINE_BOX,
        "expected": nine_box(NINE_BOX),
    })
    cases.append({
        "name": "feedback_360_thresholds_and_complementary_suppression",
        "statistic": "feedback_360",
        "why": " ".join(line.strip() for line in feedback.__doc__.splitlines()),
        "input": FEEDBACK,
        "options": {"nan_policy": "omit"},
        "expected": feedback(),
    })
    return {
        "description": "Calibration statistics on published worked examples and small hand-sized data, "
        "their expected values derived by derive.py in exact arithmetic. Run by the Rust, Python and "
        "JavaScript suites; numbers compared to 1e-12 (relative).",
        "cases": cases,
    }


def text():
    return json.dumps(document(), indent=1) + "\n"


if __name__ == "__main__":
    (HERE / "statistics.json").write_text(text())
