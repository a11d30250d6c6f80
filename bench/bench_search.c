/*
 * bench_search.c: query speed of stele, and of SQLite FTS5 on the same
 * text, for the benchmarks in bench/ (built only with -Dbench=true).
 *
 *   bench_search --sections INDEX
 *       Lists the index's sections, one "name bytes" line each.
 *   bench_search [-n REPEAT] [-k HITS] [--fts5 DB] INDEX QUERIES
 *       Times every query of QUERIES (a file of "class<TAB>stele
 *       query<TAB>FTS5 query" lines; '#' starts a comment) REPEAT times and
 *       prints, per class and engine, queries per second and the mean, median
 *       and 99th-percentile latency, with the mean number of matching
 *       documents so the classes can be told apart by document frequency.
 *   bench_search --ids [-k HITS] [-w BYTES] INDEX QUERIES
 *
 * -w sets the workspace to BYTES instead of stele_workspace_bound(ix, k)
 * (a query that needs more is an error line).
 *       Reads one stele query per line of QUERIES and prints, per query, one
 *       line with the ids of its top hits separated by tabs (an empty line
 *       for no hit, "!error" for a failed query): the ranked runs that
 *       cranfield.py scores, without starting a process per query.
 *   bench_search --mix stele|fts5 [--fts5 DB] INDEX QUERIES
 *       Runs every query once on one engine and prints the total matches:
 *       the fixed workload for `valgrind --tool=callgrind
 *       --toggle-collect=run_mix_stele` (or run_mix_fts5), whose instruction
 *       count is the repeatable speed figure (timings on a shared two-core
 *       machine drift by tens of percent).
 *
 * What is timed.  stele: stele_query_prepare() and stele_query_run()
 * (through stele_top_k) returning the top k hits (ids and
 * titles are views into the index, so nothing is copied).  The index is
 * read into memory and opened once before; the workspace is allocated once
 * at stele_workspace_bound(ix, k) bytes, as an embedder would.  FTS5: one
 * prepared statement "SELECT rowid, title FROM t WHERE t MATCH ?1 ORDER BY
 * bm25(t, 2.0, 1.0) LIMIT k", bound, stepped to the end and reset, with the
 * database opened once with mmap_size 4 GiB and a 1 GiB page cache (so
 * after the warm-up its pages are in memory, as stele's file is).  Both
 * rank with BM25 and the same title/body weights.  The engines take turns:
 * each repetition runs the whole mix on stele and then on FTS5, so a burst
 * of load from elsewhere on the machine falls on both.  The first
 * repetition is a warm-up and is not counted.
 *
 * This is a measuring tool, not a test: it asserts nothing about speed.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stele.h"
#include "stele_stem.h"

#ifdef BENCH_HAVE_SQLITE
#include <sqlite3.h>
#endif

#define MAX_QUERIES 4096
#define MAX_CLASSES 64

/* -w: the workspace bytes, 0 = stele_workspace_bound(ix, k). */
static size_t workspace_bytes;

typedef struct bench_query {
    char *cls;
    char *stele_q;
    char *fts5_q;
    size_t n_matches; /* stele's count of matching documents */
} bench_query;

typedef struct bench_set {
    bench_query q[MAX_QUERIES];
    size_t n;
    char *buf;
} bench_set;

static unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long n;
    if (!f) {
        fprintf(stderr, "bench_search: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "bench_search: %s: cannot size\n", path);
        fclose(f);
        return NULL;
    }
    data = malloc((size_t)n + 1);
    if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench_search: %s: cannot read\n", path);
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    data[n] = 0;
    *size = (size_t)n;
    return data;
}

/* Splits the query file in place into classes and query strings. */
static int load_queries(const char *path, bench_set *set)
{
    size_t size;
    char *line, *next;
    set->buf = (char *)read_file(path, &size);
    set->n = 0;
    if (!set->buf) return -1;
    for (line = set->buf; line && *line; line = next) {
        char *tab1, *tab2;
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (*line == '#' || *line == 0) continue;
        tab1 = strchr(line, '\t');
        tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab1) {
            fprintf(stderr, "bench_search: %s: line without a tab: %s\n", path, line);
            return -1;
        }
        if (set->n == MAX_QUERIES) {
            fprintf(stderr, "bench_search: %s: more than %d queries\n", path, MAX_QUERIES);
            return -1;
        }
        *tab1 = 0;
        if (tab2) *tab2 = 0;
        set->q[set->n].cls = line;
        set->q[set->n].stele_q = tab1 + 1;
        set->q[set->n].fts5_q = tab2 ? tab2 + 1 : tab1 + 1;
        set->q[set->n].n_matches = 0;
        set->n++;
    }
    return 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Latencies of one class, in microseconds. */
