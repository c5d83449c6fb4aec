#!/usr/bin/env bash
# Benchmark: `keyturn audit` over an account of 1,000 users and over an
# organization of 20 accounts (--org-role), against a local moto server,
# vs. plain boto3 loops doing the same work. Prints figures; asserts
# results, nothing about time. Usage: bench/audit.sh
# (RUNS=N USERS=N ACCOUNTS=N MEMBER_USERS=N to change the sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-test-env
cargo build --release --locked --quiet
py=$PWD/.venv/bin/python
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
INITIAL_NO_AUTH_ACTION_COUNT=0 "$py" -m moto.server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null' EXIT
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
"$py" bench/audit_bench.py "http://127.0.0.1:$port"
