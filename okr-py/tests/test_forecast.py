"""Forecasts against scipy: linregress plus the Student-t predictive interval, on random data."""

import datetime as dt

import numpy as np
import okr
import pytest
import scipy.stats as st

START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


def reference(days, values, target, start_value):
    x, y = np.asarray(days, float), np.asarray(values, float)
    fit = st.linregress(x, y)
    n, x0 = len(x), float((END - START).days)
    yhat = fit.intercept + fit.slope * x0
    s = np.sqrt(((y - fit.intercept - fit.slope * x) ** 2).sum() / (n - 2))
    se = s * np.sqrt(1 + 1 / n + (x0 - x.mean()) ** 2 / ((x - x.mean()) ** 2).sum())
    t = st.t.ppf(0.9, n - 2)
    up = target > start_value
    v_target, v_success = target, start_value + 0.7 * (target - start_value)
    tail = (lambda v: st.t.sf((v - yhat) / se, n - 2)) if up else (lambda v: st.t.cdf((v - yhat) / se, n - 2))
    return {"value": yhat, "low": yhat - t * se, "high": yhat + t * se, "p_target": tail(v_target), "p_success": tail(v_success)}


@pytest.mark.parametrize("seed", range(8))
def test_forecast_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 10))
    days = np.sort(rng.choice(np.arange(0, 45), size=n, replace=False))
    up = bool(seed % 2)
    start_value, target = (10.0, 20.0) if up else (20.0, 10.0)
    slope = (target - start_value) / 90 * rng.uniform(0.5, 1.5)
    values = start_value + slope * days + rng.normal(scale=0.8, size=n)
    doc = {
        "cycles": [{"id": "q", "start": START.isoformat(), "end": END.isoformat()}],
        "objectives": [{"id": "o", "cycle": "q", "key_results": [{
            "id": "k", "kind": "linear", "start": start_value, "target": target,
            "check_ins": [{"date": (START + dt.timedelta(days=int(d))).isoformat(), "value": float(v)} for d, v in zip(days, values)],
        }]}],
    }
    report = okr.Plan.from_dict(doc).score("2026-02-20")
    got = report["k"]["forecast"]
    want = reference(days, values, target, start_value)
    for key, value in want.items():
        assert abs(got[key] - value) <= 1e-9 * max(1.0, abs(value)), (key, got[key], value)
    assert got["n"] == n
    assert report["o"]["forecast"]["score"] == pytest.approx(got["score"], abs=1e-12)
