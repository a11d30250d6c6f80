/*
 * index_progress.c: what `stele index` shows while it builds, and the
 * signal handling that keeps an interrupted build from leaving anything
 * behind.
 *
 * Progress.  On a terminal (and without --quiet) one line on stderr is
 * redrawn at most five times a second, and at each change of phase:
 *   reading     [########........]  12.3 of 95.0 MB  4210 docs/s  ETA 0:07
 *   analysing   [####............]  34000 of 136545 docs  30100 docs/s  ETA 0:03
 * then compressing and writing.  Each phase has its own bar and its own
 * rate and estimate, measured from the start of that phase, since their
 * speeds differ by orders of magnitude.  The line is erased at the end, so
 * the summary stands alone.  When stderr is not a terminal nothing of it
 * is printed.
 *
 * Warnings (invalid bytes replaced, duplicates dropped by --on-duplicate, a
 * resolutions file with no resolution) always go to stderr, above the bar;
 * they are also counted per input.  Notes (the resolutions format's
 * documented merges) are kept for the summary.
 *
 * Signals.  SIGINT, SIGTERM and SIGHUP end the build at once; the index at
 * the output path is untouched, since only rename() replaces it.  The one
 * thing to clean up is the temporary file, which exists between the
 * library's STELE_EV_WRITE_TEMP and STELE_EV_WRITE_END events: the handler
 * unlinks it (unlink is async-signal-safe), prints a fixed message, and
 * re-raises the signal with its default action, so the parent sees how the
 * process ended.  The signals are blocked from STELE_EV_WRITE_BEGIN until
 * the temporary file's name is recorded, so no signal can fall between the
 * file's creation and the moment the handler knows it, and again around
 * the rename (STELE_EV_WRITE_COMMIT .. STELE_EV_WRITE_END), so that the
 * handler finds either the
 * temporary file (removed: the old index stays) or the new index in place
 * (kept: it is complete), and says which.  SIGXFSZ is
 * ignored: over a file-size limit write() fails with EFBIG, and the
 * library reports it and removes the file like any other write error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "index_cli.h"

#define REDRAW_SECONDS 0.2
#define BAR_WIDTH      24
#define TEMP_PATH_MAX  4096

/* State the signal handler reads: written only with the signals blocked,
 * or (temp_active = 0) in one store. */
static char temp_path[TEMP_PATH_MAX];
static volatile sig_atomic_t temp_active;
static volatile sig_atomic_t index_replaced;
static char interrupt_msg[2][TEMP_PATH_MAX + 128]; /* [index_replaced] */
static size_t interrupt_len[2];

