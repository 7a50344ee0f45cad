#!/usr/bin/env bash
# make windows-test: every Windows .exe that `make dist` ships, started for
# real under Wine (Debian 12's wine64 8.0), in a throw-away prefix (never
# ~/.wine) and a throw-away HOME:
#   - core/fsutil's Windows tests (the owner-only access list), cross-compiled;
#   - the headless .exe against `tnjwt emulator` (the Linux build, on
#     loopback, which Wine shares): --version, keygen (RSA 2048 and 4096),
#     profile import, test --profile, profile renew, rotate and the test that
#     promotes the new key, rollback, export --format env, profile delete,
#     each checked by its exit code and output. The secrets are read back from
#     the Credential Manager by internal/wincheck (a second client, which
#     never prints them): the same bytes as the files imported, every item
#     within the 2,560-byte blob limit (Wine does not enforce it), and gone
#     after delete. The access lists of the key, .env and profiles.json
#     files are read back too (as far as Wine keeps them: see the README);
#   - the desktop .exe under Xvfb, read as a person would (a screenshot with
#     ImageMagick, its text by OCR with tesseract): its window appears
#     (xdotool), the Welcome screen lists the org the headless .exe saved,
#     the practice org's first screens (its button clicked, Alt+Right for
#     Next, a key generated), and the window closes when asked the way a
#     window manager asks (scripts/wine/wm-close.c): practice mode asks
#     first, Close anyway closes it, the program exiting 0.
# Wine 8.0 lacks bcryptprimitives.dll, which Go's runtime loads at start-up:
# a shim built from scripts/wine/bcryptprimitives.c goes into the prefix's
# system32. Secrets are never printed, not even when a check fails.
# TNJWT_WINDOWS_SHOTS=DIR keeps the window's screenshots there, passed or not.
#   scripts/windows-test.sh VERSION
set -euo pipefail
version="$1"
root="$(pwd)"
dist="$root/dist"
hlexe="$dist/tnjwt-$version-windows-amd64-headless.exe"
guiexe="$dist/tnjwt-$version-windows-amd64.exe"
linux="$dist/tnjwt-$version-linux-amd64-headless" # runs the emulator
t0=$SECONDS
step() { printf 'windows-test: [%3ds] %s\n' $((SECONDS - t0)) "$*"; }
fail() {
  echo "windows-test: FAILED: $1" >&2
  # Outputs are shown with sign-in links blanked; no command run here prints
  # a key or a consumer key.
  local f
  for f in "${@:2}"; do
    [ -s "$f" ] || continue
    echo "--- $(basename "$f"):" >&2
    sed -E 's#(frontdoor[._a-z]*[":= ]+)[^ ",]+#\1(not shown)#g' "$f" | tail -n 40 >&2
  done
  exit 1
}

for f in "$hlexe" "$guiexe" "$linux"; do [ -s "$f" ] || fail "missing $f: run make dist"; done
wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
wineserver="$(command -v wineserver || echo /usr/lib/wine/wineserver64)"
[ -x "$wine" ] && [ -x "$wineserver" ] || fail "Wine is not installed (scripts/install-deps.sh wine)"

