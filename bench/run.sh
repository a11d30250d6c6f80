#!/bin/sh
# run.sh: the whole comparison of stele with SQLite FTS5 and Xapian, from a
# fresh clone, in one command:
#
#   bench/run.sh [--lucene] [--gb | --repeat-step MB] [--no-scaling]
#                [--steps "1 10"] [--rounds R]
#                [--per-class N] [--throughput S] [--corpus FILE.jsonl]
#                [--work DIR] [--out DIR] [--build DIR] [--no-deps] [--quick]
#
# 1. Installs what is missing (apt-get; as root, else through sudo): the
#    build dependencies, libsqlite3-dev, libxapian-dev, g++, GNU time,
#    gnuplot, groff.  --no-deps skips this.
# 2. Builds stele and the drivers in build-bench/ (-Dbench=true, release),
#    or uses the build given with --build (which must have -Dbench=true).
# 3. Makes the corpus (bench/make-corpus.sh: about 120 MB of JSON Lines, 103
#    MB of English text from Debian documentation packages, in
#    scratch/bench/), unless --corpus names another JSON Lines file.
# 4. The comparison (WORK/full/): queries of every class from the corpus's
#    vocabulary (bench/gen_queries.py, fixed seed, N per class, default 100);
#    the three indexes built under /usr/bin/time -v (stele: `stele index`;
#    FTS5 and Xapian: bench_refindex); one query process per engine alone,
#    for its memory; one search per process (bench/oneshot.py: the stele
#    CLI and the sqlite3 shell, 20 queries); then bench_compare with all three engines in one
#    process, R timed rounds (default 5) after a warm-up, and S seconds
#    (default 5) of throughput per engine with one thread and with one per
#    core.
# 5. The scaling series (unless --no-scaling): samples of about 1 and 10 MB
#    of the corpus (--steps, in MB of JSON Lines), each with its own
#    queries (20 per class), indexes and 3 timed rounds; the full corpus is
#    the last step.  --gb adds a step of about 1 GB: the corpus repeated
#    with distinct ids (its vocabulary does not grow as a real 1 GB corpus
#    would; about 20 minutes, 8 GB of RAM for stele's indexer today and
#    10 GB of disk); --repeat-step MB sets another size for that step.
# --lucene adds Lucene (Debian's liblucene8-java, bench/LuceneBench.java,
#    run with OpenJDK) as a further row: its own index, and its own timing
#    process right after bench_compare's (Java cannot share that process),
#    five untimed passes over the queries first so the JIT has compiled
#    the hot paths.
# 6. bench/report.py writes OUT/latest.md, latency.png and scaling.png
#    (OUT defaults to bench/results/).
#
# --quick is for trying the scripts: a 10 MB sample instead of the full
# corpus, 2 rounds, 20 queries per class, 1 s of throughput, steps of 1 MB.
# Everything but the results goes to WORK (default scratch/bench/run/,
# ignored by git).  Takes about 10 minutes on two cores.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/scratch/bench/run"
out="$root/bench/results"
build=""
corpus=""
deps=1
scaling=1
repeat_mb=""
lucene=0
quick=0
steps="1 10"
rounds=5
per_class=100
tput=5
command="bench/run.sh $*"

while [ $# -gt 0 ]; do
    case "$1" in
    --gb) repeat_mb=1000 ;;
    --repeat-step) repeat_mb=$2; shift ;;
    --lucene) lucene=1 ;;
    --no-scaling) scaling=0 ;;
    --no-deps) deps=0 ;;
    --quick) quick=1 rounds=2 per_class=20 tput=1 steps="1" ;;
    --steps) steps=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --per-class) per_class=$2; shift ;;
    --throughput) tput=$2; shift ;;
    --corpus) corpus=$2; shift ;;
    --work) work=$2; shift ;;
    --out) out=$2; shift ;;
    --build) build=$2; shift ;;
    *)
        sed -n '2,/^set -eu/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
        exit 2
        ;;
    esac
    shift
done

say() { echo "run.sh: $*" >&2; }

# 1. Dependencies.
if [ "$deps" = 1 ]; then
    packages="$(sh "$root/tools/install-deps.sh" --list) g++ libsqlite3-dev libxapian-dev
