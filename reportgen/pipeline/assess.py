"""The plan-period assessment (contract 8.5): what the returns of every year of a plan period
say about the plan as a whole, for the Council's report to the Plenipotentiary Conference.

    tables = frames.join(plan, years)                      # the returns and the plan as frames
    assessment = assess(plan, tables, period, ...)         # this module: the frozen model

This module owns the model (frozen records, language-neutral) and how it is computed from the
joined frames of `reportgen.pipeline.frames`: each KPI's series across the years, the verdict
on each objective and goal, money per year and in total, the linkage figures of Resolution 72,
and the lessons for the next plan, each with its evidence. `reportgen.pipeline.period` reads a
period's returns and settings and writes the documents; their HTML and JSON forms are in
`reportgen.render.assessment`.

The verdict (achieved / on track / at risk / off track, or not assessed without evidence) is
computed from the series of status counts, by `verdict`; its thresholds are the constants below,
and the document's method chapter states them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from reportgen.errors import ReportgenError
from reportgen.model import STATUSES, Problem, ReturnInfo, Source
from reportgen.plan.loader import Goal, Objective, Output, Plan, Sector
from reportgen.settings import DocumentSettings, Thresholds

if TYPE_CHECKING:
    import pandas as pd

    from reportgen.pipeline.frames import Tables


# -- the verdict's thresholds (stated in the method chapter) ---------------------------------------
ACHIEVED_SHARE = 0.75  # achieved: at least this share of the reported KPIs achieved, every year
OFF_TRACK_SHARE = 0.5  # off track: at least this share not achieved in the latest year
AT_RISK_SHARE = 1 / 3  # at risk: at least this share not achieved in the latest year ...
AT_RISK_FALL = 0.25  # ... or the share achieved fell by this much since the year before
# Lessons: a target met by a wide margin is exceeded by this factor (achievement ≥ 1.2).
WIDE_MARGIN = 1.2

VERDICTS = ("achieved", "on track", "at risk", "off track", "not assessed")
PROVISIONAL_WORDS = ("provisional", "draft")


# -- the period -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Period:
    first: int
    last: int

    @property
    def label(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first, self.last + 1))


def parse_period(text: str) -> Period:
    """`2008-2011` → Period(2008, 2011); anything else is a user error saying what to write."""
    match = re.fullmatch(r"\s*(\d{4})\s*[-–/]\s*(\d{4})\s*", text or "")
    if not match:
        raise ReportgenError(f"period '{text}' is not two years: write it as FIRST-LAST, e.g. 2008-2011")
    first, last = int(match.group(1)), int(match.group(2))
    if first > last:
        raise ReportgenError(f"period '{text}' ends before it begins: write it as FIRST-LAST, e.g. 2008-2011")
    if last - first > 9:
        raise ReportgenError(f"period '{text}' spans {last - first + 1} years: a plan period is at most 10")
    return Period(first, last)


# -- the records the templates see ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SeriesPoint:
    """One year of a KPI's series. `absent` says why there is no row: 'no return' (the Bureau
    sent none that year) or 'not listed' (its return did not list this KPI: a break)."""

    year: int
    target: float | None = None
    actual: float | None = None
    achievement: float | None = None
    status: str | None = None
    baseline: float | None = None
    provisional: bool = False
    absent: str | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class KPISeries:
    bureau: str
    sector: str
    output: Output
    kpi: str  # as the latest return writes it
    unit: str | None
    direction: str
    objectives: tuple[str, ...]
    goals: tuple[str, ...]
    points: tuple[SeriesPoint, ...]  # one per year with returns, oldest first
    starts: int | None  # first year listed, when its Bureau's earlier returns did not list it
    stops: int | None  # last year listed, when its Bureau's later returns do not list it
    gaps: tuple[int, ...]  # years between that did not list it
    other_names: tuple[str, ...]  # other spellings of the name in earlier years

    @property
    def breaks(self) -> bool:
        return bool(self.starts or self.stops or self.gaps)

    @property
    def listed_years(self) -> tuple[int, ...]:
        return tuple(p.year for p in self.points if p.absent is None)


@dataclass(frozen=True, slots=True)
class YearCounts:
    year: int
    provisional: bool
    counts: dict[str, int]

    @property
    def reported(self) -> int:
        return sum(n for s, n in self.counts.items() if s != "not reported")


@dataclass(frozen=True, slots=True)
class VerdictBasis:
    """What a verdict rests on: the latest year with reported KPIs and the shares there."""

    year: int | None = None
    provisional: bool = False
    reported: int = 0
    achieved: int = 0
    not_achieved: int = 0
    share_achieved: float | None = None
    share_not_achieved: float | None = None
    previous_year: int | None = None
    previous_share_achieved: float | None = None


@dataclass(frozen=True, slots=True)
class ObjectiveAssessment:
    objective: Objective
    counts: tuple[YearCounts, ...]
    verdict: str
    basis: VerdictBasis
    budget: float
    expenditure: float


@dataclass(frozen=True, slots=True)
class GoalAssessment:
    goal: Goal
    objectives: tuple[str, ...]
    counts: tuple[YearCounts, ...]
    verdict: str
    basis: VerdictBasis


@dataclass(frozen=True, slots=True)
class Money:
    budget: float | None
    expenditure: float | None

    @property
    def execution(self) -> float | None:
        if not self.budget or self.expenditure is None:
            return None
        return self.expenditure / self.budget


@dataclass(frozen=True, slots=True)
class MoneyLine:
    """Budget and expenditure of a sector, an output or the whole, per year and in total."""

    code: str
    sector: str | None
    by_year: tuple[tuple[int, Money], ...]
    total: Money
    sources: tuple[tuple[int, Source], ...] = ()


@dataclass(frozen=True, slots=True)
class FinancialPlan:
    """The period's financial plan as `inputs/report.yaml` gives it (thousands of CHF)."""

    envelope: float
    sectors: tuple[tuple[str, float], ...] = ()
    source: str = "inputs/report.yaml"


