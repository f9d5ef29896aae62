#!/usr/bin/env python3
"""SalesKPI reference implementation ("oracle"), written from /work/shared/SPEC.md only.

Standard library only; runs with any Python 3.8+.

It reads a directory of interchange CSV files (SPEC §3), assumes the data is valid,
and computes the figures of SPEC §4-§7.  It is deliberately naive: every query scans
every row again.  Numbers are exact (fractions.Fraction) until they are printed.

    oracle.py DIR actual     EMPLOYEE KPI PERIOD [--as-of DATE]
    oracle.py DIR target     EMPLOYEE KPI PERIOD [--as-of DATE]
    oracle.py DIR attainment EMPLOYEE KPI PERIOD [--as-of DATE]
    oracle.py DIR projected  EMPLOYEE KPI PERIOD [--as-of DATE]
    oracle.py DIR report --period P [--type T] [--employee E] [--as-of DATE]
    oracle.py DIR score  --period P [--as-of DATE]

The sections below follow the SPEC; comments quote the rule they implement.
"""

import argparse
import csv
import datetime
import io
import os
import re
import sys
from fractions import Fraction

Date = datetime.date
ONE_DAY = datetime.timedelta(days=1)

# --------------------------------------------------------------------------------------
# Constants from the SPEC
# --------------------------------------------------------------------------------------

# §6: the KPI types (also usable as bare KPI codes, meaning "that type, no params").
KPI_TYPES = [
    "SALES", "VOLUME", "PC", "LPPC", "ASO", "UB", "COVERAGE", "NEW_OUTLETS",
    "FOCUS_SALES", "FOCUS_OUTLETS", "VISITS", "STRIKE_RATE", "DROP_SIZE",
]
# §6 Projected and "TARGET for a period with no target row of its own".
RUN_RATE_TYPES = {"SALES", "VOLUME", "PC", "VISITS", "FOCUS_SALES", "NEW_OUTLETS"}
# §3 params: line filters "apply to SALES, VOLUME, FOCUS_SALES and FOCUS_OUTLETS".
FILTERED_TYPES = {"SALES", "VOLUME", "FOCUS_SALES", "FOCUS_OUTLETS"}
# §3: "cap is the attainment cap used in scores (default 1.5)"; weights default 1.
DEFAULT_CAP = Fraction(3, 2)
DEFAULT_WEIGHT = Fraction(1)

PERIOD_TYPES = ["DAY", "WEEK", "MONTH", "QUARTER", "YEAR", "CYCLE"]

REPORT_HEADER = ["employee_code", "kpi_code", "period_type", "period_start",
                 "period_end", "actual", "target", "attainment", "projected", "weight"]
SCORE_HEADER = ["employee_code", "period_type", "period_start", "period_end", "score"]

ALL = "*"  # the whole company


class OracleError(Exception):
    pass


# --------------------------------------------------------------------------------------
# Reading the interchange CSV (§3)
# --------------------------------------------------------------------------------------

def read_csv(directory, name):
    """Rows of DIR/name as dicts; a missing file is an empty table.
    UTF-8 with optional BOM, RFC 4180, LF or CRLF; columns by name; empty = None."""
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        rows = list(reader)
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    out = []
    for raw in rows[1:]:
        if not raw or all(c == "" for c in raw):
            continue  # blank line
        rec = {}
        for i, col in enumerate(header):
            value = raw[i] if i < len(raw) else ""
            rec[col] = value if value != "" else None
        out.append(rec)
    return out


def to_date(text):
    return Date.fromisoformat(text.strip()[:10])


def to_num(text):
    return Fraction(text.strip())


def parse_params(text):
    """§3: params is key=value;key=value."""
    params = {}
    if not text:
        return params
    for part in text.split(";"):
        if part.strip() == "":
            continue
        key, _, value = part.partition("=")
        params[key.strip()] = value.strip()
    return params


