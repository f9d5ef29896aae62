#!/usr/bin/env python3
"""Random but valid SalesKPI interchange data (SPEC §3), full of the SPEC's traps.

    gen_data.py DIR --seed N [--employees K]

K is the number of salespeople (SR, default 6, minimum 4); on top of them there are one
ASM and two SS.  The same seed always gives the same files.

Traps included: returns, every order status, Sunday and holiday orders, an order at
23:59:59 and one at 00:00:00, a holiday on a Sunday, a joiner mid-month (with orders
before the start date) and a leaver (with an order after the end date), a supervisor who
joins mid-October, a 3-level hierarchy (SR under SS under ASM) plus one SR reporting
straight to the ASM, a route moved mid-month, a route with a gap, an outlet on two
routes, two orders in one call, a sale order without lines, the same SKU twice in one
order, zero-quantity lines, decimal amounts, approvals on a later day, supervisors'
own orders, new outlets (one without created_by, one created by the joiner before the
start), KPIs of every type with params (skus/category/brand filters, both
require_order values), a kpis.csv code equal to a type name (VOLUME), caps, targets of
every period type on kpis.csv codes and on bare type names with validity windows that
never overlap per (employee, kpi, period_type) but sometimes share a period, weights
including 0, targets of 0, Vietnamese names with diacritics, commas and quotes inside
fields, a multi-line field, a BOM (employees.csv), CRLF (orders.csv), every field quoted
(products.csv), and columns in an unusual order with an optional column left out
(outlets.csv).
"""

import argparse
import csv
import datetime
import os
import random

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)

DATA_START = D(2026, 9, 28)   # a Monday, in 2026-W40
DATA_END = D(2027, 1, 10)     # a Sunday, end of 2027-W01

HOLIDAYS = [
    (D(2026, 9, 2), "Quốc khánh"),
    (D(2026, 10, 20), "Ngày Phụ nữ Việt Nam"),
    (D(2026, 10, 25), "Hội thao công ty (Chủ nhật)"),   # a Sunday
    (D(2026, 11, 20), "Ngày Nhà giáo Việt Nam"),
    (D(2026, 12, 24), "Tiệc cuối năm, \"Year-end\""),
    (D(2027, 1, 1), "Tết Dương lịch"),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
          "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh", "Quốc", "Thu", "Hữu", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Khánh", "Linh", "Lộc",
         "Mai", "Nam", "Nhung", "Phúc", "Quyên", "Sơn", "Thảo", "Tuấn", "Uyên", "Yến",
         "Đạt", "Ánh", "Ơn", "Ưng"]
OUTLET_KIND = ["Tạp hóa", "Cửa hàng", "Đại lý", "Quán", "Siêu thị mini", "Tiệm"]
PROVINCES = ["TP. Hồ Chí Minh", "Bình Dương", "Đồng Nai", "Long An", "Cần Thơ"]

PRODUCTS = [  # sku, name, category, brand, unit price
    ("SKU01", "Nước ngọt Cola 330ml", "Nước giải khát", "Vina", 8000),
    ("SKU02", "Bánh \"Choco-Pie\" hộp 6, vị cam", "Bánh kẹo", "Kinh Đô", 32500),
    ("SKU03", "Trà xanh 0 độ 500ml", "Nước giải khát", "Vina", 10000),
    ("SKU04", "Sữa tươi 1L", "Sữa", "Vina", 31000),
    ("SKU05", "Kẹo dẻo trái cây", "Bánh kẹo", "Hảo Hảo", 12000.5),
    ("SKU06", "Mì tôm chua cay", "Mì", "Hảo Hảo", 4500),
    ("SKU07", "Nước suối 1.5L", "Nước giải khát", "", 7000),
    ("SKU08", "Sữa chua uống", "Sữa", "Kinh Đô", 6000),
    ("SKU09", "Bánh quy bơ", "Bánh kẹo", "Kinh Đô", 45000),
    ("SKU10", "Cà phê sữa lon", "", "Vina", 12000),
    ("SKU11", "Bánh trung thu, hộp 4", "Bánh kẹo", "Kinh Đô", 250000),
    ("SKU12", "Nước tăng lực", "Nước giải khát", "Vina", 11000),
]

