#!/usr/bin/env python3
"""Worst-case stack of every public call of the query runtime (stdlib only).

Usage:
  tools/stack-report.py [--prefix stele_] [--depth NAME=N]... [--json] BUILD_DIR

BUILD_DIR is a build whose C files were compiled with
    -fstack-usage -fcallgraph-info=su
(GCC 10 or later), for example
    meson setup build-stack -Dc_args='-fstack-usage -fcallgraph-info=su -mno-red-zone'
    meson compile -C build-stack
-mno-red-zone makes x86-64 leaf functions count the 128 bytes they would
otherwise use below the stack pointer unreported, so the figures are those
of a target without a red zone (Cortex-M has none).

GCC writes one .ci file (a VCG call graph: one node per function with its
frame size, one edge per call site) beside each object.  The script reads
every .ci under BUILD_DIR, joins them into one graph (a static function is
named file:function, so same-named static functions stay apart) and, for
every function whose name starts with --prefix, sums the frames along its
deepest call path.  What the sum cannot see is reported with it, never
hidden:
  - calls into other libraries (zlib's inflate, libc's memcpy, ...):
    listed as "external"; their frames are not counted;
  - indirect calls (callbacks: the host's stemmer, zlib's zalloc hooks):
    listed as "indirect"; but the stemmer call (st_token_term's) is
    counted as a call of st_lex_stem, the stemming by lookup the runtime
    passes itself when the caller gives no stemmer;
  - recursion: a cycle is counted once and reported; --depth NAME=N
    counts the cycle through NAME N times instead (the query tree's
    walks are bounded by STELE_MAX_DEPTH);
  - dynamic frames (VLAs, alloca): marked "dynamic".
Exit status 0, or 2 when no call graph was found.
"""

import argparse
import json
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
BYTES = re.compile(r"\\n(\d+) bytes \(([a-z, ]+)\)")


def load(build_dir, skip):
    frames, kinds, edges, files = {}, {}, {}, 0
    for root, _dirs, names in os.walk(build_dir):
        if any(s in root for s in skip):
            continue
        for name in names:
            if not name.endswith(".ci"):
                continue
            files += 1
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                text = f.read()
            for title, label in NODE.findall(text):
                m = BYTES.search(label)
                if m:
                    frames[title] = int(m.group(1))
                    kinds[title] = m.group(2)
                else:
                    frames.setdefault(title, None)
            for src, dst in EDGE.findall(text):
                edges.setdefault(src, set()).add(dst)
    return frames, kinds, edges, files


def worst(fn, frames, kinds, edges, depth):
    """(bytes, path, externals, indirect, cycles, dynamic) of fn's deepest path."""
    memo = {}

    def visit(f, on_path):
        if f in memo:
            return memo[f]
        own = frames.get(f)
        if own is None:  # another library's function, or a placeholder
            ext = set() if f == "__indirect_call" else {f}
            ind = f == "__indirect_call"
            return (0, [f], ext, ind, set(), False)
        best = (0, [], set(), False, set(), False)
        ext, ind, cyc, dyn = set(), False, set(), "dynamic" in kinds.get(f, "")
        on_path = on_path | {f}
        for g in sorted(edges.get(f, ())):
            if g in on_path:
                cyc.add(g)
                continue
            r = visit(g, on_path)
            ext |= r[2]
            ind = ind or r[3]
            cyc |= r[4]
            dyn = dyn or r[5]
            if r[0] > best[0] or not best[1]:
                best = r
        total = own + best[0]
        res = (total, [f] + best[1], ext, ind, cyc, dyn)
        if not (res[4] & on_path):
            memo[f] = res
        return res

    return visit(fn, frozenset())


def cycle_cost(r, frames, edges):
    """The largest sum of frames around a cycle from r back to r."""
    best = 0

    def walk(f, on_path, acc):
        nonlocal best
        acc += frames.get(f) or 0
        for g in edges.get(f, ()):
            if g == r:
                best = max(best, acc)
            elif g not in on_path and frames.get(g) is not None:
                walk(g, on_path | {g}, acc)

    walk(r, frozenset([r]), 0)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--prefix", default="stele_", help="public functions (default stele_)")
    ap.add_argument("--depth", action="append", default=[], metavar="NAME=N",
                    help="count the recursion through NAME N times")
    ap.add_argument("--skip", action="append", default=["tests", "bench", "tools", "web"],
                    help="directories of BUILD_DIR not read (default tests bench tools web)")
    ap.add_argument("--json", action="store_true", help="one JSON object per function")
    args = ap.parse_args()
    depth = {}
    for d in args.depth:
        name, _, n = d.partition("=")
        depth[name] = int(n)
    frames, kinds, edges, files = load(args.build_dir, args.skip)
    if "__indirect_call" in edges.get("st_token_term", ()) and frames.get("st_lex_stem") is not None:
        edges["st_token_term"].add("st_lex_stem")
    if not files:
        sys.stderr.write("stack-report.py: no .ci files under %s (compile with "
                         "-fstack-usage -fcallgraph-info=su)\n" % args.build_dir)
        return 2
    public = sorted({f for f in frames if frames[f] is not None and ":" not in f
                     and f.startswith(args.prefix)})
    rows = []
    for f in public:
        total, path, ext, ind, cyc, dyn = worst(f, frames, kinds, edges, depth)
        # each recursion named by --depth adds its cycle depth - 1 times more
        for c in sorted(cyc):
            name = c.split(":")[-1]
            if name in depth:
                total += (depth[name] - 1) * cycle_cost(c, frames, edges)
        rows.append({"function": f, "bytes": total, "path": [p.split(":")[-1] for p in path],
                     "external": sorted(ext), "indirect": ind,
                     "recursion": sorted(c.split(":")[-1] for c in cyc), "dynamic": dyn})
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    print("%-32s %7s  %s" % ("function", "bytes", "deepest path (external calls not counted)"))
    for r in rows:
        notes = []
        if r["external"]:
            notes.append("external: " + " ".join(r["external"]))
        if r["indirect"]:
            notes.append("indirect calls")
        if r["recursion"]:
            notes.append("recursion via " + " ".join(r["recursion"]))
        if r["dynamic"]:
            notes.append("dynamic frame")
        print("%-32s %7d  %s" % (r["function"], r["bytes"], " > ".join(r["path"])))
        if notes:
            print("%-32s %7s  (%s)" % ("", "", "; ".join(notes)))
    print("largest: %d bytes (%s)" % max((r["bytes"], r["function"]) for r in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