class Kpi:
    def __init__(self, code, type_, params, cap):
        self.code = code
        self.type = type_
        self.params = params
        self.cap = cap


class Data:
    """All ten tables, lightly typed.  Nothing is indexed: queries scan."""

    def __init__(self, directory):
        self.employees = {}
        for r in read_csv(directory, "employees.csv"):
            self.employees[r["code"]] = {
                "code": r["code"],
                "role": r.get("role"),
                "manager_code": r.get("manager_code"),
                "start_date": to_date(r["start_date"]),
                "end_date": to_date(r["end_date"]) if r.get("end_date") else None,
            }
        self.outlets = {}
        for r in read_csv(directory, "outlets.csv"):
            self.outlets[r["code"]] = {
                "code": r["code"],
                "created_date": to_date(r["created_date"]),
                "created_by": r.get("created_by"),
            }
        self.products = {}
        for r in read_csv(directory, "products.csv"):
            self.products[r["sku"]] = {
                "sku": r["sku"],
                "category": r.get("category"),
                "brand": r.get("brand"),
            }
        self.routes = []
        for r in read_csv(directory, "routes.csv"):
            self.routes.append({
                "employee_code": r["employee_code"],
                "outlet_code": r["outlet_code"],
                "valid_from": to_date(r["valid_from"]),
                "valid_to": to_date(r["valid_to"]) if r.get("valid_to") else None,
            })
        self.visits = []
        for r in read_csv(directory, "visits.csv"):
            self.visits.append({
                "visit_code": r["visit_code"],
                "employee_code": r["employee_code"],
                "outlet_code": r["outlet_code"],
                "date": to_date(r["visit_time"]),
            })
        self.orders = []
        for r in read_csv(directory, "orders.csv"):
            self.orders.append({
                "order_code": r["order_code"],
                "employee_code": r["employee_code"],
                "outlet_code": r["outlet_code"],
                "date": to_date(r["order_time"]),  # §4: counts on its order date
                "type": r["type"].strip(),
                "status": r["status"].strip(),
            })
        self.lines = []
        for r in read_csv(directory, "order_lines.csv"):
            self.lines.append({
                "order_code": r["order_code"],
                "line_no": r["line_no"],
                "sku": r["sku"],
                "quantity": to_num(r["quantity"]),
                "amount": to_num(r["amount"]),
            })
        self.lines_by_order = {}
        for ln in self.lines:
            self.lines_by_order.setdefault(ln["order_code"], []).append(ln)
        self.kpis = {}
        for r in read_csv(directory, "kpis.csv"):
            self.kpis[r["code"]] = Kpi(
                r["code"], r["type"].strip().upper(), parse_params(r.get("params")),
                to_num(r["cap"]) if r.get("cap") else DEFAULT_CAP)
        self.targets = []
        for r in read_csv(directory, "targets.csv"):
            self.targets.append({
                "employee_code": r["employee_code"],
                "kpi_code": r["kpi_code"],
                "period_type": r["period_type"].strip().upper(),
                "valid_from": to_date(r["valid_from"]),
                "valid_to": to_date(r["valid_to"]),
                "target": to_num(r["target"]),
                "weight": to_num(r["weight"]) if r.get("weight") else DEFAULT_WEIGHT,
            })
        self.holidays = set()
        for r in read_csv(directory, "holidays.csv"):
            self.holidays.add(to_date(r["date"]))

    # ---- lookups -------------------------------------------------------------------

    def resolve_kpi(self, code):
        """A kpis.csv code wins; otherwise a bare type name = that type, no params,
        cap 1.5."""
        if code in self.kpis:
            return self.kpis[code]
        if code in KPI_TYPES:
            return Kpi(code, code, {}, DEFAULT_CAP)
        raise OracleError("unknown KPI: %s" % code)

    def check_employee(self, code):
        if code != ALL and code not in self.employees:
            raise OracleError("unknown employee: %s" % code)

    def lines_of(self, order_code):
        return self.lines_by_order.get(order_code, [])


