#!/usr/bin/env python3
"""`make bench`, the PostgreSQL half: SalesKPI over a PostgreSQL server against
the server's own baselines, side by side in one run (issue 13's acceptance).

The data sets are bench.py's (the demo generator, seed 42, up to 2026-11-20;
made here when missing). Per set:
  1. `kpi import` of the CSV files into a fresh PostgreSQL store (after an
     untimed `kpi init`) vs `psql \\copy` of the same files into bare tables
     (text columns, no keys, no indexes) in one psql session
  2. a month's `kpi report` on that store vs a hand-written SQL query (the
     month's sales, calls, lines per call, active outlets and visits per
     salesperson, as bench.py's raw query) run by psql on the same tables
and, on one set (--load-size, default M):
  3. --clients `kpi report` clients (default 20), each running the month's
     report again and again (--think seconds between its reports; with a
     pause the clients start spread over one round), while
     `kpi simulate` writes --rate orders per second (default 50, each with
     its lines, most approved 20 s later) for --seconds (default 300): every
     report's time against the report's solo time, and the writer's orders
     against rate x seconds (any failed write ends it with an error).

The server: --pg CONNINFO (a superuser's), else a throwaway cluster of
scripts/pg-cluster.sh in BUILD/bench/pg (fsync off, Unix socket only), started
and stopped here. With no PostgreSQL installed it says so and exits 0.
Results: a table on stdout and BUILD/bench/results-pg.json.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (the data sets and their generator)

MONTH, UNTIL = bench.MONTH, bench.UNTIL

# bench.py's hand-written query, over the store's typed tables: the month's
# orders through their date index, as anyone writing it on this schema would.
MONTH_SQL = """
WITH o AS (
  SELECT order_code, employee_code, outlet_code, order_date AS d, type
  FROM orders WHERE status = 'approved' AND order_date BETWEEN '2026-11-01' AND '2026-11-30'),
l AS (
  SELECT o.employee_code, o.outlet_code, o.d, o.type, ol.sku, ol.amount
  FROM o JOIN order_lines ol ON ol.order_code = o.order_code),
calls AS (
  SELECT employee_code, outlet_code, d, count(DISTINCT sku) AS skus FROM l WHERE type = 'sale'
  GROUP BY employee_code, outlet_code, d),
v AS (
  SELECT employee_code, count(*) AS visits FROM visits
  WHERE visit_date BETWEEN '2026-11-01' AND '2026-11-30' GROUP BY employee_code)
SELECT s.employee_code, s.sales, c.pc, c.lppc, c.aso, v.visits FROM
  (SELECT employee_code, sum(CASE WHEN type = 'sale' THEN amount ELSE -amount END) AS sales FROM l
   GROUP BY employee_code) s
  LEFT JOIN (SELECT employee_code, count(*) AS pc, 1.0 * sum(skus) / count(*) AS lppc,
             count(DISTINCT outlet_code) AS aso FROM calls GROUP BY employee_code) c USING (employee_code)
  LEFT JOIN v USING (employee_code)
