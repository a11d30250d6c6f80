/*
 * web_assets.h: the search page's files, compiled into `stele web` by
 * web/embed_assets.py (web_assets.c, generated at build time): the HTML
 * template, its style sheet and script, and stele.wasm.  Each array is
 * followed by a NUL that its size does not count.  stele_web_wasm_size
 * is 0 when the build had no WebAssembly toolchain.
 */
#ifndef STELE_WEB_ASSETS_H
#define STELE_WEB_ASSETS_H

#include <stddef.h>

extern const unsigned char stele_web_page[];
extern const size_t stele_web_page_size;
extern const unsigned char stele_web_css[];
extern const size_t stele_web_css_size;
extern const unsigned char stele_web_js[];
extern const size_t stele_web_js_size;
extern const unsigned char stele_web_wasm[];
extern const size_t stele_web_wasm_size;

#endif /* STELE_WEB_ASSETS_H */