@dataclass(frozen=True, slots=True)
class Finance:
    sectors: tuple[MoneyLine, ...]
    outputs: tuple[MoneyLine, ...]
    total: MoneyLine
    financial_plan: FinancialPlan | None

    @property
    def share_of_envelope_budgeted(self) -> float | None:
        if not self.financial_plan or not self.financial_plan.envelope or self.total.total.budget is None:
            return None
        return self.total.total.budget / self.financial_plan.envelope

    @property
    def share_of_envelope_spent(self) -> float | None:
        if not self.financial_plan or not self.financial_plan.envelope or self.total.total.expenditure is None:
            return None
        return self.total.total.expenditure / self.financial_plan.envelope

    def sector_envelope(self, code: str) -> float | None:
        return dict(self.financial_plan.sectors).get(code) if self.financial_plan else None


@dataclass(frozen=True, slots=True)
class LinkageFigure:
    key: str  # kpis_with_baseline, kpis_reported_every_year, outputs_with_budget_and_kpis, ...
    count: float
    total: float

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None


@dataclass(frozen=True, slots=True)
class Evidence:
    year: int
    file: str | None
    sheet: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"year": self.year, "file": self.file, "sheet": self.sheet, "row": self.row}

    def label(self) -> str:
        return f"{self.year}/" + ":".join(str(p) for p in (self.file, self.sheet, self.row) if p is not None)


@dataclass(frozen=True, slots=True)
class Lesson:
    """A finding for the next plan. `kind`: never-reported, wide-margin, no-kpi or
    unmeasured-spending; `facts` fill its text (see reportgen.render.assessment)."""

    kind: str
    refers_to: str
    facts: Mapping[str, Any]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class OnlyOnce:
    """A KPI name found in one year only: new, dropped, or renamed (`closest` is the most
    similar name of the same output in the other years, if any is close)."""

    bureau: str
    output: str
    kpi: str
    year: int
    closest: str | None
    closest_years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class YearInfo:
    year: int
    status: str  # final, provisional or missing (no returns)
    returns: tuple[ReturnInfo, ...]
    missing_bureaux: tuple[str, ...]
    errors: int
    warnings: int


