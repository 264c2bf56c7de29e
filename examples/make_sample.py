"""Writes examples/acme.json: the bundled sample organisation (deterministic).

Acme is a 34-person software company in its first quarter of 2026: a CEO with three company
objectives, seven teams, and individuals, with weekly check-ins (value and confidence) up to
mid-February, and every key-result kind okr supports. Run: python3 examples/make_sample.py
"""
import datetime as dt
import json
import pathlib
import random

rng = random.Random(2026)
START, END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
LAST_CHECK_IN = dt.date(2026, 2, 16)
SPAN = (END - START).days
MONDAYS = [START + dt.timedelta(days=4 + 7 * w) for w in range(13)]  # 2026-01-05 is a Monday


def trajectory(start, target, pace, confidence, every=1, stop=LAST_CHECK_IN, integer=False):
    """Weekly check-ins moving from start toward target at `pace` times the expected rate."""
    out = []
    for k, day in enumerate(MONDAYS):
        if day > stop or k % every:
            continue
        elapsed = (day - START).days / SPAN
        progress = max(0.0, pace * elapsed + rng.uniform(-0.03, 0.03))
        value = start + (target - start) * progress
        value = round(value) if integer else round(value, 2)
        conf = min(1.0, max(0.1, confidence + (pace - 1) * 0.4 * elapsed * 2 + rng.uniform(-0.05, 0.05)))
        out.append({"date": day.isoformat(), "value": value, "confidence": round(conf, 2)})
    return out


def linear(id, title, start, target, pace, confidence=0.75, **extra):
    return {"id": id, "title": title, "kind": "linear", "start": start, "target": target,
            "check_ins": trajectory(start, target, pace, confidence, integer=extra.pop("integer", False)), **extra}


def obj(id, title, owner, level, parents=(), krs=(), **extra):
    o = {"id": id, "title": title, "owner": owner, "cycle": "2026-Q1", "level": level}
    if parents:
        o["parents"] = [p if isinstance(p, dict) else {"id": p} for p in parents]
    o.update(extra)
    o["key_results"] = list(krs)
    return o


objectives = [
    obj("co-revenue", "Grow revenue to a sustainable base", "ceo", "company", krs=[
        linear("kr-arr", "ARR from $10M to $14M", 10, 14, 0.95, weight=2),
        {"id": "kr-nrr", "title": "Net revenue retention at least 110%", "kind": "at_least", "threshold": 110,
         "check_ins": [{"date": "2026-01-12", "value": 106}, {"date": "2026-02-09", "value": 111, "confidence": 0.8}]},
        {"id": "kr-new-logos", "title": "40 new logos (sum of the reps')", "kind": "aggregate", "op": "sum",
         "start": 0, "target": 40},
    ]),
    obj("co-product", "Ship a product customers love", "ceo", "company", krs=[
        {"id": "kr-nps", "title": "NPS 30 (commit) to 50 (stretch)", "kind": "piecewise",
         "points": [[0, 0], [30, 0.7], [50, 1]],
         "check_ins": [{"date": "2026-01-19", "value": 24, "confidence": 0.6}, {"date": "2026-02-16", "value": 29, "confidence": 0.65}]},
        linear("kr-churn", "Monthly churn from 5% to 3%", 5, 3, 0.9),
        {"id": "kr-launch", "title": "Launch the workflow builder", "kind": "milestones", "milestones": [
            {"name": "beta to 10 customers", "done_on": "2026-01-28"},
            {"name": "pricing approved", "done_on": "2026-02-11"},
            {"name": "general availability", "weight": 2}]},
    ]),
    obj("co-people", "Build a team that scales", "ceo", "company", krs=[
        {"id": "kr-engagement", "title": "Engagement score between 75 and 90", "kind": "range", "low": 75, "high": 90,
         "check_ins": [{"date": "2026-02-02", "value": 78, "confidence": 0.8}]},
        {"id": "kr-hiring", "title": "Hiring plans on track (roll-up)", "kind": "rollup"},
        {"id": "kr-attrition", "title": "Regretted attrition at most 8%", "kind": "at_most", "threshold": 8, "current": 6.5},
    ]),
    # Sales
    obj("sales", "Build a repeatable sales engine", "sales-head", "team", [{"id": "co-revenue", "weight": 2}], [
        linear("sales-pipeline", "Qualified pipeline from $20M to $35M", 20, 35, 0.8),
        {"id": "sales-win-rate", "title": "Win rate at least 25%", "kind": "at_least", "threshold": 25,
         "check_ins": [{"date": d.isoformat(), "value": v, "confidence": c} for d, v, c in
                       zip(MONDAYS[1:7:2], [21, 23, 26], [0.6, 0.65, 0.75])]},
    ]),
]
for i, pace in zip(range(1, 5), [1.1, 0.9, 0.55, 1.0]):
    objectives.append(obj(f"rep-{i}", f"Close new business (rep {i})", f"rep-{i}", "individual", ["sales"], [
        {**linear(f"rep-{i}-logos", "10 new logos", 0, 10, pace, 0.7, integer=True), "parents": [{"id": "kr-new-logos"}]},
        {"id": f"rep-{i}-cert", "title": "Complete the sales certification", "kind": "binary",
         "check_ins": [{"date": "2026-01-26", "done": i != 3}]},
    ]))
