"""Documents and stores over time: a workbook reopens with the same figures
(ODS; what happens with XLSX and XLS is recorded too), the store is found
through a relative KPIStore, figures follow the store while it changes, a store
that goes missing or breaks leaves the last figures and a reason in
KPI.STATUS(), and the office shuts down cleanly.
"""

import os
import re
import shutil
import sqlite3
import time
import unittest
import zipfile

import uno

import office_harness as oh
from kpi_data import TINY_CSV, extra_order_csv, make_store

ACTUAL_SR01 = '=KPI.ACTUAL("SR01";"REV";"2026-11")'
FORMULAS = {  # cell → (formula, what it shows on the tiny store)
    "A1": (ACTUAL_SR01, 250000.0),
    "A2": ('=KPI.TARGET("SR01";"REV";"2026-11")', 1000000.0),
    "A3": ('=KPI.ATTAINMENT("SR01";"REV";"2026-11")', 0.25),
    "A4": ('=KPI.PROJECTED("SR01";"REV";"2026-11")', None),  # depends on today; compared across reopen only
    "A5": ('=KPI.SCORE("SR01";"2026-11")', 0.25),
    "A6": ('=KPI.TARGET("SR02";"REV";"2026-11")', oh.ERR_NOT_AVAILABLE),
    "A7": ("=A1*2", 500000.0),
}
DETAIL_RANGE = "C1:H4"
DETAIL_FORMULA = '=KPI.DETAIL("SS01";"REV";"2026-11")'


def fill_workbook(sheet):
    for address, (formula, _) in FORMULAS.items():
        oh.put_formula(sheet, address, formula)
    sheet.getCellRangeByName(DETAIL_RANGE).setArrayFormula(DETAIL_FORMULA)
    oh.wait_for_detail(sheet.getCellRangeByName(DETAIL_RANGE))


def snapshot(sheet):
    """What the workbook shows: cell → (error, value, text), plus the detail array."""
    cells = {address: (c.error, c.value, c.text)
             for address, c in ((a, oh.read(sheet, a)) for a in FORMULAS)}
    return cells, sheet.getCellRangeByName(DETAIL_RANGE).getDataArray()


