#!/usr/bin/env python3
"""`make bench`: SalesKPI against its baselines, side by side in one run.

Data sets (the project's own demo generator, seed 42, up to 2026-11-20):
  S: 40 salespeople, 3 months    M: 200 salespeople, 3 months (~700k order lines)
  L: 1,000 salespeople, 4 months (>5M order lines)
Measures, per set:
  1. `kpi import` of the CSV files vs a raw `sqlite3 .import` of the same files
  2. a month's `kpi report` vs a hand-written SQL query over the raw tables, and the
     same month's `kpi payout` (every plan of the company, SPEC §9) vs that `kpi report`
  3. the incremental refresh after 1,000 new orders vs a full rebuild (engine_bench)
  5. peak memory of `kpi report`
  6. a DMS writer committing one small order every 100 ms (busy_timeout 60 s)
     during `kpi import` of the set into a store holding its people, outlets and
     products: writes, failed writes, the writer's longest wait, the import's
     time (with --baseline-kpi, the same for another build, alternately)
  7. `kpi recommend` for the whole company for the month vs that month's `kpi report`,
     side by side (issue 14: at most 3x on L)
and, once: `kpi demo-data` + a month report (the demo a new user runs), and the
targets backtest of issue 14 (tests/bench/backtest_targets.py: 40 salespeople,
24 months with seasons; results and a plot in build/bench/).
The office measurements (4, and the office half of 5) are added by
tests/office when the extension is built.
Results: a table on stdout and build/bench/results.json.
"""
import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "faults"))
from dms_writer import DmsWriter  # noqa: E402

SIZES = {"S": (40, 3), "M": (200, 3), "L": (1000, 4)}
UNTIL = "2026-11-20"
MONTH = "2026-11"

RAW_MONTH_SQL = """
WITH o AS (
  SELECT order_code, employee_code, outlet_code, substr(order_time, 1, 10) AS d, type
  FROM orders WHERE status = 'approved' AND order_time >= '2026-11-01' AND order_time < '2026-12-01'),
l AS (
  SELECT o.employee_code, o.outlet_code, o.d, o.type, ol.sku, CAST(ol.amount AS REAL) AS amount
  FROM o JOIN order_lines ol ON ol.order_code = o.order_code),
calls AS (
  SELECT employee_code, outlet_code, d, count(DISTINCT sku) AS skus FROM l WHERE type = 'sale'
  GROUP BY employee_code, outlet_code, d),
v AS (
  SELECT employee_code, count(*) AS visits FROM visits
  WHERE visit_time >= '2026-11-01' AND visit_time < '2026-12-01' GROUP BY employee_code)
SELECT s.employee_code, s.sales, c.pc, c.lppc, c.aso, v.visits FROM
  (SELECT employee_code, sum(CASE WHEN type = 'sale' THEN amount ELSE -amount END) AS sales FROM l
   GROUP BY employee_code) s
  LEFT JOIN (SELECT employee_code, count(*) AS pc, 1.0 * sum(skus) / count(*) AS lppc,
             count(DISTINCT outlet_code) AS aso FROM calls GROUP BY employee_code) c USING (employee_code)
  LEFT JOIN v USING (employee_code)
ORDER BY s.employee_code;
"""


def timed(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return elapsed, p


def median_of(n, fn):
    return statistics.median(fn() for _ in range(n))


def make_data(kpi, out, size):
    people, months = SIZES[size]
    stamp = os.path.join(out, ".complete")
    # Data made before the demo had reward plans is made again.
    if os.path.exists(stamp) and os.path.exists(os.path.join(out, "plans.csv")):
        return
    shutil.rmtree(out, ignore_errors=True)
    timed([kpi, "demo-data", "--csv-only", "--csv-dir", out, "--size", str(people), "--months", str(months),
           "--seed", "42", "--until", UNTIL])
    open(stamp, "w").close()


def csv_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".csv"))


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f) - 1


def raw_import(db, files):
    if os.path.exists(db):
        os.remove(db)
    script = "".join(f".import --csv {f} {os.path.basename(f)[:-4]}\n" for f in files)
    t = time.perf_counter()
    p = subprocess.run(["sqlite3", db], input=script, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"bench: raw import failed: {p.stderr}")
    # Indexes a hand-written query would want; not part of the timed import.
    con = sqlite3.connect(db)
    con.executescript("CREATE INDEX l_order ON order_lines(order_code); CREATE INDEX o_time ON orders(order_time);"
                      "CREATE INDEX v_time ON visits(visit_time); ANALYZE;")
    con.close()
    return elapsed


