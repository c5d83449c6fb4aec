#!/usr/bin/env bash
# Benchmark (issue 18 item 3): `rotate --all` of 120 users, one profile each,
# through the fault proxy answering every request 0.25 s late (a distant
# region, a proxy), with BEFORE (e.g. main's binary) and this build, in one
# run. Prints wall time and failures of each; asserts nothing about time.
# Measured (debug builds, 2-core box): 120 users: before 2 failed, after 0 (56 s
# each); 160 users: before 60 failed, after 0.
# Usage: BEFORE=/path/to/old/keyturn bench/slow_link.sh
#        (USERS=120 DELAY_MS=250 JOBS=default)
exec "$(dirname "$0")/with-moto" bench/slow_link_bench.py
