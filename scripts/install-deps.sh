#!/usr/bin/env bash
# Installs the Debian packages SalesKPI needs, only those that are missing.
# Usage: scripts/install-deps.sh [build|office|dates|faults|fuzz|all]   (default: all)
set -euo pipefail
what=${1:-all}
build_pkgs=(cmake g++ make pkg-config libsqlite3-dev sqlite3 libboost-dev libboost-program-options-dev
            googletest libgtest-dev python3
            postgresql-15 postgresql-client-15 libpq-dev)  # the PostgreSQL store; its tests' throwaway server
office_pkgs=(libreoffice-dev libreoffice-calc libreoffice-core python3-uno libreoffice-l10n-vi
             xvfb x11-apps x11-utils imagemagick fonts-dejavu-core poppler-utils python3-matplotlib)
faults_pkgs=(strace)                         # make test-faults: the commit's fsync, seen from outside
fuzz_pkgs=(clang-14 libclang-rt-14-dev)      # make fuzz: libFuzzer and the sanitizers' runtimes
case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  office) pkgs=("${office_pkgs[@]}") ;;
  dates) pkgs=(faketime) ;;  # make test-dates
  faults) pkgs=("${faults_pkgs[@]}") ;;
  fuzz) pkgs=("${fuzz_pkgs[@]}") ;;
  all) pkgs=("${build_pkgs[@]}" "${office_pkgs[@]}" "${faults_pkgs[@]}") ;;
  *) echo "usage: $0 [build|office|dates|faults|fuzz|all]" >&2; exit 2 ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "error: need root to install: ${missing[*]}" >&2; exit 1; fi
else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