typedef struct bench_class {
    const char *name;
    double *lat;
    size_t n_lat;
    size_t n_queries;
    size_t n_errors; /* queries that failed (e.g. STELE_ELIMIT), not timed */
    double matches;  /* sum over the class's queries */
} bench_class;

static int find_classes(const bench_set *set, bench_class *cls, size_t *n_cls, size_t repeat)
{
    size_t i, j;
    *n_cls = 0;
    for (i = 0; i < set->n; i++) {
        for (j = 0; j < *n_cls; j++)
            if (strcmp(cls[j].name, set->q[i].cls) == 0) break;
        if (j == *n_cls) {
            if (*n_cls == MAX_CLASSES) return -1;
            memset(&cls[j], 0, sizeof cls[j]);
            cls[j].name = set->q[i].cls;
            (*n_cls)++;
        }
        cls[j].n_queries++;
    }
    for (j = 0; j < *n_cls; j++) {
        cls[j].lat = malloc(sizeof(double) * cls[j].n_queries * repeat);
        if (!cls[j].lat) return -1;
    }
    return 0;
}

static bench_class *class_of(bench_class *cls, size_t n_cls, const char *name)
{
    size_t j;
    for (j = 0; j < n_cls; j++)
        if (strcmp(cls[j].name, name) == 0) return &cls[j];
    return NULL;
}

static void report(const char *engine, bench_class *cls, size_t n_cls)
{
    size_t j;
    double all_sum = 0;
    size_t all_n = 0;
    for (j = 0; j < n_cls; j++) {
        bench_class *c = &cls[j];
        double sum = 0;
        size_t i;
        if (c->n_lat == 0) {
            printf("%-6s %-12s %3zu q  all failed (%zu errors)\n", engine, c->name, c->n_queries,
                   c->n_errors);
            c->n_errors = 0;
            continue;
        }
        qsort(c->lat, c->n_lat, sizeof(double), cmp_double);
        for (i = 0; i < c->n_lat; i++)
            sum += c->lat[i];
        all_sum += sum;
        all_n += c->n_lat;
        printf("%-6s %-12s %3zu q %10.0f q/s  mean %9.1f us  p50 %9.1f us  p99 %9.1f us"
               "  matches %10.0f\n",
               engine, c->name, c->n_queries, sum > 0 ? 1e6 * (double)c->n_lat / sum : 0,
               sum / (double)c->n_lat, c->lat[c->n_lat / 2],
               c->lat[(size_t)floor(0.99 * (double)(c->n_lat - 1))],
               c->matches / (double)(c->n_queries - c->n_errors));
        if (c->n_errors)
            printf("%-6s %-12s %zu of its queries failed and are not timed\n", engine, c->name,
                   c->n_errors);
        c->n_lat = 0;
        c->n_errors = 0;
        c->matches = 0;
    }
    if (all_n)
        printf("%-6s %-12s %3s   %10.0f q/s  mean %9.1f us\n", engine, "ALL", "",
               all_sum > 0 ? 1e6 * (double)all_n / all_sum : 0, all_sum / (double)all_n);
}

typedef struct stele_ctx {
    stele_index ix;
    stele_query_opts opts;
    void *mem;
    size_t mem_size;
    stele_hit *hits;
    size_t k;
} stele_ctx;

/* The one call into the search API: prepares q and runs it for the top k
 * into s->hits; *err_at gets the byte offset of a refused query. */
static int stele_top_k(stele_ctx *s, const char *q, size_t *n_hits, size_t *n_matches,
                       size_t *err_at)
{
    stele_query query;
    int rc;
    memset(&query, 0, sizeof query);
    rc = stele_query_prepare(&query, &s->ix, q, strlen(q), &s->opts, s->mem, s->mem_size);
    if (rc == STELE_OK) rc = stele_query_run(&query, s->hits, s->k, 0, n_hits, n_matches);
    *err_at = query.diag.offset;
    return rc;
}

