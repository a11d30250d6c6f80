/*
 * tutil.c: corpus, index and stemmer set-up shared by the runtime's proof
 * tests (see tutil.h).  Host side: allocates freely and checks it.
 */
#include "tutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stele_index.h"
#include "writer.h"

int tu_read_file(const char *path, uint8_t **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "cannot read %s\n", path);
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int tu_load_corpus(const char *dir, st_corpus *c, tu_files *files)
{
    files->path = NULL;
    files->n = 0;
    if (st_corpus_init(c) != STELE_OK) {
        fprintf(stderr, "st_corpus_init failed\n");
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "SKIP: no corpus directory %s\n", dir);
        return TU_SKIP;
    }
    char **names = NULL;
    size_t n_names = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".txt")) continue;
        if (n_names == cap) {
            cap = cap ? cap * 2 : 16;
            char **bigger = realloc(names, cap * sizeof *names);
            if (!bigger) {
                rc = -1;
                break;
            }
            names = bigger;
        }
        size_t len = strlen(dir) + 1 + strlen(e->d_name) + 1;
        names[n_names] = malloc(len);
        if (!names[n_names]) {
            rc = -1;
            break;
        }
        snprintf(names[n_names], len, "%s/%s", dir, e->d_name);
        n_names++;
    }
    closedir(d);
    if (rc == 0 && n_names == 0) {
        fprintf(stderr, "SKIP: no *.txt corpus files in %s\n", dir);
        rc = TU_SKIP;
    }
    if (rc == 0) {
        qsort(names, n_names, sizeof *names, cmp_names);
        st_err err;
        for (size_t i = 0; i < n_names && rc == 0; i++) {
            err.msg[0] = '\0';
            if (st_ingest(c, names[i], ST_FORMAT_RESOLUTIONS, &err) != STELE_OK) {
                fprintf(stderr, "ingest %s: %s\n", names[i], err.msg);
                rc = -1;
            }
        }
        err.msg[0] = '\0';
        if (rc == 0 && st_corpus_finish(c, &err) != STELE_OK) {
            fprintf(stderr, "st_corpus_finish: %s\n", err.msg);
            rc = -1;
        }
        if (rc == 0 && c->n_docs == 0) {
            fprintf(stderr, "corpus %s yields no documents\n", dir);
            rc = -1;
        }
    }
    files->path = names;
    files->n = n_names;
    return rc;
}

void tu_files_free(tu_files *files)
{
    for (size_t i = 0; i < files->n; i++)
        free(files->path[i]);
    free(files->path);
    files->path = NULL;
    files->n = 0;
}

int tu_build_index(const tu_files *files, const char *scratch_path, uint8_t **data, size_t *size)
{
    char err[512] = "";
    int rc = stele_build((const char *const *)files->path, files->n, NULL, scratch_path, NULL, err,
                         sizeof err);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_build: %s (%s)\n", stele_strerror(rc), err);
        return -1;
    }
    return tu_read_file(scratch_path, data, size);
}

int tu_env_open(tu_env *env, int argc, char **argv)
{
    memset(env, 0, sizeof *env);
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR SCRATCH_INDEX\n", argv[0]);
        return -1;
    }
    int rc = tu_load_corpus(argv[1], &env->corpus, &env->files);
    if (rc != 0) return rc;
    if (tu_build_index(&env->files, argv[2], &env->index_data, &env->index_size) != 0) return -1;
    rc = stele_open(&env->ix, env->index_data, env->index_size);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_open: %s\n", stele_strerror(rc));
        return -1;
    }
    env->stemmer = stele_stemmer_new("english");
    if (!env->stemmer) {
        fprintf(stderr, "stele_stemmer_new(english) failed\n");
        return -1;
    }
    env->opts.stem = stele_stemmer_stem;
    env->opts.stem_ctx = env->stemmer;
    return 0;
}

int tu_env_split_paragraphs(tu_env *env, unsigned copies)
{
    st_corpus split;
    if (st_corpus_init(&split) != STELE_OK) {
        fprintf(stderr, "st_corpus_init failed\n");
        return -1;
    }
    for (unsigned copy = 0; copy < copies; copy++)
        for (size_t d = 0; d < env->corpus.n_docs; d++) {
            const st_doc *doc = &env->corpus.docs[d];
            for (size_t p = 1; p < doc->n_paras; p++) {
                const st_para *para = &doc->paras[p];
                char id[256];
                snprintf(id, sizeof id, "%s#%zu.%u", doc->id, p, copy);
                st_doc *nd = st_corpus_add_doc(&split, id, doc->title, doc->source);
                if (!nd || st_doc_add_para(nd, para->field, para->kind, para->number, para->text,
                                           para->len, para->src_line) != STELE_OK) {
                    fprintf(stderr, "split corpus: out of memory\n");
                    st_corpus_free(&split);
                    return -1;
                }
            }
        }
    st_corpus_free(&env->corpus);
    env->corpus = split;
    return tu_env_rebuild(env, env->opts.stem ? "english" : "none");
}

int tu_env_rebuild(tu_env *env, const char *language)
{
    stele_build_opts bopts;
    memset(&bopts, 0, sizeof bopts);
    bopts.language = language;
    char err[512] = "";
    uint8_t *data;
    size_t size;
    int rc = st_build_memory(&env->corpus, &bopts, &data, &size, NULL, err, sizeof err);
    if (rc != STELE_OK) {
        fprintf(stderr, "st_build_memory: %s (%s)\n", stele_strerror(rc), err);
        return -1;
    }
    rc = stele_open(&env->ix, data, size);
    if (rc != STELE_OK) {
        fprintf(stderr, "stele_open (rebuilt index): %s\n", stele_strerror(rc));
        free(data);
        return -1;
    }
    free(env->index_data);
    env->index_data = data;
    env->index_size = size;
    if (strcmp(language, "none") == 0) {
        env->opts.stem = NULL;
        env->opts.stem_ctx = NULL;
    }
    return 0;
}

void tu_env_close(tu_env *env)
{
    if (env->stemmer) stele_stemmer_free(env->stemmer);
    free(env->index_data);
    st_corpus_free(&env->corpus);
    tu_files_free(&env->files);
    memset(env, 0, sizeof *env);
}

uint64_t tu_rng_next(tu_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint32_t tu_rng_below(tu_rng *r, uint32_t n)
{
    return (uint32_t)(tu_rng_next(r) % n);
}