time gnuplot-nox groff-base xz-utils"
    [ "$lucene" = 0 ] || packages="$packages liblucene8-java default-jdk-headless"
    missing=""
    for p in $packages; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        say "installing$missing"
        as_root=""
        [ "$(id -u)" -eq 0 ] || as_root=sudo
        $as_root apt-get update -qq
        # shellcheck disable=SC2086 # a list of package names
        DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq $missing
    fi
fi

# 2. The build.
if [ -z "$build" ]; then
    build="$root/build-bench"
    if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" "$root" -Dbench=true -Dbuildtype=release >/dev/null
    fi
    say "building in $build"
    ninja -C "$build" >/dev/null
    if [ ! -x "$build/bench/bench_compare" ]; then
        # Set up before libsqlite3-dev or libxapian-dev was installed: look
        # for them again.
        meson setup --reconfigure "$build" "$root" -Dbench=true >/dev/null
        ninja -C "$build" >/dev/null
    fi
fi
stele="$build/tools/stele"
refindex="$build/bench/bench_refindex"
compare="$build/bench/bench_compare"
for p in "$stele" "$refindex" "$compare"; do
    [ -x "$p" ] || { say "missing $p (configure with -Dbench=true)"; exit 1; }
done
command -v gnuplot >/dev/null || { say "gnuplot is not installed"; exit 1; }
if [ "$lucene" = 1 ]; then
    jars=""
    for j in core analyzers-common; do
        jar=$(ls /usr/share/java/lucene-$j-8*.jar 2>/dev/null | head -n 1)
        [ -n "$jar" ] || { say "no lucene-$j jar (apt-get install liblucene8-java)"; exit 1; }
        jars="$jars:$jar"
    done
    mkdir -p "$work/lucene-classes"
    javac -cp "${jars#:}" -d "$work/lucene-classes" "$root/bench/LuceneBench.java"
    java_cp="$work/lucene-classes$jars"
fi
[ -x /usr/bin/time ] || { say "GNU time (/usr/bin/time) is not installed"; exit 1; }

# 3. The corpus.
mkdir -p "$work"
if [ -z "$corpus" ]; then
    "$root/bench/make-corpus.sh" >&2
    corpus="$root/scratch/bench/corpus.jsonl"
fi
[ -s "$corpus" ] || { say "no corpus at $corpus"; exit 1; }
if [ "$quick" = 1 ]; then
    every=$(($(wc -c <"$corpus") / 10000000))
    if [ "$every" -gt 1 ]; then
        awk -v n="$every" 'NR % n == 0' "$corpus" >"$work/quick.jsonl"
        corpus="$work/quick.jsonl"
    fi
fi

{
    echo "command $command"
    echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(
        git -C "$root" diff --quiet HEAD -- . ':!bench/results' 2>/dev/null ||
            echo ' (with local changes)')"
    echo "cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "cores $(nproc)"
    echo "memory $(awk '/^MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo)"
    echo "os $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "kernel Linux $(uname -r)"
    echo "cc $(cc --version | head -n 1)"
    echo "sqlite SQLite $(pkg-config --modversion sqlite3)"
    echo "xapian Xapian $(pkg-config --modversion xapian-core)"
    echo "load_start $(cut -d ' ' -f 1-3 /proc/loadavg)"
    echo "throughput_seconds $tput"
} >"$work/meta.txt"

index_bytes() {
    if [ -d "$1" ]; then
        find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'
    else
        wc -c <"$1" | tr -d ' '
    fi
}

