#!/usr/bin/env bash
# Benchmark: the time three HTTP destinations (vault on a real OpenBao, github
# and gitlab on the test beds) add to one rotation, against a local moto
# server. Prints medians and the ratio; asserts results, nothing about time.
# Usage: bench/destinations_http.sh  (RUNS=N to change runs)
exec "$(dirname "$0")/with-moto" bench/destinations_http_bench.py
