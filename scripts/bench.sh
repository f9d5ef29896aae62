#!/usr/bin/env bash
# make bench: engine benchmarks (SQLite, then PostgreSQL when installed), then the office ones when the extension is built.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
/usr/bin/python3 tests/bench/bench.py --build "$build" ${BENCH_SIZES:+--sizes $BENCH_SIZES}
# The PostgreSQL half (docs/performance.md#postgresql); says so and skips when no server is installed.
/usr/bin/python3 tests/bench/bench_pg.py --build "$build" ${BENCH_SIZES:+--sizes $BENCH_SIZES}
if [ -f tests/office/bench_office.py ] && [ -f "$build/saleskpi.oxt" ]; then
  /usr/bin/python3 tests/office/bench_office.py --build "$build"
fi
