"""From the rules' findings to what chapter 7 puts to the Council (issue "Recommendations the
Council can decide on", contract 8.4).

- One recommendation per subject (an output, an objective, a goal or the plan as a whole), with
  every finding on it listed under it; its id `<YEAR>-<subject>` is the same next year.
- A concrete proposed change in each, computed from the data: a raised or revised target, money
  moved between outputs of one Sector, an output to merge or drop, or "no change" and why.
- Ranked by what is at stake (`priority_key`, explained in the report's method section).
- Proposals carry the Secretary-General's position; last year's recommendations their follow-up.
- Requests for missing data go to the Bureaux (`DataRequest`), not to the Council.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reportgen.format import Severity, Status
from reportgen.model import (Advice, Amount, CycleExemption, DataRequest, Decision, FinancialLine, Finding, FinanceResult,
                             FollowUp, KPIResult, Number, Percent, Position, Problem, ProposalEntry,
                             ProposedChange, Recommendation, Text, TextList)
from reportgen.pipeline.rules import RULES, Evidence, N_, cycle_explains, findings_of
from reportgen.pipeline.secretariat import FILE_NAME as SECRETARIAT_FILE
from reportgen.pipeline.secretariat import SecretariatInputs
from reportgen.plan.loader import Plan

PLAN_SUBJECT = "PLAN"  # the id's subject for proposals on the plan as a whole


def recommendation_id(year: int, subject: str | None) -> str:
    return f"{year}-{subject or PLAN_SUBJECT}"


@dataclass(frozen=True, slots=True)
class Funds:
    """How much of the unspent money is really there: the share of assessed contributions
    received (Financial situation), 1.0 when the General Secretariat gave no figures."""

    received_share: float = 1.0


def funds_of(financial: tuple[FinancialLine, ...]) -> Funds:
    """The share of assessed contributions received, from the Financial situation (1.0 without it)."""
    amounts = {line.item: line.amount for line in financial}
    billed, received = amounts.get("Assessed contributions billed"), amounts.get("Assessed contributions received")
    if billed and received is not None:
        return Funds(min(1.0, received / billed))
    return Funds()


def advise(e: Evidence, secretariat: SecretariatInputs = SecretariatInputs(),
           previous: dict[str, frozenset[str]] | None = None,
           funds: Funds = Funds(), financial: tuple[FinancialLine, ...] = ()) -> tuple[Advice, tuple[Problem, ...]]:
    """The advice of one year, and the problems found in secretariat.yaml while giving it.

    `previous` maps the ids of the year before's recommendations to the rules of their findings
    (None when there is no year before)."""
    findings = findings_of(e)
    requests = tuple(_data_request(e, f) for f in findings if RULES[f.rule].to_bureaux)
    by_subject: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in findings:
        if not RULES[finding.rule].to_bureaux:
            by_subject[finding.subject].append(finding)
    problems: list[Problem] = []
    moves = _reallocations(e, funds)
    drafts = []
    for subject, subject_findings in by_subject.items():
        positions = tuple(_position(e, p, secretariat, problems) for p in e.proposals
                          if p.refers_to == subject)
        changes = _changes(e, subject, subject_findings, moves, by_subject)
        drafts.append((subject, subject_findings, changes, positions))
    refs = {proposal_ref(p) for p in e.proposals}
    for ref, stance in secretariat.positions.items():
        if ref not in refs:
            problems.append(Problem(Severity.ERROR, SECRETARIAT_FILE, None, stance.line, None,
                                    f"positions: no proposal of {e.year} has the Ref '{ref}' (the Refs of this "
                                    f"year's proposals: {', '.join(sorted(refs))[:300] or 'none'}): correct the Ref"))
    follow_ups = _follow_ups(e, secretariat, previous, by_subject, problems)
    ranked = sorted(drafts, key=lambda d: priority_key(e, d[0], d[1], d[2]))
    recommendations = []
    for priority, (subject, subject_findings, changes, positions) in enumerate(ranked, start=1):
        rec_id = recommendation_id(e.year, subject)
        main = min(subject_findings, key=lambda f: list(RULES).index(f.rule)).rule
        recommendations.append(Recommendation(
            id=rec_id, subject=subject, rule=main, priority=priority,
            priority_reasons=_priority_reasons(e, subject, subject_findings, changes),
            findings=tuple(subject_findings), changes=changes, positions=positions,
            follow_up=next((f for f in follow_ups if f.previous_id.split("-", 1)[1] == (subject or PLAN_SUBJECT)),
                           None),
            answered_by_proposal=bool(positions) and any(f.rule != "proposal" for f in subject_findings),
            related=_related(e, subject, by_subject)))
    exemptions = tuple(
        CycleExemption(f.output, e.calendar.event_of(f.output) or "", e.calendar.next_after(
            e.calendar.event_of(f.output) or "", e.year), f.execution)
        for f in e.finance if f.execution is not None and f.execution < e.thresholds.underspend
        and cycle_explains(e, f.output))
    advice = Advice(tuple(recommendations), _decisions(e, recommendations, follow_ups), requests,
                    tuple(follow_ups), exemptions, secretariat.environment, financial,
                    funds.received_share if financial else None)
    return advice, tuple(problems)


# -- ranking ------------------------------------------------------------------------------------

def _outputs_of(e: Evidence, subject: str | None) -> list[str]:
    if subject is None:
        return []
    if any(o.code == subject for o in e.plan.outputs):
        return [subject]
    return [o.code for o in e.plan.outputs if subject in o.objectives]


def _kpis_of(e: Evidence, subject: str | None) -> list[KPIResult]:
    if subject is None:
        return []
    if any(o.code == subject for o in e.plan.outputs):
        return [k for k in e.kpis if k.entry.output == subject]
    return [k for k in e.kpis if subject in k.objectives]


def _high_priority(e: Evidence, subject: str | None) -> bool:
    outputs = _outputs_of(e, subject)
    return any(e.plan.output(code).high_priority for code in outputs) if outputs else False


def _money_at_stake(e: Evidence, subject: str | None, findings: list[Finding],
                    changes: tuple[ProposedChange, ...]) -> float:
    """Thousands of CHF the recommendation is about: the money it moves, else the overspend or
    the unspent budget its findings name (an underspend the conference cycle explains is none)."""
    moved = sum(c.amount or 0 for c in changes if c.kind == "resources")
    if moved:
        return moved
    rules = {f.rule for f in findings}
    f = next((f for f in e.finance if f.output == subject), None)
    if f is None or f.budget is None or f.expenditure is None or not rules & {"overspend", "underspend"}:
        return 0.0
    return abs(f.expenditure - f.budget)


def _shortfalls(e: Evidence, subject: str | None) -> int:
    return sum(k.status == Status.NOT_ACHIEVED for k in _kpis_of(e, subject))


def _persistence(e: Evidence, subject: str | None) -> int:
    """The longest run of years, ending this year, in which one of the subject's KPIs fell short."""
    longest = 0
    for k in _kpis_of(e, subject):
        if k.status != Status.NOT_ACHIEVED:
            continue
        run = 1
        for h in sorted(k.history, key=lambda h: -h.year):
            if h.status != Status.NOT_ACHIEVED:
                break
            run += 1
        longest = max(longest, run)
    return longest


