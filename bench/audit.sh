#!/usr/bin/env bash
# Benchmark: `keyturn audit` over an account of 1,000 users and over an
# organization of 20 accounts (--org-role), against a local moto server,
# vs. plain boto3 loops doing the same work. Prints figures; asserts
# results, nothing about time. Usage: bench/audit.sh
# (RUNS=N USERS=N ACCOUNTS=N MEMBER_USERS=N to change the sizes)
exec "$(dirname "$0")/with-moto" bench/audit_bench.py
