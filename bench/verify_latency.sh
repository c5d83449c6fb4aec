#!/usr/bin/env bash
# Benchmark: verification latency beyond an 8 s propagation delay (fault
# proxy + moto), and the whole rotation's time. Prints figures; asserts
# nothing about time. Usage: bench/verify_latency.sh  (DELAY=8 RUNS=5)
exec "$(dirname "$0")/with-moto" bench/verify_latency_bench.py
