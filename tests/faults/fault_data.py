#!/usr/bin/env python3
"""Data for the fault suite: a small demo distributor (the project's own
generator) split in two imports.

  OUT/before/  every dimension file, and the first month's orders, lines and visits
  OUT/after/   everything again (the first month unchanged, so mostly no-ops),
               the second month, and what a DMS sends when it amends: some
               first-month orders cancelled, some with a line dropped (SPEC §3),
               some targets edited (audit rows)
  OUT/targets.csv  the edited targets alone (a targets publication)

Usage: fault_data.py --kpi KPI --out DIR [--size 20] [--months 2]
"""
import argparse
import csv
import io
import os
import shutil
import subprocess
import sys

FACTS = ("orders.csv", "order_lines.csv", "visits.csv")


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(path, header, rows):
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kpi", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, default=20)
    ap.add_argument("--months", type=int, default=2)
    args = ap.parse_args()
    full = os.path.join(args.out, "full")
    before, after = os.path.join(args.out, "before"), os.path.join(args.out, "after")
    for d in (full, before, after):
        shutil.rmtree(d, ignore_errors=True)
    p = subprocess.run([args.kpi, "demo-data", "--csv-only", "--csv-dir", full, "--size", str(args.size), "--months",
                        str(args.months), "--seed", "11", "--until", "2026-11-20"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"fault_data: demo-data failed:\n{p.stderr}")
    os.makedirs(before)
    os.makedirs(after)
    cut = "2026-11-01"  # the first month is before it

    orders_header, orders = read(os.path.join(full, "orders.csv"))
    lines_header, lines = read(os.path.join(full, "order_lines.csv"))
    visits_header, visits = read(os.path.join(full, "visits.csv"))
    time_col, status_col = orders_header.index("order_time"), orders_header.index("status")
    early = {o[0] for o in orders if o[time_col] < cut}
    visit_time = visits_header.index("visit_time")

    for name in os.listdir(full):
        if name.endswith(".csv") and name not in FACTS:
            shutil.copyfile(os.path.join(full, name), os.path.join(before, name))
    write(os.path.join(before, "orders.csv"), orders_header, [o for o in orders if o[0] in early])
    write(os.path.join(before, "order_lines.csv"), lines_header, [l for l in lines if l[0] in early])
    write(os.path.join(before, "visits.csv"), visits_header, [v for v in visits if v[visit_time] < cut])

    # After: every fifth approved early order cancelled; every seventh early
    # order with two lines or more loses its last line.
    amended_orders = []
    for i, o in enumerate(orders):
        o = list(o)
        if o[0] in early and o[status_col] == "approved" and i % 5 == 0:
            o[status_col] = "cancelled"
        amended_orders.append(o)
    count = {}
    for l in lines:
        count[l[0]] = count.get(l[0], 0) + 1
    last_line = {}
    for l in lines:
        last_line[l[0]] = l[1]
    dropping = {code for i, code in enumerate(sorted(early)) if i % 7 == 0 and count.get(code, 0) >= 2}
    kept_lines = [l for l in lines if not (l[0] in dropping and l[1] == last_line[l[0]])]
    for name in os.listdir(full):
        if name.endswith(".csv") and name not in FACTS and name != "targets.csv":
            shutil.copyfile(os.path.join(full, name), os.path.join(after, name))
    write(os.path.join(after, "orders.csv"), orders_header, amended_orders)
    write(os.path.join(after, "order_lines.csv"), lines_header, kept_lines)
    write(os.path.join(after, "visits.csv"), visits_header, visits)
    targets_header, targets = read(os.path.join(full, "targets.csv"))
    target_col = targets_header.index("target")
    edited = [list(t) for t in targets]
    for i, t in enumerate(edited):
        if i % 3 == 0:
            t[target_col] = str(round(float(t[target_col]) * 1.1, 2))
    write(os.path.join(after, "targets.csv"), targets_header, edited)
    write(os.path.join(args.out, "targets.csv"), targets_header, edited)
    print(f"fault data in {args.out}: {len(early)} early orders, {len(orders) - len(early)} later, "
          f"{len(dropping)} amended with a dropped line, {len(targets) // 3 + 1} targets edited")


if __name__ == "__main__":
    main()
