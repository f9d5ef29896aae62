#!/usr/bin/python3
"""`make demo`: a demo store, a workbook built on KPI.* functions, and the
manager dashboard following orders as they arrive.

1. `kpi demo-data` writes a demo distributor into BUILD/demo/demo.sqlite.
2. A workbook with KPI.* formulas over that store is built in a real office
   with BUILD/saleskpi.oxt installed, recalculated, and saved as
   BUILD/demo/saleskpi-demo.ods and .pdf.
3. With --screenshot PNG / --dashboard-screenshot PNG: that workbook / the
   manager dashboard template (as the extension installs it) in a visible
   office under Xvfb, photographed (the README's pictures).
4. Live: `kpi simulate` feeds orders into the store as a DMS would, and the
   manager dashboard template, opened on the store, follows by itself (the
   store is checked every 3 s here, KPI_REFRESH_SECONDS).
   - With a display ($DISPLAY, unless --no-window): the dashboard opens in a
     window, and the feed runs until that window is closed (or Ctrl-C); then
     the feed is stopped and the office ends.
   - Without: a hidden dashboard in a headless office, fed for
     --live-seconds, its company sales printed as they change.
   Each line also gives the team's reward payout this month (SPEC §9, from
   `kpi payout`): it moves as the orders lift attainments along the plans'
   curves and through their gates.

Run with Debian's /usr/bin/python3 (python3-uno).
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "office"))

EXTENSION_ID = "org.saleskpi.extension"
DASHBOARD_TEMPLATE = "manager_dashboard-en.ots"
REFRESH_SECONDS = "3"
KPIS = [("DS", "Doanh số / Sales"), ("PC", "PC"), ("LPPC", "LPPC"), ("ASO", "ASO"), ("COV", "Độ phủ / Coverage")]


# The demo runs on the real calendar, unless KPI_TODAY fixes the product's
# today (docs/design.md): the offices and `kpi simulate` get the same value
# (the office harness would otherwise pin the tests' date).
TODAY_ENV = {"KPI_TODAY": os.environ.get("KPI_TODAY", "")}


def product_today():
    """The date the product takes for today: KPI_TODAY, else the clock's."""
    pinned = TODAY_ENV["KPI_TODAY"]
    return datetime.date.fromisoformat(pinned) if pinned else datetime.date.today()


def say(text):
    print(f"demo: {text}", file=sys.stderr, flush=True)


def make_store(kpi, store, size):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    subprocess.run([kpi, "--store", store, "demo-data", "--size", str(size)], check=True)


def team(store):
    con = sqlite3.connect(store)
    try:
        return con.execute("SELECT code, name, role FROM employees WHERE role IN ('SS', 'SR') "
                           "ORDER BY manager_code, code").fetchall()
    finally:
        con.close()


def top_manager(store):
    """The code of the manager at the top of the demo's tree (the regional
    sales manager), or * when there is none."""
    con = sqlite3.connect(store)
    try:
        row = con.execute("SELECT e.code FROM employees e WHERE coalesce(e.manager_code, '') = '' AND EXISTS "
                          "(SELECT 1 FROM employees r WHERE r.manager_code = e.code) ORDER BY e.code").fetchone()
        return row[0] if row else "*"
    finally:
        con.close()


def number_format(doc, code):
    key = doc.NumberFormats.queryKey(code, doc.CharLocale, False)
    return key if key >= 0 else doc.NumberFormats.addNew(code, doc.CharLocale)


