#!/bin/sh
# Runs every benchmark; results are reported, not asserted.
set -eu
cd "$(dirname "$0")/.."
/usr/bin/python3 bench/apply_bench.py
