#!/usr/bin/env python3
"""SalesKPI rewards reference implementation, written from /work/shared/SPEC.md §9-§10
(and, where the SPEC leaves a choice, from the decisions written in docs/rewards.md).

Standard library only.  Figures of §4-§6 come from oracle.py (the KPI reference);
everything here is exact (fractions.Fraction) until printed, and an amount is rounded
once, to whole VND, half away from zero.

    rewards_oracle.py DIR payout --period P [--employee E]
    rewards_oracle.py DIR statement --employee E --period P

(without closes: a directory of CSV files knows nothing of them; the comparison
script drives closes through the Ledger class.)
"""

import argparse
import math
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

PAY_TYPES = ("MONTH", "QUARTER", "YEAR")
KINDS = ("component", "gate", "adjustment", "total")
PAYOUT_HEADER = ["employee_code", "plan_code", "period_start", "period_end", "kind", "kpi_code",
                 "attainment", "factor", "incentive", "amount"]


# --------------------------------------------------------------------------------------
# Plans (§3, §9)
# --------------------------------------------------------------------------------------

class Plan:
    def __init__(self, row):
        self.code = row["code"]
        self.name_vi = row["name_vi"]
        self.name_en = row["name_en"]
        self.period_type = row["period_type"]
        self.gate_kpi = row.get("gate_kpi")
        self.gate_min = Fraction(row["gate_min"]) if row.get("gate_min") else None
        self.curve_mode = row.get("curve_mode") or "linear"   # §3: linear is the default
        self.components = []   # (kpi_code, weight, points), sorted by kpi_code


class Assignment:
    def __init__(self, row):
        self.employee = row["employee_code"]
        self.plan = row["plan_code"]
        self.valid_from = oracle.to_date(row["valid_from"])
        self.valid_to = oracle.to_date(row["valid_to"])
        self.incentive = Fraction(row["incentive"])


def parse_curve(text):
    """§9: points x:y|x:y|..., x strictly increasing, y >= 0."""
    points = []
    for part in text.split("|"):
        x, y = part.split(":")
        points.append((Fraction(x), Fraction(y)))
    return points


def read_plans(directory):
    plans = {}
    for r in oracle.read_csv(directory, "plans.csv"):
        plans[r["code"]] = Plan(r)
    for r in oracle.read_csv(directory, "plan_components.csv"):
        plans[r["plan_code"]].components.append(
            (r["kpi_code"], Fraction(r["weight"]), parse_curve(r["curve"])))
    for p in plans.values():
        p.components.sort(key=lambda c: c[0])
    assignments = [Assignment(r) for r in oracle.read_csv(directory, "plan_assignments.csv")]
    return plans, assignments


