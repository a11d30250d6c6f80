#!/bin/sh
# smoke.sh: the bench-smoke test (meson test --suite bench-smoke, in a build
# configured with -Dbench=true).  Runs bench/run.sh end to end on a small
# corpus made from the bundled corpus/*.txt (one JSON Lines document per
# paragraph, about 120 KB), one round, three queries per class, a scaling
# step of half the corpus, and checks that the report is well formed: every
# query class has a row with a figure for each engine, the build table has
# the three engines, and both plots are PNG files.  It times nothing and
# judges no figure.
#
#   bench/smoke.sh BUILD_DIR SOURCE_ROOT
#
# Exits 77 (skipped) when GNU time or gnuplot is not installed.
set -eu

build=$1
root=$2
[ -x /usr/bin/time ] || { echo "skipped: GNU time (/usr/bin/time) is not installed"; exit 77; }
command -v gnuplot >/dev/null || { echo "skipped: gnuplot is not installed"; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$tmp/corpus.jsonl" "$root"/corpus/*.txt <<'PY'
import json, os, re, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for path in sys.argv[2:]:
        name = os.path.basename(path)
        text = open(path, encoding="utf-8", errors="replace").read()
        for i, para in enumerate(p.strip() for p in re.split(r"\n\s*\n", text)):
            if len(para.split()) >= 8:
                out.write(json.dumps({"id": "%s#%d" % (name, i), "title": para[:60],
                                      "body": para}) + "\n")
PY

"$root/bench/run.sh" --no-deps --build "$build" --corpus "$tmp/corpus.jsonl" \
    --work "$tmp/run" --out "$tmp/out" --rounds 1 --per-class 3 --throughput 0.2 \
    --steps 0.06 >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "run.sh failed"; exit 1; }

md="$tmp/out/latest.md"
fail=0
check() {
    if ! "$@"; then
        echo "FAIL: $*"
        fail=1
    fi
}
# A class row: | class | queries | cut | matches | then median / p95 / p99 and
# refused for each of the three engines, then the ratio and the p99 check.
for cls in term and2 and3 or2 or5 phrase2 phrase3 near prefix not; do
    check grep -Eq "^\| $cls \| 3 \| [0-9]+ \| [0-9,–]+ \|( [0-9.]+ / [0-9.]+ / [0-9.]+ \| [0-9]+ \|){3} [0-9.–]+ \| (yes|no) \|\$" "$md"
done
for engine in stele "SQLite FTS5" Xapian; do
    check grep -Eq "^\| $engine \| [0-9.]+ \| [0-9.]+ MiB \| [0-9,]+ \| [0-9.]+% \| [0-9.]+ MiB \|\$" "$md"
    check grep -Eq "^\| $engine \| [0-9,]+ \|" "$md"
done
check grep -q '^## Scaling with corpus size' "$md"
for png in latency scaling; do
    check sh -c "head -c 8 '$tmp/out/$png.png' | od -An -c | grep -q 'P   N   G'"
done
if [ "$fail" != 0 ]; then
    cat "$md"
    exit 1
fi
echo "report well formed: $(wc -l <"$md") lines"
