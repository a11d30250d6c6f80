/*
 * cmd_show.c: `stele show [-i INDEX] [--json] ID` and `stele list [-i INDEX]
 * [--json]`, reading documents rather than searching them.
 *
 * show prints a document's whole stored text (stele_doc_text), one
 * paragraph at a time, each under the label a delegate cites it by
 * ("operative para 3", "preambular para 2", "footnote 12"; see
 * cli_para_label), so a hit can be read in full.  The paragraphs' kinds,
 * numbers and byte ranges come from stele_doc_para().  list prints every
 * document's id and title, a tab between them, in index order.
 *
 * With --json, show prints one object
 *   {"doc", "id", "title", "paragraphs": [{"label", "kind", "number",
 *    "text"}, ...]}
 * (kind is the token of the search output's para_kind, number null when
 * the paragraph has none), and list one {"doc", "id", "title"} per line.
 *
 * An ID is the document's id exactly as stored ("55/12", "decision I");
 * an id no document has is an error (exit 2) naming it.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char show_help[] = "Usage: stele show [-i INDEX] [--json] ID\n"
                                "\n"
                                "Print a document's whole text, each paragraph under its label\n"
                                "(\"operative para 3\", \"preambular para 2\", \"footnote 12\").\n"
                                "\n"
                                "  -i, --index FILE  index to read (default: the bundled corpus)\n"
                                "      --json        one JSON object with the paragraphs\n"
                                "  -h, --help        show this help\n";

static const char list_help[] = "Usage: stele list [-i INDEX] [--json]\n"
                                "\n"
                                "Print every document's id and title, a tab between them.\n"
                                "\n"
                                "  -i, --index FILE  index to read (default: the bundled corpus)\n"
                                "      --json        one JSON object per document and line\n"
                                "  -h, --help        show this help\n";

int cli_find_doc(const stele_index *ix, const char *id, size_t len, uint32_t *doc)
{
    stele_info info;
    stele_index_info(ix, &info);
    for (uint32_t d = 0; d < info.n_docs; d++) {
        stele_view v;
        if (stele_doc_id(ix, d, &v) == STELE_OK && v.len == len && memcmp(v.data, id, len) == 0) {
            *doc = d;
            return 0;
        }
    }
    return -1;
}

int cli_doc_load(const stele_index *ix, uint32_t doc, cli_doc *out)
{
    size_t ws_size = stele_workspace_bound(ix, 0), len = 0;
    void *ws = malloc(ws_size ? ws_size : 1);
    int rc;

    memset(out, 0, sizeof *out);
    if (!ws) return STELE_ENOMEM;
    rc = stele_doc_text(ix, doc, ws, ws_size, NULL, 0, &len);
    if (rc == STELE_ENOSPACE) {
        out->text = malloc(len + 1);
        rc = out->text ? stele_doc_text(ix, doc, ws, ws_size, out->text, len + 1, &len)
                       : STELE_ENOMEM;
    }
    free(ws);
    if (rc == STELE_OK) rc = stele_doc_para_count(ix, doc, &out->n_paras);
    if (rc == STELE_OK) {
        out->paras = calloc(out->n_paras ? out->n_paras : 1, sizeof *out->paras);
        if (!out->paras) rc = STELE_ENOMEM;
    }
    for (uint32_t i = 0; rc == STELE_OK && i < out->n_paras; i++) {
        rc = stele_doc_para(ix, doc, i, &out->paras[i]);
        /* the ranges come from the index: a damaged one is refused here */
        if (rc == STELE_OK &&
            (out->paras[i].text_off > len || out->paras[i].text_len > len - out->paras[i].text_off))
            rc = STELE_ECORRUPT;
    }
    if (rc == STELE_OK) rc = stele_doc_id(ix, doc, &out->id);
    if (rc == STELE_OK) rc = stele_doc_title(ix, doc, &out->title);
    if (rc != STELE_OK) {
        cli_doc_free(out);
        return rc;
    }
    out->doc = doc;
    out->len = len;
    return STELE_OK;
}

void cli_doc_free(cli_doc *d)
{
    free(d->text);
    free(d->paras);
    memset(d, 0, sizeof *d);
}

static int show_json(const cli_doc *d)
{
    json_t *o = json_object(), *paras = json_array();
    char *line;
    int rc = -1;

    if (!o || !paras) goto out;
    for (uint32_t i = 0; i < d->n_paras; i++) {
        const stele_para *p = &d->paras[i];
        char label[64];
        json_t *jp = json_object();
        cli_para_label(p->kind, p->number, label, sizeof label);
        if (!jp || json_array_append_new(paras, jp) ||
            json_object_set_new(jp, "label", json_string(label)) ||
            json_object_set_new(jp, "kind", json_string(cli_para_token(p->kind))) ||
            json_object_set_new(jp, "number", p->number ? json_integer(p->number) : json_null()) ||
            json_object_set_new(jp, "text", cli_json_text(d->text + p->text_off, p->text_len)))
            goto out;
    }
    if (json_object_set_new(o, "doc", json_integer(d->doc)) ||
        json_object_set_new(o, "id", cli_json_text(d->id.data, d->id.len)) ||
        json_object_set_new(o, "title", cli_json_text(d->title.data, d->title.len)) ||
        json_object_set(o, "paragraphs", paras))
        goto out;
    line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!line) goto out;
    puts(line);
    free(line);
    rc = 0;
