"""The Calc add-in over a PostgreSQL store, in a real office with the built
.oxt, against a real server (docs/postgresql.md, "The Calc add-in").

- PushedChanges (the shared throwaway server of the ctest fixture `postgres`):
  the tiny data loaded with `kpi init` + `kpi import`; a document whose
  KPIStore is the conninfo, with KPI_REFRESH_SECONDS=300; an order committed
  by plain SQL as a writer login reaches the cell within 5 s (the time is
  printed); KPI.ACTUAL equals KPI.ACTUAL on the same data in SQLite for every
  employee × KPI; a KPIStore holding a password is refused; the office quits
  within 10 s with the listener running.
- ManagerLogins (the shared server): two managers' logins of different teams
  (`kpi grant --login --employee`), each in a workbook naming the store with
  its user: its team's figures equal the owner's `kpi actual`, "*" is its
  subtree's total, the other team's salesperson is Err:502, KPI.STATUS says
  which team the login sees, the sidebar lists that team only.
- ServerFaults (a private cluster of its own, since it stops its server):
  the server stopped mid-session → the status says stale, cells keep their
  figures, =1+1 still evaluates at once; a store opened while the server is
  down → unavailable; the server started → figures and status recover by
  themselves (times printed), and commits are pushed again.

KPI_TEST_PG (tests/postgres/README.md) names the shared server.
"""

import os
import shutil
import subprocess
import sys
import time
import unittest

import office_harness as oh
from kpi_data import TINY_CSV, make_store
from test_sidebar import Panel

sys.path.insert(0, os.path.join(oh.REPO, "tests", "postgres"))
import pgdb  # noqa: E402

ACTUAL_SR01 = '=KPI.ACTUAL("SR01";"REV";"2026-11")'
PUSH_LIMIT = 5    # seconds from a commit to the cell, with the poll at 300 s
QUIT_LIMIT = 10   # seconds the office may take to quit
EMPLOYEES = ["SS01", "SR01", "SR02", "1001"]
PERIODS = ["2026-11", "2026-11-02", "2026-Q4", "2026"]


def kpi(store, *args):
    """The kpi command on a PostgreSQL store (as the caller: trust auth)."""
    process = subprocess.run([oh.KPI, "--store", store] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(os.environ, KPI_TODAY=oh.PINNED_TODAY), timeout=120)
    if process.returncode != 0:
        raise AssertionError("kpi %s: %s" % (" ".join(args), process.stderr.decode("utf-8", "replace")))
    return process.stdout.decode("utf-8")


def load_tiny(location, directory):
    """`kpi init` and `kpi import` of the tiny data into the store at location."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, text in TINY_CSV.items():
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        paths.append(path)
    kpi(location, "init")
    kpi(location, "import", *paths)


def order_sql(code, amount):
    return ("BEGIN; INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
            "VALUES ('%s', 'SR01', 'O2', '2026-11-05 08:00:00', 'sale', 'approved'); "
            "INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES ('%s', 1, 'P1', 2, %d); "
            "COMMIT" % (code, code, amount))


def our_threads(pid):
    """The add-in's threads in the office (kpi-store, kpi-watch, kpi-listen)."""
    names = []
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, task)) as comm:
                name = comm.read().strip()
        except OSError:
            continue
        if name.startswith("kpi-"):
            names.append(name)
    return sorted(names)


def document_on(office, store, formulas):
    document = office.new_spreadsheet()
    oh.set_kpi_store(document, store)
    sheet = document.Sheets.getByIndex(0)
    for address, formula in formulas.items():
        oh.put_formula(sheet, address, formula)
    return document, sheet


def close_quietly(document):
    """Closes a document; nothing when its office has gone already."""
    try:
        document.close(True)
    except Exception:  # noqa: BLE001 - the office was stopped by the test
        pass


def stop_holder(holder):
    if holder.poll() is None:
        holder.kill()
        holder.wait()
    holder.stdin.close()


def timed(function, *args):
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started


