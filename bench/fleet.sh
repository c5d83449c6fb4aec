#!/usr/bin/env bash
# Benchmark: keyturn rotate --all over 200 profiles in 50 users vs. 200
# sequential single-profile runs, against a local moto server. Prints
# figures; asserts nothing about time. Usage: bench/fleet.sh
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
"$py" bench/fleet_bench.py "http://127.0.0.1:$port"
