#!/usr/bin/env python3
"""The firmware example on an emulated Cortex-M4 prints the host's hits.

Usage: test_firmware.py FW_HOST SOURCE_ROOT EMBEDDED_DIR OUT_DIR

Builds tools/firmware for QEMU's mps2-an386 (tools/firmware/build.sh: the
runtime, zlib's inflate and the index compiled into flash, from
EMBEDDED_DIR/embedded_index.c), runs it under qemu-system-arm with
semihosting, and compares what it prints (each query's match count, top
hits with scores, and the best hit's snippet) with FW_HOST, the same
search built for the host.  The device also paints its stack before each
public call and reports the deepest it went ("stack: NAME BYTES" after
the output the host matches): each must be within the static bound
tools/size-sum.py sums from the build's call graphs (as
tools/size-report.sh does for the README), or the bound misses a path.  Some queries are words that are not their
own stems ("prisoners", "trafficking"): the host stems them with
libstemmer, the device by lookup in the index's lexicon, so equal output
shows that lexicon stemming gives the stemmer's terms.  Every query must
match something, so that each comparison compares hits.  Skips (77)
without arm-none-eabi-gcc, qemu-system-arm or zlib's source
(web/fetch-sources.sh).
"""
import importlib.util
import os
import re
import shutil
import subprocess
import sys


def static_bounds(root, out, names):
    """tools/size-sum.py's worst-case stack of each public call in names,
    from the firmware build's call graphs (recursion STELE_MAX_DEPTH deep)."""
    spec = importlib.util.spec_from_file_location("size_sum", os.path.join(root, "tools", "size-sum.py"))
    ss = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ss)
    frames, edges, where, files = ss.callgraph(out)
    cfg = open(os.path.join(root, "engine", "include", "stele_config.h")).read()
    depth = int(re.search(r"#define STELE_MAX_DEPTH (\d+)", cfg).group(1))
    bounds, _ = ss.stack_bounds(frames, edges, ss.indirect_targets(frames, edges, where, files), depth)
    return {n: bounds[n][0] for n in names if n in bounds}


def check_stack(root, out, lines):
    """The painted high-water marks against the static bounds: 0 or 1."""
    used = {}
    for line in lines:
        _, name, n = line.split()
        used[name] = int(n)
    if not used:
        print("the device reported no stack figure")
        return 1
    bounds = static_bounds(root, out, used)
    failed = 0
    for name, n in sorted(used.items()):
        bound = bounds.get(name)
        ok = bound is not None and n <= bound
        failed |= not ok
        print(f"stack: {name} painted {n} bytes, static bound {bound}: {'OK' if ok else 'OVER'}")
    return failed


def main():
    fw_host, root, embedded, out = sys.argv[1:5]
    if not shutil.which("qemu-system-arm"):
        print("SKIP: qemu-system-arm not found (Debian: qemu-system-arm)")
        return 77
    build = subprocess.run([os.path.join(root, "tools", "firmware", "build.sh"), out, embedded],
                           capture_output=True, text=True)
    if build.returncode == 77:
        print("SKIP: " + build.stderr.strip())
        return 77
    if build.returncode != 0:
        print("firmware build failed:\n" + build.stderr)
        return 1
    print(build.stdout.strip())
    want = subprocess.run([fw_host], capture_output=True)
    if want.returncode != 0:
        print("the host run failed:\n" + want.stdout.decode(errors="replace"))
        return 1
    try:
        got = subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic",
                              "-semihosting-config", "enable=on,target=native",
                              "-kernel", os.path.join(out, "fw.elf")],
                             capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
    except subprocess.TimeoutExpired:
        print("the emulated firmware did not stop within 300 s")
        return 1
    if got.returncode != 0:
        print(f"the emulated firmware stopped with status {got.returncode}:\n"
              + got.stdout.decode(errors="replace") + got.stderr.decode(errors="replace"))
        return 1
    if not want.stdout.endswith(b"done\n") or want.stdout.count(b"\nquery: ") < 3:
        print("the host output is not a complete run:\n" + want.stdout.decode(errors="replace"))
        return 1
    blocks = want.stdout.decode(errors="replace").split("query: ")[1:]
    empty = [b.split("\n", 1)[0] for b in blocks if "\nmatches: 0\n" in "\n" + b]
    if empty:
        print("queries that match nothing on the host compare no hits: " + ", ".join(empty))
        return 1
    got_lines = got.stdout.decode(errors="replace").splitlines(keepends=True)
    stack_lines = [line for line in got_lines if line.startswith("stack: ")]
    got_out = "".join(line for line in got_lines if not line.startswith("stack: ")).encode()
    if got_out != want.stdout:
        print("the Cortex-M output differs from the host's:")
        print("--- host\n" + want.stdout.decode(errors="replace"))
        print("+++ mps2-an386\n" + got_out.decode(errors="replace"))
        return 1
    if check_stack(root, out, stack_lines):
        return 1
    n = want.stdout.count(b"query: ")
    print(f"firmware: {n} queries on mps2-an386 print the host's hits and snippets: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
