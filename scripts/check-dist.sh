#!/usr/bin/env bash
# Checks what `make dist` made, as CI does: the Windows .exe is a GUI PE32+
# with its icon and version, the Linux headless binary is static and runs
# the live test against the emulator and the keychain under a private
# Secret Service, the .desktop entry validates, and the tarball installs
# into (and uninstalls from) a fresh HOME without root.
#   scripts/check-dist.sh VERSION
set -euo pipefail
version="$1"
dist="$(realpath dist)"
fail() { echo "check-dist: $*" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the files"
for a in linux-amd64.tar.xz windows-amd64.exe; do
  [ -s "$dist/tnjwt-$version-$a" ] || fail "missing tnjwt-$version-$a"
done
for t in linux-amd64 linux-arm64 darwin-amd64 darwin-arm64 windows-amd64.exe windows-arm64.exe; do
  f="$dist/tnjwt-$version-${t%.exe}-headless"; [ "$t" != "${t%.exe}" ] && f="$f.exe"
  [ -s "$f" ] || fail "missing $(basename "$f")"
done

exe="$dist/tnjwt-$version-windows-amd64.exe"
file -b "$exe" >"$work/file"
grep -q '^PE32+ executable (GUI) x86-64' "$work/file" || fail "the .exe is not a GUI PE32+: $(cat "$work/file")"
# Output goes to files first: grep -q stops reading early, and under
# pipefail the writer's broken pipe would fail the check.
x86_64-w64-mingw32-objdump -h "$exe" >"$work/sections"
grep -q '\.rsrc' "$work/sections" || fail "the .exe has no resources (icon, version)"
strings -el "$exe" >"$work/wide"
grep -Eqx "${version//./\\.}(\.[0-9]+)?" "$work/wide" || fail "the .exe carries no version resource $version"
file -b "$dist/tnjwt-$version-windows-amd64-headless.exe" >"$work/hlfile"
grep -q console "$work/hlfile" || fail "the headless .exe is not a console program: $(cat "$work/hlfile")"
strings -a "$exe" >"$work/narrow"
grep -qF "$version+" "$work/narrow" || fail "the .exe does not carry tnjwt's own version ($version+git)"
echo "check-dist: Windows .exe is a GUI PE32+ with resources and version $version; the headless .exe is a console program"

hl="$dist/tnjwt-$version-linux-amd64-headless"
ldd "$hl" >"$work/ldd" 2>&1 || true
grep -q 'not a dynamic executable' "$work/ldd" || fail "the Linux headless binary is not static: $(cat "$work/ldd")"
"$hl" --version >"$work/version"
grep -q "^tnjwt $version.* (headless build)$" "$work/version" || fail "headless --version: $(cat "$work/version")"
set +e; env -u DISPLAY "$hl" >/dev/null 2>"$work/err"; rc=$?; set -e
[ "$rc" -eq 2 ] && grep -q "headless build" "$work/err" || fail "the headless build without a command: exit $rc: $(cat "$work/err")"
echo "check-dist: the Linux headless binary is static and says it has no wizard"

# The headless binary against the emulator, and its keychain for real.
key="3MVG9practice.consumer.key.for.the.local.emulator.only.0123456789"
"$hl" keygen --out "$work/keys" >/dev/null
cat >"$work/org.json" <<JSON
{"legacy_login_hosts": false, "apps": [{"name": "Tableau Next Embedding", "consumer_key": "$key",
  "certificate_file": "$work/keys/sf_public_cert.crt", "jwt_bearer_enabled": true,
  "scopes": ["web", "refresh_token"], "permitted_users": "admin_approved",
  "permission_sets": ["TableauNextEmbeddingJWT"], "propagation_seconds": 0}],
 "users": [{"username": "embed@acme.com", "active": true, "permission_sets": ["TableauNextEmbeddingJWT"]}]}
JSON
"$hl" emulator --config "$work/org.json" >"$work/emulator.log" 2>&1 &
epid=$!
trap 'kill $epid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 400); do grep -q '^listening on ' "$work/emulator.log" && break; sleep 0.05; done # up to 20 s on a busy machine
url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/emulator.log" | head -1)"
[ -n "$url" ] || fail "the headless emulator did not start: $(cat "$work/emulator.log")"
"$hl" test --login-url "$url" --client-id "$key" --username embed@acme.com --key-file "$work/keys/sf_private_key.pem" --json \
  >"$work/test.json" || fail "the headless tnjwt test against the emulator did not pass: $(cat "$work/test.json")"
grep -q '"ok": true' "$work/test.json" || fail "the headless tnjwt test printed no success: $(cat "$work/test.json")"
cat >"$work/keychain.sh" <<SH
set -e
"$hl" profile import --name acme --login-url "$url" --username embed@acme.com --client-id "$key" \
  --key-file "$work/keys/sf_private_key.pem" --cert-file "$work/keys/sf_public_cert.crt" >/dev/null
"$hl" profile list >"$work/list"
grep -q '^acme ' "$work/list"
"$hl" test --profile acme >/dev/null
"$hl" profile delete acme >/dev/null
SH
TNJWT_CONFIG_DIR="$work/profiles" bash scripts/with-keyring.sh bash "$work/keychain.sh" \
  || fail "the headless binary's keychain and profiles did not work under a real Secret Service"
echo "check-dist: the headless binary passed tnjwt test against the emulator, and profile import/list/test/delete in a real keyring"

tar -xJf "$dist/tnjwt-$version-linux-amd64.tar.xz" -C "$work"
entry="$work/tnjwt/usr/local/share/applications/io.github.tnjwt.desktop"
desktop-file-validate "$entry" || fail "the .desktop entry does not validate"
home="$work/home"
mkdir -p "$home"
HOME="$home" make -s -C "$work/tnjwt" install >/dev/null
for f in .local/bin/tnjwt .local/share/applications/io.github.tnjwt.desktop .local/share/icons/io.github.tnjwt.png; do
  [ -s "$home/$f" ] || fail "make install did not put $f in HOME"
done
[ -x "$home/.local/bin/tnjwt" ] || fail "the installed tnjwt is not executable"
grep -qx "Exec=$home/.local/bin/tnjwt" "$home/.local/share/applications/io.github.tnjwt.desktop" || fail "the installed entry does not run the installed binary"
desktop-file-validate "$home/.local/share/applications/io.github.tnjwt.desktop" || fail "the installed entry does not validate"
"$home/.local/bin/tnjwt" --version | grep -q "(desktop build)" || fail "the installed binary is not the desktop build"
HOME="$home" make -s -C "$work/tnjwt" uninstall >/dev/null
[ -z "$(find "$home/.local" -type f)" ] || fail "make uninstall left: $(find "$home/.local" -type f)"
echo "check-dist: the Linux package installs into ~/.local without root, validates, and uninstalls cleanly"
