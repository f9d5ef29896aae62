#!/usr/bin/python3
"""The department templates in a real headless LibreOffice 7.4 with the
extension installed (tests/office/office_harness.py), on the demo store:

  * every template opens as a new document with its sheets and its report
    definitions; the Vietnamese text arrives intact;
  * every cell templates.json lists as a figure shows what the same function
    shows for the template's inputs written out literally, and the dashboard's
    sales agree with the kpi command;
  * the dashboard's chart reads the attainment report sheet; the scorecard's
    list, lookups and KPI.DETAIL array work; the finance workbook pays what
    kpi payout pays, per person, component, role and department, and its
    what-if follows a typed attainment; the targets sheet reads as targets.csv;
  * the template manager lists the eight templates once the package's
    Paths.xcu and templates/SalesKPI/ are installed (from build/saleskpi.oxt
    when it carries them, else from a package of just those, made here).

    /usr/bin/python3 -B test_templates_office.py [-v]

Environment: what tests/office uses (SALESKPI_OXT, SALESKPI_KPI, ...) and
SALESKPI_TEMPLATES_DIR (default build/templates). The last line printed is
`N passed, M failed`.
"""

import csv
import datetime
import io
import json
import math
import os
import re
import shutil
import sys
import time
import unittest
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "office"))

import uno  # noqa: E402
import unohelper  # noqa: E402
from com.sun.star.task import XInteractionHandler  # noqa: E402
from com.sun.star.ucb import XCommandEnvironment  # noqa: E402

import odf_package as odf  # noqa: E402
import office_commands as oc  # noqa: E402
import office_harness as oh  # noqa: E402
from kpi_data import DemoStoreTestCase, make_store  # noqa: E402

SOURCES = os.path.join(REPO, "templates")
TEMPLATES_DIR = os.environ.get("SALESKPI_TEMPLATES_DIR", os.path.join(oh.BUILD, "templates"))
CATALOG = json.load(open(os.path.join(SOURCES, "templates.json"), encoding="utf-8"))
DISPLAY = {name: "KPI." + name for name in CATALOG["functions"]}

# The demo store of tests/office (kpi_data.DEMO_ARGS: data until 2026-11-20).
PERIOD = "2026-11"
PAID_PERIOD = "2026-10"
MANAGER = "SS01"
EMPLOYEE = "NV0001"
SCRATCH = "scratch"


def entries(template_id=None):
    return [e for e in CATALOG["templates"] if template_id in (None, e["id"])]


def cell_range(sheet, col1, row1, col2, row2):
    """A com.sun.star.table.CellRangeAddress."""
    where = uno.createUnoStruct("com.sun.star.table.CellRangeAddress")
    where.Sheet, where.StartColumn, where.StartRow, where.EndColumn, where.EndRow = sheet, col1, row1, col2, row2
    return where


def calc_round(value, digits):
    """Calc's ROUND: halves away from zero."""
    factor = 10.0 ** digits
    return math.copysign(math.floor(abs(value) * factor + 0.5), value) / factor


