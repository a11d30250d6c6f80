/*
 * cmd_web.c: `stele web`, a static search page for a browser.
 *
 *   stele web [-i INDEX] [--title TEXT] --single-file PAGE.html
 *   stele web [-i INDEX] [--title TEXT] -o DIR
 *
 * The page runs the query runtime itself, compiled to WebAssembly
 * (web/stele_web.c, web/build-wasm.sh), so it needs no server: every
 * search happens in the browser, with the same code and the same answers
 * as `stele search`.  The page's files (web/page.html, stele.css,
 * stele.js) and stele.wasm are compiled into this program
 * (web_assets.c), so `stele web` works from a build directory and after
 * install alike.
 *
 * --single-file writes one HTML file that holds everything: the style
 * sheet and script inline, the wasm module and the index in base64.  It
 * opens from file:// (a USB stick, a kiosk's disk) with no server.  -o
 * writes DIR/index.html beside stele.css, stele.js, stele.wasm and
 * index.stele, which the page fetches: the form for a web server, where
 * the browser caches each file.
 *
 * The index is checked (stele_open: magic, version, structure, header
 * values; then every section's CRC) before anything is written, and every
 * file is written through a temporary file and renamed, so a failure
 * never leaves a half-written page; with -o, index.html is written last.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "web_assets.h"

static const char help_text[] =
    "Usage: stele web [-i INDEX] [--title TEXT] --single-file PAGE.html\n"
    "       stele web [-i INDEX] [--title TEXT] -o DIR\n"
    "\n"
    "Write a static search page that searches the index in the browser.\n"
    "\n"
    "  -i, --index FILE        index to search (default: the bundled corpus)\n"
    "      --single-file PAGE  one HTML file with everything inside; opens\n"
    "                          from file:// with no server\n"
    "  -o, --output DIR        DIR/index.html and the files it loads, for a\n"
    "                          web server\n"
    "  -t, --title TEXT        the page's title (default: \"Search\")\n"
    "  -h, --help              show this help\n"
    "\n"
    "The page opens with ?q=QUERY already searched.\n";

typedef struct web_page {
    const unsigned char *index;
    size_t index_size;
    const char *title;
    int single;
} web_page;

typedef struct web_blob {
    const unsigned char *data;
    size_t size;
} web_blob;

static int put(FILE *out, const void *p, size_t n)
{
    return n == 0 || fwrite(p, 1, n, out) == n ? 0 : -1;
}

static int put_str(FILE *out, const char *s)
{
    return put(out, s, strlen(s));
}

/* s with &, <, >, " and ' escaped for HTML text and attributes. */
static int put_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        const char *e = NULL;
        switch (*s) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            break;
        }
        if (e ? put_str(out, e) : put(out, s, 1)) return -1;
    }
    return 0;
}

/* Base64 (RFC 4648) in lines of 76 characters. */
static int put_base64(FILE *out, const unsigned char *p, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char line[80];
    size_t i, col = 0;
    for (i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        line[col++] = digits[(v >> 18) & 63];
        line[col++] = digits[(v >> 12) & 63];
        line[col++] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
        line[col++] = i + 2 < n ? digits[v & 63] : '=';
        if (col == 76 || i + 3 >= n) {
            line[col++] = '\n';
            if (put(out, line, col)) return -1;
            col = 0;
        }
    }
    return 0;
}

static int put_embedded(FILE *out, const char *id, const unsigned char *p, size_t n)
{
    if (put_str(out, "<script type=\"application/octet-stream\" id=\"") || put_str(out, id) ||
        put_str(out, "\">\n") || put_base64(out, p, n) || put_str(out, "</script>\n"))
        return -1;
    return 0;
}

/* One @NAME@ placeholder of the template. */
static int put_part(FILE *out, const web_page *pg, const char *name, size_t len)
{
#define IS(s) (len == sizeof s - 1 && memcmp(name, s, len) == 0)
    if (IS("TITLE")) return put_escaped(out, pg->title);
    if (IS("VERSION")) return put_str(out, STELE_VERSION_STRING);
    if (IS("STYLE")) {
        if (!pg->single) return put_str(out, "<link rel=\"stylesheet\" href=\"stele.css\">");
        return put_str(out, "<style>\n") || put(out, stele_web_css, stele_web_css_size) ||
               put_str(out, "</style>");
    }
    if (IS("SCRIPT")) {
        if (!pg->single) return put_str(out, "<script src=\"stele.js\"></script>");
        return put_str(out, "<script>\n") || put(out, stele_web_js, stele_web_js_size) ||
               put_str(out, "</script>");
    }
    if (IS("DATA")) {
        if (!pg->single) return 0;
        return put_embedded(out, "stele-wasm", stele_web_wasm, stele_web_wasm_size) ||
               put_embedded(out, "stele-index", pg->index, pg->index_size);
    }
#undef IS
    cli_error("web: the page template has an unknown part @%.*s@", (int)len, name);
    return -1;
}

