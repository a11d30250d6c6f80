#!/usr/bin/env python3
"""Turn unpacked Debian documentation packages into one JSON Lines corpus.

Usage: corpus_jsonl.py ROOT OUT.jsonl

ROOT holds one directory per package, each the output of `dpkg-deb -x`
(make-corpus.sh prepares it).  Every source below is English prose written
by people: the Linux kernel's Documentation/ (reStructuredText and plain
text, translations left out), the Python, PostgreSQL and Debian Reference
manuals (HTML reduced to text with html.parser), Perl's POD manuals, Git's
AsciiDoc manuals, the Linux man pages (rendered by groff when it is
installed), WordNet's glosses, and three dictd dictionaries (GCIDE, FOLDOC,
the Jargon File).

Each output line is {"id", "title", "body"}.  One document is one file,
manual page, dictionary entry or synset; a body longer than MAX_BODY bytes
is cut at paragraph boundaries into parts "title (part n)", so a few huge
files do not dominate length normalisation.  Bytes that are not UTF-8 are
replaced.  The output is deterministic: sources and files are visited in
sorted order.
"""

import gzip
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys

MAX_BODY = 64 * 1024


class Writer:
    def __init__(self, out):
        self.out = out
        self.n_docs = 0
        self.n_bytes = 0
        self.per_source = {}

    def add(self, source, doc_id, title, body):
        title = " ".join(title.split())
        body = body.strip()
        if not body:
            return
        parts = split_body(body)
        for i, part in enumerate(parts):
            pid = doc_id if len(parts) == 1 else "%s#%d" % (doc_id, i + 1)
            ptitle = title if len(parts) == 1 else "%s (part %d)" % (title, i + 1)
            line = json.dumps({"id": pid, "title": ptitle, "body": part}, ensure_ascii=False)
            self.out.write(line)
            self.out.write("\n")
            n = len(ptitle.encode()) + len(part.encode())
            self.n_docs += 1
            self.n_bytes += n
            s = self.per_source.setdefault(source, [0, 0])
            s[0] += 1
            s[1] += n


