/*
 * bench_refindex.cc: builds the reference engines' indexes of a JSON Lines
 * corpus for bench/run.sh, natively (no interpreter in the timed build).
 *
 *   bench_refindex fts5 CORPUS.jsonl OUT.db
 *       SQLite FTS5 table t(id UNINDEXED, title, body) with
 *       tokenize='porter unicode61' (positions kept, detail=full, content
 *       stored: compare with stele's whole file), every row inserted in one
 *       transaction, then 'optimize' and VACUUM.
 *   bench_refindex xapian CORPUS.jsonl OUT.dir
 *       Xapian glass database: English stems only (STEM_ALL, as stele and
 *       FTS5's porter keep one form of each word), positions kept, the title
 *       indexed with a within-document frequency increment of 2 (stele
 *       weighs titles 2.0), the id in value slot 0 (what a search returns)
 *       and title + "\n" + body as document data (stored text, as the other
 *       two keep it), then compacted.
 *   bench_refindex xapian-nodata CORPUS.jsonl OUT.dir
 *       The same without the document data (compare with stele's index
 *       proper).
 *
 * Each record's "id", "title" and "body" strings are read with jansson, as
 * stele's own indexer reads them.  The output is written under a temporary
 * name and renamed into place, so a failed build leaves nothing half made.
 * Build time and peak RSS are measured from outside (/usr/bin/time -v).
 */
#include <jansson.h>
#include <sqlite3.h>
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

namespace
{

struct record {
    std::string id, title, body;
};

/* Reads records one line at a time; returns 1 for a record, 0 at the end,
 * -1 on a malformed line (reported with its number). */
class jsonl_reader
{
  public:
    explicit jsonl_reader(const char *path) : path_(path), f_(std::fopen(path, "rb")) {}
    ~jsonl_reader()
    {
        if (f_) std::fclose(f_);
        std::free(line_);
    }
    bool ok() const
    {
        return f_ != nullptr;
    }
    int next(record &r)
    {
        ssize_t n;
        while ((n = getline(&line_, &cap_, f_)) > 0) {
            json_error_t err;
            json_t *doc;
            line_no_++;
            if (n == 1 && line_[0] == '\n') continue;
            doc = json_loadb(line_, (size_t)n, 0, &err);
            if (!doc || !json_is_object(doc)) {
                std::fprintf(stderr, "bench_refindex: %s:%lu: %s\n", path_, line_no_,
                             doc ? "not an object" : err.text);
                json_decref(doc);
                return -1;
            }
            r.id = field(doc, "id");
            r.title = field(doc, "title");
            r.body = field(doc, "body");
            json_decref(doc);
            return 1;
        }
        return 0;
    }

  private:
    static std::string field(json_t *doc, const char *name)
    {
        json_t *v = json_object_get(doc, name);
        return json_is_string(v) ? std::string(json_string_value(v), json_string_length(v))
                                 : std::string();
    }
    const char *path_;
    std::FILE *f_;
    char *line_ = nullptr;
    size_t cap_ = 0;
    unsigned long line_no_ = 0;
};

int build_fts5(const char *corpus, const char *out)
{
    std::string tmp = std::string(out) + ".tmp";
    sqlite3 *db = nullptr;
    sqlite3_stmt *ins = nullptr;
    jsonl_reader in(corpus);
    record r;
    int got, rc = 1;
    if (!in.ok()) {
        std::perror(corpus);
        return 1;
    }
    unlink(tmp.c_str());
    if (sqlite3_open(tmp.c_str(), &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                     "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body,"
                     " tokenize='porter unicode61'); BEGIN",
                     nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO t(id, title, body) VALUES (?1, ?2, ?3)", -1, &ins,
                           nullptr) != SQLITE_OK)
        goto fail;
    while ((got = in.next(r)) == 1) {
        sqlite3_bind_text(ins, 1, r.id.data(), (int)r.id.size(), SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, r.title.data(), (int)r.title.size(), SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, r.body.data(), (int)r.body.size(), SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE) goto fail;
        sqlite3_reset(ins);
    }
    if (got < 0) goto out;
    if (sqlite3_exec(db, "COMMIT; INSERT INTO t(t) VALUES ('optimize'); VACUUM", nullptr, nullptr,
                     nullptr) != SQLITE_OK)
        goto fail;
    sqlite3_finalize(ins);
    ins = nullptr;
    if (sqlite3_close(db) != SQLITE_OK) goto fail;
    db = nullptr;
    if (std::rename(tmp.c_str(), out) != 0) {
        std::perror(out);
        goto out;
    }
    return 0;
fail:
    std::fprintf(stderr, "bench_refindex: %s: %s\n", tmp.c_str(),
                 db ? sqlite3_errmsg(db) : "cannot open");
out:
    sqlite3_finalize(ins);
    sqlite3_close(db);
    unlink(tmp.c_str());
    return rc;
}

int remove_tree(const std::string &dir)
{
    std::string cmd = "rm -rf '" + dir + "'";
    return std::system(cmd.c_str());
}

int build_xapian(const char *corpus, const char *out, bool store)
{
    std::string tmp = std::string(out) + ".tmp", compact = std::string(out) + ".compact";
    jsonl_reader in(corpus);
    record r;
    int got = 0;
    if (!in.ok()) {
        std::perror(corpus);
        return 1;
    }
    if (std::strchr(out, '\'')) {
        std::fprintf(stderr, "bench_refindex: %s: a quote in the path\n", out);
        return 1;
    }
    remove_tree(tmp);
    remove_tree(compact);
    try {
        {
            Xapian::WritableDatabase db(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
            Xapian::TermGenerator tg;
            tg.set_stemmer(Xapian::Stem("english"));
            tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
            while ((got = in.next(r)) == 1) {
                Xapian::Document doc;
                tg.set_document(doc);
                tg.index_text(r.title, 2);
                tg.increase_termpos();
                tg.index_text(r.body);
                doc.add_boolean_term("Q" + r.id);
                doc.add_value(0, r.id);
                if (store) doc.set_data(r.title + "\n" + r.body);
                db.add_document(doc);
            }
            if (got == 0) {
                db.commit();
                db.compact(compact);
            }
            db.close();
        }
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "bench_refindex: %s: %s\n", out, e.get_description().c_str());
        got = -1;
    }
    remove_tree(tmp);
    if (got != 0) {
        remove_tree(compact);
        return 1;
    }
    remove_tree(out);
    if (std::rename(compact.c_str(), out) != 0) {
        std::perror(out);
        remove_tree(compact);
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc == 4 && std::strcmp(argv[1], "fts5") == 0) return build_fts5(argv[2], argv[3]);
    if (argc == 4 && std::strcmp(argv[1], "xapian") == 0)
        return build_xapian(argv[2], argv[3], true);
    if (argc == 4 && std::strcmp(argv[1], "xapian-nodata") == 0)
        return build_xapian(argv[2], argv[3], false);
    std::fprintf(stderr, "usage: bench_refindex fts5|xapian|xapian-nodata CORPUS.jsonl OUT\n");
    return 2;
}
