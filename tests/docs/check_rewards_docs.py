#!/usr/bin/env python3
"""Check every figure quoted in docs/rewards.md against the real `kpi` (and the rewards oracle).

    check_rewards_docs.py --kpi PATH_TO_KPI [--doc docs/rewards.md] [--verbose]

The doc marks what it quotes:

  <!-- check: example=NAME today=YYYY-MM-DD -->
      From here on, figures are about tests/docs/examples/NAME/ (the thirteen interchange
      files of SPEC §3), in a store of their own created at the first mark naming NAME, with
      KPI_TODAY=today.

  ```console
  $ kpi payout --period 2026-11
  employee_code,plan_code,...
  ```
      Every `kpi` command of a console block runs, in the order of the page, on that
      store, in the example's folder (so `kpi import late/orders.csv` imports the file
      beside the example): a close, an import or a reopen changes what the commands after
      it show.  Its output must be what the page shows: stdout, or for a command that
      fails, what it writes to stderr.  Times ("2026-12-08 09:14:03") stand for the clock's
      and are compared as "<time>".

  | ... | `=KPI.PAYOUT("NV01"; "2026-11")` | 4,125,000 |
      The sum of the employee's own total rows of `kpi payout --period P` (with a KPI: of
      their component rows of it), as the store is at that point of the page.

  | ... | `=KPI.FACTOR("NVBH"; "DS"; 1.05)` | 1.125 |
      The plan's curve for the KPI at that attainment, by the rewards oracle
      (tests/oracle/rewards_oracle.py, written from the SPEC) from the example's files.

The last line printed is `N passed, M failed`; the exit status is 1 when anything failed.
"""

import argparse
import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(HERE, "examples")
DEFAULT_DOC = os.path.join(ROOT, "docs", "rewards.md")
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
sys.path.insert(0, HERE)
import check_kpi_docs  # noqa: E402  (number parsing, table cells, the tally)
import oracle  # noqa: E402
import rewards_oracle  # noqa: E402

FILES = ["employees.csv", "outlets.csv", "products.csv", "routes.csv", "visits.csv", "orders.csv",
         "order_lines.csv", "kpis.csv", "targets.csv", "holidays.csv", "plans.csv",
         "plan_components.csv", "plan_assignments.csv"]
MARK_RE = re.compile(r"<!--\s*check:\s*(.*?)\s*-->")
PAYOUT_RE = re.compile(r"`=KPI\.PAYOUT\(([^)]*)\)`")
FACTOR_RE = re.compile(r"`=KPI\.FACTOR\(([^)]*)\)`")
TIME_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


class Step:
    def __init__(self, line, example, today, kind, args, expected):
        self.line, self.example, self.today = line, example, today
        self.kind, self.args, self.expected = kind, args, expected


def parse_doc(path):
    steps, errors = [], []
    example, today = None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line, no = lines[i], i + 1
        mark = MARK_RE.search(line)
        if mark:
            fields = dict(p.split("=", 1) for p in mark.group(1).split())
            example, today = fields.get("example"), fields.get("today")
            if not example or not os.path.isdir(os.path.join(EXAMPLES, example)) or not today:
                errors.append("rewards.md:%d: a mark needs example=DIR (an existing one) and today=DATE" % no)
        elif line.strip().startswith("```console"):
            i, commands = check_kpi_docs.console_commands(lines, i)
            if commands and not example:
                errors.append("rewards.md:%d: a console block without an example mark" % no)
            for cmd_line, cmd, out in commands:
                steps.append(Step(cmd_line, example, today, "CONSOLE", cmd, "\n".join(out).rstrip() + "\n"))
        elif line.lstrip().startswith("|"):
            cells = check_kpi_docs.table_cells(line)
            for kind, regex in (("PAYOUT", PAYOUT_RE), ("FACTOR", FACTOR_RE)):
                m = regex.search(line)
                if not m:
                    continue
                try:
                    args = [a.strip().strip('"') for a in m.group(1).split(";")]
                    steps.append(Step(no, example, today, kind, args, check_kpi_docs.parse_number(cells[-1])))
                except ValueError as exc:
                    errors.append("rewards.md:%d: %s" % (no, exc))
        i += 1
    return steps, errors