static int stele_run(stele_ctx *s, const char *q, size_t *n_matches)
{
    size_t n_hits = 0, matches = 0, err_at = 0;
    int rc = stele_top_k(s, q, &n_hits, &matches, &err_at);
    *n_matches = matches;
    return rc;
}

/* The callgrind workloads; not inlined so --toggle-collect can name them. */
__attribute__((noinline)) size_t run_mix_stele(stele_ctx *s, const bench_set *set);
__attribute__((noinline)) size_t run_mix_stele(stele_ctx *s, const bench_set *set)
{
    size_t i, total = 0;
    for (i = 0; i < set->n; i++) {
        size_t m = 0;
        if (stele_run(s, set->q[i].stele_q, &m) == STELE_OK) total += m;
    }
    return total;
}

/* Records one timed run of query i in repetition r (r = 0 is the warm-up). */
static void record(bench_class *cls, size_t n_cls, const bench_query *q, size_t r, int ok,
                   double us, size_t matches)
{
    bench_class *c = class_of(cls, n_cls, q->cls);
    if (r == 0) return;
    if (!ok) {
        /* Counted and left out of the timings: a query over a STELE_MAX_*
         * limit is a finding, not a reason to stop. */
        if (r == 1) c->n_errors++;
        return;
    }
    c->lat[c->n_lat++] = us;
    if (r == 1) c->matches += (double)matches;
}

static void stele_pass(stele_ctx *s, const bench_set *set, bench_class *cls, size_t n_cls, size_t r)
{
    size_t i;
    for (i = 0; i < set->n; i++) {
        size_t m = 0;
        double t0 = now_us(), t1;
        int rc = stele_run(s, set->q[i].stele_q, &m);
        t1 = now_us();
        if (rc != STELE_OK && r == 0)
            fprintf(stderr, "bench_search: stele: %s: %s\n", set->q[i].stele_q, stele_strerror(rc));
        record(cls, n_cls, &set->q[i], r, rc == STELE_OK, t1 - t0, m);
    }
}

#ifdef BENCH_HAVE_SQLITE
typedef struct fts5_ctx {
    sqlite3 *db;
    sqlite3_stmt *top;   /* the ranked top-k query */
    sqlite3_stmt *count; /* matching rows, counted once, untimed */
} fts5_ctx;

static void fts5_close(fts5_ctx *f)
{
    sqlite3_finalize(f->top);
    sqlite3_finalize(f->count);
    sqlite3_close(f->db);
    memset(f, 0, sizeof *f);
}

static int fts5_open(fts5_ctx *f, const char *db_path, size_t k)
{
    char sql[256];
    memset(f, 0, sizeof *f);
    snprintf(sql, sizeof sql,
             "SELECT rowid, title FROM t WHERE t MATCH ?1 ORDER BY bm25(t, 2.0, 1.0) LIMIT %zu", k);
    /* Let SQLite map the whole file and cache pages generously, so that
     * neither engine reads through system calls once warm. */
    if (sqlite3_open_v2(db_path, &f->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_exec(f->db, "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -1048576", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, sql, -1, &f->top, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, "SELECT count(*) FROM t WHERE t MATCH ?1", -1, &f->count, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "bench_search: %s: %s\n", db_path, sqlite3_errmsg(f->db));
        fts5_close(f);
        return -1;
    }
    return 0;
}

/* Runs q for the top k; returns 1 on success. */
static int fts5_run(fts5_ctx *f, const char *q)
{
    int step;
    sqlite3_bind_text(f->top, 1, q, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(f->top)) == SQLITE_ROW)
        (void)sqlite3_column_text(f->top, 1);
    sqlite3_reset(f->top);
    return step == SQLITE_DONE;
}

static size_t fts5_count(fts5_ctx *f, const char *q)
{
    size_t n = 0;
    sqlite3_bind_text(f->count, 1, q, -1, SQLITE_STATIC);
    if (sqlite3_step(f->count) == SQLITE_ROW) n = (size_t)sqlite3_column_int64(f->count, 0);
    sqlite3_reset(f->count);
    return n;
}

__attribute__((noinline)) size_t run_mix_fts5(fts5_ctx *f, const bench_set *set);
__attribute__((noinline)) size_t run_mix_fts5(fts5_ctx *f, const bench_set *set)
{
    size_t i, done = 0;
    for (i = 0; i < set->n; i++)
        done += (size_t)fts5_run(f, set->q[i].fts5_q);
    return done;
}