def fill_workbook(doc, store, people):
    """A manager's sheet: the team this month, every figure a KPI.* formula."""
    from office_harness import put_formula, set_kpi_store
    set_kpi_store(doc, store)
    sheet = doc.Sheets.getByIndex(0)
    sheet.Name = "Tháng này"
    month = product_today().strftime("%Y-%m")
    sheet.getCellRangeByName("A1").String = f"SalesKPI — đội bán hàng tháng {month} / the team this month"
    sheet.getCellRangeByName("A2").String = "Dữ liệu đến / data as of"
    put_formula(sheet, "C2", "=KPI.ASOF()")
    sheet.getCellRangeByName("C2").NumberFormat = number_format(doc, "YYYY-MM-DD HH:MM")
    put_formula(sheet, "E2", "=KPI.STATUS()")
    headers = ["Mã / Code", "Nhân viên / Employee", "Doanh số / Sales", "Chỉ tiêu / Target", "Đạt / Attainment",
               "Dự báo / Projected", "PC", "LPPC", "ASO", "Độ phủ / Coverage", "Điểm / Score"]
    for col, text in enumerate(headers):
        cell = sheet.getCellByPosition(col, 3)
        cell.String = text
        cell.CharWeight = 150  # bold
    percent = number_format(doc, "0.0%")
    money = number_format(doc, "#,##0")
    for row, (code, name, role) in enumerate(people, start=4):
        r = row + 1
        sheet.getCellByPosition(0, row).String = code
        sheet.getCellByPosition(1, row).String = name
        formulas = [f'=KPI.ACTUAL(A{r};"DS")', f'=KPI.TARGET(A{r};"DS")', f'=KPI.ATTAINMENT(A{r};"DS")',
                    f'=KPI.PROJECTED(A{r};"DS")', f'=KPI.ACTUAL(A{r};"PC")', f'=KPI.ACTUAL(A{r};"LPPC")',
                    f'=KPI.ACTUAL(A{r};"ASO")', f'=KPI.ACTUAL(A{r};"COV")', f'=KPI.SCORE(A{r})']
        for col, formula in enumerate(formulas, start=2):
            cell = sheet.getCellByPosition(col, row)
            cell.Formula = formula
            if col in (2, 3, 5):
                cell.NumberFormat = money
            elif col == 7:
                cell.NumberFormat = number_format(doc, "0.00")
            elif col in (4, 9, 10):
                cell.NumberFormat = percent
    page = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
    width, height = page.Width, page.Height
    page.IsLandscape, page.Width, page.Height = True, max(width, height), min(width, height)
    page.ScaleToPagesX, page.ScaleToPagesY = 1, 0  # every column on one page's width
    last = 4 + len(people)
    sheet.getCellByPosition(1, last).String = "Cả công ty / company"
    sheet.getCellByPosition(1, last).CharWeight = 150
    sheet.getCellByPosition(2, last).Formula = '=KPI.ACTUAL("*";"DS")'
    sheet.getCellByPosition(2, last).NumberFormat = money
    sheet.getCellByPosition(6, last).Formula = '=KPI.ACTUAL("*";"PC")'
    sheet.getCellByPosition(8, last).Formula = '=KPI.ACTUAL("*";"ASO")'
    sheet.getColumns().getByIndex(1).Width = 5200
    for col in range(2, 11):
        sheet.getColumns().getByIndex(col).Width = 3300
    return sheet, f"C5:K{last}"


