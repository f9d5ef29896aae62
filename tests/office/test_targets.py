"""Targets from Calc (SPEC §8, docs/reports-and-targets.md): the command
Publish targets imports the document's sheet Targets through the targets.csv
import — same validation, all-or-nothing, the audit history naming the office's
user — and the KPI cells follow at the next refresh. A bad sheet publishes
nothing and names each bad row.
"""

import csv
import datetime
import io
import os
import shutil
import unittest

import uno

import office_commands as oc
import office_harness as oh
from kpi_data import DemoStoreTestCase, TINY_CSV, make_store

REFRESH_SECONDS = 2
HEADER = ("employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target", "weight")
TARGET_SR01 = '=KPI.TARGET("SR01";"REV";"2026-11")'
TARGET_SR02 = '=KPI.TARGET("SR02";"REV";"2026-11")'

# Every table of a store, as SQL text: what "the store is unchanged" means.
DUMP_SCRIPT = "import sqlite3, sys\nprint('\\n'.join(sqlite3.connect(sys.argv[1]).iterdump()))"


class PublishingTargets(oh.OfficeTestCase):
    """A fresh tiny store per test, named by the document's KPIStore."""

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": str(REFRESH_SECONDS)}

    def setUp(self):
        folder = oh.make_private_dir("saleskpi-targets-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.cli = make_store(folder, TINY_CSV)
        self.document = self.office.new_spreadsheet()
        self.addCleanup(self.document.close, True)
        oh.set_kpi_store(self.document, self.cli.store)
        self.figures = self.document.Sheets.getByIndex(0)
        oh.wait_until_ready(self.figures)
        oh.put_formula(self.figures, "A1", TARGET_SR01)
        oh.put_formula(self.figures, "A2", TARGET_SR02)
        self.set_user_data("", "")

    def targets_sheet(self, rows):
        """The sheet Targets: the header in row 1, then `rows`. A value
        ("date", "YYYY-MM-DD") becomes a date cell (a date number shown with
        the format YYYY-MM-DD, as the template's date columns have); other
        texts and numbers are set as they are."""
        self.document.Sheets.insertNewByName("Targets", 1)
        sheet = self.document.Sheets.getByName("Targets")
        formats = self.document.NumberFormats
        locale = uno.createUnoStruct("com.sun.star.lang.Locale")
        date_format = formats.queryKey("YYYY-MM-DD", locale, False)
        if date_format < 0:
            date_format = formats.addNew("YYYY-MM-DD", locale)
        for column, name in enumerate(HEADER):
            sheet.getCellByPosition(column, 0).setString(name)
        for row, values in enumerate(rows, start=1):
            for column, value in enumerate(values):
                cell = sheet.getCellByPosition(column, row)
                if isinstance(value, tuple):
                    cell.setFormula(value[1])  # Calc reads an ISO date as its day number
                    cell.NumberFormat = date_format
                    self.assertEqual((cell.getType().value, cell.getString()), ("VALUE", value[1]))
                elif isinstance(value, str):
                    cell.setString(value)
                elif value is not None:
                    cell.setValue(value)
        return sheet

    def set_user_data(self, given_name, surname):
        """Tools ▸ Options ▸ LibreOffice ▸ User Data: first name, last name."""
        provider = self.office.service("com.sun.star.configuration.ConfigurationProvider")
        data = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                    (oh.prop("nodepath", "/org.openoffice.UserProfile/Data"),))
        data.replaceByName("givenname", given_name)
        data.replaceByName("sn", surname)
        data.commitChanges()

    def history(self):
        return list(csv.DictReader(io.StringIO(self.cli.run("history", "--format", "csv"))))

    def dump(self):
        return oh.run_as_office_user(["/usr/bin/python3", "-c", DUMP_SCRIPT, self.cli.store],
                                     home=os.path.dirname(self.cli.store))

    def test_a_good_sheet_changes_the_targets_and_the_history_names_the_user(self):
        self.assertError(oh.read(self.figures, "A2"), oh.ERR_NOT_AVAILABLE, "SR02 has no target yet")
        self.set_user_data("Lan", "Nguyễn Thị")
        self.targets_sheet([
            ("SR02", "REV", "MONTH", ("date", "2026-01-01"), ("date", "2026-12-31"), 500000, 1),
            ("SR01", "REV", "MONTH", ("date", "2026-01-01"), "2026-12-31", 1250000.5, None),
        ])
        state, message = oc.run_command(self.office, self.document, "PublishTargets")
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn("as Lan Nguyễn Thị: 2 targets, 2 changed", message)
        # The figures follow at the refresh the publication asks for.
        oh.wait_for(lambda: oh.read(self.figures, "A2").value == 500000, timeout=REFRESH_SECONDS + 10,
                    what=lambda: "KPI.TARGET(SR02) to show 500000: %r" % oh.read(self.figures, "A2"))
        oh.wait_for(lambda: oh.read(self.figures, "A1").value == 1250000.5, timeout=REFRESH_SECONDS + 10,
                    what=lambda: "KPI.TARGET(SR01) to show 1250000.5: %r" % oh.read(self.figures, "A1"))
        edits = [(row["changed_by"], row["action"], row["employee_code"], row["after"]) for row in self.history()
                 if row["changed_by"] == "Lan Nguyễn Thị"]
        self.assertEqual(sorted(edits), [
            ("Lan Nguyễn Thị", "edit", "SR01", "target=1250000.5;weight=1.0;valid_to=2026-12-31"),
            ("Lan Nguyễn Thị", "new", "SR02", "target=500000.0;weight=1.0;valid_to=2026-12-31"),
        ])

    def test_a_bad_sheet_publishes_nothing_and_names_each_bad_row(self):
        self.targets_sheet([
            ("SR02", "REV", "MONTH", "2026-01-01", "2026-12-31", 500000, 1),        # row 2: good
            ("NOBODY", "REV", "MONTH", "2026-01-01", "2026-12-31", 100, 1),         # row 3
            (),                                                                     # row 4: empty
            ("SR01", "REV", "MONTH", ("date", "2026-06-01"), "2027-05-31", 10, 1),  # row 5: overlaps 2026
            ("SR02", "REV", "DAY", "2026-01-01", "2026-12-31", -5, 1),              # row 6
        ])
        store_before, history_before = self.dump(), self.history()
        state, message = oc.run_command(self.office, self.document, "PublishTargets")
        self.assertEqual(state, oc.FAILURE, message)
        lines = message.split("\n")
        self.assertEqual(lines[0], "Nothing was published; the store is unchanged.")
        self.assertIn("Targets row 3: 'employee_code' refers to unknown employee 'NOBODY'", lines)
        self.assertIn("Targets row 5: target SR01/REV/MONTH valid 2026-06-01..2027-05-31 overlaps the one valid "
                      "2026-01-01..2026-12-31", lines)
        self.assertIn("Targets row 6: 'target' must not be negative, got '-5'", lines)
        self.assertFalse([line for line in lines if line.startswith("Targets row 2")], message)
        self.assertNotIn("targets.csv", message)
        self.assertEqual(self.dump(), store_before)
        self.assertEqual(self.history(), history_before)
        # A refresh later the cells still show the store's targets.
        state, _ = oc.run_command(self.office, self.document, "RefreshNow")
        self.assertEqual(state, oc.SUCCESS)
        oh.wait_for(lambda: oh.read(self.figures, "A1").value == 1000000, what="SR01's target")
        self.assertError(oh.read(self.figures, "A2"), oh.ERR_NOT_AVAILABLE, "SR02 still has no target")

    def test_without_user_data_the_login_name_is_recorded(self):
        self.targets_sheet([("SR02", "REV", "MONTH", "2026-01-01", "2026-12-31", 300000, 2)])
        state, message = oc.run_command(self.office, self.document, "PublishTargets")
        self.assertEqual(state, oc.SUCCESS, message)
        login = oh.office_user().pw_name
        self.assertIn("as %s: 1 target, 1 changed" % login, message)
        self.assertEqual([row["changed_by"] for row in self.history() if row["employee_code"] == "SR02"], [login])

    def test_a_macro_on_the_main_thread_hears_that_the_publication_started(self):
        # DispatchHelper waits on the main thread for the outcome, which the
        # worker posts to that very thread: the caller hears "started" at once
        # (the user gets the outcome in a message box), and nothing hangs.
        self.targets_sheet([("SR02", "REV", "MONTH", "2026-01-01", "2026-12-31", 300000, 1)])
        frame = self.document.getCurrentController().getFrame()
        helper = self.office.service("com.sun.star.frame.DispatchHelper")
        result = oc.on_main_thread(self.office, lambda: helper.executeDispatch(
            frame, "org.saleskpi.commands:PublishTargets", "", 0, ()))
        self.assertEqual((result.State, result.Result),
                         (oc.SUCCESS, "Publishing the Targets sheet in the background; the outcome follows in a "
                                      "message box."))
        oh.wait_for(lambda: oh.read(self.figures, "A2").value == 300000, timeout=REFRESH_SECONDS + 10,
                    what=lambda: "KPI.TARGET(SR02) to show 300000: %r" % oh.read(self.figures, "A2"))

    def test_a_document_without_a_targets_sheet_says_so(self):
        state, message = oc.run_command(self.office, self.document, "PublishTargets")
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("no sheet named Targets", message)

    def test_a_sheet_with_only_its_header_publishes_nothing(self):
        self.targets_sheet([])
        store_before = self.dump()
        state, message = oc.run_command(self.office, self.document, "PublishTargets")
        self.assertEqual(state, oc.FAILURE)
        self.assertIn("no target below its header row", message)
        self.assertEqual(self.dump(), store_before)


