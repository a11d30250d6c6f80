#!/usr/bin/env python3
"""`stele web` as a command, without a browser (test_browser.js runs the page).

    test_web_cli.py STELE INDEX WORKDIR

Checks what the command writes (the single-file page embeds exactly the
index and a wasm module, the directory form writes the five files, the
title is escaped) and that bad input is refused with exit status 2 and a
message, writing nothing.  A stele built without stele.wasm refuses every
page with a message that says so; then the test checks that and skips (77).
"""
import base64
import os
import re
import shutil
import subprocess
import sys

failures = 0


def check(cond, what, detail=""):
    global failures
    if cond:
        print("ok: " + what)
    else:
        failures += 1
        print("FAIL: " + what + (": " + str(detail) if detail else ""))


def run(*args):
    return subprocess.run([STELE, "web", *args], capture_output=True, text=True)


def embedded(page, name):
    m = re.search(r'<script type="application/octet-stream" id="%s">\n(.*?)</script>' % name,
                  page, re.S)
    return base64.b64decode(m.group(1)) if m else None


STELE, INDEX, WORK = sys.argv[1:4]
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
with open(INDEX, "rb") as f:
    index_bytes = f.read()
page_path = os.path.join(WORK, "page.html")

r = run("-i", INDEX, "--single-file", page_path)
if "built without its WebAssembly runtime" in r.stderr:
    check(r.returncode == 2 and not os.path.exists(page_path),
          "without stele.wasm: exit 2, a message, no page")
    print("SKIP: this stele was built without stele.wasm (see web/meson.build)")
    sys.exit(1 if failures else 77)

check(r.returncode == 0, "--single-file writes a page", r.stderr)
with open(page_path, encoding="utf-8") as f:
    page = f.read()
check(embedded(page, "stele-index") == index_bytes, "the page embeds exactly the index")
wasm = embedded(page, "stele-wasm")
check(wasm is not None and wasm[:4] == b"\0asm", "the page embeds a wasm module")
check("<style>" in page and "steleStartPage" in page and 'href="stele.css"' not in page,
      "style and script are inline")
check(not [n for n in os.listdir(WORK) if ".tmp." in n], "no temporary file is left")

r = run("-i", INDEX, "--title", "<b>Drugs & \"crime\"</b>", "--single-file", "-")
check(r.returncode == 0 and "<title>&lt;b&gt;Drugs &amp; &quot;crime&quot;&lt;/b&gt;</title>" in r.stdout,
      "--single-file - writes to stdout, with the title escaped")

site = os.path.join(WORK, "site")
r = run("-i", INDEX, "-o", site)
files = sorted(os.listdir(site)) if os.path.isdir(site) else []
check(r.returncode == 0 and files == ["index.html", "index.stele", "stele.css", "stele.js", "stele.wasm"],
      "-o DIR writes the page and the four files it loads", (r.stderr, files))
if files:
    with open(os.path.join(site, "index.stele"), "rb") as f:
        check(f.read() == index_bytes, "DIR/index.stele is the index")
    with open(os.path.join(site, "stele.wasm"), "rb") as f:
        check(f.read() == wasm, "DIR/stele.wasm is the module the single page embeds")
    with open(os.path.join(site, "index.html"), encoding="utf-8") as f:
        html = f.read()
    check('src="stele.js"' in html and "stele-index" not in html,
          "DIR/index.html loads its files instead of embedding them")

r = run("--single-file", "-")
check(r.returncode == 0 and embedded(r.stdout, "stele-index") is not None,
      "without -i the bundled index is used")

# Bad input: exit 2, a message naming the problem, nothing written.
bad = os.path.join(WORK, "bad.stele")
with open(bad, "wb") as f:
    f.write(index_bytes[: len(index_bytes) // 2])
out = os.path.join(WORK, "bad.html")
r = run("-i", bad, "--single-file", out)
check(r.returncode == 2 and "bad.stele" in r.stderr and not os.path.exists(out),
      "a truncated index: exit 2, named, nothing written", r.stderr)
r = run("-i", os.path.join(WORK, "missing.stele"), "-o", os.path.join(WORK, "nodir"))
check(r.returncode == 2 and not os.path.exists(os.path.join(WORK, "nodir")),
      "a missing index: exit 2, no directory made", r.stderr)
r = run("-i", INDEX)
check(r.returncode == 2 and "exactly one of" in r.stderr, "neither -o nor --single-file: usage error")
r = run("-i", INDEX, "-o", site, "--single-file", out)
check(r.returncode == 2 and not os.path.exists(out), "both -o and --single-file: usage error")
r = run("-i", INDEX, "-o", page_path)
check(r.returncode == 2 and "not a directory" in r.stderr, "-o onto a file: exit 2", r.stderr)
r = run("-i", INDEX, "--single-file", os.path.join(WORK, "no", "such", "dir.html"))
check(r.returncode == 2 and "cannot create" in r.stderr, "an unwritable page path: exit 2", r.stderr)
r = run("-i", INDEX, "--single-file", out, "extra")
check(r.returncode == 2 and not os.path.exists(out), "a stray argument: usage error")

if failures:
    print("%d check(s) failed" % failures)
sys.exit(1 if failures else 0)