class Workbooks(oh.OfficeTestCase):
    """Saving and reopening; the store sits next to the document and is named
    by the relative KPIStore property."""

    @classmethod
    def prepare_data(cls):
        cls.folder = os.path.join(cls.data_dir, "workbooks")
        cls.cli = make_store(cls.folder, TINY_CSV)

    def new_workbook(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        oh.set_kpi_store(document, "kpi.sqlite")  # relative: next to the document
        return document

    def test_a_relative_kpistore_needs_a_saved_document(self):
        document = self.new_workbook()
        sheet = document.Sheets.getByIndex(0)
        oh.put_formula(sheet, "A1", ACTUAL_SR01)
        oh.put_formula(sheet, "A2", "=KPI.STATUS()")
        status = oh.read(sheet, "A2").text
        self.assertTrue(status.startswith("unavailable: the document property KPIStore is the relative path"),
                        status)
        self.assertEqual(oh.read(sheet, "A1").error, oh.ERR_NOT_AVAILABLE)
        # Saved under a name, the document has a folder: the cells find the store.
        document.storeAsURL(uno.systemPathToFileUrl(os.path.join(self.folder, "saved-later.ods")),
                            (oh.prop("FilterName", "calc8"),))
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, what="A1 once the document is saved")
        # The status cell is told of the loaded store by the same delivery as
        # A1, and Calc may show it a moment later.
        oh.wait_for(lambda: oh.read(sheet, "A2").text.startswith("ready: " + self.cli.store), 10,
                    what=lambda: "the status once the store is loaded (it says %r)" % oh.read(sheet, "A2").text)

    def test_an_ods_workbook_reopens_with_the_same_figures(self):
        document = self.new_workbook()
        path = os.path.join(self.folder, "figures.ods")
        oh.store_as(document, path, "calc8")  # saved first: KPIStore is relative to its folder
        document.close(True)
        document = self.office.load(path)
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        status = oh.wait_until_ready(sheet)
        self.assertIn(os.path.join(self.folder, "kpi.sqlite"), status)
        fill_workbook(sheet)
        before = snapshot(sheet)
        self.check_figures(before)
        document.store()
        document.close(True)

        reopened = self.office.load(path)
        self.addCleanup(reopened.close, True)
        # The figures at once, the records behind them once read.
        oh.wait_for(lambda: snapshot(reopened.Sheets.getByIndex(0)) == before, 30, what="the reopened figures")

        # And in another office, which loads the store from scratch.
        with oh.Office() as fresh:
            copy = os.path.join(fresh.private_dir("elsewhere"), "figures.ods")
            shutil.copyfile(path, copy)
            shutil.copyfile(self.cli.store, os.path.join(os.path.dirname(copy), "kpi.sqlite"))
            oh.give_to_office_user(os.path.dirname(copy))
            document = fresh.load(copy)
            sheet = document.Sheets.getByIndex(0)
            oh.wait_until_ready(sheet)
            oh.wait_for(lambda: snapshot(sheet) == before, what="the reopened figures")
            self.assertTrue(fresh.alive())

    def check_figures(self, shown):
        cells, detail = shown
        for address, (_, expected) in FORMULAS.items():
            error, value, _ = cells[address]
            if expected is None:
                self.assertEqual(error, 0, address)
            elif expected == oh.ERR_NOT_AVAILABLE:
                self.assertEqual(error, oh.ERR_NOT_AVAILABLE, address)
            else:
                self.assertEqual((error, value), (0, expected), address)
        self.assertEqual(sorted(tuple(row) for row in detail[1:] if row[0]),
                         [("2026-11-02", "SO1", "O1", "Tạp hóa Cô Ba", "SR01", 250000.0),
                          ("2026-11-03", "SO2", "O2", "Cửa hàng Hương Quê", "SR02", 100000.0)])

    def test_xlsx_keeps_the_formulas_under_their_programmatic_names(self):
        # Finding (docs/calc-functions.md): the .xlsx stores the formulas as
        # ORG.SALESKPI.KPIFUNCTIONS.KPIACTUAL(...) with the last values cached
        # (15 significant digits). LibreOffice with the extension reads them
        # back and shows the cached values until the workbook is recalculated;
        # then the cells are live again. Excel does not know these functions.
        document = self.new_workbook()
        path = os.path.join(self.folder, "figures.xlsx")
        oh.store_as(document, path, "Calc MS Excel 2007 XML")
        document.close(True)
        document = self.office.load(path)
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        oh.wait_until_ready(sheet)
        fill_workbook(sheet)
        before = snapshot(sheet)
        self.check_figures(before)
        oh.store_as(document, path, "Calc MS Excel 2007 XML")

        with zipfile.ZipFile(path) as xlsx:
            xml = xlsx.read("xl/worksheets/sheet1.xml").decode("utf-8")
        self.assertIn("<f aca=\"false\">ORG.SALESKPI.KPIFUNCTIONS.KPIACTUAL(&quot;SR01&quot;,&quot;REV&quot;,"
                      "&quot;2026-11&quot;)</f><v>250000</v>", xml)
        self.assertIsNone(re.search(r"<f[^>]*>KPI\.ACTUAL", xml))

        reopened = self.office.load(path)
        self.addCleanup(reopened.close, True)
        sheet = reopened.Sheets.getByIndex(0)
        self.assertEqual(sheet.getCellRangeByName("A1").getFormula(),
                         '=ORG.SALESKPI.KPIFUNCTIONS.KPIACTUAL("SR01";"REV";"2026-11")')
        cached_cells, cached_detail = snapshot(sheet)
        self.assertEqual(cached_detail, before[1])
        for address, (error, value, _) in cached_cells.items():
            self.assertEqual(error, before[0][address][0], address)
            self.assertAlmostEqual(value, before[0][address][1], delta=1e-9 * max(1.0, abs(value)), msg=address)
        reopened.calculateAll()
        oh.wait_for(lambda: snapshot(sheet) == before, 30, what="the recalculated figures")

    def test_xls_writes_the_english_names_and_reads_them_back(self):
        document = self.new_workbook()
        path = os.path.join(self.folder, "figures.xls")
        oh.store_as(document, path, "MS Excel 97")
        document.close(True)
        document = self.office.load(path)
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        oh.wait_until_ready(sheet)
        oh.put_formula(sheet, "A1", ACTUAL_SR01)
        oh.store_as(document, path, "MS Excel 97")
        with open(path, "rb") as xls:
            self.assertIn(b"KPI.ACTUAL", xls.read())
        reopened = self.office.load(path)
        self.addCleanup(reopened.close, True)
        cell = oh.read(reopened.Sheets.getByIndex(0), "A1")
        self.assertEqual((cell.error, cell.value), (0, 250000.0))


