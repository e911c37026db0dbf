"""Achievement and status by the contract's formula, the equal finance split, and roll-ups."""

from __future__ import annotations

import pytest

from reportgen.pipeline.analyse import achievement, assess_finance, assess_kpis, roll_up, status
from reportgen.model import FinanceEntry, KPIEntry, Source, YearData
from reportgen.plan.loader import load_plan
from reportgen.settings import Thresholds

PLAN = load_plan()


@pytest.mark.parametrize("target, actual, baseline, direction, expected", [
    (100, 80, None, "higher", 0.8),            # actual / target
    (100, 120, 40, "higher", 80 / 60),         # (actual - baseline) / (target - baseline)
    (100, 55, 40, "higher", 0.25),
    (10, 20, None, "lower", 0.5),              # target / actual
    (10, 12, 20, "lower", 0.8),                # (baseline - actual) / (baseline - target)
    (10, 8, 20, "lower", 1.2),
    (0, 5, None, "higher", 1.0),               # zero denominator, target met
    (0, -1, None, "higher", 0.0),              # zero denominator, target missed
    (50, 50, 50, "higher", 1.0),               # target equals baseline, met
    (50, 49, 50, "higher", 0.0),
    (5, 0, None, "lower", 1.0),                # actual 0 with lower: denominator 0, met
    (20, 25, 20, "lower", 0.0),                # baseline equals target, missed
    (100, None, None, "higher", None),         # not reported
])
def test_achievement_formula(target, actual, baseline, direction, expected):
    value = achievement(target, actual, baseline, direction)
    assert value == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize("value, expected", [
    (1.0, "achieved"), (1.3, "achieved"), (0.999, "partially achieved"), (0.5, "partially achieved"),
    (0.4999, "not achieved"), (-2, "not achieved"), (None, "not reported"),
])
def test_status_thresholds(value, expected):
    assert status(value, Thresholds()) == expected


def test_thresholds_can_be_changed():
    assert status(0.9, Thresholds(achieved=0.9)) == "achieved"
    assert status(0.45, Thresholds(partially_achieved=0.4)) == "partially achieved"


def _kpi(output, name, target, actual, bureau="BDT", sector="D", row=5, baseline=None):
    return KPIEntry(bureau, sector, output, name, None, baseline, target, actual, "higher", None,
                    Source("BDT.xlsx", "KPIs", row))


def _year(year, kpis=(), finance=()):
    return YearData(year, (), tuple(kpis), tuple(finance), (), (), ())


def test_finance_split_equally_between_objectives_adds_up():
    finance = [FinanceEntry("BDT", o.code, 700.0 + i, 350.0, Source("BDT.xlsx", "Finance", i + 2))
               for i, o in enumerate(PLAN.sector("D").outputs)]
    results = assess_finance(PLAN, finance)
    current = _year(2009, finance=finance)
    sectors, objectives, _ = roll_up(PLAN, current, (), results)
    d_objectives = [o for o in objectives if o.objective.sector == "D"]
    assert sum(o.budget for o in d_objectives) == pytest.approx(sum(f.budget for f in finance))
    assert sum(o.expenditure for o in d_objectives) == pytest.approx(350.0 * 13)
    # D-03 serves all seven objectives: each gets a seventh of it.
    d3 = next(f for f in finance if f.output == "D-03")
    d5 = next(f for f in finance if f.output == "D-05")  # D-05 serves D1 and D4
    only_d2 = [o for o in PLAN.sector("D").outputs if "D2" in o.objectives]
    expected_d2 = sum(next(f.budget for f in finance if f.output == o.code) / len(o.objectives) for o in only_d2)
    assert next(o for o in d_objectives if o.objective.code == "D2").budget == pytest.approx(expected_d2)
    assert d3.budget / 7 < expected_d2 and d5.budget > 0
    sector_d = next(s for s in sectors if s.sector.code == "D")
    assert sector_d.budget == pytest.approx(sum(f.budget for f in finance))
    assert sector_d.execution == pytest.approx(350 * 13 / sum(f.budget for f in finance))


def test_execution_rate_and_missing_budget():
    results = assess_finance(PLAN, [FinanceEntry("BR", "R-01", 200.0, 230.0, Source("f", "Finance", 2)),
                                    FinanceEntry("BR", "R-02", 0.0, 10.0, Source("f", "Finance", 3)),
                                    FinanceEntry("BR", "R-03", 100.0, None, Source("f", "Finance", 4))])
    assert [r.execution for r in results] == [pytest.approx(1.15), None, None]


def test_kpis_roll_up_to_objectives_and_goals_with_history():
    kpis = [_kpi("D-05", "Meetings", 10, 10), _kpi("D-05", "Delegates", 100, 10, row=6),
            _kpi("D-10", "Trained", 100, None, row=7)]
    earlier = _year(2008, [_kpi("D-05", "delegates", 100, 20)])
    results = assess_kpis(PLAN, _year(2009, kpis), [earlier], Thresholds())
    by_name = {r.entry.kpi: r for r in results}
    assert by_name["Meetings"].objectives == ("D1", "D4")
    assert by_name["Meetings"].goals == ("G1", "G2", "G3", "G5", "G7")  # D1 ∪ D4 in Table 8.1
    assert [(h.year, h.status) for h in by_name["Delegates"].history] == [(2008, "not achieved")]
    _, objectives, goals = roll_up(PLAN, _year(2009, kpis), results, ())
    d1 = next(o for o in objectives if o.objective.code == "D1")
    assert d1.status_counts == {"achieved": 1, "partially achieved": 0, "not achieved": 1, "not reported": 1}
    d2 = next(o for o in objectives if o.objective.code == "D2")
    assert sum(d2.status_counts.values()) == 0
    g2 = next(g for g in goals if g.goal.code == "G2")
    assert sum(g2.status_counts.values()) == 3  # each KPI once, though D1 and D4 both serve G2
    assert "D4" in g2.objectives


def test_a_rules_file_changes_thresholds_and_a_malformed_one_is_a_clear_error(tmp_path):
    from reportgen.errors import ReportgenError
    from reportgen.settings import load_thresholds

    rules = tmp_path / "rules.yaml"
    rules.write_text("achieved: 0.9\noverspend: 1.2\n")
    assert (load_thresholds(rules).achieved, load_thresholds(rules).overspend) == (0.9, 1.2)
    rules.write_text("- 0.9\n")
    with pytest.raises(ReportgenError, match="must hold keys and values"):
        load_thresholds(rules)