# Marketing
objectives.append(obj("marketing", "Fill the top of the funnel", "mkt-head", "team", ["co-revenue"], [
    linear("mkt-mql", "Marketing-qualified leads from 400 to 800 a month", 400, 800, 1.05, integer=True),
    {"id": "mkt-cac", "title": "Customer acquisition cost at most $1,200", "kind": "at_most", "threshold": 1200,
     "check_ins": [{"date": "2026-01-19", "value": 1350}, {"date": "2026-02-16", "value": 1180, "confidence": 0.7}]},
    {"id": "mkt-site", "title": "Launch the new website", "kind": "binary",
     "check_ins": [{"date": "2026-02-09", "done": True, "note": "live on Feb 9"}]},
]))
for i, (title, pace) in enumerate([("Grow organic traffic 40%", 1.0), ("Run 6 webinars", 0.9), ("Ship 4 case studies", 0.7)], 1):
    objectives.append(obj(f"mkt-{i}", title, f"marketer-{i}", "individual", ["marketing"], [
        linear(f"mkt-{i}-kr", title, 0, 100, pace, 0.7)]))
# Product and engineering
objectives.append(obj("product", "Make the workflow builder indispensable", "cpo", "team", [{"id": "co-product", "weight": 2}], [
    linear("prod-activation", "Activation from 35% to 50%", 35, 50, 0.85),
    {"id": "prod-roadmap", "title": "Quarterly roadmap reviewed with 20 customers", "kind": "milestones", "milestones": [
        {"name": "interview guide", "done_on": "2026-01-09"}, {"name": "10 interviews", "done_on": "2026-02-06"},
        {"name": "20 interviews"}, {"name": "roadmap published"}]},
]))
objectives.append(obj("engineering", "Scale the platform reliably", "cto", "team",
                      [{"id": "co-product"}, {"id": "co-people", "weight": 0.5}], [
    {"id": "eng-latency", "title": "p95 latency at most 300 ms", "kind": "at_most", "threshold": 300,
     "check_ins": [{"date": d.isoformat(), "value": v, "confidence": 0.8} for d, v in zip(MONDAYS[:7], [410, 390, 360, 340, 320, 305, 295])]},
    linear("eng-incidents", "Sev-1 incidents from 6 to 1 a month", 6, 1, 1.0, integer=True),
], progress="both"))
for i, pace in zip(range(1, 7), [1.0, 1.1, 0.8, 0.5, 1.0, 0.95]):
    krs = [linear(f"eng-{i}-deploys", "Weekly deploys from 2 to 10", 2, 10, pace, 0.75, integer=True)]
    if i % 2:
        krs.append({"id": f"eng-{i}-design", "title": "Design review grade", "kind": "manual",
                    "check_ins": [{"date": "2026-02-02", "value": round(0.5 + 0.08 * i, 2), "confidence": 0.8}]})
    objectives.append(obj(f"eng-{i}", f"Own a platform area (engineer {i})", f"engineer-{i}", "individual", ["engineering"], krs))
