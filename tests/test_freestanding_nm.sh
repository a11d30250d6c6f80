#!/bin/sh
# test_freestanding_nm.sh: the runtime must run freestanding, on a
# microcontroller with no libm and the barest C library.
#
# Usage: test_freestanding_nm.sh NM LIBRARY [--hosted]
#
# Every symbol the runtime's objects leave undefined must be defined by
# the library itself, or be one of
#   - memcpy, memmove, memset, memcmp, memchr (a freestanding toolchain
#     has them, and the compiler may emit calls to the first four anyway);
#   - zlib's inflate and crc32 (the stored text, the sections' checksums);
#   - the compiler's own runtime and instrumentation (names starting with
#     "__": soft float, 64-bit division, sanitizers, stack protector).
# So no libm (the logarithm for IDF is rank.c's own), no stdio, no string
# functions, no allocator.  --hosted also allows strlen: a compiler for a
# hosted target turns a counting loop into a strlen call, as it turns
# copying loops into memcpy; with -ffreestanding (the Cortex-M build,
# tools/size-report.sh) it may not, and there strlen fails too.
NM=$1
LIB=$2
if [ -z "$NM" ] || [ -z "$LIB" ]; then
    echo "usage: $0 NM LIBRARY" >&2
    exit 99
fi
if ! command -v "$NM" >/dev/null 2>&1; then
    echo "SKIP: $NM not found" >&2
    exit 77
fi
if [ ! -f "$LIB" ]; then
    echo "FAIL: no library at $LIB" >&2
    exit 1
fi
syms=$("$NM" "$LIB" 2>/dev/null) || {
    echo "FAIL: $NM could not read $LIB" >&2
    exit 1
}
defined=$(printf '%s\n' "$syms" | awk 'NF == 3 && $2 ~ /^[TDRBCVW]$/ { print $3 }' | sort -u)
if ! printf '%s\n' "$defined" | grep -q '^stele_open_$'; then
    echo "FAIL: $LIB does not define stele_open_; is it the runtime library?" >&2
    exit 1
fi
undefined=$(printf '%s\n' "$syms" | awk '$1 == "U" { sub(/@.*/, "", $2); print $2 }' | sort -u)
extra=
[ "${3:-}" != "--hosted" ] || extra='|strlen'
allowed='^(memcpy|memmove|memset|memcmp|memchr|inflate|inflateInit2_|inflateEnd|inflateReset|inflateReset2|inflateSetDictionary|crc32|__.*|_GLOBAL_OFFSET_TABLE_'"$extra"')$'
bad=$(printf '%s\n' "$undefined" | grep -vxF "$defined" | grep -Ev "$allowed" | grep -v '^$')
if [ -n "$bad" ]; then
    echo "FAIL: the runtime needs more than a freestanding C library gives:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
n_ext=$(printf '%s\n' "$undefined" | grep -vxF "$defined" | grep -vc '^$')
echo "freestanding-nm: OK, $n_ext external symbols, all mem*, zlib or compiler runtime"
exit 0