def curve_factor(points, mode, a):
    """§9: 0 below the first x, the last y from the last x on; in between the straight
    line (linear) or the y of the greatest x <= a (step)."""
    if a < points[0][0]:
        return Fraction(0)
    if a >= points[-1][0]:
        return points[-1][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x0 <= a < x1:
            if mode == "step":
                return y0
            return y0 + (a - x0) * (y1 - y0) / (x1 - x0)
    raise AssertionError("unreachable")


def round_vnd(x):
    """Whole VND, halves away from zero."""
    x = Fraction(x)
    n = math.floor(abs(x) + Fraction(1, 2))
    return -n if x < 0 else n


# --------------------------------------------------------------------------------------
# The world as of now: data, plans and the closes (§10)
# --------------------------------------------------------------------------------------

class World:
    """One directory of interchange CSV files (all thirteen) and what was closed."""

    def __init__(self, directory):
        self.directory = directory
        self.closes = []   # in the order they were closed: {"period", "report", "payout"}
        self.reload()

    def reload(self):
        self.data = oracle.Data(self.directory)
        self.plans, self.assignments = read_plans(self.directory)
        self._figures = {}

    # ---- §6 figures, memoized (the data do not change until reload) ----
    def figures(self, employee, kpi, period):
        key = (employee, kpi, period.key())
        if key not in self._figures:
            d = self.data
            act = oracle.actual(d, employee, kpi, period)
            tgt = oracle.effective_target(d, employee, kpi, period)
            att = None if tgt is None or tgt == 0 else act / tgt
            self._figures[key] = (act, tgt, att)
        return self._figures[key]

    def closed(self, period):
        for c in self.closes:
            if c["period"] == period:
                return c
        return None

    def closed_of_type(self, type_):
        return sorted((c for c in self.closes if c["period"].type == type_),
                      key=lambda c: c["period"].start)


def clip_to(world, employee, period, assignment):
    """§9: the pay period clipped to the employment window and the assignment window."""
    e = world.data.employees[employee]
    start = max(period.start, e["start_date"], assignment.valid_from)
    end = min(period.end, assignment.valid_to, e["end_date"] or period.end)
    return (start, end) if start <= end else None


def row(employee, plan, start, end, kind, kpi="", **values):
    r = {"employee_code": employee, "plan_code": plan, "period_start": start, "period_end": end,
         "kind": kind, "kpi_code": kpi, "attainment": None, "factor": None, "incentive": None,
         "amount": None, "actual": None, "target": None, "weight": None, "gate_min": None,
         "block_incentive": None, "full_incentive": None, "working_days": None,
         "full_working_days": None}
    r.update(values)
    return r


def live_blocks(world, period, in_scope):
    """{(employee, plan): [block, ...]}, each block one assignment over the pay period
    (sorted by its clipped start): {"start", "rows" (components by KPI code, then the
    gate), "total"}.  A block whose clipped period has no working day has no rows."""
    blocks = {}
    w_full = oracle.W(world.data, period.start, period.end)
    for a in world.assignments:
        plan = world.plans[a.plan]
        if plan.period_type != period.type or not in_scope(a.employee):
            continue
        if a.valid_to < period.start or a.valid_from > period.end:
            continue   # "each pay period P of p's type that overlaps the assignment window"
        clipped = clip_to(world, a.employee, period, a)
        if clipped is None:
            continue
        w = oracle.W(world.data, clipped[0], clipped[1])
        if w == 0 or w_full == 0:
            continue   # "none when W(clipped P) = 0": no component or gate rows
        incentive = a.incentive * w / w_full
        passed = True
        gate = None
        if plan.gate_kpi:
            act, tgt, att = world.figures(a.employee, plan.gate_kpi, period)
            passed = att is not None and att >= plan.gate_min   # a missing attainment fails
            gate = row(a.employee, plan.code, clipped[0], clipped[1], "gate", plan.gate_kpi,
                       attainment=att, factor=Fraction(1 if passed else 0), actual=act,
                       target=tgt, gate_min=plan.gate_min)
        rows, total = [], 0
        sum_w = sum(c[1] for c in plan.components)
        for kpi, weight, points in plan.components:
            act, tgt, att = world.figures(a.employee, kpi, period)
            f = Fraction(0) if att is None else curve_factor(points, plan.curve_mode, att)
            comp_incentive = incentive * weight / sum_w
            amount = round_vnd(comp_incentive * f) if passed else 0
            total += amount
            rows.append(row(a.employee, plan.code, clipped[0], clipped[1], "component", kpi,
                            attainment=att, factor=f, incentive=comp_incentive, amount=amount,
                            actual=act, target=tgt, weight=weight))
        if gate is not None:
            rows.append(gate)
        blocks.setdefault((a.employee, plan.code), []).append({
            "start": clipped[0], "rows": rows,
            "total": row(a.employee, plan.code, clipped[0], clipped[1], "total", amount=total,
                         block_incentive=incentive, full_incentive=a.incentive,
                         working_days=w, full_working_days=w_full)})
    for lst in blocks.values():
        lst.sort(key=lambda b: b["start"])
    return blocks


def component_sums(rows):
    sums = {}
    for r in rows:
        if r["kind"] == "component":
            key = (r["employee_code"], r["plan_code"])
            sums[key] = sums.get(key, 0) + r["amount"]
    return sums


def adjustments(world, period, in_scope):
    """§10: for every earlier closed Q of P's type: Q's component amounts recomputed
    from today's data - Q's frozen component amounts - the adjustments for Q settled
    in closes before P.  The non-zero ones, {(employee, plan): [row, ...]}."""
    out = {}
    closed = world.closed_of_type(period.type)
    for q in closed:
        qp = q["period"]
        if qp.end >= period.start:
            continue
        live = {}
        for key, blocks in live_blocks(world, qp, in_scope).items():
            live[key] = sum(r["amount"] for b in blocks for r in b["rows"] if r["kind"] == "component")
        frozen = component_sums(r for r in q["payout"] if in_scope(r["employee_code"]))
        settled = {}
        for s in closed:
            sp = s["period"]
            if sp.start <= qp.end or sp.end >= period.start:
                continue
            for r in s["payout"]:
                if (r["kind"] == "adjustment" and r["period_start"] == qp.start
                        and in_scope(r["employee_code"])):
                    key = (r["employee_code"], r["plan_code"])
                    settled[key] = settled.get(key, 0) + r["amount"]
        for key in set(live) | set(frozen) | set(settled):
            amount = live.get(key, 0) - frozen.get(key, 0) - settled.get(key, 0)
            if amount != 0:
                out.setdefault(key, []).append(
                    row(key[0], key[1], qp.start, qp.end, "adjustment", amount=amount))
    return out


def assemble(period, blocks, adjust):
    """The rows in order (docs/rewards.md): per employee and plan, each block's
    components, gate, then - in the last block - the adjustments, and the block's
    total; adjustments without a block get a total over the whole pay period."""
    out = []
    for key in sorted(set(blocks) | set(adjust)):
        lst = blocks.get(key, [])
        adj = sorted(adjust.get(key, []), key=lambda r: r["period_start"])
        extra = sum(r["amount"] for r in adj)
        if not lst:
            lst = [{"start": period.start, "rows": [],
                    "total": row(key[0], key[1], period.start, period.end, "total", amount=0)}]
        for i, b in enumerate(lst):
            out.extend(b["rows"])
            total = dict(b["total"])
            if i == len(lst) - 1:
                out.extend(adj)
                total["amount"] += extra
            out.append(total)
    return out


def scope_of(world, employee):
    if not employee:
        return lambda code: True
    members = oracle.subtree(world.data, employee)
    return lambda code: code in members


def payout(world, period, employee=None, live=False):
    """`kpi payout --period P [--employee E] [--live]`."""
    if period.type not in PAY_TYPES:
        raise oracle.OracleError("not a pay period: %s" % period.type)
    in_scope = scope_of(world, employee)
    closed = world.closed(period)
    if closed and not live:
        return [dict(r) for r in closed["payout"] if in_scope(r["employee_code"])]
    if closed:
        adjust = {}
        for r in closed["payout"]:
            if r["kind"] == "adjustment" and in_scope(r["employee_code"]):
                adjust.setdefault((r["employee_code"], r["plan_code"]), []).append(dict(r))
    else:
        adjust = adjustments(world, period, in_scope)
    return assemble(period, live_blocks(world, period, in_scope), adjust)


def report(world, period, employee=None, as_of=None, live=False):
    """`kpi report --period P [--employee E]`: a closed P's frozen rows."""
    closed = world.closed(period)
    if closed and not live:
        in_scope = scope_of(world, employee)
        return [dict(r) for r in closed["report"] if in_scope(r["employee_code"])]
    return oracle.report_rows(world.data, period, None, employee, as_of)


def score(world, period, as_of, live=False):
    """§10: a closed P's scores come from its frozen rows (caps of kpis.csv)."""
    rows = report(world, period, None, as_of, live)
    out = []
    for emp in sorted({r["employee_code"] for r in rows}):
        num, den = Fraction(0), Fraction(0)
        for r in rows:
            if r["employee_code"] == emp and r["weight"] > 0 and r["attainment"] is not None:
                cap = world.data.resolve_kpi(r["kpi_code"]).cap
                num += r["weight"] * min(r["attainment"], cap)
                den += r["weight"]
        out.append({"employee_code": emp, "period_type": period.type, "period_start": period.start,
                    "period_end": period.end, "score": num / den if den > 0 else None})
    return out


class Refused(Exception):
    pass


def close(world, period, today):
    """`kpi close P`: freezes the report and payout rows of now (§10)."""
    if period.type not in PAY_TYPES:
        raise Refused("not a pay period")
    if period.end >= today:
        raise Refused("has not ended")
    for c in world.closes:
        if c["period"] == period:
            raise Refused("closed already")
        if c["period"].type == period.type and c["period"].start > period.start:
            raise Refused("lies before a closed period")
    frozen = {"period": period,
              "report": oracle.report_rows(world.data, period, None, None, today),
              "payout": payout(world, period)}
    world.closes.append(frozen)
    return frozen


def reopen(world, period):
    """`kpi reopen P`: only the period closed last among those still closed."""
    if not world.closes or world.closes[-1]["period"] != period:
        raise Refused("not the last period closed")
    world.closes.pop()


def statement(world, employee, period, live=False):
    """The employee's own payout rows (not their subtree's)."""
    world.data.check_employee(employee)
    return [r for r in payout(world, period, None, live) if r["employee_code"] == employee]


def main(argv=None):
    ap = argparse.ArgumentParser(prog="rewards_oracle.py", description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    sub = ap.add_subparsers(dest="command")
    sub.required = True
    p = sub.add_parser("payout")
    p.add_argument("--period", required=True)
    p.add_argument("--employee")
    p = sub.add_parser("statement")
    p.add_argument("--employee", required=True)
    p.add_argument("--period", required=True)
    args = ap.parse_args(argv)
    world = World(args.dir)
    period = oracle.parse_period(args.period)
    rows = payout(world, period, args.employee) if args.command == "payout" else \
        statement(world, args.employee, period)
    sys.stdout.write(oracle.to_csv(PAYOUT_HEADER, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