class TemplatesInCalc(DemoStoreTestCase):
    @classmethod
    def prepare_data(cls):
        super().prepare_data()
        cls.templates = os.path.join(cls.data_dir, "templates")
        os.makedirs(cls.templates)
        for entry in entries():
            source = os.path.join(TEMPLATES_DIR, entry["template"])
            if not os.path.exists(source):
                raise oh.OfficeError("%s is missing: build it first (make build)" % source)
            shutil.copyfile(source, os.path.join(cls.templates, entry["template"]))
        oh.give_to_office_user(cls.data_dir)

    def open(self, entry):
        """A new document from the template, with a scratch sheet at the end
        and the store loaded."""
        document = self.office.load(os.path.join(self.templates, entry["template"]))
        self.assertIsNotNone(document, entry["template"])
        self.addCleanup(document.close, True)
        sheets = document.Sheets
        sheets.insertNewByName(SCRATCH, sheets.Count)
        oh.wait_until_ready(sheets.getByName(SCRATCH), "A1")
        return document

    def sheet(self, document, name):
        return document.Sheets.getByName(name)

    def literal(self, check, employee, period):
        """The check's function with the inputs written out: =KPI.X("E";"K";"P")."""
        args = ['"%s"' % employee]
        if check["function"] == "PAYOUT":  # KPI.PAYOUT(employee; period; [kpi])
            args.append('"%s"' % period)
            if check["kpi"] is not None:
                args.append('"%s"' % check["kpi"])
            return "=%s(%s)" % (DISPLAY[check["function"]], ";".join(args))
        if check["kpi"] is not None:
            args.append('"%s"' % check["kpi"])
        args.append('"%s"' % period)
        return "=%s(%s)" % (DISPLAY[check["function"]], ";".join(args))

    def assertSameFigure(self, document, check, employee, period):
        where = "%s.%s (%s)" % (check["sheet"], check["cell"], check["function"])
        shown = oh.read(self.sheet(document, check["sheet"]), check["cell"])
        scratch = self.sheet(document, SCRATCH)
        expected = oh.evaluate(scratch, self.literal(check, employee, period), "B1")
        if expected.error == oh.ERR_NOT_AVAILABLE and check["no_value"] is not None:
            self.assertEqual((shown.error, shown.text), (0, check["no_value"]), where)
        else:
            self.assertEqual(shown.error, expected.error, where)
            self.assertEqual(shown.value, expected.value, where)
        return shown, expected

    # -- every template ---------------------------------------------------

    def test_each_template_opens_as_a_new_document_with_its_sheets_and_report_definitions(self):
        for entry in entries():
            with self.subTest(entry["template"]):
                document = self.open(entry)
                self.assertEqual(document.getURL(), "", "a template opens as a new, untitled document")
                self.assertEqual(list(document.Sheets.ElementNames), entry["sheets"] + [SCRATCH])
                properties = document.getDocumentProperties().getUserDefinedProperties()
                lines = properties.getPropertyValue("SalesKPI.Reports").split("\n")
                self.assertEqual(lines, ["|".join([r["sheet"], r["kind"], r["period"], r["scope"], ",".join(r["kpis"])])
                                         for r in entry["reports"]])
                for name, where in entry["inputs"].items():
                    sheet, cell = where.rsplit(".", 1)
                    found = document.NamedRanges.getByName(name).getReferredCells().getCellAddress()
                    col, row = odf.parse_address(cell)
                    self.assertEqual((found.Sheet, found.Column, found.Row), (entry["sheets"].index(sheet), col, row),
                                     name)

    def test_the_text_of_every_sheet_arrives_intact(self):
        for entry in entries():
            with self.subTest(entry["template"]):
                source = odf.read_fods(os.path.join(SOURCES, entry["file"]))
                document = self.open(entry)
                # Report sheets are the extension's: it rewrites them (title in row 1) on load.
                reports = {report["sheet"] for report in entry["reports"]}
                for sheet_data in source.sheets:
                    if sheet_data.name in reports:
                        continue
                    sheet = self.sheet(document, sheet_data.name)
                    for (col, row), cell in sheet_data.cells.items():
                        if cell.formula or not cell.paragraphs or cell.value_type != "string":
                            continue
                        self.assertEqual(sheet.getCellByPosition(col, row).getString(), cell.text,
                                         "%s.%s" % (sheet_data.name, odf.address(col, row)))

    # -- manager dashboard --------------------------------------------------

    def test_the_dashboard_shows_the_figures_of_the_manager_s_team(self):
        for entry in entries("manager_dashboard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                overview = self.sheet(document, entry["sheets"][0])
                self.assertEqual(overview.getCellRangeByName("B4").getString(), "*")
                overview.getCellRangeByName("B4").setString(MANAGER)
                overview.getCellRangeByName("B5").setString(PERIOD)
                self.assertEqual(overview.getCellRangeByName("B5").getType().value, "TEXT")
                attained = 0
                for check in entry["checks"]:
                    shown, _ = self.assertSameFigure(document, check, MANAGER, PERIOD)
                    if check["function"] == "ATTAINMENT" and shown.text != check["no_value"]:
                        attained += 1
                self.assertGreater(attained, 3, "the manager has targets: the comparison means something")
                sales = [c for c in entry["checks"] if (c["function"], c["kpi"]) == ("ACTUAL", "DS")][0]
                self.assertTrue(oh.close_enough(oh.read(overview, sales["cell"]).value,
                                                self.cli.actual(MANAGER, "DS", PERIOD)))
                self.assertEqual(oh.read(overview, "B7").error, 0)          # KPI.ASOF()
                self.assertTrue(oh.read(overview, "B8").text.startswith("ready"))  # KPI.STATUS()

    def test_the_dashboard_s_whole_company_default_shows_company_sales(self):
        entry = entries("manager_dashboard")[0]
        document = self.open(entry)
        overview = self.sheet(document, entry["sheets"][0])
        overview.getCellRangeByName("B5").setString(PERIOD)
        sales = [c for c in entry["checks"] if (c["function"], c["kpi"]) == ("ACTUAL", "DS")][0]
        self.assertTrue(oh.close_enough(oh.read(overview, sales["cell"]).value, self.cli.actual("*", "DS", PERIOD)))

    def dashboard_chart(self, entry, document):
        """The dashboard's chart, the index and name of the report sheet it reads."""
        charts = self.sheet(document, entry["sheets"][0]).Charts
        self.assertEqual(len(charts.ElementNames), 1)
        report = [r["sheet"] for r in entry["reports"] if r["kind"] == "attainment" and r["kpis"] == ["DS"]][0]
        return charts.getByIndex(0), entry["sheets"].index(report), report

    @staticmethod
    def ranges(chart):
        return [(r.Sheet, r.StartColumn, r.StartRow, r.EndColumn, r.EndRow) for r in chart.getRanges()]

    @staticmethod
    def chart_sequences(chart):
        """What the chart itself reads: its categories' range, then each
        series' values' range, as the chart document states them."""
        coordinates = chart.EmbeddedObject.getFirstDiagram().getCoordinateSystems()[0]
        shown = [coordinates.getAxisByDimension(0, 0).getScaleData().Categories.getValues()
                 .getSourceRangeRepresentation()]
        for chart_type in coordinates.getChartTypes():
            for series in chart_type.getDataSeries():
                shown += [sequence.getValues().getSourceRangeRepresentation() for sequence in series.getDataSequences()]
        return shown

    def widen_by_hand(self, chart, last_row):
        """The chart's own data sequences made to read down to `last_row`
        (0-based), as in a chart made for a bigger team."""
        def widen():
            model = chart.EmbeddedObject
            coordinates = model.getFirstDiagram().getCoordinateSystems()[0]
            labeled = [coordinates.getAxisByDimension(0, 0).getScaleData().Categories]
            for chart_type in coordinates.getChartTypes():
                for series in chart_type.getDataSeries():
                    labeled += list(series.getDataSequences())
            for sequence in labeled:
                old = sequence.getValues()
                wider = model.getDataProvider().createDataSequenceByRangeRepresentation(
                    re.sub(r"\$\d+$", "$%d" % (last_row + 1), old.getSourceRangeRepresentation()))
                wider.Role = old.Role
                sequence.setValues(wider)
        oc.on_main_thread(self.office, widen)
        self.assertEqual({r[4] for r in self.ranges(chart)}, {last_row})

    def wait_for_chart_rows(self, chart, index, rows):
        """Until the chart reads A3 and F3 down to the last of `rows` data rows."""
        last = 2 + max(rows, 1) - 1
        expected = [(index, 0, 2, 0, last), (index, 5, 2, 5, last)]
        oh.wait_for(lambda: self.ranges(chart) == expected, 30,
                    what=lambda: "the chart's ranges %r to be %r" % (self.ranges(chart), expected))
        return last

    def test_the_dashboard_chart_reads_attainment_by_employee_from_the_report_sheet(self):
        for entry in entries("manager_dashboard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                chart, index, report = self.dashboard_chart(entry, document)
                self.assertFalse(chart.EmbeddedObject.hasInternalDataProvider())
                _, _, rows = oc.wait_for_report(document, report)
                self.wait_for_chart_rows(chart, index, len(rows))
                diagram = chart.EmbeddedObject.getFirstDiagram()
                chart_type = diagram.getCoordinateSystems()[0].getChartTypes()[0]
                self.assertEqual(chart_type.getChartType(), "com.sun.star.chart2.ColumnChartType")

    def test_the_dashboard_chart_covers_exactly_the_rows_its_report_sheet_has(self):
        for entry in entries("manager_dashboard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                chart, index, report = self.dashboard_chart(entry, document)
                _, _, rows = oc.wait_for_report(document, report)
                self.assertGreater(len(rows), 20)
                last = self.wait_for_chart_rows(chart, index, len(rows))
                # Row `last` is the report's last: the employee codes end there.
                sheet = self.sheet(document, report)
                self.assertNotEqual(sheet.getCellByPosition(0, last).getString(), "")
                self.assertEqual(sheet.getCellByPosition(0, last + 1).getString(), "")
                # The chart itself reads those rows: employee codes as categories, attainment as values.
                quoted = "$'%s'" % report.replace("'", "''")
                self.assertEqual(self.chart_sequences(chart), ["%s.$A$3:$A$%d" % (quoted, last + 1),
                                                               "%s.$F$3:$F$%d" % (quoted, last + 1)])
                self.assertEqual(len(chart.EmbeddedObject.getFirstDiagram().getCoordinateSystems()[0]
                                     .getAxisByDimension(0, 0).getScaleData().Categories.getValues().getData()),
                                 len(rows))
                # Fitting the chart is no edit of the user's: nothing to undo, nothing to save.
                self.widen_by_hand(chart, 301)
                chart.EmbeddedObject.setModified(False)  # Calc counts a modified chart as a modified document
                document.setModified(False)
                self.assertFalse(document.isModified())
                undo = document.UndoManager.getAllUndoActionTitles()
                redo = document.UndoManager.getAllRedoActionTitles()
                state, message = oc.run_command(self.office, document, "RefreshNow")
                self.assertEqual(state, oc.SUCCESS, message)
                self.wait_for_chart_rows(chart, index, len(rows))
                time.sleep(1)  # anything the chart would mark later
                self.assertEqual(document.UndoManager.getAllUndoActionTitles(), undo)
                self.assertEqual(document.UndoManager.getAllRedoActionTitles(), redo)
                self.assertFalse(document.isModified())

    def test_the_dashboard_chart_follows_its_report_when_the_team_changes(self):
        entry = entries("manager_dashboard")[0]
        document = self.open(entry)
        chart, index, report = self.dashboard_chart(entry, document)
        _, _, everyone = oc.wait_for_report(document, report)
        self.wait_for_chart_rows(chart, index, len(everyone))
        # The report shows one manager's team: the chart narrows to it...
        state, message = oc.run_command(self.office, document, "AddReportSheet", Sheet=report, Kind="attainment",
                                        Period="this_month", Scope=MANAGER, Kpis="DS")
        self.assertEqual(state, oc.SUCCESS, message)
        _, _, team = oc.wait_for_report(document, report, lambda r: r[2] and r[2][0][0] == MANAGER)
        self.assertLess(len(team), len(everyone))
        self.wait_for_chart_rows(chart, index, len(team))
        # ... and widens again when it shows everyone.
        state, message = oc.run_command(self.office, document, "AddReportSheet", Sheet=report, Kind="attainment",
                                        Period="this_month", Scope="*", Kpis="DS")
        self.assertEqual(state, oc.SUCCESS, message)
        _, _, again = oc.wait_for_report(document, report, lambda r: len(r[2]) == len(everyone))
        self.wait_for_chart_rows(chart, index, len(again))
        # A report of only its title (an unknown scope, said there) has no data columns: the chart keeps its rows.
        state, message = oc.run_command(self.office, document, "AddReportSheet", Sheet=report, Kind="attainment",
                                        Period="this_month", Scope="NOBODY", Kpis="DS")
        self.assertEqual(state, oc.SUCCESS, message)
        oh.wait_for(lambda: "NOBODY" in self.sheet(document, report).getCellByPosition(0, 0).getString(), 30,
                    what="the report's title to name the unknown scope")
        self.assertEqual(self.ranges(chart), [(index, 0, 2, 0, len(again) + 1), (index, 5, 2, 5, len(again) + 1)],
                         "a report of only its title has no data columns to follow: the chart keeps its rows")

    def team_of(self, manager):
        """The manager and everyone below them, from the demo store's employees.csv."""
        employees = self.cli.csv_rows("employees.csv")
        team = {manager}
        while True:
            below = team | {row["code"] for row in employees if row["manager_code"] in team}
            if below == team:
                return team
            team = below

    @staticmethod
    def period_followers(entry):
        """The dashboard's reports that follow both its cells: all but target
        health, which judges last month's targets (its own test below)."""
        return dict(entry, reports=[r for r in entry["reports"] if r["kind"] != "target_health"])

    def wait_for_reports(self, document, entry, condition, what):
        """Every report sheet of the dashboard once `condition(report, (title,
        headers, rows))` holds for it; returns them by sheet."""
        shown = {}
        for report in entry["reports"]:
            def holds(found, report=report):
                return condition(report, found)
            try:
                shown[report["sheet"]] = oc.wait_for_report(document, report["sheet"], holds, timeout=30)
            except oh.OfficeError as error:
                self.fail("%s: %s: %s" % (what, report["sheet"], error))
        return shown

    @staticmethod
    def listed_codes(report, rows):
        """The employee codes a report sheet lists (ranking: column B; daily
        sales: without its total row)."""
        column = 1 if report["kind"] == "ranking" else 0
        data = rows[:-1] if report["kind"] == "daily_sales" else rows
        return {row[column] for row in data}

    def test_the_dashboard_s_report_sheets_and_chart_follow_the_manager_and_period_cells(self):
        for entry in entries("manager_dashboard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                entry = self.period_followers(entry)
                overview = self.sheet(document, entry["sheets"][0])
                chart, index, chart_report = self.dashboard_chart(entry, document)
                everyone = self.wait_for_reports(document, entry, lambda r, found: True, "everyone at first")
                self.wait_for_chart_rows(chart, index, len(everyone[chart_report][2]))
                all_codes = {row["code"] for row in self.cli.csv_rows("employees.csv")}
                team = self.team_of(MANAGER)
                self.assertLess(len(team), len(all_codes))

                # A manager typed in B4: every report lists that team, the chart narrows to it.
                overview.getCellRangeByName("B4").setString(MANAGER)
                undo = document.UndoManager.getAllUndoActionTitles()
                redo = document.UndoManager.getAllRedoActionTitles()
                shown = self.wait_for_reports(
                    document, entry,
                    lambda r, found: MANAGER in found[0] and found[2]
                    and self.listed_codes(r, found[2]) <= team, "the team of %s" % MANAGER)
                for report in entry["reports"]:
                    title, _, rows = shown[report["sheet"]]
                    if report["kind"] != "ranking":
                        self.assertEqual(rows[0][0], MANAGER, report["sheet"])
                    if report["kind"] == "daily_sales":
                        self.assertEqual(rows[-1][0], MANAGER, "the total row is the team's figure")
                    self.assertLess(len(rows), len(everyone[report["sheet"]][2]), report["sheet"])
                self.wait_for_chart_rows(chart, index, len(shown[chart_report][2]))
                categories = (chart.EmbeddedObject.getFirstDiagram().getCoordinateSystems()[0]
                              .getAxisByDimension(0, 0).getScaleData().Categories.getValues().getData())
                self.assertLessEqual(set(categories), team)
                # The rewrite was no edit of the user's: their typing is the last thing to undo.
                self.assertEqual(document.UndoManager.getAllUndoActionTitles(), undo)
                self.assertEqual(document.UndoManager.getAllRedoActionTitles(), redo)

                # A period typed in B5 is the reports' period.
                overview.getCellRangeByName("B5").setString(PAID_PERIOD)
                self.wait_for_reports(document, entry, lambda r, found: PAID_PERIOD in found[0] and MANAGER in found[0],
                                      "the period %s" % PAID_PERIOD)
                daily = [r["sheet"] for r in entry["reports"] if r["kind"] == "daily_sales"][0]
                self.assertEqual(oc.report_rows(document, daily)[1][2], PAID_PERIOD + "-01")
                overview.getCellRangeByName("B5").setString("")

                # * again: everyone, and the chart widens back.
                overview.getCellRangeByName("B4").setString("*")
                again = self.wait_for_reports(
                    document, entry,
                    lambda r, found: len(found[2]) == len(everyone[r["sheet"]][2]) and PAID_PERIOD not in found[0],
                    "everyone again")
                self.wait_for_chart_rows(chart, index, len(again[chart_report][2]))

                # An unknown code: each report says so in its title, and the office carries on.
                overview.getCellRangeByName("B4").setString("SS99")
                oh.wait_for(lambda: all("unknown employee 'SS99' as the scope" in
                                        self.sheet(document, r["sheet"]).getCellByPosition(0, 0).getString()
                                        for r in entry["reports"]), 30,
                            what="every report's title to name the unknown scope")
                overview.getCellRangeByName("B4").setString(MANAGER)
                overview.getCellRangeByName("B5").setString("2026-13")
                oh.wait_for(lambda: all("'2026-13'" in
                                        self.sheet(document, r["sheet"]).getCellByPosition(0, 0).getString()
                                        for r in entry["reports"]), 30,
                            what="every report's title to name the bad period")
                self.assertEqual(oh.read(overview, "B8").error, 0)  # KPI.STATUS(): the office is alive

    def test_a_chart_of_other_cells_is_left_as_it_is(self):
        entry = entries("manager_dashboard")[0]
        document = self.open(entry)
        chart, index, report = self.dashboard_chart(entry, document)
        _, _, rows = oc.wait_for_report(document, report)
        self.wait_for_chart_rows(chart, index, len(rows))
        scratch = self.sheet(document, SCRATCH)
        scratch_index = list(document.Sheets.ElementNames).index(SCRATCH)
        for row in range(2, 12):
            scratch.getCellByPosition(0, row).setString("E%d" % row)
            scratch.getCellByPosition(1, row).setValue(row)

        rectangle = uno.createUnoStruct("com.sun.star.awt.Rectangle", 0, 0, 10000, 6000)
        mine = {
            # The user's own cells from row 3, as a report's data would be (A3:B300).
            "Mine": cell_range(scratch_index, 0, 2, 1, 299),
            # The report sheet, but from its header row.
            "FromHeaders": cell_range(index, 0, 1, 5, 301),
            # The report sheet, but right of its columns.
            "Beside": cell_range(index, 8, 2, 9, 301),
        }
        for name, where in mine.items():
            scratch.Charts.addNewByName(name, rectangle, (where,), False, True)
        before = {name: self.ranges(scratch.Charts.getByName(name)) for name in mine}
        # The template's chart back to 300 rows by hand; Refresh now writes every report sheet again.
        self.widen_by_hand(chart, 301)
        state, message = oc.run_command(self.office, document, "RefreshNow")
        self.assertEqual(state, oc.SUCCESS, message)
        self.wait_for_chart_rows(chart, index, len(rows))
        self.assertEqual({name: self.ranges(scratch.Charts.getByName(name)) for name in mine}, before)
        self.assertEqual(before["Mine"], [(scratch_index, 0, 2, 1, 299)])

    # -- employee scorecard ---------------------------------------------------

    def fill_employees(self, document, sheet_name, rows):
        """Writes report rows (code, name, role, manager[, department]) as the extension would."""
        sheet = self.sheet(document, sheet_name)
        for i, row in enumerate(rows):
            for col, value in enumerate(row):
                sheet.getCellByPosition(col, 2 + i).setString(value)

    def employees(self):
        return [(r["code"], r["name"], r["role"], r["manager_code"]) for r in self.cli.csv_rows("employees.csv")]

    def test_the_scorecard_shows_every_figure_of_the_chosen_employee(self):
        people = {row[0]: row for row in self.employees()}
        for entry in entries("employee_scorecard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                card = self.sheet(document, entry["sheets"][0])
                employees_sheet = [r["sheet"] for r in entry["reports"] if r["kind"] == "employees"][0]
                self.fill_employees(document, employees_sheet, list(people.values()))
                card.getCellRangeByName("B4").setString(EMPLOYEE)
                card.getCellRangeByName("B8").setString(PERIOD)
                self.assertEqual([card.getCellRangeByName(a).getString() for a in ("B5", "B6", "B7")],
                                 list(people[EMPLOYEE][1:]))
                validation = card.getCellRangeByName("B4").Validation
                self.assertEqual(validation.Type.value, "LIST")
                self.assertEqual(validation.ErrorAlertStyle.value, "WARNING")
                for check in entry["checks"]:
                    if check["function"] == "DETAIL":
                        continue
                    self.assertSameFigure(document, check, EMPLOYEE, PERIOD)

    def test_the_scorecard_lists_the_orders_behind_the_sales(self):
        for entry in entries("employee_scorecard"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                card = self.sheet(document, entry["sheets"][0])
                card.getCellRangeByName("B4").setString(EMPLOYEE)
                card.getCellRangeByName("B8").setString(PERIOD)
                check = [c for c in entry["checks"] if c["function"] == "DETAIL"][0]
                shown = card.getCellRangeByName(check["array"])
                self.assertIn("KPIDETAIL(Employee;\"DS\";Period)", card.getCellRangeByName(check["cell"]).getFormula())
                scratch = self.sheet(document, SCRATCH)
                first, last = check["array"].split(":")
                c1, r1 = odf.parse_address(first)
                c2, r2 = odf.parse_address(last)
                target = scratch.getCellRangeByPosition(0, 10, c2 - c1, 10 + r2 - r1)
                target.setArrayFormula('=KPI.DETAIL("%s";"DS";"%s")' % (EMPLOYEE, PERIOD))
                # The records are read off the main thread: they arrive a moment later.
                rows = oh.wait_for_detail(shown)
                oh.wait_for_detail(target)
                self.assertEqual(rows, target.getDataArray())
                self.assertEqual(rows[0], ("date", "reference", "outlet", "outlet name", "employee", "value"))
                orders = [r for r in rows[1:] if r[1]]
                self.assertGreater(len(orders), 10)
                self.assertEqual({r[4] for r in orders}, {EMPLOYEE})
                # The rest of the array shows #N/A, which a conditional format hides.
                unused = card.getCellByPosition(c1, r1 + len(orders) + 1)
                self.assertEqual(unused.getError(), oh.ERR_NOT_AVAILABLE)

    # -- finance reward workbook ----------------------------------------------

    def payout_rows(self, period):
        return list(csv.DictReader(io.StringIO(self.cli.run("payout", "--period", period, "--format", "csv"))))

    def test_the_payout_sheet_pays_what_kpi_payout_pays_per_person_component_role_and_department(self):
        rows = self.payout_rows(PAID_PERIOD)
        totals, amounts = {}, {}
        for row in rows:
            if row["kind"] == "total":
                totals[row["employee_code"]] = totals.get(row["employee_code"], 0) + int(row["amount"])
            elif row["kind"] == "component":
                key = (row["employee_code"], row["kpi_code"])
                amounts[key] = amounts.get(key, 0) + int(row["amount"])
        people = [(r["code"], r["name"], r["role"], r["manager_code"], r["department"])
                  for r in self.cli.csv_rows("employees.csv")]
        self.assertGreater(len(totals), 10)
        for entry in entries("finance_rewards"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                payout = self.sheet(document, entry["sheets"][0])
                employees_sheet = [r["sheet"] for r in entry["reports"] if r["kind"] == "employees"][0]
                self.fill_employees(document, employees_sheet, people)
                payout.getCellRangeByName("B4").setString(PAID_PERIOD)
                components = [payout.getCellRangeByName("%s9" % c).getString() for c in "FGHIJ"]
                for i, (code, name, role, _, department) in enumerate(people):
                    row = 10 + i
                    shown = [oh.read(payout, "%s%d" % (c, row)) for c in "ABCDEFGHIJK"]
                    self.assertEqual([s.text for s in shown[:4]], [code, name, role, department])
                    self.assertEqual([s.error for s in shown], [0] * 11, code)
                    if code not in totals:
                        self.assertEqual([s.text for s in shown[4:]], [""] * 7, code)
                        continue
                    self.assertEqual(shown[4].value, totals[code], code)
                    for kpi, cell in zip(components, shown[5:10]):
                        if (code, kpi) in amounts:
                            self.assertEqual(cell.value, amounts[(code, kpi)], (code, kpi))
                        else:
                            self.assertEqual(cell.text, "", (code, kpi))
                    # No earlier closed period: the components make the whole total.
                    self.assertEqual(shown[10].value, 0, code)
                for c in "ABCDE":
                    self.assertEqual(oh.read(payout, "%s%d" % (c, 10 + len(people))).text, "")
                self.assertEqual(oh.read(payout, "B5").value, sum(totals.values()))
                self.assertEqual(oh.read(payout, "B6").value, sum(1 for t in totals.values() if t > 0))
                self.assertEqual(oh.read(payout, "B7").value, sum(totals.values()))  # KPI.PAYOUT("*")
                status = oh.read(payout, "E5").text
                self.assertTrue(status.startswith("ready") and status.endswith("2026-10 open: live figures"), status)
                for check in entry["checks"]:
                    self.assertSameFigure(document, check, people[0][0], PAID_PERIOD)

                # Per role and per department, in the order they first appear.
                summary = self.sheet(document, entry["sheets"][1])
                for left, index in ((0, 2), (4, 4)):
                    expected = {}
                    for person in people:
                        total = totals.get(person[0])
                        if total is None:
                            expected.setdefault(person[index], [0, 0])
                            continue
                        sums = expected.setdefault(person[index], [0, 0])
                        sums[0] += total > 0
                        sums[1] += total
                    shown = []
                    for r in range(6, 36):
                        label = summary.getCellByPosition(left, r - 1).getString()
                        if not label:
                            break
                        shown.append((label, summary.getCellByPosition(left + 1, r - 1).getValue(),
                                      summary.getCellByPosition(left + 2, r - 1).getValue()))
                    self.assertEqual(shown, [(k, v[0], v[1]) for k, v in expected.items()], "summary by column %d" % left)

    def test_the_payout_sheet_shows_the_adjustments_of_a_closed_month_in_the_next(self):
        # A store of its own: September closed, then a late September order.
        cli = make_store(os.path.join(self.data_dir, "closed-september"))
        cli.run("close", "2026-09", "--user", "ketoan")
        outlet = cli.csv_rows("outlets.csv")[0]["code"]
        sku = cli.csv_rows("products.csv")[0]["sku"]
        cli.import_csv({
            "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                          "LATE9,%s,%s,2026-09-20 10:00:00,sale,approved,\n" % (EMPLOYEE, outlet),
            "order_lines.csv": "order_code,line_no,sku,quantity,amount\nLATE9,1,%s,1,900000000\n" % sku,
        })
        rows = [r for r in csv.DictReader(io.StringIO(cli.run("payout", "--period", PAID_PERIOD, "--employee",
                                                              EMPLOYEE, "--format", "csv")))
                if r["employee_code"] == EMPLOYEE]
        adjustment = sum(int(r["amount"]) for r in rows if r["kind"] == "adjustment")
        total = sum(int(r["amount"]) for r in rows if r["kind"] == "total")
        self.assertGreater(adjustment, 0, "the late order raises September's amounts")
        people = [(r["code"], r["name"], r["role"], r["manager_code"], r["department"])
                  for r in cli.csv_rows("employees.csv")]
        row = 10 + [p[0] for p in people].index(EMPLOYEE)
        for entry in entries("finance_rewards"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                oh.set_kpi_store(document, cli.store)
                payout = self.sheet(document, entry["sheets"][0])
                employees_sheet = [r["sheet"] for r in entry["reports"] if r["kind"] == "employees"][0]
                self.fill_employees(document, employees_sheet, people)
                payout.getCellRangeByName("B4").setString(PAID_PERIOD)
                oh.wait_for(lambda: oh.read(payout, "E%d" % row).value == total, timeout=60,
                            what=lambda: "E%d to show %d (%r)" % (row, total, oh.read(payout, "E%d" % row)))
                self.assertEqual(oh.read(payout, "K%d" % row).value, adjustment)

    def test_the_what_if_moves_the_factor_and_amount_with_a_typed_attainment(self):
        # NVBH_THANG's DS curve, linear: 0.8:0.6|1:1|1.2:1.5|1.5:2; the component's incentive 2,400,000.
        expected = {0.5: 0, 0.7: 0, 0.8: 0.6, 0.9: 0.8, 1.0: 1, 1.1: 1.25, 1.2: 1.5, 1.3: 1.5 + 0.5 / 3, 1.5: 2,
                    1.8: 2}
        for entry in entries("finance_rewards"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                self.sheet(document, entry["sheets"][0]).getCellRangeByName("B4").setString(PAID_PERIOD)
                whatif = self.sheet(document, entry["sheets"][2])
                for r in range(9, 19):
                    attainment = whatif.getCellRangeByName("A%d" % r).getValue()
                    factor, amount = oh.read(whatif, "B%d" % r), oh.read(whatif, "C%d" % r)
                    self.assertAlmostEqual(factor.value, expected[round(attainment, 2)], places=12, msg=attainment)
                    self.assertEqual(amount.value, calc_round(2400000 * factor.value, 0), attainment)
                self.assertEqual(oh.read(whatif, "B19").text, "")  # an empty row
                whatif.getCellRangeByName("A19").setValue(1.05)
                self.assertEqual((oh.read(whatif, "B19").value, oh.read(whatif, "C19").value), (1.125, 2700000))
                # Another plan: the supervisors' step curve 0.85:0.5|0.95:0.8|1:1|1.1:1.3|1.2:1.6.
                whatif.getCellRangeByName("B4").setString("GSBH_DOI")
                self.assertEqual(oh.read(whatif, "B19").value, 1.0)
                self.assertEqual(oh.read(whatif, "B12").value, 0.5)  # 0.9: the step of 0.85
                # A person's component now and what if.
                report = {r["kpi_code"]: r for r in self.cli.report(PAID_PERIOD, employee=EMPLOYEE)
                          if r["employee_code"] == EMPLOYEE}
                component = [r for r in self.payout_rows(PAID_PERIOD)
                             if (r["employee_code"], r["kind"], r["kpi_code"]) == (EMPLOYEE, "component", "DS")][0]
                for col, value in zip("ABCD", (EMPLOYEE, "NVBH_THANG", "DS", None)):
                    if value:
                        whatif.getCellRangeByName("%s25" % col).setString(value)
                whatif.getCellRangeByName("D25").setValue(2400000)
                whatif.getCellRangeByName("H25").setValue(1.2)
                self.assertTrue(oh.close_enough(oh.read(whatif, "E25").value, float(report["DS"]["attainment"])))
                self.assertTrue(oh.close_enough(oh.read(whatif, "F25").value, float(component["factor"])))
                self.assertEqual(oh.read(whatif, "G25").value, int(component["amount"]))
                self.assertEqual((oh.read(whatif, "I25").value, oh.read(whatif, "J25").value), (1.5, 3600000))
                self.assertEqual([oh.read(whatif, "%s26" % c).text for c in "EFGIJ"], [""] * 5)

    def test_the_finance_period_defaults_to_last_month(self):
        # Last month of the date SalesKPI takes for today: the office's
        # KPI_TODAY, pinned to 2026-11-20 by the harness.
        for entry in entries("finance_rewards"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                period = self.sheet(document, entry["sheets"][0]).getCellRangeByName("B4")
                self.assertEqual(oh.PINNED_TODAY[:7], "2026-11")
                oh.wait_for(lambda: period.getString() == "2026-10", 30,
                            what=lambda: "B4 to show last month (%r)" % period.getString())

    # -- targets sheet ----------------------------------------------------------

    def test_the_targets_sheet_reads_as_targets_csv(self):
        for entry in entries("targets"):
            with self.subTest(entry["template"]):
                document = self.open(entry)
                targets = self.sheet(document, "Targets")
                rows = targets.getCellRangeByName("A1:G7").getDataArray()
                self.assertEqual(list(rows[0]), CATALOG["target_columns"])
                self.assertEqual(targets.getCellRangeByName("A8").getString(), "")
                first = rows[1]
                self.assertEqual(first[:3], ("NV0001", "DS", "MONTH"))
                null_date = document.NullDate
                epoch = datetime.date(null_date.Year, null_date.Month, null_date.Day)
                self.assertEqual(epoch + datetime.timedelta(days=first[3]), datetime.date(2027, 1, 1))
                self.assertEqual(targets.getCellRangeByName("D2").getString(), "2027-01-01")
                self.assertEqual(targets.getCellRangeByName("C2").Validation.Type.value, "LIST")
                self.assertEqual(targets.getCellRangeByName("C900").Validation.Type.value, "LIST")
                self.assertEqual(targets.getCellRangeByName("F2").Validation.Type.value, "DECIMAL")


class ApproveAll(unohelper.Base, XInteractionHandler):
    """Answers the extension manager's questions (the license) with yes."""

    def handle(self, request):
        approve = uno.getTypeByName("com.sun.star.task.XInteractionApprove")
        for continuation in request.getContinuations():
            if continuation.queryInterface(approve):
                continuation.select()
                return


class CommandEnvironment(unohelper.Base, XCommandEnvironment):
    def getInteractionHandler(self):
        return ApproveAll()

    def getProgressHandler(self):
        return None


def templates_package(path):
    """An extension of just the templates, laid out as the real package must
    be: Paths.xcu at the root, the .ots files in templates/SalesKPI/."""
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">\n'
                ' <manifest:file-entry manifest:full-path="Paths.xcu" '
                'manifest:media-type="application/vnd.sun.star.configuration-data"/>\n'
                '</manifest:manifest>\n')
    description = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                   '<description xmlns="http://openoffice.org/extensions/description/2006">\n'
                   ' <identifier value="org.saleskpi.templates.test"/>\n <version value="0.0.1"/>\n'
                   '</description>\n')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("META-INF/manifest.xml", manifest)
        package.writestr("description.xml", description)
        package.write(os.path.join(SOURCES, "Paths.xcu"), "Paths.xcu")
        for entry in entries():
            package.write(os.path.join(TEMPLATES_DIR, entry["template"]), "templates/SalesKPI/" + entry["template"])


class TemplateManager(oh.OfficeTestCase):
    def test_lists_the_eight_templates_in_a_saleskpi_group(self):
        with zipfile.ZipFile(oh.OXT) as oxt:
            names = [n for n in oxt.namelist() if not n.endswith("/")]
            packed = {n: oxt.read(n) for n in names if n.startswith("templates/")}
        if "Paths.xcu" in names:
            # saleskpi.oxt carries the templates: exactly the ones built.
            self.assertEqual(sorted(packed), sorted("templates/SalesKPI/" + e["template"] for e in entries()))
            for entry in entries():
                with open(os.path.join(TEMPLATES_DIR, entry["template"]), "rb") as built:
                    self.assertEqual(packed["templates/SalesKPI/" + entry["template"]], built.read())
        else:
            # saleskpi.oxt does not carry the templates yet: install them alone.
            folder = self.office.private_dir("templates-oxt")
            path = os.path.join(folder, "templates.oxt")
            templates_package(path)
            oh.give_to_office_user(folder)
            manager = self.office.context.getValueByName("/singletons/com.sun.star.deployment.ExtensionManager")
            manager.addExtension(uno.systemPathToFileUrl(path), (), "user", None, CommandEnvironment())
        paths = self.office.service("com.sun.star.util.PathSettings").Template
        self.assertTrue(any(p.endswith("/templates") and "uno_packages" in p for p in paths.split(";")), paths)
        self.office.service("com.sun.star.frame.DocumentTemplates").update()
        files = self.office.service("com.sun.star.ucb.SimpleFileAccess")
        groups = [group for language in files.getFolderContents("vnd.sun.star.hier:/templates", True)
                  for group in files.getFolderContents(language, True) if group.endswith("/SalesKPI")]
        self.assertEqual(len(groups), 1, groups)
        titles = {urllib.parse.unquote(t.rsplit("/", 1)[1]) for t in files.getFolderContents(groups[0], True)}
        self.assertEqual(titles, {e["title"] for e in entries()})


def main():
    verbose = "-v" in sys.argv[1:]
    loader = unittest.TestLoader()
    suite = unittest.TestSuite([loader.loadTestsFromTestCase(TemplatesInCalc),
                                loader.loadTestsFromTestCase(TemplateManager)])
    result = unittest.TextTestRunner(verbosity=2 if verbose else 1, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed - len(result.skipped), failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
