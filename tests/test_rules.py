"""Each rule fires when the contract says, does not fire otherwise, and carries the evidence
(file, sheet, row) that fired it. Findings are language-neutral: their English rendering is
checked here, their translation in test_advice."""

from __future__ import annotations

from reportgen.model import FinanceEntry, KPIEntry, ProposalEntry, Source, YearData
from reportgen.pipeline.analyse import assess_finance, assess_kpis, roll_up
from reportgen.pipeline.rules import RULES, Evidence, findings_of
from reportgen.pipeline.secretariat import Calendar
from reportgen.plan.loader import load_plan
from reportgen.render.locale import ENGLISH
from reportgen.settings import Thresholds

PLAN = load_plan()


def kpi(output, name, target, actual, row, baseline=None, direction="higher"):
    return KPIEntry("BR", "R", output, name, None, baseline, target, actual, direction, None,
                    Source("BR.xlsx", "KPIs", row))


def evidence(kpis=(), finance=(), proposals=(), earlier_kpis=None, thresholds=Thresholds(), calendar=Calendar(),
             earlier_outputs=None):
    current = YearData(2009, (), tuple(kpis), tuple(finance), tuple(proposals), (), ())
    earlier = [YearData(2008, (), tuple(earlier_kpis), (), (), (), ())] if earlier_kpis else []
    results = assess_kpis(PLAN, current, earlier, thresholds)
    money = assess_finance(PLAN, finance)
    _, objectives, _ = roll_up(PLAN, current, results, money)
    return Evidence(PLAN, 2009, results, money, objectives, tuple(proposals), thresholds, calendar, earlier_outputs)


def fired(rule, **kwargs):
    return [f for f in findings_of(evidence(**kwargs)) if f.rule == rule]


def test_objective_review_fires_at_half_not_achieved_of_two_reported():
    review = fired("objective-review", kpis=[kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, 10, 5)])
    assert [f.subject for f in review] == ["R2"]
    assert [e.row for e in review[0].evidence] == [4]
    assert ENGLISH.text(review[0].text) == "1 of the 2 KPIs reported under objective R2 was not achieved in 2009."


def test_objective_review_needs_two_reported_and_half_failing():
    assert not fired("objective-review", kpis=[kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, None, 5)])
    assert not fired("objective-review", kpis=[kpi("R-03", "a", 10, 1, 4), kpi("R-04", "b", 10, 10, 5),
                                               kpi("R-04", "c", 10, 9, 6)])  # 1 of 3 is less than half


def test_overspend_and_underspend_bounds():
    finance = [FinanceEntry("BR", "R-05", 100.0, 111.0, Source("BR.xlsx", "Finance", 2)),
               FinanceEntry("BR", "R-06", 100.0, 110.0, Source("BR.xlsx", "Finance", 3)),
               FinanceEntry("BR", "R-03", 100.0, 69.0, Source("BR.xlsx", "Finance", 4)),
               FinanceEntry("BR", "R-04", 100.0, 70.0, Source("BR.xlsx", "Finance", 5))]
    assert [(f.subject, f.evidence[0].row) for f in fired("overspend", finance=finance)] == [("R-05", 2)]
    assert [(f.subject, f.evidence[0].row) for f in fired("underspend", finance=finance)] == [("R-03", 4)]
    loose = Thresholds(overspend=1.2, underspend=0.5)
    assert not fired("overspend", finance=finance, thresholds=loose)
    assert not fired("underspend", finance=finance, thresholds=loose)
    text = ENGLISH.text(fired("overspend", finance=finance)[0].text)
    assert text == ("Output R-05 spent 111% of its budget in 2009 (111 of 100 thousand CHF), above the 110% "
                    "threshold.")


def test_missing_data_names_the_bureau_and_goes_to_the_bureaux():
    missing = fired("missing-data", kpis=[kpi("R-01", "a", 10, None, 4), kpi("R-01", "b", 10, 3, 5)])
    assert [(f.subject, f.evidence[0].row) for f in missing] == [("R-01", 4)]
    assert ENGLISH.text(missing[0].text, PLAN).startswith("The Radiocommunication Bureau should supply")
    assert RULES["missing-data"].to_bureaux and not RULES["overspend"].to_bureaux


def test_persistent_shortfall_needs_two_years_not_achieved_and_reads_as_english():
    now = [kpi("R-01", "a", 10, 1, 4), kpi("R-01", "b", 10, 1, 5), kpi("R-01", "c", 10, 10, 6)]
    before = [kpi("R-01", "A", 10, 2, 9), kpi("R-01", "b", 10, 8, 10), kpi("R-01", "c", 10, 1, 11)]
    shortfall = fired("persistent-shortfall", kpis=now, earlier_kpis=before)
    assert [f.evidence[0].row for f in shortfall] == [4]  # 'a' matches 'A' last year whatever the case
    assert ENGLISH.text(shortfall[0].text) == "The KPI 'a' of output R-01 reached its target in neither 2008 nor 2009."
    assert not fired("persistent-shortfall", kpis=now)


def test_target_exceeded_needs_fifteen_percent_two_years_running():
    now = [kpi("R-05", "a", 100, 116, 4), kpi("R-05", "b", 100, 114, 5)]
    before = [kpi("R-05", "a", 100, 120, 9), kpi("R-05", "b", 100, 130, 10)]
    assert [f.evidence[0].row for f in fired("target-exceeded", kpis=now, earlier_kpis=before)] == [4]
    assert not fired("target-exceeded", kpis=now)  # one year only


def test_underspend_of_an_output_whose_conference_is_not_due_is_not_flagged():
    finance = [FinanceEntry("GS", "INT-07", 200.0, 100.0, Source("GS.xlsx", "Finance", 2))]
    calendar = Calendar({"WCIT": (2012,)}, {"INT-07": "WCIT"})
    assert not fired("underspend", finance=finance, calendar=calendar)
    held = Calendar({"WCIT": (2009,)}, {"INT-07": "WCIT"})
    assert [f.subject for f in fired("underspend", finance=finance, calendar=held)] == ["INT-07"]


def test_unreported_output_needs_nothing_reported_in_both_years():
    now = [kpi("R-06", "a", 10, None, 4), kpi("R-05", "b", 10, 3, 5)]
    found = fired("unreported-output", kpis=now, earlier_outputs=frozenset({"R-05", "R-01"}))
    assert "R-06" in [f.subject for f in found] and "R-05" not in [f.subject for f in found]
    assert "R-01" not in [f.subject for f in found]  # reported the year before
    assert not fired("unreported-output", kpis=now)  # no year before: nothing to say


def test_proposals_are_findings_on_their_subject():
    proposals = [ProposalEntry("BR", "RAG", "R-05", "Merge two study groups", Source("BR.xlsx", "Proposals", 2)),
                 ProposalEntry("BR", "WRC-07", None, "Extend the plan", Source("BR.xlsx", "Proposals", 3))]
    found = fired("proposal", proposals=proposals)
    assert [f.subject for f in found] == ["R-05", None]
    assert ENGLISH.text(found[0].text) == "RAG proposes: “Merge two study groups”"


def test_every_rule_declares_a_label_in_the_catalogue():
    from reportgen.render.locale import locale_for

    french = locale_for("fr")
    for name, rule in RULES.items():
        assert rule.label and french.gettext(rule.label) != rule.label, name
