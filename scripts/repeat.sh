#!/usr/bin/env bash
# Runs a test command N times in a row and stops at the first failure,
# printing the failing tests and the end of that run's output.
#
#   scripts/repeat.sh N LABEL COMMAND [ARGS...]
set -uo pipefail
if [ $# -lt 3 ] || ! [[ "$1" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/repeat.sh N LABEL COMMAND [ARGS...]" >&2
  exit 2
fi
n="$1" label="$2"; shift 2
log="$(mktemp "${TMPDIR:-/tmp}/tnjwt-repeat.XXXXXX")"
trap 'rm -f "$log"' EXIT
for i in $(seq "$n"); do
  start=$SECONDS
  if ! "$@" >"$log" 2>&1; then
    echo "$label: run $i of $n FAILED after $((i - 1)) passing runs. Failing tests:"
    grep -E '^(\s*--- FAIL|FAIL|panic:|fatal error:)' "$log" || echo "  (no test named; see the output below)"
    echo "--- last 60 lines of run $i:"
    tail -n 60 "$log"
    exit 1
  fi
  echo "$label: run $i of $n passed ($((SECONDS - start)) s)"
done
echo "$label: $n of $n runs passed"
