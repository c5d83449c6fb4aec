#!/usr/bin/env bash
# Benchmark: keyturn rotate --all over 200 profiles in 50 users vs. 200
# sequential single-profile runs, against a local moto server. Prints
# figures; asserts nothing about time. Usage: bench/fleet.sh
exec "$(dirname "$0")/with-moto" bench/fleet_bench.py
