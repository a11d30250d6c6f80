#!/bin/sh
# bench/build-scaling.sh: how building an index grows with the corpus.
# Build time, peak RSS and file size of stele (all cores, and one thread)
# and SQLite FTS5, at samples of about 1, 10 and 100 MB of the benchmark
# corpus, the whole corpus, and (with --gb) the corpus repeated to about
# 1 GB, all measured in one run, one build at a time.
#
#   bench/build-scaling.sh [--build DIR] [--corpus FILE] [--out DIR]
#                          [--sizes "1 10 100"] [--gb]
#
# --build: a build configured with -Dbench=true (default build-bench/, set
# up and built as bench/run.sh does); --corpus: JSON Lines (default
# scratch/bench/corpus.jsonl, made by make-corpus.sh); --out: where the
# table and plot go (default scratch/bench/build-scaling/).  Writes
# OUT/build-scaling.tsv (one line per build: label, input bytes, engine,
# seconds, peak RSS in KiB, index bytes), OUT/build-scaling.md (the table)
# and OUT/build-scaling.png (gnuplot).  Samples are every n-th line of the
# corpus; the repeated corpus prefixes each copy's ids with its number so
# that no id is duplicated.  It measures; it asserts nothing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
corpus="$root/scratch/bench/corpus.jsonl"
out="$root/scratch/bench/build-scaling"
sizes="1 10 100"
gb=0
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift ;;
    --corpus) corpus=$2; shift ;;
    --out) out=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --gb) gb=1 ;;
    *) echo "usage: $0 [--build DIR] [--corpus FILE] [--out DIR] [--sizes LIST] [--gb]" >&2
       exit 2 ;;
    esac
    shift
done
say() { echo "build-scaling: $*" >&2; }

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" -Dbench=true -Dbuildtype=release >/dev/null
fi
ninja -C "$build" >/dev/null
stele="$build/tools/stele"
refindex="$build/bench/bench_refindex"
for p in "$stele" "$refindex"; do
    [ -x "$p" ] || { say "missing $p (configure with -Dbench=true)"; exit 1; }
done
[ -x /usr/bin/time ] || { say "GNU time (/usr/bin/time) is not installed"; exit 1; }
[ -s "$corpus" ] || { say "no corpus at $corpus (bench/make-corpus.sh makes it)"; exit 1; }
mkdir -p "$out"
tsv="$out/build-scaling.tsv"
work="$out/work"
mkdir -p "$work"
printf 'label\tinput_bytes\tengine\tseconds\tpeak_rss_kib\tindex_bytes\n' >"$tsv"

# measure LABEL CORPUS: the three builds of one corpus.
measure() {
    label=$1 c=$2
    bytes=$(wc -c <"$c" | tr -d ' ')
    for engine in stele stele-1-thread fts5; do
        idx="$work/index.$engine"
        rm -rf "$idx"
        say "$label: $engine"
        case $engine in
        stele) set -- "$stele" index -q --format jsonl "$c" -o "$idx" ;;
        stele-1-thread) set -- "$stele" index -q --threads 1 --format jsonl "$c" -o "$idx" ;;
        fts5) set -- "$refindex" fts5 "$c" "$idx" ;;
        esac
        /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null
        read -r secs rss <"$work/time"
        size=$(wc -c <"$idx" | tr -d ' ')
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$bytes" "$engine" "$secs" "$rss" "$size" \
            >>"$tsv"
        rm -rf "$idx"
    done
}

full=$(wc -c <"$corpus" | tr -d ' ')
for mb in $sizes; do
    every=$(awk -v total="$full" -v mb="$mb" 'BEGIN {printf "%d", total / (mb * 1e6)}')
    [ "$every" -gt 1 ] || continue
    awk -v n="$every" 'NR % n == 0' "$corpus" >"$work/sample.jsonl"
    measure "${mb}MB" "$work/sample.jsonl"
    rm -f "$work/sample.jsonl"
done
measure full "$corpus"
if [ "$gb" = 1 ]; then
    big="$work/repeated.jsonl"
    copies=$(awk -v total="$full" 'BEGIN {n = int(1e9 / total); if (n * total < 1e9) n++; print n}')
    : >"$big"
    i=1
    while [ "$i" -le "$copies" ]; do
        sed -e "s|^{\"id\": \"|{\"id\": \"r$i/|" "$corpus" >>"$big"
        i=$((i + 1))
    done
    if [ "$(grep -c '^{"id": "r[0-9]*/' "$big")" != "$(grep -c . "$big")" ]; then
        say "cannot repeat $corpus: its records do not start with an id"
        exit 1
    fi
    measure 1GB "$big"
    rm -f "$big"
fi

# The table.
awk -F '\t' 'NR == 1 {
        print "| corpus | input MB | engine | build (s) | peak RSS (MiB) | index bytes | % of input |"
        print "|---|---:|---|---:|---:|---:|---:|"
        next
    }
    { printf "| %s | %.1f | %s | %.2f | %.1f | %d | %.1f%% |\n", $1, $2 / 1e6, $3, $4,
             $5 / 1024, $6, 100 * $6 / $2 }' "$tsv" >"$out/build-scaling.md"
cat "$out/build-scaling.md"

# The plot: time, memory and size against the input, log scales.
if command -v gnuplot >/dev/null; then
    for e in stele stele-1-thread fts5; do
        awk -F '\t' -v e="$e" 'NR > 1 && $3 == e {print $2 / 1e6, $4, $5 / 1024, 100 * $6 / $2}' \
            "$tsv" >"$work/$e.dat"
    done
    gnuplot <<EOF
set terminal pngcairo size 1500,450 noenhanced
set output '$out/build-scaling.png'
set multiplot layout 1,3 title 'index build against corpus size (one run)'
set logscale x
set xlabel 'input (MB)'
set key top left
set grid
set logscale y
set ylabel 'seconds'
set title 'build time (whole process)'
plot '$work/stele.dat' using 1:2 with linespoints title 'stele', \
     '$work/stele-1-thread.dat' using 1:2 with linespoints title 'stele, 1 thread', \
     '$work/fts5.dat' using 1:2 with linespoints title 'SQLite FTS5'
set ylabel 'MiB'
set title 'peak RSS'
plot '$work/stele.dat' using 1:3 with linespoints title 'stele', \
     '$work/stele-1-thread.dat' using 1:3 with linespoints title 'stele, 1 thread', \
     '$work/fts5.dat' using 1:3 with linespoints title 'SQLite FTS5'
unset logscale y
set ylabel '% of input'
set title 'index size'
plot '$work/stele.dat' using 1:4 with linespoints title 'stele', \
     '$work/fts5.dat' using 1:4 with linespoints title 'SQLite FTS5'
unset multiplot
EOF
    say "wrote $out/build-scaling.png"
fi
rm -rf "$work"