# --------------------------------------------------------------------------------------
# Calendar: working days and periods (§4, §5)
# --------------------------------------------------------------------------------------

def days(start, end):
    d = start
    while d <= end:
        yield d
        d += ONE_DAY


def is_working_day(data, d):
    """§4: Monday to Saturday, except the dates in holidays.csv."""
    return d.weekday() != 6 and d not in data.holidays


def W(data, start, end):
    """Number of working days in [start, end] (0 when start > end)."""
    return sum(1 for d in days(start, end) if is_working_day(data, d))


class Period:
    def __init__(self, type_, start, end):
        self.type = type_
        self.start = start
        self.end = end

    def key(self):
        return (self.type, self.start, self.end)

    def __eq__(self, other):
        return self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return "Period(%s %s..%s)" % self.key()


def last_day_of_month(year, month):
    if month == 12:
        return Date(year, 12, 31)
    return Date(year, month + 1, 1) - ONE_DAY


def iso_weeks_in_year(year):
    return Date(year, 12, 28).isocalendar()[1]


def parse_period(text):
    """§5 period grammar."""
    t = text.strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", t)
    if m:
        a, b = Date.fromisoformat(m.group(1)), Date.fromisoformat(m.group(2))
        if a > b:
            raise OracleError("bad period: %s" % text)
        return Period("CYCLE", a, b)
    m = re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)
    if m:
        d = Date.fromisoformat(t)
        return Period("DAY", d, d)
    m = re.fullmatch(r"(\d{4})-W(\d{2})", t)
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        if not 1 <= week <= iso_weeks_in_year(year):
            raise OracleError("bad week: %s" % text)
        monday = Date.fromisocalendar(year, week, 1)
        return Period("WEEK", monday, monday + 6 * ONE_DAY)
    m = re.fullmatch(r"(\d{4})-(\d{2})", t)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise OracleError("bad month: %s" % text)
        return Period("MONTH", Date(year, month, 1), last_day_of_month(year, month))
    m = re.fullmatch(r"(\d{4})-Q([1-4])", t)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        first = 3 * (q - 1) + 1
        return Period("QUARTER", Date(year, first, 1), last_day_of_month(year, first + 2))
    m = re.fullmatch(r"\d{4}", t)
    if m:
        year = int(t)
        return Period("YEAR", Date(year, 1, 1), Date(year, 12, 31))
    raise OracleError("bad period: %s" % text)