@dataclass(frozen=True)
class Assessment:
    plan: Plan
    period: Period
    years: tuple[int, ...]  # those with returns
    year_info: tuple[YearInfo, ...]  # every year of the period
    illustrative: bool
    report_date: str | None
    kpis: tuple[KPISeries, ...]
    objectives: tuple[ObjectiveAssessment, ...]
    goals: tuple[GoalAssessment, ...]
    finance: Finance
    linkage: tuple[LinkageFigure, ...]
    lessons: tuple[Lesson, ...]
    only_once: tuple[OnlyOnce, ...]
    problems: tuple[tuple[int, Problem], ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    document: DocumentSettings = field(default_factory=DocumentSettings)

    @property
    def provisional_years(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.year_info if y.status == "provisional")

    @property
    def missing_years(self) -> tuple[int, ...]:
        return tuple(y.year for y in self.year_info if y.status == "missing")

    @property
    def breaks(self) -> tuple[KPISeries, ...]:
        return tuple(k for k in self.kpis if k.breaks)

    def verdict_counts(self, items: Sequence[ObjectiveAssessment | GoalAssessment]) -> dict[str, int]:
        return {v: sum(i.verdict == v for i in items) for v in VERDICTS}

    def linkage_figure(self, key: str) -> LinkageFigure:
        return next(f for f in self.linkage if f.key == key)

    def sector_objectives(self, sector: Sector) -> tuple[ObjectiveAssessment, ...]:
        return tuple(o for o in self.objectives if o.objective.sector == sector.code)

    def sector_kpis(self, sector: Sector) -> tuple[KPISeries, ...]:
        return tuple(k for k in self.kpis if k.sector == sector.code)


# -- the verdict ----------------------------------------------------------------------------------

def verdict(counts: Sequence[YearCounts]) -> tuple[str, VerdictBasis]:
    """The verdict on an objective or goal from its status counts, year by year.

    Only years with at least one reported KPI count. With a = achieved / reported and
    n = not achieved / reported, L the latest such year and P the one before it:
    - not assessed: no year has a reported KPI;
    - achieved: a ≥ ACHIEVED_SHARE in every such year;
    - off track: n ≥ OFF_TRACK_SHARE in L;
    - at risk: n ≥ AT_RISK_SHARE in L, or a fell by AT_RISK_FALL or more from P to L;
    - on track: otherwise."""
    years = [c for c in sorted(counts, key=lambda c: c.year) if c.reported]
    if not years:
        return "not assessed", VerdictBasis()
    shares = [(c, c.counts["achieved"] / c.reported, c.counts["not achieved"] / c.reported) for c in years]
    latest, achieved, not_achieved = shares[-1]
    previous = shares[-2] if len(shares) > 1 else None
    basis = VerdictBasis(latest.year, latest.provisional, latest.reported, latest.counts["achieved"],
                         latest.counts["not achieved"], achieved, not_achieved,
                         previous[0].year if previous else None, previous[1] if previous else None)
    if all(a >= ACHIEVED_SHARE for _, a, _ in shares):
        return "achieved", basis
    if not_achieved >= OFF_TRACK_SHARE:
        return "off track", basis
    # (A hair of tolerance: 1/3 and 0.25 are not exact in binary, and 2 of 6 is a third.)
    if not_achieved >= AT_RISK_SHARE - 1e-9 or (previous is not None and previous[1] - achieved >= AT_RISK_FALL - 1e-9):
        return "at risk", basis
    return "on track", basis


# -- from the frames to the model -------------------------------------------------------------------

def _value(value: Any) -> Any:
    """A frame's cell as the model holds it: None for NaN/NA, plain Python numbers."""
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a tuple or other non-scalar
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def data_status_years(tables: Tables) -> tuple[set[int], bool]:
    """(years marked provisional or draft by any return's `Data status`, whether any return is
    marked illustrative)."""
    provisional: set[int] = set()
    illustrative = False
    for year, status in tables.returns[["year", "data_status"]].itertuples(index=False):
        words = set(re.findall(r"[a-z]+", str(status or "").lower()))
        if words & set(PROVISIONAL_WORDS):
            provisional.add(int(year))
        illustrative |= "illustrative" in words
    return provisional, illustrative


def _series(plan: Plan, tables: Tables, years: list[int], provisional: set[int]) -> tuple[KPISeries, ...]:
    """Each KPI's series: which years list it (a pivot of the KPI rows), whose return did not
    (a break), and its rows as points."""
    from reportgen.pipeline.frames import SERIES_KEY, kpi_series

    kpis = tables.kpis
    if kpis.empty:
        return ()
    listed = kpi_series(kpis, years, "status").notna()
    has_return = (tables.returns.groupby(["bureau", "year"]).size().unstack("year")
                  .reindex(columns=years).notna())
    in_return = has_return.reindex(listed.index.get_level_values("bureau")).fillna(False).to_numpy(dtype=bool)
    flags_of = dict(zip(listed.index, zip(listed.to_numpy(), in_return)))
    # The rows of each series, in the frame's order (year, then the plan's order and the row).
    rows: dict[tuple, dict[int, Any]] = {}
    for row in kpis.itertuples():
        rows.setdefault((row.bureau, row.output, row.key), {}).setdefault(int(row.year), row)
    position = {o.code: i for i, o in enumerate(plan.outputs)}
    ordered = sorted(rows, key=lambda key: (position[key[1]], min(rows[key]), rows[key][min(rows[key])].file,
                                            rows[key][min(rows[key])].row))
    result = []
    for key in ordered:
        by_year = rows[key]
        flags, returned = flags_of[key]
        listed_years = [y for y, f in zip(years, flags) if f]
        absent_in_return = [y for y, f, r in zip(years, flags, returned) if not f and r]
        points = []
        for year, had_return in zip(years, returned):
            row = by_year.get(year)
            if row is None:
                points.append(SeriesPoint(year, provisional=year in provisional,
                                          absent="not listed" if had_return else "no return"))
                continue
            points.append(SeriesPoint(
                year, _value(row.target), _value(row.actual), _value(row.achievement), row.status,
                _value(row.baseline), year in provisional, None, Source(row.file, row.sheet, _value(row.row))))
        latest = by_year[listed_years[-1]]
        names = tuple(dict.fromkeys(str(r.kpi) for r in by_year.values() if r.kpi != latest.kpi))
        result.append(KPISeries(
            bureau=key[0], sector=str(latest.sector), output=plan.output(key[1]), kpi=str(latest.kpi),
            unit=_value(latest.unit), direction=str(latest.direction),
            objectives=tuple(latest.objectives), goals=tuple(latest.goals), points=tuple(points),
            starts=listed_years[0] if any(y < listed_years[0] for y in absent_in_return) else None,
            stops=listed_years[-1] if any(y > listed_years[-1] for y in absent_in_return) else None,
            gaps=tuple(y for y in absent_in_return if listed_years[0] < y < listed_years[-1]),
            other_names=names,
        ))
    assert len(SERIES_KEY) == 3  # (bureau, output, key), as the rows above are grouped
    return tuple(result)


def _counts(frame: pd.DataFrame, code_column: str, code: str, years: list[int],
            provisional: set[int]) -> tuple[YearCounts, ...]:
    rows = frame[frame[code_column] == code].set_index("year")
    return tuple(YearCounts(y, y in provisional, {s: int(rows.at[y, s]) if y in rows.index else 0 for s in STATUSES})
                 for y in years)


def _objectives(plan: Plan, tables: Tables, years: list[int], provisional: set[int]
                ) -> tuple[ObjectiveAssessment, ...]:
    frame = tables.objectives
    money = frame.groupby("objective")[["budget", "expenditure"]].sum()
    result = []
    for objective in plan.objectives:
        counts = _counts(frame, "objective", objective.code, years, provisional)
        decided, basis = verdict(counts)
        spent = money.loc[objective.code] if objective.code in money.index else None
        result.append(ObjectiveAssessment(objective, counts, decided, basis,
                                          float(spent["budget"]) if spent is not None else 0.0,
                                          float(spent["expenditure"]) if spent is not None else 0.0))
    return tuple(result)


def _goals(plan: Plan, tables: Tables, years: list[int], provisional: set[int]) -> tuple[GoalAssessment, ...]:
    result = []
    for goal in plan.goals:
        counts = _counts(tables.goals, "goal", goal.code, years, provisional)
        decided, basis = verdict(counts)
        result.append(GoalAssessment(goal, tuple(o.code for o in plan.objectives_of_goal(goal.code)),
                                     counts, decided, basis))
    return tuple(result)


def _money_line(code: str, sector: str | None, per_year: pd.DataFrame, years: list[int],
                sources: tuple[tuple[int, Source], ...] = ()) -> MoneyLine:
    """`per_year`: budget and expenditure indexed by year (NaN: not reported that year)."""
    by_year = []
    for year in years:
        if year in per_year.index:
            by_year.append((year, Money(_value(per_year.at[year, "budget"]), _value(per_year.at[year, "expenditure"]))))
        else:
            by_year.append((year, Money(None, None)))
    budget = per_year["budget"].sum(min_count=1) if len(per_year) else None
    spent = per_year["expenditure"].sum(min_count=1) if len(per_year) else None
    return MoneyLine(code, sector, tuple(by_year), Money(_value(budget), _value(spent)), sources)


def _finance(plan: Plan, tables: Tables, years: list[int], financial_plan: FinancialPlan | None) -> Finance:
    finance = tables.finance
    outputs = []
    by_output = {code: group.set_index("year") for code, group in finance.groupby("output", sort=False)}
    for output in plan.outputs:
        rows = by_output.get(output.code)
        if rows is None:
            outputs.append(_money_line(output.code, output.sector, finance.iloc[0:0].set_index("year"), years))
            continue
        sources = tuple((int(y), Source(r.file, r.sheet, _value(r.row))) for y, r in rows.iterrows())
        outputs.append(_money_line(output.code, output.sector, rows[["budget", "expenditure"]], years, sources))
    # Sector and overall sums: a year without any finance row stays unknown, not zero.
    per_sector = finance.groupby(["sector", "year"])[["budget", "expenditure"]].sum(min_count=1)
    sectors = []
    for sector in plan.sectors:
        rows = per_sector.loc[sector.code] if sector.code in per_sector.index.get_level_values(0) else per_sector.iloc[0:0]
        sectors.append(_money_line(sector.code, sector.code, rows, years))
    overall = finance.groupby("year")[["budget", "expenditure"]].sum(min_count=1)
    return Finance(tuple(sectors), tuple(outputs), _money_line("total", None, overall, years), financial_plan)


def _linkage(plan: Plan, tables: Tables, series: tuple[KPISeries, ...], years: list[int]) -> tuple[LinkageFigure, ...]:
    kpis, finance = tables.kpis, tables.finance
    with_baseline = sum(any(p.baseline is not None for p in k.points) for k in series)
    every_year = sum(all(p.status not in (None, "not reported") for p in k.points) for k in series)
    budgeted = set(finance.loc[finance["budget"].fillna(0) > 0, "output"])
    measured = set(kpis["output"])
    reported = kpis[kpis["status"] != "not reported"]
    # Money spent on an output in a year in which at least one of its KPIs was reported.
    reported_pairs = reported[["year", "output"]].drop_duplicates()
    spent = finance[["year", "output", "expenditure"]].fillna({"expenditure": 0.0})
    spent_measured = spent.merge(reported_pairs, on=["year", "output"])["expenditure"].sum()
    objectives_measured = set(tables.kpi_objectives["objective"])
    return (
        LinkageFigure("kpis_with_baseline", with_baseline, len(series)),
        LinkageFigure("kpis_reported_every_year", every_year, len(series)),
        LinkageFigure("outputs_with_budget_and_kpis", len(budgeted & measured), len(plan.outputs)),
        LinkageFigure("objectives_with_kpis", len(objectives_measured & {o.code for o in plan.objectives}),
                      len(plan.objectives)),
        LinkageFigure("expenditure_on_measured_outputs", float(spent_measured), float(spent["expenditure"].sum())),
    )


def _evidence(rows: pd.DataFrame) -> tuple[Evidence, ...]:
    return tuple(Evidence(int(r.year), r.file, r.sheet, _value(r.row)) for r in rows.itertuples())


def _lessons(plan: Plan, tables: Tables, series: tuple[KPISeries, ...], years: list[int],
             provisional: set[int]) -> tuple[Lesson, ...]:
    kpis, finance, returns = tables.kpis, tables.finance, tables.returns
    lessons: list[Lesson] = []
    reported = kpis[kpis["status"] != "not reported"]
    returned = {(b, int(y)) for b, y in returns[["bureau", "year"]].itertuples(index=False)}
    bureau_of = {s.code: s.bureau for s in plan.sectors}

    # Outputs whose KPIs were never reported, in any year its Bureau sent a return.
    for output in plan.outputs:
        bureau = bureau_of[output.sector]
        asked = [y for y in years if (bureau, y) in returned]
        if not asked or output.code in set(reported["output"]):
            continue
        rows = kpis[kpis["output"] == output.code]
        evidence = _evidence(rows) or tuple(
            Evidence(int(r.year), r.file) for r in returns[returns["bureau"] == bureau].itertuples())
        lessons.append(Lesson("never-reported", output.code,
                              {"output": output.code, "name": output.name, "years": tuple(asked),
                               "kpis": int(rows[["bureau", "output", "key"]].drop_duplicates().shape[0])},
                              evidence))

    # Targets met every year by a wide margin.
    for k in series:
        listed = [p for p in k.points if p.absent is None]
        values = [p.achievement for p in listed if p.achievement is not None]
        unreported_final = [p for p in listed if p.achievement is None and not p.provisional]
        if len(values) >= 2 and not unreported_final and min(values) >= WIDE_MARGIN:
            lessons.append(Lesson("wide-margin", k.output.code,
                                  {"output": k.output.code, "kpi": k.kpi, "lowest": min(values),
                                   "years": tuple(p.year for p in listed if p.achievement is not None)},
                                  tuple(Evidence(p.year, p.source.file, p.source.sheet, p.source.row)
                                        for p in listed if p.source)))

    # Objectives that no KPI measured in any year (of the sectors whose Bureau sent returns:
    # without a return, the missing return is the finding, not the plan).
    measured = set(tables.kpi_objectives["objective"])
    sending = {b for b, _ in returned}
    for objective in plan.objectives:
        if objective.code in measured or bureau_of[objective.sector] not in sending:
            continue
        outputs = [o.code for o in plan.outputs_of_objective(objective.code)]
        lessons.append(Lesson("no-kpi", objective.code,
                              {"objective": objective.code, "title": objective.title, "years": tuple(years),
                               "outputs": tuple(outputs)},
                              _evidence(finance[finance["output"].isin(outputs)])))

    # Money spent on an output in a year when none of its KPIs was reported.
    spent = finance[finance["expenditure"].fillna(0) > 0].merge(
        reported[["year", "output"]].drop_duplicates(), on=["year", "output"], how="left", indicator=True)
    unmeasured = spent[spent["_merge"] == "left_only"]
    for code, rows in unmeasured.groupby("output", sort=False):
        output = plan.output(code)
        lessons.append(Lesson("unmeasured-spending", code,
                              {"output": code, "name": output.name, "expenditure": float(rows["expenditure"].sum()),
                               "years": tuple(int(y) for y in rows["year"]),
                               "provisional": tuple(int(y) for y in rows["year"] if int(y) in provisional)},
                              _evidence(rows)))
    order = {"never-reported": 0, "no-kpi": 1, "unmeasured-spending": 2, "wide-margin": 3}
    rank = {code: i for i, code in enumerate([*(o.code for o in plan.objectives), *(o.code for o in plan.outputs)])}
    return tuple(sorted(lessons, key=lambda l: (order[l.kind], rank.get(l.refers_to, 0))))


def _only_once(series: tuple[KPISeries, ...], years: list[int]) -> tuple[OnlyOnce, ...]:
    """Names in one year only (with two years or more): each with the closest name of the same
    output in the other years, so that a renamed KPI shows as such."""
    if len(years) < 2:
        return ()
    by_output: dict[tuple[str, str], list[KPISeries]] = {}
    for k in series:
        by_output.setdefault((k.bureau, k.output.code), []).append(k)
    result = []
    for k in series:
        listed = k.listed_years
        if len(listed) != 1:
            continue
        others = [o for o in by_output[(k.bureau, k.output.code)] if o is not k and listed[0] not in o.listed_years]
        scored = sorted(((difflib.SequenceMatcher(None, k.kpi.casefold(), o.kpi.casefold()).ratio(), o)
                         for o in others), key=lambda pair: -pair[0])
        best = scored[0][1] if scored and scored[0][0] >= 0.6 else None
        result.append(OnlyOnce(k.bureau, k.output.code, k.kpi, listed[0], best.kpi if best else None,
                               best.listed_years if best else ()))
    return tuple(result)


def _year_info(plan: Plan, tables: Tables, period: Period, provisional: set[int]) -> tuple[YearInfo, ...]:
    result = []
    for year in period.years:
        rows = tables.returns[tables.returns["year"] == year]
        returns = tuple(ReturnInfo(r.file, r.bureau, _value(r.prepared_by), _value(r.date), _value(r.data_status),
                                   _value(r.language)) for r in rows.itertuples())
        problems = tables.problems[tables.problems["year"] == year]
        sent = {r.bureau for r in returns}
        result.append(YearInfo(
            year, "missing" if not returns else "provisional" if year in provisional else "final", returns,
            tuple(s.bureau for s in plan.sectors if returns and s.bureau not in sent),
            int((problems["severity"] == "error").sum()), int((problems["severity"] == "warning").sum())))
    return tuple(result)


def assess(plan: Plan, tables: Tables, period: Period, thresholds: Thresholds = Thresholds(),
           document: DocumentSettings = DocumentSettings(), financial_plan: FinancialPlan | None = None,
           report_date: str | None = None) -> Assessment:
    """The assessment of `period` from the joined frames of the years that have returns."""
    provisional, illustrative = data_status_years(tables)
    years = sorted(set(int(y) for y in tables.returns["year"]))
    series = _series(plan, tables, years, provisional)
    problems = tuple((int(r.year), Problem(r.severity, _value(r.file), _value(r.sheet), _value(r.row), _value(r.column),
                                           r.message, _value(r.cell), _value(r.bureau)))
                     for r in tables.problems.itertuples())
    return Assessment(
        plan=plan,
        period=period,
        years=tuple(years),
        year_info=_year_info(plan, tables, period, provisional),
        illustrative=illustrative,
        report_date=report_date,
        kpis=series,
        objectives=_objectives(plan, tables, years, provisional),
        goals=_goals(plan, tables, years, provisional),
        finance=_finance(plan, tables, years, financial_plan),
        linkage=_linkage(plan, tables, series, years),
        lessons=_lessons(plan, tables, series, years, provisional),
        only_once=_only_once(series, years),
        problems=problems,
        thresholds=thresholds,
        document=document,
    )
