"""Type stubs of the extension module (checked against it by mypy.stubtest)."""

from typing import Any, Dict, List, Optional, Tuple, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "OkrError",
    "Plan",
    "Report",
    "additive_model",
    "cohen_kappa",
    "distribution",
    "feedback_360",
    "fleiss_kappa",
    "intraclass_corr",
    "kendall_w",
    "krippendorff_alpha",
    "nine_box",
    "normalize",
    "rater_effects",
    "report_categories",
]

class OkrError(ValueError):
    code: str

@final
class Plan:
    @staticmethod
    def from_json(text: str) -> Plan: ...
    @staticmethod
    def from_columns(
        objectives: Dict[str, Any],
        key_results: Dict[str, Any],
        alignments: Optional[Dict[str, Any]] = None,
        check_ins: Optional[Dict[str, Any]] = None,
        cycles: Optional[Dict[str, Any]] = None,
        policy: Optional[str] = None,
    ) -> Plan: ...
    def score(self, as_of: str, policy: Optional[str] = None) -> Report: ...
    def line_of_sight_json(self, id: str) -> str: ...
    def policy_json(self) -> str: ...
    def __contains__(self, key: str, /) -> bool: ...
    def __len__(self) -> int: ...

@final
class Report:
    @property
    def as_of(self) -> str: ...
    def to_json(self) -> str: ...
    def node_json(self, id: str) -> str: ...
    def explain_json(self, id: str) -> str: ...
    def tree_html(self) -> str: ...
    def tree_text(self) -> str: ...
    def columns(self) -> Dict[str, Any]: ...
    def __len__(self) -> int: ...

def report_categories() -> Dict[str, List[str]]: ...
def intraclass_corr(targets: Any, raters: Any, ratings: Any, nan_policy: str = "raise") -> List[Dict[str, Any]]: ...
def krippendorff_alpha(
    reliability_data: Optional[Any] = None,
    value_counts: Optional[Any] = None,
    value_domain: Optional[Any] = None,
    level_of_measurement: str = "interval",
) -> float: ...
def cohen_kappa(y1: Any, y2: Any, labels: Optional[Any] = None, weights: Optional[str] = None) -> Dict[str, Any]: ...
def fleiss_kappa(table: Any) -> Dict[str, Any]: ...
def kendall_w(data: Any, correct_ties: bool = True) -> Dict[str, float]: ...
def rater_effects(ratee: Any, rater: Any, rating: Any, z_threshold: float = 1.96, min_ratings: int = 3) -> List[Dict[str, Any]]: ...
def additive_model(ratee: Any, rater: Any, rating: Any) -> Dict[str, Any]: ...
def normalize(
    ratee: Any, rater: Any, rating: Any, method: str = "zscore", scale: Optional[Tuple[float, float]] = None
) -> npt.NDArray[np.float64]: ...
def distribution(ratings: Any, categories: Any, shares: Any, groups: Optional[List[str]] = None, alpha: float = 0.05) -> Dict[str, Any]: ...
def nine_box(
    performance: Any,
    potential: Any,
    performance_cuts: Optional[Tuple[float, float]] = None,
    potential_cuts: Optional[Tuple[float, float]] = None,
) -> Dict[str, Any]: ...
def feedback_360(
    ratee: Any,
    rater: Any,
    relationship: Any,
    competency: Any,
    rating: Any,
    thresholds: Optional[Dict[str, int]] = None,
    gap: float = 1.0,
) -> Dict[str, Any]: ...
