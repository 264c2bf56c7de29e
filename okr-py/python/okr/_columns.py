"""Conversion of DataFrame columns into the plain arrays and lists the extension takes."""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, Mapping, Tuple, TypeVar, cast

import numpy as np
import pandas as pd

from okr import _okr


def invalid(message: str, code: str = "invalid_input") -> Exception:
    """An ``OkrError`` with ``code`` (``invalid_input`` by default), as the extension raises
    for bad input; an ``invalid_input`` message starts "invalid input: " as the core's do."""
    error = _okr.OkrError(f"invalid input: {message}" if code == "invalid_input" else message)
    error.code = code
    return error


F = TypeVar("F", bound=Callable[..., Any])

# What converting a wrong argument raises inside pandas, numpy or the extension's argument
# parsing: a wrong type, a wrong shape, an unhashable column name.
_CONVERSION_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)


def boundary(f: F) -> F:
    """Marks a public entry point: an error other than ``OkrError`` raised while it converts
    its arguments (a DataFrame where a column name was expected, a number where a pair of
    cuts was) becomes an ``OkrError`` with code ``invalid_input`` naming the call, chained to
    the original. So callers catch one exception type, as the extension promises."""

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except _okr.OkrError:
            raise
        except _CONVERSION_ERRORS as e:
            raise invalid(f"{f.__qualname__}: {type(e).__name__}: {_python_names(str(e))}") from e

    return cast(F, wrapped)


# The extension's argument parsing names the types it wanted as the Rust binding's (`'PyString'`);
# messages name Python's.
_PYO3_TYPES = {"'PyString'": "'str'", "'PyBool'": "'bool'", "'PyTuple'": "'tuple'", "'PyFloat'": "'float'",
               "'PyInt'": "'int'", "'PyLong'": "'int'", "'PyList'": "'list'", "'PyDict'": "'dict'",
               "'PySequence'": "'sequence'", "'PyMapping'": "'mapping'"}


def _python_names(message: str) -> str:
    for rust, python in _PYO3_TYPES.items():
        message = message.replace(rust, python)
    return message


