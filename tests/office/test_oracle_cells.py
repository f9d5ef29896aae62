"""KPI.* cells in a real office agree with the project's independent Python
implementation of SPEC (tests/oracle/oracle.py), on a random data set full of
the SPEC's traps that neither side has seen before (tests/oracle/gen_data.py,
a fixed seed): every function, every employee level and `*`, KPI codes and bare
types, periods of every type.
"""

import datetime
import glob
import os
import subprocess
import sys

import office_harness as oh
from kpi_data import make_store

REPO = oh.REPO
sys.path.insert(0, os.path.join(REPO, "tests", "oracle"))
import oracle  # noqa: E402  (the independent implementation)

SEED = 23
PERIODS = ["2026-11", "2026-W53", "2026-Q4", "2026-12-01..2026-12-20", "2026-11-16"]
BARE_TYPES = ["SALES", "PC", "ASO", "UB", "COVERAGE", "NEW_OUTLETS", "VISITS", "DROP_SIZE"]
FUNCTIONS = ["ACTUAL", "TARGET", "ATTAINMENT", "PROJECTED"]


class CellsAgainstTheOracle(oh.OfficeTestCase):
    @classmethod
    def prepare_data(cls):
        source = os.path.join(cls.data_dir, "generated")
        subprocess.run([sys.executable, os.path.join(REPO, "tests", "oracle", "gen_data.py"), source,
                        "--seed", str(SEED)], check=True, capture_output=True)
        files = {}
        for path in sorted(glob.glob(os.path.join(source, "*.csv"))):
            with open(path, encoding="utf-8", newline="") as f:
                files[os.path.basename(path)] = f.read()
        make_store(os.path.join(cls.data_dir, "store"), files)
        cls.oracle_data = oracle.Data(source)

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_STORE": os.path.join(data_dir, "store", "kpi.sqlite")}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.document = cls.office.new_spreadsheet()
        cls.sheet = cls.document.Sheets.getByIndex(0)
        oh.wait_until_ready(cls.sheet)

    def employees(self):
        return sorted(self.oracle_data.employees) + ["*"]

    def kpi_codes(self):
        return sorted(self.oracle_data.kpis) + BARE_TYPES

    def expected(self, function, employee, kpi, period_text, today):
        period = oracle.parse_period(period_text)
        d = self.oracle_data
        if function == "ACTUAL":
            return oracle.actual(d, employee, kpi, period)
        if function == "TARGET":
            return oracle.effective_target(d, employee, kpi, period)
        if function == "ATTAINMENT":
            return oracle.attainment(d, employee, kpi, period)
        return oracle.projected(d, employee, kpi, period, today)

    def test_every_function_matches_the_oracle(self):
        today = datetime.date.fromisoformat(oh.PINNED_TODAY)  # the office's KPI_TODAY
        cases = [(f, e, k, p) for p in PERIODS for e in self.employees() for k in self.kpi_codes() for f in FUNCTIONS]
        columns = 50
        for i, (function, employee, kpi, period) in enumerate(cases):
            cell = self.sheet.getCellByPosition(i % columns, 2 + i // columns)
            cell.Formula = '=KPI.%s("%s";"%s";"%s")' % (function, employee, kpi, period)
        self.document.calculateAll()
        mismatches = []
        for i, (function, employee, kpi, period) in enumerate(cases):
            cell = oh.Cell(self.sheet.getCellByPosition(i % columns, 2 + i // columns))
            want = self.expected(function, employee, kpi, period, today)
            what = "KPI.%s(%s;%s;%s)" % (function, employee, kpi, period)
            if want is None:
                if cell.error != oh.ERR_NOT_AVAILABLE:
                    mismatches.append("%s shows %r, the oracle has no value (#N/A)" % (what, cell))
            elif cell.error != 0 or not oh.close_enough(cell.value, float(want)):
                mismatches.append("%s shows %r, the oracle says %s" % (what, cell, float(want)))
        self.assertEqual(mismatches[:20], [], "%d of %d cells differ" % (len(mismatches), len(cases)))
        self.assertGreater(len(cases), 1000)

    def test_every_score_matches_the_oracle(self):
        today = datetime.date.fromisoformat(oh.PINNED_TODAY)  # the office's KPI_TODAY
        checked = 0
        for column, period_text in enumerate(["2026-11", "2026-Q4", "2026-W48"]):
            rows = oracle.score_rows(self.oracle_data, oracle.parse_period(period_text), today)
            for r, row in enumerate(rows):
                cell = self.sheet.getCellByPosition(60 + column, 2 + r)
                cell.Formula = '=KPI.SCORE("%s";"%s")' % (row["employee_code"], period_text)
            self.document.calculateAll()
            for r, row in enumerate(rows):
                cell = oh.Cell(self.sheet.getCellByPosition(60 + column, 2 + r))
                what = "KPI.SCORE(%s;%s)" % (row["employee_code"], period_text)
                if row["score"] is None:
                    self.assertEqual(cell.error, oh.ERR_NOT_AVAILABLE, what)
                else:
                    self.assertShows(cell, float(row["score"]), what)
                checked += 1
        self.assertGreater(checked, 5)
