#!/usr/bin/python3
"""Xapian as a second reference point for size and ranking quality.

Needs Debian's python3-xapian, which is built for the system Python, hence
the #! line; size.py and cranfield.py call this script with /usr/bin/python3
when asked (--xapian) and stay standard-library only themselves.

  xapian_bench.py build KIND DB_DIR STORE INPUT...
      Indexes the documents (KIND jsonl: title and body of each record;
      KIND resolutions: one document per file) into a fresh glass database
      with positions, English stems only (STEM_ALL, like stele and FTS5's
      porter, so no second unstemmed copy of each term), the title indexed
      with a within-document frequency increment of 2 (as stele weighs
      titles 2.0).  STORE 1 keeps title + "\\n" + body as document data
      (compare with stele's whole file), 0 keeps none (compare with stele's
      index proper).  The database is then compacted; prints its bytes.
  xapian_bench.py search DB_DIR K QUERIES
      Reads one query per line, a space-separated bag of words, and prints
      per query one line of the top K ids (tab-separated), ranked by BM25
      with k1 = 1.2 and b = 0.75 (stele's defaults) over an OR of the
      words' stems.
"""

import json
import os
import shutil
import sys

import xapian


def docs_of(kind, inputs):
    if kind == "jsonl":
        for path in inputs:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        d = json.loads(line)
                        yield str(d.get("id", "")), str(d.get("title", "")), str(
                            d.get("body", ""))
    else:
        for path in inputs:
            with open(path, encoding="utf-8", errors="replace") as f:
                name = os.path.basename(path)
                yield name, name, f.read()


def dir_bytes(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def build(kind, db_dir, store, inputs):
    tmp = db_dir + ".tmp"
    for p in (tmp, db_dir):
        shutil.rmtree(p, ignore_errors=True)
    db = xapian.WritableDatabase(tmp, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_ALL)
    n = 0
    for doc_id, title, body in docs_of(kind, inputs):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title, 2)
        tg.increase_termpos()
        tg.index_text(body)
        doc.add_boolean_term("Q" + doc_id)
        doc.set_data(doc_id + "\n" + (title + "\n" + body if store else ""))
        db.add_document(doc)
        n += 1
        if n % 20000 == 0:
            db.commit()
    db.commit()
    db.compact(db_dir)
    db.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(dir_bytes(db_dir))


def search(db_dir, k, queries):
    db = xapian.Database(db_dir)
    enq = xapian.Enquire(db)
    enq.set_weighting_scheme(xapian.BM25Weight(1.2, 0, 1, 0.75, 0.5))
    stem = xapian.Stem("english")
    with open(queries, encoding="utf-8") as f:
        for line in f:
            words = line.split()
            terms = list(dict.fromkeys(stem(w.encode()).decode() for w in words))
            enq.set_query(xapian.Query(xapian.Query.OP_OR, terms))
            ids = [m.document.get_data().decode().split("\n", 1)[0]
                   for m in enq.get_mset(0, k)]
            print("\t".join(ids))


def main():
    if len(sys.argv) >= 6 and sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5:])
    elif len(sys.argv) == 5 and sys.argv[1] == "search":
        search(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
