#!/usr/bin/env python3
"""Faults while indexing (meson suite 'index-faults'):

    test_index_faults.py --stele PATH --source-root DIR CASE

Every case starts from a good index at the output path and makes one build
fail: a missing or unreadable input, an output that is also an input,
invalid UTF-8 and NUL bytes, a full disk (a file-size limit, and a tiny
tmpfs where one can be mounted), a read-only output directory, SIGINT and
SIGTERM.  Each must end with a clear message naming the file (and line
where one applies), a non-zero exit, no temporary file left, and the old
index byte-identical.  Permission cases run the tool as an unprivileged
user when the tests run as root (root ignores file modes); a case that
cannot arrange its fault here exits 77 and says why.
"""

import os
import pwd
import random
import resource
import shutil
import signal
import subprocess
import sys

import clicase
import tempfile
import time

from clicase import SKIP, Skip  # noqa: F401


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Ctx:
    def __init__(self, args, tmp):
        self.stele = os.path.abspath(args.stele)
        self.root = os.path.abspath(args.source_root)
        self.tmp = tmp
        self.out = os.path.join(tmp, "out", "index.stele")
        os.makedirs(os.path.dirname(self.out))
        self.text = os.path.join(self.root, "tests", "data", "cli", "text")
        self.run(["index", "-q", self.text, "-o", self.out], check=0)
        self.good = open(self.out, "rb").read()

    def path(self, *parts):
        return os.path.join(self.tmp, *parts)

    def write(self, rel, data):
        p = self.path(rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return p

    def run(self, args, check=None, preexec=None, stdin=None):
        p = subprocess.run([self.stele, *args], capture_output=True, cwd=self.tmp, timeout=120,
                           preexec_fn=preexec, input=stdin)
        out, err = p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")
        if check is not None and p.returncode != check:
            raise AssertionError(f"stele {' '.join(args)}: exit {p.returncode}, want {check}\n"
                                 f"stdout:\n{out}\nstderr:\n{err}")
        return p.returncode, out, err

    def intact(self, what):
        """The old index is unchanged and no temporary file is left anywhere."""
        expect(open(self.out, "rb").read() == self.good, f"{what}: the old index changed")
        for d, _, names in os.walk(self.tmp):
            left = [n for n in names if ".tmp." in n]
            expect(not left, f"{what}: temporary files left in {d}: {left}")

    def fails(self, args, *needles, preexec=None, what=None):
        what = what or " ".join(args)
        st, out, err = self.run(["index"] + args + ["-o", self.out], preexec=preexec)
        expect(st != 0, f"{what}: exit 0")
        expect(st == 2, f"{what}: exit {st}, want 2\n{err}")
        expect(err.startswith("stele: "), f"{what}: message {err!r}")
        for n in needles:
            expect(n in err, f"{what}: message lacks {n!r}: {err!r}")
        self.intact(what)
        return err


def as_unprivileged():
    """A preexec function that drops root (root ignores file permissions),
    or None when the tests do not run as root."""
    if os.geteuid() != 0:
        return None
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        raise Skip("running as root and there is no user 'nobody'")

    def drop():
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    return drop


def open_up(c):
    """Lets an unprivileged user reach the temporary directory."""
    os.chmod(c.tmp, 0o755)
    os.chmod(os.path.dirname(c.out), 0o777)
    os.chmod(c.out, 0o666)


def case_missing_input(c):
    missing = c.path("nowhere", "missing.txt")
    c.fails(["--format", "text", missing], missing, "No such file")
    c.fails([c.text, missing], missing)


def case_unreadable_input(c):
    drop = as_unprivileged()
    secret = c.write("secret.txt", b"Secret\n\nNobody may read this.\n")
    os.chmod(secret, 0)
    sub = c.path("private")
    os.mkdir(sub)
    c.write("private/a.txt", b"A\n\nhidden\n")
    os.chmod(sub, 0)
    open_up(c)
    if drop is None and os.access(secret, os.R_OK):
        raise Skip("file modes are not enforced here")
    c.fails([secret], secret, "Permission denied", preexec=drop)
    c.fails([sub], sub, "Permission denied", preexec=drop)


def case_output_is_input(c):
    src = c.write("src.txt", b"Source\n\nDo not overwrite me.\n")
    before = open(src, "rb").read()
    for out in (src, c.path(".", "src.txt")):
        st, _, err = c.run(["index", src, "-o", out])
        expect(st == 2 and "also an input" in err and "src.txt" in err, f"{out}: {st} {err!r}")
        expect(open(src, "rb").read() == before, "the source was overwritten")
    # Through a hard link and a symbolic link, and inside a directory input.
    os.link(src, c.path("hard.stele"))
    os.symlink(src, c.path("soft.stele"))
    for out in ("hard.stele", "soft.stele"):
        st, _, err = c.run(["index", src, "-o", c.path(out)])
        expect(st == 2 and "also an input" in err, f"{out}: {st} {err!r}")
        expect(open(src, "rb").read() == before, f"{out}: the source was overwritten")
    leftovers = [n for n in os.listdir(c.tmp) if ".tmp." in n]
    expect(not leftovers, f"temporary files left: {leftovers}")


def case_invalid_utf8(c):
    bad = c.write("bad.txt", b"Title\n\nfine line\nlatin \xe9 here\n")
    nul = c.write("nul.txt", b"Title\n\nline one\nline two\nhas a \x00 byte\n")
    badj = c.write("bad.jsonl", b'{"id": "a"}\n{"id": "b", "title": "caf\xe9"}\n')
    # Default: replaced, with a warning naming file and line, and counted.
    for path, line in ((bad, 4), (nul, 5), (badj, 2)):
        idx = c.path("u.stele")
        st, out, err = c.run(["index", path, "-o", idx], check=0)
        expect(f"warning: {path}:{line}:" in err and "U+FFFD" in err, f"warning: {err!r}")
        expect("replaced by U+FFFD" in out, f"summary: {out!r}")
    # --strict-utf8: an error naming file and line, nothing written.
    c.fails(["--strict-utf8", bad], bad + ":4:", "invalid UTF-8")
    c.fails(["--strict-utf8", nul], nul + ":5:", "NUL byte")
    c.fails(["--strict-utf8", badj], badj + ":2:", "invalid UTF-8")


def big_input(c, n_files=16, words_per_file=4800):
    """Random words, incompressible enough for an index of about 0.5 MB."""
    r = random.Random(13)
    vocab = ["".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(3, 9)))
             for _ in range(5000)]
    d = c.path("big")
    os.makedirs(d)
    for i in range(n_files):
        with open(os.path.join(d, f"f{i:03}.txt"), "w") as f:
            f.write(f"Title {i}\n\n")
            for p in range(words_per_file // 60):
                f.write(" ".join(r.choice(vocab) for _ in range(60)) + "\n\n")
    return d


def case_file_size_limit(c):
    limit = len(c.good) + 4096  # room for the old index, not for the new one

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    corpus = os.path.join(c.root, "corpus")
    err = c.fails(["--format", "resolutions", corpus], c.out, "File too large", preexec=limited)
    expect("\n" == err[-1] and err.count("\n") == 1, f"one line: {err!r}")


def case_disk_full(c):
    mnt = c.path("small")
    os.mkdir(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")
    try:
        c.out = os.path.join(mnt, "index.stele")
        shutil.copy(os.path.join(c.tmp, "out", "index.stele"), c.out)
        c.fails(["--format", "resolutions", os.path.join(c.root, "corpus")], c.out,
                "No space left")
        expect(os.listdir(mnt) == ["index.stele"], f"left in the tmpfs: {os.listdir(mnt)}")
    finally:
        subprocess.run(["umount", mnt])


def case_readonly_dir(c):
    drop = as_unprivileged()
    open_up(c)
    os.chmod(os.path.dirname(c.out), 0o555)
    try:
        if drop is None and os.access(os.path.dirname(c.out), os.W_OK):
            raise Skip("directory modes are not enforced here")
        c.fails([c.text], c.out, "cannot create", "Permission denied", preexec=drop)
    finally:
        os.chmod(os.path.dirname(c.out), 0o755)


def signal_build(c, args, sig, when):
    """Starts a build of args into c.out and sends sig once when() is true
    (or the build ends).  Returns (status, stderr, sent)."""
    p = subprocess.Popen([c.stele, "index", "-q", *args, "-o", c.out], cwd=c.tmp,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sent = False
    deadline = time.monotonic() + 60
    while p.poll() is None and time.monotonic() < deadline:
        if when():
            p.send_signal(sig)
            sent = True
            break
    _, err = p.communicate(timeout=60)
    return p.returncode, err.decode(errors="replace"), sent


def temp_exists(c):
    d = os.path.dirname(c.out)
    return any(".tmp." in n for n in os.listdir(d))


def check_interrupted(c, st, err, sig, what):
    if st == 0:  # finished before the signal: a complete new index
        st2, _, _ = c.run(["verify", c.out])
        expect(st2 == 0, f"{what}: the index written is broken")
        return False
    expect(st == -sig, f"{what}: exit {st}, want death by signal {sig}: {err!r}")
    expect("interrupted" in err and c.out in err, f"{what}: message {err!r}")
    if open(c.out, "rb").read() != c.good:
        # The signal came after the rename: the new index is complete.
        expect("after" in err and "was written" in err, f"{what}: message {err!r}")
        expect(c.run(["verify", c.out])[0] == 0, f"{what}: the index written is broken")
        open(c.out, "wb").write(c.good)
        return False
    c.intact(what)
    return True


def case_signal_while_writing(c):
    d = big_input(c)
    caught = 0
    for attempt in range(4):
        for sig in (signal.SIGTERM, signal.SIGINT):
            st, err, sent = signal_build(c, [d], sig, lambda: temp_exists(c))
            if check_interrupted(c, st, err, sig, f"{sig.name} while writing"):
                caught += 1
            else:
                open(c.out, "wb").write(c.good)  # the next attempt starts from the old index
        if caught >= 2:
            break
    print(f"{caught} of the builds were interrupted with their temporary file present")
    if caught == 0:
        raise Skip("the build never was caught while its temporary file existed")


def case_signal_while_reading(c):
    d = big_input(c)
    for sig, delay in ((signal.SIGINT, 0.05), (signal.SIGTERM, 0.15), (signal.SIGHUP, 0.3)):
        start = time.monotonic()
        st, err, sent = signal_build(c, [d], sig, lambda: time.monotonic() - start > delay)
        if not check_interrupted(c, st, err, sig, f"{sig.name} after {delay} s"):
            open(c.out, "wb").write(c.good)


def scratch_open(pid, d):
    """True when process pid holds open a nameless file of directory d (its
    scratch file, opened with O_TMPFILE or unlinked at once)."""
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
            if link.startswith(d + "/") and link.endswith(" (deleted)"):
                return True
    except OSError:
        pass
    return False


def case_spill_failure(c):
    """A build that fails or is killed while it spills runs to its scratch
    file leaves nothing behind: the scratch file has no name, so even
    SIGKILL cannot leave it."""
    d = big_input(c)
    out_dir = os.path.dirname(c.out)
    before = sorted(os.listdir(out_dir))
    limit = len(c.good) + 4096  # far less than the runs of 77,000 tokens

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    c.fails(["--memory", "64K", d], "scratch file", "File too large", preexec=limited,
            what="file-size limit while spilling")
    expect(sorted(os.listdir(out_dir)) == before, f"left: {os.listdir(out_dir)}")
    if not os.path.isdir(f"/proc/{os.getpid()}/fd"):
        raise Skip("no /proc to see the scratch file by")
    caught = 0
    for attempt in range(3):
        for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT):
            p = subprocess.Popen([c.stele, "index", "-q", "--memory", "64K", d, "-o", c.out],
                                 cwd=c.tmp, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            sent = False
            while p.poll() is None:
                if scratch_open(p.pid, out_dir):
                    p.send_signal(sig)
                    sent = True
                    break
            p.communicate(timeout=60)
            if sent and p.returncode == -sig:
                caught += 1
                c.intact(f"{sig.name} while spilling")
                expect(sorted(os.listdir(out_dir)) == before,
                       f"{sig.name} while spilling left: {os.listdir(out_dir)}")
            else:  # it finished first: start again from the old index
                open(c.out, "wb").write(c.good)
        if caught >= 3:
            break
    print(f"{caught} builds were killed while their scratch file was open")
    if caught == 0:
        raise Skip("no build was caught while its scratch file was open")


def chmod_dirs_back(tmp):
    """Lets the clean-up remove everything a case made read-only."""
    for d, dirs, _ in os.walk(tmp):
        for n in dirs:
            try:
                os.chmod(os.path.join(d, n), 0o755)
            except OSError:
                pass


if __name__ == "__main__":
    sys.exit(clicase.main(globals(), Ctx, "stele-faults-", chmod_dirs_back))
