#!/usr/bin/env bash
# How long the wizard's window takes to appear under Xvfb, beside a bare Fyne
# window with one label (scripts/startup/bare), each started N times with a
# fresh HOME and no session bus. Prints the medians: timings are reported,
# never asserted.
#   scripts/startup-window.sh TNJWT_BIN [N]
set -euo pipefail
bin="$(realpath "$1")" runs="${2:-9}"
work="$(mktemp -d)"
n=150
while [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done # a display no one else has
display=":$n"
cleanup() { kill "${xpid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
go build -tags migrated_fynedo -o "$work/bare" ./scripts/startup/bare
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 & # -noreset: no reset between runs
xpid=$!
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done

# ms until a window of that title is mapped, for one start
once() {
  local prog="$1" title="$2" home t0 t1 pid
  home="$(mktemp -d -p "$work")"
  t0=$(date +%s%N)
  HOME="$home" XDG_CONFIG_HOME="$home/.config" DISPLAY="$display" DBUS_SESSION_BUS_ADDRESS=disabled: \
    "$prog" >"$home/log" 2>&1 &
  pid=$!
  until DISPLAY="$display" xwininfo -name "$title" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { echo "startup-window: $prog exited:" >&2; cat "$home/log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for what in bare tnjwt; do
  prog="$work/bare" title=bare
  [ "$what" = tnjwt ] && prog="$bin" title=tnjwt
  once "$prog" "$title" >/dev/null # warm the page cache
  m=$(for _ in $(seq "$runs"); do once "$prog" "$title"; done | median)
  printf '%-6s window appears: median %s ms (%s runs, Xvfb, fresh HOME)\n' "$what" "$m" "$runs"
done