/* The template (web/page.html) with its @NAME@ parts filled in. */
static int write_page(FILE *out, void *ctx)
{
    const web_page *pg = ctx;
    const char *t = (const char *)stele_web_page, *end = t + stele_web_page_size;
    while (t < end) {
        const char *at = memchr(t, '@', (size_t)(end - t)), *close;
        if (!at) return put(out, t, (size_t)(end - t));
        close = memchr(at + 1, '@', (size_t)(end - at - 1));
        if (!close) return put(out, t, (size_t)(end - t));
        if (put(out, t, (size_t)(at - t)) || put_part(out, pg, at + 1, (size_t)(close - at - 1)))
            return -1;
        t = close + 1;
    }
    return 0;
}

/* The writers for cli_write_atomic(), which reports errors of its own
 * only once the writer has succeeded. */
static int write_page_checked(FILE *out, void *ctx)
{
    if (write_page(out, ctx) == 0) return 0;
    if (ferror(out)) cli_error("cannot write the page: %s", strerror(errno));
    return -1;
}

static int write_blob(FILE *out, void *ctx)
{
    const web_blob *b = ctx;
    if (put(out, b->data, b->size) == 0) return 0;
    cli_error("cannot write: %s", strerror(errno));
    return -1;
}

/* DIR/name, written atomically; 0 on success. */
static int write_in_dir(const char *dir, const char *name, cli_writer_fn fn, void *ctx)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    int rc;
    if (!path) {
        cli_error("out of memory");
        return -1;
    }
    snprintf(path, n, "%s/%s", dir, name);
    rc = cli_write_atomic(path, fn, ctx);
    free(path);
    return rc;
}

static int write_dir(const char *dir, web_page *pg)
{
    struct stat st;
    web_blob css = {stele_web_css, stele_web_css_size};
    web_blob js = {stele_web_js, stele_web_js_size};
    web_blob wasm = {stele_web_wasm, stele_web_wasm_size};
    web_blob index = {pg->index, pg->index_size};

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("%s: not a directory", dir);
        return -1;
    }
    if (write_in_dir(dir, "stele.css", write_blob, &css) ||
        write_in_dir(dir, "stele.js", write_blob, &js) ||
        write_in_dir(dir, "stele.wasm", write_blob, &wasm) ||
        write_in_dir(dir, "index.stele", write_blob, &index) ||
        write_in_dir(dir, "index.html", write_page_checked, pg))
        return -1;
    return 0;
}

int cmd_web(int argc, char **argv)
{
    static const struct option long_opts[] = {{"index", required_argument, NULL, 'i'},
                                              {"output", required_argument, NULL, 'o'},
                                              {"single-file", required_argument, NULL, 's'},
                                              {"title", required_argument, NULL, 't'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    const char *index_path = NULL, *dir = NULL, *single = NULL;
    web_page pg;
    stele_index ix;
    cli_map map;
    int c, rc;

    memset(&pg, 0, sizeof pg);
    pg.title = "Search";
    while ((c = getopt_long(argc, argv, "i:o:t:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            index_path = optarg;
            break;
        case 'o':
            dir = optarg;
            break;
        case 's':
            single = optarg;
            break;
        case 't':
            pg.title = optarg;
            break;
        case 'h':
            fputs(help_text, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option("web", argv);
        }
    }
    if (optind < argc) {
        cli_error("web: unexpected argument '%s'", argv[optind]);
        return cli_usage_error("web");
    }
    if (!dir == !single) {
        cli_error("web: give exactly one of -o DIR and --single-file PAGE.html");
        return cli_usage_error("web");
    }
    if (stele_web_wasm_size == 0) {
        cli_error("web: this stele was built without its WebAssembly runtime; install clang, "
                  "lld and wasi-libc, run web/fetch-sources.sh and reconfigure the build");
        return CLI_EXIT_ERROR;
    }
    if (cli_open_index_checked(index_path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    pg.index = index_path ? map.data : stele_bundled_index;
    pg.index_size = index_path ? map.size : stele_bundled_index_size;
    pg.single = single != NULL;
    rc = single ? cli_write_atomic(single, write_page_checked, &pg) : write_dir(dir, &pg);
    cli_unmap(&map);
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_ERROR;
}
