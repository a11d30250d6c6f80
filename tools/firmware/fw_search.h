/*
 * fw_search.h: the firmware example's search, shared by the Cortex-M
 * build (fw_m4.c) and its host twin (fw_host.c).  Interface to code in
 * fw_search.c.
 */
#ifndef STELE_FW_SEARCH_H
#define STELE_FW_SEARCH_H

#include <stddef.h>

/* Writes n bytes of text to the console (semihosting, or stdout). */
void fw_out(const char *s, size_t n);

/* Runs the example's queries over the index compiled into flash and
 * prints their top hits and the best hit's snippet.  0, or 1 on error
 * (printed). */
int fw_search(void);

#endif /* STELE_FW_SEARCH_H */
