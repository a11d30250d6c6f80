#!/usr/bin/env python3
"""An index changed under a running search (meson suite 'index-swap'):

    test_index_swap.py --stele PATH --source-root DIR CASE

A long-running `stele search` (queries piped in, one per line, or typed at
the prompt on a pseudo-terminal) must survive its index file being
truncated in place or replaced while it is open: each later query either
answers from the index now at the path or fails with a clear message, and
once a good index is back (written to a new file and renamed into place)
the answers are right again.  Nothing may die of SIGBUS.  The cases run
both ways the CLI holds an index: read into memory (small files, the
default) and mapped (STELE_MAP_THRESHOLD=0 maps every file).
"""

import os
import pty
import select
import shutil
import subprocess
import sys
import termios
import threading
import time

import clicase

from clicase import Skip

# What stele may say when its index changed under it.
CHANGED = "changed on disk"
FAULT = "while it was being read"


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Ctx:
    def __init__(self, args, tmp):
        self.stele = os.path.abspath(args.stele)
        self.root = os.path.abspath(args.source_root)
        self.tmp = tmp
        self.index = os.path.join(tmp, "index.stele")
        self.corpus = os.path.join(tmp, "corpus.stele")
        self.other = os.path.join(tmp, "other.stele")
        self.build([os.path.join(self.root, "corpus"), "--format", "resolutions"], self.corpus)
        self.build([os.path.join(self.root, "tests", "data", "cli", "text")], self.other)
        self.install(self.corpus)

    def build(self, inputs, out):
        p = subprocess.run([self.stele, "index", "-q", *inputs, "-o", out], capture_output=True,
                           text=True, timeout=120)
        expect(p.returncode == 0, f"index {inputs}: {p.stderr}")

    def install(self, src):
        """Puts a copy of src at the index path the safe way: a new file,
        then a rename over the old name."""
        tmp = self.index + ".new"
        shutil.copyfile(src, tmp)
        os.replace(tmp, self.index)

    def truncate(self, size):
        """Cuts the index file in place, as a careless updater would."""
        with open(self.index, "r+b") as f:
            f.truncate(size)

    def count(self, query, index):
        p = subprocess.run([self.stele, "search", "-c", "-i", index, "--", query],
                           capture_output=True, text=True, timeout=60)
        return p.stdout.strip()


