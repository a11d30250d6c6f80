#!/bin/sh
# Builds the firmware example for QEMU's mps2-an386 (Cortex-M4).
#
#   tools/firmware/build.sh OUT_DIR EMBEDDED_DIR [ZLIB_SOURCE_DIR]
#
# EMBEDDED_DIR holds embedded_index.c and embedded_index.h (`stele embed
# INDEX --name embedded_index --max-hits 5 -o embedded_index.c --header
# embedded_index.h`; the meson build makes them in build/tools).  The
# runtime (engine/src, without the test-only query_dump.c) and zlib's
# inflate and crc32 (default web/deps/zlib, from web/fetch-sources.sh)
# are compiled with arm-none-eabi-gcc -Os -ffreestanding; newlib gives
# only memcpy-like functions, libgcc the soft float.  Run it with
#   qemu-system-arm -M mps2-an386 -nographic -semihosting -kernel OUT_DIR/fw.elf
set -eu
out=$1
embedded=$2
here=$(cd "$(dirname "$0")/../.." && pwd)
zsrc=${3:-$here/web/deps/zlib}
[ -f "$zsrc/inflate.c" ] || { echo "firmware: no zlib source in $zsrc (web/fetch-sources.sh)" >&2; exit 77; }
command -v arm-none-eabi-gcc >/dev/null 2>&1 || { echo "firmware: no arm-none-eabi-gcc" >&2; exit 77; }
mkdir -p "$out/core" "$out/zlib" "$out/fw"
out=$(cd "$out" && pwd)
embedded=$(cd "$embedded" && pwd)
# -fcallgraph-info=su: each object's call graph and frames (a .ci file
# beside it), from which tests/test_firmware.py sums the static stack
# bounds (tools/size-sum.py) that the painted stack of the run must keep.
flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffreestanding -ffunction-sections -fdata-sections -fcallgraph-info=su"
incs="-DSTELE_BUILDING -I$here/engine/include -I$here/engine/src -I$zsrc -I$embedded -I$here/tools/firmware"
for src in "$here"/engine/src/*.c "$here/tools/firmware/fw_search.c" "$here/tools/firmware/fw_m4.c" \
    "$embedded/embedded_index.c"; do
    case $src in
    */query_dump.c) continue ;;
    */engine/src/*) dir=core ;;
    *) dir=fw ;;
    esac
    # shellcheck disable=SC2086
    (cd "$out/$dir" && arm-none-eabi-gcc $flags $incs -c "$src" -o "$(basename "$src" .c).o")
done
for z in inflate inftrees inffast zutil adler32 crc32; do
    # shellcheck disable=SC2086
    (cd "$out/zlib" && arm-none-eabi-gcc $flags -DZ_SOLO -w -c "$zsrc/$z.c" -o "$z.o")
done
# shellcheck disable=SC2086
arm-none-eabi-gcc $flags -nostartfiles -T "$here/tools/firmware/fw_m4.ld" -Wl,--gc-sections \
    "$out"/fw/*.o "$out"/core/*.o "$out"/zlib/*.o -lc -lgcc -o "$out/fw.elf"
arm-none-eabi-size "$out/fw.elf" | tail -1 | awk '{ printf "firmware: %s (flash %d bytes, RAM %d bytes)\n", $6, $1 + $2, $2 + $3 }'
