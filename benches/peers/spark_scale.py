"""Throughput of okr.spark: 1,000 organisations × 1,000 objectives (3 key results each) scored in
one local job, with 1 and with 2 cores.

    python benches/peers/spark_scale.py [--orgs 1000] [--objectives 1000]
"""

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
warnings.simplefilter("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from okr import spark as okr_spark  # noqa: E402


def tables(orgs, n, seed=1):
    rng = np.random.default_rng(seed)
    org = np.repeat(np.arange(orgs), n)
    local = np.tile(np.arange(n), orgs)
    ids = org * 10 * n + local
    objectives = pd.DataFrame({"org": org, "id": ids, "cycle": "q"})
    child = local > 0
    alignments = pd.DataFrame({"org": org[child], "child": ids[child], "parent": (org * 10 * n + (local - 1) // 5)[child]})
    k_org = np.repeat(org, 3)
    key_results = pd.DataFrame({
        "org": k_org, "id": np.repeat(ids, 3) * 3 + np.tile([n * 4, n * 4 + 1, n * 4 + 2], orgs * n), "objective": np.repeat(ids, 3),
        "kind": "linear", "start": 0.0, "target": 100.0, "current": rng.uniform(-10, 120, orgs * n * 3),
    })
    cycles = pd.DataFrame({"org": np.arange(orgs), "id": "q", "start": "2026-01-01", "end": "2026-03-31"})
    return objectives, key_results, alignments, cycles


def run(cores, t):
    spark = (SparkSession.builder.master(f"local[{cores}]").appName(f"okr-scale-{cores}")
             .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(4 * cores))
             .config("spark.driver.memory", "6g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    o, k, a, c = (spark.createDataFrame(x) for x in t)
    for x in (o, k, a, c):
        x.cache().count()
    start = time.perf_counter()
    scores, errors = okr_spark.score(o, k, a, None, c, by="org", as_of="2026-02-15", policy={"progress": "both"})
    rows = scores.count()
    bad = errors.count()
    took = time.perf_counter() - start
    spark.stop()
    return rows, bad, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgs", type=int, default=1000)
    ap.add_argument("--objectives", type=int, default=1000)
    args = ap.parse_args()
    t = tables(args.orgs, args.objectives)
    results = {}
    for cores in (1, 2):
        rows, bad, took = run(cores, t)
        results[cores] = took
        print(f"local[{cores}]: {args.orgs:,} organisations × {args.objectives:,} objectives ({rows:,} rows, {bad} errors) in {took:.1f} s: "
              f"{args.orgs / took:,.0f} organisations/s, {rows / took:,.0f} nodes/s", flush=True)
    print(f"speed-up from 1 to 2 cores: {results[1] / results[2]:.2f}×")


if __name__ == "__main__":
    main()
