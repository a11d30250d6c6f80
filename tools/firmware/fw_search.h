/*
 * fw_search.h: the firmware example's search, shared by the Cortex-M
 * build (fw_m4.c) and its host twin (fw_host.c).  Interface to code in
 * fw_search.c.
 */
#ifndef STELE_FW_SEARCH_H
#define STELE_FW_SEARCH_H

#include <stddef.h>

#include "stele.h"

/* Writes n bytes of text to the console (semihosting, or stdout). */
void fw_out(const char *s, size_t n);

/* Stack painting (fw_m4.c): fw_stack_paint() fills the free stack below
 * its caller with a pattern, and fw_stack_used() tells how many bytes of
 * it the calls made since then overwrote: the high-water mark of a public
 * call made between the two.  The host twin has no such figure (0). */
void fw_stack_paint(void);
size_t fw_stack_used(void);

/* Words of the corpus that are not their own stems ("prisoners" is
 * indexed as "prison"), NULL-terminated: fw_search() runs each as a
 * query, so the device must stem them as the host's stemmer does.  The
 * host twin checks that its stemmer does change each of them.  They must
 * be words the corpus has: lexicon stemming knows no other (a word it
 * lacks matches only through typo correction, at a lower score). */
extern const char *const fw_stem_words[];

/* Runs the example's queries over the index compiled into flash and
 * prints their top hits and the best hit's snippet.  stem and stem_ctx
 * go to stele_query_opts: NULL on the device, where words are stemmed
 * by lookup in the index's lexicon, and the Snowball stemmer on the host.
 * 0, or 1 on error (printed). */
int fw_search(stele_stem_fn stem, void *stem_ctx);

#endif /* STELE_FW_SEARCH_H */
