"""The calendar's edges in a real office (issue: any day of the year).

On the first day of a month, before any order of it, "this month" is a month
with no data yet: KPI cells show 0 (or #N/A where the contract has no value),
report sheets their headers and zeros with the words "no order or visit in
this period yet" in their titles, the sidebar says so plainly — no error, no
hang. On New Year's Day (a holiday, a new quarter and year) projections are
defined (SPEC §6: no working day has passed, so the projection is the actual).

Each class pins the office's today (KPI_TODAY) to such a day on a demo store
whose data end the day before; the kpi command, run with the same today, gives
the expected figures.
"""

import os
import unittest

import office_commands as oc
import office_harness as oh
from kpi_data import make_store, number
from test_sidebar import Panel

NOTHING_YET = "no order or visit in this period yet"
SIDEBAR_NOTHING_YET = "No order or visit in this period yet: its figures are 0 for now"


class TheDayAfterTheData(oh.OfficeTestCase):
    """An office on the demo distributor whose data end on LAST_DAY, with
    KPI_TODAY = TODAY; subclasses name the days."""

    TODAY = None
    LAST_DAY = None
    THIS_MONTH = None

    @classmethod
    def setUpClass(cls):
        if cls.TODAY is None:
            raise unittest.SkipTest("the base class names no day")
        super().setUpClass()
        cls.document = cls.office.new_spreadsheet()
        cls.sheet = cls.document.Sheets.getByIndex(0)
        oh.wait_until_ready(cls.sheet)
        employees = cls.cli.csv_rows("employees.csv")
        cls.top = next(e["code"] for e in employees if not e["manager_code"])
        cls.salesperson = next(e["code"] for e in employees if e["role"] == "SR" and not e["end_date"])

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "demo"), until=cls.LAST_DAY)
        cls.cli.today = cls.TODAY

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_STORE": os.path.join(data_dir, "demo", "kpi.sqlite"), "KPI_TODAY": cls.TODAY,
                "KPI_REFRESH_SECONDS": "1"}

    def report_row(self, employee, kpi):
        rows = [r for r in self.cli.report(self.THIS_MONTH, employee=employee)
                if r["employee_code"] == employee and r["kpi_code"] == kpi]
        return rows[0] if rows else None

    def test_this_month_s_cells_show_what_the_contract_says(self):
        for employee in (self.top, self.salesperson, "*"):
            for kpi in ("DS", "PC", "VISITS", "SALES"):
                what = "%s %s on %s" % (employee, kpi, self.TODAY)
                expected = self.cli.actual(employee, kpi, self.THIS_MONTH)
                self.assertEqual(expected, 0, what)
                self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"%s")' % (employee, kpi)), 0, what)
                self.assertShows(oh.evaluate(self.sheet, '=KPI.PROJECTED("%s";"%s")' % (employee, kpi)), 0, what)
        # A target of this month, where the store has one, and the attainment 0
        # of it; #N/A where there is none (never an error of another kind).
        for employee in (self.top, self.salesperson):
            row = self.report_row(employee, "DS")
            target = oh.evaluate(self.sheet, '=KPI.TARGET("%s";"DS")' % employee)
            attainment = oh.evaluate(self.sheet, '=KPI.ATTAINMENT("%s";"DS")' % employee)
            if row is None or number(row["target"]) is None:
                self.assertEqual(target.error, oh.ERR_NOT_AVAILABLE, employee)
                self.assertEqual(attainment.error, oh.ERR_NOT_AVAILABLE, employee)
            else:
                self.assertShows(target, number(row["target"]), employee)
                self.assertShows(attainment, 0, employee)
        # Nothing behind the figures: the header row only.
        # (The records are read off the main thread: #N/A for a moment.)
        oh.put_formula(self.sheet, "Z1", '=ROWS(KPI.DETAIL("%s";"DS"))' % self.top)
        rows = oh.wait_for(lambda: oh.read(self.sheet, "Z1").error == 0 and oh.read(self.sheet, "Z1"), 30,
                           what="KPI.DETAIL of an empty month")
        self.assertShows(rows, 1, "KPI.DETAIL of an empty month")

    def test_report_sheets_of_this_month_show_headers_zeros_and_say_why(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        oc.set_reports(document, ["Daily|daily_sales|this_month|%s|DS" % self.top,
                                  "Attainment|attainment|this_month|%s|DS,PC" % self.top,
                                  "Ranking|ranking|this_month|*|",
                                  "Staff|employees|this_month|*|"])
        oc.run_command(self.office, document, "RefreshNow")
        for sheet in ("Daily", "Attainment", "Ranking", "Staff"):
            title, headers, rows = oc.wait_for_report(document, sheet, lambda report: NOTHING_YET in report[0])
            self.assertIn(self.THIS_MONTH, title, sheet)
            self.assertGreater(len(headers), 1, sheet)
            for row in rows:
                for cell in row:
                    self.assertFalse(isinstance(cell, str) and cell.startswith(("Err", "#")), (sheet, row))
        _, headers, rows = oc.report_rows(document, "Daily")
        self.assertTrue(rows, "one row per employee of the team and a total")
        for row in rows:
            self.assertEqual([cell for cell in row[2:] if cell != ""], [0.0] * (len(headers) - 2), row[:2])
        _, _, rows = oc.report_rows(document, "Attainment")
        for row in rows:
            self.assertEqual(row[3], 0.0, row)

    def test_the_sidebar_says_plainly_that_the_month_has_nothing_yet(self):
        panel = Panel(self.office, self.document)
        self.addCleanup(panel.dispose)
        status = oh.wait_for(lambda: SIDEBAR_NOTHING_YET in panel.text("status") and panel.text("status"), 30,
                             what=lambda: "the sidebar's status (%r)" % panel.text("status"))
        self.assertTrue(status.startswith("Ready"), status)
        oh.wait_for(lambda: panel.items("team"), 30, what="the team list")
        # Last month has data: the words go away.
        panel.select("period", lambda line: line == "Last month", "Last month")
        oh.wait_for(lambda: SIDEBAR_NOTHING_YET not in panel.text("status"), 30,
                    what=lambda: "the status of last month (%r)" % panel.text("status"))


class FirstOfDecember(TheDayAfterTheData):
    """Tuesday 2026-12-01, a working day: the projection over one working day
    that has no order yet is 0."""
    TODAY, LAST_DAY, THIS_MONTH = "2026-12-01", "2026-11-30", "2026-12"


class NewYearsDay(TheDayAfterTheData):
    """Friday 2027-01-01, a holiday: a new month, quarter and year, and no
    working day of them has passed."""
    TODAY, LAST_DAY, THIS_MONTH = "2027-01-01", "2026-12-31", "2027-01"

    def test_period_words_turn_with_the_year(self):
        for argument, text in (('"this_month"', "2027-01"), ('"last_month"', "2026-12"),
                               ('"this_week"', "2026-W53"), ('"today"', "2027-01-01")):
            self.assertEqual(oh.evaluate(self.sheet, "=KPI.PERIOD(%s)" % argument).text, text, argument)

    def test_the_week_across_the_new_year_keeps_its_december_days(self):
        # 2026-W53 runs from Monday 2026-12-28 to Sunday 2027-01-03.
        for employee in (self.top, "*"):
            expected = self.cli.actual(employee, "DS", "2026-W53")
            self.assertGreater(expected, 0, employee)
            self.assertShows(oh.evaluate(self.sheet, '=KPI.ACTUAL("%s";"DS";"2026-W53")' % employee), expected,
                             employee)
            # As of the holiday, 4 of the week's working days have passed (Monday
            # to Thursday; Saturday 01-02 is still to come): 5 / 4 of the actual.
            self.assertShows(oh.evaluate(self.sheet, '=KPI.PROJECTED("%s";"DS";"2026-W53")' % employee),
                             expected * 5 / 4, employee)


if __name__ == "__main__":
    unittest.main()
