#!/usr/bin/env python3
"""Compare the `kpi` command with the oracle on random data sets it has never seen.

    compare.py --kpi PATH_TO_KPI_BINARY [--seeds 1,2,3] [--employees K] [--keep]

For each seed: generate a data set (gen_data.py) in a temp dir, `kpi --store
TMP/s.sqlite init`, `kpi --store ... import` all ten files (in a scrambled order), then
compare against the oracle:
  - `kpi report --period P --as-of A --format csv` for every period grammar form,
    with and without --type T (every type), and with --employee E;
  - `kpi score --period P --as-of A --format csv`;
  - a sample of `kpi actual E K P` (every KPI code and bare type, employees of every
    level, the joiner, the leaver and `*`).
Numbers are compared with a relative tolerance of 1e-6 (and an absolute one of 1e-6 for
the 6-decimal rounding); empty must match empty; texts must match exactly.  Numbers
printed by kpi must also be well formed (at most 6 decimals, no trailing zeros, no
thousands separator, never -0) unless --lenient-format.

With --pg (KPI_TEST_PG names the server, tests/postgres/README.md), each seed's
store is a PostgreSQL database instead, and every kpi command also runs on an
SQLite twin store of the same files: its exit status and output must be
byte-identical.

Every mismatch is printed with the command, the row and both values.  The last line is
`N passed, M failed`; the exit status is non-zero when anything failed.
"""

import argparse
import csv
import io
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402
import gen_data  # noqa: E402

NUMBER_RE = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]{0,5}[1-9])?$")
REPORT_KEY_COLS = ["employee_code", "kpi_code", "period_type", "period_start"]
SCORE_KEY_COLS = ["employee_code"]
REPORT_TEXT_COLS = ["employee_code", "kpi_code", "period_type", "period_start", "period_end"]
REPORT_NUM_COLS = ["actual", "target", "attainment", "projected", "weight"]
SCORE_TEXT_COLS = ["employee_code", "period_type", "period_start", "period_end"]
SCORE_NUM_COLS = ["score"]

BARE_TYPES = oracle.KPI_TYPES


class Tally:
    def __init__(self, lenient_format, max_print=0):
        self.passed = 0
        self.failed = 0
        self.lenient_format = lenient_format
        self.max_print = max_print

    def ok(self):
        self.passed += 1

    def fail(self, cmd, what, got=None, expected=None):
        self.failed += 1
        if self.max_print and self.failed > self.max_print:
            if self.failed == self.max_print + 1:
                print("(further mismatches counted, not printed: see --max-print)")
            return
        msg = "MISMATCH %s\n    %s" % (cmd, what)
        if got is not None or expected is not None:
            msg += "\n    kpi:    %r\n    oracle: %r" % (got, expected)
        print(msg)


def number_problem(text, exact, lenient_format):
    """None when the kpi text matches the oracle's exact value (Fraction or None),
    else a description of the problem."""
    text = text.strip()
    if exact is None:
        return None if text == "" else "expected an empty value"
    if text == "":
        return "empty value, expected a number"
    if not lenient_format:
        if text == "-0" or not NUMBER_RE.match(text):
            return "badly formatted number"
    try:
        got = float(text)
    except ValueError:
        return "not a number"
    if math.isclose(got, float(exact), rel_tol=1e-6, abs_tol=1e-6):
        return None
    return "different value"


# The product's today in every kpi run (KPI_TODAY): what an omitted --as-of
# means, the same for kpi and the oracle whatever the calendar says.
TODAY = "2026-12-09"


# PostgreSQL store -> its SQLite twin (--pg); differences found in run().
TWINS = {}
TWIN_DIFFERENCES = []
# The wall-clock times a command prints (when a period was closed, an edit
# made): the twin ran a moment later, so they are compared as a placeholder.
WALL_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def same_output(a, b):
    return a[0] == b[0] and WALL_TIME.sub("<time>", a[1]) == WALL_TIME.sub("<time>", b[1])


def run(kpi, store, args, timeout=300):
    result = run_one(kpi, store, args, timeout)
    twin = TWINS.get(store)
    if twin:
        other = run_one(kpi, twin, args, timeout)
        if not same_output(other, result):
            TWIN_DIFFERENCES.append((show(args), result, other))
    return result


