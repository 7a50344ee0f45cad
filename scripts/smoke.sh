#!/usr/bin/env bash
# Smoke test of the real binary: headless commands stay quiet and Fyne-free,
# and with no subcommand a window titled "tnjwt" appears on an X display.
set -euo pipefail
BIN="$(realpath "${1:-./tnjwt}")"
work="$(mktemp -d)"
# The app runs in its own process group so that everything it started goes too,
# and the folder is removed only once it has exited (it writes preferences).
cleanup() {
  if [ -n "${pid:-}" ]; then
    kill -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for _ in $(seq 50); do pgrep -g "$pid" >/dev/null || break; sleep 0.1; done
    pkill -KILL -g "$pid" 2>/dev/null || true
  fi
  rm -rf "$work" || true
}
trap cleanup EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
unset TNJWT_CONFIG_DIR # never the developer's own profiles
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

# 1. Headless: no display needed, and nothing but the help on the streams.
env -u DISPLAY LANG=C.UTF-8 "$BIN" --help >"$work/out" 2>"$work/err"
grep -q "tnjwt sets up" "$work/out" || { echo "smoke: --help printed no usage"; exit 1; }
[ ! -s "$work/err" ] || { echo "smoke: --help wrote to stderr:"; cat "$work/err"; exit 1; }
set +e
env -u DISPLAY "$BIN" no-such-command >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "smoke: unknown command exited $rc, want 2"; exit 1; }
[ "$(wc -l <"$work/err")" -eq 1 ] || { echo "smoke: error was not one line:"; cat "$work/err"; exit 1; }
set +e
env -u DISPLAY -u WAYLAND_DISPLAY "$BIN" >/dev/null 2>"$work/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "no display" "$work/err" && [ "$(wc -l <"$work/err")" -eq 1 ] ||
  { echo "smoke: with no display the wizard exited $rc:"; cat "$work/err"; exit 1; }

# 2. The window, under a virtual X server.
display=":$((90 + RANDOM % 100))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xpid=$!
trap 'kill $xpid 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 50); do xdpyinfo -display "$display" >/dev/null 2>&1 && break; sleep 0.1; done
# A private session bus, as a desktop has: without one, Fyne's theme watcher
# has D-Bus autolaunch a daemon that would outlive the test.
DISPLAY="$display" setsid dbus-run-session -- "$BIN" >"$work/app.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  if DISPLAY="$display" xwininfo -root -tree 2>/dev/null | grep -q '"tnjwt"'; then
    kill -0 "$pid" || { echo "smoke: the app exited"; cat "$work/app.log"; exit 1; }
    echo "smoke: window \"tnjwt\" is up"
    # The icon is embedded and set in code, so a plain `go build` shows it too.
    wid="$(DISPLAY="$display" xwininfo -name tnjwt | awk '/Window id/{print $4}')"
    for _ in $(seq 50); do
      icon="$(DISPLAY="$display" xprop -id "$wid" -len 64 -notype -f _NET_WM_ICON 32c '=$0x$1' _NET_WM_ICON)"
      case "$icon" in "_NET_WM_ICON="[1-9]*) break ;; esac
      sleep 0.1
    done
    case "$icon" in
      "_NET_WM_ICON="[1-9]*x[1-9]*) echo "smoke: window icon ${icon#_NET_WM_ICON=}" ;;
      *) echo "smoke: the window has no icon ($icon)"; exit 1 ;;
    esac
    if grep -v '^dbus-daemon\[' "$work/app.log" | grep -qi 'error'; then echo "smoke: the app logged errors:"; cat "$work/app.log"; exit 1; fi
    up=1
    break
  fi
  kill -0 "$pid" 2>/dev/null || { echo "smoke: the app exited before showing a window:"; cat "$work/app.log"; exit 1; }
  sleep 0.2
done
[ -n "${up:-}" ] || { echo "smoke: no window titled tnjwt appeared within 20 s"; cat "$work/app.log"; exit 1; }
cleanup_app() { kill -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
cleanup_app

# 3. No session bus at all (a bare X server, ssh -X): D-Bus autolaunch would
# start a dbus-daemon that outlives the window. Every process the app starts
# inherits the marker, so none may carry it once the app is gone.
mark="tnjwt-smoke-$$-$RANDOM"
mkdir -p "$work/run"
env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$work/run" TNJWT_SMOKE_MARK="$mark" DISPLAY="$display" \
  setsid "$BIN" >"$work/app2.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  DISPLAY="$display" xwininfo -root -tree 2>/dev/null | grep -q '"tnjwt"' && break
  kill -0 "$pid" 2>/dev/null || { echo "smoke: without a bus the app exited:"; cat "$work/app2.log"; exit 1; }
  sleep 0.2
done
# The theme watcher asks the bus as the window opens; give its goroutine the
# same time a person would take before closing the window.
kill -0 "$pid" 2>/dev/null || { echo "smoke: without a bus the app exited:"; cat "$work/app2.log"; exit 1; }
sleep 1
cleanup_app
left=""
for env in /proc/[0-9]*/environ; do
  if { tr '\0' '\n' <"$env"; } 2>/dev/null | grep -qx "TNJWT_SMOKE_MARK=$mark"; then
    p="${env#/proc/}"; p="${p%/environ}"; left="$left $p($(cat "/proc/$p/comm" 2>/dev/null))"; pids="${pids:-} $p"
  fi
done
[ -z "$left" ] || { echo "smoke: processes outlived the window with no session bus:$left"; kill $pids 2>/dev/null || true; exit 1; }
echo "smoke: no session bus, and no process outlived the window"
