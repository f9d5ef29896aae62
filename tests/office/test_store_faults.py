"""Stores that are not stores, stores that do not answer, stores on folders
Calc users may only read, stores replaced underneath, and stores nobody uses
any more — in a real office (docs/reliability.md, "Threads, shared folders and
hangs"). Nothing may block Calc's main thread or the office's exit.

How an unreachable store is made here: a FUSE mount whose server never
answers (the test opens /dev/fuse and mounts it with mount(2), then reads no
request). Every stat(2) or open(2) of a path inside it waits in the kernel, as
on a hard-mounted NFS share whose server is down. It needs root (CAP_SYS_ADMIN);
without it that test is skipped. A file another process holds a write lease
on (fcntl F_SETLEASE) makes open(2) wait up to /proc/sys/fs/lease-break-time
seconds (45): the other real way, needing no mount; SQLite's open(2) then
waits like on the silent share, and the status says so after 5 s.
"""

import ctypes
import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

import office_harness as oh
from kpi_data import DEMO_ARGS, TINY_CSV, Cli, extra_order_csv, make_store

ACTUAL_SR01 = '=KPI.ACTUAL("SR01";"REV";"2026-11")'
QUIT_LIMIT = 10  # seconds the office may take to quit, whatever its stores do


def our_threads(pid):
    """The add-in's threads in the office (named kpi-store, kpi-watch)."""
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


class HungMount:
    """A FUSE mount whose server never answers: stat(2) and open(2) inside it
    wait until the mount is taken away (then they fail with ENOTCONN)."""

    def __init__(self):
        self.top = tempfile.mkdtemp(prefix="saleskpi-hung-")
        os.chmod(self.top, 0o755)
        self.point = os.path.join(self.top, "share")
        os.mkdir(self.point)
        self.fd = None

    def mount(self):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = os.open("/dev/fuse", os.O_RDWR)
        options = "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other" % self.fd
        if libc.mount(b"saleskpi-hung", self.point.encode(), b"fuse.saleskpi-hung", 6, options.encode()) != 0:
            error = ctypes.get_errno()
            os.close(self.fd)
            self.fd = None
            raise unittest.SkipTest("cannot mount a FUSE file system here: %s" % os.strerror(error))

    def path(self, name):
        return os.path.join(self.point, name)

    def remove(self):
        if self.fd is not None:
            ctypes.CDLL("libc.so.6").umount2(self.point.encode(), 2)  # MNT_DETACH
            os.close(self.fd)  # aborts the connection: blocked calls return
            self.fd = None
        shutil.rmtree(self.top, ignore_errors=True)