work="$(mktemp -d "${TMPDIR:-/tmp}/tnjwt-wine.XXXXXX")"
out="$work/out"
mkdir -p "$out" "$work/home" "$work/bin" "$work/renew" "$work/rotate" "$work/rollback"
epid="" xpid="" gpid=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "${TNJWT_WINDOWS_SHOTS:-}" ]; then # passed or not
    mkdir -p "$TNJWT_WINDOWS_SHOTS"
    for f in "$work"/*.png; do case "$f" in *-ocr.png) ;; *) cp "$f" "${f%.png}.txt" "$TNJWT_WINDOWS_SHOTS/" 2>/dev/null ;; esac; done
  fi
  for p in "$gpid" "$epid" "$xpid"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  # Ends this prefix's own Windows processes and its wineserver, no other.
  [ -d "$work/prefix" ] && WINEPREFIX="$work/prefix" "$wineserver" -k 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
umask 022 # a 0644 file must look shared under Wine, which keeps Unix modes

# Wine: its own prefix and HOME (where it would link Documents and Desktop);
# no Mono or Gecko installer, no menu entries, no debug chatter.
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree=;mshtml=;winemenubuilder.exe=d"
wineenv=(env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME -u DISPLAY -u WAYLAND_DISPLAY
  -u DBUS_SESSION_BUS_ADDRESS -u TNJWT_CONFIG_DIR HOME="$work/home")

# The prefix takes a while (wineboot); the helpers build meanwhile.
step "making a Wine prefix; building the bcryptprimitives.dll shim and the checks"
timeout -k 10 300 "${wineenv[@]}" "$wine" wineboot --init >"$work/wineboot.log" 2>&1 &
bootpid=$!
x86_64-w64-mingw32-gcc -O2 -shared -s -o "$work/bin/bcryptprimitives.dll" scripts/wine/bcryptprimitives.c -ladvapi32
gcc -O2 -o "$work/bin/wm-close" scripts/wine/wm-close.c -lX11
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -o "$work/bin/wincheck.exe" ./internal/wincheck
GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$work/bin/fsutil.test.exe" ./core/fsutil
wait "$bootpid" || fail "wineboot --init failed" "$work/wineboot.log"
# wineboot returns before its services settle: wait for them, then keep one
# wineserver for the whole run rather than one per command.
timeout 300 "${wineenv[@]}" "$wineserver" -w || fail "Wine's start-up services did not settle" "$work/wineboot.log"
"${wineenv[@]}" "$wineserver" -p
sys32="$WINEPREFIX/drive_c/windows/system32"
[ -d "$sys32" ] || fail "the Wine prefix has no system32" "$work/wineboot.log"
# Go loads system DLLs from system32 alone, so beside the .exe would not do.
cp "$work/bin/bcryptprimitives.dll" "$sys32/"

# win PATH: the Windows name of a Unix path (Wine's drive Z: is /).
win() { local p="$1"; printf 'Z:%s' "${p//\//\\}"; }
# run NAME WANT EXE ARGS...: a Windows program under Wine; its stdout and
# stderr land in $out/NAME.out and .err; fails unless it exits WANT. (The
# time limit only guards against a hang: these take a second or two.)
run() {
  local name="$1" want="$2" rc=0
  shift 2
  timeout -k 10 300 "${wineenv[@]}" "$wine" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
  [ "$rc" -ne 124 ] || fail "$name: no answer within 300 s" "$out/$name.out" "$out/$name.err"
  [ "$rc" -eq "$want" ] || fail "$name: exit $rc, want $want" "$out/$name.out" "$out/$name.err"
}
hl() { local name="$1" want="$2"; shift 2; run "$name" "$want" "$hlexe" "$@"; }
check() { local name="$1"; shift; run "$name" 0 "$work/bin/wincheck.exe" "$@"; }
# has NAME REGEX...: every extended REGEX matches a line of NAME's stdout.
has() {
  local name="$1" re
  shift
  for re in "$@"; do
    grep -Eq -- "$re" "$out/$name.out" || fail "$name: no line matches /$re/" "$out/$name.out" "$out/$name.err"
  done
}
# closed PATH: nobody but the owner has any access in the Unix mode Wine gave it.
closed() {
  local m
  m="$(stat -c %a "$1")"
  [ $((8#$m & 8#007)) -eq 0 ] || fail "$1 is mode $m under Wine: other users can read it"
}

step "core/fsutil's Windows tests (the owner-only access list)"
run fsutil-test 0 "$work/bin/fsutil.test.exe" -test.run '^TestWindows' -test.v
has fsutil-test '^--- PASS: TestWindowsOwnerOnlyACL' '^PASS$'

step "headless .exe: --version"
hl version 0 --version
has version "^tnjwt ${version//./\\.}\\+.* \\(headless build\\)"

# keygen BITS: an RSA key pair in $work/kBITS, checked as keygen reports it
# and as the file system keeps it.
keygen() {
  local bits="$1" dir="$work/k$1"
  hl "keygen-$bits" 0 keygen --out "$(win "$dir")" --bits "$bits" --cn "tnjwt wine test"
  has "keygen-$bits" "^Key size: +RSA $bits bits$" \
    '^Private key: +Z:.*\\sf_private_key\.pem \(an access list for you alone\)$' \
    "^Certificate: +Z:.*\\\\sf_public_cert\\.crt \\(its folder's access list\\)$"
  [ -s "$dir/sf_private_key.pem" ] && [ -s "$dir/sf_public_cert.crt" ] || fail "keygen $bits wrote no files" "$out/keygen-$bits.out"
  check "acl-key-$bits" acl -want private "$(win "$dir/sf_private_key.pem")"
  check "acl-cert-$bits" acl -want shared "$(win "$dir/sf_public_cert.crt")"
  closed "$dir/sf_private_key.pem"
}
step "headless .exe: keygen --bits 2048, and 4096"
keygen 2048
keygen 4096

# The practice org, on the Linux side: app A takes k2048's certificate, B
# k4096's; "uploading" a certificate restarts it on the same port.
ka="3MVG9wine.practice.consumer.key.app.A.0123456789abcdefghijklmnopqrstuv"
kb="3MVG9wine.practice.consumer.key.app.B.0123456789abcdefghijklmnopqrstuv"
printf '%s' "$ka" >"$work/ka"
printf '%s' "$kb" >"$work/kb"
emulator() { # CERT-FOR-A [LISTEN]
  cat >"$work/org.json" <<JSON
{"legacy_login_hosts": false,
 "apps": [
  {"name": "Tableau Next Embedding A", "consumer_key": "$ka", "certificate_file": "$1", "jwt_bearer_enabled": true,
   "scopes": ["web", "refresh_token"], "permitted_users": "admin_approved", "permission_sets": ["TableauNextEmbeddingJWT"],
   "propagation_seconds": 0},
  {"name": "Tableau Next Embedding B", "consumer_key": "$kb", "certificate_file": "$work/k4096/sf_public_cert.crt",
   "jwt_bearer_enabled": true, "scopes": ["web", "refresh_token"], "permitted_users": "admin_approved",
   "permission_sets": ["TableauNextEmbeddingJWT"], "propagation_seconds": 0}],
 "users": [{"username": "embed@acme.com", "active": true, "permission_sets": ["TableauNextEmbeddingJWT"]}]}
JSON
  if [ -n "$epid" ]; then kill "$epid"; wait "$epid" 2>/dev/null || true; fi
  "$linux" emulator --config "$work/org.json" ${2:+--listen "$2"} >"$work/emulator.log" 2>&1 &
  epid=$!
  local deadline=$((SECONDS + 30))
  until grep -q '^listening on ' "$work/emulator.log"; do
    kill -0 "$epid" 2>/dev/null || fail "the emulator stopped" "$work/emulator.log"
    [ $SECONDS -lt $deadline ] || fail "the emulator did not start within 30 s" "$work/emulator.log"
    sleep 0.05
  done
  url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log" | head -1)"
}
emulator "$work/k2048/sf_public_cert.crt"
hostport="${url#http://}"

# items NAME PROFILE: the profile's items in the Credential Manager, every
# one within the blob limit.
items() { check "$1" items -max 2560 "$2"; }
pubkey() { openssl x509 -noout -pubkey -in "$1"; }

step "headless .exe: profile import (2048 and 4096) into the Credential Manager"
hl import-acme 0 profile import --name acme --login-url "$url" --username embed@acme.com \
  --client-id-file "$(win "$work/ka")" --key-file "$(win "$work/k2048/sf_private_key.pem")" \
  --cert-file "$(win "$work/k2048/sf_public_cert.crt")"
hl import-big 0 profile import --name big --login-url "$url" --username embed@acme.com \
  --client-id-file "$(win "$work/kb")" --key-file "$(win "$work/k4096/sf_private_key.pem")" \
  --cert-file "$(win "$work/k4096/sf_public_cert.crt")"
items items-acme acme
has items-acme '^tnjwt:acme/consumer-key [0-9]+$' '^tnjwt:acme/consumer-key/g1/0 ' \
  '^tnjwt:acme/private-key [0-9]+$' '^tnjwt:acme/private-key/g1/0 '
items items-big big
has items-big '^tnjwt:big/private-key/g1/0 ' '^tnjwt:big/private-key/g1/1 '
check secret-acme-key secret acme private-key "$(win "$work/k2048/sf_private_key.pem")"
check secret-acme-id secret acme consumer-key "$(win "$work/ka")"
check secret-big-key secret big private-key "$(win "$work/k4096/sf_private_key.pem")"
hl list 0 profile list
profiles_json="$(echo "$WINEPREFIX"/drive_c/users/*/AppData/Roaming/tnjwt/profiles.json)"
[ -s "$profiles_json" ] || fail "no profiles.json in the prefix's %AppData%\\tnjwt"
check acl-profiles acl -want private "$(win "$profiles_json")"
closed "$profiles_json"
has list '^acme ' '^big '

