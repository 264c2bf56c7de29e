"""Plans and reports."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from okr import _okr
from okr._columns import boundary, column, columns, floats, ids, invalid, node_id

DateLike = Union[_dt.date, np.datetime64, str, None]


def _iso(as_of: DateLike) -> str:
    if as_of is None:
        return _dt.date.today().isoformat()
    if isinstance(as_of, _dt.datetime):
        return as_of.date().isoformat()
    if isinstance(as_of, _dt.date):
        return as_of.isoformat()
    if isinstance(as_of, str):
        return as_of
    if isinstance(as_of, np.datetime64):
        if np.isnat(as_of):
            raise invalid("NaT is not a date")
        return str(as_of.astype("datetime64[D]"))
    raise invalid(f"as_of must be a date or YYYY-MM-DD, not {type(as_of).__name__}")


def _json_value(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself, in the document's terms: dates as
    ``YYYY-MM-DD``, numpy scalars as Python numbers, numpy arrays as lists."""
    if isinstance(value, (_dt.date, np.datetime64)):
        return _iso(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"a value of type {type(value).__name__} has no JSON form: `{value!r}`")


def _non_finite(value: Any, path: str = "document", seen: Optional[set] = None) -> Tuple[str, Any]:
    """Where in a document the first NaN or infinity is, as a dotted path, and the value
    (``("", None)`` if there is none)."""
    if isinstance(value, np.ndarray):
        # Its lists are made here and freed after: they are not the document's, so they are
        # tracked apart (a freed list's id can be the next one's) and cannot hold a cycle.
        return _non_finite(value.tolist(), path, set())
    if isinstance(value, (Mapping, list, tuple)):
        seen = set() if seen is None else seen
        if id(value) in seen:
            return ("", None)
        seen.add(id(value))
        items = value.items() if isinstance(value, Mapping) else enumerate(value)
        for key, v in items:
            found = _non_finite(v, f"{path}.{key}" if isinstance(value, Mapping) else f"{path}[{key}]", seen)
            if found[0]:
                return found
        return ("", None)
    number = value.item() if isinstance(value, np.generic) else value
    return (path, value) if isinstance(number, float) and not np.isfinite(number) else ("", None)


def _validity(null: Optional[np.ndarray]) -> Any:
    """Arrow's validity bitmap for the mask ``null`` (``None`` when nothing is null), made by
    numpy: faster than pyarrow's own scan for NaN."""
    import pyarrow as pa

    return None if null is None or not null.any() else pa.py_buffer(np.packbits(~null, bitorder="little"))


def _arrow_text(offsets: np.ndarray, data: np.ndarray, null: Optional[np.ndarray]) -> Any:
    """A ``pyarrow.LargeStringArray`` over Arrow's layout (null where ``null``), without a copy."""
    import pyarrow as pa

    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(data), _validity(null))


def _arrow_strings(offsets: np.ndarray, data: np.ndarray, null: Optional[np.ndarray], dtype: Any) -> Any:
    """A pandas text array of ``dtype`` (Arrow-backed) over Arrow's layout, without a copy."""
    return pd.array(_arrow_text(offsets, data, null), dtype=dtype)


def _scale(scale: Any) -> Tuple[float, float]:
    """A confidence scale ``(low, high)`` as the extension takes it; the core checks its ends."""
    if isinstance(scale, (str, bytes)) or not hasattr(scale, "__len__") or len(scale) != 2:
        raise invalid(f"confidence_scale must be a pair (low, high), not {scale!r}")
    low, high = scale
    return (float(low), float(high))


def _policy(policy: Optional[Mapping[str, Any]]) -> Optional[str]:
    if policy is None:
        return None
    if not isinstance(policy, Mapping):
        raise invalid(f"policy must be a mapping of settings, not {type(policy).__name__}")
    return _document_json(dict(policy), "policy", "policy", "invalid_policy")


