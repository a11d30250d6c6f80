#!/bin/sh
# speed.sh: query speed of stele against SQLite FTS5 on the same text, and a
# callgrind instruction count for a fixed query mix.
#
#   bench/speed.sh [big|small] [REPEAT]
#
# big (default): scratch/bench/corpus.jsonl (run bench/make-corpus.sh
# first) with bench/queries-big.tsv; small: the bundled corpus/*.txt with
# bench/queries-small.tsv.  Uses bench_index and bench_search from a build
# configured with -Dbench=true in build-bench/ (made here if missing).
# The index and the FTS5 database are built once into scratch/bench/speed/
# and reused; delete them to rebuild.
#
# Wall-clock figures on a shared machine move by tens of percent between
# runs; the callgrind counts (instructions executed inside the searches of
# the mix, once per engine, loading excluded) are the figures to compare
# across commits.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-big}
repeat=${2:-20}
build="$root/build-bench"
work="$root/scratch/bench/speed"
mkdir -p "$work"

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbench=true -Dbuildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null
indexer="$build/bench/bench_index"
bench="$build/bench/bench_search"

case "$which" in
big)
    corpus="$root/scratch/bench/corpus.jsonl"
    [ -s "$corpus" ] || { echo "missing $corpus: run bench/make-corpus.sh" >&2; exit 1; }
    format=jsonl kind=jsonl inputs="$corpus"
    queries="$root/bench/queries-big.tsv"
    ;;
small)
    format=resolutions kind=resolutions inputs=$(ls "$root"/corpus/*.txt)
    queries="$root/bench/queries-small.tsv"
    ;;
*)
    echo "usage: bench/speed.sh [big|small] [REPEAT]" >&2
    exit 2
    ;;
esac

index="$work/$which.stele"
db="$work/$which.fts5.db"
if [ ! -s "$index" ]; then
    # shellcheck disable=SC2086 # inputs is a list of paths without spaces
    "$indexer" --format "$format" $inputs -o "$index" >/dev/null
fi
if [ ! -s "$db" ]; then
    # shellcheck disable=SC2086
    python3 "$root/bench/size.py" --fts5-child "$db" "$kind" 0 $inputs
fi

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $which corpus, top 10"
"$bench" -n "$repeat" -k 10 --fts5 "$db" "$index" "$queries"

if command -v valgrind >/dev/null 2>&1; then
    # The mix leaves out the class stele refuses (prefix-wide, over
    # STELE_MAX_PREFIX_TERMS), so both engines count the same queries.
    mixq="$work/mix.$which.tsv"
    grep -v '^prefix-wide' "$queries" >"$mixq"
    nq=$(grep -c -v '^#' "$mixq")
    for engine in stele fts5; do
        out="$work/callgrind.$which.$engine.out"
        valgrind --tool=callgrind --callgrind-out-file="$out" \
            --toggle-collect="run_mix_$engine" \
            "$bench" --mix "$engine" --fts5 "$db" "$index" "$mixq" \
            >"$work/callgrind.$which.$engine.log" 2>&1
        ir=$(callgrind_annotate "$out" 2>/dev/null |
            awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}')
        echo "callgrind: $engine $ir instructions for the mix of $nq queries (searches only)"
    done
fi
