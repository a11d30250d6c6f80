#!/bin/sh
# run-all.sh: every benchmark in one go, output kept in
# scratch/bench/results-YYYYmmdd-HHMM.txt as well as printed.
#
#   bench/run-all.sh [CRANFIELD_DIR]
#
# Builds the drivers (build-bench/, -Dbench=true, release) and the stele CLI
# (build/), makes the large corpus if missing, then runs size.py, speed.sh
# on both corpora and cranfield.py with FTS5 (and Xapian when the C++
# drivers were built, i.e. libxapian-dev is installed).  Takes about 15
# minutes on two cores.  bench/run.sh is the newer one-command comparison
# with Xapian in process.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cran=${1:-"$root/../shared/data/cranfield"}
mkdir -p "$root/scratch/bench"
out="$root/scratch/bench/results-$(date -u +%Y%m%d-%H%M).txt"

if [ ! -f "$root/build-bench/build.ninja" ]; then
    meson setup "$root/build-bench" "$root" -Dbench=true -Dbuildtype=release >/dev/null
fi
ninja -C "$root/build-bench" >/dev/null
[ -f "$root/build/build.ninja" ] || meson setup "$root/build" "$root" >/dev/null
ninja -C "$root/build" tools/stele >/dev/null

xapian=""
if [ -x "$root/build-bench/bench/bench_refindex" ]; then
    xapian="--xapian"
fi

{
    echo "# stele benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
        "commit $(git -C "$root" rev-parse --short HEAD)"
    "$root/bench/make-corpus.sh" | tail -n 1
    echo
    python3 "$root/bench/size.py" $xapian
    rm -f "$root"/scratch/bench/speed/*.stele
    "$root/bench/speed.sh" big 10
    echo
    "$root/bench/speed.sh" small 100
    echo
    python3 "$root/bench/cranfield.py" --data "$cran" --fts5 $xapian
} 2>&1 | tee "$out"
echo "results in $out"
