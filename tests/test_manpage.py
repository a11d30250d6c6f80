#!/usr/bin/env python3
"""The man page renders as written: groff's warnings are errors, and the
arguments that alternating-font macros (.BR, .IR ...) used to glue together
come out with their spaces.

usage: test_manpage.py tools/stele.1
"""
import shutil
import subprocess
import sys

# Strings that must appear verbatim in the rendered page.
EXPECT = [
    'footnote:"a phrase"',
    "body:(a OR b)",
    "[like this]",
    "resolutions|text|jsonl",
]


def main():
    page = sys.argv[1]
    groff = shutil.which("groff")
    if not groff:
        print("groff not found (Debian package groff-base)")
        return 77
    r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", page], capture_output=True)
    warnings = r.stderr.decode("utf-8", "replace").strip()
    if r.returncode != 0 or warnings:
        print(f"groff reports (status {r.returncode}):\n{warnings}")
        return 1
    r = subprocess.run([groff, "-man", "-Tascii", "-P", "-cbou", page],
                       capture_output=True, check=True,
                       env={"MANWIDTH": "200", "PATH": "/usr/bin:/bin"})
    text = " ".join(r.stdout.decode("ascii", "replace").split())
    missing = [e for e in EXPECT if e not in text]
    for e in missing:
        print(f"not in the rendered page: {e}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
