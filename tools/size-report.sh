#!/bin/sh
# The runtime's budgets on a Cortex-M4, measured: code size at -Os, and the
# worst-case stack of every public call.
#
#   tools/size-report.sh [-DNAME=VALUE...]
#
# The -D arguments go to the compiler, to measure a configuration with
# lower limits or left-out features (stele_config.h), e.g.
# -DSTELE_MAX_DEPTH=4 or -DSTELE_OMIT_VERIFY.  ZLIB_SRC
# (default web/deps/zlib) is where zlib's source is.
#
# Compiles the runtime core (engine/src, without the test-only
# query_dump.c) and zlib's inflate and crc32 (from Debian's zlib source,
# which web/fetch-sources.sh fetches) with arm-none-eabi-gcc for
# -mcpu=cortex-m4 -mthumb -Os -ffreestanding, links them with a probe that
# takes the address of every function stele.h declares (so the linker's
# --gc-sections keeps exactly what a program using the whole API needs),
# and sums .text, .rodata, .data and .bss per input file from the link map.
# The stack figure is each public function's deepest call chain, summed
# from gcc's -fcallgraph-info=su call graphs (tools/stack-sum.py).  It
# The workspace figures are stele_query_prepare's (a run and a snippet of
# its hits), measured on a 32-bit target, where pointers are a
# microcontroller's 4 bytes: tools/workspace_probe.c over the one-file
# runtime (tools/amalgamate.py), built for armhf and run under qemu-arm on
# the bundled corpus's index (STELE_INDEX, default build/tools/corpus.stele);
# skipped without the armhf toolchain and sysroot (tools/cross-sysroot.sh).
# It prints Markdown, the tables in README.md.  Needs gcc-arm-none-eabi and
# libnewlib-arm-none-eabi.
set -eu
cd "$(dirname "$0")/.."
zsrc=${ZLIB_SRC:-web/deps/zlib}
defines="$*"
cc=arm-none-eabi-gcc
for need in "$cc" python3; do
    command -v "$need" >/dev/null 2>&1 || { echo "size-report: $need not found" >&2; exit 77; }
done
[ -f "$zsrc/inflate.c" ] || { echo "size-report: no zlib source in $zsrc (web/fetch-sources.sh)" >&2; exit 77; }
out=scratch/size
rm -rf "$out"
mkdir -p "$out/core" "$out/zlib"
flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffreestanding
 -ffunction-sections -fdata-sections -fcallgraph-info=su $defines"
# shellcheck disable=SC2086
for src in engine/src/*.c; do
    case $src in */query_dump.c) continue ;; esac
    obj=$out/core/$(basename "$src" .c).o
    (cd "$out/core" && $cc $flags -DSTELE_BUILDING -I"$OLDPWD/engine/include" -I"$OLDPWD/engine/src" \
        -I"$OLDPWD/$zsrc" -c "$OLDPWD/$src" -o "$(basename "$obj")")
done
# Z_SOLO: no default allocator (the runtime passes its own zalloc/zfree).
# shellcheck disable=SC2086
for src in inflate inftrees inffast zutil adler32 crc32; do
    (cd "$out/zlib" && $cc $flags -DZ_SOLO -w -c "$OLDPWD/$zsrc/$src.c" -o "$src.o")
done
# The probe: every public function's address, so that all are kept; the
# functions are those stele.h declares under the -D flags, which may leave
# some out (STELE_OMIT_*, stele_config.h).
{
    echo '#include "stele.h"'
    echo 'typedef void (*fn)(void);'
    echo 'volatile fn stele_size_probe[] = {'
    # shellcheck disable=SC2086
    $cc $defines -DSTELE_BUILDING -Iengine/include -E -P engine/include/stele.h |
        grep -o 'visibility("default"))) [^(]*[ *]stele_[a-z0-9_]*(' |
        sed 's/.*[ *]\(stele_[a-z0-9_]*\)(/    (fn)\1,/'
    echo '};'
    echo 'int main(void) { return stele_size_probe[0] != 0; }'
} >"$out/probe.c"
# shellcheck disable=SC2086
$cc $flags -Iengine/include -c "$out/probe.c" -o "$out/probe.o"
# shellcheck disable=SC2086
$cc $flags -nostartfiles -Wl,--entry=main -Wl,--gc-sections -Wl,-Map="$out/probe.map" \
    "$out/probe.o" "$out"/core/*.o "$out"/zlib/*.o -lc -lgcc -o "$out/probe.elf"
# The freestanding check on these objects, strictly (no strlen either).
tests/test_freestanding_nm.sh arm-none-eabi-nm "$out/probe.elf" >/dev/null
python3 tools/size-sum.py "$out/probe.map" "$out" $defines

index=${STELE_INDEX:-build/tools/corpus.stele}
sysroot=scratch/sysroot/armhf
if command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 && command -v qemu-arm >/dev/null 2>&1 &&
    [ -f "$sysroot/usr/lib/arm-linux-gnueabihf/libz.a" ] && [ -f "$index" ]; then
    python3 tools/amalgamate.py "$out/amalgamation" >/dev/null
    # shellcheck disable=SC2086
    arm-linux-gnueabihf-gcc -std=c11 -O2 -static $defines -I"$out/amalgamation" -I"$sysroot/usr/include" \
        tools/workspace_probe.c "$out/amalgamation/stele.c" \
        -L"$sysroot/usr/lib/arm-linux-gnueabihf" -lz -o "$out/workspace_probe"
    echo
    echo "| workspace on 32-bit ARM, bundled corpus, 5 hits | bytes | budget |"
    echo "|---|---:|---:|"
    qemu-arm "$out/workspace_probe" "$index" 5 "women prison treatment drug children" \
        "treatment" "women prison" |
        awk -F '\t' '$1 == "bound" { printf "| the bound (stele_workspace_bound) | %d | |\n", $2; next }
                      { w = split($1, a, " "); printf "| `%s`, run and snippet | %d |%s|\n", $1, $2,
                        w == 5 ? " 16 KiB " : " " }'
else
    echo
    echo "(workspace figures skipped: no armhf toolchain, qemu-arm, sysroot or $index)"
fi