ORDER BY s.employee_code;
"""


def env():
    return dict(os.environ, KPI_TODAY=UNTIL)


def timed(cmd, **kw):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env(), **kw)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"bench_pg: {' '.join(map(str, cmd))} failed:\n{p.stderr}")
    return elapsed, p


def psql(conninfo, sql=None, script=None):
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", conninfo]
    if sql is not None:
        cmd += ["-c", sql]
    return timed(cmd, input=script)


def load_average():
    return os.getloadavg()[0]


def server_installed():
    """Whether a PostgreSQL server (initdb) and psql are installed here."""
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) and shutil.which("psql") is not None


class Server:
    """The server of a benchmark: `admin`'s (a superuser's conninfo), else a
    throwaway cluster of scripts/pg-cluster.sh in BUILD/bench/FOLDER, started
    here and stopped by stop(). bench_office.py (step 4b) uses it too."""

    def __init__(self, build, admin=None, folder="pg"):
        self.admin = admin
        self.folder = None
        if not self.admin:
            self.folder = os.path.join(build, "bench", folder)
            p = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", "--fresh", self.folder],
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"bench_pg: could not start a cluster in {self.folder}:\n{p.stderr}")
            with open(os.path.join(self.folder, "conninfo"), encoding="utf-8") as f:
                self.admin = f.readline().strip()

    def location(self, name):
        """The conninfo of database `name` (which may not exist yet)."""
        return f"{self.admin} dbname={name}"

    def fresh(self, name):
        psql(self.admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        psql(self.admin, f"CREATE DATABASE {name}")
        return self.location(name)

    def drop(self, name):
        psql(self.admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self):
        if self.folder:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", self.folder], capture_output=True)


def copy_script(files):
    """Bare tables (text columns from each file's header) and one \\copy per file."""
    create, copy = [], []
    for f in files:
        table = os.path.basename(f)[:-4]
        with open(f, encoding="utf-8") as h:
            header = h.readline().strip().split(",")
        create.append(f"CREATE TABLE {table}({', '.join(c + ' text' for c in header)});")
        path = f.replace("'", "''")
        copy.append(f"\\copy {table} FROM '{path}' WITH (FORMAT csv, HEADER true)")
    return "\n".join(create) + "\n", "\n".join(copy) + "\n"


def keyed_copy_script(files):
    """\\copy of each file into the store's own table (its keys, indexes and
    checks; triggers and foreign keys off: session_replication_role = replica,
    a superuser's setting), the floor for any import that keeps the keys."""
    lines = ["SET session_replication_role = replica;"]
    for f in files:
        table = os.path.basename(f)[:-4]
        if table == "targets":  # an empty weight means the default, which only kpi import fills in
            continue
        with open(f, encoding="utf-8") as h:
            header = h.readline().strip()
        path = f.replace("'", "''")
        lines.append(f"\\copy {table}({header}) FROM '{path}' WITH (FORMAT csv, HEADER true)")
    return "\n".join(lines) + "\n"


def bench_import(args, server, size, files, r):
    runs = args.runs
    kpi_s, raw_s, keyed_s = [], [], []
    create, copy = copy_script(files)
    for i in range(runs):
        store = server.fresh(f"bench_{size.lower()}")
        timed([args.kpi, "--store", store, "init"])
        print(f"== {size}: kpi import into PostgreSQL (run {i + 1}/{runs}, load {load_average():.1f})…",
              file=sys.stderr, flush=True)
        t, _ = timed([args.kpi, "--store", store, "import", *files])
        kpi_s.append(t)
        r["pg_import_runs_s"] = kpi_s
        print(f"== {size}: kpi import {t:.2f} s", file=sys.stderr, flush=True)
        raw = server.fresh(f"bench_{size.lower()}_raw")
        psql(raw, script=create)
        print(f"== {size}: psql \\copy into bare tables (run {i + 1}/{runs})…", file=sys.stderr, flush=True)
        t, _ = psql(raw, script=copy)
        raw_s.append(t)
        server.drop(f"bench_{size.lower()}_raw")
        keyed = server.fresh(f"bench_{size.lower()}_keyed")
        timed([args.kpi, "--store", keyed, "init"])
        print(f"== {size}: psql \\copy into the store's own tables, triggers and foreign keys off (run {i + 1}/{runs})…",
              file=sys.stderr, flush=True)
        t, _ = psql(keyed, script=keyed_copy_script(files))
        keyed_s.append(t)
        server.drop(f"bench_{size.lower()}_keyed")
    r["pg_import_runs_s"], r["pg_copy_runs_s"] = kpi_s, raw_s
    r["pg_import_s"], r["pg_copy_s"] = min(kpi_s), min(raw_s)
    r["pg_import_ratio"] = r["pg_import_s"] / r["pg_copy_s"]
    r["pg_keyed_copy_runs_s"] = keyed_s
    r["pg_keyed_copy_s"] = min(keyed_s)
    r["pg_import_keyed_ratio"] = r["pg_import_s"] / r["pg_keyed_copy_s"]
    return store


def report_cmd(args, store):
    return [args.kpi, "--store", store, "report", "--period", MONTH, "--as-of", UNTIL]


def bench_report(args, store, size, r):
    print(f"== {size}: a month's report vs hand-written SQL…", file=sys.stderr, flush=True)
    psql(store, "ANALYZE")
    cmd = report_cmd(args, store)
    _, p = timed(cmd)
    r["pg_report_rows"] = len(p.stdout.splitlines()) - 1
    _, q = psql(store, MONTH_SQL)
    r["pg_sql_rows"] = len(q.stdout.splitlines())
    pairs = [(timed(cmd)[0], psql(store, MONTH_SQL)[0]) for _ in range(args.repeats)]
    r["pg_report_s"] = statistics.median(a for a, _ in pairs)
    r["pg_sql_s"] = statistics.median(b for _, b in pairs)
    r["pg_report_ratio"] = r["pg_report_s"] / r["pg_sql_s"]


def bench_load(args, store, size, r):
    cmd = report_cmd(args, store)
    solo = [timed(cmd)[0] for _ in range(args.repeats)]
    out = {"clients": args.clients, "think_s": args.think, "rate_per_s": args.rate, "seconds": args.seconds,
           "solo_s": statistics.median(solo), "load_before": load_average()}
    print(f"== {size}: {args.clients} report clients and a writer at {args.rate}/s for {args.seconds} s "
          f"(solo report {out['solo_s']:.2f} s)…", file=sys.stderr, flush=True)
    # The writer's progress (a line every 10 orders) goes to a file: into a
    # pipe read only at the end it filled the pipe after ~11,900 orders and
    # the writer waited on it (runs before this fix: 11,940-11,950 of 15,000).
    writer_log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    writer = subprocess.Popen([args.kpi, "--store", store, "simulate", "--rate", str(args.rate * 60), "--seconds",
                               str(args.seconds), "--day", UNTIL, "--seed", "5"],
                              stdout=subprocess.DEVNULL, stderr=writer_log, text=True, env=env())
    time.sleep(2)
    deadline = time.monotonic() + args.seconds - 4
    times, failures, lock = [], [], threading.Lock()

    # Paced clients start spread over one round (a report and a pause), as
    # managers' refreshes are, not all in the same second: twenty reports
    # asked at once on two cores wait for each other whatever the store does
    # (measured: median 2.16x, p90 12.6x with starts 0.1 s apart).
    stagger = (args.think + out["solo_s"]) / args.clients if args.think else 0.1
    out["start_spread_s"] = stagger * (args.clients - 1)

    def client(n):
        time.sleep(n * stagger)
        while time.monotonic() < deadline:
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, env=env())
            elapsed = time.perf_counter() - t
            with lock:
                (times if p.returncode == 0 else failures).append(elapsed if p.returncode == 0 else p.stderr[-300:])
            if args.think:
                time.sleep(args.think)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    loads = []
    while any(t.is_alive() for t in threads):
        loads.append(load_average())
        time.sleep(5)
    for t in threads:
        t.join()
    writer.wait()
    writer_log.seek(0)
    err = writer_log.read()
    writer_log.close()
    summary = [line for line in err.splitlines() if line.startswith("simulated ") and "still pending" in line]
    created = int(summary[-1].split()[1]) if summary else 0
    times.sort()
    out.update({
        "writer_exit": writer.returncode, "writer_summary": summary[-1] if summary else err[-500:],
        "orders_written": created, "orders_expected": args.rate * args.seconds,
        "reports": len(times), "failed_reports": len(failures), "failures": failures[:3],
        "median_s": statistics.median(times) if times else None,
        "p90_s": times[int(0.9 * (len(times) - 1))] if times else None,
        "max_s": times[-1] if times else None,
        "load_during": [min(loads), max(loads)] if loads else None,
    })
    if times:
        out["median_ratio"] = out["median_s"] / out["solo_s"]
        out["p90_ratio"] = out["p90_s"] / out["solo_s"]
    r["pg_load"] = out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--sizes", default="S,M,L")
    ap.add_argument("--pg", help="a superuser's conninfo of a server to use (default: a throwaway cluster)")
    ap.add_argument("--runs", type=int, default=2, help="imports of each kind, alternating (best kept)")
    ap.add_argument("--repeats", type=int, default=5, help="report/SQL pairs (median)")
    ap.add_argument("--load-size", default="M", help="the set of the concurrent run ('' for none)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--think", type=float, default=20.0,
                    help="seconds each client waits between its reports (default 20: a manager refreshing; 0: back to back)")
    ap.add_argument("--rate", type=int, default=50, help="orders per second the writer commits")
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--only", choices=["import", "report", "load"], help="only this part (data imported as needed)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.kpi = os.path.join(args.build, "bin", "kpi")
    if not args.pg and not server_installed():
        print("bench_pg: no PostgreSQL server installed (postgresql-15); the PostgreSQL benchmarks are skipped",
              file=sys.stderr)
        return 0
    work = os.path.join(args.build, "bench")
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "results-pg.json")
    results = {}
    if os.path.exists(out):
        with open(out) as f:
            results = json.load(f)
    results.setdefault("sizes", {})
    results["machine"] = {"cores": os.cpu_count(), "when": time.strftime("%Y-%m-%d %H:%M:%S"),
                          "load_at_start": load_average()}
    server = Server(args.build, args.pg)
    try:
        sizes = args.sizes.split(",") if args.sizes else []
        if args.load_size and args.load_size not in sizes and args.only in (None, "load"):
            sizes.append(args.load_size)
        for size in sizes:
            data = os.path.join(work, "data", size)
            print(f"== {size}: data…", file=sys.stderr, flush=True)
            bench.make_data(args.kpi, data, size)
            files = bench.csv_files(data)
            r = results["sizes"].setdefault(size, {})
            r["order_lines"] = bench.count_lines(os.path.join(data, "order_lines.csv"))
            if args.only in (None, "import"):
                store = bench_import(args, server, size, files, r)
            else:
                store = server.fresh(f"bench_{size.lower()}")
                timed([args.kpi, "--store", store, "init"])
                timed([args.kpi, "--store", store, "import", *files])
            if args.only in (None, "report"):
                bench_report(args, store, size, r)
            if args.only in (None, "load") and size == args.load_size:
                bench_load(args, store, size, r)
            r["load_after"] = load_average()
            with open(out, "w") as f:
                json.dump(results, f, indent=2)
    finally:
        server.stop()
    print_table(results)
    print(f"results: {out}")
    return 0


