#!/usr/bin/env bash
# Bounded soak (not in CI): the simulator under a mixed load over a fixed
# population for 10 minutes; reports memory and goroutines after each
# 30-second slice and fails unless they stay flat. Flags as scripts/bench.sh.
#   scripts/soak.sh                      # 10 minutes, 10k customers per provider, 32 connections
#   scripts/soak.sh -soak 2m -sizes 1000
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o "${TMPDIR:-/tmp}/paysandbox-bench-driver" ./scripts/bench
exec "${TMPDIR:-/tmp}/paysandbox-bench-driver" -soak 10m -sizes 10000 -starts 1 -out "" "$@"