def node_id(value: Any) -> str:
    """A node id as the extension takes it: text as it is, an integer as its decimal text
    (plans built from integer ids report them as integers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return str(int(value))
    raise invalid(f"an id is text or an integer, not {type(value).__name__}")


def column(data: pd.DataFrame, name: Any) -> pd.Series:
    """Column ``name`` of ``data``, or an ``OkrError`` (``unknown_column``) naming it."""
    if not isinstance(data, pd.DataFrame):
        raise invalid(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if not isinstance(name, (str, int, np.integer)):
        raise invalid(f"a column name is text, not {type(name).__name__}")
    if name not in data.columns:
        raise invalid(f"unknown column `{name}` in data", code="unknown_column")
    return data[name]

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
    if not isinstance(table, Mapping):
        raise invalid(f"a table is a pandas DataFrame, a pyarrow Table or a mapping of columns, not {type(table).__name__}")
    return pd.DataFrame(table)


def ids(series: Any) -> Any:
    """Integer ids as an int64 array, anything else as a list of str; a missing id (None, NaN,
    NA, in any dtype) stays None, for the extension to reject naming the column."""
    s = pd.Series(series)
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        # numpy integers hold no missing value; unsigned ones beyond int64 stay exact as text.
        if s.dtype.kind == "u" and len(s) and s.max() > np.iinfo(np.int64).max:
            return [str(v) for v in s.tolist()]
        return np.ascontiguousarray(s.to_numpy(dtype=np.int64))
    missing = s.isna()
    if missing.any():
        return [None if m else str(v) for v, m in zip(s.tolist(), missing.tolist())]
    if pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return ids(s.to_numpy(dtype=s.dtype.numpy_dtype))  # nullable integers without a missing value
    first = s.iat[0] if s.dtype == object and len(s) else None
    integer = isinstance(first, (int, np.integer)) and not isinstance(first, (bool, np.bool_))
    if integer and pd.api.types.infer_dtype(s, skipna=False) == "integer":
        # An object column of integers (after an ``apply``, say) holds integer ids, which
        # reports give back as integers; those beyond int64 stay exact as text. (The first
        # value decides whether to scan: a column of text costs nothing more.)
        try:
            return np.ascontiguousarray(s.to_numpy(dtype=np.int64))
        except OverflowError:
            return [str(v) for v in s.tolist()]
    if pd.api.types.is_float_dtype(s.dtype):
        # pandas turns integer ids into floats at the first missing value or concat with an
        # empty frame: whole floats are integer ids.
        v = s.to_numpy(dtype=np.float64)
        if len(v) and (v == np.round(v)).all() and np.abs(v).max() < 2**53:
            return np.ascontiguousarray(v.astype(np.int64))
    return arrow_text(s) or object_text(s) or s.astype(str).tolist()


def plan_ids(series: pd.Series, what: str) -> Any:
    """:func:`ids` for a plan table, where an id is text or a whole number: booleans, fractional
    or infinite numbers, and whole floats too large for a float to hold exactly (2**53 and
    beyond) are errors naming ``what`` and the row. They would otherwise become the text
    "True", "1.5", "inf" or "1e+16" and fail later as unknown references, or match the wrong id."""
    s = pd.Series(series)
    if pd.api.types.is_bool_dtype(s.dtype):
        raise invalid(f"`{what}` holds true/false values; ids are text or whole numbers")
    if pd.api.types.is_float_dtype(s.dtype):
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            fractional = ~np.isfinite(v) | (v != np.round(v))
            inexact = np.abs(v) >= 2**53
        bad = ~np.isnan(v) & (fractional | inexact)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            if fractional[row]:
                raise invalid(f"`{what}`: row {row} holds `{v[row]}`, not a whole number or text id")
            raise invalid(
                f"`{what}`: row {row} holds `{v[row]:.0f}` as a float, which cannot hold whole numbers"
                " from 2**53 exactly; give the ids as integers or text"
            )
    return ids(s)


def arrow_text(s: pd.Series) -> Any:
    """Text held by pyarrow (pandas' default ``str`` dtype from 3.0, or ``string[pyarrow]``)
    without nulls, as ``("utf8", offsets, bytes)``: the column crosses into Rust as two arrays
    that the core reads in place, instead of a Python string per row. ``None`` for any other
    column."""
    if not isinstance(s.dtype, pd.StringDtype) or s.dtype.storage != "pyarrow":
        return None
    import pyarrow as pa

    chunked = s.array.__arrow_array__()
    if isinstance(chunked, pa.ChunkedArray):
        chunked = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
    return utf8_layout(chunked)


def object_text(s: pd.Series) -> Any:
    """Python strings in an object column (pandas before 3.0, or ``dtype=object``) as
    ``("utf8", offsets, bytes)``, converted by pyarrow when it is installed: one pass in C
    instead of a Python ``str`` and a Rust ``String`` per row. ``None`` when pyarrow is missing
    or a value is not a ``str`` (those columns keep the ``astype(str)`` path)."""
    # Only str values: anything else (bytes, numbers) keeps pandas' `astype(str)` spelling.
    if s.dtype != object or pd.api.types.infer_dtype(s, skipna=False) != "string":
        return None
    try:
        import pyarrow as pa
    except ImportError:
        return None
    try:
        return utf8_layout(pa.array(s.to_numpy(), type=pa.large_string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def utf8_layout(arr: Any) -> Any:
    """A pyarrow string array without nulls as ``("utf8", offsets, bytes)``; ``None`` for
    anything else."""
    import pyarrow as pa

    if arr.null_count or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    _, offsets, data = arr.buffers()
    if offsets is None:  # an empty array may have no buffers at all
        return None
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(offsets, dtype=width)[arr.offset : arr.offset + len(arr) + 1].astype(np.int64, copy=False)
    data = np.zeros(0, np.uint8) if data is None else np.frombuffer(data, dtype=np.uint8)
    return ("utf8", offsets, data)


def floats(series: Any, what: str = "values") -> np.ndarray:
    """Float64 values, nulls as NaN; a value that is not a number is an error naming ``what``
    and the row."""
    s = pd.Series(series)
    try:
        return np.ascontiguousarray(s.to_numpy(dtype=np.float64, na_value=np.nan))
    except (TypeError, ValueError):
        bad = (pd.to_numeric(s, errors="coerce").isna() & s.notna()).to_numpy()
        row = int(np.flatnonzero(bad)[0]) if bad.any() else 0
        raise invalid(f"`{what}`: row {row} holds `{s.iloc[row]}`, not a number") from None


def texts(series: pd.Series) -> tuple:
    """Text as ``("codes", codes, categories)``: one small list of distinct values and an int32
    array (-1 for null), which crosses into Rust far faster than a string per row.

    A pandas Categorical is sent as its own codes and categories (categories no row uses are
    never read); an Arrow-backed column holding one value throughout (every objective in one
    cycle) as that value, after one comparison pass. Anything else is factorised by pandas."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        return ("codes", np.ascontiguousarray(codes, dtype=np.int32), [str(u) for u in series.cat.categories])
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow" and len(series):
        import pyarrow.compute as pc

        arr = series.array.__arrow_array__()
        first = arr[0]
        if arr.null_count == 0 and first.is_valid and pc.all(pc.equal(arr, first)).as_py():
            return ("codes", np.zeros(len(series), dtype=np.int32), [first.as_py()])
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return ("codes", np.ascontiguousarray(codes, dtype=np.int32), [str(u) for u in uniques])


def bools(series: pd.Series, what: str) -> np.ndarray:
    """True/False per row as a bool array, a missing value False; anything but booleans (or 0
    and 1) is an error naming ``what`` and the row, rather than Python's truth of a string."""
    s = pd.Series(series)
    if pd.api.types.is_bool_dtype(s.dtype):
        return np.ascontiguousarray(s.fillna(False).to_numpy(dtype=bool))
    if pd.api.types.is_numeric_dtype(s.dtype) and s.dropna().isin([0, 1]).all():
        return np.ascontiguousarray(s.fillna(0).to_numpy(dtype=bool))
    values = s.tolist()
    for row, v in enumerate(values):
        if not (v is None or isinstance(v, (bool, np.bool_)) or pd.isna(v) or (isinstance(v, (int, float, np.number)) and v in (0, 1))):
            raise invalid(f"`{what}`: row {row} holds `{v}`, not true or false")
    return np.array([False if v is None or pd.isna(v) else bool(v) for v in values], dtype=bool)


def days(series: pd.Series, what: str) -> np.ndarray:
    """Days since 1970-01-01 as an int64 array (it crosses into Rust whole); a missing or
    unreadable date is an error naming ``what`` and the row."""
    s = pd.Series(series)
    parsed = pd.to_datetime(s, errors="coerce")
    unread = parsed.isna().to_numpy()
    if unread.any():
        row = int(np.flatnonzero(unread)[0])
        value = s.iloc[row]
        problem = "has no date (null)" if pd.isna(value) else f"holds `{value}`, not a date"
        raise invalid(f"`{what}`: row {row} {problem}")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)  # a time-zone-aware date is its local calendar day
    return np.ascontiguousarray(parsed.to_numpy().astype("datetime64[D]").astype(np.int64))


