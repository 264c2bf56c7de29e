"""Conversion of DataFrame columns into the plain arrays and lists the extension takes."""

from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np
import pandas as pd

# What each known column holds; anything else is passed through and rejected by name.
IDS = {"id", "objective", "child", "parent", "key_result"}
BOOLS = {"strict"}
TEXTS = {"cycle", "owner", "level", "title", "progress", "kind", "op"}


def frame(table: Any) -> pd.DataFrame:
    """A pandas DataFrame from a DataFrame, a pyarrow Table or a mapping of columns."""
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    return pd.DataFrame(table)


def ids(series: Any) -> Any:
    """Integer ids as an int64 array, anything else as a list of str."""
    s = pd.Series(series)
    if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return np.ascontiguousarray(s.to_numpy(dtype=np.int64))
    if pd.api.types.is_float_dtype(s.dtype):
        # pandas turns integer ids into floats at the first missing value or concat with an
        # empty frame: whole floats are integer ids (a real NaN id is then reported as text).
        v = s.to_numpy()
        if len(v) and np.isfinite(v).all() and (v == np.round(v)).all() and np.abs(v).max() < 2**53:
            return np.ascontiguousarray(v.astype(np.int64))
    return s.astype(str).tolist()


def floats(series: Any) -> np.ndarray:
    """Float64 values, nulls as NaN."""
    return np.ascontiguousarray(pd.Series(series).to_numpy(dtype=np.float64, na_value=np.nan))


def texts(series: pd.Series) -> tuple:
    """Text as ``("codes", codes, categories)``: one small list of distinct values and an int32
    array (-1 for null), which crosses into Rust far faster than a string per row."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return ("codes", np.ascontiguousarray(codes, dtype=np.int32), [str(u) for u in uniques])


def days(series: pd.Series) -> list:
    """Days since 1970-01-01."""
    values = pd.to_datetime(series).to_numpy().astype("datetime64[D]").astype(np.int64)
    return values.tolist()


def columns(table: Any, dates: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The dict of columns for one table; ``dates`` names its date columns."""
    df = frame(table)
    out: Dict[str, Any] = {}
    for name in df.columns:
        s = df[name]
        key = str(name)
        if key in IDS:
            out[key] = ids(s)
        elif key in dates:
            out[key] = days(s)
        elif key in BOOLS:
            out[key] = s.fillna(False).astype(bool).tolist()
        elif key in TEXTS:
            out[key] = texts(s)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out[key] = floats(s)
        else:
            out[key] = s.tolist()
    return out
