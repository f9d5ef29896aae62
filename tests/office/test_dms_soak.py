"""A DMS writing all day under an open workbook (issue 11, the fault suite).

A "DMS" commits one write every 100 ms for FAULT_SOAK_SECONDS (600 in `make
test-faults`) — new orders with lines, approvals, cancellations, INSERT OR
REPLACE of orders, UPSERT of lines, changed amounts, visits — while a workbook
of more than 1,600 KPI cells (every report row of two months and a week, four
functions each, and the company's actual of every KPI) refreshes every 3 s.
At the end: no write failed, every cell equals what a fresh `kpi report` /
`kpi actual` computes on the same store, the office is alive. The figures of
the run are printed and written to $SALESKPI_FAULT_RESULTS/dms_soak.json when
that is set.

The one-write-of-each-form check runs in `make test` (test_direct_writes.py).
"""

import json
import os
import random
import sqlite3
import time
import unittest

import office_harness as oh
from kpi_data import make_store, number

PERIODS = ("2026-11", "2026-10", "2026-W47")
FUNCTIONS = ("ACTUAL", "TARGET", "ATTAINMENT", "PROJECTED")
REPORT_FIELD = {"ACTUAL": "actual", "TARGET": "target", "ATTAINMENT": "attainment", "PROJECTED": "projected"}


def connect(store):
    """A DMS's connection: foreign keys on, waits for other writers."""
    connection = sqlite3.connect(store, timeout=60, isolation_level=None)
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA busy_timeout = 60000")
    return connection


class Workbook:
    """The cells under test: for every report row of the month and of a week
    the four figure functions, and for the whole company (*) the actual of
    every KPI code over each period. Laid out in one block so that
    one getDataArray() reads them all."""

    def __init__(self, office, cli, kpi_codes):
        self.cli = cli
        self.document = office.new_spreadsheet()
        self.sheet = self.document.Sheets.getByIndex(0)
        oh.wait_until_ready(self.sheet, "A1")
        self.cells = []  # (function, employee, kpi, period)
        for period in PERIODS:
            for row in cli.report(period):
                for function in FUNCTIONS:
                    self.cells.append((function, row["employee_code"], row["kpi_code"], period))
        for period in PERIODS:
            for kpi in kpi_codes:
                self.cells.append(("ACTUAL", "*", kpi, period))
        formulas = [['=KPI.%s("%s";"%s";"%s")' % cell] for cell in self.cells]
        self.range = self.sheet.getCellRangeByPosition(1, 1, 1, len(formulas))
        self.range.setFormulaArray(tuple(tuple(row) for row in formulas))

    def shown(self):
        """Each cell's value, or None for #N/A (any other error is a string)."""
        values = []
        for row in range(len(self.cells)):
            cell = oh.Cell(self.sheet.getCellByPosition(1, 1 + row))
            if cell.error == oh.ERR_NOT_AVAILABLE:
                values.append(None)
            elif cell.error:
                values.append("Err:%d" % cell.error)
            else:
                values.append(cell.value)
        return values

    def expected(self):
        """What a fresh load says: kpi report for the rows, kpi actual for *."""
        by_key = {}
        for period in PERIODS:
            for row in self.cli.report(period):
                by_key[(row["employee_code"], row["kpi_code"], period)] = row
        values = []
        actuals = {}
        for function, employee, kpi, period in self.cells:
            if employee == "*":
                if (kpi, period) not in actuals:
                    actuals[(kpi, period)] = self.cli.actual("*", kpi, period)
                values.append(actuals[(kpi, period)])
                continue
            row = by_key.get((employee, kpi, period))
            # A report row that vanished (the target was deleted, the employee
            # left): the figure has no target any more.
            values.append(number(row[REPORT_FIELD[function]]) if row else "no row")
        return values

    def differences(self, expected):
        found = []
        for cell, want, got in zip(self.cells, expected, self.shown()):
            if want == "no row":
                continue
            if want is None or got is None or isinstance(got, str):
                if want != got:
                    found.append((cell, want, got))
            elif not oh.close_enough(got, want):
                found.append((cell, want, got))
        return found

    def wait_until_equal(self, timeout=20):
        """Waits for the cells to equal a fresh load of the store as it is now
        (computed once: nothing writes meanwhile); returns the differences
        left (empty when equal)."""
        expected = self.expected()
        deadline = time.monotonic() + timeout
        while True:
            found = self.differences(expected)
            if not found or time.monotonic() > deadline:
                return found
            time.sleep(0.3)


