"""The consolidated data workbook `data-<YEAR>.xlsx`: every figure of the report as plain
tables, for analysts and as evidence embedded in the archival PDF.

The returns' sheets (KPIs, Finance, Objectives, Goals) are written from the frames the report
model was computed from (`frames.data_sheets`); the advice's sheets and the problems from the
report's JSON form, where they are in English. Given the JSON alone (no frames), every sheet is
written from it, with the same columns.

Written deterministically (fixed document properties and zip timestamps) so that the same
inputs give the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime
from typing import Any

from reportgen import format
from reportgen.model import ReportModel

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# What no workbook can hold (XML 1.0). Validate already replaces these in the returns' texts;
# this is the guard that keeps any other text (a file name, a message) from stopping the build.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _fields(sheet: format.Sheet, computed: tuple[str, ...]) -> list[str]:
    """The columns of a data-workbook sheet: the return's columns (format.py), by their field
    names, then what the build computes (a field in both stands once, with the computed value)."""
    return [f for f in sheet.fields if f not in computed] + list(computed)


def _listed(value: Any) -> Any:
    return ", ".join(value) if isinstance(value, list) else value


def _sheets(report: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Rows per sheet, header first, from the report's JSON form alone."""
    kpi_columns = ["bureau", "sector", *_fields(format.KPIS, ("achievement", "status", "objectives", "goals"))]
    finance_columns = _fields(format.FINANCE, ("execution",))
    statuses = list(format.STATUSES)
    return {
        "KPIs": [kpi_columns + ["file", "sheet", "row"]] + [
            [_listed(k.get(c)) for c in kpi_columns]
            + [k["source"]["file"], k["source"]["sheet"], k["source"]["row"]]
            for k in report["kpis"]],
        "Finance": [finance_columns + ["file", "sheet", "row"]] + [
            [f.get(c) for c in finance_columns]
            + [f["source"]["file"], f["source"]["sheet"], f["source"]["row"]] for f in report["finance"]],
        "Objectives": [["code", "sector", *statuses, "budget", "expenditure", "execution"]] + [
            [o["code"], o["sector"], *[o["status_counts"][s] for s in statuses], o["budget"],
             o["expenditure"], o["execution"]] for o in report["objectives"]],
        "Goals": [["code", "objectives", *statuses]] + [
            [g["code"], ", ".join(g["objectives"]), *[g["status_counts"][s] for s in statuses]]
            for g in report["goals"]],
        **_advice_sheets(report),
    }


def _frame_sheets(tables: Any, year: int, report: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """Rows per sheet, header first: the returns' sheets from the frames, the rest from the JSON."""
    from reportgen.pipeline.frames import data_sheets

    found = {name: _rows(frame) for name, frame in data_sheets(tables, year).items() if name != "Problems"}
    return {**found, **_advice_sheets(report)}


def _rows(frame: Any) -> list[list[Any]]:
    """A frame as header and rows of plain Python values; a missing value (NaN, NA) is None,
    an empty cell."""
    import numpy as np
    import pandas as pd

    def plain(value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if value is pd.NA:
            return None
        if isinstance(value, (float, np.floating)):
            return None if math.isnan(value) else float(value)
        if isinstance(value, np.integer):
            return int(value)
        return value

    return [list(frame.columns)] + [[plain(v) for v in row] for row in frame.itertuples(index=False)]


def _advice_sheets(report: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The recommendations, draft decisions, requests for data and problems, as the JSON has them."""
    return {
        "Recommendations": [["priority", "id", "rule", "refers_to", "change", "text", "evidence"]] + [
            [r["priority"], r["id"], r["rule"], r["refers_to"], r["proposed_change"]["kind"], r["text"],
             "; ".join(":".join(str(v) for v in e.values() if v is not None) for e in r["evidence"])]
            for r in report["recommendations"]],
        "Decisions": [["decision", "recommendations"]] + [
            [d["text"], ", ".join(d["recommendations"])] for d in report["decisions"]],
        "Data requests": [["bureau", "refers_to", "text", "evidence"]] + [
            [d["bureau"], d["refers_to"], d["text"],
             "; ".join(":".join(str(v) for v in e.values() if v is not None) for e in d["evidence"])]
            for d in report["data_requests"]],
        "Problems": [["severity", "file", "sheet", "row", "column", "message"]] + [
            [p["severity"], p["file"], p["sheet"], p["row"], p["column"], p["message"]]
            for p in report["problems"]],
    }


def data_workbook(model: ReportModel, report: dict[str, Any], tables: Any = None) -> bytes:
    """The workbook's bytes. `tables`: the `frames.Tables` the model was computed from (the
    build gives them); without them, the returns' sheets come from the JSON too."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # Write-only: rows are streamed out rather than kept as cell objects (a large report's data
    # workbook need not sit in memory twice).
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    sheets = _sheets(report) if tables is None else _frame_sheets(tables, model.year, report)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        header, *body = rows
        sheet.append([_cell(sheet, value, bold) for value in header])
        for row in body:
            sheet.append([_cell(sheet, value) if isinstance(value, str) and (value.startswith("=") or
                                                                           not value.isprintable()) else value
                          for value in row])
    when = _when(model.report_date)
    properties = workbook.properties
    properties.title = f"Progress report on the {model.plan.title}, {model.year}: data"
    properties.creator = "reportgen"
    properties.created = when
    from openpyxl.xml.functions import tostring

    buffer = io.BytesIO()
    workbook.save(buffer)
    properties.modified = when  # openpyxl stamps the save time: put ours back
    return _normalise_zip(buffer.getvalue(), {"docProps/core.xml": tostring(properties.to_tree())})


def _when(report_date: str | None) -> datetime:
    """The workbook's date: the report's, or a fixed one when there is none or it is not a
    date (validate warns at such a Date; whatever reaches here, the build goes on)."""
    try:
        return datetime.combine(date.fromisoformat((report_date or "")[:10]), datetime.min.time())
    except ValueError:
        return datetime(2000, 1, 1)


def _cell(sheet: Any, value: Any, font: Any = None) -> Any:
    """A cell written as given: workbook text that looks like a formula stays text, never a
    live formula; a character no workbook can hold becomes a space."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) and not value.isprintable():
        value = _ILLEGAL.sub(" ", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _normalise_zip(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, replace.get(info.filename, source.read(info.filename)))
    return out.getvalue()
