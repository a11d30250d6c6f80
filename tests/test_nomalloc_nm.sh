#!/bin/sh
# test_nomalloc_nm.sh: the runtime library must never call the C allocator.
#
# Usage: test_nomalloc_nm.sh NM LIBRARY
#
# Lists the undefined symbols of every object in LIBRARY (the static
# libstele archive, or the shared library) and fails if any of them is a
# malloc-family function.  The runtime takes all its memory from the
# caller's workspace; zlib is driven through zalloc/zfree hooks that carve
# from that workspace, so not even zlib's default allocator may be pulled
# in by the runtime's own objects.  As a guard against passing vacuously
# (a wrong path, an empty archive), the library must also define at least
# one stele_ function.
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

FORBIDDEN='malloc|calloc|realloc|reallocarray|free|strdup|strndup|aligned_alloc|posix_memalign|memalign|valloc|pvalloc'

syms=$("$NM" -A "$LIB" 2>/dev/null) || {
    echo "FAIL: $NM could not read $LIB" >&2
    exit 1
}
n_defined=$(printf '%s\n' "$syms" | grep -Ec ' [TD] stele_[a-z_]+$')
if [ "$n_defined" -eq 0 ]; then
    echo "FAIL: $LIB defines no stele_ function; is it the runtime library?" >&2
    exit 1
fi
bad=$(printf '%s\n' "$syms" | grep -E " U ($FORBIDDEN)(@.*)?\$")
if [ -n "$bad" ]; then
    echo "FAIL: the runtime references the C allocator:" >&2
    printf '%s\n' "$bad" >&2
    exit 1
fi
n_obj=$(printf '%s\n' "$syms" | sed -n 's/^[^:]*:\([^:]*\):.*/\1/p' | sort -u | wc -l)
echo "nomalloc-nm: OK, $n_obj objects, $n_defined stele_ functions, no malloc-family reference"
exit 0