def run_one(kpi, store, args, timeout=300):
    cmd = [kpi, "--store", store] + args
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=dict(os.environ, KPI_TODAY=TODAY))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 999, "", str(exc)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def show(args):
    return "kpi " + " ".join(a if re.fullmatch(r"[\w.:*/+-]+", a) else "'%s'" % a
                             for a in args)


def compare_table(tally, kpi, store, args, header, key_cols, text_cols, num_cols,
                  expected_rows):
    """Run a CSV-producing kpi command and compare with the oracle's rows (dicts of
    Date/str/Fraction/None)."""
    cmd = show(args)
    rc, out, err = run(kpi, store, args)
    if rc != 0:
        tally.fail(cmd, "exit status %d, stderr: %s" % (rc, err.strip()[:500]))
        return
    table = list(csv.reader(io.StringIO(out)))
    table = [r for r in table if r]
    if not table or table[0] != header:
        tally.fail(cmd, "header", table[0] if table else None, header)
        return
    tally.ok()
    got_rows = []
    for r in table[1:]:
        if len(r) != len(header):
            tally.fail(cmd, "row with %d fields: %s" % (len(r), ",".join(r)))
            continue
        got_rows.append(dict(zip(header, r)))

    def exp_key(row):
        return tuple(oracle.fmt_value(row[c]) for c in key_cols)

    def got_key(row):
        return tuple(row[c] for c in key_cols)

    exp_by_key = {exp_key(r): r for r in expected_rows}
    got_by_key = {}
    for r in got_rows:
        k = got_key(r)
        if k in got_by_key:
            tally.fail(cmd, "duplicate row %s" % ",".join(k))
        got_by_key[k] = r
    for k, e in exp_by_key.items():
        if k not in got_by_key:
            tally.fail(cmd, "missing row %s" % ",".join(k), None,
                       ",".join(oracle.fmt_value(e[h]) for h in header))
            continue
        g = got_by_key[k]
        problems = []
        for c in text_cols:
            if g[c] != oracle.fmt_value(e[c]):
                problems.append((c, g[c], oracle.fmt_value(e[c]), "different text"))
        for c in num_cols:
            why = number_problem(g[c], e[c], tally.lenient_format)
            if why:
                problems.append((c, g[c], oracle.fmt_value(e[c]), why))
        if problems:   # one failed comparison per row, every bad column shown
            tally.fail(cmd, "row %s:" % ",".join(k) + "".join(
                "\n      column %s: %s: kpi %r, oracle %r" % (c, why, gv, ev)
                for c, gv, ev, why in problems))
        else:
            tally.ok()
    for k, g in got_by_key.items():
        if k not in exp_by_key:
            tally.fail(cmd, "extra row %s" % ",".join(k), ",".join(g[h] for h in header),
                       None)
    # order: rows sorted by employee_code, kpi_code, period_start
    common_got = [got_key(r) for r in got_rows if got_key(r) in exp_by_key]
    common_exp = [exp_key(r) for r in expected_rows if exp_key(r) in got_by_key]
    if common_got != common_exp:
        tally.fail(cmd, "row order differs (expected sorted by employee_code, kpi_code, "
                   "period_start)")
    elif len(common_got) > 1:
        tally.ok()


def compare_actual(tally, kpi, store, data, emp, code, period_text, as_of):
    args = ["actual", emp, code, period_text, "--as-of", as_of]
    cmd = show(args)
    rc, out, err = run(kpi, store, args)
    expected = oracle.actual(data, emp, code, oracle.parse_period(period_text))
    if rc != 0:
        tally.fail(cmd, "exit status %d, stderr: %s" % (rc, err.strip()[:500]), None,
                   oracle.fmt_number(expected))
        return
    why = number_problem(out.strip(), expected, tally.lenient_format)
    if why:
        tally.fail(cmd, why, out.strip(), oracle.fmt_number(expected))
    else:
        tally.ok()


