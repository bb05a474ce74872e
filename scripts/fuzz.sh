#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME each (default 10m), JOBS targets at a
# time (default 2), one worker per target, and prints each target's last
# status line. New failing inputs land in the package's testdata/fuzz/<Target>/
# (go test replays them from then on); the fuzz cache keeps the corpus.
#   FUZZTIME=10m JOBS=2 scripts/fuzz.sh [TargetRegexp]
set -uo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10m}
jobs=${JOBS:-2}
filter=${1:-.}
log=${FUZZLOG:-fuzz-logs}
mkdir -p "$log"
targets=()
for pkg in $(go list ./simulator/...); do
  for t in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' | grep -E "$filter"); do
    targets+=("$pkg $t")
  done
done
run() {
  local pkg=$1 t=$2
  go test -run '^$' -fuzz "^$t\$" -fuzztime "$fuzztime" -parallel 1 "$pkg" > "$log/$t.log" 2>&1
  local rc=$?
  echo "$t rc=$rc $(grep -E '^fuzz: elapsed' "$log/$t.log" | tail -1)"
  return $rc
}
export -f run; export fuzztime log
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -L 1 bash -c 'run $0 $1'
