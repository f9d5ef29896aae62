#!/usr/bin/env python3
"""The `kpi` command as an administrator meets it: exit codes, messages that say
where, all-or-nothing imports, idempotent re-imports, the audit history, and a
reader that keeps working while another process imports."""
import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

KPI = None

EMPLOYEES = """code,name,role,manager_code,department,region,start_date,end_date
SS01,Trần Thị Bích Ngọc,SS,,Kênh GT,Miền Nam,2025-01-01,
NV01,Nguyễn Văn An,SR,SS01,Kênh GT,Miền Nam,2025-01-01,
NV02,"Lê Hoàng Phúc, Jr.",SR,SS01,Kênh GT,Miền Nam,2026-11-16,
"""
OUTLETS = '''code,name,channel,province,created_date,created_by
CH1,Tạp hóa Cô Ba,GT,TP. Hồ Chí Minh,2024-01-01,NV01
CH2,"Cửa hàng ""Minh Phát""",GT,Bình Dương,2026-11-03,NV01
'''
PRODUCTS = """sku,name,category,brand
P1,Sữa tươi,Sữa,VinaMilk
P2,Bánh quy,Bánh kẹo,Kinh Đô
"""
ORDERS = """order_code,employee_code,outlet_code,order_time,type,status,approved_time
O1,NV01,CH1,2026-11-02 09:00:00,sale,approved,2026-11-02 10:00:00
O2,NV01,CH2,2026-11-03 09:00:00,sale,approved,2026-11-03 10:00:00
O3,NV01,CH1,2026-11-04 09:00:00,sale,pending,
"""
LINES = """order_code,line_no,sku,quantity,amount
O1,1,P1,10,100000
O1,2,P2,5,50000
O2,1,P1,1,10000
O3,1,P1,100,1000000
"""
KPIS = """code,type,name_vi,name_en,description,applies_to,unit,params,cap
DS,SALES,Doanh số,Sales,,,VND,,
"""
TARGETS = """employee_code,kpi_code,period_type,valid_from,valid_to,target,weight
NV01,DS,MONTH,2026-11-01,2026-11-30,200000,1
"""


# The product's today in these runs (KPI_TODAY), so that an omitted --as-of
# means the same day whatever the calendar says.
TODAY = "2026-11-20"