static void fts5_pass(fts5_ctx *f, const bench_set *set, bench_class *cls, size_t n_cls, size_t r)
{
    size_t i;
    for (i = 0; i < set->n; i++) {
        const char *q = set->q[i].fts5_q;
        double t0 = now_us(), t1;
        int ok = fts5_run(f, q);
        t1 = now_us();
        if (!ok && r == 0)
            fprintf(stderr, "bench_search: fts5: %s: %s\n", q, sqlite3_errmsg(f->db));
        record(cls, n_cls, &set->q[i], r, ok, t1 - t0, r == 1 && ok ? fts5_count(f, q) : 0);
    }
}
#endif

static int open_index(const char *path, stele_ctx *s, unsigned char **data, size_t k)
{
    size_t size;
    int rc;
    stele_info info;
    *data = read_file(path, &size);
    if (!*data) return -1;
    rc = stele_open(&s->ix, *data, size);
    if (rc != STELE_OK) {
        fprintf(stderr, "bench_search: %s: %s\n", path, stele_strerror(rc));
        return -1;
    }
    stele_index_info(&s->ix, &info);
    memset(&s->opts, 0, sizeof s->opts);
    if (info.language && *info.language && strcmp(info.language, "none") != 0) {
        stele_stemmer *stem = stele_stemmer_new(info.language);
        if (!stem) {
            fprintf(stderr, "bench_search: no stemmer for %s\n", info.language);
            return -1;
        }
        s->opts.stem = stele_stemmer_stem;
        s->opts.stem_ctx = stem;
    }
    s->k = k;
    s->opts.max_results = (uint32_t)k;
    s->mem_size = workspace_bytes ? workspace_bytes : stele_workspace_bound(&s->ix, k);
    s->mem = malloc(s->mem_size);
    s->hits = malloc(sizeof(stele_hit) * k);
    if (!s->mem || !s->hits) {
        fprintf(stderr, "bench_search: out of memory\n");
        return -1;
    }
    fprintf(stderr, "index %s: %zu bytes, %u docs, %u terms, workspace %zu bytes\n", path, size,
            info.n_docs, info.n_terms, s->mem_size);
    return 0;
}

static int list_sections(const char *path)
{
    size_t size, sec_size;
    unsigned char *data = read_file(path, &size);
    stele_index ix;
    const char *name;
    unsigned i;
    int rc;
    if (!data) return 1;
    rc = stele_open(&ix, data, size);
    if (rc != STELE_OK) {
        fprintf(stderr, "bench_search: %s: %s\n", path, stele_strerror(rc));
        free(data);
        return 1;
    }
    for (i = 0; stele_section_info(&ix, i, &name, &sec_size) == STELE_OK; i++)
        printf("%s %zu\n", name, sec_size);
    printf("total %zu\n", size);
    free(data);
    return 0;
}

/* --ids: one line of hit ids per query line. */
static int print_ids(stele_ctx *s, char *queries)
{
    char *line = queries, *next;
    for (; line && *line; line = next) {
        size_t n_hits = 0, i, err_at = 0;
        int rc;
        next = strchr(line, '\n');
        if (next) *next++ = 0;
        rc = stele_top_k(s, line, &n_hits, NULL, &err_at);
        if (rc != STELE_OK) {
            fprintf(stderr, "bench_search: %s at byte %zu: %s\n", stele_strerror(rc), err_at, line);
            printf("!error\n");
            continue;
        }
        for (i = 0; i < n_hits; i++)
            printf("%s%.*s", i ? "\t" : "", (int)s->hits[i].id.len, s->hits[i].id.data);
        printf("\n");
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_search --sections INDEX\n"
                    "       bench_search [-n REPEAT] [-k HITS] [--fts5 DB] INDEX QUERIES\n"
                    "       bench_search --mix stele|fts5 [--fts5 DB] INDEX QUERIES\n"
                    "       bench_search --ids [-k HITS] [-w BYTES] INDEX QUERIES\n");
}

/* The timed comparison: the engines take turns, one pass each per
 * repetition. */