class LeaseHolder:
    """Another process holding a write lease on a file: open(2) of the file by
    anyone else waits until the lease is given up (or broken, after 45 s)."""

    def __init__(self, path):
        code = ("import fcntl, os, signal, sys\n"
                "signal.signal(signal.SIGIO, signal.SIG_IGN)\n"
                "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
                "fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)\n"
                "print('held', flush=True)\n"
                "sys.stdin.read()\n")
        self.process = subprocess.Popen(["/usr/bin/python3", "-c", code, path], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE)
        if self.process.stdout.readline().strip() != b"held":
            raise AssertionError("could not take a lease on %s" % path)

    def release(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class TimedCalls:
    """Every UNO call a test makes goes through Calc's main thread: the
    slowest one bounds how long the main thread was kept."""

    def __init__(self):
        self.slowest = 0.0

    def __call__(self, function, *args):
        started = time.monotonic()
        try:
            return function(*args)
        finally:
            self.slowest = max(self.slowest, time.monotonic() - started)


def new_document_on(office, store):
    document = office.new_spreadsheet()
    oh.set_kpi_store(document, store)
    sheet = document.Sheets.getByIndex(0)
    oh.put_formula(sheet, "A1", ACTUAL_SR01)
    oh.put_formula(sheet, "A2", "=KPI.STATUS()")
    return document, sheet


def status_of(sheet):
    return oh.read(sheet, "A2").text


class NothingHangs(unittest.TestCase):
    """KPIStore names a FIFO, a directory, /dev/zero, a text file, a sparse
    10 GB file, a file another program holds a lease on, or a path on a file
    system that does not answer: each gives a status message at once (or, for
    the silent file system, within seconds), the cells show #N/A, Calc's main
    thread is never kept, and the office quits within 10 s."""

    def test_stores_that_are_not_stores_give_a_status_and_the_office_quits_within_10_s(self):
        data = oh.make_private_dir("saleskpi-notstores-")
        self.addCleanup(shutil.rmtree, data, True)
        fifo = os.path.join(data, "fifo.sqlite")
        os.mkfifo(fifo)
        folder = os.path.join(data, "folder.sqlite")
        os.mkdir(folder)
        text = os.path.join(data, "notes.sqlite")
        with open(text, "w") as notes:
            notes.write("order_code,amount\nSO1,1000\n")
        huge = os.path.join(data, "huge.sqlite")
        with open(huge, "wb") as sparse:
            sparse.truncate(10 << 30)  # 10 GiB of holes
        leased = make_store(os.path.join(data, "leased"), TINY_CSV).store
        oh.give_to_office_user(data)
        expected = {
            fifo: "is not a file but a FIFO (named pipe)",
            folder: "is not a file but a directory",
            "/dev/zero": "is not a file but a character device",
            text: "not an SQLite database",
            huge: "not an SQLite database",
            leased: "no answer from the file system of",
        }
        hung = HungMount() if os.geteuid() == 0 else None
        if hung:
            self.addCleanup(hung.remove)
            try:
                hung.mount()
                expected[hung.path("kpi.sqlite")] = "no answer from the file system of"
            except unittest.SkipTest:
                hung = None
        holder = LeaseHolder(leased)
        self.addCleanup(holder.release)

        office = oh.Office(env={"KPI_REFRESH_SECONDS": "1"})
        self.addCleanup(office.stop)
        office.start()
        calls = TimedCalls()
        sheets = {}
        for store in expected:
            document, sheet = calls(new_document_on, office, store)
            sheets[store] = sheet
        for store, message in expected.items():
            sheet = sheets[store]
            status = oh.wait_for(lambda: message in status_of(sheet) and status_of(sheet), 20,
                                 what=lambda: "the status of %s to say %r (%r)" % (store, message, status_of(sheet)))
            self.assertTrue(status.startswith("unavailable: " + store), status)
            if store == leased:
                self.assertIn("or a file another program holds?", status)
            self.assertEqual(calls(oh.read, sheet, "A1").error, oh.ERR_NOT_AVAILABLE, store)
            self.assertEqual(calls(oh.evaluate, sheet, "=1+1", "B1").value, 2)
        print("\n  slowest UNO call while the stores misbehaved: %.3f s" % calls.slowest)
        self.assertLess(calls.slowest, 1.0)

        # The lease given up, that store loads at the next check.
        holder.release()
        oh.wait_for(lambda: oh.read(sheets[leased], "A1").value == 250000.0, 20, what="the leased store's figures")

        threads = our_threads(office.soffice_pid())
        started = time.monotonic()
        status = office.stop()
        quit_seconds = time.monotonic() - started
        print("  the office quit in %.2f s (exit status %r), with %d SalesKPI threads, one of them stuck: %s"
              % (quit_seconds, status, len(threads), bool(hung)))
        self.assertLess(quit_seconds, QUIT_LIMIT)
        self.assertEqual(status, 0, "the office did not exit cleanly")


@unittest.skipUnless(os.geteuid() == 0, "needs root: the store and its folder belong to another user than the office's")
class ReadOnlyReaders(oh.OfficeTestCase):
    """The store and its folder belong to root (0755/0644); the office runs
    as `nobody` and may only read them (docs/store.md)."""

    @classmethod
    def prepare_data(cls):
        cls.folder = tempfile.mkdtemp(prefix="saleskpi-readonly-")
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        os.chmod(cls.folder, 0o755)
        for journal in ("rollback", "wal"):
            csv = os.path.join(cls.folder, "csv-" + journal)
            os.mkdir(csv)
            paths = []
            for name, text in TINY_CSV.items():
                paths.append(os.path.join(csv, name))
                with open(paths[-1], "w", encoding="utf-8") as out:
                    out.write(text)
            store = os.path.join(cls.folder, journal + ".sqlite")
            cls.kpi_as_root(store, "init", "--journal", journal)
            cls.kpi_as_root(store, "import", *paths)

    @staticmethod
    def kpi_as_root(store, *args):
        environment = dict(os.environ, KPI_TODAY=oh.PINNED_TODAY)
        return subprocess.run([oh.KPI, "--store", store] + list(args), check=True, capture_output=True,
                              env=environment).stdout.decode("utf-8")

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "1"}

    def open_on(self, store):
        document, sheet = new_document_on(self.office, store)
        self.addCleanup(document.close, True)
        return sheet

    def test_a_rollback_store_in_a_folder_readers_cannot_write_gives_figures_and_follows_changes(self):
        store = os.path.join(self.folder, "rollback.sqlite")
        self.assertEqual(oct(os.stat(self.folder).st_mode & 0o777), "0o755")
        self.assertEqual(oct(os.stat(store).st_mode & 0o777), "0o644")
        sheet = self.open_on(store)
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, 30,
                    what=lambda: "figures from the read-only store (%r)" % status_of(sheet))
        # The cell may show the first, partial load's figure (the month it asks
        # for) while the rest of the store is read: then the status says
        # "loading … shown meanwhile" for a moment.
        oh.wait_for(lambda: status_of(sheet).startswith("ready: " + store), 30,
                    what=lambda: "the status to say ready (%r)" % status_of(sheet))
        # The feed (root) writes; the read-only reader follows.
        orders = os.path.join(self.folder, "more-orders")
        os.mkdir(orders)
        paths = []
        for name, text in extra_order_csv("SO9", 40000).items():
            paths.append(os.path.join(orders, name))
            with open(paths[-1], "w", encoding="utf-8") as out:
                out.write(text)
        self.kpi_as_root(store, "import", *paths)
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 290000.0, 30, what="the new order in the cell")
        self.assertFalse(os.path.exists(store + "-shm"))  # a rollback journal needs no shared memory

    def test_a_wal_store_in_a_folder_readers_cannot_write_says_what_to_do(self):
        store = os.path.join(self.folder, "wal.sqlite")
        sheet = self.open_on(store)
        status = oh.wait_for(lambda: status_of(sheet).startswith("unavailable") and status_of(sheet), 30,
                             what=lambda: "the status to say unavailable (%r)" % status_of(sheet))
        self.assertIn("it uses WAL journal mode, which needs the file %s-shm beside it" % store, status)
        self.assertIn("init --journal rollback", status)
        self.assertEqual(oh.read(sheet, "A1").error, oh.ERR_NOT_AVAILABLE)


