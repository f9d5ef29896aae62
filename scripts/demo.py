#!/usr/bin/python3
"""`make demo`: a demo store and a workbook built on KPI.* functions.

1. `kpi demo-data` writes a demo distributor into BUILD/demo/demo.sqlite.
2. A workbook with KPI.* formulas over that store is built in a real office
   with BUILD/saleskpi.oxt installed, recalculated, and saved as
   BUILD/demo/saleskpi-demo.ods and .pdf.
3. With --screenshot PNG: the same workbook in a visible office under Xvfb,
   photographed (the README's picture).
4. With a display ($DISPLAY) the workbook is then opened in a window.

Run with Debian's /usr/bin/python3 (python3-uno).
"""
import argparse
import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "office"))

KPIS = [("DS", "Doanh số / Sales"), ("PC", "PC"), ("LPPC", "LPPC"), ("ASO", "ASO"), ("COV", "Độ phủ / Coverage")]


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


def number_format(doc, code):
    key = doc.NumberFormats.queryKey(code, doc.CharLocale, False)
    return key if key >= 0 else doc.NumberFormats.addNew(code, doc.CharLocale)


def fill_workbook(doc, store, people):
    """A manager's sheet: the team this month, every figure a KPI.* formula."""
    from office_harness import put_formula, set_kpi_store
    set_kpi_store(doc, store)
    sheet = doc.Sheets.getByIndex(0)
    sheet.Name = "Tháng này"
    month = datetime.date.today().strftime("%Y-%m")
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
    ap.add_argument("--size", type=int, default=40)
    ap.add_argument("--screenshot", help="also photograph the workbook in a visible office under Xvfb")
    ap.add_argument("--no-window", action="store_true", help="never open a window, even with a display")
    ap.add_argument("--live-seconds", type=int, default=20,
                    help="feed orders with `kpi simulate` this long and show the open workbook following them")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.environ.setdefault("SALESKPI_BUILD_DIR", build)
    import office_harness
    out = os.path.join(build, "demo")
    os.makedirs(out, exist_ok=True)
    store = os.path.join(out, "demo.sqlite")
    say(f"creating the demo store {store}")
    make_store(os.path.join(build, "bin", "kpi"), store, args.size)
    office_harness.give_to_office_user(out)
    for name in os.listdir(out):
        office_harness.give_to_office_user(os.path.join(out, name))
    people = team(store)

    ods = os.path.join(out, "saleskpi-demo.ods")
    pdf = os.path.join(out, "saleskpi-demo.pdf")
    say("building the workbook in a headless office with the extension installed")
    with office_harness.Office(env={"KPI_REFRESH_SECONDS": "3"}) as office:
        doc = office.new_spreadsheet()
        sheet, _ = fill_workbook(doc, store, people)
        if not wait_for_figures(sheet, "C5"):
            sys.exit("demo: the KPI cells did not fill within 60 s: " + sheet.getCellRangeByName("E2").String)
        if args.live_seconds > 0:
            watch_live(office_harness, sheet, len(people), os.path.join(build, "bin", "kpi"), store, args.live_seconds)
        doc.calculateAll()
        tmp = office.private_dir("out")
        office_harness.store_as(doc, os.path.join(tmp, "demo.ods"), "calc8")
        office_harness.store_as(doc, os.path.join(tmp, "demo.pdf"), "calc_pdf_Export")
        shutil.copyfile(os.path.join(tmp, "demo.ods"), ods)
        shutil.copyfile(os.path.join(tmp, "demo.pdf"), pdf)
        doc.close(True)
    say(f"workbook: {ods}")
    say(f"PDF:      {pdf}")
    if args.screenshot:
        screenshot(office_harness, ods, os.path.abspath(args.screenshot))
    if os.environ.get("DISPLAY") and not args.no_window:
        say("opening it in a window (close the window to end the demo)")
        subprocess.run(["soffice", "--calc", ods])
    else:
        say("no display: open the workbook above in LibreOffice Calc with the extension installed (make install)")


def watch_live(office_harness, sheet, people, kpi, store, seconds):
    """`kpi simulate` writes orders into the store as a DMS would; the open
    workbook's cells follow by themselves (refresh every 3 s here)."""
    import threading
    total = sheet.getCellByPosition(2, 4 + people)   # KPI.ACTUAL("*";"DS")
    asof = sheet.getCellRangeByName("C2")            # KPI.ASOF()
    feed = threading.Thread(target=office_harness.run_as_office_user, daemon=True, args=(
        [kpi, "--store", store, "simulate", "--rate", "300", "--seconds", str(seconds), "--approve-after", "2"],))
    say(f"live: kpi simulate feeds orders for {seconds} s; the company's sales this month, as the open workbook shows them:")
    feed.start()
    deadline = time.monotonic() + seconds + 8
    while time.monotonic() < deadline:
        say(f"  {time.strftime('%H:%M:%S')}  sales {total.getValue():,.0f} VND   data as of {asof.getString()}")
        time.sleep(3)
    feed.join(timeout=30)


def screenshot(office_harness, ods, png):
    """The workbook in a visible office under Xvfb."""
    display = ":%d" % (90 + os.getpid() % 9)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1600x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.5)
        with office_harness.Office(env={"DISPLAY": display}, visible=True) as office:
            import uno
            doc = office.desktop.loadComponentFromURL(uno.systemPathToFileUrl(ods), "_blank", 0, ())
            sheet = doc.Sheets.getByIndex(0)
            wait_for_figures(sheet, "C5")
            controller = doc.getCurrentController()
            controller.getFrame().getContainerWindow().setPosSize(0, 0, 1600, 900, 15)
            time.sleep(3)
            raw = png + ".xwd"
            subprocess.run(["xwd", "-root", "-display", display, "-out", raw], check=True)
            subprocess.run(["convert", raw, png], check=True)
            os.remove(raw)
            doc.close(True)
        say(f"screenshot: {png}")
    finally:
        xvfb.terminate()
        xvfb.wait()


if __name__ == "__main__":
    main()