def _document_json(obj: Any, root: str, what: str, code: str) -> str:
    """``obj`` (a ``what``) as JSON text, with numpy numbers and dates written as
    ``_json_value`` does; a value JSON cannot hold is an ``OkrError`` naming it (``code``),
    and a NaN or infinity one naming its dotted path from ``root`` (``non_finite``)."""
    try:
        return json.dumps(obj, default=_json_value, allow_nan=False)
    except TypeError as e:
        raise invalid(f"malformed {what}: {e}", code) from None
    except ValueError as e:  # NaN or infinity, which JSON cannot hold; or a circular reference
        path, value = _non_finite(obj, root)
        if not path:
            raise invalid(f"malformed {what}: {e}", code) from None
        raise invalid(f"`{path}` is `{value}`: every number must be finite", "non_finite") from None


class Report:
    """Scores, expected progress, status and grade of every node of a plan on one date."""

    def __init__(self, inner: _okr.Report) -> None:
        self._inner = inner

    @property
    def as_of(self) -> _dt.date:
        """The date scored."""
        return _dt.date.fromisoformat(self._inner.as_of)

    def __len__(self) -> int:
        return len(self._inner)

    @boundary
    def __getitem__(self, id: Union[str, int]) -> Dict[str, Any]:
        """One node's line (``id``, ``type``, ``score``, ``expected``, ``status``, …); integer
        ids may be given as integers."""
        return json.loads(self._inner.node_json(node_id(id)))

    def to_json(self) -> str:
        """The report as JSON, the shape shared by Rust, Python and JavaScript."""
        return self._inner.to_json()

    @property
    def plan(self) -> "Plan":
        """The plan scored (the same plan, not a copy)."""
        return Plan(self._inner.plan())

    @property
    def policy(self) -> Dict[str, Any]:
        """The policy settings the report was scored under (the plan's, with any overrides
        given to ``score``)."""
        return json.loads(self._inner.policy_json())

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickles as its plan, date and policy; unpickling scores the plan again, which gives
        the same report (scoring is deterministic). Works with ``multiprocessing``, joblib, Dask
        or Spark as with ``pickle`` itself."""
        return (_scored, (self.plan, self._inner.as_of, self._inner.policy_json()))

    def __copy__(self) -> "Report":
        # A report never changes: a copy may be the report itself.
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Report":
        return self

    def to_dict(self) -> Dict[str, Any]:
        """The report as a dict: ``{"as_of": ..., "nodes": [...]}``."""
        return json.loads(self._inner.to_json())

    @boundary
    def to_pandas(self, columns: Optional[Sequence[str]] = None) -> pd.DataFrame:
        """One row per node: ``id``, ``type``, ``kind``, ``objective``, ``score``, ``expected``,
        ``status``, ``grade``, ``has_data``, ``value``, ``confidence``, ``forecast_score``,
        ``signals`` (the signal names joined by commas, ``""`` for none: filter with
        ``df.signals.str.contains("stale")``). Categorical columns are pandas Categoricals,
        missing numbers NaN. Ids (and ``objective``) are integers when the plan's ids came as
        integers, and text when any id column held text (even ``"42"``).

        ``columns`` (as in ``pandas.read_parquet``) makes only the columns named, in that
        order: ``report.to_pandas(columns=["id", "score", "status"])`` skips the work of the
        other ten. An unknown name is an ``OkrError`` (``unknown_column``) naming it."""
        # Where pandas keeps text in Arrow (its default from 3.0), text ids come over in Arrow's
        # layout and become that same dtype without a Python string per row.
        text = pd.Series(["a"]).dtype
        arrow = isinstance(text, pd.StringDtype) and text.storage == "pyarrow"
        c = self._columns(columns, utf8=arrow)
        cats = _okr.report_categories()

        def categorical(name: str) -> pd.Categorical:
            return pd.Categorical.from_codes(c[name], categories=cats[name])

        def signals(name: str) -> pd.Categorical:
            return pd.Categorical.from_codes(c[name], categories=cats["signal_labels"])

        def id_column(name: str) -> Any:
            values: Any = c[name]
            mask = c.get("objective_mask") if name == "objective" else None
            if isinstance(values, tuple):
                return _arrow_strings(values[1], values[2], mask, text)
            if mask is not None:
                return pd.arrays.IntegerArray(values, mask)
            return values

        convert: Dict[str, Callable[[str], Any]] = {
            "id": id_column, "objective": id_column, "type": categorical, "kind": categorical,
            "status": categorical, "grade": categorical, "signals": signals,
        }
        names = [n for n in c if n != "objective_mask"]
        # One constructor over whole columns: no copy, no re-layout per inserted column.
        data = {name: convert.get(name, c.__getitem__)(name) for name in names}
        return pd.DataFrame(data, index=pd.RangeIndex(len(self._inner)), copy=False)

    def _columns(self, columns: Optional[Sequence[str]], utf8: bool) -> Dict[str, Any]:
        """The report's columns as numpy arrays (text ids in Arrow's layout with ``utf8``)."""
        if isinstance(columns, str):
            raise invalid(f"columns must be a list of column names, not the string {columns!r}")
        return self._inner.columns(utf8=utf8, select=None if columns is None else list(columns))

    @boundary
    def to_arrow(self, columns: Optional[Sequence[str]] = None) -> Any:
        """The columns of :meth:`to_pandas` as a ``pyarrow.Table``, without pandas: for Polars
        (``pl.from_arrow``), DuckDB, Spark or Parquet. It equals
        ``pyarrow.Table.from_pandas(report.to_pandas(), preserve_index=False)`` without its
        pandas metadata: categorical columns are dictionaries of ``int8`` codes over
        ``large_string`` labels, text ids ``large_string``, missing numbers (NaN in pandas) and
        missing objectives null. Numbers, codes and text ids are handed over without a copy.
        ``columns`` selects as in :meth:`to_pandas`. Needs pyarrow (``pip install
        "./okr-py[arrow]"``); without it, an ``OkrError`` (``invalid_input``) says so."""
        try:
            import pyarrow as pa
        except ImportError as e:
            raise invalid('Report.to_arrow needs pyarrow (pip install "okr[arrow]")') from e

        c = self._columns(columns, utf8=True)
        cats = _okr.report_categories()

        def column(name: str) -> Any:
            values: Any = c[name]
            if name in ("id", "objective"):
                mask = c.get("objective_mask") if name == "objective" else None
                if isinstance(values, tuple):
                    return _arrow_text(values[1], values[2], mask)
                return pa.Array.from_buffers(pa.int64(), len(values), [_validity(mask), pa.py_buffer(values)])
            if values.dtype == np.int8:
                # Code -1 (a node without one, such as an objective's kind) is null.
                labels = pa.array(cats["signal_labels" if name == "signals" else name], pa.large_string())
                null = values < 0
                return pa.DictionaryArray.from_arrays(values, labels, mask=null if null.any() else None)
            if values.dtype == np.float64:
                return pa.Array.from_buffers(pa.float64(), len(values), [_validity(np.isnan(values)), pa.py_buffer(values)])
            return pa.array(values)

        names = [n for n in c if n != "objective_mask"]
        return pa.Table.from_arrays([column(n) for n in names], names=names)

    @boundary
    def explain(self, id: Union[str, int]) -> Dict[str, Any]:
        """Why a node has its score: contributors (weight, score, ``has_data``, ``counted``, share)
        and the formula. Under the policy's ``no_data: "exclude"`` a contributor without data is
        not counted, and the formula names it."""
        return json.loads(self._inner.explain_json(node_id(id)))

    def systemic(self) -> pd.DataFrame:
        """Per team and per level: key results, at risk, off track, share, and whether the share
        exceeds the policy's ``systemic_share`` ("a system problem, not a people problem")."""
        cols = ["group_by", "group", "key_results", "at_risk", "off_track", "share", "flagged"]
        return pd.DataFrame(json.loads(self._inner.systemic_json()), columns=cols)

    def tree_text(self) -> str:
        """The alignment tree as text."""
        return self._inner.tree_text()

    def _repr_html_(self) -> str:
        # Both are summarised above 200 rows, so a large plan's report displays at once.
        return self._inner.alignment_svg() + self._inner.tree_html_summary()

    def __repr__(self) -> str:
        return f"<okr.Report as of {self._inner.as_of}: {len(self)} nodes>"


