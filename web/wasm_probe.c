/* Compiled and linked by meson to see whether clang can build a wasm32-wasi
 * module here (wasi-libc headers, wasm-ld, the wasm32 builtins). */
#include <stdlib.h>
#include <string.h>

__attribute__((export_name("probe"))) size_t probe(const char *s)
{
    char *p = malloc(8);
    size_t n = strlen(s);
    free(p);
    return n;
}
