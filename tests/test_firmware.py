#!/usr/bin/env python3
"""The firmware example on an emulated Cortex-M4 prints the host's hits.

Usage: test_firmware.py FW_HOST SOURCE_ROOT EMBEDDED_DIR OUT_DIR

Builds tools/firmware for QEMU's mps2-an386 (tools/firmware/build.sh: the
runtime, zlib's inflate and the index compiled into flash, from
EMBEDDED_DIR/embedded_index.c), runs it under qemu-system-arm with
semihosting, and compares what it prints (each query's match count, top
hits with scores, and the best hit's snippet) with FW_HOST, the same
search built for the host.  Some queries are words that are not their
own stems ("prisoners", "trafficking"): the host stems them with
libstemmer, the device by lookup in the index's lexicon, so equal output
shows that lexicon stemming gives the stemmer's terms.  Every query must
match something, so that each comparison compares hits.  Skips (77)
without arm-none-eabi-gcc, qemu-system-arm or zlib's source
(web/fetch-sources.sh).
"""
import os
import shutil
import subprocess
import sys


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
    if got.stdout != want.stdout:
        print("the Cortex-M output differs from the host's:")
        print("--- host\n" + want.stdout.decode(errors="replace"))
        print("+++ mps2-an386\n" + got.stdout.decode(errors="replace"))
        return 1
    n = want.stdout.count(b"query: ")
    print(f"firmware: {n} queries on mps2-an386 print the host's hits and snippets: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