KPIS = [  # code, type, name_vi, name_en, description, applies_to, unit, params, cap
    ("DS", "SALES", "Doanh số", "Sales", "Doanh số thuần, sau trả hàng", "", "VND", "", ""),
    ("DS_VINA", "SALES", "Doanh số \"Vina\"", "Vina sales", "", "SR|SS", "VND",
     "brand=Vina", "1.2"),
    ("VOLUME", "VOLUME", "Sản lượng nước giải khát", "Beverage volume",
     "Mã trùng tên loại KPI", "", "thùng", "category=Nước giải khát", "2"),
    ("SL_SKU", "VOLUME", "Sản lượng SKU chọn lọc", "Selected SKU volume", "", "SR",
     "thùng", "skus=SKU01|SKU03|SKU07", ""),
    ("PC_SR", "PC", "Đơn thành công", "Productive calls", "", "SR", "", "", "1.3"),
    ("LPPC", "LPPC", "Số dòng mỗi đơn", "Lines per productive call", "", "SR|SS", "", "", ""),
    ("ASO", "ASO", "Điểm bán hoạt động", "Active outlets", "", "", "", "", ""),
    ("UB_T", "UB", "Điểm bán trên tuyến", "Universe", "", "SS|ASM", "", "", "1"),
    ("COV", "COVERAGE", "Tỉ lệ phủ", "Coverage", "", "", "%", "", "1"),
    ("NEW", "NEW_OUTLETS", "Điểm bán mới", "New outlets", "", "SR|SS", "",
     "require_order=true", ""),
    ("NEW_NR", "NEW_OUTLETS", "Điểm bán mới (không cần đơn)", "New outlets, no order",
     "", "", "", "require_order=false", ""),
    ("FS_SKU", "FOCUS_SALES", "Doanh số SKU trọng tâm", "Focus SKU sales",
     "Dòng 1\nDòng 2, có \"ngoặc kép\"", "", "VND", "skus=SKU02|SKU05|SKU11", "1.5"),
    ("FS_BK", "FOCUS_SALES", "Doanh số bánh kẹo Kinh Đô", "Kinh Do confectionery sales",
     "", "", "VND", "category=Bánh kẹo;brand=Kinh Đô", ""),
    ("FO_SKU", "FOCUS_OUTLETS", "Điểm bán SKU trọng tâm", "Focus SKU outlets", "", "SR",
     "", "skus=SKU02|SKU05", ""),
    ("FO_SUA", "FOCUS_OUTLETS", "Điểm bán có sữa", "Milk outlets", "", "", "",
     "category=Sữa", "2"),
    ("VT", "VISITS", "Viếng thăm", "Visits", "", "SR", "", "", ""),
    ("SR_RATE", "STRIKE_RATE", "Tỉ lệ thành công", "Strike rate", "", "", "", "", "1.1"),
    ("DROP", "DROP_SIZE", "Giá trị đơn", "Drop size", "", "", "VND", "", ""),
]
# bare type names used directly as kpi_code in targets.csv (applies to every role)
# (ASO, LPPC and VOLUME are kpis.csv codes too: there the kpis.csv row wins)
BARE_TARGET_CODES = ["SALES", "PC", "VISITS", "COVERAGE", "NEW_OUTLETS", "UB", "DROP_SIZE",
                     "STRIKE_RATE"]

PERIOD_TYPES = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "CYCLE"]


def last_day_of_month(y, m):
    return (D(y + 1, 1, 1) if m == 12 else D(y, m + 1, 1)) - ONE_DAY