class ReviewPacket:
    """A person's review packet."""

    def __init__(self, data: Dict[str, Any], markdown: str) -> None:
        self._data = data
        self._markdown = markdown

    def to_dict(self) -> Dict[str, Any]:
        """The packet as a dict."""
        return self._data

    def to_markdown(self) -> str:
        """The packet as Markdown, for a manager or a language model to draft from."""
        return self._markdown

    def _repr_markdown_(self) -> str:
        return self._markdown


@boundary
def events(before: Report, after: Report) -> List[Dict[str, Any]]:
    """Events between two reports: ``{kind, id, from, to}`` with kinds ``achieved``,
    ``status_changed``, ``confidence_dropped``, ``became_stale``."""
    return json.loads(_okr.events_json(_report(before, "before")._inner, _report(after, "after")._inner))


def _report(value: Any, what: str) -> "Report":
    """``value`` if it is a Report, else an ``OkrError`` naming ``what``."""
    if not isinstance(value, Report):
        raise invalid(f"`{what}` must be a Report (from Plan.score), not {type(value).__name__}")
    return value


class Plan:
    """A validated plan: objectives, key results, alignment and check-ins."""

    def __init__(self, inner: _okr.Plan) -> None:
        self._inner = inner

    @classmethod
    @boundary
    def from_json(cls, text: Union[str, bytes, bytearray]) -> "Plan":
        """Parses and validates a plan document (JSON text, or UTF-8 bytes as read from a file
        or a request body)."""
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as e:
                byte = f"{text[e.start]:#04x}"
                raise invalid(f"malformed plan document: not UTF-8 at byte {e.start} (`{byte}`)", "malformed") from None
        if not isinstance(text, str):
            kind = type(text).__name__
            raise invalid(f"from_json takes JSON text (str or bytes), not {kind}; use from_dict for a dict")
        return cls(_okr.Plan.from_json(text))

    @classmethod
    @boundary
    def from_dict(cls, obj: Mapping[str, Any]) -> "Plan":
        """Validates a plan document given as a dict. Dates may be ``datetime.date`` (or
        pandas Timestamps) as well as ``YYYY-MM-DD``; numpy numbers count as numbers."""
        return cls(_okr.Plan.from_json(_document_json(obj, "document", "plan document", "malformed")))

    @classmethod
    @boundary
    def from_frames(
        cls,
        objectives: Any,
        key_results: Any,
        alignments: Any = None,
        check_ins: Any = None,
        cycles: Any = None,
        policy: Optional[Mapping[str, Any]] = None,
        confidence_scale: Optional[Tuple[float, float]] = None,
    ) -> "Plan":
        """A plan from tables (pandas DataFrames or pyarrow Tables), each column crossing once.

        objectives: ``id``, optional ``cycle``, ``owner``, ``level``, ``progress``, ``title``.
        key_results: ``id``, ``objective``, ``kind``, optional ``weight`` and the kinds' fields
        (``start``, ``target``, ``threshold``, ``strict``, ``low``, ``high``, ``current``,
        ``op``); a field that does not apply to a row's kind is ignored. alignments: ``child``,
        ``parent``, optional ``weight``. check_ins: ``key_result``, ``date``, optional ``value``,
        ``confidence``. cycles: ``id``, ``start``, ``end``. Ids may be text or integers; nulls in
        numeric columns mean "not given". An index level named as an id or date column
        (``objectives.set_index("id")``) is read as that column, as ``pandas.merge`` reads
        index levels by name; other indexes are ignored. Unknown or repeated columns, missing
        ids and dates, and text in numeric columns are errors naming the table, column and row.

        ``confidence_scale=(low, high)`` declares the scale check-in confidences are given on,
        such as ``(1, 10)`` or ``(0, 100)``: each is mapped linearly onto [0, 1] (``low`` to 0,
        ``high`` to 1), where the plan keeps it and reports give it; one off the scale is an
        error. By default confidences are on [0, 1]. (A document sets it as its
        ``"confidence_scale": [low, high]``.)

        float64 and int64 columns, and text ids held in Arrow (pandas' ``str`` dtype from 3.0,
        ``string[pyarrow]``), are read in place (no copy, no Python string per id); object
        columns of ``str`` go through pyarrow when it is installed. The GIL is released while
        the plan is built.
        """
        return cls(
            _okr.Plan.from_columns(
                columns(objectives, "objectives"),
                columns(key_results, "key_results"),
                None if alignments is None else columns(alignments, "alignments"),
                None if check_ins is None else columns(check_ins, "check_ins", dates=("date",)),
                None if cycles is None else columns(cycles, "cycles", dates=("start", "end")),
                _policy(policy),
                None if confidence_scale is None else _scale(confidence_scale),
            )
        )

    @boundary
    def score(self, as_of: DateLike = None, policy: Optional[Mapping[str, Any]] = None) -> Report:
        """Scores every node on ``as_of`` (a date, a datetime64, ``YYYY-MM-DD`` or an ISO 8601
        date and time, read as the day it is written in; today by default), with optional policy overrides such as ``{"cap": 1.5}``. The GIL is released; plans of
        65,536 nodes or more are scored by two threads, with the same result as one
        (``OKR_MAX_THREADS=1`` in the environment keeps it to the calling thread). A report,
        once freed, leaves its per-node columns (10 bytes a node) with the plan for the next
        ``score`` to fill again, so scoring the same plan again maps no new memory; a plan of
        65,536 nodes or more, built by two threads, is built holding such columns, so its first
        ``score`` maps none either. In a plan
        without check-ins, the second ``score`` also keeps each key result's raw score (8 bytes
        a node: it is the same on every day), which every later ``score`` reads; a plan scored
        once never stores them."""
        return Report(self._inner.score(_iso(as_of), _policy(policy)))

    @boundary
    def line_of_sight(self, id: Union[str, int]) -> Dict[str, Any]:
        """The share of each ancestor's score that ``id`` carries, and its company objectives."""
        return json.loads(self._inner.line_of_sight_json(node_id(id)))

    @boundary
    def lint(self, as_of: DateLike = None) -> List[Dict[str, Any]]:
        """OKR quality findings ``{code, severity, id, message}``; with ``as_of``, also the
        time-dependent ``no-check-in``."""
        return json.loads(self._inner.lint_json(None if as_of is None else _iso(as_of)))

    @boundary
    def confidence_calibration(self, as_of: DateLike = None) -> pd.DataFrame:
        """Brier score and over-confidence of stated confidence per owner and per team, over
        the cycles closed on ``as_of`` (today by default)."""
        cols = ["group_by", "group", "key_results", "forecasts", "brier", "overconfidence"]
        return pd.DataFrame(json.loads(self._inner.confidence_calibration_json(_iso(as_of))), columns=cols)

    @boundary
    def review_packet(
        self,
        person: Union[str, int],
        as_of: DateLike = None,
        ratings: Optional[pd.DataFrame] = None,
        *,
        ratee: str = "ratee",
        rater: str = "rater",
        rating: str = "rating",
        relationship: Optional[str] = "relationship",
        competency: Optional[str] = "competency",
        nan_policy: str = "raise",
    ) -> "ReviewPacket":
        """The evidence for ``person``'s review: owned objectives and key results, cadence,
        confidence record, line of sight, and (given 360° ``ratings``) feedback under the
        anonymity rules and calibration context. A missing rating is an error naming it
        under ``nan_policy="raise"``; ``"omit"`` drops its row, as ``feedback_360`` does."""
        cols = None
        if ratings is not None:
            cols = {"ratee": ids(column(ratings, ratee)), "rater": ids(column(ratings, rater)), "rating": floats(column(ratings, rating), rating)}
            for key, name in (("relationship", relationship), ("competency", competency)):
                if name is not None and name in ratings.columns:
                    cols[key] = ids(ratings[name])
        data, markdown = self._inner.review_packet(node_id(person), _iso(as_of), cols, nan_policy)
        return ReviewPacket(json.loads(data), markdown)

    @property
    def policy(self) -> Dict[str, Any]:
        """The plan's policy settings."""
        return json.loads(self._inner.policy_json())

    @boundary
    def to_json(self) -> str:
        """The plan as a plan document (JSON text), however it was built: ``Plan.from_json``
        of it scores the same. Objectives and their key results come in input order, each
        node's ``parents`` with their weights, check-ins sorted by date, the policy in full,
        confidences on [0, 1] (a declared ``confidence_scale`` is not written back)."""
        return self._inner.to_json()

    @boundary
    def to_dict(self) -> Dict[str, Any]:
        """The plan as a plan document (a dict, as ``to_json`` writes it): ``Plan.from_dict``
        of it scores the same. Dates are ``YYYY-MM-DD`` strings."""
        return json.loads(self._inner.to_json())

    def __len__(self) -> int:
        return len(self._inner)

    def __reduce__(self) -> Tuple[Any, ...]:
        """Pickles as an exact copy: unpickling gives a plan equal to this one, whose reports
        list the nodes in the same order with the same numbers, to the last bit. Works with
        ``multiprocessing``, joblib, Dask or Spark as with ``pickle`` itself.

        A plan built from frames (every objective, then every key result, without milestones,
        piecewise key results or notes) pickles as its columns, numpy arrays that unpickle
        through ``from_frames``' own path: a million objectives pickle in well under a second.
        Any other plan pickles as a snapshot (``okr_core::Snapshot``): every node as the plan
        document writes it, in the order the plan was given them, and the alignment edges in
        the order the plan sums them, as JSON text of about 100 bytes a node (10,000 objectives
        pickle in about 30 ms; a million take seconds)."""
        tables = self._inner.to_tables()
        if tables is None:
            return (_plan_from_snapshot, (self._inner.snapshot_json(),))
        return (_plan_from_tables, (_TABLES_VERSION,) + tables)

    def __copy__(self) -> "Plan":
        # A plan never changes: a copy may be the plan itself.
        return self

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Plan":
        return self

    def __contains__(self, id: object) -> bool:
        try:
            return node_id(id) in self._inner
        except _okr.OkrError:
            return False

    def __repr__(self) -> str:
        return f"<okr.Plan: {len(self)} objectives and key results>"


# The layout of a plan pickled as columns (see ``Plan.__reduce__``): the arguments of the
# extension's ``Plan.from_columns``. Another layout is an error, not a wrong plan.
_TABLES_VERSION = 1


def _plan_from_tables(version: int, *tables: Any) -> Plan:
    """Unpickles a plan pickled as its columns (see ``Plan.__reduce__``)."""
    if version != _TABLES_VERSION:
        raise invalid(
            f"a plan pickled as columns of layout {version!r}: this version of okr reads layout {_TABLES_VERSION}",
            "malformed",
        )
    return Plan(_okr.Plan.from_columns(*tables))


def _plan_from_snapshot(text: str) -> Plan:
    """Unpickles a plan (see ``Plan.__reduce__``)."""
    return Plan(_okr.Plan.from_snapshot_json(text))


def _scored(plan: Plan, as_of: str, policy: str) -> Report:
    """Unpickles a report (see ``Report.__reduce__``): the plan scored again."""
    return Report(plan._inner.score(as_of, policy))
