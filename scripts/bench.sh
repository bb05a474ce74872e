#!/usr/bin/env bash
# Load benchmark: the simulator and a baseline server side by side in one run.
#   scripts/bench.sh                       # 1k then 100k customers per provider, 32 connections, 5 s each
#   scripts/bench.sh -sizes 1000 -duration 2s -scenarios rebilly-get,rebilly-put-upsert
#   scripts/bench.sh -rounds 3             # median of three alternating rounds (the recorded results)
#   scripts/bench.sh -other 'stripe-mock|POST|http://127.0.0.1:12111/v1/customers|email=a@b.c|Authorization: Bearer sk_test_123'
# Writes docs/bench/{results.json,results.md,throughput.svg} (-out to change). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o "${TMPDIR:-/tmp}/paysandbox-bench-driver" ./scripts/bench
exec "${TMPDIR:-/tmp}/paysandbox-bench-driver" "$@"