static void on_signal(int sig)
{
    int replaced = index_replaced != 0;
    if (temp_active) unlink(temp_path);
    if (interrupt_len[replaced]) {
        ssize_t n = write(STDERR_FILENO, interrupt_msg[replaced], interrupt_len[replaced]);
        (void)n;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void set_signals_blocked(int block)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(block ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

struct index_progress {
    index_plan *plan;
    int bar;
    int phase;          /* event kind of the phase shown */
    size_t next_file;   /* input of the next STELE_EV_INPUT_DONE */
    double phase_start; /* seconds */
    double last_draw;
    int drawn; /* a bar is on the screen */
    size_t n_warnings;
    char **notes;
    size_t n_notes;
};

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

index_progress *index_progress_new(index_plan *plan, const char *out_path, int bar)
{
    index_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->plan = plan;
    p->bar = bar;
    p->phase_start = p->last_draw = now_seconds();
    for (int replaced = 0; replaced <= 1; replaced++) {
        int n = snprintf(interrupt_msg[replaced], sizeof interrupt_msg[replaced],
                         replaced ? "\nstele: interrupted after %s was written\n"
                                  : "\nstele: interrupted; %s was left as it was\n",
                         out_path);
        interrupt_len[replaced] =
            n > 0 && (size_t)n < sizeof interrupt_msg[replaced] ? (size_t)n : 0;
    }
    temp_active = 0;
    index_replaced = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGXFSZ, SIG_IGN);
    return p;
}

static void clear_bar(index_progress *p)
{
    if (p->drawn) fputs("\r\033[K", stderr);
    p->drawn = 0;
}

/* "1:02:03" or "2:03". */
static void format_eta(char *out, size_t cap, double secs)
{
    if (!(secs >= 0) || secs > 99 * 3600.0) {
        snprintf(out, cap, "--:--");
        return;
    }
    unsigned s = (unsigned)(secs + 0.5);
    if (s >= 3600)
        snprintf(out, cap, "%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(out, cap, "%u:%02u", s / 60, s % 60);
}

static void draw(index_progress *p, const stele_build_event *ev, double now)
{
    const char *label = ev->kind == STELE_EV_READ       ? "reading"
                        : ev->kind == STELE_EV_ANALYSE  ? "analysing"
                        : ev->kind == STELE_EV_COMPRESS ? "compressing"
                                                        : "writing";
    int in_bytes = ev->kind == STELE_EV_READ || ev->kind == STELE_EV_WRITE;
    double elapsed = now - p->phase_start;
    char bar[BAR_WIDTH + 1], amount[64], rate[48] = "", eta[16] = "--:--";
    double frac = ev->total ? (double)ev->done / (double)ev->total : 0;
    if (frac > 1) frac = 1;
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < (int)(frac * BAR_WIDTH + 0.5) ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    if (in_bytes) {
        /* Megabytes, or kilobytes for inputs under a megabyte. */
        double unit = ev->total >= 1000000 || ev->done >= 1000000 ? 1e6 : 1e3;
        const char *unit_name = unit == 1e6 ? "MB" : "KB";
        if (ev->total)
            snprintf(amount, sizeof amount, "%.1f of %.1f %s", (double)ev->done / unit,
                     (double)ev->total / unit, unit_name);
        else
            snprintf(amount, sizeof amount, "%.1f %s", (double)ev->done / unit, unit_name);
    } else
        snprintf(amount, sizeof amount, "%llu of %llu docs", (unsigned long long)ev->done,
                 (unsigned long long)ev->total);
    uint64_t docs = ev->kind == STELE_EV_READ ? ev->n_docs : ev->done;
    if (elapsed > 0.05 && ev->kind != STELE_EV_WRITE)
        snprintf(rate, sizeof rate, "  %.0f docs/s", (double)docs / elapsed);
    if (elapsed > 0.05 && ev->done > 0 && ev->total >= ev->done)
        format_eta(eta, sizeof eta, elapsed * (double)(ev->total - ev->done) / (double)ev->done);
    if (ev->total)
        fprintf(stderr, "\r\033[K%-11s [%s] %s%s  ETA %s", label, bar, amount, rate, eta);
    else
        fprintf(stderr, "\r\033[K%-11s %s%s", label, amount, rate);
    fflush(stderr);
    p->drawn = 1;
    p->last_draw = now;
}

static void add_note(index_progress *p, const char *msg)
{
    char **notes = realloc(p->notes, (p->n_notes + 1) * sizeof *notes);
    if (!notes) return;
    p->notes = notes;
    size_t n = strlen(msg) + 1;
    if ((p->notes[p->n_notes] = malloc(n)) != NULL) memcpy(p->notes[p->n_notes++], msg, n);
}

/* The group of the file at path: the one being read, for warnings. */
static index_group *current_group(index_progress *p)
{
    index_plan *plan = p->plan;
    size_t f = p->next_file < plan->n_files ? p->next_file : plan->n_files - 1;
    for (size_t g = 0; g < plan->n_groups; g++)
        if (f >= plan->groups[g].first && f < plan->groups[g].first + plan->groups[g].n)
            return &plan->groups[g];
    return NULL;
}

void index_progress_event(void *ctx, const stele_build_event *ev)
{
    index_progress *p = ctx;
    switch (ev->kind) {
    case STELE_EV_WRITE_BEGIN:
        set_signals_blocked(1);
        break;
    case STELE_EV_WRITE_TEMP:
        if (ev->message && strlen(ev->message) < sizeof temp_path) {
            memcpy(temp_path, ev->message, strlen(ev->message) + 1);
            temp_active = 1;
        }
        set_signals_blocked(0);
        break;
    case STELE_EV_WRITE_COMMIT:
        /* Around the rename a signal waits: it must find either the
         * temporary file or the new index, never a state between. */
        set_signals_blocked(1);
        break;
    case STELE_EV_WRITE_END:
        temp_active = 0;
        if (ev->total && ev->done == ev->total) index_replaced = 1;
        set_signals_blocked(0);
        break;
    case STELE_EV_INPUT_DONE: {
        index_group *g = current_group(p);
        if (g) g->n_docs += ev->n_docs;
        p->next_file++;
        break;
    }
    case STELE_EV_WARNING: {
        index_group *g = ev->input ? current_group(p) : NULL;
        if (g) g->n_warnings++;
        p->n_warnings++;
        clear_bar(p);
        cli_error("warning: %s", ev->message ? ev->message : "?");
        break;
    }
    case STELE_EV_NOTE:
        if (ev->message) add_note(p, ev->message);
        break;
    default:
        break;
    }
    if (!p->bar || ev->kind < STELE_EV_READ) return;
    if (ev->kind != STELE_EV_READ && ev->kind != STELE_EV_ANALYSE &&
        ev->kind != STELE_EV_COMPRESS && ev->kind != STELE_EV_WRITE)
        return;
    double now = now_seconds();
    if (ev->kind != p->phase) {
        p->phase = ev->kind;
        p->phase_start = now;
        draw(p, ev, now);
    } else if (now - p->last_draw >= REDRAW_SECONDS) {
        draw(p, ev, now);
    }
}

size_t index_progress_finish(index_progress *p)
{
    clear_bar(p);
    fflush(stderr);
    return p->n_warnings;
}

void index_progress_print_notes(const index_progress *p)
{
    for (size_t i = 0; i < p->n_notes; i++)
        printf("  note: %s\n", p->notes[i]);
}

void index_progress_free(index_progress *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_notes; i++)
        free(p->notes[i]);
    free(p->notes);
    free(p);
}