out:
    json_decref(paras);
    json_decref(o);
    return rc;
}

void cli_doc_print(const cli_doc *d)
{
    cli_put_safe(stdout, d->id.data, d->id.len, NULL);
    fputs("  ", stdout);
    cli_put_safe(stdout, d->title.data, d->title.len, NULL);
    putchar('\n');
    for (uint32_t i = 0; i < d->n_paras; i++) {
        const stele_para *p = &d->paras[i];
        char label[64];
        cli_para_label(p->kind, p->number, label, sizeof label);
        printf("\n%s\n  ", label);
        cli_put_safe(stdout, d->text + p->text_off, p->text_len, NULL);
        putchar('\n');
    }
}

/* The options both commands take; returns -1 to go on, else an exit status. */
static int parse_opts(int argc, char **argv, const char *cmd, const char *help,
                      const char **index_path, int *json)
{
    static const struct option long_opts[] = {{"index", required_argument, NULL, 'i'},
                                              {"json", no_argument, NULL, 'j'},
                                              {"help", no_argument, NULL, 'h'},
                                              {NULL, 0, NULL, 0}};
    int c;
    cli_json_errors = cli_wants_json(argc, argv);
    if (cli_json_errors) opterr = 0;
    while ((c = getopt_long(argc, argv, "i:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            *index_path = optarg;
            break;
        case 'j':
            *json = 1;
            break;
        case 'h':
            fputs(help, stdout);
            return CLI_EXIT_OK;
        default:
            return cli_bad_option(cmd, argv);
        }
    }
    return -1;
}

/* Prints document ID of the index at index_path (NULL: the bundled one).
 * Apart from main's options, so that nothing its fault guard returns to
 * is changed after the sigsetjmp. */
static int show_doc(const char *index_path, int json, const char *id)
{
    sigjmp_buf jump;
    stele_index ix;
    cli_map map;
    cli_doc d;
    uint32_t doc;
    int rc, status;

    if (cli_open_index(index_path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    if (sigsetjmp(jump, 1)) {
        cli_fault_restore(NULL);
        cli_index_fault(index_path, &map, &ix);
        return CLI_EXIT_ERROR;
    }
    cli_fault_arm(&jump);
    if (cli_find_doc(&ix, id, strlen(id), &doc) != 0) {
        cli_error("%s: no document '%s' (stele list prints the ids)", cli_index_name(index_path),
                  id);
        cli_fault_restore(NULL);
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    rc = cli_doc_load(&ix, doc, &d);
    if (rc != STELE_OK) {
        cli_error("%s: document '%s': %s", cli_index_name(index_path), id, stele_strerror(rc));
        cli_fault_restore(NULL);
        cli_unmap(&map);
        return CLI_EXIT_ERROR;
    }
    status = CLI_EXIT_OK;
    if (!json)
        cli_doc_print(&d);
    else if (show_json(&d) != 0) {
        cli_error("out of memory");
        status = CLI_EXIT_ERROR;
    }
    cli_doc_free(&d);
    cli_fault_restore(NULL);
    cli_unmap(&map);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        status = CLI_EXIT_ERROR;
    }
    return status;
}

int cmd_list(int argc, char **argv)
{
    const char *index_path = NULL;
    int json = 0, status = CLI_EXIT_OK;
    stele_index ix;
    stele_info info;
    cli_map map;

    if ((status = parse_opts(argc, argv, "list", list_help, &index_path, &json)) >= 0)
        return status;
    status = CLI_EXIT_OK;
    if (optind < argc) {
        cli_error("list: no arguments but options, please");
        return cli_usage_error("list");
    }
    if (cli_open_index(index_path, &map, &ix) != 0) return CLI_EXIT_ERROR;
    cli_map_whole(&map);
    stele_index_info(&ix, &info);
    for (uint32_t doc = 0; doc < info.n_docs; doc++) {
        stele_view id, title;
        int rc = stele_doc_id(&ix, doc, &id);
        if (rc == STELE_OK) rc = stele_doc_title(&ix, doc, &title);
        if (rc != STELE_OK) {
            cli_error("%s: document %u: %s", cli_index_name(index_path), (unsigned)doc,
                      stele_strerror(rc));
            status = CLI_EXIT_ERROR;
            break;
        }
        if (json) {
            json_t *o = json_object();
            char *line = NULL;
            if (o && !json_object_set_new(o, "doc", json_integer(doc)) &&
                !json_object_set_new(o, "id", cli_json_text(id.data, id.len)) &&
                !json_object_set_new(o, "title", cli_json_text(title.data, title.len)))
                line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(o);
            if (!line) {
                cli_error("out of memory");
                status = CLI_EXIT_ERROR;
                break;
            }
            puts(line);
            free(line);
        } else {
            cli_put_safe(stdout, id.data, id.len, NULL);
            putchar('\t');
            cli_put_safe(stdout, title.data, title.len, NULL);
            putchar('\n');
        }
    }
    cli_unmap(&map);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("standard output: write error");
        status = CLI_EXIT_ERROR;
    }
    return status;
}

int cmd_show(int argc, char **argv)
{
    const char *index_path = NULL;
    int json = 0, status;

    if ((status = parse_opts(argc, argv, "show", show_help, &index_path, &json)) >= 0)
        return status;
    if (argc - optind != 1) {
        cli_error("show: one document id, please (stele list prints them)");
        return cli_usage_error("show");
    }
    return show_doc(index_path, json, argv[optind]);
}
