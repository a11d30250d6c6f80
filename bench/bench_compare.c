/*
 * bench_compare.c: stele, SQLite FTS5 and Xapian answering the same
 * queries in one process, for bench/run.sh (built with -Dbench=true).
 *
 *   bench_compare [--stele INDEX] [--fts5 DB] [--xapian DIR] [-k K]
 *                 [--rounds R] [--samples FILE] [--ids FILE]
 *                 [--throughput SECONDS] [--threads N] QUERIES
 *
 * QUERIES is the neutral query file of gen_queries.py; every query is
 * turned once, before any timing, into stele's and FTS5's syntax (Xapian's
 * query objects are built inside its timed call, as the other two parse
 * inside theirs).  Each engine given is opened once and answers every
 * query for its top K (default 10) ranked hits, ids included:
 *
 *   stele   stele_query_prepare() and stele_query_run() through the one
 *           function stele_top_k(), on the index mapped with mmap; one
 *           workspace of stele_workspace_bound(ix, 100) bytes, allocated
 *           once; prefixes expand as the runtime's defaults say (cut to
 *           their most frequent words: reported as "cut" lines).
 *   FTS5    one prepared "SELECT id FROM t WHERE t MATCH ?1 ORDER BY
 *           bm25(t, 0, 2.0, 1.0) LIMIT K" (title weighted 2 as stele's is),
 *           database read-only with mmap_size 4 GiB and a 1 GiB page cache.
 *   Xapian  bench_xapian.cc: Enquire with BM25 (1.2, 0.75).
 *
 * Round 0 warms every engine up and records, untimed, each query's status
 * (a refused query is reported and not timed afterwards), its top-K ids and
 * stele's exact match count.  Then R timed rounds (default 5): in round r
 * the engines take turns in an order rotated by r, each running the whole
 * query list, so load from elsewhere on the machine falls on all of them.
 * A machine-speed probe (a fixed chain of 2^24 xorshift steps, best of 3)
 * is timed before the first round, before every timed round and at the
 * end, so a report can tell a slower machine from a slower engine.
 *
 * With --throughput S, each engine then runs for S seconds with one thread,
 * and for S seconds with N threads (default: the number of online CPUs),
 * each thread with its own handle on the same index file (stele: the one
 * stele_index, shared read-only, and a workspace and stemmer per thread),
 * cycling through the queries it did not refuse from its own starting
 * point; it prints queries per second.
 *
 * Output on stdout, one fact per line ("key value..."), for report.py:
 *   probe LABEL MS, engine NAME, round R ORDER, vmhwm_kb N, throughput
 *   ENGINE THREADS QUERIES SECONDS QPS, refused ENGINE QI MESSAGE, cut
 *   stele QI N (N prefixes of query QI were cut).
 * --samples FILE gets "engine qi round wall_us cpu_us" lines (wall clock
 * and the thread's CPU time around the call); --ids FILE
 * gets "engine qi n_matches id id ..." lines (tab-separated; n_matches is
 * exact for stele, Xapian's estimate, -1 for FTS5, which does not count).
 *
 * A measuring tool: it asserts nothing about speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "bench_compare.h"
#include "stele.h"
#include "stele_stem.h"

#define MAX_QUERIES 8192
#define N_ENGINES   3
#define ERR_BYTES   256

void bench_ids_put(bench_ids *out, size_t i, const char *id, size_t len)
{
    size_t j;
    if (i >= BENCH_MAX_K) return;
    if (len > BENCH_ID_BYTES - 1) len = BENCH_ID_BYTES - 1;
    for (j = 0; j < len; j++)
        out->id[i][j] = (id[j] == '\t' || id[j] == '\n' || id[j] == '\r') ? ' ' : id[j];
    out->id[i][len] = 0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time of this thread: what a query cost, without the time the
 * scheduler gave to other processes meanwhile. */
static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The machine-speed probe: a dependent chain of xorshift steps that no
 * compiler can shorten, so its time tracks the CPU the engines got. */
