#!/usr/bin/env python3
"""A DMS writing directly into the store, as docs/store.md tells it to: its own
connection with foreign_keys=ON and busy_timeout=60000, one small order (the
order and one line) per transaction, every --interval seconds, until SIGTERM or
SIGINT. Each write is timed from BEGIN IMMEDIATE to the end of COMMIT, or to its
failure (the wait for the lock included); a write that fails ("database is locked" after the
busy timeout, or anything else) is counted and its message kept.

Used by tests/bench/bench.py (writer during an import of M and L) and by the
fault suite (tests/faults/test_writer_during_import.py). As a module:

    with DmsWriter(store) as writer:
        ...                      # run an import
    writer.result                # {"writes": …, "failed": …, "max_wait_s": …}
"""
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time


def run(store, interval, busy_timeout_ms, out, prefix):
    stop = False

    def request_stop(*_):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    con = sqlite3.connect(store, timeout=busy_timeout_ms / 1000, isolation_level=None)
    con.execute("PRAGMA foreign_keys = ON")
    employee, outlet = con.execute("SELECT employee_code, outlet_code FROM routes LIMIT 1").fetchone()
    (sku,) = con.execute("SELECT sku FROM products LIMIT 1").fetchone()
    waits, errors = [], []
    n = 0
    started = time.monotonic()
    next_at = started
    # Ready: the caller may start what the writer runs alongside.
    with open(out + ".ready", "w"):
        pass
    while not stop:
        n += 1
        code = f"{prefix}{n:06d}"
        t = time.monotonic()
        try:
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO orders(order_code, employee_code, outlet_code, order_time, type, status) "
                        "VALUES(?, ?, ?, '2026-11-20 17:00:00', 'sale', 'pending')", (code, employee, outlet))
            con.execute("INSERT INTO order_lines(order_code, line_no, sku, quantity, amount) VALUES(?, 1, ?, 1, 1000)",
                        (code, sku))
            con.execute("COMMIT")
            waits.append(time.monotonic() - t)
        except sqlite3.Error as e:
            waits.append(time.monotonic() - t)  # a failed write waited too (the busy timeout, at most)
            errors.append(f"{time.monotonic() - started:.1f} s: {e} after {waits[-1]:.1f} s")
            try:
                con.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        next_at += interval
        pause = next_at - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        else:
            next_at = time.monotonic()
    con.close()
    waits.sort()
    result = {
        "writes": len(waits),
        "committed": len(waits) - len(errors),
        "failed": len(errors),
        "errors": errors[:10],
        "max_wait_s": waits[-1] if waits else None,
        "median_wait_s": waits[len(waits) // 2] if waits else None,
        "seconds": time.monotonic() - started,
        "prefix": prefix,
    }
    with open(out, "w") as f:
        json.dump(result, f)


class DmsWriter:
    """The writer in a process of its own, started on enter, stopped on exit."""

    def __init__(self, store, interval=0.1, busy_timeout_ms=60000, prefix="DMSW"):
        self.store, self.interval, self.busy_timeout_ms, self.prefix = store, interval, busy_timeout_ms, prefix
        self.result = None

    def __enter__(self):
        fd, self.out = tempfile.mkstemp(prefix="dms-writer-", suffix=".json")
        os.close(fd)
        os.remove(self.out)
        self.process = subprocess.Popen([sys.executable, "-B", os.path.abspath(__file__), "--store", self.store,
                                         "--interval", str(self.interval), "--busy-timeout-ms",
                                         str(self.busy_timeout_ms), "--out", self.out, "--prefix", self.prefix])
        deadline = time.monotonic() + 30
        while not os.path.exists(self.out + ".ready"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the DMS writer did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        # A write waiting for the lock finishes first (up to its busy timeout).
        self.process.wait(timeout=self.busy_timeout_ms / 1000 + 30)
        with open(self.out) as f:
            self.result = json.load(f)
        for path in (self.out, self.out + ".ready"):
            if os.path.exists(path):
                os.remove(path)
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", required=True)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--busy-timeout-ms", type=int, default=60000)
    ap.add_argument("--out", required=True, help="where to write the result (JSON)")
    ap.add_argument("--prefix", default="DMSW", help="order codes are PREFIX000001, …")
    args = ap.parse_args()
    run(args.store, args.interval, args.busy_timeout_ms, args.out, args.prefix)


if __name__ == "__main__":
    main()