# test NAME PROFILE WANT: test --profile, exit WANT, its JSON kept in $out/NAME.out.
test_profile() { hl "$1" "$3" test --profile "$2" --json; }
step "headless .exe: test --profile against the emulator"
test_profile test-acme acme 0
has test-acme '"ok": true' '"key": "current"'
test_profile test-big big 0
has test-big '"ok": true'

step "headless .exe: profile renew (a new certificate over the same key)"
hl renew 0 profile renew acme --out "$(win "$work/renew")"
[ "$(pubkey "$work/renew/sf_public_cert.crt")" = "$(pubkey "$work/k2048/sf_public_cert.crt")" ] ||
  fail "renew: the new certificate is not over the profile's key"
cmp -s "$work/renew/sf_public_cert.crt" "$work/k2048/sf_public_cert.crt" && fail "renew wrote the old certificate again"
test_profile test-renewed acme 0
has test-renewed '"ok": true'

step "headless .exe: profile rotate, then the test that promotes the new key"
hl rotate 0 profile rotate acme --out "$(win "$work/rotate")"
items items-rotate acme
has items-rotate '^tnjwt:acme/pending-private-key [0-9]+$' '^tnjwt:acme/private-key [0-9]+$'
# Before the upload, the new key is refused and stays pending.
test_profile test-not-uploaded acme 3
has test-not-uploaded '"ok": false' '"key": "pending"' '"promoted": false'
emulator "$work/rotate/sf_public_cert.crt" "$hostport"
test_profile test-promote acme 0
has test-promote '"ok": true' '"key": "pending"' '"promoted": true'
items items-promoted acme
has items-promoted '^tnjwt:acme/previous-private-key [0-9]+$'
grep -q '^tnjwt:acme/pending-private-key' "$out/items-promoted.out" && fail "the promoted key is still pending" "$out/items-promoted.out"
check secret-previous secret acme previous-private-key "$(win "$work/k2048/sf_private_key.pem")"

