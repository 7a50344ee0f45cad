#!/usr/bin/env bash
# make dist: every build tnjwt ships, into dist/, with SHA256SUMS.
#   tnjwt-VERSION-linux-amd64.tar.xz         the wizard for Linux (Fyne's packager; make install → ~/.local)
#   tnjwt-VERSION-windows-amd64.exe          the wizard for Windows (MinGW-w64, icon and version resource)
#   tnjwt-VERSION-OS-ARCH-headless[.exe]     every command, no wizard, one static file (six targets)
# macOS needs Apple's SDK, so its .app is built on a Mac (see the README).
#   scripts/dist.sh VERSION FULL_VERSION
set -euo pipefail
version="$1" full="$2"
root="$(pwd)"
out="$root/dist"
tags=migrated_fynedo
ldflags="-s -w -X main.version=$full"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Fyne's packager, pinned, built once for this machine (a `go run` under
# the Windows cross-compiler's environment would build it for Windows).
GOBIN="$work/bin" go install fyne.io/tools/cmd/fyne@v1.7.4
fyne=("$work/bin/fyne")
rm -rf "$out"
mkdir -p "$out"

echo "dist: headless builds"
for target in linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64; do
  os="${target%/*}" arch="${target#*/}" ext=""
  [ "$os" = windows ] && ext=".exe"
  CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -tags "headless,$tags" -ldflags "$ldflags" \
    -o "$out/tnjwt-$version-$os-$arch-headless$ext" .
done

# Fyne's packager reads FyneApp.toml and writes beside it (it also counts
# builds in it): it works on a copy of the source, never on the checkout.
src="$work/src"
mkdir -p "$src"
git ls-files -z | xargs -0 cp --parents -t "$src"
# Fyne's packager sets its own -ldflags: the version goes in as code instead.
printf 'package main\n\nfunc init() { version = "%s" }\n' "$full" >"$src/version_dist.go"

echo "dist: Linux desktop package"
go build -tags "$tags" -ldflags "$ldflags" -o "$src/tnjwt" .
(cd "$src" && "${fyne[@]}" package --os linux --exe tnjwt --release --app-version "$version" >/dev/null)
# Fyne's Makefile installs for everyone under /usr/local (root); ours
# installs for the user alone under ~/.local, the way an admin's desktop
# finds it without sudo.
mkdir -p "$work/linux"
tar -xJf "$src/tnjwt.tar.xz" -C "$work/linux"
cp packaging/linux/Makefile "$work/linux/tnjwt/Makefile"
tar -cJf "$out/tnjwt-$version-linux-amd64.tar.xz" -C "$work/linux" --owner=0 --group=0 tnjwt

echo "dist: Windows desktop .exe"
(cd "$src" && CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
  "${fyne[@]}" package --os windows --release --tags "$tags" --app-version "$version" >/dev/null)
mv "$src/tnjwt.exe" "$out/tnjwt-$version-windows-amd64.exe"

(cd "$out" && sha256sum -- * >SHA256SUMS)
echo "dist: $(ls "$out" | wc -l) files in dist/"
