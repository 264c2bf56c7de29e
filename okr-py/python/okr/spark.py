"""Score many organisations inside Apache Spark: one call, one organisation per task.

Each organisation (the rows sharing the ``by`` key) is scored by okr-core inside a Spark worker
through a grouped pandas UDF, so a nightly job over every tenant runs where HR platforms already
keep their data. Requires ``pyspark`` (``pip install ./okr-py[spark]``); importing ``okr`` never
does.

On a cluster, ship the okr wheel to the executors (``spark.submit.pyFiles`` or a cluster
library); each task scores one organisation, so throughput grows with the executor cores.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import pandas as pd

import okr
from okr import calibration as cal
from okr._columns import boundary, invalid

__all__ = ["score", "rater_effects", "normalize"]

_TABLES = ("objectives", "key_results", "alignments", "check_ins", "cycles")
_REPORT_COLUMNS = ["id", "type", "kind", "objective", "score", "expected", "status", "grade", "has_data", "value"]


def _spark():
    try:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T
    except ImportError as e:  # pragma: no cover - exercised only without pyspark
        raise invalid("okr.spark needs pyspark (pip install okr[spark])") from e
    return F, T


def _tagged(frames: Mapping[str, Any], by: str):
    """All tables as one DataFrame of (by, table, row as JSON), so that one grouped UDF sees
    every table of an organisation together."""
    F, _ = _spark()
    parts = []
    for name, df in frames.items():
        if df is None:
            continue
        if by not in df.columns:
            raise invalid(f"table `{name}` has no `{by}` column")
        cols = [c for c in df.columns if c != by]
        parts.append(df.select(F.col(by), F.lit(name).alias("__table"), F.to_json(F.struct(*[F.col(c) for c in cols])).alias("__row")))
    out = parts[0]
    for p in parts[1:]:
        out = out.unionByName(p)
    return out


def _unpack(pdf: pd.DataFrame) -> Dict[str, pd.DataFrame]:
    tables: Dict[str, pd.DataFrame] = {}
    for name, rows in pdf.groupby("__table", sort=False):
        tables[str(name)] = pd.DataFrame([json.loads(r) for r in rows["__row"]])
    return tables


@boundary
def score(
    objectives: Any,
    key_results: Any,
    alignments: Any = None,
    check_ins: Any = None,
    cycles: Any = None,
    *,
    by: str,
    as_of: Any = None,
    policy: Optional[Mapping[str, Any]] = None,
    confidence_scale: Optional[Tuple[float, float]] = None,
) -> Tuple[Any, Any]:
    """Scores every organisation (the rows sharing ``by``) of Spark DataFrames with the columns
    of ``okr.Plan.from_frames`` (``policy`` and ``confidence_scale`` as there, for every
    organisation).

    Returns ``(scores, errors)``: ``scores`` has ``by`` and the columns of
    ``Report.to_pandas()`` (``id``, ``type``, ``kind``, ``objective``, ``score``, ``expected``,
    ``status``, ``grade``, ``has_data``, ``value``; ids as strings), one row per node per
    organisation; ``errors`` has ``by``, ``code``, ``message`` for each organisation whose plan
    is invalid. An invalid organisation never fails the job, and every organisation appears in
    one of the two.
    """
    F, T = _spark()
    day = okr._plan._iso(as_of)
    policy_json = None if policy is None else dict(policy)
    frames = {"objectives": objectives, "key_results": key_results, "alignments": alignments, "check_ins": check_ins, "cycles": cycles}
    tagged = _tagged(frames, by)
    key_type = objectives.schema[by].dataType
    schema = T.StructType(
        [T.StructField(by, key_type)]
        + [T.StructField(c, T.StringType()) for c in ["id", "type", "kind", "objective"]]
        + [T.StructField("score", T.DoubleType()), T.StructField("expected", T.DoubleType())]
        + [T.StructField(c, T.StringType()) for c in ["status", "grade"]]
        + [T.StructField("has_data", T.BooleanType()), T.StructField("value", T.DoubleType())]
        + [T.StructField("code", T.StringType()), T.StructField("message", T.StringType())]
    )

    def one(pdf: pd.DataFrame) -> pd.DataFrame:
        key = pdf[by].iloc[0]
        try:
            t = _unpack(pdf)
            if "objectives" not in t:
                raise invalid("the organisation has no objectives")
            plan = okr.Plan.from_frames(
                t["objectives"], t.get("key_results", pd.DataFrame({"id": [], "objective": [], "kind": []})),
                t.get("alignments"), t.get("check_ins"), t.get("cycles"), policy_json, confidence_scale,
            )
            df = plan.score(day).to_pandas(columns=_REPORT_COLUMNS)
            for c in ["id", "objective"]:
                df[c] = df[c].astype("object").where(df[c].notna(), None).map(lambda v: None if v is None else str(v))
            for c in ["type", "kind", "status", "grade"]:
                df[c] = df[c].astype("object").where(df[c].notna(), None)
            df.insert(0, by, key)
            df["code"] = None
            df["message"] = None
            return df
        except okr.OkrError as e:
            row: Dict[str, Any] = {c.name: None for c in schema.fields}
            row.update({by: key, "code": getattr(e, "code", "invalid_input"), "message": str(e)})
            return pd.DataFrame([row])

    combined = tagged.groupBy(by).applyInPandas(one, schema=schema).cache()
    scores = combined.filter(F.col("code").isNull()).drop("code", "message")
    errors = combined.filter(F.col("code").isNotNull()).select(by, "code", "message")
    return scores, errors


def _ratings_job(data: Any, by: str, fn, schema_fields: List[Tuple[str, Any]]):
    F, T = _spark()
    schema = T.StructType([T.StructField(by, data.schema[by].dataType)] + [T.StructField(n, t) for n, t in schema_fields]
                          + [T.StructField("code", T.StringType()), T.StructField("message", T.StringType())])

    def one(pdf: pd.DataFrame) -> pd.DataFrame:
        key = pdf[by].iloc[0]
        try:
            out = fn(pdf)
            out.insert(0, by, key)
            out["code"] = None
            out["message"] = None
            return out[[f.name for f in schema.fields]]
        except okr.OkrError as e:
            row: Dict[str, Any] = {f.name: None for f in schema.fields}
            row.update({by: key, "code": e.code, "message": str(e)})
            return pd.DataFrame([row])

    combined = data.groupBy(by).applyInPandas(one, schema=schema).cache()
    return combined.filter(F.col("code").isNull()).drop("code", "message"), combined.filter(F.col("code").isNotNull()).select(by, "code", "message")


@boundary
def rater_effects(data: Any, ratee: str, rater: str, rating: str, *, by: str, nan_policy: str = "raise") -> Tuple[Any, Any]:
    """``okr.calibration.rater_effects`` per group (organisation or review cycle): returns
    ``(effects, errors)``. Under ``nan_policy="raise"`` a group with a missing rating is an
    error row; ``"omit"`` drops such ratings."""
    _, T = _spark()
    fields = [("rater", T.StringType()), ("n", T.LongType())] + [(c, T.DoubleType()) for c in ["mean", "sd", "leniency", "se", "shrunk_leniency", "z"]] + [("flag", T.StringType())]

    def fn(pdf):
        out = cal.rater_effects(pdf, ratee, rater, rating, nan_policy=nan_policy)
        out["rater"] = out["rater"].astype(str)
        out["flag"] = out["flag"].astype("object").where(out["flag"].notna(), None)
        return out

    return _ratings_job(data, by, fn, fields)


@boundary
def normalize(
    data: Any,
    ratee: str,
    rater: str,
    rating: str,
    *,
    by: str,
    method: str = "zscore",
    scale: Optional[Sequence[float]] = None,
    nan_policy: str = "raise",
) -> Tuple[Any, Any]:
    """``okr.calibration.normalize`` per group: returns ``(rows, errors)`` where rows carry
    ``ratee``, ``rater``, ``rating`` and ``normalized`` (null where ``nan_policy="omit"``
    dropped a missing rating)."""
    _, T = _spark()
    fields = [(ratee, T.StringType()), (rater, T.StringType()), (rating, T.DoubleType()), ("normalized", T.DoubleType())]

    def fn(pdf):
        out = pdf[[ratee, rater, rating]].copy()
        out["normalized"] = cal.normalize(
            pdf, ratee, rater, rating, method=method, scale=None if scale is None else tuple(scale), nan_policy=nan_policy
        ).to_numpy()
        out[ratee] = out[ratee].astype(str)
        out[rater] = out[rater].astype(str)
        return out

    return _ratings_job(data, by, fn, fields)
