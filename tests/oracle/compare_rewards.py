#!/usr/bin/env python3
"""Compare `kpi payout`, `kpi close`, `kpi reopen` and `kpi statement` with the rewards
oracle (rewards_oracle.py, SPEC §9-§10) through a story of closes and late changes.

    compare_rewards.py --kpi PATH_TO_KPI [--seeds 11,12] [--keep]

For each seed: a data set of gen_data.py with reward plans (gen_data.add_plans: joiners,
leavers, mid-period assignments, two plans per person, a failing gate, attainments on a
curve point and above the last one, step and linear curves, a quarterly plan), imported
into a fresh store.  Then, with today pinned after the data (KPI_TODAY):

  1. payouts of every month and quarter, while nothing is closed;
  2. close 2026-10 and 2026-Q3; late changes (a return and an approval dated in October,
     an October target edited, a curve edited, a September sale);
  3. close 2026-11 (settling October's adjustments); more late changes (another October
     return, a November return of the leaver, a cancelled November order, an assignment
     shortened);
  4. close 2026-12 and 2026-Q4, late changes again, close 2027-01;
  5. refusals (closed already, before a closed period, not ended, reopening one that was
     not closed last) leave the store unchanged;
  6. reopen 2027-01, 2026-Q4 and 2026-12 (a stack), close 2026-12 again.

After every step: `kpi payout` (closed and open periods, --live, --employee), `kpi report`
and `kpi score` of closed periods (frozen, and --live), `kpi actual` of a frozen figure,
and statements, each against the oracle: texts and amounts exactly (whole VND), other
numbers within 1e-6.  The last line is `N passed, M failed`.
"""

import argparse
import csv
import datetime
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import gen_data  # noqa: E402
import oracle  # noqa: E402
import rewards_oracle as ro  # noqa: E402

TODAY = "2027-02-10"   # every period of the data has ended, 2027-02 has not
compare.TODAY = TODAY
D = datetime.date.fromisoformat
P = oracle.parse_period

PAYOUT_KEYS = ["employee_code", "plan_code", "period_start", "kind", "kpi_code"]
PAYOUT_TEXT = ["employee_code", "plan_code", "period_start", "period_end", "kind", "kpi_code", "amount"]
PAYOUT_NUM = ["attainment", "factor", "incentive"]

STATEMENT_HEADER = ["plan_code", "plan_name_vi", "plan_name_en", "period_start", "period_end", "kind",
                    "kpi_code", "kpi_name_vi", "kpi_name_en", "actual", "target", "attainment", "factor",
                    "weight", "gate_min", "incentive", "amount", "working_days", "full_working_days",
                    "full_incentive", "detail", "report"]
STATEMENT_KEYS = ["plan_code", "period_start", "kind", "kpi_code"]
STATEMENT_TEXT = ["plan_code", "plan_name_vi", "plan_name_en", "period_start", "period_end", "kind",
                  "kpi_code", "kpi_name_vi", "kpi_name_en", "amount", "working_days", "full_working_days",
                  "detail", "report"]
STATEMENT_NUM = ["actual", "target", "attainment", "factor", "weight", "gate_min", "incentive",
                 "full_incentive"]

KEYS = {"orders.csv": ["order_code"], "order_lines.csv": ["order_code", "line_no"],
        "targets.csv": ["employee_code", "kpi_code", "period_type", "valid_from"],
        "plan_components.csv": ["plan_code", "kpi_code"],
        "plan_assignments.csv": ["employee_code", "plan_code", "valid_from"]}

# SPEC §6 names of the bare types a plan may use (docs/kpis.md).
BARE_NAMES = {"FOCUS_OUTLETS": ("Số điểm bán có SKU trọng tâm", "Outlets buying focus SKUs")}


def dump(store):
    if "=" in store and not store.startswith("/"):  # a PostgreSQL store (--pg)
        p = subprocess.run(["pg_dump", "--data-only", "-d", store], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, check=True)
        # Without pg_dump's random \restrict keys and the sequences' positions
        # (a refused write may take a number and roll back: not a change of data).
        return "\n".join(line for line in p.stdout.decode("utf-8").splitlines()
                         if not line.startswith(("\\restrict", "\\unrestrict", "SELECT pg_catalog.setval")))
    con = sqlite3.connect(store)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