def period_containing(t, d):
    if t == "DAY":
        return d, d
    if t == "WEEK":
        mon = d - d.weekday() * ONE_DAY
        return mon, mon + 6 * ONE_DAY
    if t == "MONTH":
        return D(d.year, d.month, 1), last_day_of_month(d.year, d.month)
    if t == "QUARTER":
        f = 3 * ((d.month - 1) // 3) + 1
        return D(d.year, f, 1), last_day_of_month(d.year, f + 2)
    if t == "YEAR":
        return D(d.year, 1, 1), D(d.year, 12, 31)
    raise ValueError(t)


def rand_date(rng, lo, hi):
    return lo + rng.randint(0, (hi - lo).days) * ONE_DAY


HOLIDAY_DATES = {d for d, _ in HOLIDAYS}


def is_working(d):
    return d.weekday() != 6 and d not in HOLIDAY_DATES


def person_name(rng):
    return "%s %s %s" % (rng.choice(FAMILY), rng.choice(MIDDLE), rng.choice(GIVEN))


def money(x):
    """Amount text: integer when whole, else up to 2 decimals."""
    x = round(x, 2)
    if x == int(x):
        return str(int(x))
    return ("%.2f" % x).rstrip("0")


def write_csv(path, header, rows, bom=False, crlf=False, quote_all=False):
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n" if crlf else "\n",
                       quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            w.writerow(["" if r.get(h) is None else r[h] for h in header])


def generate(outdir, seed, n_sr=6):
    rng = random.Random(seed)
    n_sr = max(4, n_sr)
    os.makedirs(outdir, exist_ok=True)

    # ---- employees: ASM01 > SS01, SS02 > SRs; the last SR reports to ASM01 ---------
    employees = []

    def emp(code, role, manager, start, end=None, name=None):
        e = {"code": code, "name": name or person_name(rng), "role": role,
             "manager_code": manager, "department": "Kinh doanh",
             "region": rng.choice(["Miền Nam", "Miền Đông"]),
             "start_date": start, "end_date": end}
        employees.append(e)
        return e

    emp("ASM01", "ASM", None, D(2019, 3, 1), name="Trần Thị Bích, Ngọc")
    emp("SS01", "SS", "ASM01", D(2021, 6, 15), name="Lê Văn \"Tư\"")
    # SS02 joins mid-October (a supervisor's own window clips the team's figures)
    emp("SS02", "SS", "ASM01", D(2026, 10, rng.randint(5, 20)))
    srs = []
    for i in range(1, n_sr + 1):
        code = "SR%02d" % i
        if i == n_sr:
            manager = "ASM01"
        else:
            manager = "SS01" if i % 2 == 1 else "SS02"
        start = D(2024, 1, 1) + rng.randint(0, 600) * ONE_DAY
        srs.append(emp(code, "SR", manager, start))
    joiner = srs[1]
    joiner["start_date"] = D(2026, 11, rng.randint(9, 24))
    leaver = srs[2]
    leaver["end_date"] = D(2026, 11, 25) + rng.randint(0, 23) * ONE_DAY
    if n_sr >= 5:   # a second joiner, inside 2026-W53 (on 01-03, a Sunday: W = 0)
        srs[3]["start_date"] = rng.choice([D(2026, 12, 29), D(2026, 12, 31),
                                           D(2027, 1, 1), D(2027, 1, 3)])
    by_code = {e["code"]: e for e in employees}

    def employed(e, d):
        return e["start_date"] <= d and (e["end_date"] is None or d <= e["end_date"])

    # ---- products ---------------------------------------------------------------------
    products = [{"sku": s, "name": n, "category": c or None, "brand": b or None}
                for s, n, c, b, _ in PRODUCTS]
    price = {s: p for s, _, _, _, p in PRODUCTS}

    # ---- outlets -----------------------------------------------------------------------
    outlets = []
    n_base = 4 * n_sr + 6
    for i in range(1, n_base + 1):
        kind = rng.choice(OUTLET_KIND)
        name = "%s %s" % (kind, rng.choice(GIVEN))
        if i == 1:
            name = "Tạp hóa \"Cô Ba\", Chợ Lớn"
        elif i == 2:
            name = "Đại lý Hoa Mai, \"chi nhánh 2\""
        outlets.append({"code": "OL%03d" % i, "name": name,
                        "province": rng.choice(PROVINCES),
                        "created_date": D(2024, 1, 1) + rng.randint(0, 700) * ONE_DAY,
                        "created_by": rng.choice([s["code"] for s in srs] + [None])})
    # new outlets during the data range
    new_outlets = []
    for j in range(10):
        creator = rng.choice(srs)["code"]
        if j == 0:
            creator = None                      # nobody
        elif j == 1:
            creator = "SS01"                    # a supervisor
        elif j == 2:
            creator = joiner["code"]            # before the joiner's start
        created = rand_date(rng, D(2026, 10, 1), D(2027, 1, 8))
        if j == 2:
            created = joiner["start_date"] - rng.randint(1, 6) * ONE_DAY
        o = {"code": "OL%03d" % (n_base + 1 + j),
             "name": "%s mới %s" % (rng.choice(OUTLET_KIND), rng.choice(GIVEN)),
             "province": rng.choice(PROVINCES), "created_date": created,
             "created_by": creator}
        outlets.append(o)
        new_outlets.append(o)

    # ---- routes ------------------------------------------------------------------------
    routes = []
    base_codes = [o["code"] for o in outlets[:n_base]]
    for i, oc in enumerate(base_codes):
        sr = srs[i % n_sr]["code"]
        routes.append({"employee_code": sr, "outlet_code": oc,
                       "valid_from": D(2026, 1, 1) + rng.randint(0, 200) * ONE_DAY,
                       "valid_to": None})
    # route moved mid-month from SR01 to SR02 (the joiner; also different SS)
    moved = routes[0]
    moved_day = D(2026, 11, rng.randint(10, 20))
    moved["valid_to"] = moved_day - ONE_DAY
    routes.append({"employee_code": srs[1]["code"], "outlet_code": moved["outlet_code"],
                   "valid_from": moved_day, "valid_to": None})
    # a route with a gap: SR03's outlet leaves in October, comes back in December
    gap = routes[2]
    gap["valid_to"] = D(2026, 10, rng.randint(10, 31))
    routes.append({"employee_code": gap["employee_code"], "outlet_code": gap["outlet_code"],
                   "valid_from": D(2026, 12, rng.randint(1, 15)), "valid_to": None})
    # an outlet on two routes at once (SR01 and SR04, different supervisors)
    routes.append({"employee_code": srs[3]["code"], "outlet_code": base_codes[4],
                   "valid_from": D(2026, 9, 1), "valid_to": D(2026, 12, 31)})
    # a route that ends for good
    routes[5]["valid_to"] = rand_date(rng, D(2026, 11, 1), D(2026, 12, 31))
    # new outlets join their creator's route (when the creator is an SR)
    for o in new_outlets:
        if o["created_by"] and by_code[o["created_by"]]["role"] == "SR":
            routes.append({"employee_code": o["created_by"], "outlet_code": o["code"],
                           "valid_from": o["created_date"], "valid_to": None})

    def route_outlets(emp_code, d):
        return sorted({r["outlet_code"] for r in routes
                       if r["employee_code"] == emp_code and r["valid_from"] <= d
                       and (r["valid_to"] is None or d <= r["valid_to"])
                       and by_outlet[r["outlet_code"]]["created_date"] <= d})

    by_outlet = {o["code"]: o for o in outlets}

    # ---- visits, orders, lines -------------------------------------------------------
    visits, orders, lines = [], [], []

    def add_visit(e, oc, t):
        visits.append({"visit_code": "VT%05d" % (len(visits) + 1), "employee_code": e,
                       "outlet_code": oc, "visit_time": t})

    def add_order(e, oc, t, otype=None, status=None, n_lines=None):
        code = "DH%05d" % (len(orders) + 1)
        if otype is None:
            otype = "return" if rng.random() < 0.07 else "sale"
        if status is None:
            status = rng.choices(["approved", "pending", "rejected", "cancelled"],
                                 [72, 10, 9, 9])[0]
        approved_time = None
        if status == "approved" and rng.random() < 0.93:
            approved_time = t + datetime.timedelta(minutes=rng.randint(5, 60 * 30))
        orders.append({"order_code": code, "employee_code": e, "outlet_code": oc,
                       "order_time": t, "type": otype, "status": status,
                       "approved_time": approved_time})
        if n_lines is None:
            if otype == "return":
                n_lines = rng.randint(1, 2)
            else:
                n_lines = 0 if rng.random() < 0.03 else rng.randint(1, 4)
        skus = rng.sample([p[0] for p in PRODUCTS], n_lines)
        if n_lines and rng.random() < 0.08:
            skus.append(skus[0])                 # the same SKU twice in one order
        for i, sku in enumerate(skus, 1):
            if otype == "return":
                q = rng.randint(1, 5)
            else:
                q = 0 if rng.random() < 0.03 else rng.randint(1, 24)
            amount = q * price[sku]
            if q and rng.random() < 0.1:
                amount -= rng.choice([0.5, 0.25, 1500])   # discount, decimals
            lines.append({"order_code": code, "line_no": i, "sku": sku, "quantity": q,
                          "amount": money(max(0, amount))})
        return code

    def at(d, h, m, s=0):
        return datetime.datetime(d.year, d.month, d.day, h, m, s)

    d = DATA_START
    while d <= DATA_END:
        for e in srs:
            if not employed(e, d):
                continue
            if d.weekday() == 6:
                n = 1 if rng.random() < 0.08 else 0
            elif not is_working(d):
                n = 1 if rng.random() < 0.3 else 0
            else:
                n = rng.choice([0, 1, 1, 1, 2, 2])
            own = route_outlets(e["code"], d)
            for _ in range(n):
                if own and rng.random() < 0.9:
                    oc = rng.choice(own)
                else:
                    oc = rng.choice(outlets[:n_base])["code"]
                vt = at(d, rng.randint(7, 17), rng.randint(0, 59), rng.randint(0, 59))
                add_visit(e["code"], oc, vt)
                if rng.random() < 0.6:
                    ot = vt + datetime.timedelta(minutes=rng.randint(1, 50))
                    add_order(e["code"], oc, ot)
                    if rng.random() < 0.12:        # a second order in the same call
                        add_order(e["code"], oc, ot + datetime.timedelta(minutes=7),
                                  otype="sale", status="approved")
            if rng.random() < 0.04 and own:        # an order without a visit
                add_order(e["code"], rng.choice(own), at(d, 18, rng.randint(0, 59)))
        # supervisors' and the ASM's own orders
        for code in ("SS01", "SS02", "ASM01"):
            if is_working(d) and rng.random() < 0.03:
                oc = rng.choice(outlets[:n_base])["code"]
                add_visit(code, oc, at(d, 10, 0))
                add_order(code, oc, at(d, 10, 20), otype="sale")
        d += ONE_DAY

    # new outlets get an order (or not) from their creator soon after creation
    for o in new_outlets:
        maker = o["created_by"] or srs[0]["code"]
        if rng.random() < 0.7:
            od = o["created_date"] + rng.randint(0, 12) * ONE_DAY
            add_visit(maker, o["code"], at(od, 9, 30))
            add_order(maker, o["code"], at(od, 9, 45), otype="sale",
                      status=rng.choice(["approved", "approved", "pending"]))

    # fixed traps
    sr1, sr2 = srs[0]["code"], srs[1]["code"]
    ol = base_codes
    add_order(sr1, ol[0], at(D(2026, 11, 30), 23, 59, 59), "sale", "approved")
    add_order(sr1, ol[0], at(D(2026, 12, 1), 0, 0, 0), "sale", "approved")
    add_order(sr1, ol[1], at(D(2026, 12, 31), 23, 59, 59), "sale", "approved")
    add_order(sr1, ol[1], at(D(2027, 1, 1), 0, 0, 1), "sale", "approved")   # holiday
    add_order(sr1, ol[0], at(D(2026, 11, 22), 11, 0), "sale", "approved")  # Sunday
    add_order(sr1, ol[0], at(D(2027, 1, 3), 11, 0), "sale", "approved")    # Sunday, W53
    add_order(sr1, ol[0], at(D(2026, 11, 22), 15, 0), "return", "approved")  # Sunday return
    add_order(sr2, ol[2], at(D(2026, 11, 30), 14, 0), "sale", "approved", n_lines=0)
    for st in ("pending", "rejected", "cancelled"):
        add_order(sr1, ol[0], at(D(2026, 11, 16), 12, 0), "sale", st)
        add_order(sr1, ol[0], at(D(2026, 11, 16), 12, 30), "return", st)
    # the joiner sells before the start date, the leaver after the end date
    for k in range(2):
        od = joiner["start_date"] - (k + 2) * ONE_DAY
        add_visit(joiner["code"], ol[3], at(od, 9, 0))
        add_order(joiner["code"], ol[3], at(od, 9, 15), "sale", "approved")
    od = leaver["end_date"] + 2 * ONE_DAY
    add_visit(leaver["code"], ol[4], at(od, 9, 0))
    add_order(leaver["code"], ol[4], at(od, 9, 15), "sale", "approved")

    # ---- targets ------------------------------------------------------------------------
    # rough per-working-day rates of one salesperson, from the generated data
    n_sr_days = max(1, sum(1 for e in srs for x in range((DATA_END - DATA_START).days + 1)
                           if employed(e, DATA_START + x * ONE_DAY)
                           and is_working(DATA_START + x * ONE_DAY)))
    approved_sales = {o["order_code"] for o in orders
                      if o["status"] == "approved" and o["type"] == "sale"}
    tot_amount = sum(float(ln["amount"]) for ln in lines if ln["order_code"] in approved_sales)
    tot_qty = sum(ln["quantity"] for ln in lines if ln["order_code"] in approved_sales)
    rate = {
        "SALES": tot_amount / n_sr_days, "FOCUS_SALES": 0.25 * tot_amount / n_sr_days,
        "VOLUME": tot_qty / n_sr_days, "PC": len(approved_sales) / n_sr_days,
        "VISITS": len(visits) / n_sr_days, "NEW_OUTLETS": 0.02,
    }
    level = {"LPPC": 2.4, "STRIKE_RATE": 0.45, "COVERAGE": 0.5,
             "DROP_SIZE": tot_amount / max(1, len(approved_sales)),
             "ASO": 5.0, "UB": 6.0, "FOCUS_OUTLETS": 2.0}
    nominal_w = {"DAY": 1, "WEEK": 6, "MONTH": 25, "QUARTER": 75, "YEAR": 300}
    kpi_type = {k[0]: k[1] for k in KPIS}
    kpi_type.update({b: b for b in BARE_TARGET_CODES})
    applies = {k[0]: (k[5].split("|") if k[5] else None) for k in KPIS}

    def team_size(code):
        members, changed = {code}, True
        while changed:
            changed = False
            for e in employees:
                if e["manager_code"] in members and e["code"] not in members:
                    members.add(e["code"])
                    changed = True
        return len([m for m in members if by_code[m]["role"] == "SR"]) or 1

    def target_value(emp_code, code, ptype, lo, hi):
        t = kpi_type[code]
        if rng.random() < 0.05:
            return "0"
        f = rng.uniform(0.4, 1.6) * team_size(emp_code)
        if t in rate:
            if ptype == "CYCLE":
                w = sum(1 for x in range((hi - lo).days + 1) if is_working(lo + x * ONE_DAY))
            else:
                w = nominal_w[ptype]
            v = rate[t] * f * w
        elif t in ("ASO", "UB", "FOCUS_OUTLETS"):
            v = level[t] * f
        else:
            v = level[t] * rng.uniform(0.6, 1.4)
        if v >= 100:
            return str(int(round(v, -2)))
        return money(max(0.01, round(v, 2)))

    def windows(ptype):
        """1-3 validity windows that never overlap; some snapped to period bounds,
        some not (then two windows may touch the same period)."""
        first = {"DAY": D(2026, 9, 20), "WEEK": D(2026, 9, 10), "CYCLE": D(2026, 9, 10),
                 "MONTH": D(2026, 8, 1), "QUARTER": D(2026, 6, 1), "YEAR": D(2025, 10, 1)}
        spread = {"DAY": 90, "WEEK": 80, "CYCLE": 60, "MONTH": 80, "QUARTER": 150,
                  "YEAR": 300}
        out, cursor = [], first[ptype] + rng.randint(0, spread[ptype]) * ONE_DAY
        for _ in range(rng.randint(1, 3)):
            a = cursor + rng.randint(0, 25) * ONE_DAY
            length = {"DAY": 20, "WEEK": 40, "MONTH": 70, "QUARTER": 120, "YEAR": 400,
                      "CYCLE": 30}[ptype]
            b = a + rng.randint(3, length) * ONE_DAY
            if ptype not in ("DAY", "CYCLE") and rng.random() < 0.5:
                a, b = period_containing(ptype, a)[0], period_containing(ptype, b)[1]
            if a < cursor:
                continue
            out.append((a, b))
            cursor = b + ONE_DAY
        return out

    targets = []
    all_codes = [k[0] for k in KPIS] + [c for c in BARE_TARGET_CODES
                                        if c not in [k[0] for k in KPIS]]
    type_cycle = 0
    for e in employees:
        emp_code = e["code"]
        allowed = [c for c in all_codes if applies.get(c) is None or e["role"] in applies[c]]
        chosen = rng.sample(allowed, min(len(allowed), rng.randint(6, 9)))
        for code in chosen:
            ptypes = set()
            for _ in range(rng.randint(1, 3)):
                ptypes.add(PERIOD_TYPES[type_cycle % 6])   # every type appears
                type_cycle += rng.randint(1, 2)
            for ptype in sorted(ptypes):
                for a, b in windows(ptype):
                    targets.append({
                        "employee_code": emp_code, "kpi_code": code, "period_type": ptype,
                        "valid_from": a, "valid_to": b,
                        "target": target_value(emp_code, code, ptype, a, b),
                        "weight": rng.choice(["", "1", "1", "2", "3", "0", "0.5", "1.5"]),
                    })
    rng.shuffle(targets)

    # ---- write --------------------------------------------------------------------------
    def p(name):
        return os.path.join(outdir, name)

    write_csv(p("employees.csv"), ["code", "name", "role", "manager_code", "department",
                                   "region", "start_date", "end_date"], employees, bom=True)
    write_csv(p("outlets.csv"), ["created_date", "name", "created_by", "code", "province"],
              outlets)   # unusual order, no "channel" column
    write_csv(p("products.csv"), ["sku", "name", "category", "brand"], products,
              quote_all=True)
    write_csv(p("routes.csv"), ["employee_code", "outlet_code", "valid_from", "valid_to"],
              routes)
    for v in visits:
        v["visit_time"] = v["visit_time"].strftime("%Y-%m-%d %H:%M:%S")
    write_csv(p("visits.csv"), ["visit_code", "employee_code", "outlet_code", "visit_time"],
              visits)
    for o in orders:
        o["order_time"] = o["order_time"].strftime("%Y-%m-%d %H:%M:%S")
        if o["approved_time"] is not None:
            o["approved_time"] = o["approved_time"].strftime("%Y-%m-%d %H:%M:%S")
    write_csv(p("orders.csv"), ["order_code", "employee_code", "outlet_code", "order_time",
                                "type", "status", "approved_time"], orders, crlf=True)
    write_csv(p("order_lines.csv"), ["order_code", "line_no", "sku", "quantity", "amount"],
              lines)
    write_csv(p("kpis.csv"), ["code", "type", "name_vi", "name_en", "description",
                              "applies_to", "unit", "params", "cap"],
              [dict(zip(["code", "type", "name_vi", "name_en", "description", "applies_to",
                         "unit", "params", "cap"], k)) for k in KPIS])
    write_csv(p("targets.csv"), ["employee_code", "kpi_code", "period_type", "valid_from",
                                 "valid_to", "target", "weight"], targets)
    write_csv(p("holidays.csv"), ["date", "name"],
              [{"date": d, "name": n} for d, n in HOLIDAYS])
    return {"employees": employees, "srs": [s["code"] for s in srs],
            "joiner": joiner["code"], "leaver": leaver["code"],
            "orders": len(orders), "lines": len(lines), "visits": len(visits),
            "targets": len(targets)}


def validate(outdir):
    """Assert the written files obey the validity rules of SPEC §3 (so that an import
    must accept them).  Raises AssertionError naming the first broken rule."""
    def rows(name):
        with open(os.path.join(outdir, name), encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    def unique(name, key):
        rs = rows(name)
        keys = [tuple(r[k] for k in key) for r in rs]
        assert len(keys) == len(set(keys)), "%s: duplicate key %s" % (name, key)
        return rs

    emps = {r["code"]: r for r in unique("employees.csv", ["code"])}
    for e in emps.values():
        assert e["role"], e
        assert not e["manager_code"] or e["manager_code"] in emps, e
        assert not e["end_date"] or e["start_date"] <= e["end_date"], e
        seen, m = set(), e["code"]
        while m:
            assert m not in seen, "manager loop at %s" % m
            seen.add(m)
            m = emps[m]["manager_code"]
    outs = {r["code"]: r for r in unique("outlets.csv", ["code"])}
    for o in outs.values():
        assert not o["created_by"] or o["created_by"] in emps, o
    prods = {r["sku"]: r for r in unique("products.csv", ["sku"])}
    for r in unique("routes.csv", ["employee_code", "outlet_code", "valid_from"]):
        assert r["employee_code"] in emps and r["outlet_code"] in outs, r
        assert not r["valid_to"] or r["valid_from"] <= r["valid_to"], r
    for r in unique("visits.csv", ["visit_code"]):
        assert r["employee_code"] in emps and r["outlet_code"] in outs, r
    ords = {r["order_code"]: r for r in unique("orders.csv", ["order_code"])}
    for r in ords.values():
        assert r["employee_code"] in emps and r["outlet_code"] in outs, r
        assert r["type"] in ("sale", "return"), r
        assert r["status"] in ("pending", "approved", "rejected", "cancelled"), r
    for r in unique("order_lines.csv", ["order_code", "line_no"]):
        assert r["order_code"] in ords and r["sku"] in prods, r
        assert float(r["quantity"]) >= 0 and float(r["amount"]) >= 0, r
    types = {"SALES", "VOLUME", "PC", "LPPC", "ASO", "UB", "COVERAGE", "NEW_OUTLETS",
             "FOCUS_SALES", "FOCUS_OUTLETS", "VISITS", "STRIKE_RATE", "DROP_SIZE"}
    kpis = {r["code"]: r for r in unique("kpis.csv", ["code"])}
    for k in kpis.values():
        assert k["type"] in types, k
        if k["type"].startswith("FOCUS_"):
            assert k["params"], k
    tg = unique("targets.csv", ["employee_code", "kpi_code", "period_type", "valid_from"])
    windows = {}
    for r in tg:
        assert r["employee_code"] in emps, r
        assert r["kpi_code"] in kpis or r["kpi_code"] in types, r
        assert r["period_type"] in PERIOD_TYPES, r
        assert r["valid_from"] <= r["valid_to"], r
        assert float(r["target"]) >= 0 and (not r["weight"] or float(r["weight"]) >= 0), r
        k = kpis.get(r["kpi_code"])
        if k and k["applies_to"]:
            assert emps[r["employee_code"]]["role"] in k["applies_to"].split("|"), r
        windows.setdefault((r["employee_code"], r["kpi_code"], r["period_type"]), []).append(
            (r["valid_from"], r["valid_to"]))
    for key, ws in windows.items():
        ws.sort()
        for (a1, b1), (a2, b2) in zip(ws, ws[1:]):
            assert b1 < a2, "overlapping target windows %s %s %s" % (key, (a1, b1), (a2, b2))
    unique("holidays.csv", ["date"])


FILES = ["employees.csv", "outlets.csv", "products.csv", "routes.csv", "visits.csv",
         "orders.csv", "order_lines.csv", "kpis.csv", "targets.csv", "holidays.csv"]


def main():
    ap = argparse.ArgumentParser(description="write a random SalesKPI data set")
    ap.add_argument("dir")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--employees", type=int, default=6,
                    help="number of salespeople (SR), at least 4; plus 1 ASM and 2 SS")
    args = ap.parse_args()
    info = generate(args.dir, args.seed, args.employees)
    validate(args.dir)
    print("%s: %d employees, %d orders, %d lines, %d visits, %d targets" % (
        args.dir, len(info["employees"]), info["orders"], info["lines"], info["visits"],
        info["targets"]))


if __name__ == "__main__":
    main()


# ---- reward plans (SPEC §9), for the rewards comparison -------------------------------

PLAN_FILES = ["plans.csv", "plan_components.csv", "plan_assignments.csv"]

PLAN_KPIS = [  # appended to kpis.csv: KPIs only the plans use, so no random target overlaps
    ("TH_DS", "SALES", "Doanh số tính thưởng", "Sales for rewards", "", "", "VND", "", ""),
    ("TH_PC", "PC", "Đơn thành công tính thưởng", "Productive calls for rewards", "", "", "", "", ""),
    ("TH_FS", "FOCUS_SALES", "Doanh số SKU trọng tâm tính thưởng", "Focus SKU sales for rewards", "",
     "", "VND", "skus=SKU02|SKU05|SKU11", ""),
]

PLANS = [  # code, name_vi, name_en, period_type, gate_kpi, gate_min, curve_mode
    ("P_SR", "Thưởng tháng nhân viên bán hàng", "Salesperson monthly bonus", "MONTH", "TH_DS", "0.8", ""),
    ("P_FOCUS", "Thưởng SKU trọng tâm, \"bậc thang\"", "Focus SKU bonus, steps", "MONTH", "", "", "step"),
    ("P_SS", "Thưởng giám sát theo đội", "Supervisor team bonus", "MONTH", "TH_DS", "0.9", "step"),
    ("P_Q", "Thưởng quý doanh số", "Quarterly sales bonus", "QUARTER", "", "", "linear"),
]

PLAN_COMPONENTS = [  # plan_code, kpi_code, weight, curve
    ("P_SR", "TH_DS", "3", "0.5:0.2|0.8:0.5|1:1|1.2:1.6"),
    ("P_SR", "TH_PC", "1", "0.8:0.5|1:1|1.5:1.25"),
    ("P_SR", "FOCUS_OUTLETS", "1.5", "1:1"),          # a bare KPI type as a component
    ("P_FOCUS", "TH_FS", "1", "0.5:0.5|1:1|1.5:2"),
    ("P_FOCUS", "FOCUS_OUTLETS", "1", "0.8:0.5|1:1"),
    ("P_SS", "TH_DS", "2", "0.9:0.5|1:1|1.1:1.5"),
    ("P_SS", "TH_PC", "1", "1:1"),
    ("P_SS", "FOCUS_OUTLETS", "0.5", "0:0.25|1:1"),   # SS have no target for it: factor 0
    ("P_Q", "TH_DS", "1", "0.9:0.5|1:1|1.1:1.2"),
]

PLAN_MONTHS = [D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1), D(2026, 12, 1), D(2027, 1, 1)]
PLAN_QUARTERS = [D(2026, 7, 1), D(2026, 10, 1), D(2027, 1, 1)]