def priority_key(e: Evidence, subject: str | None, findings: list[Finding],
                 changes: tuple[ProposedChange, ...]) -> tuple:
    """High-priority outputs of the plan first; then money at stake; then how many KPIs fall
    short; then how long they have; then the plan's own order."""
    order = {code: i for i, code in enumerate([o.code for o in e.plan.outputs] + [o.code for o in e.plan.objectives]
                                              + [g.code for g in e.plan.goals])}
    return (not _high_priority(e, subject), -round(_money_at_stake(e, subject, findings, changes)),
            -_shortfalls(e, subject), -_persistence(e, subject), order.get(subject or "", len(order)))


def _priority_reasons(e: Evidence, subject: str | None, findings: list[Finding],
                      changes: tuple[ProposedChange, ...]) -> Text:
    reasons: list[Text] = []
    if _high_priority(e, subject):
        is_output = any(o.code == subject for o in e.plan.outputs)
        reasons.append(Text.of(N_("a high-priority output of the plan") if is_output
                               else N_("served by high-priority outputs of the plan")))
    money = round(_money_at_stake(e, subject, findings, changes))
    if money:
        reasons.append(Text.of(N_("{amount} thousand CHF at stake"), amount=Amount(money)))
    short = _shortfalls(e, subject)
    if short:
        reasons.append(Text.count(N_("{n} KPI not achieved"), N_("{n} KPIs not achieved"), short))
    years = _persistence(e, subject)
    if years >= 2:
        reasons.append(Text.of(N_("short of target {n} years running"), n=years))
    if not reasons:
        return Text.of(N_("Why this rank: no money or KPI is at stake; the plan's order."))
    return Text.of(N_("Why this rank: {reasons}."), reasons=TextList(tuple(reasons)))


