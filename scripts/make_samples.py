"""Write illustrative sample returns: one KPI workbook per bureau per year.

    python scripts/make_samples.py [--out inputs]

writes `<out>/2008/` and `<out>/2009/`, each with `BR_<Y>.xlsx`, `TSB_<Y>.xlsx`, `BDT_<Y>.xlsx`
and `GS_<Y>.xlsx` in the workbook format of contract section 2. The figures are invented (every
`About` sheet says `Data status: illustrative`), but they are shaped so that each part of the
report has something to show: achieved, partially achieved, not achieved and not reported KPIs,
KPIs not achieved in both years (persistent shortfall), outputs over and under budget, proposals
and highlights. Output is deterministic: a fixed seed per bureau and year, fixed document
properties and fixed zip timestamps, so regenerating gives byte-identical files.

DELIBERATE FLAWS -- only in the 2009 files, so that the report's data-quality annex shows them;
every other row is valid. Rows are Excel row numbers; `DELIBERATE_FLAWS` (below) is computed by
the same code that writes the rows, so tests can check each is reported at its exact place.

  file           sheet  row      column     what
  BR_2009.xlsx   KPIs   row 17   Target     `n/a` for R-05 "Documents available 3 weeks before
                                            meetings" (not a number)
  BR_2009.xlsx   KPIs   row 35   Output     `Radio Spectrum Forum` (unknown output)
  TSB_2009.xlsx  KPIs   row 6    Direction  `up` for T-01 "Follow-up reports submitted to TSAG"
                                            (neither higher nor lower)
  TSB_2009.xlsx  KPIs   row 11   KPI        T-04 "Recommendations approved" entered twice
  TSB_2009.xlsx  KPIs   row 19   KPI        ... and again (duplicate KPI: an error at both places)
  BDT_2009.xlsx  KPIs   row 28   KPI        empty KPI name (output D-10)
  BDT_2009.xlsx  KPIs   row 36   Output     `T-04`, an output of another sector (ITU-T)
  GS_2009.xlsx   KPIs   row 3    Notes      unknown column header `Notes` (a warning, not an error)
  GS_2009.xlsx   KPIs   row 10   Actual     `about 90` for INT-03 "Documents translated on time"
                                            (not a number)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen import format

YEARS: tuple[int, ...] = (2008, 2009)
FLAW_YEAR = 2009
FIXED_TIME = dt.datetime(2010, 1, 15, 0, 0, 0)
ZIP_TIME = (2010, 1, 15, 0, 0, 0)
RETURN_DATES = {2008: dt.date(2009, 1, 16), 2009: dt.date(2010, 1, 15)}

# The samples are version-2 returns (contract section 8): KPIs name the objectives they measure,
# proposals carry their own references, and the General Secretariat reports the financial situation.
SAMPLE_VERSION = 2
KPI_HEADER = list(format.KPIS.headers(SAMPLE_VERSION))
KPI_HEADER_ROW = 3  # row 1 title (one cell only), row 2 empty, row 3 header

# bureau: (sector, bureau name, office preparing the return, seed base, sector title)
BUREAUX: dict[str, tuple[str, str, str, int, str]] = {
    "BR": ("R", "Radiocommunication Bureau", "BR Strategic Planning Unit", 1, "ITU-R"),
    "TSB": ("T", "Telecommunication Standardization Bureau",
            "TSB Operations and Planning Department", 2, "ITU-T"),
    "BDT": ("D", "Telecommunication Development Bureau",
            "BDT Planning, Budget and Administration Unit", 3, "ITU-D"),
    "GS": ("INT", "General Secretariat", "GS Strategic Planning and Membership Department", 4,
           "Intersectoral"),
}

# The outputs of the plan (contract section 1), code: name as printed in Tables 4.1-7.1.
OUTPUTS: dict[str, str] = {
    "R-01": "WRC",
    "R-02": "RRC",
    "R-03": "Processing of space notices & other related activities",
    "R-04": "Processing of terrestrial notices & other related activities",
    "R-05": "Study groups, working parties, task and joint groups",
    "R-06": "ITU-R publications",
    "R-07": "Assistance to members, in particular developing countries and LDCs",
    "R-08": "Radio Regulations Board",
    "R-09": "Radiocomm. Assemblies",
    "R-10": "Radiocomm. Advisory Group",
    "R-11": "Liaison/support for development activities",
    "R-12": "Seminars",
    "T-01": "WTSA",
    "T-02": "WTSA regional consultation",
    "T-03": "TSAG",
    "T-04": "Study groups",
    "T-05": "Workshops",
    "T-06": "ITU-T publications",
    "T-07": "Promotion",
    "T-08": "ITU operational bulletin",
    "T-09": "Database publications",
    "T-10": "UIFN registrar",
    "T-11": "UIPRN/UISCN registrar",
    "T-12": "ITU-T general assistance and cooperation",
    "D-01": "WTDC and RTDC",
    "D-02": "Study groups",
    "D-03": "Special programme for LDCs",
    "D-04": "Global and regional initiatives",
    "D-05": "Telecommunication Development Advisory Group",
    "D-06": "GSR and regulatory reform",
    "D-07": "Info. and comm. infrastructure and network development",
    "D-08": "E-strategies, e-services, e-applications",
    "D-09": "Economics and finance",
    "D-10": "Human capacity building",
    "D-11": "Statistics and ICT information",
    "D-12": "Partnership and promotion",
    "D-13": "Assistance to members",
    "INT-01": "Plenipotentiary Conference",
    "INT-02": "Council and working groups",
    "INT-03": "Budget, corporate governance and communication",
    "INT-04": "WSIS outcomes",
    "INT-05": "ITU TELECOM",
    "INT-06": "WTPF",
    "INT-07": "WCIT",
    "INT-08": "Intersectoral coordination",
}

# Outputs that staff may also write by name. Names with abbreviations or punctuation that a
# reader could copy differently ("Radiocomm. Assemblies") are always written as codes here.
NAMED_OUTPUTS = {
    "R-01", "R-02", "R-03", "R-06", "R-08", "R-12",
    "T-01", "T-03", "T-04", "T-05", "T-06", "T-07", "T-08", "T-10",
    "D-01", "D-06", "D-09", "D-10", "D-12",
    "INT-01", "INT-02", "INT-04", "INT-05", "INT-06", "INT-07",
}
# Labels fixed for the illustration: odd case and doubled space, as Bureau staff type them.
FORCED_LABELS = {("R-12", 2009): "seminars", ("T-06", 2009): "ITU-T  publications",
                 ("R-06", 2008): "ITU-R publications", ("R-01", 2009): "WRC"}


def sector_of_output(code: str) -> str:
    return code.rsplit("-", 1)[0]


def resolve_output(label: Any, sector: str | None = None) -> str | None:
    """The output code named by `label` (code or printed name, case and spaces ignored)."""
    if label is None:
        return None
    key = " ".join(str(label).split()).casefold()
    matches = [c for c, name in OUTPUTS.items() if key in (c.casefold(), name.casefold())]
    own = [c for c in matches if sector is None or sector_of_output(c) == sector]
    return (own or matches or [None])[0]


@dataclass(frozen=True)
class Kpi:
    """One indicator of the catalogue.

    `target` is one number for both years or a pair (2008, 2009); None in the pair means the KPI
    is not in that year's return. `profile` gives the status per year, two characters for
    2008 and 2009: A achieved, P partially achieved, N not achieved, - not reported, ? random.
    `fmt="comma"` writes numbers of 1,000 and more as text with thousands separators.
    """

    name: str
    unit: str
    target: Any
    baseline: float | None = None
    lower: bool = False
    profile: str = "??"
    fmt: str | None = None

    def target_in(self, year: int) -> float | None:
        if isinstance(self.target, tuple):
            return self.target[YEARS.index(year)]
        return self.target

    def profile_in(self, year: int) -> str:
        return self.profile[YEARS.index(year)]


K = Kpi
CATALOGUE: dict[str, list[Kpi]] = {
    # ---- ITU-R (BR)
    "R-01": [
        K("Member States represented at preparatory meetings", "number", (150, 155)),
        K("Final Acts published within target weeks", "weeks", (12, None), lower=True),
        K("CPM contributions processed", "number", (None, 180)),
        K("Preparatory documents issued on time", "%", 90, baseline=75),
    ],
    "R-02": [
        K("GE06 Plan modifications processed", "number", (400, 450)),
        K("Average processing time of GE06 notifications", "days", 60, baseline=120, lower=True),
        K("Administrations assisted with GE06 implementation", "number", (25, 30)),
    ],
    "R-03": [
        K("Average processing time of space notices", "months", 8, baseline=18, lower=True,
          profile="NN"),
        K("Notices processed", "number", (1150, 1250), fmt="comma", profile="PA"),
        K("Special sections published in the BR IFIC", "number", (900, 950), profile="PN"),
    ],
    "R-04": [
        K("Frequency assignments processed", "number", (110000, 115000), baseline=95000),
        # With the two above, most of objective R2 falls short in 2009: objective-review fires.
        K("Average processing time of terrestrial notices", "days", 60, lower=True, profile="AN"),
    ],
    "R-05": [
        K("Recommendations approved", "number", (110, 120)),
        K("Contributions received", "number", 1600, baseline=1400),
        K("Documents available 3 weeks before meetings", "%", 90, baseline=72, profile="PP"),
    ],
    "R-06": [
        K("Publications sold or downloaded", "number", (200000, 230000), baseline=150000),
        K("Average time to publish", "days", 45, lower=True, profile="PA"),
        K("Titles available online", "%", 95, baseline=80),
    ],
    "R-07": [
        K("Developing countries assisted", "number", (40, 45)),
        K("Requests for assistance answered within 30 days", "%", 90, baseline=70),
    ],
    "R-08": [
        K("Rules of Procedure approved or revised", "number", (12, 10)),
        K("Board meetings held as scheduled", "number", 4),
        K("Days to publish the summary of decisions", "days", 14, lower=True),
    ],
    "R-09": [
        K("Study Group Questions reviewed for the next Assembly", "number", (60, 80)),
        K("Assembly preparatory documents issued on time", "%", 90, profile="?-"),
    ],
    "R-10": [
        K("RAG recommendations implemented", "%", 80, baseline=60),
        K("Members attending RAG meetings", "number", (90, 95)),
    ],
    "R-11": [
        K("SMS4DC licences delivered to developing countries", "number", (30, 35), baseline=12,
          profile="NN"),
        K("Joint activities with ITU-D", "number", (10, 12)),
    ],
    "R-12": [
        K("Seminars held", "number", (4, 5)),
        K("Participants trained", "number", (900, 950), baseline=600),
        K("Participants rating seminars good or very good", "%", 85),
    ],
    # ---- ITU-T (TSB)
    "T-01": [
        K("Member States represented", "number", (140, None)),
        K("Resolutions adopted or revised", "number", (60, None)),
        K("Weeks to publish the WTSA proceedings", "weeks", 10, lower=True),
        K("WTSA-08 Resolutions with an action plan", "%", (None, 90)),
        K("Follow-up reports submitted to TSAG", "number", (None, 4)),
    ],
    "T-02": [
        K("Regional preparatory meetings held", "number", (6, 2)),
        K("Common regional proposals submitted", "number", (40, None)),
        K("Regional groups active", "number", (None, 5)),
    ],
    "T-03": [
        K("TSAG meetings held", "number", 2),
        K("TSAG reports posted within two weeks", "%", 90, baseline=60),
    ],
    "T-04": [
        K("Recommendations approved", "number", (220, 230), baseline=180, profile="AA"),
        K("Contributions received", "number", (3000, 3200)),
        K("Weeks from consent to approval under AAP", "weeks", 6, baseline=10, lower=True),
        K("Participants from developing countries", "number", (400, 450), baseline=250,
          profile="NN"),
    ],
    "T-05": [
        K("Workshops held", "number", (15, 16)),
        K("Workshop participants", "number", (1800, 2000)),
    ],
    "T-06": [
        K("Recommendations downloaded", "number", (2500000, 3000000), baseline=1000000),
        K("Average time to publish", "days", 30, lower=True),
    ],
    "T-07": [
        K("New Sector Members and Associates", "number", (30, 35), baseline=5, profile="NN"),
        K("Newsletter subscribers", "number", (12000, 15000)),
        K("Press releases issued", "number", 20),
    ],
    "T-08": [
        K("Bulletins published on schedule", "number", 24),
        K("Average delay before notifications are published", "days", 15, lower=True),
    ],
    "T-09": [
        K("Databases updated within one month", "%", 95),
        K("Database records consulted online", "number", (500000, 600000), profile="?-"),
    ],
    "T-10": [
        K("UIFN applications processed", "number", (300, 320)),
        K("Average processing time of UIFN applications", "days", 10, lower=True),
    ],
    "T-11": [
        K("UIPRN and UISCN applications processed", "number", (40, 45)),
        K("Average processing time of applications", "days", 15, lower=True),
    ],
    "T-12": [
        K("Countries assisted under Bridging the Standardization Gap", "number", (30, 35),
          baseline=8),
        K("Requests answered within target time", "%", 90),
    ],
    # ---- ITU-D (BDT)
    "D-01": [
        K("Regional preparatory meetings held", "number", (None, 6)),
        K("Doha Action Plan programmes on schedule", "%", (80, 85), baseline=60),
        K("Member States represented at regional meetings", "number", (120, 140)),
    ],
    "D-02": [
        K("Questions with output reports delivered", "number", (10, 12)),
        K("Contributions received", "number", (450, 500)),
        K("Participants from LDCs", "number", (150, 170), baseline=60, profile="NN"),
    ],
    "D-03": [
        K("LDCs receiving targeted assistance", "number", (40, 42)),
        K("Projects completed in LDCs", "number", (12, 15)),
    ],
    "D-04": [
        K("Regional initiatives under implementation", "number", (30, 35)),
        K("Funds mobilized for initiatives", "thousand CHF", (5000, 6000), baseline=800,
          profile="NN"),
    ],
    "D-05": [
        K("TDAG recommendations implemented", "%", 80, baseline=50),
        K("Participants in TDAG", "number", (120, 130)),
    ],
    "D-06": [
        K("Regulators attending GSR", "number", (120, 130), baseline=100),
        K("Countries reviewing their regulatory framework with BDT assistance", "number",
          (20, 25)),
        K("ICT Regulation Toolkit modules published", "number", (3, 2)),
    ],
    "D-07": [
        K("Countries assisted with network planning", "number", (25, 28)),
        K("Broadband wireless pilot projects", "number", (6, 8)),
    ],
    "D-08": [
        K("National e-strategies supported", "number", (12, 15)),
        K("Cybersecurity assessments carried out", "number", (10, 12)),
    ],
    "D-09": [
        K("Tariff and cost studies delivered", "number", 8),
        K("Countries assisted with cost models", "number", (15, 18)),
    ],
    "D-10": [
        K("Participants trained", "number", (7500, 8000), baseline=5000, fmt="comma"),
        K("Centres of Excellence courses delivered", "number", (140, 150)),
        K("Women among participants trained", "%", 40, baseline=30),
    ],
    "D-11": [
        K("Economies covered by the ICT Indicators database", "number", 200, baseline=180),
        K("Weeks late in publishing statistical reports", "weeks", 2, baseline=8, lower=True,
          profile="?-"),
    ],
    "D-12": [
        K("Partnership agreements signed", "number", (15, 18)),
        K("Private-sector funding secured", "thousand CHF", (3000, 3500), profile="?-"),
    ],
    "D-13": [
        K("Countries assisted", "number", (80, 85)),
        K("Requests for direct assistance answered", "%", 90, baseline=75),
        K("Emergency telecommunication deployments", "number", 10),
    ],
    # ---- Intersectoral (GS)
    "INT-01": [
        K("PP-06 decisions under implementation", "%", (70, 90), baseline=40),
        K("Member States ratifying the PP-06 instruments", "number", (60, 80), baseline=20,
          profile="NN"),
        K("PP-10 preparatory documents issued on time", "%", (None, 90)),
    ],
    "INT-02": [
        K("Council documents published on time", "%", 90, baseline=70),
        K("Council working group meetings held", "number", (12, 14)),
    ],
    "INT-03": [
        K("Audit recommendations implemented", "%", 80, baseline=50, profile="AA"),
        K("Documents translated on time", "%", 90, baseline=70, profile="PP"),
        K("Visits to the ITU website", "millions", (30, 34), profile="?-"),
    ],
    "INT-04": [
        K("WSIS stocktaking entries", "number", (3000, 3500), baseline=2500),
        K("Action line facilitation meetings held", "number", (11, None)),
        K("WSIS Forum participants", "number", (None, 700)),
    ],
    "INT-05": [
        K("Visitors to ITU TELECOM Asia", "number", (20000, None)),
        K("Visitors to ITU TELECOM World", "number", (None, 40000)),
        K("Exhibitors", "number", (250, 500)),
        K("Net revenue", "thousand CHF", (1500, 3000)),
    ],
    "INT-06": [
        K("Informal experts group meetings held", "number", 2),
        K("Contributions to the Secretary-General's report", "number", (40, None)),
        K("Member States represented at WTPF-09", "number", (None, 110)),
        K("Opinions adopted", "number", (None, 6)),
    ],
    "INT-07": [
        K("Expert group meetings on the ITRs held", "number", (2, 3)),
        K("Contributions received on the ITRs", "number", (40, 50), baseline=5, profile="NN"),
    ],
    "INT-08": [
        K("Intersectoral coordination meetings held", "number", 12),
        K("Joint activities between Sectors", "number", (8, 10)),
    ],
}

# Budget per output, thousands of CHF: one number for both years or a pair (2008, 2009).
BUDGETS: dict[str, Any] = {
    "R-01": (4800, 3900), "R-02": 1200, "R-03": 7500, "R-04": 3500, "R-05": 5000, "R-06": 2200,
    "R-07": 1300, "R-08": 900, "R-09": 600, "R-10": 400, "R-11": 1100, "R-12": 500,
    "T-01": (1500, 600), "T-02": (300, 150), "T-03": 600, "T-04": 6500, "T-05": 700,
    "T-06": 1400, "T-07": 900, "T-08": 500, "T-09": 600, "T-10": 150, "T-11": 100, "T-12": 800,
    "D-01": (900, 1800), "D-02": 1500, "D-03": 2500, "D-04": 3000, "D-05": 400, "D-06": 1500,
    "D-07": 3500, "D-08": 2500, "D-09": 1200, "D-10": 4000, "D-11": 1600, "D-12": 1200,
    "D-13": 5000,
    "INT-01": (2500, 4000), "INT-02": 6000, "INT-03": 38000, "INT-04": 1500,
    "INT-05": (5000, 8000), "INT-06": (300, 1200), "INT-07": 400, "INT-08": 700,
}
# Execution rates fixed for the illustration (others are drawn between 0.82 and 1.06).
FORCED_EXECUTION = {
    ("R-01", 2008): 1.13, ("D-04", 2008): 0.66,
    ("R-03", 2009): 1.16, ("R-02", 2009): 0.55,
    ("T-07", 2009): 1.14, ("T-02", 2009): 0.60,
    ("D-06", 2009): 1.18, ("D-09", 2009): 0.62,
    ("INT-05", 2009): 1.12, ("INT-07", 2009): 0.50,
}

PROPOSALS: dict[tuple[str, int], list[tuple[str, str, str]]] = {
    ("BR", 2008): [
        ("WRC-07", "R-01", "Allow for the preparatory studies on the WRC-11 agenda items set "
                           "by WRC-07 in the study group output targets."),
        ("RAG", "R2", "Give priority to clearing the backlog of space notices before new "
                      "software projects."),
        ("PP-06", "", "Report the cost of each output alongside its KPIs so that the plan and "
                      "the budget can be read together."),
    ],
    ("BR", 2009): [
        ("RAG", "R-03", "Set an interim target of 12 months for processing space notices and "
                        "review it after the new software is deployed."),
        ("RAG", "R-12", "Hold one more regional seminar per year in regions with LDCs."),
        ("Council 2009", "R4", "Extend the online publication of ITU-R texts free of charge."),
    ],
    ("TSB", 2008): [
        ("WTSA-08", "T-04", "Restructure the study groups as decided by WTSA-08 and update the "
                            "output targets accordingly."),
        ("TSAG", "T3", "Add a KPI on participation of developing countries in ITU-T work."),
    ],
    ("TSB", 2009): [
        ("TSAG", "Promotion", "Target promotion at academia and small and medium enterprises "
                              "to reverse the decline in Sector Members."),
        ("TSAG", "T-12", "Fund the Bridging the Standardization Gap programme from the regular "
                         "budget."),
        ("Council 2009", "", "Align the output targets with the biennial budget 2010-2011."),
    ],
    ("BDT", 2008): [
        ("TDAG", "D-04", "Report funds mobilized per regional initiative."),
        ("TDAG", "D3", "Measure capacity building by participants trained and by their "
                       "satisfaction."),
    ],
    ("BDT", 2009): [
        ("TDAG", "D-10", "Move more training courses online through the Centres of Excellence."),
        ("TDAG", "D6", "Strengthen the collection of ICT statistics in LDCs before WTDC-10."),
        ("Council 2009", "G3", "Show in the report how ITU-D outputs contribute to bridging the "
                               "digital divide."),
        ("TDAG", "", "Prepare the next operational plan with the Member States' regional "
                     "priorities."),
    ],
    ("GS", 2008): [
        ("PP-06", "INT-03", "Introduce results-based budgeting linked to the outputs of the plan."),
        ("Council 2008", "INT1", "Publish Council documents at least four weeks before each "
                                 "session."),
    ],
    ("GS", 2009): [
        ("Council 2009", "INT-01", "Start the preparations for PP-10 with regional meetings."),
        ("Council 2009", "INT-05", "Review the financial model of ITU TELECOM events."),
        ("PP-06", "G7", "Report progress on the implementation of the WSIS outcomes every year."),
    ],
}

HIGHLIGHTS: dict[tuple[str, int], list[tuple[str, str]]] = {
    ("BR", 2008): [
        ("R-01", "The Final Acts of WRC-07 were published in all six languages."),
        ("R-06", "Radio Regulations 2008 edition made available free of charge online."),
    ],
    ("BR", 2009): [
        ("R-03", "New space notices software (SpaceCap) released to administrations."),
        ("R1", "Preparations for WRC-12 began: the first CPM texts were drafted."),
        ("", "All BR publications now on line."),
    ],
    ("TSB", 2008): [
        ("T-01", "WTSA-08 held in Johannesburg, the first in Africa."),
        ("T-04", "{n} Recommendations approved, most of them under the alternative approval "
                 "process."),
    ],
    ("TSB", 2009): [
        ("T-05", "Workshops on ICT and climate change held in three regions."),
        ("T6", "The Bridging the Standardization Gap programme assisted {n} countries."),
    ],
    ("BDT", 2008): [
        ("D-06", "GSR-08 in Pattaya attended by a record number of regulators."),
        ("D-11", "Measuring the Information Society report launched."),
    ],
    ("BDT", 2009): [
        ("D-01", "Regional preparatory meetings for WTDC-10 held in {n} of the six regions; the "
                 "others meet early in 2010."),
        ("D-13", "Emergency telecommunication equipment deployed after disasters in Asia and "
                 "the Pacific."),
        ("D4", "ICT Development Index published for 154 economies."),
    ],
    ("GS", 2008): [
        ("INT-05", "ITU TELECOM Asia 2008 held in Bangkok."),
        ("INT-04", "The WSIS stocktaking database reached {n} entries."),
    ],
    ("GS", 2009): [
        ("INT-06", "WTPF-09 held in Lisbon, adopting {n} Opinions."),
        ("INT-05", "ITU TELECOM World 2009 held in Geneva."),
        ("G1", "Council 2009 approved the Union's financial plan arrangements."),
    ],
}

# The KPI whose actual a highlight quotes as {n}: (bureau, year, refers to) -> (output, KPI name).
HIGHLIGHT_FIGURES = {
    ("TSB", 2008, "T-04"): ("T-04", "Recommendations approved"),
    ("TSB", 2009, "T6"): ("T-12", "Countries assisted under Bridging the Standardization Gap"),
    ("BDT", 2009, "D-01"): ("D-01", "Regional preparatory meetings held"),
    ("GS", 2008, "INT-04"): ("INT-04", "WSIS stocktaking entries"),
    ("GS", 2009, "INT-06"): ("INT-06", "Opinions adopted"),
}

# The proposals' own references (contract 8.2): the body's prefix, the year, a number.
REF_PREFIXES = {"RAG": "RAG", "TSAG": "TSAG", "TDAG": "TDAG", "Council 2008": "C08", "Council 2009": "C09",
                "PP-06": "PP-06", "WRC-07": "WRC-07", "WTSA-08": "WTSA-08"}

# The General Secretariat's Financial situation, thousands of CHF (format.FINANCIAL_ITEMS).
FINANCIAL_SITUATION = {
    2008: {"Assessed contributions billed": 118400, "Assessed contributions received": 112600,
           "Arrears": 16300, "Reserve Account balance": 27900, "Cost-recovery income": 21800,
           "Extra-budgetary funds": 34500},
    2009: {"Assessed contributions billed": 119200, "Assessed contributions received": 110900,
           "Arrears": 18700, "Reserve Account balance": 24300, "Cost-recovery income": 22600,
           "Extra-budgetary funds": 36100},
}

COMMENTS = {
    "A": ["On track", "Target exceeded", "Met in full", "Ahead of plan"],
    "P": ["Some activities postponed to next year", "Slower progress than planned",
          "Partly delayed by staff vacancies", "Budget constraints"],
    "N": ["Delayed by staff vacancies", "Backlog carried over from the previous year",
          "Extra-budgetary funding not received", "Activities rescheduled"],
    "-": ["Figures not yet available", "Data to come with the next return",
          "Survey still under way"],
}
COMMENT_CHANCE = {"A": 0.25, "P": 0.45, "N": 0.8, "-": 1.0}
HTML_COMMENT = ("Layout tool changed mid-year; times recovered in the fourth quarter", "R-06",
                "Average time to publish", "BR", 2009)

ACHIEVEMENT_RANGES = {"A": (1.0, 1.25), "P": (0.55, 0.95), "N": (0.2, 0.45)}


# --------------------------------------------------------------------------------------------
# Figures

def achievement(kpi: Kpi, target: float, actual: float) -> float:
    """Contract section 3."""
    base = kpi.baseline
    if kpi.lower:
        num, den = ((base - actual), (base - target)) if base is not None else (target, actual)
        meets = actual <= target
    else:
        num, den = ((actual - base), (target - base)) if base is not None else (actual, target)
        meets = actual >= target
    if den == 0:
        return 1.0 if meets else 0.0
    return num / den


def category(value: float) -> str:
    return "A" if value >= 1 else "P" if value >= 0.5 else "N"


def _round(unit: str, value: float) -> float | int:
    if unit in ("months", "millions"):
        return round(value, 1)
    return int(round(value))


def draw_actual(kpi: Kpi, target: float, wanted: str, rng: random.Random) -> float | int:
    """An actual whose achievement falls in the wanted category (A, P or N)."""
    low, high = ACHIEVEMENT_RANGES[wanted]
    for _ in range(100):
        a = rng.uniform(low, high)
        base = kpi.baseline
        if kpi.lower:
            value = base - a * (base - target) if base is not None else target / a
        else:
            value = base + a * (target - base) if base is not None else a * target
        if kpi.unit == "%":
            value = min(value, 100)
        value = max(_round(kpi.unit, value), 0)
        if kpi.lower and value == 0:
            continue
        if category(achievement(kpi, target, value)) == wanted:
            return value
    raise AssertionError(f"cannot draw a {wanted} actual for {kpi.name!r}")


def pick_status(kpi: Kpi, year: int, rng: random.Random) -> str:
    wanted = kpi.profile_in(year)
    if wanted != "?":
        return wanted
    wanted = rng.choices("APN", weights=(45, 40, 15))[0]
    if wanted == "N" and kpi.baseline is None and kpi.unit == "%":
        wanted = "P"  # 40 % of documents on time would not be credible
    return wanted


def as_cell(value: float | int | None, unit: str, fmt: str | None,
            rng: random.Random) -> Any:
    """A number as Bureau staff would type it: mostly numeric cells, sometimes text."""
    if value is None:
        return None
    roll = rng.random()
    if isinstance(value, int) and value >= 1000 and (fmt == "comma" or roll < 0.3):
        return f"{value:,}"
    if isinstance(value, int) and value >= 1000 and roll < 0.36:
        return f"{value:,}".replace(",", " ")
    if unit == "%" and roll < 0.3:
        return f"{value:g}%"
    if isinstance(value, int) and value < 1000 and roll > 0.94:
        return f" {value} "
    return value


# --------------------------------------------------------------------------------------------
# Workbook content

@dataclass
class Sheets:
    """Rows of each sheet, row 1 first; None is an empty cell."""

    about: list[list[Any]]
    kpis: list[list[Any]]
    finance: list[list[Any]]
    proposals: list[list[Any]]
    highlights: list[list[Any]]
    financial: list[list[Any]]

    def items(self) -> list[tuple[str, list[list[Any]]]]:
        rows = (self.about, self.kpis, self.finance, self.proposals, self.highlights, self.financial)
        return [(sheet.name, sheet_rows) for sheet, sheet_rows in zip(format.SHEETS, rows) if sheet_rows]


def measured_objectives(code: str, index: int) -> str | None:
    """The objective(s) the `index`-th KPI of an output measures (contract 8.1): for an output
    serving several objectives, one or two of them in turn, so that objectives and goals are
    measured by different KPIs; None (all of them) for an output serving one."""
    objectives = _plan().output(code).objectives
    if len(objectives) == 1:
        return None
    first = objectives[index % len(objectives)]
    second = objectives[(index + 2) % len(objectives)]
    return first if index % 3 or second == first else f"{first}, {second}"


def _plan():
    from reportgen.plan.loader import load_plan

    global _PLAN
    if _PLAN is None:
        _PLAN = load_plan()
    return _PLAN


_PLAN = None


def file_name(bureau: str, year: int) -> str:
    return f"{bureau}_{year}.xlsx"


def seed(bureau: str, year: int) -> int:
    return BUREAUX[bureau][3] * 10000 + year


def outputs_of(bureau: str) -> list[str]:
    sector = BUREAUX[bureau][0]
    return [code for code in OUTPUTS if sector_of_output(code) == sector]


def label_for(code: str, year: int, rng: random.Random) -> str:
    if (code, year) in FORCED_LABELS:
        return FORCED_LABELS[(code, year)]
    if code not in NAMED_OUTPUTS:
        return code
    style = rng.choice(["code", "code", "name", "name", "lower"])
    name = OUTPUTS[code]
    return code if style == "code" else name if style == "name" else name.lower()


def build(bureau: str, year: int) -> tuple[Sheets, list[dict[str, Any]]]:
    """The rows of one workbook and the deliberate flaws in it (2009 only)."""
    sector, bureau_name, office, _, sector_title = BUREAUX[bureau]
    rng = random.Random(seed(bureau, year))
    fname = file_name(bureau, year)
    flawed = year == FLAW_YEAR
    flaws: list[dict[str, Any]] = []

    def flaw(sheet: str, row: int, column: str, kind: str, severity: str = "error",
             value: Any = None) -> None:
        flaws.append({"file": fname, "sheet": sheet, "row": row, "column": column,
                      "kind": kind, "severity": severity, "value": value})

    about_values = {"bureau": bureau, "year": year, "prepared_by": office, "date": RETURN_DATES[year],
                    "data_status": "illustrative"}
    about = [[column.header, about_values[column.field]] for column in format.ABOUT.columns
             if column.field in about_values]

    labels = {code: label_for(code, year, rng) for code in outputs_of(bureau)}
    header = list(KPI_HEADER)
    if flawed and bureau == "GS":
        header.append("Notes")
        flaw("KPIs", KPI_HEADER_ROW, "Notes", "unknown column", "warning", "Notes")
    kpis: list[list[Any]] = [
        [f"{sector_title} key performance indicators, {year} (illustrative)"],
        [],
        header,
    ]

    def add(row: list[Any]) -> int:
        kpis.append(row + [None] * (len(header) - len(row)))
        return len(kpis)

    duplicate_row: list[Any] | None = None
    actuals: dict[tuple[str, str], Any] = {}
    for code in outputs_of(bureau):
        for index, kpi in enumerate(CATALOGUE[code]):
            target = kpi.target_in(year)
            if target is None:
                continue
            status = pick_status(kpi, year, rng)
            actual = None if status == "-" else draw_actual(kpi, target, status, rng)
            comment = None
            if rng.random() < COMMENT_CHANCE[status]:
                comment = rng.choice(COMMENTS[status])
            if (comment is None and status == "N" and kpi.profile == "NN"
                    and year == YEARS[-1]):
                comment = "Not achieved for the second year running"
            text, h_code, h_kpi, h_bureau, h_year = HTML_COMMENT
            if (code, kpi.name, bureau, year) == (h_code, h_kpi, h_bureau, h_year):
                comment = text
            direction = "lower" if kpi.lower else rng.choice(["higher", "higher", None])
            actuals[(code, kpi.name)] = actual
            row = [labels[code], kpi.name, kpi.unit,
                   as_cell(kpi.baseline, kpi.unit, kpi.fmt, rng),
                   as_cell(target, kpi.unit, kpi.fmt, rng),
                   as_cell(actual, kpi.unit, kpi.fmt, rng),
                   direction, comment, measured_objectives(code, index)]
            row += [None] * (len(header) - len(row))
            if flawed and bureau == "BR" and code == "R-05" and kpi.name.startswith("Documents"):
                row[4] = "n/a"
                row[7] = "Target to be set by the study groups"
                flaw("KPIs", add(row), "Target", "not a number", value="n/a")
                continue
            if flawed and bureau == "TSB" and code == "T-01" and kpi.name.startswith("Follow-up"):
                row[6] = "up"
                flaw("KPIs", add(row), "Direction", "bad direction", value="up")
                continue
            if (flawed and bureau == "TSB" and code == "T-04"
                    and kpi.name == "Recommendations approved"):
                flaw("KPIs", add(row), "KPI", "duplicate KPI", value=kpi.name)
                duplicate_row = list(row)
                duplicate_row[5] = actual + 7  # typed again later, with a newer count
                duplicate_row[7] = "Updated figure"
                continue
            if flawed and bureau == "GS" and code == "INT-03" and kpi.name.startswith("Documents"):
                row[5] = "about 90"
                row[header.index("Notes")] = "figure from the translation service, to be confirmed"
                flaw("KPIs", add(row), "Actual", "not a number", value="about 90")
                continue
            if flawed and bureau == "GS" and code == "INT-05" and kpi.name == "Exhibitors":
                row[header.index("Notes")] = "final count in March"
            add(row)
        if flawed and bureau == "TSB" and code == "T-06" and duplicate_row is not None:
            flaw("KPIs", add(duplicate_row), "KPI", "duplicate KPI", value=duplicate_row[1])
        if flawed and bureau == "BDT" and code == "D-10":
            row = [labels[code], None, "number", None, 25, 19, None, "E-learning courses"]
            flaw("KPIs", add(row), "KPI", "missing KPI name", value=None)
    if flawed and bureau == "BR":
        row = ["Radio Spectrum Forum", "Participants", "number", None, 300, 340, "higher",
               "Held jointly with the regional seminar"]
        flaw("KPIs", add(row), "Output", "unknown output", value=row[0])
    if flawed and bureau == "BDT":
        row = ["T-04", "Contributions received from developing countries", "number", None, 120,
               96, None, "Copied from the joint ITU-T/ITU-D report"]
        flaw("KPIs", add(row), "Output", "other sector's output", value="T-04")

    finance: list[list[Any]] = [list(format.FINANCE.headers(SAMPLE_VERSION))]
    for code in outputs_of(bureau):
        planned = BUDGETS[code]
        planned = planned[YEARS.index(year)] if isinstance(planned, tuple) else planned
        budget = int(round(planned * rng.uniform(0.96, 1.04), -1))
        rate = FORCED_EXECUTION.get((code, year)) or rng.uniform(0.82, 1.06)
        expenditure = int(round(budget * rate))
        finance.append([labels[code], budget, as_cell(expenditure, "", None, rng)])

    proposals: list[list[Any]] = [list(format.PROPOSALS.headers(SAMPLE_VERSION))]
    proposals += [[source, refers or None, text, proposal_ref(bureau, year, index)]
                  for index, (source, refers, text) in enumerate(PROPOSALS[(bureau, year)])]
    highlights: list[list[Any]] = [list(format.HIGHLIGHTS.headers(SAMPLE_VERSION))]
    for refers, text in HIGHLIGHTS[(bureau, year)]:
        figure = HIGHLIGHT_FIGURES.get((bureau, year, refers))
        if figure is not None:
            text = text.format(n=f"{actuals[figure]:,}")  # the highlight says what the KPI says
        highlights.append([refers or None, text])
    financial: list[list[Any]] = []
    if bureau in format.FINANCIAL_SITUATION.bureaux:
        financial = [list(format.FINANCIAL_SITUATION.headers(SAMPLE_VERSION))]
        financial += [[item, amount] for item, amount in FINANCIAL_SITUATION[year].items()]

    return Sheets(about, kpis, finance, proposals, highlights, financial), flaws


def proposal_ref(bureau: str, year: int, index: int) -> str:
    """The reference of the `index`-th proposal of a bureau's return, e.g. RAG/2009/1: numbered
    per body and year across all the returns (a Council decision is one series), so unique."""
    source = PROPOSALS[(bureau, year)][index][0]
    before = [s for b in BUREAUX for s, _, _ in PROPOSALS[(b, year)][:index if b == bureau else None]
              if list(BUREAUX).index(b) <= list(BUREAUX).index(bureau)]
    earlier = before.count(source)
    return f"{REF_PREFIXES.get(source, source)}/{year}/{earlier + 1}"


# --------------------------------------------------------------------------------------------
# Writing

COLUMN_WIDTHS = {
    "About": [16, 48],
    "KPIs": [28, 58, 14, 11, 11, 11, 11, 44, 14, 40],
    "Finance": [28, 12, 14],
    "Proposals": [14, 12, 90, 16],
    "Highlights": [12, 90],
    "Financial situation": [34, 14],
}


def workbook_bytes(sheets: Sheets, bureau: str) -> bytes:
    """The workbook as xlsx bytes, with fixed properties and zip timestamps."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.xml.functions import tostring

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
        for c, width in enumerate(COLUMN_WIDTHS[title], start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        if title == format.KPIS.name:
            ws["A1"].font = Font(bold=True, size=13)
            for cell in ws[KPI_HEADER_ROW]:
                cell.font = Font(bold=True)
        elif title != format.ABOUT.name:
            for cell in ws[1]:
                cell.font = Font(bold=True)
    wb[format.ABOUT.name]["B4"].number_format = "yyyy-mm-dd"

    props = wb.properties
    props.creator = BUREAUX[bureau][2]
    props.lastModifiedBy = BUREAUX[bureau][2]
    props.title = f"{bureau} return (illustrative)"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME

    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps `modified` with the current time: put ours back below
    props.modified = FIXED_TIME
    core_xml = tostring(props.to_tree())
    return _normalise_zip(buffer.getvalue(), {"docProps/core.xml": core_xml})


def _normalise_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """Rewrite a zip with fixed entry timestamps, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = replace.get(info.filename, src.read(info.filename))
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def generate(out: Path | str) -> list[Path]:
    """Write every sample workbook under `out`; returns the paths written."""
    out = Path(out)
    written = []
    for year in YEARS:
        folder = out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        for bureau in BUREAUX:
            sheets, _ = build(bureau, year)
            path = folder / file_name(bureau, year)
            path.write_bytes(workbook_bytes(sheets, bureau))
            written.append(path)
    written.append(write_secretariat(out))
    return written


# The General Secretariat's strategic planning unit's inputs for 2009 (contract 8.3): the
# Secretary-General's positions on the proposals (one deliberately left to be stated), what became
# of the 2008 recommendations, the ICT environment, and no change to the conference calendar.
SECRETARIAT_2009 = """\
# Secretariat inputs for the 2009 report (illustrative): see contract section 8.3.
positions:
  RAG/2009/1:
    stance: support-with-changes
    reason: an interim target is right, but at the level the 2008 and 2009 results support (11 months), reviewed once SpaceCap is in use
  RAG/2009/2:
    stance: not-supported
    reason: no budget is available in 2010-2011; seminars will be combined with ITU-D regional events instead
  C09/2009/1:
    stance: support
    reason: free online access is already budgeted for 2010
  TSAG/2009/1: {stance: support, reason: within the existing promotion budget}
  TSAG/2009/2:
    stance: support-with-changes
    reason: from the regular budget for coordination only; projects remain funded by voluntary contributions
  C09/2009/3: {stance: support, reason: the next report will show it by goal}
  TDAG/2009/1: {stance: support, reason: "courses move online as Centres of Excellence renew their agreements"}
  TDAG/2009/2: {stance: support, reason: WTDC-10 will be asked to endorse it}
  TDAG/2009/3: {stance: noted, reason: the operational plan follows the Council's decisions on the financial plan}
  C09/2009/2: {stance: noted, reason: the 2010-2011 targets will be set with the biennial budget in the operational plans}
  C09/2009/4: {stance: support, reason: regional preparatory meetings are in the 2010 operational plan}
  PP-06/2009/1: {stance: support, reason: the WSIS outcomes are reported every year under INT-04}
  # C09/2009/5 (ITU TELECOM's financial model): position to be stated by the drafting unit.
follow_up:
  2008-R-01: adopted
  2008-D-04: adopted
  2008-INT4: deferred
  2008-T3: rejected
environment:
  - "Mobile subscriptions passed 4.6 billion in 2009, while fixed broadband remained below 2 per 100 inhabitants in the least developed countries: the digital divide is narrowing in access but widening in speed."
  - "The financial crisis reduced private-sector investment in networks and the number of Sector Members, which weighs on ITU-T and ITU-D cost recovery."
  - "Preparations for WRC-12 and WTDC-10 and the approach of PP-10 raise the workload of the Bureaux and of the General Secretariat in 2010."
"""


def write_secretariat(out: Path) -> Path:
    path = out / "2009" / "secretariat.yaml"
    path.write_text(SECRETARIAT_2009, encoding="utf-8")
    return path


def _all_flaws() -> list[dict[str, Any]]:
    return [f for year in YEARS for bureau in BUREAUX for f in build(bureau, year)[1]]


DELIBERATE_FLAWS: list[dict[str, Any]] = _all_flaws()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="inputs",
                        help="folder that holds the year folders (default: inputs)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    for f in DELIBERATE_FLAWS:
        print(f"deliberate flaw: {f['file']}:{f['sheet']}:{f['row']}:{f['column']}: {f['kind']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
