#!/bin/sh
# make-corpus.sh: assembles the large benchmark corpus (over 100 MB of
# English prose) from Debian documentation packages, as JSON Lines
# {"id","title","body"} in scratch/bench/corpus.jsonl.
#
# Only Debian's archive is used: `apt-get download` fetches the .deb files
# (nothing is installed), `dpkg-deb -x` unpacks them, and corpus_jsonl.py
# turns the documentation inside into documents (see its top comment for
# the sources and how each becomes text).  Nothing here is committed: the
# whole of scratch/ is ignored by git.
#
# Idempotent: a step whose output exists is skipped; delete
# scratch/bench/corpus.jsonl to rebuild it, or scratch/bench to start over.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/scratch/bench"
out="$work/corpus.jsonl"

if [ -s "$out" ]; then
    echo "corpus exists: $out"
    wc -c <"$out" | awk '{print $1 " bytes"}'
    exit 0
fi

packages="linux-source-6.1 python3.11-doc postgresql-doc-15 debian-reference-en perl-doc
git-doc manpages manpages-dev wordnet-base dict-gcide dict-foldoc dict-jargon"

mkdir -p "$work/debs" "$work/x"
cd "$work/debs"
missing=""
for p in $packages; do
    ls "${p}"_*.deb >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    # apt-get download needs the package lists; fetch them once if absent.
    # Downloading into a root-owned directory: no need for the _apt sandbox.
    if ! apt-get -o APT::Sandbox::User=root download $missing; then
        apt-get update
        apt-get -o APT::Sandbox::User=root download $missing
    fi
fi

for p in $packages; do
    [ -d "$work/x/$p" ] && continue
    deb=$(ls "${p}"_*.deb | head -n 1)
    dpkg-deb -x "$deb" "$work/x/$p.tmp"
    mv "$work/x/$p.tmp" "$work/x/$p"
done

# The kernel ships its tree as one tarball: take only Documentation/.
ksrc="$work/x/linux-source-6.1"
if [ ! -d "$ksrc/linux-source-6.1/Documentation" ]; then
    tar -xJf "$ksrc/usr/src/linux-source-6.1.tar.xz" -C "$ksrc" \
        'linux-source-6.1/Documentation'
fi

python3 "$root/bench/corpus_jsonl.py" "$work/x" "$out"
wc -c <"$out" | awk '{print $1 " bytes in corpus.jsonl"}'