# -- proposed changes ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Move:
    source: str
    destination: str
    amount: float


def _reallocations(e: Evidence, funds: Funds) -> tuple[Move, ...]:
    """Overspent outputs paired with underspent ones of the same Sector, largest first; what an
    underspent output gives is its unspent balance, times the share of contributions really
    received. Outputs whose conference is still to come keep their money."""
    finance_by_sector: dict[str, list[FinanceResult]] = defaultdict(list)
    for f in e.finance:
        finance_by_sector[e.plan.output(f.output).sector].append(f)
    moves = []
    for rows in finance_by_sector.values():
        needs = sorted(((f.output, f.expenditure - f.budget) for f in rows if f.execution is not None
                        and f.execution > e.thresholds.overspend), key=lambda x: -x[1])
        spare = sorted(([f.output, (f.budget - f.expenditure) * funds.received_share] for f in rows
                        if f.execution is not None and f.execution < e.thresholds.underspend
                        and not cycle_explains(e, f.output)), key=lambda x: -x[1])
        for output, need in needs:
            for entry in spare:
                if need <= 0.5:
                    break
                amount = round(min(need, entry[1]))
                if amount <= 0:
                    continue
                moves.append(Move(entry[0], output, float(amount)))
                entry[1] -= amount
                need -= amount
    return tuple(moves)


def _round_target(value: float, like: float) -> float:
    """A proposed target written as the present one is: whole numbers for whole targets."""
    if float(like).is_integer() or abs(value) >= 100:
        return float(round(value))
    return round(value, 1)


def _kpi_by_source(e: Evidence) -> dict:
    return {k.entry.source: k for k in e.kpis}


