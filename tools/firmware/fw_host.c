/*
 * fw_host.c: the firmware example's search on the host, writing to
 * stdout: the output the Cortex-M run (fw_m4.c) must match.
 *
 * The host stems query words with the Snowball stemmer of the index's
 * language, as a host with libstemmer does; the device stems them by
 * lexicon lookup.  Equal output shows the two agree.  Before searching,
 * it checks that the stemmer changes every word of fw_stem_words, so
 * that those queries do test stemming.
 */
#include <stdio.h>
#include <string.h>

#include "embedded_index.h"
#include "fw_search.h"
#include "stele_stem.h"

void fw_out(const char *s, size_t n)
{
    fwrite(s, 1, n, stdout);
}

void fw_stack_paint(void) {}

size_t fw_stack_used(void)
{
    return 0; /* measured on the device only */
}

int main(void)
{
    stele_index ix;
    stele_info info;
    stele_stemmer *stemmer;
    char stem[STELE_MAX_TERM_BYTES + 1];
    int rc = stele_open(&ix, embedded_index, embedded_index_size);

    if (rc != STELE_OK) {
        fprintf(stderr, "fw_host: stele_open: %s\n", stele_strerror(rc));
        return 1;
    }
    stele_index_info(&ix, &info);
    stemmer = stele_stemmer_new(info.language);
    if (!stemmer) {
        fprintf(stderr, "fw_host: no stemmer for language '%s'\n", info.language);
        return 1;
    }
    for (size_t i = 0; fw_stem_words[i]; i++) {
        const char *word = fw_stem_words[i];
        int n = stele_stemmer_stem(stemmer, word, strlen(word), stem, sizeof stem);
        if (n < 0 || ((size_t)n == strlen(word) && memcmp(stem, word, (size_t)n) == 0)) {
            fprintf(stderr, "fw_host: '%s' is its own stem: it tests no stemming\n", word);
            stele_stemmer_free(stemmer);
            return 1;
        }
    }
    rc = fw_search(stele_stemmer_stem, stemmer);
    stele_stemmer_free(stemmer);
    return rc;
}
