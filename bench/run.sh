#!/usr/bin/env bash
# `make bench`: measures the release binaries and prints a table; results also go to
# bench/results.json. BIN_DIR names the release build (the Makefile sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
exec /usr/bin/python3 bench/bench.py --bin-dir "${BIN_DIR:?BIN_DIR must name the release build folder}" "$@"
