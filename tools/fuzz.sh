#!/bin/sh
# fuzz.sh TARGET SECONDS [JOBS]: runs one libFuzzer target for SECONDS
# seconds (in JOBS parallel processes, default 1) and prints libFuzzer's
# closing statistics.
#
# TARGET is analyze, query, index, ingest or merge (tests/fuzz_TARGET.c).
# The targets are built once, with clang, in build-fuzz/ at the top of the
# source tree (-Dfuzzing=true, AddressSanitizer and UBSan); set BUILD to
# use another directory.  The run starts from the committed seeds in
# tests/fuzz/TARGET/ (never written to) and keeps what it learns in
# BUILD/fuzz-corpus/TARGET/, so a later run goes on from there; the
# target's dictionary tests/fuzz/TARGET.dict is used when there is one.
# A crash, leak, hang (over 10 s) or sanitizer report stops the run and
# leaves the input in BUILD/fuzz-artifacts/TARGET/; copy it under
# tests/fuzz/TARGET/ as a regression input once it is fixed.
# Extra libFuzzer flags can be given in FUZZ_FLAGS.
# Exit status: 0 when the run ended without a find, 1 otherwise.
set -eu

usage() {
    echo "usage: tools/fuzz.sh TARGET SECONDS [JOBS]  (TARGET: analyze, query, index, ingest, merge)" >&2
    exit 2
}
[ $# -ge 2 ] && [ $# -le 3 ] || usage
target=$1
seconds=$2
jobs=${3:-1}
case $target in analyze | query | index | ingest | merge) ;; *) usage ;; esac
case $seconds in '' | *[!0-9]*) usage ;; esac
case $jobs in '' | *[!0-9]* | 0) usage ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build-fuzz}
if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang not found (libFuzzer needs it)" >&2
    exit 77
fi
if [ ! -d "$build" ]; then
    CC=clang meson setup "$build" "$root" -Dfuzzing=true -Db_sanitize=address,undefined \
        -Db_lundef=false >/dev/null
fi
meson compile -C "$build" "tests/fuzz-$target" >/dev/null

corpus=$build/fuzz-corpus/$target
artifacts=$build/fuzz-artifacts/$target
mkdir -p "$corpus" "$artifacts"
dict=
if [ -f "$root/tests/fuzz/$target.dict" ]; then
    dict=-dict=$root/tests/fuzz/$target.dict
fi
log=$build/fuzz-$target.log
case $target in
analyze) max_len=4096 ;;
query) max_len=256 ;;
ingest) max_len=8192 ;;
*) max_len=16384 ;;
esac
parallel=
if [ "$jobs" -gt 1 ]; then
    parallel=-fork=$jobs # one driver, JOBS child processes sharing the corpus
fi
# -max_len, per target: each run's cost grows with its input, and the
# longest useful input differs.  256 bytes of query reach the nesting and
# phrase limits (STELE_MAX_DEPTH, STELE_MAX_PHRASE: 16); the tokenizer's state
# (a term of at most 255 bytes, its truncation) fits in 4 KB; an ingested
# file, an index and two shards need room for their seeds (up to 5, 7.4
# and 8.7 KB) to grow.  -timeout: a hang is a find.
# -entropic=0: the entropic scheduler's bookkeeping grows with the
# features one input reaches, and a query reaches some 20,000; it spent
# half the time of the query target, which ran 4 to 10 times faster
# without it (156 against 15 to 36 executions a second in 12 to 15 s runs
# from the seeds) and reached more coverage in the same time.
# Halt on the first UBSan report, as on the first ASan one.
status=0
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$build/tests/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=$max_len -entropic=0 -print_final_stats=1 $parallel \
    -artifact_prefix="$artifacts/" $dict ${FUZZ_FLAGS:-} \
    "$corpus" "$root/tests/fuzz/$target" >"$log" 2>&1 || status=1
grep -E '^#[0-9]+|^stat::|^Done|ERROR|SUMMARY' "$log" | tail -n 12
if [ -n "$(ls -A "$artifacts")" ]; then
    echo "fuzz.sh: $target found something: see $artifacts and $log" >&2
    status=1
fi
exit $status
