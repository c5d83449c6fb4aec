#!/usr/bin/env bash
# Benchmark (issue 20): admin mode. `keyturn rotate --managed` over 50
# managed users with three destinations each (a .env file, a Secrets
# Manager secret, two SSM parameters), against the same users rotated one
# at a time (`rotate --user NAME` each), through the fault proxy in front
# of a local moto server (IAM auth on). Prints wall time and requests per
# user (from the proxy's log); asserts results, nothing about time.
# Measured (debug build, 2-core box shared with other builds, one run):
# --managed 12.7 s vs. one at a time 45.0 s (3.55x); 22 requests/user each
# (IAM 4, STS 3, Secrets Manager 5, SSM 10).
# Usage: bench/managed.sh  (USERS=50 JOBS=default; KEYTURN_BIN=another build)
exec "$(dirname "$0")/with-moto" bench/managed_bench.py