class LiveStore(oh.OfficeTestCase):
    """A store that changes, disappears and breaks under an open workbook;
    KPI_REFRESH_SECONDS=1 makes the office check it every second."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "live"), TINY_CSV)

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "1", "KPI_STORE": os.path.join(data_dir, "live", "kpi.sqlite")}

    def setUp(self):
        self.document = self.office.new_spreadsheet()
        self.addCleanup(self.document.close, True)
        self.sheet = self.document.Sheets.getByIndex(0)
        oh.wait_until_ready(self.sheet)
        oh.put_formula(self.sheet, "A1", ACTUAL_SR01)
        oh.put_formula(self.sheet, "A2", "=A1*2")
        oh.put_formula(self.sheet, "A3", "=KPI.ASOF()")
        oh.put_formula(self.sheet, "A4", "=KPI.STATUS()")

    def status(self):
        return oh.read(self.sheet, "A4").text

    def test_new_orders_reach_the_cells_by_themselves(self):
        before = oh.read(self.sheet, "A1").value
        asof_before = oh.read(self.sheet, "A3").value
        self.cli.import_csv(extra_order_csv("SO4", 50000, "2026-11-25 08:00:00"))
        oh.wait_for(lambda: oh.read(self.sheet, "A1").value == before + 50000, what="the new order in A1")
        self.assertEqual(oh.read(self.sheet, "A2").value, 2 * (before + 50000))
        self.assertGreater(oh.read(self.sheet, "A3").value, asof_before)
        self.assertEqual(oh.evaluate(self.sheet, '=TEXT(A3;"YYYY-MM-DD HH:MM")', "B1").text, "2026-11-25 08:00")

    def test_a_cell_about_an_employee_imported_later_fills_in_by_itself(self):
        # Err:502 while the store does not know SR07: Calc holds no live value
        # for such a cell, yet once SR07 is imported it shows the figure with no
        # recalculation asked by anyone; SR08, still unknown, stays Err:502.
        oh.put_formula(self.sheet, "B5", '=KPI.ACTUAL("SR07";"REV";"2026-11")')
        oh.put_formula(self.sheet, "B6", '=KPI.ACTUAL("SR08";"REV";"2026-11")')
        detail = self.sheet.getCellRangeByName("C10:H12")
        detail.setArrayFormula('=KPI.DETAIL("SR07";"REV";"2026-11")')
        # A second workbook with AutoCalculate off asks the same: left for its
        # user to recalculate.
        manual = self.office.new_spreadsheet()
        self.addCleanup(manual.close, True)
        manual_sheet = manual.Sheets.getByIndex(0)
        oh.put_formula(manual_sheet, "B5", '=KPI.ACTUAL("SR07";"REV";"2026-11")')
        for sheet, address in ((self.sheet, "B5"), (self.sheet, "B6"), (self.sheet, "C10"), (manual_sheet, "B5")):
            oh.wait_for(lambda: oh.read(sheet, address).error == oh.ERR_ILLEGAL_ARGUMENT, 10,
                        what=lambda: "Err:502 in %s (%r)" % (address, oh.read(sheet, address)))
        manual.enableAutomaticCalculation(False)
        self.document.setModified(False)
        undo = self.document.getUndoManager().getAllUndoActionTitles()
        self.cli.import_csv({
            "employees.csv": "code,name,role,manager_code,department,region,start_date,end_date\n"
                             "SR07,Võ Thị Giang,SR,SS01,Sales HCM,South,2025-01-01,\n",
            "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                          "SO7,SR07,O1,2026-11-06 09:00:00,sale,approved,\n",
            "order_lines.csv": "order_code,line_no,sku,quantity,amount\nSO7,1,P1,3,80000\n",
        })
        cell = oh.wait_for(lambda: oh.read(self.sheet, "B5").error == 0 and oh.read(self.sheet, "B5"), 30,
                           what=lambda: "SR07's actual in B5 (%r)" % oh.read(self.sheet, "B5"))
        self.assertShows(cell, 80000, "KPI.ACTUAL of the imported employee")
        rows = oh.wait_for_detail(detail)
        self.assertEqual(rows[1][1:3], ("SO7", "O1"), rows)
        self.assertError(oh.read(self.sheet, "B6"), oh.ERR_ILLEGAL_ARGUMENT, "an employee still unknown")
        self.assertFalse(self.document.isModified(), "asking the cells again is no edit")
        self.assertEqual(self.document.getUndoManager().getAllUndoActionTitles(), undo)
        # The same pass that recalculated the first workbook left this one.
        self.assertEqual(oh.read(manual_sheet, "B5").error, oh.ERR_ILLEGAL_ARGUMENT)
        manual.calculateAll()
        cell = oh.wait_for(lambda: oh.read(manual_sheet, "B5").error == 0 and oh.read(manual_sheet, "B5"), 10,
                           what=lambda: "the figure after the user's recalculation (%r)" % oh.read(manual_sheet, "B5"))
        self.assertShows(cell, 80000, "after the user's recalculation")

    def test_an_xlsx_workbook_is_live_again_once_recalculated(self):
        folder = oh.make_private_dir("saleskpi-xlsx-")
        self.addCleanup(shutil.rmtree, folder, True)
        for name, filter_name in (("live.ods", "calc8"), ("live.xlsx", "Calc MS Excel 2007 XML")):
            oh.store_as(self.document, os.path.join(folder, name), filter_name)
        ods = self.office.load(os.path.join(folder, "live.ods"))
        self.addCleanup(ods.close, True)
        xlsx = self.office.load(os.path.join(folder, "live.xlsx"))
        self.addCleanup(xlsx.close, True)
        before = oh.read(self.sheet, "A1").value
        self.cli.import_csv(extra_order_csv("SO5", 70000))
        oh.wait_for(lambda: oh.read(ods.Sheets.getByIndex(0), "A1").value == before + 70000,
                    what="the new order in the ODS workbook")
        # The .xlsx was loaded from its cached values: not live yet.
        self.assertEqual(oh.read(xlsx.Sheets.getByIndex(0), "A1").value, before)
        xlsx.calculateAll()
        self.assertEqual(oh.read(xlsx.Sheets.getByIndex(0), "A1").value, before + 70000)

    def wait_for_state(self, state):
        return oh.wait_for(lambda: self.status().startswith(state) and self.status(),
                           what=lambda: "KPI.STATUS() to say %s: %r" % (state, self.status()))

    def test_a_missing_store_keeps_the_last_figures_and_says_why(self):
        shown = oh.read(self.sheet, "A1").value
        moved = self.cli.store + ".moved"
        os.rename(self.cli.store, moved)
        try:
            status = self.wait_for_state("stale")
            self.assertIn("store not found", status)
            self.assertIn("showing the data read", status)
            self.assertEqual(oh.read(self.sheet, "A1").value, shown)
            # A new cell is answered from the figures in memory too.
            self.assertEqual(oh.evaluate(self.sheet, ACTUAL_SR01, "B2").value, shown)
        finally:
            os.rename(moved, self.cli.store)
        self.wait_for_state("ready")

    def test_a_store_replaced_by_a_broken_file_keeps_the_last_figures(self):
        shown = oh.read(self.sheet, "A1").value
        original = self.cli.store + ".original"
        os.link(self.cli.store, original)
        broken = self.cli.store + ".broken"
        with open(broken, "wb") as garbage:
            garbage.write(b"this is not a database at all!!" * 1000)
        os.replace(broken, self.cli.store)
        try:
            status = self.wait_for_state("stale")
            self.assertIn("not a SalesKPI store", status)
            self.assertEqual(oh.read(self.sheet, "A1").value, shown)
        finally:
            os.replace(original, self.cli.store)  # the very file the office had loaded
        self.wait_for_state("ready")
        self.assertEqual(oh.read(self.sheet, "A1").value, shown)

    def test_a_locked_store_blocks_nothing(self):
        # A copy of the store, locked before the office first reads it.
        # (While the office reads a WAL store, no writer can lock it out.)
        folder = oh.make_private_dir("saleskpi-locked-")
        self.addCleanup(shutil.rmtree, folder, True)
        store = os.path.join(folder, "kpi.sqlite")
        shutil.copyfile(self.cli.store, store)
        oh.give_to_office_user(folder)
        locker = sqlite3.connect(store, isolation_level=None)
        try:
            locker.execute("PRAGMA locking_mode=EXCLUSIVE")
            locker.execute("BEGIN EXCLUSIVE")
            locker.execute("CREATE TABLE saleskpi_test_lock(x)")
            document = self.office.new_spreadsheet()
            self.addCleanup(document.close, True)
            oh.set_kpi_store(document, store)
            sheet = document.Sheets.getByIndex(0)
            started = time.monotonic()
            oh.put_formula(sheet, "A1", ACTUAL_SR01)
            oh.put_formula(sheet, "A2", "=KPI.STATUS()")
            time.sleep(2)  # the worker waits for the lock meanwhile
            self.assertEqual(oh.read(sheet, "A1").error, oh.ERR_NOT_AVAILABLE)
            self.assertTrue(oh.read(sheet, "A2").text.startswith("loading: " + store), oh.read(sheet, "A2").text)
            self.assertEqual(oh.evaluate(sheet, "=1+1", "A3").value, 2)
            self.assertLess(time.monotonic() - started, 4)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, what="A1 once the lock is gone")

    def test_the_office_shuts_down_cleanly_with_the_worker_running(self):
        office = oh.Office(env={"KPI_REFRESH_SECONDS": "1", "KPI_STORE": self.cli.store})
        self.addCleanup(office.stop)
        office.start()
        sheet = office.new_spreadsheet().Sheets.getByIndex(0)
        oh.wait_until_ready(sheet)
        started = time.monotonic()
        self.assertEqual(office.stop(), 0, "the office did not exit cleanly")
        self.assertLess(time.monotonic() - started, 10)


class StoreAppearingLater(oh.OfficeTestCase):
    """KPI_STORE names a store that does not exist yet."""

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "1", "KPI_STORE": os.path.join(data_dir, "later", "kpi.sqlite")}

    def test_cells_fill_in_once_the_store_exists(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        oh.put_formula(sheet, "A1", ACTUAL_SR01)
        oh.put_formula(sheet, "A2", '=KPI.ACTUAL("NOBODY";"REV";"2026-11")')
        oh.put_formula(sheet, "A3", "=KPI.STATUS()")
        status = oh.wait_for(lambda: oh.read(sheet, "A3").text.startswith("unavailable") and oh.read(sheet, "A3").text,
                             what="KPI.STATUS() to say unavailable")
        self.assertIn("store not found", status)
        self.assertEqual(oh.read(sheet, "A1").error, oh.ERR_NOT_AVAILABLE)
        self.assertEqual(oh.read(sheet, "A2").error, oh.ERR_NOT_AVAILABLE)  # not known to be wrong yet

        make_store(os.path.join(self.data_dir, "later"), TINY_CSV)
        oh.wait_for(lambda: oh.read(sheet, "A1").error == 0, what="A1 to fill in")
        self.assertEqual(oh.read(sheet, "A1").value, 250000.0)
        # Once the store is known, an unknown employee is an invalid argument.
        oh.wait_for(lambda: oh.read(sheet, "A2").error == oh.ERR_ILLEGAL_ARGUMENT, what="A2 to become Err:502")
        # The status cell is told by its own delivery, which may come a moment later.
        oh.wait_for(lambda: oh.read(sheet, "A3").text.startswith("ready"), 10,
                    what=lambda: "KPI.STATUS() to say ready (it says %r)" % oh.read(sheet, "A3").text)


if __name__ == "__main__":
    unittest.main()
