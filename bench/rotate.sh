#!/usr/bin/env bash
# Benchmark: one rotation with keyturn vs. an aws-cli script making the same
# calls vs. the bare requests, against a local moto server. Prints figures;
# asserts nothing about time. Usage: bench/rotate.sh  (RUNS=N to change runs)
exec "$(dirname "$0")/with-moto" bench/rotate_bench.py
