"""A throwaway headless LibreOffice with build/saleskpi.oxt installed.

Each Office runs on its own profile (a copy of a prepared one) and its own TCP
port, so tests may run in parallel. The prepared profile was started once with
--terminate_after_init and then got the extension through unopkg (an extension
added to a never-started profile is dropped at the first start). As root the
office and unopkg run as the unprivileged user `nobody`: unopkg refuses
per-user installs as root.

Office.stop() terminates the office through UNO, kills its process group when
it does not exit, and removes its profile; use it as a context manager or with
unittest's addClassCleanup so that this happens also when a test fails.

Run with Debian's /usr/bin/python3 (python3-uno).
"""

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException
from com.sun.star.uno import Exception as UnoException

PROGRAM_DIR = "/usr/lib/libreoffice/program"
SOFFICE = os.path.join(PROGRAM_DIR, "soffice")
UNOPKG = os.path.join(PROGRAM_DIR, "unopkg")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("SALESKPI_BUILD_DIR", os.path.join(REPO, "build"))
OXT = os.environ.get("SALESKPI_OXT", os.path.join(BUILD, "saleskpi.oxt"))
KPI = os.environ.get("SALESKPI_KPI", os.path.join(BUILD, "bin", "kpi"))
CATALOG_JSON = os.environ.get(
    "SALESKPI_CATALOG_JSON", os.path.join(BUILD, "addin", "generated", "function_catalog.json"))
ADDIN_RDB = os.environ.get("SALESKPI_ADDIN_RDB", os.path.join(BUILD, "addin", "generated", "saleskpi.rdb"))

START_TIMEOUT = 90  # seconds until the office accepts connections
STOP_TIMEOUT = 30   # seconds for a clean exit after terminate()

# Calc's cell error codes (cell.getError()).
ERR_ILLEGAL_ARGUMENT = 502   # Err:502
ERR_NOT_AVAILABLE = 32767    # #N/A
ERR_NO_VALUE = 519           # #VALUE!


class OfficeError(Exception):
    pass


def office_user():
    """The account offices and unopkg run as: `nobody` when we are root."""
    if os.geteuid() == 0:
        return pwd.getpwnam("nobody")
    return pwd.getpwuid(os.geteuid())


# The product's "today" in every office and kpi run of the office tests
# (KPI_TODAY, docs/design.md): the last day of the demo store they build, so
# that "this month" has data whatever the calendar says. A test that wants
# another today passes KPI_TODAY in env ("" = the machine's clock).
PINNED_TODAY = "2026-11-20"

# libfaketime's settings (make test-dates): the office runs under the same
# faked clock as the test that starts it.
FAKETIME_VARIABLES = ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_RESET", "FAKETIME_NO_CACHE",
                      "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_TIMESTAMP_FILE")


def _as_office_user(argv, env):
    """argv run as the office user with exactly env (plus PATH, LANG, the
    pinned KPI_TODAY and libfaketime's settings when they are set)."""
    full_env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "KPI_TODAY": PINNED_TODAY}
    full_env.update({name: os.environ[name] for name in FAKETIME_VARIABLES if name in os.environ})
    if "FAKETIME" in os.environ:
        # The office's wall clock is faked, its monotonic clock left alone: the
        # add-in's worker waits on a condition variable with a monotonic
        # deadline (pthread_cond_clockwait, which libfaketime does not
        # translate), and a real machine's monotonic clock never jumps.
        full_env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    full_env.update(env)
    assignments = ["%s=%s" % item for item in sorted(full_env.items())]
    if os.geteuid() == 0:
        # runuser and env run unfaked: under libfaketime they would open the
        # root-owned clock the test's processes share (FAKETIME_SHARED) as the
        # office user and fail; the office starts its own.
        return (["env", "-u", "LD_PRELOAD", "-u", "FAKETIME_SHARED", "runuser", "-u", office_user().pw_name, "--",
                 "env", "-i"] + assignments + list(argv))
    return ["env", "-i"] + assignments + list(argv)


def make_private_dir(prefix):
    """A new temporary directory that the office user owns."""
    path = tempfile.mkdtemp(prefix=prefix)
    give_to_office_user(path)
    return path


def give_to_office_user(path):
    if os.geteuid() != 0:
        return
    user = office_user()
    for root, dirs, files in os.walk(path):
        os.chown(root, user.pw_uid, user.pw_gid)
        for name in files:
            os.lchown(os.path.join(root, name), user.pw_uid, user.pw_gid)