def periods_for(data, rng, joiner, leaver):
    """Periods of every grammar form, chosen to hit targets, boundaries and windows."""
    D = datetime.date
    e = data.employees
    days = ["2026-11-16", "2026-11-20", "2026-11-22", "2026-12-28", "2026-12-31",
            "2027-01-01", "2027-01-02", e[joiner]["start_date"].isoformat(),
            e[leaver]["end_date"].isoformat()]
    day_rows = [t for t in data.targets if t["period_type"] == "DAY"]
    for t in rng.sample(day_rows, min(4, len(day_rows))):
        span = (t["valid_to"] - t["valid_from"]).days
        days.append((t["valid_from"] + datetime.timedelta(days=rng.randint(0, span))
                     ).isoformat())
    weeks = ["2026-W40", "2026-W45", "2026-W47", "2026-W48", "2026-W52", "2026-W53",
             "2027-W01"]
    months = ["2026-10", "2026-11", "2026-12", "2027-01"]
    quarters = ["2026-Q4", "2027-Q1"]
    years = ["2026", "2027"]
    cycles = ["2026-11-01..2026-11-20", "2026-10-01..2027-01-31", "2026-12-24..2027-01-06",
              "2026-11-20..2026-11-20"]
    cyc_rows = sorted({(t["valid_from"], t["valid_to"]) for t in data.targets
                       if t["period_type"] == "CYCLE"})
    for a, b in rng.sample(cyc_rows, min(6, len(cyc_rows))):
        cycles.append("%s..%s" % (a.isoformat(), b.isoformat()))
    seen, out = set(), []
    for p in days + weeks + months + quarters + years + cycles:
        if p not in seen:
            seen.add(p)
            out.append(p)
    assert D(2026, 12, 28) == oracle.parse_period("2026-W53").start
    return out


# As-of dates: inside and outside periods, month and year boundaries, the first
# day of a month on a Sunday (2026-11-01), a holiday (2027-01-01) and the
# first working day after it (2027-01-02), a first day that is a working day
# (2026-12-01).
AS_OFS = ["2026-11-18", "2026-12-09", "2026-12-31", "2027-01-02", "2027-01-03",
          "2025-06-01", "2026-11-20", "2026-10-25", "2026-11-30", "2027-01-10",
          "2026-11-01", "2027-01-01", "2026-12-01"]


