"""The configuration files a user writes: the rules file (`--rules`), `inputs/report.yaml` and the
plan file (`--plan`). Each problem is named with its file, its line and a fix; every problem of
all three comes out at once, before any workbook is read (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.errors import ConfigError, ReportgenError
from reportgen.options import Options
from reportgen.plan.loader import plan_path
from reportgen.pipeline.configuration import ConfigurationError, load_configuration
from reportgen.settings import Thresholds, load_document_settings, load_thresholds

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def only_problem(error: pytest.ExceptionInfo) -> object:
    assert len(error.value.problems) == 1, str(error.value)
    return error.value.problems[0]


# ------------------------------------------------------------------------------- the rules file

@pytest.mark.parametrize("text, line, words", [
    # issue 16: accepted, and then no KPI was ever achieved
    ("achieved: .nan\n", 1, "'achieved' is .nan, not a number"),
    # issue 16: accepted
    ("overspend: 1.2\nachieved: .inf\n", 2, "'achieved' is .inf: it must be a finite number"),
    ("underspend: -.inf\n", 1, "'underspend' is -.inf: it must be a finite number"),
    # issue 16: OverflowError
    ("review_min_reported: .inf\n", 1, "'review_min_reported' is .inf: it must be a finite number"),
    ("review_min_reported: 2.5\n", 1, "it counts KPIs, so it must be a whole number"),
    ("review_min_reported: 0\n", 1, "'review_min_reported' is 0: it must be at least 1"),
    ("achieved: 0\n", 1, "'achieved' is 0: it must be above 0"),
    ("partially_achieved: -0.1\n", 1, "'partially_achieved' is -0.1: it must be at least 0"),
    ("overspend: 0.9\n", 1, "'overspend' is 0.9: it must be at least 1"),
    ("underspend: 1.5\n", 1, "'underspend' is 1.5: it must be at most 1"),
    ("review_share_not_achieved: 2\n", 1, "'review_share_not_achieved' is 2: it must be at most 1"),
    ("achieved: yes\n", 1, "'achieved' is true, not a number"),
    ("achieved: 95%\n", 1, "'achieved' is '95%', not a number"),
    ("achieved: [1, 2]\n", 1, "'achieved' is a list [1, 2], not a number"),
    ("# thresholds\n\nachieved: 0.4\n", 3, "'partially_achieved' (0.5) is above 'achieved' (0.4)"),
    ("overspend: 1.2\nacheived: 0.9\n", 2, "unknown setting 'acheived'"),
])
def test_a_bad_threshold_is_named_with_its_line_and_how_to_fix_it(tmp_path, text, line, words):
    rules = write(tmp_path / "rules.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_thresholds(rules)
    problem = only_problem(error)
    assert (problem.file, problem.line) == (str(rules), line)
    assert words in problem.message
    assert problem.fix
    assert str(error.value).startswith(f"{rules}:{line}: {problem.message} (")


def test_an_unknown_threshold_suggests_the_closest_name(tmp_path):
    rules = write(tmp_path / "rules.yaml", "acheived: 0.9\n")
    with pytest.raises(ConfigError, match="did you mean 'achieved'"):
        load_thresholds(rules)


def test_1e308_and_other_exponents_are_numbers(tmp_path):
    """YAML 1.1 reads `1e308` (no dot, no sign) as text: it was refused as "not a number"."""
    rules = write(tmp_path / "rules.yaml", "overspend: 1e308\nachieved: 95e-2\nunderspend: 7E-1\n"
                                           "review-min-reported: 3\n")
    thresholds = load_thresholds(rules)
    assert thresholds == Thresholds(achieved=0.95, overspend=1e308, underspend=0.7, review_min_reported=3)
    assert isinstance(thresholds.review_min_reported, int)


def test_every_problem_of_a_rules_file_at_once(tmp_path):
    rules = write(tmp_path / "rules.yaml", "achieved: .nan\noverspend: 1e308\nunderspend: 2\nfoo: 1\n"
                                           "review_min_reported: .inf\n")
    with pytest.raises(ConfigError) as error:
        load_thresholds(rules)
    assert [p.line for p in error.value.problems] == [1, 3, 4, 5]
    assert str(error.value).count(f"\n  {rules}:") == 4


def test_a_rules_file_that_is_not_utf8_names_the_line_and_says_to_save_it_as_utf8(tmp_path):
    """Issue 16: a Latin-1 rules file gave a UnicodeDecodeError traceback."""
    rules = write(tmp_path / "rules.yaml", "achieved: 0.9\n# seuil révisé\n".encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_thresholds(rules)
    problem = only_problem(error)
    assert problem.line == 2
    assert "not UTF-8" in problem.message and "0xE9" in problem.message
    assert "save it as UTF-8" in problem.fix


@pytest.mark.parametrize("content, line, words", [
    ("achieved: [0.9\n", 2, "not valid YAML"),
    ("achieved: 0.9\nachieved: 0.8\n", 2, "'achieved' is given twice (first on line 1)"),
    ("- 0.9\n", 1, "must hold keys and values"),
    (b"achieved: 0.9\x00\n", 1, "not valid YAML"),
])
def test_a_rules_file_that_is_not_yaml_keys_and_values(tmp_path, content, line, words):
    rules = write(tmp_path / "rules.yaml", content)
    with pytest.raises(ConfigError) as error:
        load_thresholds(rules)
    problem = only_problem(error)
    assert problem.line == line and words in problem.message


def test_a_rules_file_that_is_no_file(tmp_path):
    for path, words in ((tmp_path / "missing.yaml", "there is no rules file here"),
                        (tmp_path, "not a file"), (Path("/dev/zero"), "not a file")):
        with pytest.raises(ConfigError, match=words):
            load_thresholds(path)


# ----------------------------------------------------------------------------- inputs/report.yaml

def test_report_settings_in_latin1_name_the_line(tmp_path):
    """Issue 16: a Latin-1 report.yaml gave a traceback."""
    settings = write(tmp_path / "report.yaml",
                     "document_number: C10/35-{L}\ncouncil: Conseil 2010, séance\n".encode("latin-1"))
    with pytest.raises(ConfigError) as error:
        load_document_settings(settings)
    problem = only_problem(error)
    assert (problem.line, "not UTF-8" in problem.message) == (2, True)


@pytest.mark.parametrize("text, line, words", [
    # issue 16: printed on the cover as "[1, 2]"
    ("document_number: [1, 2]\n", 1, "document_number is a list [1, 2], not one text"),
    ("council: Council 2010\ndocument_number: {a: 1}\n", 2, "document_number is a group of keys {a}, not one text"),
    ("council: [1, 2]\n", 1, "council is a list [1, 2], not one text"),
    ("council:\n  en: Council 2010\n  fr: [Conseil]\n", 3, "council: fr is a list [Conseil], not one text"),
    ("council:\n  en: Council 2010\n  de: Rat 2010\n", 3, "council: 'de' is not a language of the report"),
    ("council: {fr: Conseil 2010}\n", 1, "council gives no English text"),
    # issue 16: both crashed the build
    ("document_number: C10/35\ndate: tomorrow\n", 2, "date is 'tomorrow', not a date written YYYY-MM-DD"),
    ("date: 2009-13-45\n", 1, "date 2009-13-45 is not a day of the calendar"),
    ("date: 2010-02-30\n", 1, "date 2010-02-30 is not a day of the calendar"),
    ("date: 20100115\n", 1, "date is 20100115, not a date written YYYY-MM-DD"),
    ("councl: Council 2010\n", 1, "unknown setting 'councl'"),
    ("council: Council 2010\nagenda_item: [PL 2.3]\n", 2, "agenda_item is a list [PL 2.3], not one text"),
])
def test_a_bad_report_setting_is_named_with_its_line(tmp_path, text, line, words):
    settings = write(tmp_path / "report.yaml", text)
    with pytest.raises(ConfigError) as error:
        load_document_settings(settings)
    problem = only_problem(error)
    assert (problem.file, problem.line) == (str(settings), line)
    assert words in problem.message
    assert problem.fix


def test_good_report_settings(tmp_path):
    settings = write(tmp_path / "report.yaml", "document_number: C10/35-{L}\ndate: 2010-01-15\n"
                                               "council:\n  en: Council 2010\n  fr: Conseil 2010\n")
    document = load_document_settings(settings, council=None)
    assert (document.document_number, document.date) == ("C10/35-{L}", "2010-01-15")
    french = document.for_language("fr")
    assert (french.document_number, french.council) == ("C10/35-F", "Conseil 2010")
    assert load_document_settings(settings, document_number="C10/36").document_number == "C10/36"
    assert load_document_settings(tmp_path / "none.yaml") == load_document_settings(write(tmp_path / "e.yaml", ""))


# ---------------------------------------------------------------- all configuration files at once

def broken_configuration(tmp_path: Path) -> Options:
    inputs = tmp_path / "inputs"
    write(inputs / "report.yaml", "document_number: [1, 2]\ndate: tomorrow\n")
    rules = write(tmp_path / "rules.yaml", "achieved: .nan\n")
    plan = write(tmp_path / "plan.yaml", plan_path().read_text(encoding="utf-8")
                 .replace("period: [2008, 2011]", "period: [2009]"))
    return Options(inputs=inputs, outputs=tmp_path / "outputs", plan_file=plan, rules_file=rules)


def test_every_problem_of_every_configuration_file_together(tmp_path):
    options = broken_configuration(tmp_path)
    with pytest.raises(ConfigurationError) as error:
        load_configuration(options)
    where = [(Path(p.file).name, p.line) for p in error.value.problems]
    assert where == [("plan.yaml", 26), ("rules.yaml", 1), ("report.yaml", 1), ("report.yaml", 2)]
    message = str(error.value)
    assert message.startswith("4 problems in the configuration files; nothing was built:\n")
    assert f"{options.rules_file}:1: 'achieved' is .nan, not a number (write " in message


def test_the_plans_translations_and_calendar_are_checked_with_it(tmp_path):
    """The calendar beside the plan file and the plan's texts in the languages asked for are
    configuration too: a problem in either shows before any workbook is read."""
    plan = write(tmp_path / "plan.yaml", plan_path().read_text(encoding="utf-8"))
    write(tmp_path / "plan.calendar.yaml", "conferences:\n  WRC: [2007, twelve]\n  PP: 2010\n"
                                           "outputs:\n  INT-01: PP\n  R-01: WRX\n  R-99: PP\n")
    write(tmp_path / "plan.fr.yaml", "title: Plan\ngoals:\n  - G1\n")
    options = Options(inputs=tmp_path / "inputs", plan_file=plan, languages=("en", "fr"))
    with pytest.raises(ConfigurationError) as error:
        load_configuration(options)
    assert [(Path(p.file).name, p.line, p.message) for p in error.value.problems] == [
        ("plan.fr.yaml", 2, "'goals' is a list [G1]"),
        ("plan.calendar.yaml", 2, "conference WRC: a list [2007, twelve] is not a year or a list of years"),
        ("plan.calendar.yaml", 6, "output R-01 follows 'WRX', which is not a conference of this calendar"),
        ("plan.calendar.yaml", 7, "output R-99 is not an output of the plan")]
    write(tmp_path / "plan.calendar.yaml", "conferences:\n  PP: [2006, 2010]\noutputs:\n  INT-01: PP\n")
    write(tmp_path / "plan.fr.yaml", "title: Plan\n")
    calendar = load_configuration(options).calendar
    assert (calendar.event_of("INT-01"), calendar.held("PP", 2010), calendar.next_after("PP", 2009)) == ("PP", True, 2010)


def test_a_good_configuration(tmp_path):
    write(tmp_path / "inputs" / "report.yaml", "council: Council 2010\n")
    rules = write(tmp_path / "rules.yaml", "achieved: 0.95\n")
    configuration = load_configuration(Options(inputs=tmp_path / "inputs", rules_file=rules, document_number="C10/35"))
    assert configuration.plan.id == "itu-2008-2011"
    assert configuration.thresholds.achieved == 0.95
    assert (configuration.document.document_number, configuration.document.council) == ("C10/35", "Council 2010")
    with pytest.raises(AttributeError):
        configuration.thresholds = Thresholds()  # type: ignore[misc]


def test_build_shows_every_configuration_problem_before_reading_any_workbook(tmp_path, capsys):
    """No year folder at all: the configuration is checked first, so its problems show, not the
    missing folder; nothing is written and no traceback reaches the user."""
    options = broken_configuration(tmp_path)
    code = main(["build", "--year", "2009", "--inputs", str(options.inputs), "--outputs", str(options.outputs),
                 "--rules", str(options.rules_file), "--plan", str(options.plan_file), "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("reportgen: 4 problems in the configuration files; nothing was built:\n")
    assert f"{options.plan_file}:26: period is a list [2009]" in err
    assert f"{options.inputs / 'report.yaml'}:2: date is 'tomorrow'" in err
    assert "Traceback" not in err and "no folder" not in err
    assert not options.outputs.exists()


def test_a_typo_in_the_rules_file_stops_the_sample_build_with_one_line(tmp_path, capsys):
    rules = write(tmp_path / "rules.yaml", "overspend: 1.2\nachieved: .nan\n")
    code = main(["build", "--year", "2009", "--inputs", str(ROOT / "inputs"), "--outputs", str(tmp_path / "out"),
                 "--rules", str(rules), "--no-pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"reportgen: {rules}:2: 'achieved' is .nan, not a number (write the achievement at or "
                   "above which a KPI is achieved, e.g. 0.95 for 95 %)\n")
    assert not (tmp_path / "out").exists()


def test_config_errors_are_reportgen_errors():
    assert issubclass(ConfigError, ReportgenError)
