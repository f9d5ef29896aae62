#!/usr/bin/python3
"""`make bench`, the office half: KPI.* cells against their Calc baselines, in a
real headless LibreOffice with BUILD/saleskpi.oxt installed.

Uses the data sets tests/bench/bench.py leaves in BUILD/bench/ (the stores
<S|M|L>.sqlite and the CSVs data/<S|M|L>/*.csv). Per data set:
  1. KPI: 1,600 KPI.ACTUAL cells (200 salespeople × 8 KPIs, period 2026-11)
     once the store is loaded and the figures are shown: a full recalculation
     (document.calculateAll()), median of 5. Also the cost of one unrelated
     edit in that document (KPI cells that Calc recalculates on every change
     would show here).
  2. SUMIFS: the approved order lines joined with their orders (employee,
     date, signed amount and quantity, outlet, order, SKU) in a second sheet,
     and 1,600 SUMIFS/COUNTIFS cells over them (8 per salesperson, the month's
     window): calculateAll(), median of 3 (fewer when a run is long: no run
     starts that would end past --sumifs-budget seconds, 120 by default). Only
     where the rows fit in a Calc sheet (M; L has ~5M lines).
  3. trivial: 1,600 cells =$A5*B$4, calculateAll(), median of 5: Calc's floor;
     and 1,600 cells =DAYSINMONTH($A5+B$4), LibreOffice's own UNO add-in: the
     floor of any add-in function (the same call machinery as KPI.*).
  Each in its own document, in the same office, so the figures are not mixed.
  4. open: in a fresh office, a dashboard .ods (1,000 KPI.ACTUAL cells, 125
     salespeople × 8 KPIs, KPIStore = the store's path, saved showing #N/A so
     that what is shown on load comes from the engine, not from the file):
     the time from loadComponentFromURL to its first KPI cell showing a
     number (and to all of them, and to the whole store loaded: the figures
     may come first from a quick load of the month), and the office process's
     (soffice.bin) VmRSS before the load and VmRSS/VmHWM once the whole store
     is loaded.
  5. payout (issue 12): 1,000 KPI.PAYOUT cells (125 salespeople × 8: the
     month's, last month's and the quarter's totals and components) beside
     1,000 KPI.ACTUAL cells (the dashboard's), in pairs, alternately first, in
     an office refreshing every 2 s: the time from entering the cells to all
     of them showing figures, with the engine's caches dropped before each
     pair (a direct write of a visit, taken in by the refresh: what a cell
     pays after the data change), and calculateAll() of each sheet (median
     of 3).
  4b. open over PostgreSQL (issue 13): the same dashboard, its KPIStore a
     conninfo of a throwaway cluster (scripts/pg-cluster.sh in
     BUILD/bench/pg-office, Unix socket) whose database is filled from the
     same SQLite store by `kpi migrate` (untimed for the figure), opened in a
     fresh office right after the SQLite one: side by side in
     BUILD/bench/results-pg.json ("office_open") and the printed table.
     Skipped (said so) when no PostgreSQL server is installed or --no-pg.
Targets (the issues' acceptance): KPI ≤ 0.5 s and ≥ 30× faster than SUMIFS
(M); KPI ≤ 3× trivial; memory growth ≤ 300 MB and load to figures ≤ 3 s (L);
KPI.PAYOUT ≤ 2× KPI.ACTUAL (M, L).
Results: a table on stdout, merged into BUILD/bench/results.json under "office".

Run with Debian's /usr/bin/python3 (python3-uno):
  /usr/bin/python3 tests/office/bench_office.py --build build [--sizes M,L]
"""
import argparse
import csv
import datetime
import io
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

MONTH = "2026-11"
MONTH_START = datetime.date(2026, 11, 1)
MONTH_END = datetime.date(2026, 11, 30)
KPIS = ["DS", "SL", "PC", "LPPC", "ASO", "COV", "VISIT", "FOCUS"]
EMPLOYEES = 200           # rows of the recalculation sheets: 200 × 8 = 1,600 cells
DASHBOARD_EMPLOYEES = 125  # rows of the dashboard: 125 × 8 = 1,000 cells
CALC_MAX_ROWS = 1048576
FIRST_ROW = 5             # employees from row 5, KPI codes in row 4
NULL_DATE = datetime.date(1899, 12, 30)
# Calc's floor: a trivial built-in formula.
TRIVIAL = "=$A%(row)d*%(col)s$%(head)d"
# The floor of any UNO add-in: DAYSINMONTH is LibreOffice's own add-in
# (scaddins' DateFunctions), called through the same machinery as KPI.*.
ADDIN_FLOOR = "=DAYSINMONTH($A%(row)d+%(col)s$%(head)d)"
TARGETS = {"kpi_s": 0.5, "sumifs_over_kpi": 30.0, "kpi_over_trivial": 3.0, "growth_mb": 300.0, "open_s": 3.0,
           "payout_over_actual": 2.0}
# KPI.PAYOUT's 8 columns: (period, component KPI or None for the total).
PAYOUT_COLUMNS = [(MONTH, None), (MONTH, "DS"), (MONTH, "PC"), (MONTH, "FOCUS"),
                  ("2026-10", None), ("2026-10", "DS"), ("2026-Q4", None), ("2026-Q4", "FOCUS")]
