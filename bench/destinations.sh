#!/usr/bin/env bash
# Benchmark: the time three destinations (a .env file, a Secrets Manager
# secret, two SSM parameters) add to one rotation, against a local moto
# server. Prints medians and the ratio; asserts results, nothing about time.
# Usage: bench/destinations.sh  (RUNS=N to change runs)
exec "$(dirname "$0")/with-moto" bench/destinations_bench.py