step "headless .exe: profile rollback"
hl rollback 0 profile rollback acme --out "$(win "$work/rollback")"
[ "$(pubkey "$work/rollback/sf_public_cert.crt")" = "$(pubkey "$work/k2048/sf_public_cert.crt")" ] ||
  fail "rollback: the certificate written is not the previous key's"
check secret-rolled-back secret acme private-key "$(win "$work/k2048/sf_private_key.pem")"
items items-rollback acme
emulator "$work/rollback/sf_public_cert.crt" "$hostport"
test_profile test-rolled-back acme 0
has test-rolled-back '"ok": true' '"key": "current"'

step "headless .exe: export --format env"
hl export 0 export --profile acme --format env --out "$(win "$work/export")"
has export '^wrote Z:.*\\\.env$'
env="$work/export/.env"
[ -s "$env" ] || fail "export wrote no .env" "$out/export.out"
grep -q "^SF_CLIENT_ID=\"\?$ka\"\?$" "$env" || fail "the .env does not hold app A's consumer key"
grep -q '^SF_USERNAME="\?embed@acme\.com"\?$' "$env" || fail "the .env does not hold the username"
grep -q 'BEGIN PRIVATE KEY' "$env" || fail "the .env holds no private key"
check acl-env acl -want private "$(win "$env")"
closed "$env"