def wait_until_changed(sheet, address, expected, timeout):
    """Seconds until the cell shows expected (polled every 20 ms)."""
    started = time.monotonic()
    oh.wait_for(lambda: oh.read(sheet, address).value == expected, timeout, interval=0.02,
                what=lambda: "%s to show %r (it shows %r)" % (address, expected, oh.read(sheet, address)))
    return time.monotonic() - started


@unittest.skipUnless(pgdb.admin_conninfo(), "KPI_TEST_PG is not set: run through ctest (the fixture postgres)")
class PushedChanges(oh.OfficeTestCase):

    @classmethod
    def prepare_data(cls):
        admin = pgdb.admin_conninfo()
        # The DMS: a login that may write orders, lines, visits and outlets
        # only (dropped after the database, which holds its grants).
        cls.writer = "kpi_office_writer_%d" % os.getpid()
        pgdb.psql(admin, "DROP ROLE IF EXISTS %s" % cls.writer)
        pgdb.psql(admin, "CREATE ROLE %s LOGIN" % cls.writer)
        cls.addClassCleanup(pgdb.psql, admin, "DROP ROLE IF EXISTS %s" % cls.writer)
        cls.database = pgdb.Database("kpi_office_%d" % os.getpid(), admin).__enter__()
        cls.addClassCleanup(cls.database.__exit__, None, None, None)
        cls.store = cls.database.location
        load_tiny(cls.store, os.path.join(cls.data_dir, "pg-csv"))
        pgdb.psql(cls.store, "SELECT kpi_grant_writer('%s')" % cls.writer)
        cls.twin = make_store(os.path.join(cls.data_dir, "sqlite"), TINY_CSV).store

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "300"}

    def write_as_writer(self, sql):
        pgdb.psql("%s user=%s" % (self.store, self.writer), sql)

    def test_1_a_committed_order_reaches_the_cell_within_5_s_with_a_5_minute_poll(self):
        document, sheet = document_on(self.office, self.store, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(document.close, True)
        oh.wait_until_ready(sheet, "A2")
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, 30, what="SR01's November revenue")
        status = oh.wait_for(lambda: "changes pushed by the server" in oh.read(sheet, "A2").text
                             and oh.read(sheet, "A2").text, 20,
                             what=lambda: "the status to say pushed (%r)" % oh.read(sheet, "A2").text)
        self.assertTrue(status.startswith("ready: " + self.store + " (document property KPIStore)"), status)
        self.assertIn("checked every 300 s", status)

        latencies = []
        for number, amount in enumerate([50000, 70000, 30000], start=1):
            expected = oh.read(sheet, "A1").value + amount
            started = time.monotonic()
            self.write_as_writer(order_sql("PUSH%d" % number, amount))
            committed = time.monotonic()
            wait_until_changed(sheet, "A1", expected, 30)
            latencies.append(time.monotonic() - committed)
            print("\n  commit #%d to cell: %.3f s (psql itself took %.3f s)"
                  % (number, latencies[-1], committed - started))
        self.assertLess(max(latencies), PUSH_LIMIT, latencies)
        self.assertIn("changes pushed by the server", oh.read(sheet, "A2").text)

    def test_0_kpi_actual_on_postgresql_equals_kpi_actual_on_sqlite(self):
        formulas = {}
        for row, (employee, period) in enumerate([(e, p) for e in EMPLOYEES for p in PERIODS], start=1):
            formulas["A%d" % row] = '=KPI.ACTUAL("%s";"REV";"%s")' % (employee, period)
        formulas["Z1"] = "=KPI.STATUS()"
        pg_document, pg_sheet = document_on(self.office, self.store, formulas)
        self.addCleanup(pg_document.close, True)
        lite_document, lite_sheet = document_on(self.office, self.twin, formulas)
        self.addCleanup(lite_document.close, True)
        oh.wait_until_ready(pg_sheet, "Z1")
        oh.wait_until_ready(lite_sheet, "Z1")
        compared = 0
        for address in sorted(formulas):
            if address == "Z1":
                continue
            oh.wait_for(lambda: oh.read(pg_sheet, address).value == oh.read(lite_sheet, address).value
                        and oh.read(pg_sheet, address).error == oh.read(lite_sheet, address).error, 30,
                        what=lambda: "%s %s: PostgreSQL %r, SQLite %r" % (address, formulas[address],
                                                                          oh.read(pg_sheet, address),
                                                                          oh.read(lite_sheet, address)))
            compared += 1
        self.assertEqual(compared, len(EMPLOYEES) * len(PERIODS))
        # Not all zero: the comparison means something.
        self.assertGreater(oh.read(pg_sheet, "A%d" % (1 + PERIODS.index("2026-11"))).value, 0)
        print("\n  %d KPI.ACTUAL cells equal on PostgreSQL and SQLite" % compared)

    def test_2_a_committed_order_reaches_the_sidebar_within_5_s(self):
        document, sheet = document_on(self.office, self.store, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(document.close, True)
        oh.wait_for(lambda: "changes pushed by the server" in oh.read(sheet, "A2").text, 30,
                    what=lambda: "the listener (%r)" % oh.read(sheet, "A2").text)
        panel = Panel(self.office, document)
        self.addCleanup(panel.dispose)
        oh.wait_for(lambda: len(panel.items("team")) == len(EMPLOYEES), 30,
                    what=lambda: "the team list (%r)" % panel.items("team"))
        panel.select("team", lambda line: " SR01 " in line, "SR01")
        oh.wait_for(lambda: panel.text("person_header").startswith("SR01 ") and panel.items("person"), 30,
                    what="SR01's person view")
        before = panel.person_figures()["REV"][1][0]
        self.assertEqual(before, oh.read(sheet, "A1").value)
        committed = time.monotonic()
        self.write_as_writer(order_sql("SIDEBAR1", 90000))
        oh.wait_for(lambda: panel.person_figures()["REV"][1][0] == before + 90000, 30, interval=0.02,
                    what=lambda: "the sidebar to show the new order (%r)" % panel.items("person"))
        latency = time.monotonic() - committed
        print("\n  commit to sidebar: %.3f s" % latency)
        self.assertLess(latency, PUSH_LIMIT)

    def test_3_a_kpistore_holding_a_password_is_refused(self):
        for location in [self.store + " password=secret",
                         "postgresql://kpi_admin:secret@/%s?host=/nowhere" % self.database.name]:
            document, sheet = document_on(self.office, location, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
            self.addCleanup(document.close, True)
            status = oh.wait_for(lambda: oh.read(sheet, "A2").text.startswith("unavailable") and
                                 oh.read(sheet, "A2").text, 20,
                                 what=lambda: "the status to say unavailable (%r)" % oh.read(sheet, "A2").text)
            self.assertIn("the document property KPIStore holds a PostgreSQL password", status)
            self.assertIn("~/.pgpass", status)
            self.assertIn("pg_service.conf", status)
            self.assertNotIn("secret", status)
            self.assertEqual(oh.read(sheet, "A1").error, oh.ERR_NOT_AVAILABLE)

    def test_4_the_office_quits_within_10_s_with_the_listener_running(self):
        document, sheet = document_on(self.office, self.store, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        oh.wait_for(lambda: "changes pushed by the server" in oh.read(sheet, "A2").text, 30,
                    what=lambda: "the listener (%r)" % oh.read(sheet, "A2").text)
        threads = our_threads(self.office.soffice_pid())
        self.assertIn("kpi-listen", threads)
        started = time.monotonic()
        status = self.office.stop()
        quit_seconds = time.monotonic() - started
        print("\n  the office quit in %.2f s (exit status %r) with threads %s" % (quit_seconds, status, threads))
        self.assertLess(quit_seconds, QUIT_LIMIT)
        self.assertEqual(status, 0)

    def tearDown(self):
        if self._testMethodName.startswith("test_4"):
            return  # it stopped the office itself
        super().tearDown()


def psql_rows(conninfo, sql):
    """Rows of a query as lists of texts (psql -At)."""
    out = subprocess.run(["psql", "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


@unittest.skipUnless(pgdb.admin_conninfo(), "KPI_TEST_PG is not set: run through ctest (the fixture postgres)")
class ManagerLogins(oh.OfficeTestCase):
    """Two managers' logins of different teams (kpi grant --login --employee),
    each opening a workbook whose KPIStore names the store with that user:
    each sees exactly its team's figures (the owner's `kpi actual`), "*" is
    its team's total, the other team's salesperson is Err:502 like a code
    that does not exist, KPI.STATUS says what the login sees, and the sidebar
    lists that team only. (psql by such a login: tests/postgres/test_pg_ops.py.)"""

    KPI = "DS"
    PERIOD = "2026-11"

    @classmethod
    def prepare_data(cls):
        admin = pgdb.admin_conninfo()
        # The logins are dropped after the database, which holds their grants.
        logins = ["kpi_office_mgr%d_%d" % (number, os.getpid()) for number in range(2)]
        for login in logins:
            pgdb.psql(admin, "DROP ROLE IF EXISTS %s" % login)
            pgdb.psql(admin, "CREATE ROLE %s LOGIN" % login)
            cls.addClassCleanup(pgdb.psql, admin, "DROP ROLE IF EXISTS %s" % login)
        cls.database = pgdb.Database("kpi_office_logins_%d" % os.getpid(), admin).__enter__()
        cls.addClassCleanup(cls.database.__exit__, None, None, None)
        cls.store = cls.database.location
        kpi(cls.store, "init")
        kpi(cls.store, "demo-data", "--size", "12", "--months", "2", "--seed", "5", "--until", oh.PINNED_TODAY)
        people = psql_rows(cls.store, "SELECT code, role, coalesce(manager_code, '') FROM employees")
        supervisors = sorted(code for code, role, _ in people if role == "SS")
        assert len(supervisors) >= 2, supervisors

        def subtree(root):
            team, grew = {root}, True
            while grew:
                grew = False
                for code, _, manager in people:
                    if manager in team and code not in team:
                        team.add(code)
                        grew = True
            return team

        cls.logins = {}
        for login, supervisor in zip(logins, supervisors):
            kpi(cls.store, "grant", "--login", login, "--employee", supervisor)
            cls.logins[login] = (supervisor, sorted(subtree(supervisor)))
        cls.everyone = sorted(code for code, _, _ in people)

    def actual(self, employee):
        """The owner's `kpi actual` (every row): the figure the login must see."""
        return float(kpi(self.store, "actual", employee, self.KPI, self.PERIOD).strip())

    def test_each_login_sees_exactly_its_team_and_the_other_team_is_err_502(self):
        (first, (first_root, first_team)), (second, (second_root, second_team)) = sorted(self.logins.items())
        self.assertFalse(set(first_team) & set(second_team))
        company = self.actual("*")
        for login, root, team, other_team in ((first, first_root, first_team, second_team),
                                              (second, second_root, second_team, first_team)):
            with self.subTest(login=login):
                self.check_login(login, root, team, other_team, company)

    def test_a_grant_changed_while_the_workbook_is_open_is_followed(self):
        """`kpi grant` gives the first login the second team while its workbook
        is open: at the next check (woken here by a notification, as any commit
        wakes it) "*" is the new team, the old team's salesperson is Err:502,
        KPI.STATUS names the new root, and the new team's salesperson, Err:502
        before, has figures by itself (no recalculation asked)."""
        (login, (old_root, old_team)), (_, (new_root, new_team)) = sorted(self.logins.items())
        newcomer = sorted(set(new_team) - {new_root})[0]
        leaver = sorted(set(old_team) - {old_root})[0]
        formulas = {"A1": '=KPI.ACTUAL("*";"%s";"%s")' % (self.KPI, self.PERIOD),
                    "A2": '=KPI.ACTUAL("%s";"%s";"%s")' % (newcomer, self.KPI, self.PERIOD),
                    "A3": '=KPI.ACTUAL("%s";"%s";"%s")' % (leaver, self.KPI, self.PERIOD),
                    "A4": "=KPI.STATUS()"}
        document, sheet = document_on(self.office, "%s user=%s" % (self.store, login), formulas)
        self.addCleanup(close_quietly, document)
        oh.wait_until_ready(sheet, "A4")
        before, after = self.actual(old_root), self.actual(new_root)
        self.assertNotEqual(before, after)
        oh.wait_for(lambda: oh.read(sheet, "A1").value == before, 30,
                    what=lambda: "\"*\" = %s's team (%r, expected %r)" % (old_root, oh.read(sheet, "A1"), before))
        oh.wait_for(lambda: oh.read(sheet, "A3").value == self.actual(leaver), 30, what="the old team's figure")
        self.assertEqual(oh.read(sheet, "A2").error, oh.ERR_ILLEGAL_ARGUMENT)

        self.addCleanup(kpi, self.store, "grant", "--login", login, "--employee", old_root)  # as the class made it
        kpi(self.store, "grant", "--login", login, "--employee", new_root)
        changed = time.monotonic()
        pgdb.psql(self.store, "NOTIFY kpi_changes, '1999999999'")
        oh.wait_for(lambda: oh.read(sheet, "A1").value == after, 30,
                    what=lambda: "\"*\" = %s's team after the grant (%r, expected %r)"
                    % (new_root, oh.read(sheet, "A1"), after))
        oh.wait_for(lambda: oh.read(sheet, "A3").error == oh.ERR_ILLEGAL_ARGUMENT, 30,
                    what=lambda: "the old team's %s to be Err:502 (%r)" % (leaver, oh.read(sheet, "A3")))
        oh.wait_for(lambda: "only the team of %s (%s and everyone below)" % (new_root, new_root)
                    in oh.read(sheet, "A4").text, 30, what=lambda: "the status (%r)" % oh.read(sheet, "A4").text)
        # A cell that was Err:502 holds no live value Calc listens to: the
        # add-in recalculates the document once the login can see the employee.
        oh.wait_for(lambda: oh.read(sheet, "A2").value == self.actual(newcomer), 30,
                    what=lambda: "the new team's %s (%r)" % (newcomer, oh.read(sheet, "A2")))
        print("\n  %s: grant %s -> %s followed in %.2f s; \"*\" %.0f -> %.0f"
              % (login, old_root, new_root, time.monotonic() - changed, before, after))

    def check_login(self, login, root, team, other_team, company):
        other = sorted(set(other_team) - {root})[0]  # a salesperson of the other team
        formulas = {"A%d" % (row + 1): '=KPI.ACTUAL("%s";"%s";"%s")' % (code, self.KPI, self.PERIOD)
                    for row, code in enumerate(team)}
        formulas.update({"B1": '=KPI.ACTUAL("*";"%s";"%s")' % (self.KPI, self.PERIOD),
                         "B2": '=KPI.ACTUAL("%s";"%s";"%s")' % (other, self.KPI, self.PERIOD),
                         "B3": '=KPI.ACTUAL("KHONG_CO";"%s";"%s")' % (self.KPI, self.PERIOD),
                         "B4": "=KPI.STATUS()"})
        location = "%s user=%s" % (self.store, login)
        document, sheet = document_on(self.office, location, formulas)
        self.addCleanup(close_quietly, document)
        status = oh.wait_until_ready(sheet, "B4")
        # Its team, figure by figure, as the owner (who sees every row) computes them.
        for row, code in enumerate(team):
            address, expected = "A%d" % (row + 1), self.actual(code)
            oh.wait_for(lambda: oh.read(sheet, address).value == expected, 30,
                        what=lambda: "%s %s: %r, the owner's kpi actual %r" % (login, code, oh.read(sheet, address),
                                                                             expected))
        # "*": the login's whole subtree, which is its root's figure, not the company's.
        subtree_total = self.actual(root)
        oh.wait_for(lambda: oh.read(sheet, "B1").value == subtree_total, 30,
                    what=lambda: "%s \"*\": %r, %s's subtree %r" % (login, oh.read(sheet, "B1"), root, subtree_total))
        self.assertLess(subtree_total, company)
        self.assertGreater(subtree_total, 0)
        # The other team's salesperson (who has figures) is as unknown as a code that does not exist.
        self.assertGreater(self.actual(other), 0)
        for address in ("B2", "B3"):
            oh.wait_for(lambda: oh.read(sheet, address).error == oh.ERR_ILLEGAL_ARGUMENT, 30,
                        what=lambda: "%s %s to be Err:502 (%r)" % (login, formulas[address], oh.read(sheet, address)))
        self.assertIn("; the store shows login %s only the team of %s (%s and everyone below): "
                      "\"*\" is that team, and other employees' codes are unknown" % (login, root, root), status)
        self.assertTrue(status.startswith("ready: "), status)
        # The sidebar: that team, and nobody else.
        panel = Panel(self.office, document)
        self.addCleanup(panel.dispose)
        oh.wait_for(lambda: len(panel.items("team")) == len(team), 30,
                    what=lambda: "%s's team list of %d (%r)" % (login, len(team), panel.items("team")))
        lines = panel.items("team")
        for code in self.everyone:
            shown = any((" %s " % code) in " %s " % line for line in lines)
            self.assertEqual(shown, code in team, "%s in %s's sidebar: %r" % (code, login, lines))
        print("\n  %s (%s): %d people, \"*\" = %.0f of the company's %.0f; %s is Err:502"
              % (login, root, len(team), subtree_total, company, other))


class PrivateCluster:
    """A server of the test's own (scripts/pg-cluster.sh): it may be stopped."""

    def __init__(self, directory):
        self.directory = directory
        self.script = os.path.join(oh.REPO, "scripts", "pg-cluster.sh")
        self._run("start", "--fresh")
        with open(os.path.join(directory, "conninfo"), encoding="utf-8") as f:
            self.admin = f.readline().strip()

    def _run(self, *args):
        subprocess.run([self.script] + list(args) + [self.directory], check=True, stdout=subprocess.DEVNULL,
                       timeout=120)

    def start(self):
        self._run("start")

    def stop(self):
        self._run("stop")


@unittest.skipUnless(shutil.which("pg_ctl") or os.path.exists("/usr/lib/postgresql/15/bin/pg_ctl"),
                     "PostgreSQL's server is not installed")
class ServerFaults(oh.OfficeTestCase):

    @classmethod
    def prepare_data(cls):
        directory = os.path.join(oh.BUILD, "pg-office-faults-%d" % os.getpid())
        cls.cluster = PrivateCluster(directory)
        cls.addClassCleanup(shutil.rmtree, directory, True)
        cls.addClassCleanup(cls.cluster.stop)
        pgdb.psql(cls.cluster.admin, "CREATE DATABASE kpi_faults")
        pgdb.psql(cls.cluster.admin, "CREATE DATABASE kpi_late")
        cls.store = cls.cluster.admin + " dbname=kpi_faults"
        cls.late = cls.cluster.admin + " dbname=kpi_late"
        load_tiny(cls.store, os.path.join(cls.data_dir, "csv-faults"))
        load_tiny(cls.late, os.path.join(cls.data_dir, "csv-late"))

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "300"}

    def test_server_stopped_and_started_again_and_a_store_opened_while_it_is_down(self):
        document, sheet = document_on(self.office, self.store, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(document.close, True)
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, 30, what="SR01's November revenue")
        oh.wait_for(lambda: "changes pushed by the server" in oh.read(sheet, "A2").text, 20,
                    what=lambda: "the listener (%r)" % oh.read(sheet, "A2").text)

        self.cluster.stop()
        stopped = time.monotonic()
        status = oh.wait_for(lambda: oh.read(sheet, "A2").text.startswith("stale") and oh.read(sheet, "A2").text,
                             10, interval=0.05, what=lambda: "the status to say stale (%r)" % oh.read(sheet, "A2").text)
        print("\n  server stopped → KPI.STATUS stale in %.2f s: %s" % (time.monotonic() - stopped, status))
        self.assertIn("reconnecting to the server for pushed changes", status)
        self.assertIn("showing the data read", status)
        self.assertEqual(oh.read(sheet, "A1").value, 250000.0)  # the figures stay
        two, seconds = timed(oh.evaluate, sheet, "=1+1", "B1")
        self.assertEqual(two.value, 2)
        self.assertLess(seconds, 1.0)
        print("  =1+1 while the server is down: %.3f s" % seconds)

        # A store opened while the server is down.
        late_document, late_sheet = document_on(self.office, self.late, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(late_document.close, True)
        status = oh.wait_for(lambda: oh.read(late_sheet, "A2").text.startswith("unavailable") and
                             oh.read(late_sheet, "A2").text, 15,
                             what=lambda: "the late store's status (%r)" % oh.read(late_sheet, "A2").text)
        self.assertIn("cannot connect", status)
        self.assertEqual(oh.read(late_sheet, "A1").error, oh.ERR_NOT_AVAILABLE)
        self.assertEqual(timed(oh.evaluate, late_sheet, "=1+1", "B1")[0].value, 2)

        # Up again: both recover by themselves (the poll is 300 s away).
        self.cluster.start()
        started = time.monotonic()
        oh.wait_for(lambda: oh.read(sheet, "A2").text.startswith("ready") and
                    "changes pushed by the server" in oh.read(sheet, "A2").text, 30, interval=0.05,
                    what=lambda: "the status to recover (%r)" % oh.read(sheet, "A2").text)
        recovered = time.monotonic() - started
        oh.wait_for(lambda: oh.read(late_sheet, "A1").value == 250000.0, 30, interval=0.05,
                    what=lambda: "the late store's figures (%r, %r)" % (oh.read(late_sheet, "A1"),
                                                                         oh.read(late_sheet, "A2").text))
        late_recovered = time.monotonic() - started
        print("  server started → status ready again in %.2f s; the store opened while down shows figures in %.2f s"
              % (recovered, late_recovered))
        self.assertLess(recovered, 10)
        self.assertLess(late_recovered, 10)

        # Pushed again: a commit reaches the cell at once.
        committed = time.monotonic()
        pgdb.psql(self.store, order_sql("AFTER1", 50000))
        latency = wait_until_changed(sheet, "A1", 300000.0, 30)
        print("  commit to cell after the restart: %.3f s" % (time.monotonic() - committed))
        self.assertLess(latency, PUSH_LIMIT)

    def test_statement_timeout_and_a_held_lock_keep_the_figures_and_recover_by_themselves(self):
        # Two sessions on one database: one without a statement timeout, one
        # with the server cancelling its statements after 300 ms.
        timeout_store = self.store + " options='-c statement_timeout=300'"
        waiting, waiting_sheet = document_on(self.office, self.store, {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(close_quietly, waiting)
        timed_out, timed_out_sheet = document_on(self.office, timeout_store,
                                                 {"A1": ACTUAL_SR01, "A2": "=KPI.STATUS()"})
        self.addCleanup(close_quietly, timed_out)
        for sheet in (waiting_sheet, timed_out_sheet):
            oh.wait_for(lambda: "changes pushed by the server" in oh.read(sheet, "A2").text and
                        oh.read(sheet, "A1").error == 0, 30,
                        what=lambda: "the store to be ready and pushed (%r)" % oh.read(sheet, "A2").text)
        before = oh.read(waiting_sheet, "A1").value
        self.assertEqual(oh.read(timed_out_sheet, "A1").value, before)

        # Another program holds the change log locked; a notification makes
        # both check the store.
        holder = subprocess.Popen(["psql", "-X", "-q", "-d", self.store], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(stop_holder, holder)
        holder.stdin.write(b"BEGIN; LOCK TABLE changes IN ACCESS EXCLUSIVE MODE; SELECT 1;\n")
        holder.stdin.flush()
        oh.wait_for(lambda: pgdb.psql(self.store, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                                                  "AND relation = 'changes'::regclass").split()[2] == "1", 20,
                    what="the lock on changes")
        pgdb.psql(self.store, "NOTIFY kpi_changes, '999999999'")
        locked = time.monotonic()
        status = oh.wait_for(lambda: oh.read(timed_out_sheet, "A2").text.startswith("stale") and
                             oh.read(timed_out_sheet, "A2").text, 15,
                             what=lambda: "the timed-out store to be stale (%r)" % oh.read(timed_out_sheet, "A2").text)
        print("\n  statement timeout → stale in %.2f s: %s" % (time.monotonic() - locked, status))
        self.assertIn("statement timeout", status)
        status = oh.wait_for(lambda: oh.read(waiting_sheet, "A2").text.startswith("stale") and
                             oh.read(waiting_sheet, "A2").text, 20,
                             what=lambda: "the waiting store to say so (%r)" % oh.read(waiting_sheet, "A2").text)
        print("  a statement waiting on a lock → stale in %.2f s: %s" % (time.monotonic() - locked, status))
        self.assertIn("no answer from the PostgreSQL server", status)
        for sheet in (waiting_sheet, timed_out_sheet):
            self.assertEqual(oh.read(sheet, "A1").value, before)  # the figures stay
            two, seconds = timed(oh.evaluate, sheet, "=1+1", "B1")
            self.assertEqual(two.value, 2)
            self.assertLess(seconds, 1.0)

        holder.stdin.write(b"ROLLBACK;\n")
        holder.stdin.flush()
        holder.stdin.close()
        holder.wait(30)
        released = time.monotonic()
        for sheet, what in ((waiting_sheet, "the waiting store"), (timed_out_sheet, "the timed-out store")):
            oh.wait_for(lambda: oh.read(sheet, "A2").text.startswith("ready"), 40, interval=0.05,
                        what=lambda: "%s to recover (%r)" % (what, oh.read(sheet, "A2").text))
            print("  lock released → %s ready in %.2f s" % (what, time.monotonic() - released))
        self.assertLess(time.monotonic() - released, 35)

        # Locked again, a check waiting on it: the office still quits within 10 s.
        holder = subprocess.Popen(["psql", "-X", "-q", "-d", self.store], stdin=subprocess.PIPE,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(stop_holder, holder)
        holder.stdin.write(b"BEGIN; LOCK TABLE changes IN ACCESS EXCLUSIVE MODE; SELECT 1;\n")
        holder.stdin.flush()
        oh.wait_for(lambda: pgdb.psql(self.store, "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' "
                                                  "AND relation = 'changes'::regclass").split()[2] == "1", 20,
                    what="the lock on changes")
        pgdb.psql(self.store, "NOTIFY kpi_changes, '1999999999'")
        oh.wait_for(lambda: "no answer from the PostgreSQL server" in oh.read(waiting_sheet, "A2").text, 20,
                    what=lambda: "the waiting store to say so (%r)" % oh.read(waiting_sheet, "A2").text)
        threads = our_threads(self.office.soffice_pid())
        started = time.monotonic()
        status = self.office.stop()
        quit_seconds = time.monotonic() - started
        print("  the office quit in %.2f s (exit status %r) with a check waiting on a lock; threads %s"
              % (quit_seconds, status, threads))
        self.assertLess(quit_seconds, QUIT_LIMIT)
        self.assertEqual(status, 0)

    def tearDown(self):
        if self._testMethodName.startswith("test_statement_timeout"):
            return  # it stopped the office itself
        super().tearDown()


if __name__ == "__main__":
    unittest.main()
