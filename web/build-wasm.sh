#!/bin/sh
# Builds stele.wasm: the query runtime (engine/src, unchanged), the
# stemming glue (engine/stem), Snowball's libstemmer, zlib's inflate and
# the page's glue (web/stele_web.c), for wasm32-wasi with clang, wasm-ld
# and wasi-libc, all from Debian.
#
#   web/build-wasm.sh OUT.wasm DEPS WORK SOURCE.c...
#
# DEPS is what web/fetch-sources.sh wrote (zlib/ and snowball/ from
# Debian's source archive); WORK is a scratch directory for the generated
# stemmer sources and objects; SOURCE.c are stele's own sources (meson
# passes the runtime's list, so it cannot drift from the native build).
# CC (default clang) and CC_HOST (default cc, for the Snowball compiler,
# which turns the .sbl algorithms into C) may be overridden.
#
# The module is a WASI "reactor": no main, exports named in stele_web.c,
# and, since nothing in it does input or output, no imports but the few
# WASI calls wasi-libc's start-up may name; web/stele.js answers those.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 OUT.wasm DEPS WORK SOURCE.c..." >&2; exit 2; }
out=$1 deps=$2 work=$3
shift 3
CC=${CC_WASM:-clang}
CC_HOST=${CC_HOST:-cc}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
for d in "$deps/zlib" "$deps/snowball"; do
    [ -d "$d" ] || { echo "build-wasm: $d missing: run web/fetch-sources.sh" >&2; exit 1; }
done
mkdir -p "$work"
work=$(cd "$work" && pwd)

# 1. Snowball: build its compiler on the host and generate the UTF-8
#    stemmers and the module table of libstemmer, in a copy of the tree,
#    again whenever fetch-sources.sh brought other versions.
sb=$work/snowball
stamp=$(cat "$deps/VERSIONS" 2>/dev/null || echo unknown)
if [ ! -f "$sb/.generated" ] || [ "$(cat "$sb/.generated")" != "$stamp" ]; then
    rm -rf "$sb"
    cp -R "$deps/snowball" "$sb"
    algos=$(awk '!/^#/ && NF >= 3 && $2 ~ /UTF_8/ { print $1 }' "$sb/libstemmer/modules.txt")
    targets="snowball libstemmer/libstemmer_utf8.c libstemmer/modules_utf8.h"
    for a in $algos; do targets="$targets src_c/stem_UTF_8_$a.c"; done
    # shellcheck disable=SC2086
    make -s -C "$sb" CC="$CC_HOST" $targets >/dev/null
    echo "$stamp" >"$sb/.generated"
fi
algos=$(awk '!/^#/ && NF >= 3 && $2 ~ /UTF_8/ { print $1 }' "$sb/libstemmer/modules.txt")
stem_src="$sb/libstemmer/libstemmer_utf8.c $sb/runtime/api.c $sb/runtime/utilities.c"
for a in $algos; do stem_src="$stem_src $sb/src_c/stem_UTF_8_$a.c"; done

# 2. zlib: only what inflating and CRC-32 need.
z=$deps/zlib
zlib_src="$z/inflate.c $z/inftrees.c $z/inffast.c $z/crc32.c $z/adler32.c $z/zutil.c"

# 3. Compile and link.  -Oz: the module is downloaded (or base64 in the
#    page), and size matters more there than the last few percent of speed.
cflags="--target=wasm32-wasi -Oz -std=c11 -DNDEBUG -D_POSIX_C_SOURCE=200809L
 -I$root/engine/include -I$root/engine/src -I$root/engine/stem -I$z -I$sb/include"
obj=$work/obj
rm -rf "$obj"
mkdir -p "$obj"
n=0
for s in "$@" $stem_src $zlib_src; do
    n=$((n + 1))
    s=$(cd "$(dirname "$s")" && pwd)/$(basename "$s")
    extra=""
    case $s in
    "$root"/engine/*|"$root"/web/*) extra="-DSTELE_BUILDING -Wall -Wextra -Wno-unused-parameter" ;;
    *) extra="-w" ;;
    esac
    # shellcheck disable=SC2086
    $CC $cflags $extra -c "$s" -o "$obj/$n.o"
done
# shellcheck disable=SC2086
$CC --target=wasm32-wasi -Oz -mexec-model=reactor -Wl,--gc-sections -Wl,--strip-all \
    -Wl,--export=malloc -Wl,--export=free -o "$out.tmp" "$obj"/*.o
mv "$out.tmp" "$out"