PAYOUT_EMPLOYEES = 125     # 125 × 8 = 1,000 cells of each kind
PAYOUT_PAIRS = 3
PAYOUT_REFRESH_SECONDS = 2

# The SUMIFS sheet's 8 columns: (label, function, value column, extra criterion).
# Raw sheet columns: A employee, B date (serial), C amount (returns negative),
# D quantity (returns negative), E outlet, F order, G SKU.
SUMIFS_COLUMNS = [
    ("sales", "SUMIFS", "C", None),
    ("volume", "SUMIFS", "D", None),
    ("lines", "COUNTIFS", None, None),
    ("sale lines", "COUNTIFS", None, ("C", '">0"')),
    ("returns", "SUMIFS", "C", ("C", '"<0"')),
    ("sale qty", "SUMIFS", "D", ("C", '">0"')),
    ("focus NGK04", "SUMIFS", "C", ("G", '"NGK04"')),
    ("big lines", "COUNTIFS", None, ("D", '">=10"')),
]


def log(message):
    print("bench_office: " + message, file=sys.stderr, flush=True)


def col(index):
    """Column letter of a 0-based index below 26."""
    return chr(ord("A") + index)


def serial(day):
    return float((day - NULL_DATE).days)


def median_of(runs):
    return statistics.median(runs) if runs else None


# --- the office process ------------------------------------------------------

def memory_mb(pid):
    """VmRSS and VmHWM of a process, in MB."""
    values = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024.0
    return values["VmRSS"], values["VmHWM"]


# --- data --------------------------------------------------------------------

