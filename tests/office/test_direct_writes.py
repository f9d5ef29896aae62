"""Live figures equal a fresh load, whatever a DMS writes straight into the
store (issue 11; docs/store.md, "What a direct writer may do"). With a workbook
open and refreshing, every form of direct write — the INSERT OR REPLACE that
used to count an order twice among them — reaches the cells exactly as `kpi`
(a fresh load of the same store) computes it, and an actual equal to its
target shows an attainment of exactly 1 (docs/design.md, "Exact arithmetic").

A fresh store per test; the DMS is a Python sqlite3 connection of the office's
user with foreign keys on.
"""

import os
import shutil
import time
import unittest

import office_harness as oh
from kpi_data import make_store

REFRESH_SECONDS = 1
PERIOD = "2026-11"

# SR01 sells exactly its target (250000.1 + 0.2 = 250000.3); SO3 is pending.
STORE_CSV = {
    "employees.csv": "code,name,role,manager_code,department,region,start_date,end_date\n"
                     "SS01,Nguyễn Văn An,SS,,Sales HCM,South,2025-01-01,\n"
                     "SR01,Trần Thị Bình,SR,SS01,Sales HCM,South,2025-01-01,\n"
                     "SR02,Lê Văn Cường,SR,SS01,Sales HCM,South,2025-01-01,\n",
    "outlets.csv": "code,name,channel,province,created_date,created_by\n"
                   "O1,Tạp hóa Cô Ba,GT,HCM,2025-02-01,SR01\n"
                   "O2,Cửa hàng Hương Quê,GT,HCM,2025-02-01,SR02\n"
                   "O3,Quán Sáu Béo,GT,HCM,2025-02-01,\n",
    "products.csv": "sku,name,category,brand\nP1,Nước mắm 500ml,Sauce,Acme\nP2,Bánh tôm,Snack,Oishi\n",
    "kpis.csv": "code,type,name_vi,name_en,description,applies_to,unit,params,cap\n"
                "REV,SALES,Doanh số,Revenue,,,VND,,\n",
    "targets.csv": "employee_code,kpi_code,period_type,valid_from,valid_to,target,weight\n"
                   "SR01,REV,MONTH,2026-11-01,2026-11-30,250000.3,1\n",
    "orders.csv": "order_code,employee_code,outlet_code,order_time,type,status,approved_time\n"
                  "SO1,SR01,O1,2026-11-02 09:00:00,sale,approved,2026-11-02 10:00:00\n"
                  "SO2,SR02,O2,2026-11-03 09:30:00,sale,approved,\n"
                  "SO3,SR01,O1,2026-11-04 09:00:00,sale,pending,\n",
    "order_lines.csv": "order_code,line_no,sku,quantity,amount\n"
                       "SO1,1,P1,10,250000.1\n"
                       "SO1,2,P2,0.5,0.2\n"
                       "SO2,1,P1,4,100000.05\n"
                       "SO3,1,P1,1,25000\n",
    "visits.csv": "visit_code,employee_code,outlet_code,visit_time\n"
                  "V1,SR01,O1,2026-11-02 08:50:00\n"
                  "V2,SR02,O2,2026-11-03 09:00:00\n",
}

# The cells compared with `kpi actual`: every figure here is exact (sums and counts).
FIGURES = [(employee, kpi) for employee in ("SR01", "SR02", "SS01", "*")
           for kpi in ("REV", "VOLUME", "PC", "ASO", "VISITS")]

# A DMS's connection: the SQL is run as one script, in autocommit mode.
WRITE_SCRIPT = ("import sqlite3, sys\n"
                "db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
                "db.execute('PRAGMA foreign_keys = ON')\n"
                "db.executescript(sys.argv[2])\n")

ORDER = "INSERT {verb} INTO orders(order_code, employee_code, outlet_code, order_time, type, status) VALUES"

# (what, SQL): every form of direct write, one after the other on the same store.
# Each changes a figure below, so that the cells must take in its refresh.
WRITES = [
    ("an INSERT OR REPLACE of an approved order with its lines (counted twice before issue 11)",
     "BEGIN; " + ORDER.format(verb="OR REPLACE") + "('SO2', 'SR02', 'O2', '2026-11-03 09:30:00', 'sale', 'approved');"
     "INSERT INTO order_lines VALUES('SO2', 1, 'P1', 4, 100000.07); COMMIT;"),
    ("a new approved order with decimal lines",
     "BEGIN; " + ORDER.format(verb="") + "('SO4', 'SR01', 'O3', '2026-11-05 08:00:00', 'sale', 'approved');"
     "INSERT INTO order_lines VALUES('SO4', 1, 'P1', 0.1, 0.1), ('SO4', 2, 'P2', 0.2, 0.2); COMMIT;"),
    ("a pending order approved", "UPDATE orders SET status = 'approved' WHERE order_code = 'SO3';"),
    ("an UPSERT cancelling it",
     ORDER.format(verb="") + "('SO3', 'SR01', 'O1', '2026-11-04 09:00:00', 'sale', 'cancelled') "
     "ON CONFLICT(order_code) DO UPDATE SET status = excluded.status;"),
    ("an order moved to another day and salesperson",
     "UPDATE orders SET order_time = '2026-11-10 09:00:00', employee_code = 'SR02' WHERE order_code = 'SO4';"),
    ("a line moved to another order",
     "UPDATE order_lines SET order_code = 'SO1', line_no = 3 WHERE order_code = 'SO4' AND line_no = 1;"),
    ("a REPLACE moving an order to another day, its lines written again",
     "BEGIN; REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
     "VALUES('SO1', 'SR01', 'O1', '2026-11-06 09:00:00', 'sale', 'approved');"
     "INSERT INTO order_lines VALUES('SO1', 1, 'P1', 10, 250000.2), ('SO1', 2, 'P2', 0.5, 0.2); COMMIT;"),
    ("a return", "BEGIN; " + ORDER.format(verb="") + "('R1', 'SR02', 'O2', '2026-11-12 10:00:00', 'return', "
     "'approved'); INSERT INTO order_lines VALUES('R1', 1, 'P1', 1, 5000.05); COMMIT;"),
    ("a deleted order", "DELETE FROM orders WHERE order_code = 'SO4';"),
    ("visits replaced, added and deleted",
     "INSERT OR REPLACE INTO visits VALUES('V1', 'SR02', 'O3', '2026-11-07 08:00:00');"
     "INSERT INTO visits VALUES('V3', 'SR01', 'O1', '2026-11-06 08:00:00');"
     "DELETE FROM visits WHERE visit_code = 'V2';"),
    ("a salesperson moved to no manager", "UPDATE employees SET manager_code = NULL WHERE code = 'SR02';"),
]


