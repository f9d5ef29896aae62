#!/usr/bin/env python3
"""`kpi` on a PostgreSQL store against the same command on an SQLite store
(README.md here): the same demo files imported into both, then every command's
output must be byte-identical; a bad import leaves the PostgreSQL store as it
was and names FILE:LINE exactly as on SQLite; a server that is not running is
a clear error, at once; a location holding a password is refused.

    test_pg_cli.py --kpi PATH     (KPI_TEST_PG names the server)
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pgdb  # noqa: E402

KPI = None
TODAY = "2026-11-20"


def run(*args, **options):
    return pgdb.run_kpi(KPI, TODAY, args, **options)


def pg_dump(location):
    p = subprocess.run(["pg_dump", "--data-only", "-d", location], capture_output=True, text=True, check=True)
    return "\n".join(line for line in p.stdout.splitlines()
                     if not line.startswith(("\\restrict", "\\unrestrict", "SELECT pg_catalog.setval")))


WALL_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def without_times(text):
    """The wall-clock times a command prints (when something was imported or
    closed) as a placeholder: the second store was written a moment later."""
    return WALL_TIME.sub("<time>", text)


class PostgresLikeSqlite(unittest.TestCase):
    """One demo data set in both backends, shared by the tests of this class."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kpi-pg-cli-")
        cls.csv = os.path.join(cls.dir, "csv")
        run("demo-data", "--csv-only", "--csv-dir", cls.csv, "--size", "12", "--months", "3", "--seed", "7")
        cls.files = sorted(os.path.join(cls.csv, f) for f in os.listdir(cls.csv))
        cls.sqlite = os.path.join(cls.dir, "s.sqlite")
        cls.db = pgdb.Database("kpi_cli_%d" % os.getpid()).__enter__()
        cls.pg = cls.db.location
        for store in (cls.sqlite, cls.pg):
            run("--store", store, "init")
            p = run("--store", store, "import", *cls.files)
            assert "new or changed" in p.stderr, p.stderr

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def same(self, *args, times=False):
        a = run("--store", self.sqlite, *args, check=False)
        b = run("--store", self.pg, *args, check=False)
        self.assertEqual(a.returncode, b.returncode, (args, a.stderr, b.stderr))
        if times:
            self.assertEqual(without_times(a.stdout), without_times(b.stdout), args)
        else:
            self.assertEqual(a.stdout, b.stdout, args)
        self.assertEqual(without_times(a.stderr), without_times(b.stderr), args)
        self.assertTrue(a.stdout.strip() or a.returncode != 0, ("no output", args))
        return b

    def employee(self):
        with open(os.path.join(self.csv, "employees.csv"), encoding="utf-8") as f:
            rows = [line.split(",") for line in f.read().splitlines()[1:]]
        return [r[0] for r in rows if r[2] == "SR"][0]

    def test_1_figures_are_byte_identical(self):
        e = self.employee()
        for args in (["report", "--period", "2026-11", "--format", "csv"],
                     ["report", "--period", "2026-10"],
                     ["report", "--period", "2026-Q4", "--type", "WEEK", "--format", "csv"],
                     ["report", "--period", "2026-11", "--employee", e, "--as-of", "2026-11-10"],
                     ["score", "--period", "2026-11", "--format", "csv"],
                     ["score", "--period", "2026-09"],
                     ["actual", "*", "DS", "2026-11"],
                     ["actual", e, "DS", "2026-10"],
                     ["payout", "--period", "2026-10", "--format", "csv"],
                     ["payout", "--period", "2026-Q3"],
                     ["statement", "--employee", e, "--period", "2026-10"],
                     ["recommend", "--period", "2026-12", "--format", "csv"],
                     ["target-health", "--period", "2026-10", "--format", "csv"]):
            with self.subTest(args=args):
                self.same(*args)
        self.same("history", times=True)
        self.same("history", "--of", "plans", "--format", "csv", times=True)

    def test_2_close_and_reopen_alike(self):
        self.same("close", "2026-09", "--user", "kế toán", times=True)
        self.same("payout", "--period", "2026-09", "--format", "csv")
        self.same("close", "2026-09", "--user", "kế toán", times=True)  # refused: closed already
        self.same("reopen", "2026-09", "--reason", "sửa chỉ tiêu", "--user", "kế toán", times=True)
        self.same("history", "--of", "closes", times=True)

    def test_3_reimport_changes_nothing(self):
        before = pg_dump(self.pg)
        a = run("--store", self.sqlite, "import", *self.files)
        b = run("--store", self.pg, "import", *self.files)
        self.assertIn("0 new or changed", a.stderr)
        self.assertIn("0 new or changed", b.stderr)
        self.assertEqual(before, pg_dump(self.pg))

    def test_4_a_bad_import_names_file_and_line_and_changes_nothing(self):
        bad = os.path.join(self.dir, "bad")
        os.makedirs(bad, exist_ok=True)
        orders = os.path.join(bad, "orders.csv")
        with open(os.path.join(self.csv, "orders.csv"), encoding="utf-8") as f:
            text = f.read()
        lines = text.count("\n")
        with open(orders, "w", encoding="utf-8") as f:
            f.write(text + "BAD1,NV_KHONG_CO,CH1,2026-11-05 09:00:00,sale,approved,\n"
                    "BAD2,%s,CH1,2026-11-31 09:00:00,sale,approved,\n" % self.employee())
        before = pg_dump(self.pg)
        a = run("--store", self.sqlite, "import", orders, check=False)
        b = run("--store", self.pg, "import", orders, check=False)
        self.assertNotEqual(b.returncode, 0)
        self.assertEqual(a.returncode, b.returncode)
        self.assertIn("%s:%d: 'employee_code' refers to unknown employee 'NV_KHONG_CO'" % (orders, lines + 1), b.stderr)
        self.assertIn("%s:%d: 'order_time' must be a time" % (orders, lines + 2), b.stderr)
        self.assertIn("the store is unchanged", b.stderr)
        self.assertEqual(a.stderr, b.stderr)
        self.assertEqual(before, pg_dump(self.pg))

    def test_5_init_again_keeps_data_and_identity(self):
        before = pg_dump(self.pg)
        p = run("--store", self.pg, "init")
        self.assertIn("schema version 3, PostgreSQL, store id ", p.stderr)
        self.assertEqual(before, pg_dump(self.pg))