def period_containing(type_, d):
    """The period of type DAY/WEEK/MONTH/QUARTER/YEAR that contains date d."""
    if type_ == "DAY":
        return Period("DAY", d, d)
    if type_ == "WEEK":
        monday = d - d.weekday() * ONE_DAY
        return Period("WEEK", monday, monday + 6 * ONE_DAY)
    if type_ == "MONTH":
        return Period("MONTH", Date(d.year, d.month, 1), last_day_of_month(d.year, d.month))
    if type_ == "QUARTER":
        first = 3 * ((d.month - 1) // 3) + 1
        return Period("QUARTER", Date(d.year, first, 1),
                      last_day_of_month(d.year, first + 2))
    if type_ == "YEAR":
        return Period("YEAR", Date(d.year, 1, 1), Date(d.year, 12, 31))
    raise ValueError(type_)


# --------------------------------------------------------------------------------------
# Employees: subtree and employment window (§4, §5)
# --------------------------------------------------------------------------------------

def subtree(data, employee):
    """§4 Subtree rule: the employee and everyone below via manager_code (as it is now),
    transitively, whatever their own employment windows.  '*' = every employee."""
    if employee == ALL:
        return set(data.employees)
    members = {employee}
    changed = True
    while changed:
        changed = False
        for e in data.employees.values():
            if e["manager_code"] in members and e["code"] not in members:
                members.add(e["code"])
                changed = True
    return members


def clip(data, employee, period):
    """§5: the period clipped to [start_date, end_date]; None when empty.
    '*' is never clipped."""
    if employee == ALL:
        return Period(period.type, period.start, period.end)
    e = data.employees[employee]
    start = max(period.start, e["start_date"])
    end = period.end if e["end_date"] is None else min(period.end, e["end_date"])
    if start > end:
        return None
    return Period(period.type, start, end)


# --------------------------------------------------------------------------------------
# Actuals (§4, §6)
# --------------------------------------------------------------------------------------

def approved_orders(data, members, start, end, order_type):
    """Approved orders of the given type by the members, order date in [start, end]."""
    return [o for o in data.orders
            if o["employee_code"] in members
            and o["status"] == "approved"
            and o["type"] == order_type
            and start <= o["date"] <= end]


def line_passes(data, kpi, line):
    """§3: line filters skus / category / brand, all must hold; only for
    SALES, VOLUME, FOCUS_SALES and FOCUS_OUTLETS."""
    if kpi.type not in FILTERED_TYPES:
        return True
    product = data.products.get(line["sku"], {})
    p = kpi.params
    if "skus" in p and line["sku"] not in [s.strip() for s in p["skus"].split("|")]:
        return False
    if "category" in p and product.get("category") != p["category"]:
        return False
    if "brand" in p and product.get("brand") != p["brand"]:
        return False
    return True


def signed_line_sum(data, kpi, members, start, end, field):
    """Σ field of (filtered) sale lines − Σ field of (filtered) approved return lines."""
    total = Fraction(0)
    for o in approved_orders(data, members, start, end, "sale"):
        for ln in data.lines_of(o["order_code"]):
            if line_passes(data, kpi, ln):
                total += ln[field]
    for o in approved_orders(data, members, start, end, "return"):
        for ln in data.lines_of(o["order_code"]):
            if line_passes(data, kpi, ln):
                total -= ln[field]
    return total


def productive_calls(data, members, start, end):
    """PC: distinct (employee, outlet, order date) with >= 1 approved sale order
    (a sale order with no lines still counts).  Returns {call: set of SKUs}."""
    calls = {}
    for o in approved_orders(data, members, start, end, "sale"):
        call = (o["employee_code"], o["outlet_code"], o["date"])
        skus = calls.setdefault(call, set())
        for ln in data.lines_of(o["order_code"]):
            skus.add(ln["sku"])
    return calls


def active_outlets(data, members, start, end):
    """ASO: distinct outlets with >= 1 approved sale order."""
    return {o["outlet_code"] for o in approved_orders(data, members, start, end, "sale")}


def universe(data, members, day):
    """UB: distinct outlets on the members' routes valid on `day`."""
    return {r["outlet_code"] for r in data.routes
            if r["employee_code"] in members
            and r["valid_from"] <= day
            and (r["valid_to"] is None or day <= r["valid_to"])}


def ratio(num, den):
    """§6: a ratio whose denominator is 0 is 0."""
    num, den = Fraction(num), Fraction(den)
    return Fraction(0) if den == 0 else num / den


def compute_actual(data, kpi, members, start, end):
    """The actual of a KPI over [start, end] for the set of employees `members`."""
    t = kpi.type
    if t == "SALES" or t == "FOCUS_SALES":
        return signed_line_sum(data, kpi, members, start, end, "amount")
    if t == "VOLUME":
        return signed_line_sum(data, kpi, members, start, end, "quantity")
    if t == "PC":
        return Fraction(len(productive_calls(data, members, start, end)))
    if t == "LPPC":
        calls = productive_calls(data, members, start, end)
        return ratio(sum(len(skus) for skus in calls.values()), len(calls))
    if t == "ASO":
        return Fraction(len(active_outlets(data, members, start, end)))
    if t == "UB":
        return Fraction(len(universe(data, members, end)))
    if t == "COVERAGE":
        ub = universe(data, members, end)
        aso = active_outlets(data, members, start, end)
        return ratio(len(ub & aso), len(ub))
    if t == "NEW_OUTLETS":
        require_order = kpi.params.get("require_order", "true").lower() != "false"
        aso = active_outlets(data, members, start, end)
        count = 0
        for o in data.outlets.values():
            if o["created_by"] in members and start <= o["created_date"] <= end:
                if not require_order or o["code"] in aso:
                    count += 1
        return Fraction(count)
    if t == "FOCUS_OUTLETS":
        outlets = set()
        for o in approved_orders(data, members, start, end, "sale"):
            for ln in data.lines_of(o["order_code"]):
                if line_passes(data, kpi, ln):
                    outlets.add(o["outlet_code"])
        return Fraction(len(outlets))
    if t == "VISITS":
        return Fraction(sum(1 for v in data.visits
                            if v["employee_code"] in members and start <= v["date"] <= end))
    if t == "STRIKE_RATE":
        pc = len(productive_calls(data, members, start, end))
        visits = compute_actual(data, Kpi("VISITS", "VISITS", {}, DEFAULT_CAP),
                                members, start, end)
        return ratio(pc, visits)
    if t == "DROP_SIZE":
        sales = compute_actual(data, Kpi("SALES", "SALES", {}, DEFAULT_CAP),
                               members, start, end)
        pc = len(productive_calls(data, members, start, end))
        return ratio(sales, pc)
    raise OracleError("unknown KPI type: %s" % t)


def actual(data, employee, kpi_code, period):
    """Actual over the clipped period; 0 when the clipped period is empty."""
    data.check_employee(employee)
    kpi = data.resolve_kpi(kpi_code)
    clipped = clip(data, employee, period)
    if clipped is None:
        return Fraction(0)
    return compute_actual(data, kpi, subtree(data, employee), clipped.start, clipped.end)


# --------------------------------------------------------------------------------------
# Targets (§5, §6)
# --------------------------------------------------------------------------------------

def periods_of_row(data, row):
    """§5: the periods a target row applies to: every period of its period_type that
    overlaps [valid_from, valid_to]; DAY rows only on working days; a CYCLE row's one
    period is exactly [valid_from, valid_to]."""
    t, lo, hi = row["period_type"], row["valid_from"], row["valid_to"]
    if t == "CYCLE":
        return [Period("CYCLE", lo, hi)]
    if t == "DAY":
        return [Period("DAY", d, d) for d in days(lo, hi) if is_working_day(data, d)]
    out = []
    p = period_containing(t, lo)
    while p.start <= hi:
        out.append(p)
        p = period_containing(t, p.end + ONE_DAY)
    return out


def row_applies(data, row, period):
    """Does the target row apply to `period` (a period of the grammar)?  The same rule as
    periods_of_row, written directly: same type and
      CYCLE: [valid_from, valid_to] is exactly the period;
      DAY:   the day is a working day inside [valid_from, valid_to];
      other: the period overlaps [valid_from, valid_to]."""
    if row["period_type"] != period.type:
        return False
    if period.type == "CYCLE":
        return (row["valid_from"], row["valid_to"]) == (period.start, period.end)
    if period.type == "DAY":
        return (is_working_day(data, period.start)
                and row["valid_from"] <= period.start <= row["valid_to"])
    return period.start <= row["valid_to"] and row["valid_from"] <= period.end


def winning_row(data, employee, kpi_code, period):
    """The target row of (employee, kpi_code) applying to `period`; when several apply,
    the one with the latest valid_from.  None when no row applies."""
    rows = [r for r in data.targets
            if r["employee_code"] == employee and r["kpi_code"] == kpi_code
            and row_applies(data, r, period)]
    if not rows:
        return None
    return max(rows, key=lambda r: r["valid_from"])


def effective_target(data, employee, kpi_code, period):
    """§5 Effective target = target × W(clipped) ÷ W(full); none if W(clipped) = 0.
    §6 fallback for a period with no target row of its own (run-rate types only, not for
    a DAY period): Σ of the DAY targets over the working days of the clipped period."""
    data.check_employee(employee)
    kpi = data.resolve_kpi(kpi_code)
    if employee == ALL:
        return None  # '*' has no targets
    clipped = clip(data, employee, period)
    if clipped is None:
        return None
    row = winning_row(data, employee, kpi_code, period)
    if row is not None:
        w_clipped = W(data, clipped.start, clipped.end)
        if w_clipped == 0:
            return None
        return row["target"] * w_clipped / W(data, period.start, period.end)
    # Fallback.
    if period.type == "DAY" or kpi.type not in RUN_RATE_TYPES:
        return None
    total, found = Fraction(0), False
    for d in days(clipped.start, clipped.end):
        if not is_working_day(data, d):
            continue
        day_row = winning_row(data, employee, kpi_code, Period("DAY", d, d))
        if day_row is not None:
            total += day_row["target"]
            found = True
    return total if found else None


def attainment(data, employee, kpi_code, period):
    """Attainment = actual ÷ effective target; none where the target is 0 or missing."""
    target = effective_target(data, employee, kpi_code, period)
    if target is None or target == 0:
        return None
    return actual(data, employee, kpi_code, period) / target


def projected(data, employee, kpi_code, period, as_of):
    """§6 Projected (run-rate): for the run-rate types, when as-of lies inside the
    clipped period: actual × W(clipped) ÷ W(clipped start .. as-of); otherwise actual."""
    value = actual(data, employee, kpi_code, period)
    kpi = data.resolve_kpi(kpi_code)
    clipped = clip(data, employee, period)
    if clipped is None or kpi.type not in RUN_RATE_TYPES:
        return value
    if not (clipped.start <= as_of <= clipped.end):
        return value
    elapsed = W(data, clipped.start, as_of)
    if elapsed == 0:
        return value
    return value * W(data, clipped.start, clipped.end) / elapsed


# --------------------------------------------------------------------------------------
# report and score (§6, §7)
# --------------------------------------------------------------------------------------

def report_rows(data, period, type_=None, employee=None, as_of=None):
    """One row per (employee, KPI, target period), from target rows only.
    Without --type: target periods of P's type equal to P (CYCLE P: cycle rows lying
    inside P).  With --type T: every target period of type T lying inside P's range.
    Returns dicts with Fraction/None values, sorted by employee, kpi, period_start."""
    if as_of is None:
        as_of = Date.today()
    wanted_type = type_ if type_ is not None else period.type
    keep = subtree(data, employee) if employee is not None else None
    target_periods = set()
    for row in data.targets:
        if row["period_type"] != wanted_type:
            continue
        if keep is not None and row["employee_code"] not in keep:
            continue
        for q in periods_of_row(data, row):
            # For a non-CYCLE P without --type, "equal to P" and "inside P" coincide
            # (a period of P's own type inside P is P).
            if period.start <= q.start and q.end <= period.end:
                target_periods.add((row["employee_code"], row["kpi_code"], q))
    out = []
    for emp, kpi_code, q in target_periods:
        clipped = clip(data, emp, q)
        if clipped is None:
            continue  # an empty clipped period gives no row
        row = winning_row(data, emp, kpi_code, q)
        act = actual(data, emp, kpi_code, q)
        tgt = effective_target(data, emp, kpi_code, q)
        att = None if tgt is None or tgt == 0 else act / tgt
        out.append({
            "employee_code": emp,
            "kpi_code": kpi_code,
            "period_type": q.type,
            "period_start": clipped.start,
            "period_end": clipped.end,
            "actual": act,
            "target": tgt,
            "attainment": att,
            "projected": projected(data, emp, kpi_code, q, as_of),
            "weight": row["weight"],
        })
    out.sort(key=lambda r: (r["employee_code"], r["kpi_code"], r["period_start"]))
    return out


def score_rows(data, period, as_of=None):
    """One row per employee having report rows for P (no --type):
    Σ w·min(attainment, cap) ÷ Σ w over rows with weight > 0 and an attainment."""
    rows = report_rows(data, period, None, None, as_of)
    out = []
    for emp in sorted({r["employee_code"] for r in rows}):
        num, den = Fraction(0), Fraction(0)
        for r in rows:
            if r["employee_code"] != emp:
                continue
            if r["weight"] > 0 and r["attainment"] is not None:
                cap = data.resolve_kpi(r["kpi_code"]).cap
                num += r["weight"] * min(r["attainment"], cap)
                den += r["weight"]
        out.append({
            "employee_code": emp,
            "period_type": period.type,
            "period_start": period.start,
            "period_end": period.end,
            "score": num / den if den > 0 else None,
        })
    return out


# --------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------

def fmt_number(x):
    """'.' decimal mark, no thousands separator, at most 6 decimals (rounded half away
    from zero), trailing zeros removed, absent = '', never '-0'."""
    if x is None:
        return ""
    x = Fraction(x)
    negative = x < 0
    scaled = abs(x) * 10 ** 6
    n = int(scaled)
    if scaled - n >= Fraction(1, 2):
        n += 1
    if n == 0:
        return "0"
    whole, frac = divmod(n, 10 ** 6)
    s = str(whole)
    if frac:
        s += "." + ("%06d" % frac).rstrip("0")
    return ("-" if negative else "") + s


def fmt_value(v):
    if isinstance(v, Date):
        return v.isoformat()
    if isinstance(v, str):
        return v
    return fmt_number(v)


def to_csv(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([fmt_value(r[h]) for h in header])
    return buf.getvalue()


def report_csv(data, period, type_=None, employee=None, as_of=None):
    return to_csv(REPORT_HEADER, report_rows(data, period, type_, employee, as_of))


def score_csv(data, period, as_of=None):
    return to_csv(SCORE_HEADER, score_rows(data, period, as_of))


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="oracle.py", description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    sub = ap.add_subparsers(dest="command")
    sub.required = True
    for name in ("actual", "target", "attainment", "projected"):
        p = sub.add_parser(name)
        p.add_argument("employee")
        p.add_argument("kpi")
        p.add_argument("period")
        p.add_argument("--as-of", dest="as_of")
    p = sub.add_parser("report")
    p.add_argument("--period", required=True)
    p.add_argument("--type", dest="type_")
    p.add_argument("--employee")
    p.add_argument("--as-of", dest="as_of")
    p = sub.add_parser("score")
    p.add_argument("--period", required=True)
    p.add_argument("--as-of", dest="as_of")
    args = ap.parse_args(argv)

    try:
        data = Data(args.dir)
        as_of = Date.fromisoformat(args.as_of) if args.as_of else Date.today()
        period = parse_period(args.period)
        if args.command == "report":
            t = args.type_.upper() if args.type_ else None
            if t is not None and t not in PERIOD_TYPES:
                raise OracleError("bad period type: %s" % args.type_)
            if args.employee is not None:
                data.check_employee(args.employee)
            sys.stdout.write(report_csv(data, period, t, args.employee, as_of))
        elif args.command == "score":
            sys.stdout.write(score_csv(data, period, as_of))
        else:
            e, k = args.employee, args.kpi
            if args.command == "actual":
                v = actual(data, e, k, period)
            elif args.command == "target":
                v = effective_target(data, e, k, period)
            elif args.command == "attainment":
                v = attainment(data, e, k, period)
            else:
                v = projected(data, e, k, period, as_of)
            print(fmt_number(v))
    except (OracleError, ValueError, KeyError) as exc:
        print("oracle: error: %s" % exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