def run_seed(tally, kpi, seed, n_sr, keep, pg=None):
    tmp = tempfile.mkdtemp(prefix="kpi_oracle_s%d_" % seed)
    datadir = os.path.join(tmp, "data")
    store = os.path.join(tmp, "s.sqlite")
    if pg:
        TWINS[pg] = store
        store = pg
        del TWIN_DIFFERENCES[:]
    info = gen_data.generate(datadir, seed, n_sr)
    gen_data.validate(datadir)
    print("== seed %d: %s (%d orders, %d visits, %d targets), store %s" % (
        seed, datadir, info["orders"], info["visits"], info["targets"], store))
    failed_before = tally.failed
    rng = random.Random(1000 + seed)

    rc, out, err = run(kpi, store, ["init"])
    if rc != 0:
        tally.fail(show(["--store", store, "init"]), "exit status %d, stderr: %s" % (
            rc, err.strip()[:1000]))
        return tmp, True
    files = [os.path.join(datadir, f) for f in gen_data.FILES]
    rng.shuffle(files)  # "applied in dependency order whatever the argument order"
    rc, out, err = run(kpi, store, ["import"] + files)
    if rc != 0:
        tally.fail(show(["--store", store, "import"] + files),
                   "exit status %d, stderr: %s" % (rc, err.strip()[:3000]))
        return tmp, True
    tally.ok()

    data = oracle.Data(datadir)
    joiner, leaver = info["joiner"], info["leaver"]
    srs = info["srs"]
    periods = periods_for(data, rng, joiner, leaver)
    P = oracle.parse_period
    D = datetime.date.fromisoformat

    def report(period, type_=None, employee=None, as_of=None):
        args = ["report", "--period", period]
        if type_:
            args += ["--type", type_]
        if employee:
            args += ["--employee", employee]
        if as_of:
            args += ["--as-of", as_of]
        args += ["--format", "csv"]
        expected = oracle.report_rows(data, P(period), type_, employee, D(as_of or TODAY))
        compare_table(tally, kpi, store, args, oracle.REPORT_HEADER, REPORT_KEY_COLS,
                      REPORT_TEXT_COLS, REPORT_NUM_COLS, expected)

    def score(period, as_of):
        args = ["score", "--period", period, "--as-of", as_of, "--format", "csv"]
        expected = oracle.score_rows(data, P(period), D(as_of))
        compare_table(tally, kpi, store, args, oracle.SCORE_HEADER, SCORE_KEY_COLS,
                      SCORE_TEXT_COLS, SCORE_NUM_COLS, expected)

    # report for every period, two as-of dates each; score
    for i, p in enumerate(periods):
        report(p, as_of=AS_OFS[i % len(AS_OFS)])
        report(p, as_of=AS_OFS[(i + 3) % len(AS_OFS)])
        score(p, AS_OFS[i % len(AS_OFS)])
    # report with --type (every type) over wide periods
    wide = ["2026-Q4", "2026-11", "2026-12", "2026", "2027-Q1", "2026-W53",
            "2026-10-01..2027-01-31", "2026-11-10..2026-12-20"]
    for i, p in enumerate(wide):
        for j, t in enumerate(oracle.PERIOD_TYPES):
            report(p, type_=t, as_of=AS_OFS[(i + j) % len(AS_OFS)])
    # report with --employee
    for e in ["ASM01", "SS01", "SS02", srs[0], joiner, srs[-1]]:
        for p, t in (("2026-11", None), ("2026-Q4", "WEEK"), ("2026-10-01..2027-01-31", None),
                     ("2026-12", "DAY")):
            report(p, type_=t, employee=e, as_of=rng.choice(AS_OFS))
    # report without --as-of: the pinned today, inside the month it asks for
    report(TODAY[:7])

    # a sample of actual: every KPI code and bare type x employees of every level
    codes = sorted(data.kpis) + [t for t in BARE_TYPES if t not in data.kpis]
    emps = ["*", "ASM01", "SS01", "SS02", srs[0], joiner, leaver, srs[-1]]
    for e in emps:
        for c in codes:
            compare_actual(tally, kpi, store, data, e, c, rng.choice(periods),
                           rng.choice(AS_OFS))
    if pg:
        for cmd, got, twin in TWIN_DIFFERENCES:
            tally.fail(cmd, "PostgreSQL and SQLite differ (exit status, output)", got[:2], twin[:2])
        print("   PostgreSQL twin: %d commands differ from SQLite" % len(TWIN_DIFFERENCES))
    return tmp, tally.failed > failed_before


def main():
    ap = argparse.ArgumentParser(description="compare kpi with the oracle")
    ap.add_argument("--kpi", required=True, help="path to the kpi binary")
    ap.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    ap.add_argument("--employees", type=int, default=6, help="salespeople per data set")
    ap.add_argument("--keep", action="store_true", help="keep the temp dirs")
    ap.add_argument("--lenient-format", action="store_true",
                    help="do not check how kpi formats numbers, only their values")
    ap.add_argument("--max-print", type=int, default=0,
                    help="print at most this many mismatches (0 = all)")
    ap.add_argument("--pg", action="store_true",
                    help="stores on the PostgreSQL server of KPI_TEST_PG, each checked against an SQLite twin")
    args = ap.parse_args()

    kpi = os.path.abspath(args.kpi)
    if not os.path.isfile(kpi) or not os.access(kpi, os.X_OK):
        print("compare.py: error: kpi binary not found or not executable: %s" % kpi,
              file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        print("compare.py: error: bad --seeds %r" % args.seeds, file=sys.stderr)
        return 2

    tally = Tally(args.lenient_format, args.max_print)
    for seed in seeds:
        if args.pg:
            sys.path.insert(0, os.path.join(HERE, "..", "postgres"))
            import pgdb  # noqa: E402
            with pgdb.Database("kpi_oracle_%d_%d" % (os.getpid(), seed)) as db:
                tmp, had_failures = run_seed(tally, kpi, seed, args.employees, args.keep, db.location)
        else:
            tmp, had_failures = run_seed(tally, kpi, seed, args.employees, args.keep)
        if args.keep or had_failures:
            print("   (data and store kept in %s)" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
