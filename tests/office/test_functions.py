"""Every KPI.* function in a real office returns what the engine (the kpi CLI)
computes; bad arguments give Err:502 and a missing target #N/A.

One office per class; each test ends by checking it is still alive.
"""

import datetime
import os
import shutil
import unittest

import office_harness as oh
from kpi_data import DemoStoreTestCase, TINY_CSV, make_store, number

NOVEMBER = "2026-11"


class FunctionsAgainstTheEngine(DemoStoreTestCase):
    """The demo distributor, found through KPI_STORE."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document = cls.office.new_spreadsheet()
        cls.sheet = cls.document.Sheets.getByIndex(0)
        oh.wait_until_ready(cls.sheet)
        cls.report = cls.cli.report(NOVEMBER)
        cls.assertTrue(cls, len(cls.report) > 20, "the demo store has too few report rows")

    def salespeople(self):
        return [row["code"] for row in self.cli.csv_rows("employees.csv") if row["role"] == "SR"]

    def fill(self, formulas, column="A"):
        """Enters the formulas one per row from row 2 and returns the cells."""
        for row, formula in enumerate(formulas, start=2):
            oh.put_formula(self.sheet, "%s%d" % (column, row), formula)
        return [oh.read(self.sheet, "%s%d" % (column, row)) for row in range(2, len(formulas) + 2)]

    def test_actual_target_attainment_and_projected_match_every_report_row(self):
        functions = [("KPI.ACTUAL", "actual"), ("KPI.TARGET", "target"),
                     ("KPI.ATTAINMENT", "attainment"), ("KPI.PROJECTED", "projected")]
        for column, (function, field) in zip("ABCD", functions):
            cells = self.fill(['=%s("%s";"%s";"%s")' % (function, row["employee_code"], row["kpi_code"], NOVEMBER)
                               for row in self.report], column)
            for row, cell in zip(self.report, cells):
                what = "%s(%s;%s;%s)" % (function, row["employee_code"], row["kpi_code"], NOVEMBER)
                expected = number(row[field])
                if expected is None:
                    self.assertError(cell, oh.ERR_NOT_AVAILABLE, what)
                else:
                    self.assertShows(cell, expected, what)

    def test_score_matches_kpi_score(self):
        scores = self.cli.scores(NOVEMBER)
        self.assertTrue(any(score is not None for score in scores.values()))
        employees = sorted(scores)
        cells = self.fill(['=KPI.SCORE("%s";"%s")' % (employee, NOVEMBER) for employee in employees], "E")
        for employee, cell in zip(employees, cells):
            if scores[employee] is None:
                self.assertError(cell, oh.ERR_NOT_AVAILABLE, "KPI.SCORE(%s)" % employee)
            else:
                self.assertShows(cell, scores[employee], "KPI.SCORE(%s)" % employee)

    def test_periods_of_every_type_given_as_text(self):
        employee = self.report[0]["employee_code"]
        periods = ["2026-11-20", "2026-W47", NOVEMBER, "2026-Q4", "2026", "2026-11-01..2026-11-20"]
        for kpi in ("SALES", "PC", "VISITS"):
            cells = self.fill(['=KPI.ACTUAL("%s";"%s";"%s")' % (employee, kpi, p) for p in periods], "F")
            for period, cell in zip(periods, cells):
                self.assertShows(cell, self.cli.actual(employee, kpi, period), "%s %s %s" % (employee, kpi, period))

    def test_a_date_cell_means_that_day(self):
        employee = self.report[0]["employee_code"]
        oh.put_formula(self.sheet, "G1", "=DATE(2026;11;20)")
        self.sheet.getCellRangeByName("G2").setValue(46346.75)  # 2026-11-20 18:00 as a date-time serial
        expected = self.cli.actual(employee, "SALES", "2026-11-20")
        self.assertNotEqual(expected, 0, "pick a day with sales")
        for reference in ("G1", "G2", "DATE(2026;11;20)"):
            cell = oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"SALES";%s)' % (employee, reference), "G3")
            self.assertShows(cell, expected, "period %s" % reference)

    def test_an_omitted_period_means_the_current_month(self):
        employee = self.report[0]["employee_code"]
        this_month = oh.PINNED_TODAY[:7]  # the office's today is pinned (KPI_TODAY)
        expected = self.cli.actual(employee, "SALES", this_month)
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"SALES")' % employee, "H1"), expected, "omitted")
        # An empty cell passes 0: also the current month.
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"SALES";H9)' % employee, "H2"), expected,
                         "empty cell")
        expected_projected = [r for r in self.cli.report(this_month, employee=employee)
                              if r["employee_code"] == employee]
        for row in expected_projected:
            cell = oh.evaluate(self.sheet, '=KPI.PROJECTED("%s";"%s")' % (employee, row["kpi_code"]), "H3")
            self.assertShows(cell, number(row["projected"]), "projected %s" % row["kpi_code"])

    def test_star_is_the_whole_company(self):
        for kpi in ("SALES", "VOLUME", "ASO", "VISITS"):
            cell = oh.evaluate(self.sheet, '=KPI.ACTUAL("*";"%s";"%s")' % (kpi, NOVEMBER), "I1")
            self.assertShows(cell, self.cli.actual("*", kpi, NOVEMBER), "* %s" % kpi)

    def test_names_are_case_insensitive_and_arguments_may_be_cell_references(self):
        row = self.report[0]
        self.sheet.getCellRangeByName("J1").setString(row["employee_code"])
        self.sheet.getCellRangeByName("J2").setString(row["kpi_code"])
        self.sheet.getCellRangeByName("J3").setString(NOVEMBER)
        cell = oh.evaluate(self.sheet, "=kpi.actual(J1;J2;J3)", "J4")
        self.assertShows(cell, number(row["actual"]), "kpi.actual with references")

    def test_unknown_employee_or_kpi_and_malformed_periods_give_err_502(self):
        row = self.report[0]
        employee, kpi = row["employee_code"], row["kpi_code"]
        bad_calls = []
        for function in ("KPI.ACTUAL", "KPI.TARGET", "KPI.ATTAINMENT", "KPI.PROJECTED", "KPI.DETAIL"):
            bad_calls += ['=%s("NOBODY";"%s";"%s")' % (function, kpi, NOVEMBER),
                          '=%s("%s";"NO_SUCH_KPI";"%s")' % (function, employee, NOVEMBER),
                          '=%s("%s";"%s";"2026-13")' % (function, employee, kpi)]
        bad_calls += ['=KPI.SCORE("NOBODY";"%s")' % NOVEMBER, '=KPI.SCORE("%s";"November")' % employee]
        for period in ('"2026-W54"', '"11/2026"', '"2026-11-20..2026-11-01"', '"2026-11 "', "-1", "K1:K2"):
            bad_calls.append('=KPI.ACTUAL("%s";"%s";%s)' % (employee, kpi, period))
        for formula in bad_calls:
            self.assertError(oh.evaluate(self.sheet, formula, "K5"), oh.ERR_ILLEGAL_ARGUMENT, formula)

    def test_odd_arguments_never_harm_the_office(self):
        row = self.report[0]
        employee, kpi = row["employee_code"], row["kpi_code"]
        self.sheet.getCellRangeByName("T1").setString("SR")
        self.sheet.getCellRangeByName("T2").setString("PC")
        odd = {
            '=KPI.ACTUAL("";"";"")': oh.ERR_ILLEGAL_ARGUMENT,
            '=KPI.ACTUAL("%s";"%s";1E300)' % (employee, kpi): oh.ERR_ILLEGAL_ARGUMENT,
            '=KPI.ACTUAL("%s";"%s";"%s")' % (employee, kpi, "9" * 200): oh.ERR_ILLEGAL_ARGUMENT,
            '=KPI.ACTUAL("%s";"%s";1/0)' % (employee, kpi): 532,  # #DIV/0! never reaches the function
            '=KPI.ACTUAL(T1:T2;"%s";"%s")' % (kpi, NOVEMBER): oh.ERR_NO_VALUE,  # a range for a text: Calc says #VALUE!
            '=KPI.SCORE("%s";"%s";"%s")' % (employee, NOVEMBER, NOVEMBER): 504,  # too many arguments: Err:504
            '=KPI.ACTUAL("%s")' % employee: 504,  # too few: Err:504
        }
        for formula, error in odd.items():
            self.assertError(oh.evaluate(self.sheet, formula, "T3"), error, formula)
        # A huge array in a small range: the range shows its part.
        cells = self.sheet.getCellRangeByName("U1:V2")
        cells.setArrayFormula('=KPI.DETAIL("*";"SALES";"2026")')
        self.assertEqual(oh.wait_for_detail(cells)[0], ("date", "reference"))
        # The same cells asked many times stay one live value each.
        for column in range(40):
            oh.put_formula(self.sheet, "W%d" % (column + 1), '=KPI.ACTUAL("%s";"%s";"%s")' % (employee, kpi, NOVEMBER))
        self.assertShows(oh.read(self.sheet, "W40"), number(row["actual"]))

    def test_a_missing_target_gives_na(self):
        employee = self.salespeople()[0]
        # COVERAGE as a bare type has no target rows and is not summed from DAY targets.
        self.assertEqual([r for r in self.cli.report(NOVEMBER, employee=employee)
                          if r["employee_code"] == employee and r["kpi_code"] == "COVERAGE"], [])
        for function in ("KPI.TARGET", "KPI.ATTAINMENT"):
            cell = oh.evaluate(self.sheet, '=%s("%s";"COVERAGE";"%s")' % (function, employee, NOVEMBER), "L1")
            self.assertError(cell, oh.ERR_NOT_AVAILABLE, function)
        cell = oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"COVERAGE";"%s")' % (employee, NOVEMBER), "L2")
        self.assertShows(cell, self.cli.actual(employee, "COVERAGE", NOVEMBER), "actual without target")

    def test_detail_lists_what_makes_up_the_figure(self):
        row = next(r for r in self.report if r["kpi_code"] == "DS" and r["employee_code"] in self.salespeople())
        employee, day = row["employee_code"], "2026-11-20"
        actual = self.cli.actual(employee, "DS", day)
        cells = self.sheet.getCellRangeByName("M1:R200")
        cells.setArrayFormula('=KPI.DETAIL("%s";"DS";"%s")' % (employee, day))
        data = oh.wait_for_detail(cells)
        self.assertEqual(list(data[0]), ["date", "reference", "outlet", "outlet name", "employee", "value"])
        rows = [r for r in data[1:] if r[0]]
        self.assertTrue(rows, "no detail rows")
        self.assertLess(len(rows), 199, "enlarge the array range")
        self.assertTrue(all(r[0] == day for r in rows), rows[:3])
        self.assertTrue(oh.close_enough(sum(r[5] for r in rows), actual), "detail sums to %r, actual %r"
                        % (sum(r[5] for r in rows), actual))
        # Outlet names of the demo distributor are Vietnamese.
        self.assertTrue(any(any(ord(ch) > 127 for ch in r[3]) for r in rows), rows[:3])
        # Past the last row, the array shows #N/A.
        self.assertEqual(cells.getCellByPosition(0, len(rows) + 1).getError(), oh.ERR_NOT_AVAILABLE)

    def test_asof_is_the_newest_activity_and_status_names_the_store(self):
        status = oh.evaluate(self.sheet, "=KPI.STATUS()", "S1").text
        self.assertTrue(status.startswith("ready: " + self.cli.store), status)
        self.assertIn("environment variable KPI_STORE", status)
        # What the figures reflect: approved orders and visits (pending ones do not count).
        newest = max([row["order_time"] for row in self.cli.csv_rows("orders.csv") if row["status"] == "approved"] +
                     [row["visit_time"] for row in self.cli.csv_rows("visits.csv")])
        asof = oh.evaluate(self.sheet, "=KPI.ASOF()", "S2")
        self.assertEqual(asof.error, 0)
        self.assertAlmostEqual(asof.value, _serial(newest), delta=1 / 86400)
        self.assertEqual(oh.evaluate(self.sheet, '=TEXT(S2;"YYYY-MM-DD HH:MM:SS")', "S3").text, newest)


    def test_period_names_what_a_calendar_word_means_on_the_pinned_today(self):
        # The office's today is KPI_TODAY = 2026-11-20 (a Friday of 2026-W47).
        expected = {"": "2026-11", '"this_month"': "2026-11", '"last_month"': "2026-10",
                    '"this_week"': "2026-W47", '"today"': "2026-11-20", '"2026-Q4"': "2026-Q4"}
        for argument, text in expected.items():
            cell = oh.evaluate(self.sheet, "=KPI.PERIOD(%s)" % argument, "T1")
            self.assertEqual((cell.error, cell.text), (0, text), argument)
        for argument in ('"next_month"', '"2026-13"', "46000"):
            self.assertError(oh.evaluate(self.sheet, "=KPI.PERIOD(%s)" % argument, "T2"), oh.ERR_ILLEGAL_ARGUMENT,
                             argument)
        # A figure of that period is the figure of the omitted period.
        self.assertEqual(oh.evaluate(self.sheet, '=KPI.ACTUAL("*";"SALES";KPI.PERIOD())', "T3").value,
                         oh.evaluate(self.sheet, '=KPI.ACTUAL("*";"SALES")', "T4").value)

    def test_status_names_how_each_document_found_a_shared_store(self):
        # This document found the store through KPI_STORE; another one names
        # the same file by its KPIStore property: one engine, two answers.
        other = self.office.new_spreadsheet()
        self.addCleanup(other.close, True)
        oh.set_kpi_store(other, self.cli.store)
        other_status = oh.evaluate(other.Sheets.getByIndex(0), "=KPI.STATUS()", "A1").text
        self.assertIn("%s (document property KPIStore)" % self.cli.store, other_status)
        status = oh.evaluate(self.sheet, "=KPI.STATUS()", "S4").text
        self.assertIn("environment variable KPI_STORE", status)
        self.assertNotIn("document property", status)

def _serial(timestamp):
    moment = datetime.datetime.strptime(timestamp, "%Y-%m-%d %H:%M:%S")
    return (moment - datetime.datetime(1899, 12, 30)).total_seconds() / 86400


class FunctionsOnAStoreNamedByTheDocument(oh.OfficeTestCase):
    """The tiny store, named by the document property KPIStore; no KPI_STORE."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "tiny"), TINY_CSV)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document = cls.office.new_spreadsheet()
        oh.set_kpi_store(cls.document, cls.cli.store)
        cls.sheet = cls.document.Sheets.getByIndex(0)
        oh.wait_until_ready(cls.sheet)

    def test_figures_come_from_the_document_property(self):
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("SR01";"REV";"2026-11")'), 250000)
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("SS01";"REV";"2026-11")'), 350000)
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ATTAINMENT("SR01";"REV";"2026-11")'), 0.25)
        self.assertError(oh.evaluate(self.sheet, '=KPI.TARGET("SR02";"REV";"2026-11")'), oh.ERR_NOT_AVAILABLE)
        self.assertIn("document property KPIStore", oh.evaluate(self.sheet, "=KPI.STATUS()").text)

    def test_detail_carries_vietnamese_text(self):
        cells = self.sheet.getCellRangeByName("A10:F13")
        cells.setArrayFormula('=KPI.DETAIL("SS01";"REV";"2026-11")')
        data = oh.wait_for_detail(cells)
        rows = sorted(tuple(r) for r in data[1:] if r[0])
        self.assertEqual(rows, [("2026-11-02", "SO1", "O1", "Tạp hóa Cô Ba", "SR01", 250000.0),
                                ("2026-11-03", "SO2", "O2", "Cửa hàng Hương Quê", "SR02", 100000.0)])

    def test_the_extension_options_name_the_store_and_the_interval(self):
        store = os.path.join(self.data_dir, "by-option", "kpi.sqlite")
        os.makedirs(os.path.dirname(store))
        shutil.copyfile(self.cli.store, store)
        oh.give_to_office_user(os.path.dirname(store))
        self.set_options({"StorePath": store, "RefreshSeconds": 42})
        self.addCleanup(self.set_options, {"StorePath": "", "RefreshSeconds": 300})
        other = self.office.new_spreadsheet()
        self.addCleanup(other.close, True)
        sheet = other.Sheets.getByIndex(0)
        status = oh.wait_until_ready(sheet)
        self.assertTrue(status.startswith("ready: %s (SalesKPI option StorePath)" % store), status)
        self.assertTrue(status.endswith("checked every 42 s"), status)
        self.assertShows(oh.evaluate(sheet, '=KPI.ACTUAL("SR01";"REV";"2026-11")'), 250000)

    def set_options(self, values):
        provider = self.office.service("com.sun.star.configuration.ConfigurationProvider")
        node = oh.prop("nodepath", "/org.saleskpi.Settings/Store")
        access = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", (node,))
        for name, value in values.items():
            access.replaceByName(name, value)
        access.commitChanges()

    def test_cells_follow_a_kpistore_property_changed_in_an_open_document(self):
        # Cells keep their document's store location between calls: a change of
        # the property (set, changed, removed) must still be seen at once.
        other = self.office.new_spreadsheet()
        self.addCleanup(other.close, True)
        sheet = other.Sheets.getByIndex(0)
        oh.set_kpi_store(other, self.cli.store)
        self.assertIn("%s (document property KPIStore)" % self.cli.store,
                      oh.evaluate(sheet, "=KPI.STATUS()", "A1").text)
        self.assertShows(oh.evaluate(sheet, '=KPI.ACTUAL("SR01";"REV";"2026-11")', "A2"), 250000)
        moved = os.path.join(self.data_dir, "kpistore-changed", "kpi.sqlite")
        oh.set_kpi_store(other, moved)
        status = oh.evaluate(sheet, "=KPI.STATUS()", "A3").text
        self.assertIn(moved + " (document property KPIStore)", status)
        oh.set_kpi_store(other, "")  # an empty KPIStore is no KPIStore
        status = oh.evaluate(sheet, "=KPI.STATUS()", "A4").text
        self.assertTrue(status.startswith("unavailable: no store configured"), status)

    def test_cells_of_an_open_document_follow_a_changed_store_option(self):
        other = self.office.new_spreadsheet()
        self.addCleanup(other.close, True)
        sheet = other.Sheets.getByIndex(0)
        status = oh.evaluate(sheet, "=KPI.STATUS()", "A1").text
        self.assertTrue(status.startswith("unavailable: no store configured"), status)
        # A store of its own: a session's status names the source that first used it.
        store = os.path.join(self.data_dir, "by-option-later", "kpi.sqlite")
        os.makedirs(os.path.dirname(store))
        shutil.copyfile(self.cli.store, store)
        oh.give_to_office_user(os.path.dirname(store))
        self.set_options({"StorePath": store})
        self.addCleanup(self.set_options, {"StorePath": ""})
        status = oh.evaluate(sheet, "=KPI.STATUS()", "A2").text
        self.assertIn("%s (SalesKPI option StorePath)" % store, status)
        oh.wait_until_ready(sheet)
        self.assertShows(oh.evaluate(sheet, '=KPI.ACTUAL("SR01";"REV";"2026-11")', "A3"), 250000)

    def test_an_employee_code_may_be_a_number_in_a_cell(self):
        self.sheet.getCellRangeByName("C1").setValue(1001)
        self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL(C1;"REV";"2026-11")', "C2"), 0)

    def test_a_document_without_kpistore_has_no_store_here(self):
        other = self.office.new_spreadsheet()
        try:
            sheet = other.Sheets.getByIndex(0)
            status = oh.evaluate(sheet, "=KPI.STATUS()").text
            self.assertTrue(status.startswith("unavailable: no store configured"), status)
            self.assertError(oh.evaluate(sheet, '=KPI.ACTUAL("SR01";"REV";"2026-11")'), oh.ERR_NOT_AVAILABLE)
            # KPI.PERIOD needs no store.
            self.assertEqual(oh.evaluate(sheet, '=KPI.PERIOD("last_month")').text, "2026-10")
            # Malformed periods are rejected even without a store.
            self.assertError(oh.evaluate(sheet, '=KPI.ACTUAL("SR01";"REV";"2026-13")'), oh.ERR_ILLEGAL_ARGUMENT)
        finally:
            other.close(True)


if __name__ == "__main__":
    unittest.main()