static double probe_once(void)
{
    static volatile uint64_t sink;
    uint64_t v = 88172645463325252u;
    uint32_t i;
    double t0 = now_us();
    for (i = 0; i < (1u << 24); i++) {
        v ^= v << 13;
        v ^= v >> 7;
        v ^= v << 17;
    }
    sink = v;
    (void)sink;
    return (now_us() - t0) / 1e3;
}

static void probe(const char *label)
{
    double best = probe_once(), t;
    int i;
    for (i = 0; i < 2; i++)
        if ((t = probe_once()) < best) best = t;
    printf("probe %s %.2f\n", label, best);
    fflush(stdout);
}

/* ---- stele ---- */

/* The index, opened once and shared read-only by every thread. */
static struct {
    stele_index ix;
    void *map;
    size_t size;
    const char *language;
} stele_shared;

typedef struct stele_handle {
    stele_query_opts opts;
    unsigned n_cut; /* prefixes the last query cut (stele_query.n_cut) */
    stele_stemmer *stem;
    void *mem;
    size_t mem_size;
    stele_hit hits[BENCH_MAX_K];
} stele_handle;

static int stele_shared_open(const char *path)
{
    struct stat st;
    stele_info info;
    int fd = open(path, O_RDONLY), rc;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "bench_compare: %s: %s\n", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    stele_shared.size = (size_t)st.st_size;
    stele_shared.map = mmap(NULL, stele_shared.size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (stele_shared.map == MAP_FAILED) {
        fprintf(stderr, "bench_compare: %s: mmap: %s\n", path, strerror(errno));
        return -1;
    }
    rc = stele_open(&stele_shared.ix, stele_shared.map, stele_shared.size);
    if (rc != STELE_OK) {
        fprintf(stderr, "bench_compare: %s: %s\n", path, stele_strerror(rc));
        return -1;
    }
    stele_index_info(&stele_shared.ix, &info);
    stele_shared.language = info.language;
    return 0;
}

static void *stele_handle_open(const char *path, char *err, size_t cap)
{
    stele_handle *h = calloc(1, sizeof *h);
    (void)path;
    if (!h) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    if (stele_shared.language && *stele_shared.language &&
        strcmp(stele_shared.language, "none") != 0) {
        h->stem = stele_stemmer_new(stele_shared.language);
        if (!h->stem) {
            snprintf(err, cap, "no stemmer for %s", stele_shared.language);
            free(h);
            return NULL;
        }
        h->opts.stem = stele_stemmer_stem;
        h->opts.stem_ctx = h->stem;
    }
    h->opts.max_results = BENCH_MAX_K;
    h->mem_size = stele_workspace_bound(&stele_shared.ix, BENCH_MAX_K);
    h->mem = malloc(h->mem_size);
    if (!h->mem) {
        snprintf(err, cap, "out of memory");
        stele_stemmer_free(h->stem);
        free(h);
        return NULL;
    }
    return h;
}

/*
 * The one place that calls stele's search API: prepares q and runs it for
 * the top k hits into h->hits.  Returns a stele status; on an error *err_at
 * and *reason are what the runtime reported.  *n_cut gets how many of the
 * query's prefixes were cut to their most frequent words.  Everything else
 * in this file goes through here, so a change of the search API changes
 * only this function.
 */
static int stele_top_k(stele_handle *h, const char *q, size_t k, size_t *n_hits, size_t *n_matches,
                       size_t *err_at, int *reason, unsigned *n_cut)
{
    stele_query query;
    int rc;
    memset(&query, 0, sizeof query);
    rc = stele_query_prepare(&query, &stele_shared.ix, q, strlen(q), &h->opts, h->mem, h->mem_size);
    if (rc == STELE_OK) rc = stele_query_run(&query, h->hits, k, 0, n_hits, n_matches);
    *err_at = query.diag.offset;
    *reason = query.diag.reason;
    *n_cut = query.n_cut;
    return rc;
}

static int stele_handle_run(void *handle, const bench_query *q, size_t k, bench_ids *out,
                            size_t *n_matches, char *err, size_t cap)
{
    stele_handle *h = handle;
    size_t n_hits = 0, err_at = 0, i;
    int reason = 0;
    int rc = stele_top_k(h, q->stele_q, k, &n_hits, n_matches, &err_at, &reason, &h->n_cut);
    if (rc != STELE_OK) {
        snprintf(err, cap, "%s at byte %zu (%s)", stele_strerror(rc), err_at,
                 stele_query_reason(reason));
        return -1;
    }
    for (i = 0; i < n_hits; i++)
        bench_ids_put(out, i, h->hits[i].id.data, h->hits[i].id.len);
    out->n = n_hits;
    return 0;
}

static void stele_handle_close(void *handle)
{
    stele_handle *h = handle;
    if (!h) return;
    stele_stemmer_free(h->stem);
    free(h->mem);
    free(h);
}

/* ---- SQLite FTS5 ---- */

typedef struct fts5_handle {
    sqlite3 *db;
    sqlite3_stmt *top;
} fts5_handle;

static void fts5_handle_close(void *handle)
{
    fts5_handle *f = handle;
    if (!f) return;
    sqlite3_finalize(f->top);
    sqlite3_close(f->db);
    free(f);
}

static void *fts5_handle_open(const char *path, char *err, size_t cap)
{
    fts5_handle *f = calloc(1, sizeof *f);
    char sql[160];
    if (!f) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(sql, sizeof sql,
             "SELECT id FROM t WHERE t MATCH ?1 ORDER BY bm25(t, 0.0, 2.0, 1.0) LIMIT %d",
             BENCH_MAX_K);
    /* Each handle is used by one thread only: no mutex needed. */
    if (sqlite3_open_v2(path, &f->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(f->db, "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -1048576", NULL,
                     NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(f->db, sql, -1, &f->top, NULL) != SQLITE_OK) {
        snprintf(err, cap, "%s", f->db ? sqlite3_errmsg(f->db) : "cannot open");
        fts5_handle_close(f);
        return NULL;
    }
    return f;
}

static int fts5_handle_run(void *handle, const bench_query *q, size_t k, bench_ids *out,
                           size_t *n_matches, char *err, size_t cap)
{
    fts5_handle *f = handle;
    size_t n = 0;
    int step;
    sqlite3_bind_text(f->top, 1, q->fts5_q, -1, SQLITE_STATIC);
    while (n < k && (step = sqlite3_step(f->top)) == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(f->top, 0);
        bench_ids_put(out, n++, (const char *)id, (size_t)sqlite3_column_bytes(f->top, 0));
    }
    if (n == k) step = SQLITE_DONE; /* LIMIT is BENCH_MAX_K; k may be less */
    if (step != SQLITE_DONE) {
        snprintf(err, cap, "%s", sqlite3_errmsg(f->db));
        sqlite3_reset(f->top);
        return -1;
    }
    sqlite3_reset(f->top);
    out->n = n;
    *n_matches = (size_t)-1;
    return 0;
}

/* ---- Xapian (bench_xapian.cc) ---- */

static void *xapian_handle_open(const char *path, char *err, size_t cap)
{
    return bench_xapian_open(path, err, cap);
}

/* ---- the engines and the queries ---- */

typedef struct engine {
    const char *name;
    const char *path; /* NULL: not in this run */
    void *(*open)(const char *path, char *err, size_t cap);
    int (*run)(void *h, const bench_query *q, size_t k, bench_ids *out, size_t *n_matches,
               char *err, size_t cap);
    void (*close)(void *h);
    void *handle;           /* the main thread's */
    unsigned char *refused; /* per query, from round 0 */
} engine;

static engine engines[N_ENGINES] = {
    {"stele", NULL, stele_handle_open, stele_handle_run, stele_handle_close, NULL, NULL},
    {"fts5", NULL, fts5_handle_open, fts5_handle_run, fts5_handle_close, NULL, NULL},
    {"xapian", NULL, xapian_handle_open, bench_xapian_run, bench_xapian_close, NULL, NULL},
};

static bench_query queries[MAX_QUERIES];
static size_t n_queries;

static char *dup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* Joins the query's words with sep, each between pre and post. */
static void join_words(const bench_query *q, const char *sep, char *out, size_t cap)
{
    size_t i, n = 0;
    out[0] = 0;
    for (i = 0; i < q->n_words && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? sep : "", q->words[i]);
}

/* Turns the neutral form into each engine's syntax; 0 on success. */
static int translate(bench_query *q)
{
    char words[512];
    const char *op = q->op;
    if (q->n_words == 0) return -1;
    if (strcmp(op, "term") == 0 && q->n_words == 1) {
        q->stele_q = q->fts5_q = q->words[0];
    } else if (strcmp(op, "and") == 0) {
        join_words(q, " ", words, sizeof words);
        q->stele_q = q->fts5_q = strdup(words);
    } else if (strcmp(op, "or") == 0) {
        join_words(q, " OR ", words, sizeof words);
        q->stele_q = q->fts5_q = strdup(words);
    } else if (strcmp(op, "phrase") == 0) {
        join_words(q, " ", words, sizeof words);
        q->stele_q = q->fts5_q = dup_printf("\"%s\"", words);
    } else if (strcmp(op, "near") == 0 && q->param > 0) {
        join_words(q, " ", words, sizeof words);
        q->stele_q = q->fts5_q = dup_printf("NEAR(%s, %d)", words, q->param);
    } else if (strcmp(op, "prefix") == 0 && q->n_words == 1) {
        q->stele_q = q->fts5_q = dup_printf("%s*", q->words[0]);
    } else if (strcmp(op, "not") == 0 && q->n_words == 2) {
        q->stele_q = dup_printf("%s -%s", q->words[0], q->words[1]);
        q->fts5_q = dup_printf("%s NOT %s", q->words[0], q->words[1]);
    } else {
        return -1;
    }
    return q->stele_q && q->fts5_q ? 0 : -1;
}

/* Reads the query file (kept in memory for the queries' strings). */
static int load_queries(const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t len;
    if (!f) {
        fprintf(stderr, "bench_compare: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &cap, f)) > 0) {
        char *fields[4], *p, *save = NULL, *copy;
        bench_query *q;
        size_t i;
        line_no++;
        if (line[len - 1] == '\n') line[--len] = 0;
        if (line[0] == '#' || line[0] == 0) continue;
        if (n_queries == MAX_QUERIES) {
            fprintf(stderr, "bench_compare: %s: more than %d queries\n", path, MAX_QUERIES);
            goto bad;
        }
        copy = strdup(line);
        if (!copy) goto bad;
        for (i = 0, p = copy; i < 4; i++) {
            fields[i] = p;
            p = i < 3 ? strchr(p, '\t') : NULL;
            if (i < 3 && !p) break;
            if (p) *p++ = 0;
        }
        if (i < 3) {
            fprintf(stderr, "bench_compare: %s:%zu: expected 4 tab-separated fields\n", path,
                    line_no);
            goto bad;
        }
        q = &queries[n_queries];
        q->cls = fields[0];
        q->op = fields[1];
        q->param = atoi(fields[2]);
        for (p = strtok_r(fields[3], " ", &save); p; p = strtok_r(NULL, " ", &save)) {
            if (q->n_words == BENCH_MAX_WORDS) break;
            q->words[q->n_words++] = p;
        }
        if (translate(q) != 0) {
            fprintf(stderr, "bench_compare: %s:%zu: malformed query\n", path, line_no);
            goto bad;
        }
        n_queries++;
    }
    free(line);
    fclose(f);
    return 0;
bad:
    free(line);
    fclose(f);
    return -1;
}

static long vmhwm_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* Round 0: statuses, ids and match counts, untimed. */
static void warm_up(engine *e, size_t k, FILE *ids)
{
    static bench_ids out;
    size_t i, j;
    for (i = 0; i < n_queries; i++) {
        char err[ERR_BYTES] = "";
        size_t matches = 0;
        out.n = 0;
        if (e->run(e->handle, &queries[i], k, &out, &matches, err, sizeof err) != 0) {
            e->refused[i] = 1;
            printf("refused %s %zu %s\n", e->name, i, err);
            continue;
        }
        if (e->run == stele_handle_run && ((stele_handle *)e->handle)->n_cut)
            printf("cut %s %zu %u\n", e->name, i, ((stele_handle *)e->handle)->n_cut);
        if (!ids) continue;
        fprintf(ids, "%s\t%zu\t%lld", e->name, i,
                matches == (size_t)-1 ? -1LL : (long long)matches);
        for (j = 0; j < out.n; j++)
            fprintf(ids, "\t%s", out.id[j]);
        fputc('\n', ids);
    }
}

static void timed_round(engine *e, size_t k, size_t round, FILE *samples)
{
    static bench_ids out;
    size_t i;
    for (i = 0; i < n_queries; i++) {
        char err[ERR_BYTES];
        size_t matches = 0;
        double t0, t1, c0, c1;
        int rc;
        if (e->refused[i]) continue;
        c0 = cpu_us();
        t0 = now_us();
        rc = e->run(e->handle, &queries[i], k, &out, &matches, err, sizeof err);
        t1 = now_us();
        c1 = cpu_us();
        if (rc != 0) {
            printf("refused %s %zu %s (round %zu)\n", e->name, i, err, round);
            continue;
        }
        if (samples)
            fprintf(samples, "%s\t%zu\t%zu\t%.2f\t%.2f\n", e->name, i, round, t1 - t0, c1 - c0);
    }
}

/* ---- throughput ---- */

typedef struct worker {
    pthread_t thread;
    engine *e;
    size_t k, start;
    atomic_int *stop;
    size_t done;
    int failed;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    char err[ERR_BYTES];
    static _Thread_local bench_ids out;
    void *h = w->e->open(w->e->path, err, sizeof err);
    size_t i = w->start;
    if (!h) {
        fprintf(stderr, "bench_compare: %s: %s\n", w->e->name, err);
        w->failed = 1;
        return NULL;
    }
    while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
        size_t matches;
        i = (i + 1) % n_queries;
        if (w->e->refused[i]) continue;
        if (w->e->run(h, &queries[i], w->k, &out, &matches, err, sizeof err) == 0) w->done++;
    }
    w->e->close(h);
    return NULL;
}

static void throughput(engine *e, size_t k, unsigned n_threads, double seconds)
{
    worker w[64];
    atomic_int stop;
    struct timespec pause;
    double t0, t1;
    size_t total = 0;
    unsigned i;
    if (n_threads > 64) n_threads = 64;
    atomic_init(&stop, 0);
    for (i = 0; i < n_threads; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].e = e;
        w[i].k = k;
        w[i].start = (size_t)i * n_queries / n_threads;
        w[i].stop = &stop;
    }
    t0 = now_us();
    for (i = 0; i < n_threads; i++)
        if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
            fprintf(stderr, "bench_compare: cannot start a thread\n");
            n_threads = i;
            break;
        }
    pause.tv_sec = (time_t)seconds;
    pause.tv_nsec = (long)((seconds - (double)pause.tv_sec) * 1e9);
    nanosleep(&pause, NULL);
    atomic_store(&stop, 1);
    for (i = 0; i < n_threads; i++) {
        pthread_join(w[i].thread, NULL);
        total += w[i].done;
    }
    t1 = now_us();
    printf("throughput %s %u %zu %.3f %.1f\n", e->name, n_threads, total, (t1 - t0) / 1e6,
           (double)total / ((t1 - t0) / 1e6));
    fflush(stdout);
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_compare [--stele INDEX] [--fts5 DB] [--xapian DIR] [-k K]\n"
                    "                     [--rounds R] [--samples FILE] [--ids FILE]\n"
                    "                     [--throughput SECONDS] [--threads N] QUERIES\n");
}

