#!/bin/sh
# The portability proof: the golden queries (tests/golden/) answered on a
# 32-bit little-endian target (armhf) and a big-endian one (s390x), under
# qemu-user, from an index built on the host.
#
#   tools/cross-test.sh [ARCH...]        (default: armhf s390x)
#
# For each target it checks that
#   1. the host's index, searched there, gives the golden hits, snippets
#      and match counts (tests/golden/results.txt) and every score within
#      1e-9 of tests/golden/scores.txt;
#   2. the index built there from corpus/ is byte for byte the host's.
# Needs the cross compilers (gcc-arm-linux-gnueabihf, gcc-s390x-linux-gnu)
# and qemu-user; the libraries' sysroot is made once by
# tools/cross-sysroot.sh (as root).  Build directories: build-cross-host,
# build-ARCH; the host index is scratch/cross/golden.stele.
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
[ $# -gt 0 ] || set -- armhf s390x
golden="tests/golden/queries.txt tests/golden/results.txt"
mkdir -p scratch/cross

setup() { # builddir [meson args...]
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" --werror -Dweb=disabled "$@" >scratch/cross/setup.log 2>&1 ||
            { cat scratch/cross/setup.log >&2; exit 1; }
    fi
    ninja -C "$dir" tests/test_golden >/dev/null
}

setup build-cross-host
host_index=scratch/cross/golden.stele
out=scratch/cross/out.txt
status=0
# shellcheck disable=SC2086
build-cross-host/tests/test_golden corpus "$host_index" $golden --scores tests/golden/scores.txt \
    >$out || status=1
sed 's/^/host: /' $out
[ $status -eq 0 ] || { echo "cross-test: the host itself fails the golden tests" >&2; exit 1; }

for arch in "$@"; do
    case $arch in
    armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm ;;
    s390x) triplet=s390x-linux-gnu qemu=qemu-s390x ;;
    *) echo "cross-test: no cross file for $arch" >&2; exit 2 ;;
    esac
    sysroot=$root/scratch/sysroot/$arch
    [ -f "$sysroot/sysroot.ini" ] || tools/cross-sysroot.sh "$arch"
    setup "build-$arch" --cross-file "$sysroot/sysroot.ini" --cross-file "cross/$arch-linux.txt"
    run="$qemu -L /usr/$triplet -E LD_LIBRARY_PATH=$sysroot/usr/lib/$triplet:$sysroot/lib/$triplet"
    # shellcheck disable=SC2086
    $run "build-$arch/tests/test_golden" corpus "$host_index" $golden --prebuilt \
        --scores tests/golden/scores.txt >$out || status=1
    sed "s/^/$arch, host's index: /" $out
    # shellcheck disable=SC2086
    $run "build-$arch/tests/test_golden" corpus "scratch/cross/golden-$arch.stele" $golden \
        --scores tests/golden/scores.txt >/dev/null || status=1
    if cmp -s "$host_index" "scratch/cross/golden-$arch.stele"; then
        echo "$arch: the index built there is byte for byte the host's"
    else
        echo "$arch: the index built there differs from the host's" >&2
        status=1
    fi
done
[ $status -eq 0 ] && echo "cross-test: OK ($*)" || echo "cross-test: FAIL" >&2
exit $status