class DirectWritesReachTheCells(oh.OfficeTestCase):
    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": str(REFRESH_SECONDS)}

    def setUp(self):
        folder = oh.make_private_dir("saleskpi-writes-")
        self.addCleanup(shutil.rmtree, folder, True)
        self.cli = make_store(folder, STORE_CSV)
        self.document = self.office.new_spreadsheet()
        self.addCleanup(self.document.close, True)
        oh.set_kpi_store(self.document, self.cli.store)
        self.sheet = self.document.Sheets.getByIndex(0)
        oh.wait_until_ready(self.sheet)

    def write(self, sql):
        oh.run_as_office_user(["/usr/bin/python3", "-c", WRITE_SCRIPT, self.cli.store, sql],
                              home=os.path.dirname(self.cli.store))

    def test_every_form_of_direct_write_reaches_the_cells_as_a_fresh_load_sees_it(self):
        cells = {}
        for row, (employee, kpi) in enumerate(FIGURES, start=1):
            cells[(employee, kpi)] = "A%d" % row
            oh.put_formula(self.sheet, "A%d" % row, '=KPI.ACTUAL("%s";"%s";"%s")' % (employee, kpi, PERIOD))
        for what, sql in [("the store as made", "")] + WRITES:
            if sql:
                self.write(sql)
            # `kpi actual` prints exact decimals: its figures parse to the very doubles the cells hold.
            expected = {key: self.cli.actual(key[0], key[1], PERIOD) for key in FIGURES}

            def differing():
                return {key: oh.read(self.sheet, address).value for key, address in cells.items()
                        if oh.read(self.sheet, address).value != expected[key]}

            try:
                oh.wait_for(lambda: not differing(), timeout=30, what=what)
            except AssertionError:
                self.fail("after %s the cells differ from kpi actual: %s (expected %s)"
                          % (what, differing(), {key: expected[key] for key in differing()}))
        # A few more refreshes change nothing.
        time.sleep(3 * REFRESH_SECONDS)
        self.assertEqual(differing(), {}, "the cells drifted after the last write")

    def test_an_actual_equal_to_its_target_shows_an_attainment_of_exactly_one(self):
        oh.put_formula(self.sheet, "A1", '=KPI.ATTAINMENT("SR01";"REV";"%s")' % PERIOD)
        oh.put_formula(self.sheet, "A2", "=A1=1")
        oh.put_formula(self.sheet, "A3", '=KPI.ACTUAL("SR01";"REV";"%s")' % PERIOD)
        self.assertEqual(oh.read(self.sheet, "A1").value, 1.0)
        self.assertEqual(oh.read(self.sheet, "A2").value, 1.0, "=A1=1 is TRUE")
        # Many small decimal orders arrive and the target rises by as much: 30 refreshes later, still exactly 1.
        target_units = 2500003000  # 250000.3 in units of 1/10,000
        for batch in range(30):
            orders = ["BEGIN;"]
            for i in range(10):
                code = "X%d-%d" % (batch, i)
                orders.append(ORDER.format(verb="") + "('%s', 'SR01', 'O%d', '2026-11-%02d 10:00:00', 'sale', "
                              "'approved');" % (code, 1 + i % 3, 2 + (batch + i) % 27))
                orders.append("INSERT INTO order_lines VALUES('%s', 1, 'P1', 0.1, 0.1), ('%s', 2, 'P2', 0.2, 0.2);"
                              % (code, code))
            # Ten orders of 0.3: the target rises by 3, written as the decimal it is.
            target_units += 30000
            target = "%d.%04d" % divmod(target_units, 10000)
            orders.append("UPDATE targets SET target = %s WHERE employee_code = 'SR01';" % target)
            orders.append("COMMIT;")
            self.write("".join(orders))
            self.assertEqual(self.cli.actual("SR01", "REV", PERIOD), float(target))
            oh.wait_for(lambda: oh.read(self.sheet, "A3").value == float(target), timeout=30,
                        what="batch %d in the cells" % batch)
            self.assertEqual(oh.read(self.sheet, "A1").value, 1.0, "attainment after batch %d" % batch)
            self.assertEqual(oh.read(self.sheet, "A2").value, 1.0, "=A1=1 after batch %d" % batch)

if __name__ == "__main__":
    unittest.main()
