#!/usr/bin/env python3
"""A DMS writing directly (tests/faults/dms_writer.py: one small order every
100 ms, busy_timeout 60 s, foreign keys on) while `kpi import` imports a data
set of size M (200 salespeople, 3 months, ~835,000 order lines) into its store,
then while it imports the same files again (every order re-imported: each is
checked for lines the DMS dropped). Promised (docs/reliability.md): no write of
the DMS fails, every one of them is in the store afterwards with its change-log
row, and so is every imported row.

Usage: test_writer_during_import.py --kpi KPI [--size 200] [--months 3] [--json OUT]
The writer's longest wait is printed; `make bench` compares it with the import's time.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dms_writer import DmsWriter  # noqa: E402

DIMENSIONS = ("employees.csv", "outlets.csv", "products.csv", "routes.csv", "kpis.csv", "holidays.csv",
              "targets.csv")


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}")
    return p


def rows(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kpi", required=True)
    ap.add_argument("--size", type=int, default=200)
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    kpi = os.path.abspath(args.kpi)
    work = tempfile.mkdtemp(prefix="kpi-writer-")
    failures = []

    def check(condition, what):
        print(("ok    " if condition else "FAIL  ") + what)
        if not condition:
            failures.append(what)

    try:
        data = os.path.join(work, "data")
        run(kpi, "demo-data", "--csv-only", "--csv-dir", data, "--size", str(args.size), "--months", str(args.months),
            "--seed", "42", "--until", "2026-11-20")
        files = sorted(os.path.join(data, f) for f in os.listdir(data) if f.endswith(".csv"))
        store = os.path.join(work, "store.sqlite")
        run(kpi, "--store", store, "init")
        run(kpi, "--store", store, "import", *[f for f in files if os.path.basename(f) in DIMENSIONS])
        imported_orders = rows(os.path.join(data, "orders.csv"))
        imported_lines = rows(os.path.join(data, "order_lines.csv"))

        results = []
        for label, prefix in (("first import", "DMSA"), ("same files again", "DMSB")):
            with DmsWriter(store, prefix=prefix) as writer:
                time.sleep(1)
                t = time.monotonic()
                p = run(kpi, "--store", store, "import", *files)
                import_s = time.monotonic() - t
                time.sleep(1)
            r = writer.result
            con = sqlite3.connect(store)
            kept = con.execute("SELECT count(*) FROM orders WHERE order_code LIKE ?", (prefix + "%",)).fetchone()[0]
            logged = con.execute("SELECT count(DISTINCT ref) FROM changes WHERE source = 'orders' AND ref LIKE ?",
                                 (prefix + "%",)).fetchone()[0]
            orders = con.execute("SELECT count(*) FROM orders WHERE order_code NOT LIKE 'DMS%'").fetchone()[0]
            lines = con.execute("SELECT count(*) FROM order_lines WHERE order_code NOT LIKE 'DMS%'").fetchone()[0]
            con.close()
            print(f"{label}: import {import_s:.2f} s; the DMS made {r['writes']} writes, {r['failed']} failed, "
                  f"longest wait {r['max_wait_s']:.2f} s, median {r['median_wait_s'] * 1000:.1f} ms")
            check(r["failed"] == 0, f"{label}: no DMS write failed {r['errors']}")
            check(r["writes"] >= import_s / 0.1 * 0.5, f"{label}: the DMS kept writing during the import")
            check(kept == r["committed"], f"{label}: every committed DMS order is in the store ({kept})")
            check(logged == r["committed"], f"{label}: every DMS order is in the change log ({logged})")
            check(orders == imported_orders and lines == imported_lines,
                  f"{label}: every imported order and line is in the store ({orders}, {lines})")
            results.append({"label": label, "import_s": import_s, **r})
            if label == "same files again":
                check("0 new or changed" in p.stderr, "the same files again change nothing")
        if args.json:
            os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
            with open(args.json, "w") as f:
                json.dump({"name": "writer_during_import", "size": args.size, "runs": results,
                           "failures": failures}, f, indent=2)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
