#!/usr/bin/env bash
# Nightly contract check against the live sandboxes.
#
# 1. runs the live specs (label "live") against each provider's sandbox, with
#    credentials from the environment, recording every exchange (redacted and
#    normalised) into reports/<date>/live/;
# 2. runs the same live specs against the simulator binary, recording into
#    reports/<date>/simulator/;
# 3. compares the two recordings per provider into reports/<date>/drift/
#    (<provider>.json for machines, <provider>.md for people).
#
# Variables (a provider without its credentials is skipped with one message):
#   REBILLY_SANDBOX_API_KEY, REBILLY_SANDBOX_ORGANIZATION_ID   [REBILLY_SANDBOX_URL]
#   PAYABLI_SANDBOX_TOKEN, PAYABLI_SANDBOX_ENTRY                [PAYABLI_SANDBOX_URL]
#   RAPYD_SANDBOX_ACCESS_KEY, RAPYD_SANDBOX_SECRET_KEY          [RAPYD_SANDBOX_URL]
#   REPORTS_DIR (default reports), MAX_RECORDING_AGE (default 720h)
#
# Exit status: 0 all good; 1 a live spec failed (the sandbox broke the
# contract); 2 unexpected drift between sandbox and simulator; 3 set-up error.
set -uo pipefail
cd "$(dirname "$0")/.."

day=$(date -u +%Y-%m-%d)
out="${REPORTS_DIR:-reports}/$day"
mkdir -p "$out/live" "$out/simulator" "$out/drift" || exit 3
providers=(rebilly payabli rapyd)
status=0

need_rebilly="REBILLY_SANDBOX_API_KEY REBILLY_SANDBOX_ORGANIZATION_ID"
need_payabli="PAYABLI_SANDBOX_TOKEN PAYABLI_SANDBOX_ENTRY"
need_rapyd="RAPYD_SANDBOX_ACCESS_KEY RAPYD_SANDBOX_SECRET_KEY"
for p in "${providers[@]}"; do
  var="need_$p"
  for v in ${!var}; do
    [ -n "${!v:-}" ] || { echo "live $p: $v not set; its live specs are skipped"; break; }
  done
done

echo "== live specs against the sandboxes -> $out/live"
PAYSANDBOX_RECORD_DIR="$out/live" PAYSANDBOX_RECORD_TARGET=live \
  go test -count=1 ./suites/rebilly/... ./suites/payabli/... ./suites/rapyd/... \
  -args -ginkgo.label-filter=live 2>&1 | tee "$out/live/go-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== the same live specs against the simulator binary -> $out/simulator"
bin=$(mktemp -d)/paysandbox
CGO_ENABLED=0 go build -o "$bin" ./simulator/cmd/paysandbox || exit 3
log="$out/simulator/paysandbox.log"
PAYSANDBOX_REBILLY_ADDR=127.0.0.1:18081 PAYSANDBOX_PAYABLI_ADDR=127.0.0.1:18082 \
PAYSANDBOX_RAPYD_ADDR=127.0.0.1:18083 PAYSANDBOX_ADMIN_ADDR=127.0.0.1:18080 "$bin" serve >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
for _ in $(seq 1 100); do
  PAYSANDBOX_ADMIN_ADDR=127.0.0.1:18080 "$bin" healthcheck >/dev/null 2>&1 && break
  sleep 0.1 # polling a process we started for readiness; no test timing depends on it
done
PAYSANDBOX_ADMIN_ADDR=127.0.0.1:18080 "$bin" healthcheck || exit 3
# The simulator gets the same kind of credentials; open mode accepts them.
PAYSANDBOX_RECORD_DIR="$out/simulator" PAYSANDBOX_RECORD_TARGET=simulator \
  REBILLY_SANDBOX_URL=http://127.0.0.1:18081 REBILLY_SANDBOX_API_KEY=nightly REBILLY_SANDBOX_ORGANIZATION_ID="${REBILLY_SANDBOX_ORGANIZATION_ID:-org_nightly}" \
  PAYABLI_SANDBOX_URL=http://127.0.0.1:18082/api PAYABLI_SANDBOX_TOKEN=nightly PAYABLI_SANDBOX_ENTRY="${PAYABLI_SANDBOX_ENTRY:-nightly}" \
  RAPYD_SANDBOX_URL=http://127.0.0.1:18083 RAPYD_SANDBOX_ACCESS_KEY=rak_test_paysandbox RAPYD_SANDBOX_SECRET_KEY=rsk_test_paysandbox \
  go test -count=1 ./suites/rebilly/... ./suites/payabli/... ./suites/rapyd/... \
  -args -ginkgo.label-filter=live 2>&1 | tee "$out/simulator/go-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== drift report -> $out/drift"
for p in "${providers[@]}"; do
  if [ -f "$out/live/$p.json" ] && [ -f "$out/simulator/$p.json" ]; then
    go run ./suites/cmd/drift -a "$out/live/$p.json" -b "$out/simulator/$p.json" -out "$out/drift" \
      -max-age "${MAX_RECORDING_AGE:-720h}"
    rc=$?
    [ $rc -eq 1 ] && [ $status -eq 0 ] && status=2
    [ $rc -gt 1 ] && status=3
  else
    echo "drift $p: no live recording (credentials not set?) - skipped"
  fi
done
echo "== nightly done: exit $status (reports in $out)"
exit $status
