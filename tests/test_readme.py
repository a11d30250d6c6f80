#!/usr/bin/env python3
"""The README's paste test: its shell blocks run as written, in order.

usage: test_readme.py SOURCE_ROOT

The tracked files of the source tree are copied into a temporary directory
(as a fresh clone would have them), HOME is pointed at an empty directory
inside it, and every ```sh block of README.md runs there in the order of the
README, as one bash script, so that what one block sets up (a build, an
install, an exported PATH) the next can use. Each command line (a line,
with its backslash continuations) must exit with status 0; a `stele search`
or `stele complete` line, or a bare `stele` (the prompt), may also exit
with 1, grep's "nothing found".

Each ```c block that starts with a comment naming a file (`/* search.c: ...`)
is written to that file before the shell blocks run, so a later block can
compile it as the README tells the reader to.

A block is skipped only when the line before its fence is an HTML comment
`<!-- not run: REASON -->` (for example one that starts a browser or a
full-screen program); the test prints every skipped block with its reason.
```make and other blocks are examples of other files and are not run.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!--\s*not run:\s*(.+?)\s*-->\s*$")
C_NAME = re.compile(r"^/\*\s*([\w.-]+\.c):")


def blocks(text):
    """Yields (kind, first line number, lines, skip reason or None)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        kind, start = m.group(1), i + 1
        skip = None
        if i > 0:
            s = SKIP.match(lines[i - 1])
            if s:
                skip = s.group(1)
        body = []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            raise SystemExit(f"README.md:{start}: unclosed code block")
        i += 1
        yield kind, start, body, skip


def commands(body):
    """Joins backslash continuations; drops blank and comment lines."""
    out, cur = [], ""
    for line in body:
        if line.rstrip().endswith("\\"):
            cur += line.rstrip()[:-1] + " "
            continue
        cur += line
        if cur.strip() and not cur.lstrip().startswith("#"):
            out.append(cur)
        cur = ""
    if cur.strip():
        out.append(cur)
    return out


def shell_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def copy_tree(src, dst):
    try:
        files = subprocess.run(["git", "-C", src, "ls-files", "-z", "--cached", "--others",
                                "--exclude-standard"], check=True,
                               capture_output=True).stdout.decode().split("\0")
        files = [f for f in files if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(src):
            rel = os.path.relpath(root, src)
            dirs[:] = [d for d in dirs
                       if not (rel == "." and (d.startswith("build") or d in ("scratch", ".git")))]
            files += [os.path.normpath(os.path.join(rel, n)) for n in names]
    for f in files:
        if f in ("web/deps", "web/node_modules"):
            continue
        s = os.path.join(src, f)
        if not os.path.lexists(s):
            continue  # deleted in the work tree
        d = os.path.join(dst, f)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d, follow_symlinks=False)
    # What the quick start would download again (web/fetch-sources.sh,
    # npm ci): linked, not fetched, when the source tree has it.
    for extra in ("web/deps", "web/node_modules"):
        if os.path.isdir(os.path.join(src, extra)) and not os.path.lexists(os.path.join(dst, extra)):
            os.symlink(os.path.join(src, extra), os.path.join(dst, extra))


def main():
    src = os.path.abspath(sys.argv[1])
    with open(os.path.join(src, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    tmp = tempfile.mkdtemp(prefix="stele-readme-")
    try:
        work = os.path.join(tmp, "stele")
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        copy_tree(src, work)

        script = ["set -u",
                  "check() { rc=$1; allow1=$2; line=$3",
                  "  if [ $rc -eq 0 ] || { [ $rc -eq 1 ] && [ $allow1 = 1 ]; }; then return 0; fi",
                  "  echo \"README.md:$4: exit status $rc: $line\" >&2; exit 1; }"]
        n_sh = n_c = 0
        for kind, start, body, skip in blocks(readme):
            if skip:
                print(f"README.md:{start}: ```{kind} block not run: {skip}")
                continue
            if kind == "c":
                m = C_NAME.match(body[0]) if body else None
                if m:
                    with open(os.path.join(work, m.group(1)), "w", encoding="utf-8") as f:
                        f.write("\n".join(body) + "\n")
                    n_c += 1
                continue
            if kind != "sh":
                continue
            n_sh += 1
            script.append(f"echo '--- README.md:{start}'")
            for cmd in commands(body):
                allow1 = "1" if re.match(r"^\s*stele(\s+(search|complete)\b|\s*(#|$))", cmd) \
                    and "&&" not in cmd else "0"
                script.append(f"echo '$ '{shell_quote(cmd.strip())}")
                script.append(cmd)
                script.append(f"check $? {allow1} {shell_quote(cmd.strip())} {start}")
        if n_sh == 0:
            print("README.md has no ```sh block")
            return 1
        env = dict(os.environ, HOME=home)
        env.pop("MESON_TEST_ITERATION", None)
        r = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=env,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=1800)
        out = r.stdout.decode("utf-8", "replace")
        sys.stdout.write(out[-20000:])
        if r.returncode != 0:
            print(f"FAIL: a README command failed (status {r.returncode})")
            return 1
        print(f"ok: {n_sh} shell blocks and {n_c} C files from README.md")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