def decimal_text(x):
    """An exact Fraction with a finite decimal expansion, as plain decimal text."""
    from fractions import Fraction
    x = Fraction(x)
    for places in range(0, 9):
        scaled = x * 10 ** places
        if scaled.denominator == 1:
            n = scaled.numerator
            s = str(abs(n)).rjust(places + 1, "0")
            text = s if places == 0 else s[:-places] + "." + s[-places:]
            return ("-" if n < 0 else "") + text
    raise ValueError("no short decimal for %s" % x)


def add_plans(outdir, seed, info):
    """Adds reward plans to a data set written by generate(): the KPIs only plans use
    (kpis.csv), their MONTH, QUARTER and DAY targets (targets.csv), and the three plan
    files.  Targets are sized from the actuals (through the oracle), some so that an
    attainment lands exactly on a curve point (1, the gate's 0.8) or above a curve's last
    point (2), or fails a gate (0.5).  Assignments: every salesperson on two monthly
    plans and the quarterly one, supervisors on their team plan, the ASM quarterly; the
    joiner and the leaver prorated by employment, an assignment that starts and ends
    mid-month, two assignments of one person to one plan inside one month, a decimal
    incentive, one whose amount is an exact half VND at factor 1, and one over a Sunday
    only (no working day).  Deterministic for a seed; generate()'s files are only appended to."""
    import oracle
    from fractions import Fraction
    rng = random.Random(7000 + seed)
    srs = info["srs"]

    def append_rows(name, header, rows):
        path = os.path.join(outdir, name)
        with open(path, encoding="utf-8-sig", newline="") as f:
            existing = list(csv.DictReader(f))
        write_csv(path, header, existing + rows, bom=(name == "employees.csv"))

    append_rows("kpis.csv", ["code", "type", "name_vi", "name_en", "description", "applies_to", "unit",
                             "params", "cap"],
                [dict(zip(["code", "type", "name_vi", "name_en", "description", "applies_to", "unit",
                           "params", "cap"], k)) for k in PLAN_KPIS])
    data = oracle.Data(outdir)

    def month(first):
        return oracle.Period("MONTH", first, last_day_of_month(first.year, first.month))

    def quarter(first):
        return oracle.Period("QUARTER", first, last_day_of_month(first.year, first.month + 2))

    # Exact attainments wanted: (employee, kpi, month) -> attainment.
    exact = {(srs[0], "TH_DS", D(2026, 10, 1)): Fraction(1),     # on a curve point
             (srs[0], "TH_DS", D(2026, 11, 1)): Fraction(2),     # above the last point
             (srs[1], "TH_DS", D(2026, 11, 1)): Fraction(1, 2),  # fails the gate
             (srs[4], "TH_DS", D(2026, 12, 1)): Fraction(4, 5),  # exactly the gate's minimum
             (srs[0], "TH_FS", D(2026, 10, 1)): Fraction(1),     # x.5 VND at factor 1
             (srs[3], "TH_PC", D(2027, 1, 1)): Fraction(1)}

    def target_for(emp, kpi, period):
        act = oracle.actual(data, emp, kpi, period)
        want = exact.get((emp, kpi, period.start))
        if want is not None and act > 0:
            return decimal_text(act / want)
        if act <= 0:
            return str(rng.choice([0, 5, 100000]))
        v = float(act) * rng.uniform(0.65, 1.5)
        return str(int(round(v, -2))) if v >= 100 else money(v)

    targets = []
    people = srs + ["SS01", "SS02"]
    for emp in people:
        for first in PLAN_MONTHS:
            p = month(first)
            kpis = ["TH_DS", "TH_PC", "TH_FS"] + (["FOCUS_OUTLETS"] if emp in srs else [])
            if emp == srs[5]:
                kpis.remove("TH_PC")      # a DAY-target sum stands in (below)
            for kpi in kpis:
                targets.append({"employee_code": emp, "kpi_code": kpi, "period_type": "MONTH",
                                "valid_from": p.start, "valid_to": p.end,
                                "target": target_for(emp, kpi, p), "weight": ""})
    targets.append({"employee_code": srs[5], "kpi_code": "TH_PC", "period_type": "DAY",
                    "valid_from": D(2026, 9, 1), "valid_to": D(2027, 1, 31), "target": "1.5",
                    "weight": ""})
    for emp in srs + ["ASM01"]:
        for first in PLAN_QUARTERS:
            q = quarter(first)
            targets.append({"employee_code": emp, "kpi_code": "TH_DS", "period_type": "QUARTER",
                            "valid_from": q.start, "valid_to": q.end,
                            "target": target_for(emp, "TH_DS", q), "weight": "0"})
    append_rows("targets.csv", ["employee_code", "kpi_code", "period_type", "valid_from", "valid_to",
                                "target", "weight"], targets)

    write_csv(os.path.join(outdir, "plans.csv"),
              ["code", "name_vi", "name_en", "period_type", "gate_kpi", "gate_min", "curve_mode"],
              [dict(zip(["code", "name_vi", "name_en", "period_type", "gate_kpi", "gate_min",
                         "curve_mode"], p)) for p in PLANS])
    write_csv(os.path.join(outdir, "plan_components.csv"), ["plan_code", "kpi_code", "weight", "curve"],
              [dict(zip(["plan_code", "kpi_code", "weight", "curve"], c)) for c in PLAN_COMPONENTS])
    far = D(2027, 12, 31)
    assignments = []

    def assign(emp, plan, a, b, incentive):
        assignments.append({"employee_code": emp, "plan_code": plan, "valid_from": a, "valid_to": b,
                            "incentive": incentive})

    for i, emp in enumerate(srs):
        assign(emp, "P_SR", D(2026, 1, 1), far, rng.choice(["4000000", "4500000.5", "5000000", "3333333.33"]))
        assign(emp, "P_Q", D(2026, 7, 1), far, "6000000")
    assign(srs[0], "P_FOCUS", D(2026, 1, 1), far, "1000001")           # 500000.5 at factor 1
    assign(srs[4], "P_FOCUS", D(2026, 10, 1), D(2026, 10, 15), "2000000")  # two in one month
    assign(srs[4], "P_FOCUS", D(2026, 10, 16), far, "3000000.5")
    assign(srs[5], "P_FOCUS", D(2026, 11, 10), D(2026, 12, 20), "2500000")  # mid-month both ends
    assign(srs[2], "P_FOCUS", D(2026, 9, 1), far, "1800000")            # the leaver
    assign("SS01", "P_SS", D(2026, 1, 1), far, "8000000")
    assign("SS02", "P_SS", D(2026, 1, 1), far, "7500000")                # joined mid-October
    assign("SS02", "P_FOCUS", D(2026, 11, 29), D(2026, 11, 29), "1000000")  # a Sunday only
    assign("ASM01", "P_Q", D(2026, 1, 1), far, "15000000")
    write_csv(os.path.join(outdir, "plan_assignments.csv"),
              ["employee_code", "plan_code", "valid_from", "valid_to", "incentive"], assignments)
