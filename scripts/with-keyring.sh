#!/usr/bin/env bash
# Runs a command against a fresh, unlocked GNOME Keyring on a private D-Bus
# session bus, in a throw-away HOME, so keychain tests never touch anyone's
# own keyring. Exits non-zero if the Secret Service cannot be started.
#
#   scripts/with-keyring.sh ./tnjwt profile list
#
# `make keychain-test` gives it to `go test -exec`, so that each package's
# test binary gets a keyring daemon and bus of its own.
#
# The command sees TNJWT_KEYRING_SANDBOX (the temporary folder holding HOME,
# the XDG folders and TMPDIR) and TNJWT_KEYRING_PASSWORD (the keyring's
# password); the TestKeyring… tests skip without them (core/secrets/keyringtest).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: $tool is not installed (run scripts/install-deps.sh)" >&2
    exit 1
  fi
done

# Go keeps its caches under HOME by default; keep using the real ones, and
# build test binaries outside the sandbox so they are not searched for secrets.
if command -v go >/dev/null 2>&1; then
  GOCACHE="$(go env GOCACHE)"; GOMODCACHE="$(go env GOMODCACHE)"
  GOPATH="$(go env GOPATH)"; GOENV="$(go env GOENV)"
  export GOCACHE GOMODCACHE GOPATH GOENV
  export GOTMPDIR="${GOTMPDIR:-${TMPDIR:-/tmp}}"
fi

root="$(mktemp -d "${TMPDIR:-/tmp}/tnjwt-keyring.XXXXXX")"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/home" "$root/data" "$root/config" "$root/cache" "$root/run" "$root/tmp"
chmod 700 "$root" "$root/run"

export HOME="$root/home" XDG_DATA_HOME="$root/data" XDG_CONFIG_HOME="$root/config" \
  XDG_CACHE_HOME="$root/cache" XDG_RUNTIME_DIR="$root/run" TMPDIR="$root/tmp"
export TNJWT_KEYRING_SANDBOX="$root" TNJWT_KEYRING_PASSWORD="tnjwt-test-$$-$RANDOM"
# No display: an unlock prompt must fail, not wait for a click.
unset DBUS_SESSION_BUS_ADDRESS DISPLAY WAYLAND_DISPLAY TNJWT_CONFIG_DIR GNOME_KEYRING_CONTROL

# Inside the private bus: create and unlock the login keyring, wait until the
# Secret Service answers with an unlocked default collection, then run.
dbus-run-session -- bash -c '
  set -euo pipefail
  log="$TNJWT_KEYRING_SANDBOX/gnome-keyring.log"
  if ! printf %s "$TNJWT_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >"$log" 2>&1; then
    echo "with-keyring: gnome-keyring-daemon --unlock failed:" >&2
    cat "$log" >&2
    exit 1
  fi
  answer=""
  for _ in $(seq 100); do
    if answer="$(dbus-send --session --print-reply --dest=org.freedesktop.secrets \
        /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
        string:org.freedesktop.Secret.Collection string:Locked 2>&1)" &&
       grep -q "boolean false" <<<"$answer"; then
      exec "$@"
    fi
    sleep 0.1
  done
  echo "with-keyring: the Secret Service did not start, or its login keyring stayed locked: $answer" >&2
  cat "$log" >&2
  exit 1
' with-keyring "$@"
