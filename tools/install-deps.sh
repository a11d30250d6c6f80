#!/bin/sh
# Installs the Debian packages stele needs to build and test.
# Runs apt-get directly as root, through sudo otherwise.
# With --list it only prints the package names (.ci/run installs them itself).
set -eu
packages="meson ninja-build pkg-config gcc libc6-dev binutils zlib1g-dev libstemmer-dev libjansson-dev python3"
if [ "${1:-}" = "--list" ]; then
    echo "$packages"
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    as_root=""
else
    as_root="sudo"
fi
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    $as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing
fi