class ReplacedStores(oh.OfficeTestCase):
    """A store replaced underneath an open workbook — restored in place
    (the same inode, through SQLite's backup API) or removed and made again
    with `kpi init` — is read from scratch: the cells equal `kpi report` on
    the new store."""

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

    def other_store(self, name, orders):
        """A store made elsewhere: the tiny data plus `orders` more orders of
        SR01, each imported alone (its change log runs further than ours)."""
        cli = make_store(os.path.join(self.data_dir, name), TINY_CSV)
        for number in range(orders):
            cli.import_csv(extra_order_csv("X%s%d" % (name, number), 1000 * (number + 1)))
        return cli

    def cells_equal_the_report(self):
        rows = self.cli.report("2026-11")
        self.assertTrue(rows)
        for index, row in enumerate(rows):
            oh.put_formula(self.sheet, "C%d" % (index + 1), '=KPI.ACTUAL("%s";"%s";"2026-11")'
                           % (row["employee_code"], row["kpi_code"]))

        def equal():
            return all(oh.close_enough(oh.read(self.sheet, "C%d" % (index + 1)).value, float(row["actual"]))
                       for index, row in enumerate(rows))
        oh.wait_for(equal, 30, what="the cells to equal kpi report")
        return rows

    def test_a_store_restored_in_place_is_read_from_scratch(self):
        oh.put_formula(self.sheet, "A1", ACTUAL_SR01)
        other = self.other_store("restored", 5)
        inode = os.stat(self.cli.store).st_ino
        source = sqlite3.connect("file:%s?mode=ro" % other.store, uri=True)
        target = sqlite3.connect(self.cli.store, timeout=30)
        source.backup(target)
        target.close()
        source.close()
        self.assertEqual(os.stat(self.cli.store).st_ino, inode)
        expected = 250000.0 + sum(1000 * (n + 1) for n in range(5))
        oh.wait_for(lambda: oh.read(self.sheet, "A1").value == expected, 30,
                    what=lambda: "A1 to show the restored store's %r (%r)" % (expected, oh.read(self.sheet, "A1")))
        self.cells_equal_the_report()

    def test_a_store_removed_and_made_again_with_kpi_init_is_read_from_scratch(self):
        oh.put_formula(self.sheet, "A1", ACTUAL_SR01)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.cli.store + suffix):
                os.remove(self.cli.store + suffix)
        make_store(os.path.dirname(self.cli.store), TINY_CSV)
        for number in range(3):
            self.cli.import_csv(extra_order_csv("R%d" % number, 7000))
        oh.wait_for(lambda: oh.read(self.sheet, "A1").value == 250000.0 + 21000, 30,
                    what=lambda: "A1 to show the new store (%r)" % oh.read(self.sheet, "A1"))
        self.cells_equal_the_report()


