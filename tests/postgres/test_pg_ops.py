#!/usr/bin/env python3
"""`kpi grant`, `kpi revoke` and `kpi migrate` against the throwaway server
(README.md here).

Grants: a manager login made with CREATE ROLE … LOGIN and granted a
supervisor runs `kpi report` and gets exactly that supervisor's subtree;
another team's employee is as unknown to it as a code that does not exist;
psql as that login reads none of another team's orders; revoke takes it all
back; the writer login inserts an order with psql and cannot change targets;
and every refusal (an SQLite store, an unknown login or employee, a login that
is not the owner, a superuser) is a clear message.

Migrate: a demo SQLite store with closes, a reopen, target and plan history is
copied into an empty PostgreSQL database; report, score, payout, statement and
every history are then byte-identical on both (history times included: the
rows are copied, not rewritten), the change log keeps its numbers and goes on
from them; the failure paths (a target that holds data, a missing source, a
server that is not running, an SQLite target, an old source) leave the target
as it was.

    test_pg_ops.py --kpi PATH     (KPI_TEST_PG names the server)
"""

import argparse
import csv
import os
import shutil
import sqlite3
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


def psql(conninfo, sql, check=True):
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise AssertionError(f"psql {sql}: {p.stderr}")
    return p


def employees(folder):
    with open(os.path.join(folder, "employees.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def subtree(rows, code):
    below = {code}
    grew = True
    while grew:
        grew = False
        for r in rows:
            if r["manager_code"] in below and r["code"] not in below:
                below.add(r["code"])
                grew = True
    return below


class Grants(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kpi-pg-grants-")
        cls.csv = os.path.join(cls.dir, "csv")
        run("demo-data", "--csv-only", "--csv-dir", cls.csv, "--size", "12", "--months", "2", "--seed", "5",
            "--until", TODAY)
        cls.files = sorted(os.path.join(cls.csv, f) for f in os.listdir(cls.csv))
        name = "kpi_grants_%d" % os.getpid()
        cls.db = pgdb.Database(name).__enter__()
        cls.pg = cls.db.location
        run("--store", cls.pg, "init")
        run("--store", cls.pg, "import", *cls.files)
        cls.people = employees(cls.csv)
        sups = sorted(r["code"] for r in cls.people if r["role"] == "SS")
        assert len(sups) >= 2, sups
        cls.mine, cls.theirs = sups[0], sups[1]
        cls.team = subtree(cls.people, cls.mine)
        cls.other = sorted(subtree(cls.people, cls.theirs) - {cls.theirs})[0]  # a salesperson of another team
        cls.manager, cls.writer, cls.nobody = name + "_lan", name + "_dms", name + "_none"
        for login in (cls.manager, cls.writer):
            pgdb.psql(cls.db.admin, "DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN" % (login, login))
        cls.as_manager = cls.db.location + " user=" + cls.manager
        cls.as_writer = cls.db.location + " user=" + cls.writer

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)
        for login in (cls.manager, cls.writer):
            try:
                pgdb.psql(cls.db.admin, "DROP ROLE IF EXISTS %s" % login)
            except Exception:  # noqa: BLE001 - a throwaway cluster
                pass
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_1_a_manager_sees_exactly_their_team(self):
        p = run("--store", self.pg, "grant", "--login", self.manager, "--employee", self.mine)
        self.assertIn("login %s now sees %s's team" % (self.manager, self.mine), p.stderr)
        report = ["report", "--period", "2026-11", "--format", "csv"]
        theirs = run("--store", self.as_manager, *report).stdout
        expected = run("--store", self.pg, *report, "--employee", self.mine).stdout
        self.assertEqual(theirs, expected)
        codes = {line.split(",")[0] for line in theirs.splitlines()[1:]}
        self.assertEqual(codes, self.team & codes)
        self.assertIn(self.mine, codes)
        self.assertGreater(len(codes), 1)
        everyone = {line.split(",")[0] for line in run("--store", self.pg, *report).stdout.splitlines()[1:]}
        self.assertTrue(everyone - codes, "the whole company's report is larger")
        # The same figures for a team member, and the login's whole subtree as '*'.
        member = sorted(self.team - {self.mine})[0]
        for args in (["actual", member, "DS", "2026-11"], ["actual", self.mine, "DS", "2026-11"]):
            self.assertEqual(run("--store", self.as_manager, *args).stdout, run("--store", self.pg, *args).stdout)

    def test_2_another_team_is_as_unknown_as_a_code_that_does_not_exist(self):
        run("--store", self.pg, "grant", "--login", self.manager, "--employee", self.mine)
        self.assertTrue(run("--store", self.pg, "actual", self.other, "DS", "2026-11").stdout.strip())
        hidden = run("--store", self.as_manager, "actual", self.other, "DS", "2026-11", check=False)
        unknown = run("--store", self.as_manager, "actual", "KHONG_CO", "DS", "2026-11", check=False)
        self.assertNotEqual(hidden.returncode, 0)
        self.assertEqual(hidden.returncode, unknown.returncode)
        self.assertEqual(hidden.stderr.replace(self.other, "X"), unknown.stderr.replace("KHONG_CO", "X"))
        self.assertEqual(hidden.stdout, "")

    def test_3_psql_as_the_manager_reads_no_other_team(self):
        run("--store", self.pg, "grant", "--login", self.manager, "--employee", self.mine)
        sql = "SELECT count(*) FROM orders WHERE employee_code = '%s'" % self.other
        self.assertGreater(int(psql(self.pg, sql).stdout), 0)
        self.assertEqual(psql(self.as_manager, sql).stdout.strip(), "0")
        team = ",".join("'%s'" % c for c in sorted(self.team))
        outside = "SELECT count(*) FROM %s WHERE employee_code NOT IN (%s)"
        for table in ("orders", "visits", "routes", "targets"):
            self.assertEqual(psql(self.as_manager, outside % (table, team)).stdout.strip(), "0", table)
            self.assertGreater(int(psql(self.as_manager, "SELECT count(*) FROM " + table).stdout), 0, table)
        self.assertEqual(psql(self.as_manager, "SELECT count(*) FROM order_lines l JOIN orders o USING (order_code)"
                              " WHERE o.employee_code NOT IN (%s)" % team).stdout.strip(), "0")
        self.assertEqual(int(psql(self.as_manager, "SELECT count(*) FROM order_lines").stdout),
                         int(psql(self.pg, "SELECT count(*) FROM order_lines JOIN orders USING (order_code) "
                                  "WHERE employee_code IN (%s)" % team).stdout))
        # Read only: its own team's orders cannot be changed either.
        p = psql(self.as_manager, "UPDATE orders SET status = 'cancelled' WHERE employee_code = '%s'" % self.mine,
                 check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("permission denied", p.stderr)

    def test_4_star_sees_everything_and_revoke_takes_it_back(self):
        run("--store", self.pg, "grant", "--login", self.manager, "--employee", "*")
        report = ["report", "--period", "2026-11", "--format", "csv"]
        self.assertEqual(run("--store", self.as_manager, *report).stdout, run("--store", self.pg, *report).stdout)
        p = run("--store", self.pg, "revoke", "--login", self.manager)
        self.assertIn("login %s no longer sees the store" % self.manager, p.stderr)
        q = run("--store", self.as_manager, *report, check=False)
        self.assertEqual(q.returncode, 1, q.stderr)
        self.assertEqual(q.stdout, "")
        self.assertIn("permission denied", q.stderr)
        p = psql(self.as_manager, "SELECT count(*) FROM orders", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("permission denied for table orders", p.stderr)
        # Granted again, it sees its team again.
        run("--store", self.pg, "grant", "--login", self.manager, "--employee", self.mine)
        self.assertEqual(run("--store", self.as_manager, *report).stdout,
                         run("--store", self.pg, *report, "--employee", self.mine).stdout)

    def test_5_the_writer_writes_orders_and_nothing_else(self):
        p = run("--store", self.pg, "grant", "--login", self.writer, "--writer")
        self.assertIn("login %s may now write orders" % self.writer, p.stderr)
        outlet = psql(self.pg, "SELECT outlet_code FROM routes WHERE employee_code = '%s' LIMIT 1"
                      % self.other).stdout.strip()
        p = psql(self.as_writer, "INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                 "VALUES('DMS-OPS-1', '%s', '%s', '2026-11-20 09:00:00', 'sale', 'pending')" % (self.other, outlet))
        self.assertEqual(psql(self.pg, "SELECT status FROM orders WHERE order_code = 'DMS-OPS-1'").stdout.strip(),
                         "pending")
        for sql in ("UPDATE targets SET target = target * 2", "SELECT count(*) FROM targets",
                    "INSERT INTO holidays(date, name) VALUES('2026-12-24', 'x')",
                    "UPDATE employees SET name = 'x'"):
            p = psql(self.as_writer, sql, check=False)
            self.assertNotEqual(p.returncode, 0, sql)
            self.assertIn("permission denied", p.stderr, sql)
        # kpi import of targets as the writer: refused by the server, nothing changed.
        before = psql(self.pg, "SELECT sum(target) FROM targets").stdout
        q = run("--store", self.as_writer, "import", os.path.join(self.csv, "targets.csv"), check=False)
        self.assertNotEqual(q.returncode, 0)
        self.assertEqual(before, psql(self.pg, "SELECT sum(target) FROM targets").stdout)
        run("--store", self.pg, "revoke", "--login", self.writer)
        p = psql(self.as_writer, "INSERT INTO visits(visit_code, employee_code, outlet_code, visit_time) "
                 "VALUES('V-OPS', 'x', 'y', '2026-11-20 09:00:00')", check=False)
        self.assertNotEqual(p.returncode, 0)

    def test_6_refusals_are_clear(self):
        sqlite = os.path.join(self.dir, "s.sqlite")
        run("--store", sqlite, "init")
        p = run("--store", sqlite, "grant", "--login", self.manager, "--employee", self.mine, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("kpi grant needs a PostgreSQL store", p.stderr)
        self.assertIn("an SQLite file has no logins", p.stderr)
        p = run("--store", sqlite, "revoke", "--login", self.manager, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("kpi revoke needs a PostgreSQL store", p.stderr)
        p = run("--store", self.pg, "grant", "--login", self.nobody, "--employee", self.mine, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("kpi grant: there is no PostgreSQL login %s: create it first (CREATE ROLE %s LOGIN)"
                      % (self.nobody, self.nobody), p.stderr)
        p = run("--store", self.pg, "grant", "--login", self.manager, "--employee", "KHONG_CO", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("kpi grant: there is no employee KHONG_CO", p.stderr)
        p = run("--store", self.pg, "revoke", "--login", self.nobody, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("there is no PostgreSQL login " + self.nobody, p.stderr)
        admin = pgdb.admin_conninfo()
        superuser = [w.split("=", 1)[1] for w in admin.split() if w.startswith("user=")][0]
        p = run("--store", self.pg, "grant", "--login", superuser, "--employee", self.mine, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("sees every row whatever it is granted", p.stderr)
        # Only the owner grants: the manager cannot grant itself more.
        run("--store", self.pg, "grant", "--login", self.manager, "--employee", self.mine)
        p = run("--store", self.as_manager, "grant", "--login", self.manager, "--employee", "*", check=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("kpi grant: ", p.stderr)
        self.assertIn("permission denied", p.stderr)
        for args in (["grant", "--login", self.manager], ["grant", "--employee", self.mine],
                     ["grant", "--login", self.manager, "--employee", self.mine, "--writer"], ["revoke"]):
            p = run("--store", self.pg, *args, check=False)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn("(see kpi --help)", p.stderr)
        p = run("grant", "--help")
        self.assertIn("--employee", p.stdout)
        self.assertIn("--writer", p.stdout)


def make_rich_store(folder, store):
    """A demo SQLite store with target and plan history, two closes and a reopen."""
    data = os.path.join(folder, "csv")
    run("demo-data", "--csv-only", "--csv-dir", data, "--size", "12", "--months", "3", "--seed", "11",
        "--until", TODAY)
    files = sorted(os.path.join(data, f) for f in os.listdir(data))
    run("--store", store, "init")
    run("--store", store, "import", *files, "--user", "nhập liệu")
    # Target history: every target of the month raised, imported again.
    changed = os.path.join(folder, "changed")
    os.makedirs(changed, exist_ok=True)
    with open(os.path.join(data, "targets.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    for r in rows[: len(rows) // 3]:
        r["target"] = "%.2f" % (float(r["target"]) * 1.1)
    with open(os.path.join(changed, "targets.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    run("--store", store, "import", os.path.join(changed, "targets.csv"), "--user", "Trần Thị Hà")
    # Plan history: a component's rate changed.
    with open(os.path.join(data, "plan_components.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        fields = list(rows[0].keys())
    numeric = [k for k in fields if k not in ("plan_code", "component", "kpi_code") and rows[0][k]
               and rows[0][k].replace(".", "", 1).isdigit()]
    rows[0][numeric[-1]] = str(float(rows[0][numeric[-1]]) + 1)
    with open(os.path.join(changed, "plan_components.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    run("--store", store, "import", os.path.join(changed, "plan_components.csv"), "--user", "Trần Thị Hà")
    run("--store", store, "close", "2026-09", "--user", "kế toán")
    run("--store", store, "close", "2026-10", "--user", "kế toán")
    run("--store", store, "reopen", "2026-10", "--reason", "sửa chỉ tiêu", "--user", "kế toán")
    run("--store", store, "close", "2026-10", "--user", "kế toán")
    return files


def rls_state(location):
    """Each table's row-level security: enabled, forced."""
    return psql(location, "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1").stdout.splitlines()


def sqlite_count(store, table):
    con = sqlite3.connect(store)
    try:
        return con.execute("SELECT count(*) FROM " + table).fetchone()[0]
    finally:
        con.close()


class Migrate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="kpi-pg-migrate-")
        cls.sqlite = os.path.join(cls.dir, "cong-ty.sqlite")
        cls.files = make_rich_store(cls.dir, cls.sqlite)
        # As a company does it (docs/postgresql.md): an ordinary login owns the database.
        name = "kpi_migrate_%d" % os.getpid()
        cls.db = pgdb.Database(name).__enter__()
        cls.owner = name + "_owner"
        pgdb.psql(cls.db.admin, "DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN" % (cls.owner, cls.owner))
        pgdb.psql(cls.db.admin, "ALTER DATABASE %s OWNER TO %s" % (name, cls.owner))
        cls.pg = cls.db.location + " user=" + cls.owner
        cls.migrated = run("migrate", "--from", cls.sqlite, "--to", cls.pg)
        with pgdb.Database(name + "_fresh") as fresh:
            run("--store", fresh.location, "init")
            cls.fresh_rls = rls_state(fresh.location)
        assert "orders|t|t" in cls.fresh_rls, cls.fresh_rls

    @classmethod
    def tearDownClass(cls):
        cls.db.__exit__(None, None, None)
        try:
            pgdb.psql(cls.db.admin, "DROP ROLE IF EXISTS %s" % cls.owner)
        except Exception:  # noqa: BLE001 - a throwaway cluster
            pass
        shutil.rmtree(cls.dir, ignore_errors=True)

    def same(self, *args):
        a = run("--store", self.sqlite, *args, check=False)
        b = run("--store", self.pg, *args, check=False)
        self.assertEqual(a.returncode, b.returncode, (args, a.stderr, b.stderr))
        self.assertEqual(a.stdout, b.stdout, args)
        self.assertTrue(a.stdout.strip(), ("no output", args))

    def test_1_progress_and_summary(self):
        err = self.migrated.stderr
        self.assertIn("orders: %d rows" % sqlite_count(self.sqlite, "orders"), err)
        self.assertIn("checking references…", err)
        self.assertIn("order_lines: %d rows" % sqlite_count(self.sqlite, "order_lines"), err)
        self.assertIn("copied ", err)
        self.assertIn(" rows of 21 tables from %s into %s in " % (self.sqlite, self.pg), err)

    def test_2_every_table_holds_the_same_rows(self):
        for table in ("employees", "outlets", "products", "routes", "visits", "orders", "order_lines", "kpis",
                      "targets", "holidays", "target_history", "changes", "plans", "plan_components",
                      "plan_assignments", "plan_history", "closes", "close_history", "frozen_report_rows",
                      "frozen_payout_rows"):
            with self.subTest(table=table):
                n = sqlite_count(self.sqlite, table)
                self.assertGreater(n, 0, table)
                self.assertEqual(int(psql(self.pg, "SELECT count(*) FROM " + table).stdout), n)
        con = sqlite3.connect(self.sqlite)
        last = con.execute("SELECT max(seq) FROM changes").fetchone()[0]
        cols = "seq, source, coalesce(employee_code, ''), coalesce(day, ''), coalesce(ref, ''), coalesce(old_status, '')"
        every = ["|".join(map(str, r)) for r in con.execute("SELECT %s FROM changes ORDER BY seq" % cols)]
        con.close()
        self.assertEqual(psql(self.pg, "SELECT seq FROM kpi_change_counter").stdout.strip(), str(last))
        got = psql(self.pg, "SELECT %s FROM changes ORDER BY seq" % cols).stdout.splitlines()
        self.assertEqual(len(got), len(every))
        self.assertEqual(got, every)
        # The owner stood outside the policies only during the copy.
        self.assertEqual(rls_state(self.pg), self.fresh_rls)

    def test_3_figures_and_histories_are_identical(self):
        e = [r["code"] for r in employees(os.path.join(self.dir, "csv")) if r["role"] == "SR"][0]
        for args in (["report", "--period", "2026-11", "--format", "csv"],
                     ["report", "--period", "2026-10", "--format", "table"],
                     ["report", "--period", "2026-10", "--live"],
                     ["report", "--period", "2026-Q4", "--type", "WEEK", "--format", "csv"],
                     ["score", "--period", "2026-11", "--format", "csv"],
                     ["actual", "*", "DS", "2026-11"],
                     ["payout", "--period", "2026-09", "--format", "csv"],
                     ["payout", "--period", "2026-10", "--format", "csv"],
                     ["payout", "--period", "2026-11", "--format", "csv"],
                     ["statement", "--employee", e, "--period", "2026-10"],
                     ["history", "--format", "csv"],
                     ["history", "--of", "plans", "--format", "csv"],
                     ["history", "--of", "closes", "--format", "csv"]):
            with self.subTest(args=args):
                self.same(*args)

    def test_4_the_store_goes_on_from_the_copied_numbers(self):
        before = int(psql(self.pg, "SELECT seq FROM kpi_change_counter").stdout)
        closes = int(psql(self.pg, "SELECT max(seq) FROM closes").stdout)
        folder = os.path.join(self.dir, "more")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "orders.csv"), "w", encoding="utf-8") as f:
            f.write("order_code,employee_code,outlet_code,order_time,type,status,approved_time\n")
            route = psql(self.pg, "SELECT employee_code, outlet_code FROM routes LIMIT 1").stdout.strip().split("|")
            f.write("MIG-1,%s,%s,2026-11-20 10:00:00,sale,pending,\n" % tuple(route))
        run("--store", self.pg, "import", os.path.join(folder, "orders.csv"))
        self.assertEqual(int(psql(self.pg, "SELECT seq FROM kpi_change_counter").stdout), before + 1)
        self.assertEqual(psql(self.pg, "SELECT ref FROM changes WHERE seq = %d" % (before + 1)).stdout.strip(), "MIG-1")
        run("--store", self.pg, "reopen", "2026-10", "--reason", "sau chuyển", "--user", "kế toán")
        run("--store", self.pg, "close", "2026-10", "--user", "kế toán")
        self.assertEqual(int(psql(self.pg, "SELECT max(seq) FROM closes").stdout), closes + 1)

    def test_5_a_target_that_holds_data_is_refused_and_left_alone(self):
        before = psql(self.pg, "SELECT count(*), max(seq) FROM changes").stdout
        p = run("migrate", "--from", self.sqlite, "--to", self.pg, check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("the PostgreSQL store %s is not empty (rows in " % self.pg, p.stderr)
        self.assertIn("kpi migrate copies into an empty store only; nothing was copied", p.stderr)
        self.assertEqual(before, psql(self.pg, "SELECT count(*), max(seq) FROM changes").stdout)

    def test_6_failures_before_anything_is_copied(self):
        with pgdb.Database("kpi_migrate_f_%d" % os.getpid()) as db:
            missing = os.path.join(self.dir, "khong-co.sqlite")
            p = run("migrate", "--from", missing, "--to", db.location, check=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("no store at " + missing, p.stderr)
            self.assertEqual(psql(db.location, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
                             .stdout.strip(), "0")
            p = run("migrate", "--from", self.sqlite, "--to", os.path.join(self.dir, "other.sqlite"), check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("kpi migrate copies into a PostgreSQL store", p.stderr)
            p = run("migrate", "--from", self.sqlite, check=False)  # --to from --store: ./kpi.sqlite
            self.assertEqual(p.returncode, 2, p.stderr)
            p = run("migrate", "--to", db.location, check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("migrate needs --from PATH", p.stderr)
            not_a_store = os.path.join(self.dir, "notes.sqlite")
            con = sqlite3.connect(not_a_store)
            con.execute("CREATE TABLE notes(x)")
            con.close()
            p = run("migrate", "--from", not_a_store, "--to", db.location, check=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("not a SalesKPI store: " + not_a_store, p.stderr)
            # The copy into a fresh database works, and --to defaults to --store.
            p = run("--store", db.location, "migrate", "--from", self.sqlite)
            self.assertIn("copied ", p.stderr)
        gone = tempfile.mkdtemp(prefix="kpi-pg-gone-")
        try:
            location = "host=%s user=kpi dbname=kpi" % gone
            started = time.monotonic()
            p = run("migrate", "--from", self.sqlite, "--to", location, check=False, timeout=60)
            self.assertLess(time.monotonic() - started, 15)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("cannot connect to the PostgreSQL store " + location, p.stderr)
        finally:
            shutil.rmtree(gone, ignore_errors=True)
        p = run("migrate", "--from", self.sqlite, "--to", "postgresql://kpi:bimat@localhost/kpi", check=False)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("~/.pgpass", p.stderr)

    def test_7_a_copy_that_fails_midway_leaves_the_target_empty(self):
        # An order line whose SKU the file lacks (foreign keys off in that
        # connection): PostgreSQL's check at the end of the copy refuses it.
        broken = os.path.join(self.dir, "broken.sqlite")
        src, dst = sqlite3.connect(self.sqlite), sqlite3.connect(broken)
        src.backup(dst)
        src.close()
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("DROP TRIGGER IF EXISTS check_order_lines_insert")
        triggers = [r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                              "AND tbl_name = 'order_lines'")]
        for t in triggers:
            dst.execute("DROP TRIGGER %s" % t)
        dst.execute("UPDATE order_lines SET sku = 'KHONG_CO_SKU' WHERE (order_code, line_no) IN (SELECT order_code, line_no FROM order_lines LIMIT 1)")
        dst.commit()
        dst.close()
        with pgdb.Database("kpi_migrate_b_%d" % os.getpid()) as db:
            pgdb.psql(db.admin, "ALTER DATABASE %s OWNER TO %s" % (db.name, self.owner))
            location = db.location + " user=" + self.owner
            p = run("migrate", "--from", broken, "--to", location, check=False)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("KHONG_CO_SKU", p.stderr)
            self.assertEqual(psql(db.location, "SELECT count(*) FROM orders").stdout.strip(), "0")
            self.assertEqual(psql(db.location, "SELECT count(*) FROM changes").stdout.strip(), "0")
            self.assertEqual(rls_state(db.location), self.fresh_rls)
            # The constraints and the numbering trigger are all still there.
            self.assertEqual(psql(db.location, "SELECT count(*) FROM pg_trigger WHERE tgname = 'kpi_changes_seq' "
                                  "AND tgenabled = 'O'").stdout.strip(), "1")
            self.assertEqual(int(psql(db.location, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'").stdout), 5)
            self.assertGreater(int(psql(db.location, "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'kpi_ref_%'").stdout), 30)


def main():
    global KPI
    ap = argparse.ArgumentParser()
    ap.add_argument("--kpi", required=True)
    args, rest = ap.parse_known_args()
    KPI = os.path.abspath(args.kpi)
    if not pgdb.admin_conninfo():
        print("test_pg_ops.py: KPI_TEST_PG is not set (tests/postgres/README.md)", file=sys.stderr)
        return 2
    unittest.main(argv=[sys.argv[0], "-v", *rest])


if __name__ == "__main__":
    sys.exit(main())
