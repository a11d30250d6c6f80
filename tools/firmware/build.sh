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
mkdir -p "$out"
flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffreestanding -ffunction-sections -fdata-sections"
srcs=""
for src in "$here"/engine/src/*.c; do
    case $src in */query_dump.c) continue ;; esac
    srcs="$srcs $src"
done
for z in inflate inftrees inffast zutil adler32 crc32; do
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $flags -DZ_SOLO -w -c "$zsrc/$z.c" -o "$out/z_$z.o"
done
# shellcheck disable=SC2086
arm-none-eabi-gcc $flags -DSTELE_BUILDING -I"$here/engine/include" -I"$here/engine/src" -I"$zsrc" \
    -I"$embedded" -I"$here/tools/firmware" -nostartfiles -T "$here/tools/firmware/fw_m4.ld" \
    -Wl,--gc-sections $srcs "$here/tools/firmware/fw_search.c" "$here/tools/firmware/fw_m4.c" \
    "$embedded/embedded_index.c" "$out"/z_*.o -lc -lgcc -o "$out/fw.elf"
arm-none-eabi-size "$out/fw.elf" | tail -1 | awk '{ printf "firmware: %s (flash %d bytes, RAM %d bytes)\n", $6, $1 + $2, $2 + $3 }'