step "desktop .exe: its window under Xvfb (with the profiles the headless .exe saved)"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xpid=$!
deadline=$((SECONDS + 30))
until [ -s "$work/display" ]; do
  kill -0 "$xpid" 2>/dev/null || fail "Xvfb stopped" "$work/xvfb.log"
  [ $SECONDS -lt $deadline ] || fail "Xvfb did not start within 30 s" "$work/xvfb.log"
  sleep 0.05
done
export DISPLAY=":$(head -1 "$work/display")"
env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_CACHE_HOME -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS \
  -u TNJWT_CONFIG_DIR HOME="$work/home" "$wine" "$guiexe" >"$out/desktop.out" 2>"$out/desktop.err" &
gpid=$!
# until FAILURE SECONDS COMMAND...: polls COMMAND until it succeeds, while
# the desktop .exe runs; the deadline only guards against a hang.
until_ok() {
  local what="$1" secs="$2" deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    kill -0 "$gpid" 2>/dev/null || fail "the desktop .exe exited: $what" "$out/desktop.out" "$out/desktop.err"
    [ $SECONDS -lt $deadline ] || fail "$what (waited $secs s)" "$out/desktop.out" "$out/desktop.err"
    sleep 0.1
  done
}
found() { wid="$(xdotool search --onlyvisible --name '^tnjwt$' 2>/dev/null | head -1)" && [ -n "$wid" ]; }
until_ok "no tnjwt window appeared" 180 found
# The window is read as a person would: a screenshot (ImageMagick), its text
# by OCR (tesseract, on a grey copy at twice the size; one thread, as its
# OpenMP threads crawl on a busy machine), and its words' boxes
# for clicking. shows SHOT REGEX... waits until the window's text matches
# every extended REGEX (a screen is drawn a moment after it is asked for).
shot() {
  local name="$1"
  import -window "$wid" "$work/$name.png" 2>/dev/null &&
    convert "$work/$name.png" -colorspace gray -resize 200% "$work/$name-ocr.png" &&
    OMP_THREAD_LIMIT=1 tesseract "$work/$name-ocr.png" "$work/$name" txt tsv >/dev/null 2>&1
}
matches() {
  local name="$1" re
  shift
  shot "$name" || return 1
  for re in "$@"; do grep -Eq -- "$re" "$work/$name.txt" || return 1; done
}
shows() {
  local name="$1"
  shift
  until_ok "the window never showed: $*" 180 matches "$name" "$@"
}
# click SHOT WORD NEXT: clicks the middle of WORD where NEXT follows it on
# the same line of SHOT (the button "Practice with…", not the sentence
# "Practice walks…").
click() {
  local xy
  xy="$(awk -F'\t' -v a="$2" -v b="$3" '$1 == 5 {
      line = $3 "/" $4 "/" $5
      if (word == a && $12 == b && line == prev) { print int((x + w / 2) / 2), int((y + h / 2) / 2); exit }
      word = $12; x = $7; y = $8; w = $9; h = $10; prev = line }' "$work/$1.tsv")"
  [ -n "$xy" ] || fail "no \"$2 $3\" to click in the window" "$work/$1.txt"
  # shellcheck disable=SC2086 # two numbers
  xdotool mousemove --window "$wid" $xy click 1
}
shows welcome '^Welcome' '^Saved orgs' '^acme\b'
colours="$(identify -format '%k' "$work/welcome.png")"
[ "$colours" -ge 64 ] || fail "the Welcome screen has $colours colours: is it drawn?"
read -r width height < <(xdotool getwindowgeometry "$wid" | sed -n 's/^ *Geometry: \([0-9]*\)x\([0-9]*\)$/\1 \2/p')
[ "${width:-0}" -ge 600 ] && [ "${height:-0}" -ge 400 ] || fail "the window is ${width:-?}x${height:-?}"
step "desktop .exe: Welcome (${width}x${height}, $colours colours) lists the org the headless .exe saved; the practice walk"
click welcome Practice with
shows practice-org 'Practice org: you are rehearsing' 'Login URL +http://localhost:[0-9]+' 'Step 2 of 10'
xdotool key --clearmodifiers alt+Right # Next
shows practice-key 'Key and certificate . practice' 'Step 3 of 10'
click practice-key Generate key
shows practice-generated 'SHA-256 fingerprint' '2048 bits RSA' 'Step 3 of 10'
step "desktop .exe: closing the window as a window manager would"
"$work/bin/wm-close" "$wid" || fail "the window does not take WM_DELETE_WINDOW"
# Practice mode asks first (what was rehearsed goes with the window). Stay,
# the safe answer, has the focus: Tab moves it to Close anyway, Space presses
# it, as a keyboard user would (the OCR of the dialog's buttons on the
# window's own capture is not steady enough to click by).
shows close-question 'Close tnjwt'
xdotool key --clearmodifiers Tab space
# In two stages, so a failure says which: the window goes, then the program.
# If the window stays, what the screen shows then (a question?) is printed.
gone() { ! xdotool search --onlyvisible --name '^tnjwt$' >/dev/null 2>&1; }
exited() { ! kill -0 "$gpid" 2>/dev/null; }
deadline=$((SECONDS + 120))
until gone; do
  if [ $SECONDS -ge $deadline ]; then
    import -window root "$work/after-close.png" && convert "$work/after-close.png" -colorspace gray -resize 200% "$work/after-close-ocr.png" &&
      OMP_THREAD_LIMIT=1 tesseract "$work/after-close-ocr.png" "$work/after-close" >/dev/null 2>&1 || true
    fail "the window was still open 120 s after the close; the screen read:" "$work/after-close.txt" "$out/desktop.err"
  fi
  sleep 0.1
done
until exited; do
  [ $SECONDS -lt $deadline ] || fail "the window closed, but the program had not exited 120 s after the close" "$out/desktop.err"
  sleep 0.1
done
rc=0
wait "$gpid" || rc=$?
gpid=""
[ "$rc" -eq 0 ] || fail "the desktop .exe exited $rc after the close" "$out/desktop.out" "$out/desktop.err"
grep -Eq 'panic|fatal error' "$out/desktop.err" && fail "the desktop .exe reported an error" "$out/desktop.err"

step "headless .exe: profile delete, and the Credential Manager is empty"
hl delete-acme 0 profile delete acme
hl delete-big 0 profile delete big
for p in acme big; do
  items "items-deleted-$p" "$p"
  [ ! -s "$out/items-deleted-$p.out" ] || fail "profile delete $p left items in the Credential Manager" "$out/items-deleted-$p.out"
done
hl list-after 0 profile list
grep -Eq '^(acme|big) ' "$out/list-after.out" && fail "profile list still shows a deleted profile" "$out/list-after.out"

step "passed: every Windows .exe of dist/ ran under Wine $("$wine" --version 2>/dev/null | sed 's/^wine-//')"