TARGETS_TEMPLATE = os.path.join(oh.BUILD, "templates", "targets-en.ots")


@unittest.skipUnless(os.path.exists(TARGETS_TEMPLATE), "the templates are not built")
class TargetsTemplate(DemoStoreTestCase):
    """The department template "Targets sheet" (templates/), as a user gets
    it from File ▸ New ▸ Templates, published to the demo distributor."""

    def test_its_sample_targets_publish_with_dates_read_from_date_cells(self):
        document = self.office.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(TARGETS_TEMPLATE), "_blank", 0,
            (oh.prop("Hidden", True), oh.prop("AsTemplate", True)))
        self.addCleanup(document.close, True)
        rows = [row for row in oc.used_rows(document.Sheets.getByName("Targets"))[1:] if row[0]]
        self.assertGreater(len(rows), 0)
        sheet = document.Sheets.getByName("Targets")
        self.assertEqual(sheet.getCellRangeByName("D2").getType().value, "VALUE", "valid_from holds date cells")
        state, message = oc.run_command(self.office, document, "PublishTargets")
        self.assertEqual(state, oc.SUCCESS, message)
        self.assertIn(": %d targets," % len(rows), message)
        history = list(csv.DictReader(io.StringIO(self.cli.run("history", "--format", "csv"))))
        published = {(row["employee_code"], row["kpi_code"], row["period_type"], row["valid_from"]): row["after"]
                     for row in history if row["changed_by"] == oh.office_user().pw_name}
        for employee, kpi, period_type, valid_from, valid_to, target, weight in (row[:7] for row in rows):
            key = (employee, kpi, period_type, sheet_date(valid_from))
            self.assertIn(key, published)
            self.assertTrue(published[key].startswith("target=%s;" % float(target)), published[key])


def sheet_date(serial):
    """A date cell's value (days since 1899-12-30) as YYYY-MM-DD."""
    return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(serial))).isoformat()


if __name__ == "__main__":
    unittest.main()
