#!/bin/sh
# Installs the Debian packages stele needs to build and test.
# Runs apt-get directly as root, through sudo otherwise.
# With --list it only prints the package names (.ci/run installs them itself).
set -eu
packages="meson ninja-build pkg-config gcc libc6-dev binutils zlib1g-dev libstemmer-dev libjansson-dev python3 groff-base"
# the prompt's line editing (libedit), the kiosk (ncurses) and its tests (tmux)
packages="$packages libedit-dev libncurses-dev tmux"
# stele web: stele.wasm (clang for wasm32-wasi, wasm-ld, wasi-libc, the
# wasm32 builtins; make builds the Snowball compiler) and its browser tests
# (Debian's chromium, driven from node by playwright-core, see web/package.json).
# An npm that came with another node package (which conflicts with
# Debian's npm) is fine as it is.
packages="$packages clang lld wasi-libc libclang-rt-14-dev-wasm32 make chromium nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"
# Fuzzing and the thread-sanitizer test (tools/fuzz.sh, .ci/run): clang's
# libFuzzer and sanitizer runtimes.
packages="$packages libclang-rt-14-dev"
# Cross builds (cross/, tools/cross-test.sh): a 32-bit ARM and a big-endian
# s390x Linux target run under qemu-user; Cortex-M4 (arm-none-eabi with
# newlib) runs under qemu-system-arm.
packages="$packages gcc-arm-linux-gnueabihf libc6-dev-armhf-cross gcc-s390x-linux-gnu"
packages="$packages libc6-dev-s390x-cross qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi"
packages="$packages qemu-system-arm"
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
# stele web: the zlib and Snowball sources stele.wasm is compiled from, from
# Debian's source archive (web/fetch-sources.sh), once.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$here/web/deps/zlib" ] || [ ! -d "$here/web/deps/snowball" ]; then
    "$here/web/fetch-sources.sh"
fi
