#!/usr/bin/env python3
"""Sums a Cortex-M link's sizes and stacks for tools/size-report.sh.

Usage: size-sum.py LINK_MAP OBJ_DIR [-DSTELE_MAX_DEPTH=N ...]

Sizes: every input section of the link map (after --gc-sections) whose
name starts with .text, .rodata, .data or .bss is added to its input
file's group: the runtime core (OBJ_DIR/core), zlib (OBJ_DIR/zlib), the
C library and compiler runtime (everything else but the probe).

Lexicon stemming: the code (.text) of st_lex_stem, the stemmer the
runtime passes itself when the caller passes none, and of every function
it calls, from the call graph below; and the part of it that no public
function reaches by a direct call, which is what stemming by lookup adds
to a program that searches anyway (st_lex_stem is only called through
the stemmer pointer).

Stack: OBJ_DIR/*/*.ci are gcc's -fcallgraph-info=su graphs, one node per
function with its frame size, one edge per call.  A public function's
worst case is its frame plus the worst of its callees', depth first.  An
indirect call through a zlib stream's zalloc/zfree is one of the
runtime's own hooks, counted as the worst of them; the stemmer callback
is the caller's code, and is left out (said in the output).  Recursion
would make the figure unbounded and is reported as an error.
"""
import glob
import os
import re
import sys

SECTION = re.compile(r"^ (\.(?:text|rodata|data|bss)[^\s]*|COMMON)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$",
                     re.M)


def sizes(map_path, obj_dir):
    text = open(map_path).read()
    text = text[text.index("Linker script and memory map"):]
    # A long section name puts its address and size on the next line.
    text = re.sub(r"^ (\.\S+)\n\s+0x", r" \1 0x", text, flags=re.M)
    groups = {"core": {}, "zlib": {}, "libc": {}, "probe": {}}
    for m in SECTION.finditer(text):
        name, addr, size, path = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if addr == 0 and not name.startswith(".bss"):
            continue  # discarded
        kind = name.split(".")[1] if name != "COMMON" else "bss"
        if "/core/" in path:
            g, key = "core", os.path.basename(path)
        elif "/zlib/" in path:
            g, key = "zlib", os.path.basename(path)
        elif "probe.o" in path:
            g, key = "probe", "probe.o"
        else:
            g, key = "libc", re.sub(r".*/", "", path)
        per = groups[g].setdefault(key, {"text": 0, "rodata": 0, "data": 0, "bss": 0})
        per[kind] += size
    return groups


def core_code(map_path):
    """The linked size of each runtime core function's code, by (file,
    name): input sections .text.NAME (-ffunction-sections)."""
    text = open(map_path).read()
    text = text[text.index("Linker script and memory map"):]
    text = re.sub(r"^ (\.\S+)\n\s+0x", r" \1 0x", text, flags=re.M)
    out = {}
    for m in SECTION.finditer(text):
        name, addr, size, path = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        if addr != 0 and "/core/" in path and name.startswith(".text."):
            out[(os.path.basename(path)[:-2], name[len(".text."):])] = size
    return out


def reach(roots, succ):
    seen, todo = set(), list(roots)
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(succ(f))
    return seen


def lexicon_stem_code(map_path, frames, edges, files, targets, public):
    """Bytes of code st_lex_stem reaches, and of those no public function
    reaches by its own calls."""
    code = core_code(map_path)
    def succ(f):
        for c in edges.get(f, ()):
            if c == "__indirect_call":
                yield from targets(f)
            else:
                yield c
    def size(f):
        if ":" in f:
            path, name = f.rsplit(":", 1)
            return code.get((os.path.basename(path)[:-2], name), 0)
        return code.get((files.get(f, ".ci")[:-3], f), 0)
    stem = reach(["st_lex_stem"], succ)
    others = reach([f for f in public if f != "st_lex_stem"], succ)
    return sum(size(f) for f in stem), sum(size(f) for f in stem - others), \
        sorted(short(f) for f in stem - others if size(f))


def total(group):
    return sum(sum(v.values()) for v in group.values())


def callgraph(obj_dir):
    frames, edges, where, files = {}, {}, {}, {}
    node = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
    edge = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
    for ci in sorted(glob.glob(os.path.join(obj_dir, "*", "*.ci"))):
        group = os.path.basename(os.path.dirname(ci))
        for line in open(ci):
            m = node.search(line)
            if m:
                title, label = m.groups()
                fm = re.search(r"(\d+) bytes \((static|dynamic|dynamic,bounded)\)", label.replace("\\n", "\n"))
                if fm:
                    frames[title] = (int(fm.group(1)), fm.group(2))
                    where[title] = group
                    files[title] = os.path.basename(ci)
                continue
            m = edge.search(line)
            if m:
                edges.setdefault(m.group(1), set()).add(m.group(2))
    return frames, edges, where, files


def indirect_targets(frames, edges, where, files):
    """What an indirect call may reach: the static functions that are
    never called directly (so are called through a pointer), of the
    caller's own file, or for zlib's calls the runtime's (its zalloc and
    zfree hooks).  The call through the stemmer callback (st_token_term's)
    reaches st_lex_stem, the stemming by lookup the runtime passes itself
    when the caller gives no stemmer (a caller's own stemmer is the
    caller's and not counted)."""
    called = {c for cs in edges.values() for c in cs}
    taken = [f for f in frames if ".c:" in f and f not in called and where.get(f) == "core"]
    stem = [f for f in frames if f == "st_lex_stem" and where.get(f) == "core"]
    def targets(caller):
        if where.get(caller) == "zlib":
            return [f for f in taken if files[f] == "doctable.ci"]
        return [f for f in taken if files[f] == files.get(caller)] + (
            stem if caller == "st_token_term" else [])
    return targets