def _target_change(e: Evidence, k: KPIResult, rule: str) -> ProposedChange | None:
    before = next((h for h in k.history if h.year == e.year - 1), None)
    if k.entry.actual is None:
        return None
    lower = k.entry.direction == "lower"
    code, name = k.entry.output, k.entry.kpi
    if rule == "target-exceeded" and before is not None and before.actual is not None:
        # The level reached in both years: the worse of the two results.
        level = max(k.entry.actual, before.actual) if lower else min(k.entry.actual, before.actual)
        proposed = _round_target(level, k.entry.target)
        if (proposed >= k.entry.target) if lower else (proposed <= k.entry.target):
            return ProposedChange("none", Text.of(
                N_("Keep the target of the KPI '{kpi}' of output {code}: the level reached in both years ({level}) "
                   "is not beyond the present target ({target})."),
                kpi=name, code=code, level=Number(level), target=Number(k.entry.target)), output=code, kpi=name)
        derivation = Text.of(N_("The proposed target is the level reached in both {before} and {year}: the {which} of the two "
                                "results ({first} and {second})."),
                             before=str(e.year - 1), year=str(e.year),
                             which=Text.of(N_("higher") if lower else N_("lower")),
                             first=Number(before.actual), second=Number(k.entry.actual))
        return ProposedChange("target", Text.of(
            N_("Raise the target of the KPI '{kpi}' of output {code} from {current} to {proposed}."),
            kpi=name, code=code, current=Number(k.entry.target), proposed=Number(proposed)),
            derivation, output=code, kpi=name, current_target=k.entry.target, proposed_target=proposed)
    if rule in ("persistent-shortfall", "objective-review"):
        results = [k.entry.actual] + ([before.actual] if before is not None and before.actual is not None else [])
        best = min(results) if lower else max(results)
        proposed = _round_target(best + (k.entry.target - best) / 2, k.entry.target)
        if proposed == k.entry.target:
            return None
        years = (Text.of(N_("the better of the {before} and {year} results ({best})"), before=str(e.year - 1),
                         year=str(e.year), best=Number(best)) if len(results) > 1
                 else Text.of(N_("the {year} result ({best})"), year=str(e.year), best=Number(best)))
        derivation = Text.of(N_("The proposed target is half-way between {results} and the present target ({target})."),
                             results=years, target=Number(k.entry.target))
        cost = _cost_of_target(e, k)
        if cost is not None:
            derivation = Text.of(N_("{how} {cost}"), how=derivation, cost=cost)
        return ProposedChange("target", Text.of(
            N_("Revise the target of the KPI '{kpi}' of output {code} from {current} to {proposed}."),
            kpi=name, code=code, current=Number(k.entry.target), proposed=Number(proposed)),
            derivation, output=code, kpi=name, current_target=k.entry.target, proposed_target=proposed)
    return None


def _cost_of_target(e: Evidence, k: KPIResult) -> Text | None:
    """What keeping the present target would cost, at the cost observed: the output's
    expenditure per KPI times the share of the target not reached."""
    finance = next((f for f in e.finance if f.output == k.entry.output), None)
    if finance is None or not finance.expenditure or k.achievement is None or not 0 <= k.achievement < 1:
        return None
    count = sum(1 for other in e.kpis if other.entry.output == k.entry.output)
    needed = round(finance.expenditure / count * (1 - k.achievement))
    if needed <= 0:
        return None
    return Text.of(N_("Keeping the present target instead would need about {amount} thousand CHF more: the "
                      "output's {year} expenditure per KPI ({per_kpi}) times the share of the target not reached "
                      "({missing})."), amount=Amount(needed), year=str(e.year),
                   per_kpi=Amount(finance.expenditure / count), missing=Percent(1 - k.achievement))


