"""Peer comparison: okr against what a Python user would pick instead, side by side in one process.

One seeded synthetic organisation (objectives in a ~5-ary tree with 2 % extra parents, three key
results each, shuffled ids and rows) is scored by okr (DataFrames in, DataFrame out) and by
numpy, pandas, networkx and pure Python implementations of the same rules (linear, at_least and
binary key results clamped to [0, 1]; every objective the weighted mean of its key results and
the objectives aligned to it; expected progress and status). The numpy peer runs twice: on
integer arrays already resolved to rows (the arithmetic alone), and from the same DataFrames
okr gets (ids resolved, unknown references and cycles rejected, a DataFrame out), which is the
fair end-to-end comparison; that comparison runs again with the ids as text, as most platforms
keep them. Every peer's answer is checked against okr's before its time counts. Then okr's
statistics against pingouin, krippendorff, statsmodels, scikit-learn and pandas. Prints a table
of median times and ratios.

    python benches/peers/peers.py [--objectives 1000000] [--repeat 5] [--skip-slow]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd

import okr
from okr import calibration as cal

START, END, AS_OF = dt.date(2026, 1, 1), dt.date(2026, 3, 31), dt.date(2026, 2, 15)
EXPECTED = (AS_OF - START).days / (END - START).days
STATUS_NAMES = np.array(["achieved", "on_track", "at_risk", "off_track"])
# The columns of the numpy script's DataFrame (`numpy_frames_peer`).
FOUR = ["id", "score", "expected", "status"]


def rss_mb(field: str = "VmRSS") -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def organisation(n: int, seed: int = 7):
    """Objectives, key results and alignments as DataFrames, plus plain arrays for the peers."""
    rng = np.random.default_rng(seed)
    label = rng.permutation(n).astype(np.int64)  # id of tree node i
    rows = rng.permutation(n)
    child = np.arange(1, n)
    parent = (child - 1) // 5
    extra = child[(parent > 0) & (rng.random(n - 1) < 0.02)]
    extra_parent = (rng.random(len(extra)) * ((extra - 1) // 5)).astype(np.int64)
    e_child = np.concatenate([child, extra])
    e_parent = np.concatenate([parent, extra_parent])
    order = rng.permutation(len(e_child))
    e_child, e_parent = e_child[order], e_parent[order]
    k = 3 * n
    kr_obj = np.repeat(np.arange(n), 3)[rng.permutation(k)]
    roll = rng.random(k)
    kind = np.where(roll < 0.85, 0, np.where(roll < 0.95, 1, 2))  # linear, at_least, binary
    lower = rng.random(k) < 0.2
    start = np.where(lower, 100.0, 0.0)
    target = np.where(lower, 0.0, 100.0)
    current = np.where(kind == 0, rng.uniform(-10, 120, k), np.where(kind == 1, rng.uniform(0, 100, k), (rng.random(k) < 0.5).astype(float)))
    weight = rng.integers(1, 4, k).astype(float)
    kr_id = (n + rng.permutation(k)).astype(np.int64)
    frames = dict(
        objectives=pd.DataFrame({"id": label[rows], "cycle": "q"}),
        key_results=pd.DataFrame({
            "id": kr_id, "objective": label[kr_obj], "kind": pd.Categorical.from_codes(kind, ["linear", "at_least", "binary"]),
            "start": start, "target": target, "threshold": 50.0, "current": current, "weight": weight,
        }),
        alignments=pd.DataFrame({"child": label[e_child], "parent": label[e_parent]}),
        cycles=pd.DataFrame({"id": ["q"], "start": [START.isoformat()], "end": [END.isoformat()]}),
        policy={"progress": "both"},
    )
    arrays = dict(n=n, label=label, e_child=e_child, e_parent=e_parent, kr_obj=kr_obj, kind=kind, start=start,
                  target=target, current=current, weight=weight)
    return frames, arrays


# ----------------------------------------------------------------------------------- peers

def kr_scores_numpy(a):
    lin = (a["current"] - a["start"]) / (a["target"] - a["start"])
    s = np.where(a["kind"] == 0, lin, np.where(a["kind"] == 1, (a["current"] >= 50.0).astype(float), a["current"]))
    return np.clip(s, 0.0, 1.0)


def heights(n, child, parent):
    """Height above the leaves (longest path down); iterates to a fixed point, so a cycle is
    detected when it never settles."""
    h = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        new = h.copy()
        np.maximum.at(new, parent, h[child] + 1)
        if np.array_equal(new, h):
            return h
        h = new
    raise ValueError("cycle")


def numpy_peer(a):
    n = a["n"]
    s = kr_scores_numpy(a)
    kr_num = np.bincount(a["kr_obj"], weights=a["weight"] * s, minlength=n)
    kr_den = np.bincount(a["kr_obj"], weights=a["weight"], minlength=n)
    child, parent = a["e_child"], a["e_parent"]
    h = heights(n, child, parent)
    score = np.zeros(n)
    edge_level = h[parent]
    order = np.argsort(edge_level, kind="stable")
    child_s, parent_s, level_s = child[order], parent[order], edge_level[order]
    bounds = np.searchsorted(level_s, np.arange(h.max() + 2))
    num, den = kr_num.copy(), kr_den.copy()
    np.add.at(den, parent, 1.0)
    leaves = h == 0
    score[leaves] = num[leaves] / den[leaves]
    for level in range(1, h.max() + 1):
        lo, hi = bounds[level], bounds[level + 1]
        np.add.at(num, parent_s[lo:hi], score[child_s[lo:hi]])
        nodes = np.flatnonzero(h == level)
        score[nodes] = num[nodes] / den[nodes]
    status = np.where(score >= 1 - 1e-9, 0, np.where(EXPECTED - score <= 0.10 + 1e-9, 1, np.where(EXPECTED - score <= 0.25 + 1e-9, 2, 3)))
    return score, s, status


def numpy_frames_peer(frames):
    """The numpy peer from the same DataFrames okr gets: ids resolved to rows (hash look-ups, as
    ``pd.Index.get_indexer`` does them), unknown references and cycles rejected, the same
    arithmetic, and a DataFrame of id, score, expected and status out for every node."""
    o, k, al = frames["objectives"], frames["key_results"], frames["alignments"]
    ids = pd.Index(o["id"].to_numpy())
    kr_obj = ids.get_indexer(k["objective"].to_numpy())
    child, parent = ids.get_indexer(al["child"].to_numpy()), ids.get_indexer(al["parent"].to_numpy())
    if (kr_obj < 0).any() or (child < 0).any() or (parent < 0).any():
        raise ValueError("unknown reference")
    kind = k["kind"].cat.codes.to_numpy()
    arrays = dict(n=len(ids), kr_obj=kr_obj, e_child=child, e_parent=parent, kind=kind,
                  start=k["start"].to_numpy(), target=k["target"].to_numpy(), current=k["current"].to_numpy(),
                  weight=k["weight"].to_numpy())
    score, kr_score, status = numpy_peer(arrays)
    names = STATUS_NAMES
    kr_gap = EXPECTED - kr_score
    kr_status = np.where(kr_score >= 1 - 1e-9, 0, np.where(kr_gap <= 0.10 + 1e-9, 1, np.where(kr_gap <= 0.25 + 1e-9, 2, 3)))
    return pd.DataFrame({
        "id": np.concatenate([o["id"].to_numpy(), k["id"].to_numpy()]),
        "score": np.concatenate([score, kr_score]),
        "expected": EXPECTED,
        "status": pd.Categorical.from_codes(np.concatenate([status, kr_status]), categories=names),
    }, copy=False)


def pandas_peer(a):
    n = a["n"]
    kr = pd.DataFrame({"obj": a["kr_obj"], "kind": a["kind"], "start": a["start"], "target": a["target"], "current": a["current"], "w": a["weight"]})
    lin = (kr["current"] - kr["start"]) / (kr["target"] - kr["start"])
    kr["s"] = lin.where(kr["kind"] == 0, (kr["current"] >= 50.0).astype(float).where(kr["kind"] == 1, kr["current"])).clip(0, 1)
    kr["ws"] = kr["w"] * kr["s"]
    g = kr.groupby("obj")[["ws", "w"]].sum().reindex(range(n), fill_value=0.0)
    edges = pd.DataFrame({"child": a["e_child"], "parent": a["e_parent"]})
    h = pd.Series(0, index=range(n))
    while True:
        new = edges.assign(hc=h.to_numpy()[edges["child"].to_numpy()] + 1).groupby("parent")["hc"].max()
        merged = h.copy()
        merged.loc[new.index] = np.maximum(h.loc[new.index].to_numpy(), new.to_numpy())
        if merged.equals(h):
            break
        h = merged
    num = g["ws"].to_numpy().copy()
    den = g["w"].to_numpy() + edges.groupby("parent").size().reindex(range(n), fill_value=0).to_numpy()
    edges["level"] = h.to_numpy()[edges["parent"].to_numpy()]
    hv = h.to_numpy()
    score = np.zeros(n)
    score[hv == 0] = num[hv == 0] / den[hv == 0]
    for level, part in edges.sort_values("level").groupby("level"):
        add = part.assign(s=score[part["child"].to_numpy()]).groupby("parent")["s"].sum()
        num[add.index.to_numpy()] += add.to_numpy()
        nodes = np.flatnonzero(hv == level)
        score[nodes] = num[nodes] / den[nodes]
    frame = pd.DataFrame({"score": score})
    gap = EXPECTED - frame["score"]
    frame["status"] = np.select([frame["score"] >= 1 - 1e-9, gap <= 0.10 + 1e-9, gap <= 0.25 + 1e-9], [0, 1, 2], 3)
    return score


def networkx_peer(a):
    import networkx as nx

    n = a["n"]
    s = kr_scores_numpy(a)
    kr_num = np.bincount(a["kr_obj"], weights=a["weight"] * s, minlength=n)
    kr_den = np.bincount(a["kr_obj"], weights=a["weight"], minlength=n)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(zip(a["e_child"].tolist(), a["e_parent"].tolist()))
    if not nx.is_directed_acyclic_graph(g):
        raise ValueError("cycle")
    score = [0.0] * n
    num, den = kr_num.tolist(), kr_den.tolist()
    for v in nx.topological_sort(g):
        kids = list(g.predecessors(v))
        score[v] = (num[v] + sum(score[c] for c in kids)) / (den[v] + len(kids))
    return np.array(score)


def python_peer(a):
    n = a["n"]
    kind, start, target, current, weight, obj = (a[k].tolist() for k in ("kind", "start", "target", "current", "weight", "kr_obj"))
    num, den = [0.0] * n, [0.0] * n
    for i in range(len(kind)):
        if kind[i] == 0:
            s = (current[i] - start[i]) / (target[i] - start[i])
        elif kind[i] == 1:
            s = 1.0 if current[i] >= 50.0 else 0.0
        else:
            s = current[i]
        s = min(1.0, max(0.0, s))
        num[obj[i]] += weight[i] * s
        den[obj[i]] += weight[i]
    children = [[] for _ in range(n)]
    indegree = [0] * n
    for c, p in zip(a["e_child"].tolist(), a["e_parent"].tolist()):
        children[p].append(c)
        indegree[c] += 1  # c feeds p: count c's parents for the top-down order
    order, stack = [], [v for v in range(n) if indegree[v] == 0]
    while stack:
        v = stack.pop()
        order.append(v)
        for c in children[v]:
            indegree[c] -= 1
            if indegree[c] == 0:
                stack.append(c)
    if len(order) != n:
        raise ValueError("cycle")
    score = [0.0] * n
    for v in reversed(order):
        kids = children[v]
        score[v] = (num[v] + sum(score[c] for c in kids)) / (den[v] + len(kids))
    return np.array(score)


# ----------------------------------------------------------------------------------- timing

def timed(f, repeat):
    """Median time of `repeat` calls of `f`, and its last result. The previous call's result is
    freed before the clock starts, so no peer is timed freeing its last answer."""
    times, result = [], None
    for _ in range(repeat):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def interleaved(ours, theirs, repeat):
    """Ratios of `theirs`' time to `ours`' over `repeat` pairs of calls run back to back: the two
    calls of a pair see the same state of a shared machine, where medians taken minutes apart
    may not. Returns the median ratio, the lowest and the highest."""
    ratios = []
    for _ in range(repeat):
        t_ours, _ = timed(ours, 1)
        t_theirs, _ = timed(theirs, 1)
        ratios.append(t_theirs / t_ours)
    return statistics.median(ratios), min(ratios), max(ratios)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--objectives", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-slow", action="store_true", help="skip networkx and pure Python")
    ap.add_argument("--node", default="okr-wasm/pkg", help="okr-wasm package for the Node ratio ('' to skip)")
    args = ap.parse_args()
    n, repeat = args.objectives, args.repeat
    print(f"# peer comparison: {n:,} objectives, {3 * n:,} key results; median of {repeat} runs", flush=True)
    frames, arrays = organisation(n)
    rows = []

    # okr, DataFrames in and out.
    base = rss_mb()
    t_build, plan = timed(lambda: okr.Plan.from_frames(**frames), repeat)
    # A plan's first score is its slowest (fresh memory for the report): end to end
    # counts that one.
    t_first, _ = timed(lambda: plan.score(AS_OF), 1)
    t_score, report = timed(lambda: plan.score(AS_OF), repeat)
    t_pandas, df = timed(report.to_pandas, repeat)
    # The four columns the numpy script's DataFrame has: the same output, like for like.
    t_four, four = timed(lambda: report.to_pandas(columns=FOUR), repeat)
    pd.testing.assert_frame_equal(four, df[FOUR])
    peak = rss_mb("VmHWM") - base
    t_end = t_build + t_first + t_pandas
    t_end_four = t_build + t_first + t_four
    okr_scores = df.set_index("id")["score"]
    obj_scores = okr_scores.loc[arrays["label"]].to_numpy()
    rows += [("okr from_frames", t_build), ("okr first score of the plan", t_first), ("okr score", t_score),
             ("okr to_pandas", t_pandas), ("okr end to end (first score)", t_end),
             (f"okr to_pandas(columns={FOUR})", t_four), ("okr end to end, those four columns", t_end_four)]

    def check(name, got):
        err = np.max(np.abs(np.asarray(got) - obj_scores))
        assert err < 1e-9, f"{name} disagrees with okr: max difference {err}"

    t_np, (np_scores, _, np_status) = timed(lambda: numpy_peer(arrays), repeat)
    check("numpy", np_scores)
    okr_status = df.set_index("id")["status"].loc[arrays["label"]].astype(str).to_numpy()
    assert (STATUS_NAMES[np_status] == okr_status).all(), "numpy statuses disagree with okr"
    rows.append(("numpy score + roll-up + status", t_np))
    t_np_end, np_df = timed(lambda: numpy_frames_peer(frames), repeat)
    both = np_df.set_index("id").join(df.set_index("id")[["score", "status"]].add_suffix("_okr"))
    assert np.max(np.abs(both["score"] - both["score_okr"])) < 1e-9, "numpy (DataFrames) scores disagree with okr"
    assert (both["status"].astype(str) == both["status_okr"].astype(str)).all(), "numpy (DataFrames) statuses disagree"
    rows.append(("numpy end to end from the same DataFrames", t_np_end))
    t_pd, pd_scores = timed(lambda: pandas_peer(arrays), 1)
    check("pandas", pd_scores)
    rows.append(("pandas score + roll-up + status", t_pd))
    if not args.skip_slow:
        t_nx, nx_scores = timed(lambda: networkx_peer(arrays), 1)
        check("networkx", nx_scores)
        rows.append(("networkx build + DAG check + roll-up", t_nx))
        t_py, py_scores = timed(lambda: python_peer(arrays), 1)
        check("pure Python", py_scores)
        rows.append(("pure Python score + roll-up", t_py))

    print("\n| operation | time | okr score is … faster |\n|---|---:|---:|")
    for name, t in rows:
        ratio = "" if name.startswith("okr") else f"{t / t_score:,.1f}×"
        print(f"| {name} | {t * 1000:,.1f} ms | {ratio} |")
    mid, low, high = interleaved(lambda: plan.score(AS_OF), lambda: numpy_peer(arrays), repeat)
    print(f"\nokr score vs numpy score + roll-up + status in {repeat} interleaved pairs: {mid:.1f}× faster"
          f" (median; lowest {low:.1f}×, highest {high:.1f}×)")
    print(f"okr's first score of a plan vs numpy score + roll-up + status:"
          f" {t_np / t_first:.1f}× faster")
    print(f"end to end (from_frames + first score + to_pandas) vs numpy score + roll-up + status: {t_np / t_end:.2f}× ")
    print(f"end to end vs numpy end to end from the same DataFrames: {t_np_end / t_end:.2f}× ")
    print(f"end to end with the numpy script's four columns out vs numpy end to end from the same DataFrames: {t_np_end / t_end_four:.2f}× ")
    # The same comparisons in pairs run back to back (a new plan each time, so each counts its
    # first score), as for `score` above: the medians above are taken minutes apart.
    def okr_end_to_end(cols=None):
        return okr.Plan.from_frames(**frames).score(AS_OF).to_pandas(columns=cols)

    mid, low, high = interleaved(okr_end_to_end, lambda: numpy_frames_peer(frames), repeat)
    print(f"end to end vs numpy end to end from the same DataFrames in {repeat} interleaved pairs: {mid:.2f}×"
          f" (median; lowest {low:.2f}×, highest {high:.2f}×)")
    mid, low, high = interleaved(lambda: okr_end_to_end(FOUR), lambda: numpy_frames_peer(frames), repeat)
    print(f"the same with the numpy script's four columns out: {mid:.2f}× (median; lowest {low:.2f}×, highest {high:.2f}×)")
    print(f"peak memory of the okr steps beyond the inputs: {peak:,.0f} MB")
    del report, df, four, np_df, both
    text_ids_comparison(frames, repeat)
    pickle_comparison(frames, plan, repeat)

    statistics_rows = stats_comparison(repeat)
    print("\n| statistic | okr | reference | ratio |\n|---|---:|---:|---:|")
    for name, ours, theirs in statistics_rows:
        print(f"| {name} | {ours * 1000:,.1f} ms | {theirs * 1000:,.1f} ms | {theirs / ours:,.1f}× |")

    if args.node:
        node_ratio(args.node, frames, plan, repeat)


def text_ids_comparison(frames, repeat):
    """The same organisation with text ids (`o-17`, `k-4000017`), as most platforms keep them:
    okr end to end against the numpy script from the same DataFrames."""
    text = lambda prefix, col: prefix + col.astype(str)  # noqa: E731 - a one-line helper
    o, k, al = frames["objectives"], frames["key_results"], frames["alignments"]
    frames = dict(frames,
                  objectives=o.assign(id=text("o-", o["id"])),
                  key_results=k.assign(id=text("k-", k["id"]), objective=text("o-", k["objective"])),
                  alignments=al.assign(child=text("o-", al["child"]), parent=text("o-", al["parent"])))
    t_build, plan = timed(lambda: okr.Plan.from_frames(**frames), repeat)
    t_first, _ = timed(lambda: plan.score(AS_OF), 1)
    t_score, report = timed(lambda: plan.score(AS_OF), repeat)
    t_pandas, df = timed(report.to_pandas, repeat)
    t_four, four = timed(lambda: report.to_pandas(columns=FOUR), repeat)
    pd.testing.assert_frame_equal(four, df[FOUR])
    t_np, np_df = timed(lambda: numpy_frames_peer(frames), repeat)
    both = np_df.set_index("id").join(df.set_index("id")[["score", "status"]].add_suffix("_okr"))
    assert np.max(np.abs(both["score"] - both["score_okr"])) < 1e-9, "numpy (text ids) scores disagree with okr"
    assert (both["status"].astype(str) == both["status_okr"].astype(str)).all(), "numpy (text ids) statuses disagree"
    t_end = t_build + t_first + t_pandas
    print(f"\ntext ids ({frames['objectives']['id'].dtype} columns): okr from_frames {t_build * 1000:,.0f} ms + first score {t_first * 1000:,.1f} ms"
          f" (later ones {t_score * 1000:,.1f} ms) + to_pandas {t_pandas * 1000:,.0f} ms = {t_end * 1000:,.0f} ms end to end;"
          f" numpy end to end from the same DataFrames {t_np * 1000:,.0f} ms: okr is {t_np / t_end:.2f}× faster;"
          f" with the numpy script's four columns out (to_pandas {t_four * 1000:,.0f} ms) {t_np / (t_build + t_first + t_four):.2f}× faster")


def pickle_comparison(frames, plan, repeat):
    """Sending the plan to another process (multiprocessing, Dask): pickling the plan, which
    writes its columns, against pickling the DataFrames and building the plan from them there,
    and against the plan's JSON snapshot (how every plan pickled before, and how a plan
    columns cannot hold still does)."""
    import pickle

    t_dump, data = timed(lambda: pickle.dumps(plan, protocol=5), repeat)
    t_load, again = timed(lambda: pickle.loads(data), repeat)
    scores = lambda p: p.score(AS_OF).to_pandas(columns=["id", "score", "status"])  # noqa: E731
    pd.testing.assert_frame_equal(scores(again), scores(plan), check_exact=True)
    del again
    t_frames_dump, frames_data = timed(lambda: pickle.dumps(frames, protocol=5), repeat)
    t_frames_load, _ = timed(lambda: okr.Plan.from_frames(**pickle.loads(frames_data)), repeat)
    t_snap_dump, snapshot = timed(plan._inner.snapshot_json, 1)
    t_snap_load, _ = timed(lambda: okr._plan._plan_from_snapshot(snapshot), 1)
    ours = t_dump + t_load
    print(f"\npickling the plan: dumps {t_dump * 1000:,.0f} ms ({len(data) / 1e6:,.0f} MB) + loads {t_load * 1000:,.0f} ms"
          f" = {ours * 1000:,.0f} ms; the DataFrames pickled and built again: {t_frames_dump * 1000:,.0f}"
          f" + {t_frames_load * 1000:,.0f} ms ({(t_frames_dump + t_frames_load) / ours:.2f}× the plan's time);"
          f" the JSON snapshot: {t_snap_dump * 1000:,.0f} + {t_snap_load * 1000:,.0f} ms"
          f" ({(t_snap_dump + t_snap_load) / ours:.1f}× the plan's time)")


def stats_comparison(repeat):
    import krippendorff
    import pingouin as pg

    rng = np.random.default_rng(11)
    out = []
    targets, raters = 10_000, 5
    q = rng.normal(size=targets)
    icc_df = pd.DataFrame({"t": np.repeat(np.arange(targets), raters), "r": np.tile(np.arange(raters), targets)})
    icc_df["v"] = q[icc_df["t"]] + rng.normal(scale=0.8, size=len(icc_df))
    ours_t, ours = timed(lambda: cal.intraclass_corr(icc_df, "t", "r", "v"), repeat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_t, ref = timed(lambda: pg.intraclass_corr(icc_df, targets="t", raters="r", ratings="v"), repeat)
    assert np.allclose(ours["ICC"], ref["ICC"], rtol=1e-9)
    out.append(("ICC, 10,000 targets × 5 raters (pingouin)", ours_t, ref_t))

    units, coders = 20_000, 50
    truth = rng.integers(1, 6, units)
    data = np.clip(truth + rng.integers(-1, 2, size=(coders, units)), 1, 5).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    ours_t, a = timed(lambda: cal.krippendorff_alpha(data, level_of_measurement="interval"), repeat)
    ref_t, b = timed(lambda: krippendorff.alpha(reliability_data=data, level_of_measurement="interval"), repeat)
    assert abs(a - b) < 1e-9
    out.append(("Krippendorff α interval, 50 × 20,000 (krippendorff)", ours_t, ref_t))

    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa

    subjects, raters_per_subject = 200_000, 10
    shares = rng.dirichlet(np.ones(5) * 2, subjects)
    table = np.stack([rng.multinomial(raters_per_subject, p) for p in shares[:2_000]] * (subjects // 2_000)).astype(float)
    ours_t, a = timed(lambda: cal.fleiss_kappa(table), repeat)
    ref_t, b = timed(lambda: fleiss_kappa(table), repeat)
    assert abs(a - b) < 1e-9
    out.append(("Fleiss' κ, 200,000 subjects × 5 categories (statsmodels)", ours_t, ref_t))

    pairs = 1_000_000
    y1 = rng.integers(1, 6, pairs)
    y2 = np.where(rng.random(pairs) < 0.6, y1, rng.integers(1, 6, pairs))
    ours_t, a = timed(lambda: cal.cohen_kappa(y1, y2, weights="quadratic"), repeat)
    ref_t, b = timed(lambda: cohen_kappa_score(y1, y2, weights="quadratic"), repeat)
    assert abs(a - b) < 1e-9
    out.append(("Cohen's κ quadratic, 1,000,000 pairs (scikit-learn)", ours_t, ref_t))

    ratings, managers = 1_000_000, 10_000
    z = pd.DataFrame({"ratee": rng.integers(0, 200_000, ratings), "rater": rng.integers(0, managers, ratings), "rating": rng.integers(1, 6, ratings).astype(float)})
    ours_t, zs = timed(lambda: cal.normalize(z, "ratee", "rater", "rating"), repeat)

    def pandas_z():
        g = z.groupby("rater")["rating"]
        return z["rating"].mean() + z["rating"].std() * (z["rating"] - g.transform("mean")) / g.transform("std")

    ref_t, zp = timed(pandas_z, repeat)
    assert np.allclose(zs, zp, rtol=1e-9)
    out.append(("z-scores, 1,000,000 ratings over 10,000 raters (pandas groupby)", ours_t, ref_t))
    return out


def node_ratio(pkg, frames, plan, repeat):
    """Scores the same organisation (`frames`, built natively as `plan`) through okr-wasm in
    Node, as a ratio to native scoring timed again here, side by side."""
    pkg = pathlib.Path(pkg).resolve()
    if not (pkg / "okr_wasm.js").exists():
        print(f"\n(okr-wasm not built at {pkg}: run `make wasm` for the Node ratio)")
        return
    n = len(frames["objectives"])
    native, _ = timed(lambda: plan.score(AS_OF), max(repeat, 5))
    payload = {
        "objectives": {"id": frames["objectives"]["id"].tolist(), "cycle": ["q"] * n},
        "keyResults": {c: (frames["key_results"][c].astype(str) if c == "kind" else frames["key_results"][c]).tolist() for c in ["id", "objective", "kind", "start", "target", "threshold", "current", "weight"]},
        "alignments": {"child": frames["alignments"]["child"].tolist(), "parent": frames["alignments"]["parent"].tolist()},
        "cycles": [{"id": "q", "start": START.isoformat(), "end": END.isoformat()}],
        "policy": {"progress": "both"},
    }
    path = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / "okr-peer-org.json"
    path.write_text(json.dumps(payload))
    script = pathlib.Path(__file__).with_name("node_score.cjs")
    out = subprocess.run(["node", str(script), str(pkg), str(path), AS_OF.isoformat(), str(max(repeat, 5))], capture_output=True, text=True, check=True)
    wasm = json.loads(out.stdout)
    native_sum = float(plan.score(AS_OF).to_pandas()["score"].sum())
    assert abs(wasm["sum"] - native_sum) < 1e-6, f"Node's scores disagree with native: sum {wasm['sum']} vs {native_sum}"
    assert abs(wasm["textSum"] - native_sum) < 1e-6, f"Node's scores with text ids disagree: sum {wasm['textSum']} vs {native_sum}"
    print(f"\nNode (okr-wasm) scoring {n:,} objectives: {wasm['score'] * 1000:,.1f} ms vs native {native * 1000:,.1f} ms: {wasm['score'] / native:.2f}× native"
          f" (sum of scores checked); fromColumns {wasm['buildTyped'] * 1000:,.0f} ms from typed arrays, {wasm['buildPlain'] * 1000:,.0f} ms from plain arrays,"
          f" {wasm['buildText'] * 1000:,.0f} ms with text ids (plain arrays of strings)")


if __name__ == "__main__":
    sys.exit(main())