def wait_for_figures(sheet, address, timeout=60):
    """Until the first sales figure is a number (the engine loads off the main thread)."""
    deadline = time.monotonic() + timeout
    cell = sheet.getCellRangeByName(address)
    while time.monotonic() < deadline:
        if cell.getError() == 0 and cell.getValue() != 0:
            return True
        time.sleep(0.25)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--out", help="where the store, workbook and PDF go (default BUILD/demo)")
    ap.add_argument("--size", type=int, default=40)
    ap.add_argument("--screenshot", help="also photograph the workbook in a visible office under Xvfb")
    ap.add_argument("--dashboard-screenshot", help="also photograph the manager dashboard under Xvfb")
    ap.add_argument("--no-window", action="store_true", help="never open a window, even with a display")
    ap.add_argument("--live-seconds", type=int, default=20,
                    help="without a window: feed orders with `kpi simulate` this long and print the open "
                         "dashboard's figures following them (0: no feed)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.environ.setdefault("SALESKPI_BUILD_DIR", build)
    import office_harness
    kpi = os.path.join(build, "bin", "kpi")
    out = os.path.abspath(args.out or os.path.join(build, "demo"))
    os.makedirs(out, exist_ok=True)
    store = os.path.join(out, "demo.sqlite")
    say(f"creating the demo store {store}")
    make_store(kpi, store, args.size)
    office_harness.give_to_office_user(out)
    for name in os.listdir(out):
        office_harness.give_to_office_user(os.path.join(out, name))
    people = team(store)
    window = bool(os.environ.get("DISPLAY")) and not args.no_window

    ods = os.path.join(out, "saleskpi-demo.ods")
    pdf = os.path.join(out, "saleskpi-demo.pdf")
    say("building the workbook in a headless office with the extension installed")
    with office_harness.Office(env=dict(TODAY_ENV, KPI_REFRESH_SECONDS=REFRESH_SECONDS, KPI_STORE=store)) as office:
        doc = office.new_spreadsheet()
        sheet, _ = fill_workbook(doc, store, people)
        if not wait_for_figures(sheet, "C5"):
            sys.exit("demo: the KPI cells did not fill within 60 s: " + sheet.getCellRangeByName("E2").String)
        doc.calculateAll()
        tmp = office.private_dir("out")
        office_harness.store_as(doc, os.path.join(tmp, "demo.ods"), "calc8")
        office_harness.store_as(doc, os.path.join(tmp, "demo.pdf"), "calc_pdf_Export")
        shutil.copyfile(os.path.join(tmp, "demo.ods"), ods)
        shutil.copyfile(os.path.join(tmp, "demo.pdf"), pdf)
        doc.close(True)
        say(f"workbook: {ods}")
        say(f"PDF:      {pdf}")
        if not window and args.live_seconds > 0:
            dashboard = open_dashboard(office, hidden=True)
            manager = top_manager(store)
            watch_headless(office_harness, Dashboard(dashboard, manager, TeamPayout(office_harness, kpi, store, manager)),
                           kpi, store, args.live_seconds)
            dashboard.close(True)
    if args.screenshot or args.dashboard_screenshot:
        screenshots(office_harness, store, ods, args.screenshot, args.dashboard_screenshot)
    if window:
        show_live_dashboard(office_harness, kpi, store)
    else:
        say("no display: open the workbook above in LibreOffice Calc with the extension installed (make install), "
            "or File ▸ New ▸ Templates ▸ SalesKPI ▸ Manager dashboard")


def open_dashboard(office, hidden):
    """A new document from the manager dashboard template, as the extension
    installed it (templates/SalesKPI in the package)."""
    from office_harness import prop
    location = office.context.getValueByName(
        "/singletons/com.sun.star.deployment.PackageInformationProvider").getPackageLocation(EXTENSION_ID)
    arguments = [prop("AsTemplate", True)] + ([prop("Hidden", True)] if hidden else [])
    return office.desktop.loadComponentFromURL(location + "/templates/SalesKPI/" + DASHBOARD_TEMPLATE, "_blank", 0,
                                               tuple(arguments))


class TeamPayout:
    """The reward payout of a manager's team this month (SPEC §9): the sum of
    the total rows `kpi payout --period <this month> --employee <manager>`
    gives — the figures of the sidebar's person view and of the statements
    (SalesKPI ▸ Export statements…) — read from the store the feed writes.
    Read again only when the dashboard's sales moved."""

    def __init__(self, office_harness, kpi, store, manager):
        self.office_harness = office_harness
        self.argv = [kpi, "--store", store, "payout", "--period", product_today().strftime("%Y-%m"), "--format", "csv"]
        if manager != "*":
            self.argv += ["--employee", manager]
        self.seen_sales = object()
        self.amount = None

    def for_sales(self, sales):
        if sales != self.seen_sales:
            self.seen_sales = sales
            try:
                rows = self.office_harness.run_as_office_user(self.argv, env=dict(TODAY_ENV), timeout=60).splitlines()
                header = rows[0].split(",")
                kind, amount = header.index("kind"), header.index("amount")
                self.amount = sum(int(row.split(",")[amount]) for row in rows[1:]
                                  if row and row.split(",")[kind] == "total")
            except Exception as error:  # a store being written: keep the last figure
                say("kpi payout: %s" % error)
        return self.amount


class Dashboard:
    """The dashboard's Overview, shown for one manager's team (its input cell
    Manager, B4), and the figures the demo prints: the team's sales this month,
    the team's payout this month (TeamPayout, when given) and when the store
    was last read."""

    def __init__(self, document, manager, payout=None):
        self.document = document
        self.manager = manager
        self.payout = payout
        self.overview = document.Sheets.getByName("Overview")
        self.overview.getCellRangeByName("B4").setString(manager)
        document.setModified(False)  # closing the window asks nothing

    def sales(self):
        cell = self.overview.getCellRangeByName("D12")
        return cell.getValue() if cell.getError() == 0 else None

    def refreshed(self):
        """When the store was last read, from KPI.STATUS() in B8."""
        status = self.overview.getCellRangeByName("B8").getString()
        match = re.search(r"refreshed \S+ ([\d:]+)", status)
        return match.group(1) if match else status

    def filled(self):
        """The figures and the report sheets are there."""
        ranking = self.document.Sheets.getByName("Ranking").getCellRangeByName("B3").getString()
        return bool(self.sales()) and bool(ranking)

    def line(self):
        sales = self.sales()
        shown = "–" if sales is None else f"{sales:,.0f} VND"
        paid = ""
        if self.payout is not None:
            amount = self.payout.for_sales(sales)
            paid = "   team payout this month " + ("–" if amount is None else f"{amount:,} VND")
        return f"  team sales this month {shown}{paid}   (store read at {self.refreshed()})"


def wait_for_dashboard(dashboard, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dashboard.filled():
            return True
        time.sleep(0.5)
    say("the dashboard did not fill within %d s: %s" % (timeout, dashboard.overview.getCellRangeByName("B8").String))
    return False


def start_feed(office_harness, kpi, store, seconds, log):
    """`kpi simulate` writing orders into the store as a DMS would (as the
    office user, who owns the store), in a process group of its own so that
    stop_feed() reaches it through runuser too."""
    argv = [kpi, "--store", store, "simulate", "--rate", "300", "--seconds", str(seconds), "--approve-after", "2"]
    return subprocess.Popen(office_harness._as_office_user(argv, dict(TODAY_ENV, HOME=tempfile.gettempdir())),
                            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)


def stop_feed(feed, log):
    """SIGTERM to the feed's process group (kpi simulate finishes its
    transaction and prints a summary), SIGKILL to what is left after 20 s."""
    def group_alive():
        try:
            os.killpg(feed.pid, 0)
            return True
        except ProcessLookupError:
            return False

    if group_alive():
        os.killpg(feed.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while group_alive() and time.monotonic() < deadline:
        feed.poll()  # reap runuser, the group's leader, once it exits
        time.sleep(0.1)
    if group_alive():
        os.killpg(feed.pid, signal.SIGKILL)
    feed.wait()
    log.seek(0)
    # runuser may print its own notice on the same line.
    summary = re.findall(r"simulated \d+ orders: [^\n]*", log.read().decode("utf-8", "replace"))
    say("feed stopped: " + (summary[-1] if summary else "exit status %s" % feed.returncode))


def watch_headless(office_harness, dashboard, kpi, store, seconds):
    """`kpi simulate` feeds orders for `seconds`; the hidden dashboard's cells
    follow by themselves; printed every 3 s."""
    if not wait_for_dashboard(dashboard):
        return
    say(f"live: kpi simulate feeds orders for {seconds} s; the manager dashboard (team of {dashboard.manager}) "
        "shows:")
    with tempfile.TemporaryFile() as log:
        feed = start_feed(office_harness, kpi, store, seconds, log)
        try:
            deadline = time.monotonic() + seconds + 8
            while time.monotonic() < deadline:
                say(dashboard.line())
                time.sleep(3)
        finally:
            stop_feed(feed, log)


def display_environment(office_harness):
    """DISPLAY, and XAUTHORITY as a copy the office user can read (the office
    runs as `nobody` when we are root)."""
    env = {"DISPLAY": os.environ["DISPLAY"]}
    if os.environ.get("SAL_USE_VCLPLUGIN"):
        env["SAL_USE_VCLPLUGIN"] = os.environ["SAL_USE_VCLPLUGIN"]  # the user's choice of toolkit
    cookie = os.environ.get("XAUTHORITY") or os.path.expanduser("~/.Xauthority")
    if os.path.exists(cookie):
        folder = office_harness.make_private_dir("saleskpi-demo-x-")
        shutil.copyfile(cookie, os.path.join(folder, "Xauthority"))
        office_harness.give_to_office_user(folder)
        env["XAUTHORITY"] = os.path.join(folder, "Xauthority")
    return env


def show_live_dashboard(office_harness, kpi, store):
    """The dashboard in a window while `kpi simulate` feeds orders, until the
    window is closed."""
    env = display_environment(office_harness)
    env.update(TODAY_ENV, KPI_STORE=store, KPI_REFRESH_SECONDS=REFRESH_SECONDS)
    with office_harness.Office(env=env, visible=True) as office, tempfile.TemporaryFile() as log:
        say(f"the office takes UNO connections on 127.0.0.1:{office.port}")
        document = open_dashboard(office, hidden=False)
        try:
            document.getCurrentController().getFrame().getContainerWindow().IsMaximized = True
        except Exception:
            pass  # a window manager that cannot maximize: the window stays as it opened
        manager = top_manager(store)
        dashboard = Dashboard(document, manager, TeamPayout(office_harness, kpi, store, manager))
        wait_for_dashboard(dashboard)
        say("live: the manager dashboard is open in a window; kpi simulate feeds orders until you close it "
            "(figures follow every 3 s):")
        feed = start_feed(office_harness, kpi, store, 0, log)
        try:
            shown = None
            while True:
                try:
                    line = dashboard.line()
                except Exception:
                    break  # the document is gone: the window was closed
                if line != shown:
                    say(line)
                    shown = line
                if office.process.poll() is not None:
                    break
                time.sleep(1)
        except KeyboardInterrupt:
            say("interrupted")
        finally:
            stop_feed(feed, log)
    say("the window was closed: demo over")


def screenshots(office_harness, store, ods, workbook_png, dashboard_png):
    """The workbook and the manager dashboard in a visible office under Xvfb."""
    xvfb, display = office_harness.start_xvfb("1600x900x24")
    try:
        env = dict(TODAY_ENV, DISPLAY=display, KPI_STORE=store, KPI_REFRESH_SECONDS=REFRESH_SECONDS)
        with office_harness.Office(env=env, visible=True) as office:
            import uno
            if workbook_png:
                doc = office.desktop.loadComponentFromURL(uno.systemPathToFileUrl(ods), "_blank", 0, ())
                wait_for_figures(doc.Sheets.getByIndex(0), "C5")
                photograph(doc, display, os.path.abspath(workbook_png))
                doc.close(True)
            if dashboard_png:
                doc = open_dashboard(office, hidden=False)
                wait_for_dashboard(Dashboard(doc, top_manager(store)))
                photograph(doc, display, os.path.abspath(dashboard_png))
                doc.close(True)
    finally:
        office_harness.stop_xvfb(xvfb)


def photograph(doc, display, png):
    doc.getCurrentController().getFrame().getContainerWindow().setPosSize(0, 0, 1600, 900, 15)
    time.sleep(3)  # the window repaints
    raw = png + ".xwd"
    subprocess.run(["xwd", "-root", "-display", display, "-out", raw], check=True)
    subprocess.run(["convert", raw, png], check=True)
    os.remove(raw)
    say(f"screenshot: {png}")


if __name__ == "__main__":
    main()