def split_body(body):
    """Cuts body into pieces of at most about MAX_BODY bytes at blank lines."""
    if len(body.encode()) <= MAX_BODY:
        return [body]
    parts, cur, cur_len = [], [], 0
    for para in re.split(r"\n\s*\n", body):
        n = len(para.encode()) + 2
        if cur and cur_len + n > MAX_BODY:
            parts.append("\n\n".join(cur))
            cur, cur_len = [], 0
        # A single paragraph over the cap is cut at a line end.
        while n > MAX_BODY:
            cut = para.rfind("\n", 0, MAX_BODY // 2)
            if cut <= 0:
                cut = MAX_BODY // 2
            parts.append(para[:cut])
            para = para[cut:].lstrip("\n")
            n = len(para.encode()) + 2
        cur.append(para)
        cur_len += n
    if cur:
        parts.append("\n\n".join(cur))
    return [p for p in parts if p.strip()]


def read_text(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def walk(root, suffixes, skip=()):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in filenames:
            if name.endswith(suffixes):
                out.append(os.path.join(dirpath, name))
    return sorted(out)


# --- Linux kernel Documentation ------------------------------------------

def rst_title(text, fallback):
    lines = text.splitlines()
    for i in range(len(lines) - 1):
        cur, nxt = lines[i].strip(), lines[i + 1].strip()
        if cur and len(nxt) >= 3 and len(set(nxt)) == 1 and nxt[0] in "=-~*#^\"'`":
            if len(set(cur)) == 1 and cur[0] == nxt[0]:
                continue  # an overline: the title is the next line
            return cur
    return fallback


def kernel_docs(w, root):
    base = os.path.join(root, "linux-source-6.1", "Documentation")
    if not os.path.isdir(base):
        return
    for path in walk(base, (".rst", ".txt"), skip=("translations",)):
        rel = os.path.relpath(path, os.path.dirname(base))
        text = read_text(path)
        # Drop the SPDX line and comment-only directives.
        text = re.sub(r"(?m)^\.\. SPDX-License-Identifier:.*\n", "", text)
        w.add("linux-doc", "linux/" + rel, rst_title(text, rel), text)


# --- HTML manuals ----------------------------------------------------------

class HTMLText(html.parser.HTMLParser):
    """Collects the visible text of a page, one line per block element."""

    SKIP = {"script", "style", "head", "nav"}
    BLOCK = {"p", "div", "br", "li", "dt", "dd", "tr", "pre", "h1", "h2", "h3", "h4",
             "h5", "h6", "table", "section", "blockquote", "ul", "ol", "dl"}

    def __init__(self, skip_classes):
        super().__init__(convert_charrefs=True)
        self.skip_classes = skip_classes
        self.parts = []
        self.title = []
        self.stack = []  # (tag, skipping) for elements that may be skipped
        self.skip_depth = 0
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        classes = ""
        role = ""
        for k, v in attrs:
            if k == "class" and v:
                classes = v
            elif k == "role" and v:
                role = v
        skipping = tag in self.SKIP or role == "navigation" or any(
            c in self.skip_classes for c in classes.split())
        if tag in ("br", "img", "hr", "meta", "link", "input", "wbr"):
            if tag == "br":
                self.parts.append("\n")
            return
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag in self.BLOCK:
            self.parts.append("\n\n" if tag in ("p", "pre", "h1", "h2", "h3", "h4") else "\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        # Pop to the matching open tag (HTML is not always well nested).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _, skipping in self.stack[i:]:
                    if skipping:
                        self.skip_depth -= 1
                del self.stack[i:]
                break
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
            return
        if self.skip_depth == 0:
            self.parts.append(data)


def html_to_text(raw, skip_classes):
    p = HTMLText(skip_classes)
    p.feed(raw)
    p.close()
    text = "".join(p.parts).replace("\u00b6", "")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return " ".join("".join(p.title).split()), text.strip()


def html_manual(w, root, source, pkg, sub, prefix, skip_classes, skip_names=()):
    base = os.path.join(root, pkg, sub)
    if not os.path.isdir(base):
        return
    for path in walk(base, (".html",)):
        name = os.path.basename(path)
        if name in skip_names:
            continue
        rel = os.path.relpath(path, base)
        title, text = html_to_text(read_text(path), skip_classes)
        w.add(source, prefix + rel, title or rel, text)


# --- Perl POD ----------------------------------------------------------------

POD_CODE = re.compile(r"[A-Z]<<+\s(.*?)\s>>+|[A-Z]<([^<>]*)>")


def pod_inline(s):
    for _ in range(4):  # nested codes, innermost first
        s2 = POD_CODE.sub(lambda m: (m.group(1) or m.group(2) or "").split("|")[0], s)
        if s2 == s:
            break
        s = s2
    return s


def perl_docs(w, root):
    base = os.path.join(root, "perl-doc")
    if not os.path.isdir(base):
        return
    for path in walk(base, (".pod", ".pm")):
        text = read_text(path)
        if "\n=head1" not in text and not text.startswith("=head1"):
            continue
        out, title, in_pod = [], os.path.basename(path), True
        name_next = False
        for line in text.splitlines():
            if line.startswith("="):
                cmd, _, rest = line.partition(" ")
                if cmd == "=cut":
                    in_pod = False
                    continue
                in_pod = True
                if cmd in ("=head1", "=head2", "=head3", "=head4", "=item"):
                    out.append("\n" + pod_inline(rest.strip()) + "\n")
                    name_next = rest.strip() == "NAME"
                continue
            if not in_pod:
                continue
            if name_next and line.strip():
                title = pod_inline(line.strip())
                name_next = False
            out.append(pod_inline(line))
        rel = os.path.relpath(path, base)
        w.add("perl-doc", "perl/" + rel, title, "\n".join(out))


# --- AsciiDoc (git) ------------------------------------------------------------

def git_docs(w, root):
    base = os.path.join(root, "git-doc", "usr", "share", "doc", "git-doc")
    if not os.path.isdir(base):
        return
    for path in walk(base, (".txt",)):
        text = read_text(path)
        text = re.sub(r"(?m)^(include::|ifdef::|ifndef::|endif::|:[a-z-]+:).*\n", "", text)
        text = re.sub(r"(?m)^[-=~^+.]{4,}\s*$", "", text)
        rel = os.path.relpath(path, base)
        w.add("git-doc", "git/" + rel, rst_title(text, rel), text)


# --- man pages -----------------------------------------------------------------

ROFF_ESC = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\\*(\(..|\[[^\]]*\]|.)|\\s[-+]?\d+|\\[&|^%c]")


def roff_strip(src):
    out = []
    for line in src.splitlines():
        if line.startswith((".\\\"", "'\\\"", ".\\}")):
            continue
        if line.startswith((".", "'")):
            m = re.match(r"[.']\s*([A-Za-z]+)\s*(.*)", line)
            if not m:
                continue
            macro, args = m.group(1), m.group(2)
            if macro in ("SH", "SS", "B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM", "TP",
                         "IP", "Nm", "Nd", "Sh", "Ss"):
                out.append(args.replace('"', ""))
            continue
        out.append(line)
    text = "\n".join(out)
    text = ROFF_ESC.sub("", text)
    return text.replace("\\-", "-").replace("\\e", "\\").replace("\\(em", "-")


def man_pages(w, root):
    pages = []
    for pkg in ("manpages", "manpages-dev"):
        base = os.path.join(root, pkg, "usr", "share", "man")
        if os.path.isdir(base):
            pages += walk(base, (".gz",))
    groff = shutil.which("groff")
    for path in pages:
        raw = read_text(path)
        if raw.startswith(".so "):
            continue  # an alias of another page
        name = os.path.basename(path)[:-3]
        text = None
        if groff:
            try:
                r = subprocess.run([groff, "-man", "-Tutf8", "-P", "-cbou", "-rLL=80n"],
                                   input=raw.encode(), capture_output=True, timeout=30)
                if r.returncode == 0:
                    text = r.stdout.decode("utf-8", errors="replace")
            except (OSError, subprocess.SubprocessError):
                text = None
        if not text:
            text = roff_strip(raw)
        # Layout indentation is not text: one space per run is kept.
        text = "\n".join(" ".join(line.split()) for line in text.splitlines())
        text = re.sub(r"\n{3,}", "\n\n", text)
        m = re.search(r"(?m)^NAME\s*\n\s*(.+)", text)
        title = m.group(1).strip() if m else name
        w.add("man", "man/" + name, title, text)


# --- WordNet glosses -------------------------------------------------------------

def wordnet(w, root):
    base = os.path.join(root, "wordnet-base", "usr", "share", "wordnet")
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(base, "data." + pos)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # licence header
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                n_words = int(fields[3], 16)
                words = [fields[4 + 2 * i].replace("_", " ") for i in range(n_words)]
                words = [re.sub(r"\(.*\)$", "", x) for x in words]
                w.add("wordnet", "wn/%s/%s" % (pos, fields[0]), ", ".join(words), gloss.strip())


# --- dictd dictionaries --------------------------------------------------------------

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64num(s):
    n = 0
    for ch in s:
        n = n * 64 + B64.index(ch)
    return n


def dictd(w, root, pkg, name):
    base = os.path.join(root, pkg, "usr", "share", "dictd")
    idx, dz = os.path.join(base, name + ".index"), os.path.join(base, name + ".dict.dz")
    if not (os.path.exists(idx) and os.path.exists(dz)):
        return
    with gzip.open(dz, "rb") as f:
        data = f.read()
    seen = set()
    with open(idx, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00-database"):
                continue
            off, ln = b64num(parts[1]), b64num(parts[2])
            if (off, ln) in seen:
                continue  # several headwords share one definition
            seen.add((off, ln))
            body = data[off:off + ln].decode("utf-8", errors="replace")
            w.add(name, "%s/%s@%d" % (name, parts[0], off), parts[0], body)


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: corpus_jsonl.py ROOT OUT.jsonl\n")
        return 2
    root, out_path = sys.argv[1], sys.argv[2]
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        w = Writer(out)
        kernel_docs(w, root)
        html_manual(w, root, "python-doc", "python3.11-doc", "usr/share/doc/python3.11/html",
                    "python/", {"sphinxsidebar", "related", "footer", "headerlink"},
                    skip_names=("genindex.html", "search.html", "py-modindex.html"))
        html_manual(w, root, "postgresql-doc", "postgresql-doc-15",
                    "usr/share/doc/postgresql-doc-15/html", "pg/", {"navheader", "navfooter"},
                    skip_names=("bookindex.html",))
        html_manual(w, root, "debian-reference", "debian-reference-en",
                    "usr/share/debian-reference", "debref/", {"navheader", "navfooter", "toc"})
        perl_docs(w, root)
        git_docs(w, root)
        man_pages(w, root)
        wordnet(w, root)
        dictd(w, root, "dict-gcide", "gcide")
        dictd(w, root, "dict-foldoc", "foldoc")
        dictd(w, root, "dict-jargon", "jargon")
    os.replace(tmp, out_path)
    for source, (n, b) in sorted(w.per_source.items()):
        print("%-18s %8d docs %12d bytes" % (source, n, b))
    print("%-18s %8d docs %12d bytes" % ("total", w.n_docs, w.n_bytes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