def columns(table: Any, name: str, dates: Tuple[str, ...] = ()) -> Dict[str, Any]:
    """The dict of columns for table ``name``; ``dates`` names its date columns. An index level
    named as an id or date column (``df.set_index("id")``) that is not also a column is read
    as that column, as pandas' ``merge`` reads index levels by name; other indexes are ignored."""
    df = frame(table)
    levels = [n for n in df.index.names if n is not None and str(n) in IDS.union(dates) and n not in df.columns]
    if levels:
        df = df.reset_index(level=levels)
    repeated = df.columns[df.columns.duplicated()]
    if len(repeated):
        raise invalid(f"column `{repeated[0]}` appears twice in {name}")
    out: Dict[str, Any] = {}
    for column in df.columns:
        s = df[column]
        key = str(column)
        if key in IDS:
            out[key] = plan_ids(s, f"{name}.{key}")
        elif key in dates:
            out[key] = days(s, f"{name}.{key}")
        elif key in BOOLS:
            out[key] = bools(s, f"{name}.{key}")
        elif key in TEXTS:
            out[key] = texts(s)
        elif pd.api.types.is_numeric_dtype(s.dtype):
            out[key] = floats(s, f"{name}.{key}")
        else:
            # An object column of numbers may mark missing values as None, NaN or pd.NA, as
            # pandas does: each is null (pandas' own test, over the whole column). Anything else
            # crosses as it is, so that text such as "10" is refused by name, as in a document.
            out[key] = s.astype(object).where(s.notna(), None).tolist()
    return out