class Story:
    def __init__(self, tally, kpi, seed, keep, pg=None):
        self.tally, self.kpi, self.seed = tally, kpi, seed
        self.tmp = tempfile.mkdtemp(prefix="kpi_rewards_s%d_" % seed)
        self.datadir = os.path.join(self.tmp, "data")
        self.store = os.path.join(self.tmp, "s.sqlite")
        if pg:  # the store on PostgreSQL, every command checked against an SQLite twin
            compare.TWINS[pg] = self.store
            self.store = pg
        self.rng = random.Random(500 + seed)
        self.batch = 0

    # ---- running kpi ----------------------------------------------------------------
    def kpi_run(self, args):
        return compare.run(self.kpi, self.store, args)

    def must(self, args, what):
        rc, out, err = self.kpi_run(args)
        if rc != 0:
            self.tally.fail(compare.show(args), "%s: exit status %d, stderr: %s" % (what, rc, err.strip()[:2000]))
            return None
        self.tally.ok()
        return out

    # ---- data ------------------------------------------------------------------------
    def setup(self):
        info = gen_data.generate(self.datadir, self.seed, 6)
        gen_data.validate(self.datadir)
        gen_data.add_plans(self.datadir, self.seed, info)
        self.info = info
        self.srs = info["srs"]
        self.leaver = info["leaver"]
        self.must(["init"], "init")
        files = [os.path.join(self.datadir, f) for f in gen_data.FILES + gen_data.PLAN_FILES]
        self.rng.shuffle(files)
        self.must(["import"] + files, "import of the data with plans")
        self.world = ro.World(self.datadir)
        print("== seed %d: %s, store %s" % (self.seed, self.datadir, self.store))

    def rows_of(self, name):
        with open(os.path.join(self.datadir, name), encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            return reader.fieldnames, list(reader)

    def late(self, changes, what):
        """Imports the changed rows into kpi as new files and upserts them into the
        oracle's data set (by key, SPEC §3)."""
        self.batch += 1
        folder = os.path.join(self.tmp, "late%d" % self.batch)
        os.makedirs(folder)
        paths = []
        for name, rows in changes.items():
            header, existing = self.rows_of(name)
            path = os.path.join(folder, name)
            gen_data.write_csv(path, header, rows)
            paths.append(path)
            keys = KEYS[name]
            index = {tuple(r[k] for k in keys): i for i, r in enumerate(existing)}
            for r in rows:
                r = {h: ("" if r.get(h) is None else str(r[h])) for h in header}
                k = tuple(r[c] for c in keys)
                if k in index:
                    existing[index[k]] = r
                else:
                    existing.append(r)
            gen_data.write_csv(os.path.join(self.datadir, name), header, existing,
                               bom=(name == "employees.csv"))
        self.must(["import"] + paths, "late changes: " + what)
        self.world.reload()

    def outlet_of(self, emp):
        _, routes = self.rows_of("routes.csv")
        return sorted(r["outlet_code"] for r in routes if r["employee_code"] == emp)[0]

    def order(self, code, emp, day, type_, status, lines):
        return ({"order_code": code, "employee_code": emp, "outlet_code": self.outlet_of(emp),
                 "order_time": "%s 10:00:00" % day, "type": type_, "status": status, "approved_time": ""},
                [{"order_code": code, "line_no": i + 1, "sku": sku, "quantity": q, "amount": a}
                 for i, (sku, q, a) in enumerate(lines)])

    def find_order(self, emp_filter, month, type_, status):
        _, orders = self.rows_of("orders.csv")
        for o in orders:
            if (emp_filter(o["employee_code"]) and o["order_time"].startswith(month)
                    and o["type"] == type_ and o["status"] == status):
                return dict(o)
        return None

    # ---- comparisons -----------------------------------------------------------------
    def payout(self, period, employee=None, live=False):
        args = ["payout", "--period", period, "--format", "csv"]
        if employee:
            args += ["--employee", employee]
        if live:
            args.append("--live")
        expected = ro.payout(self.world, P(period), employee, live)
        compare.compare_table(self.tally, self.kpi, self.store, args, ro.PAYOUT_HEADER, PAYOUT_KEYS,
                              PAYOUT_TEXT, PAYOUT_NUM, expected)
        return expected

    def report(self, period, live=False):
        args = ["report", "--period", period, "--as-of", TODAY, "--format", "csv"] + (["--live"] if live else [])
        expected = ro.report(self.world, P(period), None, D(TODAY), live)
        compare.compare_table(self.tally, self.kpi, self.store, args, oracle.REPORT_HEADER,
                              compare.REPORT_KEY_COLS, compare.REPORT_TEXT_COLS, compare.REPORT_NUM_COLS,
                              expected)

    def score(self, period, live=False):
        args = ["score", "--period", period, "--as-of", TODAY, "--format", "csv"] + (["--live"] if live else [])
        expected = ro.score(self.world, P(period), D(TODAY), live)
        compare.compare_table(self.tally, self.kpi, self.store, args, oracle.SCORE_HEADER,
                              compare.SCORE_KEY_COLS, compare.SCORE_TEXT_COLS, compare.SCORE_NUM_COLS,
                              expected)

    def actual(self, emp, kpi, period, live=False):
        args = ["actual", emp, kpi, period, "--as-of", TODAY] + (["--live"] if live else [])
        closed = self.world.closed(P(period))
        expected = oracle.actual(self.world.data, emp, kpi, P(period))
        if closed and not live:
            frozen = [r for r in closed["report"] if r["employee_code"] == emp and r["kpi_code"] == kpi]
            if frozen:
                expected = frozen[0]["actual"]
        rc, out, err = self.kpi_run(args)
        why = "exit status %d: %s" % (rc, err.strip()) if rc else compare.number_problem(
            out.strip(), expected, False)
        if why:
            self.tally.fail(compare.show(args), why, out.strip(), oracle.fmt_number(expected))
        else:
            self.tally.ok()

    def statement(self, emp, period, live=False):
        p = P(period)
        args = ["statement", "--employee", emp, "--period", period, "--format", "csv"] + (
            ["--live"] if live else [])
        rows = ro.statement(self.world, emp, p, live)
        reported = {r["kpi_code"] for r in ro.report(self.world, p, emp, D(TODAY), live)
                    if r["employee_code"] == emp}
        expected = []
        for r in rows:
            plan = self.world.plans[r["plan_code"]]
            kpi = r["kpi_code"]
            names = ("", "")
            if kpi:
                k = self.world.data.kpis.get(kpi)
                names = BARE_NAMES[kpi] if k is None else (self.kpi_names[kpi])
            total = r["kind"] == "total"
            expected.append({
                "plan_code": plan.code, "plan_name_vi": plan.name_vi, "plan_name_en": plan.name_en,
                "period_start": r["period_start"], "period_end": r["period_end"], "kind": r["kind"],
                "kpi_code": kpi, "kpi_name_vi": names[0], "kpi_name_en": names[1],
                "actual": r["actual"], "target": r["target"], "attainment": r["attainment"],
                "factor": r["factor"], "weight": r["weight"], "gate_min": r["gate_min"],
                "incentive": r["block_incentive"] if total else r["incentive"], "amount": r["amount"],
                "working_days": r["working_days"], "full_working_days": r["full_working_days"],
                "full_incentive": r["full_incentive"],
                "detail": '=KPI.DETAIL("%s"; "%s"; "%s")' % (emp, kpi, period) if kpi else "",
                "report": "kpi report --period %s --employee %s" % (period, emp)
                if kpi and kpi in reported else ""})
        compare.compare_table(self.tally, self.kpi, self.store, args, STATEMENT_HEADER, STATEMENT_KEYS,
                              STATEMENT_TEXT, STATEMENT_NUM, expected)

    def close(self, period):
        args = ["close", period, "--user", "kế toán Hương"]
        try:
            frozen = ro.close(self.world, P(period), D(TODAY))
        except ro.Refused as exc:
            self.tally.fail(compare.show(args), "the oracle refuses this close: %s" % exc)
            return
        out = self.must(args, "close")
        if out is None:
            return
        adjust = [r for r in frozen["payout"] if r["kind"] == "adjustment"]
        expected = "%d report rows and %d payout rows frozen, %d %s settled (%d), total %d" % (
            len(frozen["report"]), len(frozen["payout"]), len(adjust),
            "adjustment" if len(adjust) == 1 else "adjustments", sum(r["amount"] for r in adjust),
            sum(r["amount"] for r in frozen["payout"] if r["kind"] == "total"))
        if not out.rstrip().endswith(expected) or "by kế toán Hương" not in out:
            self.tally.fail(compare.show(args), "summary", out.strip(), expected)
        else:
            self.tally.ok()
        print("   closed %s: %d adjustment rows (%d VND)" % (
            period, len(adjust), sum(r["amount"] for r in adjust)))

    def refused(self, args, why):
        before = dump(self.store)
        rc, out, err = self.kpi_run(args)
        if rc == 0:
            self.tally.fail(compare.show(args), "accepted, but %s" % why)
        elif dump(self.store) != before:
            self.tally.fail(compare.show(args), "refused, but the store changed")
        else:
            self.tally.ok()

    def reopen(self, period):
        args = ["reopen", period, "--reason", "sửa chỉ tiêu, \"đợt 2\"", "--user", "kế toán Hương"]
        try:
            ro.reopen(self.world, P(period))
        except ro.Refused as exc:
            self.tally.fail(compare.show(args), "the oracle refuses this reopen: %s" % exc)
            return
        self.must(args, "reopen")

    def check_all(self, what):
        print("   checking: %s" % what)
        for period in ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2026-Q3", "2026-Q4", "2027-Q1"]:
            self.payout(period)
            if self.world.closed(P(period)):
                self.payout(period, live=True)
        self.payout("2026-11", employee="SS01")
        self.payout("2026-12", employee=self.srs[0])
        for c in self.world.closes:
            text = oracle.fmt_value(c["period"].start)[:7] if c["period"].type == "MONTH" else None
            if text:
                self.report(text)
                self.report(text, live=True)
                self.score(text)
                self.actual(self.srs[0], "TH_DS", text)
                self.actual(self.srs[0], "TH_DS", text, live=True)
        for emp in [self.srs[0], self.leaver, "SS02", self.srs[4]]:
            for period in ["2026-10", "2026-11", "2026-12", "2027-01", "2026-Q4"]:
                self.statement(emp, period)
        for c in self.world.closes[-1:]:
            p = c["period"]
            name = oracle.fmt_value(p.start)[:7] if p.type == "MONTH" else "%d-Q%d" % (
                p.start.year, (p.start.month - 1) // 3 + 1)
            self.statement(self.srs[0], name, live=True)

    # ---- the story -------------------------------------------------------------------
    def play(self):
        self.setup()
        self.kpi_names = {k.code: None for k in self.world.data.kpis.values()}
        _, kpis = self.rows_of("kpis.csv")
        self.kpi_names = {r["code"]: (r["name_vi"], r["name_en"]) for r in kpis}
        sr0, sr4 = self.srs[0], self.srs[4]
        self.check_all("nothing closed")

        self.close("2026-10")
        self.close("2026-Q3")
        orders, lines = [], []
        o, ls = self.order("LATE01", sr0, "2026-10-20", "return", "approved", [("SKU02", 2, 65000)])
        orders.append(o)
        lines += ls
        o, ls = self.order("LATE02", sr0, "2026-09-30", "sale", "approved", [("SKU11", 30, 7500000)])
        orders.append(o)
        lines += ls
        pending = self.find_order(lambda e: e in self.srs, "2026-10", "sale", "pending")
        if pending:
            pending["status"] = "approved"
            orders.append(pending)
        _, targets = self.rows_of("targets.csv")
        edited = [dict(t) for t in targets if t["employee_code"] == sr4 and t["kpi_code"] == "TH_DS"
                  and t["period_type"] == "MONTH" and t["valid_from"] == "2026-10-01"]
        for t in edited:
            t["target"] = gen_data.decimal_text(oracle.to_num(t["target"]) * 9 / 10)
        self.late({"orders.csv": orders, "order_lines.csv": lines, "targets.csv": edited,
                   "plan_components.csv": [{"plan_code": "P_SR", "kpi_code": "TH_PC", "weight": "1",
                                            "curve": "0.7:0.4|1:1|1.5:1.3"}]},
                  "a return, a sale and an approval after the close, a target and a curve edited")
        self.check_all("2026-10 and 2026-Q3 closed, then late changes")

        self.close("2026-11")
        orders, lines = [], []
        o, ls = self.order("LATE03", sr0, "2026-10-28", "return", "approved", [("SKU01", 5, 40000)])
        orders.append(o)
        lines += ls
        leaver_end = self.world.data.employees[self.leaver]["end_date"]
        day = min(leaver_end, D("2026-11-27")).isoformat()
        o, ls = self.order("LATE04", self.leaver, day, "return", "approved", [("SKU04", 4, 124000)])
        orders.append(o)
        lines += ls
        approved = self.find_order(lambda e: e in self.srs and e != sr0, "2026-11", "sale", "approved")
        if approved:
            approved["status"] = "cancelled"
            orders.append(approved)
        self.late({"orders.csv": orders, "order_lines.csv": lines,
                   "plan_assignments.csv": [{"employee_code": self.srs[5], "plan_code": "P_FOCUS",
                                             "valid_from": "2026-11-10", "valid_to": "2026-12-10",
                                             "incentive": "2500000"}]},
                  "late returns in October and November, a cancelled order, an assignment shortened")
        self.check_all("2026-11 closed with October's adjustments")

        self.close("2026-12")
        self.close("2026-Q4")
        o, ls = self.order("LATE05", self.leaver, leaver_end.isoformat(), "sale", "approved",
                           [("SKU09", 10, 450000)])
        o2, ls2 = self.order("LATE06", sr0, "2026-12-15", "return", "approved", [("SKU02", 1, 32500)])
        self.late({"orders.csv": [o, o2], "order_lines.csv": ls + ls2},
                  "a late sale of the leaver on their last day, a December return")
        self.close("2027-01")
        self.check_all("2026-12, 2026-Q4 and 2027-01 closed")

        self.refused(["close", "2026-12"], "2026-12 is closed already")
        self.refused(["close", "2026-09"], "2026-09 lies before closed months")
        self.refused(["close", "2027-02"], "2027-02 has not ended")
        self.refused(["close", "2026-W48"], "a week is no pay period")
        self.refused(["reopen", "2026-12", "--reason", "x"], "2026-12 was not closed last")
        self.refused(["reopen", "2027-01", "--reason", " "], "a reopen needs a reason")

        self.reopen("2027-01")
        self.reopen("2026-Q4")
        self.reopen("2026-12")
        self.check_all("2027-01, 2026-Q4 and 2026-12 reopened")
        self.close("2026-12")
        self.check_all("2026-12 closed again")
        self.history()

    def history(self):
        out = self.must(["history", "--of", "closes", "--format", "csv"], "close history")
        if out is None:
            return
        rows = list(csv.DictReader(io.StringIO(out)))
        actions = [(r["action"], r["period"]) for r in rows]
        expected = [("close", "2026-10"), ("close", "2026-Q3"), ("close", "2026-11"), ("close", "2026-12"),
                    ("close", "2026-Q4"), ("close", "2027-01"), ("reopen", "2027-01"), ("reopen", "2026-Q4"),
                    ("reopen", "2026-12"), ("close", "2026-12")]
        if actions != expected or any(r["changed_by"] != "kế toán Hương" for r in rows) or \
                rows[6]["reason"] != "sửa chỉ tiêu, \"đợt 2\"":
            self.tally.fail("kpi history --of closes", "the history of closes", actions, expected)
        else:
            self.tally.ok()


def main():
    ap = argparse.ArgumentParser(description="compare kpi's rewards with the rewards oracle")
    ap.add_argument("--kpi", required=True)
    ap.add_argument("--seeds", default="11,12")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--max-print", type=int, default=40)
    ap.add_argument("--pg", action="store_true",
                    help="stores on the PostgreSQL server of KPI_TEST_PG, each checked against an SQLite twin")
    args = ap.parse_args()
    kpi = os.path.abspath(args.kpi)
    if not os.access(kpi, os.X_OK):
        print("compare_rewards.py: error: kpi binary not found: %s" % kpi, file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    tally = compare.Tally(False, args.max_print)
    for seed in [int(s) for s in args.seeds.split(",") if s.strip()]:
        failed_before = tally.failed
        if args.pg:
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "postgres"))
            import pgdb  # noqa: E402
            del compare.TWIN_DIFFERENCES[:]
            with pgdb.Database("kpi_rewards_%d_%d" % (os.getpid(), seed)) as db:
                story = Story(tally, kpi, seed, args.keep, db.location)
                story.play()
            for cmd, got, twin in compare.TWIN_DIFFERENCES:
                tally.fail(cmd, "PostgreSQL and SQLite differ (exit status, output)", got[:2], twin[:2])
            print("   PostgreSQL twin: %d commands differ from SQLite" % len(compare.TWIN_DIFFERENCES))
        else:
            story = Story(tally, kpi, seed, args.keep)
            story.play()
        if args.keep or tally.failed > failed_before:
            print("   (data and store kept in %s)" % story.tmp)
        else:
            shutil.rmtree(story.tmp, ignore_errors=True)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