class Stores:
    """One store per example, made on first use from its thirteen files."""

    def __init__(self, kpi):
        self.kpi = kpi
        self.tmp = tempfile.mkdtemp(prefix="kpi-rewards-docs-")
        self.paths = {}

    def run(self, example, today, args):
        folder = os.path.join(EXAMPLES, example)
        env = dict(os.environ, KPI_TODAY=today)
        if example not in self.paths:
            store = os.path.join(self.tmp, example + ".sqlite")
            for argv in (["init"], ["import"] + FILES):
                p = subprocess.run([self.kpi, "--store", store] + argv, cwd=folder, env=env,
                                   capture_output=True, text=True)
                if p.returncode != 0:
                    raise RuntimeError("kpi %s failed: %s" % (" ".join(argv), p.stderr.strip()))
            self.paths[example] = store
        return subprocess.run([self.kpi, "--store", self.paths[example]] + args, cwd=folder, env=env,
                              capture_output=True, text=True)

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def masked(text):
    return TIME_RE.sub("<time>", text)


def check(tally, step, stores):
    where = "rewards.md:%d" % step.line
    if step.kind == "CONSOLE":
        argv = shlex.split(step.args)
        if not argv or argv[0] != "kpi":
            tally.check(False, where, step.args, "only `kpi` commands are checked")
            return
        p = stores.run(step.example, step.today, argv[1:])
        got = (p.stdout if p.returncode == 0 else p.stderr).rstrip() + "\n"
        tally.check(masked(got) == masked(step.expected), where, step.args,
                    "doc:\n%s      kpi (exit status %d):\n%s" % (step.expected, p.returncode, got))
        return
    if step.kind == "PAYOUT":
        employee, period = step.args[0], step.args[1]
        kpi_code = step.args[2] if len(step.args) > 2 else None
        p = stores.run(step.example, step.today, ["payout", "--period", period, "--employee", employee])
        if p.returncode != 0:
            tally.check(False, where, "KPI.PAYOUT%s" % step.args, p.stderr.strip())
            return
        rows = [r for r in csv.DictReader(io.StringIO(p.stdout)) if r["employee_code"] == employee
                and (r["kind"] == "component" and r["kpi_code"] == kpi_code if kpi_code else r["kind"] == "total")]
        got = sum(Decimal(r["amount"]) for r in rows) if rows else None
        tally.check(got == step.expected, where, "KPI.PAYOUT(%s)" % "; ".join(step.args),
                    "doc: %s, kpi: %s" % (step.expected, got))
        return
    plan, kpi_code, attainment = step.args
    plans, _ = rewards_oracle.read_plans(os.path.join(EXAMPLES, step.example))
    p = plans[plan]
    points = [c[2] for c in p.components if c[0] == kpi_code][0]
    got = rewards_oracle.curve_factor(points, p.curve_mode, Fraction(attainment))
    tally.check(Decimal(oracle.fmt_number(got)) == step.expected, where,
                "[oracle] KPI.FACTOR(%s)" % "; ".join(step.args), "doc: %s, oracle: %s" % (step.expected, got))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--doc", default=DEFAULT_DOC)
    ap.add_argument("--kpi", required=True, help="the kpi binary")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args(argv)
    tally = check_kpi_docs.Tally(args.verbose)
    steps, errors = parse_doc(args.doc)
    for e in errors:
        tally.check(False, e, "")
    tally.check(any(s.kind == "CONSOLE" for s in steps), os.path.basename(args.doc), "runs kpi commands")
    stores = Stores(os.path.abspath(args.kpi))
    try:
        for step in steps:
            try:
                check(tally, step, stores)
            except RuntimeError as exc:
                tally.check(False, "rewards.md:%d" % step.line, step.kind, str(exc))
    finally:
        stores.close()
    kinds = {}
    for s in steps:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    print("figures in the doc: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