def new_order_sets(data_dir, out_dir, sets=3, orders=1000):
    """Fresh orders of existing salespeople, outlets and SKUs, on the last day."""
    rng = random.Random(7)
    with open(os.path.join(data_dir, "routes.csv"), encoding="utf-8") as f:
        stops = [(r["employee_code"], r["outlet_code"]) for r in csv.DictReader(f) if not r["valid_to"]]
    with open(os.path.join(data_dir, "products.csv"), encoding="utf-8") as f:
        skus = [r["sku"] for r in csv.DictReader(f)]
    folders = []
    for s in range(sets):
        folder = os.path.join(out_dir, f"new{s}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "orders.csv"), "w", encoding="utf-8") as o, \
                open(os.path.join(folder, "order_lines.csv"), "w", encoding="utf-8") as l:
            o.write("order_code,employee_code,outlet_code,order_time,type,status,approved_time\n")
            l.write("order_code,line_no,sku,quantity,amount\n")
            for i in range(orders):
                emp, outlet = rng.choice(stops)
                code = f"BENCH{s}-{i}"
                o.write(f"{code},{emp},{outlet},{UNTIL} 15:{i % 60:02d}:00,sale,approved,{UNTIL} 16:00:00\n")
                for n, sku in enumerate(rng.sample(skus, rng.randint(1, 5))):
                    q = rng.randint(1, 20)
                    l.write(f"{code},{n + 1},{sku},{q},{q * 10000}\n")
        folders.append(folder)
    return folders


def peak_rss_mb(cmd):
    p = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {cmd} failed: {p.stderr}")
    return int(p.stderr.strip().splitlines()[-1]) / 1024


def bench_size(args, size, results):
    kpi, build = args.kpi, args.build
    work = os.path.join(build, "bench")
    data = os.path.join(work, "data", size)
    print(f"== {size}: generating data…", file=sys.stderr, flush=True)
    make_data(kpi, data, size)
    files = csv_files(data)
    lines = count_lines(os.path.join(data, "order_lines.csv"))
    orders = count_lines(os.path.join(data, "orders.csv"))
    r = {"salespeople": SIZES[size][0], "order_lines": lines, "orders": orders}

    print(f"== {size}: import ({lines} order lines)…", file=sys.stderr, flush=True)
    store = os.path.join(work, f"{size}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    timed([kpi, "--store", store, "init"])
    r["import_s"], _ = timed([kpi, "--store", store, "import", *files])
    raw_db = os.path.join(work, f"{size}-raw.sqlite")
    r["raw_import_s"] = raw_import(raw_db, files)
    r["import_ratio"] = r["import_s"] / r["raw_import_s"]

    print(f"== {size}: month report…", file=sys.stderr, flush=True)
    report_cmd = [kpi, "--store", store, "report", "--period", MONTH, "--as-of", UNTIL]
    _, p = timed(report_cmd)
    r["report_rows"] = len(p.stdout.splitlines()) - 1
    r["report_s"] = median_of(5, lambda: timed(report_cmd)[0])
    r["raw_sql_s"] = median_of(5, lambda: timed(["sqlite3", raw_db], input=RAW_MONTH_SQL)[0])
    r["report_ratio"] = r["report_s"] / r["raw_sql_s"]

    print(f"== {size}: month payout…", file=sys.stderr, flush=True)
    payout_cmd = [kpi, "--store", store, "payout", "--period", MONTH]
    _, p = timed(payout_cmd)
    r["payout_rows"] = len(p.stdout.splitlines()) - 1
    # Side by side: each round times the report and the payout back to back.
    pairs = [(timed(report_cmd)[0], timed(payout_cmd)[0]) for _ in range(5)]
    r["payout_report_s"] = statistics.median(a for a, _ in pairs)
    r["payout_s"] = statistics.median(b for _, b in pairs)
    r["payout_ratio"] = r["payout_s"] / r["payout_report_s"]

    print(f"== {size}: recommended targets for the month…", file=sys.stderr, flush=True)
    # Recommended from the data before the month, as on its last day of data.
    recommend_cmd = [kpi, "--store", store, "recommend", "--period", MONTH, "--as-of", UNTIL]
    _, p = timed(recommend_cmd)
    r["recommend_rows"] = len(p.stdout.splitlines()) - 1
    pairs = [(timed(report_cmd)[0], timed(recommend_cmd)[0]) for _ in range(3)]
    r["recommend_report_s"] = statistics.median(a for a, _ in pairs)
    r["recommend_s"] = statistics.median(b for _, b in pairs)
    r["recommend_ratio"] = r["recommend_s"] / r["recommend_report_s"]

    print(f"== {size}: incremental refresh…", file=sys.stderr, flush=True)
    inc_store = os.path.join(work, f"{size}-inc.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(inc_store + suffix):
            os.remove(inc_store + suffix)
    src, dst = sqlite3.connect(store), sqlite3.connect(inc_store)
    src.backup(dst)  # a consistent copy, WAL included
    src.close()
    dst.close()
    sets = new_order_sets(data, os.path.join(work, f"{size}-new"))
    _, p = timed([args.engine_bench, inc_store, *sets])
    inc = json.loads(p.stdout)
    r["incremental_s"], r["rebuild_s"] = inc["incremental_s"], inc["rebuild_s"]
    r["incremental_ratio"] = inc["ratio"]
    os.remove(inc_store)

    bench_writer(args, size, files, r)

    r["kpi_peak_mb"] = peak_rss_mb(report_cmd)
    r["kpi_actual_star_year_peak_mb"] = peak_rss_mb([kpi, "--store", store, "actual", "*", "ASO", "2026"])
    results["sizes"][size] = r


DIMENSION_FILES = ("employees.csv", "outlets.csv", "products.csv", "routes.csv", "kpis.csv", "holidays.csv",
                   "targets.csv")


def writer_during_import(kpi, work, label, files):
    """One import of all files, with the DMS writer running from a second before
    to a second after it; the store holds the set's dimensions beforehand (the
    writer's orders refer to them)."""
    store = os.path.join(work, f"writer-{label}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    timed([kpi, "--store", store, "init"])
    timed([kpi, "--store", store, "import", *[f for f in files if os.path.basename(f) in DIMENSION_FILES]])
    with DmsWriter(store) as writer:
        time.sleep(1)
        import_s, _ = timed([kpi, "--store", store, "import", *files])
        time.sleep(1)
    con = sqlite3.connect(store)
    kept = con.execute("SELECT count(*) FROM orders WHERE order_code LIKE 'DMSW%'").fetchone()[0]
    con.close()
    os.remove(store)
    r = writer.result
    return {"import_s": import_s, "writes": r["writes"], "failed": r["failed"], "errors": r["errors"],
            "max_wait_s": r["max_wait_s"], "median_wait_s": r["median_wait_s"], "orders_in_store": kept}


def bench_writer(args, size, files, r):
    print(f"== {size}: a DMS writer during the import…", file=sys.stderr, flush=True)
    work = os.path.join(args.build, "bench")
    builds = [("kpi", args.kpi)] + ([("baseline", args.baseline_kpi)] if args.baseline_kpi else [])
    out = {label: writer_during_import(kpi, work, label, files) for label, kpi in builds}
    r["writer"] = out


def bench_demo(args, results):
    store = os.path.join(args.build, "bench", "demo.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(store + suffix):
            os.remove(store + suffix)
    t = time.perf_counter()
    timed([args.kpi, "--store", store, "demo-data"])
    timed([args.kpi, "--store", store, "report", "--period", time.strftime("%Y-%m"), "--format", "table"])
    results["demo_data_and_report_s"] = time.perf_counter() - t


def bench_targets(args, results):
    """The targets backtest of issue 14 on 40 salespeople and 24 months."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import backtest_targets as bt
    work = os.path.join(args.build, "bench", "targets")
    os.makedirs(work, exist_ok=True)
    store = os.path.join(work, "backtest.sqlite")
    print("== targets backtest: generating 24 months…", file=sys.stderr, flush=True)
    bt.make_store(args.kpi, store, 40, 24, 42, UNTIL)
    summary = bt.summarise(bt.backtest(args.kpi, store, UNTIL))
    summary["data"] = {"salespeople": 40, "months": 24, "seed": 42, "until": UNTIL}
    summary["failures"] = bt.failures(summary)
    results["targets_backtest"] = summary
    try:
        bt.plot(summary, os.path.join(args.build, "bench", "targets-backtest.png"))
    except ImportError:
        print("bench: no matplotlib (python3-matplotlib); no backtest plot", file=sys.stderr)


def print_table(results):
    rows = [("data set", "lines", "import", "raw .import", "ratio", "report", "raw SQL", "ratio",
             "payout / its report", "ratio", "incremental", "rebuild", "cheaper", "kpi peak MB")]
    for size, r in sorted(results["sizes"].items(), key=lambda kv: kv[1]["order_lines"]):
        rows.append((size, f"{r['order_lines']:,}", f"{r['import_s']:.2f} s", f"{r['raw_import_s']:.2f} s",
                     f"{r['import_ratio']:.2f}x", f"{r['report_s']:.3f} s", f"{r['raw_sql_s']:.3f} s",
                     f"{r['report_ratio']:.2f}x", f"{r['payout_s']:.3f} s / {r['payout_report_s']:.3f} s", f"{r['payout_ratio']:.2f}x",
                     f"{r['incremental_s'] * 1000:.1f} ms", f"{r['rebuild_s']:.2f} s",
                     f"{r['incremental_ratio']:.0f}x", f"{r['kpi_peak_mb']:.0f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    print(f"demo-data + month report: {results['demo_data_and_report_s']:.1f} s")
    for size, r in sorted(results["sizes"].items(), key=lambda kv: kv[1]["order_lines"]):
        for label, w in r.get("writer", {}).items():
            print(f"{size} DMS writer every 100 ms during the import ({label}): {w['writes']} writes, "
                  f"{w['failed']} failed, longest wait {w['max_wait_s']:.2f} s, import {w['import_s']:.2f} s "
                  f"(alone {r['import_s']:.2f} s)")
        print(f"{size}: kpi recommend for {MONTH} ({r['recommend_rows']} rows) {r['recommend_s']:.2f} s, "
              f"its report {r['recommend_report_s']:.2f} s: {r['recommend_ratio']:.2f}x (target <= 3x on L)")
    if "targets_backtest" in results:
        b = results["targets_backtest"]
        e = b["median_abs_error"]
        print(f"targets backtest ({b['targets']} targets, {', '.join(b['periods'])}): median |attainment - 1| "
              f"recommended {e['recommended']:.4f}, previous actual {e['previous_actual']:.4f}, store targets "
              f"{e['store_targets']:.4f}; given 60-80 %: {b['band_60_80']['targets']} targets, "
              f"{b['band_60_80']['reached']:.3f} reached (accepted 0.55-0.85)"
              + ("" if not b["failures"] else "; FAILED: " + "; ".join(b["failures"])))
    print("targets: import <= 4x raw; report <= 1.5x raw SQL (M); payout <= 2x report (L); "
          "incremental >= 50x cheaper than rebuild; no failed DMS write during an import")


def plot(results, png):
    """How each cost grows with the data: seconds against order lines, log-log."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench: no matplotlib (python3-matplotlib); no plot", file=sys.stderr)
        return
    sizes = sorted(results["sizes"].values(), key=lambda r: r["order_lines"])
    if len(sizes) < 2:
        return
    x = [r["order_lines"] for r in sizes]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for key, label in [("import_s", "kpi import"), ("raw_import_s", "raw sqlite3 .import"),
                       ("rebuild_s", "engine full load"), ("report_s", "kpi report (a month)"),
                       ("raw_sql_s", "hand-written SQL (a month)"), ("incremental_s", "refresh after 1,000 orders")]:
        ax.plot(x, [r[key] for r in sizes], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("order lines in the store")
    ax.set_ylabel("seconds")
    ax.set_title("SalesKPI: cost against data size (make bench)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png)
    print(f"plot: {png}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--sizes", default="S,M,L")
    ap.add_argument("--baseline-kpi", help="another build's kpi, measured alongside in the writer benchmark")
    ap.add_argument("--only", choices=["writer"], help="only the writer benchmark (data sets generated as needed)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.kpi = os.path.join(args.build, "bin", "kpi")
    args.engine_bench = os.path.join(args.build, "bin", "engine_bench")
    os.makedirs(os.path.join(args.build, "bench"), exist_ok=True)
    results = {"machine": {"cores": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M:%S")}, "sizes": {}}
    out = os.path.join(args.build, "bench", "results.json")
    previous = {}
    if os.path.exists(out):
        with open(out) as f:
            previous = json.load(f)
    if args.only == "writer":
        for size in args.sizes.split(","):
            data = os.path.join(args.build, "bench", "data", size)
            make_data(args.kpi, data, size)
            r = previous.setdefault("sizes", {}).setdefault(size, {})
            bench_writer(args, size, csv_files(data), r)
            for label, w in r["writer"].items():
                print(f"{size} DMS writer every 100 ms during the import ({label}): {w['writes']} writes, "
                      f"{w['failed']} failed, longest wait {w['max_wait_s']:.2f} s, import {w['import_s']:.2f} s")
        with open(out, "w") as f:
            json.dump(previous, f, indent=2)
        print(f"results: {out}")
        return
    bench_demo(args, results)
    bench_targets(args, results)
    for size in args.sizes.split(","):
        bench_size(args, size, results)
    previous.update({k: v for k, v in results.items() if k != "sizes"})
    previous.setdefault("sizes", {}).update(results["sizes"])
    with open(out, "w") as f:
        json.dump(previous, f, indent=2)
    print_table(results)
    plot(previous, os.path.join(args.build, "bench", "growth.png"))
    print(f"results: {out}")


if __name__ == "__main__":
    main()