def _changes(e: Evidence, subject: str | None, findings: list[Finding], moves: tuple[Move, ...],
             by_subject: dict) -> tuple[ProposedChange, ...]:
    kpis = _kpi_by_source(e)
    changes: list[ProposedChange] = []
    seen: set[tuple] = set()
    for finding in findings:
        if finding.rule in ("target-exceeded", "persistent-shortfall"):
            for source in finding.evidence:
                k = kpis.get(source)
                if k is None or (k.entry.output, k.entry.kpi) in seen:
                    continue
                seen.add((k.entry.output, k.entry.kpi))
                change = _target_change(e, k, finding.rule)
                if change is not None:
                    changes.append(change)
        elif finding.rule == "unreported-output":
            objectives = e.plan.output(finding.subject).objectives
            changes.append(ProposedChange("output", Text.of(
                N_("Merge output {code} into another output of objective {objectives}, or drop it from the next "
                   "plan, unless its Bureau reports on it this year."),
                code=finding.subject, objectives=TextList(objectives)), output=finding.subject))
        elif finding.rule == "objective-review":
            covered = [recommendation_id(e.year, code) for code in _outputs_of(e, subject) if code in by_subject]
            if covered:
                changes.append(ProposedChange("none", Text.of(
                    N_("No separate change: the changes to the outputs serving objective {code} are proposed in {ids}."),
                    code=subject, ids=TextList(tuple(covered)))))
                continue
            for source in finding.evidence:
                k = kpis.get(source)
                if k is not None and (k.entry.output, k.entry.kpi) not in seen:
                    seen.add((k.entry.output, k.entry.kpi))
                    change = _target_change(e, k, "objective-review")
                    if change is not None:
                        changes.append(change)
    for move in moves:
        if subject == move.destination:
            changes.append(ProposedChange("resources", Text.of(
                N_("Cover the overspend of output {destination} with {amount} thousand CHF from the unspent budget "
                   "of output {source} of the same Sector."),
                destination=move.destination, amount=Amount(move.amount), source=move.source),
                output=subject, amount=move.amount, source_output=move.source, destination_output=move.destination))
        elif subject == move.source:
            changes.append(ProposedChange("resources", Text.of(
                N_("Move {amount} thousand CHF of the unspent budget of output {source} to output {destination}, "
                   "which overspent."),
                destination=move.destination, amount=Amount(move.amount), source=move.source),
                output=subject, amount=move.amount, source_output=move.source, destination_output=move.destination))
    rules = {f.rule for f in findings}
    if "overspend" in rules and not any(m.destination == subject for m in moves):
        f = next(f for f in e.finance if f.output == subject)
        changes.append(ProposedChange("resources", Text.of(
            N_("No output of the same Sector has unspent money to cover the overspend of output {code} "
               "({amount} thousand CHF): the Council may cover it from the Reserve Account or reduce the output's "
               "activities."), code=subject, amount=Amount(round(f.expenditure - f.budget))),
            output=subject, amount=float(round(f.expenditure - f.budget)), destination_output=subject))
    if not changes:
        if rules == {"proposal"}:
            reason = Text.of(N_("No change follows from the KPIs or the money: the Council is invited to take note of "
                                "the proposal and of the Secretary-General's position on it."))
        elif "underspend" in rules:
            reason = Text.of(N_("No change to the plan: no other output of the Sector overspent, so the unspent "
                                "money is left to the budget's normal rules; the Bureau is asked to explain the delay."))
        else:
            reason = Text.of(N_("No change: the evidence does not support one this year."))
        changes.append(ProposedChange("none", reason))
    return tuple(changes)


def _related(e: Evidence, subject: str | None, by_subject: dict) -> tuple[str, ...]:
    if subject is None:
        return ()
    if any(o.code == subject for o in e.plan.outputs):
        linked = e.plan.output(subject).objectives
    else:
        linked = tuple(_outputs_of(e, subject))
    return tuple(recommendation_id(e.year, code) for code in linked if code in by_subject and code != subject)


# -- positions, follow-up, decisions, data requests ---------------------------------------------

def proposal_ref(p: ProposalEntry) -> str:
    """The proposal's own reference (contract 8.2), else `<file>:<row>`."""
    return p.ref or f"{p.source.file}:{p.source.row}"


def _position(e: Evidence, p: ProposalEntry, secretariat: SecretariatInputs, problems: list[Problem]) -> Position:
    ref = proposal_ref(p)
    stance = secretariat.positions.get(ref)
    if stance is None:
        problems.append(Problem(Severity.WARNING, SECRETARIAT_FILE, None, None, None,
                                f"no position of the Secretary-General on the proposal '{ref}' ({p.body}): "
                                f"add 'positions: {{{ref}: {{stance: …, reason: …}}}}' (the report says "
                                "'position to be stated')"))
        return Position(ref, p.body, p.text, None, None, p.source)
    return Position(ref, p.body, p.text, stance.stance, stance.reason, p.source)