def run(*args, check=True, env=None):
    env = dict(os.environ if env is None else env)
    env.setdefault("KPI_TODAY", TODAY)
    p = subprocess.run([KPI, *args], capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise AssertionError(f"kpi {' '.join(args)} failed ({p.returncode}):\n{p.stderr}")
    return p


def dump(store):
    con = sqlite3.connect(store)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


class KpiCommand(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="kpi-cli-")
        self.store = os.path.join(self.dir, "s.sqlite")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text, folder=None):
        folder = folder or os.path.join(self.dir, "csv")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def base_files(self):
        return [self.write("employees.csv", EMPLOYEES), self.write("outlets.csv", OUTLETS),
                self.write("products.csv", PRODUCTS), self.write("orders.csv", ORDERS),
                self.write("order_lines.csv", LINES), self.write("kpis.csv", KPIS),
                self.write("targets.csv", TARGETS)]

    def test_init_is_idempotent_and_keeps_data(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        before = dump(self.store)
        run("--store", self.store, "init")
        self.assertEqual(before, dump(self.store))

    def test_importing_the_same_files_twice_changes_nothing(self):
        run("--store", self.store, "init")
        files = self.base_files()
        run("--store", self.store, "import", *files)
        before = dump(self.store)
        p = run("--store", self.store, "import", *reversed(files))
        self.assertIn("0 new or changed", p.stderr)
        self.assertEqual(before, dump(self.store))

    def test_a_rejected_import_names_every_bad_row_and_changes_nothing(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        before = dump(self.store)
        bad_orders = self.write("orders.csv", ORDERS + "O9,NV99,CH1,2026-11-05 09:00:00,sale,approved,\n"
                                "O10,NV01,CH1,2026-11-31 09:00:00,sale,approved,\n"
                                "O11,NV01,CH1,2026-11-05 09:00:00,gift,done,\n", folder=os.path.join(self.dir, "bad"))
        bad_lines = self.write("order_lines.csv", LINES + "O1,3,P1,-1,100\n", folder=os.path.join(self.dir, "bad"))
        p = run("--store", self.store, "import", bad_orders, bad_lines, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(f"{bad_orders}:5: 'employee_code' refers to unknown employee 'NV99'", p.stderr)
        self.assertIn(f"{bad_orders}:6: 'order_time' must be a time", p.stderr)
        self.assertIn(f"{bad_orders}:7: 'type' must be sale or return", p.stderr)
        self.assertIn(f"{bad_orders}:7: 'status' must be pending, approved, rejected or cancelled", p.stderr)
        self.assertIn(f"{bad_lines}:6: 'quantity' must not be negative", p.stderr)
        self.assertIn("the store is unchanged", p.stderr)
        self.assertEqual(before, dump(self.store))

    def test_an_error_in_the_last_file_leaves_the_store_untouched(self):
        run("--store", self.store, "init")
        before = dump(self.store)
        files = self.base_files()
        bad_targets = self.write("targets.csv", TARGETS + "NV01,DS,MONTH,2026-11-15,2026-12-31,5,1\n",
                                 folder=os.path.join(self.dir, "bad"))
        p = run("--store", self.store, "import", *files[:-1], bad_targets, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{bad_targets}:3: target NV01/DS/MONTH valid 2026-11-15..2026-12-31 overlaps", p.stderr)
        self.assertEqual(before, dump(self.store))

    def test_a_reimported_order_loses_the_line_the_dms_dropped(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        self.assertEqual(run("--store", self.store, "actual", "NV01", "DS", "2026-11").stdout, "160000\n")
        amended = self.write("order_lines.csv", "order_code,line_no,sku,quantity,amount\nO1,1,P1,10,100000\n",
                             folder=os.path.join(self.dir, "amended"))
        p = run("--store", self.store, "import", amended)
        self.assertIn("0 new or changed, 1 dropped lines of amended orders removed", p.stderr)
        # O1's second line (P2, 50000) is gone from the figures too.
        self.assertEqual(run("--store", self.store, "actual", "NV01", "DS", "2026-11").stdout, "110000\n")

    def test_a_target_edit_is_in_the_history_with_who_before_and_after(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", "--user", "admin.lan", *self.base_files())
        edited = self.write("targets.csv", TARGETS.replace("200000", "250000"), folder=os.path.join(self.dir, "v2"))
        run("--store", self.store, "import", "--user", "chị Hương", edited)
        p = run("--store", self.store, "history", "--employee", "NV01", "--format", "csv")
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 3, p.stdout)
        self.assertIn(",admin.lan,new,NV01,DS,MONTH,2026-11-01,,target=200000.0;weight=1.0;valid_to=2026-11-30", lines[1])
        self.assertIn(",chị Hương,edit,NV01,DS,MONTH,2026-11-01,target=200000.0;weight=1.0;valid_to=2026-11-30,"
                      "target=250000.0;weight=1.0;valid_to=2026-11-30", lines[2])

    def test_history_as_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", "--user", "=cmd|' /C calc'!A0", *self.base_files())
        users = ["@SUM(1+1)", "+1", "-2", "\tx", "\rx", "'quoted"]
        for n, user in enumerate(users):
            edited = self.write("targets.csv", TARGETS.replace("200000", str(210000 + n)),
                                folder=os.path.join(self.dir, f"v{n}"))
            run("--store", self.store, "import", "--user", user, edited)
        # Bytes: text mode would turn the CR inside a quoted field into a line break.
        out = subprocess.run([KPI, "--store", self.store, "history", "--format", "csv"], capture_output=True,
                             check=True).stdout.decode("utf-8")
        rows = list(csv.reader(io.StringIO(out, newline="")))
        who = [r[1] for r in rows[1:]]
        self.assertEqual(who, ["'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'+1", "'-2", "'\tx", "'\rx", "'quoted"])
        # The other formats show the text as it is.
        p = run("--store", self.store, "history", "--format", "json")
        self.assertEqual([e["changed_by"] for e in json.loads(p.stdout)], ["=cmd|' /C calc'!A0", *users])

    def test_report_as_csv_neutralises_codes_but_never_numbers(self):
        run("--store", self.store, "init")
        files = self.base_files()
        files.append(self.write("employees.csv", EMPLOYEES + "=E1,Mã lạ,SR,SS01,,,2025-01-01,\n",
                                folder=os.path.join(self.dir, "odd")))
        files[0] = files.pop()
        files.append(self.write("orders.csv", ORDERS + "R1,=E1,CH1,2026-11-05 09:00:00,return,approved,\n",
                                folder=os.path.join(self.dir, "odd")))
        files[3] = files.pop()
        files.append(self.write("order_lines.csv", LINES + "R1,1,P1,1,7000\n", folder=os.path.join(self.dir, "odd")))
        files[4] = files.pop()
        files.append(self.write("targets.csv", TARGETS + "=E1,-DS,MONTH,2026-11-01,2026-11-30,1000,1\n"
                                "=E1,SALES,MONTH,2026-11-01,2026-11-30,1000,1\n", folder=os.path.join(self.dir, "odd")))
        files[6] = files.pop()
        files.append(self.write("kpis.csv", KPIS + "-DS,SALES,Doanh số trừ,Minus sales,,,VND,,\n",
                                folder=os.path.join(self.dir, "odd")))
        files[5] = files.pop()
        run("--store", self.store, "import", *files)
        p = run("--store", self.store, "report", "--period", "2026-11", "--as-of", "2026-11-30")
        lines = p.stdout.splitlines()
        self.assertIn("'=E1,'-DS,MONTH,2026-11-01,2026-11-30,-7000,1000,-7,-7000,1", lines)
        self.assertIn("'=E1,SALES,MONTH,2026-11-01,2026-11-30,-7000,1000,-7,-7000,1", lines)
        p = run("--store", self.store, "score", "--period", "2026-11", "--as-of", "2026-11-30")
        self.assertTrue(any(line.startswith("'=E1,MONTH,") for line in p.stdout.splitlines()), p.stdout)

    def test_actual_report_and_score_print_the_figures(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        self.assertEqual(run("--store", self.store, "actual", "NV01", "DS", "2026-11").stdout, "160000\n")
        self.assertEqual(run("--store", self.store, "actual", "SS01", "PC", "2026-11").stdout, "2\n")
        self.assertEqual(run("--store", self.store, "actual", "*", "SALES", "2026-11-02").stdout, "150000\n")
        p = run("--store", self.store, "report", "--period", "2026-11", "--as-of", "2026-11-30")
        self.assertEqual(p.stdout, "employee_code,kpi_code,period_type,period_start,period_end,actual,target,"
                                   "attainment,projected,weight\nNV01,DS,MONTH,2026-11-01,2026-11-30,160000,200000,"
                                   "0.8,160000,1\n")
        p = run("--store", self.store, "score", "--period", "2026-11", "--as-of", "2026-11-30")
        self.assertEqual(p.stdout, "employee_code,period_type,period_start,period_end,score\n"
                                   "NV01,MONTH,2026-11-01,2026-11-30,0.8\n")
        p = run("--store", self.store, "report", "--period", "2026-11", "--format", "json")
        self.assertIn('"employee_code": "NV01"', p.stdout)
        p = run("--store", self.store, "report", "--period", "2026-11", "--format", "table")
        self.assertIn("Nguyễn Văn An", p.stdout)

    def test_kpi_today_is_the_as_of_date_when_none_is_given(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())

        def projected(today):
            p = run("--store", self.store, "report", "--period", "2026-11", env=dict(os.environ, KPI_TODAY=today))
            return p.stdout.splitlines()[1].split(",")[8]

        # 160,000 by Wednesday 4 November: 3 of the month's 25 working days.
        self.assertEqual(projected("2026-11-04"), "1333333.333333")
        # Sunday 1 November, the month's first day: no working day yet, the
        # projection is the actual (SPEC §6), not a division by zero.
        self.assertEqual(projected("2026-11-01"), "160000")
        # After the month: the projection is the actual.
        self.assertEqual(projected("2026-12-01"), "160000")

    def test_a_malformed_kpi_today_is_refused_with_its_value(self):
        run("--store", self.store, "init")
        for value in ("2026-13-01", "tomorrow", "2026-11-20 08:00:00"):
            p = run("--store", self.store, "report", "--period", "2026-11", check=False,
                    env=dict(os.environ, KPI_TODAY=value))
            self.assertEqual(p.returncode, 2, value)
            self.assertIn("KPI_TODAY is '%s', not a date YYYY-MM-DD" % value, p.stderr)
            self.assertEqual(p.stdout, "")

    def test_the_first_day_of_a_month_without_orders_reports_zero(self):
        run("--store", self.store, "init")
        december = TARGETS + "NV01,DS,MONTH,2026-12-01,2026-12-31,300000,1\n"
        files = self.base_files()
        files[-1] = self.write("targets.csv", december, folder=os.path.join(self.dir, "dec"))
        run("--store", self.store, "import", *files)
        env = dict(os.environ, KPI_TODAY="2026-12-01")
        p = run("--store", self.store, "report", "--period", "2026-12", env=env)
        self.assertEqual(p.stdout.splitlines()[1], "NV01,DS,MONTH,2026-12-01,2026-12-31,0,300000,0,0,1")
        self.assertEqual(run("--store", self.store, "actual", "SS01", "PC", "2026-12", env=env).stdout, "0\n")

    def test_the_store_comes_from_kpi_store_when_not_given(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        env = dict(os.environ, KPI_STORE=self.store)
        self.assertEqual(run("actual", "NV01", "DS", "2026-11", env=env).stdout, "160000\n")

    def test_bad_arguments_say_what_is_wrong(self):
        run("--store", self.store, "init")
        run("--store", self.store, "import", *self.base_files())
        p = run("--store", self.store, "actual", "NV01", "DS", "2026-13", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("'2026-13' is not a period", p.stderr)
        p = run("--store", self.store, "actual", "NV77", "DS", "2026-11", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown employee 'NV77'", p.stderr)
        p = run("--store", self.store, "actual", "NV01", "NOPE", "2026-11", check=False)
        self.assertIn("unknown KPI 'NOPE'", p.stderr)
        p = run("--store", self.store, "report", "--period", "2026-11", "--format", "xml", check=False)
        self.assertEqual(p.returncode, 2)
        p = run("--store", self.store, "frobnicate", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown command 'frobnicate'", p.stderr)

    def test_a_missing_or_foreign_store_is_a_clear_error(self):
        p = run("--store", os.path.join(self.dir, "none.sqlite"), "actual", "NV01", "DS", "2026-11", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("store not found", p.stderr)
        self.assertIn("kpi init", p.stderr)
        foreign = os.path.join(self.dir, "foreign.sqlite")
        con = sqlite3.connect(foreign)
        con.execute("CREATE TABLE x(a)")
        con.commit()
        con.close()
        p = run("--store", foreign, "report", "--period", "2026-11", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a SalesKPI store", p.stderr)
        garbage = os.path.join(self.dir, "garbage.sqlite")
        with open(garbage, "wb") as f:
            f.write(b"this is not a database at all" * 100)
        p = run("--store", garbage, "report", "--period", "2026-11", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("kpi: error:", p.stderr)

    def test_every_command_has_help(self):
        self.assertIn("Commands:", run("--help").stdout)
        for command in ["init", "import", "actual", "report", "score", "history", "demo-data"]:
            p = run(command, "--help")
            self.assertIn("Usage: kpi", p.stdout, command)

    def test_demo_data_then_a_month_report_shows_a_team(self):
        # Its speed (under 10 s) is measured by `make bench`, not here: CI machines are noisy.
        started = time.monotonic()
        run("--store", self.store, "demo-data", "--size", "40", "--seed", "3", "--until", "2026-11-20")
        p = run("--store", self.store, "report", "--period", "2026-11", "--format", "table", "--as-of", "2026-11-20")
        seconds = time.monotonic() - started
        rows = p.stdout.strip().splitlines()[2:]
        employees = {r.split()[0] for r in rows}
        self.assertGreaterEqual(len(employees), 40)
        self.assertTrue(any(ch in p.stdout for ch in "ễếảạđư"))
        print(f"demo-data + report: {seconds:.1f} s for {len(rows)} rows", file=sys.stderr)

    def test_a_reader_keeps_working_while_another_process_imports(self):
        csv_dir = os.path.join(self.dir, "demo")
        run("--store", self.store, "demo-data", "--size", "20", "--seed", "5", "--until", "2026-11-20",
            "--months", "2", "--csv-dir", csv_dir)
        # A second, larger import of fresh order codes runs while reports are read.
        more = os.path.join(self.dir, "more")
        os.makedirs(more)
        for name in ["orders.csv", "order_lines.csv"]:
            with open(os.path.join(csv_dir, name), encoding="utf-8") as src, \
                    open(os.path.join(more, name), "w", encoding="utf-8") as dst:
                header = src.readline()
                dst.write(header)
                for line in src:
                    dst.write("X" + line)
        writer = subprocess.Popen([KPI, "--store", self.store, "import", os.path.join(more, "orders.csv"),
                                   os.path.join(more, "order_lines.csv")], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        reads = 0
        while writer.poll() is None or reads < 3:
            p = run("--store", self.store, "report", "--period", "2026-11", "--as-of", "2026-11-20", check=False)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("locked", p.stderr)
            reads += 1
        _, err = writer.communicate()
        self.assertEqual(writer.returncode, 0, err)
        self.assertGreaterEqual(reads, 3)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi", required=True)
    args, rest = ap.parse_known_args()
    KPI = os.path.abspath(args.kpi)
    result = unittest.main(argv=[sys.argv[0], *rest], exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