def run_as_office_user(argv, env=None, home=None, timeout=300, check=True):
    """Runs a command (e.g. the kpi CLI) as the office user; returns stdout."""
    run_env = {"HOME": home or tempfile.gettempdir()}
    run_env.update(env or {})
    result = subprocess.run(_as_office_user(argv, run_env), capture_output=True, timeout=timeout)
    if check and result.returncode != 0:
        raise OfficeError("%s failed (%d): %s" % (" ".join(argv), result.returncode,
                                                   result.stderr.decode("utf-8", "replace")))
    return result.stdout.decode("utf-8")


def start_xvfb(size="1400x900x24"):
    """An X server on a display no one uses (Xvfb picks it: -displayfd), up
    and accepting clients when this returns; returns (process, ":N"). Stop it
    with stop_xvfb()."""
    read_end, write_end = os.pipe()
    # The X server runs on the real clock: under libfaketime (make
    # test-dates) its timers never fired and it ignored SIGTERM.
    real_clock = {name: value for name, value in os.environ.items()
                  if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", size, "-nolisten", "tcp"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=real_clock)
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    if not number:
        xvfb.kill()
        xvfb.wait()
        raise OfficeError("Xvfb did not start")
    display = ":" + number
    _wait_for_display(xvfb, display)
    return xvfb, display


def _wait_for_display(xvfb, display, timeout=20):
    """Waits until the office user's X clients can open display (xdpyinfo
    as that user, on the real clock): an X server that announced its number
    but refuses clients fails here, saying why, not later as an office that
    exits with "Can't open display"."""
    if not shutil.which("xdpyinfo"):
        return
    deadline = time.monotonic() + timeout
    while True:
        probe = subprocess.run(
            [part for part in _as_office_user(["xdpyinfo", "-display", display], {"HOME": "/"})
             if not part.startswith(("LD_PRELOAD=", "FAKETIME"))],
            capture_output=True, timeout=timeout)
        if probe.returncode == 0:
            return
        exited = xvfb.poll()
        if exited is not None or time.monotonic() > deadline:
            xvfb.kill()
            xvfb.wait()
            raise OfficeError("Xvfb on %s %s; xdpyinfo as %s: %s" % (
                display, "refused clients" if exited is None else "exited (%d)" % exited,
                office_user().pw_name, probe.stderr.decode("utf-8", "replace").strip()))
        time.sleep(0.2)


def stop_xvfb(xvfb, timeout=10):
    """Stops an X server from start_xvfb(); killed if it does not go."""
    xvfb.terminate()
    try:
        xvfb.wait(timeout)
    except subprocess.TimeoutExpired:
        xvfb.kill()
        xvfb.wait()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _registry_modifications(locale):
    # UILocale: the office's UI language. ooSetupLastVersion: claim that this
    # profile has seen this version already, or every start of a fresh profile
    # copy runs the one-time graphics self-test (GraphicsRenderTests, ~15 s).
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            '<item oor:path="/org.openoffice.Office.Linguistic/General">'
            '<prop oor:name="UILocale" oor:op="fuse"><value>%s</value></prop></item>\n'
            '<item oor:path="/org.openoffice.Setup/Product">'
            '<prop oor:name="ooSetupLastVersion" oor:op="fuse"><value>99.0</value></prop></item>\n'
            '</oor:items>\n' % locale)