# Customer success
objectives.append(obj("success", "Keep every customer successful", "cs-head", "team", ["co-product", "co-revenue"], [
    linear("cs-churn", "Churn in our book from 5% to 3%", 5, 3, 0.75),
    {"id": "cs-csat", "title": "CSAT between 4.2 and 5", "kind": "range", "low": 4.2, "high": 5,
     "check_ins": [{"date": "2026-02-09", "value": 4.4, "confidence": 0.8}]},
]))
for i, pace in zip(range(1, 4), [1.0, 0.85, 1.2]):
    objectives.append(obj(f"cs-{i}", f"Run 15 quarterly business reviews (CSM {i})", f"csm-{i}", "individual", ["success"], [
        linear(f"cs-{i}-qbr", "15 QBRs", 0, 15, pace, 0.75, integer=True)]))
# People and hiring (rolled up into kr-hiring)
objectives.append(obj("people", "Hire and grow great people", "people-head", "team", ["co-people"], [
    linear("people-time-to-hire", "Time to hire from 45 to 30 days", 45, 30, 0.7),
    {"id": "people-survey", "title": "Run the engagement survey", "kind": "binary",
     "check_ins": [{"date": "2026-02-02", "done": True}]},
]))
objectives.append(obj("hire-eng", "Hire 6 engineers", "cto", "team", ["kr-hiring"], [
    linear("hire-eng-offers", "6 accepted offers", 0, 6, 0.9, integer=True)]))
objectives.append(obj("hire-sales", "Hire 3 account executives", "sales-head", "team", [{"id": "kr-hiring", "weight": 0.5}], [
    linear("hire-sales-offers", "3 accepted offers", 0, 3, 0.6, integer=True)]))
objectives.append(obj("recruiter", "Source 200 qualified candidates", "recruiter-1", "individual", ["people", "hire-eng"], [
    linear("recruiter-sourced", "200 qualified candidates", 0, 200, 1.0, integer=True)]))
# Finance
objectives.append(obj("finance", "Run a tight ship", "cfo", "team", [{"id": "co-revenue", "weight": 0.5}], [
    {"id": "fin-close", "title": "Close the books in at most 5 days", "kind": "at_most", "threshold": 5,
     "check_ins": [{"date": "2026-01-07", "value": 8}, {"date": "2026-02-05", "value": 5, "confidence": 0.9}]},
    {"id": "fin-forecast", "title": "Forecast within ±5% of actuals", "kind": "range", "low": -5, "high": 5,
     "check_ins": [{"date": "2026-02-05", "value": 6.5, "confidence": 0.5}]},
]))
objectives.append(obj("fin-analyst", "Automate the monthly reporting", "analyst-1", "individual", ["finance"], [
    {"id": "fin-automation", "title": "Reports automated", "kind": "milestones", "milestones": [
        {"name": "revenue report", "done_on": "2026-01-23"}, {"name": "cash report"}, {"name": "board pack"}]}]))

plan = {
    "cycles": [{"id": "2026-Q1", "start": START.isoformat(), "end": END.isoformat()}],
    # Acme rolls progress up the cascade: an objective counts its own key results and the
    # objectives aligned to it.
    "policy": {"progress": "both"},
    "objectives": objectives,
}
path = pathlib.Path(__file__).with_name("acme.json")
path.write_text(json.dumps(plan, indent=1, ensure_ascii=False) + "\n")
owners = {o["owner"] for o in objectives}
print(f"wrote {path}: {len(objectives)} objectives, {sum(len(o['key_results']) for o in objectives)} key results, {len(owners)} people")