class DataSet:
    def __init__(self, build, size):
        self.size = size
        self.store = os.path.join(build, "bench", "%s.sqlite" % size)
        self.csv_dir = os.path.join(build, "bench", "data", size)
        self.copy = None  # the store's copy the office reads (set by copy_store)

    def missing(self):
        """Why the data set cannot be used, or None."""
        for path in (self.store, os.path.join(self.csv_dir, ".complete")):
            if not os.path.exists(path):
                return "%s is missing" % path
        return None

    def salespeople(self):
        with open(os.path.join(self.csv_dir, "employees.csv"), encoding="utf-8-sig") as f:
            return sorted(row["code"] for row in csv.DictReader(f) if row["role"] == "SR")

    def order_line_count(self):
        with open(os.path.join(self.csv_dir, "order_lines.csv"), "rb") as f:
            return sum(1 for _ in f) - 1

    def raw_rows(self):
        """Approved order lines with their order's employee and date, amounts
        and quantities of returns negative, as rows for the Raw sheet."""
        orders = {}
        with open(os.path.join(self.csv_dir, "orders.csv"), encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                if row["status"] != "approved":
                    continue
                day = datetime.date(int(row["order_time"][0:4]), int(row["order_time"][5:7]),
                                    int(row["order_time"][8:10]))
                orders[row["order_code"]] = (row["employee_code"], serial(day), -1.0 if row["type"] == "return"
                                             else 1.0, row["outlet_code"])
        rows = []
        with open(os.path.join(self.csv_dir, "order_lines.csv"), encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                order = orders.get(row["order_code"])
                if order is None:
                    continue
                employee, day, sign, outlet = order
                rows.append((employee, day, sign * float(row["amount"]), sign * float(row["quantity"]), outlet,
                             row["order_code"], row["sku"]))
        return rows


def copy_store(oh, data, directory):
    """A copy of the store in a directory the office user owns (a reader of a
    WAL store writes its -shm file)."""
    target = os.path.join(directory, "kpi.sqlite")
    wal = data.store + "-wal"
    if os.path.exists(wal) and os.path.getsize(wal) > 0:
        source, copy = sqlite3.connect(data.store), sqlite3.connect(target)
        source.backup(copy)
        source.close()
        copy.close()
    else:
        shutil.copyfile(data.store, target)
    oh.give_to_office_user(directory)
    data.copy = target
    return target


# --- sheets ------------------------------------------------------------------

def fill_table(sheet, employees, header, formula_of):
    """Employees in A5…, header in row 4 (from B), formulas in B5… (through
    one setFormulaArray). Returns the formula range."""
    last = FIRST_ROW + len(employees) - 1
    sheet.getCellRangeByName("A%d:%s%d" % (FIRST_ROW - 1, col(len(header)), FIRST_ROW - 1)).setDataArray(
        (tuple(["employee"] + list(header)),))
    sheet.getCellRangeByName("A%d:A%d" % (FIRST_ROW, last)).setDataArray(tuple((e,) for e in employees))
    cells = sheet.getCellRangeByName("B%d:%s%d" % (FIRST_ROW, col(len(header)), last))
    cells.setFormulaArray(tuple(tuple(formula_of(FIRST_ROW + r, col(1 + c)) for c in range(len(header)))
                                for r in range(len(employees))))
    return cells


def all_numbers(cells):
    """True when every cell of the range shows a number (getDataArray gives
    error cells as empty texts)."""
    return all(isinstance(value, float) for row in cells.getDataArray() for value in row)


def errors_in(cells):
    rows = cells.getRows().getCount()
    columns = cells.getColumns().getCount()
    found = []
    for r in range(rows):
        for c in range(columns):
            cell = cells.getCellByPosition(c, r)
            if cell.getError():
                found.append((cell.AbsoluteName, cell.getError()))
                if len(found) >= 5:
                    return found
    return found


def time_recalc(document, repeats, budget_s=None):
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        document.calculateAll()
        runs.append(time.perf_counter() - start)
        if budget_s is not None and sum(runs) + runs[-1] > budget_s and len(runs) < repeats:
            log("  (stopping after %d run(s): one takes %.1f s)" % (len(runs), runs[-1]))
            break
    return runs


def time_edits(document, sheet, repeats=5):
    """One constant typed into an unrelated cell, autocalc on: what Calc
    recalculates on an ordinary change."""
    runs = []
    cell = sheet.getCellRangeByName("L2")
    for i in range(repeats):
        start = time.perf_counter()
        cell.setValue(i + 1)
        runs.append(time.perf_counter() - start)
    return runs


# --- the measurements --------------------------------------------------------

def bench_builtin(oh, office, employees, repeats, formula):
    """1,600 cells of a formula over numbers (dates from 2025-12-09) in
    A5… and 1…8 in B4:I4, in a document of their own."""
    document = office.new_spreadsheet()
    try:
        sheet = document.Sheets.getByIndex(0)
        last = FIRST_ROW + len(employees) - 1
        sheet.getCellRangeByName("B%d:I%d" % (FIRST_ROW - 1, FIRST_ROW - 1)).setDataArray(
            (tuple(float(i + 1) for i in range(len(KPIS))),))
        sheet.getCellRangeByName("A%d:A%d" % (FIRST_ROW, last)).setDataArray(
            tuple((46000.0 + i,) for i in range(len(employees))))
        cells = sheet.getCellRangeByName("B%d:I%d" % (FIRST_ROW, last))
        cells.setFormulaArray(tuple(tuple(formula % {"row": FIRST_ROW + r, "col": col(1 + c), "head": FIRST_ROW - 1}
                                          for c in range(len(KPIS))) for r in range(len(employees))))
        if not all_numbers(cells):
            raise RuntimeError("the cells %s do not all show numbers: %r" % (formula, errors_in(cells)))
        runs = time_recalc(document, repeats)
        edits = time_edits(document, sheet)
        return {"cells": len(employees) * len(KPIS), "formula": formula % {"row": FIRST_ROW, "col": "B",
                                                                           "head": FIRST_ROW - 1},
                "runs_s": runs, "recalc_s": median_of(runs), "edit_s": median_of(edits)}
    finally:
        document.close(True)


def bench_kpi(oh, office, data, employees, repeats):
    document = office.new_spreadsheet()
    try:
        oh.set_kpi_store(document, data.copy)
        sheet = document.Sheets.getByIndex(0)
        start = time.perf_counter()
        status = oh.wait_until_ready(sheet, "K1", timeout=600)
        load_s = time.perf_counter() - start
        sheet.getCellRangeByName("A1:B1").setDataArray((("period", MONTH),))
        start = time.perf_counter()
        cells = fill_table(sheet, employees, KPIS, lambda row, c: "=KPI.ACTUAL($A%d;%s$%d;$B$1)" % (
            row, c, FIRST_ROW - 1))
        fill_s = time.perf_counter() - start
        oh.wait_for(lambda: all_numbers(cells), timeout=120, interval=0.05,
                    what=lambda: "the KPI cells to show numbers (errors: %r)" % errors_in(cells))
        shown_s = time.perf_counter() - start
        # Only the 1,600 KPI.ACTUAL cells recalculate: no KPI.STATUS cell.
        sheet.getCellRangeByName("K1").clearContents(1 | 2 | 4 | 16)  # VALUE, DATETIME, STRING, FORMULA
        runs = time_recalc(document, repeats)
        if not all_numbers(cells):
            raise RuntimeError("KPI cells lost their figures in calculateAll: %r" % errors_in(cells))
        edits = time_edits(document, sheet)
        figures = {(e, k): v for e, row in zip(employees, cells.getDataArray()) for k, v in zip(KPIS, row)}
        return {"cells": len(employees) * len(KPIS), "engine_load_s": load_s, "fill_s": fill_s,
                "figures_shown_s": shown_s, "runs_s": runs, "recalc_s": median_of(runs),
                "edit_s": median_of(edits), "status": status}, figures
    finally:
        document.close(True)


def bench_sumifs(oh, office, data, employees, repeats, budget_s):
    log("  reading the order lines of %s…" % data.size)
    rows = data.raw_rows()
    if len(rows) + 1 > CALC_MAX_ROWS:
        return {"skipped": "%d order lines do not fit in a Calc sheet (%d rows)" % (len(rows), CALC_MAX_ROWS)}, None
    document = office.new_spreadsheet()
    try:
        document.enableAutomaticCalculation(False)  # formulas are entered uncalculated
        sheets = document.Sheets
        sheets.insertNewByName("Raw", 1)
        raw = sheets.getByName("Raw")
        log("  %d order lines into the Raw sheet…" % len(rows))
        start = time.perf_counter()
        raw.getCellRangeByName("A1:G1").setDataArray(
            (("employee", "date", "amount", "quantity", "outlet", "order", "sku"),))
        chunk = 50000
        for first in range(0, len(rows), chunk):
            part = tuple(rows[first:first + chunk])
            raw.getCellRangeByName("A%d:G%d" % (first + 2, first + 1 + len(part))).setDataArray(part)
        insert_s = time.perf_counter() - start
        last_raw = len(rows) + 1
        del rows

        def rng(column):
            return "$Raw.$%s$2:$%s$%d" % (column, column, last_raw)

        def formula_of(row, column_letter):
            _, function, value, extra = SUMIFS_COLUMNS[ord(column_letter) - ord("B")]
            criteria = [rng("A"), "$A%d" % row, rng("B"), '">="&$B$1', rng("B"), '"<="&$C$1']
            if extra:
                criteria += [rng(extra[0]), extra[1]]
            args = ([rng(value)] if function == "SUMIFS" else []) + criteria
            return "=%s(%s)" % (function, ";".join(args))

        sheet = sheets.getByIndex(0)
        sheet.getCellRangeByName("A1:C1").setDataArray((("window", serial(MONTH_START), serial(MONTH_END)),))
        cells = fill_table(sheet, employees, [c[0] for c in SUMIFS_COLUMNS], formula_of)
        log("  SUMIFS recalculation (each run may take a minute)…")
        runs = time_recalc(document, repeats, budget_s)
        if not all_numbers(cells):
            raise RuntimeError("SUMIFS cells show errors: %r" % errors_in(cells))
        sums = {(e, label): v for e, row in zip(employees, cells.getDataArray())
                for (label, *_), v in zip(SUMIFS_COLUMNS, row)}
        return {"cells": len(employees) * len(SUMIFS_COLUMNS), "raw_rows": last_raw - 1, "insert_s": insert_s,
                "runs_s": runs, "recalc_s": median_of(runs)}, sums
    finally:
        document.close(True)


def cross_check(figures, sums, employees):
    """SUMIFS over the raw lines gives the same sales and volume as KPI.ACTUAL
    (a salesperson has no subtree): the two sheets compute the same thing."""
    mismatches = []
    for employee in employees:
        for kpi, label in (("DS", "sales"), ("SL", "volume")):
            a, b = figures[(employee, kpi)], sums[(employee, label)]
            if abs(a - b) > 1e-6 * max(1.0, abs(a)):
                mismatches.append("%s %s: KPI.ACTUAL %r, SUMIFS %r" % (employee, kpi, a, b))
    return mismatches


def make_dashboard(oh, office, path, store, employees):
    """A saved .ods of KPI.ACTUAL cells whose KPIStore names `store`, which
    does not exist yet: the file holds #N/A, not figures."""
    document = office.new_spreadsheet()
    try:
        oh.set_kpi_store(document, store)
        sheet = document.Sheets.getByIndex(0)
        sheet.getCellRangeByName("A1:B1").setDataArray((("period", MONTH),))
        oh.put_formula(sheet, "K1", "=KPI.STATUS()")
        cells = fill_table(sheet, employees, KPIS, lambda row, c: "=KPI.ACTUAL($A%d;%s$%d;$B$1)" % (
            row, c, FIRST_ROW - 1))
        if any(isinstance(v, float) for row in cells.getDataArray() for v in row):
            raise RuntimeError("the dashboard shows figures before its store exists")
        oh.store_as(document, path, "calc8")
        return "B%d:I%d" % (FIRST_ROW, FIRST_ROW + len(employees) - 1)
    finally:
        document.close(True)


def bench_open(oh, path, cells_address, cell_count):
    """A fresh office: its memory before and after the dashboard's figures are
    shown, and the time from loading the .ods to the figures."""
    with oh.Office() as office:
        pid = office.soffice_pid()
        # The idle office, with a document open and closed once: what a user
        # has before opening the workbook.
        office.new_spreadsheet().close(True)
        time.sleep(2)
        rss_before, hwm_before = memory_mb(pid)
        start = time.perf_counter()
        document = office.load(path)
        loaded_s = time.perf_counter() - start
        sheet = document.Sheets.getByIndex(0)
        cells = sheet.getCellRangeByName(cells_address)
        first = sheet.getCellRangeByName(cells_address.split(":")[0])
        oh.wait_for(lambda: first.getError() == 0, timeout=600, interval=0.01,
                    what=lambda: "the dashboard's first KPI cell to show a number (status %r)"
                    % sheet.getCellRangeByName("K1").getString())
        first_s = time.perf_counter() - start
        oh.wait_for(lambda: all_numbers(cells), timeout=120, interval=0.02,
                    what=lambda: "all dashboard cells to show numbers (errors: %r)" % errors_in(cells))
        all_s = time.perf_counter() - start
        status = sheet.getCellRangeByName("K1").getString()
        time.sleep(1)
        rss_shown, hwm_shown = memory_mb(pid)
        # The figures may come from a quick load of the month while the whole
        # store still loads: memory counts once everything is loaded.
        status_cell = sheet.getCellRangeByName("K1")
        oh.wait_for(lambda: status_cell.getString().startswith("ready"), timeout=600, interval=0.05,
                    what=lambda: "KPI.STATUS() to say ready (it says %r)" % status_cell.getString())
        ready_s = time.perf_counter() - start
        time.sleep(1)
        rss_after, hwm_after = memory_mb(pid)
        runs = time_recalc(document, 3)
        document.close(True)
        return {"cells": cell_count, "load_component_s": loaded_s, "first_figure_s": first_s,
                "figures_shown_s": all_s, "whole_store_loaded_s": ready_s, "rss_before_mb": rss_before,
                "hwm_before_mb": hwm_before, "growth_when_shown_mb": rss_shown - rss_before,
                "rss_after_mb": rss_after, "hwm_after_mb": hwm_after, "growth_mb": rss_after - rss_before,
                "peak_growth_mb": hwm_after - rss_before, "recalc_s": median_of(runs), "status": status}


def paid_salespeople(data, limit):
    """Salespeople with a payout in every period of PAYOUT_COLUMNS (`kpi
    payout` on the data set's store): their cells all show a number."""
    kpi = os.environ["SALESKPI_KPI"]
    paid = None
    for period in sorted({p for p, _ in PAYOUT_COLUMNS}):
        out = subprocess.run([kpi, "--store", data.store, "payout", "--period", period, "--format", "csv"],
                             check=True, capture_output=True, text=True, env=dict(os.environ, KPI_TODAY="2026-11-20"))
        codes = {row["employee_code"] for row in csv.DictReader(io.StringIO(out.stdout)) if row["kind"] == "total"}
        paid = codes if paid is None else paid & codes
    return sorted(code for code in data.salespeople() if code in paid)[:limit]


def bench_payout(oh, data, repeats):
    """1,000 KPI.PAYOUT cells beside 1,000 KPI.ACTUAL cells (5. above)."""
    employees = paid_salespeople(data, PAYOUT_EMPLOYEES)
    if len(employees) < PAYOUT_EMPLOYEES:
        raise RuntimeError("only %d salespeople are paid in every period" % len(employees))
    formulas = {
        "actual": (KPIS, lambda row, c: "=KPI.ACTUAL($A%d;%s$%d;\"%s\")" % (row, c, FIRST_ROW - 1, MONTH)),
        "payout": (["%s %s" % (p, k or "total") for p, k in PAYOUT_COLUMNS],
                   lambda row, c: '=KPI.PAYOUT($A%d;"%s"%s)' % (
                       row, PAYOUT_COLUMNS[ord(c) - ord("B")][0],
                       ';"%s"' % PAYOUT_COLUMNS[ord(c) - ord("B")][1] if PAYOUT_COLUMNS[ord(c) - ord("B")][1] else "")),
    }
    visits = os.path.join(data.csv_dir, "visits.csv")
    with open(visits, encoding="utf-8-sig") as f:
        visit = next(csv.DictReader(f))
    runs = {kind: {"shown_s": [], "recalc_s": []} for kind in formulas}
    with oh.Office(env={"KPI_REFRESH_SECONDS": str(PAYOUT_REFRESH_SECONDS)}) as office:
        # Keeps the store's session (its engine) alive between the measured documents.
        holder = office.new_spreadsheet()
        try:
            oh.set_kpi_store(holder, data.copy)
            sheet = holder.Sheets.getByIndex(0)
            oh.wait_until_ready(sheet, "A1", timeout=900)
            oh.put_formula(sheet, "A2", "=KPI.ASOF()")
            for pair in range(PAYOUT_PAIRS):
                # A direct write the next refresh takes in: every cache of figures is dropped.
                before = oh.read(sheet, "A2").value
                oh.run_as_office_user(["/usr/bin/python3", "-c", (
                    "import sqlite3, sys\n"
                    "db = sqlite3.connect(sys.argv[1], timeout=60)\n"
                    "db.execute(\"INSERT INTO visits(visit_code, employee_code, outlet_code, visit_time) "
                    "VALUES(?, ?, ?, ?)\", (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))\n"
                    "db.commit()\n"), data.copy, "BENCH-PAYOUT-%d" % pair, visit["employee_code"],
                    visit["outlet_code"], "2026-11-20 23:59:%02d" % (pair + 1)], home=os.path.dirname(data.copy))
                oh.wait_for(lambda: oh.read(sheet, "A2").value != before, timeout=120,
                            what="the refresh to take in the write")
                for kind in (("actual", "payout") if pair % 2 == 0 else ("payout", "actual")):
                    header, formula_of = formulas[kind]
                    document = office.new_spreadsheet()
                    try:
                        oh.set_kpi_store(document, data.copy)
                        cells_sheet = document.Sheets.getByIndex(0)
                        start = time.perf_counter()
                        cells = fill_table(cells_sheet, employees, header, formula_of)
                        oh.wait_for(lambda: all_numbers(cells), timeout=300, interval=0.01,
                                    what=lambda: "the %s cells to show numbers (errors: %r)"
                                    % (kind, errors_in(cells)))
                        runs[kind]["shown_s"].append(time.perf_counter() - start)
                        runs[kind]["recalc_s"].append(median_of(time_recalc(document, repeats)))
                    finally:
                        document.close(True)
            if not office.alive():
                raise RuntimeError("the office died:\n" + office.log()[-3000:])
        finally:
            holder.close(True)
    result = {"cells": len(employees) * len(PAYOUT_COLUMNS), "pairs": PAYOUT_PAIRS, "runs": runs}
    for kind in formulas:
        result[kind + "_shown_s"] = median_of(runs[kind]["shown_s"])
        result[kind + "_recalc_s"] = median_of(runs[kind]["recalc_s"])
    result["shown_ratio"] = result["payout_shown_s"] / result["actual_shown_s"]
    result["recalc_ratio"] = result["payout_recalc_s"] / result["actual_recalc_s"]
    result["load_average"] = os.getloadavg()
    return result


# --- the dashboard over PostgreSQL (4b) ---------------------------------------

def pg_database(size):
    """The database holding a data set's store on the benchmark's server."""
    return "bench_office_%s" % size.lower()


def fill_pg(pg, kpi, size, sqlite_store):
    """A fresh database of the server holding the SQLite store's rows (kpi
    migrate); the seconds it took."""
    location = pg.fresh(pg_database(size))
    start = time.perf_counter()
    p = subprocess.run([kpi, "migrate", "--from", sqlite_store, "--to", location], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("kpi migrate of %s failed: %s" % (size, p.stderr[-2000:]))
    return time.perf_counter() - start


def merge_pg_results(path, opened):
    """Step 4 on both stores, under "office_open" per data set in results-pg.json."""
    previous = {}
    if os.path.exists(path):
        with open(path) as f:
            previous = json.load(f)
    for size, r in opened.items():
        previous.setdefault("sizes", {}).setdefault(size, {})["office_open"] = r
    with open(path, "w") as f:
        json.dump(previous, f, indent=2)


def print_open_table(opened):
    for size, r in opened.items():
        lite, pg = r.get("sqlite"), r.get("postgres")
        if not pg:
            continue
        print("  %s dashboard (%d KPI cells) open -> first figure: SQLite %s, PostgreSQL %s (target <= 3 s); "
              "-> all figures %s / %s; whole store loaded %s / %s; RSS growth %.0f / %.0f MB; load %.1f-%.1f"
              % (size, pg["cells"], fmt_s(lite["first_figure_s"]) if lite else "-", fmt_s(pg["first_figure_s"]),
                 fmt_s(lite["figures_shown_s"]) if lite else "-", fmt_s(pg["figures_shown_s"]),
                 fmt_s(lite["whole_store_loaded_s"]) if lite else "-", fmt_s(pg["whole_store_loaded_s"]),
                 lite["growth_mb"] if lite else 0, pg["growth_mb"], r["load_average"][0], r["load_average_after"][0]))
        print("  %s %-28s %s" % (size, "PostgreSQL open -> figures <= 3 s", verdict(pg["first_figure_s"] <= TARGETS["open_s"])))


# --- report ------------------------------------------------------------------

def fmt_s(value):
    if value is None:
        return "-"
    return "%.1f ms" % (value * 1000) if value < 1 else "%.2f s" % value


def verdict(ok):
    return "ok" if ok else "MISSED"


def print_table(office_results):
    header = ("data set", "KPI recalc", "SUMIFS recalc", "trivial", "add-in floor", "SUMIFS/KPI", "KPI/trivial",
              "KPI/add-in", "edit KPI / trivial", "open->figures", "RSS growth", "peak growth")
    rows = [header]
    skipped = ["%s skipped: %s" % item for item in office_results["skipped"].items()]
    for size, r in office_results["sizes"].items():
        kpi, trivial, sumifs, opened = r.get("kpi", {}), r.get("trivial", {}), r.get("sumifs", {}), r.get("open")
        rows.append((
            size, fmt_s(kpi.get("recalc_s")),
            fmt_s(sumifs["recalc_s"]) if "recalc_s" in sumifs else "n/a",
            fmt_s(trivial.get("recalc_s")), fmt_s(r.get("addin_floor", {}).get("recalc_s")),
            "%.0fx" % r["sumifs_over_kpi"] if r.get("sumifs_over_kpi") else "n/a",
            "%.1fx" % r["kpi_over_trivial"] if r.get("kpi_over_trivial") else "-",
            "%.1fx" % r["kpi_over_addin_floor"] if r.get("kpi_over_addin_floor") else "-",
            "%s / %s" % (fmt_s(kpi.get("edit_s")), fmt_s(trivial.get("edit_s"))),
            fmt_s(opened["first_figure_s"]) if opened else "-",
            "%.0f MB" % opened["growth_mb"] if opened else "-",
            "%.0f MB" % opened["peak_growth_mb"] if opened else "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    if len(rows) > 1:
        for row in rows:
            print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
        print("recalc: calculateAll() of 1,600 cells in a document of their own (median); add-in floor: %s, "
              "LibreOffice's own UNO add-in; edit: one constant typed into that document; open->figures: a saved "
              "dashboard of 1,000 KPI cells in a fresh office" % (ADDIN_FLOOR % {"row": FIRST_ROW, "col": "B",
                                                                                 "head": FIRST_ROW - 1}))
    for line in skipped:
        print(line)
    for size, r in office_results["sizes"].items():
        payout = r.get("payout")
        if payout:
            print("  %s 1,000 KPI.PAYOUT / 1,000 KPI.ACTUAL: figures shown %s / %s (%.2fx), recalc %s / %s (%.2fx); "
                  "load %.1f" % (size, fmt_s(payout["payout_shown_s"]), fmt_s(payout["actual_shown_s"]),
                                 payout["shown_ratio"], fmt_s(payout["payout_recalc_s"]),
                                 fmt_s(payout["actual_recalc_s"]), payout["recalc_ratio"], payout["load_average"][0]))
        if isinstance(r.get("sumifs"), dict) and "skipped" in r["sumifs"]:
            print("  %s SUMIFS skipped: %s" % (size, r["sumifs"]["skipped"]))
        for key, ok in r.get("verdicts", {}).items():
            print("  %s %-28s %s" % (size, key, verdict(ok)))
        for note in r.get("notes", []):
            print("  %s note: %s" % (size, note))
    print("targets: KPI <= 0.5 s and >= 30x faster than SUMIFS (M); KPI <= 3x trivial; "
          "open -> figures <= 3 s, RSS growth <= 300 MB (L); KPI.PAYOUT <= 2x KPI.ACTUAL")


def merge_results(path, office_results):
    previous = {}
    if os.path.exists(path):
        with open(path) as f:
            previous = json.load(f)
    office = previous.get("office", {})
    office.update({k: v for k, v in office_results.items() if k != "sizes"})
    office.setdefault("sizes", {}).update(office_results["sizes"])
    previous["office"] = office
    with open(path, "w") as f:
        json.dump(previous, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--sizes", default="M,L")
    ap.add_argument("--repeats", type=int, default=5, help="calculateAll runs of the KPI and trivial sheets")
    ap.add_argument("--sumifs-repeats", type=int, default=3)
    ap.add_argument("--sumifs-budget", type=float, default=120,
                    help="seconds of SUMIFS runs after which no further run starts")
    ap.add_argument("--no-pg", action="store_true", help="step 4 on the SQLite stores only")
    ap.add_argument("--only", choices=("all", "open", "cells", "payout"), default="all",
                    help="open: only the dashboard opened in a fresh office (4); cells: only the "
                         "recalculations (1-3); payout: only KPI.PAYOUT beside KPI.ACTUAL (5)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    # The harness finds the extension through these.
    os.environ.setdefault("SALESKPI_BUILD_DIR", build)
    os.environ.setdefault("SALESKPI_OXT", os.path.join(build, "saleskpi.oxt"))
    os.environ.setdefault("SALESKPI_KPI", os.path.join(build, "bin", "kpi"))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import office_harness as oh

    if not os.path.exists(oh.OXT):
        sys.exit("bench_office: %s is missing: build the extension first" % oh.OXT)
    results_path = os.path.join(build, "bench", "results.json")
    # Skipped data sets are not written under "sizes": earlier results stay.
    office_results = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "targets": TARGETS, "skipped": {}, "sizes": {}}
    sets = []
    for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        data = DataSet(build, size)
        why = data.missing()
        if why:
            log("data set %s skipped: %s; make it with `python3 tests/bench/bench.py --build %s --sizes %s`"
                % (size, why, args.build, size))
            office_results["skipped"][size] = why
        else:
            sets.append(data)
    if not sets:
        log("no data set to measure")
        print_table(office_results)
        return

    work = oh.make_private_dir("saleskpi-bench-office-")
    started = time.perf_counter()
    pg = None
    pg_dashboards, opened_pg = {}, {}
    if args.only in ("all", "open") and not args.no_pg:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
        import bench_pg  # the benchmarks' server (scripts/pg-cluster.sh)
        if bench_pg.server_installed():
            pg = bench_pg.Server(build, folder="pg-office")
        else:
            log("no PostgreSQL server installed (postgresql-15): step 4 on SQLite only")
    try:
        # The dashboards first, in an office that never sees their stores.
        dashboards = {}
        log("saving the dashboards…")
        for data in sets:
            folder = os.path.join(work, data.size)
            os.makedirs(folder)
            oh.give_to_office_user(folder)
        with oh.Office() as office:
            for data in (sets if args.only in ("all", "open") else []):
                folder = os.path.join(work, data.size)
                path = os.path.join(folder, "dashboard.ods")
                employees = data.salespeople()[:DASHBOARD_EMPLOYEES]
                dashboards[data.size] = (path, make_dashboard(oh, office, path, os.path.join(folder, "kpi.sqlite"),
                                                              employees), len(employees) * len(KPIS))
                if pg:
                    # Saved before its database exists: the file holds #N/A.
                    pg_path = os.path.join(folder, "dashboard-pg.ods")
                    pg_dashboards[data.size] = (pg_path, make_dashboard(oh, office, pg_path, pg.location(pg_database(data.size)),
                                                                        employees), len(employees) * len(KPIS))
        for data in sets:
            log("copying the %s store…" % data.size)
            copy_store(oh, data, os.path.join(work, data.size))

        with oh.Office() as office:
            for data in (sets if args.only in ("all", "cells") else []):
                r = office_results["sizes"].setdefault(data.size, {})
                employees = data.salespeople()[:EMPLOYEES]
                r["salespeople_in_sheet"] = len(employees)
                log("%s: trivial cells…" % data.size)
                r["trivial"] = bench_builtin(oh, office, employees, args.repeats, TRIVIAL)
                log("%s: add-in floor cells…" % data.size)
                r["addin_floor"] = bench_builtin(oh, office, employees, args.repeats, ADDIN_FLOOR)
                log("%s: KPI cells…" % data.size)
                r["kpi"], figures = bench_kpi(oh, office, data, employees, args.repeats)
                lines = data.order_line_count()
                if lines + 1 > CALC_MAX_ROWS:
                    r["sumifs"] = {"skipped": "%d order lines do not fit in a Calc sheet (%d rows)"
                                              % (lines, CALC_MAX_ROWS)}
                else:
                    log("%s: SUMIFS cells…" % data.size)
                    r["sumifs"], sums = bench_sumifs(oh, office, data, employees, args.sumifs_repeats,
                                                     args.sumifs_budget)
                    if sums is not None:
                        mismatches = cross_check(figures, sums, employees)
                        r["sumifs"]["same_sales_and_volume_as_kpi"] = not mismatches
                        if mismatches:
                            r.setdefault("notes", []).append("SUMIFS differ from KPI.ACTUAL: " +
                                                             "; ".join(mismatches[:3]))
                if not office.alive():
                    raise RuntimeError("the office died:\n" + office.log()[-3000:])

        for data in (sets if args.only in ("all", "payout") else []):
            log("%s: KPI.PAYOUT beside KPI.ACTUAL…" % data.size)
            office_results["sizes"].setdefault(data.size, {})["payout"] = bench_payout(oh, data, 3)

        for data in (sets if args.only in ("all", "open") else []):
            log("%s: opening the dashboard in a fresh office…" % data.size)
            path, address, count = dashboards[data.size]
            office_results["sizes"].setdefault(data.size, {})["open"] = bench_open(oh, path, address, count)
            if pg:
                log("%s: the same store in PostgreSQL (kpi migrate)…" % data.size)
                migrate_s = fill_pg(pg, oh.KPI, data.size, data.copy)
                log("%s: opening the PostgreSQL dashboard in a fresh office…" % data.size)
                load_before = os.getloadavg()
                pg_path, pg_address, pg_count = pg_dashboards[data.size]
                opened_pg[data.size] = {
                    "sqlite": office_results["sizes"][data.size]["open"],
                    "postgres": bench_open(oh, pg_path, pg_address, pg_count),
                    "migrate_s": migrate_s, "load_average": load_before, "load_average_after": os.getloadavg(),
                    "when": time.strftime("%Y-%m-%d %H:%M:%S")}

        for data in (sets if args.only == "all" else []):
            r = office_results["sizes"][data.size]
            kpi_s, trivial_s = r["kpi"]["recalc_s"], r["trivial"]["recalc_s"]
            r["kpi_over_trivial"] = kpi_s / trivial_s
            r["kpi_over_addin_floor"] = kpi_s / r["addin_floor"]["recalc_s"]
            r["kpi_us_per_cell"] = kpi_s / r["kpi"]["cells"] * 1e6
            verdicts = {"KPI recalc <= 0.5 s": kpi_s <= TARGETS["kpi_s"],
                        "KPI <= 3x trivial": r["kpi_over_trivial"] <= TARGETS["kpi_over_trivial"]}
            if "recalc_s" in r["sumifs"]:
                r["sumifs_over_kpi"] = r["sumifs"]["recalc_s"] / kpi_s
                verdicts["SUMIFS >= 30x KPI"] = r["sumifs_over_kpi"] >= TARGETS["sumifs_over_kpi"]
            opened = r["open"]
            verdicts["open -> figures <= 3 s"] = opened["first_figure_s"] <= TARGETS["open_s"]
            verdicts["RSS growth <= 300 MB"] = opened["growth_mb"] <= TARGETS["growth_mb"]
            payout = r["payout"]
            verdicts["PAYOUT shown <= 2x ACTUAL"] = payout["shown_ratio"] <= TARGETS["payout_over_actual"]
            verdicts["PAYOUT recalc <= 2x ACTUAL"] = payout["recalc_ratio"] <= TARGETS["payout_over_actual"]
            r["verdicts"] = verdicts
        office_results["total_s"] = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if pg:
            pg.stop()

    if opened_pg:
        pg_path = os.path.join(build, "bench", "results-pg.json")
        merge_pg_results(pg_path, opened_pg)
        print_open_table(opened_pg)
        print("results: %s (key \"office_open\" of each data set)" % pg_path)
    if args.only != "all":
        # A partial run: its raw figures only, and results.json is left alone.
        print(json.dumps(office_results, indent=2, sort_keys=True))
        return
    merge_results(results_path, office_results)
    print_table(office_results)
    print("results: %s (key \"office\")" % results_path)


if __name__ == "__main__":
    main()
