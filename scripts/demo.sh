#!/usr/bin/env bash
# make demo: the extension installed, a demo store, a workbook built on KPI.* (see scripts/demo.py).
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
scripts/oxt-install.sh "$build/saleskpi.oxt"
/usr/bin/python3 scripts/demo.py --build "$build" "${@:2}"