class Batch:
    """`stele search -c` reading queries from a pipe: one answer (a count
    on stdout or a message on stderr) per query."""

    def __init__(self, c, env):
        e = dict(os.environ)
        e.update(env)
        self.p = subprocess.Popen([c.stele, "search", "-c", "-i", c.index],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        self.err = b""

    def ask(self, query, timeout=30):
        """Sends query; returns ('count', n) or ('error', message)."""
        self.p.stdin.write(query.encode() + b"\n")
        self.p.stdin.flush()
        deadline = time.monotonic() + timeout
        out_fd, err_fd = self.p.stdout.fileno(), self.p.stderr.fileno()
        err = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([out_fd, err_fd], [], [], 0.5)
            if out_fd in r:
                line = b""
                while not line.endswith(b"\n"):
                    chunk = os.read(out_fd, 1)
                    if not chunk:
                        break
                    line += chunk
                return "count", line.decode().strip()
            if err_fd in r:
                chunk = os.read(err_fd, 65536)
                if not chunk:
                    break
                err += chunk
                self.err += chunk
                if err.endswith(b"\n"):
                    return "error", err.decode("utf-8", "replace")
            if self.p.poll() is not None:
                break
        raise AssertionError(f"no answer to {query!r} (exit {self.p.poll()}): {self.err!r}")

    def end(self):
        self.p.stdin.close()
        st = self.p.wait(timeout=30)
        self.err += self.p.stderr.read()
        expect(st >= 0, f"stele died of signal {-st}; stderr: {self.err!r}")
        return st


def answers_follow_the_file(c, env):
    want = c.count("drugs", c.corpus)
    other = c.count("lighthouse", c.other)
    expect(want.isdigit() and int(want) > 0, f"corpus count of drugs: {want!r}")
    b = Batch(c, env)
    expect(b.ask("drugs") == ("count", want), "first answer")
    # Truncated in place: refused with a message, not a crash.
    c.truncate(os.path.getsize(c.corpus) // 2)
    kind, text = b.ask("drugs")
    expect(kind == "error" and CHANGED in text and "index.stele" in text,
           f"after truncation: {kind} {text!r}")
    expect("\n" not in text.rstrip("\n"), f"one line: {text!r}")
    # A good index renamed into place: right answers again.
    c.install(c.corpus)
    expect(b.ask("drugs") == ("count", want), "after a good index came back")
    # Replaced by another index: its answers.
    c.install(c.other)
    expect(b.ask("lighthouse") == ("count", other), "after replacement by another index")
    # Emptied: refused; then back.
    c.truncate(0)
    kind, text = b.ask("lighthouse")
    expect(kind == "error" and CHANGED in text, f"after emptying: {kind} {text!r}")
    c.install(c.corpus)
    expect(b.ask("drugs") == ("count", want), "after the last repair")
    expect(b.end() == 2, "a refused query makes the batch's exit status 2")


def case_batch_copied(c):
    answers_follow_the_file(c, {})


def case_batch_mapped(c):
    answers_follow_the_file(c, {"STELE_MAP_THRESHOLD": "0"})


def case_batch_mapped_race(c):
    # Truncations and repairs in place while queries run on a mapped index:
    # whatever a query meets (before, during or after), it answers or says
    # why not, and the process never dies of SIGBUS.
    want = c.count("drugs", c.corpus)
    good = open(c.corpus, "rb").read()
    b = Batch(c, {"STELE_MAP_THRESHOLD": "0"})
    expect(b.ask("drugs") == ("count", want), "before the race")
    stop = threading.Event()

    def vandal():
        while not stop.is_set():
            with open(c.index, "r+b") as f:
                f.truncate(len(good) // 3)
            time.sleep(0.002)
            with open(c.index, "r+b") as f:
                f.write(good)
            time.sleep(0.002)

    t = threading.Thread(target=vandal)
    t.start()
    counts = errors = faults = 0
    try:
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            kind, text = b.ask("drugs OR women OR narcotic*")
            if kind == "count":
                counts += 1
            else:
                errors += 1
                faults += FAULT in text
                # bytes rewritten under a query may also read as damage
                expect(CHANGED in text or FAULT in text or "damaged" in text,
                       f"unexpected message {text!r}")
    finally:
        stop.set()
        t.join()
    c.install(c.corpus)
    expect(b.ask("drugs") == ("count", want), "after the race")
    b.end()
    print(f"{counts} answers, {errors} refusals while the file changed, "
          f"{faults} of them faults caught during a query")


def case_prompt_replaced(c):
    try:
        master, slave = pty.openpty()
    except OSError as e:
        raise Skip(f"no pseudo-terminal: {e}")
    e = dict(os.environ)
    e.update({"TERM": "dumb", "NO_COLOR": "1", "STELE_MAP_THRESHOLD": "0"})
    p = subprocess.Popen([c.stele, "search", "-i", c.index], stdin=slave, stdout=slave,
                         stderr=slave, env=e, start_new_session=True)
    os.close(slave)
    out = b""

    def until_prompt(n):
        nonlocal out
        deadline = time.monotonic() + 30
        while out.count(b"stele> ") < n and time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
        expect(out.count(b"stele> ") >= n, f"prompt {n}: {out[-600:]!r}")
        return out.decode("utf-8", "replace")

    no_editor = False

    def editing(timeout=5):
        """Waits until the line editor has the terminal (canonical mode
        off).  With TERM=dumb libedit may show its prompt before it takes
        the terminal from canonical mode (about one prompt in 30 here), and
        a key typed in between goes through canonical mode: a Ctrl-D there
        is lost, and the prompt waits for ever.  Without libedit the
        terminal stays canonical, where lines and Ctrl-D work as typed:
        waits timeout, once."""
        nonlocal out, no_editor
        deadline = time.monotonic() + timeout
        while not no_editor and time.monotonic() < deadline:
            if not termios.tcgetattr(master)[3] & termios.ICANON:
                return
            r, _, _ = select.select([master], [], [], 0.01)
            if r:
                out += os.read(master, 65536)
        no_editor = True

    def send(line, n):
        editing()
        os.write(master, line.encode() + b"\r")
        return until_prompt(n)

    try:
        until_prompt(1)
        first = send("drugs", 2)
        expect("1. " in first, f"first search: {first[-600:]!r}")
        c.truncate(100)
        text = send("drugs", 3)
        expect(CHANGED in text, f"after truncation: {text[-600:]!r}")
        c.install(c.other)
        text = send("lighthouse", 4)
        expect("1. " in text.split("stele> ")[-2], f"after replacement: {text[-600:]!r}")
        text = send(".show 1", 5)
        expect("lighthouse" in text.split("stele> ")[-2].lower(), f".show: {text[-600:]!r}")
        editing()
        os.write(master, b"\x04")
        st = p.wait(timeout=30)
        expect(st >= 0, f"the prompt died of signal {-st}")
    finally:
        if p.poll() is None:
            p.kill()
        os.close(master)


if __name__ == "__main__":
    sys.exit(clicase.main(globals(), Ctx, "stele-swap-"))
