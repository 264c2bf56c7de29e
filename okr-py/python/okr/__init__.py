"""okr: an embeddable engine for OKRs and performance calibration.

Score plans from JSON, dicts or DataFrames, explain every score, and compute calibration
statistics (ICC, Krippendorff's alpha, kappas, rater effects) that match pingouin,
``krippendorff``, statsmodels and scikit-learn.
"""

from okr import calibration, charts
from okr._okr import OkrError
from okr._plan import Plan, Report, ReviewPacket, events

__all__ = ["OkrError", "Plan", "Report", "ReviewPacket", "calibration", "charts", "events"]
__version__ = "0.1.0"
