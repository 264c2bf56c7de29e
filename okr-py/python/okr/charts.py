"""Charts as self-contained SVG strings: show them in a notebook with
``IPython.display.SVG(svg)``, or write them to a file. Drawn by okr-core, the same in Rust,
Python and JavaScript."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence, Tuple, Union

import pandas as pd

from okr import _okr
from okr._columns import boundary, column, floats, invalid, node_id
from okr.calibration import _scale
from okr._plan import DateLike, Plan, Report, _iso, _report

__all__ = ["alignment", "burnup", "distribution", "nine_box", "to_dot", "to_mermaid"]


@boundary
def burnup(plan: Union[Plan, Report], key_result: Union[str, int], as_of: DateLike = None) -> str:
    """The burn-up of a key result: check-in values over the cycle, the expected pace, the
    target, and the forecast with its 80 % band once there are enough check-ins."""
    if not isinstance(plan, (Plan, Report)):
        raise invalid(f"`plan` must be a Plan or a Report, not {type(plan).__name__}")
    report = plan if isinstance(plan, Report) else plan.score(as_of)
    return report._inner.burnup_svg(node_id(key_result))


@boundary
def alignment(report: Report) -> str:
    """The alignment tree of a scored plan, nodes coloured by status (large plans are
    summarised by level)."""
    return _report(report, "report")._inner.alignment_svg()


@boundary
def to_dot(report: Report) -> str:
    """The alignment as Graphviz DOT."""
    return _report(report, "report")._inner.to_dot()


@boundary
def to_mermaid(report: Report) -> str:
    """The alignment as a Mermaid flowchart."""
    return _report(report, "report")._inner.to_mermaid()


@boundary
def distribution(
    data: pd.DataFrame, rating: str, target: Optional[Union[Mapping[Any, float], Sequence[float]]] = None, by: Optional[str] = None, alpha: float = 0.05
) -> str:
    """Ratings against target shares (even shares when ``target`` is None), overall and per
    ``by`` group; groups that differ significantly are outlined. Ratings and ``target`` as in
    ``okr.calibration.distribution``: numbers or labels."""
    values, cats, shares = _scale(column(data, rating), target, str(rating))
    groups = None if by is None else column(data, by).astype(str).tolist()
    return _okr.distribution_svg(values, cats, shares, groups, alpha)


@boundary
def nine_box(
    data: pd.DataFrame,
    person: str,
    performance: str,
    potential: str,
    performance_cuts: Optional[Tuple[float, float]] = None,
    potential_cuts: Optional[Tuple[float, float]] = None,
) -> str:
    """The 9-box grid with counts and names per cell (cuts default to the data's tertiles)."""
    return _okr.nine_box_svg(floats(column(data, performance), str(performance)), floats(column(data, potential), str(potential)), column(data, person).astype(str).tolist(), performance_cuts, potential_cuts)
