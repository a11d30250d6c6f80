#!/usr/bin/env python3
"""Tests of `stele kiosk`, the full-screen terminal (meson suite 'kiosk').

Each case drives the kiosk in a detached tmux session of 80x24 (its own
tmux server, on a socket of its own) with send-keys, and reads the screen
with capture-pane:

    test_kiosk.py --stele PATH CASE

A case that cannot run here (no tmux) exits 77 and says why.  With
--dump FILE the screen after typing a query is written to FILE (for the
record; no case needs it).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77


class Skip(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Kiosk:
    def __init__(self, stele, tmp, args=(), cols=80, rows=24):
        if not shutil.which("tmux"):
            raise Skip("tmux not found (tools/install-deps.sh installs it)")
        self.sock = f"stele-kiosk-{os.getpid()}"
        self.status_file = os.path.join(tmp, "status")
        env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "screen"}
        cmd = " ".join(["'" + a.replace("'", "'\\''") + "'" for a in [stele, "kiosk", *args]])
        shell = f"{cmd}; echo $? > '{self.status_file}'"
        e = dict(os.environ, **env)
        e.pop("TMUX", None)
        subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", "new-session", "-d",
                        "-s", "k", "-x", str(cols), "-y", str(rows), "sh", "-c", shell],
                       check=True, env=e, cwd=tmp)
        self.wait("Search:")

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock, *args], capture_output=True, text=True,
                              check=check)

    def screen(self):
        p = self.tmux("capture-pane", "-p", "-t", "k", check=False)
        return p.stdout if p.returncode == 0 else ""

    def lines(self):
        return self.screen().split("\n")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "k", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "k", "-l", text)

    def wait(self, what, timeout=20, gone=False):
        """Waits until the screen shows what (a string or a predicate on the
        screen), or until it no longer does (gone)."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            ok = what(s) if callable(what) else what in s
            if ok != gone:
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"screen {'still shows' if gone else 'never showed'} "
                                     f"{what!r}:\n{s}")
            time.sleep(0.1)

    def settle(self, timeout=10):
        """Waits until the screen stops changing (a search has run)."""
        last, same = None, 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            same = same + 1 if s == last else 0
            if same >= 4:
                return s
            last = s
            time.sleep(0.1)
        return last

    def alive(self):
        return self.tmux("has-session", "-t", "k", check=False).returncode == 0

    def exit_status(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(self.status_file):
                with open(self.status_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.1)
        raise AssertionError("the kiosk did not end")

    def close(self):
        self.tmux("kill-server", check=False)


def selected(screen):
    """The rank of the selected hit (its line starts with '>')."""
    for line in screen.split("\n"):
        if line.startswith(">") and ". " in line:
            return int(line[1:line.index(".")])
    return None


def case_typing(c, k):
    s = k.screen()
    expect("Examples:" in s, f"no start screen:\n{s}")
    k.type("naloxone")
    s = k.wait("1. 55/7")
    expect("Search: naloxone" in s, f"search line:\n{s}")
    expect("1 document matches" in s, f"status line:\n{s}")
    expect("preambular para 8" in s, f"matched paragraph's name:\n{s}")
    # The snippet's words are whole on every line: no line ends inside a word
    # that the next line continues.
    k.keys("C-u")
    k.type("alternatives to imprisonment")
    s = k.wait("55/12")
    for line in s.split("\n"):
        expect(len(line) <= 80, f"line wider than the screen: {line!r}")
    # Editing: Left, Backspace and typing in the middle; the search follows.
    k.keys("C-u")
    k.type("naloxonee")
    k.keys("BSpace")
    k.wait("1. 55/7")
    k.keys("Home")
    k.type("title:")
    s = k.settle()
    expect("Search: title:naloxone" in s and "No document matches" in s, f"Home, typing:\n{s}")
    # A query that does not parse yet says why and keeps the kiosk going.
    k.keys("C-u")
    k.type('"alternatives to')
    s = k.wait("unclosed quote")
    k.type('"')
    s = k.wait("1. 55/12")


def suggestion_line(screen):
    return screen.split("\n")[2]


def case_complete(c, k):
    # The words that complete the last one show under the search line as
    # it is typed; Tab takes the first, with a space for the next word.
    k.type("rehabilit")
    s = k.wait(lambda s: "Tab:" in suggestion_line(s))
    line = suggestion_line(s)
    expect("rehabilitation" in line, f"completions of rehabilit: {line!r}")
    first = line.split("Tab:")[1].split()[0]
    k.keys("Tab")
    k.type("prison")
    s = k.wait(f"Search: {first} prison")
    s = k.wait("1. ")
    # A cursor inside the query completes nothing; Tab then does nothing.
    k.keys("C-u")
    k.type("treatm prison")
    k.keys("Home")
    s = k.settle()
    expect("Tab:" not in suggestion_line(s), f"completions mid-query:\n{s}")
    k.keys("Tab")
    s = k.settle()
    expect("Search: treatm prison" in s, f"Tab mid-query changed the query:\n{s}")


def case_half_word(c, k):
    # A word stopped half-way already finds what it begins:
    # "alternatives to impr" finds 55/12 (alternatives to imprisonment).
    k.type("alternatives to impr")
    s = k.wait(lambda s: ">1. " in s)
    first = [line for line in s.split("\n") if line.startswith(">1. ")][0]
    expect("55/12" in first, f"half-typed word, first hit:\n{s}")


def case_did_you_mean(c, k):
    # A misspelt word: the query matches through its correction, and the
    # line says what was meant; Ctrl-Y takes it.
    k.type("psycoactive substances ")
    s = k.wait("Did you mean: psychoactive substances")
    expect("(Ctrl-Y)" in s and "1. " in s, f"did you mean:\n{s}")
    k.keys("C-y")
    s = k.wait("Search: psychoactive substances")
    s = k.wait("Did you mean", gone=True)
    expect("1. " in s, f"no hits after Ctrl-Y:\n{s}")


def case_moving(c, k):
    k.type("drug")
    s = k.wait("1. ")
    s = k.settle()
    expect(selected(s) == 1, f"first hit not selected:\n{s}")
    k.keys("Down")
    s = k.wait(lambda s: selected(s) == 2)
    # Four hits fit 80x24; the fifth scrolls the list.
    k.keys("Down")
    k.keys("Down")
    k.keys("Down")
    s = k.wait(lambda s: selected(s) == 5)
    expect(s.split("\n")[4].startswith(" 2. ") and ">5. " in s, f"list did not scroll:\n{s}")
    k.keys("Up")
    k.keys("Up")
    k.wait(lambda s: selected(s) == 3)
    k.keys("NPage")
    s = k.wait(lambda s: selected(s) == 7)
    k.keys("PPage")
    k.wait(lambda s: selected(s) == 3)
    k.keys("PPage")
    k.wait(lambda s: selected(s) == 1)
    k.keys("Up")
    s = k.settle()
    expect(selected(s) == 1, "Up above the first hit")


def case_open_document(c, k):
    k.type("alternatives to imprisonment")
    k.wait("1. 55/12")
    k.settle()
    k.keys("Enter")
    s = k.wait("(matched)")
    rows = s.split("\n")
    expect(rows[1].startswith("55/12  Alternatives to imprisonment"), f"document title:\n{s}")
    expect(any(r.strip().startswith("preambular para 6  (matched)") for r in rows),
           f"the matched paragraph is not shown labelled:\n{s}")
    expect("alternatives to imprisonment" in s, f"the matched text is not in view:\n{s}")
    # Scrolling down and back.
    k.keys("NPage")
    k.wait("(matched)", gone=True)
    k.keys("Home")
    s = k.wait("title")
    expect("heading" in s and "Resolution 55/12" in s, f"Home: top of the document:\n{s}")
    k.keys("End")
    s = k.wait("footnote")
    # Esc goes back to the hits, the query kept.
    k.keys("Escape")
    s = k.wait("Search: alternatives to imprisonment")
    expect(selected(s) == 1, f"back on the hits:\n{s}")
    # Esc on the hits clears the query: the start screen.
    k.keys("Escape")
    s = k.wait("Examples:")


def case_empty_enter(c, k):
    # An empty Enter does not exit, nor do the keys that end other programs.
    for key in ("Enter", "Enter", "C-c", "C-d", "C-z", "C-\\", "Escape", "q", "C-x", "Enter"):
        k.keys(key)
        time.sleep(0.1)
    # "q" is a word being typed, so it finds hits and the last Enter may
    # have opened one: Esc goes back to the search screen.
    k.keys("Escape")
    k.keys("C-u")
    s = k.settle()
    expect(k.alive(), "the kiosk ended on a visitor's key")
    expect("Search:" in s, f"not on the search screen:\n{s}")
    k.type("55/12")
    s = k.wait("1. 55/12")
    k.keys("Enter")
    k.wait("(matched)")
    k.keys("Enter")
    time.sleep(0.2)
    expect(k.alive(), "Enter on a document ended the kiosk")
    # The operator's key ends it, with status 0.
    k.keys("C-x", "C-q")
    expect(k.exit_status() == 0, "Ctrl-X Ctrl-Q: exit status")


def case_resize(c, k):
    k.type("naloxone")
    k.wait("1. 55/7")
    k.tmux("resize-window", "-t", "k", "-x", "120", "-y", "40")
    s = k.wait(lambda s: len(s.split("\n")) >= 40 and "Up/Down" in s.split("\n")[39])
    title = [l for l in s.split("\n") if "1. 55/7" in l][0]
    expect("opioid overdose" in title, f"the title does not use the wider screen: {title!r}")
    k.tmux("resize-window", "-t", "k", "-x", "50", "-y", "16")
    s = k.wait(lambda s: "Up/Down" in s.split("\n")[15])
    for line in s.split("\n"):
        expect(len(line) <= 50, f"line wider than 50 columns: {line!r}")
    k.keys("Enter")
    s = k.wait("(matched)")
    k.tmux("resize-window", "-t", "k", "-x", "80", "-y", "24")
    s = k.wait(lambda s: "Esc back" in s.split("\n")[23] and "(matched)" in s)
    k.keys("Escape")
    s = k.wait("Search: naloxone")


def case_utf8(c, k):
    k.type("naïve “quotes”")
    s = k.settle()
    expect("Search: naïve “quotes”" in s, f"UTF-8 on the search line:\n{s}")
    expect("No document matches" in s, f"status:\n{s}")
    # Backspace removes a whole character, not a byte.
    for _ in range(len("quotes”")):
        k.keys("BSpace")
    s = k.settle()
    expect("Search: naïve “" in s and "Search: naïve “q" not in s, f"Backspace:\n{s}")
    k.keys("C-u")
    k.type("Follow-up")
    s = k.wait("1. ")
    expect("“" in s or "”" in s or "Follow-up" in s, f"hits:\n{s}")


def case_idle(c, k):
    k.type("naloxone")
    k.wait("1. 55/7")
    k.keys("Enter")
    k.wait("(matched)")
    s = k.wait("Examples:", timeout=15)
    expect(s.split("\n")[1].rstrip() == "Search:" and "(matched)" not in s and "55/7" not in s,
           f"the last search is still on the idle screen:\n{s}")


def case_signal(c, k):
    pid = k.tmux("display-message", "-p", "-t", "k", "#{pane_pid}").stdout.strip()
    # The pane runs sh, which runs stele: signal the kiosk, sh's child.
    kids = subprocess.run(["pgrep", "-P", pid], capture_output=True, text=True).stdout.split()
    expect(kids, "no kiosk process")
    subprocess.run(["kill", "-TERM", kids[0]], check=True)
    expect(k.exit_status() == 0, "SIGTERM: exit status")


CASES = {
    "half_word": ([], case_half_word),
    "typing": ([], case_typing),
    "complete": ([], case_complete),
    "did_you_mean": ([], case_did_you_mean),
    "moving": ([], case_moving),
    "open_document": ([], case_open_document),
    "empty_enter": ([], case_empty_enter),
    "resize": ([], case_resize),
    "utf8": ([], case_utf8),
    "idle": (["--idle", "2"], case_idle),
    "signal": ([], case_signal),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stele", required=True)
    ap.add_argument("--dump")
    ap.add_argument("case")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="stele-kiosk-")
    k = None
    try:
        if args.dump:
            k = Kiosk(os.path.abspath(args.stele), tmp)
            k.type(args.case)
            k.wait("1. ")
            with open(args.dump, "w") as f:
                f.write(k.settle())
            return 0
        if args.case not in CASES:
            print(f"unknown case {args.case}", file=sys.stderr)
            return 2
        extra, fn = CASES[args.case]
        k = Kiosk(os.path.abspath(args.stele), tmp, extra)
        fn(args, k)
    except Skip as e:
        print(f"SKIP: {e}")
        return SKIP
    except AssertionError as e:
        print(f"FAIL {args.case}: {e}")
        return 1
    finally:
        if k:
            k.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