static int run_timed(stele_ctx *s, const bench_set *set, const char *fts5, size_t repeat, size_t k)
{
    static bench_class cls_stele[MAX_CLASSES], cls_fts5[MAX_CLASSES];
    size_t n_cls = 0, r, j;
    int rc = 0;
#ifdef BENCH_HAVE_SQLITE
    fts5_ctx f;
    if (fts5 && fts5_open(&f, fts5, k) != 0) return 1;
#else
    if (fts5) {
        fprintf(stderr, "bench_search: built without SQLite\n");
        return 1;
    }
#endif
    if (find_classes(set, cls_stele, &n_cls, repeat) != 0 ||
        find_classes(set, cls_fts5, &n_cls, repeat) != 0) {
        fprintf(stderr, "bench_search: too many classes or out of memory\n");
        rc = 1;
        goto out;
    }
    printf("%zu queries, %zu repetitions (after one warm-up), top %zu\n", set->n, repeat, k);
    for (r = 0; r <= repeat; r++) {
        stele_pass(s, set, cls_stele, n_cls, r);
#ifdef BENCH_HAVE_SQLITE
        if (fts5) fts5_pass(&f, set, cls_fts5, n_cls, r);
#endif
    }
    report("stele", cls_stele, n_cls);
    if (fts5) report("fts5", cls_fts5, n_cls);
out:
    for (j = 0; j < n_cls; j++) {
        free(cls_stele[j].lat);
        free(cls_fts5[j].lat);
    }
#ifdef BENCH_HAVE_SQLITE
    if (fts5) fts5_close(&f);
#endif
    return rc;
}

/* --mix: one engine runs the mix once, for callgrind. */
static int run_mix(stele_ctx *s, const bench_set *set, const char *engine, const char *fts5,
                   size_t k)
{
    if (strcmp(engine, "stele") == 0) {
        printf("mix: stele, %zu queries, %zu matches\n", set->n, run_mix_stele(s, set));
        return 0;
    }
#ifdef BENCH_HAVE_SQLITE
    if (strcmp(engine, "fts5") == 0 && fts5) {
        fts5_ctx f;
        if (fts5_open(&f, fts5, k) != 0) return 1;
        /* One untimed pass maps the pages, as stele's file is read before. */
        for (size_t i = 0; i < set->n; i++)
            (void)fts5_run(&f, set->q[i].fts5_q);
        printf("mix: fts5, %zu queries, %zu ran\n", set->n, run_mix_fts5(&f, set));
        fts5_close(&f);
        return 0;
    }
#endif
    usage();
    return 2;
}

int main(int argc, char **argv)
{
    static bench_set set;
    stele_ctx s;
    size_t repeat = 20, k = 10;
    const char *fts5 = NULL, *mix = NULL, *index_path, *query_path;
    unsigned char *data = NULL;
    int ids = 0, argi = 1, rc = 0;

    memset(&s, 0, sizeof s);
    if (argc == 3 && strcmp(argv[1], "--sections") == 0) return list_sections(argv[2]);
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        if (strcmp(argv[argi], "-n") == 0 && argi + 1 < argc)
            repeat = strtoul(argv[++argi], NULL, 10);
        else if (strcmp(argv[argi], "-k") == 0 && argi + 1 < argc)
            k = strtoul(argv[++argi], NULL, 10);
        else if (strcmp(argv[argi], "-w") == 0 && argi + 1 < argc)
            workspace_bytes = strtoul(argv[++argi], NULL, 10);
        else if (strcmp(argv[argi], "--fts5") == 0 && argi + 1 < argc)
            fts5 = argv[++argi];
        else if (strcmp(argv[argi], "--mix") == 0 && argi + 1 < argc)
            mix = argv[++argi];
        else if (strcmp(argv[argi], "--ids") == 0)
            ids = 1;
        else {
            usage();
            return 2;
        }
    }
    if (argc - argi != 2 || repeat == 0 || k == 0 || k > STELE_MAX_RESULTS) {
        usage();
        return 2;
    }
    index_path = argv[argi];
    query_path = argv[argi + 1];
    if (ids) {
        size_t qsize;
        char *queries = (char *)read_file(query_path, &qsize);
        if (!queries || open_index(index_path, &s, &data, k) != 0) {
            free(queries);
            return 1;
        }
        rc = print_ids(&s, queries);
        free(queries);
    } else if (load_queries(query_path, &set) != 0 || open_index(index_path, &s, &data, k) != 0) {
        rc = 1;
    } else if (mix) {
        rc = run_mix(&s, &set, mix, fts5, k);
    } else {
        rc = run_timed(&s, &set, fts5, repeat, k);
    }
    stele_stemmer_free((stele_stemmer *)s.opts.stem_ctx);
    free(s.mem);
    free(s.hits);
    free(data);
    free(set.buf);
    return rc;
}
