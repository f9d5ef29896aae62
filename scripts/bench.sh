#!/usr/bin/env bash
# make bench: engine benchmarks, then the office ones when the extension is built.
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
/usr/bin/python3 tests/bench/bench.py --build "$build" ${BENCH_SIZES:+--sizes $BENCH_SIZES}
if [ -f tests/office/bench_office.py ] && [ -f "$build/saleskpi.oxt" ]; then
  /usr/bin/python3 tests/office/bench_office.py --build "$build"
fi
