"""Report sheets (SPEC §8, docs/reports-and-targets.md): a document whose
property SalesKPI.Reports defines them gets them written when it is loaded —
each KIND with the engine's figures (the kpi CLI's, and the KPI.* cells') —
and rewritten when new orders arrive, without touching the user's sheets,
selection, undo or redo stack. The commands Add report sheet (from a macro
and through its dialog), Edit report sheet and Refresh now.
"""

import os
import shutil
import subprocess
import threading
import time
import unittest

import uno

import office_commands as oc
import office_harness as oh
from kpi_data import DemoStoreTestCase, TINY_CSV, extra_order_csv, make_store, number

NOVEMBER = "2026-11"
REFRESH_SECONDS = 3


def save_and_reload(office, document, path):
    """Stores the document as ODS, closes it and loads it again (hidden):
    a load is what makes the extension write the report sheets."""
    oh.store_as(document, path, "calc8")
    document.close(True)
    return office.load(path)


class ReportKinds(DemoStoreTestCase):
    """One sheet of every KIND over the demo distributor, compared with the
    kpi CLI and with KPI.* cells."""

    DEMO_KPIS = ["DS", "SL", "PC", "LPPC", "ASO", "COV", "FOCUS", "VISIT", "SR_RATE", "DROP"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        document = cls.office.new_spreadsheet()
        oc.set_reports(document, [
            "Daily|daily_sales|%s|*|DS" % NOVEMBER,
            "Attainment|attainment|%s|*|%s" % (NOVEMBER, ",".join(cls.DEMO_KPIS)),
            "Ranking|ranking|%s|*|" % NOVEMBER,
            "Team|employees|this_month|SS01|",
            "Everyone|employees|this_month|*|",
        ])
        path = os.path.join(cls.office.private_dir("documents"), "kinds.ods")
        cls.document = save_and_reload(cls.office, document, path)
        cls.addClassCleanup(cls.document.close, True)
        cls.scratch = cls.document.Sheets.getByIndex(0)
        for sheet in ("Daily", "Attainment", "Ranking", "Team", "Everyone"):
            oc.wait_for_report(cls.document, sheet)

    def employees(self):
        return self.cli.csv_rows("employees.csv")

    def employed_in_november(self):
        """Codes of the employees whose employment overlaps November: a
        figure over a period they were not employed in does not exist."""
        return {row["code"] for row in self.employees()
                if row["start_date"] <= "2026-11-30" and (row["end_date"] or "9999") >= "2026-11-01"}

    def test_daily_sales_shows_each_employee_by_day_with_totals(self):
        title, headers, rows = oc.report_rows(self.document, "Daily")
        self.assertTrue(title.startswith("Daily sales (DS) · all employees · 2026-11 (2026-11-01..2026-11-30) · "
                                         "data to 2026-11-20 "), title)
        self.assertEqual(headers, ["Code", "Name"] + ["2026-11-%02d" % day for day in range(1, 31)] + ["Total"])
        by_code = {row[0]: row for row in rows[:-1]}
        self.assertEqual(set(by_code), self.employed_in_november())
        self.assertLess(len(by_code), len(self.employees()), "the demo has a leaver: a row of nothing is left out")
        total = rows[-1]
        self.assertEqual(total[:2], ["*", "Total"])
        for code, row in list(by_code.items()) + [("*", total)]:
            self.assertAlmostEqual(row[-1], self.cli.actual(code, "DS", NOVEMBER), delta=0.5, msg=code)
            # DS is additive: the days add up to the month.
            self.assertAlmostEqual(sum(row[2:-1]), row[-1], delta=0.5, msg=code)
        # Every cell of one day against KPI.ACTUAL cells.
        day = "2026-11-18"
        column = headers.index(day)
        for index, row in enumerate(rows, start=2):
            oh.put_formula(self.scratch, "B%d" % index, '=KPI.ACTUAL("%s";"DS";"%s")' % (row[0], day))
        for index, row in enumerate(rows, start=2):
            self.assertShows(oh.read(self.scratch, "B%d" % index), row[column], "%s on %s" % (row[0], day))

    def test_attainment_matches_every_row_of_kpi_report(self):
        title, headers, rows = oc.report_rows(self.document, "Attainment")
        self.assertTrue(title.startswith("KPI attainment · all employees · 2026-11"), title)
        self.assertEqual(headers, ["Code", "Name", "KPI", "Actual", "Target", "Attainment", "Projected"])
        shown = {(row[0], row[2]): row for row in rows}
        self.assertEqual(len(shown), len(rows))
        names = {row["code"]: row["name"] for row in self.employees()}
        self.assertEqual({code for code, _ in shown}, self.employed_in_november())
        self.assertEqual(len(rows), len(self.employed_in_november()) * len(self.DEMO_KPIS))
        report = [row for row in self.cli.report(NOVEMBER) if row["kpi_code"] in self.DEMO_KPIS]
        self.assertGreater(len(report), 50)
        for expected in report:
            row = shown[(expected["employee_code"], expected["kpi_code"])]
            what = "%s %s" % (expected["employee_code"], expected["kpi_code"])
            self.assertEqual(row[1], names[expected["employee_code"]], what)
            for column, field in ((3, "actual"), (4, "target"), (5, "attainment"), (6, "projected")):
                if number(expected[field]) is None:
                    self.assertEqual(row[column], "", "%s %s" % (what, field))
                else:
                    self.assertTrue(oh.close_enough(row[column], number(expected[field])),
                                    "%s %s: %r, the CLI says %s" % (what, field, row[column], expected[field]))
        # Attainment as a percentage, coloured by conditions.
        sheet = self.document.Sheets.getByName("Attainment")
        self.assertTrue(sheet.getCellRangeByName("F3").getString().endswith("%"))
        self.assertEqual(sheet.getCellRangeByName("F3").ConditionalFormat.getCount(), 3)

    def test_ranking_orders_employees_by_their_kpi_score(self):
        title, headers, rows = oc.report_rows(self.document, "Ranking")
        self.assertEqual(headers, ["Rank", "Code", "Name", "Score"])
        scores = {code: score for code, score in self.cli.scores(NOVEMBER).items() if score is not None}
        self.assertEqual([row[1] for row in rows], sorted(scores, key=lambda code: (-round(scores[code], 6), code)))
        for row in rows:
            self.assertTrue(oh.close_enough(row[3], scores[row[1]]), row)
        self.assertEqual(rows[0][0], 1)
        self.assertTrue(all(later[0] >= earlier[0] for earlier, later in zip(rows, rows[1:])))
        # The top score, as KPI.SCORE shows it.
        self.assertShows(oh.evaluate(self.scratch, '=KPI.SCORE("%s";"%s")' % (rows[0][1], NOVEMBER)), rows[0][3])

    def test_employees_lists_the_scope_with_role_manager_and_department(self):
        employees = {row["code"]: row for row in self.employees()}
        _, headers, everyone = oc.report_rows(self.document, "Everyone")
        self.assertEqual(headers, ["Code", "Name", "Role", "Manager", "Department"])
        self.assertEqual(sorted(row[0] for row in everyone), sorted(employees))
        for code, name, role, manager, department in everyone:
            self.assertEqual((name, role, manager, department),
                             (employees[code]["name"], employees[code]["role"], employees[code]["manager_code"],
                              employees[code]["department"]), code)
        _, _, team = oc.report_rows(self.document, "Team")
        self.assertEqual(team[0][0], "SS01")
        below = {"SS01"}
        for _ in range(5):  # the subtree of SS01
            below |= {code for code, row in employees.items() if row["manager_code"] in below}
        self.assertEqual(sorted(row[0] for row in team), sorted(below))


class TinyDocument(oh.OfficeTestCase):
    """The tiny store, checked every 3 s; a saved document with report sheets
    and a sheet of the user's own."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "live"), TINY_CSV)

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": str(REFRESH_SECONDS)}

    def setUp(self):
        document = self.office.new_spreadsheet()
        oh.set_kpi_store(document, self.cli.store)
        mine = document.Sheets.getByIndex(0)
        mine.setName("Mine")
        oh.put_formula(mine, "A1", "my own text")
        oh.put_formula(mine, "A2", "=1+1")
        oc.set_reports(document, ["Daily|daily_sales|%s|SS01|REV" % NOVEMBER,
                                  "Attainment|attainment|%s|*|REV" % NOVEMBER])
        folder = self.office.private_dir("documents")
        self.document = save_and_reload(self.office, document, os.path.join(folder, "%s.ods" % self.id()))
        self.addCleanup(self.document.close, True)
        self.mine = self.document.Sheets.getByName("Mine")


class LiveReports(TinyDocument):
    """Report sheets following the store; the commands from macros."""

    def daily_total(self):
        report = oc.report_rows(self.document, "Daily")
        return report[2][-1][-1] if report and report[2] else None

    def test_reports_are_written_when_the_document_loads(self):
        _, _, rows = oc.wait_for_report(self.document, "Daily")
        self.assertEqual([row[0] for row in rows], ["SS01", "SR01", "SR02", "SS01"])
        self.assertEqual(rows[-1][-1], self.cli.actual("SS01", "REV", NOVEMBER))
        _, _, attainment = oc.wait_for_report(self.document, "Attainment")
        sr01 = [row for row in attainment if row[0] == "SR01"][0]
        actual = self.cli.actual("SR01", "REV", NOVEMBER)
        self.assertEqual(sr01[2:6], ["REV", actual, 1000000.0, actual / 1000000.0])
        # The loaded document is not marked modified by the extension's writing.
        self.assertFalse(self.document.isModified())

    def test_new_orders_reach_the_report_within_one_refresh_and_nothing_else_moves(self):
        oc.wait_for_report(self.document, "Daily")
        controller = self.document.getCurrentController()
        # The user's own state: an edit undone (a redo entry) and one kept, a
        # selection, the active sheet.
        oh.put_formula(self.mine, "B1", "first edit")
        oh.put_formula(self.mine, "B2", "second edit")
        undo = self.document.UndoManager
        undo.undo()
        controller.setActiveSheet(self.mine)
        controller.select(self.mine.getCellRangeByName("A2:B3"))
        state = self.user_state()
        self.assertEqual(state["redo"], ("Input",))
        before = self.daily_total()

        self.cli.import_csv(extra_order_csv("SO10", 70000, "2026-11-10 08:00:00"))
        # The worker checks every 3 s: the change shows within one interval
        # after the import, plus the time to post it to the main thread.
        oh.wait_for(lambda: self.daily_total() == before + 70000, timeout=2 * REFRESH_SECONDS + 2,
                    what=lambda: "the Daily total to grow by 70000 (it is %r)" % self.daily_total())
        _, _, rows = oc.report_rows(self.document, "Daily")
        self.assertEqual(rows[1][0], "SR01")
        self.assertEqual(rows[1][2 + 9], 70000.0)  # 2026-11-10
        self.assertEqual(self.user_state(), state)
        # Undo still undoes the user's own edit.
        undo.undo()
        self.assertEqual(self.mine.getCellRangeByName("B1").getString(), "")

    def user_state(self):
        controller = self.document.getCurrentController()
        selection = controller.getSelection().getRangeAddress()
        return {
            "undo": self.document.UndoManager.getAllUndoActionTitles(),
            "redo": self.document.UndoManager.getAllRedoActionTitles(),
            "mine": oc.used_rows(self.mine),
            "formulas": [self.mine.getCellRangeByName(a).getFormula() for a in ("A1", "A2", "B1", "B2")],
            "sheets": self.document.Sheets.getElementNames(),
            "active": controller.getActiveSheet().getName(),
            "selection": (selection.Sheet, selection.StartColumn, selection.StartRow, selection.EndColumn,
                          selection.EndRow),
            "modified": self.document.isModified(),
        }

    def test_refresh_now_writes_a_deleted_report_sheet_again(self):
        oc.wait_for_report(self.document, "Attainment")
        self.document.Sheets.removeByName("Attainment")
        state, message = oc.run_command(self.office, self.document, "RefreshNow")
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn(self.cli.store, message)
        _, headers, _ = oc.wait_for_report(self.document, "Attainment")
        self.assertEqual(headers[0], "Code")
        self.assertEqual(self.document.Sheets.getElementNames()[0], "Mine")

    def test_add_report_sheet_adds_an_attainment_sheet_for_this_month(self):
        oc.wait_for_report(self.document, "Daily")
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Kind="attainment")
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("KPI attainment|attainment|this_month|*|REV", message)
        title, headers, rows = oc.report_rows(self.document, "KPI attainment")
        self.assertIn("KPI attainment · all employees · ", title)
        self.assertEqual(headers, ["Code", "Name", "KPI", "Actual", "Target", "Attainment", "Projected"])
        self.assertEqual(sorted(row[0] for row in rows), ["1001", "SR01", "SR02", "SS01"])
        properties = self.document.getDocumentProperties().getUserDefinedProperties()
        self.assertEqual(properties.getPropertyValue(oc.REPORTS_PROPERTY).split("\n"),
                         ["Daily|daily_sales|%s|SS01|REV" % NOVEMBER, "Attainment|attainment|%s|*|REV" % NOVEMBER,
                          "KPI attainment|attainment|this_month|*|REV"])
        # A second one gets a name of its own; given a sheet, its definition is edited.
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Kind="attainment")
        self.assertIn("KPI attainment 2|", message)
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Sheet="Daily",
                                        Kind="ranking", Period=NOVEMBER)
        self.assertEqual(state, oc.SUCCESS, message)
        _, headers, rows = oc.wait_for_report(self.document, "Daily", lambda r: r[1][0] == "Rank")
        self.assertEqual(rows[0][1], "SR01")
        self.assertIn("Daily|ranking|%s|*|" % NOVEMBER,
                      properties.getPropertyValue(oc.REPORTS_PROPERTY).split("\n"))
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", Kind="pie_chart")
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("pie_chart", message)

    def test_a_macro_on_the_main_thread_gets_the_outcome_at_once(self):
        # DispatchHelper (what a Basic macro uses) waits on the main thread:
        # the command must answer there and then, not from a posted task.
        oc.wait_for_report(self.document, "Daily")
        frame = self.document.getCurrentController().getFrame()
        helper = self.office.service("com.sun.star.frame.DispatchHelper")
        result = oc.on_main_thread(self.office, lambda: helper.executeDispatch(
            frame, "org.saleskpi.commands:AddReportSheet", "", 0,
            (oh.prop("Sheet", "Team"), oh.prop("Kind", "employees"), oh.prop("Scope", "SS01"))))
        self.assertEqual(result.State, oc.SUCCESS, result.Result)
        self.assertIn("Team|employees|this_month|SS01|", result.Result)
        # Written before the macro goes on.
        self.assertEqual([row[0] for row in oc.report_rows(self.document, "Team")[2]], ["SS01", "SR01", "SR02"])

    def test_a_wrong_definition_says_why_in_its_sheet(self):
        oc.set_reports(self.document, ["Broken|attainment|%s|NOBODY|REV" % NOVEMBER, "Odd|pie_chart|x|*|"])
        state, message = oc.run_command(self.office, self.document, "RefreshNow")
        self.assertEqual(state, oc.SUCCESS, message)
        broken = oc.used_rows(self.document.Sheets.getByName("Broken"))
        self.assertEqual(len(broken), 1)
        self.assertIn("unknown employee 'NOBODY'", broken[0][0])
        self.assertIn("unknown kind 'pie_chart'", oc.used_rows(self.document.Sheets.getByName("Odd"))[0][0])

    def test_a_new_document_saved_next_to_its_store_gets_its_reports(self):
        # A relative KPIStore names no store until the document has a folder.
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        oh.set_kpi_store(document, "kpi.sqlite")
        oc.set_reports(document, ["Staff|employees|this_month|*|"])
        self.assertIsNone(oc.report_rows(document, "Staff"))
        document.storeAsURL(uno.systemPathToFileUrl(os.path.join(os.path.dirname(self.cli.store), "new.ods")),
                            (oh.prop("FilterName", "calc8"),))
        _, _, rows = oc.wait_for_report(document, "Staff")
        self.assertEqual(sorted(row[0] for row in rows), ["1001", "SR01", "SR02", "SS01"])

    def test_a_vietnamese_document_gets_vietnamese_headers(self):
        locale = uno.createUnoStruct("com.sun.star.lang.Locale")
        locale.Language, locale.Country = "vi", "VN"
        self.document.CharLocale = locale
        oc.run_command(self.office, self.document, "RefreshNow")
        title, headers, _ = oc.report_rows(self.document, "Attainment")
        self.assertTrue(title.startswith("Hoàn thành KPI · toàn công ty · 2026-11"), title)
        self.assertEqual(headers, ["Mã", "Họ tên", "KPI", "Thực hiện", "Chỉ tiêu", "Tỷ lệ hoàn thành", "Dự báo"])



class ReportSheetDialog(TinyDocument):
    """SalesKPI ▸ Add report sheet… and Edit report sheet…: the dialog
    (dialogs/ReportSheet.xdl, addin/src/report_sheet_dialog.cpp). Headless
    offices run no modal dialog, so a DialogDriver stands in for the user:
    the command makes the real dialog, fills it, and asks the driver to
    "press" a button; the driver sets the controls as a user would and
    presses OK (the dialog's own OK handling checks the entry) or Cancel."""

    def reports(self):
        properties = self.document.getDocumentProperties().getUserDefinedProperties()
        return properties.getPropertyValue(oc.REPORTS_PROPERTY).split("\n")

    def test_the_dialog_adds_the_report_sheet_the_user_chose(self):
        oc.wait_for_report(self.document, "Daily")
        shown = {}

        def choose(dialog):
            shown.update(oc.dialog_state(dialog))
            dialog.getControl("SheetName").setText("Team sales")
            dialog.getControl("Kind").selectItemPos(0, True)  # daily sales
            dialog.getControl("Period").setText(NOVEMBER)
            scope = dialog.getControl("Scope")
            scope.selectItemPos(list(scope.getItems()).index("Team of SS01 Nguyễn Văn An"), True)
            return True

        driver = oc.DialogDriver(choose)
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", DialogDriver=driver)
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(driver.presses, 1)
        # What the dialog offered: a new attainment sheet of this month for
        # everyone and every KPI; the store's employees and KPIs.
        self.assertEqual(shown["title"], "Add report sheet")
        self.assertEqual(shown["SheetName"], "KPI attainment")
        self.assertEqual(shown["Kind"], (["Daily sales", "KPI attainment", "Ranking by KPI score", "Employees",
                                           "Target health"],
                                         ["KPI attainment"]))
        self.assertEqual(shown["Period"], (["Today", "This week", "This month", "Last month"], "This month"))
        # Everyone, then the store's employees in the engine's tree order.
        self.assertEqual(shown["Scope"], (["Everyone", "1001 Phạm Thị Dung", "Team of SS01 Nguyễn Văn An",
                                           "SR01 Trần Thị Bình", "SR02 Lê Văn Cường"], ["Everyone"]))
        self.assertEqual(shown["Kpis"], (["REV — Revenue"], ["REV — Revenue"]))
        self.assertEqual(shown["PeriodLabel"], "Period:")
        self.assertEqual(message, "Added the report sheet Team sales|daily_sales|%s|SS01|REV." % NOVEMBER)
        self.assertEqual(self.reports()[-1], "Team sales|daily_sales|%s|SS01|REV" % NOVEMBER)
        # The sheet is there, filled, when the command answers.
        title, _, rows = oc.report_rows(self.document, "Team sales")
        self.assertTrue(title.startswith("Daily sales (REV) · team of SS01"), title)
        self.assertEqual([row[0] for row in rows], ["SS01", "SR01", "SR02", "SS01"])
        self.assertEqual(rows[-1][-1], self.cli.actual("SS01", "REV", NOVEMBER))

    def test_a_bad_fixed_period_is_refused_with_a_message_and_nothing_changes(self):
        oc.wait_for_report(self.document, "Daily")
        before = (self.reports(), self.document.Sheets.getElementNames(), self.document.isModified())
        problems = []

        def bad_period(dialog):
            dialog.getControl("SheetName").setText("Wrong")
            dialog.getControl("Period").setText("2026-13")
            return True

        def read_problem_and_cancel(dialog):
            problems.append(dialog.getControl("Problem").getText())
            return False

        driver = oc.DialogDriver(bad_period, read_problem_and_cancel)
        state, message = oc.run_command(self.office, self.document, "AddReportSheet", DialogDriver=driver)
        self.assertEqual(driver.presses, 2, "OK with a bad period must leave the dialog open")
        self.assertEqual(problems, ["'2026-13' is not a period. Choose one from the list, or write a period such as "
                                    "2026-11, 2026-W48, 2026-Q4, 2026, 2026-11-27 or 2026-11-01..2026-11-20."])
        self.assertEqual((state, message), (oc.CANCELLED, "No report sheet was added."))
        self.assertEqual((self.reports(), self.document.Sheets.getElementNames(), self.document.isModified()), before)

    def test_a_name_already_taken_is_refused_then_corrected(self):
        oc.wait_for_report(self.document, "Daily")
        problems = []

        def taken(dialog):
            dialog.getControl("SheetName").setText("Mine")
            dialog.getControl("Kind").selectItemPos(3, True)  # employees
            return True

        def renamed(dialog):
            problems.append(dialog.getControl("Problem").getText())
            dialog.getControl("SheetName").setText("Staff")
            return True

        state, message = oc.run_command(self.office, self.document, "AddReportSheet",
                                        DialogDriver=oc.DialogDriver(taken, renamed))
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(len(problems), 1)
        self.assertTrue(problems[0].startswith("'Mine' is a sheet of the document already"), problems[0])
        self.assertEqual(self.reports()[-1], "Staff|employees|this_month|*|")
        self.assertEqual(sorted(row[0] for row in oc.report_rows(self.document, "Staff")[2]),
                         ["1001", "SR01", "SR02", "SS01"])
        self.assertEqual(oc.used_rows(self.document.Sheets.getByName("Mine"))[0][0], "my own text")

    def test_edit_opens_the_active_report_sheet_prefilled_and_rewrites_it(self):
        oc.wait_for_report(self.document, "Daily")
        self.document.getCurrentController().setActiveSheet(self.document.Sheets.getByName("Daily"))
        shown = {}

        def to_ranking(dialog):
            shown.update(oc.dialog_state(dialog))
            dialog.getControl("SheetName").setText("ignored: the edited sheet keeps its name")
            dialog.getControl("Kind").selectItemPos(2, True)  # ranking
            dialog.getControl("Scope").selectItemPos(0, True)  # everyone
            return True

        state, message = oc.run_command(self.office, self.document, "EditReportSheet",
                                        DialogDriver=oc.DialogDriver(to_ranking))
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertEqual(shown["title"], "Edit report sheet — Daily")
        self.assertEqual(shown["SheetName"], "Daily")
        self.assertFalse(shown["SheetNameEditable"])
        self.assertEqual(shown["Kind"][1], ["Daily sales"])
        self.assertEqual(shown["Period"][1], NOVEMBER)
        self.assertEqual(shown["Scope"][1], ["Team of SS01 Nguyễn Văn An"])
        self.assertEqual(shown["Kpis"][1], ["REV — Revenue"])
        self.assertEqual(message, "Changed the report sheet Daily|ranking|%s|*|." % NOVEMBER)
        self.assertEqual(self.reports(),
                         ["Daily|ranking|%s|*|" % NOVEMBER, "Attainment|attainment|%s|*|REV" % NOVEMBER])
        _, headers, rows = oc.report_rows(self.document, "Daily")
        self.assertEqual(headers, ["Rank", "Code", "Name", "Score"])
        self.assertEqual(rows[0][1], "SR01")

    def test_edit_on_a_sheet_that_is_not_a_report_says_so(self):
        self.document.getCurrentController().setActiveSheet(self.mine)
        driver = oc.DialogDriver()
        state, message = oc.run_command(self.office, self.document, "EditReportSheet", DialogDriver=driver)
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("the active sheet 'Mine' is not a report sheet", message)
        self.assertEqual(driver.presses, 0)

    def test_without_a_driver_a_headless_office_cancels_the_dialog(self):
        # No one can answer a modal dialog in a headless office: LibreOffice
        # ends it at once, as Cancel.
        oc.wait_for_report(self.document, "Daily")
        before = self.reports()
        state, message = oc.run_command(self.office, self.document, "AddReportSheet")
        self.assertEqual((state, message), (oc.CANCELLED, "No report sheet was added."))
        self.assertEqual(self.reports(), before)


ROLE_LABEL, ROLE_COMBO_BOX, ROLE_LIST, ROLE_PUSH_BUTTON, ROLE_TEXT = 30, 7, 32, 44, 60  # accessibility.AccessibleRole
STATE_ENABLED = 7  # com.sun.star.accessibility.AccessibleStateType


def accessible_nodes(context):
    """Every accessible context below `context`, depth first."""
    nodes = []
    for index in range(context.getAccessibleChildCount()):
        child = context.getAccessibleChild(index).getAccessibleContext()
        nodes.append(child)
        nodes.extend(accessible_nodes(child))
    return nodes


@unittest.skipUnless(shutil.which("Xvfb") and shutil.which("xwd") and shutil.which("convert"),
                     "needs Xvfb, xwd and ImageMagick's convert")
class ReportSheetDialogUnderXvfb(unittest.TestCase):
    """The dialog as a user meets it: a visible Calc under Xvfb, the menu's
    command with no driver, the modal dialog answered through its
    accessibility tree (as a screen reader would) — its OK button's event
    binding in ReportSheet.xdl included. Photographed with a refused period
    into <build>/screenshots/report-sheet-dialog.png."""

    @classmethod
    def setUpClass(cls):
        # One X server and one office for the class.
        data_dir = oh.make_private_dir("saleskpi-data-")
        cls.addClassCleanup(shutil.rmtree, data_dir, True)
        cls.cli = make_store(os.path.join(data_dir, "tiny"), TINY_CSV)
        xvfb, cls.display = oh.start_xvfb("1200x800x24")
        cls.addClassCleanup(oh.stop_xvfb, xvfb)
        cls.office = oh.Office(env={"DISPLAY": cls.display, "SAL_USE_VCLPLUGIN": "gen"}, visible=True)
        cls.addClassCleanup(cls.office.stop)
        cls.office.start()

    def tearDown(self):
        self.assertTrue(self.office.alive(), "the office died:\n" + self.office.log()[-3000:])

    def setUp(self):
        self.document = self.office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, ())
        self.addCleanup(self.document.close, True)  # unasked: a visible office would ask to save
        self.document.getCurrentController().getFrame().getContainerWindow().setPosSize(0, 0, 1200, 800, 15)
        oh.set_kpi_store(self.document, self.cli.store)
        oh.wait_until_ready(self.document.Sheets.getByIndex(0))

    def open_dialog(self):
        """Dispatches Add report sheet as the menu does and returns (the
        dialog's accessible context, a function giving the outcome)."""
        outcome = {}
        # Every UNO lookup on this thread before the second one starts (see
        # oc.prepare_command): the second thread only dispatches.
        command = oc.prepare_command(self.office, self.document, "AddReportSheet", timeout=120)
        toolkit = self.office.service("com.sun.star.awt.Toolkit")
        toolkit.getTopWindowCount()
        thread = threading.Thread(target=lambda: outcome.update(result=command()))
        thread.start()

        def dialog():
            for index in range(toolkit.getTopWindowCount()):
                context = toolkit.getTopWindow(index).getAccessibleContext()
                if context.getAccessibleName() == "Add report sheet":
                    return context
        context = oh.wait_for(dialog, 30, what="the report sheet dialog")
        self.addCleanup(self.cancel_if_open, dialog)  # a failed test must not leave the office waiting

        def result():
            thread.join(60)
            return outcome.get("result")
        return context, result

    def cancel_if_open(self, dialog):
        context = dialog()
        if context is not None:
            self.find(context, ROLE_PUSH_BUTTON, "Cancel").doAccessibleAction(0)

    def find(self, dialog, role, name=None):
        found = [node for node in accessible_nodes(dialog)
                 if node.getAccessibleRole() == role and (name is None or node.getAccessibleName() == name)]
        self.assertTrue(found, "no %s %r in the dialog" % (role, name))
        return found[0]

    def test_ok_checks_the_entry_in_the_real_dialog(self):
        dialog, result = self.open_dialog()
        period_box = self.find(dialog, ROLE_COMBO_BOX, "Period:")
        period_text = [node for node in accessible_nodes(period_box) if node.getAccessibleRole() == ROLE_TEXT][0]
        self.assertEqual(period_text.getText(), "This month")
        period_text.setText("2026-13")
        self.find(dialog, ROLE_PUSH_BUTTON, "OK").doAccessibleAction(0)
        problem = oh.wait_for(lambda: [node.getAccessibleName() for node in accessible_nodes(dialog)
                                       if node.getAccessibleRole() == ROLE_LABEL
                                       and "is not a period" in node.getAccessibleName()], 10,
                              what="the problem under the lists")
        self.assertTrue(problem[0].startswith("'2026-13' is not a period."), problem)
        time.sleep(1)  # painting
        self.photograph("report-sheet-dialog.png")
        self.assertEqual(self.document.Sheets.getElementNames(), ("Sheet1",), "nothing written yet")

        period_text.setText("2026-11")
        self.find(dialog, ROLE_PUSH_BUTTON, "OK").doAccessibleAction(0)
        self.assertEqual(result(), (oc.SUCCESS, "Added the report sheet KPI attainment|attainment|2026-11|*|REV."))
        _, headers, rows = oc.report_rows(self.document, "KPI attainment")
        self.assertEqual(headers[:3], ["Code", "Name", "KPI"])
        self.assertEqual(sorted(row[0] for row in rows), ["1001", "SR01", "SR02", "SS01"])

    def test_the_kpi_list_is_greyed_out_for_kinds_without_kpis(self):
        dialog, result = self.open_dialog()
        kpis = self.find(dialog, ROLE_LIST, "KPIs (daily sales shows the first one chosen):")
        self.assertTrue(kpis.getAccessibleStateSet().contains(STATE_ENABLED))
        kinds = [node for node in accessible_nodes(self.find(dialog, ROLE_COMBO_BOX, "Report:"))
                 if node.getAccessibleRole() == ROLE_LIST][0]
        kinds.selectAccessibleChild(2)  # Ranking by KPI score
        oh.wait_for(lambda: not kpis.getAccessibleStateSet().contains(STATE_ENABLED), 10,
                    what="the KPI list greyed out")
        kinds.selectAccessibleChild(0)  # Daily sales
        oh.wait_for(lambda: kpis.getAccessibleStateSet().contains(STATE_ENABLED), 10, what="the KPI list back")
        self.find(dialog, ROLE_PUSH_BUTTON, "Cancel").doAccessibleAction(0)
        self.assertEqual(result()[0], oc.CANCELLED)

    def test_cancel_leaves_the_document_as_it_was(self):
        dialog, result = self.open_dialog()
        self.find(dialog, ROLE_PUSH_BUTTON, "Cancel").doAccessibleAction(0)
        self.assertEqual(result(), (oc.CANCELLED, "No report sheet was added."))
        self.assertEqual(self.document.Sheets.getElementNames(), ("Sheet1",))
        properties = self.document.getDocumentProperties().getUserDefinedProperties()
        self.assertFalse(properties.getPropertySetInfo().hasPropertyByName(oc.REPORTS_PROPERTY))

    def photograph(self, name):
        out_dir = os.path.join(oh.BUILD, "screenshots")
        os.makedirs(out_dir, exist_ok=True)
        png = os.path.join(out_dir, name)
        raw = png + ".xwd"
        subprocess.run(["xwd", "-root", "-display", self.display, "-out", raw], check=True)
        subprocess.run(["convert", raw, png], check=True)
        os.remove(raw)
        print("\nscreenshot: %s" % png)


if __name__ == "__main__":
    unittest.main()