class OrderCodesInAnyOrder(unittest.TestCase):
    """A month's lines are read on PostgreSQL within the code range of the
    month's orders (loader.cpp: windowOrderCodes), which is narrow when codes
    grow with time as the demo's do. Here the codes are shuffled, so the range
    of a month's orders holds lines of every month: the figures must still be
    SQLite's, and they must differ from the demo's by nothing but the codes."""

    @classmethod
    def setUpClass(cls):
        import random
        cls.dir = tempfile.mkdtemp(prefix="kpi-pg-codes-")
        csv = os.path.join(cls.dir, "csv")
        run("demo-data", "--csv-only", "--csv-dir", csv, "--size", "8", "--months", "3", "--seed", "11")
        with open(os.path.join(csv, "orders.csv"), encoding="utf-8") as f:
            codes = [line.split(",", 1)[0] for line in f.read().splitlines()[1:]]
        shuffled = list(codes)
        random.Random(5).shuffle(shuffled)
        cls.renamed = dict(zip(codes, ("X" + c[2:] for c in shuffled)))
        for name in ("orders.csv", "order_lines.csv"):
            path = os.path.join(csv, name)
            with open(path, encoding="utf-8") as f:
                header, *rows = f.read().splitlines()
            rows = [cls.renamed[r.split(",", 1)[0]] + "," + r.split(",", 1)[1] for r in rows]
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join([header] + rows) + "\n")
        files = sorted(os.path.join(csv, f) for f in os.listdir(csv))
        cls.sqlite = os.path.join(cls.dir, "s.sqlite")
        cls.db = pgdb.Database("kpi_codes_%d" % os.getpid()).__enter__()
        cls.pg = cls.db.location
        for store in (cls.sqlite, cls.pg):
            run("--store", store, "init")
            run("--store", store, "import", *files)

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_codes_out_of_date_order(self):
        with open(os.path.join(self.dir, "csv", "orders.csv"), encoding="utf-8") as f:
            rows = [line.split(",") for line in f.read().splitlines()[1:]]
        november = sorted(r[0] for r in rows if r[3].startswith("2026-11") and r[5] == "approved")
        outside = [r[0] for r in rows if not r[3].startswith("2026-11") and november[0] < r[0] < november[-1]]
        self.assertGreater(len(outside), 100, "the month's code range must hold other months' orders")
        for args in (["report", "--period", "2026-11", "--format", "csv"],
                     ["report", "--period", "2026-10-15", "--format", "csv"],
                     ["actual", "*", "DS", "2026-11"],
                     ["actual", "*", "LPPC", "2026-W44"],
                     ["score", "--period", "2026-10", "--format", "csv"]):
            with self.subTest(args=args):
                a = run("--store", self.sqlite, *args)
                b = run("--store", self.pg, *args)
                self.assertEqual(a.stdout, b.stdout)
                self.assertTrue(b.stdout.strip())
        self.assertNotEqual(run("--store", self.pg, "actual", "*", "DS", "2026-11").stdout.strip(), "0")


class PostgresFailures(unittest.TestCase):
    def test_a_server_that_is_not_running_is_a_clear_error_at_once(self):
        gone = tempfile.mkdtemp(prefix="kpi-pg-gone-")
        try:
            for location in ("host=%s user=kpi dbname=kpi" % gone, "postgresql://kpi@127.0.0.1:1/kpi"):
                started = time.monotonic()
                p = run("--store", location, "report", "--period", "2026-11", check=False, timeout=60)
                self.assertLess(time.monotonic() - started, 15, location)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("cannot connect to the PostgreSQL store " + location, p.stderr)
                p = run("--store", location, "init", check=False, timeout=60)
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn("cannot connect to the PostgreSQL store", p.stderr)
        finally:
            shutil.rmtree(gone, ignore_errors=True)

    def test_a_location_with_a_password_is_refused(self):
        for location in ("host=/tmp user=kpi password=bimat dbname=kpi", "postgresql://kpi:bimat@localhost/kpi"):
            for how in ("--store", "KPI_STORE"):
                if how == "--store":
                    p = run("--store", location, "report", "--period", "2026-11", check=False)
                else:
                    p = run("report", "--period", "2026-11", check=False, env=dict(os.environ, KPI_STORE=location))
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("~/.pgpass", p.stderr)
                self.assertIn("pg_service.conf", p.stderr)
                self.assertNotIn("bimat", p.stderr)

    def test_an_empty_database_asks_for_kpi_init(self):
        with pgdb.Database("kpi_empty_%d" % os.getpid()) as db:
            p = run("--store", db.location, "report", "--period", "2026-11", check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn("is empty; run `kpi init`", p.stderr)


def main():
    global KPI
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi", required=True)
    args, rest = ap.parse_known_args()
    KPI = os.path.abspath(args.kpi)
    if not pgdb.admin_conninfo():
        print("test_pg_cli.py: KPI_TEST_PG is not set (tests/postgres/README.md)", file=sys.stderr)
        return 2
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    sys.exit(main())