# One corpus size: queries, the three indexes, the timed comparison.
#   measure DIR CORPUS PER_CLASS ROUNDS THROUGHPUT_SECONDS MEMORY(0|1)
measure() {
    d=$1 c=$2 n=$3 r=$4 s=$5 mem=$6
    mkdir -p "$d"
    say "$d: queries"
    python3 "$root/bench/gen_queries.py" --per-class "$n" "$c" "$d/queries.tsv" "$d/stats"
    say "$d: building the stele index"
    rm -f "$d/index.stele"
    /usr/bin/time -v -o "$d/build-stele.time" \
        "$stele" index --format jsonl "$c" -o "$d/index.stele" >"$d/build-stele.out"
    say "$d: building the FTS5 database"
    rm -f "$d/index.fts5"
    /usr/bin/time -v -o "$d/build-fts5.time" "$refindex" fts5 "$c" "$d/index.fts5"
    say "$d: building the Xapian database"
    rm -rf "$d/index.xapian"
    /usr/bin/time -v -o "$d/build-xapian.time" "$refindex" xapian "$c" "$d/index.xapian"
    if [ "$lucene" = 1 ]; then
        say "$d: building the Lucene index"
        /usr/bin/time -v -o "$d/build-lucene.time" java -Xmx2g -cp "$java_cp" LuceneBench \
            build "$c" "$d/index.lucene" 2>"$d/build-lucene.out"
        index_bytes "$d/index.lucene" >"$d/size-lucene"
    fi
    index_bytes "$d/index.stele" >"$d/size-stele"
    index_bytes "$d/index.fts5" >"$d/size-fts5"
    index_bytes "$d/index.xapian" >"$d/size-xapian"
    if [ "$mem" = 1 ]; then
        for e in stele fts5 xapian; do
            say "$d: $e alone, for its memory"
            /usr/bin/time -v -o "$d/mem-$e.time" "$compare" "--$e" "$d/index.$e" \
                --rounds 1 "$d/queries.tsv" >"$d/mem-$e.out"
        done
    fi
    if [ "$mem" = 1 ]; then
        say "$d: one search per process"
        python3 "$root/bench/oneshot.py" "$stele" "$d/index.stele" "$d/index.fts5" \
            "$d/queries.tsv" "$d/oneshot.txt"
    fi
    say "$d: timing ($r rounds)"
    "$compare" --stele "$d/index.stele" --fts5 "$d/index.fts5" --xapian "$d/index.xapian" \
        --rounds "$r" --throughput "$s" --samples "$d/samples.tsv" --ids "$d/ids.tsv" \
        "$d/queries.tsv" >"$d/compare.out"
    if [ "$lucene" = 1 ]; then
        say "$d: timing Lucene ($r rounds)"
        /usr/bin/time -v -o "$d/mem-lucene.time" java -Xmx2g -cp "$java_cp" LuceneBench \
            search "$d/index.lucene" "$d/queries.tsv" 10 "$r" 5 "$d/lucene-samples.tsv" \
            "$d/lucene-ids.tsv" "$s" "$(nproc)" >"$d/lucene.out"
        [ "$mem" = 1 ] || rm -f "$d/mem-lucene.time"
    fi
}

# 4. The comparison.
measure "$work/full" "$corpus" "$per_class" "$rounds" "$tput" 1
full_bytes=$(wc -c <"$corpus")

# 5. The scaling series.
rm -f "$work/scaling.txt"
if [ "$scaling" = 1 ]; then
    for mb in $steps; do
        every=$(awk -v total="$full_bytes" -v mb="$mb" 'BEGIN {printf "%d", total / (mb * 1e6)}')
        [ "$every" -gt 1 ] || continue
        awk -v n="$every" 'NR % n == 0' "$corpus" >"$work/sample-$mb.jsonl"
        measure "$work/scale-$mb" "$work/sample-$mb.jsonl" 20 3 0 0
        rm -f "$work/sample-$mb.jsonl"
        echo "${mb}MB scale-$mb" >>"$work/scaling.txt"
    done
    if [ -n "$repeat_mb" ]; then
        # The corpus repeated until it reaches repeat_mb MB, each copy's
        # ids prefixed with its number so no id is duplicated.
        big="$work/corpus-repeated.jsonl"
        copies=$(awk -v total="$full_bytes" -v mb="$repeat_mb" \
            'BEGIN {n = int(mb * 1e6 / total); if (n * total < mb * 1e6) n++; print n}')
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
        measure "$work/scale-repeated" "$big" 20 3 0 0
        rm -f "$big"
        echo "${repeat_mb}MB-repeated scale-repeated" >>"$work/scaling.txt"
    fi
    echo "full full" >>"$work/scaling.txt"
fi

echo "load_end $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$work/meta.txt"

# 6. The report.
python3 "$root/bench/report.py" "$work" "$out"
say "wrote $out/latest.md"
