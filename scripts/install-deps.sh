#!/usr/bin/env bash
# Installs the system packages tnjwt needs to build (cgo + OpenGL for Fyne) and to
# run its whole test suite (Xvfb, D-Bus, gnome-keyring, openssl, Chromium for
# the frontdoor URL in a real browser). Only what is
# missing is installed, so a second run is quick and asks for nothing.
set -euo pipefail

PKGS=(gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev
      xvfb xauth x11-utils dbus dbus-x11 gnome-keyring libsecret-tools
      openssl ca-certificates locales chromium)
# `scripts/install-deps.sh dist` (make dist): what the packages are made and
# checked with: MinGW-w64 for the Windows .exe, desktop-file-validate, file, xz.
if [ "${1:-}" = dist ]; then
  PKGS=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 desktop-file-utils file xz-utils binutils)
fi
# `scripts/install-deps.sh wine` (make windows-test): Wine to start the .exe
# files, MinGW-w64 for its bcryptprimitives.dll shim, xdotool, ImageMagick
# and tesseract to find, photograph, read and click the window under Xvfb.
if [ "${1:-}" = wine ]; then
  PKGS=(wine64 gcc-mingw-w64-x86-64 gcc libx11-dev xvfb xdotool imagemagick tesseract-ocr tesseract-ocr-eng)
fi
# `scripts/install-deps.sh conformance` (make conformance, make bench): the
# runtimes of the exported servers, as Debian 12 ships them: Python with
# Flask, PyJWT, requests, python-dotenv and gunicorn; Ruby with Sinatra,
# ruby-jwt, dotenv, Puma and Bundler; the JDK 17 (Go and Node.js are there);
# yappi and stackprof profile the Python and Ruby servers in make bench.
if [ "${1:-}" = conformance ]; then
  PKGS=(python3 python3-flask python3-jwt python3-cryptography python3-requests python3-dotenv gunicorn python3-yappi ruby-stackprof
        ruby ruby-sinatra ruby-jwt ruby-dotenv puma bundler openjdk-17-jdk-headless)
fi
# The exported Node.js server is run in the tests; the machine's own Node.js
# (20 or later) and npm are used when there, else Debian's.
if [ -z "${1:-}" ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "tnjwt: this is not a Debian or Ubuntu system. Install the equivalents of:" >&2
    echo "  ${missing[*]}" >&2
    echo "(Fedora: gcc libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel libxkbcommon-devel" >&2
    echo " xorg-x11-server-Xvfb dbus-daemon gnome-keyring openssl; macOS: Xcode command line tools only)" >&2
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "tnjwt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Fyne logs "Error parsing user locale C" without a real locale.
if ! locale -a 2>/dev/null | grep -qi '^en_US\.utf8$'; then
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen 2>/dev/null || true
  grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'en_US.UTF-8 UTF-8' | $SUDO tee -a /etc/locale.gen >/dev/null
  $SUDO locale-gen >/dev/null
fi