def sccs(nodes, succ):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(succ(root))))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(succ(w)))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out


def stack_bounds(frames, edges, targets, depth):
    """Worst stack from each function: its frame plus its worst callee's.
    A recursive group (the query parser's descent, bounded by
    STELE_MAX_DEPTH nesting levels) counts all its frames depth times."""
    def succ(f):
        for c in edges.get(f, ()):
            if c == "__indirect_call":
                yield from targets(f)
            else:
                yield c
    nodes = sorted(set(frames) | set(edges))
    comps = sccs(nodes, succ)  # callees' components come first
    comp_of = {f: i for i, c in enumerate(comps) for f in c}
    best = {}
    recursive = []
    for i, comp in enumerate(comps):
        members = set(comp)
        cyclic = len(comp) > 1 or comp[0] in set(succ(comp[0]))
        own = sum(frames.get(f, (0,))[0] for f in comp)
        out_best, out_chain = 0, []
        for f in comp:
            for c in succ(f):
                if c in members:
                    continue
                d, ch = best[comp_of[c]]
                if d > out_best:
                    out_best, out_chain = d, ch
        if cyclic:
            recursive.append(comp)
            name = "(" + " / ".join(short(f) for f in sorted(comp)) + f") x{depth}"
            best[i] = (own * depth + out_best, [name] + out_chain)
        else:
            best[i] = (own + out_best, [comp[0]] + out_chain)
    return {f: best[comp_of[f]] for f in nodes}, recursive


def short(name):
    return re.sub(r"^.*/([^/]+)\.c:", r"\1:", name)


def main():
    map_path, obj_dir = sys.argv[1], sys.argv[2]
    g = sizes(map_path, obj_dir)
    core, zlib = total(g["core"]), total(g["zlib"])
    config = " ".join(sys.argv[3:])
    print(f"| Cortex-M4, arm-none-eabi-gcc -Os -mthumb {config} | bytes | budget |")
    print("|---|---:|---:|")
    print(f"| runtime core (.text+.rodata+.data+.bss) | {core} ({core / 1024:.1f} KiB) | 24 KiB |")
    print(f"| zlib inflate + crc32, as linked | {zlib} ({zlib / 1024:.1f} KiB) | |")
    print(f"| runtime core with inflate | {core + zlib} ({(core + zlib) / 1024:.1f} KiB) | |")
    print()
    print("Runtime core by file (text/rodata/data/bss): " + ", ".join(
        f"{k[:-2]} {v['text']}/{v['rodata']}/{v['data']}/{v['bss']}"
        for k, v in sorted(g["core"].items(), key=lambda kv: -sum(kv[1].values()))))
    frames, edges, where, files = callgraph(obj_dir)
    dynamic = [f for f, (s, kind) in frames.items() if kind == "dynamic" and where[f] == "core"]
    targets = indirect_targets(frames, edges, where, files)
    hooks = [short(f) for f in targets(next((f for f in frames if where[f] == "zlib"), ""))]
    public = sorted(f for f in frames if f.startswith("stele_") and where[f] == "core")
    depth = 16
    cfg = open("engine/include/stele_config.h").read()
    m = re.search(r"#define STELE_MAX_DEPTH (\d+)", cfg)
    if m:
        depth = int(m.group(1))
    for arg in sys.argv[3:]:
        m = re.fullmatch(r"-DSTELE_MAX_DEPTH=(\d+)", arg)
        if m:
            depth = int(m.group(1))
    stem_all, stem_own, stem_only = lexicon_stem_code(map_path, frames, edges, files, targets, public)
    print()
    print(f"Lexicon stemming (query words stemmed by lookup, no stemmer passed): st_lex_stem and "
          f"what it calls, {stem_all} bytes of code, all in the runtime core figure; "
          f"{stem_own} bytes of it ({', '.join(stem_only) or 'none'}) only stemming uses, "
          f"the rest the parser, prefixes and corrections use too.")
    bounds, recursive = stack_bounds(frames, edges, targets, depth)
    rows = [(bounds[f][0], f, bounds[f][1]) for f in public]
    print()
    print("| public call | worst-case stack (bytes) | deepest chain |")
    print("|---|---:|---|")
    for d, f, chain in sorted(rows, key=lambda r: -r[0]):
        print(f"| `{f}` | {d} | {' > '.join(short(c) for c in chain[1:6])}"
              f"{' ...' if len(chain) > 6 else ''} |")
    top = max(rows)[0] if rows else 0
    print()
    print(f"Worst of all public calls: {top} bytes (budget 2048); the stemmer callback counts as "
          f"st_lex_stem (stemming by lookup, when no stemmer is passed; a caller's own stemmer's "
          f"stack is the caller's and not counted); zalloc/zfree hooks: {', '.join(hooks) or 'none'}"
          + (f"; frames of dynamic size: {', '.join(dynamic)}" if dynamic else "")
          + (f"; recursive, counted {depth} deep (STELE_MAX_DEPTH): "
             + ", ".join("/".join(short(f) for f in sorted(c)) for c in recursive) if recursive else "")
          + ".")


if __name__ == "__main__":
    main()
