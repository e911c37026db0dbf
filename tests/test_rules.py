"""Each recommendation rule fires when the contract says, does not fire otherwise, and carries
the evidence (file, sheet, row) that fired it."""

from __future__ import annotations

from reportgen.pipeline.analyse import assess_finance, assess_kpis, roll_up
from reportgen.model import FinanceEntry, KPIEntry, ProposalEntry, Source, YearData
from reportgen.plan.loader import load_plan
from reportgen.pipeline.rules import Evidence, recommend
from reportgen.settings import Thresholds

PLAN = load_plan()


def kpi(output, name, target, actual, row):
    return KPIEntry("BR", "R", output, name, None, None, target, actual, "higher", None,
                    Source("BR.xlsx", "KPIs", row))


def run(kpis=(), finance=(), proposals=(), earlier_kpis=None, thresholds=Thresholds()):
    current = YearData(2009, (), tuple(kpis), tuple(finance), tuple(proposals), (), ())
    earlier = [YearData(2008, (), tuple(earlier_kpis), (), (), (), ())] if earlier_kpis else []
    results = assess_kpis(PLAN, current, earlier, thresholds)
    money = assess_finance(PLAN, finance)
    _, objectives, _ = roll_up(PLAN, current, results, money)
    recommendations, groups = recommend(Evidence(PLAN, 2009, results, money, objectives,
                                                 tuple(proposals), thresholds))
    return recommendations, groups


def fired(recommendations, rule):
    return [r for r in recommendations if r.rule == rule]


def test_objective_review_fires_at_half_not_achieved_of_two_reported():
    recs, _ = run([kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, 10, 5)])  # R2: 1 of 2 not achieved
    review = fired(recs, "objective-review")
    assert [r.refers_to for r in review] == ["R2"]
    assert [e.row for e in review[0].evidence] == [4]


def test_objective_review_needs_two_reported_and_half_failing():
    recs, _ = run([kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, None, 5)])  # only one reported
    assert not fired(recs, "objective-review")
    recs, _ = run([kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, 10, 5), kpi("R-04", "c", 10, 9, 6)])
    assert not fired(recs, "objective-review")  # 1 of 3 is less than half


def test_overspend_and_underspend_bounds():
    finance = [FinanceEntry("BR", "R-01", 100.0, 111.0, Source("BR.xlsx", "Finance", 2)),
               FinanceEntry("BR", "R-02", 100.0, 110.0, Source("BR.xlsx", "Finance", 3)),
               FinanceEntry("BR", "R-03", 100.0, 69.0, Source("BR.xlsx", "Finance", 4)),
               FinanceEntry("BR", "R-04", 100.0, 70.0, Source("BR.xlsx", "Finance", 5))]
    recs, _ = run(finance=finance)
    assert [(r.refers_to, r.evidence[0].row) for r in fired(recs, "overspend")] == [("R-01", 2)]
    assert [(r.refers_to, r.evidence[0].row) for r in fired(recs, "underspend")] == [("R-03", 4)]
    recs, _ = run(finance=finance, thresholds=Thresholds(overspend=1.2, underspend=0.5))
    assert not fired(recs, "overspend") and not fired(recs, "underspend")


def test_missing_data_fires_for_each_unreported_kpi():
    recs, _ = run([kpi("R-01", "a", 10, None, 4), kpi("R-01", "b", 10, 3, 5)])
    assert [(r.refers_to, r.evidence[0].row) for r in fired(recs, "missing-data")] == [("R-01", 4)]
    # The bureau is named, not coded.
    assert "The Radiocommunication Bureau should supply" in fired(recs, "missing-data")[0].text


def test_persistent_shortfall_needs_two_years_not_achieved():
    now = [kpi("R-01", "a", 10, 1, 4), kpi("R-01", "b", 10, 1, 5), kpi("R-01", "c", 10, 10, 6)]
    before = [kpi("R-01", "A", 10, 2, 9), kpi("R-01", "b", 10, 8, 10), kpi("R-01", "c", 10, 1, 11)]
    recs, _ = run(now, earlier_kpis=before)
    shortfall = fired(recs, "persistent-shortfall")
    assert [r.evidence[0].row for r in shortfall] == [4]  # 'a' matches 'A' last year whatever the case
    recs, _ = run(now)
    assert not fired(recs, "persistent-shortfall")


def test_proposals_become_recommendations_grouped_by_objective():
    proposals = [ProposalEntry("BR", "RAG", "R-05", "Merge two study groups", Source("BR.xlsx", "Proposals", 2)),
                 ProposalEntry("BR", "WRC-07", None, "Extend the plan", Source("BR.xlsx", "Proposals", 3))]
    recs, groups = run(proposals=proposals)
    assert [(r.body, r.refers_to, r.objective) for r in fired(recs, "proposal")] == [
        ("RAG", "R-05", "R3"), ("WRC-07", None, None)]
    assert [g.objective.code if g.objective else None for g in groups] == ["R3", None]
    assert [r.id for r in recs] == ["REC-001", "REC-002"]