def _run_group(argv, what):
    """Runs argv in a process group of its own, killed whole when it hangs."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise OfficeError("%s did not finish within %d s" % (what, START_TIMEOUT))
    if process.returncode != 0:
        raise OfficeError("%s failed (%d): %s" % (what, process.returncode, output.decode("utf-8", "replace")))


_prepared = {}
_prepared_lock = threading.Lock()


def prepared_profile(locale):
    """A started profile with the extension installed, made once per process
    and locale; offices run on copies of it."""
    with _prepared_lock:
        if locale in _prepared:
            return _prepared[locale]
        if not os.path.exists(OXT):
            raise OfficeError("%s is missing: build it first (make build)" % OXT)
        home = make_private_dir("saleskpi-profile-%s-" % locale)
        atexit.register(shutil.rmtree, home, True)
        profile = os.path.join(home, "profile")
        user_dir = os.path.join(profile, "user")
        os.makedirs(user_dir)
        with open(os.path.join(user_dir, "registrymodifications.xcu"), "w", encoding="utf-8") as xcu:
            xcu.write(_registry_modifications(locale))
        oxt_copy = os.path.join(home, "saleskpi.oxt")
        shutil.copyfile(OXT, oxt_copy)
        give_to_office_user(home)
        env = {"HOME": home}
        url = uno.systemPathToFileUrl(profile)
        _run_group(_as_office_user([SOFFICE, "--headless", "--norestore", "--nologo", "--terminate_after_init",
                                    "-env:UserInstallation=" + url], env), "the first start")
        _run_group(_as_office_user([UNOPKG, "add", "--suppress-license", "-env:UserInstallation=" + url, oxt_copy],
                                   env), "unopkg add")
        _prepared[locale] = profile
        return profile


class Office:
    """A headless office on a private copy of a prepared profile."""

    def __init__(self, locale="en-US", env=None, visible=False):
        self.locale = locale
        self.visible = visible  # a real window (needs DISPLAY in env), for screenshots
        self.env = dict(env or {})
        self.home = None
        self.process = None
        self.context = None
        self.desktop = None
        self.log_path = None
        self.port = None  # the office's UNO socket on 127.0.0.1

    # -- lifetime ---------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self):
        source = prepared_profile(self.locale)
        self.home = make_private_dir("saleskpi-office-")
        profile = os.path.join(self.home, "profile")
        shutil.copytree(source, profile, symlinks=True)
        give_to_office_user(self.home)
        port = self.port = free_port()
        env = {"HOME": self.home}
        env.update(self.env)
        self.log_path = os.path.join(self.home, "office.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                _as_office_user([SOFFICE] + ([] if self.visible else ["--headless", "--invisible"]) +
                                ["--nocrashreport", "--nodefault", "--nologo", "--norestore",
                                 "--accept=socket,host=127.0.0.1,port=%d;urp;StarOffice.ComponentContext" % port,
                                 "-env:UserInstallation=" + uno.systemPathToFileUrl(profile)], env),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.context = self._connect(port)
        self.desktop = self.context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", self.context)
        if self.visible:
            self._settle(port)

    def _settle(self, port):
        """A visible office may still be starting when it first accepts a
        connection: a document loaded then can come without a window, and an
        office that restarts itself once (oosplash restarts soffice.bin) drops
        the first connection. Open and close one hidden document, reconnecting
        while the office runs, so that tests start on a settled office."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                document = self.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0,
                                                             (prop("Hidden", True),))
                document.close(True)
                return
            except UnoException:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(1)
                self.context = self._connect(port)
                self.desktop = self.context.ServiceManager.createInstanceWithContext(
                    "com.sun.star.frame.Desktop", self.context)

    def _connect(self, port):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                return resolver.resolve(
                    "uno:socket,host=127.0.0.1,port=%d;urp;StarOffice.ComponentContext" % port)
            except NoConnectException:
                if self.process.poll() is not None:
                    raise OfficeError("the office exited (%d) before accepting connections: %s"
                                      % (self.process.returncode, self.log()))
                if time.monotonic() > deadline:
                    raise OfficeError("the office did not accept connections within %d s" % START_TIMEOUT)
                time.sleep(0.2)

    def stop(self):
        """Terminates the office (killing it if it hangs) and removes its
        profile. Returns the exit status, or None when it had to be killed."""
        status = None
        try:
            if self.process is not None and self.process.poll() is None:
                if self.desktop is not None:
                    try:
                        self.desktop.terminate()
                    except Exception:
                        pass  # the bridge goes down with the office
                try:
                    status = self.process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    status = None
            elif self.process is not None:
                status = self.process.returncode
        finally:
            self._kill_group()
            self.desktop = None
            self.context = None
            if self.home:
                shutil.rmtree(self.home, ignore_errors=True)
                self.home = None
        return status

    def _kill_group(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            pass

    def alive(self):
        """True when the process runs and answers a UNO call."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            self.desktop.getComponents()
            return True
        except Exception:
            return False

    def soffice_pid(self):
        """The pid of soffice.bin, the office's own process, in the process
        group the harness started (runuser → soffice script → oosplash →
        soffice.bin)."""
        group = self.process.pid
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                with open("/proc/%s/comm" % entry) as comm:
                    name = comm.read().strip()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == group and name.startswith("soffice.bin"):
                return int(entry)
        raise OfficeError("no soffice.bin in process group %d" % group)

    def log(self):
        try:
            with open(self.log_path, "rb") as log:
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- documents ----------------------------------------------------------

    def service(self, name):
        return self.context.ServiceManager.createInstanceWithContext(name, self.context)

    def new_spreadsheet(self):
        return self.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))

    def load(self, path):
        return self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                                 (prop("Hidden", True),))

    def private_dir(self, name):
        """A directory inside the office's home that the office user owns."""
        path = os.path.join(self.home, name)
        os.makedirs(path, exist_ok=True)
        give_to_office_user(path)
        return path


def thread_count(pid):
    """How many threads a process has now."""
    return len(os.listdir("/proc/%d/task" % pid))


def prop(name, value):
    """A com.sun.star.beans.PropertyValue."""
    property_value = PropertyValue()
    property_value.Name = name
    property_value.Value = value
    return property_value


def store_as(document, path, filter_name):
    document.storeToURL(uno.systemPathToFileUrl(path), (prop("FilterName", filter_name),))


def set_kpi_store(document, path):
    """Sets the document's user-defined property KPIStore."""
    properties = document.getDocumentProperties().getUserDefinedProperties()
    if properties.getPropertySetInfo().hasPropertyByName("KPIStore"):
        properties.setPropertyValue("KPIStore", path)
    else:
        properties.addProperty("KPIStore", 0, path)


class Cell:
    """What a formula cell shows: a number, a text or an error code."""

    def __init__(self, cell):
        self.error = cell.getError()
        self.value = cell.getValue()
        self.text = cell.getString()

    def __repr__(self):
        return "Cell(error=%r, value=%r, text=%r)" % (self.error, self.value, self.text)


def read(sheet, address):
    return Cell(sheet.getCellRangeByName(address))


def put_formula(sheet, address, formula):
    sheet.getCellRangeByName(address).setFormula(formula)


def evaluate(sheet, formula, address="Z1"):
    """Enters formula in a scratch cell and returns what it shows."""
    put_formula(sheet, address, formula)
    return read(sheet, address)


def close_enough(actual, expected):
    """The kpi CLI prints at most 6 decimals."""
    return abs(actual - expected) <= 1e-6 * max(1.0, abs(expected)) + 1e-6


def wait_for(condition, timeout=30, interval=0.1, what="condition"):
    """Polls condition() until it returns a true value; returns that value.
    `what` (a text, or a function giving one) names it when time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %s s waiting for %s" % (timeout, what() if callable(what) else what))
        time.sleep(interval)


def wait_for_detail(cells, timeout=30):
    """Waits until an array range holding KPI.DETAIL shows its header row (the
    records are read off the main thread and arrive a moment after the
    formula; #N/A until then); returns its data array."""
    def shown():
        data = cells.getDataArray()
        return data[0][0] == "date" and data
    return wait_for(shown, timeout, what=lambda: "KPI.DETAIL's rows (the range shows %r)" % (cells.getDataArray()[0],))


def wait_until_ready(sheet, address="Y1", timeout=60):
    """Enters =KPI.STATUS() and waits until it says the store is loaded;
    returns the status."""
    put_formula(sheet, address, "=KPI.STATUS()")
    return wait_for(lambda: read(sheet, address).text.startswith("ready") and read(sheet, address).text, timeout,
                    what=lambda: "KPI.STATUS() to say ready (it says %r)" % read(sheet, address).text)


class OfficeTestCase(unittest.TestCase):
    """Starts one office for the class (env from office_env()) and checks after
    every test that it is alive."""

    @classmethod
    def office_env(cls, data_dir):
        return {}

    @classmethod
    def setUpClass(cls):
        cls.data_dir = make_private_dir("saleskpi-data-")
        cls.addClassCleanup(shutil.rmtree, cls.data_dir, True)
        cls.prepare_data()
        cls.office = Office(env=cls.office_env(cls.data_dir))
        cls.addClassCleanup(cls.office.stop)
        cls.office.start()

    @classmethod
    def prepare_data(cls):
        pass

    def tearDown(self):
        self.assertTrue(self.office.alive(), "the office died:\n" + self.office.log()[-3000:])

    def assertShows(self, cell, expected, what=""):
        self.assertEqual(cell.error, 0, "%s shows error %d, expected %r" % (what, cell.error, expected))
        self.assertTrue(close_enough(cell.value, expected), "%s shows %r, expected %r" % (what, cell.value, expected))

    def assertError(self, cell, code, what=""):
        self.assertEqual(cell.error, code, "%s: %r" % (what, cell))