def print_table(results):
    for size, r in sorted(results["sizes"].items(), key=lambda kv: kv[1].get("order_lines", 0)):
        if "pg_import_s" in r:
            keyed = (f"; \\copy into the store's own tables (keys, indexes; no triggers or foreign keys) "
                     f"{r['pg_keyed_copy_s']:.2f} s: {r['pg_import_keyed_ratio']:.2f}x" if "pg_keyed_copy_s" in r else "")
            print(f"{size} ({r['order_lines']:,} lines): kpi import into PostgreSQL {r['pg_import_s']:.2f} s, "
                  f"psql \\copy into bare tables {r['pg_copy_s']:.2f} s: {r['pg_import_ratio']:.2f}x (target <= 4x on L)"
                  + keyed)
        if "pg_report_s" in r:
            print(f"{size}: a month's kpi report on PostgreSQL {r['pg_report_s']:.3f} s, hand-written SQL "
                  f"{r['pg_sql_s']:.3f} s: {r['pg_report_ratio']:.2f}x (target <= 1.5x)")
        o = r.get("office_open")
        if o and o.get("postgres"):
            print(f"{size}: the dashboard (1,000 KPI cells) opened in a fresh office -> first figure: PostgreSQL "
                  f"{o['postgres']['first_figure_s']:.2f} s, SQLite {o['sqlite']['first_figure_s']:.2f} s "
                  f"(target <= 3 s; tests/office/bench_office.py, {o['when']}, load {o['load_average'][0]:.1f})")
        w = r.get("pg_load")
        if w:
            print(f"{size}: {w['clients']} report clients (think {w['think_s']} s) + writer {w['rate_per_s']}/s for "
                  f"{w['seconds']} s: {w['reports']} reports, {w['failed_reports']} failed; median {w['median_s']:.2f} s "
                  f"= {w.get('median_ratio', 0):.2f}x solo ({w['solo_s']:.2f} s), p90 {w.get('p90_ratio', 0):.2f}x, "
                  f"max {w['max_s']:.2f} s; writer exit {w['writer_exit']}, {w['orders_written']} of "
                  f"{w['orders_expected']} orders (target: no failed write, reports <= 2x solo); "
                  f"load {w['load_during']}")


if __name__ == "__main__":
    sys.exit(main())