@unittest.skipUnless(os.environ.get("FAULT_SOAK_SECONDS"), "a soak: make test-faults sets FAULT_SOAK_SECONDS")
class DmsWriterDuringRefreshes(oh.OfficeTestCase):
    """A DMS commits a write every 100 ms (new orders with lines, approvals,
    cancellations, REPLACE and UPSERT of orders and lines, visits) for
    FAULT_SOAK_SECONDS while an open workbook of more than 1,600 KPI cells
    refreshes every 3 s. At the end: no write failed, every cell equals a
    fresh load, the office is alive."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "demo"))
        cls.store = cls.cli.store

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_STORE": os.path.join(data_dir, "demo", "kpi.sqlite"), "KPI_REFRESH_SECONDS": "3"}

    def writes(self, db, rng, serial):
        """One DMS transaction, chosen at random."""
        kind = rng.choice(["new", "new", "approve", "cancel", "line", "replace", "upsert", "visit"])
        employee, outlet = db.execute("SELECT employee_code, outlet_code FROM routes ORDER BY random() "
                                      "LIMIT 1").fetchone()
        day = "2026-11-%02d" % rng.randint(2, 20)
        if kind == "new":
            code = "SOAK%06d" % serial
            status = rng.choice(["approved", "pending"])
            return [("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                     "VALUES(?, ?, ?, ?, 'sale', ?)", (code, employee, outlet, day + " 10:00:00", status)),
                    ("INSERT INTO order_lines SELECT ?, 1, sku, 2, ? FROM products ORDER BY random() LIMIT 1",
                     (code, rng.randint(1, 900000) / 4))]
        if kind == "approve":
            return ["UPDATE orders SET status = 'approved' WHERE order_code = (SELECT order_code FROM orders WHERE "
                    "status = 'pending' AND order_time LIKE '2026-11%' ORDER BY random() LIMIT 1)"]
        if kind == "cancel":
            return ["UPDATE orders SET status = 'cancelled' WHERE order_code = (SELECT order_code FROM orders WHERE "
                    "status = 'approved' AND order_time LIKE '2026-11%' ORDER BY random() LIMIT 1)"]
        if kind == "line":
            row = db.execute("SELECT order_code, line_no FROM order_lines WHERE order_code IN (SELECT "
                             "order_code FROM orders WHERE order_time LIKE '2026-11%' ORDER BY random() "
                             "LIMIT 1) ORDER BY line_no LIMIT 1").fetchone()
            if row is None:  # an order without lines: a visit instead
                kind = "visit"
            else:
                code, line = row
                return [("UPDATE order_lines SET amount = ? WHERE order_code = ? AND line_no = ?",
                         (rng.randint(0, 5000000) / 10, code, line))]
        if kind == "replace":
            return [("INSERT OR REPLACE INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                     "SELECT order_code, employee_code, outlet_code, ?, type, 'approved' FROM orders WHERE "
                     "order_time LIKE '2026-11%' ORDER BY random() LIMIT 1", (day + " 11:00:00",))]
        if kind == "upsert":
            return [("INSERT INTO order_lines SELECT order_code, 1, (SELECT min(sku) FROM products), 1, ? FROM "
                     "orders WHERE order_time LIKE '2026-11%' ORDER BY random() LIMIT 1 ON CONFLICT(order_code, "
                     "line_no) DO UPDATE SET amount = excluded.amount", (rng.randint(0, 300000),))]
        return [("INSERT INTO visits VALUES(?, ?, ?, ?)", ("SOAKV%06d" % serial, employee, outlet,
                                                           day + " 09:00:00"))]

    def test_a_writer_every_100_ms_never_fails_and_the_cells_end_equal_to_a_fresh_load(self):
        seconds = float(os.environ["FAULT_SOAK_SECONDS"])
        kpi_codes = [row["code"] for row in self.cli.csv_rows("kpis.csv")]
        workbook = Workbook(self.office, self.cli, kpi_codes)
        self.assertGreaterEqual(len(workbook.cells), 1600)
        db = connect(self.store)
        self.addCleanup(db.close)
        rng = random.Random(11)
        failed, made, slowest = [], 0, 0.0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                db.execute("BEGIN IMMEDIATE")
                for statement in self.writes(db, rng, made):
                    db.execute(*statement) if isinstance(statement, tuple) else db.execute(statement)
                db.execute("COMMIT")
                made += 1
            except sqlite3.Error as error:
                failed.append(str(error))
                if db.in_transaction:
                    db.execute("ROLLBACK")
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))
        print("\n%d writes in %.0f s, %d failed, slowest %.3f s, %d cells" % (made, seconds, len(failed), slowest,
                                                                           len(workbook.cells)))
        oh.give_to_office_user(os.path.dirname(self.store))
        found = workbook.wait_until_equal(timeout=60)
        alive = self.office.alive()
        figures = {"seconds": seconds, "writes": made, "failed_writes": len(failed), "slowest_write_s": slowest,
                   "cells": len(workbook.cells), "cells_differing": len(found), "office_alive": alive}
        print(json.dumps(figures))
        if os.environ.get("SALESKPI_FAULT_RESULTS"):
            os.makedirs(os.environ["SALESKPI_FAULT_RESULTS"], exist_ok=True)
            with open(os.path.join(os.environ["SALESKPI_FAULT_RESULTS"], "dms_soak.json"), "w") as out:
                json.dump(figures, out, indent=2)
        self.assertEqual(failed[:5], [])
        self.assertEqual(found[:10], [], "%d cells differ from a fresh load" % len(found))
        self.assertTrue(alive)


if __name__ == "__main__":
    unittest.main()