def _follow_ups(e: Evidence, secretariat: SecretariatInputs, previous: dict[str, frozenset[str]] | None,
                by_subject: dict, problems: list[Problem]) -> list[FollowUp]:
    found = []
    for rec_id, (outcome, line) in secretariat.follow_up.items():
        if previous is None or rec_id not in previous:
            known = ", ".join(sorted(previous)) if previous else "none: there is no report of the year before"
            problems.append(Problem(Severity.ERROR, SECRETARIAT_FILE, None, line, None,
                                    f"follow_up: '{rec_id}' is not a recommendation of {e.year - 1} "
                                    f"(its ids: {known[:300]}): correct the id"))
            continue
        subject = rec_id.split("-", 1)[1]
        still = None
        if outcome == "adopted":
            now = {f.rule for f in by_subject.get(None if subject == PLAN_SUBJECT else subject, [])}
            still = bool(now & (previous[rec_id] - {"proposal"}))
        text = {
            ("adopted", True): Text.of(N_("{id} was adopted; its finding still holds in {year}."), id=rec_id,
                                       year=str(e.year)),
            ("adopted", False): Text.of(N_("{id} was adopted; its finding no longer holds in {year}."), id=rec_id,
                                        year=str(e.year)),
        }.get((outcome, still)) or Text.of(
            N_("{id} was rejected.") if outcome == "rejected" else N_("{id} was deferred."), id=rec_id)
        found.append(FollowUp(rec_id, outcome, still, text))
    return found


def _decisions(e: Evidence, recommendations: list[Recommendation], follow_ups: list[FollowUp]) -> tuple[Decision, ...]:
    def ids(kind: str) -> tuple[str, ...]:
        return tuple(r.id for r in recommendations if any(c.kind == kind for c in r.changes))

    decisions = []
    targets = ids("target")
    if targets:
        n = sum(c.kind == "target" for r in recommendations for c in r.changes)
        decisions.append(Decision(Text.count(
            N_("The Council is invited to approve the revised target of {n} KPI proposed in {ids}."),
            N_("The Council is invited to approve the revised targets of {n} KPIs proposed in {ids}."),
            n, ids=TextList(targets)), targets))
    moves = tuple(r.id for r in recommendations if any(c.kind == "resources" and c.source_output for c in r.changes))
    if moves:
        amount = sum({(c.source_output, c.destination_output): c.amount for r in recommendations for c in r.changes
                      if c.kind == "resources" and c.source_output}.values())
        decisions.append(Decision(Text.of(
            N_("The Council is invited to approve the reallocation of {amount} thousand CHF between outputs of the "
               "same Sector, as proposed in {ids}."), amount=Amount(amount), ids=TextList(moves)), moves))
    needs = tuple(r.id for r in recommendations if any(c.kind == "resources" and not c.source_output
                                                       for c in r.changes))
    if needs:
        decisions.append(Decision(Text.of(
            N_("The Council is invited to decide how the additional resources set out in {ids} are to be met."),
            ids=TextList(needs)), needs))
    outputs = ids("output")
    if outputs:
        decisions.append(Decision(Text.of(
            N_("The Council is invited to request the Secretary-General to propose, in the draft of the next "
               "strategic plan, the merging or dropping of the outputs on which nothing has been reported for two "
               "years ({ids})."), ids=TextList(outputs)), outputs))
    stated = tuple(r.id for r in recommendations if r.positions)
    if stated:
        decisions.append(Decision(Text.of(
            N_("The Council is invited to take note of the proposals of the advisory groups and conferences, and of "
               "the Secretary-General's positions on them, in {ids}."), ids=TextList(stated)), stated))
    return tuple(decisions[:5])


def _data_request(e: Evidence, f: Finding) -> DataRequest:
    k = _kpi_by_source(e).get(f.evidence[0]) if f.evidence else None
    bureau = k.entry.bureau if k is not None else ""
    return DataRequest(bureau, f.subject, f.text, f.evidence)