class StoresNobodyUses(oh.OfficeTestCase):
    """Documents opened on many stores and closed again leave no SalesKPI
    thread behind: each store's session is released once no document uses it."""

    STORES = 6

    @classmethod
    def prepare_data(cls):
        cls.stores = [make_store(os.path.join(cls.data_dir, "store%d" % n), TINY_CSV).store
                      for n in range(cls.STORES)]

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_REFRESH_SECONDS": "1"}

    def test_closing_the_documents_releases_their_stores_threads(self):
        pid = self.office.soffice_pid()
        before = oh.thread_count(pid)
        self.assertEqual(our_threads(pid), [])
        documents = []
        for store in self.stores:
            document, sheet = new_document_on(self.office, store)
            documents.append(document)
            oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, 30, what="figures of " + store)
        opened = our_threads(pid)
        self.assertEqual(opened, sorted(["kpi-store", "kpi-watch"] * self.STORES))
        during = oh.thread_count(pid)
        for document in documents:
            document.close(True)
        oh.wait_for(lambda: our_threads(pid) == [], 30,
                    what=lambda: "the stores' threads to end (%r left)" % our_threads(pid))
        after = oh.thread_count(pid)
        print("\n  threads of the office: %d before, %d with %d stores open, %d after closing them"
              % (before, during, self.STORES, after))
        self.assertLessEqual(after, before + 2)  # the office's own pools may keep a thread or two
        # A store used again is simply opened again.
        document, sheet = new_document_on(self.office, self.stores[0])
        self.addCleanup(document.close, True)
        oh.wait_for(lambda: oh.read(sheet, "A1").value == 250000.0, 30, what="figures once more")


class DetailOffTheMainThread(oh.OfficeTestCase):
    """KPI.DETAIL of the whole company for a year, on the demo distributor,
    is read off the main thread and cut at 10,000 records with a last row
    saying how many more there are."""

    @classmethod
    def prepare_data(cls):
        cls.cli = make_store(os.path.join(cls.data_dir, "demo"))

    @classmethod
    def office_env(cls, data_dir):
        return {"KPI_STORE": os.path.join(data_dir, "demo", "kpi.sqlite")}

    def test_detail_of_everyone_for_a_year_never_keeps_the_main_thread_and_says_what_was_cut(self):
        document = self.office.new_spreadsheet()
        self.addCleanup(document.close, True)
        sheet = document.Sheets.getByIndex(0)
        oh.wait_until_ready(sheet)
        with sqlite3.connect("file:%s?mode=ro" % self.cli.store, uri=True) as db:
            total = db.execute("SELECT count(*) FROM orders WHERE status = 'approved' AND "
                               "order_date BETWEEN '2026-01-01' AND '2026-12-31'").fetchone()[0]
        self.assertGreater(total, 10000, "the demo store should have more orders than the limit")
        cells = sheet.getCellRangeByName("A1:F10003")
        calls = TimedCalls()
        calls(cells.setArrayFormula, '=KPI.DETAIL("*";"SALES";"2026")')
        formula_seconds = calls.slowest
        # While the records are read, the main thread answers at once.
        deadline = time.monotonic() + 60
        while calls(lambda: cells.getCellByPosition(0, 0).getString()) != "date" and time.monotonic() < deadline:
            self.assertEqual(calls(oh.evaluate, sheet, "=1+1", "H1").value, 2)
        data = oh.wait_for_detail(cells, 60)
        print("\n  KPI.DETAIL(\"*\";\"SALES\";\"2026\") over %d orders: the formula took %.3f s of the main thread, "
              "the slowest call while it was read %.3f s" % (total, formula_seconds, calls.slowest))
        self.assertLess(calls.slowest, 1.0)
        self.assertEqual(data[0][0], "date")
        self.assertTrue(data[10000][0].startswith("2026-"), data[10000])
        self.assertEqual(data[10001][0], "\u2026 and {:,} more rows".format(total - 10000))
        self.assertEqual(data[10001][1:], ("", "", "", "", ""))
        self.assertEqual(oh.read(sheet, "A10003").error, oh.ERR_NOT_AVAILABLE)


if __name__ == "__main__":
    unittest.main()
