/*
 * bundled_none.c: the empty bundled index of stele-bootstrap, the first
 * build of the CLI.  stele-bootstrap builds corpus.stele and generates
 * bundled_index.c from it (with `stele embed`), which the final `stele`
 * links instead of this file; a size of 0 tells cli_open_index() that
 * there is no bundled index, so `stele-bootstrap search` asks for -i.
 */
#include <stddef.h>

#include "cli.h"

const unsigned char stele_bundled_index[1] = {0};
const size_t stele_bundled_index_size = 0;