int main(int argc, char **argv)
{
    const char *samples_path = NULL, *ids_path = NULL;
    FILE *samples = NULL, *ids = NULL;
    size_t k = 10, rounds = 5, r, i;
    double tput_seconds = 0;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned n_threads = cpus > 0 ? (unsigned)cpus : 1;
    int a, rc = 0, n_open = 0;

    for (a = 1; a < argc - 1 && argv[a][0] == '-'; a += 2) {
        const char *v = argv[a + 1];
        if (strcmp(argv[a], "--stele") == 0)
            engines[0].path = v;
        else if (strcmp(argv[a], "--fts5") == 0)
            engines[1].path = v;
        else if (strcmp(argv[a], "--xapian") == 0)
            engines[2].path = v;
        else if (strcmp(argv[a], "-k") == 0)
            k = strtoul(v, NULL, 10);
        else if (strcmp(argv[a], "--rounds") == 0)
            rounds = strtoul(v, NULL, 10);
        else if (strcmp(argv[a], "--samples") == 0)
            samples_path = v;
        else if (strcmp(argv[a], "--ids") == 0)
            ids_path = v;
        else if (strcmp(argv[a], "--throughput") == 0)
            tput_seconds = strtod(v, NULL);
        else if (strcmp(argv[a], "--threads") == 0)
            n_threads = (unsigned)strtoul(v, NULL, 10);
        else {
            usage();
            return 2;
        }
    }
    if (a != argc - 1 || k == 0 || k > BENCH_MAX_K || n_threads == 0 || tput_seconds < 0 ||
        tput_seconds > 600) {
        usage();
        return 2;
    }
    if (load_queries(argv[a]) != 0) return 1;
    if (n_queries == 0) {
        fprintf(stderr, "bench_compare: %s: no queries\n", argv[a]);
        return 1;
    }
    if ((samples_path && !(samples = fopen(samples_path, "w"))) ||
        (ids_path && !(ids = fopen(ids_path, "w")))) {
        fprintf(stderr, "bench_compare: %s: %s\n", samples ? ids_path : samples_path,
                strerror(errno));
        return 1;
    }
    printf("queries %zu\nk %zu\nrounds %zu\nvmhwm_start_kb %ld\n", n_queries, k, rounds,
           vmhwm_kb());
    probe("start");
    if (engines[0].path && stele_shared_open(engines[0].path) != 0) return 1;
    for (i = 0; i < N_ENGINES; i++) {
        engine *e = &engines[i];
        char err[ERR_BYTES] = "";
        if (!e->path) continue;
        e->refused = calloc(n_queries, 1);
        e->handle = e->refused ? e->open(e->path, err, sizeof err) : NULL;
        if (!e->handle) {
            fprintf(stderr, "bench_compare: %s: %s: %s\n", e->name, e->path, err);
            return 1;
        }
        printf("engine %s\n", e->name);
        n_open++;
    }
    if (n_open == 0) {
        usage();
        return 2;
    }
    for (i = 0; i < N_ENGINES; i++)
        if (engines[i].path) warm_up(&engines[i], k, ids);
    printf("vmhwm_warm_kb %ld\n", vmhwm_kb());
    for (r = 1; r <= rounds; r++) {
        probe("round");
        printf("round %zu", r);
        for (i = 0; i < N_ENGINES; i++) {
            engine *e = &engines[(i + r) % N_ENGINES];
            if (!e->path) continue;
            printf(" %s", e->name);
            fflush(stdout);
            timed_round(e, k, r, samples);
        }
        printf("\n");
    }
    probe("end");
    printf("vmhwm_kb %ld\n", vmhwm_kb());
    if (tput_seconds > 0)
        for (i = 0; i < N_ENGINES; i++) {
            if (!engines[i].path) continue;
            throughput(&engines[i], k, 1, tput_seconds);
            if (n_threads > 1) throughput(&engines[i], k, n_threads, tput_seconds);
        }
    if ((samples && fclose(samples) != 0) || (ids && fclose(ids) != 0)) {
        fprintf(stderr, "bench_compare: cannot write the output files\n");
        rc = 1;
    }
    for (i = 0; i < N_ENGINES; i++) {
        if (engines[i].handle) engines[i].close(engines[i].handle);
        free(engines[i].refused);
    }
    if (stele_shared.map && stele_shared.map != MAP_FAILED)
        munmap(stele_shared.map, stele_shared.size);
    return rc;
}
