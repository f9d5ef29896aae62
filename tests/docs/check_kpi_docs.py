#!/usr/bin/env python3
"""Check every figure quoted in docs/kpis.md against the SPEC oracle (and the real `kpi`).

    check_kpi_docs.py [--doc docs/kpis.md] [--kpi PATH_TO_KPI] [--verbose]

The doc marks what it quotes; this script finds those marks and recomputes them:

  <!-- check: example=NAME as-of=YYYY-MM-DD -->
      From here on, figures are about tests/docs/examples/NAME/ (the ten interchange CSV
      files of SPEC §3), seen on the as-of date (which moves only projections).

  | ... | `=KPI.ACTUAL("NV01"; "SALES"; "2026-11")` | 3,130,000 |
      A table row with a KPI.ACTUAL / TARGET / ATTAINMENT / PROJECTED / SCORE formula in a
      code span: the value is the row's last cell (thousands commas allowed, `#N/A` =
      none). Re-run as `oracle.py DIR actual|target|... E K P --as-of D`.

  | ... | `W(2026-09-16..2026-09-30)` | 13 |
      A count of working days (Monday-Saturday minus the example's holidays.csv).

  | `2026-W53` | WEEK | 2026-12-28 .. 2027-01-03 |
      A row of the period grammar: text, type, range.

  ```console
  $ kpi actual NV01 VOLUME 2026-W53
  14
  ```
      A `kpi actual|report|score` command under an example mark, with its exact output.

With --kpi, every example is also imported into a fresh store of the real binary
(`kpi --store TMP init`, `kpi --store TMP import FILES`) and each ACTUAL formula and console
command is run there too (`kpi --store TMP actual E K P --as-of D`). TARGET, ATTAINMENT,
PROJECTED and SCORE formulas are compared with the matching row of `kpi report` / `kpi
score` when the report has one (a figure only the Calc function shows, such as a DAY-target
sum, is checked against the oracle alone).

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
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(HERE, "examples")
ORACLE = os.path.join(ROOT, "tests", "oracle", "oracle.py")
DEFAULT_DOC = os.path.join(ROOT, "docs", "kpis.md")

sys.path.insert(0, os.path.dirname(ORACLE))
import oracle  # noqa: E402  (only for the period grammar and the working-day count)

# SPEC §3: the ten interchange files and the columns each must carry (required ones).
INTERCHANGE_FILES = {
    "employees.csv": ["code", "name", "role", "start_date"],
    "outlets.csv": ["code", "name", "created_date"],
    "products.csv": ["sku", "name"],
    "routes.csv": ["employee_code", "outlet_code", "valid_from"],
    "visits.csv": ["visit_code", "employee_code", "outlet_code", "visit_time"],
    "orders.csv": ["order_code", "employee_code", "outlet_code", "order_time", "type", "status"],
    "order_lines.csv": ["order_code", "line_no", "sku", "quantity", "amount"],
    "kpis.csv": ["code", "type", "name_vi", "name_en"],
    "targets.csv": ["employee_code", "kpi_code", "period_type", "valid_from", "valid_to", "target"],
    "holidays.csv": ["date"],
}

MARK_RE = re.compile(r"<!--\s*check:\s*(.*?)\s*-->")
FORMULA_RE = re.compile(r"`=KPI\.(ACTUAL|TARGET|ATTAINMENT|PROJECTED|SCORE)\(([^)]*)\)`")
WORKDAYS_RE = re.compile(r"`W\((\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d)\)`")
RANGE_RE = re.compile(r"^(\d{4}-\d\d-\d\d)(?:\s*\.\.\s*(\d{4}-\d\d-\d\d))?$")
REPORT_COLUMN = {"TARGET": "target", "ATTAINMENT": "attainment", "PROJECTED": "projected"}


class Figure:
    """One quoted figure: where it is, what to run, what the doc says."""

    def __init__(self, line, example, as_of, kind, args, expected):
        self.line = line
        self.example = example
        self.as_of = as_of
        self.kind = kind          # ACTUAL, TARGET, ..., SCORE, W, PERIOD, CONSOLE
        self.args = args
        self.expected = expected  # a str (CONSOLE, PERIOD) or a Decimal / None

    def where(self):
        return "kpis.md:%d" % self.line


def parse_number(cell):
    """A doc value: '3,130,000' / '**0.75**' / '#N/A' (none)."""
    text = cell.replace("*", "").replace(",", "").replace("\u00a0", "").strip()
    if text == "#N/A":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number: %r" % cell)


def output_number(text):
    text = text.strip()
    return None if text == "" else Decimal(text)


def table_cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def console_commands(lines, i):
    """The commands of the console block that opens at lines[i]: (the index of its
    closing fence, [(line number, command, output lines)])."""
    i += 1
    commands = []
    while i < len(lines) and not lines[i].strip().startswith("```"):
        if lines[i].startswith("$ "):
            commands.append((i + 1, lines[i][2:], []))
        elif commands:
            commands[-1][2].append(lines[i])
        i += 1
    return i, commands


def parse_doc(path):
    """All figures of the doc, and the parse errors."""
    figures, errors = [], []
    example, as_of = None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line, no = lines[i], i + 1
        mark = MARK_RE.search(line)
        if mark:
            fields = dict(p.split("=", 1) for p in mark.group(1).split())
            example, as_of = fields.get("example"), fields.get("as-of")
            if example and not os.path.isdir(os.path.join(EXAMPLES, example)):
                errors.append("kpis.md:%d: no example directory %s" % (no, example))
        elif line.strip().startswith("```console"):
            if not example:
                errors.append("kpis.md:%d: console block without an example mark" % no)
            i, commands = console_commands(lines, i)
            for cmd_line, cmd, out in commands:
                figures.append(Figure(cmd_line, example, as_of, "CONSOLE", cmd,
                                      "\n".join(out).rstrip() + "\n"))
        elif line.lstrip().startswith("|"):
            cells = table_cells(line)
            formula = FORMULA_RE.search(line)
            workdays = WORKDAYS_RE.search(line)
            try:
                if formula:
                    if not example:
                        raise ValueError("a formula without an example mark")
                    args = [a.strip().strip('"') for a in formula.group(2).split(";")]
                    figures.append(Figure(no, example, as_of, formula.group(1), args,
                                          parse_number(cells[-1])))
                elif workdays:
                    if not example:
                        raise ValueError("a working-day count without an example mark")
                    figures.append(Figure(no, example, as_of, "W",
                                          [workdays.group(1), workdays.group(2)],
                                          parse_number(cells[-1])))
                elif (len(cells) >= 3 and cells[0].startswith("`") and cells[0].endswith("`")
                      and cells[1] in oracle.PERIOD_TYPES and RANGE_RE.match(cells[2])):
                    m = RANGE_RE.match(cells[2])
                    figures.append(Figure(no, None, None, "PERIOD", [cells[0].strip("`")],
                                          (cells[1], m.group(1), m.group(2) or m.group(1))))
            except (ValueError, IndexError) as exc:
                errors.append("kpis.md:%d: %s" % (no, exc))
        i += 1
    return figures, errors


# --------------------------------------------------------------------------------------
# The two implementations
# --------------------------------------------------------------------------------------

def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), p.returncode, p.stderr.strip()))
    return p.stdout


def example_dir(name):
    return os.path.join(EXAMPLES, name)


def run_oracle(example, *args):
    return run([sys.executable, ORACLE, example_dir(example), *args])


class KpiBinary:
    """The real `kpi`, one store per example, created on first use."""

    def __init__(self, path):
        self.path = path
        self.tmp = tempfile.mkdtemp(prefix="kpi-docs-")
        self.stores = {}

    def store(self, example):
        if example not in self.stores:
            store = os.path.join(self.tmp, example + ".sqlite")
            files = [os.path.join(example_dir(example), n) for n in sorted(INTERCHANGE_FILES)]
            run([self.path, "--store", store, "init"])
            run([self.path, "--store", store, "import", *files])
            self.stores[example] = store
        return self.stores[example]

    def __call__(self, example, *args):
        return run([self.path, "--store", self.store(example), *args])

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def formula_command(fig):
    """The oracle / kpi arguments of a formula figure."""
    kind = fig.kind
    if kind == "SCORE":
        employee, period = fig.args
        return ["score", "--period", period, "--as-of", fig.as_of], employee
    employee, kpi_code, period = fig.args
    return [kind.lower(), employee, kpi_code, period, "--as-of", fig.as_of], None


def oracle_value(fig):
    if fig.kind == "W":
        data = oracle.Data(example_dir(fig.example))
        start, end = (oracle.Date.fromisoformat(a) for a in fig.args)
        return Decimal(oracle.W(data, start, end))
    argv, employee = formula_command(fig)
    out = run_oracle(fig.example, *argv)
    if fig.kind == "SCORE":
        rows = [r for r in csv_rows(out) if r["employee_code"] == employee]
        return output_number(rows[0]["score"]) if rows else None
    return output_number(out)


def kpi_value(kpi, fig):
    """The binary's value of a formula figure; raises LookupError when the binary
    has no command that shows it."""
    if fig.kind == "W":
        raise LookupError("working days are not printed by kpi")
    if fig.kind == "ACTUAL":
        employee, kpi_code, period = fig.args
        return output_number(kpi(fig.example, "actual", employee, kpi_code, period,
                                 "--as-of", fig.as_of))
    if fig.kind == "SCORE":
        employee, period = fig.args
        rows = [r for r in csv_rows(kpi(fig.example, "score", "--period", period,
                                        "--as-of", fig.as_of))
                if r["employee_code"] == employee]
        if not rows:
            raise LookupError("no score row")
        return output_number(rows[0]["score"])
    employee, kpi_code, period = fig.args
    ptype = oracle.parse_period(period).type
    if employee == oracle.ALL or ptype == "CYCLE":
        raise LookupError("no report row to compare with")
    rows = [r for r in csv_rows(kpi(fig.example, "report", "--period", period, "--employee",
                                    employee, "--as-of", fig.as_of))
            if r["employee_code"] == employee and r["kpi_code"] == kpi_code
            and r["period_type"] == ptype]
    if len(rows) != 1:
        raise LookupError("no report row to compare with")
    return output_number(rows[0][REPORT_COLUMN[fig.kind]])


def console_argv(fig):
    argv = shlex.split(fig.args)
    if not argv or argv[0] != "kpi" or len(argv) < 2 or argv[1] not in ("actual", "report", "score"):
        raise ValueError("only `kpi actual|report|score` commands are checked: %s" % fig.args)
    return argv[1:]


# --------------------------------------------------------------------------------------
# Checking
# --------------------------------------------------------------------------------------

class Tally:
    def __init__(self, verbose):
        self.passed = 0
        self.failed = 0
        self.kpi_skipped = 0
        self.verbose = verbose

    def check(self, ok, where, what, detail=""):
        if ok:
            self.passed += 1
            if self.verbose:
                print("ok    %s %s" % (where, what))
        else:
            self.failed += 1
            print("FAIL  %s %s%s" % (where, what, ("\n      " + detail) if detail else ""))


def show(v):
    return "#N/A" if v is None else str(v)


def check_examples(tally):
    """Every example directory carries the ten SPEC §3 files, each with its header."""
    for name in sorted(os.listdir(EXAMPLES)):
        folder = example_dir(name)
        if not os.path.isdir(folder):
            continue
        for file_name, required in sorted(INTERCHANGE_FILES.items()):
            path = os.path.join(folder, file_name)
            header = []
            if os.path.exists(path):
                with open(path, encoding="utf-8-sig", newline="") as f:
                    header = next(csv.reader(f), [])
            missing = [c for c in required if c not in header]
            tally.check(os.path.exists(path) and not missing, "examples/%s/%s" % (name, file_name),
                        "has a header with the SPEC columns", "missing: %s" % (missing or "the file"))


def check_figure(tally, fig, kpi):
    label = "%s %s" % (fig.kind, fig.args if isinstance(fig.args, str) else " ".join(fig.args))
    where = fig.where()
    if fig.kind == "PERIOD":
        text = fig.args[0]
        try:
            p = oracle.parse_period(text)
            got = (p.type, p.start.isoformat(), p.end.isoformat())
        except oracle.OracleError as exc:
            got = ("error", str(exc), "")
        tally.check(got == fig.expected, where, "period %s" % text,
                    "doc: %s, oracle: %s" % (fig.expected, got))
        return
    if fig.kind == "CONSOLE":
        try:
            argv = console_argv(fig)
        except ValueError as exc:
            tally.check(False, where, label, str(exc))
            return
        impls = [("oracle", lambda: run_oracle(fig.example, *argv))]
        if kpi:
            impls.append(("kpi", lambda: kpi(fig.example, *argv)))
        for name, call in impls:
            try:
                got = call().rstrip() + "\n"
            except RuntimeError as exc:
                tally.check(False, where, "[%s] %s" % (name, label), str(exc))
                continue
            tally.check(got == fig.expected, where, "[%s] %s" % (name, label),
                        "doc:\n%s      %s:\n%s" % (fig.expected, name, got))
        return
    if fig.kind != "W" and not fig.as_of:
        tally.check(False, where, label, "the example mark gives no as-of date")
        return
    try:
        got = oracle_value(fig)
        tally.check(got == fig.expected, where, "[oracle] %s" % label,
                    "doc: %s, oracle: %s" % (show(fig.expected), show(got)))
    except (RuntimeError, IndexError, ValueError) as exc:
        tally.check(False, where, "[oracle] %s" % label, str(exc))
    if kpi and fig.kind != "W":
        try:
            got = kpi_value(kpi, fig)
            tally.check(got == fig.expected, where, "[kpi] %s" % label,
                        "doc: %s, kpi: %s" % (show(fig.expected), show(got)))
        except LookupError:
            tally.kpi_skipped += 1
        except (RuntimeError, ValueError) as exc:
            tally.check(False, where, "[kpi] %s" % label, str(exc))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--doc", default=DEFAULT_DOC)
    ap.add_argument("--kpi", help="the kpi binary; also check every figure it can print")
    ap.add_argument("--verbose", "-v", action="store_true", help="list the passing checks too")
    args = ap.parse_args(argv)

    tally = Tally(args.verbose)
    figures, errors = parse_doc(args.doc)
    for e in errors:
        tally.check(False, e, "")
    tally.check(len(figures) > 0, os.path.basename(args.doc), "quotes checked figures")
    check_examples(tally)

    kpi = None
    if args.kpi:
        if not os.access(args.kpi, os.X_OK):
            print("check_kpi_docs: %s is not an executable" % args.kpi, file=sys.stderr)
            return 2
        kpi = KpiBinary(os.path.abspath(args.kpi))
    try:
        for fig in figures:
            check_figure(tally, fig, kpi)
    finally:
        if kpi:
            kpi.close()

    kinds = {}
    for fig in figures:
        kinds[fig.kind] = kinds.get(fig.kind, 0) + 1
    print("figures in the doc: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    if kpi:
        print("kpi: %d figures only a Calc function shows were checked against the oracle alone"
              % tally.kpi_skipped)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
