"""Charts from Python: valid SVG with the labelled elements."""

import xml.etree.ElementTree as ET

import okr
import pandas as pd
import pytest

SVG = "{http://www.w3.org/2000/svg}"


def acme(root):
    return okr.Plan.from_json((root / "examples" / "acme.json").read_text())


def test_alignment_and_burnup(root):
    plan = acme(root)
    report = plan.score("2026-02-15")
    tree = ET.fromstring(okr.charts.alignment(report))
    ids = [g.get("data-node-id") for g in tree.iter(SVG + "g") if g.get("data-node-id")]
    assert len(set(ids)) == len(report)
    burn = ET.fromstring(okr.charts.burnup(plan, "rep-3-logos", as_of="2026-02-15"))
    classes = [e.get("class") for e in burn.iter()]
    # Weekly check-ins from Jan 5; six of them by Feb 15.
    assert classes.count("check-in") == 6 and "forecast" in classes and "target" in classes
    assert "<svg" in report._repr_html_() and "data-node-id" in report._repr_html_()
    assert okr.charts.to_dot(report).startswith("digraph") and okr.charts.to_mermaid(report).startswith("flowchart")
    with pytest.raises(okr.OkrError):
        okr.charts.burnup(report, "co-revenue")


def test_distribution_and_nine_box():
    df = pd.DataFrame({"who": list("abcdef"), "rating": [1, 2, 3, 3, 4, 5], "team": list("xxxyyy"), "perf": [1, 2, 3, 4, 5, 6], "pot": [6, 5, 4, 3, 2, 1]})
    dist = ET.fromstring(okr.charts.distribution(df, "rating", {1: 0.1, 2: 0.2, 3: 0.4, 4: 0.2, 5: 0.1}, by="team"))
    assert sum(1 for e in dist.iter() if e.get("class") == "observed") == 15
    grid = ET.fromstring(okr.charts.nine_box(df, "who", "perf", "pot"))
    assert sum(1 for e in grid.iter() if e.get("class") == "cell") == 9
