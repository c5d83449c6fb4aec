#!/usr/bin/env bash
# Benchmark: rotate --all over 20 users / 40 profiles behind a 6 s
# propagation delay and 10% throttling (fault proxy + moto). Prints
# figures; asserts nothing about time. Usage: bench/fleet_conditions.sh
# (USERS=20 DELAY=6 THROTTLE=0.1 RUNS=3 JOBS=4)
exec "$(dirname "$0")/with-moto" bench/fleet_conditions_bench.py
